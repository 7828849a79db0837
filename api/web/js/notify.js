// Telling a person there is something new when they are not looking: the unread count
// in the page title and a dot on the favicon, and desktop notifications (once they
// allowed them) for direct messages and, with the server's `mention` frames, mentions.

import { totalUnread, title, viewing } from "./rooms.js";
import { on, state } from "./state.js";

const notified = new Set(); // message ids, so a DM that also mentions me notifies once
let onClick = () => {};

/** What clicking a notification does (app.js opens the room). */
export function onNotificationClick(fn) {
  onClick = fn;
}

export function supported() {
  return "Notification" in window;
}

export function permission() {
  return supported() ? Notification.permission : "unsupported";
}

/** Asks for permission (must run from a click); resolves to the answer. */
export async function ask() {
  if (!supported()) return "unsupported";
  return Notification.requestPermission();
}

/**
 * A desktop notification for a new message, `reason` "direct" or "mention". Nothing
 * when the room is on screen in a visible tab, or without permission. Every tab gets
 * the frame; the shared `tag` makes the browser show one notification for all.
 */
export function message(msg, reason) {
  if (permission() !== "granted" || notified.has(msg.id) || viewing(msg.room_id)) return;
  const room = state.rooms.get(msg.room_id);
  if (!room) return;
  notified.add(msg.id);
  const heading = reason === "mention" ? `${msg.user.name} mentioned you in ${title(room)}` : msg.user.name;
  const body = msg.content.length > 200 ? `${msg.content.slice(0, 200)}…` : msg.content;
  const note = new Notification(heading, { body, tag: `papo-${msg.id}`, icon: "/static/favicon.svg" });
  note.onclick = () => {
    window.focus();
    onClick(msg.room_id);
    note.close();
  };
}

// ---------- title and favicon ----------

function render() {
  const unread = totalUnread();
  const room = state.rooms.get(state.current);
  const where = room ? `${room.visibility === "direct" ? "" : "#"}${title(room)} · ` : "";
  document.title = `${unread ? `(${unread}) ` : ""}${where}papo`;
  const icon = document.querySelector("link[rel=icon]");
  const href = unread ? "/static/favicon-unread.svg" : "/static/favicon.svg";
  if (icon && icon.getAttribute("href") !== href) icon.setAttribute("href", href);
}

/** Keeps the title and favicon current. */
export function start() {
  for (const topic of ["rooms", "current"]) on(topic, render);
  document.addEventListener("visibilitychange", render);
  render();
}
