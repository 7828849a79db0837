//! Rooms: create, list, read, change, delete, membership, direct conversations.

use domain::{
    RoomId, UserId,
    room::RoomListQuery,
    service::{
        Services,
        rooms::{CreateRoom, UpdateRoom},
    },
};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use super::NoContent;
use crate::tags::Tag;
use crate::{
    auth::Caller,
    dto::{MemberList, RoomList, RoomOut, VisibilityIn},
    payload::ApiJson,
    problem::Problem,
};

/// A new room.
#[derive(Debug, Object)]
pub struct NewRoomBody {
    /// 1–100 characters, unique in any letter case.
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: String,
    /// At most 1000 characters.
    #[oai(nullable, validator(max_length = 1000))]
    pub description: Option<String>,
    /// `public` (default) or `private`.
    #[oai(nullable)]
    pub visibility: Option<VisibilityIn>,
}

/// Changes to a room; absent fields stay as they are.
#[derive(Debug, Object)]
pub struct RoomPatchBody {
    #[oai(nullable, validator(min_length = 1, max_length = 100))]
    pub name: Option<String>,
    /// An empty string removes the description.
    #[oai(nullable, validator(max_length = 1000))]
    pub description: Option<String>,
    #[oai(nullable)]
    pub visibility: Option<VisibilityIn>,
}

/// Someone to add to a room.
#[derive(Debug, Object)]
pub struct UserIdBody {
    pub user_id: Uuid,
}

#[derive(ApiResponse)]
pub enum CreatedRoom {
    /// The room was created; the caller owns it.
    #[oai(status = 201)]
    Created(Json<RoomOut>),
}

#[derive(ApiResponse)]
pub enum DirectRoom {
    /// The direct room already existed.
    #[oai(status = 200)]
    Existing(Json<RoomOut>),
    /// The direct room was created.
    #[oai(status = 201)]
    Created(Json<RoomOut>),
}

pub struct RoomsApi;

#[OpenApi(prefix_path = "/api/v1", tag = "Tag::Rooms")]
impl RoomsApi {
    /// Create a room
    ///
    /// 409 when the name is taken in any letter case.
    #[oai(path = "/rooms", method = "post", operation_id = "createRoom")]
    async fn create(
        &self,
        services: Data<&Services>,
        caller: Caller,
        body: ApiJson<NewRoomBody>,
    ) -> Result<CreatedRoom, Problem> {
        let b = body.0;
        let input = CreateRoom {
            name: &b.name,
            description: b.description.as_deref(),
            visibility: b.visibility.map(Into::into),
        };
        let room = services.create_room(caller.0.user_id, input).await?;
        Ok(CreatedRoom::Created(Json(room.into())))
    }

    /// List rooms
    ///
    /// Public rooms and the caller's private and direct rooms (only the caller's with
    /// `joined=true`), with member counts and the caller's unread counts, oldest first,
    /// `limit` (default 100, at most 500) at a time; pass `next_cursor` back as
    /// `cursor` for the next page.
    #[oai(path = "/rooms", method = "get", operation_id = "listRooms")]
    async fn list(
        &self,
        services: Data<&Services>,
        caller: Caller,
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))] limit: Query<Option<u64>>,
        /// The `next_cursor` of the previous page.
        cursor: Query<Option<Uuid>>,
        /// Only rooms the caller is a member of.
        joined: Query<Option<bool>>,
    ) -> Result<Json<RoomList>, Problem> {
        let query = RoomListQuery {
            after: cursor.0.map(RoomId::from_uuid),
            limit: limit.0.unwrap_or(RoomListQuery::DEFAULT_PAGE),
            joined_only: joined.0.unwrap_or(false),
        };
        let page = services.list_rooms(caller.0.user_id, query).await?;
        Ok(Json(RoomList {
            rooms: page.rooms.into_iter().map(Into::into).collect(),
            next_cursor: page.next_after.map(|room| room.as_uuid().to_string()),
        }))
    }

    /// Get a room
    ///
    /// 403 for a private or direct room the caller is not in.
    #[oai(path = "/rooms/:id", method = "get", operation_id = "getRoom")]
    async fn get(
        &self,
        services: Data<&Services>,
        caller: Caller,
        id: Path<Uuid>,
    ) -> Result<Json<RoomOut>, Problem> {
        let room = services
            .get_room(RoomId::from_uuid(id.0), caller.0.user_id)
            .await?;
        Ok(Json(room.into()))
    }

    /// Change a room (owner only)
    #[oai(path = "/rooms/:id", method = "patch", operation_id = "updateRoom")]
    async fn update(
        &self,
        services: Data<&Services>,
        caller: Caller,
        id: Path<Uuid>,
        body: ApiJson<RoomPatchBody>,
    ) -> Result<Json<RoomOut>, Problem> {
        let b = body.0;
        let input = UpdateRoom {
            name: b.name.as_deref(),
            description: b.description.as_deref(),
            visibility: b.visibility.map(Into::into),
        };
        let room = services
            .update_room(RoomId::from_uuid(id.0), caller.0.user_id, input)
            .await?;
        Ok(Json(room.into()))
    }

    /// Delete a room and its messages (owner only)
    #[oai(path = "/rooms/:id", method = "delete", operation_id = "deleteRoom")]
    async fn delete(
        &self,
        services: Data<&Services>,
        caller: Caller,
        id: Path<Uuid>,
    ) -> Result<NoContent, Problem> {
        services
            .delete_room(RoomId::from_uuid(id.0), caller.0.user_id)
            .await?;
        Ok(NoContent::NoContent)
    }

    /// Join a room
    ///
    /// Public rooms only; a private room needs an invite (403). Joining twice is fine.
    #[oai(path = "/rooms/:id/join", method = "post", operation_id = "joinRoom")]
    async fn join(
        &self,
        services: Data<&Services>,
        caller: Caller,
        id: Path<Uuid>,
    ) -> Result<NoContent, Problem> {
        services
            .join_room(RoomId::from_uuid(id.0), caller.0.user_id)
            .await?;
        Ok(NoContent::NoContent)
    }

    /// Leave a room
    ///
    /// The owner cannot leave (409: delete the room instead).
    #[oai(path = "/rooms/:id/leave", method = "post", operation_id = "leaveRoom")]
    async fn leave(
        &self,
        services: Data<&Services>,
        caller: Caller,
        id: Path<Uuid>,
    ) -> Result<NoContent, Problem> {
        services
            .leave_room(RoomId::from_uuid(id.0), caller.0.user_id)
            .await?;
        Ok(NoContent::NoContent)
    }

    /// Invite a user (owner or admin)
    ///
    /// Adds the user as a member; the way into a private room.
    #[oai(
        path = "/rooms/:id/members",
        method = "post",
        operation_id = "inviteMember"
    )]
    async fn invite(
        &self,
        services: Data<&Services>,
        caller: Caller,
        id: Path<Uuid>,
        body: ApiJson<UserIdBody>,
    ) -> Result<NoContent, Problem> {
        services
            .invite(
                RoomId::from_uuid(id.0),
                caller.0.user_id,
                UserId::from_uuid(body.0.user_id),
            )
            .await?;
        Ok(NoContent::NoContent)
    }

    /// A room's members
    #[oai(
        path = "/rooms/:id/members",
        method = "get",
        operation_id = "listMembers"
    )]
    async fn members(
        &self,
        services: Data<&Services>,
        caller: Caller,
        id: Path<Uuid>,
    ) -> Result<Json<MemberList>, Problem> {
        let members = services
            .members(RoomId::from_uuid(id.0), caller.0.user_id)
            .await?;
        Ok(Json(MemberList {
            members: members.into_iter().map(Into::into).collect(),
        }))
    }

    /// Open a direct conversation
    ///
    /// The direct room between the caller and `user_id`: 201 when created, 200 when
    /// it existed (whoever opened it).
    #[oai(path = "/dms", method = "post", operation_id = "openDirectRoom")]
    async fn direct(
        &self,
        services: Data<&Services>,
        caller: Caller,
        body: ApiJson<UserIdBody>,
    ) -> Result<DirectRoom, Problem> {
        let (room, created) = services
            .open_direct(caller.0.user_id, UserId::from_uuid(body.0.user_id))
            .await?;
        Ok(if created {
            DirectRoom::Created(Json(room.into()))
        } else {
            DirectRoom::Existing(Json(room.into()))
        })
    }
}
