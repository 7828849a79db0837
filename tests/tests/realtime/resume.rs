//! Resuming with `since`: nothing missing, nothing twice, even while messages flow.

use papo_tests::{spawn_app, spawn_app_with};
use serde_json::json;

#[tokio::test]
async fn since_replays_exactly_the_messages_after_it() {
    // Floods on purpose: no per-user post limit.
    let app = spawn_app_with(|s| s.realtime.post_rate = 0).await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    for i in 1..=130 {
        app.post_message(&alice, &room, &format!("m{i}")).await;
    }

    let mut a = app
        .ws(&format!(
            "/api/v1/chat/{room}?token={}&since=20",
            alice.token
        ))
        .await;

    let mut seqs = Vec::new();
    while seqs.len() < 110 {
        let page = a.next_of("history").await;
        seqs.extend(
            page["messages"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["seq"].as_i64().unwrap()),
        );
    }
    assert_eq!(seqs, (21..=130).collect::<Vec<_>>());
}

// Two worker threads: the writer keeps posting while the reader reconnects.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resuming_while_messages_keep_arriving_loses_and_repeats_nothing() {
    // Floods on purpose: no per-user post limit.
    let app = spawn_app_with(|s| s.realtime.post_rate = 0).await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    let room = app.create_room(&alice, "general", "public").await;
    const TOTAL: i64 = 200;
    let writer = {
        let (address, token, room) = (app.address.clone(), alice.token.clone(), room.clone());
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            for i in 1..=TOTAL {
                client
                    .post(format!("{address}/api/v1/rooms/{room}/messages"))
                    .bearer_auth(&token)
                    .json(&json!({"content": format!("m{i}")}))
                    .send()
                    .await
                    .unwrap();
            }
        })
    };
    // Let some messages land first, then resume from the middle while more arrive.
    loop {
        let page = app
            .get(
                &format!("/api/v1/rooms/{room}/history?limit=1"),
                Some(&bob.token),
            )
            .await;
        if page.body["messages"][0]["seq"].as_i64().unwrap_or(0) >= 40 {
            break;
        }
    }
    let mut b = app
        .ws(&format!("/api/v1/chat/{room}?token={}&since=10", bob.token))
        .await;

    let (mut seen, mut live) = (Vec::new(), 0);
    while seen.last().copied().unwrap_or(0) < TOTAL {
        let frame = b.next().await;
        match frame["type"].as_str().unwrap() {
            "history" => seen.extend(
                frame["messages"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|m| m["seq"].as_i64().unwrap()),
            ),
            "message" => {
                live += 1;
                seen.push(frame["seq"].as_i64().unwrap());
            }
            _ => {}
        }
    }
    writer.await.unwrap();
    assert_eq!(seen, (11..=TOTAL).collect::<Vec<_>>());
    // Both sides of the seam were crossed: replayed messages, then live ones.
    assert!(
        live > 0 && live < TOTAL - 10,
        "{live} of the messages came live"
    );
}

#[tokio::test]
async fn the_multiplexed_socket_follows_all_rooms_and_resumes_per_room() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    let one = app.create_room(&alice, "one", "public").await;
    let two = app.create_room(&alice, "two", "public").await;
    for room in [&one, &two] {
        app.post_empty(&format!("/api/v1/rooms/{room}/join"), Some(&bob.token))
            .await
            .assert_status(204);
    }
    for i in 1..=3 {
        app.post_message(&alice, &one, &format!("one-{i}")).await;
        app.post_message(&alice, &two, &format!("two-{i}")).await;
    }

    let mut b = app
        .ws(&format!(
            "/api/v1/ws?token={}&since={one}:1,{two}:2",
            bob.token
        ))
        .await;

    let first = b.next_of("history").await;
    let second = b.next_of("history").await;
    let mut pages = [first, second];
    pages.sort_by_key(|p| p["room_id"].as_str().unwrap().to_owned());
    for page in &pages {
        let expected = if page["room_id"] == one.as_str() {
            vec![2, 3]
        } else {
            vec![3]
        };
        let seqs: Vec<i64> = page["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["seq"].as_i64().unwrap())
            .collect();
        assert_eq!(seqs, expected);
    }
    app.post_message(&alice, &two, "live").await;
    let live = b.next_of("message").await;
    assert_eq!(live["room_id"], two.as_str());

    b.send(json!({"type": "message", "room_id": one, "content": "from ws", "temp_id": "w1"}))
        .await;
    assert_eq!(b.next_of("ack").await["seq"], 4);
    b.send(json!({"type": "message", "content": "no room"}))
        .await;
    assert_eq!(b.next_of("error").await["code"], "room_id_required");
}

#[tokio::test]
async fn join_and_leave_frames_change_what_the_multiplexed_socket_follows() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    let room = app.create_room(&alice, "lobby", "public").await;
    let mut b = app.ws(&format!("/api/v1/ws?token={}", bob.token)).await;
    b.send(json!({"type": "message", "room_id": room, "content": "too early"}))
        .await;
    assert_eq!(b.next_of("error").await["code"], "not_in_room");

    b.send(json!({"type": "join", "room_id": room})).await;
    assert_eq!(b.next_of("history").await["room_id"], room.as_str());
    app.post_message(&alice, &room, "welcome").await;
    assert_eq!(b.next_of("message").await["content"], "welcome");

    b.send(json!({"type": "leave", "room_id": room})).await;
    b.send(json!({"type": "ping"})).await;
    b.next_of("pong").await;
    app.post_message(&alice, &room, "gone").await;
    assert!(
        b.quiet("message", std::time::Duration::from_millis(400))
            .await
    );
}

#[tokio::test]
async fn being_invited_makes_the_multiplexed_socket_follow_the_room() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    let secret = app.create_room(&alice, "secret", "private").await;
    let mut b = app.ws(&format!("/api/v1/ws?token={}", bob.token)).await;
    b.send(json!({"type": "ping"})).await;
    b.next_of("pong").await;

    app.post(
        &format!("/api/v1/rooms/{secret}/members"),
        Some(&alice.token),
        json!({"user_id": bob.id}),
    )
    .await
    .assert_status(204);
    b.until("presence", |f| f["room_id"] == secret.as_str())
        .await;
    app.post_message(&alice, &secret, "psst").await;

    assert_eq!(b.next_of("message").await["content"], "psst");
}
