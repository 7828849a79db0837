// Rooms and people, with three people: a public room appears live in another
// person's room browser, with its topic; joining it shows a notice to the others
// (kept in the timeline); renaming it and changing its topic show live; the member
// list shows roles and who is online; a private room is shown with a drawn lock and
// invitations suggest people by name (and say so in words when nobody matches); the
// invitee sees the room appear; leaving and deleting ask first, and a room deleted
// under someone tells them in words; the directory lists people who are offline too,
// and a direct conversation is titled with the other person's name on both sides.
// Usage: node rooms.mjs BASE_URL
import { api, createRoom, expect, inRoom, joinRoom, launch, newPage, noPageErrors, openRoom, say, signUp, unique, wait } from "./lib.mjs";

const [base] = process.argv.slice(2);
const browser = await launch();
try {
  const ana = await newPage(browser, { viewport: { width: 1280, height: 800 } });
  const bia = await newPage(browser, { viewport: { width: 1280, height: 800 } });
  const anaName = unique("ana");
  await signUp(ana, base, "Ana Souza", anaName);
  const biaName = unique("bia");
  await signUp(bia, base, "Bia Lima", biaName);
  // Cy has an account but has never opened papo: the directory must still list him.
  const cyName = unique("cy");
  await api(base).signUp("Cy Offline", cyName);

  // Bia is looking at the room browser when Ana creates a room: it appears there.
  await bia.click("#browse-rooms");
  await bia.waitForSelector("#browse-dialog[open]", wait);
  const plaza = unique("plaza");
  await createRoom(ana, plaza, { topic: "Everything about the plaza" });
  await ana.waitForSelector("#room-topic:has-text('Everything about the plaza')", wait);
  const item = bia.locator(`#browse-list .browse-item:has-text('${plaza}')`);
  await item.waitFor(wait);
  expect((await item.textContent()).includes("Everything about the plaza"), "the browser does not show the topic");
  await item.locator("button:has-text('Join')").click();
  await inRoom(bia, plaza);
  expect((await bia.textContent("#room-topic")) === "Everything about the plaza", "the header does not show the topic");

  // Ana sees Bia join, as a notice that stays when she comes back to the room.
  await ana.waitForSelector(".notice:has-text('Bia Lima joined')", wait);
  await say(bia, "hello plaza");
  await ana.waitForSelector(".msg:has-text('hello plaza')", wait);
  // Bia reloading (her socket closes and opens: presence, not membership) adds no notice.
  const notices = await ana.locator(".notice").count();
  await bia.reload();
  await inRoom(bia, plaza);
  await ana.waitForFunction(() => document.querySelector("#room-presence").textContent.includes("2 online"), null, wait);
  await ana.waitForTimeout(300);
  expect(await ana.locator(".notice").count() === notices, "a reload showed as joining the room");

  // The member list: roles and who is online.
  await ana.click("#toggle-members");
  await ana.waitForSelector("#member-list .member:has-text('Ana Souza') .role.owner", wait);
  await ana.waitForSelector("#member-list .member:has-text('Bia Lima') .presence-avatar.online", wait);
  expect(!(await ana.locator("#member-list .member:has-text('Bia Lima') .role").count()), "Bia is shown with a role");

  // Ana renames the room and changes its topic; Bia sees both without reloading.
  const square = unique("square");
  await ana.click("#room-info");
  await ana.fill("#room-settings [name=name]", square);
  await ana.fill("#room-settings [name=description]", "Now a square");
  await ana.click("#room-settings button[type=submit]");
  await inRoom(ana, square);
  await inRoom(bia, square);
  await bia.waitForSelector("#room-topic:has-text('Now a square')", wait);
  await bia.waitForSelector(`#sidebar .room-link:has-text('${square}')`, wait);
  // Bia is no owner: her room details are read-only and offer leaving instead.
  await bia.click("#room-info");
  expect(await bia.isVisible("#leave-room") && !(await bia.isVisible("#delete-room")), "Bia is offered the owner's actions");
  expect(await bia.$eval("#room-settings [name=name]", (i) => i.readOnly), "Bia can edit the room name");
  await bia.keyboard.press("Escape");

  // A private room: a drawn lock (not an emoji), and invitations by name.
  const den = unique("den");
  await createRoom(ana, den, { isPrivate: true });
  const lock = await ana.locator(`#sidebar .room-link:has-text('${den}') svg.room-kind`).count();
  expect(lock === 1 && !(await ana.textContent(`#sidebar .room-link:has-text('${den}')`)).includes("🔒"), "the private room has no drawn lock");
  expect(await ana.isVisible("#members:not([hidden]) #invite"), "the owner cannot invite");
  await ana.fill("#invite-user", "zzzz-nobody");
  await ana.waitForSelector("#invite .suggestion.empty:has-text('Nobody by that name')", wait);
  // By username: other runs on the same server may have their own "Bia Lima".
  await ana.fill("#invite-user", biaName.slice(0, -2));
  await ana.waitForSelector(`#invite .suggestion:has-text('${biaName}')`, wait);
  await ana.press("#invite-user", "Enter");
  await ana.waitForSelector("#invite-status:has-text('Bia Lima is now a member')", wait);
  await ana.waitForSelector("#member-list .member:has-text('Bia Lima')", wait);
  // The invitee's room list gets the room at once.
  await bia.waitForSelector(`#sidebar .room-link:has-text('${den}')`, wait);
  await openRoom(bia, den);
  await say(ana, "welcome to the den");
  await bia.waitForSelector(".msg:has-text('welcome to the den')", wait);

  // Ana deletes the den while Bia is in it: Bia is told in words and moved on.
  await ana.click("#room-info");
  await ana.click("#delete-room");
  await ana.waitForSelector("#confirm-dialog[open]:has-text('Delete')", wait);
  await ana.click("#confirm-yes");
  await bia.waitForSelector(`.toast:has-text('was deleted')`, wait);
  await bia.waitForFunction((n) => document.querySelector("#room-name").textContent !== n, den, wait);
  expect(!(await bia.locator(`#sidebar .room-link:has-text('${den}')`).count()), "the deleted room is still listed");
  expect(!(await ana.locator(`#sidebar .room-link:has-text('${den}')`).count()), "the deleted room is still listed for its owner");

  // Bia leaves the square (cancelling first, then for real); Ana sees the notice.
  await openRoom(bia, square);
  await bia.click("#room-info");
  await bia.click("#leave-room");
  await bia.click("#confirm-no");
  await bia.keyboard.press("Escape");
  expect(await bia.locator(`#sidebar .room-link:has-text('${square}')`).count() === 1, "cancelling left the room");
  await bia.click("#room-info");
  await bia.click("#leave-room");
  await bia.click("#confirm-yes");
  await bia.waitForSelector(".toast:has-text('You left')", wait);
  await bia.waitForFunction((n) => !document.querySelector(`#sidebar .room-link[aria-label^="${n}"]`), square, wait);
  await openRoom(ana, square);
  await ana.waitForSelector(".notice:has-text('Bia Lima left')", wait);
  await ana.waitForSelector(".notice:has-text('Bia Lima joined')", wait);
  // And she can find it again in the browser.
  await joinRoom(bia, square);

  // The directory lists Cy although he never connected; a DM is titled by name.
  await bia.click("#find-people");
  await bia.fill("#people-filter", cyName);
  const cy = bia.locator("#people-list .person:has-text('Cy Offline')");
  await cy.waitFor(wait);
  expect((await cy.textContent()).includes("offline") || (await cy.textContent()).includes("last seen"), "Cy is not shown offline");
  await bia.click("#people-filter");
  await bia.fill("#people-filter", anaName);
  await bia.click("#people-list .person:has-text('Ana Souza') button:has-text('Message')");
  await inRoom(bia, "Ana Souza");
  await say(bia, "a word in private");
  await ana.waitForSelector("#dms .room-link:has-text('Bia Lima')", wait);
  await openRoom(ana, "Bia Lima");
  await ana.waitForSelector(".msg:has-text('a word in private')", wait);
  expect(!(await ana.textContent("#sidebar")).includes(","), "a direct room is titled with a list of names");

  noPageErrors(ana, bia);
  console.log("browser rooms: ok");
} finally {
  await browser.close();
}
