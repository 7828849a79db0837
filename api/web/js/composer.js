// Writing a message: a text box that grows with its text (Enter sends, Shift+Enter
// starts a new line), a draft kept per room, typing indicators, @mention suggestions,
// a reply's quote bar, and posts that show at once as "sending…" and go out again
// with the same temp_id after a reconnect.

import { $ } from "./dom.js";
import { attachMentions } from "./mention-complete.js";
import * as messages from "./messages.js";
import { cancelReply, replyingTo } from "./reply.js";
import * as socket from "./socket.js";
import { on, state } from "./state.js";
import { fit } from "./textbox.js";
import { editLast, toLatest } from "./timeline.js";

const MAX = 4000;
const TYPING_RENEW_MS = 3000; // the server lapses an indicator 5 s after the last one

const drafts = new Map(); // room id -> unsent text
let box;
let draftRoom = null;
let typingSentAt = 0;

function stopTyping(room) {
  if (typingSentAt && room) socket.send({ type: "typing", room_id: room, is_typing: false });
  typingSentAt = 0;
}

function submit(event) {
  event.preventDefault();
  const room = state.current;
  const content = box.value.trim();
  if (!content || !room) return;
  if (content.length > MAX) return;
  const tempId = messages.addPending(room, content, replyingTo(room)?.id || null);
  socket.send(messages.postFrame(tempId, messages.pending.get(tempId)));
  cancelReply();
  stopTyping(room);
  box.value = "";
  drafts.delete(room);
  fit(box);
  counter();
  toLatest();
}

function counter() {
  const left = MAX - box.value.length;
  const line = $("#composer-count");
  line.hidden = left > 500;
  line.textContent = left >= 0 ? `${left} characters left` : `${-left} characters too many`;
  line.classList.toggle("over", left < 0);
  $("#composer button[type=submit]").disabled = left < 0;
}

function onInput() {
  fit(box);
  counter();
  const room = state.current;
  if (!room) return;
  if (!box.value) return stopTyping(room);
  if (Date.now() - typingSentAt > TYPING_RENEW_MS) {
    typingSentAt = Date.now();
    socket.send({ type: "typing", room_id: room, is_typing: true });
  }
}

function onKey(event) {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    $("#composer").requestSubmit();
  } else if (event.key === "ArrowUp" && !box.value && editLast()) {
    event.preventDefault();
  } else if (event.key === "Escape" && cancelReply()) {
    event.preventDefault();
  }
}

// Switching rooms keeps what was being written in each.
function switchDraft(room) {
  if (draftRoom && box.value) drafts.set(draftRoom, box.value);
  else if (draftRoom) drafts.delete(draftRoom);
  stopTyping(draftRoom);
  draftRoom = room;
  box.value = drafts.get(room) || "";
  box.placeholder = placeholder(room);
  fit(box);
  counter();
}

function placeholder(roomId) {
  const room = state.rooms.get(roomId);
  if (!room) return "Message";
  return room.visibility === "direct" ? `Message ${room.peer?.name ?? ""}`.trim() : `Message #${room.name}`;
}

/** Posts whose ack never came go out again with the same temp_id: stored once. */
function resendPending() {
  for (const [tempId, post] of messages.pending) {
    if (!post.failed) socket.send(messages.postFrame(tempId, post));
  }
}

export function focus() {
  if (!$("#composer").hidden) box.focus();
}

export function start() {
  box = $("#composer textarea");
  $("#composer").addEventListener("submit", submit);
  box.addEventListener("input", onInput);
  attachMentions(box, () => state.current);
  box.addEventListener("keydown", onKey);
  box.addEventListener("blur", () => stopTyping(state.current));
  socket.onOpen(resendPending);
  on("current", switchDraft);
  on("rooms", () => {
    box.placeholder = placeholder(state.current);
  });
}
