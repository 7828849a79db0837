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
/// newest keys first, so a `LIMIT` stops the match early. `CROSS JOIN` keeps the
/// index as the outer loop (SQLite does not reorder it): left to the planner, it began
/// from the room's messages and ran the match once per message, which in a room of a
/// million did not finish in minutes.
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
         CROSS JOIN message_search_keys k ON k.key = s.rowid \
         CROSS JOIN messages m ON m.id = k.message_id \
         WHERE message_search MATCH {matching} AND m.deleted_at IS NULL \
         AND m.room_id {rooms} {before} \
         ORDER BY s.rowid DESC LIMIT {limit}"
    );
    Statement::from_sql_and_values(DbBackend::Sqlite, sql, p.values)
}

/// How many of the newest messages PostgreSQL's search reads first (see [`postgres`]).
const RECENT: i64 = 5000;

/// `tsvector @@ tsquery` with every term a prefix (`term:*`), newest first, in two
/// steps that are each bounded whatever the planner believes:
///
/// 1. the newest [`RECENT`] messages in scope (a range of the room's seqs, or the
///    newest ids), matched one by one: a word in many messages is answered here;
/// 2. only if that found too few: the GIN index's matches older than that window,
///    filtered and sorted. `UNION ALL` under one `LIMIT` never starts this part when
///    the first found enough, and a CTE that is never read is never run.
///
/// Why not one `WHERE … ORDER BY … LIMIT`: its plan depends on the statistics. Before
/// a table has been analyzed (autovacuum off, or right after a bulk load) PostgreSQL
/// estimated 2,775 messages in a room of a million and ANDed the room's index with
/// the GIN index: 520 ms for a word in every message, 60 ms for a word in none. Both
/// CTEs are `MATERIALIZED` so that neither can be merged back into such a plan.
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
    let recent = p.add(RECENT);
    let limit = p.add(i64::try_from(request.limit).unwrap_or(i64::MAX));
    let sql = match request.room {
        // In a room: by seq, from the last one, or the one just before `before` (a
        // message of another room continues nothing).
        Some(room) => {
            let room = p.add(room.as_uuid());
            let top = match request.before {
                Some(before) => format!(
                    "SELECT seq - 1 AS seq FROM messages WHERE id = {} AND room_id = {room}",
                    p.add(before.as_uuid())
                ),
                None => format!("SELECT last_seq AS seq FROM rooms WHERE id = {room}"),
            };
            format!(
                "WITH top AS ({top}), \
                 recent AS MATERIALIZED (SELECT id, seq, search, deleted_at FROM messages \
                   WHERE room_id = {room} AND seq <= (SELECT seq FROM top) \
                   AND seq > (SELECT seq FROM top) - {recent}), \
                 hits AS MATERIALIZED (SELECT id, seq, room_id, deleted_at FROM messages \
                   WHERE search @@ to_tsquery('simple', {matching})) \
                 (SELECT id FROM recent WHERE search @@ to_tsquery('simple', {matching}) \
                   AND deleted_at IS NULL ORDER BY seq DESC LIMIT {limit}) \
                 UNION ALL \
                 (SELECT id FROM hits WHERE room_id = {room} AND deleted_at IS NULL \
                   AND seq <= (SELECT seq FROM top) - {recent} ORDER BY seq DESC LIMIT {limit}) \
                 LIMIT {limit}"
            )
        }
        // Everywhere the reader may read: by id (UUIDv7, time-ordered).
        None => {
            let rooms = p.rooms(request);
            let below = match request.before {
                Some(before) => format!("WHERE id < {}", p.add(before.as_uuid())),
                None => String::new(),
            };
            let and_below = below.replacen("WHERE", "AND", 1);
            format!(
                "WITH newest AS MATERIALIZED (SELECT id, room_id, search, deleted_at \
                   FROM messages {below} ORDER BY id DESC LIMIT {recent}), \
                 hits AS MATERIALIZED (SELECT id, room_id, deleted_at FROM messages \
                   WHERE search @@ to_tsquery('simple', {matching}) {and_below}) \
                 (SELECT id FROM newest WHERE search @@ to_tsquery('simple', {matching}) \
                   AND deleted_at IS NULL AND room_id {rooms} ORDER BY id DESC LIMIT {limit}) \
                 UNION ALL \
                 (SELECT id FROM hits WHERE deleted_at IS NULL AND room_id {rooms} \
                   AND id < (SELECT id FROM newest ORDER BY id LIMIT 1) \
                   AND (SELECT count(*) FROM newest) = {recent} ORDER BY id DESC LIMIT {limit}) \
                 LIMIT {limit}"
            )
        }
    };
    Statement::from_sql_and_values(DbBackend::Postgres, sql, p.values)
}
