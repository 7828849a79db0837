// Typing `@` in a message box suggests the room's members (name and @username), as
// in Slack: ↑/↓ move, Enter or Tab insert `@username `, Escape closes the list, a
// click or tap picks. Only members: mentioning anyone else mentions nobody.

import { avatar, el } from "./dom.js";
import * as roster from "./roster.js";
import * as session from "./session.js";
import { on } from "./state.js";

const MAX = 8;
// `@` where a word starts, then what was typed of the name, up to the caret.
const TRIGGER = /(?:^|[^\p{L}\p{N}_])@([\p{L}\p{N}._+@-]{0,64})$/u;

let count = 0;
const fold = (s) => s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();

/** Suggestions for a query: usernames and words of names that start with it, online first. */
export function suggest(members, query, myId) {
  const q = fold(query);
  return members
    .filter((m) => m.user.id !== myId)
    .filter((m) => !q || fold(m.user.username).startsWith(q) || fold(m.user.name).split(/\s+/).some((w) => w.startsWith(q)))
    .sort((a, b) => (fold(b.user.username).startsWith(q) - fold(a.user.username).startsWith(q)) ||
      (b.online - a.online) || a.user.name.localeCompare(b.user.name))
    .slice(0, MAX)
    .map((m) => m.user);
}

/** Adds the suggestions to `box`; `roomOf()` names the room whose members to suggest. */
export function attachMentions(box, roomOf) {
  const id = `mentions-${++count}`;
  const list = el("ul", { id, class: "mention-list", role: "listbox", "aria-label": "People to mention", hidden: true });
  box.parentElement.append(list);
  box.setAttribute("aria-autocomplete", "list");
  box.setAttribute("aria-controls", id);
  let users = [];
  let active = 0;
  let start = -1; // where the `@` is

  const close = () => {
    list.hidden = true;
    users = [];
    box.removeAttribute("aria-activedescendant");
  };

  const paint = () => {
    list.replaceChildren(...users.map((u, i) => {
      const option = el("li", { id: `${id}-${i}`, role: "option", class: "suggestion", "aria-selected": String(i === active) },
        avatar(u, "small"), el("span", { class: "name" }, u.name), el("span", { class: "handle" }, `@${u.username}`));
      // pointerdown, not click: the box keeps the focus (and the phone its keyboard).
      option.addEventListener("pointerdown", (event) => {
        event.preventDefault();
        pick(u);
      });
      return option;
    }));
    list.hidden = !users.length;
    if (users.length) box.setAttribute("aria-activedescendant", `${id}-${active}`);
    else box.removeAttribute("aria-activedescendant");
  };

  const pick = (user) => {
    const caret = box.selectionStart;
    const before = box.value.slice(0, start);
    const after = box.value.slice(caret).replace(/^\S*/, ""); // the rest of a name typed in the middle
    const insert = `@${user.username} `;
    box.value = before + insert + after.replace(/^ /, "");
    const at = before.length + insert.length;
    box.setSelectionRange(at, at);
    close();
    box.dispatchEvent(new Event("input", { bubbles: true })); // the box grows, the draft is kept
  };

  const update = () => {
    const room = roomOf();
    const caret = box.selectionStart;
    const match = room && box.selectionEnd === caret ? TRIGGER.exec(box.value.slice(0, caret)) : null;
    if (!match) return close();
    const members = roster.members(room);
    if (!members) {
      roster.load(room).then(update).catch(() => {});
      return close();
    }
    start = caret - match[1].length - 1;
    const next = suggest(members, match[1], session.user()?.id);
    if (next.map((u) => u.id).join() !== users.map((u) => u.id).join()) active = 0;
    users = next;
    paint();
  };

  box.addEventListener("input", update);
  box.addEventListener("click", update);
  box.addEventListener("keyup", (event) => {
    if (event.key === "ArrowLeft" || event.key === "ArrowRight" || event.key === "Home" || event.key === "End") update();
  });
  box.addEventListener("blur", () => setTimeout(close, 100));
  // Capture, so these keys are ours before the box's own Enter (send) and ↑ (edit).
  box.addEventListener("keydown", (event) => {
    if (list.hidden || event.isComposing) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      active = (active + (event.key === "ArrowDown" ? 1 : users.length - 1)) % users.length;
      paint();
      list.children[active]?.scrollIntoView({ block: "nearest" });
    } else if ((event.key === "Enter" && !event.shiftKey) || event.key === "Tab") {
      pick(users[active]);
    } else if (event.key === "Escape") {
      close();
    } else {
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
  }, { capture: true });
  // New members while typing `@`: suggest them too (the list may be empty, so hidden, until then).
  on("roster", (room) => room === roomOf() && document.activeElement === box && update());
  return { close };
}
