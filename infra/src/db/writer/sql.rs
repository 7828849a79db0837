//! The writer's statements: a batch in one transaction, seqs reserved per room with
//! one `UPDATE … RETURNING`, and the look-up of a retried post.

use std::collections::HashMap;

use domain::{
    Error, ErrorCode, Result, RoomId,
    message::{Appended, Message, NewMessage},
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
    Statement, TransactionTrait,
};

use super::{batch, pg};
use crate::db::{
    DbResultExt,
    entity::message,
    messages::{insert_mentions, mentions_json},
};

/// One transaction: reserve each room's seqs with one `UPDATE … RETURNING`, then
/// insert every row. Seqs follow the jobs' order within each room. Measured: the
/// batch size, the commit's duration, the messages stored and the failed commits.
pub async fn insert_all(db: &DatabaseConnection, posts: &[&NewMessage]) -> Result<Vec<Message>> {
    let started = std::time::Instant::now();
    let inserted = insert_all_once(db, posts).await;
    #[allow(clippy::cast_precision_loss)] // batch sizes are small
    metrics::histogram!("papo_commit_batch_size").record(posts.len() as f64);
    metrics::histogram!("papo_commit_duration_seconds").record(started.elapsed().as_secs_f64());
    match &inserted {
        Ok(stored) => metrics::counter!("papo_posts_total").increment(stored.len() as u64),
        Err(_) => metrics::counter!("papo_commit_failures_total").increment(1),
    }
    inserted
}

async fn insert_all_once(db: &DatabaseConnection, posts: &[&NewMessage]) -> Result<Vec<Message>> {
    let tx = db.begin().await.or_db()?;
    let mut next = reserve(&tx, &batch::per_room(posts)).await?;
    let mut positions = count_replies(&tx, posts).await?;
    let mut models = Vec::with_capacity(posts.len());
    let mut stored = Vec::with_capacity(posts.len());
    for m in posts {
        let seq = next.get_mut(&m.room_id).map(|s| {
            let seq = *s;
            *s += 1;
            seq
        });
        let Some(seq) = seq else {
            return Err(Error::Internal("no seq reserved".into()));
        };
        let position = m
            .reply_to
            .as_ref()
            .and_then(|parent| positions.get_mut(&parent.id))
            .map(|p| {
                *p += 1;
                *p
            });
        let model = message::Model {
            id: m.id.as_uuid(),
            room_id: m.room_id.as_uuid(),
            seq,
            user_id: m.author.id.as_uuid(),
            content: m.body.as_str().to_owned(),
            temp_id: m.temp_id.as_ref().map(|t| t.as_str().to_owned()),
            created_at: m.created_at,
            edited_at: None,
            deleted_at: None,
            reply_to_id: m.reply_to.as_ref().map(|r| r.id.as_uuid()),
            reply_position: position,
            reply_count: 0,
            mentions: mentions_json(&m.mentions),
            deleted_by: None,
            search_text: domain::search::indexed(m.body.as_str()),
        };
        stored.push(Message::fresh(m, seq, position));
        models.push(model);
    }
    if tx.get_database_backend() == DbBackend::Postgres {
        pg::insert(&tx, &models).await?;
    } else {
        let rows = models.iter().cloned().map(message::ActiveModel::from);
        for chunk in batch::wire_sized(rows.collect()) {
            message::Entity::insert_many(chunk)
                .exec_without_returning(&tx)
                .await
                .or_db()?;
        }
    }
    for (model, post) in models.iter().zip(posts) {
        insert_mentions(&tx, model, &post.mentions).await?;
    }
    tx.commit().await.or_db()?;
    Ok(stored)
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
    let rows = match tx.get_database_backend() {
        DbBackend::Postgres => pg::count_replies(tx, &counts).await?,
        backend => {
            let mut values: Vec<sea_orm::Value> = Vec::with_capacity(counts.len() * 2);
            let mut rows = Vec::with_capacity(counts.len());
            for (i, (id, n)) in counts.iter().enumerate() {
                rows.push(if i == 0 {
                    "SELECT ? AS id, ? AS n"
                } else {
                    "SELECT ?, ?"
                });
                values.push(id.as_uuid().into());
                values.push((*n).into());
            }
            let sql = format!(
                "UPDATE messages SET reply_count = reply_count + v.n FROM ({}) AS v \
                 WHERE messages.id = v.id RETURNING id, reply_count",
                rows.join(" UNION ALL ")
            );
            let statement = Statement::from_sql_and_values(backend, sql, values);
            tx.query_all_raw(statement).await.or_db()?
        }
    };
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

/// Bumps each room's `last_seq` by its count in one statement and returns the first
/// seq reserved per room (PostgreSQL: [`pg::reserve`]; SQLite lists the rooms in the
/// statement, which it plans cheaply). The row updates hold the rooms' row locks (PostgreSQL) or
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
    let returned = match tx.get_database_backend() {
        DbBackend::Postgres => pg::reserve(tx, counts).await?,
        backend => {
            let mut values: Vec<sea_orm::Value> = Vec::with_capacity(counts.len() * 2);
            let mut rows = Vec::with_capacity(counts.len());
            for (i, (room, n)) in counts.iter().enumerate() {
                rows.push(if i == 0 {
                    "SELECT ? AS room, ? AS n"
                } else {
                    "SELECT ?, ?"
                });
                values.push(room.as_uuid().into());
                values.push((*n).into());
            }
            let sql = format!(
                "UPDATE rooms SET last_seq = last_seq + v.n FROM ({}) AS v \
                 WHERE rooms.id = v.room RETURNING id, last_seq",
                rows.join(" UNION ALL ")
            );
            let statement = Statement::from_sql_and_values(backend, sql, values);
            tx.query_all_raw(statement).await.or_db()?
        }
    };
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

/// The outcome for a post whose author already used its `temp_id`, if they did.
pub async fn previous_post(
    db: &DatabaseConnection,
    new: &NewMessage,
) -> Result<Option<Result<Appended>>> {
    let Some(temp_id) = &new.temp_id else {
        return Ok(None);
    };
    let found = message::Entity::find()
        .filter(message::Column::UserId.eq(new.author.id.as_uuid()))
        .filter(message::Column::TempId.eq(temp_id.as_str()))
        .one(db)
        .await
        .or_db()?;
    Ok(found.map(|previous| batch::judge_retry(new, &previous)))
}
