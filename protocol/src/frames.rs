//! The JSON frames of DESIGN §4, in both directions.
//!
//! Both enums derive `Serialize` and `Deserialize`: the server reads [`ClientFrame`]
//! and writes [`ServerFrame`], a client the other way round, and the tests and the
//! protocol document use both.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use serde_json::Value;
use uuid::Uuid;

use crate::{ErrorCode, Message, UserRef};

/// A frame from a client. `room_id` is needed on `/api/v1/ws` and ignored on a
/// one-room socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientFrame {
    /// Post a message; `temp_id` is the client's idempotency key.
    Message {
        content: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        temp_id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        room_id: Option<Uuid>,
    },
    Typing {
        is_typing: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        room_id: Option<Uuid>,
    },
    /// Read up to `seq`.
    Read {
        seq: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        room_id: Option<Uuid>,
    },
    /// Ask for a `presence` frame.
    Who {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        room_id: Option<Uuid>,
    },
    /// Ask for older messages.
    History {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        before: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        limit: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        room_id: Option<Uuid>,
    },
    /// `/api/v1/ws` only: become a member and follow the room.
    Join {
        room_id: Uuid,
    },
    /// `/api/v1/ws` only: leave the room.
    Leave {
        room_id: Uuid,
    },
    Ping,
}

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
    /// A user's first connection to a room opened, or their last closed.
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
    },
    Pong,
}

/// `join` or `leave`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SystemEvent {
    Join,
    Leave,
}

/// Why a client frame could not be read; answered with an `error` frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadFrame {
    pub code: ErrorCode,
    pub message: String,
    pub temp_id: Option<String>,
}

impl ClientFrame {
    /// Parses a text frame the way the server does: a frame without `type` but with
    /// `content` is a message, as older clients send.
    ///
    /// Fails with what to answer: `invalid_json`, `invalid_frame` or `unknown_type`,
    /// echoing the frame's `temp_id` when it has one.
    pub fn parse(text: &str) -> Result<Self, BadFrame> {
        let mut value: Value = serde_json::from_str(text).map_err(|e| BadFrame {
            code: ErrorCode::InvalidJson,
            message: format!("The frame is not valid JSON: {e}."),
            temp_id: None,
        })?;
        let Some(object) = value.as_object_mut() else {
            return Err(BadFrame {
                code: ErrorCode::InvalidFrame,
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
        let Some(Value::String(kind)) = object.get("type") else {
            return Err(BadFrame {
                code: ErrorCode::InvalidFrame,
                message: "A frame needs a string \"type\".".into(),
                temp_id,
            });
        };
        let kind = kind.clone();
        if !Self::types().contains(&kind) {
            return Err(BadFrame {
                code: ErrorCode::UnknownType,
                message: format!("Unknown frame type \"{kind}\"."),
                temp_id,
            });
        }
        serde_json::from_value(value).map_err(|e| BadFrame {
            code: ErrorCode::InvalidFrame,
            message: format!("Invalid \"{kind}\" frame: {e}."),
            temp_id,
        })
    }

    /// Every client frame `type`, read off the enum itself.
    pub fn types() -> &'static [String] {
        static TYPES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
        TYPES.get_or_init(variant_names::<Self>)
    }

    /// The room a frame names, if any.
    pub fn room_id(&self) -> Option<Uuid> {
        match self {
            Self::Message { room_id, .. }
            | Self::Typing { room_id, .. }
            | Self::Read { room_id, .. }
            | Self::Who { room_id }
            | Self::History { room_id, .. } => *room_id,
            Self::Join { room_id } | Self::Leave { room_id } => Some(*room_id),
            Self::Ping => None,
        }
    }
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
        }
    }

    /// An `error` frame.
    pub fn error(code: ErrorCode, message: impl Into<String>, temp_id: Option<String>) -> Self {
        Self::Error {
            code,
            message: message.into(),
            temp_id,
            resume: None,
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

/// The `type` names of a tagged enum, taken from serde's own refusal of an unknown
/// tag ("unknown variant `…`, expected one of `a`, `b`"), so a new frame cannot be
/// missing from any list derived from it.
fn variant_names<T: DeserializeOwned>() -> Vec<String> {
    let probe = serde_json::json!({"type": "\u{1}"});
    let Err(err) = serde_json::from_value::<T>(probe) else {
        return Vec::new();
    };
    let text = err.to_string();
    let expected = text.split("expected").nth(1).unwrap_or_default();
    expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_frame_type_lists_come_from_the_enums() {
        assert_eq!(
            ClientFrame::types(),
            [
                "message", "typing", "read", "who", "history", "join", "leave", "ping"
            ]
        );
        assert_eq!(ServerFrame::types().len(), 11);
        assert!(ServerFrame::types().iter().any(|t| t == "pong"));
    }

    #[test]
    fn a_frame_with_content_and_no_type_is_a_message() {
        let frame = ClientFrame::parse(r#"{"content":"hi"}"#).unwrap();
        assert!(matches!(frame, ClientFrame::Message { content, .. } if content == "hi"));
    }

    #[test]
    fn unknown_types_and_bad_json_are_told_apart() {
        let code = |text| ClientFrame::parse(text).unwrap_err().code;
        assert_eq!(code("nope"), ErrorCode::InvalidJson);
        assert_eq!(code(r#"{"type":"dance"}"#), ErrorCode::UnknownType);
        assert_eq!(code("[1]"), ErrorCode::InvalidFrame);
        assert_eq!(
            code(r#"{"type":"typing","is_typing":"yes"}"#),
            ErrorCode::InvalidFrame
        );
    }

    #[test]
    fn a_bad_message_frame_echoes_its_temp_id() {
        let err = ClientFrame::parse(r#"{"type":"message","temp_id":"t1"}"#).unwrap_err();
        assert_eq!(err.temp_id.as_deref(), Some("t1"));
    }

    #[test]
    fn ping_parses_with_extra_fields_and_serializes_bare() {
        assert_eq!(
            ClientFrame::parse(r#"{"type":"ping","n":1}"#).unwrap(),
            ClientFrame::Ping
        );
        assert_eq!(
            serde_json::to_string(&ClientFrame::Ping).unwrap(),
            r#"{"type":"ping"}"#
        );
        assert_eq!(
            serde_json::to_string(&ServerFrame::Pong).unwrap(),
            r#"{"type":"pong"}"#
        );
    }

    #[test]
    fn client_frames_leave_out_absent_options() {
        let frame = ClientFrame::Message {
            content: "hi".into(),
            temp_id: Some("t1".into()),
            room_id: None,
        };
        assert_eq!(
            serde_json::to_string(&frame).unwrap(),
            r#"{"type":"message","content":"hi","temp_id":"t1"}"#
        );
    }

    #[test]
    fn an_error_frame_round_trips_with_its_code() {
        let frame = ServerFrame::error(ErrorCode::NotInRoom, "no", Some("t".into()));
        let text = serde_json::to_string(&frame).unwrap();
        assert!(text.contains(r#""code":"not_in_room""#), "{text}");
        assert_eq!(serde_json::from_str::<ServerFrame>(&text).unwrap(), frame);
    }
}
