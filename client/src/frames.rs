//! Every WebSocket frame of DESIGN §4, typed.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::types::{Message, UserRef};

/// A frame to the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientFrame {
    Message {
        content: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        temp_id: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        room_id: Option<Uuid>,
    },
    Typing {
        is_typing: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        room_id: Option<Uuid>,
    },
    Read {
        seq: i64,
        #[serde(skip_serializing_if = "Option::is_none")]
        room_id: Option<Uuid>,
    },
    Who {
        #[serde(skip_serializing_if = "Option::is_none")]
        room_id: Option<Uuid>,
    },
    History {
        #[serde(skip_serializing_if = "Option::is_none")]
        before: Option<i64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        limit: Option<u32>,
        #[serde(skip_serializing_if = "Option::is_none")]
        room_id: Option<Uuid>,
    },
    Join {
        room_id: Uuid,
    },
    Leave {
        room_id: Uuid,
    },
    Ping,
}

/// A frame from the server.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    History {
        room_id: Uuid,
        messages: Vec<Message>,
        has_more: bool,
    },
    Message(Message),
    Ack {
        temp_id: Option<String>,
        id: Uuid,
        seq: i64,
        timestamp: String,
        room_id: Uuid,
    },
    System {
        room_id: Uuid,
        event: String,
        user: UserRef,
        content: String,
        timestamp: String,
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
        message: Message,
    },
    Deleted {
        room_id: Uuid,
        message: Message,
    },
    Error {
        code: String,
        message: String,
        #[serde(default)]
        temp_id: Option<String>,
    },
    Pong,
}

impl ServerFrame {
    /// The highest seq this frame shows for a room: what to resume from.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_frames_serialize_as_the_protocol_says() {
        let frame = ClientFrame::Message {
            content: "hi".into(),
            temp_id: Some("t1".into()),
            room_id: None,
        };
        assert_eq!(
            serde_json::to_string(&frame).unwrap(),
            r#"{"type":"message","content":"hi","temp_id":"t1"}"#
        );
        assert_eq!(
            serde_json::to_string(&ClientFrame::Ping).unwrap(),
            r#"{"type":"ping"}"#
        );
    }

    #[test]
    fn server_frames_parse_with_their_type() {
        let pong: ServerFrame = serde_json::from_str(r#"{"type":"pong"}"#).unwrap();
        assert_eq!(pong, ServerFrame::Pong);
        let error: ServerFrame =
            serde_json::from_str(r#"{"type":"error","code":"invalid_json","message":"x"}"#)
                .unwrap();
        assert!(matches!(error, ServerFrame::Error { code, .. } if code == "invalid_json"));
    }
}
