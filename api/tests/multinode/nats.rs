//! The NATS bus.

use std::time::Duration;

use papo_client::ServerFrame;

use crate::{
    cluster::{ENV, FreshDb, Nats, closed, frame, online_on, post_round, seqs, user, within},
    support::{Options, Server},
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_nats_messages_cross_nodes_in_order_and_a_nats_restart_loses_nothing() {
    let Some(db) = FreshDb::create().await else {
        return;
    };
    let Some(nats) = Nats::start(None) else {
        return;
    };
    let bus = format!("nats://127.0.0.1:{}", nats.port);
    let env: Vec<(&str, &str)> = ENV
        .iter()
        .copied()
        .chain([("PAPO_BUS", bus.as_str())])
        .collect();
    let start = || {
        Server::start(Options {
            env: &env,
            database_url: Some(db.url.clone()),
            ..Options::default()
        })
    };
    let (a, b) = (start(), start());
    let ana = user(&a, "ana").await;
    let room = ana
        .create_room("general", false)
        .await
        .unwrap()
        .id
        .to_string();
    let bob = user(&b, "bob").await;
    bob.join(&room).await.unwrap();
    let mut listening = bob.room_socket(&room).await.unwrap();
    frame(&mut listening).await;
    assert!(
        within(Duration::from_secs(5), async || online_on(&a, &ana, "bob")
            .await)
        .await,
        "presence crosses over NATS"
    );

    // The room's presence list crosses too: ana's socket on a lists bob, on b.
    let mut sender = ana.room_socket(&room).await.unwrap();
    let both = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let ServerFrame::Presence { online, .. } = frame(&mut sender).await
                && online.iter().any(|u| u.username == "bob")
            {
                return online.len();
            }
        }
    })
    .await;
    assert_eq!(both.ok(), Some(2), "a room's presence crosses over NATS");

    // Posts on a in rounds; NATS is stopped and started again in the middle.
    const ROUNDS: usize = 20;
    const EACH: usize = 10;
    let mut nats = Some(nats);
    for round in 0..ROUNDS {
        if round == ROUNDS / 2 {
            let port = nats.take().unwrap().port;
            nats = Nats::start(Some(port));
        }
        post_round(&mut sender, round, EACH).await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let total = (ROUNDS * EACH) as i64;
    assert_eq!(
        seqs(&mut listening, ROUNDS * EACH).await,
        (1..=total).collect::<Vec<_>>(),
        "every message once, in order, across the NATS restart"
    );

    // Row-less events cross too: deleting the room on a closes bob's socket on b.
    let deleted = reqwest::Client::new()
        .delete(format!("{}/api/v1/rooms/{room}", a.url))
        .bearer_auth(&ana.session().unwrap().access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    assert_eq!(closed(&mut listening).await, 4404);
    drop(nats);
}
