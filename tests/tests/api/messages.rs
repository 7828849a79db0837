//! Posting messages over REST: seqs, content rules and idempotent resends.
use papo_tests::{Reply, TestApp, TestUser, spawn_app};
use serde_json::{Value, json};
use uuid::Uuid;

async fn post(app: &TestApp, user: &TestUser, room: &str, body: Value) -> Reply {
    let path = format!("/api/v1/rooms/{room}/messages");
    app.post(&path, Some(&user.token), body).await
}

async fn total_messages(app: &TestApp, user: &TestUser, room: &str) -> Value {
    let history = app.history(user, room, "").await;
    history.body["pagination"]["total_messages"].clone()
}

#[tokio::test]
async fn a_posted_message_is_returned_with_its_author_and_first_seq() {
    let app = spawn_app().await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;

    let reply = post(&app, &alice, &room, json!({"content": "hello"})).await;

    reply.assert_status(201);
    let message = &reply.body;
    assert!(Uuid::parse_str(message["id"].as_str().unwrap()).is_ok());
    assert_eq!(message["room_id"], room);
    assert_eq!(message["seq"], 1);
    assert_eq!(
        message["user"],
        json!({"id": alice.id, "name": "Alice", "username": "alice"})
    );
    assert_eq!(message["content"], "hello");
    assert!(message["timestamp"].is_string());
    assert!(message["edited_at"].is_null());
    assert_eq!(message["deleted"], false);
}

#[tokio::test]
async fn seqs_count_up_in_each_room_independently() {
    let app = spawn_app().await;
    let (alice, first) = app.signup_with_room("alice", "first", "public").await;
    let second = app.create_room(&alice, "second", "public").await;

    let mut seqs = Vec::new();
    for room in [&first, &first, &second, &first, &second] {
        seqs.push(app.post_message(&alice, room, "x").await["seq"].clone());
    }

    assert_eq!(seqs, [1, 2, 1, 3, 2]);
}

#[tokio::test]
async fn content_is_stored_trimmed() {
    let app = spawn_app().await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;

    let message = app.post_message(&alice, &room, "  \n hi there \t ").await;

    assert_eq!(message["content"], "hi there");
    let history = app.history(&alice, &room, "").await;
    assert_eq!(history.body["messages"][0]["content"], "hi there");
}

#[tokio::test]
async fn empty_or_blank_content_is_rejected() {
    let app = spawn_app().await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;

    for body in [
        json!({"content": ""}),
        json!({"content": " \n\t "}),
        json!({}),
    ] {
        let reply = post(&app, &alice, &room, body).await;
        reply.assert_invalid_field("content");
    }
    assert_eq!(total_messages(&app, &alice, &room).await, 0);
}

#[tokio::test]
async fn content_may_have_up_to_4000_characters() {
    let app = spawn_app().await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;

    let too_long = post(&app, &alice, &room, json!({"content": "a".repeat(4001)})).await;
    let longest = post(&app, &alice, &room, json!({"content": "a".repeat(4000)})).await;
    // Characters, not bytes: 4000 two-byte characters fit.
    let accented = post(&app, &alice, &room, json!({"content": "é".repeat(4000)})).await;

    too_long.assert_invalid_field("content");
    longest.assert_status(201);
    accented.assert_status(201);
    assert_eq!(
        accented.body["content"].as_str().unwrap().chars().count(),
        4000
    );
}

#[tokio::test]
async fn resending_a_temp_id_returns_the_stored_message_instead_of_a_copy() {
    let app = spawn_app().await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    let body = json!({"content": "once", "temp_id": "t-1"});
    let first = post(&app, &alice, &room, body.clone()).await;

    let again = post(&app, &alice, &room, body).await;

    first.assert_status(201);
    again.assert_status(200);
    assert_eq!(again.body["id"], first.body["id"]);
    assert_eq!(again.body["seq"], first.body["seq"]);
    assert_eq!(total_messages(&app, &alice, &room).await, 1);
}

#[tokio::test]
async fn reusing_a_temp_id_for_other_content_is_a_conflict() {
    let app = spawn_app().await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    post(
        &app,
        &alice,
        &room,
        json!({"content": "one", "temp_id": "t-1"}),
    )
    .await;

    let reply = post(
        &app,
        &alice,
        &room,
        json!({"content": "two", "temp_id": "t-1"}),
    )
    .await;

    reply.assert_problem(409, "temp_id_conflict");
    assert_eq!(total_messages(&app, &alice, &room).await, 1);
}

#[tokio::test]
async fn temp_ids_belong_to_their_sender() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    let room = app.create_room(&alice, "general", "public").await;
    let body = json!({"content": "same", "temp_id": "t-1"});
    let alices = post(&app, &alice, &room, body.clone()).await;

    let bobs = post(&app, &bob, &room, body).await;

    bobs.assert_status(201);
    assert_ne!(bobs.body["id"], alices.body["id"]);
    assert_eq!(bobs.body["user"]["id"], bob.id);
}

#[tokio::test]
async fn posting_to_a_public_room_joins_it() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    let room = app.create_room(&alice, "general", "public").await;

    app.post_message(&bob, &room, "hi all").await;

    let listed = app.listed_room(&alice, &room).await.unwrap();
    assert_eq!(listed["member_count"], 2);
}
