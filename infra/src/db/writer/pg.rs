//! PostgreSQL's form of a batch: **one statement**, sent outside any transaction (a
//! statement is its own transaction), so a commit costs one round trip and one fsync.
//! Its data-modifying parts (`WITH … UPDATE/INSERT`) reserve each room's seqs, count
//! the replies of answered messages, insert the rows and their mentions, and move
//! each author's read marker to their post, atomically: one fails, nothing is stored.
//! The text is fixed whatever the batch, with the rows as one JSON parameter, so the
//! server prepares and plans it once per connection.
//!
//! Why one statement: a commit used to take five round trips (`BEGIN`, the seq
//! reservation, the insert, `COMMIT`, and a ping), each waiting behind every ready
//! socket task, and the writer, which commits one batch at a time, was the ceiling
//! of the whole server (see docs/benchmarks.md). sqlx 0.9.0 leaves Nagle's
//! algorithm on, and a statement larger than the socket's send buffer waited ~40 ms
//! for the server's delayed ACK: `db::nodelay` turns it off, and where it cannot,
//! the writer keeps a batch under [`super::batch::BATCH_BYTES_WITH_NAGLE`].

use std::collections::HashMap;

use chrono::SecondsFormat;
use domain::{MessageId, Result};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::json;

use crate::db::{DbResultExt, entity::message};

/// The whole batch; `$1` holds its rows.
const STATEMENT: &str = "\
WITH v AS (
    SELECT * FROM json_to_recordset($1::json) AS m(
        id uuid, room_id uuid, pos bigint, user_id uuid, content text, temp_id text,
        created_at timestamptz, reply_to_id uuid, reply_rank bigint, mentions text,
        search_text text)
),
counts AS (SELECT room_id, count(*) AS n FROM v GROUP BY room_id),
reserved AS (
    UPDATE rooms SET last_seq = rooms.last_seq + counts.n FROM counts
    WHERE rooms.id = counts.room_id
    RETURNING rooms.id AS room_id, rooms.last_seq - counts.n AS base
),
parents AS (
    UPDATE messages SET reply_count = messages.reply_count + r.n
    FROM (SELECT reply_to_id, count(*) AS n FROM v
          WHERE reply_to_id IS NOT NULL GROUP BY reply_to_id) AS r
    WHERE messages.id = r.reply_to_id
    RETURNING messages.id, messages.reply_count - r.n AS before
),
ins AS (
    INSERT INTO messages (id, room_id, seq, user_id, content, temp_id, created_at,
        reply_to_id, reply_position, mentions, search_text)
    SELECT v.id, v.room_id, reserved.base + v.pos, v.user_id, v.content, v.temp_id,
        v.created_at, v.reply_to_id, parents.before + v.reply_rank, v.mentions,
        v.search_text
    FROM v JOIN reserved ON reserved.room_id = v.room_id
    LEFT JOIN parents ON parents.id = v.reply_to_id
    RETURNING id, room_id, seq, user_id, reply_position, mentions
),
mentioned AS (
    INSERT INTO mentions (message_id, user_id, room_id, seq)
    SELECT ins.id, m.user_id::uuid, ins.room_id, ins.seq
    FROM ins, LATERAL json_array_elements_text(ins.mentions::json) AS m(user_id)
    WHERE ins.mentions IS NOT NULL AND m.user_id::uuid <> ins.user_id
),
marked AS (
    UPDATE memberships SET last_read_seq = x.seq
    FROM (SELECT room_id, user_id, max(seq) AS seq FROM ins GROUP BY room_id, user_id) AS x
    WHERE memberships.room_id = x.room_id AND memberships.user_id = x.user_id
        AND memberships.last_read_seq < x.seq
)
-- A room that is gone stores nothing of the batch: the division fails the statement,
-- and with it every part of it (the writer then settles the posts by halves). A
-- subquery, not a constant: PostgreSQL folds `1 / 0` while planning.
SELECT id, seq, reply_position,
    CASE WHEN (SELECT count(*) FROM reserved) = (SELECT count(*) FROM counts)
        THEN 0 ELSE 1 / (SELECT count(*) * 0 FROM counts) END AS whole
FROM ins";

/// What one row came back as: its seq, and for a reply the count of its parent's
/// replies once it was stored.
pub type Stored = HashMap<MessageId, (i64, Option<i64>)>;

/// Stores `rows` (each with its 1-based position among its room's posts in the batch,
/// and for a reply its rank among the batch's replies to the same message) in one
/// statement. A batch all of whose rooms are gone stores nothing and returns nothing.
///
/// Fails when the database does, when some rooms of the batch are gone, or on a
/// unique violation (a retried `temp_id`): then nothing was stored.
pub async fn store<C: ConnectionTrait>(
    db: &C,
    rows: &[(message::Model, i64, Option<i64>)],
) -> Result<Stored> {
    let rows: Vec<serde_json::Value> = rows
        .iter()
        .map(|(m, pos, reply_rank)| {
            json!({
                "id": m.id,
                "room_id": m.room_id,
                "pos": pos,
                "user_id": m.user_id,
                "content": m.content,
                "temp_id": m.temp_id,
                // Truncated to microseconds, as PostgreSQL stores it and sqlx sends it.
                "created_at": m.created_at.to_rfc3339_opts(SecondsFormat::Micros, true),
                "reply_to_id": m.reply_to_id,
                "reply_rank": reply_rank,
                "mentions": m.mentions,
                "search_text": m.search_text,
            })
        })
        .collect();
    let statement = Statement::from_sql_and_values(
        DbBackend::Postgres,
        STATEMENT,
        [serde_json::Value::Array(rows).to_string().into()],
    );
    let mut stored = HashMap::new();
    for row in db.query_all_raw(statement).await.or_db()? {
        let id: uuid::Uuid = row.try_get("", "id").or_db()?;
        let seq: i64 = row.try_get("", "seq").or_db()?;
        let position: Option<i64> = row.try_get("", "reply_position").or_db()?;
        stored.insert(MessageId::from_uuid(id), (seq, position));
    }
    Ok(stored)
}
