// The API docs in headless Chromium: Swagger UI's Authorize logs in with the password
// flow (asking for nothing but username and password), an operation executed after it
// is authorized, and ReDoc renders. Usage: node docs.mjs BASE_URL USERNAME PASSWORD
// Exits non-zero, with the reason, on the first expectation that fails.
import { chromium } from "playwright-core";

const [base, username, password] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
});
const wait = { timeout: 15000 };
try {
  const page = await (await browser.newContext({ viewport: { width: 1100, height: 900 } })).newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));

  await page.goto(base + "/docs");
  await page.click("button.authorize", wait);
  await page.waitForSelector("#oauth_username", wait);
  for (const hidden of ["#client_id_password", "#client_secret_password", "#password_type"]) {
    if (await page.isVisible(hidden)) throw new Error(`the Authorize dialog shows ${hidden}`);
  }
  await page.fill("#oauth_username", username);
  await page.fill("#oauth_password", password);
  await page.click(".dialog-ux button.modal-btn.authorize");
  await page.getByRole("button", { name: "Logout" }).first().waitFor(wait);
  await page.click(".dialog-ux button.btn-done");

  const me = page.locator("#operations-Users-getMe");
  await me.locator(".opblock-summary").click();
  await me.locator("button.try-out__btn").click();
  await me.locator("button.execute").click();
  const status = me.locator(".live-responses-table tr.response .response-col_status").first();
  await status.waitFor(wait);
  const answered = (await status.textContent()).trim();
  if (answered !== "200") throw new Error(`GET /users/me after Authorize answered ${answered}`);
  const body = await me.locator(".live-responses-table .microlight").first().textContent();
  if (!body.includes(`"${username}"`)) throw new Error(`the answer is not ${username}'s: ${body}`);

  await page.goto(base + "/redoc");
  await page.waitForSelector("h1", wait);
  if (!(await page.textContent("h1")).includes("papo")) throw new Error("ReDoc did not render");
  if (errors.length) throw new Error(`page errors: ${errors.join("; ")}`);
  console.log("browser docs: ok");
} finally {
  await browser.close();
}
