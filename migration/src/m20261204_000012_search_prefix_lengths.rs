//! SQLite's search index rebuilt (PostgreSQL's GIN index needs nothing):
//!
//! - **Prefix indexes for every term of 2 to 8 characters** (they were 2 and 3). FTS5
//!   answers a prefix query (`"deplo"*`) from a prefix index only when one of that
//!   length exists; otherwise it first merges the doclists of every word with the
//!   prefix, all of them, before `LIMIT` applies. In a room of a million messages
//!   that share a word, that merge took ~40 ms, and 0.1 ms with the index.
//! - **`detail=none`**: no positions, only which messages hold a word. Search asks
//!   for words and prefixes, never phrases, and highlights in the domain, so nothing
//!   needs them; without them the index with 2–8 prefixes is smaller than it was with
//!   2–3 (200,000 nine-word messages: 13.5 MB against 17.7 MB) and about as fast to
//!   write.
//!
//! A contentless table cannot change its options, so it is rebuilt from
//! `messages.search_text` under the same keys.

use sea_orm_migration::{prelude::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Rebuilds `message_search` with prefix indexes of these lengths and this detail.
fn rebuild(prefixes: &str, detail: &str) -> [String; 3] {
    [
        "DROP TABLE message_search".to_owned(),
        format!(
            "CREATE VIRTUAL TABLE message_search USING fts5(body, content='', \
             contentless_delete=1, prefix='{prefixes}', detail={detail}, tokenize='unicode61')"
        ),
        "INSERT INTO message_search (rowid, body) \
         SELECT k.key, m.search_text FROM message_search_keys k \
         JOIN messages m ON m.id = k.message_id WHERE m.search_text <> ''"
            .to_owned(),
    ]
}

async fn run(manager: &SchemaManager<'_>, prefixes: &str, detail: &str) -> Result<(), DbErr> {
    let db = manager.get_connection();
    if db.get_database_backend() != DbBackend::Sqlite {
        return Ok(());
    }
    for sql in rebuild(prefixes, detail) {
        db.execute_unprepared(&sql).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, "2 3 4 5 6 7 8", "none").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, "2 3", "full").await
    }
}
