//! Signing up and logging in.
use papo_tests::{PASSWORD, spawn_app, spawn_app_with};
use serde_json::json;
use uuid::Uuid;

#[tokio::test]
async fn signing_up_returns_the_new_user_without_any_password() {
    let app = spawn_app().await;

    let reply = app.register("Alice Liddell", "alice", PASSWORD).await;

    reply.assert_status(201);
    assert!(Uuid::parse_str(reply.body["id"].as_str().unwrap()).is_ok());
    assert_eq!(reply.body["name"], "Alice Liddell");
    assert_eq!(reply.body["username"], "alice");
    assert!(reply.body["created_at"].is_string());
    let keys: Vec<_> = reply.body.as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys.len(), 4, "unexpected fields: {keys:?}");
    assert!(!reply.text.contains(PASSWORD));
}

#[tokio::test]
async fn signing_up_with_an_empty_object_names_every_missing_field() {
    let app = spawn_app().await;

    let reply = app.post("/api/v1/users", None, json!({})).await;

    reply.assert_problem(422, "validation_failed");
    let mut fields = reply.error_fields();
    fields.sort();
    assert_eq!(fields, ["name", "password", "username"]);
    for error in reply.body["errors"].as_array().unwrap() {
        assert!(!error["message"].as_str().unwrap().is_empty());
    }
}

#[tokio::test]
async fn signing_up_with_fields_of_the_wrong_type_names_each_of_them() {
    let app = spawn_app().await;

    let body = json!({"name": 5, "username": true, "password": ["x"]});
    let reply = app.post("/api/v1/users", None, body).await;

    for field in ["name", "username", "password"] {
        reply.assert_invalid_field(field);
    }
}

#[tokio::test]
async fn a_username_that_differs_only_in_case_is_already_taken() {
    let app = spawn_app().await;
    app.register("Alice", "alice", PASSWORD)
        .await
        .assert_status(201);

    let reply = app.register("Other Alice", "Alice", PASSWORD).await;

    reply.assert_problem(409, "username_taken");
}

#[tokio::test]
async fn an_email_address_is_a_valid_username_to_sign_up_and_log_in_with() {
    let app = spawn_app().await;
    let email = "ana.maria+chat@example-mail.com";

    app.register("Ana", email, PASSWORD)
        .await
        .assert_status(201);
    let user = app.login(email).await;

    assert_eq!(user.username, email);
}

#[tokio::test]
async fn usernames_of_3_to_64_letters_digits_and_dot_dash_plus_at_are_accepted() {
    let app = spawn_app().await;

    let longest = "a".repeat(64);

    for username in ["abc", longest.as_str(), "x.y-z+w@q", "Mixed9Case"] {
        app.register("Someone", username, PASSWORD)
            .await
            .assert_status(201);
    }
}

#[tokio::test]
async fn usernames_too_short_too_long_or_with_other_characters_are_rejected() {
    let app = spawn_app().await;
    let too_long = "a".repeat(65);

    for username in [
        "ab",
        too_long.as_str(),
        "has space",
        "semi;colon",
        "slash/y",
        "",
    ] {
        let reply = app.register("Someone", username, PASSWORD).await;

        reply.assert_invalid_field("username");
    }
}

#[tokio::test]
async fn passwords_must_have_8_to_128_characters() {
    let app = spawn_app().await;

    for (i, (password, accepted)) in [
        ("1234567", false),
        ("12345678", true),
        (&"p".repeat(128) as &str, true),
        (&"p".repeat(129), false),
    ]
    .into_iter()
    .enumerate()
    {
        let reply = app.register("Someone", &format!("user{i}"), password).await;

        if accepted {
            reply.assert_status(201);
        } else {
            reply.assert_invalid_field("password");
        }
    }
}

#[tokio::test]
async fn names_must_have_1_to_100_characters() {
    let app = spawn_app().await;

    app.register("", "empty", PASSWORD)
        .await
        .assert_invalid_field("name");
    let too_long = "n".repeat(101);
    app.register(&too_long, "long", PASSWORD)
        .await
        .assert_invalid_field("name");
    let longest = "n".repeat(100);
    app.register(&longest, "longest", PASSWORD)
        .await
        .assert_status(201);
}

#[tokio::test]
async fn logging_in_with_json_returns_a_bearer_token_pair() {
    let app = spawn_app().await;
    let created = app.register("Alice", "alice", PASSWORD).await;

    let reply = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "alice", "password": PASSWORD}),
        )
        .await;

    reply.assert_status(200);
    assert_eq!(reply.body["id"], created.body["id"]);
    assert_eq!(reply.body["name"], "Alice");
    assert_eq!(reply.body["username"], "alice");
    assert_eq!(reply.body["token_type"], "bearer");
    assert_eq!(reply.body["expires_in"], 900);
    assert!(!reply.body["access_token"].as_str().unwrap().is_empty());
    assert!(!reply.body["refresh_token"].as_str().unwrap().is_empty());
}

#[tokio::test]
async fn logging_in_with_an_oauth2_password_form_works() {
    let app = spawn_app().await;
    app.register("Alice", "alice", PASSWORD).await;

    let form = format!("grant_type=password&username=alice&password={PASSWORD}");
    let reply = app
        .post_raw(
            "/api/v1/auth/login",
            None,
            "application/x-www-form-urlencoded",
            form.into_bytes(),
        )
        .await;

    reply.assert_status(200);
    assert_eq!(reply.body["username"], "alice");
    assert_eq!(reply.body["token_type"], "bearer");
    let token = reply.body["access_token"].as_str().unwrap();
    app.get("/api/v1/users/me", Some(token))
        .await
        .assert_status(200);
}

#[tokio::test]
async fn the_username_is_matched_case_insensitively_at_login() {
    let app = spawn_app().await;
    app.register("Alice", "alice", PASSWORD).await;

    let user = app.login("ALICE").await;

    assert_eq!(user.username, "alice");
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_get_the_same_answer() {
    let app = spawn_app().await;
    app.register("Alice", "alice", PASSWORD).await;

    let wrong_password = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "alice", "password": "not-the-password"}),
        )
        .await;
    let unknown_user = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "nobody", "password": PASSWORD}),
        )
        .await;

    wrong_password.assert_problem(401, "invalid_credentials");
    unknown_user.assert_problem(401, "invalid_credentials");
    assert_eq!(wrong_password.body["detail"], unknown_user.body["detail"]);
}

#[tokio::test]
async fn logging_in_with_an_empty_object_names_the_missing_credentials() {
    let app = spawn_app().await;

    let reply = app.post("/api/v1/auth/login", None, json!({})).await;

    let mut fields = reply.assert_invalid_field("username").error_fields();
    fields.sort();
    assert_eq!(fields, ["password", "username"]);
}

#[tokio::test]
async fn logging_in_with_a_plain_text_body_is_an_unsupported_media_type() {
    let app = spawn_app().await;
    app.register("Alice", "alice", PASSWORD).await;

    let body = format!("username=alice&password={PASSWORD}").into_bytes();
    let reply = app
        .post_raw("/api/v1/auth/login", None, "text/plain", body)
        .await;

    reply.assert_problem(415, "unsupported_media_type");
}

#[tokio::test]
async fn expires_in_follows_the_configured_access_token_lifetime() {
    let app = spawn_app_with(|s| s.auth.access_token_expire_minutes = 5).await;
    app.register("Alice", "alice", PASSWORD).await;

    let reply = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "alice", "password": PASSWORD}),
        )
        .await;

    assert_eq!(reply.body["expires_in"], 300);
}

#[tokio::test]
async fn the_access_token_from_login_identifies_the_caller() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    app.signup("bob").await;

    let reply = app.get("/api/v1/users/me", Some(&alice.token)).await;

    reply.assert_status(200);
    assert_eq!(reply.body["id"], alice.id);
    assert_eq!(reply.body["username"], "alice");
    assert_eq!(reply.body["name"], "Alice");
    assert!(reply.body.get("password_hash").is_none());
}

#[tokio::test]
async fn ten_wrong_passwords_lock_the_username_with_429_and_retry_after() {
    let app = papo_tests::spawn_app().await;
    app.signup("alice").await;
    let wrong = serde_json::json!({"username": "alice", "password": "wrong-password"});
    for _ in 0..10 {
        app.post("/api/v1/auth/login", None, wrong.clone())
            .await
            .assert_problem(401, "invalid_credentials");
    }

    let locked = app
        .post(
            "/api/v1/auth/login",
            None,
            serde_json::json!({"username": "ALICE", "password": papo_tests::PASSWORD}),
        )
        .await;

    locked.assert_problem(429, "too_many_attempts");
    let retry: u64 = locked.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0 && retry <= 300, "{retry}");
    app.signup("bob").await;
}
