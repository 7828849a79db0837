//! `room` frames keep a multiplexed socket's room list current (rooms that appear,
//! change or go, and the user's own memberships), and `system` frames with `joined`
//! and `left` tell a room who became or stopped being a member.

use papo_tests::{TestApp, TestUser, spawn_app, ws::WsClient};
use serde_json::{Value, json};

/// A multiplexed socket that has been handled up to a pong.
async fn all(app: &TestApp, user: &TestUser) -> WsClient {
    let mut socket = app.ws(&format!("/api/v1/ws?token={}", user.token)).await;
    socket.send(json!({"type": "ping"})).await;
    socket.next_of("pong").await;
    socket
}

async fn room_frame(socket: &mut WsClient) -> Value {
    socket.next_of("room").await
}

#[tokio::test]
async fn a_new_public_room_appears_for_everyone_and_a_private_one_for_nobody_else() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    let mut watching = all(&app, &bob).await;

    app.create_room(&alice, "secret", "private").await;
    let lobby = app.create_room(&alice, "lobby", "public").await;
    let first = room_frame(&mut watching).await;

    // Frames leave in the order the rooms were made: a private one would come first.
    assert_eq!(first["event"], "created", "{first}");
    assert_eq!(first["room"]["id"], lobby.as_str(), "{first}");
    assert_eq!(first["room"]["name"], "lobby");
    assert_eq!(first["room"]["visibility"], "public");
    assert_eq!(first["room"]["creator_id"], alice.id.as_str());
}

#[tokio::test]
async fn a_rename_and_a_deletion_reach_multiplexed_sockets() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    let lobby = app.create_room(&alice, "lobby", "public").await;
    let mut watching = all(&app, &bob).await;

    let body = json!({"name": "hall", "description": "Say hi"});
    app.patch(&format!("/api/v1/rooms/{lobby}"), Some(&alice.token), body)
        .await
        .assert_status(200);
    let updated = room_frame(&mut watching).await;
    app.delete(&format!("/api/v1/rooms/{lobby}"), Some(&alice.token))
        .await
        .assert_status(204);
    let deleted = room_frame(&mut watching).await;

    assert_eq!(updated["event"], "updated", "{updated}");
    assert_eq!(updated["room"]["name"], "hall");
    assert_eq!(updated["room"]["description"], "Say hi");
    assert_eq!(deleted["event"], "deleted", "{deleted}");
    assert_eq!(deleted["room"]["id"], lobby.as_str());
}

#[tokio::test]
async fn an_invitation_tells_the_invitee_and_the_room_and_the_invitee_then_follows_it() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    let secret = app.create_room(&alice, "secret", "private").await;
    let mut owner = all(&app, &alice).await;
    let mut invitee = all(&app, &bob).await;

    app.post(
        &format!("/api/v1/rooms/{secret}/members"),
        Some(&alice.token),
        json!({"user_id": bob.id}),
    )
    .await
    .assert_status(204);
    let yours = room_frame(&mut invitee).await;
    let told = owner.until("system", |f| f["event"] == "joined").await;
    app.post_message(&alice, &secret, "welcome").await;
    let message = invitee.next_of("message").await;

    assert_eq!(yours["event"], "joined", "{yours}");
    assert_eq!(yours["room"]["id"], secret.as_str());
    assert_eq!(yours["room"]["visibility"], "private");
    assert_eq!(told["room_id"], secret.as_str(), "{told}");
    assert_eq!(told["user"]["username"], "bob");
    assert_eq!(told["content"], "Bob joined the room.");
    assert_eq!(message["content"], "welcome", "{message}");
}

#[tokio::test]
async fn leaving_tells_the_leaver_s_other_sockets_and_the_room() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    let lobby = app.create_room(&alice, "lobby", "public").await;
    app.join(&bob, &lobby).await;
    let mut owner = all(&app, &alice).await;
    let mut leaver = all(&app, &bob).await;

    app.post_empty(&format!("/api/v1/rooms/{lobby}/leave"), Some(&bob.token))
        .await
        .assert_status(204);
    let yours = room_frame(&mut leaver).await;
    let told = owner.until("system", |f| f["event"] == "left").await;

    assert_eq!(yours["event"], "left", "{yours}");
    assert_eq!(yours["reason"], "left");
    assert_eq!(yours["room"]["id"], lobby.as_str());
    assert_eq!(told["user"]["username"], "bob", "{told}");
    assert_eq!(told["content"], "Bob left the room.");
}

#[tokio::test]
async fn a_direct_room_someone_opens_arrives_with_its_peer() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    let mut bobs = all(&app, &bob).await;
    let mut anas = all(&app, &alice).await;

    app.post(
        "/api/v1/dms",
        Some(&alice.token),
        json!({"user_id": bob.id}),
    )
    .await
    .assert_status(201);
    let yours = room_frame(&mut bobs).await;
    // Nobody joined a direct room: it opened with both in it.
    app.post_message(&alice, yours["room"]["id"].as_str().unwrap(), "hi")
        .await;
    let mut before_message = Vec::new();
    loop {
        let frame = anas.next().await;
        if frame["type"] == "message" {
            break;
        }
        before_message.push(frame);
    }

    assert!(
        !before_message
            .iter()
            .any(|f| f["type"] == "system" && f["event"] == "joined"),
        "{before_message:?}"
    );
    assert_eq!(yours["event"], "joined", "{yours}");
    assert_eq!(yours["room"]["visibility"], "direct");
    assert_eq!(yours["room"]["peer"]["username"], "alice", "{yours}");
}

#[tokio::test]
async fn a_new_room_s_owner_follows_it_at_once_and_hears_who_joins() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    let mut owner = all(&app, &alice).await;

    // No join frame from alice: creating the room made her its first member.
    let lobby = app.create_room(&alice, "lobby", "public").await;
    app.join(&bob, &lobby).await;
    let told = owner.until("system", |f| f["event"] == "joined").await;

    assert_eq!(told["room_id"], lobby.as_str(), "{told}");
    assert_eq!(told["user"]["username"], "bob");
}
