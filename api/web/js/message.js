// One message in the timeline (or a thread): who and when (left out when it follows
// the same author's previous one), the message it replies to, its text with links and
// @mentions, "(edited)", its reactions and reply count, and one row of actions.
// `actionsFor` is the single place that decides which actions a message offers.

import { call } from "./api.js";
import { confirmDialog } from "./dialog.js";
import { avatar, el } from "./dom.js";
import { describe } from "./errors.js";
import { fullLabel, links, timeLabel } from "./format.js";
import { icon } from "./icons.js";
import { byId, pending, postFrame, update } from "./messages.js";
import { openPicker, reactionChips, reactionsKey } from "./reactions.js";
import { byUsername, canModerate } from "./roster.js";
import * as session from "./session.js";
import * as socket from "./socket.js";
import { emit } from "./state.js";
import { toast } from "./toast.js";
import { autoGrow } from "./textbox.js";

// `@username` where a word starts: letters, digits and . _ @ + - (e-mail usernames).
const MENTION = /(?<![\p{L}\p{N}_])@([\p{L}\p{N}._+@-]+)/gu;

/**
 * The text of a message as nodes: links are real, clickable `<a>` elements, and
 * `@username` of someone in `names` (lower-case username -> user) is styled.
 */
export function textNodes(content, names = null) {
  const me = session.user()?.id;
  return links(content).flatMap((part) => typeof part === "string"
    ? (names?.size ? mentionParts(part, names, me) : [part])
    // Out of the Tab order like the actions: the timeline is one Tab stop (see timeline.js).
    : [el("a", { href: part.href, target: "_blank", rel: "noopener noreferrer nofollow", tabindex: "-1" }, part.text)]);
}

function mentionParts(text, names, me) {
  const out = [];
  let last = 0;
  for (const match of text.matchAll(MENTION)) {
    // "@ana." at the end of a sentence names ana, as the server reads it.
    const token = match[1].toLowerCase();
    const name = names.has(token) ? token : token.replace(/\.+$/, "");
    const user = names.get(name);
    if (!user) continue;
    const end = match.index + 1 + name.length;
    if (match.index > last) out.push(text.slice(last, match.index));
    out.push(el("span", { class: `mention${user.id === me ? " to-me" : ""}`, title: user.name }, text.slice(match.index, end)));
    last = end;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** The people a message mentions, by lower-case username (those this tab can name). */
export function mentionNames(m) {
  if (!m.mentions?.length) return null;
  const names = new Map();
  for (const [name, user] of byUsername(m.room_id)) if (m.mentions.includes(user.id)) names.set(name, user);
  return names;
}

/** What a message's node depends on besides its content, for the timeline's cache. */
export function nodeKey(m) {
  const names = mentionNames(m);
  const actions = actionsFor(m, null).map((a) => a.name).join(",");
  return `${m.deleted_by?.id || ""}:${m.reply_to ? Boolean(m.reply_to.excerpt) : ""}:${names ? [...names.keys()].join(",") : ""}:${actions}`;
}

function when(timestamp, extra = "") {
  return el("time", { class: `when${extra}`, datetime: timestamp, title: fullLabel(timestamp) }, timeLabel(timestamp));
}

function deletedText(m) {
  const by = m.deleted_by;
  return by && by.id !== m.user.id ? `This message was deleted by ${by.name}.` : "This message was deleted.";
}

/** The compact quote of the message a reply answers; a click shows that message. */
export function replyQuote(roomId, ref) {
  const gone = !ref.excerpt;
  const quote = el("button", {
    type: "button", class: "reply-quote", tabindex: "-1", title: "Show the message this replies to",
    "aria-label": `Reply to ${ref.user.name}: ${gone ? "deleted message" : ref.excerpt}. Show it.`,
  }, icon("reply", "icon quote-icon"), el("span", { class: "quote-who" }, ref.user.name),
  el("span", { class: `quote-text${gone ? " gone" : ""}` }, gone ? "deleted message" : ref.excerpt));
  quote.addEventListener("click", (event) => {
    event.stopPropagation();
    emit("reveal", { room: roomId, seq: ref.seq, id: ref.id });
  });
  return quote;
}

/** The reactions under a message and its "3 replies" (which opens the thread). */
export function extrasNode(m, { inThread = false } = {}) {
  const chips = m.deleted ? null : reactionChips(m);
  const replies = !inThread && m.reply_count > 0
    ? el("button", { type: "button", class: "thread-link", tabindex: "-1", "aria-label": `${m.reply_count} ${m.reply_count === 1 ? "reply" : "replies"}, open the thread` },
      icon("thread"), `${m.reply_count} ${m.reply_count === 1 ? "reply" : "replies"}`)
    : null;
  replies?.addEventListener("click", (event) => {
    event.stopPropagation();
    emit("thread", m);
  });
  const node = el("div", { class: "extras", dataset: { key: extrasKey(m) } }, chips, replies);
  node.hidden = !chips && !replies;
  return node;
}

export const extrasKey = (m) => `${m.deleted ? "" : reactionsKey(m)}|${m.reply_count || 0}`;

/**
 * A stored message as a list item; `grouped`: same author as the one just above;
 * `inThread`: shown in a thread's panel (no quote of the parent, no reply count).
 */
export function messageNode(m, { grouped, inThread = false }) {
  const me = session.user()?.id;
  const mine = m.user.id === me;
  const mentionsMe = !m.deleted && !mine && Boolean(m.mentions?.includes(me));
  const li = el("li", {
    class: `msg${grouped ? " grouped" : ""}${m.deleted ? " deleted" : ""}${mine ? " mine" : ""}${mentionsMe ? " mentions-me" : ""}`,
    tabindex: "-1",
    dataset: { id: m.id, seq: String(m.seq) },
  });
  const gutter = grouped ? el("div", { class: "gutter" }, when(m.timestamp, " hover-time")) : el("div", { class: "gutter" }, avatar(m.user));
  const meta = grouped ? null : el("div", { class: "meta" },
    el("span", { class: "who" }, m.user.name),
    el("span", { class: "handle" }, `@${m.user.username}`),
    when(m.timestamp));
  const quote = m.reply_to && !inThread ? replyQuote(m.room_id, m.reply_to) : null;
  const text = el("span", { class: "text" }, ...(m.deleted ? [deletedText(m)] : textNodes(m.content, mentionNames(m))));
  const edited = m.edited_at && !m.deleted ? el("span", { class: "edited", title: `Edited ${fullLabel(m.edited_at)}` }, "(edited)") : null;
  li.append(gutter, el("div", { class: "body" }, quote, meta, el("div", { class: "content" }, text, edited), extrasNode(m, { inThread })),
    actionsRow(actionsFor(m, li, { inThread })));
  const about = [
    `${m.user.name}, ${timeLabel(m.timestamp)}`,
    m.reply_to ? `replying to ${m.reply_to.user.name}` : "",
    mentionsMe ? "mentions you" : "",
  ].filter(Boolean).join(", ");
  li.setAttribute("aria-label", `${about}: ${m.deleted ? deletedText(m) : m.content}${m.edited_at ? " (edited)" : ""}`);
  return li;
}

/** Puts a message's reactions and reply count up to date without rebuilding it (focus stays). */
export function refreshExtras(li, m, options) {
  const old = li.querySelector(":scope > .body > .extras");
  if (!old || old.dataset.key === extrasKey(m)) return;
  const focused = old.contains(document.activeElement) ? document.activeElement.dataset.emoji || "thread" : null;
  const fresh = extrasNode(m, options);
  old.replaceWith(fresh);
  if (focused) {
    const again = [...fresh.querySelectorAll("button")].find((b) => (b.dataset.emoji || "thread") === focused);
    for (const b of fresh.querySelectorAll("button")) b.tabIndex = 0; // the message still has the focus within
    (again || li).focus();
  }
}

/** The actions a message offers me. Each is {name, label, icon, run(button)}. */
export function actionsFor(m, li, { inThread = false } = {}) {
  if (m.deleted) return [];
  const mine = m.user.id === session.user()?.id;
  const actions = [{ name: "react", label: "React", icon: "smile", run: (button) => openPicker(button || li, m) }];
  if (!inThread) actions.push({ name: "reply", label: "Reply", icon: "reply", run: () => emit("reply", m) });
  if (mine) actions.push({ name: "edit", label: "Edit", icon: "pencil", run: () => startEdit(li, m) });
  // Owners and admins delete others' messages too (an admin not the owner's or an admin's).
  if (mine || canModerate(m.room_id, m.user.id)) actions.push({ name: "delete", label: "Delete", icon: "trash", run: () => askDelete(m) });
  return actions;
}

/** The row of action buttons; out of the Tab order until its message has focus. */
export function actionsRow(actions) {
  const row = el("div", { class: "actions", role: "toolbar", "aria-label": "Message actions" });
  for (const action of actions) {
    const button = el("button", { type: "button", class: `action ${action.name}`, tabindex: "-1", title: action.label, "aria-label": action.label },
      icon(action.icon), el("span", { class: "action-label" }, action.label));
    button.addEventListener("click", (event) => {
      event.stopPropagation();
      action.run(button);
    });
    row.append(button);
  }
  return row;
}

async function askDelete(m) {
  const me = session.user();
  const excerpt = m.content.length > 160 ? `${m.content.slice(0, 160)}…` : m.content;
  const yes = await confirmDialog({
    title: m.user.id === me.id ? "Delete this message?" : `Delete ${m.user.name}'s message?`,
    text: m.user.id === me.id ? excerpt : `${excerpt}\n\nIt will be deleted for everyone, with your name on it.`,
    confirm: "Delete",
    danger: true,
  });
  if (!yes) return;
  try {
    await call("DELETE", `/messages/${m.id}`);
    update({ ...m, content: "", deleted: true, reactions: [], deleted_by: { id: me.id, name: me.name, username: me.username } });
    emit("timeline", m.room_id);
  } catch (err) {
    toast(describe(err), { kind: "error" });
  }
}

/**
 * Edits a message in place: a text box that keeps line breaks; Enter saves, Esc
 * cancels. Afterwards the focus goes to `returnTo` (the message box, when the edit
 * began there with ↑) or back to the message.
 */
export function startEdit(li, m, { returnTo = null } = {}) {
  if (!li) return;
  if (li.querySelector(".edit-form")) return li.querySelector(".edit-form textarea").focus();
  const text = li.querySelector(".content");
  const box = el("textarea", { "aria-label": "Edit message", maxlength: "4000", rows: "1" });
  box.value = m.content;
  const error = el("p", { class: "error", role: "alert" });
  const form = el("form", { class: "edit-form" }, box,
    el("div", { class: "edit-buttons" },
      el("span", { class: "hint" }, "Enter to save, Shift+Enter for a new line, Esc to cancel"),
      el("button", { type: "button", class: "secondary cancel" }, "Cancel"),
      el("button", { type: "submit", class: "primary" }, "Save")),
    error);
  const finish = () => {
    form.remove();
    text.hidden = false;
    li.classList.remove("editing");
    // A saved edit re-renders the message as a new node: focus that one.
    const list = li.closest("ol") || document;
    const now = list.querySelector(`.msg[data-id="${m.id}"]`) || li;
    (returnTo || now).focus();
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const content = box.value;
    if (!content.trim()) return (error.textContent = "A message can't be empty. To remove it, delete it.");
    if (content === m.content) return finish();
    try {
      const updated = await call("PATCH", `/messages/${m.id}`, { content });
      update(updated); // the `edited` frame says the same, later
      emit("timeline", m.room_id);
      finish();
    } catch (err) {
      error.textContent = describe(err);
    }
  });
  form.querySelector(".cancel").addEventListener("click", finish);
  box.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      finish();
    } else if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  text.hidden = true;
  li.classList.add("editing");
  text.after(form);
  autoGrow(box);
  box.focus();
  box.setSelectionRange(box.value.length, box.value.length);
  form.scrollIntoView({ block: "nearest" }); // Save and Cancel, under the last message too
}

/** A post not yet acknowledged ("sending…"), or refused ("not sent", with retry). */
export function pendingNode(tempId, post, me, { inThread = false } = {}) {
  const parent = post.reply_to && !inThread ? byId(post.room, post.reply_to) : null;
  const li = el("li", { class: `msg mine ${post.failed ? "failed" : "pending"}`, tabindex: "-1", dataset: { temp: tempId } },
    el("div", { class: "gutter" }, avatar(me)),
    el("div", { class: "body" },
      parent ? replyQuote(post.room, { id: parent.id, seq: parent.seq, user: parent.user, excerpt: parent.deleted ? "" : parent.content.slice(0, 100) }) : null,
      el("div", { class: "meta" }, el("span", { class: "who" }, me.name),
        el("span", { class: "when" }, post.failed ? "not sent" : "sending…")),
      el("div", { class: "content" }, el("span", { class: "text" }, ...textNodes(post.content))),
      post.failed ? el("p", { class: "why" }, post.failed) : null));
  if (post.failed) {
    li.append(actionsRow([
      { name: "retry", label: "Retry", icon: "retry", run: () => retry(tempId, post) },
      { name: "discard", label: "Discard", icon: "trash", run: () => { pending.delete(tempId); emit("timeline", post.room); } },
    ]));
  }
  return li;
}

function retry(tempId, post) {
  post.failed = null;
  post.code = null;
  // The same temp_id: stored once even if the first attempt got through after all.
  socket.send(postFrame(tempId, post));
  emit("timeline", post.room);
}
