//! The groups of operations in the API document.

use poem_openapi::Tags;

/// Groups of operations in the docs.
#[derive(Tags)]
pub enum Tag {
    /// Sign-up, login, token refresh and logout.
    Auth,
    /// The user directory and presence.
    Users,
    /// Rooms, membership and direct conversations.
    Rooms,
    /// Posting, reading, editing and deleting messages; replies and reactions.
    Messages,
    /// Roles, removing and banning members (owners and admins).
    Moderation,
    /// Full-text search over the messages the caller may read.
    Search,
    /// The WebSocket endpoints (protocol: docs/protocol.md, /asyncapi.json).
    Realtime,
    /// Liveness and database state.
    Health,
}
