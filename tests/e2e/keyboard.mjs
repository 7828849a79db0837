// Only the keyboard, after logging in: Tab reaches the room list (links, in a sensible
// order, with a visible focus ring), ↑/↓ move between rooms and Enter opens one;
// Alt+↑/↓ switch rooms from anywhere, Alt+Shift+↓ jumps to the next unread room,
// Ctrl+K finds a room by name; the timeline is one Tab stop whose messages ↑/↓ walk,
// ↑ in the empty message box edits my last message, Delete asks before deleting, and
// Escape closes dialogs and gives the focus back. Also: the favicon is served.
// Usage: node keyboard.mjs BASE_URL
import { api, expect, inRoom, launch, newPage, noPageErrors, PASSWORD, unique, wait } from "./lib.mjs";

const [base] = process.argv.slice(2);
const rest = api(base);
const username = unique("kay");
const kay = await rest.signUp("Kay", username);
const lee = await rest.signUp("Lee", unique("lee"));
const names = ["alpha", "beta", "gamma"].map((n) => unique(n));
const rooms = [];
for (const name of names) rooms.push(await rest.createRoom(kay, name));
await rest.join(lee, rooms[1].id);

const browser = await launch();
try {
  const page = await newPage(browser, { viewport: { width: 1280, height: 800 } });
  const focused = () => page.evaluate(() => {
    const a = document.activeElement;
    return { id: a.id, cls: a.className, text: (a.getAttribute("aria-label") || a.textContent || "").trim().slice(0, 80), room: a.dataset?.room || null };
  });

  // Log in with the keyboard too.
  await page.goto(base + "/");
  await page.waitForSelector("#login-form:not([hidden])", wait);
  await page.keyboard.type(username); // the username box has the focus
  await page.keyboard.press("Tab");
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press("Enter");
  await page.waitForSelector("#app:not([hidden])", wait);
  await inRoom(page, names[0]);

  // Tab from the top of the page reaches the first room link, past the sidebar's buttons.
  await page.evaluate(() => document.activeElement.blur());
  const stops = [];
  for (let i = 0; i < 15; i++) {
    await page.keyboard.press("Tab");
    const f = await focused();
    stops.push(f.text || f.id);
    if (f.cls.includes("room-link")) break;
  }
  let at = await focused();
  expect(at.cls.includes("room-link") && at.room === rooms[0].id, `Tab stops: ${JSON.stringify(stops)}`);
  expect(stops.includes("Log out") && stops.includes("Browse rooms") && stops.includes("Create a room"), `Tab stops: ${JSON.stringify(stops)}`);
  const ring = await page.evaluate(() => {
    const s = getComputedStyle(document.activeElement);
    return { style: s.outlineStyle, width: parseFloat(s.outlineWidth) };
  });
  expect(ring.style !== "none" && ring.width >= 1, `no visible focus ring: ${JSON.stringify(ring)}`);

  // ↓ and Enter open the next room; the link says it is the current page.
  await page.keyboard.press("ArrowDown");
  at = await focused();
  expect(at.room === rooms[1].id, `↓ moved to ${JSON.stringify(at)}`);
  await page.keyboard.press("Enter");
  await inRoom(page, names[1]);
  expect(await page.getAttribute(`.room-link[data-room="${rooms[1].id}"]`, "aria-current") === "page", "the open room's link is not marked current");

  // Alt+↓ / Alt+↑ from the message box.
  await page.focus("#composer textarea");
  await page.keyboard.press("Alt+ArrowDown");
  await inRoom(page, names[2]);
  await page.keyboard.press("Alt+ArrowUp");
  await inRoom(page, names[1]);
  await page.keyboard.press("Alt+ArrowUp");
  await inRoom(page, names[0]);

  // Alt+Shift+↓ goes to the next room with unread messages.
  await rest.post(lee, rooms[1].id, "news for kay");
  await page.waitForSelector(`.room-link[data-room="${rooms[1].id}"] .badge`, wait);
  await page.keyboard.press("Alt+Shift+ArrowDown");
  await inRoom(page, names[1]);
  await page.waitForSelector(".msg:has-text('news for kay')", wait);

  // Ctrl+K: type part of a name, Enter.
  await page.keyboard.press("Control+k");
  await page.waitForSelector("#jump-dialog[open]", wait);
  await page.keyboard.type(names[2].slice(0, 5));
  await page.keyboard.press("Enter");
  await inRoom(page, names[2]);
  expect(!(await page.isVisible("#jump-dialog")), "the jump dialog stayed open");
  await page.keyboard.press("Control+k");
  await page.waitForSelector("#jump-dialog[open]", wait);
  await page.keyboard.press("Escape");
  expect(!(await page.isVisible("#jump-dialog")), "Escape did not close the jump dialog");

  // Write, then ↑ in the empty box edits the last message; Enter saves it.
  await page.focus("#composer textarea");
  await page.keyboard.type("typed, not clicked");
  await page.keyboard.press("Enter");
  await page.waitForSelector(".msg:not(.pending):has-text('typed, not clicked')", wait);
  await page.keyboard.press("ArrowUp");
  await page.waitForSelector(".msg.editing textarea:focus", wait);
  await page.keyboard.press("End");
  await page.keyboard.type(" (and fixed)");
  await page.keyboard.press("Enter");
  await page.waitForSelector(".msg:has-text('typed, not clicked (and fixed)') .edited", wait);

  // The timeline is one Tab stop before the message box; ↑/↓ walk the messages.
  await page.keyboard.type("second one");
  await page.keyboard.press("Enter");
  await page.waitForSelector(".msg:not(.pending):has-text('second one')", wait);
  await page.keyboard.press("Shift+Tab");
  at = await focused();
  expect(at.id === "message-list", `Shift+Tab from the message box went to ${JSON.stringify(at)}`);
  await page.keyboard.press("ArrowUp");
  expect((await focused()).text.includes("second one"), `↑ focused ${JSON.stringify(await focused())}`);
  await page.keyboard.press("ArrowUp");
  expect((await focused()).text.includes("typed, not clicked"), `↑ focused ${JSON.stringify(await focused())}`);
  // Tab enters the focused message's actions: React, Reply, Edit, Delete.
  await page.keyboard.press("Tab");
  expect((await focused()).text === "React", `Tab in a message went to ${JSON.stringify(await focused())}`);
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  expect((await focused()).text === "Edit", `the third Tab in a message went to ${JSON.stringify(await focused())}`);
  await page.keyboard.press("Shift+Tab");
  await page.keyboard.press("Shift+Tab");
  await page.keyboard.press("Shift+Tab");
  // Delete asks first, with Cancel focused; Tab, Enter confirms.
  await page.keyboard.press("Delete");
  await page.waitForSelector("#confirm-dialog[open]", wait);
  expect((await focused()).id === "confirm-no", "the confirmation does not focus Cancel");
  await page.keyboard.press("Tab");
  expect((await focused()).id === "confirm-yes", "Tab in the confirmation did not reach Delete");
  await page.keyboard.press("Enter");
  await page.waitForSelector(".msg.deleted", wait);
  // Escape goes back to the message box.
  await page.focus("#message-list");
  await page.keyboard.press("Escape");
  expect((await focused()).cls === "" && (await page.evaluate(() => document.activeElement.tagName)) === "TEXTAREA", "Escape did not return to the message box");

  // The room browser by keyboard: opens, filters, Escape closes and returns focus.
  await page.focus("#browse-rooms");
  await page.keyboard.press("Enter");
  await page.waitForSelector("#browse-dialog[open]", wait);
  expect((await focused()).id === "browse-filter", "the room browser does not focus its search");
  await page.keyboard.press("Escape");
  expect((await focused()).id === "browse-rooms", "focus did not return to the button that opened the browser");

  // The favicon is served, and the page links it.
  const icon = await page.request.get(base + "/favicon.ico");
  expect(icon.ok() && icon.headers()["content-type"].includes("svg"), `favicon: ${icon.status()} ${icon.headers()["content-type"]}`);
  expect(await page.getAttribute("link[rel=icon]", "href"), "no icon link");

  noPageErrors(page);
  console.log("browser keyboard: ok");
} finally {
  await browser.close();
}
