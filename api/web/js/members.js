// The member list of the open room: who is in it, their role, who is online now,
// a button to message each, (for its owner and admins) inviting people by name, and
// moderation: each member's "⋯" shows what I may do to them (moderation.js), and
// moderators see the room's bans with a button to lift each.

import { $, avatar, el } from "./dom.js";
import { describe } from "./errors.js";
import { icon } from "./icons.js";
import { banRow, bans as loadBans, memberActions, unban } from "./moderation.js";
import { hidePanel, isShown, onHide, showPanel } from "./panels.js";
import { userPicker } from "./picker.js";
import { invite, openDirect } from "./room-actions.js";
import { isDirect } from "./rooms.js";
import * as roster from "./roster.js";
import * as session from "./session.js";
import { on, state } from "./state.js";
import { toast } from "./toast.js";

const ROLE_ORDER = { owner: 0, admin: 1, member: 2 };
let shown = []; // [{user, role, online}] of the room on screen
let shownFor = null;
let expanded = null; // the user whose moderation actions are open
let banned = null; // the room's bans, for moderators (null: not loaded or not allowed)

export const isOpen = () => isShown("members");

function online(member) {
  const present = state.presence.get(shownFor);
  return present ? present.some((u) => u.id === member.user.id) : member.online;
}

function status(text, { error = false } = {}) {
  const line = $("#moderation-status");
  line.textContent = text || "";
  line.classList.toggle("error", error);
}

async function act(action, button) {
  button.disabled = true;
  try {
    const said = await action.run();
    if (said) status(said);
    expanded = null;
    if (said && (action.name === "ban" || action.name === "remove")) refreshBans();
  } catch (err) {
    status(describe(err), { error: true });
    roster.load(shownFor).catch(() => {}); // a role changed elsewhere: show what is true now
  } finally {
    button.disabled = false;
    render();
  }
}

function memberRow(m, me) {
  const isMe = m.user.id === me;
  const message = isMe ? null : el("button", { type: "button", class: "icon-button", title: `Message ${m.user.name}`, "aria-label": `Message ${m.user.name}`, dataset: { user: m.user.id, act: "message" } }, icon("chat"));
  message?.addEventListener("click", () => openDirect(m.user.id).catch((err) => toast(describe(err), { kind: "error" })));
  const actions = memberActions(shownFor, m);
  const open = expanded === m.user.id && actions.length > 0;
  const more = actions.length ? el("button", {
    type: "button", class: "icon-button", title: `Manage ${m.user.name}`, "aria-label": `Manage ${m.user.name}`,
    "aria-expanded": String(open), dataset: { user: m.user.id, act: "more" },
  }, icon("more")) : null;
  more?.addEventListener("click", () => {
    expanded = open ? null : m.user.id;
    render();
  });
  const row = open ? el("div", { class: "member-actions", role: "group", "aria-label": `Manage ${m.user.name}` }, ...actions.map((a) => {
    const button = el("button", { type: "button", class: `${a.danger ? "danger-outline" : "secondary"} small`, dataset: { user: m.user.id, act: a.name } }, a.label);
    button.addEventListener("click", () => act(a, button));
    return button;
  })) : null;
  return el("li", { class: "member", dataset: { user: m.user.id } },
    el("span", { class: `presence-avatar${online(m) ? " online" : ""}` }, avatar(m.user)),
    el("span", { class: "member-names" },
      el("span", { class: "name" }, m.user.name, isMe ? el("span", { class: "you" }, " (you)") : null),
      el("span", { class: "handle" }, `@${m.user.username} · ${online(m) ? "online" : "offline"}`)),
    m.role !== "member" ? el("span", { class: `role ${m.role}` }, m.role === "owner" ? "Owner" : "Admin") : null,
    more, message, row);
}

function render() {
  const me = session.user()?.id;
  const rows = [...shown].sort((a, b) => (online(b) - online(a)) || (ROLE_ORDER[a.role] - ROLE_ORDER[b.role]) ||
    a.user.name.localeCompare(b.user.name));
  const here = rows.filter(online).length;
  $("#members-summary").textContent = `${rows.length} ${rows.length === 1 ? "member" : "members"}, ${here} online`;
  // Re-rendering replaces the rows: the focus goes back to the same button.
  const focused = document.activeElement?.closest?.("#members [data-act]");
  const again = focused ? [focused.dataset.user, focused.dataset.act] : null;
  $("#member-list").replaceChildren(...rows.map((m) => memberRow(m, me)));
  renderBans();
  if (again) {
    const same = $(`#members [data-user="${again[0]}"][data-act="${again[1]}"]`) || $(`#members [data-user="${again[0]}"][data-act="more"]`);
    (same || $("#close-members")).focus();
  }
  const mine = shown.find((m) => m.user.id === me);
  const room = state.rooms.get(shownFor);
  // Owners and admins invite; anyone may join a public room by themselves.
  $("#invite").hidden = !room || isDirect(room) || !mine || mine.role === "member";
  $("#invite-hint").textContent = room?.visibility === "private"
    ? "Only people invited by the owner or an admin can see this room."
    : "Anyone can find this room in Browse rooms and join it.";
}

function renderBans() {
  const section = $("#bans");
  const moderator = ["owner", "admin"].includes(roster.myRole(shownFor));
  section.hidden = !moderator || banned === null;
  if (section.hidden) return;
  $("#bans-title").textContent = banned.length ? `Banned (${banned.length})` : "Banned";
  $("#bans-empty").hidden = banned.length > 0;
  $("#ban-list").replaceChildren(...banned.map((b) => banRow(b, async (user, button) => {
    button.disabled = true;
    try {
      status(await unban(shownFor, user));
      banned = banned.filter((x) => x.user.id !== user.id);
      render();
    } catch (err) {
      status(describe(err), { error: true });
      button.disabled = false;
    }
  })));
}

async function refreshBans() {
  const room = shownFor;
  if (!room || !["owner", "admin"].includes(roster.myRole(room))) {
    banned = null;
    return renderBans();
  }
  try {
    const list = await loadBans(room);
    if (room === shownFor) banned = list;
  } catch {
    banned = null; // no longer a moderator
  }
  renderBans();
}

async function refresh() {
  const room = state.current;
  if (!room || !isOpen() || isDirect(state.rooms.get(room) || {})) return;
  try {
    await roster.load(room); // the "roster" topic renders it
  } catch (err) {
    $("#members-summary").textContent = describe(err);
  }
}

function onRoster(room) {
  if (room !== state.current || !isOpen()) return;
  const changedRoom = shownFor !== room;
  shown = roster.members(room) || [];
  shownFor = room;
  render();
  if (changedRoom || banned === null) refreshBans();
}

export function toggle(force) {
  const show = force ?? !isOpen();
  if (!show) return hidePanel("members");
  showPanel("members");
  shown = [];
  shownFor = null;
  banned = null;
  expanded = null;
  status("");
  $("#member-list").replaceChildren();
  renderBans();
  refresh();
}

export function start() {
  $("#toggle-members").addEventListener("click", () => toggle());
  $("#close-members").addEventListener("click", () => {
    toggle(false);
    $("#toggle-members").focus();
  });
  onHide("members", () => {
    shownFor = null;
  });
  const picker = userPicker($("#invite-user"), {
    exclude: (u) => shown.some((m) => m.user.id === u.id),
    onPick: async (user) => {
      const line = $("#invite-status");
      line.classList.remove("error");
      line.textContent = `Inviting ${user.name}…`;
      try {
        await invite(state.current, user.id);
        line.textContent = `${user.name} is now a member.`;
        refresh();
      } catch (err) {
        line.classList.add("error");
        line.textContent = describe(err);
      }
    },
  });
  $("#invite").addEventListener("submit", (event) => event.preventDefault());
  $("#members").addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !event.defaultPrevented) {
      toggle(false);
      $("#toggle-members").focus();
    }
  });
  on("current", (room) => {
    picker.clear();
    $("#invite-status").textContent = "";
    if (isOpen() && isDirect(state.rooms.get(room) || {})) toggle(false);
    else if (isOpen()) toggle(true);
  });
  on("roster", onRoster);
  on("presence", (room) => room === shownFor && isOpen() && render());
  on("rooms", () => isOpen() && shownFor === state.current && render());
}
