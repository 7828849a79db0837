// The reaction picker: a small popover by the button that opened it, with common
// emoji (written as the server stores them, so they show at once) and a box for any
// other emoji or a `:short_code:`. Arrow keys move through the emoji, Enter picks,
// Escape or a click elsewhere closes it and the focus goes back where it was. On a
// phone it is a sheet at the bottom of the screen, within reach of a thumb.

import { el } from "./dom.js";

const COMMON = [
  ["👍", "thumbs up"], ["👎", "thumbs down"], ["😄", "smile"], ["🎉", "party"],
  ["❤️", "heart"], ["🙏", "thanks"], ["👀", "eyes"], ["🚀", "rocket"],
  ["✅", "done"], ["😂", "laughing"], ["🔥", "fire"], ["👏", "clap"],
  ["💯", "hundred"], ["🤔", "thinking"], ["😮", "surprised"], ["😢", "sad"],
];
const COLUMNS = 8;

let picker = null;
let onPick = null;
let returnTo = null;

function build() {
  const grid = el("div", { class: "emoji-grid", role: "group", "aria-label": "Common reactions" });
  COMMON.forEach(([emoji, name], i) => {
    const button = el("button", { type: "button", class: "emoji-choice", "aria-label": name, title: name, tabindex: i === 0 ? "0" : "-1" }, emoji);
    button.addEventListener("click", () => choose(emoji, { typed: false }));
    grid.append(button);
  });
  grid.addEventListener("keydown", moveInGrid);
  const input = el("input", { type: "text", class: "emoji-input", placeholder: "Any emoji or :short_code:", "aria-label": "Any emoji or short code", maxlength: "64", spellcheck: "false", autocomplete: "off", enterkeyhint: "done" });
  const form = el("form", { class: "emoji-form" }, input, el("button", { type: "submit", class: "secondary small" }, "Add"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    let value = input.value.trim();
    if (!value) return;
    // "tada" is taken as :tada:, the way people type short codes on a phone.
    if (/^[a-z0-9_+-]{1,32}$/.test(value)) value = `:${value}:`;
    choose(value, { typed: true });
  });
  picker = el("div", { id: "emoji-picker", class: "emoji-picker", role: "dialog", "aria-label": "Add a reaction", hidden: true },
    el("p", { class: "emoji-title" }, "Add a reaction"), grid, form);
  picker.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      hidePicker();
    }
  });
  document.body.append(picker);
  document.addEventListener("pointerdown", (event) => {
    if (!picker.hidden && !picker.contains(event.target) && !event.target.closest?.(".action.react, .chip.add")) hidePicker({ focus: false });
  });
  window.addEventListener("resize", () => hidePicker({ focus: false }));
}

function moveInGrid(event) {
  const buttons = [...picker.querySelectorAll(".emoji-choice")];
  const at = buttons.indexOf(document.activeElement);
  if (at < 0) return;
  const to = { ArrowRight: at + 1, ArrowLeft: at - 1, ArrowDown: at + COLUMNS, ArrowUp: at - COLUMNS, Home: 0, End: buttons.length - 1 }[event.key];
  if (to === undefined) return;
  event.preventDefault();
  const next = buttons[Math.max(0, Math.min(buttons.length - 1, to))];
  for (const b of buttons) b.tabIndex = b === next ? 0 : -1;
  next.focus();
}

async function choose(emoji, how) {
  const pick = onPick;
  const input = picker.querySelector(".emoji-input");
  if (!how.typed) {
    hidePicker();
    pick?.(emoji, how);
    return;
  }
  // A typed one may be refused (not an emoji): the box stays open to fix it.
  input.disabled = true;
  const ok = await pick?.(emoji, how);
  input.disabled = false;
  if (ok === false) input.focus();
  else hidePicker();
}

// Beside the anchor, inside the window: below it if there is room, else above.
function place(anchor) {
  if (window.matchMedia("(max-width: 760px)").matches) {
    picker.classList.add("sheet");
    picker.style.removeProperty("left");
    picker.style.removeProperty("top");
    return;
  }
  picker.classList.remove("sheet");
  const a = anchor.getBoundingClientRect();
  const p = picker.getBoundingClientRect();
  const left = Math.max(8, Math.min(window.innerWidth - p.width - 8, a.right - p.width));
  const below = a.bottom + 6;
  const top = below + p.height < window.innerHeight - 8 ? below : Math.max(8, a.top - p.height - 6);
  picker.style.left = `${Math.round(left)}px`;
  picker.style.top = `${Math.round(top)}px`;
}

/** Opens the picker by `anchor`; `pick(emoji, {typed})` runs with the choice. */
export function showPicker(anchor, pick) {
  if (!picker) build();
  onPick = pick;
  // Back to the anchor's message afterwards (or the anchor, outside a message).
  const message = anchor.closest?.(".msg");
  returnTo = { anchor, id: message?.dataset.id, list: message?.closest("ol") };
  picker.querySelector(".emoji-input").value = "";
  picker.hidden = false;
  place(anchor);
  picker.querySelector(".emoji-choice[tabindex='0']").focus();
}

export function hidePicker({ focus = true } = {}) {
  if (!picker || picker.hidden) return;
  picker.hidden = true;
  onPick = null;
  if (!focus || !returnTo) return;
  // To the message (where its shortcuts work), even if a re-render replaced it.
  const { anchor, id, list } = returnTo;
  const message = id && list ? list.querySelector(`.msg[data-id="${id}"]`) : null;
  (message || (anchor.isConnected ? anchor : null))?.focus({ preventScroll: true });
}

export const pickerOpen = () => Boolean(picker && !picker.hidden);
