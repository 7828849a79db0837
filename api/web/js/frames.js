// What each frame from the socket changes. Models keep the data; views re-render on
// the topics emitted here.

import { describe } from "./errors.js";
import * as messages from "./messages.js";
import * as notify from "./notify.js";
import * as reactions from "./reactions.js";
import * as rooms from "./rooms.js";
import { byUsername } from "./roster.js";
import * as session from "./session.js";
import { emit, state } from "./state.js";
import { toast } from "./toast.js";

const me = () => session.user();

export function onFrame(frame) {
  switch (frame.type) {
    case "history": return onHistory(frame);
    case "message": return onMessage(frame);
    case "ack": return onAck(frame);
    case "edited":
    case "deleted":
      messages.update(frame.message);
      return emit("timeline", frame.room_id);
    case "presence":
      state.presence.set(frame.room_id, frame.online);
      return emit("presence", frame.room_id);
    case "typing":
      state.typing.set(frame.room_id, frame.users);
      return emit("typing", frame.room_id);
    case "system": return onSystem(frame);
    case "read": return rooms.onRead(frame);
    case "room": return rooms.onRoomEvent(frame);
    // DESIGN §8: a message that mentions me (its message frame comes too), reactions
    // and reply counts.
    case "mention":
      rooms.countMention(frame.message);
      return notify.message(frame.message, "mention");
    case "reaction": return reactions.onFrame(frame);
    case "replied": return onReplied(frame);
    case "error": return onError(frame);
    default: return undefined; // frames from a newer server: ignored
  }
}

// A replay after a reconnect (the room had a resume point) brings missed messages,
// which count as unread; the history that answers a join is just the room's past.
function onHistory(frame) {
  const resumed = messages.lastSeq(frame.room_id) > 0;
  for (const m of frame.messages) {
    if (!messages.store(m)) continue;
    if (resumed) rooms.countIncoming(m);
    emit("message-new", m); // a reply missed while away reaches its open thread
  }
  afterNews(frame.room_id);
}

function onMessage(message) {
  if (!messages.store(message)) return;
  if (!state.rooms.has(message.room_id)) {
    rooms.load().catch(() => {}); // a room this tab did not know of yet
  }
  rooms.countIncoming(message);
  const room = state.rooms.get(message.room_id);
  if (room && rooms.isDirect(room) && message.user.id !== me().id) notify.message(message, "direct");
  emit("message-new", message);
  afterNews(message.room_id);
}

function onReplied(frame) {
  const parent = messages.byId(frame.room_id, frame.message_id);
  if (!parent || parent.reply_count === frame.reply_count) return;
  parent.reply_count = frame.reply_count;
  emit("message-changed", parent);
}

// My own post as the server stored it: the ack has its id, seq and time; the rest
// is known here (whom it mentions: the members its @usernames name, as the server reads them).
function ownMessage(ack, post) {
  const parent = post.reply_to ? messages.byId(ack.room_id, post.reply_to) : null;
  const names = byUsername(ack.room_id);
  const mentions = [...post.content.matchAll(/@([\p{L}\p{N}._+@-]+)/gu)]
    .map((match) => names.get(match[1].toLowerCase()) || names.get(match[1].toLowerCase().replace(/\.+$/, "")))
    .filter((u) => u && u.id !== me().id).map((u) => u.id);
  return {
    id: ack.id, room_id: ack.room_id, seq: ack.seq, user: me(), content: post.content,
    timestamp: ack.timestamp, edited_at: null, deleted: false, deleted_by: null,
    reply_to: post.reply_to ? {
      id: post.reply_to, seq: parent?.seq ?? 0, user: parent?.user ?? { id: "", name: "someone", username: "" },
      excerpt: parent && !parent.deleted ? [...parent.content].slice(0, 100).join("") : "",
    } : null,
    reply_count: 0, reactions: [], mentions: [...new Set(mentions)],
  };
}

function onAck(ack) {
  const post = messages.pending.get(ack.temp_id);
  messages.pending.delete(ack.temp_id);
  if (post) {
    const message = ownMessage(ack, post);
    messages.store(message);
    emit("message-new", message);
  } else {
    messages.see(ack.room_id, ack.seq);
  }
  afterNews(ack.room_id);
}

function afterNews(roomId) {
  if (rooms.viewing(roomId)) rooms.markRead(roomId);
  emit("timeline", roomId);
}

const MEMBERSHIP = new Map([["joined", "joined"], ["left", "left"], ["removed", "was removed from"], ["banned", "was banned from"]]);

// `joined`/`left`/`removed`/`banned`: someone became or stopped being a member (a notice in the room).
// `join`/`leave` only say that a user's first socket opened or last one closed: that
// is presence, shown by the `presence` frame after it, not a notice.
function onSystem(frame) {
  const room = state.rooms.get(frame.room_id);
  if (!room) return;
  // A direct room always has the same two people: its "joined" says nothing new.
  if (rooms.isDirect(room)) return;
  if (MEMBERSHIP.has(frame.event)) {
    const name = frame.user?.name || "Someone";
    const text = frame.content || `${name} ${MEMBERSHIP.get(frame.event)} the room.`;
    messages.addNotice(room.id, text, frame.timestamp);
    if (frame.user?.id !== me().id) {
      room.member_count = Math.max(1, (room.member_count || 1) + (frame.event === "joined" ? 1 : -1));
      emit("rooms");
    }
    emit("members", room.id);
  }
}

const ROOM_GONE = new Set(["not_in_room", "room_not_found", "room_forbidden", "not_room_member"]);

function onError(frame) {
  const post = frame.temp_id && messages.pending.get(frame.temp_id);
  if (post) {
    post.failed = describe(frame);
    post.code = frame.code;
    emit("timeline", post.room);
    if (ROOM_GONE.has(frame.code)) rooms.check(post.room);
    return;
  }
  // The close that follows a slow_consumer resumes by itself; a typing or read frame
  // over the rate, or one for a room this socket stopped following, needs no words.
  if (frame.code === "slow_consumer" || frame.code === "rate_limited" || ROOM_GONE.has(frame.code)) return;
  toast(describe(frame));
}
