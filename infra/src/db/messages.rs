//! Messages in SQL: the seq-assigning append, history ranges, edits and deletes.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::{
    Error, MessageId, Result, RoomId,
    message::{Appended, Message, MessageBody, NewMessage},
    ports::MessageRepository,
    user::UserSummary,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    TransactionTrait,
    sea_query::{Expr, ExprTrait, Query},
};
use uuid::Uuid;

use super::{
    db_error,
    entity::{message, room, user},
    is_unique_violation,
    users::to_user,
};

/// [`MessageRepository`] on SQLite or PostgreSQL.
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
            .map_err(db_error)?
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

    async fn find_model(&self, id: MessageId) -> Result<Option<Message>> {
        let found = message::Entity::find_by_id(id.as_uuid())
            .one(&self.db)
            .await
            .map_err(db_error)?;
        match found {
            Some(model) => Ok(self.with_authors(vec![model]).await?.pop()),
            None => Ok(None),
        }
    }

    /// The message `author` already stored under `temp_id`, judged against a retry.
    async fn previous_post(&self, new: &NewMessage, temp_id: &str) -> Result<Option<Appended>> {
        let found = message::Entity::find()
            .filter(message::Column::UserId.eq(new.author.id.as_uuid()))
            .filter(message::Column::TempId.eq(temp_id))
            .one(&self.db)
            .await
            .map_err(db_error)?;
        let Some(model) = found else {
            return Ok(None);
        };
        if model.room_id != new.room_id.as_uuid() || model.content != new.body.as_str() {
            return Err(Error::conflict(
                "temp_id_conflict",
                format!("temp_id {temp_id} was already used for a different message."),
            ));
        }
        Ok(Some(Appended::Existing(to_message(
            model,
            new.author.clone(),
        ))))
    }
}

fn to_message(model: message::Model, author: UserSummary) -> Message {
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

/// Takes the room's next seq inside `tx`. The row update serializes concurrent
/// writers of one room (a row lock on PostgreSQL, the write lock on SQLite) until the
/// transaction ends, so seq order is commit order and no seq is skipped.
async fn next_seq<C: ConnectionTrait>(tx: &C, room_id: RoomId) -> Result<i64> {
    let bump = Query::update()
        .table(room::Entity)
        .value(
            room::Column::LastSeq,
            Expr::col(room::Column::LastSeq).add(1),
        )
        .and_where(Expr::col(room::Column::Id).eq(room_id.as_uuid()))
        .returning_col(room::Column::LastSeq)
        .to_owned();
    let row = tx
        .query_one(&bump)
        .await
        .map_err(db_error)?
        .ok_or_else(|| {
            Error::not_found("room_not_found", format!("Room {room_id} was not found."))
        })?;
    row.try_get("", "last_seq").map_err(db_error)
}

#[async_trait]
impl MessageRepository for SqlMessages {
    async fn append(&self, new: NewMessage) -> Result<Appended> {
        if let Some(temp_id) = &new.temp_id
            && let Some(previous) = self.previous_post(&new, temp_id.as_str()).await?
        {
            return Ok(previous);
        }
        let tx = self.db.begin().await.map_err(db_error)?;
        let seq = next_seq(&tx, new.room_id).await?;
        let model = message::Model {
            id: new.id.as_uuid(),
            room_id: new.room_id.as_uuid(),
            seq,
            user_id: new.author.id.as_uuid(),
            content: new.body.as_str().to_owned(),
            temp_id: new.temp_id.as_ref().map(|t| t.as_str().to_owned()),
            created_at: new.created_at,
            edited_at: None,
            deleted_at: None,
        };
        let active: message::ActiveModel = model.clone().into();
        if let Err(err) = message::Entity::insert(active)
            .exec_without_returning(&tx)
            .await
        {
            drop(tx);
            // The same temp_id raced in on another connection: that one is the original.
            if let (true, Some(temp_id)) = (is_unique_violation(&err), &new.temp_id)
                && let Some(previous) = self.previous_post(&new, temp_id.as_str()).await?
            {
                return Ok(previous);
            }
            return Err(db_error(err));
        }
        tx.commit().await.map_err(db_error)?;
        Ok(Appended::Created(to_message(model, new.author)))
    }

    async fn range(&self, room: RoomId, low: i64, high: i64) -> Result<Vec<Message>> {
        let models = message::Entity::find()
            .filter(message::Column::RoomId.eq(room.as_uuid()))
            .filter(message::Column::Seq.between(low, high))
            .order_by_asc(message::Column::Seq)
            .all(&self.db)
            .await
            .map_err(db_error)?;
        self.with_authors(models).await
    }

    async fn find(&self, id: MessageId) -> Result<Option<Message>> {
        self.find_model(id).await
    }

    async fn edit(&self, id: MessageId, body: MessageBody, at: DateTime<Utc>) -> Result<Message> {
        message::Entity::update_many()
            .col_expr(message::Column::Content, Expr::value(body.into_inner()))
            .col_expr(message::Column::EditedAt, Expr::value(at))
            .filter(message::Column::Id.eq(id.as_uuid()))
            .exec(&self.db)
            .await
            .map_err(db_error)?;
        self.find_model(id).await?.ok_or_else(|| gone(id))
    }

    async fn delete(&self, id: MessageId, at: DateTime<Utc>) -> Result<Message> {
        // The row stays so the room's seqs stay gap-free; the words do not.
        message::Entity::update_many()
            .col_expr(message::Column::Content, Expr::value(""))
            .col_expr(message::Column::DeletedAt, Expr::value(at))
            .filter(message::Column::Id.eq(id.as_uuid()))
            .exec(&self.db)
            .await
            .map_err(db_error)?;
        self.find_model(id).await?.ok_or_else(|| gone(id))
    }
}

fn gone(id: MessageId) -> Error {
    Error::not_found("message_not_found", format!("Message {id} was not found."))
}
