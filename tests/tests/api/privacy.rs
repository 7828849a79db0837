//! Private rooms and direct messages stay between their members.
use papo_tests::{Reply, TestApp, TestUser, spawn_app};
use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

/// Every way an outsider might look into or get into a room, with its reply.
async fn every_access(app: &TestApp, outsider: &TestUser, room: &str) -> Vec<(String, Reply)> {
    let token = Some(outsider.token.as_str());
    let message = Some(json!({"content": "let me in"}));
    let attempts = [
        (Method::GET, format!("/api/v1/rooms/{room}"), None),
        (Method::GET, format!("/api/v1/rooms/{room}/history"), None),
        (Method::GET, format!("/api/v1/rooms/{room}/members"), None),
        (
            Method::POST,
            format!("/api/v1/rooms/{room}/messages"),
            message,
        ),
        (Method::POST, format!("/api/v1/rooms/{room}/join"), None),
    ];
    let mut replies = Vec::new();
    for (method, path, body) in attempts {
        let label = format!("{method} {path}");
        replies.push((label, app.request(method, &path, token, body).await));
    }
    replies
}

async fn open_dm(app: &TestApp, caller: &TestUser, other_id: &str) -> Reply {
    app.post(
        "/api/v1/dms",
        Some(&caller.token),
        json!({ "user_id": other_id }),
    )
    .await
}

#[tokio::test]
async fn an_outsider_cannot_see_read_list_post_to_or_join_a_private_room() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let mallory = app.signup("mallory").await;
    let room = app.create_room(&alice, "secret", "private").await;
    app.post_message(&alice, &room, "the plan").await;

    let replies = every_access(&app, &mallory, &room).await;

    for (attempt, reply) in replies {
        assert_eq!(reply.code(), "room_forbidden", "{attempt}: {}", reply.text);
        reply.assert_problem(403, "room_forbidden");
        assert!(!reply.text.contains("the plan"), "{attempt}");
    }
    let history = app.history(&alice, &room, "").await;
    assert_eq!(history.body["pagination"]["total_messages"], 1);
}

#[tokio::test]
async fn the_room_list_shows_public_rooms_and_only_your_own_private_ones() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    let public = app.create_room(&alice, "general", "public").await;
    let alices = app.create_room(&alice, "alices", "private").await;
    let bobs = app.create_room(&bob, "bobs", "private").await;

    let reply = app.get("/api/v1/rooms", Some(&bob.token)).await;

    reply.assert_status(200);
    let mut ids: Vec<_> = reply.body["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    let mut expected = vec![public.clone(), bobs];
    expected.sort();
    assert_eq!(ids, expected);
    assert!(app.listed_room(&alice, &alices).await.is_some());
    let listed = app.listed_room(&bob, &public).await.unwrap();
    assert_eq!(listed["name"], "general");
    assert_eq!(listed["visibility"], "public");
    assert_eq!(listed["creator_id"], alice.id);
}

#[tokio::test]
async fn opening_a_direct_room_creates_it_once_for_both_people() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;

    let first = open_dm(&app, &alice, &bob.id).await;
    let again = open_dm(&app, &alice, &bob.id).await;
    let from_bob = open_dm(&app, &bob, &alice.id).await;

    first.assert_status(201);
    again.assert_status(200);
    from_bob.assert_status(200);
    assert_eq!(first.body["visibility"], "direct");
    assert_eq!(again.body["id"], first.body["id"]);
    assert_eq!(from_bob.body["id"], first.body["id"]);
}

#[tokio::test]
async fn both_people_are_members_of_their_direct_room_and_can_talk() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    let room = open_dm(&app, &alice, &bob.id).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();

    app.post_message(&alice, &room, "psst").await;
    app.post_message(&bob, &room, "yes?").await;

    let path = format!("/api/v1/rooms/{room}/members");
    let members = app.get(&path, Some(&bob.token)).await;
    members.assert_status(200);
    let mut ids: Vec<_> = members.body["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["user"]["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    let mut expected = vec![alice.id.clone(), bob.id.clone()];
    expected.sort();
    assert_eq!(ids, expected);
    let history = app.history(&alice, &room, "").await;
    assert_eq!(history.body["pagination"]["total_messages"], 2);
    let listed = app.listed_room(&bob, &room).await.unwrap();
    assert_eq!(listed["visibility"], "direct");
}

#[tokio::test]
async fn a_third_person_is_kept_out_of_a_direct_room() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    let carol = app.signup("carol").await;
    let room = open_dm(&app, &alice, &bob.id).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post_message(&alice, &room, "just us").await;

    let replies = every_access(&app, &carol, &room).await;

    for (attempt, reply) in replies {
        assert_eq!(reply.code(), "room_forbidden", "{attempt}: {}", reply.text);
        reply.assert_problem(403, "room_forbidden");
    }
    assert!(app.listed_room(&carol, &room).await.is_none());
}

#[tokio::test]
async fn nobody_can_be_invited_into_or_leave_a_direct_room() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    let carol = app.signup("carol").await;
    let room = open_dm(&app, &alice, &bob.id).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let invite = app
        .post(
            &format!("/api/v1/rooms/{room}/members"),
            Some(&alice.token),
            json!({"user_id": carol.id}),
        )
        .await;
    let leave = app
        .post_empty(&format!("/api/v1/rooms/{room}/leave"), Some(&bob.token))
        .await;

    invite.assert_problem(403, "direct_room");
    leave.assert_problem(403, "direct_room");
}

#[tokio::test]
async fn a_direct_room_with_yourself_is_invalid() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;

    let reply = open_dm(&app, &alice, &alice.id).await;

    reply.assert_problem(422, "validation_failed");
}

#[tokio::test]
async fn a_direct_room_with_an_unknown_user_is_not_found() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;

    let reply = open_dm(&app, &alice, &Uuid::new_v4().to_string()).await;

    reply.assert_problem(404, "user_not_found");
}

#[tokio::test]
async fn an_unknown_room_is_not_found_rather_than_forbidden() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let room = Uuid::new_v4().to_string();

    let replies = every_access(&app, &alice, &room).await;

    for (attempt, reply) in replies {
        assert_eq!(reply.code(), "room_not_found", "{attempt}: {}", reply.text);
        reply.assert_problem(404, "room_not_found");
    }
}

#[tokio::test]
async fn making_a_room_private_hides_it_from_everyone_but_its_members() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    let carol = app.signup("carol").await;
    let room = app.create_room(&alice, "general", "public").await;
    app.join(&bob, &room).await;

    let path = format!("/api/v1/rooms/{room}");
    let body = json!({"visibility": "private"});
    app.patch(&path, Some(&alice.token), body)
        .await
        .assert_status(200);

    assert!(app.listed_room(&bob, &room).await.is_some());
    assert!(app.listed_room(&carol, &room).await.is_none());
    let peek = app.history(&carol, &room, "").await;
    peek.assert_problem(403, "room_forbidden");
    app.history(&bob, &room, "").await.assert_status(200);
}

#[tokio::test]
async fn anyone_signed_in_can_read_a_public_room_without_joining() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    let room = app.create_room(&alice, "general", "public").await;
    app.post_message(&alice, &room, "open to all").await;

    let history = app.history(&bob, &room, "").await;
    let fetched = app
        .get(&format!("/api/v1/rooms/{room}"), Some(&bob.token))
        .await;

    history.assert_status(200);
    assert_eq!(history.body["messages"][0]["content"], "open to all");
    fetched.assert_status(200);
    assert_eq!(app.listed_room(&bob, &room).await.unwrap()["unread"], 0);
}

#[tokio::test]
async fn opening_a_direct_room_needs_a_user_id() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;

    let reply = app.post("/api/v1/dms", Some(&alice.token), json!({})).await;

    reply.assert_invalid_field("user_id");
}
