//! Configuration: environment variables (and `.env`), the same as command-line flags.

use std::path::PathBuf;

use anyhow::{Context, bail};
use base64::{Engine, engine::general_purpose::STANDARD};
use rand::RngCore;

/// Where papo runs: production refuses unsafe defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Environment {
    Development,
    Production,
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable, coloured when on a terminal.
    Pretty,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Every server setting. Each flag can also be given as the environment variable
/// named beside it.
#[derive(Debug, Clone, clap::Args)]
pub struct Settings {
    /// Address and port to listen on (port 0 picks a free one).
    #[arg(long, env = "PAPO_BIND", default_value = "127.0.0.1:8000")]
    pub bind: String,

    /// `sqlite://FILE` (created if missing) or `postgres://USER@HOST/DB`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://papo.db")]
    pub database_url: String,

    /// HMAC secret for access tokens (at least 32 characters in production). When
    /// unset in development, one is generated and kept beside the SQLite file.
    #[arg(long, env = "JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,

    /// `production` requires JWT_SECRET.
    #[arg(
        long = "env",
        env = "PAPO_ENV",
        value_enum,
        default_value = "development"
    )]
    pub environment: Environment,

    /// Lifetime of access tokens, in minutes.
    #[arg(long, env = "ACCESS_TOKEN_EXPIRE_MINUTES", default_value_t = 15,
          value_parser = clap::value_parser!(i64).range(1..=1440))]
    pub access_token_expire_minutes: i64,

    /// Lifetime of refresh tokens, in days.
    #[arg(long, env = "REFRESH_TOKEN_EXPIRE_DAYS", default_value_t = 30,
          value_parser = clap::value_parser!(i64).range(1..=365))]
    pub refresh_token_expire_days: i64,

    /// Log filter, e.g. `info` or `papo=debug,info`.
    #[arg(long = "log", env = "RUST_LOG", default_value = "info")]
    pub log_filter: String,

    /// Log format.
    #[arg(long, env = "PAPO_LOG_FORMAT", value_enum, default_value = "pretty")]
    pub log_format: LogFormat,

    /// Seed the demo users alice, bob and carol and the room `general`.
    #[arg(long, env = "PAPO_DEMO", default_value_t = false,
          value_parser = clap::builder::BoolishValueParser::new())]
    pub demo: bool,

    /// Largest accepted request body, in bytes (larger ones get 413).
    #[arg(long, env = "PAPO_MAX_BODY_BYTES", default_value_t = 1024 * 1024)]
    pub max_body_bytes: usize,

    /// Most messages committed in one transaction (group commit); 1 commits each
    /// message alone.
    #[arg(long, env = "PAPO_GROUP_COMMIT_MAX", default_value_t = 256,
          value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub group_commit_max: u64,

    /// Frames a WebSocket may have queued before it counts as too slow (closed 4008).
    #[arg(long, env = "PAPO_WS_QUEUE", default_value_t = 1024)]
    pub ws_queue: usize,

    /// Server ping interval in seconds; a peer silent for two is dropped.
    #[arg(long, env = "PAPO_WS_PING_SECS", default_value_t = 30)]
    pub ws_ping_secs: u64,

    /// How long a typing indicator lasts unless renewed, in milliseconds.
    #[arg(long, env = "PAPO_TYPING_TTL_MS", default_value_t = 5000)]
    pub typing_ttl_ms: u64,
}

impl Settings {
    /// The settings of a server for tests: port 0 and the given database.
    pub fn for_tests(database_url: String) -> Self {
        Self {
            bind: "127.0.0.1:0".into(),
            database_url,
            jwt_secret: Some("test-secret-test-secret-test-secret!".into()),
            environment: Environment::Development,
            access_token_expire_minutes: 15,
            refresh_token_expire_days: 30,
            log_filter: "warn".into(),
            log_format: LogFormat::Pretty,
            demo: false,
            max_body_bytes: 1024 * 1024,
            group_commit_max: 256,
            ws_queue: 1024,
            ws_ping_secs: 30,
            typing_ttl_ms: 5000,
        }
    }

    /// The JWT secret to sign with.
    ///
    /// Fails in production without a strong `JWT_SECRET`, or when a generated
    /// development secret cannot be read or written.
    pub fn resolve_jwt_secret(&self) -> anyhow::Result<String> {
        if let Some(secret) = self.jwt_secret.as_deref().filter(|s| !s.is_empty()) {
            if self.environment == Environment::Production && secret.len() < 32 {
                bail!("JWT_SECRET must be at least 32 characters in production");
            }
            return Ok(secret.to_owned());
        }
        if self.environment == Environment::Production {
            bail!("JWT_SECRET is required when PAPO_ENV=production");
        }
        let path = self.dev_secret_path();
        if let Ok(secret) = std::fs::read_to_string(&path) {
            let secret = secret.trim().to_owned();
            if !secret.is_empty() {
                return Ok(secret);
            }
        }
        let mut bytes = [0u8; 48];
        rand::rng().fill_bytes(&mut bytes);
        let secret = STANDARD.encode(bytes);
        write_private(&path, &secret)
            .with_context(|| format!("writing the generated JWT secret to {}", path.display()))?;
        tracing::warn!(
            path = %path.display(),
            "JWT_SECRET is not set: generated one for development and saved it; set JWT_SECRET in production"
        );
        Ok(secret)
    }

    /// Beside the SQLite file, so a dev database and its tokens travel together.
    fn dev_secret_path(&self) -> PathBuf {
        match sqlite_path(&self.database_url) {
            Some(db) => PathBuf::from(format!("{db}.jwt-secret")),
            None => PathBuf::from(".papo.jwt-secret"),
        }
    }
}

/// The file of a `sqlite://FILE?options` URL.
pub fn sqlite_path(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let file = rest.split('?').next().unwrap_or(rest);
    (!file.is_empty() && file != ":memory:").then(|| file.to_owned())
}

fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(contents.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sqlite_file_is_read_from_the_url() {
        assert_eq!(sqlite_path("sqlite://papo.db").as_deref(), Some("papo.db"));
        assert_eq!(
            sqlite_path("sqlite:/tmp/x.db?mode=rwc").as_deref(),
            Some("/tmp/x.db")
        );
        assert_eq!(sqlite_path("postgres://localhost/papo"), None);
    }

    #[test]
    fn production_refuses_to_start_without_a_secret() {
        let mut settings = Settings::for_tests("sqlite://x.db".into());
        settings.environment = Environment::Production;
        settings.jwt_secret = None;
        assert!(settings.resolve_jwt_secret().is_err());
        settings.jwt_secret = Some("short".into());
        assert!(settings.resolve_jwt_secret().is_err());
    }

    #[test]
    fn a_generated_development_secret_is_kept_for_the_next_start() {
        let dir = std::env::temp_dir().join(format!("papo-secret-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut settings = Settings::for_tests(format!("sqlite://{}/p.db", dir.display()));
        settings.jwt_secret = None;
        let first = settings.resolve_jwt_secret().unwrap();
        let second = settings.resolve_jwt_secret().unwrap();
        assert_eq!(first, second);
        assert!(first.len() >= 32);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
