// Line icons drawn as inline SVG, so they look the same everywhere: an emoji such as
// 🔒 renders as an empty box on systems without an emoji font. Each icon is
// decorative (aria-hidden); the button or text beside it carries the words.

const NS = "http://www.w3.org/2000/svg";

// 24×24 stroke paths, one string per shape ("c:cx,cy,r" is a circle, "r:x,y,w,h,rx" a rectangle).
const SHAPES = {
  hash: ["M5 9h15", "M4 15h15", "M10 3 8 21", "M16 3l-2 18"],
  lock: ["r:5,11,14,10,2", "M8 11V7.5a4 4 0 0 1 8 0V11"],
  person: ["c:12,8,4", "M4.5 21a7.5 7.5 0 0 1 15 0"],
  people: ["c:9,8,3.5", "M2.5 20.5a6.5 6.5 0 0 1 13 0", "M15.5 4.6a3.5 3.5 0 0 1 0 6.8", "M18 14.2a6.5 6.5 0 0 1 3.5 6.3"],
  menu: ["M4 6h16", "M4 12h16", "M4 18h16"],
  close: ["M6 6l12 12", "M18 6 6 18"],
  info: ["c:12,12,9", "M12 11v6", "M12 7.6v.2"],
  pencil: ["M4 20h4L19 9l-4-4L4 16v4z", "M13.5 6.5l4 4"],
  trash: ["M4 7h16", "M9.5 7V4.5h5V7", "M6 7l1 13h10l1-13", "M10 11v5", "M14 11v5"],
  search: ["c:11,11,7", "M20 20l-4-4"],
  plus: ["M12 5v14", "M5 12h14"],
  send: ["M4 12 20 4l-5 16-3.5-6.5z", "M11.5 13.5 20 4"],
  bell: ["M6 16v-5a6 6 0 0 1 12 0v5l1.5 2h-15z", "M10 20.5a2 2 0 0 0 4 0"],
  down: ["M12 5v14", "M6 13l6 6 6-6"],
  compass: ["c:12,12,9", "M15.5 8.5l-2 5-5 2 2-5z"],
  logout: ["M10 5H5v14h5", "M14 8l4 4-4 4", "M18 12H9"],
  more: ["c:5.5,12,1", "c:12,12,1", "c:18.5,12,1"],
  chat: ["M4 5.5A1.5 1.5 0 0 1 5.5 4h13A1.5 1.5 0 0 1 20 5.5v9a1.5 1.5 0 0 1-1.5 1.5H10l-5 4v-4h0.5A1.5 1.5 0 0 1 4 14.5z"],
  retry: ["M4 12a8 8 0 1 0 2.4-5.7", "M4 4v4.5h4.5"],
  reply: ["M9 14 4 9l5-5", "M4 9h10a6 6 0 0 1 6 6v4"],
  smile: ["c:12,12,9", "M8.5 14.5a4.5 4.5 0 0 0 7 0", "M9 9.5v.5", "M15 9.5v.5"],
  thread: ["M4 5.5A1.5 1.5 0 0 1 5.5 4h13A1.5 1.5 0 0 1 20 5.5v9a1.5 1.5 0 0 1-1.5 1.5H10l-5 4v-4h0.5A1.5 1.5 0 0 1 4 14.5z", "M8 8.5h8", "M8 11.5h5"],
  shield: ["M12 3 5 6v5c0 4.5 3 8.3 7 10 4-1.7 7-5.5 7-10V6z"],
  ban: ["c:12,12,9", "M5.6 5.6l12.8 12.8"],
};

/** An `<svg>` icon by name (see SHAPES). */
export function icon(name, className = "icon") {
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", className);
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  for (const shape of SHAPES[name] || []) svg.append(draw(shape));
  return svg;
}

function draw(shape) {
  const [kind, spec] = shape.includes(":") ? shape.split(":") : ["p", shape];
  const numbers = spec.split(",").map(Number);
  if (kind === "c") return make("circle", { cx: numbers[0], cy: numbers[1], r: numbers[2] });
  if (kind === "r") return make("rect", { x: numbers[0], y: numbers[1], width: numbers[2], height: numbers[3], rx: numbers[4] });
  return make("path", { d: spec });
}

function make(tag, attrs) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

/** The icon for a room's kind: # public, a lock for private, a person for direct. */
export function roomIcon(room) {
  const name = room.visibility === "private" ? "lock" : room.visibility === "direct" ? "person" : "hash";
  return icon(name, "icon room-kind");
}

/** Replaces the `<svg>` placeholders written as `<i data-icon="name">` in the page. */
export function hydrateIcons(root = document) {
  for (const slot of root.querySelectorAll("i[data-icon]")) slot.replaceWith(icon(slot.dataset.icon, slot.className || "icon"));
}
