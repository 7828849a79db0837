//! The JSON frames of DESIGN §4, in both directions.
//!
//! Both enums derive `Serialize` and `Deserialize`: the server reads [`ClientFrame`]
//! and writes [`ServerFrame`], a client the other way round, and the tests and the
//! protocol document use both.

mod client;
mod server;

use serde::de::DeserializeOwned;

pub use client::{BadFrame, ClientFrame};
pub use server::{Departure, MemberRole, RoomEvent, ServerFrame, SystemEvent};

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
    use crate::ErrorCode;

    #[test]
    fn the_frame_type_lists_come_from_the_enums() {
        assert_eq!(
            ClientFrame::types(),
            [
                "message", "typing", "read", "who", "history", "join", "leave", "ping"
            ]
        );
        assert_eq!(ServerFrame::types().len(), 16);
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
            reply_to: None,
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
