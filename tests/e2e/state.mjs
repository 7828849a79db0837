// What the client tells a person about its state: a "reconnecting" banner while the
// socket is down and an "offline" one while the browser is (a message written then is
// sent when it is back), the unread count in the tab's title and on the favicon,
// desktop notifications for direct messages and mentions (once allowed; a click opens
// the room),
// unread badges that stay gone once a room was read (after a room-list reload, and
// at the next login), and errors in words rather than "Failed to fetch".
// Usage: node state.mjs BASE_URL
import { api, createRoom, expect, inRoom, joinRoom, launch, logIn, newPage, noPageErrors, openRoom, PASSWORD, say, signUp, unique, wait } from "./lib.mjs";

const [base] = process.argv.slice(2);
const rest = api(base);
const browser = await launch();
try {
  // Errors in words, on the way in.
  const door = await newPage(browser, { viewport: { width: 1000, height: 700 } });
  const taken = unique("taken");
  await rest.signUp("Taken", taken);
  await door.goto(base + "/");
  await door.fill("#login-form [name=username]", taken);
  await door.fill("#login-form [name=password]", "wrong-password");
  await door.click("#login-form button[type=submit]");
  await door.waitForSelector("#login-form .error:has-text(\"username and password don't match\")", wait);
  await door.click("[data-show-form=register]");
  await door.fill("#register-form [name=name]", "Someone");
  await door.fill("#register-form [name=username]", taken);
  await door.fill("#register-form [name=password]", "short");
  await door.click("#register-form button[type=submit]");
  await door.waitForSelector("#register-form .error:has-text('Password must be at least 8 characters')", wait);
  expect(await door.getAttribute("#register-form [name=password]", "aria-invalid") === "true", "the short password is not marked invalid");
  await door.fill("#register-form [name=password]", PASSWORD);
  await door.click("#register-form button[type=submit]");
  await door.waitForSelector("#register-form .error:has-text('That username is taken')", wait);
  await door.close();

  // Ana and Bia, each in two rooms; Bia allows notifications (recorded, not shown).
  const ana = await newPage(browser, { viewport: { width: 1000, height: 700 } });
  const biaContext = await browser.newContext({ viewport: { width: 1000, height: 700 } });
  await biaContext.addInitScript(() => {
    window.__notes = [];
    window.Notification = class {
      static permission = "granted";
      static requestPermission = async () => "granted";
      constructor(title, options) {
        window.__notes.push({ title, body: options.body, note: this });
      }
      close() {}
    };
  });
  const bia = await biaContext.newPage();
  bia.errors = [];
  bia.on("pageerror", (e) => bia.errors.push(e.message));
  await signUp(ana, base, "Ana", unique("ana"));
  const biaName = unique("bia");
  await signUp(bia, base, "Bia", biaName);
  expect(!(await bia.isVisible("#enable-notifications")), "the notification button shows although they are allowed");
  expect(await ana.isVisible("#enable-notifications"), "no button to turn on notifications");
  const [front, back] = [unique("front"), unique("back")];
  await createRoom(ana, front);
  await createRoom(ana, back);
  await joinRoom(bia, back);
  await joinRoom(bia, front);

  // Unread: in the title and on the favicon, gone once read.
  await say(ana, "over in back");
  await bia.waitForFunction(() => document.title.startsWith("(1) "), null, wait);
  expect((await bia.getAttribute("link[rel=icon]", "href")).includes("unread"), "the favicon shows no unread dot");
  await openRoom(bia, back);
  await bia.waitForFunction(() => !document.title.startsWith("("), null, wait);
  expect(!(await bia.getAttribute("link[rel=icon]", "href")).includes("unread"), "the favicon kept its dot");

  // Read while it arrived: no badge after switching rooms and a room-list reload
  // (an invitation makes the client reload its list), nor at the next login.
  await openRoom(ana, back);
  for (let i = 1; i <= 6; i++) await say(ana, `read as it came ${i}`);
  await bia.waitForSelector(".msg:has-text('read as it came 6')", wait);
  await openRoom(bia, front);
  const anaSession = await ana.evaluate(() => JSON.parse(localStorage.getItem("papo.session")));
  const den = await rest.createRoom(anaSession, unique("den"), { visibility: "private" });
  const biaId = await bia.evaluate(() => JSON.parse(localStorage.getItem("papo.session")).id);
  await rest.call("POST", `/rooms/${den.id}/members`, { user_id: biaId }, anaSession.access_token);
  await bia.waitForSelector(`#sidebar .room-link:has-text('${den.name}')`, wait);
  await bia.waitForTimeout(1000);
  expect(!(await bia.locator(`#sidebar .room-link:has-text('${back}') .badge`).count()), "a read room got a badge back after the list reloaded");
  const later = await newPage(browser, { viewport: { width: 1000, height: 700 } });
  await logIn(later, base, biaName);
  await later.waitForSelector(`#sidebar .room-link:has-text('${back}')`, wait);
  await later.waitForTimeout(500);
  const badges = await later.locator(`#sidebar .room-link:has-text('${back}') .badge`).allTextContents();
  expect(!badges.length, `at the next login the read room shows a badge of ${badges}`);
  await later.close();

  // A direct message while Bia looks at another room: a notification, whose click opens it.
  const dm = await rest.call("POST", "/dms", { user_id: biaId }, anaSession.access_token);
  await rest.post(anaSession, dm.id, "are you there?");
  await bia.waitForFunction(() => window.__notes.some((n) => n.body === "are you there?"), null, wait);
  const note = await bia.evaluate(() => window.__notes.find((n) => n.body === "are you there?").title);
  expect(note === "Ana", `the notification is titled "${note}"`);
  await bia.evaluate(() => window.__notes.find((n) => n.body === "are you there?").note.onclick());
  await inRoom(bia, "Ana");
  // None for a message in the room on screen.
  await rest.post(anaSession, dm.id, "still here");
  await bia.waitForSelector(".msg:has-text('still here')", wait);
  expect(!(await bia.evaluate(() => window.__notes.some((n) => n.body === "still here"))), "a notification for the room on screen");

  // Mentioned in a room not on screen: a notification that says so (DESIGN §8 `mention` frames).
  await rest.post(anaSession, (await bia.evaluate((n) => [...window.papo.state.rooms.values()].find((r) => r.name === n).id, back)), `@${biaName} can you look at this?`);
  await bia.waitForFunction(() => window.__notes.some((n) => n.body.endsWith("can you look at this?")), null, wait);
  const mention = await bia.evaluate(() => window.__notes.find((n) => n.body.endsWith("can you look at this?")).title);
  expect(mention === `Ana mentioned you in ${back}`, `the mention notification is titled "${mention}"`);

  // The socket drops: a banner says so and goes away once reconnected.
  await bia.evaluate(() => window.papo.dropConnection(2500));
  await bia.waitForSelector("#banner:not([hidden]):has-text('Reconnecting')", wait);
  await bia.waitForSelector("#banner", { ...wait, state: "hidden" });

  // Offline: the banner says so; a message written meanwhile goes out when back.
  await biaContext.setOffline(true);
  await bia.waitForSelector("#banner:not([hidden]):has-text(\"You're offline\")", wait);
  await say(bia, "written offline");
  await bia.waitForSelector(".msg.pending:has-text('written offline')", wait);
  await biaContext.setOffline(false);
  await bia.waitForSelector("#banner", { ...wait, state: "hidden" });
  await bia.waitForSelector(".msg:not(.pending):not(.failed):has-text('written offline')", wait);
  await openRoom(ana, "Bia");
  await ana.waitForSelector(".msg:has-text('written offline')", wait);

  // An action that cannot reach the server says so in words.
  await ana.route("**/api/v1/rooms", (route) => route.abort("internetdisconnected"));
  await ana.click("#new-room");
  await ana.fill("#create-room [name=name]", unique("nowhere"));
  await ana.click("#create-room button[type=submit]");
  await ana.waitForSelector("#create-room .error:has-text(\"Can't reach the server\")", wait);
  await ana.unroute("**/api/v1/rooms");
  await ana.fill("#create-room [name=name]", front);
  await ana.click("#create-room button[type=submit]");
  await ana.waitForSelector("#create-room .error:has-text('A room with that name already exists')", wait);

  noPageErrors(ana, bia);
  console.log("browser state: ok");
} finally {
  await browser.close();
}
