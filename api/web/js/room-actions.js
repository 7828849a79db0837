// What a person does with rooms: create, join, leave, rename, delete, invite, and
// open a direct conversation. Each call throws ApiError for the caller to show.

import { call } from "./api.js";
import { open } from "./navigation.js";
import { add, exitingBy, noteLeaving, upsert } from "./rooms.js";
import * as session from "./session.js";
import { emit, state } from "./state.js";

export async function create({ name, description, visibility }) {
  const room = await call("POST", "/rooms", { name, description: description || undefined, visibility });
  add({ ...room, member_count: 1, unread: 0 });
  return room;
}

export async function join(id) {
  await call("POST", `/rooms/${id}/join`);
  const room = state.discover.get(id) || (await call("GET", `/rooms/${id}`));
  add({ ...room, member_count: (room.member_count || 0) + 1, unread: 0 });
  emit("discover");
}

export async function leave(id) {
  const room = state.rooms.get(id);
  noteLeaving(id); // other tabs get a `room` frame "left" too: it was me, not a moderator
  await exitingBy(id, "left-here", () => call("POST", `/rooms/${id}/leave`));
  if (room?.visibility === "public") state.discover.set(id, room);
}

export async function remove(id) {
  await exitingBy(id, "deleted-here", () => call("DELETE", `/rooms/${id}`));
}

export async function update(id, patch) {
  const room = await call("PATCH", `/rooms/${id}`, patch);
  upsert(room);
  emit("rooms");
}

/** The direct room with a user, created if needed, in the room list. */
export async function directRoom(userId) {
  const room = await call("POST", "/dms", { user_id: userId });
  if (!state.rooms.has(room.id)) add({ ...room, member_count: 2, unread: 0 });
  return room;
}

/** Opens (creating if needed) the direct room with a user. */
export async function openDirect(userId) {
  await open((await directRoom(userId)).id);
}

export async function invite(roomId, userId) {
  await call("POST", `/rooms/${roomId}/members`, { user_id: userId });
}

/** Whether I own a room (renaming, the topic and deleting are the owner's). */
export function owns(room) {
  return Boolean(room) && room.visibility !== "direct" && room.creator_id === session.user()?.id;
}
