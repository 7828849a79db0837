//! The full-text index behind [`SearchIndex`]: FTS5 on SQLite, a GIN-indexed
//! `tsvector` on PostgreSQL, over `messages.search_text` (see migration 11). Both
//! read the matching ids newest first, then the messages.

use async_trait::async_trait;
use domain::{
    Result,
    message::Message,
    ports::{SearchIndex, SearchRequest},
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Statement, Value,
};
use uuid::Uuid;

use super::{
    SqlMessages,
    enrich::{self, Reactions},
};
use crate::db::{DbResultExt, entity::message};

/// The rooms a reader may search: public ones they are not banned from, and their own.
const READABLE: &str = "(SELECT id FROM rooms WHERE visibility = 'public' \
     AND id NOT IN (SELECT room_id FROM bans WHERE user_id = {reader}) \
     UNION SELECT room_id FROM memberships WHERE user_id = {reader})";

#[async_trait]
impl SearchIndex for SqlMessages {
    async fn search(&self, request: &SearchRequest) -> Result<Vec<Message>> {
        let backend = self.db.get_database_backend();
        let statement = match backend {
            DbBackend::Postgres => postgres(request),
            _ => sqlite(request),
        };
        let ids: Vec<Uuid> = self
            .db
            .query_all_raw(statement)
            .await
            .or_db()?
            .into_iter()
            .map(|row| row.try_get("", "id").or_db())
            .collect::<Result<_>>()?;
        let mut models = message::Entity::find()
            .filter(message::Column::Id.is_in(ids.clone()))
            .all(&self.db)
            .await
            .or_db()?;
        models.sort_by_key(|m| ids.iter().position(|id| *id == m.id));
        enrich::messages(&self.db, models, Reactions::For(Some(request.reader))).await
    }
}

/// Numbered placeholders for PostgreSQL, `?` for SQLite, and the values behind them.
struct Params {
    numbered: bool,
    values: Vec<Value>,
}

impl Params {
    fn add(&mut self, value: impl Into<Value>) -> String {
        self.values.push(value.into());
        if self.numbered {
            format!("${}", self.values.len())
        } else {
            "?".to_owned()
        }
    }

    /// Which rooms: the one asked for, or every room the reader may read.
    fn rooms(&mut self, request: &SearchRequest) -> String {
        match request.room {
            Some(room) => format!("= {}", self.add(room.as_uuid())),
            None => {
                let reader = request.reader.as_uuid();
                let first = self.add(reader);
                let second = self.add(reader);
                let readable = READABLE.replacen("{reader}", &first, 1);
                format!("IN {}", readable.replacen("{reader}", &second, 1))
            }
        }
    }
}

/// FTS5: every term as a quoted prefix (terms are letters and digits only), the
/// newest keys first, so a `LIMIT` stops the match early.
fn sqlite(request: &SearchRequest) -> Statement {
    let mut p = Params {
        numbered: false,
        values: Vec::new(),
    };
    let terms: Vec<String> = request
        .query
        .terms()
        .iter()
        .map(|t| format!("\"{t}\"*"))
        .collect();
    let matching = p.add(terms.join(" "));
    let rooms = p.rooms(request);
    let before = match request.before {
        Some(before) => format!(
            "AND s.rowid < (SELECT key FROM message_search_keys WHERE message_id = {})",
            p.add(before.as_uuid())
        ),
        None => String::new(),
    };
    let limit = p.add(i64::try_from(request.limit).unwrap_or(i64::MAX));
    let sql = format!(
        "SELECT m.id AS id FROM message_search s \
         JOIN message_search_keys k ON k.key = s.rowid \
         JOIN messages m ON m.id = k.message_id \
         WHERE message_search MATCH {matching} AND m.deleted_at IS NULL \
         AND m.room_id {rooms} {before} \
         ORDER BY s.rowid DESC LIMIT {limit}"
    );
    Statement::from_sql_and_values(DbBackend::Sqlite, sql, p.values)
}

/// `tsvector @@ tsquery` with every term a prefix (`term:*`), newest ids first (ids
/// are UUIDv7: time-ordered).
fn postgres(request: &SearchRequest) -> Statement {
    let mut p = Params {
        numbered: true,
        values: Vec::new(),
    };
    let terms: Vec<String> = request
        .query
        .terms()
        .iter()
        .map(|t| format!("{t}:*"))
        .collect();
    let matching = p.add(terms.join(" & "));
    let rooms = p.rooms(request);
    let before = match request.before {
        Some(before) => format!("AND m.id < {}", p.add(before.as_uuid())),
        None => String::new(),
    };
    let limit = p.add(i64::try_from(request.limit).unwrap_or(i64::MAX));
    let sql = format!(
        "SELECT m.id AS id FROM messages m \
         WHERE m.search @@ to_tsquery('simple', {matching}) AND m.deleted_at IS NULL \
         AND m.room_id {rooms} {before} \
         ORDER BY m.id DESC LIMIT {limit}"
    );
    Statement::from_sql_and_values(DbBackend::Postgres, sql, p.values)
}
