//! Search: whole words and prefixes, any case, any accent, newest first, only what
//! the caller may read, kept in step with edits and deletes.

use papo_tests::{Reply, TestApp, TestUser, spawn_app};
use serde_json::json;

use crate::message_path;

async fn search(app: &TestApp, user: &TestUser, query: &str) -> Reply {
    app.get(&format!("/api/v1/search?{query}"), Some(&user.token))
        .await
}

fn contents(reply: &Reply) -> Vec<String> {
    reply.assert_status(200);
    reply.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["message"]["content"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn words_match_whole_or_by_their_start_in_any_case_or_accent_newest_first() {
    let app = spawn_app().await;
    let (ana, room) = app.signup_with_room("ana", "lobby", "public").await;
    app.post_message(&ana, &room, "Deploy finished").await;
    app.post_message(&ana, &room, "café com leite").await;
    app.post_message(&ana, &room, "the deployment is tomorrow")
        .await;
    app.post_message(&ana, &room, "redeploy never").await;

    let deplo = search(&app, &ana, "q=deplo").await;
    let cafe = search(&app, &ana, "q=CAFE").await;
    let both = search(&app, &ana, "q=deplo%20tomor").await;

    assert_eq!(
        contents(&deplo),
        ["the deployment is tomorrow", "Deploy finished"],
        "prefixes of words, not their middles"
    );
    assert_eq!(
        deplo.body["results"][1]["highlight"],
        "<mark>Deploy</mark> finished"
    );
    assert_eq!(
        deplo.body["results"][0]["message"]["room_id"],
        room.as_str()
    );
    assert!(deplo.body["next_before"].is_null());
    assert_eq!(contents(&cafe), ["café com leite"]);
    assert_eq!(
        cafe.body["results"][0]["highlight"],
        "<mark>café</mark> com leite"
    );
    assert_eq!(
        contents(&both),
        ["the deployment is tomorrow"],
        "every word"
    );
}

#[tokio::test]
async fn only_rooms_the_caller_may_read_are_searched() {
    let app = spawn_app().await;
    let (ana, secret) = app.signup_with_room("ana", "secret", "private").await;
    let bob = app.signup("bob").await;
    let lobby = app.create_room(&bob, "lobby", "public").await;
    app.post_message(&ana, &secret, "the launch plan").await;
    app.post_message(&bob, &lobby, "launch party").await;

    let bobs = search(&app, &bob, "q=launch").await;
    let anas = search(&app, &ana, "q=launch").await;
    let only_lobby = search(&app, &ana, &format!("q=launch&room_id={lobby}")).await;
    let nosy = search(&app, &bob, &format!("q=launch&room_id={secret}")).await;

    assert_eq!(contents(&bobs), ["launch party"]);
    assert_eq!(contents(&anas), ["launch party", "the launch plan"]);
    assert_eq!(contents(&only_lobby), ["launch party"]);
    nosy.assert_problem(403, "room_forbidden");
}

#[tokio::test]
async fn edits_and_deletions_are_searched_as_they_are_now() {
    let app = spawn_app().await;
    let (ana, room) = app.signup_with_room("ana", "lobby", "public").await;
    let message = app.post_message(&ana, &room, "alpha release").await;

    app.patch(
        &message_path(&message),
        Some(&ana.token),
        json!({"content": "beta release"}),
    )
    .await
    .assert_status(200);
    let alpha = search(&app, &ana, "q=alpha").await;
    let beta = search(&app, &ana, "q=beta").await;
    app.delete(&message_path(&message), Some(&ana.token))
        .await
        .assert_status(204);
    let gone = search(&app, &ana, "q=release").await;

    assert!(contents(&alpha).is_empty());
    assert_eq!(contents(&beta), ["beta release"]);
    assert!(contents(&gone).is_empty());
}

#[tokio::test]
async fn results_come_in_pages_that_meet_without_a_gap() {
    let app = spawn_app().await;
    let (ana, room) = app.signup_with_room("ana", "lobby", "public").await;
    for i in 0..5 {
        app.post_message(&ana, &room, &format!("note {i}")).await;
    }

    let mut seen = Vec::new();
    let mut query = "q=note&limit=2".to_owned();
    for _ in 0..3 {
        let page = search(&app, &ana, &query).await;
        seen.extend(contents(&page));
        match page.body["next_before"].as_str() {
            Some(before) => query = format!("q=note&limit=2&before={before}"),
            None => break,
        }
    }

    assert_eq!(seen, ["note 4", "note 3", "note 2", "note 1", "note 0"]);
}

#[tokio::test]
async fn a_query_needs_a_word_and_stays_within_its_limits() {
    let app = spawn_app().await;
    let ana = app.signup("ana").await;

    search(&app, &ana, "q=a%20!")
        .await
        .assert_invalid_field("q");
    search(&app, &ana, &format!("q={}", "w".repeat(101)))
        .await
        .assert_invalid_field("q");
    search(&app, &ana, "q=ok&limit=51")
        .await
        .assert_invalid_field("limit");
    search(&app, &ana, "").await.assert_invalid_field("q");
    app.get("/api/v1/search?q=ok", None)
        .await
        .assert_problem(401, "missing_token");
}
