//! What happened, as published on the event bus. The realtime hub turns these into
//! WebSocket frames; another node can receive them through a shared bus.

use crate::{RoomId, UserId, message::Message};

/// A change other connections may need to hear about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A message was committed (acknowledged to its sender). `origin` is the
    /// connection it came from, which does not get it back.
    MessagePosted {
        message: Message,
        origin: Option<u64>,
    },
    /// A message's content changed.
    MessageEdited(Message),
    /// A message was deleted (its content is gone).
    MessageDeleted(Message),
    /// A user became a member of a room.
    MemberJoined { room_id: RoomId, user_id: UserId },
    /// A user stopped being a member of a room.
    MemberLeft { room_id: RoomId, user_id: UserId },
    /// A room and everything in it is gone.
    RoomDeleted { room_id: RoomId },
    /// A member's read marker moved.
    ReadMoved {
        room_id: RoomId,
        user_id: UserId,
        seq: i64,
    },
    /// Sessions of a user ended (logout, a leaked refresh token, a new password): the
    /// sockets opened with their access tokens must close.
    SessionsEnded { user_id: UserId, ended: Ended },
}

/// Which of a user's sessions ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// This one (a refresh-token family).
    One(uuid::Uuid),
    /// All of them but this one, if any.
    AllBut(Option<uuid::Uuid>),
}

impl Ended {
    /// Whether `session` is among the ended ones.
    pub fn includes(self, session: uuid::Uuid) -> bool {
        match self {
            Self::One(ended) => ended == session,
            Self::AllBut(kept) => kept != Some(session),
        }
    }
}
