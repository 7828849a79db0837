// The rooms I am in and the public rooms I could join, kept current from the room
// list and the socket's `room` and `read` frames (opening a room is navigation.js,
// creating, joining and leaving are room-actions.js). Unread counts are the server's when the
// room list first loads; after that this tab counts them itself from the messages it
// receives and the read markers it moves (its own, or another tab's `read` frames),
// so a later reload of the list never brings back a badge for a room just read.
// Mentions of me ("@2") are counted the same way, from the messages that name me
// and the server's `mention` frames (each message once, whichever comes first).

import { all, call } from "./api.js";
import * as messages from "./messages.js";
import * as session from "./session.js";
import * as socket from "./socket.js";
import { emit, state } from "./state.js";

const peersLoading = new Map();
const mentionCounted = new Set(); // message ids already counted in a room's mentions
let loadedOnce = false; // the first load happens before the socket opens

const me = () => session.user()?.id;

/** The name people see: a direct room is titled with the other person's name. */
export function title(room) {
  if (!room) return "";
  if (room.visibility !== "direct") return room.name;
  if (room.peer) return room.peer.name;
  resolvePeer(room);
  const mine = session.user()?.username?.toLowerCase();
  return room.name.split(", ").find((n) => n.toLowerCase() !== mine) || room.name;
}

/** The other member of a direct room (servers that do not send `peer` yet: from its members). */
function resolvePeer(room) {
  if (peersLoading.has(room.id)) return;
  peersLoading.set(room.id, call("GET", `/rooms/${room.id}/members`).then(({ members }) => {
    const other = members.map((m) => m.user).find((u) => u.id !== me());
    if (other && state.rooms.has(room.id)) {
      state.rooms.get(room.id).peer = other;
      emit("rooms");
    }
  }).catch(() => peersLoading.delete(room.id)));
}

export const isDirect = (room) => room.visibility === "direct";

/** Channels and direct rooms, each sorted by the name shown. */
export function sorted() {
  const byTitle = (a, b) => title(a).localeCompare(title(b), undefined, { sensitivity: "base" });
  const rooms = [...state.rooms.values()];
  return { channels: rooms.filter((r) => !isDirect(r)).sort(byTitle), direct: rooms.filter(isDirect).sort(byTitle) };
}

/** Every room in sidebar order: what keyboard room switching walks through. */
export function inOrder() {
  const { channels, direct } = sorted();
  return [...channels, ...direct];
}

export function totalUnread() {
  let total = 0;
  for (const room of state.rooms.values()) if (!viewing(room.id)) total += room.unread;
  return total;
}

export function upsert(item, { fromList = false } = {}) {
  const known = state.rooms.get(item.id);
  if (!known) {
    state.rooms.set(item.id, { member_count: 1, ...item, unread: item.unread ?? 0, mentions: item.mentions ?? 0, readSeq: 0 });
  } else {
    for (const key of ["name", "description", "visibility", "creator_id", "member_count", "peer"]) {
      if (item[key] !== undefined) known[key] = item[key];
    }
    // The server's count only for rooms this tab has no messages of: for the others
    // our own count is newer than the list (the server may not have seen our read yet).
    if (fromList && messages.lastSeq(item.id) === 0 && !viewing(item.id)) {
      known.unread = item.unread;
      known.mentions = item.mentions ?? 0;
    }
  }
  state.discover.delete(item.id);
}

/** Loads my rooms (every page) and merges them into what this tab knows. */
export async function load() {
  const listed = await all("/rooms?joined=true", "rooms");
  const ids = new Set(listed.map((r) => r.id));
  for (const item of listed) {
    const known = state.rooms.has(item.id);
    upsert(item, { fromList: true });
    // A room I joined elsewhere (another tab, an invitation): follow it on this socket.
    if (!known && loadedOnce) socket.send({ type: "join", room_id: item.id });
  }
  for (const [id, room] of state.rooms) {
    // A room joined in the last seconds may be missing from a list read just before.
    if (!ids.has(id) && Date.now() - (room.addedAt || 0) > 5000) drop(id, null);
  }
  loadedOnce = true;
  state.roomsLoaded = true;
  emit("rooms");
}

/** After a refused post: is the room gone, or am I no longer in it? */
export async function check(id) {
  try {
    await call("GET", `/rooms/${id}`);
    await load();
  } catch (err) {
    if (err.status === 404) drop(id, "deleted");
    else if (err.status === 403) drop(id, err.code === "banned" ? "banned" : "removed");
  }
}

/** Loads the public rooms I am not in, for the room browser. */
export async function browse() {
  const listed = await all("/rooms", "rooms");
  state.discover = new Map(listed.filter((r) => r.visibility === "public" && !state.rooms.has(r.id)).map((r) => [r.id, r]));
  emit("discover");
}

export function add(room) {
  upsert({ ...room, addedAt: Date.now() });
  state.rooms.get(room.id).addedAt = Date.now();
  // Follow it on this socket (its messages then arrive); after a reconnect the socket
  // follows every room I am a member of anyway.
  socket.send({ type: "join", room_id: room.id });
  emit("rooms");
}

// Rooms this tab is leaving or deleting: the server's `room` frame may come before
// the HTTP answer, and must then be told as "You left", not "You were removed".
const exiting = new Map(); // room id -> why

/** Runs `act` (leaving or deleting a room) with its frame told apart (see `exiting`). */
export async function exitingBy(id, why, act) {
  exiting.set(id, why);
  try {
    await act();
  } catch (err) {
    exiting.delete(id);
    throw err;
  }
  drop(id, why);
}

/**
 * Forgets a room that was deleted or left (`why`: "deleted" | "left" | "removed" |
 * "banned" | null). "closed" tells app.js, with `open`: whether it was on screen.
 */
export function drop(id, why) {
  const room = state.rooms.get(id);
  if (exiting.has(id)) {
    why = exiting.get(id);
    exiting.delete(id);
  }
  if (!room) return;
  state.rooms.delete(id);
  messages.forget(id);
  emit("rooms");
  const open = state.current === id;
  if (open) state.current = null;
  emit("closed", { room, why, open });
}

const LEFT_KEY = "papo.leftRoom";

/** I am leaving a room: my other tabs' `left` frame for it is then no removal. */
export function noteLeaving(id) {
  localStorage.setItem(LEFT_KEY, JSON.stringify({ room: id, at: Date.now() }));
}

function leftHere(id) {
  try {
    const left = JSON.parse(localStorage.getItem(LEFT_KEY) || "null");
    return left?.room === id && Date.now() - left.at < 30_000;
  } catch {
    return false;
  }
}

// The `room` frame "left" does not say why. I left it (this tab or another), or a
// moderator removed me; a ban shows in the answer to reading the room.
async function whyLeft(id) {
  if (exiting.has(id) || leftHere(id)) return "left";
  try {
    await call("GET", `/rooms/${id}/history?limit=1`);
  } catch (err) {
    if (err.code === "banned") return "banned";
  }
  return "removed";
}

export const viewing = (id) => state.current === id && document.visibilityState === "visible";

/** A message new to this tab: one more unread, unless it is mine, read, or on screen. */
export function countIncoming(message) {
  const room = state.rooms.get(message.room_id);
  if (!room || message.user.id === me() || message.deleted || message.seq <= room.readSeq) return;
  if (viewing(room.id)) return;
  // The open room in a hidden tab: the "new messages" line goes above the first one.
  if (state.current === room.id && state.readMarker?.room === room.id && state.readMarker.seq === null) {
    state.readMarker.seq = message.seq;
  }
  room.unread += 1;
  if (message.mentions?.includes(me())) countMention(message);
  emit("rooms");
}

/** A message that mentions me, not read yet: the room's "@" badge counts it once. */
export function countMention(message) {
  const room = state.rooms.get(message.room_id);
  if (!room || message.user.id === me() || message.deleted || message.seq <= room.readSeq || viewing(room.id)) return;
  if (mentionCounted.has(message.id)) return;
  mentionCounted.add(message.id);
  room.mentions = (room.mentions || 0) + 1;
  emit("rooms");
}

/** Everything in the room is read: the badge goes, and the server's marker moves. */
export function markRead(id) {
  const room = state.rooms.get(id);
  if (!room) return;
  const seq = messages.lastSeq(id);
  if (room.unread || room.mentions) {
    room.unread = 0;
    room.mentions = 0;
    emit("rooms");
  }
  if (seq > room.readSeq) {
    room.readSeq = seq;
    socket.sendSoon(`read:${id}`, { type: "read", room_id: id, seq });
  }
}

/** A `read` frame: my marker moved in another tab, so fewer messages are unread here. */
export function onRead(frame) {
  const room = state.rooms.get(frame.room_id);
  if (!room || frame.user_id !== me()) return;
  room.readSeq = Math.max(room.readSeq, frame.seq);
  room.unread = Math.min(room.unread, messages.countAfter(room.id, room.readSeq, me()));
  room.mentions = Math.min(room.mentions || 0, messages.countMentionsAfter(room.id, room.readSeq, me()));
  emit("rooms");
}

/** A `room` frame: a room appeared, changed, went away, or my membership changed. */
export function onRoomEvent({ event, room }) {
  const mine = state.rooms.has(room.id);
  if (event === "created" && !mine) {
    if (room.creator_id === me() || room.visibility !== "public") add(room);
    else state.discover.set(room.id, room);
  } else if (event === "updated") {
    if (mine) upsert(room);
    else if (room.visibility === "public") state.discover.set(room.id, room);
    else state.discover.delete(room.id);
    emit("rooms");
  } else if (event === "deleted") {
    state.discover.delete(room.id);
    drop(room.id, "deleted");
  } else if (event === "joined" && !mine) {
    add(room);
    load().catch(() => {}); // its member count and unread messages
  } else if (event === "left") {
    whyLeft(room.id).then((why) => {
      drop(room.id, why);
      if (room.visibility === "public" && why !== "banned") state.discover.set(room.id, room);
      emit("discover");
    });
  }
  emit("discover");
}

