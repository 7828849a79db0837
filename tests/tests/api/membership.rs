//! Joining, leaving, inviting and listing the members of rooms.
use papo_tests::{Reply, TestApp, TestUser, spawn_app};
use serde_json::json;
use uuid::Uuid;

async fn invite(app: &TestApp, by: &TestUser, room: &str, user_id: &str) -> Reply {
    app.post(
        &format!("/api/v1/rooms/{room}/members"),
        Some(&by.token),
        json!({ "user_id": user_id }),
    )
    .await
}

async fn members(app: &TestApp, user: &TestUser, room: &str) -> Reply {
    app.get(&format!("/api/v1/rooms/{room}/members"), Some(&user.token))
        .await
}

/// `(username, role)` of each member, sorted by username.
fn roles(reply: &Reply) -> Vec<(String, String)> {
    let mut roles: Vec<_> = reply.body["members"]
        .as_array()
        .unwrap_or_else(|| panic!("no members[] in {}", reply.text))
        .iter()
        .map(|m| {
            let username = m["user"]["username"].as_str().unwrap().to_owned();
            (username, m["role"].as_str().unwrap().to_owned())
        })
        .collect();
    roles.sort();
    roles
}

fn pair(username: &str, role: &str) -> (String, String) {
    (username.to_owned(), role.to_owned())
}

#[tokio::test]
async fn joining_a_public_room_twice_makes_one_membership() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    let room = app.create_room(&alice, "general", "public").await;

    app.join(&bob, &room).await;
    app.join(&bob, &room).await;

    let listed = app.listed_room(&bob, &room).await.unwrap();
    assert_eq!(listed["member_count"], 2);
    let reply = members(&app, &alice, &room).await;
    assert_eq!(
        roles(&reply),
        [pair("alice", "owner"), pair("bob", "member")]
    );
}

#[tokio::test]
async fn members_are_listed_with_their_user_role_and_presence() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    let room = app.create_room(&alice, "general", "public").await;
    app.join(&bob, &room).await;

    let reply = members(&app, &bob, &room).await;

    reply.assert_status(200);
    let all = reply.body["members"].as_array().unwrap();
    assert_eq!(all.len(), 2);
    let owner = all.iter().find(|m| m["role"] == "owner").unwrap();
    assert_eq!(owner["user"]["id"], alice.id);
    assert_eq!(owner["user"]["name"], "Alice");
    assert_eq!(owner["user"]["username"], "alice");
    assert_eq!(owner["online"], false);
}

#[tokio::test]
async fn a_member_can_leave_a_room() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    let room = app.create_room(&alice, "general", "public").await;
    app.join(&bob, &room).await;

    let reply = app
        .post_empty(&format!("/api/v1/rooms/{room}/leave"), Some(&bob.token))
        .await;

    reply.assert_status(204);
    let reply = members(&app, &alice, &room).await;
    assert_eq!(roles(&reply), [pair("alice", "owner")]);
}

#[tokio::test]
async fn the_owner_cannot_leave_their_room() {
    let app = spawn_app().await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;

    let reply = app
        .post_empty(&format!("/api/v1/rooms/{room}/leave"), Some(&alice.token))
        .await;

    reply.assert_problem(409, "owner_cannot_leave");
    assert_eq!(roles(&members(&app, &alice, &room).await).len(), 1);
}

#[tokio::test]
async fn an_invited_user_can_join_and_read_a_private_room() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let carol = app.signup("carol").await;
    let room = app.create_room(&alice, "secret", "private").await;
    app.post_message(&alice, &room, "welcome").await;

    invite(&app, &alice, &room, &carol.id)
        .await
        .assert_status(204);

    app.join(&carol, &room).await;
    let history = app.history(&carol, &room, "").await;
    history.assert_status(200);
    assert_eq!(history.body["messages"][0]["content"], "welcome");
    assert!(app.listed_room(&carol, &room).await.is_some());
    let reply = members(&app, &carol, &room).await;
    assert_eq!(
        roles(&reply),
        [pair("alice", "owner"), pair("carol", "member")]
    );
}

#[tokio::test]
async fn a_plain_member_cannot_invite() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    let carol = app.signup("carol").await;
    let room = app.create_room(&alice, "secret", "private").await;
    invite(&app, &alice, &room, &bob.id)
        .await
        .assert_status(204);
    app.join(&bob, &room).await;

    let reply = invite(&app, &bob, &room, &carol.id).await;

    reply.assert_problem(403, "not_room_admin");
    let join = app
        .post_empty(&format!("/api/v1/rooms/{room}/join"), Some(&carol.token))
        .await;
    join.assert_problem(403, "room_forbidden");
}

#[tokio::test]
async fn inviting_an_unknown_user_is_not_found() {
    let app = spawn_app().await;
    let (alice, room) = app.signup_with_room("alice", "secret", "private").await;

    let reply = invite(&app, &alice, &room, &Uuid::new_v4().to_string()).await;

    reply.assert_problem(404, "user_not_found");
}

#[tokio::test]
async fn an_invitation_must_name_a_user() {
    let app = spawn_app().await;
    let (alice, room) = app.signup_with_room("alice", "secret", "private").await;

    let path = format!("/api/v1/rooms/{room}/members");
    let reply = app.post(&path, Some(&alice.token), json!({})).await;

    reply.assert_invalid_field("user_id");
}

#[tokio::test]
async fn joining_or_leaving_an_unknown_room_is_not_found() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let room = Uuid::new_v4();

    for action in ["join", "leave"] {
        let path = format!("/api/v1/rooms/{room}/{action}");
        let reply = app.post_empty(&path, Some(&alice.token)).await;

        reply.assert_problem(404, "room_not_found");
    }
}
