// The room list: channels and direct conversations as links (Tab reaches each one,
// Enter opens it, ↑/↓ move between them), unread badges and "@2" for mentions of me,
// who is online in a DM, and the count of public rooms one could still join.

import { $, avatar, el } from "./dom.js";
import { roomIcon } from "./icons.js";
import { open } from "./navigation.js";
import { isDirect, sorted, title, totalUnread } from "./rooms.js";
import { on, state } from "./state.js";

/** Whether the other person of a direct room is online (from its presence frames). */
export function peerOnline(room) {
  const peer = room.peer;
  return Boolean(peer) && (state.presence.get(room.id) || []).some((u) => u.id === peer.id);
}

function roomLink(room) {
  const current = room.id === state.current;
  const unread = room.unread > 0 && !current;
  const label = title(room);
  const icon = isDirect(room)
    ? el("span", { class: `presence-avatar${peerOnline(room) ? " online" : ""}` }, avatar(room.peer || { id: room.id, name: label }, "small"))
    : roomIcon(room);
  const mentions = unread && room.mentions > 0 ? room.mentions : 0;
  const badgeText = [unread ? `${room.unread} unread` : "", mentions ? `${mentions} ${mentions === 1 ? "mention" : "mentions"}` : ""].filter(Boolean).join(", ");
  const link = el("a", {
    class: `room-link${unread ? " unread" : ""}`,
    href: `#room/${room.id}`,
    "aria-current": current ? "page" : false,
    dataset: { room: room.id },
    "aria-label": [label, isDirect(room) ? (peerOnline(room) ? "online" : "offline") : room.visibility === "private" ? "private room" : "", badgeText].filter(Boolean).join(", "),
  }, icon, el("span", { class: "name" }, label),
  mentions ? el("span", { class: "badge mention", "aria-hidden": "true" }, `@${mentions}`) : null,
  unread ? el("span", { class: "badge", "aria-hidden": "true" }, String(room.unread)) : null);
  link.addEventListener("click", (event) => {
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return; // a new tab
    event.preventDefault();
    open(room.id);
  });
  return el("li", {}, link);
}

function render() {
  const { channels, direct } = sorted();
  // Re-rendering replaces the links: give the focus back to the same room's link.
  const focused = document.activeElement?.closest?.(".room-link")?.dataset.room;
  $("#rooms").replaceChildren(...channels.map(roomLink));
  $("#dms").replaceChildren(...direct.map(roomLink));
  if (focused) document.querySelector(`#sidebar .room-link[data-room="${focused}"]`)?.focus();
  $("#rooms-empty").hidden = channels.length > 0;
  $("#dms-empty").hidden = direct.length > 0;
  const more = state.discover.size;
  const pill = $("#discover-count");
  pill.hidden = more === 0;
  pill.textContent = String(more);
  pill.setAttribute("aria-label", `${more} more ${more === 1 ? "room" : "rooms"} to join`);
  // The phone's menu button carries a dot when a room other than this one has news.
  const unread = totalUnread();
  $("#menu-dot").hidden = unread === 0;
  $("#show-rooms").setAttribute("aria-label", unread ? `Rooms (${unread} unread)` : "Rooms");
}

// ↑/↓ move between room links, Home/End to the first and last: a list of dozens of
// rooms is then quick to walk without tabbing through every one.
function arrowKeys(event) {
  const links = [...document.querySelectorAll("#sidebar .room-link")];
  const at = links.indexOf(document.activeElement);
  if (at < 0) return;
  const to = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: links.length - 1 }[event.key];
  if (to === undefined || event.altKey || event.ctrlKey || event.metaKey) return;
  event.preventDefault();
  links[Math.max(0, Math.min(links.length - 1, to))].focus();
}

export function start() {
  for (const topic of ["rooms", "current", "presence", "discover"]) on(topic, render);
  $("#sidebar").addEventListener("keydown", arrowKeys);
  render();
}

/** Focuses the open room's link (when the drawer opens, or after a keyboard switch). */
export function focusCurrent() {
  const link = document.querySelector(`#sidebar .room-link[aria-current="page"]`) || document.querySelector("#sidebar .room-link");
  link?.focus();
}
