// Messages per room, kept by seq (the server's gap-free order), the resume points
// for the socket, notices shown between messages, and posts still on their way.

import { emit } from "./state.js";

const byRoom = new Map(); // room id -> Map(seq -> message)
const lastSeen = new Map(); // room id -> highest seq seen (resume point)
const older = new Map(); // room id -> next_before (null: nothing older; absent: not loaded)
const notices = new Map(); // room id -> [{key, timestamp, text}]
let noticeCount = 0;

/** Posts sent but not acknowledged: temp_id -> {room, content, failed, at}. */
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
  see(room, message.seq);
  return fresh;
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

/** A post on its way: shown at once as "sending…", replaced by the stored message on its ack. */
export function addPending(room, content) {
  const tempId = uuid();
  pending.set(tempId, { room, content, failed: null, at: new Date().toISOString() });
  emit("timeline", room);
  return tempId;
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
