//! What one node tells the others, as the JSON payload of a PostgreSQL `NOTIFY`
//! (at most 8,000 bytes). Messages are named by room and seq range, never carried:
//! the database stays the one source of truth, and a node reads what it has not seen.

use domain::{
    MessageId, RoomId, UserId,
    events::{Departure, Ended, Event, PeerNews},
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

mod notes;
mod packet;
mod peer;

pub use self::{
    notes::{RoomNote, UserNote},
    packet::{MAX_PAYLOAD, pack, unpack},
    peer::bodies_of,
};

/// Room ranges per notice: about 90 bytes each keeps a notice far below 8,000 bytes.
const RANGES_PER_NOTICE: usize = 60;

/// One notice: who sent it and what happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// The sending node, which ignores its own notices.
    pub node: Uuid,
    #[serde(flatten)]
    pub body: Body,
}

/// What a notice says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Body {
    /// Messages committed: `(room, first seq, last seq)` per room.
    Posted {
        ranges: Vec<(Uuid, i64, i64)>,
    },
    /// A message was edited or deleted: read it again.
    Changed {
        message: Uuid,
    },
    /// A reaction was added to a message (`added`), or taken back.
    Reacted {
        room: Uuid,
        message: Uuid,
        emoji: String,
        user: Uuid,
        added: bool,
    },
    /// `user` became a member of `room` (`peer`: the other member of a direct room).
    Joined {
        room: RoomNote,
        user: UserNote,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        peer: Option<UserNote>,
    },
    /// `user` stopped being a member; `how` is `left`, `removed` or `banned`.
    Left {
        room: RoomNote,
        user: UserNote,
        how: String,
    },
    /// `user`'s role in `room` is now `role` (`owner`, `admin`, `member`).
    Role {
        room: Uuid,
        user: UserNote,
        role: String,
    },
    RoomCreated {
        room: RoomNote,
    },
    RoomUpdated {
        room: RoomNote,
    },
    RoomDeleted {
        room: RoomNote,
    },
    Read {
        room: Uuid,
        user: Uuid,
        seq: i64,
    },
    /// `one` session ended, or all of the user's but `keep`.
    SessionsEnded {
        user: Uuid,
        one: Option<Uuid>,
        keep: Option<Uuid>,
    },
    /// A user's first socket on the sending node opened.
    Online {
        user: Uuid,
    },
    /// A user's last socket on the sending node closed.
    Offline {
        user: Uuid,
    },
    /// `user`'s first socket on the sending node follows `rooms`.
    Here {
        user: UserNote,
        rooms: Vec<Uuid>,
    },
    /// `user`'s last socket on the sending node stopped following `rooms`.
    Away {
        user: Uuid,
        rooms: Vec<Uuid>,
    },
    /// `user` started (or stopped) typing in `room` on the sending node; repeated while
    /// they type.
    Typing {
        room: Uuid,
        user: Uuid,
        on: bool,
    },
    /// The users the sending node's sockets follow rooms for, with those rooms
    /// (`reset`: the first part, replacing what it said before).
    Rooms {
        reset: bool,
        users: Vec<(UserNote, Vec<Uuid>)>,
    },
    /// The sending node's online users (`reset`: this is the first part of the list).
    Roster {
        reset: bool,
        users: Vec<Uuid>,
    },
    /// The sending node asks every node for its roster (it started, or missed notices).
    Hello,
    /// The sending node is alive.
    Heartbeat,
    /// The sending node is stopping.
    Gone,
}

impl Body {
    /// Whether this is about who is online (kept by the bus, not the realtime layer).
    pub fn is_presence(&self) -> bool {
        matches!(
            self,
            Self::Online { .. } | Self::Offline { .. } | Self::Roster { .. } | Self::Heartbeat
        )
    }
}

/// What a notice from another node asks this node to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Remote {
    /// Another node committed seqs `from..=upto` of `room`.
    Posted { room: RoomId, from: i64, upto: i64 },
    /// A message changed on another node; its current state is read.
    Changed { message: MessageId },
    /// Anything else, as if published here (boxed: events carry rooms and messages,
    /// and most remotes are small).
    Event(Box<Event>),
    /// Notices may have been missed (the listening connection was lost): every
    /// followed room is checked against the database.
    Resync,
    /// What `node`'s sockets do in rooms (presence and typing across nodes).
    Peer { node: Uuid, news: PeerNews },
    /// A node asks who follows which room here.
    Hello,
    /// `node` stopped, or has not been heard from for too long: forget what it said.
    NodeGone(Uuid),
}

/// The notices for what one transaction committed (one, unless many rooms).
pub fn of_batch(node: Uuid, events: &[Event]) -> Vec<Notice> {
    let mut ranges: Vec<(Uuid, i64, i64)> = Vec::new();
    let mut notices = Vec::new();
    for event in events {
        match event {
            Event::MessagePosted { message, .. } => {
                let (room, seq) = (message.room_id.as_uuid(), message.seq);
                match ranges.iter_mut().find(|(r, _, _)| *r == room) {
                    Some((_, low, high)) => {
                        *low = (*low).min(seq);
                        *high = (*high).max(seq);
                    }
                    None => ranges.push((room, seq, seq)),
                }
            }
            other => notices.extend(of_event(node, other)),
        }
    }
    for chunk in ranges.chunks(RANGES_PER_NOTICE) {
        notices.push(Notice {
            node,
            body: Body::Posted {
                ranges: chunk.to_vec(),
            },
        });
    }
    notices
}

/// The notice for one event.
pub fn of_event(node: Uuid, event: &Event) -> Option<Notice> {
    let body = match event {
        Event::MessagePosted { .. } => return of_batch(node, std::slice::from_ref(event)).pop(),
        Event::MessageEdited { message, .. } | Event::MessageDeleted(message) => Body::Changed {
            message: message.id.as_uuid(),
        },
        Event::MemberJoined { room, user, peer } => Body::Joined {
            room: room.into(),
            user: user.into(),
            peer: peer.as_ref().map(Into::into),
        },
        Event::MemberLeft { room, user, how } => Body::Left {
            room: room.into(),
            user: user.into(),
            how: how.as_str().to_owned(),
        },
        Event::Reacted {
            room_id,
            message_id,
            emoji,
            user_id,
            added,
        } => Body::Reacted {
            room: room_id.as_uuid(),
            message: message_id.as_uuid(),
            emoji: emoji.clone(),
            user: user_id.as_uuid(),
            added: *added,
        },
        Event::RoleChanged {
            room_id,
            user,
            role,
        } => Body::Role {
            room: room_id.as_uuid(),
            user: user.into(),
            role: role.as_str().to_owned(),
        },
        Event::RoomCreated(room) => Body::RoomCreated { room: room.into() },
        Event::RoomUpdated(room) => Body::RoomUpdated { room: room.into() },
        Event::RoomDeleted(room) => Body::RoomDeleted { room: room.into() },
        Event::ReadMoved {
            room_id,
            user_id,
            seq,
        } => Body::Read {
            room: room_id.as_uuid(),
            user: user_id.as_uuid(),
            seq: *seq,
        },
        Event::SessionsEnded { user_id, ended } => {
            let (one, keep) = match ended {
                Ended::One(session) => (Some(*session), None),
                Ended::AllBut(keep) => (None, *keep),
            };
            Body::SessionsEnded {
                user: user_id.as_uuid(),
                one,
                keep,
            }
        }
    };
    Some(Notice { node, body })
}

/// What a notice from `node` asks of this node (presence of users is the bus's own
/// business, see [`Body::is_presence`]).
pub fn remotes(node: Uuid, body: Body) -> Vec<Remote> {
    if let Some(news) = peer::news_of(&body) {
        return vec![Remote::Peer { node, news }];
    }
    let event = match body {
        Body::Posted { ranges } => {
            return ranges
                .into_iter()
                .map(|(room, from, upto)| Remote::Posted {
                    room: RoomId::from_uuid(room),
                    from,
                    upto,
                })
                .collect();
        }
        Body::Changed { message } => {
            return vec![Remote::Changed {
                message: MessageId::from_uuid(message),
            }];
        }
        Body::Joined { room, user, peer } => match room.room() {
            Some(room) => Event::MemberJoined {
                room,
                user: user.into(),
                peer: peer.map(Into::into),
            },
            None => return unreadable(),
        },
        Body::Left { room, user, how } => match (room.room(), Departure::parse(&how)) {
            (Some(room), Ok(how)) => Event::MemberLeft {
                room,
                user: user.into(),
                how,
            },
            _ => return unreadable(),
        },
        Body::Reacted {
            room,
            message,
            emoji,
            user,
            added,
        } => Event::Reacted {
            room_id: RoomId::from_uuid(room),
            message_id: MessageId::from_uuid(message),
            emoji,
            user_id: UserId::from_uuid(user),
            added,
        },
        Body::Role { room, user, role } => match domain::room::Role::parse(&role) {
            Ok(role) => Event::RoleChanged {
                room_id: RoomId::from_uuid(room),
                user: user.into(),
                role,
            },
            Err(_) => return unreadable(),
        },
        Body::RoomCreated { room } => match room.room() {
            Some(room) => Event::RoomCreated(room),
            None => return unreadable(),
        },
        Body::RoomUpdated { room } => match room.room() {
            Some(room) => Event::RoomUpdated(room),
            None => return unreadable(),
        },
        Body::RoomDeleted { room } => match room.room() {
            Some(room) => Event::RoomDeleted(room),
            None => return unreadable(),
        },
        Body::Read { room, user, seq } => Event::ReadMoved {
            room_id: RoomId::from_uuid(room),
            user_id: UserId::from_uuid(user),
            seq,
        },
        Body::SessionsEnded { user, one, keep } => Event::SessionsEnded {
            user_id: UserId::from_uuid(user),
            ended: one.map_or(Ended::AllBut(keep), Ended::One),
        },
        Body::Hello => return vec![Remote::Hello],
        Body::Gone => return vec![Remote::NodeGone(node)],
        Body::Online { .. }
        | Body::Offline { .. }
        | Body::Roster { .. }
        | Body::Heartbeat
        | Body::Here { .. }
        | Body::Away { .. }
        | Body::Typing { .. }
        | Body::Rooms { .. } => return Vec::new(),
    };
    vec![Remote::Event(Box::new(event))]
}

/// A notice naming a room or departure this node does not know (a newer node's):
/// nothing to do, said once in the log.
fn unreadable() -> Vec<Remote> {
    tracing::warn!("a notice this node cannot read; ignored");
    Vec::new()
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use domain::{
        message::{Message, MessageBody, NewMessage},
        user::UserSummary,
    };

    use super::*;

    fn posted(room: RoomId, seq: i64) -> Event {
        let new = NewMessage {
            id: MessageId::new(),
            room_id: room,
            author: UserSummary {
                id: UserId::new(),
                username: "ana".into(),
                name: "Ana".into(),
            },
            body: MessageBody::parse("hi").unwrap(),
            temp_id: None,
            created_at: Utc::now(),
            origin: None,
            reply_to: None,
            mentions: Vec::new(),
        };
        Event::MessagePosted {
            message: Message::fresh(&new, seq, None),
            origin: None,
        }
    }

    #[test]
    fn a_batch_is_one_notice_of_ranges_under_the_payload_limit() {
        let node = Uuid::new_v4();
        let rooms: Vec<RoomId> = (0..200).map(|_| RoomId::new()).collect();
        let events: Vec<Event> = rooms
            .iter()
            .flat_map(|&room| [posted(room, 7), posted(room, 8)])
            .collect();
        let notices = of_batch(node, &events);
        assert_eq!(notices.len(), 200usize.div_ceil(RANGES_PER_NOTICE));
        for notice in &notices {
            let text = serde_json::to_string(notice).unwrap();
            assert!(text.len() < 8000, "{} bytes", text.len());
            let back: Notice = serde_json::from_str(&text).unwrap();
            assert_eq!(&back, notice);
        }
        let remotes: Vec<Remote> = notices
            .into_iter()
            .flat_map(|n| remotes(n.node, n.body))
            .collect();
        assert_eq!(remotes.len(), 200);
        assert_eq!(
            remotes[0],
            Remote::Posted {
                room: rooms[0],
                from: 7,
                upto: 8
            }
        );
    }

    #[test]
    fn membership_and_room_changes_survive_the_trip() {
        let room = domain::room::Room {
            id: RoomId::new(),
            name: domain::room::RoomName::from_trusted("lobby".into()),
            description: domain::room::Description::parse(Some("talk")).unwrap(),
            creator_id: UserId::new(),
            visibility: domain::room::Visibility::Private,
            last_seq: 0,
            created_at: Utc::now(),
        };
        let ana = UserSummary {
            id: UserId::new(),
            username: "ana".into(),
            name: "Ana".into(),
        };
        for event in [
            Event::MemberJoined {
                room: room.clone(),
                user: ana.clone(),
                peer: Some(ana.clone()),
            },
            Event::MemberLeft {
                room: room.clone(),
                user: ana.clone(),
                how: Departure::Banned,
            },
            Event::RoleChanged {
                room_id: room.id,
                user: ana.clone(),
                role: domain::room::Role::Admin,
            },
            Event::RoomCreated(room.clone()),
            Event::RoomUpdated(room.clone()),
            Event::RoomDeleted(room.clone()),
        ] {
            let notice = of_event(Uuid::new_v4(), &event).unwrap();
            let text = serde_json::to_string(&notice).unwrap();
            let back: Notice = serde_json::from_str(&text).unwrap();
            assert_eq!(
                remotes(back.node, back.body),
                vec![Remote::Event(Box::new(event))],
                "{text}"
            );
        }
    }

    #[test]
    fn sessions_ended_survive_the_trip() {
        let user = UserId::new();
        for ended in [
            Ended::One(Uuid::new_v4()),
            Ended::AllBut(None),
            Ended::AllBut(Some(Uuid::new_v4())),
        ] {
            let event = Event::SessionsEnded {
                user_id: user,
                ended,
            };
            let notice = of_event(Uuid::new_v4(), &event).unwrap();
            assert_eq!(
                remotes(notice.node, notice.body),
                vec![Remote::Event(Box::new(event))]
            );
        }
    }
}
