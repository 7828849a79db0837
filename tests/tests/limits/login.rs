//! Login throttling: counted before hashing, keyed by username and address.

use std::net::{IpAddr, Ipv4Addr};

use papo_tests::{PASSWORD, spawn_app};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forty_guesses_sent_at_once_get_ten_evaluations() {
    let app = spawn_app().await;
    app.signup("alice").await;
    let guess = |i: usize| {
        let body = json!({"username": "alice", "password": format!("guess-{i}")});
        app.post("/api/v1/auth/login", None, body)
    };

    let replies = futures_util::future::join_all((0..40).map(guess)).await;

    let judged = replies.iter().filter(|r| r.status == 401).count();
    let throttled: Vec<_> = replies.iter().filter(|r| r.status == 429).collect();
    assert_eq!(judged, 10, "only ten guesses reach the password check");
    assert_eq!(throttled.len(), 30);
    assert!(
        throttled
            .iter()
            .all(|r| r.headers.contains_key("retry-after"))
    );
}

#[tokio::test]
async fn a_guesser_elsewhere_does_not_lock_the_owner_out() {
    let app = spawn_app().await;
    app.signup("alice").await;
    for i in 0..10 {
        let body = json!({"username": "alice", "password": format!("guess-{i}")});
        app.post("/api/v1/auth/login", None, body)
            .await
            .assert_problem(401, "invalid_credentials");
    }
    let locked = json!({"username": "alice", "password": PASSWORD});
    app.post("/api/v1/auth/login", None, locked.clone())
        .await
        .assert_problem(429, "too_many_attempts");

    // The owner, from another address (127.0.0.2 is loopback too).
    let owner = reqwest::Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)))
        .build()
        .unwrap();
    let reply = app
        .send(owner.post(app.url("/api/v1/auth/login")).json(&locked))
        .await;

    reply.assert_status(200);
}

#[tokio::test]
async fn an_over_long_username_is_refused_without_a_hash() {
    let app = spawn_app().await;
    let body = json!({"username": "a".repeat(65), "password": PASSWORD});

    let replies: Vec<_> = futures_util::future::join_all(
        (0..20).map(|_| app.post("/api/v1/auth/login", None, body.clone())),
    )
    .await;

    for reply in replies {
        reply.assert_problem(401, "invalid_credentials");
    }
}

#[tokio::test]
async fn sign_ups_per_address_are_limited_and_other_addresses_are_not() {
    let app = papo_tests::spawn_app_with(|s| s.server.signups_per_hour = 3).await;
    for i in 0..3 {
        app.register("N", &format!("user{i}"), PASSWORD)
            .await
            .assert_status(201);
    }

    let fourth = app.register("N", "user3", PASSWORD).await;
    let elsewhere = reqwest::Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 3)))
        .build()
        .unwrap();
    let body = json!({"name": "N", "username": "user4", "password": PASSWORD});
    let other = app
        .send(elsewhere.post(app.url("/api/v1/users")).json(&body))
        .await;

    fourth.assert_problem(429, "rate_limited");
    assert!(fourth.headers.contains_key("retry-after"));
    other.assert_status(201);
}

#[tokio::test]
async fn a_connection_holding_half_a_request_is_closed_once_idle() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = papo_tests::spawn_app_with(|s| {
        s.server.idle_timeout_secs = 1;
        s.realtime.ws_ping_secs = 1;
    })
    .await;
    let mut slow = tokio::net::TcpStream::connect(("127.0.0.1", app.port))
        .await
        .unwrap();
    slow.write_all(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-")
        .await
        .unwrap();

    let mut rest = Vec::new();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        slow.read_to_end(&mut rest),
    )
    .await;

    assert!(
        read.is_ok(),
        "the server still holds the half request after 20 s"
    );
}
