//! SQLite's form of a batch: one transaction of a few statements (no round trips to
//! save in an embedded database): every room's seqs reserved with one `UPDATE …
//! RETURNING`, replies counted on the messages they answer, the rows inserted in
//! statements of about [`batch::STATEMENT_BYTES`], mentions, and the authors' read
//! markers.

use std::collections::HashMap;

use domain::{
    Error, ErrorCode, Result, RoomId,
    message::{Message, NewMessage},
};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, Statement, TransactionTrait,
};

use super::{batch, sql::rows};
use crate::db::{DbResultExt, entity::message, messages::insert_mentions};

/// Stores `posts` in one transaction.
///
/// Fails with `NotFound` when a room is gone, or as the database does; nothing is
/// stored then.
pub(super) async fn insert_all(
    db: &DatabaseConnection,
    posts: &[&NewMessage],
) -> Result<Vec<Message>> {
    let tx = db.begin().await.or_db()?;
    let first = reserve(&tx, &batch::per_room(posts)).await?;
    let before = count_replies(&tx, posts).await?;
    let mut models = Vec::with_capacity(posts.len());
    let mut stored = Vec::with_capacity(posts.len());
    for ((mut model, pos, rank), post) in rows(posts).into_iter().zip(posts) {
        let base = first
            .get(&post.room_id)
            .ok_or_else(|| Error::Internal("no seq reserved".into()))?;
        model.seq = base + pos - 1;
        model.reply_position = post
            .reply_to
            .as_ref()
            .and_then(|parent| before.get(&parent.id))
            .zip(rank)
            .map(|(before, rank)| before + rank);
        stored.push(Message::fresh(post, model.seq, model.reply_position));
        models.push(model);
    }
    let rows = models.iter().cloned().map(message::ActiveModel::from);
    for chunk in batch::wire_sized(rows.collect()) {
        message::Entity::insert_many(chunk)
            .exec_without_returning(&tx)
            .await
            .or_db()?;
    }
    for (model, post) in models.iter().zip(posts) {
        insert_mentions(&tx, model, &post.mentions).await?;
    }
    mark_read(&tx, &models).await?;
    tx.commit().await.or_db()?;
    Ok(stored)
}

/// `(placeholders, values)` for a `SELECT ? AS a, ? AS b UNION ALL SELECT ?, ?…`
/// of `rows`, named `names` in its first row.
fn rows_of(names: &[&str], rows: Vec<Vec<sea_orm::Value>>) -> (String, Vec<sea_orm::Value>) {
    let mut values = Vec::new();
    let mut selects = Vec::with_capacity(rows.len());
    for (i, row) in rows.into_iter().enumerate() {
        let columns: Vec<String> = names
            .iter()
            .map(|name| {
                if i == 0 {
                    format!("? AS {name}")
                } else {
                    "?".to_owned()
                }
            })
            .collect();
        selects.push(format!("SELECT {}", columns.join(", ")));
        values.extend(row);
    }
    (selects.join(" UNION ALL "), values)
}

/// Bumps each room's `last_seq` by its count in one statement and returns the first
/// seq reserved per room. The row updates hold the rooms' row locks (PostgreSQL) or
/// the write lock (SQLite) until the commit, so seq order is commit order. One
/// statement for all rooms, not one per room: every round trip inside the
/// transaction delays every post in the batch.
///
/// Fails with `NotFound` if a room is gone (the whole batch is then retried post by
/// post, so only that room's posts fail).
async fn reserve<C: ConnectionTrait>(
    tx: &C,
    counts: &[(RoomId, i64)],
) -> Result<HashMap<RoomId, i64>> {
    let (select, values) = rows_of(
        &["room", "n"],
        counts
            .iter()
            .map(|(room, n)| vec![room.as_uuid().into(), (*n).into()])
            .collect(),
    );
    let sql = format!(
        "UPDATE rooms SET last_seq = last_seq + v.n FROM ({select}) AS v \
         WHERE rooms.id = v.room RETURNING id, last_seq"
    );
    let statement = Statement::from_sql_and_values(DbBackend::Sqlite, sql, values);
    let returned = tx.query_all_raw(statement).await.or_db()?;
    let mut first = HashMap::with_capacity(counts.len());
    for row in returned {
        let id: uuid::Uuid = row.try_get("", "id").or_db()?;
        let last: i64 = row.try_get("", "last_seq").or_db()?;
        let room = RoomId::from_uuid(id);
        if let Some((_, n)) = counts.iter().find(|(r, _)| *r == room) {
            first.insert(room, last - n + 1);
        }
    }
    if let Some((missing, _)) = counts.iter().find(|(r, _)| !first.contains_key(r)) {
        return Err(Error::not_found(
            ErrorCode::RoomNotFound,
            format!("Room {missing} was not found."),
        ));
    }
    Ok(first)
}

/// Adds each answered message's replies in the batch to its `reply_count`, in one
/// statement; returns, per answered message, its count before this batch (the
/// replies then number on from it, in batch order). Nothing when no post replies.
///
/// Fails when the database does.
async fn count_replies<C: ConnectionTrait>(
    tx: &C,
    posts: &[&NewMessage],
) -> Result<HashMap<domain::MessageId, i64>> {
    let mut counts: Vec<(domain::MessageId, i64)> = Vec::new();
    for parent in posts.iter().filter_map(|p| p.reply_to.as_ref()) {
        match counts.iter_mut().find(|(id, _)| *id == parent.id) {
            Some((_, n)) => *n += 1,
            None => counts.push((parent.id, 1)),
        }
    }
    if counts.is_empty() {
        return Ok(HashMap::new());
    }
    let (select, values) = rows_of(
        &["id", "n"],
        counts
            .iter()
            .map(|(id, n)| vec![id.as_uuid().into(), (*n).into()])
            .collect(),
    );
    let sql = format!(
        "UPDATE messages SET reply_count = reply_count + v.n FROM ({select}) AS v \
         WHERE messages.id = v.id RETURNING id, reply_count"
    );
    let statement = Statement::from_sql_and_values(DbBackend::Sqlite, sql, values);
    let rows = tx.query_all_raw(statement).await.or_db()?;
    let mut before = HashMap::with_capacity(counts.len());
    for row in rows {
        let id = domain::MessageId::from_uuid(row.try_get("", "id").or_db()?);
        let total: i64 = row.try_get("", "reply_count").or_db()?;
        if let Some((_, n)) = counts.iter().find(|(parent, _)| *parent == id) {
            before.insert(id, total - n);
        }
    }
    Ok(before)
}

/// Moves each author's read marker to their newest post of the batch: one who writes
/// in a room has read it.
///
/// Fails when the database does.
async fn mark_read<C: ConnectionTrait>(tx: &C, models: &[message::Model]) -> Result<()> {
    let mut newest: HashMap<(uuid::Uuid, uuid::Uuid), i64> = HashMap::new();
    for m in models {
        let seq = newest.entry((m.room_id, m.user_id)).or_default();
        *seq = (*seq).max(m.seq);
    }
    let (select, values) = rows_of(
        &["room", "user", "seq"],
        newest
            .into_iter()
            .map(|((room, user), seq)| vec![room.into(), user.into(), seq.into()])
            .collect(),
    );
    let sql = format!(
        "UPDATE memberships SET last_read_seq = v.seq FROM ({select}) AS v \
         WHERE memberships.room_id = v.room AND memberships.user_id = v.user \
         AND memberships.last_read_seq < v.seq"
    );
    tx.execute_raw(Statement::from_sql_and_values(
        DbBackend::Sqlite,
        sql,
        values,
    ))
    .await
    .or_db()?;
    Ok(())
}
