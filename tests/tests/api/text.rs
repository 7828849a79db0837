//! What text is accepted: no terminal or direction controls, no NUL (PostgreSQL
//! refuses it, which used to be a 500), no invisible names, no lookalike names.

use papo_tests::{PASSWORD, spawn_app};
use serde_json::json;

#[tokio::test]
async fn messages_with_terminal_escapes_or_direction_overrides_are_refused() {
    let app = spawn_app().await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    let path = format!("/api/v1/rooms/{room}/messages");

    for content in [
        "\u{1b}]2;PWNED\u{7}",
        "clear\u{1b}[2J",
        "c1 \u{9b}31m",
        "\u{202E}gpj.exe",
    ] {
        app.post(&path, Some(&alice.token), json!({"content": content}))
            .await
            .assert_invalid_field("content");
    }
    let mut socket = app.chat(&room, &alice.token).await;
    socket.next_of("history").await;
    socket
        .send(json!({"type": "message", "content": "\u{1b}]52;c;ZXZpbA==\u{7}", "temp_id": "t"}))
        .await;
    let refused = socket.next_of("error").await;
    assert_eq!(refused["code"], "validation_failed");
    assert_eq!(refused["temp_id"], "t");
}

#[tokio::test]
async fn line_breaks_and_tabs_are_kept_and_carriage_returns_become_newlines() {
    let app = spawn_app().await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;

    let stored = app
        .post_message(&alice, &room, "line one\r\nline two\r\tindented")
        .await;

    assert_eq!(stored["content"], "line one\nline two\n\tindented");
}

#[tokio::test]
async fn a_message_of_only_invisible_characters_is_empty() {
    let app = spawn_app().await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;

    app.post(
        &format!("/api/v1/rooms/{room}/messages"),
        Some(&alice.token),
        json!({"content": "\u{200B}\u{200B} \u{FEFF}"}),
    )
    .await
    .assert_invalid_field("content");
}

#[tokio::test]
async fn a_nul_anywhere_is_a_422_never_a_500() {
    let app = spawn_app().await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    let message = app.post_message(&alice, &room, "hello").await;
    let nul = "a\u{0}b";

    let posts = [
        (
            format!("/api/v1/rooms/{room}/messages"),
            json!({"content": nul}),
            "content",
        ),
        (
            format!("/api/v1/rooms/{room}/messages"),
            json!({"content": "x", "temp_id": nul}),
            "temp_id",
        ),
        ("/api/v1/rooms".to_owned(), json!({"name": nul}), "name"),
        (
            "/api/v1/rooms".to_owned(),
            json!({"name": "ok", "description": nul}),
            "description",
        ),
        (
            "/api/v1/users".to_owned(),
            json!({"name": nul, "username": "bob", "password": PASSWORD}),
            "name",
        ),
        (
            "/api/v1/users".to_owned(),
            json!({"name": "Bob", "username": nul, "password": PASSWORD}),
            "username",
        ),
    ];
    for (path, body, field) in posts {
        app.post(&path, Some(&alice.token), body)
            .await
            .assert_invalid_field(field);
    }
    app.patch(
        &format!("/api/v1/messages/{}", message["id"].as_str().unwrap()),
        Some(&alice.token),
        json!({"content": nul}),
    )
    .await
    .assert_invalid_field("content");
    app.get("/api/v1/users?q=a%00b", Some(&alice.token))
        .await
        .assert_invalid_field("q");
    app.get("/api/v1/users?cursor=a%00b", Some(&alice.token))
        .await
        .assert_invalid_field("cursor");
    app.post(
        "/api/v1/auth/login",
        None,
        json!({"username": nul, "password": PASSWORD}),
    )
    .await
    .assert_problem(401, "invalid_credentials");
}

#[tokio::test]
async fn an_over_long_directory_search_is_refused() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;

    app.get(
        &format!("/api/v1/users?q={}", "a".repeat(60_000)),
        Some(&alice.token),
    )
    .await
    .assert_invalid_field("q");
}

#[tokio::test]
async fn lookalikes_of_a_taken_username_are_taken() {
    let app = spawn_app().await;
    app.signup("alice").await;

    for lookalike in ["аlice", "ａｌｉｃｅ", "𝐚𝐥𝐢𝐜𝐞", "alıce", "ALICE"] {
        app.register("Mallory", lookalike, PASSWORD)
            .await
            .assert_problem(409, "username_taken");
    }
    app.register("Alicia", "alicia", PASSWORD)
        .await
        .assert_status(201);
}

#[tokio::test]
async fn lookalikes_of_a_taken_room_name_are_taken_and_invisible_names_refused() {
    let app = spawn_app().await;
    let (alice, _) = app.signup_with_room("alice", "general", "public").await;
    let create = |name: &str| {
        app.post(
            "/api/v1/rooms",
            Some(&alice.token),
            json!({"name": name, "visibility": "public"}),
        )
    };

    create("gеneral")
        .await
        .assert_problem(409, "room_name_taken");
    create("ｇｅｎｅｒａｌ")
        .await
        .assert_problem(409, "room_name_taken");
    create("general\u{200B}").await.assert_invalid_field("name");
    create("\u{200B}").await.assert_invalid_field("name");
}

#[tokio::test]
async fn display_names_refuse_invisible_newline_and_direction_characters() {
    let app = spawn_app().await;

    for (i, name) in ["\u{200B}", "Ali\nce", "Alice\u{202E}", "A\u{0}"]
        .iter()
        .enumerate()
    {
        app.register(name, &format!("user{i}"), PASSWORD)
            .await
            .assert_invalid_field("name");
    }
}
