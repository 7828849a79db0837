//! The database: connecting (SQLite or PostgreSQL), migrating, and the repositories
//! that implement `domain`'s storage ports.

pub mod entity;
mod errors;
mod messages;
mod nodelay;
mod reactions;
mod refresh_tokens;
mod rooms;
mod users;
mod writer;

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr,
    TransactionTrait,
    sqlx::{
        self, Connection,
        pool::PoolOptions,
        postgres::{PgConnectOptions, Postgres},
        sqlite::{SqliteJournalMode, SqliteSynchronous},
    },
};

pub use messages::SqlMessages;
pub use refresh_tokens::SqlRefreshTokens;
pub use rooms::SqlRooms;
pub use users::SqlUsers;
pub use writer::GroupWriter;

pub(crate) use errors::DbResultExt;
use errors::WriteHealth;

/// Opens a pool on `url` (`sqlite://…` or `postgres://…`), failing fast when the server
/// cannot be reached.
///
/// SQLite files are created if missing and run in WAL mode (readers never wait for the
/// writer) with foreign keys on and `synchronous=FULL`, so that a commit, and therefore
/// an acknowledgement, survives a power cut.
///
/// A connection whose transaction could not be ended is closed instead of pooled (see
/// [`discard_if_still_in_a_transaction`]).
///
/// Fails when the URL is malformed or the database cannot be opened.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    connect_with(url, if is_sqlite(url) { 8 } else { 16 }).await
}

/// [`connect`] with a pool of at most `max_connections`.
pub(crate) async fn connect_with(
    url: &str,
    max_connections: u32,
) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    let nodelay = nodelay_on_connect(url);
    options
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5))
        .max_connections(max_connections)
        // A ping on every acquire is a round trip before every query (five to a
        // commit); only a connection idle for a while is checked.
        .test_before_acquire_if_idle_for(Duration::from_secs(10))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|opts| {
            opts.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
        })
        .map_sqlx_sqlite_pool_opts(discard_if_still_in_a_transaction)
        // One closure each: a second `map_sqlx_*_pool_opts` replaces the first.
        .map_sqlx_postgres_pool_opts(move |opts| nodelay(discard_if_still_in_a_transaction(opts)));
    Database::connect(options).await
}

/// Sets `TCP_NODELAY` on every new connection over TCP (see [`nodelay`]).
fn nodelay_on_connect(
    url: &str,
) -> impl Fn(PoolOptions<Postgres>) -> PoolOptions<Postgres> + Send + Sync + 'static {
    let connect = url.parse::<PgConnectOptions>().ok();
    move |options| {
        let Some(connect) = &connect else {
            return options;
        };
        if connect.get_socket().is_some() {
            // A Unix socket has no Nagle's algorithm to turn off.
            nodelay::set_by_unix_socket();
            return options;
        }
        let port = connect.get_port();
        options.after_connect(move |_, _| {
            Box::pin(async move {
                nodelay::set_on_connections_to(port).await;
                Ok(())
            })
        })
    }
}

/// Makes the pool close, rather than reuse, a connection that is still inside a
/// transaction when it is handed back.
///
/// Why: when a write fails with `SQLITE_FULL` or an I/O error, SQLite may roll the
/// transaction back by itself; the `ROLLBACK` that follows then fails, and sqlx still
/// counts the connection as one transaction deep. Reused, that connection turns the
/// next `BEGIN … COMMIT` into `SAVEPOINT … RELEASE` inside a transaction that never
/// commits: writes are reported as committed, held under a write lock that blocks
/// every other writer, and lost. A connection in that state is closed, which ends
/// whatever transaction it still holds; the pool opens a fresh one when needed.
fn discard_if_still_in_a_transaction<DB: sqlx::Database>(
    options: PoolOptions<DB>,
) -> PoolOptions<DB> {
    options.after_release(|conn, _| {
        Box::pin(async move {
            if conn.is_in_transaction() {
                // A dropped transaction queues its ROLLBACK; a round trip lets it run
                // first, so only a connection whose rollback failed is closed.
                conn.ping().await?;
            }
            let clean = !conn.is_in_transaction();
            if !clean {
                tracing::warn!("closing a database connection whose transaction did not end");
            }
            Ok(clean)
        })
    })
}

/// Whether `url` names a SQLite database.
pub fn is_sqlite(url: &str) -> bool {
    url.starts_with("sqlite:")
}

/// Applies every pending migration. On PostgreSQL nodes started at once take turns:
/// a transaction on a connection of its own holds an advisory lock while the
/// migrations run, so the second node finds them applied instead of racing the first.
///
/// Fails when a migration fails; the failed one is rolled back where the database
/// supports transactional DDL.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Migrator::up(db, None).await;
    }
    let turn = db.begin().await?;
    turn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
        .await?;
    let migrated = Migrator::up(db, None).await;
    turn.commit().await?;
    migrated
}

/// The advisory lock key nodes take turns on while migrating ("papo" in ASCII).
const MIGRATION_LOCK: i64 = 0x7061_706f;

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

/// [`HealthProbe`](domain::ports::HealthProbe) over the pool and the writer.
///
/// The database is healthy when it answers a read and the writer's last commit did not
/// fail for a storage reason (disk full, I/O error, read-only): a full disk still
/// answers `SELECT 1`, so a read alone would call a chat that cannot store a message
/// healthy. The writer's next successful commit clears a failure; with no posts coming,
/// a failure older than [`RECHECK_AFTER`] is checked again by a small write.
#[derive(Clone)]
pub struct DbHealth {
    db: DatabaseConnection,
    writes: WriteHealth,
}

/// How long a failed commit decides `/health` before a probe write checks again.
const RECHECK_AFTER: Duration = Duration::from_secs(10);

impl DbHealth {
    /// The probe for `writer`'s database.
    pub fn new(db: DatabaseConnection, writer: &GroupWriter) -> Self {
        Self {
            db,
            writes: writer.health(),
        }
    }

    /// Whether the database took writes lately, or takes one now.
    async fn takes_writes(&self) -> bool {
        match self.writes.failing_since() {
            None => true,
            Some(since) if since.elapsed() < RECHECK_AFTER => false,
            Some(_) => {
                let probe = "UPDATE write_probe SET writes = writes + 1 WHERE id = 1";
                let ok = self.db.execute_unprepared(probe).await.is_ok();
                if ok {
                    self.writes.recovered();
                }
                ok
            }
        }
    }
}

#[async_trait::async_trait]
impl domain::ports::HealthProbe for DbHealth {
    async fn database_ok(&self) -> bool {
        ping(&self.db).await && self.takes_writes().await
    }
}

/// The database kind behind a connection, for the few statements that differ.
pub fn backend(db: &DatabaseConnection) -> DbBackend {
    db.get_database_backend()
}

/// How many connections the pool holds and how many of them are idle.
#[derive(Debug, Clone, Copy)]
pub struct PoolUsage {
    pub open: u32,
    pub idle: usize,
}

/// Reads the connection pool's usage (for metrics), without handing out the database.
#[derive(Clone)]
pub struct PoolProbe(DatabaseConnection);

impl PoolProbe {
    pub fn new(db: DatabaseConnection) -> Self {
        Self(db)
    }

    /// The usage now.
    pub fn usage(&self) -> Option<PoolUsage> {
        pool_usage(&self.0)
    }
}

fn pool_usage(db: &DatabaseConnection) -> Option<PoolUsage> {
    match db.get_database_backend() {
        sea_orm::DbBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            Some(PoolUsage {
                open: pool.size(),
                idle: pool.num_idle(),
            })
        }
        sea_orm::DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            Some(PoolUsage {
                open: pool.size(),
                idle: pool.num_idle(),
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::{ConnectionTrait, Statement};

    use super::*;

    /// Each pragma as every pooled connection reports it.
    async fn pragma(db: &DatabaseConnection, name: &str) -> String {
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                format!("PRAGMA {name}"),
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index::<i64>(0)
            .map(|n| n.to_string())
            .or_else(|_| row.try_get_by_index::<String>(0))
            .unwrap()
    }

    #[tokio::test]
    async fn sqlite_connections_are_wal_with_foreign_keys_and_full_sync() {
        let dir = std::env::temp_dir().join(format!("papo-pragma-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = connect(&format!("sqlite://{}/papo.db", dir.display()))
            .await
            .unwrap();

        // Several times over: the pool may hand out different connections.
        for _ in 0..4 {
            assert_eq!(pragma(&db, "journal_mode").await, "wal");
            assert_eq!(pragma(&db, "foreign_keys").await, "1");
            assert_eq!(pragma(&db, "synchronous").await, "2", "2 is FULL");
        }
        db.close().await.unwrap();
        let _ = std::fs::remove_dir_all(dir);
    }
}
