//! Refresh-token rotation: each use retires the token, a racing second use within
//! the grace period gets the same successor, and a later reuse ends the session.

use papo_tests::spawn_app;

use crate::tokens::{me, refresh};

#[tokio::test]
async fn refreshing_rotates_the_refresh_token_and_retires_the_old_one() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;

    let reply = refresh(&app, &alice.refresh_token).await;

    reply.assert_status(200);
    assert_eq!(reply.body["id"], alice.id);
    assert_eq!(reply.body["username"], "alice");
    assert_eq!(reply.body["token_type"], "bearer");
    assert_eq!(reply.body["expires_in"], 900);
    let rotated = reply.body["refresh_token"].as_str().unwrap();
    assert_ne!(rotated, alice.refresh_token);
    let access = reply.body["access_token"].as_str().unwrap();
    me(&app, access).await.assert_status(200);
    let next = refresh(&app, rotated).await;
    next.assert_status(200);
    // Its successor was already used: presenting it again is reuse.
    refresh(&app, &alice.refresh_token)
        .await
        .assert_problem(401, "refresh_token_reused");
}

#[tokio::test]
async fn a_token_presented_again_right_after_its_rotation_gets_the_same_successor() {
    // Two tabs, or a retry after a lost response: the benign race of item 15.
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let first = refresh(&app, &alice.refresh_token).await;

    let again = refresh(&app, &alice.refresh_token).await;

    again.assert_status(200);
    assert_eq!(again.body["refresh_token"], first.body["refresh_token"]);
    let access = again.body["access_token"].as_str().unwrap();
    me(&app, access).await.assert_status(200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_refreshes_at_once_both_succeed_with_one_successor() {
    let app = spawn_app().await;
    for round in 0..10 {
        let alice = app.login_or_signup("alice").await;
        let (a, b) = tokio::join!(
            refresh(&app, &alice.refresh_token),
            refresh(&app, &alice.refresh_token)
        );
        a.assert_status(200);
        b.assert_status(200);
        assert_eq!(
            a.body["refresh_token"], b.body["refresh_token"],
            "round {round}"
        );
        let successor = a.body["refresh_token"].as_str().unwrap();
        refresh(&app, successor).await.assert_status(200);
    }
}

#[tokio::test]
async fn reusing_a_rotated_refresh_token_revokes_its_whole_family() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let second = refresh(&app, &alice.refresh_token).await.body["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    // Once its successor has been used too, the first token has no innocent excuse.
    let newest = refresh(&app, &second).await.body["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();

    let reuse = refresh(&app, &alice.refresh_token).await;

    reuse.assert_problem(401, "refresh_token_reused");
    refresh(&app, &newest)
        .await
        .assert_problem(401, "invalid_refresh_token");
}

#[tokio::test]
async fn revoking_one_family_leaves_another_login_signed_in() {
    let app = spawn_app().await;
    let laptop = app.signup("alice").await;
    let phone = app.login("alice").await;
    let second = refresh(&app, &laptop.refresh_token).await.body["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    refresh(&app, &second).await.assert_status(200);

    refresh(&app, &laptop.refresh_token)
        .await
        .assert_problem(401, "refresh_token_reused");

    refresh(&app, &phone.refresh_token).await.assert_status(200);
}

#[tokio::test]
async fn an_expired_refresh_token_is_refused() {
    use sea_orm::{ConnectionTrait, Database, Statement};
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    // Thirty days are long to wait: the token's expiry is moved into the past instead.
    let db = Database::connect(app.database_url.as_str()).await.unwrap();
    let yesterday = chrono::Utc::now() - chrono::Duration::days(1);
    let backend = db.get_database_backend();
    let expire = Statement::from_sql_and_values(
        backend,
        match backend {
            sea_orm::DbBackend::Postgres => "UPDATE refresh_tokens SET expires_at = $1",
            _ => "UPDATE refresh_tokens SET expires_at = ?",
        },
        [yesterday.into()],
    );
    let expired = db.execute_raw(expire).await.unwrap().rows_affected();

    let reply = refresh(&app, &alice.refresh_token).await;

    assert_eq!(expired, 1);
    reply.assert_problem(401, "invalid_refresh_token");
}
