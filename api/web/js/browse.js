// Finding rooms: the room browser (every public room, joined or not, with its topic
// and size, filtered as you type; rooms created meanwhile appear live) and the form
// that creates a room.

import { $, el } from "./dom.js";
import { closeDialog, formError, openDialog } from "./dialog.js";
import { describe, fieldText } from "./errors.js";
import { roomIcon } from "./icons.js";
import { open } from "./navigation.js";
import { create, join } from "./room-actions.js";
import { browse } from "./rooms.js";
import { on, state } from "./state.js";

function render() {
  const q = $("#browse-filter").value.trim().toLowerCase();
  const rooms = [...state.discover.values(), ...[...state.rooms.values()].filter((r) => r.visibility === "public")]
    .filter((r) => !q || r.name.toLowerCase().includes(q) || (r.description || "").toLowerCase().includes(q))
    .sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: "base" }));
  $("#browse-empty").hidden = rooms.length > 0;
  $("#browse-empty").textContent = q ? `No room matches “${q}”.` : "There are no public rooms yet. Create the first one!";
  $("#browse-list").replaceChildren(...rooms.map((room) => {
    const member = state.rooms.has(room.id);
    const action = el("button", { type: "button", class: member ? "secondary" : "primary", "aria-label": `${member ? "Open" : "Join"} ${room.name}` }, member ? "Open" : "Join");
    action.addEventListener("click", () => choose(room, member, action));
    const count = room.member_count ?? 0;
    return el("li", { class: "browse-item" },
      roomIcon(room),
      el("div", { class: "browse-text" },
        el("span", { class: "name" }, room.name),
        el("span", { class: "topic" }, room.description || "No topic"),
        el("span", { class: "count" }, `${count} ${count === 1 ? "member" : "members"}${member ? " · joined" : ""}`)),
      action);
  }));
}

async function choose(room, member, button) {
  $("#browse-error").textContent = "";
  button.disabled = true;
  try {
    if (!member) await join(room.id);
    closeDialog("browse-dialog");
    await open(room.id);
  } catch (err) {
    $("#browse-error").textContent = describe(err);
    button.disabled = false;
  }
}

export function openBrowser() {
  $("#browse-filter").value = "";
  $("#browse-error").textContent = "";
  render();
  openDialog("browse-dialog");
  $("#browse-filter").focus();
  browse().then(render).catch((err) => ($("#browse-error").textContent = describe(err)));
}

export function openCreate() {
  closeDialog("browse-dialog");
  const form = $("#create-room");
  form.reset();
  formError(form, "");
  openDialog("create-dialog");
  form.elements.name.focus();
}

async function submitCreate(event) {
  event.preventDefault();
  const form = event.target;
  const name = form.elements.name.value.trim();
  const description = form.elements.description.value.trim();
  formError(form, "");
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const room = await create({ name, description, visibility: form.elements.private.checked ? "private" : "public" });
    closeDialog("create-dialog");
    await open(room.id);
  } catch (err) {
    formError(form, err.fields?.length ? err.fields.map(fieldText).join(" ") : describe(err));
  } finally {
    button.disabled = false;
  }
}

export function start() {
  for (const id of ["#browse-rooms", "#browse-more"]) $(id).addEventListener("click", openBrowser);
  for (const id of ["#new-room", "#browse-create"]) $(id).addEventListener("click", openCreate);
  $("#empty-state [data-action=browse]").addEventListener("click", openBrowser);
  $("#empty-state [data-action=create]").addEventListener("click", openCreate);
  $("#browse-filter").addEventListener("input", render);
  $("#create-room").addEventListener("submit", submitCreate);
  on("discover", () => $("#browse-dialog").open && render());
  on("rooms", () => $("#browse-dialog").open && render());
}
