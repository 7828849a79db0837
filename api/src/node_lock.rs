//! One SQLite file is served by one process. A second `papo serve` on the same file
//! would run a second hub that never hears the first one's messages (a chat silently
//! split in two), so it refuses to start. Several nodes need PostgreSQL.

use std::fs::{File, OpenOptions, TryLockError};

use anyhow::Context;

use crate::settings::sqlite_path;

/// Takes the SQLite file's lock (`FILE.lock`, an exclusive `flock`, released when the
/// process ends however it ends); `None` for PostgreSQL.
///
/// Fails when another process serves the file.
pub fn claim(database_url: &str) -> anyhow::Result<Option<File>> {
    let Some(path) = sqlite_path(database_url) else {
        return Ok(None);
    };
    let lock_path = format!("{path}.lock");
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .with_context(|| format!("opening {lock_path}"))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(TryLockError::WouldBlock) => anyhow::bail!(
            "another papo process is serving {path}; SQLite serves one node. \
             Stop it, or use PostgreSQL (DATABASE_URL=postgres://…) for several nodes"
        ),
        Err(TryLockError::Error(err)) => Err(err).with_context(|| format!("locking {lock_path}")),
    }
}
