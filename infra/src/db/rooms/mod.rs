//! Rooms and memberships in SQL.

mod bans;
mod listing;
mod members;

use async_trait::async_trait;
use chrono::Utc;
use domain::{
    Error, ErrorCode, Result, RoomId, UserId,
    ports::RoomRepository,
    room::{
        Description, Member, Membership, NewRoom, Role, Room, RoomChanges, RoomListQuery, RoomName,
        RoomPage, Visibility,
    },
};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
    TransactionTrait,
    sea_query::{Expr, OnConflict, Query},
};

use super::{
    DbResultExt,
    entity::{membership, room},
};

/// [`RoomRepository`] on SQLite or PostgreSQL.
#[derive(Clone)]
pub struct SqlRooms {
    db: DatabaseConnection,
}

impl SqlRooms {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

fn to_room(model: room::Model) -> Result<Room> {
    Ok(Room {
        id: RoomId::from_uuid(model.id),
        name: RoomName::from_trusted(model.name),
        description: Description::parse(model.description.as_deref())
            .map_err(|e| Error::Internal(format!("stored description: {e}")))?,
        creator_id: UserId::from_uuid(model.creator_id),
        visibility: Visibility::parse(&model.visibility).map_err(Error::Internal)?,
        last_seq: model.last_seq,
        created_at: model.created_at,
    })
}

fn to_membership(model: membership::Model) -> Result<Membership> {
    Ok(Membership {
        room_id: RoomId::from_uuid(model.room_id),
        user_id: UserId::from_uuid(model.user_id),
        role: Role::parse(&model.role).map_err(Error::Internal)?,
        last_read_seq: model.last_read_seq,
        joined_at: model.joined_at,
    })
}

fn new_membership(room: RoomId, user: UserId, role: Role) -> membership::ActiveModel {
    membership::ActiveModel {
        room_id: Set(room.as_uuid()),
        user_id: Set(user.as_uuid()),
        role: Set(role.as_str().to_owned()),
        last_read_seq: Set(0),
        joined_at: Set(Utc::now()),
    }
}

fn name_taken(name: &RoomName) -> Error {
    Error::conflict(
        ErrorCode::RoomNameTaken,
        format!("A room named {} already exists.", name.as_str()),
    )
}

fn active_room(new: &NewRoom, dm_key: Option<&str>) -> room::ActiveModel {
    let direct = new.visibility == Visibility::Direct;
    room::ActiveModel {
        id: Set(new.id.as_uuid()),
        name: Set(new.name.as_str().to_owned()),
        name_key: Set((!direct).then(|| new.name.key())),
        name_skeleton: Set((!direct).then(|| new.name.lookalike_key())),
        dm_key: Set(dm_key.map(str::to_owned)),
        description: Set(new.description.as_deref().map(str::to_owned)),
        creator_id: Set(new.creator_id.as_uuid()),
        visibility: Set(new.visibility.as_str().to_owned()),
        last_seq: Set(0),
        created_at: Set(new.created_at),
    }
}

fn stored(new: NewRoom) -> Room {
    Room {
        id: new.id,
        name: new.name,
        description: new.description,
        creator_id: new.creator_id,
        visibility: new.visibility,
        last_seq: 0,
        created_at: new.created_at,
    }
}

#[async_trait]
impl RoomRepository for SqlRooms {
    async fn create(&self, new: NewRoom) -> Result<Room> {
        let tx = self.db.begin().await.or_db()?;
        room::Entity::insert(active_room(&new, None))
            .exec_without_returning(&tx)
            .await
            .on_unique(|| name_taken(&new.name))?;
        membership::Entity::insert(new_membership(new.id, new.creator_id, Role::Owner))
            .exec_without_returning(&tx)
            .await
            .or_db()?;
        tx.commit().await.or_db()?;
        Ok(stored(new))
    }

    async fn find_direct(&self, key: &str) -> Result<Option<Room>> {
        room::Entity::find()
            .filter(room::Column::DmKey.eq(key))
            .one(&self.db)
            .await
            .or_db()?
            .map(to_room)
            .transpose()
    }

    async fn find_or_create_direct(
        &self,
        key: &str,
        new: NewRoom,
        other: UserId,
    ) -> Result<(Room, bool)> {
        if let Some(room) = self.find_direct(key).await? {
            return Ok((room, false));
        }
        let tx = self.db.begin().await.or_db()?;
        let inserted = room::Entity::insert(active_room(&new, Some(key)))
            .exec_without_returning(&tx)
            .await
            .unless_unique()?;
        if inserted.is_none() {
            // Both users opened the conversation at once: the other insert won.
            drop(tx);
            let room = self
                .find_direct(key)
                .await?
                .ok_or_else(|| Error::Internal("direct room vanished after a conflict".into()))?;
            return Ok((room, false));
        }
        membership::Entity::insert_many([
            new_membership(new.id, new.creator_id, Role::Member),
            new_membership(new.id, other, Role::Member),
        ])
        .exec_without_returning(&tx)
        .await
        .or_db()?;
        tx.commit().await.or_db()?;
        Ok((stored(new), true))
    }

    async fn find(&self, id: RoomId) -> Result<Option<Room>> {
        room::Entity::find_by_id(id.as_uuid())
            .one(&self.db)
            .await
            .or_db()?
            .map(to_room)
            .transpose()
    }

    async fn list_for(&self, user: UserId, query: RoomListQuery) -> Result<RoomPage> {
        listing::list_for(&self.db, user, query).await
    }

    async fn update(&self, id: RoomId, changes: RoomChanges) -> Result<Room> {
        let mut update = room::Entity::update_many().filter(room::Column::Id.eq(id.as_uuid()));
        let mut any = false;
        if let Some(name) = &changes.name {
            update = update
                .col_expr(room::Column::Name, Expr::value(name.as_str()))
                .col_expr(room::Column::NameKey, Expr::value(name.key()))
                .col_expr(
                    room::Column::NameSkeleton,
                    Expr::value(name.lookalike_key()),
                );
            any = true;
        }
        if let Some(description) = &changes.description {
            let value = description.as_deref().map(str::to_owned);
            update = update.col_expr(room::Column::Description, Expr::value(value));
            any = true;
        }
        if let Some(visibility) = changes.visibility {
            update = update.col_expr(room::Column::Visibility, Expr::value(visibility.as_str()));
            any = true;
        }
        if any {
            // Only the name is unique among the columns an update changes.
            update
                .exec(&self.db)
                .await
                .on_unique(|| match &changes.name {
                    Some(name) => name_taken(name),
                    None => Error::Internal("a unique violation without a new name".into()),
                })?;
        }
        self.find(id).await?.ok_or_else(|| {
            Error::not_found(ErrorCode::RoomNotFound, format!("Room {id} was not found."))
        })
    }

    async fn delete(&self, id: RoomId) -> Result<()> {
        room::Entity::delete_by_id(id.as_uuid())
            .exec(&self.db)
            .await
            .or_db()?;
        Ok(())
    }

    async fn membership(&self, room: RoomId, user: UserId) -> Result<Option<Membership>> {
        membership::Entity::find_by_id((room.as_uuid(), user.as_uuid()))
            .one(&self.db)
            .await
            .or_db()?
            .map(to_membership)
            .transpose()
    }

    async fn add_member(&self, room: RoomId, user: UserId, role: Role) -> Result<bool> {
        // A newcomer's read marker starts at the room's last seq, read in the same
        // statement: as in Slack or Discord, a room's past is not unread for someone
        // who just joined (a client that wrote its own "0 unread" raced the room list).
        use membership::Column as M;
        let values = Query::select()
            .expr(Expr::val(room.as_uuid()))
            .expr(Expr::val(user.as_uuid()))
            .expr(Expr::val(role.as_str()))
            .column(room::Column::LastSeq)
            .expr(Expr::val(Utc::now()))
            .from(room::Entity)
            .and_where(room::Column::Id.eq(room.as_uuid()))
            .to_owned();
        let insert = Query::insert()
            .into_table(membership::Entity)
            .columns([M::RoomId, M::UserId, M::Role, M::LastReadSeq, M::JoinedAt])
            .select_from(values)
            .map_err(|e| Error::Internal(format!("membership insert: {e}")))?
            .on_conflict(
                OnConflict::columns([M::RoomId, M::UserId])
                    .do_nothing()
                    .to_owned(),
            )
            .to_owned();
        let result = self.db.execute(&insert).await.or_db()?;
        Ok(result.rows_affected() > 0)
    }

    async fn remove_member(&self, room: RoomId, user: UserId) -> Result<bool> {
        let result = membership::Entity::delete_many()
            .filter(membership::Column::RoomId.eq(room.as_uuid()))
            .filter(membership::Column::UserId.eq(user.as_uuid()))
            .exec(&self.db)
            .await
            .or_db()?;
        Ok(result.rows_affected > 0)
    }

    async fn member_rooms(&self, user: UserId) -> Result<Vec<RoomId>> {
        let rows = membership::Entity::find()
            .filter(membership::Column::UserId.eq(user.as_uuid()))
            .all(&self.db)
            .await
            .or_db()?;
        Ok(rows
            .into_iter()
            .map(|m| RoomId::from_uuid(m.room_id))
            .collect())
    }

    async fn heads(&self, rooms: &[RoomId]) -> Result<Vec<(RoomId, i64)>> {
        let mut heads = Vec::with_capacity(rooms.len());
        // Bounded IN lists: SQLite takes at most 32,766 parameters.
        for chunk in rooms.chunks(1000) {
            let rows: Vec<(uuid::Uuid, i64)> = room::Entity::find()
                .select_only()
                .columns([room::Column::Id, room::Column::LastSeq])
                .filter(room::Column::Id.is_in(chunk.iter().map(|r| r.as_uuid())))
                .into_tuple()
                .all(&self.db)
                .await
                .or_db()?;
            heads.extend(
                rows.into_iter()
                    .map(|(id, seq)| (RoomId::from_uuid(id), seq)),
            );
        }
        Ok(heads)
    }

    async fn members(&self, room: RoomId) -> Result<Vec<Member>> {
        members::of_room(&self.db, room).await
    }

    async fn members_named(&self, room: RoomId, keys: &[String]) -> Result<Vec<UserId>> {
        members::named(&self.db, room, keys).await
    }

    async fn set_role(&self, room: RoomId, user: UserId, role: Role) -> Result<bool> {
        let result = membership::Entity::update_many()
            .col_expr(membership::Column::Role, Expr::value(role.as_str()))
            .filter(membership::Column::RoomId.eq(room.as_uuid()))
            .filter(membership::Column::UserId.eq(user.as_uuid()))
            .exec(&self.db)
            .await
            .or_db()?;
        Ok(result.rows_affected > 0)
    }

    async fn mark_read(&self, room_id: RoomId, user: UserId, seq: i64) -> Result<Option<i64>> {
        let Some(room) = self.find(room_id).await? else {
            return Ok(None);
        };
        let seq = std::cmp::min(seq, room.last_seq);
        let result = membership::Entity::update_many()
            .col_expr(membership::Column::LastReadSeq, Expr::value(seq))
            .filter(membership::Column::RoomId.eq(room_id.as_uuid()))
            .filter(membership::Column::UserId.eq(user.as_uuid()))
            .filter(membership::Column::LastReadSeq.lt(seq))
            .exec(&self.db)
            .await
            .or_db()?;
        Ok((result.rows_affected > 0).then_some(seq))
    }
}
