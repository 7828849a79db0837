//! Rooms: creation, listing, ownership, membership and direct conversations.

use chrono::Utc;

use super::{Services, user_not_found};
use crate::{
    Error, ErrorCode, Result, RoomId, UserId,
    error::Validation,
    events::{Departure, Event},
    room::{
        Description, Member, NewRoom, Role, Room, RoomChanges, RoomListQuery, RoomName, RoomPage,
        RoomView, Visibility, direct_key,
    },
    user::UserSummary,
};

/// A room-creation request as the client sent it.
#[derive(Debug, Clone, Default)]
pub struct CreateRoom<'a> {
    pub name: &'a str,
    pub description: Option<&'a str>,
    /// Public unless given; a direct room is made by [`Services::open_direct`] only.
    pub visibility: Option<Visibility>,
}

/// A room-update request as the client sent it; `None` leaves a field unchanged.
#[derive(Debug, Clone, Default)]
pub struct UpdateRoom<'a> {
    pub name: Option<&'a str>,
    pub description: Option<&'a str>,
    pub visibility: Option<Visibility>,
}

/// A visibility a user may choose: a room cannot become a direct one.
fn user_visibility(visibility: Visibility) -> Result<Visibility, String> {
    match visibility {
        Visibility::Direct => Err("must be \"public\" or \"private\"".into()),
        v => Ok(v),
    }
}

fn owner_only(room: &Room) -> Error {
    Error::forbidden(
        ErrorCode::NotRoomOwner,
        format!("Only the owner of room {} may do this.", room.id),
    )
}

impl Services {
    /// Creates a room owned by `owner`.
    ///
    /// Fails with `Invalid` or `Conflict("room_name_taken")`.
    pub async fn create_room(&self, owner: UserId, input: CreateRoom<'_>) -> Result<Room> {
        let mut v = Validation::new();
        let name = v.check("name", RoomName::parse(input.name));
        let description = v.check("description", Description::parse(input.description));
        let visibility = match input.visibility {
            Some(chosen) => v.check("visibility", user_visibility(chosen)),
            None => Some(Visibility::Public),
        };
        v.finish()?;
        let (Some(name), Some(description), Some(visibility)) = (name, description, visibility)
        else {
            return Err(Error::Internal("validation passed without values".into()));
        };
        self.check_room_count(owner).await?;
        let room = self
            .ports
            .rooms
            .create(NewRoom {
                id: RoomId::new(),
                name,
                description,
                creator_id: owner,
                visibility,
                created_at: Utc::now(),
            })
            .await?;
        self.ports.bus.publish(Event::RoomCreated(room.clone()));
        Ok(room)
    }

    /// The rooms `user` is a member of.
    ///
    /// Fails when the database does.
    pub async fn member_rooms(&self, user: UserId) -> Result<Vec<RoomId>> {
        self.ports.rooms.member_rooms(user).await
    }

    /// A page of the public rooms plus the caller's private and direct rooms.
    pub async fn list_rooms(&self, user: UserId, query: RoomListQuery) -> Result<RoomPage> {
        self.ports.rooms.list_for(user, query).await
    }

    /// The room as `user` sees it (a direct room names the other member).
    ///
    /// Fails with `NotFound`, or `Forbidden` for a members-only room of others.
    pub async fn get_room(&self, room_id: RoomId, user: UserId) -> Result<RoomView> {
        let room = self.visible_room(room_id, user).await?.0;
        if room.visibility != Visibility::Direct {
            return Ok(RoomView::shared(room));
        }
        let peer = self
            .ports
            .rooms
            .members(room_id)
            .await?
            .into_iter()
            .map(|m| m.user)
            .find(|u| u.id != user);
        Ok(RoomView { room, peer })
    }

    /// Renames, re-describes or changes the visibility of a room (owner only).
    ///
    /// Fails with `NotFound`, `Forbidden("not_room_owner")`, `Invalid` or
    /// `Conflict("room_name_taken")`.
    pub async fn update_room(
        &self,
        room_id: RoomId,
        user: UserId,
        input: UpdateRoom<'_>,
    ) -> Result<Room> {
        let (room, membership) = self.visible_room(room_id, user).await?;
        if membership.map(|m| m.role) != Some(Role::Owner) {
            return Err(owner_only(&room));
        }
        let mut v = Validation::new();
        let changes = RoomChanges {
            name: input.name.and_then(|n| v.check("name", RoomName::parse(n))),
            description: input
                .description
                .and_then(|d| v.check("description", Description::parse(Some(d)))),
            visibility: input
                .visibility
                .and_then(|chosen| v.check("visibility", user_visibility(chosen))),
        };
        v.finish()?;
        let room = self.ports.rooms.update(room_id, changes).await?;
        self.ports.bus.publish(Event::RoomUpdated(room.clone()));
        Ok(room)
    }

    /// Deletes a room and its messages (owner only).
    ///
    /// Fails with `NotFound` or `Forbidden("not_room_owner")`.
    pub async fn delete_room(&self, room_id: RoomId, user: UserId) -> Result<()> {
        let (room, membership) = self.visible_room(room_id, user).await?;
        if membership.map(|m| m.role) != Some(Role::Owner) {
            return Err(owner_only(&room));
        }
        self.ports.rooms.delete(room_id).await?;
        self.ports.bus.publish(Event::RoomDeleted(room));
        Ok(())
    }

    /// Makes `user` a member of a public room; a no-op for a member of any room.
    ///
    /// Fails with `NotFound`, `Forbidden("room_forbidden")` for a private room the user
    /// was not invited to, or `Forbidden("direct_room")` for someone else's direct room.
    pub async fn join_room(&self, room_id: RoomId, user: UserId) -> Result<Room> {
        let (room, membership) = self.visible_room(room_id, user).await?;
        if membership.is_none() {
            self.add_member(&room, user, Role::Member).await?;
        }
        Ok(room)
    }

    /// Ends `user`'s membership.
    ///
    /// Fails with `NotFound`, `Forbidden`, `Conflict("owner_cannot_leave")` (an owner
    /// deletes the room instead) or `Forbidden("direct_room")`.
    pub async fn leave_room(&self, room_id: RoomId, user: UserId) -> Result<()> {
        let (room, membership) = self.visible_room(room_id, user).await?;
        let Some(membership) = membership else {
            return Ok(());
        };
        if room.visibility == Visibility::Direct {
            return Err(direct_room_fixed());
        }
        if membership.role == Role::Owner {
            return Err(Error::conflict(
                ErrorCode::OwnerCannotLeave,
                "The owner cannot leave their room; delete it instead.",
            ));
        }
        if self.ports.rooms.remove_member(room_id, user).await? {
            let user = self.summary(user).await?;
            self.ports.bus.publish(Event::MemberLeft {
                room,
                user,
                how: Departure::Left,
            });
        }
        Ok(())
    }

    /// Adds `invitee` to the room (owners and admins only).
    ///
    /// Fails with `NotFound` (room or user), `Forbidden("not_room_admin")` or
    /// `Forbidden("direct_room")`.
    pub async fn invite(&self, room_id: RoomId, inviter: UserId, invitee: UserId) -> Result<()> {
        let (room, membership) = self.visible_room(room_id, inviter).await?;
        if room.visibility == Visibility::Direct {
            return Err(direct_room_fixed());
        }
        if !membership.is_some_and(|m| m.role.can_invite()) {
            return Err(Error::forbidden(
                ErrorCode::NotRoomAdmin,
                format!("Only an owner or admin of room {room_id} may invite."),
            ));
        }
        if self.ports.users.find(invitee).await?.is_none() {
            return Err(user_not_found(invitee));
        }
        if self.ports.bans.is_banned(room_id, invitee).await? {
            return Err(Error::forbidden(
                ErrorCode::Banned,
                format!("User {invitee} is banned from room {room_id}; lift the ban first."),
            ));
        }
        self.add_member(&room, invitee, Role::Member).await
    }

    /// The room's members with their roles and presence.
    ///
    /// Fails with `NotFound` or `Forbidden`.
    pub async fn members(&self, room_id: RoomId, user: UserId) -> Result<Vec<Member>> {
        self.visible_room(room_id, user).await?;
        let mut members = self.ports.rooms.members(room_id).await?;
        for member in &mut members {
            member.online = self.ports.presence.is_online(member.user.id);
        }
        Ok(members)
    }

    /// The direct room between the caller and `other`, created on first use.
    /// Returns the room (naming `other` as its peer) and whether it was created.
    ///
    /// Fails with `NotFound("user_not_found")` or `Invalid` for oneself.
    pub async fn open_direct(&self, caller: UserId, other: UserId) -> Result<(RoomView, bool)> {
        if caller == other {
            return Err(Error::invalid(
                "user_id",
                "a direct conversation needs another user",
            ));
        }
        let me = self.me(caller).await?;
        if self
            .ports
            .rooms
            .find_direct(&direct_key(caller, other))
            .await?
            .is_none()
        {
            self.check_room_count(caller).await?;
            self.check_room_count(other).await?;
        }
        let them = self
            .ports
            .users
            .find(other)
            .await?
            .ok_or_else(|| user_not_found(other))?;
        let mut names = [me.username.as_str(), them.username.as_str()];
        names.sort_unstable();
        let room = NewRoom {
            id: RoomId::new(),
            name: RoomName::from_trusted(names.join(", ")),
            description: Description::none(),
            creator_id: caller,
            visibility: Visibility::Direct,
            created_at: Utc::now(),
        };
        let (room, created) = self
            .ports
            .rooms
            .find_or_create_direct(&direct_key(caller, other), room, other)
            .await?;
        let (me, them) = (me.summary(), them.summary());
        if created {
            for (user, peer) in [(me.clone(), them.clone()), (them.clone(), me)] {
                self.ports.bus.publish(Event::MemberJoined {
                    room: room.clone(),
                    user,
                    peer: Some(peer),
                });
            }
        }
        let view = RoomView {
            room,
            peer: Some(them),
        };
        Ok((view, created))
    }

    /// The user as rooms show them.
    ///
    /// Fails with `NotFound("user_not_found")`.
    pub(super) async fn summary(&self, user: UserId) -> Result<UserSummary> {
        Ok(self
            .ports
            .users
            .find(user)
            .await?
            .ok_or_else(|| user_not_found(user))?
            .summary())
    }

    /// Fails with `Conflict("too_many_rooms")` when `user` is already a member of as
    /// many rooms as [`Limits::rooms_per_user`](super::Limits) allows.
    async fn check_room_count(&self, user: UserId) -> Result<()> {
        let rooms = self.ports.rooms.member_rooms(user).await?;
        if rooms.len() >= self.limits.rooms_per_user {
            return Err(Error::conflict(
                ErrorCode::TooManyRooms,
                format!(
                    "User {user} is already in {} rooms, the most one account may be in.",
                    self.limits.rooms_per_user
                ),
            ));
        }
        Ok(())
    }

    /// Adds a member and tells the room, unless they already were one.
    ///
    /// Fails with `Conflict("too_many_rooms")` when `user` is in too many rooms.
    pub(super) async fn add_member(&self, room: &Room, user: UserId, role: Role) -> Result<()> {
        self.check_room_count(user).await?;
        if self.ports.rooms.add_member(room.id, user, role).await? {
            let user = self.summary(user).await?;
            self.ports.bus.publish(Event::MemberJoined {
                room: room.clone(),
                user,
                peer: None,
            });
        }
        Ok(())
    }
}

fn direct_room_fixed() -> Error {
    Error::forbidden(
        ErrorCode::DirectRoom,
        "The membership of a direct conversation cannot change.",
    )
}
