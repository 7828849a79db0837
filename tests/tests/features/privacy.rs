//! A private room stays closed to non-members through every feature: they cannot
//! read its replies, react, search it, moderate it, or reach it through a reply.

use papo_tests::spawn_app;
use serde_json::json;

use crate::message_path;

#[tokio::test]
async fn a_non_member_can_do_nothing_with_a_private_room() {
    let app = spawn_app().await;
    let (ana, secret) = app.signup_with_room("ana", "secret", "private").await;
    let eve = app.signup("eve").await;
    let bob = app.signup("bob").await;
    app.invite(&ana, &secret, &bob).await;
    let lobby = app.create_room(&eve, "lobby", "public").await;
    let hidden = app.post_message(&ana, &secret, "the plan").await;
    let path = message_path(&hidden);

    let refusals = [
        app.get(&format!("{path}/replies"), Some(&eve.token)).await,
        app.put_empty(&format!("{path}/reactions/👍"), Some(&eve.token))
            .await,
        app.delete(&format!("{path}/reactions/👍"), Some(&eve.token))
            .await,
        app.delete(&path, Some(&eve.token)).await,
        app.get(
            &format!("/api/v1/search?q=plan&room_id={secret}"),
            Some(&eve.token),
        )
        .await,
        app.patch(
            &format!("/api/v1/rooms/{secret}/members/{}", bob.id),
            Some(&eve.token),
            json!({"role": "admin"}),
        )
        .await,
        app.delete(
            &format!("/api/v1/rooms/{secret}/members/{}", bob.id),
            Some(&eve.token),
        )
        .await,
        app.put_empty(
            &format!("/api/v1/rooms/{secret}/bans/{}", bob.id),
            Some(&eve.token),
        )
        .await,
        app.delete(
            &format!("/api/v1/rooms/{secret}/bans/{}", bob.id),
            Some(&eve.token),
        )
        .await,
        app.get(&format!("/api/v1/rooms/{secret}/bans"), Some(&eve.token))
            .await,
    ];
    // Answering the hidden message from a room of one's own tells nothing either.
    let reply = app
        .post(
            &format!("/api/v1/rooms/{lobby}/messages"),
            Some(&eve.token),
            json!({"content": "peek", "reply_to": hidden["id"]}),
        )
        .await;
    let searched = app.get("/api/v1/search?q=plan", Some(&eve.token)).await;

    for (i, refusal) in refusals.iter().enumerate() {
        assert_eq!(refusal.status, 403, "refusal {i}: {}", refusal.text);
        assert_eq!(
            refusal.code(),
            "room_forbidden",
            "refusal {i}: {}",
            refusal.text
        );
    }
    reply.assert_invalid_field("reply_to");
    assert_eq!(searched.body["results"], json!([]), "{}", searched.body);
}
