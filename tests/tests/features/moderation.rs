//! Moderation: the owner names admins; owners and admins remove, ban and delete;
//! nobody acts on the owner and an admin not on another admin.

use papo_tests::{Reply, TestApp, TestUser, spawn_app};
use serde_json::json;

use crate::{in_room, message_path};

fn member_path(room: &str, user: &TestUser) -> String {
    format!("/api/v1/rooms/{room}/members/{}", user.id)
}

fn ban_path(room: &str, user: &TestUser) -> String {
    format!("/api/v1/rooms/{room}/bans/{}", user.id)
}

async fn make_admin(app: &TestApp, owner: &TestUser, room: &str, user: &TestUser) -> Reply {
    app.patch(
        &member_path(room, user),
        Some(&owner.token),
        json!({"role": "admin"}),
    )
    .await
}

#[tokio::test]
async fn the_owner_makes_an_admin_who_removes_a_member_whose_socket_closes() {
    let app = spawn_app().await;
    let (ana, room) = app.signup_with_room("ana", "lobby", "public").await;
    let bob = app.signup("bob").await;
    let cid = app.signup("cid").await;
    app.join(&bob, &room).await;
    app.join(&cid, &room).await;
    let mut anas = in_room(&app, &ana, &room).await;
    let mut cids = in_room(&app, &cid, &room).await;
    let mut cids_all = crate::all(&app, &cid).await;

    let promoted = make_admin(&app, &ana, &room, &bob).await;
    let role = anas.next_of("member").await;
    let removed = app
        .delete(&member_path(&room, &cid), Some(&bob.token))
        .await;
    let closed = cids.closed().await;
    let told = anas.until("system", |f| f["event"] == "removed").await;
    let yours = cids_all.next_of("room").await;
    let members = app
        .get(&format!("/api/v1/rooms/{room}/members"), Some(&ana.token))
        .await;

    promoted.assert_status(200);
    assert_eq!(promoted.body["role"], "admin", "{}", promoted.body);
    assert_eq!(role["user"]["username"], "bob", "{role}");
    assert_eq!(role["role"], "admin");
    assert_eq!(role["room_id"], room.as_str());
    assert_eq!(yours["event"], "left", "{yours}");
    assert_eq!(yours["reason"], "removed");
    assert_eq!(promoted.body["user"]["username"], "bob");
    removed.assert_status(204);
    assert_eq!(closed.code, 4403, "{closed:?}");
    assert_eq!(told["user"]["username"], "cid", "{told}");
    assert_eq!(told["content"], "Cid was removed from the room.");
    let names: Vec<&str> = members.body["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["user"]["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["ana", "bob"]);
    // Removed, not banned: a public room takes them back.
    app.join(&cid, &room).await;
}

#[tokio::test]
async fn nobody_acts_on_the_owner_an_admin_not_on_an_admin_and_members_not_at_all() {
    let app = spawn_app().await;
    let (ana, room) = app.signup_with_room("ana", "lobby", "public").await;
    let (bob, dee, cid) = (
        app.signup("bob").await,
        app.signup("dee").await,
        app.signup("cid").await,
    );
    for user in [&bob, &dee, &cid] {
        app.join(user, &room).await;
    }
    make_admin(&app, &ana, &room, &bob).await.assert_status(200);
    make_admin(&app, &ana, &room, &dee).await.assert_status(200);
    let owners = app.post_message(&ana, &room, "owner's word").await;

    let on_owner = app
        .delete(&member_path(&room, &ana), Some(&bob.token))
        .await;
    let ban_owner = app
        .put_empty(&ban_path(&room, &ana), Some(&bob.token))
        .await;
    let on_admin = app
        .delete(&member_path(&room, &dee), Some(&bob.token))
        .await;
    let admin_sets_role = make_admin(&app, &bob, &room, &cid).await;
    let member_removes = app
        .delete(&member_path(&room, &dee), Some(&cid.token))
        .await;
    let member_lists = app
        .get(&format!("/api/v1/rooms/{room}/bans"), Some(&cid.token))
        .await;
    let owner_demoted = app
        .patch(
            &member_path(&room, &ana),
            Some(&ana.token),
            json!({"role": "member"}),
        )
        .await;
    let made_owner = app
        .patch(
            &member_path(&room, &cid),
            Some(&ana.token),
            json!({"role": "owner"}),
        )
        .await;
    let admin_deletes_owner = app.delete(&message_path(&owners), Some(&bob.token)).await;
    let outsider = app.signup("eve").await;
    let not_in_room = app
        .delete(&member_path(&room, &outsider), Some(&ana.token))
        .await;

    on_owner.assert_problem(403, "cannot_moderate_owner");
    ban_owner.assert_problem(403, "cannot_moderate_owner");
    on_admin.assert_problem(403, "cannot_moderate_admin");
    admin_sets_role.assert_problem(403, "not_room_owner");
    member_removes.assert_problem(403, "not_a_moderator");
    member_lists.assert_problem(403, "not_a_moderator");
    owner_demoted.assert_problem(403, "cannot_moderate_owner");
    made_owner.assert_invalid_field("role");
    admin_deletes_owner.assert_problem(403, "cannot_moderate_owner");
    not_in_room.assert_problem(404, "user_not_found");
    // The owner may act on an admin.
    app.delete(&member_path(&room, &dee), Some(&ana.token))
        .await
        .assert_status(204);
}

#[tokio::test]
async fn a_ban_removes_and_keeps_out_until_it_is_lifted() {
    let app = spawn_app().await;
    let (ana, room) = app.signup_with_room("ana", "lobby", "public").await;
    let bob = app.signup("bob").await;
    app.join(&bob, &room).await;
    let mut anas = in_room(&app, &ana, &room).await;
    let mut bobs = in_room(&app, &bob, &room).await;
    let mut bobs_all = crate::all(&app, &bob).await;

    app.put(
        &ban_path(&room, &bob),
        Some(&ana.token),
        json!({"reason": "spam"}),
    )
    .await
    .assert_status(204);
    let closed = bobs.closed().await;
    let told = anas.until("system", |f| f["event"] == "banned").await;
    let yours = bobs_all.next_of("room").await;
    assert_eq!(
        (yours["event"].as_str(), yours["reason"].as_str()),
        (Some("left"), Some("banned")),
        "{yours}"
    );
    let join = app
        .post_empty(&format!("/api/v1/rooms/{room}/join"), Some(&bob.token))
        .await;
    let read = app.history(&bob, &room, "").await;
    let post = app
        .post(
            &format!("/api/v1/rooms/{room}/messages"),
            Some(&bob.token),
            json!({"content": "let me in"}),
        )
        .await;
    let socket = app.chat(&room, &bob.token).await.closed().await;
    let invite = app
        .post(
            &format!("/api/v1/rooms/{room}/members"),
            Some(&ana.token),
            json!({"user_id": bob.id}),
        )
        .await;
    let bans = app
        .get(&format!("/api/v1/rooms/{room}/bans"), Some(&ana.token))
        .await;

    assert_eq!(closed.code, 4403, "{closed:?}");
    assert_eq!(told["content"], "Bob was banned from the room.", "{told}");
    join.assert_problem(403, "banned");
    read.assert_problem(403, "banned");
    post.assert_problem(403, "banned");
    assert_eq!(socket.code, 4403, "{socket:?}");
    invite.assert_problem(403, "banned");
    bans.assert_status(200);
    let ban = &bans.body["bans"][0];
    assert_eq!(ban["user"]["username"], "bob", "{}", bans.body);
    assert_eq!(ban["reason"], "spam");
    assert_eq!(ban["banned_by"]["username"], "ana");
    assert!(ban["created_at"].is_string());

    app.delete(&ban_path(&room, &bob), Some(&ana.token))
        .await
        .assert_status(204);
    app.join(&bob, &room).await;
    let again = app.delete(&ban_path(&room, &bob), Some(&ana.token)).await;
    again.assert_status(204);
}

#[tokio::test]
async fn a_moderator_deletes_any_message_and_the_deletion_names_them() {
    let app = spawn_app().await;
    let (ana, room) = app.signup_with_room("ana", "lobby", "public").await;
    let bob = app.signup("bob").await;
    app.join(&bob, &room).await;
    let own = app.post_message(&ana, &room, "mine").await;
    let bobs = app.post_message(&bob, &room, "rude").await;
    let mut socket = in_room(&app, &bob, &room).await;

    app.delete(&message_path(&bobs), Some(&ana.token))
        .await
        .assert_status(204);
    let frame = socket.next_of("deleted").await;
    app.delete(&message_path(&own), Some(&ana.token))
        .await
        .assert_status(204);
    let history = app.history(&bob, &room, "?limit=10").await;

    assert_eq!(frame["message"]["deleted_by"]["username"], "ana", "{frame}");
    assert_eq!(frame["message"]["deleted"], true);
    let messages = history.body["messages"].as_array().unwrap();
    assert_eq!(messages[0]["deleted_by"]["username"], "ana", "the author");
    assert_eq!(messages[1]["deleted_by"]["username"], "ana", "a moderator");
    assert_eq!(messages[1]["user"]["username"], "bob");
}

#[tokio::test]
async fn a_ban_reason_is_bounded_and_direct_rooms_have_no_moderation() {
    let app = spawn_app().await;
    let (ana, room) = app.signup_with_room("ana", "lobby", "public").await;
    let bob = app.signup("bob").await;
    let dm = app
        .post("/api/v1/dms", Some(&ana.token), json!({"user_id": bob.id}))
        .await;
    let dm = dm.body["id"].as_str().unwrap().to_owned();

    let long = app
        .put(
            &ban_path(&room, &bob),
            Some(&ana.token),
            json!({"reason": "x".repeat(501)}),
        )
        .await;
    let direct = app.delete(&member_path(&dm, &bob), Some(&ana.token)).await;
    let direct_ban = app.put_empty(&ban_path(&dm, &bob), Some(&ana.token)).await;
    let nobody = app
        .put_empty(
            &format!("/api/v1/rooms/{room}/bans/{}", uuid::Uuid::new_v4()),
            Some(&ana.token),
        )
        .await;

    long.assert_invalid_field("reason");
    direct.assert_problem(403, "direct_room");
    direct_ban.assert_problem(403, "direct_room");
    nobody.assert_problem(404, "user_not_found");
}
