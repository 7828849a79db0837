//! Rooms and users as notices carry them: what a receiving node needs to tell its
//! sockets, so that it reads nothing back for a membership or room change.

use chrono::{DateTime, Utc};
use domain::{
    RoomId, UserId,
    room::{Description, Room, RoomName, Visibility},
    user::UserSummary,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A room, as it was when the notice was sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomNote {
    pub id: Uuid,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub creator: Uuid,
    pub visibility: String,
    pub created_at: DateTime<Utc>,
}

impl From<&Room> for RoomNote {
    fn from(room: &Room) -> Self {
        Self {
            id: room.id.as_uuid(),
            name: room.name.as_str().to_owned(),
            description: room.description.as_deref().map(str::to_owned),
            creator: room.creator_id.as_uuid(),
            visibility: room.visibility.as_str().to_owned(),
            created_at: room.created_at,
        }
    }
}

impl RoomNote {
    /// The room; `None` when another node sent something this one cannot read.
    pub fn room(self) -> Option<Room> {
        Some(Room {
            id: RoomId::from_uuid(self.id),
            name: RoomName::from_trusted(self.name),
            description: Description::parse(self.description.as_deref()).ok()?,
            creator_id: UserId::from_uuid(self.creator),
            visibility: Visibility::parse(&self.visibility).ok()?,
            // Notices never move seqs: those travel in `Posted` ranges.
            last_seq: 0,
            created_at: self.created_at,
        })
    }
}

/// A user as rooms show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserNote {
    pub id: Uuid,
    pub name: String,
    pub username: String,
}

impl From<&UserSummary> for UserNote {
    fn from(user: &UserSummary) -> Self {
        Self {
            id: user.id.as_uuid(),
            name: user.name.clone(),
            username: user.username.clone(),
        }
    }
}

impl From<UserNote> for UserSummary {
    fn from(note: UserNote) -> Self {
        Self {
            id: UserId::from_uuid(note.id),
            name: note.name,
            username: note.username,
        }
    }
}
