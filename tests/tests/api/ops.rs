//! Operations: migrations both ways; health, posts and sockets when the database is
//! gone.

use migration::MigratorTrait;
use papo_tests::spawn_app;
use sea_orm::ConnectionTrait;
use serde_json::json;

#[tokio::test]
async fn every_migration_reverts_and_reapplies_cleanly() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    app.create_room(&alice, "general", "public").await;
    app.stop_handle().stop();
    let db = infra::db::connect(&app.database_url).await.unwrap();

    let all = u32::try_from(migration::Migrator::migrations().len()).unwrap();
    infra::db::rollback(&db, all).await.unwrap();
    let gone = db.execute_unprepared("SELECT COUNT(*) FROM users").await;
    infra::db::migrate(&db).await.unwrap();
    let back = db.execute_unprepared("SELECT COUNT(*) FROM messages").await;

    assert!(
        gone.is_err(),
        "the users table is gone after reverting everything"
    );
    assert!(back.is_ok(), "the schema is back after migrating again");
    db.close().await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_its_database_the_server_answers_503_and_refuses_sockets_with_1011() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    let room = app.create_room(&alice, "general", "public").await;
    let _outage = app.take_database_away().await;

    // A post needs the database; so does bob's socket, which joins him on connect.
    let messages = format!("/api/v1/rooms/{room}/messages");
    let (post, mut socket) = tokio::join!(
        app.post(&messages, Some(&alice.token), json!({"content": "anyone?"})),
        app.chat(&room, &bob.token)
    );
    let health = app.get("/health", None).await;
    let api_health = app.get("/api/v1/health", None).await;

    post.assert_problem(503, "service_unavailable");
    let closed = socket.closed().await;
    assert_eq!(closed.code, 1011, "{closed:?}");
    for reply in [health, api_health] {
        reply.assert_status(503);
        assert_eq!(reply.body["database"], "unavailable");
        assert_eq!(reply.body["status"], "ok");
    }
}
