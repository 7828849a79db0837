// The login session, shared by every tab of this browser.
//
// The refresh token rotates on every use, and presenting a retired one ends the whole
// session (the server takes it for a stolen token). So tabs must never refresh with
// a token another tab has already rotated: the session (both tokens) lives in
// localStorage, a refresh runs under a Web Lock held by one tab at a time, and inside
// the lock a tab first re-reads the storage: if another tab refreshed meanwhile, it
// takes that result instead of refreshing again. Other tabs learn of every change
// through the `storage` event. Where Web Locks are missing (plain http on a LAN is not
// a secure context), the server's 10-second grace for a just-rotated token covers two
// tabs refreshing at once, and a failed refresh re-reads the storage before giving up.

import { API, call, setAuth } from "./api.js";
import { ApiError } from "./errors.js";

const KEY = "papo.session";
const LEGACY_KEY = "papo.refresh"; // older clients kept only the refresh token
const LOCK = "papo.session.refresh";
const FLASH = "papo.flash"; // a message for the login screen, across a reload
const ENDED = "papo.ended"; // why the last session ended, for the other tabs
const EARLY_MS = 60_000; // refresh this long before the access token expires

let session = null; // {id, name, username, access_token, expires_at, refresh_token}
let timer = null;
const listeners = new Set();

/** `fn(event, detail)` for "renewed", "ended" (detail: code), "appeared", "switched". */
export function onChange(fn) {
  listeners.add(fn);
}

function emit(event, detail) {
  for (const fn of listeners) fn(event, detail);
}

/** Who is logged in: {id, name, username}, or null. */
export function user() {
  return session && { id: session.id, name: session.name, username: session.username };
}

export function accessToken() {
  return session?.access_token ?? null;
}

/** Milliseconds the current access token has left. */
export function accessLeftMs() {
  return session ? session.expires_at - Date.now() : 0;
}

function load() {
  try {
    const stored = JSON.parse(localStorage.getItem(KEY));
    if (stored?.refresh_token) return stored;
  } catch {
    // unreadable: treat as logged out
  }
  const legacy = localStorage.getItem(LEGACY_KEY);
  return legacy ? { refresh_token: legacy, expires_at: 0 } : null;
}

function save(next) {
  localStorage.setItem(KEY, JSON.stringify(next));
  localStorage.removeItem(ENDED);
  localStorage.removeItem(LEGACY_KEY);
}

function fromReply(reply, previous) {
  return {
    id: reply.id,
    name: reply.name,
    username: reply.username,
    access_token: reply.access_token,
    expires_at: Date.now() + reply.expires_in * 1000,
    refresh_token: reply.refresh_token ?? previous?.refresh_token,
  };
}

function fresh(candidate, marginMs) {
  return Boolean(candidate?.access_token) && candidate.expires_at - Date.now() > marginMs;
}

function adopt(next) {
  session = next;
  clearTimeout(timer);
  // Renew ahead of expiry; every tab sets this timer, but the lock and the re-read
  // make only the first one refresh, the others take its result.
  const inMs = Math.max(5_000, next.expires_at - Date.now() - EARLY_MS);
  timer = setTimeout(() => renew(next.access_token).catch(() => retrySoon()), inMs);
  emit("renewed");
}

function retrySoon() {
  clearTimeout(timer);
  timer = setTimeout(() => renew(session?.access_token).catch(() => retrySoon()), 10_000);
}

function exclusive(fn) {
  return navigator.locks?.request ? navigator.locks.request(LOCK, fn) : fn();
}

/**
 * Makes sure this tab holds a working access token, replacing `staleToken`. Resolves
 * true when it does, false when the session is over (then "ended" was emitted).
 * Throws ApiError when the server could not be asked (offline, 503): try again later.
 */
export function renew(staleToken = session?.access_token) {
  return exclusive(async () => {
    const stored = load();
    if (!stored) {
      end("logged_out_elsewhere");
      return false;
    }
    if (stored.access_token !== staleToken && fresh(stored, 5_000)) {
      adopt(stored); // another tab refreshed while we waited for the lock
      return true;
    }
    let res;
    try {
      res = await fetch(`${API}/auth/refresh_token`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ refresh_token: stored.refresh_token }),
      });
    } catch {
      throw new ApiError("network", { code: "network" });
    }
    const data = await res.json().catch(() => null);
    if (res.ok) {
      const next = fromReply(data, stored);
      save(next);
      adopt(next);
      return true;
    }
    if (res.status === 401) {
      // Without Web Locks another tab may have rotated the token under us.
      const now = load();
      if (now && now.refresh_token !== stored.refresh_token) {
        adopt(now);
        return true;
      }
      end(data?.code || "session_ended");
      return false;
    }
    throw new ApiError(data?.detail || `HTTP ${res.status}`, { status: res.status, code: data?.code });
  });
}

/** On start: the stored session, refreshed if its access token is (nearly) spent. */
export async function restore() {
  const stored = load();
  if (!stored) return false;
  if (fresh(stored, EARLY_MS)) {
    adopt(stored);
    return true;
  }
  return renew(stored.access_token);
}

export async function login(username, password) {
  const reply = await call("POST", "/auth/login", { username, password }, { retry: false, authorize: false });
  const next = fromReply(reply);
  save(next);
  adopt(next);
}

export async function register(name, username, password) {
  await call("POST", "/users", { name, username, password }, { retry: false, authorize: false });
  await login(username, password);
}

/** Ends this session on the server and in every tab. */
export async function logout() {
  // The other tabs leave first (through the storage event), so that none of them
  // mistakes the server closing its socket for an expired session.
  localStorage.setItem(ENDED, "logged_out");
  localStorage.removeItem(KEY);
  clearTimeout(timer);
  try {
    await call("POST", "/auth/logout", { refresh_token: session?.refresh_token }, { retry: false });
  } catch {
    // Offline or already ended: forgetting it here is what matters to the user.
  }
  end("logged_out");
}

/** Forgets the session in every tab; `code` says why (see errors.js / app.js). */
export function end(code) {
  session = null;
  clearTimeout(timer);
  localStorage.setItem(ENDED, code);
  localStorage.removeItem(KEY);
  localStorage.removeItem(LEGACY_KEY);
  emit("ended", code);
}

/** A message to show on the login screen after the next reload. */
export function flash(text) {
  if (text) sessionStorage.setItem(FLASH, text);
  else sessionStorage.removeItem(FLASH);
}

export function takeFlash() {
  const text = sessionStorage.getItem(FLASH);
  sessionStorage.removeItem(FLASH);
  return text;
}

// Another tab changed the session: logged out, logged in, or refreshed the tokens.
window.addEventListener("storage", (event) => {
  if (event.key !== KEY && event.key !== null) return;
  const next = load();
  if (!next) {
    if (session) {
      session = null;
      clearTimeout(timer);
      const why = localStorage.getItem(ENDED);
      emit("ended", !why || why === "logged_out" ? "logged_out_elsewhere" : why);
    }
  } else if (!session) {
    emit("appeared");
  } else if (next.id && next.id !== session.id) {
    emit("switched");
  } else if (next.access_token && next.access_token !== session.access_token) {
    adopt(next);
  }
});

setAuth({ token: accessToken, renew: (stale) => renew(stale) });
