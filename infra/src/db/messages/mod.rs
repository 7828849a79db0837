//! Messages in SQL: history ranges, replies, lookups, edits and deletes. Appends go
//! through the group-commit [`GroupWriter`](super::GroupWriter), the only writer of
//! new rows; `enrich` turns rows into messages; `search` is the full-text index.

mod enrich;
mod search;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use domain::{
    Error, ErrorCode, MessageId, Result, RoomId, UserId,
    message::{Message, MessageBody},
    user::UserSummary,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, TransactionTrait, sea_query::Expr,
};
use uuid::Uuid;

use self::enrich::Reactions;
pub(crate) use self::enrich::plain;
use super::{
    DbResultExt,
    entity::{mention, message, reaction},
};

/// Reads and in-place changes of stored messages.
#[derive(Clone)]
pub struct SqlMessages {
    pub(crate) db: DatabaseConnection,
}

impl SqlMessages {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// Messages with `low <= seq <= high`, oldest first, reactions as `reader` sees
    /// them.
    ///
    /// Fails when the database does.
    pub async fn range(
        &self,
        room: RoomId,
        low: i64,
        high: i64,
        reader: Option<UserId>,
    ) -> Result<Vec<Message>> {
        let models = message::Entity::find()
            .filter(message::Column::RoomId.eq(room.as_uuid()))
            .filter(message::Column::Seq.between(low, high))
            .order_by_asc(message::Column::Seq)
            .all(&self.db)
            .await
            .or_db()?;
        enrich::messages(&self.db, models, Reactions::For(reader)).await
    }

    /// Several rooms' seq ranges in one query (a node catching up on what other nodes
    /// committed reads every room a notice names at once). New messages have no
    /// reactions yet, so none are read.
    ///
    /// Fails when the database does.
    pub async fn ranges(&self, ranges: &[(RoomId, i64, i64)]) -> Result<Vec<Message>> {
        if ranges.is_empty() {
            return Ok(Vec::new());
        }
        let mut wanted = Condition::any();
        for &(room, low, high) in ranges {
            wanted = wanted.add(
                Condition::all()
                    .add(message::Column::RoomId.eq(room.as_uuid()))
                    .add(message::Column::Seq.between(low, high)),
            );
        }
        let models = message::Entity::find()
            .filter(wanted)
            .all(&self.db)
            .await
            .or_db()?;
        let mut messages = enrich::messages(&self.db, models, Reactions::Skip).await?;
        let order: HashMap<RoomId, usize> = ranges
            .iter()
            .enumerate()
            .map(|(i, &(room, _, _))| (room, i))
            .collect();
        messages.sort_by_key(|m| (order.get(&m.room_id).copied(), m.seq));
        Ok(messages)
    }

    /// The `limit` replies to `parent` just below seq `before` (or the newest),
    /// oldest first: a range of the `(reply_to_id, seq)` index.
    ///
    /// Fails when the database does.
    pub async fn replies(
        &self,
        room: RoomId,
        parent: MessageId,
        before: Option<i64>,
        limit: u64,
        reader: Option<UserId>,
    ) -> Result<Vec<Message>> {
        let mut select = message::Entity::find()
            .filter(message::Column::ReplyToId.eq(parent.as_uuid()))
            .filter(message::Column::RoomId.eq(room.as_uuid()));
        if let Some(before) = before {
            select = select.filter(message::Column::Seq.lt(before));
        }
        let mut models = select
            .order_by_desc(message::Column::Seq)
            .limit(limit)
            .all(&self.db)
            .await
            .or_db()?;
        models.reverse();
        enrich::messages(&self.db, models, Reactions::For(reader)).await
    }

    /// Fails when the database does.
    pub async fn find(&self, id: MessageId) -> Result<Option<Message>> {
        let found = message::Entity::find_by_id(id.as_uuid())
            .one(&self.db)
            .await
            .or_db()?;
        match found {
            Some(model) => Ok(enrich::messages(&self.db, vec![model], Reactions::Skip)
                .await?
                .pop()),
            None => Ok(None),
        }
    }

    /// New content, its search words and whom it mentions, in one transaction.
    ///
    /// Fails with `NotFound` when the message is gone.
    pub async fn edit(
        &self,
        id: MessageId,
        body: MessageBody,
        mentions: &[UserId],
        at: DateTime<Utc>,
    ) -> Result<Message> {
        let tx = self.db.begin().await.or_db()?;
        let search_text = domain::search::indexed(body.as_str());
        message::Entity::update_many()
            .col_expr(message::Column::Content, Expr::value(body.into_inner()))
            .col_expr(message::Column::SearchText, Expr::value(search_text))
            .col_expr(
                message::Column::Mentions,
                Expr::value(mentions_json(mentions)),
            )
            .col_expr(message::Column::EditedAt, Expr::value(at))
            .filter(message::Column::Id.eq(id.as_uuid()))
            .exec(&tx)
            .await
            .or_db()?;
        let stored = message::Entity::find_by_id(id.as_uuid())
            .one(&tx)
            .await
            .or_db()?
            .ok_or_else(|| gone(id))?;
        mention::Entity::delete_many()
            .filter(mention::Column::MessageId.eq(id.as_uuid()))
            .exec(&tx)
            .await
            .or_db()?;
        insert_mentions(&tx, &stored, mentions).await?;
        tx.commit().await.or_db()?;
        self.find(id).await?.ok_or_else(|| gone(id))
    }

    /// Empties the message, and drops its search words, reactions and mentions, in
    /// one transaction. The row stays, so the room's seqs stay gap-free; the words
    /// do not.
    ///
    /// Fails with `NotFound` when the message is gone.
    pub async fn delete(&self, id: MessageId, by: UserId, at: DateTime<Utc>) -> Result<Message> {
        let tx = self.db.begin().await.or_db()?;
        message::Entity::update_many()
            .col_expr(message::Column::Content, Expr::value(""))
            .col_expr(message::Column::SearchText, Expr::value(""))
            .col_expr(message::Column::DeletedAt, Expr::value(at))
            .col_expr(message::Column::DeletedBy, Expr::value(by.as_uuid()))
            .filter(message::Column::Id.eq(id.as_uuid()))
            .exec(&tx)
            .await
            .or_db()?;
        reaction::Entity::delete_many()
            .filter(reaction::Column::MessageId.eq(id.as_uuid()))
            .exec(&tx)
            .await
            .or_db()?;
        mention::Entity::delete_many()
            .filter(mention::Column::MessageId.eq(id.as_uuid()))
            .exec(&tx)
            .await
            .or_db()?;
        tx.commit().await.or_db()?;
        self.find(id).await?.ok_or_else(|| gone(id))
    }
}

/// Mentions as the `messages.mentions` column holds them: a JSON array of ids, or
/// nothing.
pub(crate) fn mentions_json(mentions: &[UserId]) -> Option<String> {
    if mentions.is_empty() {
        return None;
    }
    let ids: Vec<Uuid> = mentions.iter().map(|u| u.as_uuid()).collect();
    serde_json::to_string(&ids).ok()
}

/// One `mentions` row per user `stored` mentions but its author (unread mentions are
/// counted on them).
///
/// Fails when the database does.
pub(crate) async fn insert_mentions<C: ConnectionTrait>(
    db: &C,
    stored: &message::Model,
    mentions: &[UserId],
) -> Result<()> {
    let rows: Vec<mention::ActiveModel> = mentions
        .iter()
        // Mentioning oneself is nothing to catch up on.
        .filter(|user| user.as_uuid() != stored.user_id)
        .map(|user| mention::ActiveModel {
            message_id: Set(stored.id),
            user_id: Set(user.as_uuid()),
            room_id: Set(stored.room_id),
            seq: Set(stored.seq),
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    mention::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await
        .or_db()?;
    Ok(())
}

/// A row as a message (for a retried post's answer: the ack needs only its id, seq
/// and time).
pub(crate) fn to_message(model: message::Model, author: UserSummary) -> Message {
    plain(model, author)
}

fn gone(id: MessageId) -> Error {
    Error::not_found(
        ErrorCode::MessageNotFound,
        format!("Message {id} was not found."),
    )
}
