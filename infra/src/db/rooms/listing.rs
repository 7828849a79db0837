//! The room list: the rooms a user can see with member and unread counts, a page at
//! a time (keyset on the id: ids are UUIDv7, so this is creation order).

use std::collections::HashMap;

use domain::{
    Result, RoomId, UserId,
    room::{RoomListQuery, RoomListing, RoomPage, Visibility},
    user::UserSummary,
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
    sea_query::{Alias, Expr, ExprTrait, JoinType, Query},
};
use uuid::Uuid;

use super::to_room;
use crate::db::{
    DbResultExt,
    entity::{membership, mention, message, room, user as account},
    users::to_user,
};

/// A page of the rooms `user` can see, with member and unread counts and the other
/// member of each direct room: at most six queries whatever the number of rooms.
pub(super) async fn list_for(
    db: &DatabaseConnection,
    user: UserId,
    query: RoomListQuery,
) -> Result<RoomPage> {
    let mine = membership::Entity::find()
        .filter(membership::Column::UserId.eq(user.as_uuid()))
        .all(db)
        .await
        .or_db()?;
    let my_room_ids: Vec<Uuid> = mine.iter().map(|m| m.room_id).collect();
    let joined: std::collections::HashSet<Uuid> = my_room_ids.iter().copied().collect();
    let visible = if query.joined_only {
        Condition::all().add(room::Column::Id.is_in(my_room_ids))
    } else {
        Condition::any()
            .add(room::Column::Visibility.eq(Visibility::Public.as_str()))
            .add(room::Column::Id.is_in(my_room_ids))
    };
    let mut select = room::Entity::find().filter(visible);
    if let Some(after) = query.after {
        select = select.filter(room::Column::Id.gt(after.as_uuid()));
    }
    let size = query.page_size();
    // One more than the page: whether it exists says whether there is a next page.
    let mut rooms = select
        .order_by_asc(room::Column::Id)
        .limit(size + 1)
        .all(db)
        .await
        .or_db()?;
    let more = rooms.len() as u64 > size;
    rooms.truncate(usize::try_from(size).unwrap_or(usize::MAX));
    let next_after = more
        .then(|| rooms.last().map(|r| RoomId::from_uuid(r.id)))
        .flatten();
    let room_ids: Vec<Uuid> = rooms.iter().map(|r| r.id).collect();
    let room_ids_for_mentions = room_ids.clone();
    let direct: Vec<Uuid> = rooms
        .iter()
        .filter(|r| r.visibility == Visibility::Direct.as_str())
        .map(|r| r.id)
        .collect();
    let mut peers = peers(db, user, direct).await?;

    let member_counts = Query::select()
        .column(membership::Column::RoomId)
        .expr_as(
            Expr::col(membership::Column::UserId).count(),
            Alias::new("n"),
        )
        .from(membership::Entity)
        .and_where(Expr::col(membership::Column::RoomId).is_in(room_ids.clone()))
        .group_by_col(membership::Column::RoomId)
        .to_owned();
    let member_counts = counts_by_room(db, &member_counts).await?;

    // Unread: messages by others, not deleted, past the read marker, counted in one
    // grouped query over the caller's memberships.
    let (msg, mem) = (Alias::new("msg"), Alias::new("mem"));
    let unread = Query::select()
        .expr_as(
            Expr::col((msg.clone(), message::Column::RoomId)),
            Alias::new("room_id"),
        )
        .expr_as(
            Expr::col((msg.clone(), message::Column::Id)).count(),
            Alias::new("n"),
        )
        .from_as(message::Entity, msg.clone())
        .join_as(
            JoinType::InnerJoin,
            membership::Entity,
            mem.clone(),
            Expr::col((mem.clone(), membership::Column::RoomId))
                .equals((msg.clone(), message::Column::RoomId)),
        )
        .and_where(Expr::col((mem.clone(), membership::Column::UserId)).eq(user.as_uuid()))
        .and_where(Expr::col((mem.clone(), membership::Column::RoomId)).is_in(room_ids))
        .and_where(
            Expr::col((msg.clone(), message::Column::Seq))
                .gt(Expr::col((mem.clone(), membership::Column::LastReadSeq))),
        )
        .and_where(Expr::col((msg.clone(), message::Column::UserId)).ne(user.as_uuid()))
        .and_where(Expr::col((msg.clone(), message::Column::DeletedAt)).is_null())
        .group_by_col((msg, message::Column::RoomId))
        .to_owned();
    let unread = counts_by_room(db, &unread).await?;
    let mentions = mention_counts(db, user, &room_ids_for_mentions).await?;

    let rooms = rooms
        .into_iter()
        .map(|model| {
            let id = model.id;
            Ok(RoomListing {
                peer: peers.remove(&id),
                room: to_room(model)?,
                member_count: member_counts.get(&id).copied().unwrap_or(0),
                unread: unread.get(&id).copied().unwrap_or(0),
                mentions: mentions.get(&id).copied().unwrap_or(0),
                joined: joined.contains(&id),
            })
        })
        .collect::<Result<_>>()?;
    Ok(RoomPage { rooms, next_after })
}

/// Unread messages that mention `user`, per room: mentions past the read marker,
/// counted in one grouped query on the `(user_id, room_id, seq)` index (a deleted
/// message's mentions are gone with it; one's own are never stored).
async fn mention_counts(
    db: &DatabaseConnection,
    user: UserId,
    rooms: &[Uuid],
) -> Result<HashMap<Uuid, u64>> {
    let (mn, mem) = (Alias::new("mn"), Alias::new("mem"));
    let query = Query::select()
        .expr_as(
            Expr::col((mn.clone(), mention::Column::RoomId)),
            Alias::new("room_id"),
        )
        .expr_as(
            Expr::col((mn.clone(), mention::Column::MessageId)).count(),
            Alias::new("n"),
        )
        .from_as(mention::Entity, mn.clone())
        .join_as(
            JoinType::InnerJoin,
            membership::Entity,
            mem.clone(),
            Expr::col((mem.clone(), membership::Column::RoomId))
                .equals((mn.clone(), mention::Column::RoomId))
                .and(
                    Expr::col((mem.clone(), membership::Column::UserId))
                        .equals((mn.clone(), mention::Column::UserId)),
                ),
        )
        .and_where(Expr::col((mn.clone(), mention::Column::UserId)).eq(user.as_uuid()))
        .and_where(Expr::col((mn.clone(), mention::Column::RoomId)).is_in(rooms.iter().copied()))
        .and_where(
            Expr::col((mn.clone(), mention::Column::Seq))
                .gt(Expr::col((mem, membership::Column::LastReadSeq))),
        )
        .group_by_col((mn, mention::Column::RoomId))
        .to_owned();
    counts_by_room(db, &query).await
}

/// The other member of each of `user`'s direct rooms `rooms`: two queries, none when
/// there are no direct rooms.
async fn peers(
    db: &DatabaseConnection,
    user: UserId,
    rooms: Vec<Uuid>,
) -> Result<HashMap<Uuid, UserSummary>> {
    if rooms.is_empty() {
        return Ok(HashMap::new());
    }
    let others = membership::Entity::find()
        .filter(membership::Column::RoomId.is_in(rooms))
        .filter(membership::Column::UserId.ne(user.as_uuid()))
        .all(db)
        .await
        .or_db()?;
    let accounts: HashMap<Uuid, account::Model> = account::Entity::find()
        .filter(account::Column::Id.is_in(others.iter().map(|m| m.user_id)))
        .all(db)
        .await
        .or_db()?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    Ok(others
        .into_iter()
        .filter_map(|m| {
            let account = accounts.get(&m.user_id)?.clone();
            Some((m.room_id, to_user(account).summary()))
        })
        .collect())
}

/// Counts per room from a `SELECT room_id, COUNT(*) … GROUP BY room_id`.
async fn counts_by_room<C: ConnectionTrait>(
    db: &C,
    query: &sea_orm::sea_query::SelectStatement,
) -> Result<HashMap<Uuid, u64>> {
    let rows = db.query_all(query).await.or_db()?;
    let mut counts = HashMap::with_capacity(rows.len());
    for row in rows {
        let room_id: Uuid = row.try_get("", "room_id").or_db()?;
        let n: i64 = row.try_get("", "n").or_db()?;
        counts.insert(room_id, u64::try_from(n).unwrap_or(0));
    }
    Ok(counts)
}
