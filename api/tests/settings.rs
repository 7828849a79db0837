//! Realtime settings README lists, read from the environment of a real `papo serve`:
//! `PAPO_WS_PING_SECS`, `PAPO_WS_QUEUE` and `PAPO_GROUP_COMMIT_MAX`. Each is checked
//! by behaviour the default value would not show.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use futures_util::StreamExt;
use papo_client::{Client, ClientFrame, ServerFrame};
use support::{Options, Server};
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream, client_async,
    tungstenite::{Message, protocol::CloseFrame},
};

type RawSocket = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

async fn logged_in(server: &Server, username: &str) -> Client {
    let mut client = Client::new(&server.url);
    client
        .login(username, &format!("{username}123"))
        .await
        .unwrap();
    client
}

/// A socket on `path` that reads only when asked, with a tiny receive buffer so that
/// not reading backs up into the server quickly.
async fn raw_socket(server: &Server, path: &str) -> RawSocket {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let tcp = socket
        .connect(format!("127.0.0.1:{}", server.port).parse().unwrap())
        .await
        .unwrap();
    let url = format!("ws://127.0.0.1:{}{path}", server.port);
    client_async(url, MaybeTlsStream::Plain(tcp))
        .await
        .unwrap()
        .0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ping_interval_comes_from_papo_ws_ping_secs() {
    let server = Server::start(Options {
        env: &[("PAPO_DEMO", "1"), ("PAPO_WS_PING_SECS", "1")],
        ..Options::default()
    });
    let alice = logged_in(&server, "alice").await;
    let token = alice.session().unwrap().access_token.clone();
    let mut socket = raw_socket(&server, &format!("/api/v1/ws?token={token}")).await;

    // The default interval is 30 s: a ping within 3 s comes from the setting.
    let pinged = tokio::time::timeout(Duration::from_secs(3), async {
        while let Some(message) = socket.next().await {
            if matches!(message.unwrap(), Message::Ping(_)) {
                return;
            }
        }
        panic!("the socket ended before a ping");
    })
    .await;

    assert!(
        pinged.is_ok(),
        "no ping within 3 s with PAPO_WS_PING_SECS=1"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_papo_ws_queue_cuts_a_client_that_does_not_read() {
    let server = Server::start(Options {
        env: &[
            ("PAPO_DEMO", "1"),
            ("PAPO_WS_QUEUE", "4"),
            ("PAPO_POST_RATE", "0"),
        ],
        ..Options::default()
    });
    let alice = logged_in(&server, "alice").await;
    let bob = logged_in(&server, "bob").await;
    let room = alice.room_named("general").await.unwrap().id.to_string();
    let bob_token = bob.session().unwrap().access_token.clone();
    let mut slow = raw_socket(&server, &format!("/api/v1/chat/{room}?token={bob_token}")).await;

    // 600 messages of 16 KB: more than 4 frames plus what the socket buffers hold
    // (megabytes on loopback), fewer than the default queue of 1,024. Alice posts over REST (a socket of hers would
    // be cut too, as she does not read while posting); bob reads nothing meanwhile.
    let body = "😀".repeat(3990);
    for i in 0..600 {
        alice
            .post(&room, &format!("{i} {body}"), None)
            .await
            .unwrap();
    }

    let close = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(message) = slow.next().await {
            match message {
                Ok(Message::Close(frame)) => return frame.map(|f: CloseFrame| u16::from(f.code)),
                Ok(_) => {}
                Err(_) => return None,
            }
        }
        None
    })
    .await
    .expect("bob's socket ends within 10 s");

    assert_eq!(close, Some(4008), "bob is cut as too slow");
    let _ = slow.close(None).await;
}

/// Sends 200 posts without waiting, then every ack; returns the batch histogram's
/// (count, sum) from `/metrics`.
async fn commit_batches_for_a_burst(server: &Server) -> (u64, u64) {
    let alice = logged_in(server, "alice").await;
    let room = alice.room_named("general").await.unwrap().id.to_string();
    let mut socket = alice.room_socket(&room).await.unwrap();
    let before = commit_batches(server).await;
    for i in 0..200 {
        let frame = ClientFrame::Message {
            content: format!("burst {i}"),
            temp_id: None,
            room_id: None,
            reply_to: None,
        };
        socket.send(&frame).await.unwrap();
    }
    let mut acked = 0;
    while acked < 200 {
        let frame = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a frame within 10 s")
            .unwrap()
            .expect("alice's socket stays open");
        if matches!(frame, ServerFrame::Ack { .. }) {
            acked += 1;
        }
    }
    let after = commit_batches(server).await;
    (after.0 - before.0, after.1 - before.1)
}

/// `papo_commit_batch_size`'s count and sum.
async fn commit_batches(server: &Server) -> (u64, u64) {
    let text = reqwest::Client::new()
        .get(format!("{}/metrics", server.url))
        .bearer_auth("scrape-me")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let value = |name: &str| {
        text.lines()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
            .map_or(0, |v| v.trim().parse::<f64>().unwrap() as u64)
    };
    (
        value("papo_commit_batch_size_count"),
        value("papo_commit_batch_size_sum"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn papo_group_commit_max_1_commits_each_message_alone() {
    let env = |max: &'static str| -> Vec<(&'static str, &'static str)> {
        let mut env = vec![
            ("PAPO_DEMO", "1"),
            ("PAPO_POST_RATE", "0"),
            ("PAPO_METRICS_TOKEN", "scrape-me"),
        ];
        if !max.is_empty() {
            env.push(("PAPO_GROUP_COMMIT_MAX", max));
        }
        env
    };
    let grouped = Server::start(Options {
        env: &env(""),
        ..Options::default()
    });
    let (grouped_commits, grouped_posts) = commit_batches_for_a_burst(&grouped).await;
    drop(grouped);
    let alone = Server::start(Options {
        env: &env("1"),
        ..Options::default()
    });
    let (alone_commits, alone_posts) = commit_batches_for_a_burst(&alone).await;

    assert_eq!(grouped_posts, 200);
    assert!(
        grouped_commits < 200,
        "by default a burst shares commits ({grouped_commits} commits for 200 posts)"
    );
    assert_eq!(alone_posts, 200);
    assert_eq!(
        alone_commits, 200,
        "with PAPO_GROUP_COMMIT_MAX=1, one commit per post"
    );
}
