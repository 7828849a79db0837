//! Messages in SQL: history ranges, lookups, edits and deletes. Appends go through the
//! group-commit [`GroupWriter`](super::GroupWriter), the only writer of new rows.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use domain::{
    Error, ErrorCode, MessageId, Result, RoomId,
    message::{Message, MessageBody},
    user::UserSummary,
};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    sea_query::Expr,
};
use uuid::Uuid;

use super::{
    DbResultExt,
    entity::{message, user},
    users::to_user,
};

/// Reads and in-place changes of stored messages.
#[derive(Clone)]
pub struct SqlMessages {
    db: DatabaseConnection,
}

impl SqlMessages {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// Attaches authors to stored messages with one query for all of them.
    async fn with_authors(&self, models: Vec<message::Model>) -> Result<Vec<Message>> {
        let mut ids: Vec<Uuid> = models.iter().map(|m| m.user_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let authors: HashMap<Uuid, UserSummary> = user::Entity::find()
            .filter(user::Column::Id.is_in(ids))
            .all(&self.db)
            .await
            .or_db()?
            .into_iter()
            .map(|u| (u.id, to_user(u).summary()))
            .collect();
        models
            .into_iter()
            .map(|m| {
                let author = authors
                    .get(&m.user_id)
                    .cloned()
                    .ok_or_else(|| Error::Internal(format!("message {} has no author", m.id)))?;
                Ok(to_message(m, author))
            })
            .collect()
    }

    /// Messages with `low <= seq <= high`, oldest first.
    ///
    /// Fails when the database does.
    pub async fn range(&self, room: RoomId, low: i64, high: i64) -> Result<Vec<Message>> {
        let models = message::Entity::find()
            .filter(message::Column::RoomId.eq(room.as_uuid()))
            .filter(message::Column::Seq.between(low, high))
            .order_by_asc(message::Column::Seq)
            .all(&self.db)
            .await
            .or_db()?;
        self.with_authors(models).await
    }

    /// Several rooms' seq ranges in one query (a node catching up on what other nodes
    /// committed reads every room a notice names at once).
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
        let mut messages = self.with_authors(models).await?;
        let order: HashMap<RoomId, usize> = ranges
            .iter()
            .enumerate()
            .map(|(i, &(room, _, _))| (room, i))
            .collect();
        messages.sort_by_key(|m| (order.get(&m.room_id).copied(), m.seq));
        Ok(messages)
    }

    /// Fails when the database does.
    pub async fn find(&self, id: MessageId) -> Result<Option<Message>> {
        let found = message::Entity::find_by_id(id.as_uuid())
            .one(&self.db)
            .await
            .or_db()?;
        match found {
            Some(model) => Ok(self.with_authors(vec![model]).await?.pop()),
            None => Ok(None),
        }
    }

    /// Fails with `NotFound` when the message is gone.
    pub async fn edit(
        &self,
        id: MessageId,
        body: MessageBody,
        at: DateTime<Utc>,
    ) -> Result<Message> {
        message::Entity::update_many()
            .col_expr(message::Column::Content, Expr::value(body.into_inner()))
            .col_expr(message::Column::EditedAt, Expr::value(at))
            .filter(message::Column::Id.eq(id.as_uuid()))
            .exec(&self.db)
            .await
            .or_db()?;
        self.find(id).await?.ok_or_else(|| gone(id))
    }

    /// Fails with `NotFound` when the message is gone.
    pub async fn delete(&self, id: MessageId, at: DateTime<Utc>) -> Result<Message> {
        // The row stays so the room's seqs stay gap-free; the words do not.
        message::Entity::update_many()
            .col_expr(message::Column::Content, Expr::value(""))
            .col_expr(message::Column::DeletedAt, Expr::value(at))
            .filter(message::Column::Id.eq(id.as_uuid()))
            .exec(&self.db)
            .await
            .or_db()?;
        self.find(id).await?.ok_or_else(|| gone(id))
    }
}

pub(crate) fn to_message(model: message::Model, author: UserSummary) -> Message {
    Message {
        id: MessageId::from_uuid(model.id),
        room_id: RoomId::from_uuid(model.room_id),
        seq: model.seq,
        author,
        content: model.content,
        temp_id: model.temp_id,
        created_at: model.created_at,
        edited_at: model.edited_at,
        deleted_at: model.deleted_at,
    }
}

fn gone(id: MessageId) -> Error {
    Error::not_found(
        ErrorCode::MessageNotFound,
        format!("Message {id} was not found."),
    )
}
