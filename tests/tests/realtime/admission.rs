//! Who may connect, and what a connection gets first.

use papo_tests::spawn_app;
use serde_json::json;

#[tokio::test]
async fn a_bad_token_is_accepted_then_closed_with_1008() {
    let app = spawn_app().await;
    let (_alice, room) = app.signup_with_room("alice", "general", "public").await;

    let closed = app.chat(&room, "not-a-token").await.closed().await;
    assert_eq!(closed.code, 1008);
    assert!(!closed.reason.is_empty());

    let closed = app.ws(&format!("/api/v1/chat/{room}")).await.closed().await;
    assert_eq!(closed.code, 1008, "no token at all");
}

#[tokio::test]
async fn an_unknown_room_closes_4404_and_a_private_one_4403() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    let secret = app.create_room(&alice, "secret", "private").await;

    let unknown = uuid::Uuid::new_v4();
    assert_eq!(
        app.chat(&unknown.to_string(), &bob.token)
            .await
            .closed()
            .await
            .code,
        4404
    );
    assert_eq!(
        app.chat("not-a-uuid", &bob.token).await.closed().await.code,
        4404
    );
    assert_eq!(
        app.chat(&secret, &bob.token).await.closed().await.code,
        4403
    );
}

#[tokio::test]
async fn the_token_may_come_as_a_bearer_header() {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let app = spawn_app().await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    let mut request = format!("ws://127.0.0.1:{}/api/v1/chat/{room}", app.port)
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "authorization",
        format!("Bearer {}", alice.token).parse().unwrap(),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    use futures_util::StreamExt;
    let first = tokio::time::timeout(std::time::Duration::from_secs(10), socket.next())
        .await
        .expect("a frame within 10 s")
        .unwrap()
        .unwrap();
    let frame: serde_json::Value = serde_json::from_str(first.to_text().unwrap()).unwrap();
    assert_eq!(frame["type"], "history");
}

#[tokio::test]
async fn connecting_sends_the_last_50_messages_then_presence() {
    let app = spawn_app().await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    for i in 1..=60 {
        app.post_message(&alice, &room, &format!("m{i}")).await;
    }

    let mut socket = app.chat(&room, &alice.token).await;
    let history = socket.next().await;
    assert_eq!(history["type"], "history");
    assert_eq!(history["room_id"], room.as_str());
    let messages = history["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 50);
    assert_eq!(messages[0]["seq"], 11);
    assert_eq!(messages[49]["content"], "m60");
    assert_eq!(history["has_more"], true);
    let presence = socket.next_of("presence").await;
    assert_eq!(presence["online"][0]["username"], "alice");
}

#[tokio::test]
async fn connecting_to_a_public_room_makes_the_user_a_member() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    let room = app.create_room(&alice, "general", "public").await;

    let mut socket = app.chat(&room, &bob.token).await;
    socket.next_of("presence").await;

    let members = app
        .get(&format!("/api/v1/rooms/{room}/members"), Some(&alice.token))
        .await;
    let names: Vec<&str> = members.body["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["user"]["username"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"bob"), "{names:?}");
}

#[tokio::test]
async fn an_invited_member_may_connect_to_a_private_room() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    let secret = app.create_room(&alice, "secret", "private").await;
    app.post(
        &format!("/api/v1/rooms/{secret}/members"),
        Some(&alice.token),
        json!({"user_id": bob.id}),
    )
    .await
    .assert_status(204);

    let mut socket = app.chat(&secret, &bob.token).await;
    assert_eq!(socket.next().await["type"], "history");
}

#[tokio::test]
async fn a_malformed_since_closes_4400_on_both_endpoints() {
    let app = spawn_app().await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;

    let chat = app
        .ws(&format!(
            "/api/v1/chat/{room}?token={}&since=-3",
            alice.token
        ))
        .await
        .closed()
        .await;
    let all = app
        .ws(&format!(
            "/api/v1/ws?token={}&since=not-a-pair",
            alice.token
        ))
        .await
        .closed()
        .await;

    assert_eq!(chat.code, 4400, "{chat:?}");
    assert_eq!(all.code, 4400, "{all:?}");
}
