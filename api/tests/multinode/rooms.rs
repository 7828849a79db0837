//! A room's presence, `who`, typing and join/leave frames span the nodes: people on
//! different nodes see each other in a room, and a node that stops (or dies) takes
//! its users out of their rooms everywhere.

use std::time::Duration;

use papo_client::{Client, ClientFrame, ServerFrame, Socket, SystemEvent};

use crate::{
    cluster::{FreshDb, SECRET, frame, node, online_on, user, within},
    support::{Options, Server},
};

/// The cluster's settings (see `cluster::ENV`) with a node timeout of a minute.
const PATIENT: &[(&str, &str)] = &[
    ("JWT_SECRET", SECRET),
    ("PAPO_SIGNUPS_PER_HOUR", "0"),
    ("PAPO_POST_RATE", "0"),
    ("PAPO_CONNECTIONS_PER_ADDRESS", "0"),
    ("PAPO_BUS_CHECK_SECS", "2"),
    ("PAPO_NODE_TIMEOUT_SECS", "60"),
];

/// Frames until one matches `wanted`, failing after 10 s.
async fn until(socket: &mut Socket, wanted: impl Fn(&ServerFrame) -> bool) -> ServerFrame {
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let next = frame(socket).await;
            if wanted(&next) {
                return next;
            }
        }
    })
    .await
    .expect("the frame within 10 s")
}

fn names(users: &[papo_client::UserRef]) -> Vec<String> {
    let mut names: Vec<String> = users.iter().map(|u| u.username.clone()).collect();
    names.sort();
    names
}

/// A presence frame listing exactly `wanted`.
fn presence_of(wanted: &'static [&'static str]) -> impl Fn(&ServerFrame) -> bool {
    move |frame| matches!(frame, ServerFrame::Presence { online, .. } if names(online) == wanted)
}

fn system(event: SystemEvent, who: &'static str) -> impl Fn(&ServerFrame) -> bool {
    move |frame| {
        matches!(frame, ServerFrame::System { event: e, user, .. }
            if *e == event && user.username == who)
    }
}

/// `sam` on `a` owns a public room that `lia` on `b` has joined; both listen to it.
async fn two_in_a_room(a: &Server, b: &Server) -> (Client, Socket, Client, Socket) {
    let sam = user(a, "sam").await;
    let room = sam
        .create_room("lobby", false)
        .await
        .unwrap()
        .id
        .to_string();
    let lia = user(b, "lia").await;
    lia.join(&room).await.unwrap();
    let mut sams = sam.room_socket(&room).await.unwrap();
    until(&mut sams, presence_of(&["sam"])).await;
    let lias = lia.room_socket(&room).await.unwrap();
    (sam, sams, lia, lias)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_who_and_typing_in_a_room_span_the_nodes() {
    let Some(db) = FreshDb::create().await else {
        return;
    };
    let (a, b) = (node(&db), node(&db));
    let (_sam, mut sams, _lia, mut lias) = two_in_a_room(&a, &b).await;

    // Lia's socket opens on b: sam, on a, is told she came and who is here.
    let came = until(&mut sams, system(SystemEvent::Join, "lia")).await;
    until(&mut sams, presence_of(&["lia", "sam"])).await;
    // Lia's own list, on b, has sam in it, and so has her `who`.
    until(&mut lias, presence_of(&["lia", "sam"])).await;
    lias.send(&ClientFrame::Who { room_id: None })
        .await
        .unwrap();
    until(&mut lias, presence_of(&["lia", "sam"])).await;

    // Lia types on b; sam sees it on a, and sees it lapse when she stops.
    let typing = ClientFrame::Typing {
        is_typing: true,
        room_id: None,
    };
    lias.send(&typing).await.unwrap();
    until(
        &mut sams,
        |f| matches!(f, ServerFrame::Typing { users, .. } if names(users) == ["lia"]),
    )
    .await;
    let stop = ClientFrame::Typing {
        is_typing: false,
        room_id: None,
    };
    lias.send(&stop).await.unwrap();
    until(
        &mut sams,
        |f| matches!(f, ServerFrame::Typing { users, .. } if users.is_empty()),
    )
    .await;

    // Lia closes her socket: sam is told she left.
    lias.disconnect().await;
    until(&mut sams, system(SystemEvent::Leave, "lia")).await;
    until(&mut sams, presence_of(&["sam"])).await;

    assert!(matches!(came, ServerFrame::System { .. }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn someone_on_two_nodes_is_in_the_room_until_their_last_socket_anywhere_goes() {
    let Some(db) = FreshDb::create().await else {
        return;
    };
    let (a, b) = (node(&db), node(&db));
    let (sam, mut sams, lia, mut lias) = two_in_a_room(&a, &b).await;
    until(&mut sams, presence_of(&["lia", "sam"])).await;
    until(&mut lias, presence_of(&["lia", "sam"])).await;

    // Sam opens a second socket on b, then closes the one on a: he never left.
    let room = lia.rooms().await.unwrap()[0].id.to_string();
    let sam_on_b = crate::cluster::on(&b, "sam").await;
    let mut second = sam_on_b.room_socket(&room).await.unwrap();
    until(&mut second, presence_of(&["lia", "sam"])).await;
    sams.disconnect().await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    lias.send(&ClientFrame::Who { room_id: None })
        .await
        .unwrap();
    let mut between = Vec::new();
    loop {
        let next = frame(&mut lias).await;
        if matches!(next, ServerFrame::Presence { .. }) {
            between.push(next);
            break;
        }
        between.push(next);
    }
    second.disconnect().await;
    until(&mut lias, system(SystemEvent::Leave, "sam")).await;

    drop(sam);
    assert!(
        !between.iter().any(system(SystemEvent::Leave, "sam")),
        "{between:?}"
    );
    assert!(
        presence_of(&["lia", "sam"])(between.last().unwrap()),
        "{between:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_node_takes_its_users_out_of_their_rooms_at_once() {
    let Some(db) = FreshDb::create().await else {
        return;
    };
    // A node timeout far longer than the test: only the stopping node's own goodbye
    // can take lia out of the room in time.
    let patient = || {
        Server::start(Options {
            env: PATIENT,
            database_url: Some(db.url.clone()),
            ..Options::default()
        })
    };
    let (a, mut b) = (patient(), patient());
    let (sam, mut sams, _lia, _lias) = two_in_a_room(&a, &b).await;
    until(&mut sams, presence_of(&["lia", "sam"])).await;

    b.terminate();
    let stopped = std::time::Instant::now();
    until(&mut sams, system(SystemEvent::Leave, "lia")).await;
    let took = stopped.elapsed();
    until(&mut sams, presence_of(&["sam"])).await;
    assert!(
        within(Duration::from_secs(3), async || !online_on(&a, &sam, "lia")
            .await)
        .await,
        "lia is offline on a soon after b stopped"
    );
    assert!(b.exited_within(Duration::from_secs(15)).is_some());
    assert!(took < Duration::from_secs(10), "took {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_node_s_users_leave_their_rooms_within_the_node_timeout() {
    let Some(db) = FreshDb::create().await else {
        return;
    };
    let (a, mut b) = (node(&db), node(&db));
    let (_sam, mut sams, _lia, _lias) = two_in_a_room(&a, &b).await;
    until(&mut sams, presence_of(&["lia", "sam"])).await;

    // No goodbye: the node timeout (3 s here) takes lia out.
    b.child.kill().unwrap();
    b.child.wait().unwrap();
    let killed = std::time::Instant::now();
    until(&mut sams, system(SystemEvent::Leave, "lia")).await;
    let took = killed.elapsed();
    until(&mut sams, presence_of(&["sam"])).await;

    assert!(took < Duration::from_secs(8), "took {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_started_later_learns_who_is_in_each_room() {
    let Some(db) = FreshDb::create().await else {
        return;
    };
    let (a, b) = (node(&db), node(&db));
    let (_sam, mut sams, _lia, _lias) = two_in_a_room(&a, &b).await;
    until(&mut sams, presence_of(&["lia", "sam"])).await;

    let c = node(&db);
    let kim = user(&c, "kim").await;
    let room = kim.rooms().await.unwrap()[0].id.to_string();
    kim.join(&room).await.unwrap();
    let mut kims = kim.room_socket(&room).await.unwrap();

    until(&mut kims, presence_of(&["kim", "lia", "sam"])).await;
    until(&mut sams, presence_of(&["kim", "lia", "sam"])).await;
}
