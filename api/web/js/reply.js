// Replying to a message from the message box: "Reply" on a message puts a quote bar
// above the box (who and what), the next post carries `reply_to`, and Escape or the
// bar's × cancels. Opening another room cancels it too, as in Discord.

import { $ } from "./dom.js";
import { byId } from "./messages.js";
import { on, state } from "./state.js";

let target = null; // the message being answered, in the open room

/** The message the next post in `room` answers, or null. */
export function replyingTo(room) {
  return target && target.room_id === room ? target : null;
}

function paint() {
  const bar = $("#reply-bar");
  bar.hidden = !target;
  if (!target) return;
  $("#reply-who").textContent = target.user.name;
  const excerpt = target.content.length > 120 ? `${target.content.slice(0, 120)}…` : target.content;
  $("#reply-excerpt").textContent = excerpt;
  $("#reply-excerpt").title = target.content;
}

export function startReply(m) {
  if (m.room_id !== state.current || m.deleted) return;
  target = m;
  paint();
  const box = $("#composer textarea");
  box.focus();
  box.setSelectionRange(box.value.length, box.value.length);
}

/** Ends the reply (sent, cancelled, or the room changed); returns whether one was on. */
export function cancelReply() {
  const was = Boolean(target);
  target = null;
  paint();
  return was;
}

export function start() {
  on("reply", startReply);
  on("current", cancelReply);
  $("#reply-cancel").addEventListener("click", () => {
    cancelReply();
    $("#composer textarea").focus();
  });
  // The message answered was deleted meanwhile: nothing left to quote.
  on("timeline", () => {
    if (target && byId(target.room_id, target.id)?.deleted) cancelReply();
  });
}
