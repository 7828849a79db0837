//! Nodes that die, start late or start together; presence across nodes.

use std::{process::Command, time::Duration};

use papo_client::{ClientFrame, ServerFrame};

use crate::{
    cluster::{ENV, FreshDb, SECRET, frame, node, online_on, post_round, user, within},
    support::{Options, PAPO, Server},
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_nodes_clients_resume_elsewhere_and_its_users_go_offline() {
    let Some(db) = FreshDb::create().await else {
        return;
    };
    let (a, mut b) = (node(&db), node(&db));
    let sam = user(&a, "sam").await;
    let room = sam
        .create_room("general", false)
        .await
        .unwrap()
        .id
        .to_string();
    let lia = user(&b, "lia").await;
    lia.join(&room).await.unwrap();
    let mut listening = lia.room_socket(&room).await.unwrap();
    frame(&mut listening).await;
    assert!(
        within(Duration::from_secs(5), async || online_on(&a, &sam, "lia")
            .await)
        .await,
        "node a sees lia, connected to b, online"
    );

    // Sam posts on a in rounds; lia reads on b, which is killed meanwhile; she
    // resumes on a from the last seq she saw.
    const ROUNDS: usize = 30;
    const EACH: usize = 10;
    const TOTAL: i64 = (ROUNDS * EACH) as i64;
    let mut sender = sam.room_socket(&room).await.unwrap();
    let posting = tokio::spawn(async move {
        for round in 0..ROUNDS {
            post_round(&mut sender, round, EACH).await;
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
    });
    let a_url = a.url.clone();
    let reading = tokio::spawn(async move {
        let mut seen = Vec::new();
        let mut moved = false;
        while seen.last().copied().unwrap_or(0) < TOTAL {
            match tokio::time::timeout(Duration::from_secs(10), listening.next())
                .await
                .expect("a frame within 10 s")
            {
                Ok(Ok(ServerFrame::Message(message))) => seen.push(message.seq),
                Ok(Ok(ServerFrame::History { messages, .. })) => {
                    seen.extend(messages.iter().map(|m| m.seq));
                }
                Ok(Ok(_)) => {}
                Ok(Err(_)) | Err(_) => {
                    assert!(!moved, "cut once, when b died");
                    listening.reconnect_to(&a_url).await.unwrap();
                    moved = true;
                }
            }
        }
        (seen, moved)
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    b.child.kill().unwrap();
    b.child.wait().unwrap();
    posting.await.unwrap();
    let (seen, moved) = reading.await.unwrap();

    assert!(moved, "lia's socket on b was cut and resumed on a");
    assert_eq!(
        seen,
        (1..=TOTAL).collect::<Vec<_>>(),
        "every acknowledged message once, in order, across the move"
    );
    assert!(
        within(Duration::from_secs(3), async || online_on(&a, &sam, "lia")
            .await)
        .await,
        "lia, resumed on a, is online"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_nodes_users_go_offline_everywhere() {
    let Some(db) = FreshDb::create().await else {
        return;
    };
    let (a, mut b) = (node(&db), node(&db));
    let viewer = user(&a, "viewer").await;
    let kim = user(&b, "kim").await;
    let mut socket = kim.socket().await.unwrap();
    socket.send(&ClientFrame::Ping).await.unwrap();
    while !matches!(frame(&mut socket).await, ServerFrame::Pong) {}
    assert!(
        within(Duration::from_secs(5), async || online_on(
            &a, &viewer, "kim"
        )
        .await)
        .await,
        "node a sees kim online on b"
    );
    // A node started later learns who is online on the others.
    let c = node(&db);
    assert!(
        within(Duration::from_secs(5), async || online_on(
            &c, &viewer, "kim"
        )
        .await)
        .await,
        "node c, started later, sees kim online on b"
    );

    b.child.kill().unwrap();
    b.child.wait().unwrap();
    let started = std::time::Instant::now();
    assert!(
        within(Duration::from_secs(10), async || !online_on(
            &a, &viewer, "kim"
        )
        .await)
        .await,
        "kim, only on the killed node, went offline on a"
    );
    eprintln!("offline on a {:?} after the kill", started.elapsed());
    assert!(
        within(Duration::from_secs(5), async || !online_on(
            &c, &viewer, "kim"
        )
        .await)
        .await,
        "and on c"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_started_at_once_on_a_fresh_database_all_come_up() {
    let Some(db) = FreshDb::create().await else {
        return;
    };
    // Each migrates at start; they must not trip over each other's migrations.
    let url = db.url.clone();
    let starting: Vec<_> = (0..3)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || {
                Server::start(Options {
                    env: ENV,
                    database_url: Some(url),
                    ..Options::default()
                })
            })
        })
        .collect();
    let nodes: Vec<Server> = starting.into_iter().map(|t| t.join().unwrap()).collect();
    let first = user(&nodes[0], "ana").await;
    let room = first
        .create_room("general", false)
        .await
        .unwrap()
        .id
        .to_string();
    let last = user(&nodes[2], "ana").await;
    assert_eq!(
        last.history(&room, None, 10).await.unwrap().messages.len(),
        0
    );
}

#[test]
fn a_second_process_on_one_sqlite_file_refuses_to_start() {
    let first = Server::start(Options {
        env: ENV,
        ..Options::default()
    });
    let output = Command::new(PAPO)
        .arg("serve")
        .env("PAPO_BIND", "127.0.0.1:0")
        .env("DATABASE_URL", first.database_url())
        .env("JWT_SECRET", SECRET)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success(),
        "the second process exited with an error"
    );
    assert!(
        said.contains("another papo process is serving"),
        "it says why: {said}"
    );
    assert!(first.healthy(), "the first one still serves");
}
