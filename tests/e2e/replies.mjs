// Replies and threads (DESIGN §8), by two people, one on a phone: "Reply" on a
// message puts a quote bar over the message box (Escape cancels it), the reply shows
// a quote of its parent that jumps to it, and the parent's "N replies" counts live on
// the other side; the thread panel lists the replies (older pages on demand), takes
// replies of its own, and gets new ones live; a quote of a deleted message says so;
// a quote of a message far back loads the page around it (with a row for the
// messages between) and marks it. R on a focused message replies by keyboard.
// Usage: node replies.mjs BASE_URL (the server must take ~200 quick REST posts)
import { api, createRoom, expect, joinRoom, launch, msg, newPage, noPageErrors, say, sessionOf, signUp, unique, wait } from "./lib.mjs";

const [base] = process.argv.slice(2);
const rest = api(base);
const browser = await launch();
try {
  const ana = await newPage(browser, { viewport: { width: 1280, height: 800 } });
  const bia = await newPage(browser, { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
  await signUp(ana, base, "Ana", unique("ana"));
  await signUp(bia, base, "Bia", unique("bia"));
  const room = unique("threads");
  await createRoom(ana, room);
  await joinRoom(bia, room);
  const roomId = await ana.evaluate(() => window.papo.state.current);

  // Bia, on the phone: a tap shows the actions, Reply opens the quote bar; Escape cancels.
  await say(ana, "the deploy plan is ready for review");
  const parent = bia.locator(msg("the deploy plan"));
  await parent.waitFor(wait);
  await parent.tap();
  await parent.locator(".action.reply").tap();
  await bia.waitForSelector("#reply-bar:not([hidden]):has-text('Replying to Ana')", wait);
  expect((await bia.textContent("#reply-excerpt")).includes("the deploy plan"), "the quote bar does not quote the message");
  expect(await bia.evaluate(() => document.activeElement === document.querySelector("#composer textarea")), "Reply did not focus the message box");
  await bia.keyboard.press("Escape");
  await bia.waitForSelector("#reply-bar", { ...wait, state: "hidden" });
  await say(bia, "not a reply");
  await ana.waitForSelector(msg("not a reply"), wait);
  expect(!(await ana.locator(`${msg("not a reply")} .reply-quote`).count()), "a cancelled reply still carried reply_to");
  await parent.tap();
  await parent.locator(".action.reply").tap();
  await say(bia, "looks good to me");

  // Ana sees the quote (author and excerpt) and the parent's count, live.
  const reply = ana.locator(msg("looks good to me"));
  await reply.locator(".reply-quote:has-text('Ana'):has-text('the deploy plan')").waitFor(wait);
  await ana.waitForSelector(`${msg("the deploy plan")} .thread-link:has-text('1 reply')`, wait);
  await bia.waitForSelector(`${msg("the deploy plan")} .thread-link:has-text('1 reply')`, wait);
  expect(!(await bia.locator("#reply-bar:not([hidden])").count()), "the quote bar stayed after sending");

  // The thread: Ana opens it, answers in it; Bia's count follows, and her open thread gets replies live.
  await ana.click(`${msg("the deploy plan")} .thread-link`);
  await ana.waitForSelector(`#thread:not([hidden]) ${msg("the deploy plan", "#thread-parent")}`, wait);
  await ana.waitForSelector(msg("looks good to me", "#thread-replies"), wait);
  expect(await ana.evaluate(() => document.activeElement === document.querySelector("#thread-composer textarea")), "the thread does not focus its reply box");
  await ana.fill("#thread-composer textarea", "thanks, merging at noon");
  await ana.press("#thread-composer textarea", "Enter");
  await ana.waitForSelector(`${msg("thanks, merging at noon", "#thread-replies")}:not(.pending)`, wait);
  await bia.waitForSelector(`${msg("the deploy plan")} .thread-link:has-text('2 replies')`, wait);
  // In the timeline too, as a reply with its quote.
  await bia.waitForSelector(`${msg("thanks, merging at noon")} .reply-quote`, wait);
  await bia.tap(`${msg("the deploy plan")} .thread-link`);
  await bia.waitForSelector(`#thread:not([hidden]) ${msg("thanks, merging at noon", "#thread-replies")}`, wait);
  const width = await bia.$eval("#thread", (t) => t.getBoundingClientRect().width);
  expect(width >= 380, `on the phone the thread is ${width} px wide`);
  const order = await bia.$$eval("#thread-replies .msg .text", (nodes) => nodes.map((n) => n.textContent));
  expect(JSON.stringify(order) === JSON.stringify(["looks good to me", "thanks, merging at noon"]), `thread order: ${JSON.stringify(order)}`);
  // A reply from the timeline (Ana's Reply action) lands in Bia's open thread.
  await ana.click("#close-thread");
  await ana.hover(msg("the deploy plan"));
  await ana.click(`${msg("the deploy plan")} .action.reply`);
  await say(ana, "one more thing: staging first");
  await bia.waitForSelector(msg("one more thing", "#thread-replies"), wait);
  await bia.waitForSelector("#thread-count:has-text('3 replies')", wait);
  await bia.tap("#close-thread");

  // The quote jumps to its parent, marked for a moment.
  await ana.click(`${msg("one more thing")} .reply-quote`);
  await ana.waitForSelector(`${msg("the deploy plan")}.flash`, wait);
  expect(await ana.evaluate(() => document.activeElement?.matches(".msg") && document.activeElement.textContent.includes("the deploy plan")), "the parent does not have the focus");

  // R on a focused message replies (keyboard); Escape in the box cancels.
  await ana.focus(msg("not a reply"));
  await ana.keyboard.press("r");
  await ana.waitForSelector("#reply-bar:not([hidden]):has-text('Replying to Bia')", wait);
  expect((await ana.inputValue("#composer textarea")) === "", "R typed into the message box");
  await ana.keyboard.press("Escape");
  await ana.waitForSelector("#reply-bar", { ...wait, state: "hidden" });

  // The parent is deleted: the replies' quotes say so.
  await ana.hover(msg("the deploy plan"));
  await ana.click(`${msg("the deploy plan")} .action.delete`);
  await ana.click("#confirm-yes");
  await bia.waitForSelector(`${msg("looks good to me")} .reply-quote .quote-text.gone:has-text('deleted message')`, wait);

  // A thread of 60 replies pages: 50, then the 10 older ones.
  const anaSession = await sessionOf(ana);
  const busy = await rest.post(anaSession, roomId, "who is on call this week?");
  for (let i = 1; i <= 60; i++) await rest.post(anaSession, roomId, `on call answer ${i}`, { reply_to: busy.id });
  await ana.waitForSelector(`${msg("who is on call")} .thread-link:has-text('60 replies')`, wait);
  await ana.click(`${msg("who is on call")} .thread-link`);
  await ana.waitForSelector(msg("on call answer 60", "#thread-replies"), wait);
  expect(await ana.locator("#thread-replies .msg").count() === 50, `the thread's first page has ${await ana.locator("#thread-replies .msg").count()} replies`);
  await ana.click("#thread-older");
  await ana.waitForFunction(() => document.querySelectorAll("#thread-replies .msg").length === 60, null, wait);
  const paged = await ana.$$eval("#thread-replies .msg .text", (nodes) => nodes.map((n) => n.textContent));
  expect(paged.length === 60 && paged[0] === "on call answer 1" && paged[59] === "on call answer 60", `paged thread: ${paged.length}, ${paged[0]} … ${paged.at(-1)}`);
  expect(await ana.isHidden("#thread-older"), "'older replies' stays after the first reply");
  await ana.keyboard.press("Escape");
  await ana.waitForSelector("#thread", { ...wait, state: "hidden" });

  // A quote of a message far back: the page around it loads, with a row for those between.
  for (let i = 1; i <= 90; i++) await rest.post(anaSession, roomId, `filler ${i}`);
  await rest.post(anaSession, roomId, "back to the plan: approved", { reply_to: busy.id });
  await bia.waitForSelector(msg("back to the plan"), wait);
  await bia.reload();
  await bia.waitForSelector(msg("back to the plan"), wait);
  expect(!(await bia.locator(msg("who is on call")).count()), "the old message is loaded already; the test needs it not to be");
  await bia.tap(`${msg("back to the plan")} .reply-quote`);
  await bia.waitForSelector(`${msg("who is on call")}.flash`, wait);
  const box = await bia.$eval(msg("who is on call"), (n) => {
    const r = n.getBoundingClientRect();
    const v = document.querySelector("#messages").getBoundingClientRect();
    return { top: r.top - v.top, bottom: v.bottom - r.bottom };
  });
  expect(box.top >= 0 && box.bottom >= 0, `the message jumped to is not in view: ${JSON.stringify(box)}`);
  const gap = bia.locator("#message-list .gap button");
  await gap.waitFor(wait);
  const missing = Number((await gap.textContent()).match(/\d+/)[0]);
  await gap.tap();
  await bia.waitForFunction((n) => !document.querySelector("#message-list .gap") || Number(document.querySelector("#message-list .gap button").textContent.match(/\d+/)[0]) < n, missing, wait);

  noPageErrors(ana, bia);
  console.log("browser replies: ok");
} finally {
  await browser.close();
}
