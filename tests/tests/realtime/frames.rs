//! Malformed frames get an error frame and the connection stays open.

use papo_tests::spawn_app;
use serde_json::json;
use tokio_tungstenite::tungstenite::{
    Message,
    protocol::frame::{
        Frame,
        coding::{Data, OpCode},
    },
};

#[tokio::test]
async fn every_kind_of_bad_frame_gets_an_error_and_the_socket_stays_usable() {
    let app = spawn_app().await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    let mut a = app.chat(&room, &alice.token).await;
    a.next_of("history").await;

    let cases = [
        ("not json", "invalid_json"),
        ("[1,2]", "invalid_frame"),
        (r#"{"type":"dance"}"#, "unknown_type"),
        (r#"{"type":"typing","is_typing":"yes"}"#, "invalid_frame"),
        (r#"{"type":"message","content":"   "}"#, "validation_failed"),
        (r#"{"type":"message"}"#, "invalid_frame"),
        (r#"{"type":"read","seq":-1}"#, "validation_failed"),
        (
            r#"{"type":"join","room_id":"00000000-0000-0000-0000-000000000000"}"#,
            "not_supported",
        ),
    ];
    for (text, code) in cases {
        a.send_text(text).await;
        let error = a.next_of("error").await;
        assert_eq!(error["code"], code, "for {text}");
        assert!(error["message"].is_string());
    }
    a.send_text(&json!({"content": "x".repeat(4001), "temp_id": "long"}).to_string())
        .await;
    let error = a.next_of("error").await;
    assert_eq!(error["code"], "validation_failed");
    assert_eq!(error["temp_id"], "long");
    a.send_raw(Message::Binary(vec![1, 2, 3].into())).await;
    assert_eq!(a.next_of("error").await["code"], "binary_not_supported");

    a.send(json!({"type": "ping"})).await;
    assert_eq!(a.next_of("pong").await["type"], "pong");
    a.send(json!({"content": "still here"})).await;
    assert_eq!(a.next_of("ack").await["seq"], 1);
}

/// How the server closes a socket that sends `frame` (written as is, unchecked).
async fn closed_after_raw(opcode: OpCode, payload: Vec<u8>) -> u16 {
    let app = spawn_app().await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    let mut a = app.chat(&room, &alice.token).await;
    a.next_of("history").await;

    a.send_raw(Message::Frame(Frame::message(payload, opcode, true)))
        .await;

    a.closed().await.code
}

#[tokio::test]
async fn a_text_frame_that_is_not_utf8_closes_with_1007() {
    let code = closed_after_raw(OpCode::Data(Data::Text), vec![0xff, 0xfe, 0x80]).await;

    assert_eq!(code, 1007);
}

#[tokio::test]
async fn a_frame_with_a_reserved_opcode_closes_with_1002() {
    let code = closed_after_raw(OpCode::Data(Data::Reserved(3)), b"?".to_vec()).await;

    assert_eq!(code, 1002);
}

#[tokio::test]
async fn a_frame_over_64_kib_closes_with_1009() {
    let app = spawn_app().await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    let mut a = app.chat(&room, &alice.token).await;
    a.next_of("history").await;

    a.send_text(&"x".repeat(70 * 1024)).await;

    assert_eq!(a.closed().await.code, 1009);
}

#[tokio::test]
async fn history_frames_page_backwards() {
    let app = spawn_app().await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    for i in 1..=30 {
        app.post_message(&alice, &room, &format!("m{i}")).await;
    }
    let mut a = app.chat(&room, &alice.token).await;
    a.next_of("history").await;

    a.send(json!({"type": "history", "before": 11, "limit": 5}))
        .await;

    let page = a.next_of("history").await;
    let seqs: Vec<i64> = page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, vec![6, 7, 8, 9, 10]);
    assert_eq!(page["has_more"], true);
}
