//! The REST API under `/api/v1`, one module per resource, combined for OpenAPI.

mod auth;
mod health;
mod messages;
mod rooms;
mod users;

pub use health::health_endpoint;

/// Every REST operation (the WebSocket endpoints are added beside them in `app`).
pub fn api() -> impl poem_openapi::OpenApi {
    (
        auth::AuthApi,
        users::UsersApi,
        rooms::RoomsApi,
        messages::MessagesApi,
        health::HealthApi,
    )
}
