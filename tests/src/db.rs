//! A fresh database per test: a SQLite file in a temporary directory, or a PostgreSQL
//! database with a random name when `PAPO_TEST_DATABASE_URL` names a server; removed
//! when the test's server is dropped.

use std::path::PathBuf;

use sea_orm::{ConnectionTrait, Database};
use uuid::Uuid;

use crate::TestApp;

pub(crate) enum TestDb {
    Sqlite(PathBuf),
    Postgres {
        admin_url: String,
        name: String,
    },
    /// Made and removed by the test itself.
    Provided,
}

/// `postgres://user@host:port` when `PAPO_TEST_DATABASE_URL` names a PostgreSQL server.
pub fn postgres_base() -> Option<String> {
    std::env::var("PAPO_TEST_DATABASE_URL")
        .ok()
        .filter(|url| !url.is_empty())
        .map(|url| server_base(&url))
}

/// Runs `work` to completion on a runtime of its own: `Drop` runs inside the test's
/// runtime, which cannot block on itself.
pub(crate) fn block_on_fresh_runtime(work: impl std::future::Future<Output = ()> + Send + 'static) {
    let _ = std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(work);
    })
    .join();
}

pub(crate) async fn fresh_database() -> (String, TestDb) {
    match postgres_base() {
        Some(base) => {
            let name = format!("papo_test_{}", Uuid::new_v4().simple());
            let admin_url = format!("{base}/postgres");
            let admin = Database::connect(admin_url.clone())
                .await
                .expect("PAPO_TEST_DATABASE_URL is reachable");
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await
                .expect("test database created");
            admin.close().await.ok();
            (
                format!("{base}/{name}"),
                TestDb::Postgres { admin_url, name },
            )
        }
        None => {
            let dir = std::env::temp_dir().join(format!("papo-test-{}", Uuid::new_v4()));
            std::fs::create_dir_all(&dir).expect("temp dir");
            let url = format!("sqlite://{}/papo.db", dir.display());
            (url, TestDb::Sqlite(dir))
        }
    }
}

/// `postgres://user@host:port` without a database path or query.
fn server_base(url: &str) -> String {
    let url = url.split('?').next().unwrap_or(url);
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(slash) => url[..after_scheme + slash].to_owned(),
        None => url.trim_end_matches('/').to_owned(),
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        match &self.db {
            TestDb::Provided => {}
            TestDb::Sqlite(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            TestDb::Postgres { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                block_on_fresh_runtime(async move {
                    if let Ok(admin) = Database::connect(admin_url).await {
                        let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                        let _ = admin.execute_unprepared(&sql).await;
                        let _ = admin.close().await;
                    }
                });
            }
        }
    }
}

impl TestApp {
    /// Makes the server's database unusable until the returned [`Outage`] is dropped.
    /// PostgreSQL: the database is dropped from under the server (for good). SQLite
    /// keeps an open file whatever happens to its path, so another client holds the
    /// write lock instead: reads still work, and every write waits out the busy
    /// timeout (10 s) and fails.
    pub async fn take_database_away(&self) -> Outage {
        match &self.db {
            TestDb::Postgres { admin_url, name } => {
                let admin = Database::connect(admin_url.clone()).await.unwrap();
                admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .await
                    .unwrap();
                admin.close().await.ok();
                Outage::Dropped
            }
            TestDb::Sqlite(_) | TestDb::Provided => Outage::Locked(
                self.hold_rows("UPDATE write_probe SET writes = writes")
                    .await,
            ),
        }
    }

    /// The seqs stored for `room`, read straight from the database.
    pub async fn stored_seqs(&self, room: &str) -> Vec<i64> {
        use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
        let db = Database::connect(self.database_url.clone()).await.unwrap();
        let query = Query::select()
            .column(Alias::new("seq"))
            .from(Alias::new("messages"))
            .and_where(Expr::col(Alias::new("room_id")).eq(Uuid::parse_str(room).unwrap()))
            .to_owned();
        let rows = db.query_all(&query).await.unwrap();
        let seqs = rows
            .iter()
            .map(|r| r.try_get::<i64>("", "seq").unwrap())
            .collect();
        db.close().await.ok();
        seqs
    }
}

/// See [`TestApp::take_database_away`].
pub enum Outage {
    Dropped,
    Locked(HeldRows),
}

/// Rows of the server's database held by another client, inside a transaction that
/// updated them (PostgreSQL: row locks; SQLite: the database's write lock), so the
/// server's writes to them wait until [`HeldRows::release`].
pub struct HeldRows {
    _db: sea_orm::DatabaseConnection,
    transaction: sea_orm::DatabaseTransaction,
}

impl HeldRows {
    pub async fn release(self) {
        self.transaction.rollback().await.expect("rolled back");
    }
}

impl TestApp {
    /// Runs `update` (an `UPDATE … SET x = x` touching the rows to hold) in a
    /// transaction of another client and keeps it open.
    pub async fn hold_rows(&self, update: &str) -> HeldRows {
        use sea_orm::TransactionTrait;
        let db = Database::connect(self.database_url.as_str())
            .await
            .expect("the test's database");
        let transaction = db.begin().await.expect("a transaction");
        transaction
            .execute_unprepared(update)
            .await
            .expect("the rows are held");
        HeldRows {
            _db: db,
            transaction,
        }
    }
}
