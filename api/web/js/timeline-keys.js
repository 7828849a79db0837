// The keyboard in a list of messages (the timeline, a thread), as in Slack and
// Discord: the list is one Tab stop; ↑/↓ walk the messages, Home/End go to the first
// and last; on a message, Enter or E edits mine, Delete deletes, R replies, + (or =)
// reacts, T opens its thread; Tab goes into the focused message's buttons.
// A tap on a message (touch screens have no hover) shows its actions.

// A roving Tab stop: the list is one stop (the list, or the message last focused, so
// Shift+Tab from the message box returns there). A focused message's links and
// buttons join the Tab order and leave it when focus moves on, so that Tab crosses a
// long timeline in one step.
const INNER = ".actions button, .text a, .reply-quote, .extras button";

const SHORTCUTS = {
  Enter: ".action.edit, .action.retry",
  e: ".action.edit, .action.retry",
  Delete: ".action.delete, .action.discard",
  Backspace: ".action.delete, .action.discard",
  r: ".action.reply",
  "+": ".action.react",
  "=": ".action.react",
  t: ".thread-link",
};

function onKey(event, list) {
  const items = [...list.querySelectorAll(".msg")];
  const at = items.indexOf(document.activeElement);
  const arrow = event.key === "ArrowUp" || event.key === "ArrowDown";
  if (arrow && event.target.closest(".actions, .extras, .reply-quote")) {
    event.preventDefault();
    event.target.closest(".msg").focus(); // from a button back to its message
    return;
  }
  if (event.target === list && arrow) {
    event.preventDefault();
    items[items.length - 1]?.focus();
    return;
  }
  if (at < 0 || event.ctrlKey || event.metaKey || event.altKey) return;
  const step = { ArrowUp: -1, ArrowDown: 1 }[event.key];
  if (step) {
    event.preventDefault();
    items[Math.max(0, Math.min(items.length - 1, at + step))].focus();
  } else if (event.key === "Home" || event.key === "End") {
    event.preventDefault();
    items[event.key === "Home" ? 0 : items.length - 1].focus();
  } else if (SHORTCUTS[event.key]) {
    const target = items[at].querySelector(SHORTCUTS[event.key]);
    if (!target) return;
    event.preventDefault(); // R must not type an "r" in the box that replying focuses
    target.click();
  }
}

function onFocusIn(event, list) {
  const item = event.target.closest(".msg");
  for (const b of list.querySelectorAll(`:is(${INNER})[tabindex='0']`)) {
    if (!item || !item.contains(b)) b.tabIndex = -1;
  }
  if (!item) return;
  for (const b of item.querySelectorAll(INNER)) b.tabIndex = 0;
  for (const other of list.querySelectorAll(".msg[tabindex='0']")) if (other !== item) other.tabIndex = -1;
  item.tabIndex = 0;
  list.tabIndex = -1;
}

/** After a re-render the roving stop may have gone with its message: the list again. */
export function keepTabStop(list) {
  if (!list.querySelector(".msg[tabindex='0']")) list.tabIndex = 0;
}

/** The keyboard and tap handling above, for one list of messages. */
export function attachMessageKeys(list) {
  list.addEventListener("keydown", (event) => onKey(event, list));
  list.addEventListener("focusin", (event) => onFocusIn(event, list));
  list.addEventListener("focusout", (event) => {
    if (!list.contains(event.relatedTarget)) for (const b of list.querySelectorAll(`:is(${INNER})[tabindex='0']`)) b.tabIndex = -1;
  });
  list.addEventListener("click", (event) => {
    const item = event.target.closest(".msg");
    if (item && !event.target.closest("a, button, textarea") && document.activeElement !== item && !item.contains(document.activeElement)) item.focus();
  });
}
