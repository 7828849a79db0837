//! Mentions: `@username` of a member, listed on the message, counted while unread,
//! and told to the mentioned member's multiplexed sockets.

use papo_tests::spawn_app;
use serde_json::json;

use crate::{all, message_path};

#[tokio::test]
async fn mentioning_a_member_lists_them_and_sends_them_a_mention_frame() {
    let app = spawn_app().await;
    let (ana, room) = app.signup_with_room("ana", "lobby", "public").await;
    let bob = app.signup("bob").await;
    app.join(&bob, &room).await;
    let mut bobs = all(&app, &bob).await;

    let message = app
        .post_message(&ana, &room, "hi @Bob, see @nobody and @ana")
        .await;
    let plain = bobs.next_of("message").await;
    let mention = bobs.next_of("mention").await;

    let mut mentions: Vec<&str> = message["mentions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    mentions.sort_unstable();
    let mut expected = [ana.id.as_str(), bob.id.as_str()];
    expected.sort_unstable();
    assert_eq!(mentions, expected, "{message}");
    assert_eq!(plain["id"], message["id"]);
    assert_eq!(mention["room_id"], room.as_str(), "{mention}");
    assert_eq!(mention["message"]["id"], message["id"]);
}

#[tokio::test]
async fn nobody_outside_the_room_is_mentioned_or_told() {
    let app = spawn_app().await;
    let (ana, secret) = app.signup_with_room("ana", "secret", "private").await;
    let cid = app.signup("cid").await;
    let lobby = app.create_room(&cid, "lobby", "public").await;
    let mut cids = all(&app, &cid).await;

    let message = app.post_message(&ana, &secret, "don't tell @cid").await;
    // Anything for cid about the private room would come before this.
    app.post_message(&cid, &lobby, "fence").await;
    let mut seen = Vec::new();
    loop {
        let frame = cids.next().await;
        if frame["type"] == "message" {
            break;
        }
        seen.push(frame);
    }

    assert_eq!(message["mentions"], json!([]), "{message}");
    assert!(
        !seen.iter().any(|f| f["type"] == "mention"),
        "cid heard of it: {seen:?}"
    );
}

#[tokio::test]
async fn unread_mentions_are_counted_in_the_room_list_until_read() {
    let app = spawn_app().await;
    let (ana, room) = app.signup_with_room("ana", "lobby", "public").await;
    let bob = app.signup("bob").await;
    app.join(&bob, &room).await;

    app.post_message(&bob, &room, "me, @bob, myself").await;
    app.post_message(&ana, &room, "@bob one").await;
    app.post_message(&ana, &room, "no mention").await;
    let last = app.post_message(&ana, &room, "@BOB two").await;
    let before = app.listed_room(&bob, &room).await.unwrap();
    let mut socket = all(&app, &bob).await;
    socket
        .send(json!({"type": "read", "room_id": room, "seq": last["seq"]}))
        .await;
    socket.send(json!({"type": "ping"})).await;
    socket.next_of("pong").await;
    let after = app.listed_room(&bob, &room).await.unwrap();
    let anas = app.listed_room(&ana, &room).await.unwrap();

    assert_eq!(before["unread"], 3, "{before}");
    assert_eq!(before["mentions"], 2, "one's own mention does not count");
    assert_eq!(after["mentions"], 0, "{after}");
    assert_eq!(anas["mentions"], 0);
}

#[tokio::test]
async fn an_edit_changes_whom_a_message_mentions_and_a_deletion_uncounts_it() {
    let app = spawn_app().await;
    let (ana, room) = app.signup_with_room("ana", "lobby", "public").await;
    let bob = app.signup("bob").await;
    let cid = app.signup("cid").await;
    app.join(&bob, &room).await;
    app.join(&cid, &room).await;
    let message = app.post_message(&ana, &room, "ask @bob").await;

    let edited = app
        .patch(
            &message_path(&message),
            Some(&ana.token),
            json!({"content": "ask @cid"}),
        )
        .await;
    let bobs = app.listed_room(&bob, &room).await.unwrap();
    let cids = app.listed_room(&cid, &room).await.unwrap();
    app.delete(&message_path(&message), Some(&ana.token))
        .await
        .assert_status(204);
    let cids_after = app.listed_room(&cid, &room).await.unwrap();

    edited.assert_status(200);
    assert_eq!(edited.body["mentions"], json!([cid.id]), "{}", edited.body);
    assert_eq!(bobs["mentions"], 0);
    assert_eq!(cids["mentions"], 1);
    assert_eq!(cids_after["mentions"], 0);
}
