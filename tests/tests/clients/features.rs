//! `papo-client` speaks DESIGN §8 (replies, reactions, search, moderation) and renews
//! its own access token.

use std::time::Duration;

use papo_client::Client;
use papo_tests::{PASSWORD, spawn_app, spawn_app_with};

#[tokio::test]
async fn the_client_replies_reacts_searches_and_moderates() {
    let app = spawn_app().await;
    app.signup("ana").await;
    app.signup("bob").await;
    let mut ana = Client::new(&app.address);
    ana.login("ana", PASSWORD).await.unwrap();
    let mut bob = Client::new(&app.address);
    bob.login("bob", PASSWORD).await.unwrap();
    let room = ana
        .create_room("lobby", false)
        .await
        .unwrap()
        .id
        .to_string();
    bob.join(&room).await.unwrap();

    let question = ana.post(&room, "deploy today @bob?", None).await.unwrap();
    let answer = bob.reply(&room, question.id, "yes").await.unwrap();
    bob.react(question.id, ":+1:", true).await.unwrap();
    let replies = ana.replies(question.id, None, 10).await.unwrap();
    let found = bob.search("deplo", Some(&room), None).await.unwrap();
    let bobs_id = ana.user_named("@Bob").await.unwrap().id;
    let admin = ana.set_role(&room, bobs_id, "admin").await.unwrap();
    ana.ban(&room, bobs_id, Some("testing")).await.unwrap();
    let bans = ana.bans(&room).await.unwrap();
    let refused = bob.post(&room, "still here?", None).await.unwrap_err();
    ana.unban(&room, bobs_id).await.unwrap();
    let listed = ana.rooms().await.unwrap();

    assert_eq!(answer.reply_to.as_ref().unwrap().id, question.id);
    assert_eq!(question.mentions, [bobs_id]);
    assert_eq!(replies.len(), 1);
    assert_eq!(found.results[0].message.id, question.id);
    assert!(found.results[0].highlight.contains("<mark>deploy</mark>"));
    assert_eq!(found.results[0].message.reactions[0].emoji, "👍");
    assert!(found.results[0].message.reactions[0].me);
    assert_eq!(admin.role, "admin");
    assert_eq!(bans[0].reason.as_deref(), Some("testing"));
    assert!(
        matches!(refused, papo_client::Error::Api { status: 403, ref code, .. } if code == "banned"),
        "{refused}"
    );
    assert_eq!(listed[0].member_count, 1, "bob was taken out by the ban");
}

#[tokio::test]
async fn an_access_token_about_to_expire_is_renewed_before_a_call() {
    let app = spawn_app_with(|s| s.auth.access_token_expire_minutes = 1).await;
    app.signup("ana").await;
    let mut ana = Client::new(&app.address);
    let fresh = ana.login("ana", PASSWORD).await.unwrap();

    ana.rooms().await.unwrap();
    let unchanged = ana.session().unwrap();
    let mut aging = fresh.clone();
    aging.received -= Duration::from_secs(45);
    ana.restore(aging);
    ana.rooms().await.unwrap();
    let renewed = ana.session().unwrap();

    assert_eq!(
        unchanged.access_token, fresh.access_token,
        "not renewed early"
    );
    assert_ne!(renewed.refresh_token, fresh.refresh_token, "renewed");
    assert!(!renewed.expires_soon(Duration::from_secs(60)));
}
