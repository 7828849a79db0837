// The open room's details: its name and topic (the owner edits them), and leaving
// or deleting it, each confirmed in the page first.

import { $ } from "./dom.js";
import { closeDialog, confirmDialog, formError, openDialog } from "./dialog.js";
import { describe } from "./errors.js";
import { leave, owns, remove, update } from "./room-actions.js";
import { title } from "./rooms.js";
import { state } from "./state.js";

function fill(room) {
  const form = $("#room-settings");
  const mine = owns(room);
  form.elements.name.value = room.name;
  form.elements.description.value = room.description || "";
  form.elements.name.readOnly = !mine;
  form.elements.description.readOnly = !mine;
  form.querySelector("button[type=submit]").hidden = !mine;
  $("#settings-kind").textContent = room.visibility === "private"
    ? "Private room: only invited members can see it."
    : "Public room: anyone can find and join it.";
  $("#settings-owner-note").hidden = mine;
  $("#delete-room").hidden = !mine;
  $("#leave-room").hidden = mine;
  $("#settings-leave-note").hidden = !mine;
  formError(form, "");
  $("#settings-error").textContent = "";
}

export function openSettings() {
  const room = state.rooms.get(state.current);
  if (!room || room.visibility === "direct") return;
  fill(room);
  openDialog("settings-dialog");
  $("#settings-title").textContent = `About ${title(room)}`;
  // The owner edits; anyone else reads, so the focus goes to Close rather than a read-only box.
  (owns(room) ? $("#room-settings [name=name]") : $("#room-settings [data-close]")).focus();
}

async function save(event) {
  event.preventDefault();
  const form = event.target;
  const room = state.rooms.get(state.current);
  if (!room) return;
  const name = form.elements.name.value.trim();
  const description = form.elements.description.value.trim();
  try {
    await update(room.id, { name, description });
    closeDialog("settings-dialog");
  } catch (err) {
    formError(form, describe(err));
  }
}

async function leaveRoom() {
  const room = state.rooms.get(state.current);
  if (!room) return;
  const yes = await confirmDialog({
    title: `Leave ${title(room)}?`,
    text: room.visibility === "private" ? "You will need a new invitation to come back." : "You can join again from Browse rooms.",
    confirm: "Leave room",
    danger: true,
  });
  if (!yes) return;
  try {
    await leave(room.id);
    closeDialog("settings-dialog");
  } catch (err) {
    $("#settings-error").textContent = describe(err);
  }
}

async function deleteRoom() {
  const room = state.rooms.get(state.current);
  if (!room) return;
  const yes = await confirmDialog({
    title: `Delete ${title(room)}?`,
    text: "Its messages are deleted for everyone. This cannot be undone.",
    confirm: "Delete room",
    danger: true,
  });
  if (!yes) return;
  try {
    await remove(room.id);
    closeDialog("settings-dialog");
  } catch (err) {
    $("#settings-error").textContent = describe(err);
  }
}

export function start() {
  $("#room-info").addEventListener("click", openSettings);
  $("#room-settings").addEventListener("submit", save);
  $("#leave-room").addEventListener("click", leaveRoom);
  $("#delete-room").addEventListener("click", deleteRoom);
}
