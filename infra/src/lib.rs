//! # papo-infra
//!
//! The adapters behind `domain`'s ports, and the wiring that builds them.
//!
//! # Layout
//!
//! - [`config`]: settings from flags and environment; the JWT secret's resolution.
//! - [`db`]: connecting, migrating, and the SQL repositories (SeaORM).
//! - [`password`]: argon2id. [`jwt`]: access tokens and refresh secrets.
//! - [`bus`]: the in-process event bus. [`presence`]: who is connected here.
//! - [`demo`]: the `PAPO_DEMO` seed.
//!
//! Nothing here knows poem; [`Infra::build`] is what the server's composition root
//! calls.

pub mod bus;
pub mod config;
pub mod db;
pub mod demo;
pub mod jwt;
pub mod password;
pub mod presence;

use std::sync::Arc;

use anyhow::Context;
use chrono::Duration;
use domain::service::{Ports, Services};
use sea_orm::DatabaseConnection;

pub use config::Settings;

/// Everything the server needs from the outside world, built once at start-up.
pub struct Infra {
    pub services: Services,
    pub db: DatabaseConnection,
    pub bus: Arc<bus::LocalBus>,
    pub presence: Arc<presence::LocalPresence>,
    pub tokens: Arc<jwt::JwtTokens>,
    /// The group-commit writer; [`db::GroupWriter::shutdown`] drains it on exit.
    pub writer: db::GroupWriter,
}

impl Infra {
    /// Connects to and migrates the database, then wires the use cases.
    ///
    /// Fails when the database cannot be reached or migrated, or the JWT secret cannot
    /// be resolved.
    pub async fn build(settings: &Settings) -> anyhow::Result<Self> {
        let secret = settings.resolve_jwt_secret()?;
        let db = db::connect(&settings.database_url)
            .await
            .context("connecting to the database")?;
        db::migrate(&db).await.context("migrating the database")?;
        let tokens = Arc::new(jwt::JwtTokens::new(
            secret.as_bytes(),
            Duration::minutes(settings.access_token_expire_minutes),
            Duration::days(settings.refresh_token_expire_days),
        ));
        let bus = Arc::new(bus::LocalBus::new(65_536));
        let presence = Arc::new(presence::LocalPresence::new());
        let writer = db::GroupWriter::start(
            db.clone(),
            bus.clone(),
            usize::try_from(settings.group_commit_max).unwrap_or(256),
        );
        let services = Services::new(Ports {
            users: Arc::new(db::SqlUsers::new(db.clone())),
            refresh_tokens: Arc::new(db::SqlRefreshTokens::new(db.clone())),
            rooms: Arc::new(db::SqlRooms::new(db.clone())),
            messages: Arc::new(writer.clone()),
            hasher: Arc::new(password::Argon2Hasher),
            tokens: tokens.clone(),
            bus: bus.clone(),
            presence: presence.clone(),
            health: Arc::new(db::DbHealth::new(db.clone(), &writer)),
        });
        if settings.demo {
            demo::seed(&services)
                .await
                .context("seeding the demo data")?;
        }
        Ok(Self {
            services,
            db,
            bus,
            presence,
            tokens,
            writer,
        })
    }
}
