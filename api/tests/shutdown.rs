//! SIGTERM to a busy `papo serve`: every socket gets a close frame with 1001 (not a
//! cut connection), the process exits cleanly, and after a restart every acknowledged
//! post is there.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use papo_client::{Client, ClientFrame, ServerFrame};
use support::{Options, Server};

const USERS: usize = 10;
const SOCKETS_PER_USER: usize = 8;

const ENV: &[(&str, &str)] = &[
    ("PAPO_SIGNUPS_PER_HOUR", "0"),
    ("PAPO_POST_RATE", "0"),
    ("PAPO_CONNECTIONS_PER_ADDRESS", "0"),
];

async fn logged_in(url: &str, username: &str) -> Client {
    let mut client = Client::new(url);
    client
        .register(username, username, "password123")
        .await
        .unwrap();
    client.login(username, "password123").await.unwrap();
    client
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_closes_every_socket_with_1001_and_keeps_every_acked_post() {
    let mut server = Server::start(Options {
        env: ENV,
        ..Options::default()
    });
    let poster = logged_in(&server.url, "poster").await;
    let room = poster
        .create_room("general", false)
        .await
        .unwrap()
        .id
        .to_string();
    // Listeners keep reading until their socket closes, and say how it closed.
    let mut listeners = Vec::new();
    for i in 0..USERS {
        let user = logged_in(&server.url, &format!("user{i}")).await;
        user.join(&room).await.unwrap();
        for _ in 0..SOCKETS_PER_USER {
            let mut socket = user.socket().await.unwrap();
            listeners.push(tokio::spawn(async move {
                loop {
                    match socket.next().await {
                        Ok(Ok(_)) => {}
                        Ok(Err(closed)) => return closed.code,
                        Err(_) => return 1006,
                    }
                }
            }));
        }
    }
    // The poster pipelines posts (fewer than its queue holds: it reads only after
    // sending) and collects acks until its socket closes.
    let mut posting = poster.room_socket(&room).await.unwrap();
    let poster_task = tokio::spawn(async move {
        for i in 0..900 {
            let post = ClientFrame::Message {
                content: format!("post {i}"),
                temp_id: Some(format!("t{i}")),
                room_id: None,
                reply_to: None,
            };
            if posting.send(&post).await.is_err() {
                break;
            }
        }
        let mut acked = Vec::new();
        let code = loop {
            match posting.next().await {
                Ok(Ok(ServerFrame::Ack { seq, .. })) => acked.push(seq),
                Ok(Ok(_)) => {}
                Ok(Err(closed)) => break closed.code,
                Err(_) => break 1006,
            }
        };
        (acked, code)
    });
    tokio::time::sleep(Duration::from_millis(300)).await;

    server.terminate();
    let mut codes = Vec::new();
    for listener in listeners {
        codes.push(
            tokio::time::timeout(Duration::from_secs(30), listener)
                .await
                .unwrap()
                .unwrap(),
        );
    }
    let (acked, poster_code) = tokio::time::timeout(Duration::from_secs(30), poster_task)
        .await
        .unwrap()
        .unwrap();
    let status = server.exited_within(Duration::from_secs(30));
    let dir = server.keep_dir();
    let restarted = Server::start(Options {
        env: ENV,
        dir: Some(dir),
        ..Options::default()
    });
    let mut reader = Client::new(&restarted.url);
    reader.login("poster", "password123").await.unwrap();
    let mut stored = Vec::new();
    let mut before = None;
    loop {
        let page = reader.history(&room, before, 100).await.unwrap();
        stored.extend(page.messages.iter().map(|m| m.seq));
        match page.next_before {
            Some(next) => before = Some(next),
            None => break,
        }
    }

    let cut: Vec<_> = codes.iter().filter(|&&code| code != 1001).collect();
    assert!(
        cut.is_empty(),
        "sockets closed otherwise than 1001: {cut:?}"
    );
    // The poster is still sending when the server closes; it must read the close
    // frame all the same (the server reads on until the poster's close).
    assert_eq!(poster_code, 1001, "poster closed {poster_code}");
    assert!(status.is_some_and(|s| s.success()), "exit: {status:?}");
    assert!(!acked.is_empty(), "nothing was acked before the stop");
    let missing: Vec<_> = acked.iter().filter(|seq| !stored.contains(seq)).collect();
    assert!(missing.is_empty(), "acked but lost: {missing:?}");
}
