//! How much one connect can make the server replay: each room once, at most 500
//! messages of it, and only rooms the socket follows.

use papo_tests::{TestApp, TestUser, spawn_app, spawn_app_with, ws::WsClient};
use serde_json::{Value, json};

/// Posts `n` messages over one socket, pipelined, and waits for every ack.
async fn fill(app: &TestApp, user: &TestUser, room: &str, n: usize) {
    let mut socket = app.chat(room, &user.token).await;
    socket.next_of("history").await;
    for i in 0..n {
        socket
            .send(
                json!({"type": "message", "content": format!("m{i}"), "temp_id": format!("f{i}")}),
            )
            .await;
    }
    for _ in 0..n {
        socket.next_of("ack").await;
    }
    socket.close().await;
}

/// The seqs of every `history` frame until one ends at `last`, and the frames.
async fn replayed_until(socket: &mut WsClient, last: i64) -> (Vec<i64>, Vec<Value>) {
    let (mut seqs, mut frames) = (Vec::new(), Vec::new());
    while seqs.last() != Some(&last) {
        let frame = socket.next_of("history").await;
        seqs.extend(
            frame["messages"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["seq"].as_i64().unwrap()),
        );
        frames.push(frame);
    }
    (seqs, frames)
}

/// Every frame before the next `pong` (a ping sent after the replay marks its end).
async fn frames_before_pong(socket: &mut WsClient) -> Vec<Value> {
    let mut seen = Vec::new();
    loop {
        let frame = socket.next().await;
        if frame["type"] == "pong" {
            return seen;
        }
        seen.push(frame);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_room_named_a_hundred_times_in_since_is_replayed_once() {
    // Floods on purpose: no per-user post limit.
    let app = spawn_app_with(|s| s.realtime.post_rate = 0).await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    fill(&app, &alice, &room, 30).await;
    let since = vec![format!("{room}:0"); 100].join(",");

    let mut socket = app
        .ws(&format!("/api/v1/ws?token={}&since={since}", alice.token))
        .await;
    let (seqs, _) = replayed_until(&mut socket, 30).await;
    socket.send(json!({"type": "ping"})).await;
    let before_pong = frames_before_pong(&mut socket).await;

    assert_eq!(seqs, (1..=30).collect::<Vec<_>>());
    assert!(
        before_pong.iter().all(|f| f["type"] != "history"),
        "no second replay follows: {before_pong:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resume_from_far_behind_replays_the_newest_500_and_says_older_exist() {
    // Floods on purpose: no per-user post limit.
    let app = spawn_app_with(|s| s.realtime.post_rate = 0).await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    fill(&app, &alice, &room, 620).await;

    let mut socket = app
        .ws(&format!(
            "/api/v1/chat/{room}?token={}&since=0",
            alice.token
        ))
        .await;
    let (seqs, frames) = replayed_until(&mut socket, 620).await;

    assert_eq!(seqs, (121..=620).collect::<Vec<_>>());
    assert_eq!(frames[0]["has_more"], true, "older messages exist");
    let older = json!({"type": "history", "before": 121, "limit": 100});
    socket.send(older).await;
    let page = socket.next_of("history").await;
    assert_eq!(page["messages"][0]["seq"], 21);
}

#[tokio::test]
async fn since_naming_a_room_the_socket_does_not_follow_replays_nothing() {
    let app = spawn_app().await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    fill(&app, &alice, &room, 5).await;
    let bob = app.signup("bob").await;

    let mut socket = app
        .ws(&format!("/api/v1/ws?token={}&since={room}:0", bob.token))
        .await;
    socket.send(json!({"type": "ping"})).await;

    let before_pong = frames_before_pong(&mut socket).await;
    assert!(
        before_pong.iter().all(|f| f["type"] != "history"),
        "bob is not in the room: {before_pong:?}"
    );
}
