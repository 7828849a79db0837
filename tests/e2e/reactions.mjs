// Reactions (DESIGN §8), by two people (one on a phone): the picker adds one, both
// see the chip and its count, highlighted only on the side that reacted; a click on
// a chip adds or takes back one's own, and each side keeps counts and highlights
// right (also after a reload, from the server); a typed short code becomes its emoji;
// the keyboard opens the picker (+), moves in it and picks; refusals are told in
// words: not an emoji, 20 different emoji already, a message deleted meanwhile.
// Usage: node reactions.mjs BASE_URL
import { api, createRoom, expect, joinRoom, launch, msg, newPage, noPageErrors, say, sessionOf, signUp, unique, wait } from "./lib.mjs";

const [base] = process.argv.slice(2);
const rest = api(base);
const browser = await launch();

/** The chips of a message as one string, "👍2* 🎉1" (* where this side reacted). */
const chips = (page, text) => page.$$eval(`${msg(text)} .chip:not(.add)`, (nodes) => nodes.map((n) =>
  `${n.querySelector(".emoji").textContent}${n.querySelector(".count").textContent}${n.classList.contains("mine") && n.getAttribute("aria-pressed") === "true" ? "*" : ""}`).join(" "));
async function chipsAre(page, text, want) {
  const until = Date.now() + wait.timeout;
  let got;
  while ((got = await chips(page, text)) !== want) {
    if (Date.now() > until) throw new Error(`chips of "${text}": wanted "${want}", got "${got}"`);
    await page.waitForTimeout(100);
  }
}

try {
  const ana = await newPage(browser, { viewport: { width: 1280, height: 800 } });
  const bia = await newPage(browser, { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
  await signUp(ana, base, "Ana", unique("ana"));
  await signUp(bia, base, "Bia", unique("bia"));
  const room = unique("emoji");
  await createRoom(ana, room);
  await joinRoom(bia, room);
  const roomId = await ana.evaluate(() => window.papo.state.current);

  // Ana reacts through the picker: both see 👍 1, highlighted on Ana's side only.
  await say(ana, "release is out");
  await bia.waitForSelector(msg("release is out"), wait);
  await ana.hover(msg("release is out"));
  await ana.click(`${msg("release is out")} .action.react`);
  await ana.waitForSelector("#emoji-picker:not([hidden])", wait);
  await ana.click("#emoji-picker .emoji-choice[aria-label='thumbs up']");
  await ana.waitForSelector("#emoji-picker", { ...wait, state: "hidden" });
  await chipsAre(ana, "release is out", "👍1*");
  await chipsAre(bia, "release is out", "👍1");

  // Bia taps the chip: 2 on both sides, highlighted on both.
  await bia.tap(`${msg("release is out")} .chip[data-emoji='👍']`);
  await chipsAre(bia, "release is out", "👍2*");
  await chipsAre(ana, "release is out", "👍2*");
  // Ana takes hers back: 1, highlighted only on Bia's side.
  await ana.click(`${msg("release is out")} .chip[data-emoji='👍']`);
  await chipsAre(ana, "release is out", "👍1");
  await chipsAre(bia, "release is out", "👍1*");

  // Bia types a short code on the phone (the picker is a sheet there): it becomes 🎉.
  await bia.tap(msg("release is out"));
  await bia.tap(`${msg("release is out")} .action.react`);
  await bia.waitForSelector("#emoji-picker.sheet:not([hidden])", wait);
  await bia.fill("#emoji-picker .emoji-input", ":tada:");
  await bia.press("#emoji-picker .emoji-input", "Enter");
  await chipsAre(bia, "release is out", "👍1* 🎉1*");
  await chipsAre(ana, "release is out", "👍1 🎉1");
  // Not an emoji: said in words, and the picker stays open to fix it.
  await bia.tap(`${msg("release is out")} .chip.add`);
  await bia.fill("#emoji-picker .emoji-input", "not an emoji");
  await bia.press("#emoji-picker .emoji-input", "Enter");
  await bia.waitForSelector(".toast:has-text('one emoji or a :short_code:')", wait);
  expect(await bia.isVisible("#emoji-picker"), "the picker closed on a refused reaction");
  await bia.keyboard.press("Escape");
  await bia.waitForSelector("#emoji-picker", { ...wait, state: "hidden" });

  // What the server says after a reload matches what each side counted.
  await ana.reload();
  await bia.reload();
  await chipsAre(ana, "release is out", "👍1 🎉1");
  await chipsAre(bia, "release is out", "👍1* 🎉1*");

  // The keyboard: + on a focused message opens the picker on its first emoji; → and
  // Enter pick the second (👎); Escape closes it and gives the focus back.
  await ana.focus(msg("release is out"));
  await ana.keyboard.press("+");
  await ana.waitForSelector("#emoji-picker:not([hidden]) .emoji-choice[aria-label='thumbs up']:focus", wait);
  await ana.keyboard.press("ArrowRight");
  await ana.keyboard.press("Enter");
  await chipsAre(ana, "release is out", "👍1 🎉1 👎1*");
  await chipsAre(bia, "release is out", "👍1* 🎉1* 👎1");
  await ana.keyboard.press("+");
  await ana.waitForSelector("#emoji-picker:not([hidden])", wait);
  await ana.keyboard.press("Escape");
  await ana.waitForSelector("#emoji-picker", { ...wait, state: "hidden" });
  expect(await ana.evaluate(() => Boolean(document.activeElement?.closest(".msg"))), "Escape did not give the focus back to the message");

  // 20 different emoji already (custom short codes, as another client would add them).
  const biaSession = await sessionOf(bia);
  const full = await rest.post(biaSession, roomId, "react to this one");
  for (let i = 1; i <= 20; i++) await rest.call("PUT", `/messages/${full.id}/reactions/${encodeURIComponent(`:custom_${i}:`)}`, undefined, biaSession.access_token);
  await ana.locator(`${msg("react to this one")} .chip[data-emoji=':custom_20:']`).waitFor(wait);
  await ana.hover(msg("react to this one"));
  await ana.click(`${msg("react to this one")} .action.react`);
  await ana.click("#emoji-picker .emoji-choice[aria-label='rocket']");
  await ana.waitForSelector(".toast:has-text('already has 20 different reactions')", wait);
  expect(!(await ana.locator(`${msg("react to this one")} .chip[data-emoji='🚀']`).count()), "the refused reaction stayed on screen");

  // A message deleted while the picker is open: the reaction is refused in words.
  const doomed = await rest.post(biaSession, roomId, "soon gone");
  await ana.waitForSelector(msg("soon gone"), wait);
  await ana.hover(msg("soon gone"));
  await ana.click(`${msg("soon gone")} .action.react`);
  await ana.waitForSelector("#emoji-picker:not([hidden])", wait);
  await rest.call("DELETE", `/messages/${doomed.id}`, undefined, biaSession.access_token);
  await ana.waitForSelector("#message-list .msg.deleted", wait);
  await ana.click("#emoji-picker .emoji-choice[aria-label='eyes']");
  await ana.waitForSelector(".toast:has-text('That message was deleted')", wait);

  noPageErrors(ana, bia);
  console.log("browser reactions: ok");
} finally {
  await browser.close();
}
