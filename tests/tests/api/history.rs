//! Reading a room's history by page (offset) and by sequence number (keyset).
use papo_tests::{Reply, TestApp, TestUser, spawn_app};
use serde_json::json;

/// A room where alice has posted `m1` … `m{count}`, with seqs 1 … count.
async fn room_with_messages(count: u64) -> (TestApp, TestUser, String) {
    let app = spawn_app().await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    for i in 1..=count {
        app.post_message(&alice, &room, &format!("m{i}")).await;
    }
    (app, alice, room)
}

fn seqs(reply: &Reply) -> Vec<u64> {
    reply.assert_status(200);
    reply.body["messages"]
        .as_array()
        .unwrap_or_else(|| panic!("no messages[] in {}", reply.text))
        .iter()
        .map(|m| m["seq"].as_u64().unwrap())
        .collect()
}

fn range(from: u64, to: u64) -> Vec<u64> {
    (from..=to).collect()
}

#[tokio::test]
async fn by_default_history_is_the_oldest_page_of_ten() {
    let (app, alice, room) = room_with_messages(25).await;

    let reply = app.history(&alice, &room, "").await;

    assert_eq!(seqs(&reply), range(1, 10));
    assert_eq!(reply.body["room_id"], room);
    assert_eq!(reply.body["messages"][0]["content"], "m1");
    assert_eq!(reply.body["messages"][9]["content"], "m10");
    let expected =
        json!({"current_page": 1, "page_size": 10, "total_pages": 3, "total_messages": 25});
    assert_eq!(reply.body["pagination"], expected);
}

#[tokio::test]
async fn the_last_page_holds_the_remainder() {
    let (app, alice, room) = room_with_messages(25).await;

    let reply = app.history(&alice, &room, "?page=3&size=10").await;

    assert_eq!(seqs(&reply), range(21, 25));
    assert_eq!(reply.body["pagination"]["current_page"], 3);
    assert_eq!(reply.body["pagination"]["total_pages"], 3);
}

#[tokio::test]
async fn total_pages_rounds_up_for_any_page_size() {
    let (app, alice, room) = room_with_messages(25).await;

    let reply = app.history(&alice, &room, "?page=2&size=7").await;

    assert_eq!(seqs(&reply), range(8, 14));
    let expected =
        json!({"current_page": 2, "page_size": 7, "total_pages": 4, "total_messages": 25});
    assert_eq!(reply.body["pagination"], expected);
}

#[tokio::test]
async fn a_page_past_the_end_is_empty_but_still_counts_the_messages() {
    let (app, alice, room) = room_with_messages(25).await;

    let reply = app.history(&alice, &room, "?page=4&size=10").await;

    assert_eq!(seqs(&reply), Vec::<u64>::new());
    assert_eq!(reply.body["pagination"]["total_messages"], 25);
    assert_eq!(reply.body["pagination"]["total_pages"], 3);
}

#[tokio::test]
async fn an_empty_room_has_no_pages() {
    let (app, alice, room) = room_with_messages(0).await;

    let reply = app.history(&alice, &room, "").await;

    assert_eq!(seqs(&reply), Vec::<u64>::new());
    assert_eq!(reply.body["pagination"]["total_messages"], 0);
    assert_eq!(reply.body["pagination"]["total_pages"], 0);
}

#[tokio::test]
async fn a_limit_alone_returns_the_newest_messages_oldest_first() {
    let (app, alice, room) = room_with_messages(25).await;

    let reply = app.history(&alice, &room, "?limit=5").await;

    assert_eq!(seqs(&reply), range(21, 25));
    assert_eq!(reply.body["next_before"], 21);
    assert!(reply.body["pagination"].is_null(), "{}", reply.text);
}

#[tokio::test]
async fn before_returns_the_messages_just_below_that_seq() {
    let (app, alice, room) = room_with_messages(25).await;

    let reply = app.history(&alice, &room, "?before=21&limit=5").await;

    assert_eq!(seqs(&reply), range(16, 20));
    assert_eq!(reply.body["next_before"], 16);
    assert_eq!(reply.body["messages"][0]["content"], "m16");
}

#[tokio::test]
async fn next_before_is_null_once_the_first_message_is_reached() {
    let (app, alice, room) = room_with_messages(25).await;

    let partial = app.history(&alice, &room, "?before=4&limit=5").await;
    let exact = app.history(&alice, &room, "?before=6&limit=5").await;

    assert_eq!(seqs(&partial), range(1, 3));
    assert!(partial.body["next_before"].is_null(), "{}", partial.text);
    assert_eq!(seqs(&exact), range(1, 5));
    assert!(exact.body["next_before"].is_null(), "{}", exact.text);
}

#[tokio::test]
async fn before_without_a_limit_still_pages_backwards() {
    let (app, alice, room) = room_with_messages(25).await;

    let reply = app.history(&alice, &room, "?before=11").await;

    assert_eq!(seqs(&reply), range(1, 10));
    assert!(reply.body["next_before"].is_null());
}

#[tokio::test]
async fn following_next_before_walks_the_whole_history_once() {
    let (app, alice, room) = room_with_messages(25).await;

    let mut pages = Vec::new();
    let mut query = "?limit=7".to_owned();
    for _ in 0..6 {
        let page = app.history(&alice, &room, &query).await;
        pages.push(seqs(&page));
        match page.body["next_before"].as_u64() {
            Some(before) => query = format!("?before={before}&limit=7"),
            None => break,
        }
    }

    let walked: Vec<u64> = pages.into_iter().rev().flatten().collect();
    assert_eq!(walked, range(1, 25));
}

#[tokio::test]
async fn page_size_and_limit_are_capped_at_100() {
    let (app, alice, room) = room_with_messages(105).await;

    let paged = app.history(&alice, &room, "?page=1&size=500").await;
    let keyset = app.history(&alice, &room, "?limit=500").await;

    assert_eq!(seqs(&paged), range(1, 100));
    assert_eq!(paged.body["pagination"]["page_size"], 100);
    assert_eq!(paged.body["pagination"]["total_pages"], 2);
    assert_eq!(seqs(&keyset), range(6, 105));
    assert_eq!(keyset.body["next_before"], 6);
}

#[tokio::test]
async fn a_trailing_slash_reads_the_same_history() {
    let (app, alice, room) = room_with_messages(12).await;

    let plain = app.history(&alice, &room, "?page=2&size=5").await;
    let slashed = app.history(&alice, &room, "/?page=2&size=5").await;

    assert_eq!(seqs(&slashed), range(6, 10));
    assert_eq!(slashed.body, plain.body);
}

#[tokio::test]
async fn zero_pages_sizes_and_limits_are_invalid() {
    let (app, alice, room) = room_with_messages(1).await;

    for (query, field) in [
        ("?page=0", "page"),
        ("?size=0", "size"),
        ("?limit=0", "limit"),
    ] {
        let reply = app.history(&alice, &room, query).await;

        reply.assert_invalid_field(field);
    }
}

#[tokio::test]
async fn an_absurd_page_number_is_not_a_server_error() {
    let (app, alice, room) = room_with_messages(3).await;

    let reply = app
        .history(&alice, &room, "?page=9223372036854775807&size=100")
        .await;

    assert!(
        reply.status.as_u16() < 500,
        "{}: {}",
        reply.status,
        reply.text
    );
    if reply.status.as_u16() == 200 {
        assert_eq!(seqs(&reply), Vec::<u64>::new());
    }
}

#[tokio::test]
async fn each_message_in_history_carries_its_author() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    let room = app.create_room(&alice, "general", "public").await;
    app.post_message(&alice, &room, "hi bob").await;
    app.post_message(&bob, &room, "hi alice").await;

    let reply = app.history(&bob, &room, "").await;

    let messages = reply.body["messages"].as_array().unwrap();
    assert_eq!(messages[0]["user"]["id"], alice.id);
    assert_eq!(messages[1]["user"]["username"], "bob");
    assert_eq!(messages[1]["user"]["name"], "Bob");
    assert_eq!(messages[1]["room_id"], room);
    assert_eq!(messages[1]["deleted"], false);
}
