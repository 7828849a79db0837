//! Editing and deleting messages: only by their author, and visible in history.
use papo_tests::spawn_app;
use serde_json::{Value, json};
use uuid::Uuid;

fn message_path(message: &Value) -> String {
    format!("/api/v1/messages/{}", message["id"].as_str().unwrap())
}

#[tokio::test]
async fn the_author_can_edit_a_message() {
    let app = spawn_app().await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    let message = app.post_message(&alice, &room, "helo").await;

    let path = message_path(&message);
    let reply = app
        .patch(&path, Some(&alice.token), json!({"content": " hello "}))
        .await;

    reply.assert_status(200);
    assert_eq!(reply.body["id"], message["id"]);
    assert_eq!(reply.body["seq"], message["seq"]);
    assert_eq!(reply.body["content"], "hello");
    assert!(reply.body["edited_at"].is_string(), "{}", reply.text);
    let history = app.history(&alice, &room, "").await;
    assert_eq!(history.body["messages"][0]["content"], "hello");
    assert!(history.body["messages"][0]["edited_at"].is_string());
}

#[tokio::test]
async fn an_edit_must_leave_some_content() {
    let app = spawn_app().await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    let message = app.post_message(&alice, &room, "keep me").await;

    let path = message_path(&message);
    let reply = app
        .patch(&path, Some(&alice.token), json!({"content": "  "}))
        .await;

    reply.assert_invalid_field("content");
}

#[tokio::test]
async fn nobody_else_can_edit_a_message_nor_a_plain_member_delete_it() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let carol = app.signup("carol").await;
    let (bob, room) = app.signup_with_room("bob", "general", "public").await;
    app.join(&carol, &room).await;
    let message = app.post_message(&alice, &room, "mine").await;
    let path = message_path(&message);

    let edit = app
        .patch(&path, Some(&bob.token), json!({"content": "bobs"}))
        .await;
    let delete = app.delete(&path, Some(&carol.token)).await;

    edit.assert_problem(403, "not_message_author");
    delete.assert_problem(403, "not_message_author");
    let history = app.history(&alice, &room, "").await;
    assert_eq!(history.body["messages"][0]["content"], "mine");
    assert_eq!(history.body["messages"][0]["deleted"], false);
}

#[tokio::test]
async fn a_deleted_message_keeps_its_place_without_its_content() {
    let app = spawn_app().await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    app.post_message(&alice, &room, "first").await;
    let message = app.post_message(&alice, &room, "regret").await;

    let reply = app
        .delete(&message_path(&message), Some(&alice.token))
        .await;

    reply.assert_status(204);
    let history = app.history(&alice, &room, "").await;
    let stored = &history.body["messages"][1];
    assert_eq!(stored["id"], message["id"]);
    assert_eq!(stored["seq"], 2);
    assert_eq!(stored["deleted"], true);
    assert_eq!(stored["content"], "");
    assert!(!history.text.contains("regret"));
}

#[tokio::test]
async fn deleting_a_message_twice_is_fine() {
    let app = spawn_app().await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    let message = app.post_message(&alice, &room, "bye").await;
    let path = message_path(&message);
    app.delete(&path, Some(&alice.token))
        .await
        .assert_status(204);

    let reply = app.delete(&path, Some(&alice.token)).await;

    reply.assert_status(204);
}

#[tokio::test]
async fn a_deleted_message_cannot_be_edited() {
    let app = spawn_app().await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    let message = app.post_message(&alice, &room, "bye").await;
    let path = message_path(&message);
    app.delete(&path, Some(&alice.token))
        .await
        .assert_status(204);

    let reply = app
        .patch(&path, Some(&alice.token), json!({"content": "back"}))
        .await;

    reply.assert_problem(409, "message_deleted");
}

#[tokio::test]
async fn seqs_are_not_reused_after_a_deletion() {
    let app = spawn_app().await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    app.post_message(&alice, &room, "one").await;
    let second = app.post_message(&alice, &room, "two").await;
    app.delete(&message_path(&second), Some(&alice.token)).await;

    let third = app.post_message(&alice, &room, "three").await;

    assert_eq!(third["seq"], 3);
}

#[tokio::test]
async fn an_unknown_message_is_not_found() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let path = format!("/api/v1/messages/{}", Uuid::new_v4());

    let edit = app
        .patch(&path, Some(&alice.token), json!({"content": "x"}))
        .await;
    let delete = app.delete(&path, Some(&alice.token)).await;

    edit.assert_problem(404, "message_not_found");
    delete.assert_problem(404, "message_not_found");
}
