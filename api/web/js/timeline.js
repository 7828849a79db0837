// The open room's messages: day separators, consecutive messages of one author
// grouped, notices between them, the "new messages" marker, and posts on their way.
//
// Scrolling: the list is its own scroller (the page never scrolls). A room opens at
// its newest message (or at the first unread one when that is further up than a
// screen). While the reader is at the bottom, new messages keep it there; when they
// scrolled up, nothing moves under them and a "new messages" button appears instead.
// Older messages load as they near the top, and the message they were looking at
// stays where it was.
//
// Jumping to a message (a reply's quote, a search hit) loads the page around it when
// it is not loaded yet. Seqs have no gaps, so two loaded messages whose seqs are not
// consecutive have unloaded ones between them: a row there offers to load them.

import { $, el, reconcile } from "./dom.js";
import { dayKey, dayLabel } from "./format.js";
import { messageNode, nodeKey, pendingNode, refreshExtras, startEdit } from "./message.js";
import * as messages from "./messages.js";
import { loadAround, loadBetween, loadOlder, open, refreshLatest } from "./navigation.js";
import { title } from "./rooms.js";
import * as session from "./session.js";
import * as socket from "./socket.js";
import { emit, on, state } from "./state.js";
import { attachMessageKeys, keepTabStop } from "./timeline-keys.js";

const GROUP_MS = 5 * 60 * 1000; // one author's messages this close together form a group
const NEAR_BOTTOM = 80;
const NEAR_TOP = 600;
const FLASH_MS = 2500;

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

function gapRow(room, low, high) {
  const missing = high - low - 1;
  const button = el("button", { type: "button", class: "secondary small" }, `Load ${missing} more ${missing === 1 ? "message" : "messages"}`);
  let loading = false; // (not `disabled`: that would drop the keyboard's focus)
  button.addEventListener("click", async () => {
    if (loading) return;
    loading = true;
    stick = false; // the messages go in around the reader, who stays put
    const hadFocus = document.activeElement === button;
    try {
      await loadBetween(room, low, high);
      // The row is gone (or shorter, higher up): the keyboard goes on from the newest loaded.
      if (hadFocus) list.querySelector(`.msg[data-seq="${high - 1}"]`)?.focus({ preventScroll: true });
    } catch (err) {
      emit("error", err);
    } finally {
      loading = false;
    }
  });
  return el("li", { class: "gap", role: "separator", "aria-label": `${missing} messages not loaded` }, button);
}

function nodesFor(room) {
  const nodes = [];
  const next = new Map();
  const reuse = (key, make) => {
    const node = cache.get(key) || make();
    next.set(key, node);
    nodes.push(node);
    return node;
  };
  let day = null;
  let previous = null; // the message just above, for grouping
  let lastSeq = null; // the seq of the message above, to see unloaded ones between
  const marker = state.readMarker?.room === room ? state.readMarker.seq : null;
  for (const e of entries(room)) {
    if (e.kind === "message" && lastSeq !== null && e.m.seq > lastSeq + 1) {
      previous = null;
      reuse(`gap:${lastSeq}:${e.m.seq}`, () => gapRow(room, lastSeq, e.m.seq));
    }
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
    lastSeq = m.seq;
    if (m.seq === marker) {
      previous = null;
      reuse("marker", () => el("li", { class: "read-marker", role: "separator", "aria-label": "New messages" }, el("span", {}, "New")));
    }
    // A reply starts a group of its own: its quote goes above the author's name.
    const grouped = Boolean(previous) && previous.user.id === m.user.id && !previous.deleted && !m.deleted && !m.reply_to &&
      e.at - Date.parse(previous.timestamp) < GROUP_MS;
    const node = reuse(`m:${m.id}:${m.edited_at || ""}:${m.deleted}:${grouped}:${nodeKey(m)}`, () => messageNode(m, { grouped }));
    refreshExtras(node, m); // reactions and reply counts change without rebuilding the message
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
  keepTabStop(list);
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
  // A reader scrolled up keeps the message they look at where it is (render keeps the
  // anchor); one at the newest message stays there. That is also the case of a page
  // shorter than the view, or of a view not laid out yet (scrollTop still 0): keeping
  // the anchor there left the room open at its oldest loaded message.
  try {
    await loadOlder(room);
  } catch {
    // The button stays; the next scroll tries again.
  } finally {
    loadingOlder = false;
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
  if (!box.clientHeight) return; // hidden: its scroll position says nothing about the reader
  const bottom = atBottom();
  if (bottom !== stick) {
    stick = bottom;
    if (bottom) unseen = 0;
    jumpButton();
  }
  if (box.scrollTop < NEAR_TOP) older();
}

/** Opens the inline editor on my newest message (↑ in an empty composer, as in Slack). */
export function editLast() {
  const mine = [...list.querySelectorAll(".msg.mine:not(.deleted):not(.pending):not(.failed)")].pop();
  if (!mine) return false;
  const m = messages.byId(state.current, mine.dataset.id);
  if (!m) return false;
  mine.scrollIntoView({ block: "nearest" });
  startEdit(mine, m, { returnTo: document.activeElement });
  return true;
}

/**
 * Shows message `seq` of `room` (opening the room, loading the page around it if
 * needed), in the middle of the view and marked for a moment.
 */
export async function reveal({ room, seq }) {
  if (room !== state.current && !(await open(room))) return;
  if (room !== state.current) return;
  if (!messages.has(room, seq)) {
    try {
      await loadAround(room, seq);
    } catch (err) {
      emit("error", err);
      return;
    }
    if (room !== state.current) return;
  }
  render(room);
  const node = list.querySelector(`.msg[data-seq="${seq}"]`);
  if (!node) return;
  stick = false;
  node.scrollIntoView({ block: "center" });
  stick = atBottom();
  jumpButton();
  node.classList.remove("flash");
  void node.offsetWidth; // restarts the animation when the same message is shown twice
  node.classList.add("flash");
  setTimeout(() => node.classList.remove("flash"), FLASH_MS);
  node.focus({ preventScroll: true });
}

export function start() {
  box = $("#messages");
  list = $("#message-list");
  box.addEventListener("scroll", onScroll, { passive: true });
  attachMessageKeys(list);
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
  let opens = 0;
  socket.onOpen(() => {
    if (opens++ > 0 && state.current && messages.hasHistory(state.current)) refreshLatest(state.current).catch(() => {});
  });
  on("timeline", show);
  on("message-changed", (m) => show(m.room_id));
  on("roster", show); // who may delete what, and which @names are members
  on("reveal", reveal);
  on("current", (room) => {
    shownRoom = null;
    placedFor = null;
    show(room);
  });
}
