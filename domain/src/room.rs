//! Rooms, their members, and the value objects a room is made of.

use std::fmt;

use chrono::{DateTime, Utc};

use crate::{RoomId, UserId, text, user::UserSummary};

/// A room name: 1–100 characters after trimming, unique case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomName(String);

impl RoomName {
    /// Fails when the name holds control, invisible or direction characters, or is
    /// empty or longer than 100 characters once trimmed and NFKC-normalised.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let name = text::clean_name(raw)?;
        match name.chars().count() {
            0 => Err("must not be empty".into()),
            1..=100 => Ok(Self(name)),
            _ => Err("must be at most 100 characters long".into()),
        }
    }

    pub fn from_trusted(raw: String) -> Self {
        Self(raw)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The case-folded form.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }

    /// The form no two non-direct rooms may share: names that look alike share it.
    pub fn lookalike_key(&self) -> String {
        text::lookalike_key(&self.0)
    }
}

/// A room description: at most 1000 characters; empty means none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Description(Option<String>);

impl Description {
    /// Fails when the trimmed description is longer than 1000 characters or holds a
    /// control character other than newline and tab, or a direction override.
    pub fn parse(raw: Option<&str>) -> Result<Self, String> {
        if let Some(raw) = raw {
            text::check_plain(raw)?;
        }
        let raw = raw.map(str::trim).filter(|d| !d.is_empty());
        match raw {
            Some(d) if d.chars().count() > 1000 => {
                Err("must be at most 1000 characters long".into())
            }
            other => Ok(Self(other.map(str::to_owned))),
        }
    }

    pub fn none() -> Self {
        Self(None)
    }

    pub fn as_deref(&self) -> Option<&str> {
        self.0.as_deref()
    }

    pub fn into_inner(self) -> Option<String> {
        self.0
    }
}

/// Who can see and join a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Listed to everyone; anyone may read and join.
    Public,
    /// Seen only by members; joining needs an invite.
    Private,
    /// A conversation between two users; its membership never changes.
    Direct,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Private => "private",
            Self::Direct => "direct",
        }
    }

    /// Fails for anything but `public`, `private` and `direct`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "public" => Ok(Self::Public),
            "private" => Ok(Self::Private),
            "direct" => Ok(Self::Direct),
            _ => Err("must be \"public\" or \"private\"".into()),
        }
    }

    /// Only members may see the room at all.
    pub fn is_members_only(self) -> bool {
        !matches!(self, Self::Public)
    }
}

impl fmt::Display for Visibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A member's role in a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Member,
    Admin,
    Owner,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Admin => "admin",
            Self::Member => "member",
        }
    }

    /// Fails for anything but `owner`, `admin` and `member`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "owner" => Ok(Self::Owner),
            "admin" => Ok(Self::Admin),
            "member" => Ok(Self::Member),
            _ => Err("must be \"owner\", \"admin\" or \"member\"".into()),
        }
    }

    /// Owners and admins may invite.
    pub fn can_invite(self) -> bool {
        self >= Self::Admin
    }

    /// Owners and admins may remove, ban and delete others' messages.
    pub fn can_moderate(self) -> bool {
        self >= Self::Admin
    }
}

/// Why someone may not come back into a room: at most 500 characters of plain text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BanReason(Option<String>);

impl BanReason {
    /// Fails when the trimmed reason is longer than 500 characters or holds a control
    /// character other than newline and tab, or a direction override.
    pub fn parse(raw: Option<&str>) -> Result<Self, String> {
        if let Some(raw) = raw {
            text::check_plain(raw)?;
        }
        match raw.map(str::trim).filter(|r| !r.is_empty()) {
            Some(r) if r.chars().count() > 500 => Err("must be at most 500 characters long".into()),
            other => Ok(Self(other.map(str::to_owned))),
        }
    }

    pub fn as_deref(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

/// A ban, as the ban list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ban {
    pub user: UserSummary,
    pub reason: Option<String>,
    pub banned_by: Option<UserSummary>,
    pub created_at: DateTime<Utc>,
}

/// A room as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Room {
    pub id: RoomId,
    pub name: RoomName,
    pub description: Description,
    pub creator_id: UserId,
    pub visibility: Visibility,
    /// The seq of the newest message; seqs are gap-free, so also the message count.
    pub last_seq: i64,
    pub created_at: DateTime<Utc>,
}

/// A room as one user sees it: a direct room names the other member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomView {
    pub room: Room,
    /// The other member of a direct room; `None` for other rooms.
    pub peer: Option<UserSummary>,
}

impl RoomView {
    /// A room that is not a direct one.
    pub fn shared(room: Room) -> Self {
        Self { room, peer: None }
    }
}

/// A room in a user's room list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomListing {
    pub room: Room,
    /// The other member of a direct room.
    pub peer: Option<UserSummary>,
    pub member_count: u64,
    /// Messages by others, not deleted, after the caller's read marker (0 when the
    /// caller is not a member).
    pub unread: u64,
    /// Of those, the ones that mention the caller.
    pub mentions: u64,
    /// Whether the caller is a member.
    pub joined: bool,
}

/// Which page of a user's room list to read: rooms in id order (ids grow with time,
/// so oldest first), after `after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoomListQuery {
    /// The last room of the previous page.
    pub after: Option<RoomId>,
    /// Rooms per page, clamped to `1..=MAX_PAGE`.
    pub limit: u64,
    /// Only rooms the user is a member of (otherwise public rooms too).
    pub joined_only: bool,
}

impl RoomListQuery {
    pub const DEFAULT_PAGE: u64 = 100;
    pub const MAX_PAGE: u64 = 500;

    /// The page size actually read.
    pub fn page_size(&self) -> u64 {
        self.limit.clamp(1, Self::MAX_PAGE)
    }
}

/// One page of a room list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomPage {
    pub rooms: Vec<RoomListing>,
    /// Where the next page starts, when there is one.
    pub next_after: Option<RoomId>,
}

/// One user's membership of one room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub room_id: RoomId,
    pub user_id: UserId,
    pub role: Role,
    pub last_read_seq: i64,
    pub joined_at: DateTime<Utc>,
}

/// A member as the member list shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub user: UserSummary,
    pub role: Role,
    pub online: bool,
}

/// What a new room is stored with.
#[derive(Debug, Clone)]
pub struct NewRoom {
    pub id: RoomId,
    pub name: RoomName,
    pub description: Description,
    pub creator_id: UserId,
    pub visibility: Visibility,
    pub created_at: DateTime<Utc>,
}

/// The changes a room owner asked for; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct RoomChanges {
    pub name: Option<RoomName>,
    pub description: Option<Description>,
    pub visibility: Option<Visibility>,
}

/// The key that makes a direct room between two users unique, whichever of them
/// opened it.
pub fn direct_key(a: UserId, b: UserId) -> String {
    let (low, high) = if a <= b { (a, b) } else { (b, a) };
    format!("{low}:{high}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_names_are_trimmed_and_folded_for_uniqueness() {
        let name = RoomName::parse("  General ").unwrap();
        assert_eq!(name.as_str(), "General");
        assert_eq!(name.key(), "general");
        assert!(RoomName::parse(" ").is_err());
        assert!(RoomName::parse(&"r".repeat(101)).is_err());
    }

    #[test]
    fn an_empty_description_means_none() {
        assert_eq!(Description::parse(Some("  ")).unwrap().as_deref(), None);
        assert!(Description::parse(Some(&"d".repeat(1001))).is_err());
    }

    #[test]
    fn only_owners_and_admins_may_invite() {
        assert!(Role::Owner.can_invite());
        assert!(Role::Admin.can_invite());
        assert!(!Role::Member.can_invite());
    }

    #[test]
    fn the_direct_key_does_not_depend_on_who_opened_the_room() {
        let (a, b) = (UserId::new(), UserId::new());
        assert_eq!(direct_key(a, b), direct_key(b, a));
    }
}
