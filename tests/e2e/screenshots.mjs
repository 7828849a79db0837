// The README's screenshots of the browser client: a team's conversation seeded over
// REST on a fresh server (with replies, reactions and mentions), then a laptop (light
// with a thread open, dark with search results) and a phone (the room, and the room
// drawer with a mention badge). Not a test; run it by hand when the client's look changes:
//   PAPO_POST_RATE=0 PAPO_DEMO=0 papo serve &      (a fresh database)
//   node screenshots.mjs http://127.0.0.1:8000 ../../docs/screenshots
import { api, expect, inRoom, launch, logIn, newPage, wait } from "./lib.mjs";

const [base, out] = process.argv.slice(2);
expect(base && out, "usage: node screenshots.mjs BASE_URL OUT_DIR");
const rest = api(base);
// Clean names need a fresh server; on a used one, pass a suffix as a third argument.
const suffix = process.argv[4] || "";
const person = (name, user) => rest.signUp(name, `${user}${suffix}`);
const ana = await person("Ana Souza", "ana");
const bruno = await person("Bruno Costa", "bruno");
const carla = await person("Carla Mendes", "carla");
const diego = await person("Diego Ramos", "diego");

const general = await rest.createRoom(ana, `general${suffix}`, { description: "Everything about the 2.4 release, and whatever else comes up" });
const design = await rest.createRoom(carla, `design${suffix}`, { description: "Mock-ups and reviews" });
const ops = await rest.createRoom(bruno, `ops${suffix}`, { description: "Deploys, alerts, on-call" });
const launchRoom = await rest.createRoom(ana, `launch-plan${suffix}`, { visibility: "private" });
for (const who of [bruno, carla, diego]) await rest.join(who, general.id);
for (const who of [ana, diego]) await rest.join(who, design.id);
await rest.join(ana, ops.id);

const say = (who, text, room = general, extra = {}) => rest.post(who, room.id, text, extra);
const react = (who, message, emoji) => rest.call("PUT", `/messages/${message.id}/reactions/${encodeURIComponent(emoji)}`, undefined, who.access_token);
const morning = await say(bruno, "Morning! The staging deploy finished overnight, all checks green.");
await say(bruno, "Release notes draft is up: https://wiki.example.com/releases/2.4");
await say(carla, "Nice. I'll go through the notes after standup.");
const qa = await say(diego, "Two things from QA:\n1. the export button is hidden on small screens\n2. audit log timestamps are in UTC, not local time");
await say(carla, "The first one is mine, a CSS fix. I'll take it today.", general, { reply_to: qa.id });
await say(ana, "I can look at the timestamps.", general, { reply_to: qa.id });
const ship = await say(ana, "If both are fixed by Wednesday evening, we ship on Thursday. Objections?");
await say(bruno, "Works for me. I'll book the deploy window.");
await say(diego, `Thursday it is. @${ana.username} can you send me the build number for the regression run?`);
const phoneCheck = await say(carla, "Export button fixed in staging, could someone check it on a phone?");
const checked = await say(diego, "Checked on my phone: it shows up again. Looks good!", general, { reply_to: phoneCheck.id });
for (const [who, message, emoji] of [
  [ana, morning, "🎉"], [carla, morning, "🎉"], [diego, morning, "🎉"], [carla, morning, "👀"],
  [bruno, ship, "👍"], [carla, ship, "👍"], [diego, ship, "👍"], [bruno, ship, "🚀"],
  [carla, checked, "🙏"], [ana, checked, "🙏"],
]) await react(who, message, emoji);
await say(carla, "New empty states for the dashboard, feedback welcome!", design);
await say(diego, "Love the illustrations.", design);
await say(carla, `@${ana.username} could you review the settings page next?`, design);
await say(bruno, "Heads-up: the database upgrade is scheduled for Friday 22:00.", ops);
await say(bruno, "Deploy checklist updated for the 2.4 release.", ops);
const dm = await rest.call("POST", "/dms", { user_id: ana.id }, bruno.access_token);
await rest.post(bruno, dm.id, "Do you have five minutes before the release call?");
const dmDiego = await rest.call("POST", "/dms", { user_id: diego.id }, ana.access_token);
await rest.post(diego, dmDiego.id, "Sent you the QA report.");
await rest.post(ana, dmDiego.id, "Thanks, reading it now.");

const browser = await launch();
try {
  // Bruno and Carla are online (a socket each) and Bruno is typing.
  const helper = await newPage(browser);
  await helper.goto(base + "/");
  await helper.evaluate(({ tokens }) => {
    window.sockets = tokens.map((t) => new WebSocket(`${location.origin.replace("http", "ws")}/api/v1/ws?token=${t}`));
  }, { tokens: [bruno.access_token, carla.access_token] });

  const shots = [
    { file: "browser.png", viewport: { width: 1280, height: 800 }, scheme: "light", thread: "Two things from QA" },
    { file: "browser-dark.png", viewport: { width: 1280, height: 800 }, scheme: "dark", search: "deplo" },
    { file: "browser-phone.png", viewport: { width: 390, height: 844 }, scheme: "light" },
    { file: "browser-phone-rooms.png", viewport: { width: 390, height: 844 }, scheme: "dark", drawer: true },
  ];
  for (const shot of shots) {
    const page = await newPage(browser, { viewport: shot.viewport, colorScheme: shot.scheme, deviceScaleFactor: 1 });
    await logIn(page, base, ana.username);
    await page.goto(`${base}/#room/${general.id}`);
    await inRoom(page, general.name);
    await page.waitForSelector(".msg:has-text('check it on a phone')", wait);
    // Typing frames go out on a change: stop, then start again, now that Ana listens.
    await helper.evaluate(({ room }) => {
      window.sockets[0].send(JSON.stringify({ type: "typing", room_id: room, is_typing: false }));
      window.sockets[0].send(JSON.stringify({ type: "typing", room_id: room, is_typing: true }));
    }, { room: general.id });
    await page.waitForSelector("#typing:has-text('typing')", wait);
    if (shot.thread) {
      await page.click(`#message-list .msg:has(.text:has-text('${shot.thread}')) .thread-link`);
      await page.waitForSelector("#thread-replies .msg:has-text('timestamps')", wait);
      await page.fill("#thread-composer textarea", "Both fixes are in the build");
    }
    if (shot.search) {
      await page.keyboard.press("Control+f");
      await page.uncheck("#search-here");
      await page.fill("#search-q", shot.search);
      await page.waitForFunction(() => document.querySelectorAll("#search-results .search-hit").length >= 3, null, wait);
      await page.focus("#composer textarea");
    }
    if (shot.drawer) {
      await page.click("#show-rooms");
      await page.waitForSelector("#sidebar.open", wait);
    }
    await page.mouse.move(0, 0);
    await page.waitForTimeout(400);
    await page.screenshot({ path: `${out}/${shot.file}` });
    await page.close();
  }
  console.log(`screenshots in ${out}; launch room ${launchRoom.name}`);
} finally {
  await browser.close();
}
