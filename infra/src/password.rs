//! argon2id password hashing, off the async runtime.

use argon2::{Argon2, PasswordHasher as _, PasswordVerifier as _};
use async_trait::async_trait;
use domain::{Error, Result, ports::PasswordHasher};

/// [`PasswordHasher`] with argon2id and the crate's recommended parameters
/// (19 MiB, 2 passes). Each hash takes tens of milliseconds of CPU on purpose, so it
/// runs on the blocking pool where it cannot stall other connections.
#[derive(Debug, Clone, Default)]
pub struct Argon2Hasher;

#[async_trait]
impl PasswordHasher for Argon2Hasher {
    async fn hash(&self, password: &str) -> Result<String> {
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || {
            Argon2::default()
                .hash_password(password.as_bytes())
                .map(|hash| hash.to_string())
                .map_err(|e| Error::Internal(format!("argon2: {e}")))
        })
        .await
        .map_err(|e| Error::Internal(format!("hashing task: {e}")))?
    }

    async fn verify(&self, password: &str, hash: &str) -> bool {
        let (password, hash) = (password.to_owned(), hash.to_owned());
        tokio::task::spawn_blocking(move || {
            Argon2::default()
                .verify_password(password.as_bytes(), hash.as_str())
                .is_ok()
        })
        .await
        .unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_and_no_other() {
        let hasher = Argon2Hasher;
        let hash = hasher.hash("correct horse").await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(hasher.verify("correct horse", &hash).await);
        assert!(!hasher.verify("wrong horse", &hash).await);
    }

    #[tokio::test]
    async fn an_unreadable_hash_never_verifies() {
        assert!(!Argon2Hasher.verify("anything", "not-a-phc-string").await);
    }
}
