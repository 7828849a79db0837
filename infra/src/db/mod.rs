//! The database: connecting (SQLite or PostgreSQL), migrating, and the repositories
//! that implement `domain`'s storage ports.

pub mod entity;
mod messages;
mod refresh_tokens;
mod rooms;
mod users;
mod writer;

use std::time::Duration;

use domain::Error;
use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, SqlErr,
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
};

pub use messages::SqlMessages;
pub use refresh_tokens::SqlRefreshTokens;
pub use rooms::SqlRooms;
pub use users::SqlUsers;
pub use writer::GroupWriter;

/// Opens a pool on `url` (`sqlite://…` or `postgres://…`), failing fast when the server
/// cannot be reached.
///
/// SQLite files are created if missing and run in WAL mode (readers never wait for the
/// writer) with foreign keys on and `synchronous=FULL`, so that a commit, and therefore
/// an acknowledgement, survives a power cut.
///
/// Fails when the URL is malformed or the database cannot be opened.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5))
        .max_connections(if is_sqlite(url) { 8 } else { 16 })
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|opts| {
            opts.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
        });
    Database::connect(options).await
}

/// Whether `url` names a SQLite database.
pub fn is_sqlite(url: &str) -> bool {
    url.starts_with("sqlite:")
}

/// Applies every pending migration.
///
/// Fails when a migration fails; the failed one is rolled back where the database
/// supports transactional DDL.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// Reverts the newest `steps` migrations.
///
/// Fails when a `down` fails.
pub async fn rollback(db: &DatabaseConnection, steps: u32) -> Result<(), DbErr> {
    Migrator::down(db, Some(steps)).await
}

/// Whether the database answers a trivial query.
pub async fn ping(db: &DatabaseConnection) -> bool {
    db.execute_unprepared("SELECT 1").await.is_ok()
}

/// [`HealthProbe`](domain::ports::HealthProbe) over the pool.
#[derive(Clone)]
pub struct DbHealth(pub DatabaseConnection);

#[async_trait::async_trait]
impl domain::ports::HealthProbe for DbHealth {
    async fn database_ok(&self) -> bool {
        ping(&self.0).await
    }
}

/// The database kind behind a connection, for the few statements that differ.
pub fn backend(db: &DatabaseConnection) -> DbBackend {
    db.get_database_backend()
}

/// Maps a database error into the domain's vocabulary: an unreachable database is
/// `Unavailable`, anything else `Internal` (the cause is kept for the log, not shown
/// to clients).
pub(crate) fn db_error(err: DbErr) -> Error {
    match &err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => Error::Unavailable(err.to_string()),
        _ => Error::Internal(err.to_string()),
    }
}

/// Whether `err` is a unique-constraint violation (the one place that knows how each
/// backend reports it).
pub(crate) fn is_unique_violation(err: &DbErr) -> bool {
    matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}
