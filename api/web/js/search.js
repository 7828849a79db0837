// Searching messages (DESIGN §8), in the panel right of the conversation: every room
// I may read, or only the open one; newest first, each hit with its room, author,
// time and the matching words marked; "More results" pages on. A hit opens its room
// at that message. Ctrl+F (in this room) and / (everywhere) open it (keyboard.js).

import { call } from "./api.js";
import { confirmDialog } from "./dialog.js";
import { $, debounce, el } from "./dom.js";
import { describe } from "./errors.js";
import { fullLabel, timeLabel, dayLabel } from "./format.js";
import { roomIcon } from "./icons.js";
import { hidePanel, isShown, showPanel } from "./panels.js";
import { join } from "./room-actions.js";
import { title } from "./rooms.js";
import { emit, on, state } from "./state.js";

const PAGE = 20;
const narrow = window.matchMedia("(max-width: 760px)");

let asked = 0;
let nextBefore = null;
let lastQuery = "";

const ENTITIES = { amp: "&", lt: "<", gt: ">", quot: "\"", apos: "'" };

/** Undoes the server's HTML escaping, as text (never parsed as HTML). */
export function unescapeHtml(text) {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name) => {
    if (name[0] === "#") {
      const code = name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/** A `highlight` ("…<mark>deploy</mark>…") as text nodes and <mark> elements. */
export function highlightNodes(highlight) {
  const out = [];
  let marked = false;
  for (const part of highlight.split(/(<mark>|<\/mark>)/)) {
    if (part === "<mark>") marked = true;
    else if (part === "</mark>") marked = false;
    else if (part) out.push(marked ? el("mark", {}, unescapeHtml(part)) : unescapeHtml(part));
  }
  return out;
}

function roomName(id) {
  const room = state.rooms.get(id) || state.discover.get(id);
  if (!room) return "a room";
  return `${room.visibility === "direct" ? "" : "#"}${title(room)}`;
}

function hit({ message: m, highlight }) {
  const room = state.rooms.get(m.room_id) || state.discover.get(m.room_id);
  const when = new Date(m.timestamp);
  const button = el("button", { type: "button", class: "search-hit", dataset: { id: m.id, room: m.room_id } },
    el("span", { class: "hit-head" },
      room ? roomIcon(room) : null,
      el("span", { class: "hit-room" }, roomName(m.room_id).replace(/^#/, "")),
      state.rooms.has(m.room_id) ? null : el("span", { class: "hit-tag" }, "not joined"),
      el("span", { class: "hit-who" }, m.user.name),
      el("time", { class: "when", datetime: m.timestamp, title: fullLabel(m.timestamp) }, `${dayLabel(when)} ${timeLabel(when)}`)),
    el("span", { class: "hit-text" }, ...highlightNodes(highlight)));
  button.addEventListener("click", () => openHit(m));
  return el("li", {}, button);
}

async function openHit(m) {
  if (!state.rooms.has(m.room_id)) {
    const yes = await confirmDialog({ title: `Join ${roomName(m.room_id)}?`, text: "This message is in a public room you're not in. Join it to read the conversation.", confirm: "Join room" });
    if (!yes) return;
    try {
      await join(m.room_id);
    } catch (err) {
      $("#search-error").textContent = describe(err);
      return;
    }
  }
  // On a phone the panel covers the conversation: make way for it.
  if (narrow.matches) hidePanel("search");
  emit("reveal", { room: m.room_id, seq: m.seq, id: m.id });
}

async function run({ more = false, submitted = false } = {}) {
  const q = $("#search-q").value.trim();
  const here = $("#search-here").checked && state.current;
  const error = $("#search-error");
  if (!more) nextBefore = null;
  // While typing, wait for a word the server can search; Enter asks it anyway (and shows why not).
  if (!q || (!submitted && !/[\p{L}\p{N}]{2}/u.test(q))) {
    asked++;
    error.textContent = "";
    if (!q) clear();
    return;
  }
  const ticket = ++asked;
  const params = new URLSearchParams({ q, limit: String(PAGE) });
  if (here) params.set("room_id", state.current);
  if (more && nextBefore) params.set("before", nextBefore);
  try {
    const page = await call("GET", `/search?${params}`);
    if (ticket !== asked) return; // an older answer arriving late
    error.textContent = "";
    nextBefore = page.next_before;
    lastQuery = q;
    const rows = page.results.map(hit);
    const hadFocus = document.activeElement === $("#search-more");
    if (more) $("#search-results").append(...rows);
    else $("#search-results").replaceChildren(...rows);
    // The last page: "More results" goes, and the focus to the first new result.
    if (hadFocus && !nextBefore) rows[0]?.querySelector("button")?.focus();
    const shown = $("#search-results").children.length;
    $("#search-summary").textContent = shown
      ? `${shown}${nextBefore ? "+" : ""} ${shown === 1 ? "message" : "messages"}${here ? ` in ${roomName(state.current)}` : ""}, newest first`
      : `No messages match “${q}”${here ? ` in ${roomName(state.current)}` : ""}.`;
    $("#search-more").hidden = !nextBefore;
  } catch (err) {
    if (ticket !== asked) return;
    error.textContent = describe(err);
    if (!more) clear();
  }
}

function clear() {
  $("#search-results").replaceChildren();
  $("#search-summary").textContent = "";
  $("#search-more").hidden = true;
  lastQuery = "";
}

function scopeLabel() {
  const room = state.rooms.get(state.current);
  $("#search-here-label").textContent = room ? `Only in ${roomName(room.id)}` : "Only in this room";
  $("#search-here").disabled = !room;
  if (!room) $("#search-here").checked = false;
}

/** Opens the search panel; `here`: only the open room (true), every room (false), or as it was. */
export function openSearch({ here } = {}) {
  showPanel("search");
  scopeLabel();
  const scope = $("#search-here");
  if (here !== undefined && state.current && scope.checked !== here) {
    scope.checked = here;
    if ($("#search-q").value.trim()) run();
  }
  $("#search-q").focus();
  $("#search-q").select();
}

export function start() {
  $("#open-search").addEventListener("click", () => (isShown("search") ? hidePanel("search") : openSearch()));
  $("#close-search").addEventListener("click", () => {
    hidePanel("search");
    $("#open-search").focus();
  });
  $("#search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    run({ submitted: true });
  });
  $("#search-q").addEventListener("input", debounce(() => run(), 300));
  $("#search-here").addEventListener("change", () => lastQuery && run());
  $("#search-more").addEventListener("click", () => run({ more: true }));
  $("#search").addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !event.defaultPrevented) {
      hidePanel("search");
      $("#open-search").focus();
    }
  });
  on("current", scopeLabel);
  on("rooms", () => isShown("search") && scopeLabel());
}
