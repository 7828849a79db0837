//! Finding users and their presence.
use papo_tests::{PASSWORD, Reply, TestApp, TestUser, spawn_app};
use uuid::Uuid;

async fn list(app: &TestApp, user: &TestUser, query: &str) -> Reply {
    let reply = app
        .get(&format!("/api/v1/users{query}"), Some(&user.token))
        .await;
    reply.assert_status(200);
    reply
}

fn usernames(reply: &Reply) -> Vec<String> {
    reply.body["users"]
        .as_array()
        .unwrap_or_else(|| panic!("no users[] in {}", reply.text))
        .iter()
        .map(|u| u["username"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn me_returns_the_caller_without_secrets() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;

    let reply = app.get("/api/v1/users/me", Some(&alice.token)).await;

    reply.assert_status(200);
    assert_eq!(reply.body["id"], alice.id);
    assert_eq!(reply.body["name"], "Alice");
    assert_eq!(reply.body["username"], "alice");
    assert!(!reply.text.contains("password"), "{}", reply.text);
}

#[tokio::test]
async fn users_are_listed_by_username_ignoring_case() {
    let app = spawn_app().await;
    let carol = app.signup("carol").await;
    app.signup("Alice").await;
    app.signup("bob").await;

    let reply = list(&app, &carol, "").await;

    assert_eq!(usernames(&reply), ["Alice", "bob", "carol"]);
    let first = &reply.body["users"][0];
    assert!(Uuid::parse_str(first["id"].as_str().unwrap()).is_ok());
    assert_eq!(first["name"], "Alice");
    assert_eq!(first["online"], false);
    assert!(first.get("last_seen").is_some(), "{first}");
    assert!(reply.body["next_cursor"].is_null());
}

#[tokio::test]
async fn the_search_matches_part_of_a_username_or_name_in_any_case() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    app.signup("malik").await;
    app.signup("bob").await;
    app.register("Zed Smith", "zeta", PASSWORD)
        .await
        .assert_status(201);

    let by_username = list(&app, &alice, "?q=LI").await;
    let by_name = list(&app, &alice, "?q=smITH").await;

    assert_eq!(usernames(&by_username), ["alice", "malik"]);
    assert_eq!(usernames(&by_name), ["zeta"]);
}

#[tokio::test]
async fn percent_and_underscore_in_the_search_are_literal_characters() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    app.register("100% real", "percent", PASSWORD)
        .await
        .assert_status(201);
    app.register("snake_case", "snake", PASSWORD)
        .await
        .assert_status(201);
    app.register("snakexcase", "lookalike", PASSWORD)
        .await
        .assert_status(201);

    let percent = list(&app, &alice, "?q=%25").await;
    let underscore = list(&app, &alice, "?q=e_c").await;

    assert_eq!(usernames(&percent), ["percent"]);
    assert_eq!(usernames(&underscore), ["snake"]);
}

#[tokio::test]
async fn following_the_cursor_walks_every_user_exactly_once() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    for name in ["bob", "Carol", "dave", "erin", "frank", "Grace"] {
        app.register(name, name, PASSWORD).await.assert_status(201);
    }

    let mut seen = Vec::new();
    let mut query = "?limit=3".to_owned();
    for _ in 0..5 {
        let page = list(&app, &alice, &query).await;
        let names = usernames(&page);
        assert!(names.len() <= 3, "{names:?}");
        seen.extend(names);
        match page.body["next_cursor"].as_str() {
            Some(cursor) => query = format!("?limit=3&cursor={cursor}"),
            None => break,
        }
    }

    let expected = ["alice", "bob", "Carol", "dave", "erin", "frank", "Grace"];
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn a_page_of_users_holds_at_most_100() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    for i in 0..100 {
        let username = format!("user{i:03}");
        app.register("User", &username, PASSWORD)
            .await
            .assert_status(201);
    }

    let reply = list(&app, &alice, "?limit=1000").await;

    assert_eq!(usernames(&reply).len(), 100);
    assert!(
        reply.body["next_cursor"].is_string(),
        "{}",
        reply.body["next_cursor"]
    );
}

#[tokio::test]
async fn a_limit_of_zero_is_invalid() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;

    let reply = app.get("/api/v1/users?limit=0", Some(&alice.token)).await;

    reply.assert_invalid_field("limit");
}

#[tokio::test]
async fn nobody_is_online_without_a_websocket() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    app.signup("bob").await;

    let reply = app.get("/api/v1/users/online", Some(&alice.token)).await;

    reply.assert_status(200);
    assert_eq!(reply.body["users"], serde_json::json!([]));
}

#[tokio::test]
async fn a_users_status_is_offline_until_they_connect() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;

    let reply = app
        .get(
            &format!("/api/v1/users/{}/status", bob.id),
            Some(&alice.token),
        )
        .await;

    reply.assert_status(200);
    assert_eq!(reply.body["user_id"], bob.id);
    assert_eq!(reply.body["status"], "offline");
    assert!(reply.body["last_seen"].is_null());
}

#[tokio::test]
async fn the_status_of_an_unknown_user_is_not_found() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;

    let path = format!("/api/v1/users/{}/status", Uuid::new_v4());
    let reply = app.get(&path, Some(&alice.token)).await;

    reply.assert_problem(404, "user_not_found");
}

#[tokio::test]
async fn listing_users_needs_a_token() {
    let app = spawn_app().await;
    app.signup("alice").await;

    let reply = app.get("/api/v1/users", None).await;

    reply.assert_problem(401, "missing_token");
}
