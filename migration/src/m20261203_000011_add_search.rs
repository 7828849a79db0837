//! Full-text search (DESIGN §8). `messages.search_text` holds a message's words as
//! search compares them (lower case, accents dropped, space-separated; empty once
//! deleted), written with the message in the same transaction, so the index is never
//! behind a commit. Each database indexes that text:
//!
//! - SQLite: an FTS5 table, contentless with deletes, kept by triggers on `messages`.
//!   Its rowid is a key from `message_search_keys` (an INTEGER PRIMARY KEY, stable
//!   through `VACUUM`, which a table keyed by a UUID does not promise for its implicit
//!   rowid), given in insertion order, so the newest hits come first cheaply.
//! - PostgreSQL: a generated `tsvector` column (`simple`: no stemming, no stop words)
//!   with a GIN index.
//!
//! Existing messages are backfilled here, a thousand at a time.

use sea_orm_migration::{
    prelude::*,
    sea_orm::{ConnectionTrait, DbBackend, Statement},
};
use unicode_normalization::{UnicodeNormalization, char::is_combining_mark};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The indexed text as of this migration (frozen here; the domain's
/// `search::indexed` computes the same for new messages).
fn indexed(text: &str) -> String {
    let mut words = Vec::new();
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        if !word.is_empty() {
            let folded: String = word
                .nfd()
                .filter(|&c| !is_combining_mark(c))
                .flat_map(char::to_lowercase)
                .collect();
            words.push(folded);
        }
    }
    words.join(" ")
}

const SQLITE_UP: &[&str] = &[
    "CREATE TABLE message_search_keys (key INTEGER PRIMARY KEY, message_id BLOB NOT NULL UNIQUE)",
    "CREATE VIRTUAL TABLE message_search USING fts5(body, content='', contentless_delete=1, \
     prefix='2 3', tokenize='unicode61')",
    "INSERT INTO message_search_keys (message_id) SELECT id FROM messages ORDER BY created_at, id",
    "CREATE TRIGGER message_search_insert AFTER INSERT ON messages BEGIN \
       INSERT INTO message_search_keys (message_id) VALUES (new.id); \
       INSERT INTO message_search (rowid, body) \
         SELECT last_insert_rowid(), new.search_text WHERE new.search_text <> ''; \
     END",
    "CREATE TRIGGER message_search_update AFTER UPDATE OF search_text ON messages BEGIN \
       DELETE FROM message_search \
         WHERE rowid = (SELECT key FROM message_search_keys WHERE message_id = old.id); \
       INSERT INTO message_search (rowid, body) \
         SELECT key, new.search_text FROM message_search_keys \
         WHERE message_id = new.id AND new.search_text <> ''; \
     END",
    "CREATE TRIGGER message_search_delete AFTER DELETE ON messages BEGIN \
       DELETE FROM message_search \
         WHERE rowid = (SELECT key FROM message_search_keys WHERE message_id = old.id); \
       DELETE FROM message_search_keys WHERE message_id = old.id; \
     END",
];

const SQLITE_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS message_search_insert",
    "DROP TRIGGER IF EXISTS message_search_update",
    "DROP TRIGGER IF EXISTS message_search_delete",
    "DROP TABLE IF EXISTS message_search",
    "DROP TABLE IF EXISTS message_search_keys",
];

const POSTGRES_UP: &[&str] = &[
    "ALTER TABLE messages ADD COLUMN search tsvector \
     GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED",
    "CREATE INDEX ix_messages_search ON messages USING GIN (search)",
];

const POSTGRES_DOWN: &[&str] = &[
    "DROP INDEX IF EXISTS ix_messages_search",
    "ALTER TABLE messages DROP COLUMN IF EXISTS search",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Messages::Table)
                    .add_column(
                        ColumnDef::new(Messages::SearchText)
                            .text()
                            .not_null()
                            .default(""),
                    )
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        let backend = db.get_database_backend();
        if backend == DbBackend::Postgres {
            backfill(manager).await?;
            run(manager, POSTGRES_UP).await
        } else {
            run(manager, SQLITE_UP).await?;
            backfill(manager).await
        }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_connection().get_database_backend();
        if backend == DbBackend::Postgres {
            run(manager, POSTGRES_DOWN).await?;
        } else {
            run(manager, SQLITE_DOWN).await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Messages::Table)
                    .drop_column(Messages::SearchText)
                    .to_owned(),
            )
            .await
    }
}

async fn run(manager: &SchemaManager<'_>, statements: &[&str]) -> Result<(), DbErr> {
    let db = manager.get_connection();
    for sql in statements {
        db.execute_unprepared(sql).await?;
    }
    Ok(())
}

/// Writes `search_text` of every message not deleted, in id order a page at a time.
async fn backfill(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let backend = db.get_database_backend();
    let (select, update) = match backend {
        DbBackend::Postgres => (
            "SELECT id, content FROM messages WHERE deleted_at IS NULL AND id > $1 \
             ORDER BY id LIMIT 1000",
            "UPDATE messages SET search_text = $1 WHERE id = $2",
        ),
        _ => (
            "SELECT id, content FROM messages WHERE deleted_at IS NULL AND id > ? \
             ORDER BY id LIMIT 1000",
            "UPDATE messages SET search_text = ? WHERE id = ?",
        ),
    };
    let mut after = uuid::Uuid::nil();
    loop {
        let rows = db
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                select,
                [after.into()],
            ))
            .await?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = last.try_get("", "id")?;
        for row in rows {
            let id: uuid::Uuid = row.try_get("", "id")?;
            let content: String = row.try_get("", "content")?;
            db.execute_raw(Statement::from_sql_and_values(
                backend,
                update,
                [indexed(&content).into(), id.into()],
            ))
            .await?;
        }
    }
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    SearchText,
}
