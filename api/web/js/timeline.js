// The open room's messages: day separators, consecutive messages of one author
// grouped, notices between them, the "new messages" marker, and posts on their way.
//
// Scrolling: the list is its own scroller (the page never scrolls). A room opens at
// its newest message (or at the first unread one when that is further up than a
// screen). While the reader is at the bottom, new messages keep it there; when they
// scrolled up, nothing moves under them and a "new messages" button appears instead.
// Older messages load as they near the top, and the message they were looking at
// stays where it was.

import { $, el, reconcile } from "./dom.js";
import { dayKey, dayLabel, typingText } from "./format.js";
import { messageNode, pendingNode, startEdit } from "./message.js";
import * as messages from "./messages.js";
import { loadOlder } from "./navigation.js";
import { title } from "./rooms.js";
import * as session from "./session.js";
import { on, state } from "./state.js";

const GROUP_MS = 5 * 60 * 1000; // one author's messages this close together form a group
const NEAR_BOTTOM = 80;
const NEAR_TOP = 600;

let box; // the scroller
let list; // the <ol>
let shownRoom = null;
let placedFor = null; // the room whose opening scroll position was set
let stick = true; // keep the newest message in view
let unseen = 0; // messages that arrived while scrolled up
let loadingOlder = false;
let cache = new Map(); // key -> node, so unchanged messages keep their nodes (and focus)

const atBottom = () => box.scrollHeight - box.scrollTop - box.clientHeight < NEAR_BOTTOM;

function entries(room) {
  const out = [];
  const stored = messages.list(room).map((m) => ({ kind: "message", at: Date.parse(m.timestamp), m }));
  const notices = messages.noticesOf(room).map((n) => ({ kind: "notice", at: Date.parse(n.timestamp), n }));
  // Notices go after the messages of their time (both lists are in time order).
  let i = 0;
  for (const e of stored) {
    while (i < notices.length && notices[i].at < e.at) out.push(notices[i++]);
    out.push(e);
  }
  while (i < notices.length) out.push(notices[i++]);
  return out;
}

function nodesFor(room) {
  const nodes = [];
  const next = new Map();
  const reuse = (key, make) => {
    const node = cache.get(key) || make();
    next.set(key, node);
    nodes.push(node);
  };
  let day = null;
  let previous = null; // the message just above, for grouping
  const marker = state.readMarker?.room === room ? state.readMarker.seq : null;
  for (const e of entries(room)) {
    const key = dayKey(e.at);
    if (key !== day) {
      day = key;
      previous = null;
      const label = dayLabel(e.at);
      reuse(`day:${key}:${label}`, () => el("li", { class: "day", role: "separator", "aria-label": label }, el("span", {}, label)));
    }
    if (e.kind === "notice") {
      previous = null;
      reuse(e.n.key, () => el("li", { class: "notice" }, e.n.text));
      continue;
    }
    const m = e.m;
    if (m.seq === marker) {
      previous = null;
      reuse("marker", () => el("li", { class: "read-marker", role: "separator", "aria-label": "New messages" }, el("span", {}, "New")));
    }
    const grouped = Boolean(previous) && previous.user.id === m.user.id && !previous.deleted && !m.deleted &&
      e.at - Date.parse(previous.timestamp) < GROUP_MS;
    reuse(`m:${m.id}:${m.edited_at || ""}:${m.deleted}:${grouped}`, () => messageNode(m, { grouped }));
    previous = m;
  }
  const me = session.user();
  for (const [tempId, post] of messages.pending) {
    if (post.room === room) reuse(`p:${tempId}:${post.failed || ""}`, () => pendingNode(tempId, post, me));
  }
  cache = next;
  return nodes;
}

// The message at the top of the view and how far below the top it is. Only messages
// and notices: a day separator stays first while older messages go in after it.
function anchor() {
  const top = box.getBoundingClientRect().top;
  for (const node of list.querySelectorAll(".msg, .notice")) {
    const rect = node.getBoundingClientRect();
    if (rect.bottom > top) return { node, offset: rect.top - top };
  }
  return null;
}

function render(room = state.current) {
  if (!room || room !== state.current) return;
  const fresh = room !== shownRoom;
  if (fresh) {
    shownRoom = room;
    cache = new Map();
    list.replaceChildren();
    stick = true;
    unseen = 0;
  }
  const before = stick ? null : anchor();
  const count = list.querySelectorAll(".msg").length;
  reconcile(list, nodesFor(room));
  keepTabStop();
  renderStart(room);
  if (stick) {
    box.scrollTop = box.scrollHeight;
  } else if (before?.node.isConnected) {
    box.scrollTop += before.node.getBoundingClientRect().top - box.getBoundingClientRect().top - before.offset;
    // Messages that arrived below while the reader is scrolled up.
    const added = list.querySelectorAll(".msg").length - count;
    if (added > 0 && !loadingOlder) unseen += added;
  }
  jumpButton();
  // A short first page leaves nothing to scroll: fetch more until it fills the view.
  if (box.scrollHeight <= box.clientHeight + 10) older();
}

function renderStart(room) {
  const more = messages.olderCursor(room) !== null;
  $("#older").hidden = !more || !messages.hasHistory(room);
  const intro = $("#room-intro");
  intro.hidden = more || !messages.hasHistory(room);
  const r = state.rooms.get(room);
  if (!intro.hidden && r) {
    intro.replaceChildren(
      el("strong", {}, r.visibility === "direct" ? `This is the beginning of your conversation with ${title(r)}.` : `This is the very beginning of ${title(r)}.`),
      r.description ? el("span", {}, ` ${r.description}`) : "");
  }
  $("#timeline-loading").hidden = messages.hasHistory(room);
}

/** Scrolls to the first unread message when it is more than a screen up, else to the end. */
function placeOnOpen(room) {
  const marker = list.querySelector(".read-marker");
  if (marker && box.scrollHeight - marker.offsetTop > box.clientHeight) {
    box.scrollTop = marker.offsetTop - 48;
    stick = atBottom();
  } else {
    box.scrollTop = box.scrollHeight;
    stick = true;
  }
  jumpButton();
}

async function older() {
  const room = state.current;
  if (loadingOlder || !room || !messages.olderCursor(room)) return;
  loadingOlder = true;
  const wasStuck = stick;
  stick = false; // keep the reader's place while older messages go in above
  try {
    await loadOlder(room);
  } catch {
    // The button stays; the next scroll tries again.
  } finally {
    loadingOlder = false;
    if (wasStuck && room === state.current && atBottom()) stick = true;
  }
}

function jumpButton() {
  const button = $("#jump-latest");
  button.hidden = stick;
  $("#jump-latest-label").textContent = unseen > 0 ? `${unseen} new ${unseen === 1 ? "message" : "messages"}` : "Jump to latest";
}

/** Scrolls to the newest message. */
export function toLatest() {
  stick = true;
  unseen = 0;
  box.scrollTop = box.scrollHeight;
  jumpButton();
}

function onScroll() {
  const bottom = atBottom();
  if (bottom !== stick) {
    stick = bottom;
    if (bottom) unseen = 0;
    jumpButton();
  }
  if (box.scrollTop < NEAR_TOP) older();
}

function renderTyping(room) {
  if (room !== state.current) return;
  const me = session.user()?.id;
  $("#typing").textContent = typingText((state.typing.get(room) || []).filter((u) => u.id !== me));
}

/** Opens the inline editor on my newest message (↑ in an empty composer, as in Slack). */
export function editLast() {
  const mine = [...list.querySelectorAll(".msg.mine:not(.deleted):not(.pending):not(.failed)")].pop();
  if (!mine) return false;
  const m = messages.find(state.current, (x) => x.id === mine.dataset.id);
  if (!m) return false;
  mine.scrollIntoView({ block: "nearest" });
  startEdit(mine, m, { returnTo: document.activeElement });
  return true;
}

// Keyboard: the list is one Tab stop; ↑/↓ walk the messages, Enter or E edits mine,
// Delete deletes it, Tab goes into the focused message's action buttons.
function onKey(event) {
  const items = [...list.querySelectorAll(".msg")];
  const at = items.indexOf(document.activeElement);
  if (event.target.closest(".actions") && (event.key === "ArrowUp" || event.key === "ArrowDown")) {
    event.preventDefault();
    event.target.closest(".msg").focus(); // from a button back to its message
    return;
  }
  if (event.target === list && (event.key === "ArrowUp" || event.key === "ArrowDown")) {
    event.preventDefault();
    items[items.length - 1]?.focus();
    return;
  }
  if (at < 0) return;
  const step = { ArrowUp: -1, ArrowDown: 1 }[event.key];
  if (step) {
    event.preventDefault();
    items[Math.max(0, Math.min(items.length - 1, at + step))].focus();
  } else if (event.key === "Home" || event.key === "End") {
    event.preventDefault();
    items[event.key === "Home" ? 0 : items.length - 1].focus();
  } else if (event.key === "Enter" || event.key === "e") {
    items[at].querySelector(".action.edit, .action.retry")?.click();
  } else if (event.key === "Delete" || event.key === "Backspace") {
    items[at].querySelector(".action.delete, .action.discard")?.click();
  }
}

// A roving Tab stop: the timeline is one stop (the list, or the message last focused,
// so Shift+Tab from the message box returns there). A focused message's links and
// buttons join the Tab order and leave it when focus moves on, so that Tab crosses a
// long timeline in one step.
const INNER = ".actions button, .text a";
function onFocusIn(event) {
  const item = event.target.closest(".msg");
  for (const b of list.querySelectorAll(`:is(${INNER})[tabindex='0']`)) {
    if (!item || !item.contains(b)) b.tabIndex = -1;
  }
  if (!item) return;
  for (const b of item.querySelectorAll(INNER)) b.tabIndex = 0;
  for (const other of list.querySelectorAll(".msg[tabindex='0']")) if (other !== item) other.tabIndex = -1;
  item.tabIndex = 0;
  list.tabIndex = -1;
}

// After a re-render the roving stop may have gone with its message: the list again.
function keepTabStop() {
  if (!list.querySelector(".msg[tabindex='0']")) list.tabIndex = 0;
}

export function start() {
  box = $("#messages");
  list = $("#message-list");
  box.addEventListener("scroll", onScroll, { passive: true });
  list.addEventListener("keydown", onKey);
  list.addEventListener("focusin", onFocusIn);
  list.addEventListener("focusout", (event) => {
    if (!list.contains(event.relatedTarget)) for (const b of list.querySelectorAll(`:is(${INNER})[tabindex='0']`)) b.tabIndex = -1;
  });
  // A tap on a message (touch screens have no hover) shows its actions.
  list.addEventListener("click", (event) => {
    const item = event.target.closest(".msg");
    if (item && !event.target.closest("a, button, textarea") && document.activeElement !== item && !item.contains(document.activeElement)) item.focus();
  });
  $("#older").addEventListener("click", older);
  $("#jump-latest").addEventListener("click", toLatest);
  // The composer growing, a phone keyboard opening: stay at the newest message.
  new ResizeObserver(() => {
    if (stick) box.scrollTop = box.scrollHeight;
  }).observe(box);
  const show = (room) => {
    render(room);
    if (room === state.current && placedFor !== room && messages.hasHistory(room)) {
      placedFor = room;
      placeOnOpen(room);
    }
  };
  on("timeline", show);
  on("current", (room) => {
    shownRoom = null;
    placedFor = null;
    show(room);
    renderTyping(room);
  });
  on("typing", renderTyping);
}
