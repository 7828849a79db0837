//! Reactions: each user once per emoji per message, counted with `me` for the reader.

use papo_tests::spawn_app;
use serde_json::{Value, json};

use crate::{in_room, message_path, newest};

fn reactions(message: &Value) -> Vec<(String, u64, bool)> {
    message["reactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["emoji"].as_str().unwrap().to_owned(),
                r["count"].as_u64().unwrap(),
                r["me"].as_bool().unwrap(),
            )
        })
        .collect()
}

fn reaction_path(message: &Value, emoji: &str) -> String {
    format!("{}/reactions/{emoji}", message_path(message))
}

#[tokio::test]
async fn reactions_are_counted_per_emoji_and_each_reader_sees_their_own_me() {
    let app = spawn_app().await;
    let (ana, room) = app.signup_with_room("ana", "lobby", "public").await;
    let bob = app.signup("bob").await;
    let cid = app.signup("cid").await;
    app.join(&bob, &room).await;
    let message = app.post_message(&ana, &room, "shipped").await;

    for (user, emoji) in [(&ana, "👍"), (&bob, "👍"), (&bob, "🎉")] {
        app.put_empty(&reaction_path(&message, emoji), Some(&user.token))
            .await
            .assert_status(204);
    }

    let own = |r: Vec<(&str, u64, bool)>| -> Vec<(String, u64, bool)> {
        r.into_iter()
            .map(|(e, n, m)| (e.to_owned(), n, m))
            .collect()
    };
    assert_eq!(
        reactions(&newest(&app, &bob, &room).await[0]),
        own(vec![("👍", 2, true), ("🎉", 1, true)])
    );
    assert_eq!(
        reactions(&newest(&app, &ana, &room).await[0]),
        own(vec![("👍", 2, true), ("🎉", 1, false)])
    );
    assert_eq!(
        reactions(&newest(&app, &cid, &room).await[0]),
        own(vec![("👍", 2, false), ("🎉", 1, false)]),
        "a reader of a public room who did not react"
    );
}

#[tokio::test]
async fn reacting_twice_or_taking_back_twice_changes_and_tells_once() {
    let app = spawn_app().await;
    let (ana, room) = app.signup_with_room("ana", "lobby", "public").await;
    let message = app.post_message(&ana, &room, "hi").await;
    let mut socket = in_room(&app, &ana, &room).await;
    let path = reaction_path(&message, "🎉");

    for _ in 0..2 {
        app.put_empty(&path, Some(&ana.token))
            .await
            .assert_status(204);
    }
    for _ in 0..2 {
        app.delete(&path, Some(&ana.token)).await.assert_status(204);
    }
    // Events reach sockets in the order they happen: everything the reactions
    // announced arrives before this message.
    app.post_message(&ana, &room, "fence").await;
    let mut told = Vec::new();
    loop {
        let frame = socket.next().await;
        match frame["type"].as_str() {
            Some("message") => break,
            Some("reaction") => told.push(frame),
            _ => {}
        }
    }

    assert_eq!(told.len(), 2, "{told:?}");
    assert_eq!(told[0]["added"], true);
    assert_eq!(told[0]["emoji"], "🎉");
    assert_eq!(told[0]["user_id"], ana.id.as_str());
    assert_eq!(told[0]["message_id"], message["id"]);
    assert_eq!(told[1]["added"], false);
    assert!(reactions(&newest(&app, &ana, &room).await[0]).is_empty());
}

#[tokio::test]
async fn an_emoji_is_one_emoji_or_a_short_code_and_standard_codes_become_emoji() {
    let app = spawn_app().await;
    let (ana, room) = app.signup_with_room("ana", "lobby", "public").await;
    let message = app.post_message(&ana, &room, "hi").await;

    for bad in ["ok", "👍👍", ":Upper:", "::", "%20"] {
        app.put_empty(&reaction_path(&message, bad), Some(&ana.token))
            .await
            .assert_invalid_field("emoji");
    }
    for good in [":+1:", ":party_parrot:"] {
        app.put_empty(&reaction_path(&message, good), Some(&ana.token))
            .await
            .assert_status(204);
    }

    let names: Vec<String> = reactions(&newest(&app, &ana, &room).await[0])
        .into_iter()
        .map(|(emoji, _, _)| emoji)
        .collect();
    assert_eq!(names, ["👍", ":party_parrot:"]);
}

#[tokio::test]
async fn a_deleted_message_loses_its_reactions_and_takes_no_more() {
    let app = spawn_app().await;
    let (ana, room) = app.signup_with_room("ana", "lobby", "public").await;
    let message = app.post_message(&ana, &room, "oops").await;
    app.put_empty(&reaction_path(&message, "👍"), Some(&ana.token))
        .await
        .assert_status(204);

    app.delete(&message_path(&message), Some(&ana.token))
        .await
        .assert_status(204);
    let again = app
        .put_empty(&reaction_path(&message, "👍"), Some(&ana.token))
        .await;
    let unknown = app
        .put_empty(
            &format!("/api/v1/messages/{}/reactions/👍", uuid::Uuid::new_v4()),
            Some(&ana.token),
        )
        .await;

    assert!(reactions(&newest(&app, &ana, &room).await[0]).is_empty());
    again.assert_problem(409, "message_deleted");
    unknown.assert_problem(404, "message_not_found");
}

#[tokio::test]
async fn a_message_takes_twenty_different_emoji_at_most() {
    let app = spawn_app().await;
    let (ana, room) = app.signup_with_room("ana", "lobby", "public").await;
    let message = app.post_message(&ana, &room, "vote").await;

    for i in 0..20 {
        app.put_empty(
            &reaction_path(&message, &format!(":e{i}:")),
            Some(&ana.token),
        )
        .await
        .assert_status(204);
    }
    let one_more = app
        .put_empty(&reaction_path(&message, ":e20:"), Some(&ana.token))
        .await;
    let known = app
        .put_empty(&reaction_path(&message, ":e3:"), Some(&ana.token))
        .await;

    one_more.assert_problem(409, "too_many_reactions");
    known.assert_status(204);
}

#[tokio::test]
async fn an_edit_shows_each_recipient_their_own_me() {
    let app = spawn_app().await;
    let (ana, room) = app.signup_with_room("ana", "lobby", "public").await;
    let bob = app.signup("bob").await;
    app.join(&bob, &room).await;
    let message = app.post_message(&ana, &room, "draft").await;
    app.put_empty(&reaction_path(&message, "👀"), Some(&bob.token))
        .await
        .assert_status(204);
    let mut anas = in_room(&app, &ana, &room).await;
    let mut bobs = in_room(&app, &bob, &room).await;

    app.patch(
        &message_path(&message),
        Some(&ana.token),
        json!({"content": "final"}),
    )
    .await
    .assert_status(200);
    let for_ana = anas.next_of("edited").await;
    let for_bob = bobs.next_of("edited").await;

    assert_eq!(
        reactions(&for_ana["message"]),
        [("👀".to_owned(), 1, false)]
    );
    assert_eq!(reactions(&for_bob["message"]), [("👀".to_owned(), 1, true)]);
    assert_eq!(for_bob["message"]["content"], "final");
}
