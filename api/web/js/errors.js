// What went wrong, in words a person understands. The server's problem details carry
// a stable `code`; the text for each is chosen here, with the server's own `detail`
// as the fallback for codes this client does not know yet.

/** A failed request: `status` 0 means the server could not be reached at all. */
export class ApiError extends Error {
  constructor(message, { status = 0, code = "unknown", fields = [], retryAfter = null } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.fields = fields; // [{field, message}] for 422s
    this.retryAfter = retryAfter; // seconds, from Retry-After
  }
}

const BY_CODE = {
  network: "Can't reach the server. Check your connection and try again.",
  invalid_credentials: "That username and password don't match. Try again.",
  username_taken: "That username is taken. Pick another one.",
  room_name_taken: "A room with that name already exists. Pick another name.",
  room_not_found: "This room no longer exists.",
  room_forbidden: "This room is private: a member has to invite you first.",
  not_room_owner: "Only the room's owner can do that.",
  not_room_admin: "Only the room's owner or an admin can do that.",
  not_room_member: "You're not a member of this room.",
  not_in_room: "You're not a member of this room any more.",
  owner_cannot_leave: "You own this room, so you can't leave it. You can delete it instead.",
  direct_room: "Direct conversations always have the same two people.",
  too_many_rooms: "You're in too many rooms. Leave one before joining another.",
  message_not_found: "That message no longer exists.",
  message_deleted: "That message was deleted.",
  too_many_reactions: "This message already has 20 different reactions. Add one of those instead.",
  not_a_moderator: "Only the room's owner or an admin can do that.",
  cannot_moderate_owner: "Nobody can remove, ban or moderate the room's owner.",
  cannot_moderate_admin: "An admin can't act on another admin; only the room's owner can.",
  banned: "You're banned from this room.",
  not_message_author: "You can only change your own messages.",
  temp_id_conflict: "That message could not be sent. Try again.",
  too_many_attempts: "Too many attempts. Wait a few minutes and try again.",
  rate_limited: "You're going a little fast. Wait a moment and try again.",
  session_ended: "Your session has ended. Please log in again.",
  refresh_token_reused: "For your safety you were logged out: your session was used in two places. Please log in again.",
  invalid_refresh_token: "Your session has expired. Please log in again.",
  token_expired: "Your session has expired. Please log in again.",
  service_unavailable: "The server is busy or its database is down. Try again in a moment.",
  payload_too_large: "That is too long to send.",
  user_not_found: "There is no such user.",
  internal_error: "Something went wrong on the server. Try again in a moment.",
};

const FIELD = {
  name: "Name",
  username: "Username",
  password: "Password",
  content: "Message",
  description: "Topic",
  user_id: "User",
  q: "Search",
  emoji: "A reaction",
  reply_to: "The message you reply to",
};

/** One line for a field error: "Password must be at least 8 characters long." */
export function fieldText({ field, message }) {
  const label = FIELD[field] || field;
  return `${label} ${message.replace(/\.$/, "")}.`;
}

/** A sentence for any error: an ApiError, a socket error frame or a thrown exception. */
export function describe(error) {
  if (!error) return "";
  if (error.fields?.length) return error.fields.map(fieldText).join(" ");
  if (error.code === "rate_limited" || error.code === "too_many_attempts") {
    const seconds = error.retryAfter ?? (error.retry_after_ms ? Math.ceil(error.retry_after_ms / 1000) : null);
    const base = BY_CODE[error.code];
    return seconds ? `${base.replace(/ Wait.*$/, "")} Try again in ${seconds} s.` : base;
  }
  if (BY_CODE[error.code]) return BY_CODE[error.code];
  if (error.status >= 500) return BY_CODE.internal_error;
  // A TypeError from fetch ("Failed to fetch") means the network, not the request.
  if (error instanceof TypeError) return BY_CODE.network;
  return error.message || "Something went wrong. Try again.";
}

/** Why the server closed a socket, for the connection banner (null: nothing to say). */
export function closeText(code, reason) {
  if (code === 1001) return "The server is restarting.";
  if (code === 1011) return "The server had a problem.";
  if (code === 4429) return reason?.includes("retry") ? "Too many connections; waiting before retrying." : "Too many open connections (close some tabs).";
  return null;
}
