// What this tab knows, in one place, and a small publish/subscribe so that views
// re-render when the part they show changes. Models (rooms.js, messages.js) change
// the state and `emit`; views only read it and listen.

export const state = {
  /** Rooms I am a member of (channels and direct conversations): id -> room. */
  rooms: new Map(),
  /** Public rooms I am not in, for the room browser: id -> room. */
  discover: new Map(),
  /** The room on screen, or null. */
  current: null,
  /** room id -> [user] online in it, from `presence` frames. */
  presence: new Map(),
  /** room id -> [user] typing in it, from `typing` frames. */
  typing: new Map(),
  /** Where "new messages" begin in the open room: {room, seq} (seq null: none). */
  readMarker: null,
  /** Whether the room list has loaded once (until then nothing is "empty"). */
  roomsLoaded: false,
  /** The socket's state: "connecting" | "open" | "reconnecting" | "offline". */
  connection: "connecting",
};

const listeners = new Map();

/**
 * Subscribes to a topic: "rooms" (the room list or a room's details changed),
 * "current" (another room was opened), "timeline" (messages of a room changed; the
 * detail is its id), "presence", "typing", "members" (room id), "connection".
 * Returns the function that unsubscribes.
 */
export function on(topic, fn) {
  if (!listeners.has(topic)) listeners.set(topic, new Set());
  listeners.get(topic).add(fn);
  return () => listeners.get(topic).delete(fn);
}

export function emit(topic, detail) {
  for (const fn of listeners.get(topic) || []) {
    try {
      fn(detail);
    } catch (err) {
      // One broken view must not stop the others (nor the socket's frame loop).
      console.error(`papo: a "${topic}" listener failed`, err);
    }
  }
}
