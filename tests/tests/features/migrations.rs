//! The migrations of DESIGN §8 go down and up again on a database with data, and the
//! search backfill indexes the messages that were there before it.
//! (Migration 12 rebuilds SQLite's index; the rebuild is exercised here too.)

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use papo_tests::{spawn_app, spawn_app_on};
use sea_orm::{ConnectionTrait, DbBackend, Statement};

#[tokio::test]
async fn the_feature_migrations_revert_and_reapply_and_old_messages_become_searchable() {
    let app = spawn_app().await;
    let (ana, room) = app.signup_with_room("ana", "lobby", "public").await;
    let question = app.post_message(&ana, &room, "Déjà vu @ana?").await;
    app.reply_to(&ana, &room, &question, "again").await;
    app.put_empty(
        &format!("{}/reactions/👍", crate::message_path(&question)),
        Some(&ana.token),
    )
    .await
    .assert_status(204);
    app.stop_handle().stop();
    tokio::time::sleep(Duration::from_millis(500)).await;

    let db = sea_orm::Database::connect(app.database_url.clone())
        .await
        .unwrap();
    // The search index rebuilt with other prefix lengths (12) keeps what it held…
    Migrator::down(&db, Some(1)).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    if db.get_database_backend() == DbBackend::Sqlite {
        let hits = db
            .query_all_raw(Statement::from_string(
                DbBackend::Sqlite,
                "SELECT rowid FROM message_search WHERE message_search MATCH '\"deja\"*'",
            ))
            .await
            .unwrap();
        assert_eq!(hits.len(), 1, "the rebuilt index still holds the message");
    }
    // …and every migration of §8 (8–12) reverts and reapplies.
    Migrator::down(&db, Some(5)).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    db.close().await.unwrap();
    let again = spawn_app_on(&app.database_url, |_| {}).await;
    let found = again.get("/api/v1/search?q=deja", Some(&ana.token)).await;
    let history = again.history(&ana, &room, "?limit=10").await;

    found.assert_status(200);
    assert_eq!(
        found.body["results"][0]["message"]["content"], "Déjà vu @ana?",
        "{}",
        found.body
    );
    let messages = history.body["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2, "the messages themselves survive");
    assert!(
        messages[1]["reply_to"].is_null(),
        "what the columns held is gone"
    );
}
