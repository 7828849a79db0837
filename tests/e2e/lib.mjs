// Shared by the e2e scripts: Debian's Chromium (never a downloaded browser), people
// signed up through the page or the API, rooms seeded over REST, and small checks
// that fail with a sentence.
import { chromium } from "playwright-core";

/** Every wait is bounded, so a broken client fails in seconds, not at CI's timeout. */
export const wait = { timeout: 15000 };

export const PASSWORD = "password-123";

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** A name no other run (or other script on the same server) has used. */
export function unique(prefix) {
  return `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
}

/** A page that records uncaught errors; `check()` at the end fails on any. */
export async function newPage(browser, options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(e.message));
  // The page runs under a strict CSP: anything it refuses is a bug in the client.
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy/i.test(m.text())) page.errors.push(m.text());
  });
  return page;
}

export function noPageErrors(...pages) {
  const errors = pages.flatMap((p) => p.errors);
  if (errors.length) throw new Error(`page errors: ${errors.join("; ")}`);
}

export function expect(condition, message) {
  if (!condition) throw new Error(message);
}

/** Signs up through the page and waits for the chat. */
export async function signUp(page, base, name, username) {
  await page.goto(base + "/");
  await page.click("[data-show-form=register]", wait);
  await page.fill("#register-form [name=name]", name);
  await page.fill("#register-form [name=username]", username);
  await page.fill("#register-form [name=password]", PASSWORD);
  await page.click("#register-form button[type=submit]");
  await page.waitForSelector("#app:not([hidden])", wait);
}

/** Logs in through the page and waits for the chat. */
export async function logIn(page, base, username) {
  await page.goto(base + "/");
  await page.waitForSelector("#login-form:not([hidden])", wait);
  await page.fill("#login-form [name=username]", username);
  await page.fill("#login-form [name=password]", PASSWORD);
  await page.click("#login-form button[type=submit]");
  await page.waitForSelector("#app:not([hidden])", wait);
}

/** The REST API, for seeding: `await api(base).signUp("Ana", "ana")` gives a session. */
export function api(base) {
  async function call(method, path, body, token) {
    const res = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }
  return {
    call,
    async signUp(name, username) {
      await call("POST", "/users", { name, username, password: PASSWORD });
      return call("POST", "/auth/login", { username, password: PASSWORD });
    },
    createRoom: (who, name, extra = {}) => call("POST", "/rooms", { name, ...extra }, who.access_token),
    join: (who, roomId) => call("POST", `/rooms/${roomId}/join`, undefined, who.access_token),
    post: (who, roomId, content, extra = {}) => call("POST", `/rooms/${roomId}/messages`, { content, ...extra }, who.access_token),
    /** Posts `count` messages alternating between people, in order. */
    async seed(people, roomId, count, text = (i) => `message ${i}`) {
      for (let i = 1; i <= count; i++) await call("POST", `/rooms/${roomId}/messages`, { content: text(i) }, people[i % people.length].access_token);
    },
  };
}

/** Waits until `#room-name` shows `name` (the room is open). */
export async function inRoom(page, name) {
  await page.waitForFunction((n) => document.querySelector("#room-name")?.textContent === n, name, wait);
}

/** Opens a room from the room list (through the drawer on a narrow screen). */
export async function openRoom(page, name) {
  if (await page.isVisible("#show-rooms") && !(await page.isVisible("#sidebar.open"))) await page.click("#show-rooms");
  await page.click(`#sidebar .room-link:has-text('${name}')`);
  await inRoom(page, name);
}

/** Joins a public room through the room browser. */
export async function joinRoom(page, name) {
  if (await page.isVisible("#show-rooms") && !(await page.isVisible("#sidebar.open"))) await page.click("#show-rooms");
  await page.click("#browse-more");
  await page.click(`#browse-list .browse-item:has-text('${name}') button`, wait);
  await inRoom(page, name);
}

/** Creates a room through the page's dialog. */
export async function createRoom(page, name, { topic = "", isPrivate = false } = {}) {
  if (await page.isVisible("#show-rooms") && !(await page.isVisible("#sidebar.open"))) await page.click("#show-rooms");
  await page.click("#new-room");
  await page.fill("#create-room [name=name]", name);
  if (topic) await page.fill("#create-room [name=description]", topic);
  if (isPrivate) await page.check("#create-room [name=private]");
  await page.click("#create-room button[type=submit]");
  await inRoom(page, name);
}

/**
 * The selector of a message by its own text (not the quote of it in a reply), in
 * the timeline or another list of messages (`#thread-replies`).
 */
export function msg(text, list = "#message-list") {
  return `${list} .msg:has(.text:has-text(${JSON.stringify(text)}))`;
}

/** The session (tokens and user id) that a page keeps in localStorage. */
export function sessionOf(page) {
  return page.evaluate(() => JSON.parse(localStorage.getItem("papo.session")));
}

/** Types a message and sends it with Enter. */
export async function say(page, text) {
  await page.fill("#composer textarea", text);
  await page.press("#composer textarea", "Enter");
}
