// Moderation (DESIGN §8), by the owner, an admin and a member (on a phone): the owner
// makes a member an admin (and a member again); an admin is offered nothing on the
// owner, and a refusal (the other became an admin meanwhile) is told in words; an
// admin deletes a member's message ("deleted by" for everyone) but not the owner's;
// removing someone (their client says so and drops the room; the room gets a
// notice), banning with a reason (they are told; joining again is refused in words),
// the ban list and lifting a ban; a member sees no moderation at all.
// Usage: node moderation.mjs BASE_URL
import { api, createRoom, expect, inRoom, joinRoom, launch, msg, newPage, noPageErrors, say, signUp, unique, wait } from "./lib.mjs";

const [base] = process.argv.slice(2);
const rest = api(base);
const browser = await launch();
try {
  const ana = await newPage(browser, { viewport: { width: 1280, height: 800 } });
  const bia = await newPage(browser, { viewport: { width: 1280, height: 800 } });
  const cai = await newPage(browser, { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
  await signUp(ana, base, "Ana", unique("ana"));
  await signUp(bia, base, "Bia", unique("bia"));
  await signUp(cai, base, "Cai", unique("cai"));
  const dan = await rest.signUp("Dan", unique("dan"));
  const room = unique("mods");
  await createRoom(ana, room);
  await joinRoom(bia, room);
  await joinRoom(cai, room);
  const roomId = await ana.evaluate(() => window.papo.state.current);
  await rest.join(dan, roomId);
  const row = (name) => `#member-list .member:has(.name:has-text('${name}'))`;
  const manage = async (page, name, action) => {
    await page.click(`${row(name)} [data-act=more]`);
    await page.click(`${row(name)} .member-actions button:has-text('${action}')`);
  };

  // The owner makes Bia an admin.
  await ana.click("#toggle-members");
  await ana.waitForSelector(row("Dan"), wait);
  expect(!(await ana.locator(`${row("Ana")} [data-act=more]`).count()), "the owner can manage herself");
  await manage(ana, "Bia", "Make admin");
  await ana.waitForSelector("#moderation-status:has-text('Bia is now an admin')", wait);
  await ana.waitForSelector(`${row("Bia")} .role.admin`, wait);

  // Bia, admin: nothing on the owner; Cai and Dan she may manage, but not give roles.
  await bia.click("#toggle-members");
  await bia.waitForSelector(`${row("Bia")} .role.admin`, wait);
  await bia.waitForSelector(`${row("Dan")} [data-act=more]`, wait);
  expect(!(await bia.locator(`${row("Ana")} [data-act=more]`).count()), "an admin is offered actions on the owner");
  await bia.click(`${row("Cai")} [data-act=more]`);
  const offered = await bia.$$eval(`${row("Cai")} .member-actions button`, (b) => b.map((x) => x.textContent));
  expect(JSON.stringify(offered) === JSON.stringify(["Remove from room", "Ban"]), `an admin is offered ${JSON.stringify(offered)}`);
  await bia.click(`${row("Cai")} [data-act=more]`);
  await bia.waitForSelector("#bans:not([hidden]):has-text('Nobody is banned')", wait);

  // Dan becomes an admin while Bia's list still shows him as a member: her removal is refused, in words.
  await manage(ana, "Dan", "Make admin");
  await ana.waitForSelector(`${row("Dan")} .role.admin`, wait);
  await manage(bia, "Dan", "Remove from room");
  await bia.click("#confirm-yes");
  await bia.waitForSelector("#moderation-status.error:has-text(\"An admin can't act on another admin\")", wait);
  await bia.waitForSelector(`${row("Dan")} .role.admin`, wait); // the list caught up
  expect(!(await bia.locator(`${row("Dan")} [data-act=more]`).count()), "after the refusal Bia is still offered actions on Dan");

  // An admin deletes a member's message, not the owner's: "deleted by Bia" for everyone.
  await say(ana, "welcome, everyone");
  await say(cai, "buy cheap watches here");
  await bia.waitForSelector(msg("buy cheap watches"), wait);
  await bia.hover(msg("welcome, everyone"));
  expect(!(await bia.locator(`${msg("welcome, everyone")} .action.delete`).count()), "an admin may delete the owner's message");
  await bia.hover(msg("buy cheap watches"));
  await bia.click(`${msg("buy cheap watches")} .action.delete`);
  await bia.waitForSelector("#confirm-dialog[open]:has-text(\"Delete Cai's message?\")", wait);
  await bia.click("#confirm-yes");
  for (const page of [ana, bia, cai]) await page.waitForSelector(".msg.deleted:has-text('This message was deleted by Bia.')", wait);

  // Bia removes Cai: Cai's phone says so and drops the room; the others get a notice.
  await manage(bia, "Cai", "Remove from room");
  await bia.waitForSelector(`#confirm-dialog[open]:has-text('Remove Cai from #${room}?')`, wait);
  await bia.click("#confirm-yes");
  await bia.waitForSelector("#moderation-status:has-text('Cai was removed')", wait);
  await cai.waitForSelector(`.toast:has-text('You were removed from “${room}”')`, wait);
  await cai.waitForFunction((n) => ![...document.querySelectorAll("#sidebar .room-link")].some((a) => a.textContent.includes(n)), room, wait);
  await ana.waitForSelector("#message-list .notice:has-text('Cai'):has-text('removed')", wait);
  await ana.waitForSelector(row("Cai"), { ...wait, state: "detached" });

  // Cai comes back (a public room); Ana bans him with a reason. He is told; joining is refused.
  await joinRoom(cai, room);
  await ana.waitForSelector(row("Cai"), wait);
  await manage(ana, "Cai", "Ban");
  await ana.waitForSelector("#confirm-dialog[open] #confirm-reason:focus", wait);
  await ana.fill("#confirm-reason", "spamming the room");
  await ana.click("#confirm-yes");
  await ana.waitForSelector("#moderation-status:has-text('Cai is banned')", wait);
  await cai.waitForSelector(`.toast:has-text('You were banned from “${room}”')`, wait);
  await ana.waitForSelector("#message-list .notice:has-text('Cai'):has-text('banned')", wait);
  await ana.waitForSelector("#ban-list .member:has-text('Cai'):has-text('spamming the room'):has-text('by Ana')", wait);
  await cai.waitForFunction((n) => ![...document.querySelectorAll("#sidebar .room-link")].some((a) => a.textContent.includes(n)), room, wait);
  if (!(await cai.isVisible("#sidebar.open"))) await cai.tap("#show-rooms");
  await cai.tap("#browse-more");
  await cai.tap(`#browse-list .browse-item:has-text('${room}') button`);
  await cai.waitForSelector("#browse-error:has-text(\"You're banned from this room\")", wait);
  await cai.keyboard.press("Escape");

  // The ban is lifted: Cai may join again.
  await ana.click(`#ban-list .member:has-text('Cai') button:has-text('Unban')`);
  await ana.waitForSelector("#moderation-status:has-text(\"Cai's ban is lifted\")", wait);
  await ana.waitForSelector("#bans:has-text('Nobody is banned')", wait);
  await joinRoom(cai, room);
  await inRoom(cai, room);

  // A member sees no moderation: no actions on anyone, no ban list, no delete on others' messages.
  await cai.tap("#toggle-members");
  await cai.waitForSelector(row("Ana"), wait);
  expect(!(await cai.locator("#member-list [data-act=more]").count()), "a member is offered moderation");
  expect(await cai.isHidden("#bans"), "a member sees the ban list");
  await cai.tap("#close-members");
  await cai.tap(msg("welcome, everyone"));
  expect(!(await cai.locator(`${msg("welcome, everyone")} .action.delete`).count()), "a member may delete the owner's message");

  // The owner makes Bia a member again.
  await manage(ana, "Bia", "Make member");
  await ana.waitForSelector("#moderation-status:has-text('Bia is a member again')", wait);
  await ana.waitForSelector(`${row("Bia")}:not(:has(.role))`, wait);

  noPageErrors(ana, bia, cai);
  console.log("browser moderation: ok");
} finally {
  await browser.close();
}
