//! The REST API under `/api/v1`, one module per resource, combined for OpenAPI.

mod auth;
mod health;
mod messages;
mod moderation;
mod reactions;
mod rooms;
mod search;
mod users;

use poem_openapi::ApiResponse;

pub use health::health_endpoint;

/// The answer of an operation that only acts.
#[derive(ApiResponse)]
pub enum NoContent {
    /// Done.
    #[oai(status = 204)]
    NoContent,
}

/// Every REST operation (the WebSocket endpoints are added beside them in `app`).
pub fn api() -> impl poem_openapi::OpenApi {
    (
        auth::AuthApi,
        users::UsersApi,
        rooms::RoomsApi,
        messages::MessagesApi,
        reactions::ReactionsApi,
        moderation::ModerationApi,
        search::SearchApi,
        health::HealthApi,
    )
}
