//! Several `papo serve` processes on one fresh PostgreSQL database, tested from
//! outside: messages cross nodes in seq order with no gap under senders on both, edits,
//! deletes, logout and room deletion reach the other node's sockets, a cut LISTEN
//! connection loses nothing; and a second process on one SQLite file refuses to start.
//!
//! PostgreSQL: `PAPO_TEST_DATABASE_URL`'s server, or 127.0.0.1:5432. When it cannot be
//! reached these tests fail under `CI=true` and say so loudly otherwise.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::{process::Command, time::Duration};

use papo_client::{Client, ClientFrame, ServerFrame, Socket};
use sea_orm::{ConnectionTrait, Database};
use support::{Options, PAPO, Server};

const SECRET: &str = "multinode-secret-multinode-secret-multinode";

const ENV: &[(&str, &str)] = &[
    ("JWT_SECRET", SECRET),
    ("PAPO_SIGNUPS_PER_HOUR", "0"),
    ("PAPO_POST_RATE", "0"),
    ("PAPO_CONNECTIONS_PER_ADDRESS", "0"),
    ("PAPO_BUS_CHECK_SECS", "2"),
    ("PAPO_NODE_TIMEOUT_SECS", "3"),
];

/// A fresh database on the test PostgreSQL server, dropped at the end.
struct FreshDb {
    admin: String,
    name: String,
    url: String,
}

impl FreshDb {
    async fn create() -> Option<Self> {
        let base = std::env::var("PAPO_TEST_DATABASE_URL")
            .ok()
            .filter(|url| url.starts_with("postgres"))
            .map(|url| server_base(&url))
            .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432".into());
        let admin = format!("{base}/postgres");
        let connection = match Database::connect(admin.clone()).await {
            Ok(connection) => connection,
            Err(err) => {
                assert!(
                    std::env::var("CI").as_deref() != Ok("true"),
                    "PostgreSQL at {base} is needed for the multi-node tests: {err}"
                );
                eprintln!("!!! SKIPPED: no PostgreSQL at {base} for the multi-node tests: {err}");
                return None;
            }
        };
        let name = format!("papo_nodes_{}", uuid::Uuid::new_v4().simple());
        connection
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .unwrap();
        Some(Self {
            url: format!("{base}/{name}"),
            admin,
            name,
        })
    }

    /// Ends the connections listening for notices (every node's): a bus cut.
    async fn cut_listeners(&self) -> u64 {
        let connection = Database::connect(self.admin.clone()).await.unwrap();
        let sql = format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = '{}' AND application_name = 'papo-listen'",
            self.name
        );
        connection
            .execute_unprepared(&sql)
            .await
            .unwrap()
            .rows_affected()
    }
}

impl Drop for FreshDb {
    fn drop(&mut self) {
        let (admin, name) = (self.admin.clone(), self.name.clone());
        let _ = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(async move {
                    if let Ok(connection) = Database::connect(admin).await {
                        let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                        let _ = connection.execute_unprepared(&sql).await;
                    }
                });
        })
        .join();
    }
}

fn server_base(url: &str) -> String {
    let url = url.split('?').next().unwrap_or(url);
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(slash) => url[..after_scheme + slash].to_owned(),
        None => url.trim_end_matches('/').to_owned(),
    }
}

fn node(db: &FreshDb) -> Server {
    Server::start(Options {
        env: ENV,
        database_url: Some(db.url.clone()),
        ..Options::default()
    })
}

async fn user(node: &Server, name: &str) -> Client {
    let mut client = Client::new(&node.url);
    if client.login(name, "password123").await.is_err() {
        client.register(name, name, "password123").await.unwrap();
        client.login(name, "password123").await.unwrap();
    }
    client
}

/// The same account, logged in on another node (another session).
async fn on(node: &Server, name: &str) -> Client {
    user(node, name).await
}

/// The next frame, failing after 10 s or on a close.
async fn frame(socket: &mut Socket) -> ServerFrame {
    tokio::time::timeout(Duration::from_secs(10), socket.next())
        .await
        .expect("a frame within 10 s")
        .expect("the socket works")
        .expect("the socket is open")
}

/// Message seqs until `count` arrived (history pages included), in arrival order.
async fn seqs(socket: &mut Socket, count: usize) -> Vec<i64> {
    let mut seen = Vec::new();
    while seen.len() < count {
        match frame(socket).await {
            ServerFrame::Message(message) => seen.push(message.seq),
            ServerFrame::History { messages, .. } => seen.extend(messages.iter().map(|m| m.seq)),
            _ => {}
        }
    }
    seen
}

async fn closed(socket: &mut Socket) -> u16 {
    loop {
        match tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("closed within 10 s")
        {
            Ok(Ok(_)) => {}
            Ok(Err(closed)) => return closed.code,
            Err(_) => return 1006,
        }
    }
}

/// Pipelines `count` posts, then waits for their acks.
async fn post_many(mut socket: Socket, tag: &str, count: usize) -> Vec<i64> {
    for i in 0..count {
        let post = ClientFrame::Message {
            content: format!("{tag} {i}"),
            temp_id: Some(format!("{tag}-{i}")),
            room_id: None,
        };
        socket.send(&post).await.unwrap();
    }
    let mut acked = Vec::new();
    while acked.len() < count {
        if let ServerFrame::Ack { seq, .. } = frame(&mut socket).await {
            acked.push(seq);
        }
    }
    acked
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_cross_nodes_in_seq_order_under_senders_on_both() {
    let Some(db) = FreshDb::create().await else {
        return;
    };
    let (a, b) = (node(&db), node(&db));
    let owner = user(&a, "owner").await;
    let room = owner
        .create_room("general", false)
        .await
        .unwrap()
        .id
        .to_string();
    let mut listeners = Vec::new();
    for (i, server) in [&a, &b, &a, &b].into_iter().enumerate() {
        let listener = user(server, &format!("listener{i}")).await;
        listener.join(&room).await.unwrap();
        let mut socket = listener.room_socket(&room).await.unwrap();
        assert!(matches!(
            frame(&mut socket).await,
            ServerFrame::History { .. }
        ));
        listeners.push(socket);
    }
    let (ana, bia) = (user(&a, "ana").await, user(&b, "bia").await);
    ana.join(&room).await.unwrap();
    bia.join(&room).await.unwrap();
    const EACH: usize = 300;
    let on_a = tokio::spawn(post_many(ana.room_socket(&room).await.unwrap(), "a", EACH));
    let on_b = tokio::spawn(post_many(bia.room_socket(&room).await.unwrap(), "b", EACH));
    let mut acked: Vec<i64> = on_a.await.unwrap();
    acked.extend(on_b.await.unwrap());
    acked.sort_unstable();

    let total = 2 * EACH;
    assert_eq!(
        acked,
        (1..=total as i64).collect::<Vec<_>>(),
        "gap-free seqs"
    );
    for (i, socket) in listeners.iter_mut().enumerate() {
        let seen = seqs(socket, total).await;
        assert_eq!(
            seen,
            (1..=total as i64).collect::<Vec<_>>(),
            "listener{i} (on node {}) saw every message once, in order",
            if i % 2 == 0 { "a" } else { "b" }
        );
    }

    // A REST post on b, its edit and its deletion on a, reach a socket on a.
    let mut watcher = listeners.remove(0);
    let posted = bia.post(&room, "over REST", None).await.unwrap();
    loop {
        if let ServerFrame::Message(message) = frame(&mut watcher).await {
            assert_eq!(message.content, "over REST");
            break;
        }
    }
    let bia_on_a = on(&a, "bia").await;
    let token = bia_on_a.session().unwrap().access_token.clone();
    let http = reqwest::Client::new();
    let edit = http
        .patch(format!("{}/api/v1/messages/{}", a.url, posted.id))
        .bearer_auth(&token)
        .json(&serde_json::json!({"content": "edited"}))
        .send()
        .await
        .unwrap();
    assert_eq!(edit.status(), 200);
    let mut watcher_b = listeners.remove(0);
    loop {
        if let ServerFrame::Edited { message, .. } = frame(&mut watcher_b).await {
            assert_eq!(message.content, "edited");
            break;
        }
    }
    let deleted = http
        .delete(format!("{}/api/v1/messages/{}", b.url, posted.id))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    loop {
        if let ServerFrame::Deleted { message, .. } = frame(&mut watcher).await {
            assert_eq!(message.id, posted.id);
            break;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_room_deletion_and_joins_reach_the_other_node() {
    let Some(db) = FreshDb::create().await else {
        return;
    };
    let (a, b) = (node(&db), node(&db));
    let owner = user(&a, "owner").await;
    let doomed = owner
        .create_room("doomed", false)
        .await
        .unwrap()
        .id
        .to_string();
    let later = owner
        .create_room("later", false)
        .await
        .unwrap()
        .id
        .to_string();

    // A room socket on b closes 4404 when the room is deleted on a.
    let guest = user(&b, "guest").await;
    guest.join(&doomed).await.unwrap();
    let mut in_doomed = guest.room_socket(&doomed).await.unwrap();
    frame(&mut in_doomed).await;
    // A multiplexed socket on b follows a room its user joins on a.
    let mut everything = guest.socket().await.unwrap();
    everything.send(&ClientFrame::Ping).await.unwrap();
    while !matches!(frame(&mut everything).await, ServerFrame::Pong) {}
    let guest_on_a = on(&a, "guest").await;
    guest_on_a.join(&later).await.unwrap();
    // The join notice may still be on its way: post until one arrives on b.
    let mut got = None;
    for i in 0..50 {
        owner
            .post(&later, &format!("hello {i}"), None)
            .await
            .unwrap();
        if let Ok(Ok(Ok(ServerFrame::Message(message)))) =
            tokio::time::timeout(Duration::from_millis(200), everything.next()).await
        {
            got = Some(message);
            break;
        }
    }
    let got = got.expect("a message of the room joined on a reached the socket on b");
    assert_eq!(got.room_id.to_string(), later);

    let deleted = reqwest::Client::new()
        .delete(format!("{}/api/v1/rooms/{doomed}", a.url))
        .bearer_auth(&owner.session().unwrap().access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    assert_eq!(closed(&mut in_doomed).await, 4404);

    // Logging out everywhere on a closes the user's sockets on b with 4401.
    let logout = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/logout", a.url))
        .bearer_auth(&guest_on_a.session().unwrap().access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 204);
    assert_eq!(closed(&mut everything).await, 4401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cut_bus_loses_and_reorders_nothing() {
    let Some(db) = FreshDb::create().await else {
        return;
    };
    let (a, b) = (node(&db), node(&db));
    let ana = user(&a, "ana").await;
    let room = ana.create_room("busy", false).await.unwrap().id.to_string();
    let bob = user(&b, "bob").await;
    bob.join(&room).await.unwrap();
    let mut listening = bob.room_socket(&room).await.unwrap();
    frame(&mut listening).await;

    // Posts on a in small rounds; the LISTEN connections are cut in the middle.
    let mut sender = ana.room_socket(&room).await.unwrap();
    const ROUNDS: usize = 20;
    const EACH: usize = 10;
    let mut cut = 0;
    for round in 0..ROUNDS {
        if round == ROUNDS / 2 {
            cut = db.cut_listeners().await;
        }
        for i in 0..EACH {
            let post = ClientFrame::Message {
                content: format!("{round}.{i}"),
                temp_id: Some(format!("{round}.{i}")),
                room_id: None,
            };
            sender.send(&post).await.unwrap();
        }
        let mut acks = 0;
        while acks < EACH {
            if let ServerFrame::Ack { .. } = frame(&mut sender).await {
                acks += 1;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    assert!(cut >= 2, "both nodes' listeners were cut ({cut})");
    let total = (ROUNDS * EACH) as i64;
    assert_eq!(
        seqs(&mut listening, ROUNDS * EACH).await,
        (1..=total).collect::<Vec<_>>(),
        "every message once, in order, across the cut"
    );
}

/// Whether node `at` lists `username` among the online users.
async fn online_on(at: &Server, viewer: &Client, username: &str) -> bool {
    let users: serde_json::Value = reqwest::Client::new()
        .get(format!("{}/api/v1/users/online", at.url))
        .bearer_auth(&viewer.session().unwrap().access_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let list = users["users"].as_array().cloned().unwrap_or_default();
    list.iter().any(|u| u["username"] == username)
}

/// Waits up to `limit` for `ready`.
async fn within(limit: Duration, mut ready: impl AsyncFnMut() -> bool) -> bool {
    let start = std::time::Instant::now();
    while start.elapsed() < limit {
        if ready().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_nodes_clients_resume_elsewhere_and_its_users_go_offline() {
    let Some(db) = FreshDb::create().await else {
        return;
    };
    let (a, mut b) = (node(&db), node(&db));
    let sam = user(&a, "sam").await;
    let room = sam
        .create_room("general", false)
        .await
        .unwrap()
        .id
        .to_string();
    let lia = user(&b, "lia").await;
    lia.join(&room).await.unwrap();
    let mut listening = lia.room_socket(&room).await.unwrap();
    frame(&mut listening).await;
    assert!(
        within(Duration::from_secs(5), async || online_on(&a, &sam, "lia")
            .await)
        .await,
        "node a sees lia, connected to b, online"
    );

    // Sam posts on a in rounds; lia reads on b, which is killed meanwhile; she
    // resumes on a from the last seq she saw.
    const ROUNDS: usize = 30;
    const EACH: usize = 10;
    const TOTAL: i64 = (ROUNDS * EACH) as i64;
    let mut sender = sam.room_socket(&room).await.unwrap();
    let posting = tokio::spawn(async move {
        for round in 0..ROUNDS {
            for i in 0..EACH {
                let post = ClientFrame::Message {
                    content: format!("{round}.{i}"),
                    temp_id: Some(format!("{round}.{i}")),
                    room_id: None,
                };
                sender.send(&post).await.unwrap();
            }
            let mut acks = 0;
            while acks < EACH {
                if let ServerFrame::Ack { .. } = frame(&mut sender).await {
                    acks += 1;
                }
            }
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
    });
    let a_url = a.url.clone();
    let reading = tokio::spawn(async move {
        let mut seen = Vec::new();
        let mut moved = false;
        while seen.last().copied().unwrap_or(0) < TOTAL {
            match tokio::time::timeout(Duration::from_secs(10), listening.next())
                .await
                .expect("a frame within 10 s")
            {
                Ok(Ok(ServerFrame::Message(message))) => seen.push(message.seq),
                Ok(Ok(ServerFrame::History { messages, .. })) => {
                    seen.extend(messages.iter().map(|m| m.seq));
                }
                Ok(Ok(_)) => {}
                Ok(Err(_)) | Err(_) => {
                    assert!(!moved, "cut once, when b died");
                    listening.reconnect_to(&a_url).await.unwrap();
                    moved = true;
                }
            }
        }
        (seen, moved)
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    b.child.kill().unwrap();
    b.child.wait().unwrap();
    posting.await.unwrap();
    let (seen, moved) = reading.await.unwrap();

    assert!(moved, "lia's socket on b was cut and resumed on a");
    assert_eq!(
        seen,
        (1..=TOTAL).collect::<Vec<_>>(),
        "every acknowledged message once, in order, across the move"
    );
    assert!(
        within(Duration::from_secs(3), async || online_on(&a, &sam, "lia")
            .await)
        .await,
        "lia, resumed on a, is online"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_nodes_users_go_offline_everywhere() {
    let Some(db) = FreshDb::create().await else {
        return;
    };
    let (a, mut b) = (node(&db), node(&db));
    let viewer = user(&a, "viewer").await;
    let kim = user(&b, "kim").await;
    let mut socket = kim.socket().await.unwrap();
    socket.send(&ClientFrame::Ping).await.unwrap();
    while !matches!(frame(&mut socket).await, ServerFrame::Pong) {}
    assert!(
        within(Duration::from_secs(5), async || online_on(
            &a, &viewer, "kim"
        )
        .await)
        .await,
        "node a sees kim online on b"
    );
    // A node started later learns who is online on the others.
    let c = node(&db);
    assert!(
        within(Duration::from_secs(5), async || online_on(
            &c, &viewer, "kim"
        )
        .await)
        .await,
        "node c, started later, sees kim online on b"
    );

    b.child.kill().unwrap();
    b.child.wait().unwrap();
    let started = std::time::Instant::now();
    assert!(
        within(Duration::from_secs(10), async || !online_on(
            &a, &viewer, "kim"
        )
        .await)
        .await,
        "kim, only on the killed node, went offline on a"
    );
    eprintln!("offline on a {:?} after the kill", started.elapsed());
    assert!(
        within(Duration::from_secs(5), async || !online_on(
            &c, &viewer, "kim"
        )
        .await)
        .await,
        "and on c"
    );
}

/// A NATS server of the test's own, on a free port; killed on drop.
struct Nats {
    child: std::process::Child,
    port: u16,
}

impl Nats {
    fn start(port: Option<u16>) -> Option<Self> {
        let binary = [
            "/usr/sbin/nats-server",
            "/usr/bin/nats-server",
            "/usr/local/bin/nats-server",
        ]
        .into_iter()
        .find(|path| std::path::Path::new(path).exists());
        let Some(binary) = binary else {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "nats-server is needed for the NATS bus test"
            );
            eprintln!("!!! SKIPPED: no nats-server for the NATS bus test");
            return None;
        };
        let port = port.unwrap_or_else(|| {
            std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port()
        });
        let child = Command::new(binary)
            .args(["-a", "127.0.0.1", "-p", &port.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        assert!(
            support::wait_for(Duration::from_secs(10), || {
                std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
            }),
            "nats-server listens"
        );
        Some(Self { child, port })
    }
}

impl Drop for Nats {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_nats_messages_cross_nodes_in_order_and_a_nats_restart_loses_nothing() {
    let Some(db) = FreshDb::create().await else {
        return;
    };
    let Some(nats) = Nats::start(None) else {
        return;
    };
    let bus = format!("nats://127.0.0.1:{}", nats.port);
    let env: Vec<(&str, &str)> = ENV
        .iter()
        .copied()
        .chain([("PAPO_BUS", bus.as_str())])
        .collect();
    let start = || {
        Server::start(Options {
            env: &env,
            database_url: Some(db.url.clone()),
            ..Options::default()
        })
    };
    let (a, b) = (start(), start());
    let ana = user(&a, "ana").await;
    let room = ana
        .create_room("general", false)
        .await
        .unwrap()
        .id
        .to_string();
    let bob = user(&b, "bob").await;
    bob.join(&room).await.unwrap();
    let mut listening = bob.room_socket(&room).await.unwrap();
    frame(&mut listening).await;
    assert!(
        within(Duration::from_secs(5), async || online_on(&a, &ana, "bob")
            .await)
        .await,
        "presence crosses over NATS"
    );

    // Posts on a in rounds; NATS is stopped and started again in the middle.
    let mut sender = ana.room_socket(&room).await.unwrap();
    const ROUNDS: usize = 20;
    const EACH: usize = 10;
    let mut nats = Some(nats);
    for round in 0..ROUNDS {
        if round == ROUNDS / 2 {
            let port = nats.take().unwrap().port;
            nats = Nats::start(Some(port));
        }
        for i in 0..EACH {
            let post = ClientFrame::Message {
                content: format!("{round}.{i}"),
                temp_id: Some(format!("{round}.{i}")),
                room_id: None,
            };
            sender.send(&post).await.unwrap();
        }
        let mut acks = 0;
        while acks < EACH {
            if let ServerFrame::Ack { .. } = frame(&mut sender).await {
                acks += 1;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let total = (ROUNDS * EACH) as i64;
    assert_eq!(
        seqs(&mut listening, ROUNDS * EACH).await,
        (1..=total).collect::<Vec<_>>(),
        "every message once, in order, across the NATS restart"
    );

    // Row-less events cross too: deleting the room on a closes bob's socket on b.
    let deleted = reqwest::Client::new()
        .delete(format!("{}/api/v1/rooms/{room}", a.url))
        .bearer_auth(&ana.session().unwrap().access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    assert_eq!(closed(&mut listening).await, 4404);
    drop(nats);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_started_at_once_on_a_fresh_database_all_come_up() {
    let Some(db) = FreshDb::create().await else {
        return;
    };
    // Each migrates at start; they must not trip over each other's migrations.
    let url = db.url.clone();
    let starting: Vec<_> = (0..3)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || {
                Server::start(Options {
                    env: ENV,
                    database_url: Some(url),
                    ..Options::default()
                })
            })
        })
        .collect();
    let nodes: Vec<Server> = starting.into_iter().map(|t| t.join().unwrap()).collect();
    let first = user(&nodes[0], "ana").await;
    let room = first
        .create_room("general", false)
        .await
        .unwrap()
        .id
        .to_string();
    let last = user(&nodes[2], "ana").await;
    assert_eq!(
        last.history(&room, None, 10).await.unwrap().messages.len(),
        0
    );
}

#[test]
fn a_second_process_on_one_sqlite_file_refuses_to_start() {
    let first = Server::start(Options {
        env: ENV,
        ..Options::default()
    });
    let output = Command::new(PAPO)
        .arg("serve")
        .env("PAPO_BIND", "127.0.0.1:0")
        .env("DATABASE_URL", first.database_url())
        .env("JWT_SECRET", SECRET)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success(),
        "the second process exited with an error"
    );
    assert!(
        said.contains("another papo process is serving"),
        "it says why: {said}"
    );
    assert!(first.healthy(), "the first one still serves");
}
