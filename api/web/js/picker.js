// A text box that suggests people as you type (the ARIA combobox pattern): ↑/↓ move
// through the suggestions, Enter picks one, Escape closes the list; a click or tap
// picks too. Suggestions come from the user directory (GET /users?q=).

import { call } from "./api.js";
import { avatar, debounce, el } from "./dom.js";

let count = 0;

/**
 * Turns `input` into a people picker. `exclude(user)` hides some (members already);
 * `onPick(user)` runs with the chosen one. Returns {clear()}.
 */
export function userPicker(input, { exclude = () => false, onPick }) {
  const id = `picker-${++count}`;
  const list = el("ul", { id, class: "suggestions", role: "listbox", hidden: true });
  input.after(list);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", id);
  input.setAttribute("aria-expanded", "false");
  input.autocomplete = "off";
  let users = [];
  let active = -1;
  let asked = 0;

  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };

  const paint = () => {
    list.replaceChildren(...users.map((u, i) => {
      const option = el("li", { id: `${id}-${i}`, role: "option", class: "suggestion", "aria-selected": i === active ? "true" : "false" },
        avatar(u, "small"), el("span", { class: "name" }, u.name), el("span", { class: "handle" }, `@${u.username}`),
        u.online ? el("span", { class: "online-tag" }, "online") : null);
      // pointerdown, not click: the input's blur would close the list before a click lands.
      option.addEventListener("pointerdown", (event) => {
        event.preventDefault();
        pick(u);
      });
      return option;
    }));
    if (!users.length && input.value.trim()) list.replaceChildren(el("li", { class: "suggestion empty" }, "Nobody by that name."));
    list.hidden = !input.value.trim() && !users.length;
    input.setAttribute("aria-expanded", String(!list.hidden));
    if (active >= 0) input.setAttribute("aria-activedescendant", `${id}-${active}`);
    else input.removeAttribute("aria-activedescendant");
  };

  const pick = (user) => {
    close();
    input.value = "";
    onPick(user);
  };

  const search = debounce(async () => {
    const q = input.value.trim();
    if (!q) {
      users = [];
      return close();
    }
    const ticket = ++asked;
    try {
      const page = await call("GET", `/users?q=${encodeURIComponent(q)}&limit=20`);
      if (ticket !== asked) return; // an older answer arriving late
      users = page.users.filter((u) => !exclude(u)).slice(0, 8);
      active = users.length ? 0 : -1;
      paint();
    } catch {
      close();
    }
  }, 150);

  input.addEventListener("input", search);
  input.addEventListener("blur", () => setTimeout(close, 100));
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!users.length) return;
      event.preventDefault();
      active = (active + (event.key === "ArrowDown" ? 1 : users.length - 1)) % users.length;
      paint();
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (active >= 0 && users[active] && !list.hidden) pick(users[active]);
    } else if (event.key === "Escape" && !list.hidden) {
      event.preventDefault();
      event.stopPropagation();
      close();
    }
  });
  return { clear: () => { input.value = ""; users = []; close(); } };
}
