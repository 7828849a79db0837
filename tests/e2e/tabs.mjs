// Two tabs of one browser share one session. The refresh token rotates on every use
// and a retired one presented again ends the session, so tabs that each refreshed on
// their own used to log each other out. Here: two tabs refresh at once (by their
// timers, with 1-minute access tokens, and on demand), reload, and stay logged in and
// connected; the same without Web Locks (the server's grace for a just-rotated token
// covers it); logging out in one tab logs the other out with a word; logging in in
// one logs the other in; a session revoked on the server ends both, with a reason.
// Usage: node tabs.mjs BASE_URL   (the Rust test runs the server with 1-minute tokens)
import { api, expect, launch, logIn, PASSWORD, say, signUp, unique, wait } from "./lib.mjs";

const [base] = process.argv.slice(2);

async function tabs(browser, { withoutLocks = false } = {}) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
  if (withoutLocks) {
    // As on plain http to a LAN address, which is not a secure context.
    await context.addInitScript(() => Object.defineProperty(Navigator.prototype, "locks", { get: () => undefined }));
  }
  const one = await context.newPage();
  const two = await context.newPage();
  for (const page of [one, two]) {
    page.errors = [];
    page.on("pageerror", (e) => page.errors.push(e.message));
  }
  return { context, one, two };
}

const stored = (page) => page.evaluate(() => JSON.parse(localStorage.getItem("papo.session") || "null"));
const inApp = (page) => page.waitForSelector("#app:not([hidden])", wait);

// Both tabs are logged in and their sockets carry messages both ways.
async function bothWork(one, two, label) {
  for (const page of [one, two]) expect(await page.isVisible("#app"), `${label}: a tab shows the login screen`);
  const a = `${label} from tab one`;
  await say(one, a);
  await two.waitForSelector(`.msg:has-text('${a}')`, wait);
  const b = `${label} from tab two`;
  await say(two, b);
  await one.waitForSelector(`.msg:has-text('${b}')`, wait);
}

const browser = await launch();
try {
  // One person, two tabs.
  const { context, one, two } = await tabs(browser);
  const username = unique("tab");
  await signUp(one, base, "Tea", username);
  await api(base).createRoom(await api(base).call("POST", "/auth/login", { username, password: PASSWORD }), unique("tabs"));
  await one.reload();
  await inApp(one);
  await two.goto(base + "/");
  await inApp(two);
  await bothWork(one, two, "at first");

  // Tab two refreshes, then tab one (which must not present the token two retired).
  const first = await stored(one);
  expect(await two.evaluate(() => window.papo.refreshNow()), "tab two could not refresh");
  expect((await stored(one)).refresh_token !== first.refresh_token, "the refresh token did not rotate");
  expect(await one.evaluate(() => window.papo.refreshNow()), "tab one could not refresh after tab two did");
  // Both at the same moment, several times.
  for (let i = 0; i < 3; i++) {
    const [a, b] = await Promise.all([one.evaluate(() => window.papo.refreshNow()), two.evaluate(() => window.papo.refreshNow())]);
    expect(a && b, `refreshing in both tabs at once failed (${a}, ${b})`);
  }
  // The timers: 1-minute tokens are renewed 5 s after each renewal, in both tabs.
  const beforeTimers = (await stored(one)).refresh_token;
  await one.waitForTimeout(12000);
  expect((await stored(one)).refresh_token !== beforeTimers, "no tab renewed its token by its timer");
  await two.reload();
  await inApp(two);
  await one.reload();
  await inApp(one);
  await bothWork(one, two, "after the refreshes");

  // Without Web Locks, two tabs refreshing at once still stay logged in.
  {
    const bare = await tabs(browser, { withoutLocks: true });
    await logIn(bare.one, base, username);
    await bare.two.goto(base + "/");
    await inApp(bare.two);
    expect(await bare.one.evaluate(() => navigator.locks === undefined), "Web Locks are still there");
    for (let i = 0; i < 3; i++) {
      const [a, b] = await Promise.all([bare.one.evaluate(() => window.papo.refreshNow()), bare.two.evaluate(() => window.papo.refreshNow())]);
      expect(a && b, `without Web Locks, refreshing in both tabs at once failed (${a}, ${b})`);
    }
    await bare.one.reload();
    await inApp(bare.one);
    await bothWork(bare.one, bare.two, "without locks");
    await bare.context.close();
  }

  // Logging out in one tab logs the other out, and says why.
  await one.click("#logout");
  await one.waitForSelector("#auth:not([hidden])", wait);
  await two.waitForSelector("#auth:not([hidden])", wait);
  expect((await one.textContent("#auth-note")).includes("You have logged out"), `tab one says "${await one.textContent("#auth-note")}"`);
  expect((await two.textContent("#auth-note")).includes("logged out in another tab"), `tab two says "${await two.textContent("#auth-note")}"`);

  // Logging in in one tab logs the other in.
  await two.fill("#login-form [name=username]", username);
  await two.fill("#login-form [name=password]", PASSWORD);
  await two.click("#login-form button[type=submit]");
  await inApp(two);
  await inApp(one);
  await bothWork(one, two, "logged in again");

  // The session revoked on the server (logged out everywhere): both tabs say so.
  const session = await stored(one);
  await api(base).call("POST", "/auth/logout", undefined, session.access_token);
  for (const page of [one, two]) {
    await page.waitForSelector("#auth:not([hidden])", wait);
    const note = await page.textContent("#auth-note");
    expect(/session|logged out/i.test(note), `after the server ended the session a tab says "${note}"`);
  }
  const errors = [...one.errors, ...two.errors];
  expect(!errors.length, `page errors: ${errors.join("; ")}`);
  await context.close();
  console.log("browser tabs: ok");
} finally {
  await browser.close();
}
