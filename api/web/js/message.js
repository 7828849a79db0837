// One message in the timeline: who and when (left out when it follows the same
// author's previous one), its text with links, "(edited)", and one row of actions.
// `actionsFor` is the single place that decides which actions a message offers, so
// replies and reactions will be one entry each there.

import { call } from "./api.js";
import { confirmDialog } from "./dialog.js";
import { avatar, el } from "./dom.js";
import { describe } from "./errors.js";
import { fullLabel, links, timeLabel } from "./format.js";
import { icon } from "./icons.js";
import { pending, store } from "./messages.js";
import * as session from "./session.js";
import * as socket from "./socket.js";
import { emit } from "./state.js";
import { toast } from "./toast.js";
import { autoGrow } from "./textbox.js";

/** The text of a message as nodes: links are real, clickable `<a>` elements. */
export function textNodes(content) {
  return links(content).map((part) => typeof part === "string"
    ? part
    // Out of the Tab order like the actions: the timeline is one Tab stop (see timeline.js).
    : el("a", { href: part.href, target: "_blank", rel: "noopener noreferrer nofollow", tabindex: "-1" }, part.text));
}

function when(timestamp, extra = "") {
  return el("time", { class: `when${extra}`, datetime: timestamp, title: fullLabel(timestamp) }, timeLabel(timestamp));
}

/** A stored message as a list item; `grouped`: same author as the one just above. */
export function messageNode(m, { grouped }) {
  const mine = m.user.id === session.user()?.id;
  const li = el("li", {
    class: `msg${grouped ? " grouped" : ""}${m.deleted ? " deleted" : ""}${mine ? " mine" : ""}`,
    tabindex: "-1",
    dataset: { id: m.id, seq: String(m.seq) },
  });
  const gutter = grouped ? el("div", { class: "gutter" }, when(m.timestamp, " hover-time")) : el("div", { class: "gutter" }, avatar(m.user));
  const meta = grouped ? null : el("div", { class: "meta" },
    el("span", { class: "who" }, m.user.name),
    el("span", { class: "handle" }, `@${m.user.username}`),
    when(m.timestamp));
  const text = el("span", { class: "text" }, ...(m.deleted ? ["This message was deleted."] : textNodes(m.content)));
  const edited = m.edited_at && !m.deleted ? el("span", { class: "edited", title: `Edited ${fullLabel(m.edited_at)}` }, "(edited)") : null;
  li.append(gutter, el("div", { class: "body" }, meta, el("div", { class: "content" }, text, edited)), actionsRow(actionsFor(m, li)));
  li.setAttribute("aria-label", `${m.user.name}, ${timeLabel(m.timestamp)}: ${m.deleted ? "deleted message" : m.content}${m.edited_at ? " (edited)" : ""}`);
  return li;
}

/** The actions a message offers me. Each is {name, label, icon, run}. */
export function actionsFor(m, li) {
  const mine = m.user.id === session.user()?.id;
  if (m.deleted || !mine) return [];
  return [
    { name: "edit", label: "Edit", icon: "pencil", run: () => startEdit(li, m) },
    { name: "delete", label: "Delete", icon: "trash", run: () => askDelete(m) },
  ];
}

/** The row of action buttons; out of the Tab order until its message has focus. */
export function actionsRow(actions) {
  const row = el("div", { class: "actions", role: "toolbar", "aria-label": "Message actions" });
  for (const action of actions) {
    const button = el("button", { type: "button", class: `action ${action.name}`, tabindex: "-1", title: action.label, "aria-label": action.label },
      icon(action.icon), el("span", { class: "action-label" }, action.label));
    button.addEventListener("click", (event) => {
      event.stopPropagation();
      action.run();
    });
    row.append(button);
  }
  return row;
}

async function askDelete(m) {
  const yes = await confirmDialog({
    title: "Delete this message?",
    text: m.content.length > 160 ? `${m.content.slice(0, 160)}…` : m.content,
    confirm: "Delete",
    danger: true,
  });
  if (!yes) return;
  try {
    await call("DELETE", `/messages/${m.id}`);
    store({ ...m, content: "", deleted: true }, { replace: true });
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
    const now = document.querySelector(`#message-list .msg[data-id="${m.id}"]`) || li;
    (returnTo || now).focus();
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const content = box.value;
    if (!content.trim()) return (error.textContent = "A message can't be empty. To remove it, delete it.");
    if (content === m.content) return finish();
    try {
      const updated = await call("PATCH", `/messages/${m.id}`, { content });
      store(updated, { replace: true }); // the `edited` frame says the same, later
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
export function pendingNode(tempId, post, me) {
  const li = el("li", { class: `msg mine ${post.failed ? "failed" : "pending"}`, tabindex: "-1", dataset: { temp: tempId } },
    el("div", { class: "gutter" }, avatar(me)),
    el("div", { class: "body" },
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
  socket.send({ type: "message", room_id: post.room, content: post.content, temp_id: tempId });
  emit("timeline", post.room);
}
