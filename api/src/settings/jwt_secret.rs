//! Which secret signs access tokens: `JWT_SECRET`, or in development one generated
//! once and kept beside the SQLite file.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use base64::{Engine, engine::general_purpose::STANDARD};
use rand::RngCore;

use super::{AuthSettings, Environment, Secret};

impl AuthSettings {
    /// The JWT secret to sign with.
    ///
    /// Fails in production without a strong `JWT_SECRET`, or when a generated
    /// development secret cannot be read or written.
    pub fn resolve_jwt_secret(
        &self,
        environment: Environment,
        database_url: &str,
    ) -> anyhow::Result<Secret> {
        if let Some(secret) = self.jwt_secret.as_ref().filter(|s| !s.expose().is_empty()) {
            if environment == Environment::Production && secret.expose().len() < 32 {
                bail!("JWT_SECRET must be at least 32 characters in production");
            }
            return Ok(secret.clone());
        }
        if environment == Environment::Production {
            bail!("JWT_SECRET is required when PAPO_ENV=production");
        }
        let path = dev_secret_path(database_url);
        if let Ok(secret) = std::fs::read_to_string(&path) {
            let secret = secret.trim().to_owned();
            if !secret.is_empty() {
                return Ok(Secret::new(secret));
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
        Ok(Secret::new(secret))
    }
}

/// Beside the SQLite file, so a dev database and its tokens travel together.
fn dev_secret_path(database_url: &str) -> PathBuf {
    match sqlite_path(database_url) {
        Some(db) => PathBuf::from(format!("{db}.jwt-secret")),
        None => PathBuf::from(".papo.jwt-secret"),
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

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
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

    fn auth(secret: Option<&str>) -> AuthSettings {
        AuthSettings {
            jwt_secret: secret.map(Secret::new),
            access_token_expire_minutes: 15,
            refresh_token_expire_days: 30,
        }
    }

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
    fn production_refuses_to_start_without_a_strong_secret() {
        let production = Environment::Production;
        assert!(
            auth(None)
                .resolve_jwt_secret(production, "sqlite://x.db")
                .is_err()
        );
        assert!(
            auth(Some("short"))
                .resolve_jwt_secret(production, "sqlite://x.db")
                .is_err()
        );
        let strong = "a-secret-of-at-least-thirty-two-chars";
        assert!(
            auth(Some(strong))
                .resolve_jwt_secret(production, "sqlite://x.db")
                .is_ok()
        );
    }

    #[test]
    fn a_generated_development_secret_is_kept_private_for_the_next_start() {
        let dir = std::env::temp_dir().join(format!("papo-secret-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}/p.db", dir.display());
        let development = Environment::Development;

        let first = auth(None).resolve_jwt_secret(development, &url).unwrap();
        let second = auth(None).resolve_jwt_secret(development, &url).unwrap();

        assert_eq!(first, second);
        assert!(first.expose().len() >= 32);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("p.db.jwt-secret"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "only the owner may read the secret");
        }
        std::fs::remove_dir_all(dir).unwrap();
    }
}
