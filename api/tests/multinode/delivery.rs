//! Messages, edits, deletes, joins, room deletion and logout across nodes; a cut bus.

use std::time::Duration;

use papo_client::{ClientFrame, ServerFrame};

use crate::cluster::{FreshDb, closed, frame, node, on, post_many, post_round, seqs, user};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_cross_nodes_in_seq_order_under_senders_on_both() {
    let Some(db) = FreshDb::create().await else {
        return;
    };
    let (a, b) = (node(&db), node(&db));
    let owner = user(&a, "owner").await;
    let room = owner
        .create_room("general", false)
        .await
        .unwrap()
        .id
        .to_string();
    let mut listeners = Vec::new();
    for (i, server) in [&a, &b, &a, &b].into_iter().enumerate() {
        let listener = user(server, &format!("listener{i}")).await;
        listener.join(&room).await.unwrap();
        let mut socket = listener.room_socket(&room).await.unwrap();
        assert!(matches!(
            frame(&mut socket).await,
            ServerFrame::History { .. }
        ));
        listeners.push(socket);
    }
    let (ana, bia) = (user(&a, "ana").await, user(&b, "bia").await);
    ana.join(&room).await.unwrap();
    bia.join(&room).await.unwrap();
    const EACH: usize = 300;
    let on_a = tokio::spawn(post_many(ana.room_socket(&room).await.unwrap(), "a", EACH));
    let on_b = tokio::spawn(post_many(bia.room_socket(&room).await.unwrap(), "b", EACH));
    let mut acked: Vec<i64> = on_a.await.unwrap();
    acked.extend(on_b.await.unwrap());
    acked.sort_unstable();

    let total = 2 * EACH;
    assert_eq!(
        acked,
        (1..=total as i64).collect::<Vec<_>>(),
        "gap-free seqs"
    );
    for (i, socket) in listeners.iter_mut().enumerate() {
        let seen = seqs(socket, total).await;
        assert_eq!(
            seen,
            (1..=total as i64).collect::<Vec<_>>(),
            "listener{i} (on node {}) saw every message once, in order",
            if i % 2 == 0 { "a" } else { "b" }
        );
    }

    // A REST post on b, its edit and its deletion on a, reach a socket on a.
    let mut watcher = listeners.remove(0);
    let posted = bia.post(&room, "over REST", None).await.unwrap();
    loop {
        if let ServerFrame::Message(message) = frame(&mut watcher).await {
            assert_eq!(message.content, "over REST");
            break;
        }
    }
    let bia_on_a = on(&a, "bia").await;
    let token = bia_on_a.session().unwrap().access_token.clone();
    let http = reqwest::Client::new();
    let edit = http
        .patch(format!("{}/api/v1/messages/{}", a.url, posted.id))
        .bearer_auth(&token)
        .json(&serde_json::json!({"content": "edited"}))
        .send()
        .await
        .unwrap();
    assert_eq!(edit.status(), 200);
    let mut watcher_b = listeners.remove(0);
    loop {
        if let ServerFrame::Edited { message, .. } = frame(&mut watcher_b).await {
            assert_eq!(message.content, "edited");
            break;
        }
    }
    let deleted = http
        .delete(format!("{}/api/v1/messages/{}", b.url, posted.id))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    loop {
        if let ServerFrame::Deleted { message, .. } = frame(&mut watcher).await {
            assert_eq!(message.id, posted.id);
            break;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_room_deletion_and_joins_reach_the_other_node() {
    let Some(db) = FreshDb::create().await else {
        return;
    };
    let (a, b) = (node(&db), node(&db));
    let owner = user(&a, "owner").await;
    let doomed = owner
        .create_room("doomed", false)
        .await
        .unwrap()
        .id
        .to_string();
    let later = owner
        .create_room("later", false)
        .await
        .unwrap()
        .id
        .to_string();

    // A room socket on b closes 4404 when the room is deleted on a.
    let guest = user(&b, "guest").await;
    guest.join(&doomed).await.unwrap();
    let mut in_doomed = guest.room_socket(&doomed).await.unwrap();
    frame(&mut in_doomed).await;
    // A multiplexed socket on b follows a room its user joins on a.
    let mut everything = guest.socket().await.unwrap();
    everything.send(&ClientFrame::Ping).await.unwrap();
    while !matches!(frame(&mut everything).await, ServerFrame::Pong) {}
    let guest_on_a = on(&a, "guest").await;
    guest_on_a.join(&later).await.unwrap();
    // The join notice may still be on its way: post until one arrives on b.
    let mut got = None;
    for i in 0..50 {
        owner
            .post(&later, &format!("hello {i}"), None)
            .await
            .unwrap();
        if let Ok(Ok(Ok(ServerFrame::Message(message)))) =
            tokio::time::timeout(Duration::from_millis(200), everything.next()).await
        {
            got = Some(message);
            break;
        }
    }
    let got = got.expect("a message of the room joined on a reached the socket on b");
    assert_eq!(got.room_id.to_string(), later);

    let deleted = reqwest::Client::new()
        .delete(format!("{}/api/v1/rooms/{doomed}", a.url))
        .bearer_auth(&owner.session().unwrap().access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    assert_eq!(closed(&mut in_doomed).await, 4404);

    // Logging out everywhere on a closes the user's sockets on b with 4401.
    let logout = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/logout", a.url))
        .bearer_auth(&guest_on_a.session().unwrap().access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 204);
    assert_eq!(closed(&mut everything).await, 4401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cut_bus_loses_and_reorders_nothing() {
    let Some(db) = FreshDb::create().await else {
        return;
    };
    let (a, b) = (node(&db), node(&db));
    let ana = user(&a, "ana").await;
    let room = ana.create_room("busy", false).await.unwrap().id.to_string();
    let bob = user(&b, "bob").await;
    bob.join(&room).await.unwrap();
    let mut listening = bob.room_socket(&room).await.unwrap();
    frame(&mut listening).await;

    // Posts on a in small rounds; the LISTEN connections are cut in the middle.
    let mut sender = ana.room_socket(&room).await.unwrap();
    const ROUNDS: usize = 20;
    const EACH: usize = 10;
    let mut cut = 0;
    for round in 0..ROUNDS {
        if round == ROUNDS / 2 {
            cut = db.cut_listeners().await;
        }
        post_round(&mut sender, round, EACH).await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    assert!(cut >= 2, "both nodes' listeners were cut ({cut})");
    let total = (ROUNDS * EACH) as i64;
    assert_eq!(
        seqs(&mut listening, ROUNDS * EACH).await,
        (1..=total).collect::<Vec<_>>(),
        "every message once, in order, across the cut"
    );
}
