//! What happened, as published on the event bus. The realtime hub turns these into
//! WebSocket frames; another node can receive them through a shared bus.

use crate::{
    MessageId, RoomId, UserId,
    message::{Message, Reactors},
    room::{Role, Room},
    user::UserSummary,
};

/// A change other connections may need to hear about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A message was committed (acknowledged to its sender). `origin` is the
    /// connection it came from, which does not get it back.
    MessagePosted {
        message: Message,
        origin: Option<u64>,
    },
    /// A message's content changed. `reactors` lets every recipient see their own
    /// `me` in its reactions.
    MessageEdited {
        message: Message,
        reactors: Reactors,
    },
    /// A message was deleted (its content is gone).
    MessageDeleted(Message),
    /// A user became a member of a room. `peer` is the other member of a direct room.
    MemberJoined {
        room: Room,
        user: UserSummary,
        peer: Option<UserSummary>,
    },
    /// A user stopped being a member of a room, and why.
    MemberLeft {
        room: Room,
        user: UserSummary,
        how: Departure,
    },
    /// A member's role changed.
    RoleChanged {
        room_id: RoomId,
        user: UserSummary,
        role: Role,
    },
    /// A room was created.
    RoomCreated(Room),
    /// A room's name, description or visibility changed.
    RoomUpdated(Room),
    /// A room and everything in it is gone (the room as it was).
    RoomDeleted(Room),
    /// A reaction was added to (or taken from) a message.
    Reacted {
        room_id: RoomId,
        message_id: MessageId,
        emoji: String,
        user_id: UserId,
        added: bool,
    },
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

/// How a membership ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Departure {
    /// The member left.
    Left,
    /// An owner or admin removed them.
    Removed,
    /// An owner or admin banned them.
    Banned,
}

impl Departure {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Left => "left",
            Self::Removed => "removed",
            Self::Banned => "banned",
        }
    }

    /// Fails for anything but `left`, `removed` and `banned`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "left" => Ok(Self::Left),
            "removed" => Ok(Self::Removed),
            "banned" => Ok(Self::Banned),
            other => Err(format!("not a departure: {other}")),
        }
    }
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

/// What this node's sockets do in rooms, for the other nodes of a cluster: a room's
/// presence and typing lists are the union of every node's. Told through
/// [`Peers`](crate::ports::Peers); nothing here touches the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeerNews {
    /// `user`'s first socket here now follows each of `rooms`.
    Entered {
        user: UserSummary,
        rooms: Vec<RoomId>,
    },
    /// `user`'s last socket here stopped following each of `rooms`.
    Left { user: UserId, rooms: Vec<RoomId> },
    /// `user` started or stopped typing in `room` (repeated while they keep typing,
    /// so an indicator lapses on every node when its node stops saying it).
    Typing {
        room: RoomId,
        user: UserId,
        typing: bool,
    },
    /// Every user followed here and their rooms, answering a node that asked; `reset`
    /// (the first part) replaces what this node said before.
    Roster {
        reset: bool,
        entries: Vec<(UserSummary, Vec<RoomId>)>,
    },
}
