//! Moderation: the owner names admins; owners and admins remove and ban members and
//! delete their messages. Nobody acts on the owner, and an admin not on another admin.

use super::{Services, user_not_found};
use crate::{
    Error, ErrorCode, Result, RoomId, UserId,
    events::{Departure, Event},
    room::{Ban, BanReason, Member, Role, Room, Visibility},
};

/// Whether someone of role `actor` may act on a member of role `target` (`None`: not
/// a member, whom any moderator may act on).
///
/// Fails with `Forbidden("not_a_moderator")`, `("cannot_moderate_owner")` or
/// `("cannot_moderate_admin")`.
pub(super) fn may_act_on(actor: Option<Role>, target: Option<Role>) -> Result<()> {
    let actor = actor.filter(|r| r.can_moderate()).ok_or_else(|| {
        Error::forbidden(
            ErrorCode::NotAModerator,
            "Only an owner or admin of the room may do this.",
        )
    })?;
    match (actor, target) {
        (_, Some(Role::Owner)) => Err(Error::forbidden(
            ErrorCode::CannotModerateOwner,
            "Nobody may act on the owner of a room.",
        )),
        (Role::Admin, Some(Role::Admin)) => Err(Error::forbidden(
            ErrorCode::CannotModerateAdmin,
            "An admin may not act on another admin; the owner may.",
        )),
        _ => Ok(()),
    }
}

impl Services {
    /// Makes a member an admin or a member again (the owner only).
    ///
    /// Fails with `NotFound` (room, or `user_not_found` for a non-member),
    /// `Forbidden("room_forbidden" | "not_room_owner" | "cannot_moderate_owner" |
    /// "direct_room")` or `Invalid("role")` for `owner`.
    pub async fn set_role(
        &self,
        room_id: RoomId,
        actor: UserId,
        target: UserId,
        role: Role,
    ) -> Result<Member> {
        let (room, membership) = self.visible_room(room_id, actor).await?;
        fixed_if_direct(&room)?;
        if membership.map(|m| m.role) != Some(Role::Owner) {
            return Err(Error::forbidden(
                ErrorCode::NotRoomOwner,
                format!("Only the owner of room {room_id} may set roles."),
            ));
        }
        if role == Role::Owner {
            return Err(Error::invalid("role", "must be \"admin\" or \"member\""));
        }
        let current = self.target_role(room_id, target).await?;
        if current == Some(Role::Owner) {
            return Err(Error::forbidden(
                ErrorCode::CannotModerateOwner,
                "The owner's role does not change.",
            ));
        }
        if current.is_none() || !self.ports.rooms.set_role(room_id, target, role).await? {
            return Err(not_a_member(target));
        }
        let member = self
            .ports
            .rooms
            .members(room_id)
            .await?
            .into_iter()
            .find(|m| m.user.id == target)
            .map(|mut member| {
                member.online = self.ports.presence.is_online(target);
                member
            })
            .ok_or_else(|| not_a_member(target))?;
        self.ports.bus.publish(Event::RoleChanged {
            room_id,
            user: member.user.clone(),
            role,
        });
        Ok(member)
    }

    /// Takes a member out of the room (owners and admins); removing oneself is leaving.
    /// Their one-room sockets close with 4403; the room hears they were removed.
    ///
    /// Fails as [`may_act_on`] does, with `NotFound` for a non-member, or
    /// `Forbidden("direct_room")`.
    pub async fn remove_member(
        &self,
        room_id: RoomId,
        actor: UserId,
        target: UserId,
    ) -> Result<()> {
        if actor == target {
            return self.leave_room(room_id, actor).await;
        }
        let (room, membership) = self.visible_room(room_id, actor).await?;
        fixed_if_direct(&room)?;
        let current = self.target_role(room_id, target).await?;
        may_act_on(membership.map(|m| m.role), current)?;
        if current.is_none() || !self.ports.rooms.remove_member(room_id, target).await? {
            return Err(not_a_member(target));
        }
        let user = self.summary(target).await?;
        self.ports.bus.publish(Event::MemberLeft {
            room,
            user,
            how: Departure::Removed,
        });
        Ok(())
    }

    /// Bans someone from the room (owners and admins): a member is taken out as by
    /// [`Self::remove_member`], and nobody banned may join, be invited, read or post
    /// until the ban is lifted. Banning again replaces the reason.
    ///
    /// Fails as [`may_act_on`] does, with `NotFound("user_not_found")`, `Invalid`
    /// (reason) or `Forbidden("direct_room")`.
    pub async fn ban(
        &self,
        room_id: RoomId,
        actor: UserId,
        target: UserId,
        reason: Option<&str>,
    ) -> Result<()> {
        let reason = BanReason::parse(reason).map_err(|e| Error::invalid("reason", e))?;
        let (room, membership) = self.visible_room(room_id, actor).await?;
        fixed_if_direct(&room)?;
        let current = self.target_role(room_id, target).await?;
        may_act_on(membership.map(|m| m.role), current)?;
        let user = self.summary(target).await?;
        let was_member = self
            .ports
            .bans
            .ban(room_id, target, actor, reason.as_deref())
            .await?;
        if was_member {
            self.ports.bus.publish(Event::MemberLeft {
                room,
                user,
                how: Departure::Banned,
            });
        }
        Ok(())
    }

    /// Lifts a ban (owners and admins); lifting none is no error.
    ///
    /// Fails with `NotFound`, `Forbidden("not_a_moderator")`.
    pub async fn unban(&self, room_id: RoomId, actor: UserId, target: UserId) -> Result<()> {
        self.moderator_of(room_id, actor).await?;
        self.ports.bans.unban(room_id, target).await?;
        Ok(())
    }

    /// The room's bans, newest first (owners and admins).
    ///
    /// Fails with `NotFound`, `Forbidden("not_a_moderator")`.
    pub async fn bans(&self, room_id: RoomId, actor: UserId) -> Result<Vec<Ban>> {
        self.moderator_of(room_id, actor).await?;
        self.ports.bans.bans(room_id).await
    }

    /// Fails unless `actor` is an owner or admin of a room they can see.
    async fn moderator_of(&self, room_id: RoomId, actor: UserId) -> Result<Room> {
        let (room, membership) = self.visible_room(room_id, actor).await?;
        may_act_on(membership.map(|m| m.role), None)?;
        Ok(room)
    }

    /// `target`'s role in the room, `None` when not a member.
    ///
    /// Fails with `NotFound("user_not_found")` when there is no such user.
    async fn target_role(&self, room_id: RoomId, target: UserId) -> Result<Option<Role>> {
        match self.ports.rooms.membership(room_id, target).await? {
            Some(membership) => Ok(Some(membership.role)),
            None if self.ports.users.find(target).await?.is_some() => Ok(None),
            None => Err(user_not_found(target)),
        }
    }
}

fn fixed_if_direct(room: &Room) -> Result<()> {
    if room.visibility == Visibility::Direct {
        return Err(Error::forbidden(
            ErrorCode::DirectRoom,
            "The membership of a direct conversation cannot change.",
        ));
    }
    Ok(())
}

fn not_a_member(user: UserId) -> Error {
    Error::not_found(
        ErrorCode::UserNotFound,
        format!("User {user} is not a member of this room."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nobody_acts_on_the_owner_and_admins_not_on_each_other() {
        let code = |actor, target| may_act_on(actor, target).unwrap_err().code();
        assert_eq!(code(Some(Role::Member), None), ErrorCode::NotAModerator);
        assert_eq!(code(None, Some(Role::Member)), ErrorCode::NotAModerator);
        assert_eq!(
            code(Some(Role::Owner), Some(Role::Owner)),
            ErrorCode::CannotModerateOwner
        );
        assert_eq!(
            code(Some(Role::Admin), Some(Role::Owner)),
            ErrorCode::CannotModerateOwner
        );
        assert_eq!(
            code(Some(Role::Admin), Some(Role::Admin)),
            ErrorCode::CannotModerateAdmin
        );
        assert!(may_act_on(Some(Role::Owner), Some(Role::Admin)).is_ok());
        assert!(may_act_on(Some(Role::Admin), Some(Role::Member)).is_ok());
        assert!(may_act_on(Some(Role::Admin), None).is_ok());
    }
}
