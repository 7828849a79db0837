//! The binary's settings: environment variables (and `.env`), the same as
//! command-line flags, in typed sections that are handed to each layer (as
//! zero-to-production's `configuration.rs`). `infra` and the realtime hub receive
//! plain values; nothing below the binary reads the environment.

mod jwt_secret;

use std::{fmt, net::SocketAddr, str::FromStr, time::Duration};

pub use jwt_secret::sqlite_path;

/// Every server setting. Each flag can also be given as the environment variable
/// named beside it.
#[derive(Debug, Clone, clap::Args)]
pub struct Settings {
    #[command(flatten, next_help_heading = "Server")]
    pub server: ServerSettings,
    #[command(flatten, next_help_heading = "Database")]
    pub database: DatabaseSettings,
    #[command(flatten, next_help_heading = "Accounts and tokens")]
    pub auth: AuthSettings,
    #[command(flatten, next_help_heading = "Messages and sockets")]
    pub realtime: RealtimeSettings,
    #[command(flatten, next_help_heading = "Logs")]
    pub log: LogSettings,
}

/// Where papo runs: production refuses unsafe defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Environment {
    Development,
    Production,
}

/// The HTTP listener.
#[derive(Debug, Clone, clap::Args)]
pub struct ServerSettings {
    /// Address and port to listen on (port 0 picks a free one).
    #[arg(long, env = "PAPO_BIND", default_value = "127.0.0.1:8000")]
    pub bind: SocketAddr,

    /// `production` requires JWT_SECRET.
    #[arg(
        long = "env",
        env = "PAPO_ENV",
        value_enum,
        default_value = "development"
    )]
    pub environment: Environment,

    /// Seconds a connection may send and receive nothing before it is closed (a client
    /// holding half a request open, say); at least three ping intervals.
    #[arg(long, env = "PAPO_IDLE_TIMEOUT_SECS", default_value_t = 90)]
    pub idle_timeout_secs: u64,

    /// Connections one client address may hold open at once (more are closed as they
    /// arrive); 0 turns the limit off. Behind a reverse proxy every connection comes
    /// from the proxy: raise it or turn it off there.
    #[arg(long, env = "PAPO_CONNECTIONS_PER_ADDRESS", default_value_t = 1000)]
    pub connections_per_address: u32,

    /// Largest accepted request body, in bytes (larger ones get 413).
    #[arg(long, env = "PAPO_MAX_BODY_BYTES", default_value_t = 1024 * 1024)]
    pub max_body_bytes: usize,

    /// Origins allowed to call the API from a browser (comma-separated, e.g.
    /// `https://chat.example`); none by default: the bundled client is same-origin.
    #[arg(long, env = "PAPO_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,

    /// Reverse proxies (addresses or networks, comma-separated) whose `Forwarded` /
    /// `X-Forwarded-For` headers name the client; nobody else's are believed.
    /// Connections from them are not counted per address.
    #[arg(long, env = "PAPO_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<String>,

    /// Serve `GET /metrics` (Prometheus) on this address, e.g. `127.0.0.1:9100`; no
    /// token is asked there.
    #[arg(long, env = "PAPO_METRICS_BIND")]
    pub metrics_bind: Option<SocketAddr>,

    /// Serve `GET /metrics` on the public port to `Authorization: Bearer <token>`.
    #[arg(long, env = "PAPO_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<Secret>,

    /// Sign-ups one client address may make per hour; 0 turns the limit off.
    #[arg(long, env = "PAPO_SIGNUPS_PER_HOUR", default_value_t = 30)]
    pub signups_per_hour: u32,

    /// Seed the demo users alice, bob and carol and the room `general`.
    #[arg(long, env = "PAPO_DEMO", default_value_t = false,
          value_parser = clap::builder::BoolishValueParser::new())]
    pub demo: bool,
}

/// Storage.
#[derive(Debug, Clone, clap::Args)]
pub struct DatabaseSettings {
    /// `sqlite://FILE` (created if missing) or `postgres://USER@HOST/DB`.
    #[arg(
        long = "database-url",
        env = "DATABASE_URL",
        default_value = "sqlite://papo.db"
    )]
    pub url: String,
}

/// Access and refresh tokens.
#[derive(Debug, Clone, clap::Args)]
pub struct AuthSettings {
    /// HMAC secret for access tokens (at least 32 characters in production). When
    /// unset in development, one is generated and kept beside the SQLite file.
    #[arg(long, env = "JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<Secret>,

    /// Lifetime of access tokens, in minutes.
    #[arg(long, env = "ACCESS_TOKEN_EXPIRE_MINUTES", default_value_t = 15,
          value_parser = clap::value_parser!(u16).range(1..=1440))]
    pub access_token_expire_minutes: u16,

    /// Lifetime of refresh tokens, in days.
    #[arg(long, env = "REFRESH_TOKEN_EXPIRE_DAYS", default_value_t = 30,
          value_parser = clap::value_parser!(u16).range(1..=365))]
    pub refresh_token_expire_days: u16,
}

/// Posting and WebSocket connections.
#[derive(Debug, Clone, clap::Args)]
pub struct RealtimeSettings {
    /// Most messages committed in one transaction (group commit); 1 commits each
    /// message alone.
    #[arg(long, env = "PAPO_GROUP_COMMIT_MAX", default_value_t = 256,
          value_parser = clap::value_parser!(u16).range(1..=10_000))]
    pub group_commit_max: u16,

    /// Frames a WebSocket may have queued before it counts as too slow (closed 4008).
    #[arg(long, env = "PAPO_WS_QUEUE", default_value_t = 1024,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub ws_queue: u32,

    /// Server ping interval in seconds; a peer silent for two is dropped.
    #[arg(long, env = "PAPO_WS_PING_SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub ws_ping_secs: u64,

    /// How long a typing indicator lasts unless renewed, in milliseconds.
    #[arg(long, env = "PAPO_TYPING_TTL_MS", default_value_t = 5000)]
    pub typing_ttl_ms: u64,

    /// Posts per second a user may keep up (REST and sockets together, per node);
    /// 0 turns the limit off.
    #[arg(long, env = "PAPO_POST_RATE", default_value_t = 20)]
    pub post_rate: u32,

    /// Posts a user may send at once before the rate applies.
    #[arg(long, env = "PAPO_POST_BURST", default_value_t = 100)]
    pub post_burst: u32,

    /// Typing, read, who, history, join and leave frames per second one socket may
    /// keep up; 0 turns the limit off.
    #[arg(long, env = "PAPO_FRAME_RATE", default_value_t = 20)]
    pub frame_rate: u32,

    /// Such frames one socket may send at once.
    #[arg(long, env = "PAPO_FRAME_BURST", default_value_t = 60)]
    pub frame_burst: u32,

    /// Rooms one user may be a member of; joining, creating or being invited into one
    /// more is refused (409 `too_many_rooms`).
    #[arg(long, env = "PAPO_ROOMS_PER_USER", default_value_t = 500,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub rooms_per_user: u32,

    /// WebSockets one user may have open on this node; more are closed with 4429.
    #[arg(long, env = "PAPO_SOCKETS_PER_USER", default_value_t = 32,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub sockets_per_user: u32,

    /// WebSocket connects per second one user may keep up (per node); more are
    /// closed with 4429. 0 turns the limit off.
    #[arg(long, env = "PAPO_CONNECT_RATE", default_value_t = 1)]
    pub connect_rate: u32,

    /// WebSocket connects one user may make at once.
    #[arg(long, env = "PAPO_CONNECT_BURST", default_value_t = 30)]
    pub connect_burst: u32,

    /// WebSockets this node keeps open in all; more are closed with 4429.
    #[arg(long, env = "PAPO_SOCKETS_PER_NODE", default_value_t = 20_000,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub sockets_per_node: u32,

    /// How nodes on one database hear each other's messages and events: `postgres`
    /// (LISTEN/NOTIFY; the default on PostgreSQL), `nats://HOST:PORT` (a NATS server),
    /// or `local` (this node only; the only choice on SQLite).
    #[arg(long, env = "PAPO_BUS")]
    pub bus: Option<BusChoice>,

    /// Seconds between checks of the rooms this node's sockets follow against the
    /// database, which find what a lost notice did not announce (shared bus only).
    #[arg(long, env = "PAPO_BUS_CHECK_SECS", default_value_t = 5,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub bus_check_secs: u64,

    /// Seconds after which a node that stopped saying it is alive (killed, cut off)
    /// is taken for dead and its users for offline (shared bus only).
    #[arg(long, env = "PAPO_NODE_TIMEOUT_SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(3..))]
    pub node_timeout_secs: u64,
}

/// `PAPO_BUS`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BusChoice {
    Local,
    Postgres,
    /// A NATS server's URL.
    Nats(String),
}

impl FromStr for BusChoice {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "local" => Ok(Self::Local),
            "postgres" => Ok(Self::Postgres),
            url if url.starts_with("nats://") || url.starts_with("tls://") => {
                Ok(Self::Nats(url.to_owned()))
            }
            other => Err(format!(
                "`{other}`: expected `local`, `postgres` or `nats://HOST:PORT`"
            )),
        }
    }
}

impl RealtimeSettings {
    /// How often followed rooms are checked against the database.
    pub fn bus_check(&self) -> Duration {
        Duration::from_secs(self.bus_check_secs)
    }

    pub fn ping_interval(&self) -> Duration {
        Duration::from_secs(self.ws_ping_secs)
    }

    pub fn typing_ttl(&self) -> Duration {
        Duration::from_millis(self.typing_ttl_ms)
    }
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable, coloured when on a terminal.
    Pretty,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Logs.
#[derive(Debug, Clone, clap::Args)]
pub struct LogSettings {
    /// Log filter, e.g. `info` or `papo=debug,info`.
    #[arg(long = "log", env = "RUST_LOG", default_value = "info")]
    pub filter: String,

    /// Log format.
    #[arg(
        long = "log-format",
        env = "PAPO_LOG_FORMAT",
        value_enum,
        default_value = "pretty"
    )]
    pub format: LogFormat,
}

/// A secret whose `Debug` never shows it, so settings can be logged.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret itself, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl FromStr for Secret {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_owned()))
    }
}

impl Settings {
    /// The bus `PAPO_BUS` names, or the database's default.
    ///
    /// Fails for a shared bus on SQLite: one SQLite file is one node.
    pub fn bus(&self) -> anyhow::Result<infra::BusKind> {
        let sqlite = infra::db::is_sqlite(&self.database.url);
        match (&self.realtime.bus, sqlite) {
            (Some(BusChoice::Local), _) | (None, true) => Ok(infra::BusKind::Local),
            (Some(BusChoice::Postgres) | None, false) => Ok(infra::BusKind::Postgres),
            (Some(BusChoice::Nats(url)), false) => Ok(infra::BusKind::Nats(url.clone())),
            (Some(BusChoice::Postgres | BusChoice::Nats(_)), true) => anyhow::bail!(
                "PAPO_BUS shares events between nodes, which needs a PostgreSQL database; \
                 SQLite serves one node"
            ),
        }
    }

    /// What `infra` needs to connect and wire the use cases.
    ///
    /// Fails when the JWT secret cannot be resolved (see
    /// [`AuthSettings::resolve_jwt_secret`]).
    pub fn infra(&self) -> anyhow::Result<infra::Config> {
        let secret = self
            .auth
            .resolve_jwt_secret(self.server.environment, &self.database.url)?;
        Ok(infra::Config {
            database_url: self.database.url.clone(),
            jwt_secret: secret.expose().as_bytes().to_vec(),
            access_token_ttl: chrono::Duration::minutes(
                self.auth.access_token_expire_minutes.into(),
            ),
            refresh_token_ttl: chrono::Duration::days(self.auth.refresh_token_expire_days.into()),
            group_commit_max: self.realtime.group_commit_max.into(),
            demo: self.server.demo,
            rooms_per_user: usize::try_from(self.realtime.rooms_per_user).unwrap_or(usize::MAX),
            bus: self.bus()?,
            node_timeout: Duration::from_secs(self.realtime.node_timeout_secs),
        })
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        settings: Settings,
    }

    #[test]
    fn a_secret_never_shows_in_debug_output() {
        let secret = Secret::new("hunter2-hunter2");
        assert_eq!(format!("{secret:?}"), "Secret(***)");
        let cli = Cli::parse_from([
            "papo",
            "--jwt-secret",
            "hunter2-hunter2",
            "--bind",
            "127.0.0.1:0",
        ]);
        assert!(!format!("{:?}", cli.settings).contains("hunter2"));
    }

    #[test]
    fn the_bus_defaults_by_database_and_refuses_sharing_on_sqlite() {
        let bus = |args: &[&str]| {
            let cli = Cli::try_parse_from([&["papo"], args].concat()).map_err(|e| e.to_string())?;
            cli.settings.bus().map_err(|e| e.to_string())
        };
        let pg = ["--database-url", "postgres://u@h/db"];
        assert_eq!(bus(&pg), Ok(infra::BusKind::Postgres));
        assert_eq!(
            bus(&["--database-url", "sqlite://x.db"]),
            Ok(infra::BusKind::Local)
        );
        assert_eq!(
            bus(&[&pg[..], &["--bus", "nats://n:4222"]].concat()),
            Ok(infra::BusKind::Nats("nats://n:4222".into()))
        );
        assert_eq!(
            bus(&[&pg[..], &["--bus", "local"]].concat()),
            Ok(infra::BusKind::Local)
        );
        let refused = bus(&["--database-url", "sqlite://x.db", "--bus", "postgres"]);
        assert!(refused.is_err_and(|e| e.contains("SQLite serves one node")));
        let garbage = bus(&[&pg[..], &["--bus", "redis://r"]].concat());
        assert!(garbage.is_err_and(|e| e.contains("expected `local`, `postgres` or `nats://")));
    }

    #[test]
    fn flags_parse_into_typed_sections() {
        let cli = Cli::parse_from([
            "papo",
            "--bind",
            "127.0.0.1:9001",
            "--database-url",
            "sqlite://x.db",
            "--ws-ping-secs",
            "2",
        ]);
        assert_eq!(cli.settings.server.bind.port(), 9001);
        assert_eq!(cli.settings.database.url, "sqlite://x.db");
        assert_eq!(
            cli.settings.realtime.ping_interval(),
            Duration::from_secs(2)
        );
        assert!(Cli::try_parse_from(["papo", "--bind", "not-an-address"]).is_err());
    }
}
