//! When membership ends over REST (leaving, the room deleted), sockets follow: the
//! room's own socket closes 4403 (4404 for a deleted room, see sessions.rs) and the
//! multiplexed socket stops following the room, staying open for the others. And the
//! multiplexed socket replays history only when asked with `since`.

use papo_tests::{TestApp, TestUser, spawn_app};
use serde_json::{Value, json};

/// Posts in `gone` (which `socket` must no longer follow), then in `kept`: the first
/// message that arrives must be the one in `kept`. Events are fanned out in commit
/// order, so a socket still following `gone` would get that one first.
async fn first_message_after(
    app: &TestApp,
    author: &TestUser,
    gone: &str,
    kept: &str,
    socket: &mut papo_tests::ws::WsClient,
) -> Value {
    app.post_message(author, gone, "not for you").await;
    app.post_message(author, kept, "still here").await;
    socket.next_of("message").await
}

#[tokio::test]
async fn leaving_over_rest_closes_the_rooms_socket_and_unfollows_it_elsewhere() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    let lobby = app.create_room(&alice, "lobby", "public").await;
    let other = app.create_room(&alice, "other", "public").await;
    app.join(&bob, &lobby).await;
    app.join(&bob, &other).await;
    let mut room_socket = app.chat(&lobby, &bob.token).await;
    room_socket.next_of("history").await;
    let mut all = app.ws(&format!("/api/v1/ws?token={}", bob.token)).await;
    all.send(json!({"type": "ping"})).await;
    all.next_of("pong").await;

    app.post_empty(&format!("/api/v1/rooms/{lobby}/leave"), Some(&bob.token))
        .await
        .assert_status(204);
    let closed = room_socket.closed().await;
    all.send(json!({"type": "ping"})).await;
    all.next_of("pong").await;
    let first = first_message_after(&app, &alice, &lobby, &other, &mut all).await;

    assert_eq!(closed.code, 4403, "{closed:?}");
    assert_eq!(first["room_id"], other.as_str(), "{first}");
}

#[tokio::test]
async fn deleting_a_room_leaves_the_multiplexed_socket_open_for_the_others() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    let doomed = app.create_room(&alice, "doomed", "public").await;
    let other = app.create_room(&alice, "other", "public").await;
    app.join(&bob, &doomed).await;
    app.join(&bob, &other).await;
    let mut all = app.ws(&format!("/api/v1/ws?token={}", bob.token)).await;
    all.send(json!({"type": "ping"})).await;
    all.next_of("pong").await;

    app.delete(&format!("/api/v1/rooms/{doomed}"), Some(&alice.token))
        .await
        .assert_status(204);
    all.send(json!({"type": "ping"})).await;
    all.next_of("pong").await;
    app.post_message(&alice, &other, "still here").await;
    let first = all.next_of("message").await;

    assert_eq!(first["room_id"], other.as_str(), "{first}");
}

#[tokio::test]
async fn the_multiplexed_socket_sends_no_history_without_since() {
    let app = spawn_app().await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    app.post_message(&alice, &room, "old news").await;

    let mut all = app.ws(&format!("/api/v1/ws?token={}", alice.token)).await;
    all.send(json!({"type": "ping"})).await;
    let mut before_pong = Vec::new();
    loop {
        let frame = all.next().await;
        if frame["type"] == "pong" {
            break;
        }
        before_pong.push(frame["type"].clone());
    }
    // The presence list of each room comes at connect; history only with `since`.
    all.send(json!({"type": "who", "room_id": room})).await;
    all.next_of("presence").await;

    assert!(!before_pong.contains(&json!("history")), "{before_pong:?}");
}
