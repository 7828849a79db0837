//! Connection discipline: logout, slow consumers, shutdown.

use std::time::Duration;

use papo_tests::{spawn_app, spawn_app_with};
use serde_json::json;

#[tokio::test]
async fn logging_out_closes_the_users_sockets_with_4401() {
    let app = spawn_app().await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    let mut a = app.chat(&room, &alice.token).await;
    let mut all = app.ws(&format!("/api/v1/ws?token={}", alice.token)).await;
    a.next_of("history").await;
    // A pong means the server runs the connection, so logout must reach it.
    all.frames_before_pong().await;

    app.post_empty("/api/v1/auth/logout", Some(&alice.token))
        .await
        .assert_status(204);

    assert_eq!(a.closed().await.code, 4401);
    assert_eq!(all.closed().await.code, 4401);
}

#[tokio::test]
async fn deleting_the_room_closes_its_sockets_with_4404() {
    let app = spawn_app().await;
    let (alice, room) = app.signup_with_room("alice", "doomed", "public").await;
    let mut a = app.chat(&room, &alice.token).await;
    a.next_of("history").await;

    app.delete(&format!("/api/v1/rooms/{room}"), Some(&alice.token))
        .await
        .assert_status(204);

    assert_eq!(a.closed().await.code, 4404);
}

/// A client still sending when the server closes must read the close frame: a server
/// that drops the connection with the client's frames unread answers them with a TCP
/// reset, which can discard the close frame before the client reads it (1006).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_still_sending_when_the_server_closes_gets_the_close_frame() {
    // The client floods pings: room in its queue for every pong.
    let app = spawn_app_with(|s| s.realtime.ws_queue = 1 << 20).await;
    let alice = app.signup("alice").await;
    for round in 0..10 {
        let room = app
            .create_room(&alice, &format!("doomed{round}"), "public")
            .await;
        let mut socket = app.chat(&room, &alice.token).await;
        socket.next_of("history").await;
        let closing = tokio::spawn(socket.closed_while_sending(json!({"type": "ping"})));
        tokio::time::sleep(Duration::from_millis(50)).await;

        app.delete(&format!("/api/v1/rooms/{room}"), Some(&alice.token))
            .await
            .assert_status(204);

        let closed = closing.await.expect("the sending client");
        assert_eq!(closed.code, 4404, "round {round}: {closed:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_is_cut_with_4008_and_resumes_losslessly() {
    let app = spawn_app_with(|s| {
        // Floods on purpose: no per-user post limit.
        s.realtime.post_rate = 0;
        s.realtime.ws_queue = 64;
    })
    .await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    let carol = app.signup("carol").await;
    let room = app.create_room(&alice, "firehose", "public").await;
    let mut slow = app
        .ws_slow_reader(&format!("/api/v1/chat/{room}?token={}", bob.token))
        .await;
    let mut fast = app.chat(&room, &carol.token).await;
    slow.next_of("presence").await;
    fast.next_of("presence").await;
    let mut sender = app.chat(&room, &alice.token).await;
    sender.next_of("history").await;

    // Big messages (4-byte characters) fill the socket buffers quickly; bob reads
    // nothing meanwhile.
    const TOTAL: i64 = 600;
    let body = "😀".repeat(3990);
    let carol_reads = tokio::spawn(async move {
        let mut last = 0;
        while last < TOTAL {
            let seq = fast.next_of("message").await["seq"].as_i64().unwrap();
            assert_eq!(seq, last + 1, "a reading client misses nothing");
            last = seq;
        }
    });
    // The sender waits for its acks every 10 messages: a firehose limited by
    // commits, which a reading client keeps up with.
    for i in 1..=TOTAL {
        sender.send(json!({"content": format!("{i} {body}")})).await;
        if i % 10 == 0 {
            for _ in 0..10 {
                sender.next_of("ack").await;
            }
        }
    }
    carol_reads.await.unwrap();

    // Now bob reads: some messages, then the resume point and a 4008 close.
    let mut got = Vec::new();
    let mut resume = None;
    let closed = loop {
        match slow.next_or_close().await {
            Ok(frame) if frame["type"] == "message" => got.push(frame["seq"].as_i64().unwrap()),
            Ok(frame) if frame["type"] == "error" => {
                assert_eq!(frame["code"], "slow_consumer");
                resume = frame["resume"][room.as_str()].as_i64();
            }
            Ok(_) => {}
            Err(closed) => break closed,
        }
    };
    assert_eq!(closed.code, 4008, "{closed:?}");
    let last = got.last().copied().unwrap_or(0);
    // The reason names the room and the seq to resume from.
    assert!(
        closed.reason.contains(&format!("\"{room}\":{last}")),
        "{closed:?}"
    );
    assert_eq!(resume, Some(last));
    assert!(last < TOTAL, "bob was cut before the end");

    let mut again = app
        .ws(&format!(
            "/api/v1/chat/{room}?token={}&since={last}",
            bob.token
        ))
        .await;
    while got.last().copied().unwrap_or(0) < TOTAL {
        let page = again.next_of("history").await;
        got.extend(
            page["messages"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["seq"].as_i64().unwrap()),
        );
    }
    // Bob followed the room before the first post: everything from seq 1.
    assert_eq!(
        got,
        (1..=TOTAL).collect::<Vec<_>>(),
        "nothing lost or repeated"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_queue_drops_typing_frames_and_the_connection_survives() {
    let app = spawn_app_with(|s| {
        s.realtime.ws_queue = 8;
        // The flood is the point: no per-socket frame budget.
        s.realtime.frame_rate = 0;
    })
    .await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    let room = app.create_room(&alice, "chatter", "public").await;
    let mut slow = app
        .ws_slow_reader(&format!("/api/v1/chat/{room}?token={}", bob.token))
        .await;
    slow.next_of("presence").await;
    let mut typist = app.chat(&room, &alice.token).await;
    typist.next_of("history").await;

    // Every toggle changes alice's typing state, so each one is a frame for bob, who
    // reads nothing meanwhile: far more than his queue (8) and socket buffers hold.
    const TOGGLES: usize = 3000;
    let toggles = (0..TOGGLES).map(|i| json!({"type": "typing", "is_typing": i % 2 == 0}));
    // Alice reads as she types (her own queue is as small); her pong comes after the
    // server handled every toggle, so each frame for bob has been queued or dropped.
    let mut typist = typist.send_reading(toggles).await;

    // Bob reads what reached him, then the room is quiet again.
    let mut typing = 0;
    while let Ok(frame) = tokio::time::timeout(Duration::from_millis(500), slow.next()).await {
        assert_ne!(frame["type"], "message");
        if frame["type"] == "typing" {
            typing += 1;
        }
    }
    typist
        .send(json!({"type": "message", "content": "still here?"}))
        .await;
    let message = slow.next_of("message").await;

    assert!(typing > 0, "some typing frames arrive");
    assert!(
        typing < TOGGLES,
        "a full queue drops typing frames ({typing} of {TOGGLES} arrived)"
    );
    assert_eq!(message["content"], "still here?", "the connection survived");
    slow.stays_open(Duration::from_millis(200)).await;
}

#[tokio::test]
async fn shutdown_closes_sockets_with_1001_and_keeps_every_acked_message() {
    let app = spawn_app().await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    let mut a = app.chat(&room, &alice.token).await;
    a.next_of("history").await;
    for i in 0..20 {
        a.send(json!({"content": format!("m{i}"), "temp_id": format!("t{i}")}))
            .await;
    }
    let mut acked = Vec::new();
    let closed = {
        let app_stop = app.stop_handle();
        let mut stopped = false;
        loop {
            match a.next_or_close().await {
                Ok(frame) if frame["type"] == "ack" => {
                    acked.push(frame["seq"].as_i64().unwrap());
                    if acked.len() == 5 && !stopped {
                        app_stop.stop();
                        stopped = true;
                    }
                }
                Ok(_) => {}
                Err(closed) => break closed,
            }
        }
    };
    assert_eq!(closed.code, 1001);
    let stored = app.stored_seqs(&room).await;
    for seq in acked {
        assert!(stored.contains(&seq), "acked seq {seq} was lost");
    }
}

#[tokio::test]
async fn a_peer_that_answers_pings_stays_and_a_silent_one_is_dropped() {
    let app = spawn_app_with(|s| s.realtime.ws_ping_secs = 1).await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    let mut lively = app.chat(&room, &alice.token).await;
    let mut silent = app.chat(&room, &alice.token).await;
    let silent_for = tokio::time::sleep(std::time::Duration::from_millis(3500));

    // Reading lets the client library answer the server's pings.
    lively
        .stays_open(std::time::Duration::from_millis(3500))
        .await;
    lively.send(json!({"type": "ping"})).await;
    assert_eq!(lively.next_of("pong").await["type"], "pong");

    // The silent client read nothing for over three intervals: the server let it go.
    silent_for.await;
    assert_eq!(silent.closed().await.code, 1006);
}
