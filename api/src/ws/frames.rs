//! Protocol frames built from domain values, and serialized once per event so every
//! recipient shares the same bytes. The frames themselves are `papo-protocol`'s.

use std::sync::Arc;

use chrono::Utc;
use domain::{
    RoomId, UserId,
    message::{Appended, Message},
    room::{Role, Room, Visibility},
    user::UserSummary,
};
pub use papo_protocol::{
    BadFrame, ClientFrame, Departure as LeftHow, ErrorCode, MemberRole, RoomEvent, ServerFrame,
    SystemEvent,
};
use papo_protocol::{
    Message as WireMessage, Reaction as WireReaction, ReplyRef as WireReplyRef, Room as WireRoom,
    UserRef, Visibility as Seen,
};

/// A message as frames carry it (the same JSON as REST's message object).
pub fn message(message: Message) -> WireMessage {
    let deleted = message.is_deleted();
    WireMessage {
        id: message.id.as_uuid(),
        room_id: message.room_id.as_uuid(),
        seq: message.seq,
        user: user(message.author),
        content: if deleted {
            String::new()
        } else {
            message.content
        },
        timestamp: message.created_at,
        edited_at: message.edited_at,
        deleted,
        reply_to: message.reply_to.map(|parent| WireReplyRef {
            id: parent.id.as_uuid(),
            seq: parent.seq,
            user: user(parent.author),
            excerpt: parent.excerpt,
        }),
        reply_count: message.reply_count,
        reactions: message
            .reactions
            .into_iter()
            .map(|r| WireReaction {
                emoji: r.emoji,
                count: r.count,
                me: r.me,
            })
            .collect(),
        mentions: message.mentions.iter().map(|u| u.as_uuid()).collect(),
        deleted_by: message.deleted_by.map(user),
    }
}

/// A user as frames show them.
pub fn user(user: UserSummary) -> UserRef {
    UserRef {
        id: user.id.as_uuid(),
        name: user.name,
        username: user.username,
    }
}

/// Serialized once, to be shared by every recipient.
pub fn to_text(frame: &ServerFrame) -> Arc<str> {
    // Serializing these types cannot fail: no maps with non-string keys, no failing
    // `Serialize` impls.
    Arc::from(serde_json::to_string(frame).unwrap_or_else(|_| "{}".to_owned()))
}

pub fn history(room_id: RoomId, messages: Vec<Message>, has_more: bool) -> ServerFrame {
    ServerFrame::History {
        room_id: room_id.as_uuid(),
        messages: messages.into_iter().map(message).collect(),
        has_more,
    }
}

pub fn ack(appended: &Appended, temp_id: Option<String>) -> ServerFrame {
    let m = appended.message();
    ServerFrame::Ack {
        temp_id,
        id: m.id.as_uuid(),
        seq: m.seq,
        timestamp: m.created_at,
        room_id: m.room_id.as_uuid(),
    }
}

pub fn system(room_id: RoomId, event: SystemEvent, who: &UserSummary) -> ServerFrame {
    let name = &who.name;
    let content = match event {
        SystemEvent::Join => format!("User {name} has joined the chat."),
        SystemEvent::Leave => format!("User {name} has left the chat."),
        SystemEvent::Joined => format!("{name} joined the room."),
        SystemEvent::Left => format!("{name} left the room."),
        SystemEvent::Removed => format!("{name} was removed from the room."),
        SystemEvent::Banned => format!("{name} was banned from the room."),
    };
    ServerFrame::System {
        room_id: room_id.as_uuid(),
        event,
        user: user(who.clone()),
        content,
        timestamp: Utc::now(),
    }
}

/// A `room` frame; `peer` is the other member of a direct room, for its member.
pub fn room(event: RoomEvent, room: &Room, peer: Option<UserSummary>) -> ServerFrame {
    ServerFrame::Room {
        event,
        reason: None,
        room: WireRoom {
            id: room.id.as_uuid(),
            name: room.name.as_str().to_owned(),
            description: room.description.as_deref().map(str::to_owned),
            creator_id: room.creator_id.as_uuid(),
            visibility: match room.visibility {
                Visibility::Public => Seen::Public,
                Visibility::Private => Seen::Private,
                Visibility::Direct => Seen::Direct,
            },
            created_at: room.created_at,
            peer: peer.map(user),
        },
    }
}

/// A `member` frame: `user`'s role in `room_id` is now `role`.
pub fn member(room_id: RoomId, who: UserSummary, role: Role) -> ServerFrame {
    ServerFrame::Member {
        room_id: room_id.as_uuid(),
        user: user(who),
        role: match role {
            Role::Owner => MemberRole::Owner,
            Role::Admin => MemberRole::Admin,
            Role::Member => MemberRole::Member,
        },
    }
}

/// A `presence` frame, or with `typing` a `typing` frame.
pub fn users(room_id: RoomId, users: Vec<UserSummary>, typing: bool) -> ServerFrame {
    let users = users.into_iter().map(user).collect();
    if typing {
        ServerFrame::Typing {
            room_id: room_id.as_uuid(),
            users,
        }
    } else {
        ServerFrame::Presence {
            room_id: room_id.as_uuid(),
            online: users,
        }
    }
}

pub fn read(room_id: RoomId, user_id: UserId, seq: i64) -> ServerFrame {
    ServerFrame::Read {
        room_id: room_id.as_uuid(),
        user_id: user_id.as_uuid(),
        seq,
    }
}

/// One frame of every kind, for tests.
#[cfg(test)]
pub fn samples() -> Vec<ServerFrame> {
    let room = RoomId::new();
    let ana = UserSummary {
        id: UserId::new(),
        name: "Ana".into(),
        username: "ana".into(),
    };
    let sample = sample_message(room, &ana);
    vec![
        history(room, vec![sample.clone()], false),
        ServerFrame::Message(message(sample.clone())),
        ack(&Appended::Created(sample.clone()), Some("t".into())),
        system(room, SystemEvent::Join, &ana),
        users(room, vec![ana.clone()], false),
        users(room, vec![ana.clone()], true),
        read(room, ana.id, 1),
        ServerFrame::Edited {
            room_id: room.as_uuid(),
            message: message(sample.clone()),
        },
        ServerFrame::Deleted {
            room_id: room.as_uuid(),
            message: message(sample.clone()),
        },
        ServerFrame::error(ErrorCode::InvalidJson, "bad", None),
        ServerFrame::Pong,
        self::room(
            RoomEvent::Created,
            &Room {
                id: room,
                name: domain::room::RoomName::from_trusted("lobby".into()),
                description: domain::room::Description::none(),
                creator_id: ana.id,
                visibility: Visibility::Public,
                last_seq: 0,
                created_at: Utc::now(),
            },
            None,
        ),
        ServerFrame::Reaction {
            room_id: room.as_uuid(),
            message_id: sample.id.as_uuid(),
            emoji: "👍".into(),
            user_id: ana.id.as_uuid(),
            added: true,
        },
        ServerFrame::Mention {
            room_id: room.as_uuid(),
            message: message(sample.clone()),
        },
        ServerFrame::Replied {
            room_id: room.as_uuid(),
            message_id: sample.id.as_uuid(),
            reply_count: 1,
        },
        member(room, ana.clone(), Role::Admin),
    ]
}

/// A message with every field of DESIGN §8 filled in: a reply that mentions,
/// carries a reaction, and names who deleted it.
#[cfg(test)]
fn sample_message(room: RoomId, ana: &UserSummary) -> Message {
    let new = domain::message::NewMessage {
        id: domain::MessageId::new(),
        room_id: room,
        author: ana.clone(),
        body: domain::message::MessageBody::parse("hi @ana").unwrap(),
        temp_id: None,
        created_at: Utc::now(),
        origin: None,
        reply_to: Some(domain::message::ReplyRef {
            id: domain::MessageId::new(),
            seq: 1,
            author: ana.clone(),
            excerpt: "hello".into(),
        }),
        mentions: vec![ana.id],
    };
    let mut message = Message::fresh(&new, 2, Some(1));
    message.reply_count = 3;
    message.edited_at = Some(Utc::now());
    message.reactions = vec![domain::message::Reaction {
        emoji: "👍".into(),
        count: 2,
        me: true,
    }];
    message.deleted_by = Some(ana.clone());
    message
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dto::MessageOut;

    #[test]
    fn frames_carry_the_same_message_object_as_rest() {
        let ana = UserSummary {
            id: UserId::new(),
            name: "Ana".into(),
            username: "ana".into(),
        };
        let domain = sample_message(RoomId::new(), &ana);
        let rest = serde_json::to_value(MessageOut::from(domain.clone())).unwrap();
        let frame = serde_json::to_value(message(domain)).unwrap();
        assert_eq!(rest, frame);
        for field in [
            "reply_to",
            "reply_count",
            "reactions",
            "mentions",
            "deleted_by",
        ] {
            assert!(!frame[field].is_null(), "{field} is filled in: {frame}");
        }
    }

    #[test]
    fn pong_serializes_with_its_type() {
        assert_eq!(&*to_text(&ServerFrame::Pong), r#"{"type":"pong"}"#);
    }
}
