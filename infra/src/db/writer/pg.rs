//! PostgreSQL's forms of the batch statements: one fixed SQL text whatever the batch,
//! with the rows passed as a few parameters, so the server prepares and plans each
//! statement once per connection.
//!
//! Why: the portable forms list every row in the SQL text. A batch spread over 200
//! rooms made a 200-row `UNION ALL` that PostgreSQL planned afresh for every batch
//! (13–16 ms of planning for 2 ms of work, measured with `EXPLAIN ANALYZE`), and the
//! writer, which commits one batch at a time, topped out near 3,400 posts/s in the
//! 500-room fan-out benchmark.

use chrono::SecondsFormat;
use sea_orm::{ConnectionTrait, DbBackend, QueryResult, Statement};
use serde_json::json;

use crate::db::{DbResultExt, entity::message};

/// Adds `n` to each room's `last_seq`; returns `(id, last_seq)` rows.
pub async fn reserve<C: ConnectionTrait>(
    tx: &C,
    counts: &[(domain::RoomId, i64)],
) -> domain::Result<Vec<QueryResult>> {
    let rooms: Vec<String> = counts.iter().map(|(room, _)| room.to_string()).collect();
    let ns: Vec<String> = counts.iter().map(|(_, n)| n.to_string()).collect();
    let sql = "UPDATE rooms SET last_seq = last_seq + v.n \
               FROM unnest(string_to_array($1, ',')::uuid[], string_to_array($2, ',')::bigint[]) \
               AS v(room, n) WHERE rooms.id = v.room RETURNING id, last_seq";
    let statement = Statement::from_sql_and_values(
        DbBackend::Postgres,
        sql,
        [rooms.join(",").into(), ns.join(",").into()],
    );
    tx.query_all_raw(statement).await.or_db()
}

/// Adds `n` to each message's `reply_count`; returns `(id, reply_count)` rows.
pub async fn count_replies<C: ConnectionTrait>(
    tx: &C,
    counts: &[(domain::MessageId, i64)],
) -> domain::Result<Vec<QueryResult>> {
    let ids: Vec<String> = counts.iter().map(|(id, _)| id.to_string()).collect();
    let ns: Vec<String> = counts.iter().map(|(_, n)| n.to_string()).collect();
    let sql = "UPDATE messages SET reply_count = reply_count + v.n \
               FROM unnest(string_to_array($1, ',')::uuid[], string_to_array($2, ',')::bigint[]) \
               AS v(id, n) WHERE messages.id = v.id RETURNING messages.id, messages.reply_count";
    let statement = Statement::from_sql_and_values(
        DbBackend::Postgres,
        sql,
        [ids.join(",").into(), ns.join(",").into()],
    );
    tx.query_all_raw(statement).await.or_db()
}

/// Inserts every row with one statement: the rows travel as one JSON parameter.
///
/// One statement, not pieces of [`super::batch::STATEMENT_BYTES`] as the portable form
/// is cut into: measured in the 500-room fan-out, cutting the JSON into 16 KiB
/// statements made commits slower (85 ms against 58 ms a batch), each piece being
/// one more round trip; the single large parameter showed no delayed-ACK stall.
pub async fn insert<C: ConnectionTrait>(tx: &C, rows: &[message::Model]) -> domain::Result<()> {
    let rows: Vec<serde_json::Value> = rows
        .iter()
        .map(|m| {
            json!({
                "id": m.id,
                "room_id": m.room_id,
                "seq": m.seq,
                "user_id": m.user_id,
                "content": m.content,
                "temp_id": m.temp_id,
                // Truncated to microseconds, as PostgreSQL stores it and sqlx sends it.
                "created_at": m.created_at.to_rfc3339_opts(SecondsFormat::Micros, true),
                "reply_to_id": m.reply_to_id,
                "reply_position": m.reply_position,
                "mentions": m.mentions,
                "search_text": m.search_text,
            })
        })
        .collect();
    let sql = "INSERT INTO messages (id, room_id, seq, user_id, content, temp_id, created_at, \
               reply_to_id, reply_position, mentions, search_text) \
               SELECT id, room_id, seq, user_id, content, temp_id, created_at, \
               reply_to_id, reply_position, mentions, search_text \
               FROM json_to_recordset($1::json) AS m(id uuid, room_id uuid, seq bigint, \
               user_id uuid, content text, temp_id text, created_at timestamptz, \
               reply_to_id uuid, reply_position bigint, mentions text, search_text text)";
    let statement = Statement::from_sql_and_values(
        DbBackend::Postgres,
        sql,
        [serde_json::Value::Array(rows).to_string().into()],
    );
    tx.execute_raw(statement).await.or_db()?;
    Ok(())
}
