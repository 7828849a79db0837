//! Creating, listing, changing and deleting rooms.
use papo_tests::{TestApp, TestUser, spawn_app};
use serde_json::{Value, json};
use uuid::Uuid;

async fn create(app: &TestApp, owner: &TestUser, body: Value) -> papo_tests::Reply {
    app.post("/api/v1/rooms", Some(&owner.token), body).await
}

#[tokio::test]
async fn a_new_room_is_public_by_default_and_names_its_creator() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;

    let reply = create(&app, &alice, json!({"name": "  lounge  "})).await;

    reply.assert_status(201);
    assert!(Uuid::parse_str(reply.body["id"].as_str().unwrap()).is_ok());
    assert_eq!(reply.body["name"], "lounge");
    assert_eq!(reply.body["creator_id"], alice.id);
    assert_eq!(reply.body["visibility"], "public");
    assert!(reply.body["created_at"].is_string());
    assert!(reply.body.get("description").is_some());
}

#[tokio::test]
async fn a_room_keeps_its_description_and_visibility() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;

    let body = json!({"name": "ops", "description": "On call", "visibility": "private"});
    let reply = create(&app, &alice, body).await;

    reply.assert_status(201);
    assert_eq!(reply.body["description"], "On call");
    assert_eq!(reply.body["visibility"], "private");
}

#[tokio::test]
async fn a_room_name_that_differs_only_in_case_is_taken() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    app.create_room(&alice, "general", "public").await;

    let reply = create(&app, &bob, json!({"name": "GENERAL"})).await;

    reply.assert_problem(409, "room_name_taken");
}

#[tokio::test]
async fn room_names_must_have_1_to_100_characters() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;

    for name in [String::new(), "   ".into(), "r".repeat(101)] {
        let reply = create(&app, &alice, json!({ "name": name })).await;
        reply.assert_invalid_field("name");
    }
    let longest = create(&app, &alice, json!({"name": "r".repeat(100)})).await;
    longest.assert_status(201);
}

#[tokio::test]
async fn descriptions_longer_than_1000_characters_are_rejected() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;

    let too_long = json!({"name": "a", "description": "d".repeat(1001)});
    create(&app, &alice, too_long)
        .await
        .assert_invalid_field("description");
    let longest = json!({"name": "b", "description": "d".repeat(1000)});
    create(&app, &alice, longest).await.assert_status(201);
}

#[tokio::test]
async fn an_unknown_visibility_is_rejected() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;

    let reply = create(&app, &alice, json!({"name": "x", "visibility": "secret"})).await;

    reply.assert_invalid_field("visibility");
}

#[tokio::test]
async fn changing_a_room_to_an_unknown_visibility_is_rejected() {
    let app = spawn_app().await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;

    let path = format!("/api/v1/rooms/{room}");
    let reply = app
        .patch(&path, Some(&alice.token), json!({"visibility": "direct"}))
        .await;

    reply.assert_invalid_field("visibility");
}

#[tokio::test]
async fn a_room_can_be_fetched_by_id() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    let room = app.create_room(&alice, "general", "public").await;

    let reply = app
        .get(&format!("/api/v1/rooms/{room}"), Some(&bob.token))
        .await;

    reply.assert_status(200);
    assert_eq!(reply.body["id"], room);
    assert_eq!(reply.body["name"], "general");
    assert_eq!(reply.body["creator_id"], alice.id);
}

#[tokio::test]
async fn the_room_list_counts_members_as_they_join_and_leave() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    let carol = app.signup("carol").await;
    let room = app.create_room(&alice, "general", "public").await;
    let count = |listed: Option<Value>| listed.unwrap()["member_count"].clone();
    assert_eq!(count(app.listed_room(&alice, &room).await), 1);

    app.join(&bob, &room).await;
    app.join(&carol, &room).await;
    assert_eq!(count(app.listed_room(&alice, &room).await), 3);
    let leave = format!("/api/v1/rooms/{room}/leave");
    app.post_empty(&leave, Some(&bob.token))
        .await
        .assert_status(204);

    assert_eq!(count(app.listed_room(&carol, &room).await), 2);
}

#[tokio::test]
async fn unread_counts_others_messages_that_are_not_deleted() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    let carol = app.signup("carol").await;
    let room = app.create_room(&alice, "general", "public").await;
    app.join(&bob, &room).await;
    app.post_message(&bob, &room, "hi").await;
    let alices_before = app.listed_room(&alice, &room).await;
    for text in ["one", "two", "three"] {
        app.post_message(&alice, &room, text).await;
    }
    let doomed = app.post_message(&alice, &room, "oops").await;
    let path = format!("/api/v1/messages/{}", doomed["id"].as_str().unwrap());
    app.delete(&path, Some(&alice.token))
        .await
        .assert_status(204);

    let unread = |listed: Option<Value>| listed.unwrap()["unread"].clone();
    assert_eq!(unread(alices_before), 1, "bob's hi");
    assert_eq!(unread(app.listed_room(&bob, &room).await), 3);
    assert_eq!(
        unread(app.listed_room(&alice, &room).await),
        0,
        "writing in a room reads it up to one's post"
    );
    assert_eq!(unread(app.listed_room(&carol, &room).await), 0);
}

#[tokio::test]
async fn a_room_s_past_is_not_unread_for_someone_who_just_joined() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    let room = app.create_room(&alice, "general", "public").await;
    for text in ["one", "two", "three"] {
        app.post_message(&alice, &room, text).await;
    }

    app.join(&bob, &room).await;
    let unread = |listed: Option<Value>| listed.unwrap()["unread"].clone();
    assert_eq!(unread(app.listed_room(&bob, &room).await), 0);
    app.post_message(&alice, &room, "welcome").await;
    assert_eq!(
        unread(app.listed_room(&bob, &room).await),
        1,
        "what comes after the join"
    );
}

#[tokio::test]
async fn the_owner_can_rename_describe_and_hide_a_room() {
    let app = spawn_app().await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    let path = format!("/api/v1/rooms/{room}");

    let body = json!({"name": "lobby", "description": "Say hi", "visibility": "private"});
    let reply = app.patch(&path, Some(&alice.token), body).await;

    reply.assert_status(200);
    assert_eq!(reply.body["id"], room);
    assert_eq!(reply.body["name"], "lobby");
    assert_eq!(reply.body["description"], "Say hi");
    assert_eq!(reply.body["visibility"], "private");
    let fetched = app.get(&path, Some(&alice.token)).await;
    assert_eq!(fetched.body["name"], "lobby");
    assert_eq!(fetched.body["visibility"], "private");
}

#[tokio::test]
async fn a_member_who_is_not_the_owner_cannot_change_the_room() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    let room = app.create_room(&alice, "general", "public").await;
    app.join(&bob, &room).await;
    let path = format!("/api/v1/rooms/{room}");

    let reply = app
        .patch(&path, Some(&bob.token), json!({"name": "bobs"}))
        .await;

    reply.assert_problem(403, "not_room_owner");
    assert_eq!(
        app.get(&path, Some(&bob.token)).await.body["name"],
        "general"
    );
}

#[tokio::test]
async fn renaming_a_room_to_a_taken_name_is_a_conflict() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    app.create_room(&alice, "general", "public").await;
    let room = app.create_room(&alice, "random", "public").await;

    let path = format!("/api/v1/rooms/{room}");
    let reply = app
        .patch(&path, Some(&alice.token), json!({"name": "General"}))
        .await;

    reply.assert_problem(409, "room_name_taken");
}

#[tokio::test]
async fn renaming_a_room_to_an_empty_name_is_rejected() {
    let app = spawn_app().await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;

    let path = format!("/api/v1/rooms/{room}");
    let reply = app
        .patch(&path, Some(&alice.token), json!({"name": " "}))
        .await;

    reply.assert_invalid_field("name");
}

#[tokio::test]
async fn only_the_owner_can_delete_a_room() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    let room = app.create_room(&alice, "general", "public").await;
    app.join(&bob, &room).await;

    let reply = app
        .delete(&format!("/api/v1/rooms/{room}"), Some(&bob.token))
        .await;

    reply.assert_problem(403, "not_room_owner");
    assert!(app.listed_room(&bob, &room).await.is_some());
}

#[tokio::test]
async fn a_deleted_room_is_gone_with_its_history() {
    let app = spawn_app().await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    app.post_message(&alice, &room, "hello").await;
    let path = format!("/api/v1/rooms/{room}");

    app.delete(&path, Some(&alice.token))
        .await
        .assert_status(204);

    let fetched = app.get(&path, Some(&alice.token)).await;
    fetched.assert_problem(404, "room_not_found");
    let history = app.history(&alice, &room, "").await;
    history.assert_problem(404, "room_not_found");
    assert!(app.listed_room(&alice, &room).await.is_none());
}

#[tokio::test]
async fn a_deleted_rooms_name_can_be_used_again() {
    let app = spawn_app().await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    let path = format!("/api/v1/rooms/{room}");
    app.delete(&path, Some(&alice.token))
        .await
        .assert_status(204);

    let reply = create(&app, &alice, json!({"name": "general"})).await;

    reply.assert_status(201);
    assert_ne!(reply.body["id"], room);
}

/// Room ids of one page of `GET /api/v1/rooms` and its cursor.
async fn room_page(app: &TestApp, user: &TestUser, query: &str) -> (Vec<String>, Option<String>) {
    let reply = app
        .get(&format!("/api/v1/rooms{query}"), Some(&user.token))
        .await;
    reply.assert_status(200);
    let ids = reply.body["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|room| room["id"].as_str().unwrap().to_owned())
        .collect();
    (ids, reply.body["next_cursor"].as_str().map(str::to_owned))
}

#[tokio::test]
async fn the_room_list_comes_a_page_at_a_time_oldest_first() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    let mut expected = Vec::new();
    for i in 0..5 {
        expected.push(
            app.create_room(&alice, &format!("room-{i}"), "public")
                .await,
        );
    }
    // Not bob's to see: it must not take a place on any of his pages.
    app.create_room(&alice, "secret", "private").await;

    let mut seen = Vec::new();
    let mut query = "?limit=2".to_owned();
    let mut pages = 0;
    loop {
        let (ids, cursor) = room_page(&app, &bob, &query).await;
        pages += 1;
        assert!(ids.len() <= 2, "{ids:?}");
        seen.extend(ids);
        match cursor {
            Some(cursor) => query = format!("?limit=2&cursor={cursor}"),
            None => break,
        }
        assert!(pages < 10, "the cursor never ran out");
    }

    assert_eq!(seen, expected);
    assert_eq!(pages, 3);
}

#[tokio::test]
async fn joined_lists_only_the_callers_rooms_and_a_plain_list_stops_at_100() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    let bobs = app.create_room(&bob, "bobs", "public").await;
    for i in 0..100 {
        app.create_room(&alice, &format!("room-{i:03}"), "public")
            .await;
    }

    let (joined, joined_cursor) = room_page(&app, &bob, "?joined=true").await;
    let (first, cursor) = room_page(&app, &bob, "").await;

    assert_eq!(joined, vec![bobs]);
    assert_eq!(joined_cursor, None);
    assert_eq!(first.len(), 100);
    assert!(cursor.is_some(), "101 rooms fit on one default page");
}

#[tokio::test]
async fn a_bad_room_list_cursor_or_limit_is_invalid() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;

    for (query, field) in [
        ("?cursor=nope", "cursor"),
        ("?limit=0", "limit"),
        ("?limit=501", "limit"),
        ("?joined=maybe", "joined"),
    ] {
        app.get(&format!("/api/v1/rooms{query}"), Some(&alice.token))
            .await
            .assert_invalid_field(field);
    }
}
