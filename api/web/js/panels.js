// The column right of the conversation holds one panel at a time, as in Slack: the
// room's members, a thread, or search results. Opening one closes the others. On a
// narrow screen the panel lies over the conversation (see css/panels.css).

import { $ } from "./dom.js";

const PANELS = { members: "#toggle-members", thread: null, search: "#open-search" };
const hideHooks = new Map(); // panel name -> [fn]

export const isShown = (name) => !$(`#${name}`).hidden;

/** Runs `fn` whenever the panel `name` closes (by another opening too). */
export function onHide(name, fn) {
  if (!hideHooks.has(name)) hideHooks.set(name, []);
  hideHooks.get(name).push(fn);
}

export function showPanel(name) {
  for (const other of Object.keys(PANELS)) if (other !== name) hidePanel(other);
  $(`#${name}`).hidden = false;
  if (PANELS[name]) $(PANELS[name]).setAttribute("aria-expanded", "true");
  document.body.classList.add("panel-open", `panel-${name}`);
}

export function hidePanel(name) {
  const panel = $(`#${name}`);
  if (panel.hidden) return;
  panel.hidden = true;
  document.body.classList.remove(`panel-${name}`);
  if (PANELS[name]) $(PANELS[name]).setAttribute("aria-expanded", "false");
  if (Object.keys(PANELS).every((n) => !isShown(n))) document.body.classList.remove("panel-open");
  for (const fn of hideHooks.get(name) || []) fn();
}
