//! Bans in SQL: a ban and the end of the membership it causes go in one transaction.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::Utc;
use domain::{Result, RoomId, UserId, ports::BanRepository, room::Ban, user::UserSummary};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    TransactionTrait, sea_query::OnConflict,
};
use uuid::Uuid;

use super::SqlRooms;
use crate::db::{
    DbResultExt,
    entity::{ban, membership, user},
    users::to_user,
};

#[async_trait]
impl BanRepository for SqlRooms {
    async fn ban(
        &self,
        room: RoomId,
        user: UserId,
        by: UserId,
        reason: Option<&str>,
    ) -> Result<bool> {
        let tx = self.db.begin().await.or_db()?;
        let row = ban::ActiveModel {
            room_id: Set(room.as_uuid()),
            user_id: Set(user.as_uuid()),
            reason: Set(reason.map(str::to_owned)),
            banned_by: Set(Some(by.as_uuid())),
            created_at: Set(Utc::now()),
        };
        ban::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([ban::Column::RoomId, ban::Column::UserId])
                    .update_columns([ban::Column::Reason, ban::Column::BannedBy])
                    .to_owned(),
            )
            .exec_without_returning(&tx)
            .await
            .or_db()?;
        let removed = membership::Entity::delete_many()
            .filter(membership::Column::RoomId.eq(room.as_uuid()))
            .filter(membership::Column::UserId.eq(user.as_uuid()))
            .exec(&tx)
            .await
            .or_db()?;
        tx.commit().await.or_db()?;
        Ok(removed.rows_affected > 0)
    }

    async fn unban(&self, room: RoomId, user: UserId) -> Result<bool> {
        let removed = ban::Entity::delete_many()
            .filter(ban::Column::RoomId.eq(room.as_uuid()))
            .filter(ban::Column::UserId.eq(user.as_uuid()))
            .exec(&self.db)
            .await
            .or_db()?;
        Ok(removed.rows_affected > 0)
    }

    async fn is_banned(&self, room: RoomId, user: UserId) -> Result<bool> {
        let n = ban::Entity::find()
            .filter(ban::Column::RoomId.eq(room.as_uuid()))
            .filter(ban::Column::UserId.eq(user.as_uuid()))
            .count(&self.db)
            .await
            .or_db()?;
        Ok(n > 0)
    }

    async fn bans(&self, room: RoomId) -> Result<Vec<Ban>> {
        let rows = ban::Entity::find()
            .filter(ban::Column::RoomId.eq(room.as_uuid()))
            .order_by_desc(ban::Column::CreatedAt)
            .all(&self.db)
            .await
            .or_db()?;
        let ids: Vec<Uuid> = rows
            .iter()
            .flat_map(|b| [Some(b.user_id), b.banned_by])
            .flatten()
            .collect();
        let users: HashMap<Uuid, UserSummary> = user::Entity::find()
            .filter(user::Column::Id.is_in(ids))
            .all(&self.db)
            .await
            .or_db()?
            .into_iter()
            .map(|u| (u.id, to_user(u).summary()))
            .collect();
        Ok(rows
            .into_iter()
            .filter_map(|b| {
                Some(Ban {
                    user: users.get(&b.user_id)?.clone(),
                    reason: b.reason,
                    banned_by: b.banned_by.and_then(|id| users.get(&id).cloned()),
                    created_at: b.created_at,
                })
            })
            .collect())
    }
}
