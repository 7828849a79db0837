// Short messages that belong to no form: "“lobby” was deleted.", a failed action.
// They sit in a polite live region, so screen readers announce them too.

import { $, el } from "./dom.js";
import { icon } from "./icons.js";

const SHOW_MS = 7000;

export function toast(text, { kind = "info" } = {}) {
  const box = $("#toasts");
  if (!box || !text) return;
  const close = el("button", { class: "icon-button", "aria-label": "Dismiss" }, icon("close"));
  const item = el("div", { class: `toast ${kind}`, role: kind === "error" ? "alert" : "status" }, el("span", {}, text), close);
  close.addEventListener("click", () => item.remove());
  box.append(item);
  setTimeout(() => item.remove(), SHOW_MS);
}
