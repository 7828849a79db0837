// The member list of the open room: who is in it, their role, who is online now,
// a button to message each, and (for its owner and admins) inviting people by name.

import { $, avatar, debounce, el } from "./dom.js";
import { describe } from "./errors.js";
import { icon } from "./icons.js";
import { userPicker } from "./picker.js";
import { invite, members as loadMembers, openDirect } from "./room-actions.js";
import { isDirect } from "./rooms.js";
import * as session from "./session.js";
import { on, state } from "./state.js";
import { toast } from "./toast.js";

const ROLE_ORDER = { owner: 0, admin: 1, member: 2 };
let shown = []; // [{user, role, online}] of the room on screen
let shownFor = null;
let asked = 0;

export const isOpen = () => !$("#members").hidden;

function online(member) {
  const present = state.presence.get(shownFor);
  return present ? present.some((u) => u.id === member.user.id) : member.online;
}

function render() {
  const me = session.user()?.id;
  const rows = [...shown].sort((a, b) => (online(b) - online(a)) || (ROLE_ORDER[a.role] - ROLE_ORDER[b.role]) ||
    a.user.name.localeCompare(b.user.name));
  const here = rows.filter(online).length;
  $("#members-summary").textContent = `${rows.length} ${rows.length === 1 ? "member" : "members"}, ${here} online`;
  $("#member-list").replaceChildren(...rows.map((m) => {
    const isMe = m.user.id === me;
    const message = isMe ? null : el("button", { type: "button", class: "icon-button", title: `Message ${m.user.name}`, "aria-label": `Message ${m.user.name}` }, icon("chat"));
    message?.addEventListener("click", () => openDirect(m.user.id).catch((err) => toast(describe(err), { kind: "error" })));
    return el("li", { class: "member" },
      el("span", { class: `presence-avatar${online(m) ? " online" : ""}` }, avatar(m.user)),
      el("span", { class: "member-names" },
        el("span", { class: "name" }, m.user.name, isMe ? el("span", { class: "you" }, " (you)") : null),
        el("span", { class: "handle" }, `@${m.user.username} · ${online(m) ? "online" : "offline"}`)),
      m.role !== "member" ? el("span", { class: `role ${m.role}` }, m.role === "owner" ? "Owner" : "Admin") : null,
      message);
  }));
  const mine = shown.find((m) => m.user.id === me);
  const room = state.rooms.get(shownFor);
  // Owners and admins invite; anyone may join a public room by themselves.
  $("#invite").hidden = !room || isDirect(room) || !mine || mine.role === "member";
  $("#invite-hint").textContent = room?.visibility === "private"
    ? "Only people invited by the owner or an admin can see this room."
    : "Anyone can find this room in Browse rooms and join it.";
}

async function refresh() {
  const room = state.current;
  if (!room || !isOpen() || isDirect(state.rooms.get(room) || {})) return;
  const ticket = ++asked;
  try {
    const list = await loadMembers(room);
    if (ticket !== asked || room !== state.current) return;
    shown = list;
    shownFor = room;
    render();
  } catch (err) {
    $("#members-summary").textContent = describe(err);
  }
}

export function toggle(force) {
  const panel = $("#members");
  const show = force ?? panel.hidden;
  panel.hidden = !show;
  $("#toggle-members").setAttribute("aria-expanded", String(show));
  document.body.classList.toggle("members-open", show);
  if (show) {
    shown = [];
    $("#member-list").replaceChildren();
    refresh();
  }
}

export function start() {
  $("#toggle-members").addEventListener("click", () => toggle());
  $("#close-members").addEventListener("click", () => {
    toggle(false);
    $("#toggle-members").focus();
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
  const again = debounce(refresh, 300);
  on("current", (room) => {
    picker.clear();
    $("#invite-status").textContent = "";
    if (isOpen() && isDirect(state.rooms.get(room) || {})) toggle(false);
    else if (isOpen()) toggle(true);
  });
  on("members", (room) => room === state.current && again());
  on("presence", (room) => room === shownFor && isOpen() && render());
  on("rooms", () => isOpen() && shownFor === state.current && render());
}
