//! Every error is an RFC 9457 problem with a stable code, whatever the client sent.
use papo_tests::{PASSWORD, spawn_app, spawn_app_with};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn an_unknown_route_is_a_not_found_problem() {
    let app = spawn_app().await;

    let reply = app.get("/api/v1/nothing-here", None).await;

    reply.assert_problem(404, "not_found");
    assert_eq!(reply.body["type"], "about:blank");
    assert_eq!(reply.body["title"], "Not Found");
}

#[tokio::test]
async fn a_wrong_method_is_a_method_not_allowed_problem_that_says_what_is_allowed() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let room = app.create_room(&alice, "general", "public").await;

    let reply = app
        .request(
            Method::PUT,
            "/api/v1/rooms",
            Some(&alice.token),
            Some(json!({})),
        )
        .await;
    let on_a_room = app
        .request(
            Method::POST,
            &format!("/api/v1/rooms/{room}"),
            Some(&alice.token),
            None,
        )
        .await;
    let elsewhere = app.request(Method::POST, "/health", None, None).await;

    reply.assert_problem(405, "method_not_allowed");
    // RFC 9110 requires Allow on a 405.
    assert_eq!(reply.headers["allow"], "GET, HEAD, POST");
    assert_eq!(on_a_room.headers["allow"], "GET, HEAD, PATCH, DELETE");
    assert_eq!(elsewhere.headers["allow"], "GET, HEAD");
}

#[tokio::test]
async fn a_body_that_is_not_json_is_malformed() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;

    let body = b"{\"name\": \"general\"".to_vec();
    let reply = app
        .post_raw(
            "/api/v1/rooms",
            Some(&alice.token),
            "application/json",
            body,
        )
        .await;

    reply.assert_problem(400, "malformed_json");
}

#[tokio::test]
async fn a_missing_body_where_one_is_required_is_malformed() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;

    let typed = app
        .post_raw(
            "/api/v1/rooms",
            Some(&alice.token),
            "application/json",
            vec![],
        )
        .await;
    let bare = app.post_empty("/api/v1/rooms", Some(&alice.token)).await;

    typed.assert_problem(400, "malformed_json");
    bare.assert_problem(400, "malformed_json");
}

#[tokio::test]
async fn a_body_that_is_not_utf8_is_malformed() {
    let app = spawn_app().await;

    let body = b"{\"name\": \"\xff\xfe\", \"username\": \"x\", \"password\": \"y\"}".to_vec();
    let reply = app
        .post_raw("/api/v1/users", None, "application/json", body)
        .await;

    reply.assert_problem(400, "malformed_json");
}

#[tokio::test]
async fn a_field_of_the_wrong_type_is_named() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;

    let reply = app
        .post("/api/v1/rooms", Some(&alice.token), json!({"name": 42}))
        .await;

    reply.assert_invalid_field("name");
    let error = &reply.body["errors"][0];
    assert!(!error["message"].as_str().unwrap().is_empty());
}

#[tokio::test]
async fn a_path_id_that_is_not_a_uuid_names_nothing() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let token = Some(alice.token.as_str());

    let room = app.get("/api/v1/rooms/general", token).await;
    let status = app.get("/api/v1/users/alice/status", token).await;
    let message = app.delete("/api/v1/messages/42", token).await;

    for reply in [room, status, message] {
        reply.assert_problem(404, "not_found");
    }
}

#[tokio::test]
async fn a_body_over_the_configured_limit_is_too_large() {
    let app = spawn_app_with(|s| s.server.max_body_bytes = 1024).await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    let path = format!("/api/v1/rooms/{room}/messages");

    let small = app
        .post(
            &path,
            Some(&alice.token),
            json!({"content": "a".repeat(900)}),
        )
        .await;
    let big = app
        .post(
            &path,
            Some(&alice.token),
            json!({"content": "a".repeat(2000)}),
        )
        .await;

    small.assert_status(201);
    big.assert_problem(413, "payload_too_large");
}

#[tokio::test]
async fn a_body_over_one_mebibyte_is_too_large_by_default() {
    let app = spawn_app().await;

    let padding = "x".repeat(1024 * 1024 + 100);
    let body = json!({"name": padding, "username": "big", "password": PASSWORD});
    let reply = app.post("/api/v1/users", None, body).await;

    reply.assert_problem(413, "payload_too_large");
}

#[tokio::test]
async fn a_large_body_under_the_default_limit_reaches_validation() {
    let app = spawn_app().await;

    let padding = "x".repeat(512 * 1024);
    let body = json!({"name": padding, "username": "big", "password": PASSWORD});
    let reply = app.post("/api/v1/users", None, body).await;

    reply.assert_invalid_field("name");
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;

    let replies = [
        app.get("/health", None).await,
        app.get("/api/v1/rooms", Some(&alice.token)).await,
        app.get("/api/v1/rooms", None).await,
        app.get("/no/such/route", None).await,
        app.post("/api/v1/users", None, json!({})).await,
    ];

    let mut ids = Vec::new();
    for reply in &replies {
        let id = reply.headers.get("x-request-id");
        assert!(
            id.is_some_and(|v| !v.is_empty()),
            "{} {}",
            reply.status,
            reply.text
        );
        ids.push(id.unwrap().to_str().unwrap().to_owned());
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), replies.len(), "request ids repeat: {ids:?}");
}
