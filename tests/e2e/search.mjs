// Searching messages (DESIGN §8): Ctrl+F opens the search on the open room and /
// on every room; words match without accents (cafe finds Café) and by their start
// (deplo finds Deployment and deploy, not redeployed); hits are newest first with
// their room, author and time and the words marked, and what people wrote stays text
// (<b> is shown, never made bold); "More results" pages on; a query without a word
// of 2 letters is refused in words; a hit far back opens its room at that message,
// marked; on a phone, a hit in a public room one is not in offers to join it first.
// Usage: node search.mjs BASE_URL (the server must take ~100 quick REST posts)
import { api, expect, inRoom, launch, logIn, msg, newPage, noPageErrors, unique, wait } from "./lib.mjs";

const [base] = process.argv.slice(2);
const rest = api(base);
const [anaName, biaName] = [unique("ana"), unique("bia")];
const ana = await rest.signUp("Ana", anaName);
const bia = await rest.signUp("Bia", biaName);
const ops = await rest.createRoom(ana, unique("ops"));
const design = await rest.createRoom(ana, unique("design"));
const garden = await rest.createRoom(ana, unique("garden"));
await rest.join(bia, ops.id);
// A word no other run has written, so that the results are this run's only.
const tag = unique("zq");
const say = (who, room, text) => rest.post(who, room.id, text);
await say(ana, ops, `Deployment finished without errors ${tag}`);
await say(bia, ops, `Café com leite às três? ${tag}`);
await say(ana, ops, `the deploy script needs a review ${tag}`);
await say(bia, ops, `we redeployed yesterday ${tag}`);
await say(ana, ops, `<b>not bold</b> & deploy notes ${tag}`);
await say(ana, design, `deploy the new mock-ups ${tag}`);
await say(ana, garden, `garden party on friday ${tag}`);
for (let i = 1; i <= 25; i++) await say(i % 2 ? ana : bia, ops, `release note ${i} ${tag}`);
for (let i = 1; i <= 60; i++) await say(bia, ops, `chatter ${i}`);

const browser = await launch();
try {
  const page = await newPage(browser, { viewport: { width: 1280, height: 800 } });
  await logIn(page, base, anaName);
  await page.goto(`${base}/#room/${ops.id}`);
  await inRoom(page, ops.name);
  await page.waitForSelector(msg("chatter 60"), wait);
  const texts = () => page.$$eval("#search-results .hit-text", (nodes) => nodes.map((n) => n.textContent.replace(/ \S+$/, "")));

  // Ctrl+F: this room, the box focused.
  await page.focus("#composer textarea");
  await page.keyboard.press("Control+f");
  await page.waitForSelector("#search:not([hidden]) #search-q:focus", wait);
  expect(await page.isChecked("#search-here"), "Ctrl+F does not search the open room");
  expect((await page.textContent("#search-here-label")).includes(ops.name), "the scope does not name the room");

  // Without accents, and by the start of a word.
  await page.fill("#search-q", `cafe ${tag}`);
  await page.waitForSelector("#search-results .search-hit:has-text('Café com leite')", wait);
  const marked = await page.$$eval("#search-results .search-hit mark", (m) => m.map((x) => x.textContent));
  expect(marked.includes("Café"), `marked words: ${JSON.stringify(marked)}`);
  const head = await page.textContent("#search-results .search-hit .hit-head");
  expect(head.includes(ops.name) && head.includes("Bia") && /Today/.test(head), `a hit's head: ${head}`);
  await page.fill("#search-q", `deplo ${tag}`);
  await page.waitForFunction(() => document.querySelectorAll("#search-results .search-hit").length === 3, null, wait);
  expect(JSON.stringify(await texts()) === JSON.stringify(["<b>not bold</b> & deploy notes", "the deploy script needs a review", "Deployment finished without errors"]),
    `deplo in this room: ${JSON.stringify(await texts())}`);
  expect(!(await page.locator("#search-results .hit-text b").count()), "what someone wrote became markup");
  // Every room: the design room's hit too.
  await page.uncheck("#search-here");
  await page.waitForFunction(() => document.querySelectorAll("#search-results .search-hit").length === 4, null, wait);
  expect(await page.locator(`#search-results .search-hit:has-text('deploy the new mock-ups') .hit-room:has-text('${design.name}')`).count() === 1, "the other room's hit does not name its room");

  // A word of one letter is no search.
  await page.fill("#search-q", "a");
  await page.press("#search-q", "Enter");
  await page.waitForSelector("#search-error:has-text('at least 2 letters')", wait);
  expect(!(await page.locator("#search-results .search-hit").count()), "the results of the last search stayed under the error");

  // Pages of 20, newest first.
  await page.check("#search-here");
  await page.fill("#search-q", `release note ${tag}`);
  await page.waitForFunction(() => document.querySelectorAll("#search-results .search-hit").length === 20, null, wait);
  expect(!(await page.textContent("#search-error")), "the error stayed");
  await page.click("#search-more");
  await page.waitForFunction(() => document.querySelectorAll("#search-results .search-hit").length === 25, null, wait);
  const notes = await texts();
  expect(notes[0] === "release note 25" && notes[24] === "release note 1", `release notes: ${notes[0]} … ${notes[24]}`);
  await page.waitForSelector("#search-more", { ...wait, state: "hidden" });

  // The oldest hit, 80 messages up: its room opens there, the message marked and in view.
  await page.click(`#search-results .search-hit:has-text('release note 1 ${tag}')`);
  await page.waitForSelector(`${msg(`release note 1 ${tag}`)}.flash`, wait);
  const at = await page.$eval(msg(`release note 1 ${tag}`), (n) => {
    const r = n.getBoundingClientRect();
    const v = document.querySelector("#messages").getBoundingClientRect();
    return r.top >= v.top && r.bottom <= v.bottom;
  });
  expect(at, "the message of the hit is not in view");
  expect(await page.isVisible("#search"), "the results closed on a wide screen");

  // / (outside a text box) searches every room.
  await page.focus("#message-list");
  await page.keyboard.press("/");
  await page.waitForSelector("#search-q:focus", wait);
  expect(!(await page.isChecked("#search-here")), "/ searches only this room");
  await page.keyboard.press("Escape");
  await page.waitForSelector("#search", { ...wait, state: "hidden" });

  // On a phone: a hit in a public room Bia is not in; she joins it to read it.
  const phone = await newPage(browser, { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
  await logIn(phone, base, biaName);
  await inRoom(phone, ops.name);
  await phone.tap("#open-search");
  await phone.fill("#search-q", `garden party ${tag}`);
  await phone.press("#search-q", "Enter");
  const hit = phone.locator("#search-results .search-hit:has-text('garden party')");
  await hit.waitFor(wait);
  expect(await hit.locator(".hit-tag:has-text('not joined')").count() === 1, "the hit does not say Bia is not in its room");
  const width = await phone.$eval("#search", (s) => s.getBoundingClientRect().width);
  expect(width >= 380, `on the phone the search is ${width} px wide`);
  await hit.tap();
  await phone.waitForSelector(`#confirm-dialog[open]:has-text('${garden.name}')`, wait);
  await phone.tap("#confirm-yes");
  await inRoom(phone, garden.name);
  await phone.waitForSelector(`${msg("garden party")}.flash`, wait);
  expect(await phone.isHidden("#search"), "on the phone the results still cover the room");

  noPageErrors(page, phone);
  console.log("browser search: ok");
} finally {
  await browser.close();
}
