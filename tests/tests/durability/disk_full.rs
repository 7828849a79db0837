//! The database's disk fills up under socket posts, then space comes back.
//!
//! The SQLite file, or the PostgreSQL database's tablespace, lives on a small tmpfs
//! that the test fills. Posts that fail must get an error, never an ack; everything
//! acknowledged (and every 201 sign-up) must be readable by a fresh connection after
//! the server stops; once space is back the same server stores posts again.

use std::{collections::HashMap, time::Duration};

use papo_tests::{PASSWORD, TestApp, disk::SmallDisk, spawn_app_on, ws::WsClient};
use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::json;

const DISK_BYTES: u64 = 24 * 1024 * 1024;
/// Posts sent before their outcomes are read, as a busy client pipelines them.
const ROUND: usize = 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_is_acknowledged_that_a_full_disk_did_not_store() {
    let Some(mut disk) = SmallDisk::mount(DISK_BYTES) else {
        return;
    };
    let url = disk.database_url().await;
    // The test posts as fast as it can: the per-user post limit would refuse most.
    let app = spawn_app_on(&url, |s| s.realtime.post_rate = 0).await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    let mut socket = app.chat(&room, &alice.token).await;
    socket.next_of("history").await;
    let mut outcomes = Outcomes::default();

    disk.fill(256 * 1024);
    let mut rounds = 0;
    while outcomes.failed < 3 * ROUND {
        rounds += 1;
        assert!(rounds < 400, "the disk never filled: {outcomes:?}");
        outcomes
            .post_round(&mut socket, &format!("full-{rounds}"))
            .await;
    }
    let health_when_full = app.get("/health", None).await;
    let api_health_when_full = app.get("/api/v1/health", None).await;
    let signups_when_full = try_signups(&app, "full").await;
    disk.free();
    let recovered = outcomes.post_round(&mut socket, "freed").await;
    let health_after = wait_for_health(&app).await;
    let signups_after = try_signups(&app, "freed").await;
    app.stop_handle().stop();

    assert_eq!(
        health_when_full.status.as_u16(),
        503,
        "{}",
        health_when_full.text
    );
    assert_eq!(health_when_full.body["database"], "unavailable");
    assert_eq!(api_health_when_full.status.as_u16(), 503);
    assert_eq!(api_health_when_full.body["database"], "unavailable");
    assert_eq!(
        recovered, ROUND,
        "posts are stored again once space is back"
    );
    assert_eq!(health_after, 200, "health recovers once space is back");
    let stored = stored_messages(&url, &room).await;
    for (temp_id, seq) in &outcomes.acked {
        assert_eq!(
            stored.get(temp_id),
            Some(seq),
            "{temp_id} was acknowledged with seq {seq} but is not stored ({outcomes:?})"
        );
    }
    let mut seqs: Vec<i64> = stored.values().copied().collect();
    seqs.sort_unstable();
    let expected: Vec<i64> = (1..=seqs.len() as i64).collect();
    assert_eq!(seqs, expected, "stored seqs have no gaps");
    for username in signups_when_full.iter().chain(&signups_after) {
        let login = app_login_after_restart(&url, username).await;
        assert!(login, "{username} got 201 but is not stored");
    }
    assert!(
        !signups_after.is_empty(),
        "sign-ups work again once space is back"
    );
}

#[derive(Debug, Default)]
struct Outcomes {
    acked: HashMap<String, i64>,
    failed: usize,
    codes: HashMap<String, usize>,
}

impl Outcomes {
    /// Sends a round of posts, reads one outcome per post, and returns how many were
    /// acknowledged.
    async fn post_round(&mut self, socket: &mut WsClient, label: &str) -> usize {
        let content = "x".repeat(3_000);
        for i in 0..ROUND {
            socket
                .send(json!({"type": "message", "content": content, "temp_id": format!("{label}-{i}")}))
                .await;
        }
        let (mut acked, mut settled) = (0, 0);
        while settled < ROUND {
            let frame = socket.next().await;
            match frame["type"].as_str() {
                Some("ack") => {
                    let temp_id = frame["temp_id"].as_str().unwrap().to_owned();
                    self.acked.insert(temp_id, frame["seq"].as_i64().unwrap());
                    acked += 1;
                    settled += 1;
                }
                Some("error") => {
                    assert!(
                        frame["temp_id"].is_string(),
                        "the error names its post: {frame}"
                    );
                    self.failed += 1;
                    let code = frame["code"].as_str().unwrap_or_default().to_owned();
                    *self.codes.entry(code).or_default() += 1;
                    settled += 1;
                }
                // Presence and system frames about this very socket.
                _ => {}
            }
        }
        acked
    }
}

/// Tries three sign-ups; returns the usernames that got 201.
async fn try_signups(app: &TestApp, label: &str) -> Vec<String> {
    let mut created = Vec::new();
    for i in 0..3 {
        let username = format!("{label}{i}");
        let reply = app.register("Someone", &username, PASSWORD).await;
        assert!(
            reply.status.as_u16() == 201 || reply.status.is_server_error(),
            "a sign-up on a full disk either works or fails as the server's fault: {}",
            reply.text
        );
        if reply.status.as_u16() == 201 {
            created.push(username);
        }
    }
    created
}

async fn wait_for_health(app: &TestApp) -> u16 {
    let mut status = 0;
    for _ in 0..50 {
        status = app.get("/health", None).await.status.as_u16();
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    status
}

/// temp_id → seq of every message in `room`, read by a new connection.
async fn stored_messages(url: &str, room: &str) -> HashMap<String, i64> {
    let db = Database::connect(url.to_owned()).await.unwrap();
    let backend = db.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => "SELECT temp_id, seq FROM messages WHERE room_id = $1",
        _ => "SELECT temp_id, seq FROM messages WHERE room_id = ?",
    };
    let room = uuid::Uuid::parse_str(room).unwrap();
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, [room.into()]))
        .await
        .unwrap();
    let stored = rows
        .iter()
        .map(|row| {
            let temp_id: Option<String> = row.try_get("", "temp_id").unwrap();
            (temp_id.unwrap_or_default(), row.try_get("", "seq").unwrap())
        })
        .collect();
    db.close().await.ok();
    stored
}

/// Whether a user row exists, read by a new connection.
async fn app_login_after_restart(url: &str, username: &str) -> bool {
    let db = Database::connect(url.to_owned()).await.unwrap();
    let backend = db.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => "SELECT id FROM users WHERE username = $1",
        _ => "SELECT id FROM users WHERE username = ?",
    };
    let found = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [username.into()],
        ))
        .await
        .unwrap()
        .is_some();
    db.close().await.ok();
    found
}
