//! The JSON frames of DESIGN §4. Server frames are serialized once per event and the
//! bytes shared by every recipient.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use domain::{
    RoomId, UserId,
    message::{Appended, Message},
    user::UserSummary,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::dto::{MessageOut, UserRef};

/// Every client frame type, for the protocol document's completeness test.
pub const CLIENT_FRAME_TYPES: [&str; 8] = [
    "message", "typing", "read", "who", "history", "join", "leave", "ping",
];

/// Every server frame type, likewise.
pub const SERVER_FRAME_TYPES: [&str; 11] = [
    "history", "message", "ack", "system", "presence", "typing", "read", "edited", "deleted",
    "error", "pong",
];

/// A frame from a client.
#[derive(Debug, Deserialize, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientFrame {
    Message {
        content: String,
        temp_id: Option<String>,
        room_id: Option<Uuid>,
    },
    Typing {
        is_typing: bool,
        room_id: Option<Uuid>,
    },
    Read {
        seq: i64,
        room_id: Option<Uuid>,
    },
    Who {
        room_id: Option<Uuid>,
    },
    History {
        before: Option<i64>,
        limit: Option<u64>,
        room_id: Option<Uuid>,
    },
    Join {
        room_id: Uuid,
    },
    Leave {
        room_id: Uuid,
    },
    Ping {},
}

/// Why a client frame could not be read; answered with an `error` frame.
#[derive(Debug, PartialEq)]
pub struct BadFrame {
    pub code: &'static str,
    pub message: String,
    pub temp_id: Option<String>,
}

impl ClientFrame {
    /// Parses a text frame. A frame without `type` but with `content` is a message,
    /// as older clients send.
    ///
    /// Fails with the `error` frame to answer.
    pub fn parse(text: &str) -> Result<Self, BadFrame> {
        let mut value: Value = serde_json::from_str(text).map_err(|e| BadFrame {
            code: "invalid_json",
            message: format!("The frame is not valid JSON: {e}."),
            temp_id: None,
        })?;
        let Some(object) = value.as_object_mut() else {
            return Err(BadFrame {
                code: "invalid_frame",
                message: "A frame must be a JSON object.".into(),
                temp_id: None,
            });
        };
        let temp_id = object
            .get("temp_id")
            .and_then(Value::as_str)
            .map(str::to_owned);
        if !object.contains_key("type") && object.contains_key("content") {
            object.insert("type".into(), Value::from("message"));
        }
        let kind = match object.get("type") {
            Some(Value::String(kind)) => kind.clone(),
            _ => {
                return Err(BadFrame {
                    code: "invalid_frame",
                    message: "A frame needs a string \"type\".".into(),
                    temp_id,
                });
            }
        };
        if !CLIENT_FRAME_TYPES.contains(&kind.as_str()) {
            return Err(BadFrame {
                code: "unknown_type",
                message: format!("Unknown frame type \"{kind}\"."),
                temp_id,
            });
        }
        serde_json::from_value(value).map_err(|e| BadFrame {
            code: "invalid_frame",
            message: format!("Invalid \"{kind}\" frame: {e}."),
            temp_id,
        })
    }

    /// The room a frame names, if any.
    pub fn room_id(&self) -> Option<RoomId> {
        let id = match self {
            Self::Message { room_id, .. }
            | Self::Typing { room_id, .. }
            | Self::Read { room_id, .. }
            | Self::Who { room_id }
            | Self::History { room_id, .. } => *room_id,
            Self::Join { room_id } | Self::Leave { room_id } => Some(*room_id),
            Self::Ping {} => None,
        };
        id.map(RoomId::from_uuid)
    }
}

/// A frame to clients.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    History {
        room_id: Uuid,
        messages: Vec<MessageOut>,
        /// Older messages exist before the first one here.
        has_more: bool,
    },
    Message(MessageOut),
    Ack {
        temp_id: Option<String>,
        id: Uuid,
        seq: i64,
        timestamp: DateTime<Utc>,
        room_id: Uuid,
    },
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
    Read {
        room_id: Uuid,
        user_id: Uuid,
        seq: i64,
    },
    Edited {
        room_id: Uuid,
        message: MessageOut,
    },
    Deleted {
        room_id: Uuid,
        message: MessageOut,
    },
    Error {
        code: String,
        message: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        temp_id: Option<String>,
        /// With `slow_consumer`: the last seq sent per room, to resume from.
        #[serde(skip_serializing_if = "Option::is_none")]
        resume: Option<std::collections::BTreeMap<Uuid, i64>>,
    },
    Pong,
}

/// `join` or `leave`.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SystemEvent {
    Join,
    Leave,
}

impl ServerFrame {
    /// The frame's `type`. The match is exhaustive on purpose: a new frame cannot be
    /// added without naming it here, and the protocol-document test then demands it
    /// be documented.
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
        }
    }

    /// One frame of every kind, for tests.
    #[cfg(test)]
    pub fn samples() -> Vec<Self> {
        let room = RoomId::new();
        let user = UserSummary {
            id: UserId::new(),
            name: "Ana".into(),
            username: "ana".into(),
        };
        let message = Message {
            id: domain::MessageId::new(),
            room_id: room,
            seq: 1,
            author: user.clone(),
            content: "hi".into(),
            temp_id: None,
            created_at: Utc::now(),
            edited_at: None,
            deleted_at: None,
        };
        vec![
            Self::history(room, vec![message.clone()], false),
            Self::Message(message.clone().into()),
            Self::ack(&Appended::Created(message.clone()), Some("t".into())),
            Self::system(room, SystemEvent::Join, &user),
            Self::users(room, vec![user.clone()], false),
            Self::users(room, vec![user.clone()], true),
            Self::read(room, user.id, 1),
            Self::Edited {
                room_id: room.as_uuid(),
                message: message.clone().into(),
            },
            Self::Deleted {
                room_id: room.as_uuid(),
                message: message.into(),
            },
            Self::error("invalid_json", "bad", None),
            Self::Pong,
        ]
    }

    /// Serialized once, to be shared by every recipient.
    pub fn to_text(&self) -> Arc<str> {
        // Serializing these types cannot fail: no maps with non-string keys, no
        // failing `Serialize` impls.
        Arc::from(serde_json::to_string(self).unwrap_or_else(|_| "{}".to_owned()))
    }

    pub fn history(room_id: RoomId, messages: Vec<Message>, has_more: bool) -> Self {
        Self::History {
            room_id: room_id.as_uuid(),
            messages: messages.into_iter().map(Into::into).collect(),
            has_more,
        }
    }

    pub fn ack(appended: &Appended, temp_id: Option<String>) -> Self {
        let m = appended.message();
        Self::Ack {
            temp_id,
            id: m.id.as_uuid(),
            seq: m.seq,
            timestamp: m.created_at,
            room_id: m.room_id.as_uuid(),
        }
    }

    pub fn system(room_id: RoomId, event: SystemEvent, user: &UserSummary) -> Self {
        let content = match event {
            SystemEvent::Join => format!("User {} has joined the chat.", user.name),
            SystemEvent::Leave => format!("User {} has left the chat.", user.name),
        };
        Self::System {
            room_id: room_id.as_uuid(),
            event,
            user: user.clone().into(),
            content,
            timestamp: Utc::now(),
        }
    }

    pub fn users(room_id: RoomId, users: Vec<UserSummary>, typing: bool) -> Self {
        let users = users.into_iter().map(Into::into).collect();
        if typing {
            Self::Typing {
                room_id: room_id.as_uuid(),
                users,
            }
        } else {
            Self::Presence {
                room_id: room_id.as_uuid(),
                online: users,
            }
        }
    }

    pub fn read(room_id: RoomId, user_id: UserId, seq: i64) -> Self {
        Self::Read {
            room_id: room_id.as_uuid(),
            user_id: user_id.as_uuid(),
            seq,
        }
    }

    pub fn error(
        code: impl Into<String>,
        message: impl Into<String>,
        temp_id: Option<String>,
    ) -> Self {
        Self::Error {
            code: code.into(),
            message: message.into(),
            temp_id,
            resume: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_with_content_and_no_type_is_a_message() {
        let frame = ClientFrame::parse(r#"{"content":"hi"}"#).unwrap();
        assert!(matches!(frame, ClientFrame::Message { content, .. } if content == "hi"));
    }

    #[test]
    fn unknown_types_and_bad_json_are_told_apart() {
        assert_eq!(ClientFrame::parse("nope").unwrap_err().code, "invalid_json");
        assert_eq!(
            ClientFrame::parse(r#"{"type":"dance"}"#).unwrap_err().code,
            "unknown_type"
        );
        assert_eq!(ClientFrame::parse("[1]").unwrap_err().code, "invalid_frame");
        assert_eq!(
            ClientFrame::parse(r#"{"type":"typing","is_typing":"yes"}"#)
                .unwrap_err()
                .code,
            "invalid_frame"
        );
    }

    #[test]
    fn a_bad_message_frame_echoes_its_temp_id() {
        let err = ClientFrame::parse(r#"{"type":"message","temp_id":"t1"}"#).unwrap_err();
        assert_eq!(err.temp_id.as_deref(), Some("t1"));
    }

    #[test]
    fn ping_parses_and_pong_serializes_with_its_type() {
        assert_eq!(
            ClientFrame::parse(r#"{"type":"ping"}"#).unwrap(),
            ClientFrame::Ping {}
        );
        assert_eq!(&*ServerFrame::Pong.to_text(), r#"{"type":"pong"}"#);
    }
}
