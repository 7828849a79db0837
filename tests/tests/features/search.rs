//! Search: whole words and prefixes, any case, any accent, newest first, only what
//! the caller may read, kept in step with edits and deletes.

use papo_tests::{Reply, TestApp, TestUser, spawn_app, spawn_app_with};
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

/// PostgreSQL's search first reads the newest 5,000 messages in scope and only then
/// the index's older matches; a hit on each side of that line, in the room and
/// everywhere, page by page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hits_older_than_the_newest_five_thousand_messages_are_found_in_order() {
    let app = spawn_app_with(|s| s.realtime.post_rate = 0).await;
    let (ana, room) = app.signup_with_room("ana", "lobby", "public").await;
    app.post_message(&ana, &room, "needle early").await;
    // Ten sockets at once: one alone waits for each of its commits in turn.
    let sockets = (0..10).map(|socket| {
        let (app, room, token) = (&app, &room, &ana.token);
        async move {
            let fillers = (0..500)
                .map(|n| json!({"type": "message", "content": format!("hay {socket} {n}")}));
            app.chat(room, token).await.send_reading(fillers).await
        }
    });
    futures_util::future::join_all(sockets).await;
    let path = format!("/api/v1/rooms/{room}/history?page=1&size=1");
    for _ in 0..300 {
        let total =
            app.get(&path, Some(&ana.token)).await.body["pagination"]["total_messages"].clone();
        if total == 5_001 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    app.post_message(&ana, &room, "needle late").await;

    let in_room = search(&app, &ana, &format!("q=needle&room_id={room}")).await;
    let everywhere = search(&app, &ana, "q=needle").await;
    let first = search(&app, &ana, &format!("q=needle&room_id={room}&limit=1")).await;
    let before = first.body["next_before"].as_str().unwrap().to_owned();
    let second = search(
        &app,
        &ana,
        &format!("q=needl&room_id={room}&limit=1&before={before}"),
    )
    .await;
    let everywhere_second = search(&app, &ana, &format!("q=needl&limit=1&before={before}")).await;

    assert_eq!(contents(&in_room), ["needle late", "needle early"]);
    assert_eq!(contents(&everywhere), ["needle late", "needle early"]);
    assert_eq!(contents(&first), ["needle late"]);
    assert_eq!(contents(&second), ["needle early"]);
    assert!(second.body["next_before"].is_null(), "{}", second.body);
    assert_eq!(contents(&everywhere_second), ["needle early"]);
}
