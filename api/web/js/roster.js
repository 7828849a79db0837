// Who is in a room and with which role, for the room on screen: the mention
// autocomplete suggests its members, `@username` in a message is styled when it names
// one, and owners and admins get moderation actions (deleting others' messages,
// removing and banning). Loaded when a room opens and again when its membership
// changes; the members panel shows the same list.

import { call } from "./api.js";
import { debounce } from "./dom.js";
import * as session from "./session.js";
import { emit, on, state } from "./state.js";

const FRESH_MS = 30_000; // opening a room again within this reuses its list
const lists = new Map(); // room id -> [{user, role, online}]
const loadedAt = new Map(); // room id -> when its list was loaded
const loading = new Map(); // room id -> promise

/** The members of a room as last loaded, or null before the first load. */
export function members(roomId) {
  return lists.get(roomId) || null;
}

/** Loads (again) the members of a room; "roster" is emitted with its id. */
export function load(roomId) {
  if (loading.has(roomId)) return loading.get(roomId);
  const request = call("GET", `/rooms/${roomId}/members`).then(({ members: list }) => {
    lists.set(roomId, list);
    loadedAt.set(roomId, Date.now());
    emit("roster", roomId);
    return list;
  }).finally(() => loading.delete(roomId));
  loading.set(roomId, request);
  return request;
}

/** A room's member list changed here (a role set, someone removed): tell the views. */
export function set(roomId, list) {
  lists.set(roomId, list);
  emit("roster", roomId);
}

/** `owner`, `admin` or `member` (my role in a room), or null when unknown. */
export function roleOf(roomId, userId) {
  const room = state.rooms.get(roomId);
  if (room && room.creator_id === userId && room.visibility !== "direct") return "owner";
  const found = lists.get(roomId)?.find((m) => m.user.id === userId);
  return found ? found.role : null;
}

export const myRole = (roomId) => roleOf(roomId, session.user()?.id);

/** Whether I may act on `userId` (delete their messages, remove or ban them) in a room. */
export function canModerate(roomId, userId) {
  const room = state.rooms.get(roomId);
  if (!room || room.visibility === "direct") return false;
  const mine = myRole(roomId);
  const theirs = roleOf(roomId, userId) || "member"; // someone who left is a member no more
  if (mine === "owner") return theirs !== "owner";
  return mine === "admin" && theirs === "member";
}

/** username (lower case) -> user, for the members of a room and me. */
export function byUsername(roomId) {
  const map = new Map();
  for (const m of lists.get(roomId) || []) map.set(m.user.username.toLowerCase(), m.user);
  const me = session.user();
  if (me) map.set(me.username.toLowerCase(), me);
  return map;
}

// After a change: a load already on its way may have left before it, so load after that.
const reload = (room) => (loading.get(room) || Promise.resolve()).catch(() => {}).then(() => load(room)).catch(() => {});

export function start() {
  // One debounce per room: a burst of joins across rooms reloads every one of them.
  const pending = new Map(); // room id -> debounced reload
  const again = (room) => {
    if (!pending.has(room)) pending.set(room, debounce(() => reload(room), 300));
    pending.get(room)();
  };
  on("current", (room) => {
    if (room && !(Date.now() - (loadedAt.get(room) || 0) < FRESH_MS)) load(room).catch(() => {});
  });
  // Someone joined, left, was removed or banned: the list changed.
  on("members", (room) => room && (room === state.current || lists.has(room)) && again(room));
}
