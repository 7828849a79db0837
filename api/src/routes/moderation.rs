//! Moderation: roles (the owner), removing and banning members (owners and admins).

use domain::{RoomId, UserId, service::Services};
use poem::web::Data;
use poem_openapi::{Object, OpenApi, param::Path, payload::Json};
use uuid::Uuid;

use super::NoContent;
use crate::{
    auth::Caller,
    dto::{BanList, MemberOut, RoleIn},
    payload::{ApiJson, MaybeJson},
    problem::Problem,
    tags::Tag,
};

/// A member's new role.
#[derive(Debug, Object)]
pub struct RoleBody {
    /// `admin` or `member` (a room has one owner, its creator).
    pub role: RoleIn,
}

/// Why someone is banned.
#[derive(Debug, Object)]
pub struct BanBody {
    /// At most 500 characters, shown to moderators in the ban list.
    #[oai(nullable, validator(max_length = 500))]
    pub reason: Option<String>,
}

pub struct ModerationApi;

#[OpenApi(prefix_path = "/api/v1", tag = "Tag::Moderation")]
impl ModerationApi {
    /// Set a member's role (owner only)
    ///
    /// 403 `not_room_owner` for anyone else, `cannot_moderate_owner` for the owner's
    /// own role; 404 `user_not_found` for someone not in the room.
    #[oai(
        path = "/rooms/:id/members/:user_id",
        method = "patch",
        operation_id = "setMemberRole"
    )]
    async fn set_role(
        &self,
        services: Data<&Services>,
        caller: Caller,
        id: Path<Uuid>,
        user_id: Path<Uuid>,
        body: ApiJson<RoleBody>,
    ) -> Result<Json<MemberOut>, Problem> {
        let member = services
            .set_role(
                RoomId::from_uuid(id.0),
                caller.0.user_id,
                UserId::from_uuid(user_id.0),
                body.0.role.into(),
            )
            .await?;
        Ok(Json(member.into()))
    }

    /// Remove a member (owners and admins)
    ///
    /// Their sockets to the room close with 4403; the room's other sockets get a
    /// `system` frame with `"event":"removed"`. They may join a public room again
    /// (ban them to keep them out). Removing oneself is leaving. 403
    /// `not_a_moderator`, `cannot_moderate_owner`, or `cannot_moderate_admin` (an
    /// admin removing another admin).
    #[oai(
        path = "/rooms/:id/members/:user_id",
        method = "delete",
        operation_id = "removeMember"
    )]
    async fn remove(
        &self,
        services: Data<&Services>,
        caller: Caller,
        id: Path<Uuid>,
        user_id: Path<Uuid>,
    ) -> Result<NoContent, Problem> {
        services
            .remove_member(
                RoomId::from_uuid(id.0),
                caller.0.user_id,
                UserId::from_uuid(user_id.0),
            )
            .await?;
        Ok(NoContent::NoContent)
    }

    /// Ban someone (owners and admins)
    ///
    /// Removes them if they are a member (their sockets close with 4403, the room
    /// gets `"event":"banned"`) and keeps them out: joining, being invited, reading
    /// and posting answer 403 `banned` until the ban is lifted. Banning again
    /// replaces the reason. Refusals as for removing.
    #[oai(
        path = "/rooms/:id/bans/:user_id",
        method = "put",
        operation_id = "banMember"
    )]
    async fn ban(
        &self,
        services: Data<&Services>,
        caller: Caller,
        id: Path<Uuid>,
        user_id: Path<Uuid>,
        body: MaybeJson<BanBody>,
    ) -> Result<NoContent, Problem> {
        let reason = body.0.and_then(|b| b.reason);
        services
            .ban(
                RoomId::from_uuid(id.0),
                caller.0.user_id,
                UserId::from_uuid(user_id.0),
                reason.as_deref(),
            )
            .await?;
        Ok(NoContent::NoContent)
    }

    /// Lift a ban (owners and admins)
    ///
    /// Lifting a ban that is not there is fine.
    #[oai(
        path = "/rooms/:id/bans/:user_id",
        method = "delete",
        operation_id = "unbanMember"
    )]
    async fn unban(
        &self,
        services: Data<&Services>,
        caller: Caller,
        id: Path<Uuid>,
        user_id: Path<Uuid>,
    ) -> Result<NoContent, Problem> {
        services
            .unban(
                RoomId::from_uuid(id.0),
                caller.0.user_id,
                UserId::from_uuid(user_id.0),
            )
            .await?;
        Ok(NoContent::NoContent)
    }

    /// A room's bans (owners and admins)
    #[oai(path = "/rooms/:id/bans", method = "get", operation_id = "listBans")]
    async fn bans(
        &self,
        services: Data<&Services>,
        caller: Caller,
        id: Path<Uuid>,
    ) -> Result<Json<BanList>, Problem> {
        let bans = services
            .bans(RoomId::from_uuid(id.0), caller.0.user_id)
            .await?;
        Ok(Json(BanList {
            bans: bans.into_iter().map(Into::into).collect(),
        }))
    }
}
