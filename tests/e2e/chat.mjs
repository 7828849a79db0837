// Two people chat through papo's browser client in headless Chromium (Debian's
// /usr/bin/chromium, never a downloaded browser). Usage: node chat.mjs BASE_URL SHOT.png
// The server must allow bursts of 6 posts, then 1 a second (the Rust test sets it).
// Exits non-zero, with the reason, on the first expectation that fails.
import { createRoom, expect, inRoom, joinRoom, launch, newPage, noPageErrors, openRoom, say, signUp, unique, wait } from "./lib.mjs";

const [base, shot] = process.argv.slice(2);
const browser = await launch();
try {
  const ana = await newPage(browser, { viewport: { width: 1000, height: 640 } });
  const bia = await newPage(browser, { viewport: { width: 390, height: 740 } });

  // Sign up, create a room, join it from the other side (a phone-sized screen).
  await signUp(ana, base, "Ana", unique("ana"));
  await signUp(bia, base, "Bia", unique("bia"));
  const lobby = unique("lobby");
  await createRoom(ana, lobby);
  await joinRoom(bia, lobby);

  // Messages both ways, typing and presence.
  await say(ana, "hello from ana");
  await bia.waitForSelector(".msg:has-text('hello from ana')", wait);
  await bia.type("#composer textarea", "hi ana");
  await ana.waitForFunction(() => document.querySelector("#typing").textContent.includes("Bia is typing"), null, wait);
  await bia.press("#composer textarea", "Enter");
  await ana.waitForSelector(".msg:has-text('hi ana')", wait);
  // Bia's own post counts as seen once its ack arrived; until then a drop would
  // (rightly) replay it too. Ana can see it before Bia's ack lands.
  await bia.waitForSelector(".msg:not(.pending):has-text('hi ana')", wait);
  await ana.waitForFunction(() => document.querySelector("#room-presence").textContent.includes("2 online"), null, wait);
  await ana.click("#toggle-members");
  await ana.waitForSelector("#member-list .member:has-text('Bia') .presence-avatar.online", wait);
  await ana.click("#close-members");

  // Bia's connection drops for ~6 s; Ana writes meanwhile (both stored before Bia is
  // back); Bia's client resumes with `since`, so they arrive replayed, not live.
  const replayedBefore = await bia.evaluate(() => window.papo.replayed);
  await bia.evaluate(() => window.papo.dropConnection(6000));
  // Closed, not closing: until the server answers the close, it may still deliver live.
  await bia.waitForFunction(() => window.papo.state.connection !== "open", null, wait);
  for (const text of ["while you were away 1", "while you were away 2"]) {
    await say(ana, text);
    await ana.waitForSelector(`.msg:not(.pending):has-text('${text}')`, wait);
  }
  await bia.waitForSelector(".msg:has-text('while you were away 2')", wait);
  const replayed = (await bia.evaluate(() => window.papo.replayed)) - replayedBefore;
  expect(replayed === 2, `${replayed} messages came replayed after the drop, not 2`);
  const seen = await bia.$$eval(".msg .text", (nodes) => nodes.map((n) => n.textContent));
  const expected = ["hello from ana", "hi ana", "while you were away 1", "while you were away 2"];
  expect(JSON.stringify(seen) === JSON.stringify(expected), `bia saw ${JSON.stringify(seen)}`);

  // A reload keeps the session (refresh token) and shows the history.
  await bia.reload();
  await bia.waitForSelector(".msg:has-text('while you were away 1')", wait);

  // An unread badge and the new-messages marker: Ana writes in a room Bia has joined
  // but is not looking at.
  const side = unique("side");
  await createRoom(ana, side);
  await bia.reload();
  await bia.waitForSelector("#app:not([hidden])", wait);
  await joinRoom(bia, side);
  await openRoom(bia, lobby);
  await say(ana, "psst, over here");
  await bia.click("#show-rooms");
  const badge = bia.locator(`#sidebar .room-link:has-text('${side}') .badge`);
  await badge.waitFor(wait);
  expect((await badge.textContent()) === "1", `badge shows ${await badge.textContent()}`);
  await bia.click(`#sidebar .room-link:has-text('${side}')`);
  await inRoom(bia, side);
  await bia.waitForSelector(".read-marker + .msg:has-text('psst, over here')", wait);
  expect(!(await bia.locator(`#sidebar .room-link:has-text('${side}') .badge`).count()), "badge stayed after reading");

  // Ana edits one of her messages in place and deletes another after confirming.
  await openRoom(ana, lobby);
  const first = ana.locator(".msg:has-text('hello from ana')");
  await first.hover();
  await first.locator(".action.edit").click();
  await ana.fill(".msg.editing .edit-form textarea", "hello from ana, edited");
  await ana.press(".msg.editing .edit-form textarea", "Enter");
  await ana.waitForSelector(".msg:has-text('hello from ana, edited') .edited", wait);
  const away = ana.locator(".msg:has-text('while you were away 1')");
  await away.hover();
  await away.locator(".action.delete").click();
  await ana.click("#confirm-yes", wait);
  await ana.waitForSelector(".msg.deleted:has-text('This message was deleted.')", wait);
  expect(!(await ana.locator(".msg:has-text('while you were away 1')").count()), "deleted text still shown");

  // A post written while the connection is down shows as "sending…", goes out when
  // the client is back, and turns into the acknowledged message in place.
  await openRoom(bia, lobby);
  await ana.evaluate(() => window.papo.dropConnection(2000));
  await say(ana, "sent while offline");
  await ana.waitForSelector(".msg.pending:has-text('sent while offline') .when:has-text('sending…')", wait);
  await ana.waitForSelector(".msg:not(.pending):not(.failed):has-text('sent while offline')", wait);
  await bia.waitForSelector(".msg:has-text('sent while offline')", wait);

  // Faster than the server allows (this server: bursts of 6, then 1 a second): the
  // posts over the limit are marked "not sent" with a retry button, and retrying
  // after a pause sends each exactly once.
  const quick = Array.from({ length: 10 }, (_, i) => `quick ${i + 1}.`);
  for (const text of quick) await say(ana, text);
  await ana.waitForFunction(() => !document.querySelector(".msg.pending"), null, wait);
  const failed = await ana.locator(".msg.failed .when:has-text('not sent')").count();
  expect(failed >= 1, "no post of the burst was refused");
  await ana.waitForTimeout(1000 * (failed + 1));
  while (await ana.locator(".msg.failed .action.retry").count()) {
    await ana.locator(".msg.failed .action.retry").first().click();
  }
  await ana.waitForFunction(() => !document.querySelector(".msg.pending, .msg.failed"), null, wait);
  const texts = (page) => page.$$eval(".msg .text", (nodes) => nodes.map((n) => n.textContent));
  await bia.waitForFunction((n) => document.querySelectorAll(".msg .text").length >= n,
    (await texts(bia)).length + failed, wait).catch(() => {});
  for (const [who, page] of [["ana", ana], ["bia", bia]]) {
    const shown = (await texts(page)).filter((t) => t.startsWith("quick "));
    expect(shown.length === quick.length && quick.every((t) => shown.includes(t)), `${who} sees ${JSON.stringify(shown)} after the retries`);
  }

  await ana.screenshot({ path: shot });
  noPageErrors(ana, bia);
  console.log("browser chat: ok");
} finally {
  await browser.close();
}
