//! The `papo` command line as README shows it: `migrate` and `migrate --down`, demo
//! seeding across restarts, `papo send` reading standard input, and JSON logs that
//! never hold a password or a token.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::{
    io::Write,
    process::{Command, Stdio},
};

use papo_client::Client;
use support::{Options, PAPO, Server};

fn papo(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    Command::new(PAPO)
        .args(args)
        .envs(env.iter().copied())
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

#[test]
fn migrate_applies_reverts_and_reapplies_from_the_command_line() {
    let dir = std::env::temp_dir().join(format!("papo-cli-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/papo.db", dir.display());
    let env = [("DATABASE_URL", url.as_str())];

    let up = papo(&["migrate"], &env);
    let down = papo(&["migrate", "--down", "1"], &env);
    let again = papo(&["migrate"], &env);
    let served = Server::start(Options {
        dir: Some(dir.clone()),
        ..Options::default()
    });

    for (step, output) in [("migrate", &up), ("--down 1", &down), ("again", &again)] {
        assert!(
            output.status.success(),
            "{step}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    assert!(served.healthy());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_seeding_is_idempotent_and_papo_send_reads_standard_input() {
    let mut first = Server::start(Options {
        env: &[("PAPO_DEMO", "1")],
        ..Options::default()
    });
    let dir = first.keep_dir();
    drop(first);
    // Seeding again on the same database changes nothing and fails nothing.
    let server = Server::start(Options {
        env: &[("PAPO_DEMO", "1")],
        dir: Some(dir),
        ..Options::default()
    });

    let mut child = Command::new(PAPO)
        .args(["send", "--room", "general"])
        .env("PAPO_URL", &server.url)
        .env("PAPO_USERNAME", "bob")
        .env("PAPO_PASSWORD", "bob123")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"deploy finished\nall green\n")
        .unwrap();
    let sent = child.wait_with_output().unwrap();

    assert!(
        sent.status.success(),
        "{}",
        String::from_utf8_lossy(&sent.stderr)
    );
    let mut alice = Client::new(&server.url);
    alice.login("alice", "alice123").await.unwrap();
    let rooms = alice.rooms().await.unwrap();
    let general: Vec<_> = rooms.iter().filter(|r| r.name == "general").collect();
    assert_eq!(general.len(), 1, "one general room after two seedings");
    let history = alice
        .history(&general[0].id.to_string(), None, 50)
        .await
        .unwrap();
    let last = history.messages.last().unwrap();
    assert_eq!(last.content, "deploy finished\nall green");
    assert_eq!(last.user.username, "bob");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_are_one_object_per_line_and_never_hold_a_secret() {
    let server = Server::start(Options {
        env: &[("PAPO_LOG_FORMAT", "json"), ("RUST_LOG", "debug")],
        keep_log: true,
        ..Options::default()
    });
    let password = "correct-horse-battery";
    let mut carol = Client::new(&server.url);
    carol.register("Carol", "carol", password).await.unwrap();
    let session = carol.login("carol", password).await.unwrap();
    let room = carol
        .create_room("logs", false)
        .await
        .unwrap()
        .id
        .to_string();
    // The socket carries its token in the query string, where access logs look.
    let mut socket = carol.room_socket(&room).await.unwrap();
    socket.next().await.unwrap().unwrap();
    carol.refresh().await.unwrap();
    drop(socket);
    std::thread::sleep(std::time::Duration::from_millis(300));

    let log = server.log();
    assert!(log.lines().count() > 5, "{log}");
    for line in log.lines() {
        let parsed: Result<serde_json::Value, _> = serde_json::from_str(line);
        assert!(parsed.is_ok(), "not JSON: {line}");
    }
    assert!(log.contains("/api/v1/chat/"), "requests are logged: {log}");
    let refresh = session.refresh_token.clone().unwrap();
    for secret in [password, session.access_token.as_str(), refresh.as_str()] {
        assert!(!log.contains(secret), "a secret is in the log");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn realtime_settings_are_read_from_the_environment() {
    // PAPO_TYPING_TTL_MS=300: a typing indicator nobody renews lapses well before the
    // default 5 s.
    let server = Server::start(Options {
        env: &[("PAPO_DEMO", "1"), ("PAPO_TYPING_TTL_MS", "300")],
        ..Options::default()
    });
    let mut alice = Client::new(&server.url);
    alice.login("alice", "alice123").await.unwrap();
    let mut bob = Client::new(&server.url);
    bob.login("bob", "bob123").await.unwrap();
    let room = alice.room_named("general").await.unwrap().id.to_string();
    let mut typist = alice.room_socket(&room).await.unwrap();
    let mut watcher = bob.room_socket(&room).await.unwrap();
    typist.next().await.unwrap().unwrap();
    watcher.next().await.unwrap().unwrap();

    typist
        .send(&papo_client::ClientFrame::Typing {
            is_typing: true,
            room_id: None,
        })
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let lapsed = tokio::time::timeout(std::time::Duration::from_secs(3), async {
        let mut seen_typing = false;
        loop {
            if let Ok(papo_client::ServerFrame::Typing { users, .. }) =
                watcher.next().await.unwrap()
            {
                if !users.is_empty() {
                    seen_typing = true;
                } else if seen_typing {
                    return;
                }
            }
        }
    })
    .await;

    assert!(
        lapsed.is_ok(),
        "typing did not lapse within 3 s (the default TTL is 5 s)"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
}
