// A message's thread, in the panel right of the conversation (as in Slack): the
// message, its replies oldest first (GET /messages/{id}/replies, older pages on
// demand), replies arriving live, and a box that posts replies to it. The replies are
// messages of the room too: they show in the timeline as well, with their quote.

import { call } from "./api.js";
import { $, el, reconcile } from "./dom.js";
import { describe } from "./errors.js";
import { attachMentions } from "./mention-complete.js";
import { messageNode, nodeKey, pendingNode, refreshExtras } from "./message.js";
import * as messages from "./messages.js";
import { hidePanel, isShown, onHide, showPanel } from "./panels.js";
import { title } from "./rooms.js";
import * as session from "./session.js";
import * as socket from "./socket.js";
import { on, state } from "./state.js";
import { autoGrow, fit } from "./textbox.js";
import { attachMessageKeys, keepTabStop } from "./timeline-keys.js";

const PAGE = 50;
const GROUP_MS = 5 * 60 * 1000;

let thread = null; // {room, id, replies: Set(id), older: seq|null, loaded}
let cache = new Map();
let asked = 0;

/** The message whose thread is open, or null. */
export const openThreadId = () => thread?.id ?? null;

export async function openThread(m) {
  const parent = messages.byId(m.room_id, m.id) || messages.remember(m);
  const same = thread?.id === parent.id;
  if (!same) {
    thread = { room: parent.room_id, id: parent.id, replies: new Set(), older: null, loaded: false };
    cache = new Map();
    $("#thread-status").textContent = "";
    $("#thread-composer textarea").value = "";
  }
  showPanel("thread");
  render();
  $("#thread-composer textarea").focus();
  if (!same) await loadPage();
}

async function loadPage(before = null) {
  if (thread.loading) return;
  const ticket = ++asked;
  const { id } = thread;
  // Not disabled while loading: a disabled button would drop the keyboard's focus.
  thread.loading = true;
  try {
    const page = await call("GET", `/messages/${id}/replies?limit=${PAGE}${before ? `&before=${before}` : ""}`);
    if (ticket !== asked || thread?.id !== id) return;
    for (const reply of page.replies) thread.replies.add(messages.remember(reply).id);
    thread.older = page.next_before;
    thread.loaded = true;
    const hadFocus = document.activeElement === $("#thread-older");
    render({ keepBottom: !before });
    // The button goes once the first reply is in: the focus goes to that reply.
    if (hadFocus && !thread.older) $("#thread-replies .msg")?.focus();
  } catch (err) {
    if (thread?.id === id) $("#thread-status").textContent = describe(err);
  } finally {
    if (thread?.id === id) thread.loading = false;
  }
}

function replyNodes(list) {
  const nodes = [];
  const next = new Map();
  let previous = null;
  for (const m of list) {
    const grouped = Boolean(previous) && previous.user.id === m.user.id && !previous.deleted && !m.deleted &&
      Date.parse(m.timestamp) - Date.parse(previous.timestamp) < GROUP_MS;
    const key = `m:${m.id}:${m.edited_at || ""}:${m.deleted}:${grouped}:${nodeKey(m)}`;
    const node = cache.get(key) || messageNode(m, { grouped, inThread: true });
    refreshExtras(node, m, { inThread: true });
    next.set(key, node);
    nodes.push(node);
    previous = m;
  }
  const me = session.user();
  for (const [tempId, post] of messages.pending) {
    if (post.reply_to !== thread.id) continue;
    const key = `p:${tempId}:${post.failed || ""}`;
    next.set(key, cache.get(key) || pendingNode(tempId, post, me, { inThread: true }));
    nodes.push(next.get(key));
  }
  return { nodes, keys: next };
}

function render({ keepBottom = false } = {}) {
  if (!thread || !isShown("thread")) return;
  const parent = messages.byId(thread.room, thread.id);
  if (!parent) return;
  const scroller = $("#thread-scroll");
  const atBottom = keepBottom || scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 60;
  const room = state.rooms.get(thread.room);
  $("#thread-room").textContent = room ? `${room.visibility === "direct" ? "" : "#"}${title(room)}` : "";
  const replies = [...thread.replies].map((id) => messages.byId(thread.room, id)).filter(Boolean).sort((a, b) => a.seq - b.seq);
  const head = renderParent(parent);
  const { nodes, keys } = replyNodes(replies);
  cache = new Map([...keys, ...head]);
  reconcile($("#thread-replies"), nodes);
  keepTabStop($("#thread-replies"));
  const count = Math.max(parent.reply_count || 0, replies.length);
  $("#thread-count").textContent = count ? `${count} ${count === 1 ? "reply" : "replies"}` : (thread.loaded ? "No replies yet. Start the thread below." : "");
  $("#thread-older").hidden = !thread.older;
  if (atBottom) scroller.scrollTop = scroller.scrollHeight;
}

function renderParent(parent) {
  const key = `parent:${parent.id}:${parent.edited_at || ""}:${parent.deleted}:${nodeKey(parent)}`;
  const node = cache.get(key) || messageNode(parent, { grouped: false, inThread: true });
  refreshExtras(node, parent, { inThread: true });
  reconcile($("#thread-parent"), [node]);
  return new Map([[key, node]]);
}

function send(event) {
  event.preventDefault();
  const box = $("#thread-composer textarea");
  const content = box.value.trim();
  if (!content || !thread || content.length > 4000) return;
  const tempId = messages.addPending(thread.room, content, thread.id);
  socket.send(messages.postFrame(tempId, messages.pending.get(tempId)));
  box.value = "";
  fit(box);
  render({ keepBottom: true });
}

export function closeThread() {
  hidePanel("thread");
}

export function start() {
  const box = $("#thread-composer textarea");
  autoGrow(box);
  attachMentions(box, () => thread?.room ?? null);
  attachMessageKeys($("#thread-replies"));
  attachMessageKeys($("#thread-parent"));
  $("#thread-composer").addEventListener("submit", send);
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("#thread-composer").requestSubmit();
    }
  });
  $("#thread-older").addEventListener("click", () => thread?.older && loadPage(thread.older));
  $("#close-thread").addEventListener("click", closeThread);
  $("#thread").addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !event.defaultPrevented && !document.querySelector("#emoji-picker:not([hidden])")) {
      closeThread();
      $("#composer textarea").focus();
    }
  });
  onHide("thread", () => {
    thread = null;
    cache = new Map();
    $("#thread-replies").replaceChildren();
    $("#thread-parent").replaceChildren();
  });
  on("thread", openThread);
  // A reply to the open thread, live (someone else's, or mine acknowledged).
  on("message-new", (m) => {
    if (thread && m.reply_to?.id === thread.id) {
      thread.replies.add(m.id);
      render();
    }
  });
  const again = (room) => thread && room === thread.room && render();
  on("timeline", again);
  on("message-changed", (m) => again(m.room_id));
  on("roster", again);
  on("current", (room) => thread && room !== thread.room && closeThread());
  on("rooms", () => thread && !state.rooms.has(thread.room) && closeThread());
}
