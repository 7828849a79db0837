//! A room's member list.

use std::collections::HashMap;

use domain::{
    Error, Result, RoomId, UserId,
    room::{Member, Role},
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::db::{
    DbResultExt,
    entity::{membership, user},
    users::to_user,
};

/// A room's members with their accounts, oldest membership first: two queries.
pub(super) async fn of_room(db: &DatabaseConnection, room: RoomId) -> Result<Vec<Member>> {
    let memberships = membership::Entity::find()
        .filter(membership::Column::RoomId.eq(room.as_uuid()))
        .order_by_asc(membership::Column::JoinedAt)
        .all(db)
        .await
        .or_db()?;
    let ids: Vec<Uuid> = memberships.iter().map(|m| m.user_id).collect();
    let users: HashMap<Uuid, user::Model> = user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(db)
        .await
        .or_db()?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let mut members = Vec::with_capacity(memberships.len());
    for m in memberships {
        let Some(user) = users.get(&m.user_id) else {
            continue;
        };
        members.push(Member {
            user: to_user(user.clone()).summary(),
            role: Role::parse(&m.role).map_err(Error::Internal)?,
            online: false,
        });
    }
    Ok(members)
}

/// The members of `room` whose username key is one of `keys`: one query, the
/// candidate names bounded by the caller (a message mentions at most 50).
pub(super) async fn named(
    db: &DatabaseConnection,
    room: RoomId,
    keys: &[String],
) -> Result<Vec<UserId>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let candidates: Vec<Uuid> = user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(user::Column::UsernameKey.is_in(keys.iter().cloned()))
        .into_tuple()
        .all(db)
        .await
        .or_db()?;
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let members: Vec<Uuid> = membership::Entity::find()
        .select_only()
        .column(membership::Column::UserId)
        .filter(membership::Column::RoomId.eq(room.as_uuid()))
        .filter(membership::Column::UserId.is_in(candidates))
        .into_tuple()
        .all(db)
        .await
        .or_db()?;
    Ok(members.into_iter().map(UserId::from_uuid).collect())
}
