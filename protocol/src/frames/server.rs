//! Frames to clients.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::variant_names;
use crate::{ErrorCode, Message, Room, UserRef};

/// A frame to clients.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    /// On connect and on request, oldest first.
    History {
        room_id: Uuid,
        messages: Vec<Message>,
        /// Older messages exist before the first one here.
        has_more: bool,
    },
    /// A new message (never echoed to the connection that posted it).
    Message(Message),
    /// To the sender, once the message is committed.
    Ack {
        temp_id: Option<String>,
        id: Uuid,
        seq: i64,
        timestamp: DateTime<Utc>,
        room_id: Uuid,
    },
    /// A user's first connection to a room opened or their last closed (`join`,
    /// `leave`), or their membership began or ended (`joined`, `left`, `removed`,
    /// `banned`).
    System {
        room_id: Uuid,
        event: SystemEvent,
        user: UserRef,
        content: String,
        timestamp: DateTime<Utc>,
    },
    Presence {
        room_id: Uuid,
        online: Vec<UserRef>,
    },
    Typing {
        room_id: Uuid,
        users: Vec<UserRef>,
    },
    /// A member's read marker moved.
    Read {
        room_id: Uuid,
        user_id: Uuid,
        seq: i64,
    },
    Edited {
        room_id: Uuid,
        message: Message,
    },
    Deleted {
        room_id: Uuid,
        message: Message,
    },
    /// A refused frame or post; the connection stays open (but see `slow_consumer`).
    Error {
        code: ErrorCode,
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        temp_id: Option<String>,
        /// With `slow_consumer`: the last seq sent per room, to resume from.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        resume: Option<BTreeMap<Uuid, i64>>,
        /// With `rate_limited`: when the next post will be accepted.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after_ms: Option<u64>,
    },
    Pong,
    /// A reaction was added to or taken from a message of the room.
    Reaction {
        room_id: Uuid,
        message_id: Uuid,
        emoji: String,
        user_id: Uuid,
        added: bool,
    },
    /// A message mentions the recipient (to their `/api/v1/ws` sockets, besides the
    /// `message` frame).
    Mention {
        room_id: Uuid,
        message: Message,
    },
    /// A message received a reply (the reply itself comes as a `message`): its reply
    /// count is now `reply_count`.
    Replied {
        room_id: Uuid,
        message_id: Uuid,
        reply_count: i64,
    },
    /// A room the recipient can see appeared, changed or went away, or the
    /// recipient's own membership of one began or ended (`/api/v1/ws` only).
    Room {
        event: RoomEvent,
        room: Room,
        /// With `left`: why (`left` elsewhere, `removed`, `banned`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<Departure>,
    },
    /// A member's role in a room changed (to everyone following the room).
    Member {
        room_id: Uuid,
        user: UserRef,
        role: MemberRole,
    },
}

/// What a `system` frame announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SystemEvent {
    /// The user's first connection to the room opened.
    Join,
    /// The user's last connection to the room closed.
    Leave,
    /// The user became a member.
    Joined,
    /// The user left the room.
    Left,
    /// An owner or admin removed the user.
    Removed,
    /// An owner or admin banned the user.
    Banned,
}

/// Why a membership ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Departure {
    Left,
    Removed,
    Banned,
}

/// A member's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberRole {
    Owner,
    Admin,
    Member,
}

/// What a `room` frame says happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoomEvent {
    /// A public room, or a private room the recipient is in, was created.
    Created,
    /// Its name, description or visibility changed.
    Updated,
    /// It was deleted.
    Deleted,
    /// The recipient became a member (joined elsewhere, invited, a direct room opened).
    Joined,
    /// The recipient's membership ended (left elsewhere, removed, banned).
    Left,
}

impl ServerFrame {
    /// Every server frame `type`, read off the enum itself.
    pub fn types() -> &'static [String] {
        static TYPES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
        TYPES.get_or_init(variant_names::<Self>)
    }

    /// The frame's `type`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::History { .. } => "history",
            Self::Message(_) => "message",
            Self::Ack { .. } => "ack",
            Self::System { .. } => "system",
            Self::Presence { .. } => "presence",
            Self::Typing { .. } => "typing",
            Self::Read { .. } => "read",
            Self::Edited { .. } => "edited",
            Self::Deleted { .. } => "deleted",
            Self::Error { .. } => "error",
            Self::Pong => "pong",
            Self::Room { .. } => "room",
            Self::Member { .. } => "member",
            Self::Reaction { .. } => "reaction",
            Self::Mention { .. } => "mention",
            Self::Replied { .. } => "replied",
        }
    }

    /// An `error` frame.
    pub fn error(code: ErrorCode, message: impl Into<String>, temp_id: Option<String>) -> Self {
        Self::Error {
            code,
            message: message.into(),
            temp_id,
            resume: None,
            retry_after_ms: None,
        }
    }

    /// The highest seq this frame shows for a room: what a client resumes from.
    pub fn last_seq(&self) -> Option<(Uuid, i64)> {
        match self {
            Self::History {
                room_id, messages, ..
            } => messages.last().map(|m| (*room_id, m.seq)),
            Self::Message(m) => Some((m.room_id, m.seq)),
            Self::Ack { room_id, seq, .. } => Some((*room_id, *seq)),
            _ => None,
        }
    }
}
