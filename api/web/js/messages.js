// Messages per room, kept by seq (the server's gap-free order), the resume points
// for the socket, notices shown between messages, and posts still on their way.
// Messages seen outside the loaded timeline (a thread's replies, a search hit) are
// kept apart ("loose"), so that they never show up in the timeline out of place; a
// change to a message (edit, deletion, reaction, reply count) reaches both copies.

import { emit } from "./state.js";

const byRoom = new Map(); // room id -> Map(seq -> message)
const lastSeen = new Map(); // room id -> highest seq seen (resume point)
const older = new Map(); // room id -> next_before (null: nothing older; absent: not loaded)
const notices = new Map(); // room id -> [{key, timestamp, text}]
const seqOf = new Map(); // message id -> seq, for the messages of the timelines
const loose = new Map(); // message id -> message, known outside the loaded timeline
let noticeCount = 0;

/** Posts sent but not acknowledged: temp_id -> {room, content, reply_to, failed, at}. */
export const pending = new Map();

/**
 * Keeps a message; an edit or deletion (`replace`) overwrites the stored one.
 * Returns true when the message was not known before.
 */
export function store(message, { replace = false } = {}) {
  const room = message.room_id;
  if (!byRoom.has(room)) byRoom.set(room, new Map());
  const messages = byRoom.get(room);
  const fresh = !messages.has(message.seq);
  if (fresh || replace) messages.set(message.seq, message);
  seqOf.set(message.id, message.seq);
  loose.delete(message.id);
  see(room, message.seq);
  return fresh;
}

/** A message by id, in the timeline or loose; null when this tab has not seen it. */
export function byId(room, id) {
  const m = byRoom.get(room)?.get(seqOf.get(id));
  if (m?.id === id) return m;
  return loose.get(id) || null;
}

/** Whether the timeline of `room` holds its message `seq`. */
export function has(room, seq) {
  return Boolean(byRoom.get(room)?.has(seq));
}

/** Keeps a message seen outside the timeline (a reply in a thread, a search hit). */
export function remember(message) {
  if (has(message.room_id, message.seq)) {
    byRoom.get(message.room_id).set(message.seq, message);
    return message;
  }
  loose.set(message.id, message);
  return message;
}

/**
 * A newer version of a message (an `edited` or `deleted` frame): it replaces the
 * copies this tab has, and the quotes of it in replies follow. Returns whether the
 * message was known. One this tab never loaded is not stored (it would show up in
 * the timeline out of place).
 */
export function update(message) {
  const room = message.room_id;
  let known = false;
  if (byId(room, message.id)) {
    if (has(room, message.seq)) byRoom.get(room).set(message.seq, message);
    if (loose.has(message.id)) loose.set(message.id, message);
    known = true;
  }
  const excerpt = message.deleted ? "" : [...message.content].slice(0, 100).join("");
  for (const m of [...(byRoom.get(room)?.values() || []), ...loose.values()]) {
    if (m.reply_to?.id === message.id) m.reply_to = { ...m.reply_to, excerpt };
  }
  return known;
}

/** Moves the resume point of a room forward (never back). */
export function see(room, seq) {
  lastSeen.set(room, Math.max(lastSeen.get(room) || 0, seq));
}

export function lastSeq(room) {
  return lastSeen.get(room) || 0;
}

/** `R1:10,R2:4` for the socket's `since`: every room this tab has seen messages of. */
export function resumePoints() {
  return [...lastSeen].filter(([, seq]) => seq > 0).map(([room, seq]) => `${room}:${seq}`).join(",");
}

/** A room's messages, oldest first. */
export function list(room) {
  return [...(byRoom.get(room)?.values() || [])].sort((a, b) => a.seq - b.seq);
}

export function find(room, predicate) {
  for (const m of byRoom.get(room)?.values() || []) if (predicate(m)) return m;
  return null;
}

export function hasHistory(room) {
  return older.has(room);
}

/** The seq to load older messages before, or null when the room's start is loaded. */
export function olderCursor(room) {
  return older.get(room) ?? null;
}

export function setOlderCursor(room, nextBefore) {
  older.set(room, nextBefore);
}

/** Forgets a room (deleted, or left). */
export function forget(room) {
  byRoom.delete(room);
  lastSeen.delete(room);
  older.delete(room);
  notices.delete(room);
  for (const [id, m] of loose) if (m.room_id === room) loose.delete(id);
  for (const [tempId, post] of pending) if (post.room === room) pending.delete(tempId);
}

/** A line such as "Ana joined the room." kept between the messages around its time. */
export function addNotice(room, text, timestamp = new Date().toISOString()) {
  if (!notices.has(room)) notices.set(room, []);
  notices.get(room).push({ key: `notice-${++noticeCount}`, timestamp, text });
  emit("timeline", room);
}

export function noticesOf(room) {
  return notices.get(room) || [];
}

/** Counts messages by others after `seq` (what is unread once a marker moved there). */
export function countAfter(room, seq, myId) {
  let n = 0;
  for (const m of byRoom.get(room)?.values() || []) if (m.seq > seq && m.user.id !== myId && !m.deleted) n++;
  return n;
}

/** Of those, the ones that mention me (the room list's "@2"). */
export function countMentionsAfter(room, seq, myId) {
  let n = 0;
  for (const m of byRoom.get(room)?.values() || []) if (m.seq > seq && m.user.id !== myId && !m.deleted && m.mentions?.includes(myId)) n++;
  return n;
}

/**
 * A post on its way: shown at once as "sending…", replaced by the stored message on
 * its ack. `replyTo`: the id of the message it answers, or null.
 */
export function addPending(room, content, replyTo = null) {
  const tempId = uuid();
  pending.set(tempId, { room, content, reply_to: replyTo, failed: null, at: new Date().toISOString() });
  emit("timeline", room);
  return tempId;
}

/** The socket frame that sends a pending post (again: the same temp_id is stored once). */
export function postFrame(tempId, post) {
  const frame = { type: "message", room_id: post.room, content: post.content, temp_id: tempId };
  if (post.reply_to) frame.reply_to = post.reply_to;
  return frame;
}

// crypto.randomUUID exists only in secure contexts (https, localhost); papo may be
// served over plain http on a LAN, where getRandomValues still works.
function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
