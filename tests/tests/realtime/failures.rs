//! Posts that fail: one bad post in a batch, and a database that is gone.

use std::time::{Duration, Instant};

use papo_tests::spawn_app;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conflicting_post_in_a_burst_fails_alone_and_the_rest_keep_their_order() {
    let app = spawn_app().await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    let mut socket = app.chat(&room, &alice.token).await;
    socket.next_of("history").await;
    socket
        .send(json!({"type": "message", "content": "first", "temp_id": "old"}))
        .await;
    socket.next_of("ack").await;

    for i in 0..60 {
        // Post 30 reuses an earlier temp_id with other content: it fails the batch it
        // lands in, which is retried by halves.
        let temp_id = if i == 30 {
            "old".to_owned()
        } else {
            format!("t{i}")
        };
        socket
            .send(json!({"type": "message", "content": format!("m{i}"), "temp_id": temp_id}))
            .await;
    }
    let (mut acked, mut refused) = (Vec::new(), Vec::new());
    while acked.len() + refused.len() < 60 {
        let frame = socket.next().await;
        match frame["type"].as_str() {
            Some("ack") => acked.push((frame["temp_id"].clone(), frame["seq"].as_i64().unwrap())),
            Some("error") => refused.push(frame),
            _ => {}
        }
    }

    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0]["code"], "temp_id_conflict");
    assert_eq!(refused[0]["temp_id"], "old");
    let seqs: Vec<i64> = acked.iter().map(|(_, seq)| *seq).collect();
    assert_eq!(
        seqs,
        (2..=60).collect::<Vec<_>>(),
        "acked in order, gap-free"
    );
    let expected: Vec<String> = (0..60)
        .filter(|i| *i != 30)
        .map(|i| format!("t{i}"))
        .collect();
    let order: Vec<String> = acked
        .iter()
        .map(|(t, _)| t.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(order, expected, "seqs follow the order of the posts");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_the_database_is_gone_every_queued_post_gets_an_error_and_none_an_ack() {
    let app = spawn_app().await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    let mut socket = app.chat(&room, &alice.token).await;
    socket.next_of("history").await;
    let _outage = app.take_database_away().await;
    let started = Instant::now();

    for i in 0..100 {
        socket
            .send(
                json!({"type": "message", "content": format!("m{i}"), "temp_id": format!("t{i}")}),
            )
            .await;
    }
    let mut failed = 0;
    while failed < 100 {
        // SQLite's busy timeout is 10 s, as long as `next`'s own wait.
        let frame = socket.next_within(Duration::from_secs(30)).await;
        if frame["type"] == "error" {
            assert_eq!(frame["code"], "service_unavailable", "{frame}");
            failed += 1;
        }
        assert_ne!(frame["type"], "ack", "nothing is acknowledged: {frame}");
    }

    // Each post used to wait out the pool's 5 s timeout in turn (30 s and more); on
    // SQLite the first batch waits out the 10 s busy timeout and the rest fail with it.
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ping_is_answered_while_an_earlier_frame_waits_on_the_database() {
    let app = spawn_app().await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    let mut socket = app.chat(&room, &alice.token).await;
    socket.next_of("history").await;
    socket
        .send(json!({"type": "message", "content": "hello", "temp_id": "t"}))
        .await;
    let seq = socket.next_of("ack").await["seq"].clone();
    // Another client of the database holds a write lock on every membership (SQLite:
    // the database's write lock; PostgreSQL: the rows), so marking a read must wait.
    let lock = app
        .hold_rows("UPDATE memberships SET last_read_seq = last_read_seq")
        .await;

    socket.send(json!({"type": "read", "seq": seq})).await;
    socket.send(json!({"type": "ping"})).await;
    let started = Instant::now();
    let first = socket.next().await;
    let waited = started.elapsed();
    lock.release().await;

    assert_eq!(first["type"], "pong", "answered first: {first}");
    assert!(
        waited < Duration::from_secs(3),
        "the pong waited {waited:?} behind the read"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_that_cannot_get_into_a_stalled_writers_queue_is_refused_not_left_waiting() {
    // One post per commit: the writer's queue holds four.
    let app = papo_tests::spawn_app_with(|s| {
        s.realtime.group_commit_max = 1;
        s.realtime.post_rate = 0;
    })
    .await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    let mut socket = app.chat(&room, &alice.token).await;
    socket.next_of("history").await;
    // Another client holds the room's row (SQLite: the write lock), so commits stall.
    let lock = app.hold_rows("UPDATE rooms SET last_seq = last_seq").await;

    for i in 0..8 {
        socket
            .send(
                json!({"type": "message", "content": format!("m{i}"), "temp_id": format!("t{i}")}),
            )
            .await;
    }
    let started = Instant::now();
    let refused = socket.next_of("error").await;
    let waited = started.elapsed();
    lock.release().await;

    assert_eq!(refused["code"], "service_unavailable", "{refused}");
    assert!(refused["temp_id"].is_string(), "{refused}");
    assert!(
        waited < Duration::from_secs(9),
        "refused after {waited:?}, not while the writer was stalled"
    );
}
