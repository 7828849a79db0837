// The people directory: everyone with an account (not only who is online now),
// searched as you type, each with a button that opens a direct conversation.

import { call } from "./api.js";
import { $, avatar, debounce, el } from "./dom.js";
import { closeDialog, openDialog } from "./dialog.js";
import { describe } from "./errors.js";
import { agoLabel } from "./format.js";
import { open } from "./navigation.js";
import { directRoom } from "./room-actions.js";
import * as session from "./session.js";

let asked = 0;
let cursor = null;

function row(user) {
  const button = el("button", { type: "button", class: "primary small", "aria-label": `Message ${user.name}` }, "Message");
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const room = await directRoom(user.id);
      // Close first: while the modal dialog is up, the message box cannot take focus.
      closeDialog("people-dialog");
      await open(room.id);
    } catch (err) {
      $("#people-error").textContent = describe(err);
      button.disabled = false;
    }
  });
  const status = user.online ? "online" : user.last_seen ? `last seen ${agoLabel(user.last_seen)}` : "offline";
  return el("li", { class: "person" },
    el("span", { class: `presence-avatar${user.online ? " online" : ""}` }, avatar(user)),
    el("span", { class: "member-names" }, el("span", { class: "name" }, user.name), el("span", { class: "handle" }, `@${user.username} · ${status}`)),
    button);
}

async function search({ more = false } = {}) {
  const q = $("#people-filter").value.trim();
  const ticket = ++asked;
  $("#people-error").textContent = "";
  try {
    const page = await call("GET", `/users?limit=50${q ? `&q=${encodeURIComponent(q)}` : ""}${more && cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    if (ticket !== asked) return;
    cursor = page.next_cursor;
    const me = session.user()?.id;
    const rows = page.users.filter((u) => u.id !== me).map(row);
    if (more) $("#people-list").append(...rows);
    else $("#people-list").replaceChildren(...rows);
    $("#people-more").hidden = !cursor;
    $("#people-empty").hidden = $("#people-list").children.length > 0;
    $("#people-empty").textContent = q ? `Nobody matches “${q}”.` : "Nobody else has an account yet.";
  } catch (err) {
    if (ticket === asked) $("#people-error").textContent = describe(err);
  }
}

export function openPeople() {
  $("#people-filter").value = "";
  $("#people-list").replaceChildren();
  openDialog("people-dialog");
  $("#people-filter").focus();
  search();
}

export function start() {
  for (const id of ["#new-dm", "#find-people", "#empty-state [data-action=people]"]) $(id).addEventListener("click", openPeople);
  $("#people-filter").addEventListener("input", debounce(() => search(), 150));
  $("#people-more").addEventListener("click", () => search({ more: true }));
}
