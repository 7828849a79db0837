// Shortcuts, as in Slack and Element: Alt+↑/↓ the previous/next room, Alt+Shift+↑/↓
// the previous/next room with unread messages, Ctrl+K (⌘K) "Jump to…", Ctrl+F (⌘F)
// search this room and / search everywhere (as in Slack and Discord; / only outside
// text boxes, where it is a character), Escape back to the message box.

import * as composer from "./composer.js";
import { $ } from "./dom.js";
import { openJump } from "./jump.js";
import { open } from "./navigation.js";
import { inOrder } from "./rooms.js";
import { openSearch } from "./search.js";
import { focusCurrent } from "./sidebar.js";
import { state } from "./state.js";

const typing = (node) => node?.closest?.("input, textarea, select, [contenteditable='true']");

function step(direction, unreadOnly) {
  const rooms = inOrder();
  if (!rooms.length) return;
  const at = rooms.findIndex((r) => r.id === state.current);
  for (let i = 1; i <= rooms.length; i++) {
    const room = rooms[(at + direction * i + rooms.length * i) % rooms.length];
    if (!unreadOnly || room.unread > 0) {
      open(room.id).then(() => {
        // Stay where the keyboard was: in the list, or in the message box.
        if (document.activeElement?.closest?.("#sidebar")) focusCurrent();
      });
      return;
    }
  }
}

export function start() {
  document.addEventListener("keydown", (event) => {
    if (document.querySelector("dialog[open]")) return;
    if (event.altKey && (event.key === "ArrowUp" || event.key === "ArrowDown")) {
      event.preventDefault();
      step(event.key === "ArrowUp" ? -1 : 1, event.shiftKey);
    } else if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "k") {
      event.preventDefault();
      openJump();
    } else if ((event.ctrlKey || event.metaKey) && !event.shiftKey && event.key.toLowerCase() === "f" && !$("#app").hidden) {
      event.preventDefault();
      openSearch({ here: Boolean(state.current) });
    } else if (event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && !typing(event.target) && !$("#app").hidden) {
      event.preventDefault();
      openSearch({ here: false });
    } else if (event.key === "Escape" && !event.defaultPrevented && document.activeElement?.closest?.("#messages")) {
      composer.focus();
    }
  });
}
