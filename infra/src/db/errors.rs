//! How database errors become domain errors, decided in one place.

use std::{
    sync::{Arc, Mutex},
    time::Instant,
};

use domain::Error;
use sea_orm::{
    DbErr, RuntimeErr, SqlErr,
    sqlx::{self, postgres::PgDatabaseError, sqlite::SqliteError},
};

/// Maps a database error into the domain's vocabulary: a database that cannot be
/// reached or cannot store (disk full, I/O error, read-only, locked past the busy
/// timeout) is `Unavailable`, anything else `Internal`. The cause is kept for the log,
/// never shown to clients.
fn db_error(err: DbErr) -> Error {
    if is_unavailable(&err) {
        Error::Unavailable(err.to_string())
    } else {
        Error::Internal(err.to_string())
    }
}

/// Database results in the domain's vocabulary, at the call site (as
/// realworld-axum-sqlx's `ResultExt::on_constraint`).
pub(crate) trait DbResultExt<T> {
    /// Maps the error with [`db_error`].
    fn or_db(self) -> Result<T, Error>;

    /// A unique-constraint violation becomes `conflict()`; other errors as
    /// [`DbResultExt::or_db`].
    fn on_unique(self, conflict: impl FnOnce() -> Error) -> Result<T, Error>;

    /// `None` on a unique-constraint violation (someone else stored it first); other
    /// errors as [`DbResultExt::or_db`].
    fn unless_unique(self) -> Result<Option<T>, Error>;
}

impl<T> DbResultExt<T> for Result<T, DbErr> {
    fn or_db(self) -> Result<T, Error> {
        self.map_err(db_error)
    }

    fn on_unique(self, conflict: impl FnOnce() -> Error) -> Result<T, Error> {
        self.map_err(|err| {
            if is_unique_violation(&err) {
                conflict()
            } else {
                db_error(err)
            }
        })
    }

    fn unless_unique(self) -> Result<Option<T>, Error> {
        match self {
            Ok(value) => Ok(Some(value)),
            Err(err) if is_unique_violation(&err) => Ok(None),
            Err(err) => Err(db_error(err)),
        }
    }
}

/// Whether `err` is a unique-constraint violation (the one place that knows how each
/// backend reports it).
fn is_unique_violation(err: &DbErr) -> bool {
    matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

fn is_unavailable(err: &DbErr) -> bool {
    match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            storage_failure(e)
        }
        _ => false,
    }
}

fn storage_failure(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => {
            if db.try_downcast_ref::<SqliteError>().is_some() {
                // Primary result codes: BUSY 5, LOCKED 6, READONLY 8, IOERR 10,
                // CORRUPT 11, FULL 13, CANTOPEN 14, NOTADB 26.
                let code = db.code().and_then(|c| c.parse::<i32>().ok());
                matches!(
                    code.map(|c| c & 0xff),
                    Some(5 | 6 | 8 | 10 | 11 | 13 | 14 | 26)
                )
            } else if let Some(pg) = db.try_downcast_ref::<PgDatabaseError>() {
                // Classes: 08 connection, 53 insufficient resources (disk full), 57
                // operator intervention (shutdown), 58 system (I/O); 25006 read-only.
                let code = pg.code();
                ["08", "53", "57", "58"]
                    .iter()
                    .any(|class| code.starts_with(class))
                    || code == "25006"
            } else {
                false
            }
        }
        _ => false,
    }
}

/// When the writer's last commit failed because the database could not store it (set
/// by the writer, read by `/health`); `None` once a later commit, or a health probe's
/// write, succeeds.
#[derive(Clone, Default)]
pub(crate) struct WriteHealth(Arc<Mutex<Option<Instant>>>);

impl WriteHealth {
    /// Records the outcome of a commit.
    pub(crate) fn record<T>(&self, outcome: &Result<T, Error>) {
        match outcome {
            Ok(_) => self.recovered(),
            Err(Error::Unavailable(_)) => *self.lock() = Some(Instant::now()),
            Err(_) => {}
        }
    }

    pub(crate) fn recovered(&self) {
        *self.lock() = None;
    }

    /// Since when commits have been failing, if they are.
    pub(crate) fn failing_since(&self) -> Option<Instant> {
        *self.lock()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Instant>> {
        // The guarded value is a plain timestamp: a panic elsewhere cannot leave it torn.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
