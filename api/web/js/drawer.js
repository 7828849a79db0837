// On a narrow screen the room list is a drawer. It opens below the header, so the
// menu button that opened it stays visible and closes it again; a tap outside it,
// Escape, or picking a room closes it too.

import { $ } from "./dom.js";
import { focusCurrent } from "./sidebar.js";
import { on } from "./state.js";

const narrow = window.matchMedia("(max-width: 760px)");

export const isOpen = () => $("#sidebar").classList.contains("open");

export function toggle(force) {
  const show = force ?? !isOpen();
  $("#sidebar").classList.toggle("open", show);
  $("#scrim").hidden = !show;
  $("#show-rooms").setAttribute("aria-expanded", String(show));
  document.body.classList.toggle("drawer-open", show);
  // Off-screen links must not be reachable by Tab on a phone.
  $("#sidebar").inert = narrow.matches && !show;
  if (show) focusCurrent();
}

function fitUnderHeader() {
  const height = $("#room-header").getBoundingClientRect().bottom;
  document.documentElement.style.setProperty("--header-bottom", `${Math.round(height)}px`);
}

export function start() {
  $("#show-rooms").addEventListener("click", () => toggle());
  $("#scrim").addEventListener("click", () => toggle(false));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && isOpen()) {
      toggle(false);
      $("#show-rooms").focus();
    }
  });
  on("current", () => isOpen() && toggle(false));
  new ResizeObserver(fitUnderHeader).observe($("#room-header"));
  narrow.addEventListener("change", () => toggle(false));
  toggle(false);
}
