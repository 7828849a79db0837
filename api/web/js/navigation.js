// Which room is on screen, and loading its messages: the newest page when it opens,
// older pages as the reader scrolls up, the page around a message to jump to, and
// the messages between two loaded ones.

import { call } from "./api.js";
import * as messages from "./messages.js";
import { markRead, sorted } from "./rooms.js";
import * as session from "./session.js";
import { emit, state } from "./state.js";

const LAST_ROOM = "papo.lastRoom";

const me = () => session.user()?.id;

/** Opens a room: its newest messages at the bottom, a marker where unread ones begin. */
export async function open(id) {
  const room = state.rooms.get(id);
  if (!room) return false;
  const unreadBefore = room.unread;
  const readSeqBefore = room.readSeq;
  state.current = id;
  localStorage.setItem(LAST_ROOM, id);
  if (location.hash !== `#room/${id}`) history.replaceState(null, "", `#room/${id}`);
  const loaded = messages.hasHistory(id);
  state.readMarker = { room: id, seq: loaded ? firstUnread(id, unreadBefore, readSeqBefore) : null };
  emit("current", id);
  if (!loaded) {
    try {
      await loadLatest(id);
    } catch (err) {
      if (state.current === id) emit("error", err);
      return true;
    }
    if (state.current !== id) return true;
    state.readMarker = { room: id, seq: firstUnread(id, unreadBefore, readSeqBefore) };
  }
  markRead(id);
  emit("timeline", id);
  return true;
}

// The first message by someone else that I have not read: after my read marker, and
// after my own last message (writing in a room means having read what came before).
function firstUnread(id, unread, readSeq) {
  const all = messages.list(id);
  const myLast = all.reduce((seq, m) => (m.user.id === me() ? m.seq : seq), 0);
  const others = all.filter((m) => m.user.id !== me() && !m.deleted);
  let floor = Math.max(readSeq, myLast);
  if (readSeq === 0) {
    // No marker known here: the server's unread count says how many of the last are new.
    if (unread <= 0 || !others.length) return null;
    floor = Math.max(floor, others[Math.max(0, others.length - unread)].seq - 1);
  }
  return others.find((m) => m.seq > floor)?.seq ?? null;
}

/** The room to show on start: the one in the address, the last one, or the first. */
export function startRoom() {
  const fromHash = /^#room\/(.+)$/.exec(location.hash)?.[1];
  for (const id of [fromHash, localStorage.getItem(LAST_ROOM)]) if (id && state.rooms.has(id)) return id;
  const { channels, direct } = sorted();
  return (channels.find((r) => r.name === "general") || channels[0] || direct[0])?.id ?? null;
}

export async function loadLatest(id) {
  const page = await call("GET", `/rooms/${id}/history?limit=50`);
  page.messages.forEach((m) => messages.store(m));
  messages.setOlderCursor(id, page.next_before);
}

/** The page of messages before the oldest loaded; false when there is none. */
export async function loadOlder(id) {
  const before = messages.olderCursor(id);
  if (!before) return false;
  const page = await call("GET", `/rooms/${id}/history?before=${before}&limit=50`);
  page.messages.forEach((m) => messages.store(m));
  messages.setOlderCursor(id, page.next_before);
  emit("timeline", id);
  return true;
}


const AROUND = 25; // messages shown above and below a message jumped to

/** The page around message `seq` (to jump to it), wherever it is in the room. */
export async function loadAround(id, seq) {
  const page = await call("GET", `/rooms/${id}/history?before=${seq + AROUND + 1}&limit=${2 * AROUND}`);
  page.messages.forEach((m) => messages.store(m));
  // The cursor for older pages is the lowest loaded seq (or null: the room's start).
  const cursor = messages.olderCursor(id);
  if (page.next_before === null) messages.setOlderCursor(id, null);
  else if (cursor !== null) messages.setOlderCursor(id, Math.min(cursor, page.next_before));
  emit("timeline", id);
}

/** The messages between seqs `low` and `high` (both loaded), up to 100 of them. */
export async function loadBetween(id, low, high) {
  const limit = Math.min(100, high - low - 1);
  if (limit < 1) return;
  const page = await call("GET", `/rooms/${id}/history?before=${high}&limit=${limit}`);
  page.messages.forEach((m) => messages.store(m));
  emit("timeline", id);
}

/**
 * The newest page again, replacing what is stored: after a reconnect, the reactions,
 * reply counts, edits and deletions that happened meanwhile (the socket replays
 * only new messages).
 */
export async function refreshLatest(id) {
  const page = await call("GET", `/rooms/${id}/history?limit=50`);
  page.messages.forEach((m) => messages.store(m, { replace: true }));
  emit("timeline", id);
}
