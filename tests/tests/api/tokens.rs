//! Refresh-token rotation, logout, and access tokens the server must refuse.
use std::time::{SystemTime, UNIX_EPOCH};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use papo_tests::{Reply, TestApp, TestUser, spawn_app};
use serde_json::{Value, json};
use uuid::Uuid;

/// The secret `papo_tests::test_settings` signs with.
const TEST_SECRET: &str = "test-secret-test-secret-test-secret!";

fn now() -> i64 {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    i64::try_from(secs.as_secs()).unwrap()
}

/// Claims shaped like the server's, for `user` in the session of their login, issued
/// at `iat` and expiring at `exp`.
pub fn claims(user: &TestUser, iat: i64, exp: i64) -> Value {
    json!({
        "sub": user.id, "iat": iat, "exp": exp, "jti": Uuid::new_v4(),
        "name": user.name, "username": user.username, "sid": session_of(&user.token),
    })
}

/// The session id (`sid`) inside an access token the server issued.
fn session_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    claims["sid"].clone()
}

pub fn sign(algorithm: Algorithm, secret: &str, claims: &Value) -> String {
    encode(
        &Header::new(algorithm),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

pub async fn refresh(app: &TestApp, refresh_token: &str) -> Reply {
    app.post(
        "/api/v1/auth/refresh_token",
        None,
        json!({"refresh_token": refresh_token}),
    )
    .await
}

pub async fn me(app: &TestApp, token: &str) -> Reply {
    app.get("/api/v1/users/me", Some(token)).await
}

#[track_caller]
pub fn assert_unauthorized(reply: &Reply, code: &str) {
    reply.assert_problem(401, code);
    let challenge = reply
        .headers
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap());
    assert!(
        challenge.is_some_and(|v| v.starts_with("Bearer")),
        "WWW-Authenticate: {challenge:?}"
    );
}

#[tokio::test]
async fn refreshing_with_only_a_bearer_token_returns_a_fresh_access_token() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;

    let reply = app
        .post_empty("/api/v1/auth/refresh_token", Some(&alice.token))
        .await;

    reply.assert_status(200);
    assert_eq!(reply.body["id"], alice.id);
    assert!(reply.body["refresh_token"].is_null(), "{}", reply.text);
    let access = reply.body["access_token"].as_str().unwrap();
    assert_eq!(me(&app, access).await.body["id"], alice.id);
    refresh(&app, &alice.refresh_token).await.assert_status(200);
}

#[tokio::test]
async fn refreshing_with_neither_a_body_nor_a_bearer_token_is_unauthorized() {
    let app = spawn_app().await;

    let reply = app.post_empty("/api/v1/auth/refresh_token", None).await;

    assert_unauthorized(&reply, "missing_token");
}

#[tokio::test]
async fn an_unknown_refresh_token_is_invalid() {
    let app = spawn_app().await;
    app.signup("alice").await;

    let reply = refresh(&app, "not-a-refresh-token").await;

    reply.assert_problem(401, "invalid_refresh_token");
}

#[tokio::test]
async fn logging_out_with_a_refresh_token_ends_only_that_login() {
    let app = spawn_app().await;
    let laptop = app.signup("alice").await;
    let phone = app.login("alice").await;

    let reply = app
        .post(
            "/api/v1/auth/logout",
            Some(&laptop.token),
            json!({"refresh_token": laptop.refresh_token}),
        )
        .await;

    reply.assert_status(204);
    refresh(&app, &laptop.refresh_token)
        .await
        .assert_problem(401, "invalid_refresh_token");
    refresh(&app, &phone.refresh_token).await.assert_status(200);
}

#[tokio::test]
async fn logging_out_without_a_body_ends_every_login_of_the_caller() {
    let app = spawn_app().await;
    let laptop = app.signup("alice").await;
    let phone = app.login("alice").await;
    let bob = app.signup("bob").await;

    let reply = app
        .post_empty("/api/v1/auth/logout", Some(&laptop.token))
        .await;

    reply.assert_status(204);
    refresh(&app, &laptop.refresh_token)
        .await
        .assert_problem(401, "invalid_refresh_token");
    refresh(&app, &phone.refresh_token)
        .await
        .assert_problem(401, "invalid_refresh_token");
    refresh(&app, &bob.refresh_token).await.assert_status(200);
}

#[tokio::test]
async fn logging_out_needs_a_bearer_token() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;

    let reply = app
        .post(
            "/api/v1/auth/logout",
            None,
            json!({"refresh_token": alice.refresh_token}),
        )
        .await;

    assert_unauthorized(&reply, "missing_token");
    refresh(&app, &alice.refresh_token).await.assert_status(200);
}

#[tokio::test]
async fn a_request_without_a_token_is_told_to_bring_a_bearer_token() {
    let app = spawn_app().await;

    let reply = app.get("/api/v1/rooms", None).await;

    assert_unauthorized(&reply, "missing_token");
}

#[tokio::test]
async fn a_garbage_token_is_invalid() {
    let app = spawn_app().await;

    let reply = me(&app, "garbage.not.a-jwt").await;

    assert_unauthorized(&reply, "invalid_token");
}

#[tokio::test]
async fn a_token_signed_with_our_secret_and_claims_is_accepted() {
    // The control for the forgeries below: only the changed detail makes them fail.
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let token = sign(
        Algorithm::HS256,
        TEST_SECRET,
        &claims(&alice, now(), now() + 600),
    );

    let reply = me(&app, &token).await;

    reply.assert_status(200);
    assert_eq!(reply.body["id"], alice.id);
}

#[tokio::test]
async fn a_token_signed_with_another_secret_is_invalid() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let other = "another-secret-another-secret-another!";
    let token = sign(Algorithm::HS256, other, &claims(&alice, now(), now() + 600));

    assert_unauthorized(&me(&app, &token).await, "invalid_token");
}

#[tokio::test]
async fn an_unsigned_alg_none_token_is_invalid() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims(&alice, now(), now() + 600).to_string());
    let token = format!("{header}.{payload}.");

    assert_unauthorized(&me(&app, &token).await, "invalid_token");
}

#[tokio::test]
async fn a_token_signed_with_our_secret_but_hs512_is_invalid() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let token = sign(
        Algorithm::HS512,
        TEST_SECRET,
        &claims(&alice, now(), now() + 600),
    );

    assert_unauthorized(&me(&app, &token).await, "invalid_token");
}

#[tokio::test]
async fn an_expired_token_is_reported_as_expired() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let an_hour_ago = now() - 3600;
    let token = sign(
        Algorithm::HS256,
        TEST_SECRET,
        &claims(&alice, an_hour_ago - 900, an_hour_ago),
    );

    assert_unauthorized(&me(&app, &token).await, "token_expired");
}

#[tokio::test]
async fn a_basic_authorization_header_is_not_a_bearer_token() {
    let app = spawn_app().await;
    app.signup("alice").await;

    let request = app
        .client
        .get(app.url("/api/v1/users/me"))
        .basic_auth("alice", Some(papo_tests::PASSWORD));
    let reply = app.send(request).await;

    assert_unauthorized(&reply, "missing_token");
    assert!(reply.content_type().starts_with("application/problem+json"));
}

#[tokio::test]
async fn a_token_of_an_account_that_no_longer_exists_is_unauthorized_not_a_500() {
    use sea_orm::{ConnectionTrait, Database};
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    // papo has no account deletion yet; an operator removing the row is the case.
    let db = Database::connect(app.database_url.as_str()).await.unwrap();
    db.execute_unprepared("DELETE FROM refresh_tokens")
        .await
        .unwrap();
    db.execute_unprepared("DELETE FROM users").await.unwrap();

    let reply = me(&app, &alice.token).await;

    assert_eq!(reply.status, 401, "{}", reply.text);
    assert_unauthorized(&reply, "session_ended");
}
