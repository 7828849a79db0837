//! Presence, join/leave notices, typing and read receipts.

use papo_tests::spawn_app_with;
use serde_json::json;

async fn app() -> papo_tests::TestApp {
    spawn_app_with(|s| s.realtime.typing_ttl_ms = 400).await
}

#[tokio::test]
async fn a_second_user_is_announced_and_listed_and_their_leaving_too() {
    let app = app().await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    let room = app.create_room(&alice, "general", "public").await;
    let mut a = app.chat(&room, &alice.token).await;
    a.next_of("presence").await;

    let b = app.chat(&room, &bob.token).await;

    let join = a.until("system", |f| f["event"] == "join").await;
    assert_eq!(join["content"], "User Bob has joined the chat.");
    assert_eq!(join["user"]["username"], "bob");
    let presence = a
        .until("presence", |f| f["online"].as_array().unwrap().len() == 2)
        .await;
    assert_eq!(presence["room_id"], room.as_str());
    let online = app.get("/api/v1/users/online", Some(&alice.token)).await;
    assert_eq!(online.body["users"].as_array().unwrap().len(), 2);

    b.close().await;

    let leave = a.until("system", |f| f["event"] == "leave").await;
    assert_eq!(leave["content"], "User Bob has left the chat.");
    a.until("presence", |f| f["online"].as_array().unwrap().len() == 1)
        .await;
    let status = app
        .get(
            &format!("/api/v1/users/{}/status", bob.id),
            Some(&alice.token),
        )
        .await;
    assert_eq!(status.body["status"], "offline");
    assert!(
        status.body["last_seen"].is_string(),
        "last_seen stored: {}",
        status.text
    );
}

#[tokio::test]
async fn one_user_on_two_devices_is_announced_once_and_leaves_with_the_last() {
    let app = app().await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    let room = app.create_room(&alice, "general", "public").await;
    let mut a = app.chat(&room, &alice.token).await;
    a.next_of("presence").await;

    let phone = app.chat(&room, &bob.token).await;
    a.until("system", |f| f["event"] == "join").await;
    let mut laptop = app.chat(&room, &bob.token).await;
    let presence = laptop.next_of("presence").await;
    assert_eq!(presence["online"].as_array().unwrap().len(), 2);
    // A join would have been queued for alice before the laptop got its presence.
    let after_second = a.frames_before_pong().await;
    assert!(
        !after_second.contains(&"system".to_owned()),
        "second device announced"
    );

    // Once the server has closed the phone's socket, a leave would be queued.
    phone.close_and_wait().await;
    let after_phone = a.frames_before_pong().await;
    assert!(
        !after_phone.contains(&"system".to_owned()),
        "left while a device remains"
    );
    let status = app
        .get(
            &format!("/api/v1/users/{}/status", bob.id),
            Some(&alice.token),
        )
        .await;
    assert_eq!(status.body["status"], "online");
    laptop.close().await;
    a.until("system", |f| f["event"] == "leave").await;
}

#[tokio::test]
async fn who_answers_with_presence() {
    let app = app().await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    let mut a = app.chat(&room, &alice.token).await;
    a.next_of("presence").await;

    a.send(json!({"type": "who"})).await;

    let presence = a.next_of("presence").await;
    assert_eq!(presence["online"][0]["name"], "Alice");
}

#[tokio::test]
async fn typing_is_shown_to_the_room_and_expires_by_itself() {
    let app = app().await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    let room = app.create_room(&alice, "general", "public").await;
    let mut a = app.chat(&room, &alice.token).await;
    let mut b = app.chat(&room, &bob.token).await;
    a.next_of("presence").await;
    b.next_of("presence").await;

    b.send(json!({"type": "typing", "is_typing": true})).await;

    let typing = a
        .until("typing", |f| !f["users"].as_array().unwrap().is_empty())
        .await;
    assert_eq!(typing["users"][0]["username"], "bob");
    // No "stopped" frame is sent: the 400 ms TTL (set for this test) lapses it.
    let cleared = a
        .until("typing", |f| f["users"].as_array().unwrap().is_empty())
        .await;
    assert_eq!(cleared["room_id"], room.as_str());
}

#[tokio::test]
async fn read_receipts_are_broadcast_and_drive_unread_counts() {
    let app = app().await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    let room = app.create_room(&alice, "general", "public").await;
    let mut b = app.chat(&room, &bob.token).await;
    b.next_of("history").await;
    for i in 1..=5 {
        app.post_message(&alice, &room, &format!("m{i}")).await;
    }
    let mut a = app.chat(&room, &alice.token).await;
    a.next_of("history").await;
    let unread = |reply: &papo_tests::Reply| reply.body["rooms"][0]["unread"].as_u64().unwrap();
    assert_eq!(unread(&app.get("/api/v1/rooms", Some(&bob.token)).await), 5);

    b.send(json!({"type": "read", "seq": 3})).await;

    let read = a.next_of("read").await;
    assert_eq!(read["user_id"], bob.id.as_str());
    assert_eq!(read["seq"], 3);
    assert_eq!(unread(&app.get("/api/v1/rooms", Some(&bob.token)).await), 2);
    b.send(json!({"type": "read", "seq": 99})).await;
    assert_eq!(
        a.next_of("read").await["seq"],
        5,
        "capped at the last message"
    );
    assert_eq!(unread(&app.get("/api/v1/rooms", Some(&bob.token)).await), 0);
}

#[tokio::test]
async fn edits_and_deletes_are_broadcast() {
    let app = app().await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    let mut a = app.chat(&room, &alice.token).await;
    a.next_of("history").await;
    let message = app.post_message(&alice, &room, "typo").await;
    let id = message["id"].as_str().unwrap();

    app.patch(
        &format!("/api/v1/messages/{id}"),
        Some(&alice.token),
        json!({"content": "fixed"}),
    )
    .await
    .assert_status(200);
    let edited = a.next_of("edited").await;
    assert_eq!(edited["message"]["content"], "fixed");
    assert!(edited["message"]["edited_at"].is_string());

    app.delete(&format!("/api/v1/messages/{id}"), Some(&alice.token))
        .await
        .assert_status(204);
    let deleted = a.next_of("deleted").await;
    assert_eq!(deleted["message"]["deleted"], true);
    assert_eq!(deleted["message"]["content"], "");
}
