// Modal dialogs on the native <dialog> element: it keeps focus inside, closes on
// Escape, and gives focus back to what opened it. A click on the backdrop closes too.

import { $, el } from "./dom.js";

/** Opens the <dialog> with this id; `onClose` runs when it closes, however it closes. */
export function openDialog(id, { onClose } = {}) {
  const dialog = document.getElementById(id);
  const opener = document.activeElement;
  if (!dialog.open) dialog.showModal();
  dialog.addEventListener("close", () => {
    onClose?.();
    // Back to the button that opened it, if it is still on the page.
    if (opener?.isConnected && typeof opener.focus === "function") opener.focus();
  }, { once: true });
  return dialog;
}

export function closeDialog(id) {
  const dialog = document.getElementById(id);
  if (dialog?.open) dialog.close();
}

// A press that starts and ends on the backdrop (outside the dialog's box) closes it.
export function closeOnBackdrop(dialog) {
  let downOutside = false;
  const outside = (event) => {
    const box = dialog.getBoundingClientRect();
    return event.clientX < box.left || event.clientX > box.right || event.clientY < box.top || event.clientY > box.bottom;
  };
  dialog.addEventListener("pointerdown", (event) => {
    downOutside = event.target === dialog && outside(event);
  });
  dialog.addEventListener("click", (event) => {
    if (downOutside && event.target === dialog && outside(event)) dialog.close();
    downOutside = false;
  });
}

/**
 * An in-page confirmation: resolves true for the confirming button, false for Cancel,
 * Escape or the backdrop. `danger` styles the confirming button as destructive.
 */
export function confirmDialog({ title, text, confirm = "OK", danger = false }) {
  return ask({ title, text, confirm, danger, reason: false }).then((answer) => answer !== null);
}

/**
 * The same confirmation with an optional reason to write (banning someone): resolves
 * to the reason ("" when none was written), or null when cancelled.
 */
export function askReason({ title, text, confirm = "OK", danger = false }) {
  return ask({ title, text, confirm, danger, reason: true });
}

function ask({ title, text, confirm, danger, reason }) {
  const dialog = $("#confirm-dialog");
  $("#confirm-title").textContent = title;
  $("#confirm-text").textContent = text || "";
  const yes = $("#confirm-yes");
  yes.textContent = confirm;
  yes.className = danger ? "danger" : "primary";
  const field = $("#confirm-reason");
  field.value = "";
  $("#confirm-reason-label").hidden = !reason;
  return new Promise((resolve) => {
    openDialog("confirm-dialog", { onClose: () => resolve(dialog.returnValue === "yes" ? field.value.trim() : null) });
    dialog.returnValue = "";
    // The safe choice has the focus, as in the system's own dialogs; with a reason to
    // write, the box for it.
    (reason ? field : $("#confirm-no")).focus();
  });
}

/** A labelled error line under a form, cleared with an empty text. */
export function formError(form, text) {
  let line = form.querySelector(".error");
  if (!line) form.append((line = el("p", { class: "error", role: "alert" })));
  line.textContent = text || "";
}

/** Every dialog: a backdrop click closes it, and so do its `data-close` buttons. */
export function wireDialogs() {
  for (const dialog of document.querySelectorAll("dialog")) {
    closeOnBackdrop(dialog);
    for (const button of dialog.querySelectorAll("[data-close]")) button.addEventListener("click", () => dialog.close());
  }
}
