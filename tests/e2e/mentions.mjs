// Mentions (DESIGN §8), by three people: typing @ suggests the room's members (not
// someone outside it), by name or username, with ↑/↓ and Enter, Tab, a click, and
// Escape to close; the mention goes out as @username; the person mentioned, looking
// at another room, gets "@1" then "@2" on the room in the list (from the server's
// count after a reload too), which goes once the room is read; the message is marked
// for them and their name styled, for everyone.
// Usage: node mentions.mjs BASE_URL
import { api, createRoom, expect, inRoom, joinRoom, launch, msg, newPage, noPageErrors, openRoom, say, sessionOf, signUp, unique, wait } from "./lib.mjs";

const [base] = process.argv.slice(2);
const rest = api(base);
const browser = await launch();
try {
  const ana = await newPage(browser, { viewport: { width: 1280, height: 800 } });
  const bia = await newPage(browser, { viewport: { width: 1280, height: 800 } });
  const biaName = unique("bia");
  const anaName = unique("ana");
  await signUp(ana, base, "Ana Souza", anaName);
  await signUp(bia, base, "Beatriz Lima", biaName);
  // Bruno is in no room of theirs: never suggested.
  await rest.signUp("Bruno Outside", unique("bruno"));
  const [plans, lobby] = [unique("plans"), unique("lobby")];
  await createRoom(ana, lobby);
  await createRoom(ana, plans);
  await joinRoom(bia, plans);
  await joinRoom(bia, lobby); // Bia looks at the lobby; the mentions come in plans
  const biaLink = `#sidebar .room-link:has-text('${plans}')`;

  // @ and part of a name: Bia is suggested with her name and username; Bruno is not.
  const box = "#composer textarea";
  await ana.click(box);
  await ana.keyboard.type("@b");
  await ana.waitForSelector(`.mention-list:not([hidden]) .suggestion:has-text('Beatriz Lima'):has-text('@${biaName}')`, wait);
  expect(!(await ana.locator(".mention-list .suggestion:has-text('Bruno')").count()), "someone outside the room is suggested");
  expect(!(await ana.locator(".mention-list .suggestion:has-text('Ana Souza')").count()), "I am suggested to myself");
  // Escape closes the list and keeps the text; typing on opens it again.
  await ana.keyboard.press("Escape");
  await ana.waitForSelector(".mention-list", { ...wait, state: "hidden" });
  expect(await ana.inputValue(box) === "@b", "Escape changed the text");
  await ana.keyboard.type("ea"); // "Beatriz", by a word of her name
  await ana.waitForSelector(".mention-list:not([hidden]) .suggestion[aria-selected='true']:has-text('Beatriz')", wait);
  expect(await ana.getAttribute(box, "aria-activedescendant"), "the box does not point at the highlighted suggestion");
  await ana.keyboard.press("Enter"); // picks; does not send
  expect(await ana.inputValue(box) === `@${biaName} `, `Enter inserted ${JSON.stringify(await ana.inputValue(box))}`);
  await ana.keyboard.type("can you check the budget?");
  await ana.keyboard.press("Enter");
  await ana.waitForSelector(`${msg("can you check the budget?")}:not(.pending)`, wait);

  // Bia sees @1 on the room, then @2.
  await bia.waitForSelector(`${biaLink} .badge.mention:has-text('@1')`, wait);
  expect((await bia.getAttribute(biaLink, "aria-label")).includes("1 mention"), "the room link does not say it has a mention");
  await ana.click(box);
  await ana.keyboard.type("thanks @");
  await ana.waitForSelector(".mention-list:not([hidden]) .suggestion", wait);
  await ana.keyboard.press("Tab"); // the first (only) member: Bia
  await ana.keyboard.type("and the dates too");
  await ana.keyboard.press("Enter");
  await bia.waitForSelector(`${biaLink} .badge.mention:has-text('@2')`, wait);
  // A message without a mention counts as unread, not as a mention.
  await say(ana, "lunch anyone?");
  await bia.waitForSelector(`${biaLink} .badge:not(.mention):has-text('3')`, wait);
  expect(await bia.textContent(`${biaLink} .badge.mention`) === "@2", "a plain message counted as a mention");

  // Reading the room clears it; the messages that mention Bia are marked, her name styled.
  await openRoom(bia, plans);
  await bia.waitForSelector(`${biaLink} .badge`, { ...wait, state: "detached" });
  await bia.waitForSelector(`${msg("can you check the budget?")}.mentions-me .mention.to-me:has-text('@${biaName}')`, wait);
  expect(!(await bia.locator(`${msg("lunch anyone?")}.mentions-me`).count()), "a message without a mention is marked");
  await ana.waitForSelector(`${msg("can you check the budget?")} .mention:not(.to-me):has-text('@${biaName}')`, wait);
  expect(!(await ana.locator(`${msg("can you check the budget?")}.mentions-me`).count()), "the author's own message is marked as mentioning her");

  // The server's count: mentioned while away, Bia comes back to @1 after a reload.
  await openRoom(bia, lobby);
  await rest.post(await sessionOf(ana), await ana.evaluate(() => window.papo.state.current), `@${biaName} one more while you were away`);
  await bia.waitForSelector(`${biaLink} .badge.mention:has-text('@1')`, wait);
  await bia.reload();
  await inRoom(bia, lobby);
  await bia.waitForSelector(`${biaLink} .badge.mention:has-text('@1')`, wait);
  await openRoom(bia, plans);
  await bia.waitForSelector(`${biaLink} .badge`, { ...wait, state: "detached" });

  // A click (or tap) picks too; Bia answers Ana that way.
  await bia.click(box);
  await bia.keyboard.type("sure @an");
  await bia.click(`.mention-list .suggestion:has-text('Ana Souza')`);
  expect(await bia.inputValue(box) === `sure @${anaName} `, `the click inserted ${JSON.stringify(await bia.inputValue(box))}`);
  expect(await bia.evaluate(() => document.activeElement === document.querySelector("#composer textarea")), "the click took the focus from the box");
  await bia.keyboard.press("Enter");
  await ana.waitForSelector(`${msg("sure")}.mentions-me .mention.to-me`, wait);

  noPageErrors(ana, bia);
  console.log("browser mentions: ok");
} finally {
  await browser.close();
}
