// A busy room on a laptop and on a phone: 200 messages seeded over REST (the server
// must not limit posts: PAPO_POST_RATE=0), then, at 1280 × 800 and 390 × 844, in light
// and dark: the page itself does not scroll, the header, the newest message and the
// message box are on screen; scrolling up loads older messages without moving what
// the reader looks at; a message arriving while scrolled up does not move the view
// either and offers a jump back; at the bottom new messages stay in view. On the
// phone the room drawer opens below its own button, closes on a tap outside, and the
// menu button shows a dot for unread messages elsewhere.
// Usage: node layout.mjs BASE_URL [SHOTS_DIR]   (screenshots only when a dir is given)
import { api, expect, inRoom, joinRoom, launch, logIn, newPage, noPageErrors, signUp, unique, wait } from "./lib.mjs";

const [base, shots] = process.argv.slice(2);
const rest = api(base);
const ana = await rest.signUp("Ana Souza", unique("ana"));
const bia = await rest.signUp("Bia Lima", unique("bia"));
const busy = unique("busy");
// A topic longer than a phone is wide: it must be cut short, not widen the page.
const room = await rest.createRoom(ana, busy, { description: "Two hundred messages and counting, about everything and nothing, from morning to night" });
const quiet = await rest.createRoom(ana, unique("quiet"));
await rest.join(bia, room.id);
await rest.join(bia, quiet.id);
await rest.seed([ana, bia], room.id, 200, (i) => (i % 25 === 7 ? `message ${i}\nwith a second line` : `message ${i}`));

// Where things are, measured in the page.
const measure = (page) => page.evaluate(() => {
  const box = (sel) => {
    const r = document.querySelector(sel)?.getBoundingClientRect();
    return r ? { top: r.top, bottom: r.bottom, left: r.left, right: r.right } : null;
  };
  const last = [...document.querySelectorAll("#message-list .msg")].pop();
  return {
    pageScroll: document.scrollingElement.scrollHeight - innerHeight,
    tooWide: Math.max(document.scrollingElement.scrollWidth, document.querySelector("#conversation").scrollWidth) - innerWidth,
    height: innerHeight,
    header: box("#room-header"),
    composer: box("#composer textarea"),
    newest: last ? { text: last.querySelector(".text").textContent, ...last.getBoundingClientRect().toJSON() } : null,
    count: document.querySelectorAll("#message-list .msg").length,
  };
});

function onScreen(m, what) {
  expect(m.pageScroll <= 1, `${what}: the page scrolls by ${m.pageScroll} px`);
  expect(m.tooWide <= 1, `${what}: the conversation is ${m.tooWide} px wider than the window`);
  expect(m.header.top >= 0 && m.header.bottom < m.height / 3, `${what}: the header is not at the top (${JSON.stringify(m.header)})`);
  expect(m.composer.top > 0 && m.composer.bottom <= m.height, `${what}: the message box is off screen (${JSON.stringify(m.composer)}, window ${m.height})`);
  expect(m.newest && m.newest.top >= m.header.bottom - 1 && m.newest.bottom <= m.composer.top + 1,
    `${what}: the newest message is not between header and message box (${JSON.stringify(m.newest)})`);
}

// The top of a message (by its text) relative to the top of the message list.
const topOf = (page, text) => page.evaluate((t) => {
  const box = document.querySelector("#messages").getBoundingClientRect().top;
  const msg = [...document.querySelectorAll("#message-list .msg")].find((m) => m.querySelector(".text").textContent === t);
  return msg ? msg.getBoundingClientRect().top - box : null;
}, text);

const browser = await launch();
let newest = "message 200";
try {
  for (const [w, h, scheme] of [[1280, 800, "light"], [390, 844, "dark"], [1280, 800, "dark"], [390, 844, "light"]]) {
    const what = `${w}×${h} ${scheme}`;
    const page = await newPage(browser, { viewport: { width: w, height: h }, colorScheme: scheme, hasTouch: w < 500 });
    await logIn(page, base, bia.username);
    await page.goto(`${base}/#room/${room.id}`);
    await inRoom(page, busy);
    await page.waitForFunction((t) => [...document.querySelectorAll("#message-list .msg .text")].pop()?.textContent === t, newest, wait);
    await page.waitForTimeout(200);
    const opened = await measure(page);
    onScreen(opened, what);
    expect(opened.newest.text === newest, `${what}: the newest message shown is "${opened.newest.text}"`);
    const dark = await page.evaluate(() => getComputedStyle(document.querySelector(".conversation")).backgroundColor);
    const lum = dark.match(/\d+/g).slice(0, 3).reduce((a, b) => a + Number(b), 0) / 3;
    expect(scheme === "dark" ? lum < 80 : lum > 200, `${what}: the conversation background is ${dark}`);
    if (shots) await page.screenshot({ path: `${shots}/long-${w}x${h}-${scheme}.png` });
    if (scheme === "light" || w > 500) {
      await page.close();
      continue;
    }

    // Scrolling up loads older pages; the message at the top stays where it was.
    const firstLoaded = await page.$eval("#message-list .msg .text", (n) => n.textContent);
    await page.$eval("#messages", (box) => box.scrollBy(0, -box.scrollHeight));
    await page.waitForFunction((n) => document.querySelectorAll("#message-list .msg").length > n, opened.count, wait);
    await page.waitForTimeout(300);
    const before = await topOf(page, firstLoaded);
    expect(before !== null && before > -50, `${what}: after loading older messages, "${firstLoaded}" moved to ${before} px`);
    // Keep loading until the very first message, which is then followed by nothing older.
    for (let i = 0; i < 10 && !(await page.isVisible("#room-intro")); i++) {
      await page.$eval("#messages", (box) => box.scrollBy(0, -box.scrollHeight));
      await page.waitForTimeout(400);
    }
    await page.waitForSelector("#room-intro:has-text('beginning')", wait);
    const all = await page.$$eval("#message-list .msg .text", (nodes) => nodes.map((n) => n.textContent));
    expect(all.length === 200 && all[0] === "message 1" && all[199] === "message 200", `${what}: ${all.length} messages, first "${all[0]}"`);

    // Scrolled up, a new message does not move the view; a button offers the way back.
    await page.$eval("#messages", (box) => { box.scrollTop = box.scrollHeight / 2; });
    await page.waitForTimeout(200);
    const looking = await page.evaluate(() => {
      const box = document.querySelector("#messages").getBoundingClientRect();
      const msg = [...document.querySelectorAll("#message-list .msg")].find((m) => m.getBoundingClientRect().top > box.top + 20);
      return msg.querySelector(".text").textContent;
    });
    const lookingAt = await topOf(page, looking);
    await rest.post(ana, room.id, "while you were reading");
    await page.waitForSelector(".msg:has-text('while you were reading')", { ...wait, state: "attached" });
    await page.waitForTimeout(200);
    const after = await topOf(page, looking);
    expect(Math.abs(after - lookingAt) <= 2, `${what}: "${looking}" moved from ${lookingAt} to ${after} px when a message arrived`);
    await page.waitForSelector("#jump-latest:has-text('1 new message')", wait);
    await page.click("#jump-latest");
    await page.waitForTimeout(200);
    onScreen(await measure(page), `${what} after jumping back`);

    // At the bottom, arrivals stay in view, including a long one.
    newest = "one more\nwith\nfour lines\nof text";
    await rest.post(ana, room.id, newest);
    await page.waitForSelector(".msg:has-text('four lines')", wait);
    await page.waitForTimeout(200);
    const latest = await measure(page);
    onScreen(latest, `${what} after a new message`);
    expect(latest.newest.text.includes("four lines"), `${what}: the newest message is "${latest.newest.text}"`);

    // The drawer: below the header, so its own button stays visible and closes it.
    await rest.post(ana, quiet.id, "news in the quiet room");
    await page.waitForSelector("#menu-dot:not([hidden])", wait);
    await page.click("#show-rooms");
    await page.waitForSelector("#sidebar.open", wait);
    await page.waitForTimeout(300);
    const button = await page.$eval("#show-rooms", (b) => {
      const r = b.getBoundingClientRect();
      const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      return { reachable: b.contains(hit), expanded: b.getAttribute("aria-expanded") };
    });
    expect(button.reachable && button.expanded === "true", `${what}: the open drawer covers its button (${JSON.stringify(button)})`);
    const badge = await page.textContent(`#sidebar .room-link:has-text('${quiet.name}') .badge`);
    expect(badge === "1", `${what}: the quiet room's badge shows ${badge}`);
    if (shots) await page.screenshot({ path: `${shots}/drawer-${w}x${h}-${scheme}.png` });
    await page.tap("#scrim", { position: { x: 20, y: 300 } }).catch(() => page.mouse.click(w - 20, h / 2));
    await page.waitForSelector("#show-rooms[aria-expanded=false]", wait);
    await page.click("#show-rooms");
    await page.waitForSelector("#sidebar.open", wait);
    await page.click("#show-rooms");
    await page.waitForSelector("#show-rooms[aria-expanded=false]", wait);
    noPageErrors(page);
    await page.close();
  }
  // Someone new joins the busy room from the room browser: it opens at its newest
  // message, and its past does not count as 200 unread messages.
  const cy = await newPage(browser, { viewport: { width: 1280, height: 800 } });
  await signUp(cy, base, "Cy", unique("cy"));
  await joinRoom(cy, busy);
  await cy.waitForFunction((t) => [...document.querySelectorAll("#message-list .msg .text")].pop()?.textContent === t, newest, wait);
  await cy.waitForTimeout(500);
  onScreen(await measure(cy), "after joining");
  expect(!(await cy.locator(".read-marker").count()), "a room just joined shows its past as new");
  expect(!(await cy.locator("#sidebar .badge").count()), "a room just joined has an unread badge");
  noPageErrors(cy);
  console.log("browser layout: ok");
} finally {
  await browser.close();
}
