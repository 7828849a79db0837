//! What the multi-node tests share: a fresh PostgreSQL database, `papo serve`
//! processes on it, a NATS server of their own, and small client helpers.

use std::{process::Command, time::Duration};

use papo_client::{Client, ClientFrame, ServerFrame, Socket};
use sea_orm::{ConnectionTrait, Database};

use crate::support::{self, Options, Server};

pub(crate) const SECRET: &str = "multinode-secret-multinode-secret-multinode";

pub(crate) const ENV: &[(&str, &str)] = &[
    ("JWT_SECRET", SECRET),
    ("PAPO_SIGNUPS_PER_HOUR", "0"),
    ("PAPO_POST_RATE", "0"),
    ("PAPO_CONNECTIONS_PER_ADDRESS", "0"),
    ("PAPO_BUS_CHECK_SECS", "2"),
    ("PAPO_NODE_TIMEOUT_SECS", "3"),
];

/// A fresh database on the test PostgreSQL server, dropped at the end.
pub(crate) struct FreshDb {
    pub(crate) admin: String,
    pub(crate) name: String,
    pub(crate) url: String,
}

impl FreshDb {
    pub(crate) async fn create() -> Option<Self> {
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
    pub(crate) async fn cut_listeners(&self) -> u64 {
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

pub(crate) fn server_base(url: &str) -> String {
    let url = url.split('?').next().unwrap_or(url);
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(slash) => url[..after_scheme + slash].to_owned(),
        None => url.trim_end_matches('/').to_owned(),
    }
}

pub(crate) fn node(db: &FreshDb) -> Server {
    Server::start(Options {
        env: ENV,
        database_url: Some(db.url.clone()),
        ..Options::default()
    })
}

pub(crate) async fn user(node: &Server, name: &str) -> Client {
    let mut client = Client::new(&node.url);
    if client.login(name, "password123").await.is_err() {
        client.register(name, name, "password123").await.unwrap();
        client.login(name, "password123").await.unwrap();
    }
    client
}

/// The same account, logged in on another node (another session).
pub(crate) async fn on(node: &Server, name: &str) -> Client {
    user(node, name).await
}

/// The next frame, failing after 10 s or on a close.
pub(crate) async fn frame(socket: &mut Socket) -> ServerFrame {
    tokio::time::timeout(Duration::from_secs(10), socket.next())
        .await
        .expect("a frame within 10 s")
        .expect("the socket works")
        .expect("the socket is open")
}

/// Message seqs until `count` arrived (history pages included), in arrival order.
pub(crate) async fn seqs(socket: &mut Socket, count: usize) -> Vec<i64> {
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

pub(crate) async fn closed(socket: &mut Socket) -> u16 {
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
pub(crate) async fn post_many(mut socket: Socket, tag: &str, count: usize) -> Vec<i64> {
    for i in 0..count {
        let post = ClientFrame::Message {
            content: format!("{tag} {i}"),
            temp_id: Some(format!("{tag}-{i}")),
            room_id: None,
            reply_to: None,
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

/// Pipelines `each` posts named after `round`, then waits for their acks.
pub(crate) async fn post_round(sender: &mut Socket, round: usize, each: usize) {
    for i in 0..each {
        let post = ClientFrame::Message {
            content: format!("{round}.{i}"),
            temp_id: Some(format!("{round}.{i}")),
            room_id: None,
            reply_to: None,
        };
        sender.send(&post).await.unwrap();
    }
    let mut acks = 0;
    while acks < each {
        if let ServerFrame::Ack { .. } = frame(sender).await {
            acks += 1;
        }
    }
}

/// Whether node `at` lists `username` among the online users.
pub(crate) async fn online_on(at: &Server, viewer: &Client, username: &str) -> bool {
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
pub(crate) async fn within(limit: Duration, mut ready: impl AsyncFnMut() -> bool) -> bool {
    let start = std::time::Instant::now();
    while start.elapsed() < limit {
        if ready().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    false
}

/// A NATS server of the test's own, on a free port; killed on drop.
pub(crate) struct Nats {
    pub(crate) child: std::process::Child,
    pub(crate) port: u16,
}

impl Nats {
    pub(crate) fn start(port: Option<u16>) -> Option<Self> {
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
