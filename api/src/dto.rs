//! The JSON shapes of DESIGN §3, separate from the domain types they are made from.

use chrono::{DateTime, Utc};
use domain::{
    message::{HistoryPage, Message},
    room::{Member, Room, RoomListing, Visibility},
    service::users::UserStatus,
    user::{User, UserSummary, UserWithStatus},
};
use poem_openapi::{Enum, Object};
use uuid::Uuid;

/// An account.
#[derive(Debug, Object)]
pub struct UserOut {
    pub id: Uuid,
    pub name: String,
    pub username: String,
    pub created_at: DateTime<Utc>,
}

impl From<User> for UserOut {
    fn from(user: User) -> Self {
        Self {
            id: user.id.as_uuid(),
            name: user.name.as_str().to_owned(),
            username: user.username.as_str().to_owned(),
            created_at: user.created_at,
        }
    }
}

/// A user as messages and member lists show them.
#[derive(Debug, Object, serde::Serialize)]
#[oai(rename = "UserRef")]
pub struct UserRef {
    pub id: Uuid,
    pub name: String,
    pub username: String,
}

impl From<UserSummary> for UserRef {
    fn from(user: UserSummary) -> Self {
        Self {
            id: user.id.as_uuid(),
            name: user.name,
            username: user.username,
        }
    }
}

/// A user in the directory, with presence.
#[derive(Debug, Object)]
pub struct UserListItem {
    pub id: Uuid,
    pub name: String,
    pub username: String,
    /// Has at least one live WebSocket.
    pub online: bool,
    /// When their last socket closed; `null` if never connected.
    pub last_seen: Option<DateTime<Utc>>,
}

impl From<UserWithStatus> for UserListItem {
    fn from(item: UserWithStatus) -> Self {
        Self {
            id: item.user.id.as_uuid(),
            name: item.user.name.as_str().to_owned(),
            username: item.user.username.as_str().to_owned(),
            online: item.online,
            last_seen: item.user.last_seen_at,
        }
    }
}

/// A page of users.
#[derive(Debug, Object)]
pub struct UserList {
    pub users: Vec<UserListItem>,
    /// Pass as `cursor` for the next page; `null` on the last one.
    pub next_cursor: Option<String>,
}

/// `online` or `offline`.
#[derive(Debug, Enum)]
#[oai(rename_all = "lowercase")]
pub enum OnlineStatus {
    Online,
    Offline,
}

/// A user's presence.
#[derive(Debug, Object)]
pub struct UserStatusOut {
    pub user_id: Uuid,
    pub status: OnlineStatus,
    pub last_seen: Option<DateTime<Utc>>,
}

impl From<UserStatus> for UserStatusOut {
    fn from(status: UserStatus) -> Self {
        Self {
            user_id: status.user_id.as_uuid(),
            status: if status.online {
                OnlineStatus::Online
            } else {
                OnlineStatus::Offline
            },
            last_seen: status.last_seen,
        }
    }
}

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

impl VisibilityIn {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Private => "private",
        }
    }
}

/// A room.
#[derive(Debug, Object)]
pub struct RoomOut {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub creator_id: Uuid,
    pub visibility: VisibilityOut,
    pub created_at: DateTime<Utc>,
}

impl From<Room> for RoomOut {
    fn from(room: Room) -> Self {
        Self {
            id: room.id.as_uuid(),
            name: room.name.as_str().to_owned(),
            description: room.description.into_inner(),
            creator_id: room.creator_id.as_uuid(),
            visibility: room.visibility.into(),
            created_at: room.created_at,
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
}

impl From<RoomListing> for RoomListItem {
    fn from(listing: RoomListing) -> Self {
        Self {
            room: listing.room.into(),
            member_count: listing.member_count,
            unread: listing.unread,
        }
    }
}

/// The rooms a caller can see.
#[derive(Debug, Object)]
pub struct RoomList {
    pub rooms: Vec<RoomListItem>,
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
        use domain::room::Role;
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

/// A message. A deleted message keeps its `seq` with empty `content`.
#[derive(Debug, Object, serde::Serialize)]
pub struct MessageOut {
    pub id: Uuid,
    pub room_id: Uuid,
    /// Position in the room: starts at 1, no gaps.
    pub seq: i64,
    pub user: UserRef,
    pub content: String,
    /// When it was stored.
    pub timestamp: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    pub deleted: bool,
}

impl From<Message> for MessageOut {
    fn from(message: Message) -> Self {
        let deleted = message.is_deleted();
        Self {
            id: message.id.as_uuid(),
            room_id: message.room_id.as_uuid(),
            seq: message.seq,
            user: message.author.into(),
            content: if deleted {
                String::new()
            } else {
                message.content
            },
            timestamp: message.created_at,
            edited_at: message.edited_at,
            deleted,
        }
    }
}

/// Offset-pagination arithmetic.
#[derive(Debug, Object)]
pub struct PaginationOut {
    pub current_page: u64,
    pub page_size: u64,
    /// `ceil(total_messages / page_size)`.
    pub total_pages: u64,
    pub total_messages: u64,
}

/// A page of history, oldest first.
#[derive(Debug, Object)]
pub struct HistoryOut {
    pub room_id: Uuid,
    pub messages: Vec<MessageOut>,
    /// Present for the offset form (`page`/`size`); `null` for the keyset form.
    pub pagination: Option<PaginationOut>,
    /// The smallest seq returned, to pass as `before` for older messages; `null` when
    /// nothing older exists.
    pub next_before: Option<i64>,
}

impl From<HistoryPage> for HistoryOut {
    fn from(page: HistoryPage) -> Self {
        Self {
            room_id: page.room_id.as_uuid(),
            messages: page.messages.into_iter().map(Into::into).collect(),
            pagination: page.pagination.map(|p| PaginationOut {
                current_page: p.current_page,
                page_size: p.page_size,
                total_pages: p.total_pages,
                total_messages: p.total_messages,
            }),
            next_before: page.next_before,
        }
    }
}
