//! The REST API under `/api/v1`, one module per resource, combined for OpenAPI.

mod auth;
mod health;
mod messages;
mod rooms;
mod users;

use poem_openapi::Tags;

pub use health::health_endpoint;

/// Groups of operations in the docs.
#[derive(Tags)]
pub enum Tag {
    /// Sign-up, login, token refresh and logout.
    Auth,
    /// The user directory and presence.
    Users,
    /// Rooms, membership and direct conversations.
    Rooms,
    /// Posting, reading, editing and deleting messages.
    Messages,
    /// The WebSocket endpoints (protocol: docs/protocol.md, /asyncapi.json).
    Realtime,
    /// Liveness and database state.
    Health,
}

/// Every REST operation.
pub fn api() -> impl poem_openapi::OpenApi {
    (
        auth::AuthApi,
        users::UsersApi,
        rooms::RoomsApi,
        messages::MessagesApi,
        crate::ws::RealtimeApi,
        health::HealthApi,
    )
}
