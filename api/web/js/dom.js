// Building DOM nodes from data. Text always goes in as text nodes, never as HTML, so
// nothing a user writes can become markup (and the page's CSP forbids inline styles
// and scripts anyway).

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

/**
 * `el("button", {class: "link", onclick: fn, "aria-label": "Close"}, "text", node)`.
 * `on*` keys become listeners; `false`/`null` attributes are left out; `true` ones are
 * set empty (boolean attributes such as `hidden`).
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  node.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

export function setAttrs(node, attrs) {
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
}

/** Shows or hides `node` (the `hidden` attribute; CSS makes it win over `display`). */
export function show(node, visible) {
  node.hidden = !visible;
}

/**
 * Makes `parent`'s children exactly `nodes`, moving only what changed. Unlike
 * `replaceChildren`, a node that stays in place is not detached, so focus, selection
 * and an inline editor inside it survive a re-render.
 */
export function reconcile(parent, nodes) {
  let cursor = parent.firstChild;
  for (const node of nodes) {
    if (node === cursor) {
      cursor = cursor.nextSibling;
    } else {
      parent.insertBefore(node, cursor);
    }
  }
  while (cursor) {
    const next = cursor.nextSibling;
    cursor.remove();
    cursor = next;
  }
}

/** Runs `fn` at most once per `ms`, with the last arguments (trailing edge). */
export function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/** The first letter of a name, for avatars. */
export function initial(name) {
  return ([...(name || "?").trim()][0] || "?").toUpperCase();
}

/** A stable hue for a user id (one of 12, 30° apart), so each person keeps one colour. */
export function hue(id) {
  // FNV-1a: ids that differ in a few characters still land far apart.
  let h = 0x811c9dc5;
  for (const ch of String(id)) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return (h % 12) * 30;
}

export function avatar(user, size = "") {
  const node = el("span", { class: `avatar ${size}`.trim(), "aria-hidden": "true" }, initial(user.name));
  node.style.setProperty("--hue", String(hue(user.id)));
  return node;
}
