//! Operations: migrations both ways, health when the database is gone.

use migration::MigratorTrait;
use papo_tests::spawn_app;
use sea_orm::ConnectionTrait;

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

#[tokio::test]
async fn health_says_503_database_unavailable_when_the_database_is_gone() {
    let app = spawn_app().await;
    if !app.break_database().await {
        eprintln!("SKIPPED: needs PostgreSQL (PAPO_TEST_DATABASE_URL) to take the database away");
        return;
    }

    let reply = app.get("/health", None).await;

    reply.assert_status(503);
    assert_eq!(reply.body["database"], "unavailable");
    assert_eq!(reply.body["status"], "ok");
}
