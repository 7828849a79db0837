// papo's browser client. Plain ES modules under /static/js/, no framework, no build
// step. This file starts the client: the login screen or the chat, and the wiring
// between the session, the socket and the views. See js/ for one concern per module.

import * as banner from "./js/banner.js";
import * as browse from "./js/browse.js";
import * as composer from "./js/composer.js";
import { $, avatar } from "./js/dom.js";
import { wireDialogs } from "./js/dialog.js";
import * as drawer from "./js/drawer.js";
import { describe, fieldText } from "./js/errors.js";
import { onFrame } from "./js/frames.js";
import * as header from "./js/header.js";
import { hydrateIcons } from "./js/icons.js";
import * as jump from "./js/jump.js";
import * as keyboard from "./js/keyboard.js";
import * as members from "./js/members.js";
import { open, startRoom } from "./js/navigation.js";
import * as notify from "./js/notify.js";
import * as people from "./js/people.js";
import * as reply from "./js/reply.js";
import * as rooms from "./js/rooms.js";
import * as roster from "./js/roster.js";
import * as search from "./js/search.js";
import * as session from "./js/session.js";
import * as settings from "./js/settings.js";
import * as sidebar from "./js/sidebar.js";
import * as socket from "./js/socket.js";
import { emit, on, state } from "./js/state.js";
import * as thread from "./js/thread.js";
import * as timeline from "./js/timeline.js";
import * as typing from "./js/typing.js";
import { toast } from "./js/toast.js";

const ROOM_LIST_EVERY_MS = 60_000; // catches rooms joined elsewhere on servers without `room` frames

const ENDED_TEXT = {
  logged_out: "You have logged out.",
  logged_out_elsewhere: "You logged out in another tab.",
};

// ---------- the login screen ----------

function showScreen(name) {
  for (const id of ["boot", "auth", "app"]) $(`#${id}`).hidden = id !== name;
}

function showAuth(message) {
  showScreen("auth");
  const note = $("#auth-note");
  note.textContent = message || "";
  note.hidden = !message;
  $("#login-form [name=username]").focus();
}

async function submitAuth(event, act) {
  event.preventDefault();
  const form = event.target;
  const error = form.querySelector(".error");
  const button = form.querySelector("button[type=submit]");
  error.textContent = "";
  for (const input of form.querySelectorAll("input")) input.removeAttribute("aria-invalid");
  button.disabled = true;
  try {
    await act(Object.fromEntries(new FormData(form)));
    await startApp();
  } catch (err) {
    for (const f of err.fields || []) form.querySelector(`[name=${f.field}]`)?.setAttribute("aria-invalid", "true");
    error.textContent = err.fields?.length ? err.fields.map(fieldText).join(" ") : describe(err);
  } finally {
    button.disabled = false;
  }
}

function wireAuth() {
  $("#login-form").addEventListener("submit", (e) => submitAuth(e, ({ username, password }) => session.login(username.trim(), password)));
  $("#register-form").addEventListener("submit", (e) => submitAuth(e, ({ name, username, password }) => session.register(name.trim(), username.trim(), password)));
  for (const link of document.querySelectorAll("[data-show-form]")) {
    link.addEventListener("click", () => {
      const login = link.dataset.showForm === "login";
      $("#login-form").hidden = !login;
      $("#register-form").hidden = login;
      $(login ? "#login-form [name=username]" : "#register-form [name=name]").focus();
    });
  }
}

// ---------- the chat ----------

let started = false;

function startViews() {
  for (const view of [roster, sidebar, header, timeline, typing, composer, reply, members, thread, search, browse, settings, people, jump, banner, drawer, keyboard, notify]) view.start();
  $("#logout").addEventListener("click", () => session.logout());
  notify.onNotificationClick((room) => open(room));
  const bell = $("#enable-notifications");
  bell.hidden = notify.permission() !== "default";
  bell.addEventListener("click", async () => {
    const answer = await notify.ask();
    bell.hidden = true;
    if (answer === "denied") toast("Notifications are blocked. You can allow them in your browser's site settings.");
  });
  on("error", (err) => toast(describe(err), { kind: "error" }));
  on("closed", onRoomClosed);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && state.current) rooms.markRead(state.current);
  });
  window.addEventListener("hashchange", () => {
    const id = /^#room\/(.+)$/.exec(location.hash)?.[1];
    if (id && id !== state.current && state.rooms.has(id)) open(id);
  });
}

// A room went away. Being removed or banned is told even when the room was not on
// screen (a room just vanishing from the list would be a mystery); the rest only then.
function onRoomClosed({ room, why, open: wasOpen }) {
  const name = `“${rooms.title(room)}”`;
  if (!wasOpen && why !== "removed" && why !== "banned") return;
  const text = {
    deleted: `${name} was deleted by its owner.`,
    "deleted-here": `You deleted ${name}.`,
    "left-here": `You left ${name}.`,
    removed: `You were removed from ${name} by its owner or an admin.`,
    banned: `You were banned from ${name} by its owner or an admin.`,
  }[why] || `You're no longer a member of ${name}.`; // "left": in another tab
  toast(text, { kind: why === "removed" || why === "banned" ? "error" : "info" });
  if (!wasOpen) return;
  const next = startRoom();
  if (next) open(next);
  else emit("current", null);
}

async function startApp() {
  const me = session.user();
  showScreen("app");
  $("#me-name").textContent = me.name;
  $("#me-username").textContent = `@${me.username}`;
  $("#me-avatar").replaceChildren(avatar(me));
  if (!started) {
    started = true;
    startViews();
  }
  try {
    await rooms.load();
  } catch (err) {
    toast(describe(err), { kind: "error" });
  }
  rooms.browse().catch(() => {});
  socket.start(onFrame);
  setInterval(() => rooms.load().catch(() => {}), ROOM_LIST_EVERY_MS);
  const first = startRoom();
  if (first) await open(first);
  if (!document.activeElement || document.activeElement === document.body) composer.focus();
}

// Another tab logged out, this session was revoked, or someone logged in elsewhere.
session.onChange((event, code) => {
  if (event === "ended") {
    socket.stop();
    session.flash(ENDED_TEXT[code] || describe({ code }) || ENDED_TEXT.logged_out);
    location.reload();
  } else if ((event === "appeared" && !started) || event === "switched") {
    location.reload();
  }
});

// For tests and debugging.
window.papo = {
  get replayed() {
    return socket.stats.replayed;
  },
  /** Drops the socket as a network failure would, staying away at least `awayMs`. */
  dropConnection: (awayMs = 0) => socket.drop(awayMs),
  /** Refreshes the access token now, as the timer before its expiry does. */
  refreshNow: () => session.renew(session.accessToken()),
  state,
};

async function boot() {
  hydrateIcons();
  wireDialogs();
  wireAuth();
  const flash = session.takeFlash();
  for (;;) {
    try {
      if (await session.restore()) return startApp();
      return showAuth(flash);
    } catch (err) {
      // The server is unreachable, but the session may be fine: wait, don't log out.
      $("#boot-text").textContent = `${describe(err)} Trying again…`;
      await new Promise((resolve) => setTimeout(resolve, 3000));
    }
  }
}

boot();
