// Messages as people read and write them: one author's consecutive messages grouped,
// day separators, clickable links, a message box that grows with Shift+Enter lines,
// editing in place that keeps line breaks and marks "(edited)" for everyone, deleting
// after an in-page confirmation (Cancel keeps it), and the same actions on a touch
// screen, where nothing hovers. Date and link formatting is also checked directly on
// the page's own module.
// Usage: node messages.mjs BASE_URL
import { createRoom, expect, joinRoom, launch, newPage, noPageErrors, say, signUp, unique, wait } from "./lib.mjs";

const [base] = process.argv.slice(2);
const browser = await launch();
try {
  const ana = await newPage(browser, { viewport: { width: 1280, height: 800 } });
  const bia = await newPage(browser, { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
  await signUp(ana, base, "Ana", unique("ana"));
  await signUp(bia, base, "Bia", unique("bia"));
  const room = unique("words");
  await createRoom(ana, room);
  await joinRoom(bia, room);

  // The formatting module itself: days, times, links.
  const format = await ana.evaluate(async () => {
    const f = await import("/static/js/format.js");
    const now = new Date(2026, 11, 3, 15, 0);
    return {
      today: f.dayLabel(new Date(2026, 11, 3, 9, 30), now),
      yesterday: f.dayLabel(new Date(2026, 11, 2, 23, 59), now),
      earlier: f.dayLabel(new Date(2026, 10, 24, 12, 0), now),
      lastYear: f.dayLabel(new Date(2025, 5, 1, 12, 0), now),
      time: f.timeLabel(new Date(2026, 11, 3, 14, 5, 33)),
      links: f.links("see https://example.org/a?b=1. and (www.papo.chat) or https://en.wikipedia.org/wiki/Foo_(bar)"),
    };
  });
  expect(format.today === "Today" && format.yesterday === "Yesterday", `days: ${JSON.stringify(format)}`);
  expect(/November/.test(format.earlier) && /24/.test(format.earlier) && !/2026/.test(format.earlier), `an earlier day: ${format.earlier}`);
  expect(/2025/.test(format.lastYear), `a day last year: ${format.lastYear}`);
  expect(/^(2:05\sPM|14:05)$/.test(format.time), `a time: "${format.time}" (no seconds)`);
  const hrefs = format.links.filter((p) => typeof p === "object").map((p) => p.href);
  expect(JSON.stringify(hrefs) === JSON.stringify(["https://example.org/a?b=1", "https://www.papo.chat", "https://en.wikipedia.org/wiki/Foo_(bar)"]),
    `links: ${JSON.stringify(format.links)}`);

  // Three messages in a row from Ana form one group; Bia's starts a new one.
  for (const text of ["first of three", "second of three", "third of three"]) {
    await say(ana, text);
    await ana.waitForSelector(`.msg:not(.pending):has-text('${text}')`, wait);
  }
  await bia.waitForSelector(".msg:has-text('third of three')", wait);
  await say(bia, "my turn");
  await ana.waitForSelector(".msg:has-text('my turn')", wait);
  const groups = await ana.$$eval("#message-list .msg", (items) => items.map((m) => [m.querySelector(".text").textContent, m.classList.contains("grouped"), Boolean(m.querySelector(".who"))]));
  expect(JSON.stringify(groups) === JSON.stringify([
    ["first of three", false, true], ["second of three", true, false], ["third of three", true, false], ["my turn", false, true]]),
  `grouping: ${JSON.stringify(groups)}`);
  expect(await ana.locator("#message-list .day:has-text('Today')").count() === 1, "no 'Today' separator");
  const stamp = await ana.$eval("#message-list .msg time.when", (t) => ({ text: t.textContent, title: t.title, datetime: t.getAttribute("datetime") }));
  expect(!/:\d\d:\d\d/.test(stamp.text) && /\d{4}/.test(stamp.title) && stamp.datetime, `a message's time: ${JSON.stringify(stamp)}`);

  // Links are real links, opened in a new tab, without the sentence's full stop.
  await say(ana, "the spec is at https://example.org/spec.");
  const link = bia.locator(".msg a[href='https://example.org/spec']");
  await link.waitFor(wait);
  expect(await link.getAttribute("target") === "_blank" && (await link.getAttribute("rel")).includes("noopener"), "the link opens in this tab");

  // The message box grows with Shift+Enter lines and sends them as they are.
  const box = "#composer textarea";
  const oneLine = await ana.$eval(box, (t) => t.offsetHeight);
  await ana.click(box);
  await ana.keyboard.type("line one");
  for (const line of ["line two", "line three"]) {
    await ana.keyboard.press("Shift+Enter");
    await ana.keyboard.type(line);
  }
  const threeLines = await ana.$eval(box, (t) => t.offsetHeight);
  expect(threeLines > oneLine + 20, `the message box did not grow (${oneLine} → ${threeLines} px)`);
  await ana.keyboard.press("Enter");
  await bia.waitForSelector(".msg:has-text('line three')", wait);
  const sent = await bia.$eval(".msg:has-text('line three') .text", (t) => t.textContent);
  expect(sent === "line one\nline two\nline three", `the lines arrived as ${JSON.stringify(sent)}`);
  expect(await ana.$eval(box, (t) => t.offsetHeight) < threeLines, "the message box did not shrink after sending");

  // Editing in place keeps the line breaks, and both see "(edited)".
  const mine = ana.locator(".msg:has-text('line three')");
  await mine.hover();
  await mine.locator(".action.edit").click();
  const editor = ana.locator(".msg.editing .edit-form textarea");
  expect(await editor.inputValue() === "line one\nline two\nline three", "the editor lost the line breaks");
  await editor.press("End");
  await editor.press("Shift+Enter");
  await editor.type("line four");
  await editor.press("Enter");
  await bia.waitForSelector(".msg:has-text('line four') .edited:has-text('(edited)')", wait);
  const edited = await bia.$eval(".msg:has-text('line four') .text", (t) => t.textContent);
  expect(edited === "line one\nline two\nline three\nline four", `edited into ${JSON.stringify(edited)}`);
  // Escape leaves an edit without saving it.
  await mine.hover();
  await mine.locator(".action.edit").click();
  await ana.fill(".msg.editing .edit-form textarea", "not this");
  await ana.press(".msg.editing .edit-form textarea", "Escape");
  expect(!(await ana.locator(".msg:has-text('not this')").count()), "Escape saved the edit");

  // Deleting asks in the page; Cancel keeps the message, Delete removes it for both.
  const doomed = ana.locator(".msg:has-text('first of three')");
  await doomed.hover();
  await doomed.locator(".action.delete").click();
  await ana.waitForSelector("#confirm-dialog[open]:has-text('first of three')", wait);
  await ana.click("#confirm-no");
  expect(await ana.locator(".msg:has-text('first of three')").count() === 1, "Cancel deleted the message");
  await doomed.hover();
  await doomed.locator(".action.delete").click();
  await ana.click("#confirm-yes");
  await bia.waitForSelector(".msg.deleted:has-text('This message was deleted.')", wait);
  expect(!(await bia.locator(".msg:has-text('first of three')").count()), "Bia still sees the deleted text");

  // On a touch screen: a tap on her own message shows its actions, which work.
  const hers = bia.locator(".msg:has-text('my turn')");
  await hers.tap();
  const editButton = hers.locator(".action.edit");
  await editButton.waitFor({ ...wait, state: "visible" });
  expect((await editButton.textContent()).includes("Edit"), "on a touch screen the action has no words");
  await editButton.tap();
  await bia.fill(".msg.editing .edit-form textarea", "my turn, from the phone");
  await bia.tap(".msg.editing .edit-form button[type=submit]");
  await ana.waitForSelector(".msg:has-text('my turn, from the phone') .edited", wait);
  // Others' messages offer no edit or delete (reacting and replying, yes).
  await bia.locator(".msg:has-text('second of three')").tap();
  expect(!(await bia.locator(".msg:has-text('second of three') :is(.action.edit, .action.delete)").count()), "Bia may edit Ana's message");
  expect(await bia.locator(".msg:has-text('second of three') .action.reply").count() === 1, "Bia cannot reply to Ana's message");

  noPageErrors(ana, bia);
  console.log("browser messages: ok");
} finally {
  await browser.close();
}
