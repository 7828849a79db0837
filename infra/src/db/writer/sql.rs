//! The writer's statements: a batch stored at once (PostgreSQL: one statement,
//! [`pg`]; SQLite: one transaction, [`sqlite`]), and the look-up of a retried post.

use domain::{
    Error, ErrorCode, MessageId, Result,
    message::{Appended, Message, NewMessage},
};
use sea_orm::{ColumnTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter};

use super::{batch, pg, sqlite};
use crate::db::{DbResultExt, entity::message, messages::mentions_json};

/// Stores a batch, all of it or nothing: each room's seqs reserved in the same
/// transaction (seqs follow the posts' order within each room), replies counted on
/// the messages they answer, mentions recorded, authors' read markers moved to their
/// posts. Measured: the batch size, the commit's duration, the messages stored and
/// the failed commits.
///
/// Fails with `NotFound` when a room is gone (then nothing is stored), or as the
/// database does.
pub async fn insert_all(db: &DatabaseConnection, posts: &[&NewMessage]) -> Result<Vec<Message>> {
    let started = std::time::Instant::now();
    let inserted = match db.get_database_backend() {
        DbBackend::Postgres => insert_pg(db, posts).await,
        _ => sqlite::insert_all(db, posts).await,
    };
    #[allow(clippy::cast_precision_loss)] // batch sizes are small
    metrics::histogram!("papo_commit_batch_size").record(posts.len() as f64);
    metrics::histogram!("papo_commit_duration_seconds").record(started.elapsed().as_secs_f64());
    match &inserted {
        Ok(stored) => metrics::counter!("papo_posts_total").increment(stored.len() as u64),
        Err(_) => metrics::counter!("papo_commit_failures_total").increment(1),
    }
    inserted
}

/// A post as its row (seq and reply position still unknown), with its 1-based
/// position among its room's posts in the batch and, for a reply, its rank among the
/// batch's replies to the same message.
pub(super) fn rows(posts: &[&NewMessage]) -> Vec<(message::Model, i64, Option<i64>)> {
    let mut in_room: std::collections::HashMap<domain::RoomId, i64> = Default::default();
    let mut in_thread: std::collections::HashMap<MessageId, i64> = Default::default();
    posts
        .iter()
        .map(|m| {
            let pos = in_room.entry(m.room_id).or_default();
            *pos += 1;
            let rank = m.reply_to.as_ref().map(|parent| {
                let rank = in_thread.entry(parent.id).or_default();
                *rank += 1;
                *rank
            });
            let model = message::Model {
                id: m.id.as_uuid(),
                room_id: m.room_id.as_uuid(),
                seq: 0,
                user_id: m.author.id.as_uuid(),
                content: m.body.as_str().to_owned(),
                temp_id: m.temp_id.as_ref().map(|t| t.as_str().to_owned()),
                created_at: m.created_at,
                edited_at: None,
                deleted_at: None,
                reply_to_id: m.reply_to.as_ref().map(|r| r.id.as_uuid()),
                reply_position: None,
                reply_count: 0,
                mentions: mentions_json(&m.mentions),
                deleted_by: None,
                search_text: domain::search::indexed(m.body.as_str()),
            };
            (model, *pos, rank)
        })
        .collect()
}

/// PostgreSQL: the batch as one statement.
async fn insert_pg(db: &DatabaseConnection, posts: &[&NewMessage]) -> Result<Vec<Message>> {
    let rows = rows(posts);
    let stored = pg::store(db, &rows).await?;
    posts
        .iter()
        .map(|post| {
            let (seq, position) = stored.get(&post.id).copied().ok_or_else(|| {
                Error::not_found(
                    ErrorCode::RoomNotFound,
                    format!("Room {} was not found.", post.room_id),
                )
            })?;
            Ok(Message::fresh(post, seq, position))
        })
        .collect()
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
