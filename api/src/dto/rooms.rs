//! Rooms, room lists and members.

use super::users::UserRef;
use chrono::{DateTime, Utc};
use domain::room::{Ban, Member, Role, Room, RoomListing, RoomView, Visibility};
use poem_openapi::{Enum, Object};
use uuid::Uuid;

/// Who can see a room: `direct` rooms are made by `POST /api/v1/dms` only.
#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "lowercase")]
pub enum VisibilityOut {
    Public,
    Private,
    Direct,
}

impl From<Visibility> for VisibilityOut {
    fn from(v: Visibility) -> Self {
        match v {
            Visibility::Public => Self::Public,
            Visibility::Private => Self::Private,
            Visibility::Direct => Self::Direct,
        }
    }
}

/// The visibilities a client may choose.
#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "lowercase")]
pub enum VisibilityIn {
    Public,
    Private,
}

impl From<VisibilityIn> for Visibility {
    fn from(v: VisibilityIn) -> Self {
        match v {
            VisibilityIn::Public => Self::Public,
            VisibilityIn::Private => Self::Private,
        }
    }
}

/// A room.
#[derive(Debug, Object)]
pub struct RoomOut {
    pub id: Uuid,
    pub name: String,
    #[oai(nullable)]
    pub description: Option<String>,
    pub creator_id: Uuid,
    pub visibility: VisibilityOut,
    pub created_at: DateTime<Utc>,
    /// The other member of a direct room (title it with their name); `null` on other
    /// rooms.
    #[oai(nullable)]
    pub peer: Option<UserRef>,
}

impl From<Room> for RoomOut {
    fn from(room: Room) -> Self {
        RoomView::shared(room).into()
    }
}

impl From<RoomView> for RoomOut {
    fn from(RoomView { room, peer }: RoomView) -> Self {
        Self {
            id: room.id.as_uuid(),
            name: room.name.as_str().to_owned(),
            description: room.description.into_inner(),
            creator_id: room.creator_id.as_uuid(),
            visibility: room.visibility.into(),
            created_at: room.created_at,
            peer: peer.map(Into::into),
        }
    }
}

/// A room in the caller's room list.
#[derive(Debug, Object)]
pub struct RoomListItem {
    #[oai(flatten)]
    pub room: RoomOut,
    pub member_count: u64,
    /// Messages by others after the caller's read marker (0 when not a member).
    pub unread: u64,
    /// Of those, the ones that mention the caller.
    pub mentions: u64,
    /// Whether the caller is a member (public rooms are listed to everyone).
    pub joined: bool,
}

impl From<RoomListing> for RoomListItem {
    fn from(listing: RoomListing) -> Self {
        let view = RoomView {
            room: listing.room,
            peer: listing.peer,
        };
        Self {
            room: view.into(),
            member_count: listing.member_count,
            unread: listing.unread,
            mentions: listing.mentions,
            joined: listing.joined,
        }
    }
}

/// A page of the rooms a caller can see.
#[derive(Debug, Object)]
pub struct RoomList {
    pub rooms: Vec<RoomListItem>,
    /// Pass as `cursor` for the next page; `null` on the last one.
    #[oai(nullable)]
    pub next_cursor: Option<String>,
}

/// A member's role.
#[derive(Debug, Enum)]
#[oai(rename_all = "lowercase")]
pub enum RoleOut {
    Owner,
    Admin,
    Member,
}

/// A member of a room.
#[derive(Debug, Object)]
pub struct MemberOut {
    pub user: UserRef,
    pub role: RoleOut,
    pub online: bool,
}

impl From<Member> for MemberOut {
    fn from(member: Member) -> Self {
        Self {
            user: member.user.into(),
            role: match member.role {
                Role::Owner => RoleOut::Owner,
                Role::Admin => RoleOut::Admin,
                Role::Member => RoleOut::Member,
            },
            online: member.online,
        }
    }
}

/// A room's members.
#[derive(Debug, Object)]
pub struct MemberList {
    pub members: Vec<MemberOut>,
}

/// The roles the owner gives.
#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "lowercase")]
pub enum RoleIn {
    Admin,
    Member,
}

impl From<RoleIn> for Role {
    fn from(role: RoleIn) -> Self {
        match role {
            RoleIn::Admin => Self::Admin,
            RoleIn::Member => Self::Member,
        }
    }
}

/// A ban.
#[derive(Debug, Object)]
pub struct BanOut {
    pub user: UserRef,
    #[oai(nullable)]
    pub reason: Option<String>,
    /// Who banned them; `null` if that account is gone.
    #[oai(nullable)]
    pub banned_by: Option<UserRef>,
    pub created_at: DateTime<Utc>,
}

impl From<Ban> for BanOut {
    fn from(ban: Ban) -> Self {
        Self {
            user: ban.user.into(),
            reason: ban.reason,
            banned_by: ban.banned_by.map(Into::into),
            created_at: ban.created_at,
        }
    }
}

/// A room's bans, newest first.
#[derive(Debug, Object)]
pub struct BanList {
    pub bans: Vec<BanOut>,
}
