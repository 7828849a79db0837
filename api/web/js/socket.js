// One /api/v1/ws socket for every room. After any disconnect it reconnects with
// back-off and resumes with `since` (the highest seq seen per room), so nothing is
// lost; frames that only matter once the socket is up (read markers) wait in an
// outbox. A ping every 25 s notices a connection that died silently (a laptop that
// slept, a Wi-Fi switch) instead of waiting for the server's next write to fail.

import { API } from "./api.js";
import { closeText } from "./errors.js";
import { resumePoints } from "./messages.js";
import * as session from "./session.js";
import { emit, state } from "./state.js";

const FIRST_BACKOFF = 500;
const MAX_BACKOFF = 15_000;
const PING_EVERY = 25_000;
const PONG_WITHIN = 10_000;

let socket = null;
let backoff = FIRST_BACKOFF;
let retryTimer = null;
let pingTimer = null;
let lastHeard = 0;
let wasOpen = false;
let stopped = true;
let onFrame = () => {};
const onOpenHooks = [];
const outbox = new Map(); // key -> frame, sent on the next open (the latest per key)

/** Counters for tests and debugging: messages that came in history frames. */
export const stats = { replayed: 0 };

/** Starts connecting; `handler(frame)` receives every frame but pongs. */
export function start(handler) {
  onFrame = handler;
  stopped = false;
  connect();
}

export function stop() {
  stopped = true;
  clearTimeout(retryTimer);
  const open = socket;
  socket = null;
  open?.close(1000, "logged out");
}

/** Runs `fn` every time the socket (re)opens, e.g. to resend unacknowledged posts. */
export function onOpen(fn) {
  onOpenHooks.push(fn);
}

export function isOpen() {
  return socket?.readyState === WebSocket.OPEN;
}

/** Sends now, or returns false when the socket is not open. */
export function send(frame) {
  if (!isOpen()) return false;
  socket.send(JSON.stringify(frame));
  return true;
}

/** Sends now, or on the next open; a later frame with the same key replaces it. */
export function sendSoon(key, frame) {
  if (!send(frame)) outbox.set(key, frame);
}

/** Reconnects at once (the banner's "Retry now", the browser coming back online). */
export function retryNow() {
  if (stopped || isOpen() || socket?.readyState === WebSocket.CONNECTING) return;
  backoff = FIRST_BACKOFF;
  connect();
}

/** Drops the socket as a network failure would, staying away at least `awayMs`. */
export function drop(awayMs = 0) {
  backoff = Math.max(backoff, awayMs);
  socket?.close(4000, "dropped on purpose");
}

function setStatus(status, detail = {}) {
  state.connection = status;
  emit("connection", { status, ...detail });
}

async function connect() {
  clearTimeout(retryTimer);
  if (stopped) return;
  if (!navigator.onLine) return setStatus("offline");
  // The token is checked once, when the socket opens: start with one that has time left.
  if (session.accessLeftMs() < 10_000) {
    try {
      if (!(await session.renew())) return; // the session ended; app.js shows the login
    } catch {
      return later("Can't reach the server.");
    }
  }
  const since = resumePoints();
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const url = `${scheme}://${location.host}${API}/ws?token=${encodeURIComponent(session.accessToken())}` +
    (since ? `&since=${since}` : "");
  const ws = new WebSocket(url);
  socket = ws;
  if (!wasOpen) setStatus("connecting");
  ws.onopen = () => {
    if (socket !== ws) return;
    backoff = FIRST_BACKOFF;
    wasOpen = true;
    lastHeard = Date.now();
    setStatus("open");
    for (const frame of outbox.values()) ws.send(JSON.stringify(frame));
    outbox.clear();
    for (const fn of onOpenHooks) fn();
    heartbeat(ws);
  };
  ws.onmessage = (event) => {
    lastHeard = Date.now();
    let frame;
    try {
      frame = JSON.parse(event.data);
    } catch {
      return;
    }
    if (frame.type === "history") stats.replayed += frame.messages.length;
    if (frame.type !== "pong") onFrame(frame);
  };
  ws.onclose = (event) => {
    if (socket !== ws) return;
    socket = null;
    clearTimeout(pingTimer);
    closed(event.code, event.reason);
  };
}

async function closed(code, reason) {
  if (stopped) return;
  if (code === 1008 || code === 4401) {
    // An expired token (1008) is renewed; a session that ended (4401) fails to renew,
    // which ends it here too and brings up the login screen.
    try {
      if (!(await session.renew(session.accessToken()))) return;
    } catch {
      return later("Can't reach the server.");
    }
    return connect();
  }
  if (code === 4008) return connect(); // too slow: resume at once, `since` has it all
  let wait = backoff;
  const retryIn = /retry in (\d+) ms/.exec(reason || "");
  if (code === 4429 && retryIn) wait = Math.max(wait, Number(retryIn[1]));
  later(closeText(code, reason), wait);
}

function later(reason, wait = backoff) {
  if (stopped) return;
  // Jitter, so that every client of a restarted server does not come back at once.
  const delay = Math.round(wait * (0.8 + Math.random() * 0.4));
  backoff = Math.min(backoff * 2, MAX_BACKOFF);
  setStatus(navigator.onLine ? "reconnecting" : "offline", { retryAt: Date.now() + delay, reason });
  clearTimeout(retryTimer);
  retryTimer = setTimeout(connect, delay);
}

function heartbeat(ws) {
  clearTimeout(pingTimer);
  pingTimer = setTimeout(() => {
    if (socket !== ws) return;
    if (Date.now() - lastHeard > PING_EVERY + PONG_WITHIN) return ws.close(4000, "no answer to ping");
    ws.send(JSON.stringify({ type: "ping" }));
    pingTimer = setTimeout(() => {
      if (socket === ws && Date.now() - lastHeard > PONG_WITHIN) ws.close(4000, "no answer to ping");
      else heartbeat(ws);
    }, PONG_WITHIN);
  }, PING_EVERY);
}

window.addEventListener("online", () => {
  if (isOpen()) setStatus("open");
  else retryNow();
});
window.addEventListener("offline", () => {
  if (!stopped) setStatus("offline");
});
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") retryNow();
});
