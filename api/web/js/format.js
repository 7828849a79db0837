// Dates and text as people read them: "14:05", "Yesterday", "Monday, 1 December", and
// web addresses turned into links. Pure functions (the e2e suite imports this module
// in the page and checks them directly).

const time = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
const weekday = new Intl.DateTimeFormat(undefined, { weekday: "long", month: "long", day: "numeric" });
const withYear = new Intl.DateTimeFormat(undefined, { weekday: "long", year: "numeric", month: "long", day: "numeric" });
const full = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "short" });
const shortDay = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });

/** "14:05" (or "2:05 PM", as the browser's locale writes times). */
export function timeLabel(date) {
  return time.format(new Date(date));
}

/** "Wednesday, 3 December 2026 at 14:05": the tooltip of a message's time. */
export function fullLabel(date) {
  return full.format(new Date(date));
}

/** A key that is equal for two dates on the same local calendar day. */
export function dayKey(date) {
  const d = new Date(date);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

/** "Today", "Yesterday", "Monday, December 1", or with the year when it is not this one. */
export function dayLabel(date, now = new Date()) {
  const d = new Date(date);
  const today = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  const that = new Date(d.getFullYear(), d.getMonth(), d.getDate());
  const days = Math.round((today - that) / 86400000);
  if (days === 0) return "Today";
  if (days === 1) return "Yesterday";
  return d.getFullYear() === now.getFullYear() ? weekday.format(d) : withYear.format(d);
}

/** "just now", "5 min ago", "3 h ago", "Dec 1": when someone was last seen. */
export function agoLabel(date, now = new Date()) {
  const seconds = (now - new Date(date)) / 1000;
  if (seconds < 60) return "just now";
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  return shortDay.format(new Date(date));
}

// A web address: http(s)://… or www.…, up to the next space. Trailing punctuation
// that usually closes a sentence is trimmed off again in `links`.
const URL_PATTERN = /\b(?:https?:\/\/|www\.)[^\s<>"]+/gi;
const TRAILING = /[.,;:!?'")\]}>]+$/;

/**
 * Splits text into plain strings and `{href, text}` links, in order:
 * `links("see https://x.org.")` is `["see ", {href: "https://x.org", text: "https://x.org"}, "."]`.
 */
export function links(text) {
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    let url = match[0];
    const trail = url.match(TRAILING);
    // Keep a closing parenthesis that belongs to the address, as in Wikipedia links.
    if (trail && !(trail[0].startsWith(")") && url.slice(0, -trail[0].length).includes("("))) {
      url = url.slice(0, -trail[0].length);
    }
    if (!url) continue;
    if (match.index > last) parts.push(text.slice(last, match.index));
    const href = /^https?:\/\//i.test(url) ? url : `https://${url}`;
    parts.push({ href, text: url });
    last = match.index + url.length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

/** "Ana", "Ana and Bia", "Ana, Bia and 2 others". */
export function namesLabel(names) {
  if (names.length <= 1) return names.join("");
  if (names.length === 2) return `${names[0]} and ${names[1]}`;
  if (names.length === 3) return `${names[0]}, ${names[1]} and ${names[2]}`;
  return `${names[0]}, ${names[1]} and ${names.length - 2} others`;
}

/** "Ana is typing…", "Ana and Bia are typing…". */
export function typingText(users) {
  if (!users.length) return "";
  return `${namesLabel(users.map((u) => u.name))} ${users.length > 1 ? "are" : "is"} typing…`;
}
