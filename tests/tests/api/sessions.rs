//! An access token lives only as long as its session: logout, reuse detection and a
//! password change end it on REST, for token refresh and for sockets.

use jsonwebtoken::Algorithm;
use papo_tests::{PASSWORD, TestApp, TestUser, spawn_app};
use serde_json::json;

use crate::tokens::{assert_unauthorized, claims, me, refresh, sign};

async fn change_password(
    app: &TestApp,
    user: &TestUser,
    current: &str,
    new: &str,
) -> papo_tests::Reply {
    let body = json!({"current_password": current, "new_password": new});
    app.request(
        reqwest::Method::PUT,
        "/api/v1/users/me/password",
        Some(&user.token),
        Some(body),
    )
    .await
}

#[tokio::test]
async fn after_logging_out_everywhere_the_access_token_is_refused() {
    let app = spawn_app().await;
    let laptop = app.signup("alice").await;
    let phone = app.login("alice").await;

    app.post_empty("/api/v1/auth/logout", Some(&laptop.token))
        .await
        .assert_status(204);

    assert_unauthorized(&me(&app, &laptop.token).await, "session_ended");
    assert_unauthorized(&me(&app, &phone.token).await, "session_ended");
    let bearer_refresh = app
        .post_empty("/api/v1/auth/refresh_token", Some(&laptop.token))
        .await;
    assert_unauthorized(&bearer_refresh, "session_ended");
}

#[tokio::test]
async fn logging_out_of_one_session_leaves_the_others_access_tokens_working() {
    let app = spawn_app().await;
    let laptop = app.signup("alice").await;
    let phone = app.login("alice").await;

    app.post(
        "/api/v1/auth/logout",
        Some(&laptop.token),
        json!({"refresh_token": laptop.refresh_token}),
    )
    .await
    .assert_status(204);

    assert_unauthorized(&me(&app, &laptop.token).await, "session_ended");
    me(&app, &phone.token).await.assert_status(200);
}

#[tokio::test]
async fn a_token_chained_by_bearer_refresh_ends_with_its_session() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let chained = app
        .post_empty("/api/v1/auth/refresh_token", Some(&alice.token))
        .await;
    let chained = chained.body["access_token"].as_str().unwrap().to_owned();

    app.post_empty("/api/v1/auth/logout", Some(&alice.token))
        .await
        .assert_status(204);

    assert_unauthorized(&me(&app, &chained).await, "session_ended");
}

#[tokio::test]
async fn a_leaked_refresh_token_ends_the_access_tokens_of_its_session() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let second = refresh(&app, &alice.refresh_token).await;
    let access = second.body["access_token"].as_str().unwrap().to_owned();
    let second = second.body["refresh_token"].as_str().unwrap().to_owned();
    refresh(&app, &second).await.assert_status(200);

    refresh(&app, &alice.refresh_token)
        .await
        .assert_problem(401, "refresh_token_reused");

    assert_unauthorized(&me(&app, &alice.token).await, "session_ended");
    assert_unauthorized(&me(&app, &access).await, "session_ended");
}

#[tokio::test]
async fn a_forged_token_naming_an_ended_session_is_refused_even_when_signed() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let now = chrono_now();
    let forged = sign(
        Algorithm::HS256,
        "test-secret-test-secret-test-secret!",
        &claims(&alice, now, now + 600),
    );
    me(&app, &forged).await.assert_status(200);

    app.post_empty("/api/v1/auth/logout", Some(&alice.token))
        .await
        .assert_status(204);

    assert_unauthorized(&me(&app, &forged).await, "session_ended");
}

#[tokio::test]
async fn a_token_issued_in_the_future_is_invalid() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let later = chrono_now() + 3600;
    let token = sign(
        Algorithm::HS256,
        "test-secret-test-secret-test-secret!",
        &claims(&alice, later, later + 600),
    );

    assert_unauthorized(&me(&app, &token).await, "invalid_token");
}

#[tokio::test]
async fn changing_the_password_ends_every_other_session_but_this_one() {
    let app = spawn_app().await;
    let laptop = app.signup("alice").await;
    let phone = app.login("alice").await;

    change_password(&app, &laptop, PASSWORD, "a-brand-new-passphrase")
        .await
        .assert_status(204);

    me(&app, &laptop.token).await.assert_status(200);
    refresh(&app, &laptop.refresh_token)
        .await
        .assert_status(200);
    assert_unauthorized(&me(&app, &phone.token).await, "session_ended");
    refresh(&app, &phone.refresh_token)
        .await
        .assert_problem(401, "invalid_refresh_token");
    let old = json!({"username": "alice", "password": PASSWORD});
    app.post("/api/v1/auth/login", None, old)
        .await
        .assert_problem(401, "invalid_credentials");
    let new = json!({"username": "alice", "password": "a-brand-new-passphrase"});
    app.post("/api/v1/auth/login", None, new)
        .await
        .assert_status(200);
}

#[tokio::test]
async fn a_wrong_current_password_changes_nothing() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let phone = app.login("alice").await;

    let reply = change_password(&app, &alice, "not-my-password", "a-brand-new-passphrase").await;

    reply.assert_problem(403, "invalid_credentials");
    me(&app, &phone.token).await.assert_status(200);
    change_password(&app, &alice, PASSWORD, "short")
        .await
        .assert_invalid_field("new_password");
}

#[tokio::test]
async fn sockets_of_ended_sessions_close_and_cannot_reopen() {
    let app = spawn_app().await;
    let (laptop, room) = app.signup_with_room("alice", "general", "public").await;
    let phone = app.login("alice").await;
    let mut laptop_socket = app.chat(&room, &laptop.token).await;
    let mut phone_socket = app.chat(&room, &phone.token).await;
    laptop_socket.next_of("history").await;
    phone_socket.next_of("history").await;

    change_password(&app, &laptop, PASSWORD, "a-brand-new-passphrase")
        .await
        .assert_status(204);

    assert_eq!(phone_socket.closed().await.code, 4401);
    laptop_socket.send(json!({"type": "ping"})).await;
    assert_eq!(laptop_socket.next_of("pong").await["type"], "pong");
    let mut reopened = app.chat(&room, &phone.token).await;
    let refused = reopened.closed().await;
    assert_eq!(refused.code, 1008);
    assert!(refused.reason.contains("session"), "{refused:?}");
}

fn chrono_now() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}
