//! Posting, acknowledgement, fan-out and ordering.

use std::collections::HashSet;

use papo_tests::spawn_app;
use serde_json::json;

#[tokio::test]
async fn a_message_is_acked_to_its_sender_and_delivered_to_others_not_echoed() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    let room = app.create_room(&alice, "general", "public").await;
    let mut a = app.chat(&room, &alice.token).await;
    let mut b = app.chat(&room, &bob.token).await;
    a.next_of("history").await;
    b.next_of("history").await;

    a.send(json!({"type": "message", "content": "hello bob", "temp_id": "t-1"}))
        .await;

    let ack = a.next_of("ack").await;
    assert_eq!(ack["temp_id"], "t-1");
    assert_eq!(ack["seq"], 1);
    assert_eq!(ack["room_id"], room.as_str());
    assert!(ack["id"].is_string() && ack["timestamp"].is_string());
    let message = b.next_of("message").await;
    assert_eq!(message["content"], "hello bob");
    assert_eq!(message["seq"], 1);
    assert_eq!(message["user"]["username"], "alice");
    assert_eq!(message["id"], ack["id"]);
    assert!(
        a.quiet("message", std::time::Duration::from_millis(300))
            .await,
        "echoed to sender"
    );
}

#[tokio::test]
async fn a_frame_with_content_and_no_type_is_a_message() {
    let app = spawn_app().await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    let mut a = app.chat(&room, &alice.token).await;
    a.next_of("history").await;

    a.send(json!({"content": "old client"})).await;

    let ack = a.next_of("ack").await;
    assert_eq!(ack["seq"], 1);
    assert!(ack["temp_id"].is_null());
}

#[tokio::test]
async fn rest_posts_are_broadcast_like_socket_posts() {
    let app = spawn_app().await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    let mut a = app.chat(&room, &alice.token).await;
    a.next_of("history").await;

    app.post_message(&alice, &room, "from a script").await;

    let message = a.next_of("message").await;
    assert_eq!(message["content"], "from a script");
}

#[tokio::test]
async fn a_retried_temp_id_is_stored_once_and_acked_with_the_original() {
    let app = spawn_app().await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    let mut a = app.chat(&room, &alice.token).await;
    a.next_of("history").await;

    a.send(json!({"content": "once", "temp_id": "same"})).await;
    let first = a.next_of("ack").await;
    a.send(json!({"content": "once", "temp_id": "same"})).await;
    let second = a.next_of("ack").await;
    a.send(json!({"content": "different", "temp_id": "same"}))
        .await;
    let error = a.next_of("error").await;

    assert_eq!(first["id"], second["id"]);
    assert_eq!(first["seq"], second["seq"]);
    assert_eq!(error["code"], "temp_id_conflict");
    assert_eq!(error["temp_id"], "same");
    let history = app
        .get(&format!("/api/v1/rooms/{room}/history"), Some(&alice.token))
        .await;
    assert_eq!(history.body["pagination"]["total_messages"], 1);
}

// Two worker threads: the senders really run at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_senders_get_gap_free_seqs_seen_in_order_by_everyone() {
    let app = spawn_app().await;
    let (_owner, room) = app.signup_with_room("owner", "busy", "public").await;
    let mut listeners = Vec::new();
    for name in ["listener1", "listener2"] {
        let user = app.signup(name).await;
        let mut socket = app.chat(&room, &user.token).await;
        socket.next_of("history").await;
        listeners.push(socket);
    }
    const SENDERS: usize = 4;
    const EACH: usize = 25;
    let mut tasks = Vec::new();
    for s in 0..SENDERS {
        let user = app.signup(&format!("sender{s}")).await;
        let mut socket = app.chat(&room, &user.token).await;
        socket.next_of("history").await;
        tasks.push(tokio::spawn(async move {
            for i in 0..EACH {
                socket
                    .send(json!({"content": format!("{s}-{i}"), "temp_id": format!("{s}-{i}")}))
                    .await;
            }
            let mut seqs = Vec::new();
            while seqs.len() < EACH {
                let ack = socket.next_of("ack").await;
                seqs.push(ack["seq"].as_i64().unwrap());
            }
            seqs
        }));
    }
    let mut acked = HashSet::new();
    for task in tasks {
        acked.extend(task.await.unwrap());
    }
    let total = (SENDERS * EACH) as i64;
    assert_eq!(
        acked,
        (1..=total).collect::<HashSet<_>>(),
        "gap-free, no duplicates"
    );
    for listener in &mut listeners {
        let mut previous = 0;
        for _ in 0..total {
            let message = listener.next_of("message").await;
            let seq = message["seq"].as_i64().unwrap();
            assert_eq!(seq, previous + 1, "in seq order");
            previous = seq;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_sent_before_the_first_ack_is_still_stored_once() {
    let app = spawn_app().await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    let other_room = app.create_room(&alice, "other", "public").await;
    let mut a = app.chat(&room, &alice.token).await;
    a.next_of("history").await;
    let mut blocker = app.chat(&other_room, &alice.token).await;
    blocker.next_of("history").await;

    // Commits stall (another connection holds the rooms' rows / SQLite's write lock)
    // while a post in the other room is being committed, so the four below queue up
    // behind it and are committed together: the twins meet in one batch.
    let lock = app.hold_rows("UPDATE rooms SET last_seq = last_seq").await;
    blocker.send(json!({"content": "first in line"})).await;
    for _ in 0..3 {
        a.send(json!({"content": "hurry", "temp_id": "dup"})).await;
    }
    a.send(json!({"content": "other words", "temp_id": "dup"}))
        .await;
    // Frames are handled in order: the answer to `who` means all four were queued.
    a.send(json!({"type": "who"})).await;
    a.next_of("presence").await;
    lock.release().await;

    let acks = [
        a.next_of("ack").await,
        a.next_of("ack").await,
        a.next_of("ack").await,
    ];
    assert!(
        acks.iter()
            .all(|ack| ack["id"] == acks[0]["id"] && ack["seq"] == 1),
        "{acks:?}"
    );
    assert_eq!(a.next_of("error").await["code"], "temp_id_conflict");
    assert_eq!(app.stored_seqs(&room).await, vec![1]);
}

/// A sender's own post is acked, not echoed; others' posts committed in the same batch
/// just before its own can reach its socket after its ack. Each sender must still see
/// every seq once: its own as acks, everyone else's as messages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn senders_see_every_other_post_around_their_own_acks() {
    let app = spawn_app().await;
    let (_owner, room) = app.signup_with_room("owner", "busy", "public").await;
    const SENDERS: usize = 4;
    const EACH: usize = 50;
    const TOTAL: usize = SENDERS * EACH;
    let mut sockets = Vec::new();
    for s in 0..SENDERS {
        let user = app.signup(&format!("sender{s}")).await;
        let mut socket = app.chat(&room, &user.token).await;
        socket.next_of("history").await;
        sockets.push(socket);
    }
    let mut tasks = Vec::new();
    for (s, mut socket) in sockets.into_iter().enumerate() {
        tasks.push(tokio::spawn(async move {
            for i in 0..EACH {
                socket
                    .send(json!({"content": format!("{s}-{i}"), "temp_id": format!("{s}-{i}")}))
                    .await;
            }
            let mut seen = Vec::new();
            while seen.len() < TOTAL {
                let frame = socket.next().await;
                match frame["type"].as_str() {
                    Some("ack") | Some("message") => seen.push(frame["seq"].as_i64().unwrap()),
                    _ => {}
                }
            }
            seen
        }));
    }
    for (s, task) in tasks.into_iter().enumerate() {
        let mut seen = task.await.unwrap();
        seen.sort_unstable();
        assert_eq!(
            seen,
            (1..=TOTAL as i64).collect::<Vec<_>>(),
            "sender{s} saw every seq once"
        );
    }
}
