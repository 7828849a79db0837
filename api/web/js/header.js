// The open room's header: its name and kind, its topic, how many are in it and online.

import { $ } from "./dom.js";
import { roomIcon } from "./icons.js";
import { isDirect, title } from "./rooms.js";
import { peerOnline } from "./sidebar.js";
import { on, state } from "./state.js";

function render() {
  const room = state.rooms.get(state.current);
  $("#room-kind").replaceChildren(room ? roomIcon(room) : "");
  $("#room-name").textContent = room ? title(room) : state.rooms.size ? "Pick a room" : "Welcome to papo";
  const topic = room ? (isDirect(room) ? `@${room.peer?.username ?? ""}` : room.description || "") : "";
  $("#room-topic").textContent = topic;
  $("#room-topic").hidden = !topic;
  $("#room-topic").title = topic;
  const online = room ? (state.presence.get(room.id) || []).length : 0;
  $("#room-presence").textContent = !room ? "" : isDirect(room)
    ? (peerOnline(room) ? "online" : "offline")
    : `${room.member_count} ${room.member_count === 1 ? "member" : "members"} · ${online} online`;
  for (const id of ["#toggle-members", "#room-info"]) $(id).hidden = !room || isDirect(room);
  $("#composer").hidden = !room;
  // No room open (a new account, or the last room was deleted): say what to do.
  $("#empty-state").hidden = Boolean(room) || !state.roomsLoaded;
  $("#messages").hidden = !room;
}

export function start() {
  for (const topic of ["rooms", "current", "presence"]) on(topic, render);
  render();
}
