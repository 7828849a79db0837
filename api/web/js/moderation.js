// Moderating a room (DESIGN §8): the owner makes members admins and admins members
// again; the owner and admins remove and ban members (after an in-page confirmation,
// a ban with an optional reason), list the bans and lift them. An admin is offered
// nothing on the owner or another admin; if the server still refuses (a role changed
// meanwhile), its reason is shown in words. Each action resolves to a sentence that
// says what happened, or throws ApiError.

import { call } from "./api.js";
import { askReason, confirmDialog } from "./dialog.js";
import { avatar, el } from "./dom.js";
import { agoLabel } from "./format.js";
import * as roster from "./roster.js";
import { title } from "./rooms.js";
import * as session from "./session.js";
import { state } from "./state.js";

const roomLabel = (roomId) => `#${title(state.rooms.get(roomId))}`;

/** What I may do to a member of a room: [{name, label, danger, run() -> sentence}]. */
export function memberActions(roomId, member) {
  const room = state.rooms.get(roomId);
  if (!room || room.visibility === "direct" || member.user.id === session.user()?.id) return [];
  const actions = [];
  if (roster.myRole(roomId) === "owner" && member.role !== "owner") {
    actions.push(member.role === "admin"
      ? { name: "demote", label: "Make member", run: () => setRole(roomId, member, "member") }
      : { name: "promote", label: "Make admin", run: () => setRole(roomId, member, "admin") });
  }
  if (roster.canModerate(roomId, member.user.id)) {
    actions.push({ name: "remove", label: "Remove from room", danger: true, run: () => remove(roomId, member) });
    actions.push({ name: "ban", label: "Ban", danger: true, run: () => ban(roomId, member) });
  }
  return actions;
}

function replaceMember(roomId, userId, change) {
  const list = roster.members(roomId) || [];
  roster.set(roomId, change ? list.map((m) => (m.user.id === userId ? change(m) : m)) : list.filter((m) => m.user.id !== userId));
}

async function setRole(roomId, member, role) {
  const updated = await call("PATCH", `/rooms/${roomId}/members/${member.user.id}`, { role });
  replaceMember(roomId, member.user.id, (m) => ({ ...m, role: updated?.role || role }));
  return role === "admin" ? `${member.user.name} is now an admin.` : `${member.user.name} is a member again.`;
}

async function remove(roomId, member) {
  const room = state.rooms.get(roomId);
  const yes = await confirmDialog({
    title: `Remove ${member.user.name} from ${roomLabel(roomId)}?`,
    text: room.visibility === "private"
      ? "They'll need a new invitation to come back."
      : "They can join again by themselves. To keep them out, ban them instead.",
    confirm: "Remove",
    danger: true,
  });
  if (!yes) return null;
  await call("DELETE", `/rooms/${roomId}/members/${member.user.id}`);
  replaceMember(roomId, member.user.id, null);
  return `${member.user.name} was removed from the room.`;
}

async function ban(roomId, member) {
  const reason = await askReason({
    title: `Ban ${member.user.name} from ${roomLabel(roomId)}?`,
    text: "They're removed and can't join, be invited or read the room until you lift the ban. Only the room's owner and admins see the reason.",
    confirm: "Ban",
    danger: true,
  });
  if (reason === null) return null;
  await call("PUT", `/rooms/${roomId}/bans/${member.user.id}`, reason ? { reason } : {});
  replaceMember(roomId, member.user.id, null);
  return `${member.user.name} is banned from the room.`;
}

/** The bans of a room (owners and admins only): [{user, reason, banned_by, created_at}]. */
export async function bans(roomId) {
  return (await call("GET", `/rooms/${roomId}/bans`)).bans;
}

export async function unban(roomId, user) {
  await call("DELETE", `/rooms/${roomId}/bans/${user.id}`);
  return state.rooms.get(roomId)?.visibility === "private"
    ? `${user.name}'s ban is lifted: they can be invited again.`
    : `${user.name}'s ban is lifted: they can join again.`;
}

/** One row of the ban list, with its Unban button (`onUnban(user)`). */
export function banRow(ban, onUnban) {
  const button = el("button", { type: "button", class: "secondary small", "aria-label": `Unban ${ban.user.name}`, dataset: { user: ban.user.id, act: "unban" } }, "Unban");
  button.addEventListener("click", () => onUnban(ban.user, button));
  const by = ban.banned_by ? `by ${ban.banned_by.name}` : "";
  return el("li", { class: "member banned" },
    avatar(ban.user),
    el("span", { class: "member-names" },
      el("span", { class: "name" }, ban.user.name),
      el("span", { class: "handle" }, [`@${ban.user.username}`, by, agoLabel(ban.created_at)].filter(Boolean).join(" · ")),
      ban.reason ? el("span", { class: "ban-reason" }, `“${ban.reason}”`) : null),
    button);
}
