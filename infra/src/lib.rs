//! # papo-infra
//!
//! The adapters behind `domain`'s ports, and the wiring that builds them.
//!
//! # Layout
//!
//! - [`Config`]: the values this layer needs, handed over by the binary (which reads
//!   the environment; nothing here does).
//! - [`db`]: connecting, migrating, and the SQL repositories (SeaORM).
//! - [`password`]: argon2id. [`jwt`]: access tokens and refresh secrets.
//! - [`bus`]: the in-process event bus. [`presence`]: who is connected here.
//! - [`demo`]: the `PAPO_DEMO` seed.
//!
//! Nothing here knows poem; [`Infra::build`] is what the server's composition root
//! calls.

pub mod bus;
pub mod db;
pub mod demo;
pub mod jwt;
pub mod password;
pub mod presence;

use std::sync::Arc;

use anyhow::Context;
use chrono::Duration;
use domain::{
    ports::{EventBus, NoPeers, Peers, Presence},
    service::{Limits, Ports, Services},
};
use sea_orm::DatabaseConnection;

/// What `infra` needs to build itself. No `Debug`: it holds the JWT key.
#[derive(Clone)]
pub struct Config {
    /// `sqlite://FILE` or `postgres://…`.
    pub database_url: String,
    /// The HMAC key for access tokens.
    pub jwt_secret: Vec<u8>,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    /// Most posts per group-commit transaction.
    pub group_commit_max: usize,
    /// Seed the demo users and room.
    pub demo: bool,
    /// Rooms one user may be a member of.
    pub rooms_per_user: usize,
    /// How this node hears what other nodes on the same database commit.
    pub bus: BusKind,
    /// A node not heard from for this long is taken for dead (shared bus).
    pub node_timeout: std::time::Duration,
}

/// Which event bus a node uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BusKind {
    /// This node only.
    Local,
    /// Every node on the same PostgreSQL database, through LISTEN/NOTIFY.
    Postgres,
    /// Every node on the same database, through the NATS server at this URL.
    Nats(String),
}

/// Everything the server needs from the outside world, built once at start-up.
pub struct Infra {
    pub services: Services,
    pub db: DatabaseConnection,
    /// This node's events (its own and, with a shared bus, the other nodes').
    pub bus: Arc<bus::LocalBus>,
    /// What other nodes report, with a shared bus.
    pub remote: Option<tokio::sync::mpsc::Receiver<bus::Remote>>,
    /// The other nodes, told what this node's sockets do in rooms (nobody alone).
    pub peers: Arc<dyn Peers>,
    /// The bus shared with other nodes, to say goodbye on it when stopping.
    pub cluster: Option<Arc<bus::SharedBus>>,
    pub presence: Arc<dyn Presence>,
    pub tokens: Arc<jwt::JwtTokens>,
    /// The group-commit writer; [`db::GroupWriter::shutdown`] drains it on exit.
    pub writer: db::GroupWriter,
}

impl Infra {
    /// Connects to and migrates the database, then wires the use cases.
    ///
    /// Fails when the database cannot be reached or migrated.
    pub async fn build(config: &Config) -> anyhow::Result<Self> {
        let db = db::connect(&config.database_url)
            .await
            .context("connecting to the database")?;
        db::migrate(&db).await.context("migrating the database")?;
        let tokens = Arc::new(jwt::JwtTokens::new(
            &config.jwt_secret,
            config.access_token_ttl,
            config.refresh_token_ttl,
        ));
        let bus = Arc::new(bus::LocalBus::new(65_536));
        let local_presence = Arc::new(presence::LocalPresence::new());
        let (shared, presence, remote, cluster): (Arc<dyn EventBus>, Arc<dyn Presence>, _, _) =
            match &config.bus {
                BusKind::Local => (bus.clone(), local_presence, None, None),
                kind => {
                    let link = match kind {
                        BusKind::Nats(url) => bus::Link::Nats {
                            url: url.clone(),
                            subject: nats_subject(&config.database_url),
                        },
                        _ => bus::Link::Postgres {
                            url: config.database_url.clone(),
                            db: db.clone(),
                        },
                    };
                    let (shared, remote) = bus::SharedBus::start(
                        link,
                        bus.clone(),
                        local_presence.clone(),
                        config.node_timeout,
                    )
                    .await
                    .context("starting the bus shared with other nodes")?;
                    let presence = presence::cluster::ClusterPresence::new(
                        local_presence,
                        shared.roster(),
                        shared.clone(),
                    );
                    (
                        shared.clone() as Arc<dyn EventBus>,
                        Arc::new(presence) as Arc<dyn Presence>,
                        Some(remote),
                        Some(shared),
                    )
                }
            };
        let peers: Arc<dyn Peers> = match &cluster {
            Some(cluster) => cluster.clone(),
            None => Arc::new(NoPeers),
        };
        let writer = db::GroupWriter::start(
            &config.database_url,
            db.clone(),
            shared.clone(),
            config.group_commit_max,
        )
        .await
        .context("opening the writer's connections")?;
        let rooms = Arc::new(db::SqlRooms::new(db.clone()));
        let reads = Arc::new(writer.reads());
        let services = Services::new(Ports {
            users: Arc::new(db::SqlUsers::new(db.clone())),
            refresh_tokens: Arc::new(db::SqlRefreshTokens::new(db.clone())),
            rooms: rooms.clone(),
            messages: Arc::new(writer.clone()),
            reactions: reads.clone(),
            search: reads,
            bans: rooms,
            hasher: Arc::new(password::Argon2Hasher::per_core()),
            tokens: tokens.clone(),
            bus: shared,
            presence: presence.clone(),
            health: Arc::new(db::DbHealth::new(db.clone(), &writer)),
        })
        .with_limits(Limits {
            rooms_per_user: config.rooms_per_user,
        });
        if config.demo {
            demo::seed(&services)
                .await
                .context("seeding the demo data")?;
        }
        Ok(Self {
            services,
            db,
            bus,
            remote,
            peers,
            cluster,
            presence,
            tokens,
            writer,
        })
    }
}

/// The NATS subject of the nodes of one database: `papo.<database name>`, so that
/// clusters on different databases can share one NATS server (as `NOTIFY` is per
/// database).
fn nats_subject(database_url: &str) -> String {
    let path = database_url.split('?').next().unwrap_or(database_url);
    let name = path.rsplit('/').next().unwrap_or("papo");
    let name: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("papo.{name}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_nats_subject_is_named_after_the_database() {
        assert_eq!(
            super::nats_subject("postgres://u:p@db:5432/chat.prod?sslmode=require"),
            "papo.chat_prod"
        );
    }
}
