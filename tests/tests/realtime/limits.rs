//! Posts per user, sockets per user and per node (DESIGN §9).

use papo_tests::spawn_app_with;
use serde_json::json;

#[tokio::test]
async fn posts_past_the_burst_are_refused_with_when_to_retry_and_not_stored() {
    let app = spawn_app_with(|s| {
        s.realtime.post_rate = 1;
        s.realtime.post_burst = 3;
    })
    .await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    let mut socket = app.chat(&room, &alice.token).await;
    socket.next_of("history").await;

    for i in 0..10 {
        socket
            .send(
                json!({"type": "message", "content": format!("m{i}"), "temp_id": format!("t{i}")}),
            )
            .await;
    }
    let (mut acked, mut limited) = (0, Vec::new());
    while acked + limited.len() < 10 {
        let frame = socket.next().await;
        match frame["type"].as_str() {
            Some("ack") => acked += 1,
            Some("error") => limited.push(frame),
            _ => {}
        }
    }

    assert_eq!(acked, 3);
    assert_eq!(limited.len(), 7);
    for frame in &limited {
        assert_eq!(frame["code"], "rate_limited");
        assert!(frame["retry_after_ms"].as_u64().unwrap() > 0, "{frame}");
        assert!(frame["temp_id"].is_string());
    }
    assert_eq!(app.stored_seqs(&room).await.len(), 3);
    let rest = app
        .post(
            &format!("/api/v1/rooms/{room}/messages"),
            Some(&alice.token),
            json!({"content": "over REST too"}),
        )
        .await;
    rest.assert_problem(429, "rate_limited");
    assert!(rest.headers.contains_key("retry-after"));
}

#[tokio::test]
async fn sockets_past_the_per_user_limit_are_closed_4429() {
    let app = spawn_app_with(|s| s.realtime.sockets_per_user = 2).await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    let mut first = app.chat(&room, &alice.token).await;
    let mut second = app.chat(&room, &alice.token).await;
    first.next_of("history").await;
    second.next_of("history").await;

    let mut third = app.chat(&room, &alice.token).await;
    let refused = third.closed().await;
    first.close().await;
    // The server frees the slot once it has seen the close: try until it has.
    let mut accepted = false;
    for _ in 0..50 {
        let mut again = app.chat(&room, &alice.token).await;
        if let Ok(frame) = again.next_or_close().await {
            accepted = frame["type"] == "history";
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    assert_eq!(refused.code, 4429);
    assert!(accepted, "a closed socket frees its slot");
}

#[tokio::test]
async fn sockets_past_the_per_node_limit_are_closed_4429() {
    let app = spawn_app_with(|s| s.realtime.sockets_per_node = 2).await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    let bob = app.signup("bob").await;
    let mut first = app.chat(&room, &alice.token).await;
    let mut second = app.ws(&format!("/api/v1/ws?token={}", bob.token)).await;
    first.next_of("history").await;
    second.send(json!({"type": "ping"})).await;
    second.next_of("pong").await;

    let mut third = app.ws(&format!("/api/v1/ws?token={}", bob.token)).await;
    let refused = third.closed().await;

    assert_eq!(refused.code, 4429);
    assert!(refused.reason.contains("server"), "{}", refused.reason);
}

#[tokio::test]
async fn a_user_reconnecting_in_a_loop_is_told_to_wait_and_the_room_is_not_flooded() {
    let app = spawn_app_with(|s| {
        s.realtime.connect_rate = 1;
        s.realtime.connect_burst = 3;
    })
    .await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    let bob = app.signup("bob").await;
    app.join(&bob, &room).await;
    let mut watcher = app.chat(&room, &bob.token).await;
    watcher.next_of("history").await;

    let mut refused = None;
    for _ in 0..10 {
        let mut socket = app.chat(&room, &alice.token).await;
        match socket.next_or_close().await {
            Ok(_) => socket.close().await,
            Err(closed) => {
                refused = Some(closed);
                break;
            }
        }
    }
    let refused = refused.expect("a connect past the burst is refused");
    // Three connects and three disconnects: six presence changes at most.
    let mut presence_changes = 0;
    while !watcher
        .quiet("system", std::time::Duration::from_millis(300))
        .await
    {
        presence_changes += 1;
    }

    assert_eq!(refused.code, 4429);
    assert!(refused.reason.contains("retry in"), "{}", refused.reason);
    assert!(
        presence_changes <= 6,
        "{presence_changes} system frames reached the room"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_in_many_rooms_can_still_connect_with_a_small_queue() {
    // Being invited into ~1,100 rooms used to cut /api/v1/ws with 4008 on every
    // connect: a reliable "you joined" frame per room overflowed the queue.
    let app = spawn_app_with(|s| s.realtime.ws_queue = 64).await;
    let alice = app.signup("alice").await;
    for i in 0..200 {
        app.create_room(&alice, &format!("room-{i}"), "private")
            .await;
    }

    let mut socket = app.ws(&format!("/api/v1/ws?token={}", alice.token)).await;
    socket.send(json!({"type": "ping"})).await;

    loop {
        match socket.next_or_close().await {
            Ok(frame) if frame["type"] == "pong" => break,
            Ok(frame) => assert_ne!(frame["type"], "system", "told it joined: {frame}"),
            Err(closed) => panic!("the socket was closed: {closed:?}"),
        }
    }
}

#[tokio::test]
async fn no_one_can_be_put_into_more_rooms_than_the_limit() {
    let app = spawn_app_with(|s| s.realtime.rooms_per_user = 2).await;
    let (alice, first) = app.signup_with_room("alice", "first", "public").await;
    let bob = app.signup("bob").await;
    app.create_room(&alice, "second", "public").await;

    let third = app
        .post(
            "/api/v1/rooms",
            Some(&alice.token),
            json!({"name": "third"}),
        )
        .await;
    let bobs_own = app.create_room(&bob, "bobs", "private").await;
    app.join(&bob, &first).await;
    let invited = app
        .post(
            &format!("/api/v1/rooms/{bobs_own}/members"),
            Some(&bob.token),
            json!({"user_id": alice.id}),
        )
        .await;
    let dm = app
        .post(
            "/api/v1/dms",
            Some(&bob.token),
            json!({"user_id": alice.id}),
        )
        .await;

    third.assert_problem(409, "too_many_rooms");
    invited.assert_problem(409, "too_many_rooms");
    dm.assert_problem(409, "too_many_rooms");
}

#[tokio::test]
async fn other_frames_past_the_socket_budget_are_refused_and_pings_stay_free() {
    let app = spawn_app_with(|s| {
        s.realtime.frame_rate = 1;
        s.realtime.frame_burst = 3;
    })
    .await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    let mut socket = app.chat(&room, &alice.token).await;
    socket.next_of("history").await;
    socket.next_of("presence").await;

    for _ in 0..10 {
        socket.send(json!({"type": "who"})).await;
    }
    socket.send(json!({"type": "ping"})).await;
    // A ping is answered as it is read, possibly before the frames sent before it.
    let (mut answered, mut limited, mut ponged) = (0, 0, false);
    while !ponged || answered + limited < 10 {
        let frame = socket.next().await;
        match frame["type"].as_str() {
            Some("presence") => answered += 1,
            Some("error") => {
                assert_eq!(frame["code"], "rate_limited");
                assert!(frame["retry_after_ms"].as_u64().unwrap() > 0);
                limited += 1;
            }
            Some("pong") => ponged = true,
            _ => {}
        }
    }

    assert_eq!((answered, limited), (3, 7));
}
