//! Frames from clients, and the lenient parse the server applies to them.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::variant_names;
use crate::ErrorCode;

/// A frame from a client. `room_id` is needed on `/api/v1/ws` and ignored on a
/// one-room socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientFrame {
    /// Post a message; `temp_id` is the client's idempotency key; `reply_to` names
    /// the message of the same room it answers.
    Message {
        content: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        temp_id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        room_id: Option<Uuid>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reply_to: Option<Uuid>,
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
