// Reactions (DESIGN §8): the chips under a message ("👍 2", highlighted when one of
// them is mine; a click adds or takes back mine), and what the server's `reaction`
// frames change. My own clicks show at once; the frame that follows then changes
// nothing, because for my own user a count moves only when `me` flips. For others,
// the server sends one frame per change, so each moves the count by one.
// Only emoji written as the server writes them show at once (a chip's, the picker's):
// typed ones wait for the frame, since the server may write them otherwise (`:+1:`
// and 👍 are one reaction, "❤" is stored as "❤️").

import { call } from "./api.js";
import { el } from "./dom.js";
import { describe } from "./errors.js";
import { icon } from "./icons.js";
import { byId } from "./messages.js";
import { showPicker } from "./emoji-picker.js";
import * as session from "./session.js";
import { emit } from "./state.js";
import { toast } from "./toast.js";

const SHORT_CODE = /^:[a-z0-9_+-]{1,32}:$/;

/** What the chips of a message depend on (the timeline re-paints them when it changes). */
export function reactionsKey(m) {
  return (m.reactions || []).map((r) => `${r.emoji}${r.count}${r.me ? "*" : ""}`).join(" ");
}

/** The chips under a message, with a button to add another; null when it has none. */
export function reactionChips(m) {
  const reactions = (m.reactions || []).filter((r) => r.count > 0);
  if (!reactions.length) return null;
  const row = el("div", { class: "reactions", role: "group", "aria-label": "Reactions" });
  for (const r of reactions) {
    const label = `${r.emoji}: ${r.count} ${r.count === 1 ? "reaction" : "reactions"}${r.me ? ", including yours" : ""}`;
    const chip = el("button", {
      type: "button", class: `chip${r.me ? " mine" : ""}`, tabindex: "-1", "aria-pressed": String(r.me),
      "aria-label": label, title: r.me ? `${label}. Click to take yours back.` : `${label}. Click to react too.`,
      dataset: { emoji: r.emoji },
    }, el("span", { class: `emoji${SHORT_CODE.test(r.emoji) ? " code" : ""}` }, r.emoji), el("span", { class: "count" }, String(r.count)));
    chip.addEventListener("click", (event) => {
      event.stopPropagation();
      toggle(m, r.emoji, !r.me, { optimistic: true });
    });
    row.append(chip);
  }
  const more = el("button", { type: "button", class: "chip add", tabindex: "-1", title: "Add a reaction", "aria-label": "Add a reaction", dataset: { emoji: "+" } }, icon("smile"), "+");
  more.addEventListener("click", (event) => {
    event.stopPropagation();
    openPicker(more, m);
  });
  row.append(more);
  return row;
}

/** Opens the emoji picker by `anchor`; the chosen emoji is added as my reaction. */
export function openPicker(anchor, m) {
  showPicker(anchor, (emoji, { typed }) => react(m, emoji, { optimistic: !typed }));
}

/** Adds my reaction (from the picker): a second time changes nothing. */
export async function react(m, emoji, { optimistic }) {
  const current = byId(m.room_id, m.id) || m;
  const known = (current.reactions || []).find((r) => r.emoji === emoji);
  if (known?.me) return true;
  return toggle(current, emoji, true, { optimistic });
}

/**
 * Adds (`add`) or takes back my reaction; with `optimistic`, shown at once (and
 * undone if refused). Resolves false, after saying why, when the server refused.
 */
export async function toggle(m, emoji, add, { optimistic = false } = {}) {
  const me = session.user().id;
  if (optimistic) apply(m.room_id, m.id, emoji, me, add);
  try {
    await call(add ? "PUT" : "DELETE", `/messages/${m.id}/reactions/${encodeURIComponent(emoji)}`);
    return true;
  } catch (err) {
    if (optimistic) apply(m.room_id, m.id, emoji, me, !add);
    toast(describe(err), { kind: "error" });
    return false;
  }
}

/** A `reaction` frame: someone (maybe me, in this tab or another) reacted or took it back. */
export function onFrame(frame) {
  apply(frame.room_id, frame.message_id, frame.emoji, frame.user_id, frame.added);
}

function apply(roomId, messageId, emoji, userId, added) {
  const m = byId(roomId, messageId);
  if (!m || m.deleted) return;
  const mine = userId === session.user()?.id;
  const reactions = (m.reactions || []).map((r) => ({ ...r }));
  let r = reactions.find((x) => x.emoji === emoji);
  if (!r) {
    if (!added) return;
    r = { emoji, count: 0, me: false };
    reactions.push(r);
  }
  if (mine) {
    if (r.me === added) return; // already shown (my click, then its frame)
    r.me = added;
  }
  r.count = Math.max(0, r.count + (added ? 1 : -1));
  m.reactions = reactions.filter((x) => x.count > 0);
  emit("message-changed", m);
}
