//! `GET /metrics` (DESIGN §9): off the public port or behind a token, and the
//! counters move with what the server does. The recorder is one per process, shared
//! by the servers of parallel tests: checks are "moved by at least", never "equals".

use papo_api::settings::Secret;
use papo_tests::{TestApp, spawn_app, spawn_app_with};
use serde_json::json;

const TOKEN: &str = "metrics-token-for-tests";

/// The value of the first sample of `name` whose labels contain `labels`, or 0.
fn sample(text: &str, name: &str, labels: &str) -> f64 {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .find(|line| line.split([' ', '{']).next() == Some(name) && line.contains(labels))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
        .unwrap_or(0.0)
}

async fn scrape(app: &TestApp) -> String {
    let reply = app
        .client
        .get(format!("{}/metrics", app.address))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    let content_type = reply.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    reply.text().await.unwrap()
}

#[tokio::test]
async fn posting_moves_the_counters_that_describe_it() {
    let app = spawn_app_with(|s| s.server.metrics_token = Some(Secret::new(TOKEN))).await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    let bob = app.signup("bob").await;
    app.join(&bob, &room).await;
    let mut listener = app.chat(&room, &bob.token).await;
    listener.next_of("history").await;
    let before = scrape(&app).await;

    app.post(
        &format!("/api/v1/rooms/{room}/messages"),
        Some(&alice.token),
        json!({"content": "counted"}),
    )
    .await
    .assert_status(201);
    listener.next_of("message").await;
    let after = scrape(&app).await;

    for (name, labels) in [
        ("papo_posts_total", ""),
        ("papo_deliveries_total", ""),
        ("papo_commit_duration_seconds_count", ""),
        ("papo_commit_batch_size_count", ""),
        (
            "papo_http_request_duration_seconds_count",
            r#"method="POST",route="/api/v1/rooms/{id}/messages",status="201""#,
        ),
    ] {
        assert!(
            sample(&after, name, labels) >= sample(&before, name, labels) + 1.0,
            "{name}{{{labels}}} did not move:\n{after}"
        );
    }
    assert!(sample(&after, "papo_sockets_open", "") >= 1.0, "{after}");
    assert!(after.contains("papo_db_pool_connections"), "{after}");
    assert!(after.contains("# HELP papo_posts_total"), "{after}");
    // Labels name routes, never rooms or users.
    assert!(!after.contains(&room), "a room id in a label:\n{after}");
}

#[tokio::test]
async fn metrics_need_the_token_on_the_public_port_and_are_absent_without_one() {
    let guarded = spawn_app_with(|s| s.server.metrics_token = Some(Secret::new(TOKEN))).await;
    let plain = spawn_app().await;

    let anonymous = guarded.get("/metrics", None).await;
    let wrong = guarded.get("/metrics", Some("not-the-token")).await;
    let unconfigured = plain.get("/metrics", None).await;

    assert_eq!(anonymous.status, 401);
    assert_eq!(wrong.status, 401);
    assert_eq!(unconfigured.status, 404);
}

#[tokio::test]
async fn metrics_have_a_port_of_their_own_when_asked() {
    let app = spawn_app_with(|s| s.server.metrics_bind = Some(([127, 0, 0, 1], 0).into())).await;
    let port = app.metrics_port.expect("a metrics port");

    let own = reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
        .await
        .unwrap();
    let public = app.get("/metrics", None).await;

    assert_eq!(own.status(), 200);
    assert!(own.text().await.unwrap().contains("papo_"));
    assert_eq!(public.status, 404, "not on the public port");
}
