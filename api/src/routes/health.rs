//! `GET /health` and `GET /api/v1/health`.

use domain::service::Services;
use poem::{IntoResponse, handler, web::Data};
use poem_openapi::{ApiResponse, Object, OpenApi, payload::Json};

use crate::tags::Tag;

/// Whether papo and its database are up.
#[derive(Debug, Object)]
pub struct Health {
    /// `ok` while the server answers.
    pub status: String,
    /// `ok`, or `unavailable` when the database does not answer.
    pub database: String,
}

#[derive(ApiResponse)]
pub enum HealthResponse {
    /// Everything is up.
    #[oai(status = 200)]
    Ok(Json<Health>),
    /// The database is down.
    #[oai(status = 503)]
    Unavailable(Json<Health>),
}

async fn check(services: &Services) -> HealthResponse {
    if services.database_ok().await {
        HealthResponse::Ok(Json(Health {
            status: "ok".into(),
            database: "ok".into(),
        }))
    } else {
        HealthResponse::Unavailable(Json(Health {
            status: "ok".into(),
            database: "unavailable".into(),
        }))
    }
}

pub struct HealthApi;

#[OpenApi(prefix_path = "/api/v1", tag = "Tag::Health")]
impl HealthApi {
    /// Health check
    ///
    /// Reports the database state; 503 when it does not answer.
    #[oai(path = "/health", method = "get", operation_id = "getHealth")]
    async fn health(&self, services: Data<&Services>) -> HealthResponse {
        check(&services).await
    }
}

/// The same check at the root, for load balancers and container health checks.
#[handler]
pub async fn health_endpoint(services: Data<&Services>) -> poem::Response {
    check(&services).await.into_response()
}
