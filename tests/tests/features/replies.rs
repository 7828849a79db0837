//! Replies: a post names the message it answers; the answered message counts them.

use papo_tests::spawn_app;
use serde_json::json;

use crate::{in_room, message_path, newest};

#[tokio::test]
async fn a_reply_names_its_parent_which_counts_it_and_lists_it() {
    let app = spawn_app().await;
    let (ana, room) = app.signup_with_room("ana", "lobby", "public").await;
    let bob = app.signup("bob").await;
    let question = app.post_message(&ana, &room, "Who deploys today?").await;

    let reply = app.reply_to(&bob, &room, &question, "I do").await;
    let history = newest(&app, &ana, &room).await;
    let listed = app
        .get(
            &format!("{}/replies", message_path(&question)),
            Some(&ana.token),
        )
        .await;

    assert_eq!(reply["reply_to"]["id"], question["id"], "{reply}");
    assert_eq!(reply["reply_to"]["seq"], 1);
    assert_eq!(reply["reply_to"]["user"]["username"], "ana");
    assert_eq!(reply["reply_to"]["excerpt"], "Who deploys today?");
    assert_eq!(history[0]["reply_count"], 1, "{}", history[0]);
    assert!(history[0]["reply_to"].is_null());
    assert_eq!(history[1]["reply_to"]["id"], question["id"]);
    listed.assert_status(200);
    let replies = listed.body["replies"].as_array().unwrap();
    assert_eq!(replies.len(), 1);
    assert_eq!(replies[0]["content"], "I do");
    assert!(listed.body["next_before"].is_null());
}

#[tokio::test]
async fn a_reply_over_the_socket_tells_the_whole_room_the_new_count() {
    let app = spawn_app().await;
    let (ana, room) = app.signup_with_room("ana", "lobby", "public").await;
    let bob = app.signup("bob").await;
    app.join(&bob, &room).await;
    let question = app.post_message(&ana, &room, "lunch?").await;
    let mut anas = in_room(&app, &ana, &room).await;
    let mut bobs = in_room(&app, &bob, &room).await;

    bobs.send(json!({"type": "message", "content": "yes", "temp_id": "r1",
        "reply_to": question["id"]}))
        .await;
    let seen = anas.next_of("message").await;
    let count = anas.next_of("replied").await;
    // The ack and the count leave by different paths: either may come first.
    let (mut acked, mut own) = (None, None);
    while acked.is_none() || own.is_none() {
        let frame = bobs.next().await;
        match frame["type"].as_str() {
            Some("ack") => acked = Some(frame),
            Some("replied") => own = Some(frame),
            _ => {}
        }
    }
    let (acked, own) = (acked.unwrap(), own.unwrap());

    assert_eq!(seen["reply_to"]["id"], question["id"], "{seen}");
    assert_eq!(seen["reply_to"]["excerpt"], "lunch?");
    assert_eq!(count["message_id"], question["id"], "{count}");
    assert_eq!(count["reply_count"], 1);
    assert_eq!(count["room_id"], room.as_str());
    assert_eq!(acked["temp_id"], "r1");
    assert_eq!(
        own["reply_count"], 1,
        "the replier's own socket is told too"
    );
}

#[tokio::test]
async fn replying_to_a_message_of_another_room_is_refused_everywhere() {
    let app = spawn_app().await;
    let (ana, lobby) = app.signup_with_room("ana", "lobby", "public").await;
    let hall = app.create_room(&ana, "hall", "public").await;
    let elsewhere = app.post_message(&ana, &hall, "over here").await;

    let rest = app
        .post(
            &format!("/api/v1/rooms/{lobby}/messages"),
            Some(&ana.token),
            json!({"content": "hi", "reply_to": elsewhere["id"]}),
        )
        .await;
    let unknown = app
        .post(
            &format!("/api/v1/rooms/{lobby}/messages"),
            Some(&ana.token),
            json!({"content": "hi", "reply_to": uuid::Uuid::new_v4()}),
        )
        .await;
    let mut socket = in_room(&app, &ana, &lobby).await;
    socket
        .send(json!({"content": "hi", "temp_id": "x", "reply_to": elsewhere["id"]}))
        .await;
    let error = socket.next_of("error").await;

    rest.assert_invalid_field("reply_to");
    unknown.assert_invalid_field("reply_to");
    assert_eq!(error["code"], "validation_failed", "{error}");
    assert_eq!(error["temp_id"], "x");
    assert!(
        newest(&app, &ana, &lobby).await.is_empty(),
        "nothing stored"
    );
}

#[tokio::test]
async fn replies_page_like_history_and_excerpts_follow_their_parent() {
    let app = spawn_app().await;
    let (ana, room) = app.signup_with_room("ana", "lobby", "public").await;
    let long = "x".repeat(150);
    let parent = app.post_message(&ana, &room, &long).await;
    for i in 1..=5 {
        app.reply_to(&ana, &room, &parent, &format!("reply {i}"))
            .await;
    }
    let path = format!("{}/replies", message_path(&parent));

    let first = app.get(&format!("{path}?limit=2"), Some(&ana.token)).await;
    let before = first.body["next_before"].as_i64().unwrap();
    let second = app
        .get(&format!("{path}?limit=2&before={before}"), Some(&ana.token))
        .await;
    app.delete(&message_path(&parent), Some(&ana.token))
        .await
        .assert_status(204);
    let after = app.get(&path, Some(&ana.token)).await;
    let too_many = app
        .get(&format!("{path}?limit=101"), Some(&ana.token))
        .await;

    let contents = |reply: &papo_tests::Reply| -> Vec<String> {
        reply.body["replies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["content"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(contents(&first), ["reply 4", "reply 5"]);
    assert_eq!(contents(&second), ["reply 2", "reply 3"]);
    assert_eq!(
        first.body["replies"][0]["reply_to"]["excerpt"],
        "x".repeat(100),
        "the first 100 characters"
    );
    assert_eq!(
        after.body["replies"][0]["reply_to"]["excerpt"], "",
        "deleted"
    );
    assert_eq!(after.body["replies"].as_array().unwrap().len(), 5);
    too_many.assert_invalid_field("limit");
}
