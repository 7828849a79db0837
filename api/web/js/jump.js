// "Jump to…" (Ctrl+K or ⌘K): type part of a room's or person's name, Enter opens the
// highlighted one; ↑/↓ move the highlight. Unread rooms come first.

import { $, el } from "./dom.js";
import { closeDialog, openDialog } from "./dialog.js";
import { roomIcon } from "./icons.js";
import { open } from "./navigation.js";
import { inOrder, title } from "./rooms.js";
import { state } from "./state.js";

let matches = [];
let active = 0;

function render() {
  const q = $("#jump-filter").value.trim().toLowerCase();
  matches = inOrder()
    .filter((r) => !q || title(r).toLowerCase().includes(q) || r.name.toLowerCase().includes(q))
    .sort((a, b) => (b.unread > 0) - (a.unread > 0));
  active = Math.min(active, Math.max(0, matches.length - 1));
  $("#jump-list").replaceChildren(...matches.map((room, i) => {
    const option = el("li", { id: `jump-${i}`, role: "option", class: "jump-item", "aria-selected": i === active ? "true" : "false" },
      roomIcon(room), el("span", { class: "name" }, title(room)),
      room.unread > 0 && room.id !== state.current ? el("span", { class: "badge" }, String(room.unread)) : null);
    option.addEventListener("click", () => choose(room));
    return option;
  }));
  if (matches.length) $("#jump-filter").setAttribute("aria-activedescendant", `jump-${active}`);
  else $("#jump-filter").removeAttribute("aria-activedescendant");
  $("#jump-empty").hidden = matches.length > 0;
}

function choose(room) {
  closeDialog("jump-dialog");
  open(room.id);
}

export function openJump() {
  $("#jump-filter").value = "";
  active = 0;
  render();
  openDialog("jump-dialog");
  $("#jump-filter").focus();
}

export function start() {
  $("#jump").addEventListener("click", openJump);
  $("#jump-filter").addEventListener("input", () => {
    active = 0;
    render();
  });
  $("#jump-filter").addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!matches.length) return;
      active = (active + (event.key === "ArrowDown" ? 1 : matches.length - 1)) % matches.length;
      render();
      document.getElementById(`jump-${active}`)?.scrollIntoView({ block: "nearest" });
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (matches[active]) choose(matches[active]);
    }
  });
}
