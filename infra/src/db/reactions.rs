//! Reactions in SQL: one row per user, message and emoji.

use async_trait::async_trait;
use chrono::Utc;
use domain::{
    Error, ErrorCode, MessageId, Result, UserId,
    message::{Message, Reactors},
    ports::ReactionRepository,
    reaction::Emoji,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, TryInsertResult,
};

use super::{DbResultExt, SqlMessages, entity::reaction};

#[async_trait]
impl ReactionRepository for SqlMessages {
    async fn add(
        &self,
        message: &Message,
        user: UserId,
        emoji: &Emoji,
        max_emoji: usize,
    ) -> Result<bool> {
        let id = message.id.as_uuid();
        let known = reaction::Entity::find()
            .filter(reaction::Column::MessageId.eq(id))
            .filter(reaction::Column::Emoji.eq(emoji.as_str()))
            .count(&self.db)
            .await
            .or_db()?
            > 0;
        if !known {
            let distinct: Vec<String> = reaction::Entity::find()
                .select_only()
                .column(reaction::Column::Emoji)
                .filter(reaction::Column::MessageId.eq(id))
                .distinct()
                .into_tuple()
                .all(&self.db)
                .await
                .or_db()?;
            if distinct.len() >= max_emoji {
                return Err(Error::conflict(
                    ErrorCode::TooManyReactions,
                    format!("A message takes at most {max_emoji} different reactions."),
                ));
            }
        }
        let row = reaction::ActiveModel {
            message_id: Set(id),
            emoji: Set(emoji.as_str().to_owned()),
            user_id: Set(user.as_uuid()),
            created_at: Set(Utc::now()),
        };
        let inserted = reaction::Entity::insert(row)
            .on_conflict_do_nothing()
            .exec_without_returning(&self.db)
            .await
            .or_db()?;
        Ok(matches!(inserted, TryInsertResult::Inserted(n) if n > 0))
    }

    async fn remove(&self, message: MessageId, user: UserId, emoji: &Emoji) -> Result<bool> {
        let removed = reaction::Entity::delete_many()
            .filter(reaction::Column::MessageId.eq(message.as_uuid()))
            .filter(reaction::Column::Emoji.eq(emoji.as_str()))
            .filter(reaction::Column::UserId.eq(user.as_uuid()))
            .exec(&self.db)
            .await
            .or_db()?;
        Ok(removed.rows_affected > 0)
    }

    async fn reactors(&self, message: MessageId) -> Result<Reactors> {
        let rows = reaction::Entity::find()
            .filter(reaction::Column::MessageId.eq(message.as_uuid()))
            .order_by_asc(reaction::Column::CreatedAt)
            .all(&self.db)
            .await
            .or_db()?;
        let mut reactors: Reactors = Vec::new();
        for row in rows {
            let user = UserId::from_uuid(row.user_id);
            match reactors.iter_mut().find(|(emoji, _)| *emoji == row.emoji) {
                Some((_, users)) => users.push(user),
                None => reactors.push((row.emoji, vec![user])),
            }
        }
        Ok(reactors)
    }
}
