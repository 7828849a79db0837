//! The typed client crate and `papo send`, against a real server.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod features;

use papo_client::{Client, ClientFrame, ServerFrame};
use papo_tests::{PASSWORD, spawn_app};
use papo_tui::{SendArgs, send::send};

/// The next frame within 10 s: a missing frame fails the test instead of hanging it.
async fn next_frame(socket: &mut papo_client::Socket) -> ServerFrame {
    tokio::time::timeout(std::time::Duration::from_secs(10), socket.next())
        .await
        .expect("a frame within 10 s")
        .expect("a readable frame")
        .expect("the socket is open")
}

#[tokio::test]
async fn the_client_chats_and_resumes_after_a_reconnect_without_losing_a_message() {
    let app = spawn_app().await;
    let mut ana = Client::new(&app.address);
    ana.register("Ana", "ana", PASSWORD).await.unwrap();
    ana.login("ana", PASSWORD).await.unwrap();
    let room = ana
        .create_room("lobby", false)
        .await
        .unwrap()
        .id
        .to_string();
    let bia = app.signup("bia").await;
    let mut socket = ana.room_socket(&room).await.unwrap();
    assert!(matches!(
        next_frame(&mut socket).await,
        ServerFrame::History { .. }
    ));

    socket
        .send(&ClientFrame::Message {
            content: "hello".into(),
            temp_id: Some("t1".into()),
            room_id: None,
            reply_to: None,
        })
        .await
        .unwrap();
    let ack = loop {
        if let ServerFrame::Ack { seq, temp_id, .. } = next_frame(&mut socket).await {
            break (seq, temp_id);
        }
    };
    assert_eq!(ack, (1, Some("t1".into())));
    app.post_message(&bia, &room, "live").await;
    loop {
        if let ServerFrame::Message(m) = next_frame(&mut socket).await {
            assert_eq!((m.seq, m.content.as_str()), (2, "live"));
            break;
        }
    }

    // Two messages land while the client is away; reconnecting replays exactly those.
    socket.disconnect().await;
    app.post_message(&bia, &room, "missed 1").await;
    app.post_message(&bia, &room, "missed 2").await;
    socket.reconnect().await.unwrap();
    let replayed = loop {
        if let ServerFrame::History { messages, .. } = next_frame(&mut socket).await {
            break messages;
        }
    };
    let seqs: Vec<i64> = replayed.iter().map(|m| m.seq).collect();
    assert_eq!(seqs, vec![3, 4]);
    assert_eq!(
        socket.last_seq().values().copied().collect::<Vec<_>>(),
        vec![4]
    );
}

#[tokio::test]
async fn the_client_reports_problems_with_their_codes() {
    let app = spawn_app().await;
    let mut client = Client::new(&app.address);

    let err = client.login("nobody", "wrong-password").await.unwrap_err();

    assert!(
        matches!(err, papo_client::Error::Api { status: 401, ref code, .. } if code == "invalid_credentials"),
        "{err}"
    );
}

fn args(app: &papo_tests::TestApp, room: &str, password: &str) -> SendArgs {
    SendArgs {
        url: app.address.clone(),
        username: "ana".into(),
        password: password.into(),
        room: room.into(),
        text: None,
    }
}

#[tokio::test]
async fn papo_send_posts_to_a_room_found_by_name() {
    let app = spawn_app().await;
    let (ana, room) = app.signup_with_room("ana", "General", "public").await;

    let sent = send(&args(&app, "general", PASSWORD), "from a script")
        .await
        .unwrap();
    let by_id = send(&args(&app, &room, PASSWORD), "by id").await.unwrap();
    let nowhere = SendArgs {
        url: "http://127.0.0.1:9".into(),
        ..args(&app, "general", PASSWORD)
    };
    let unreachable = send(&nowhere, "x").await.unwrap_err();

    assert_eq!(sent.message.seq, 1);
    assert_eq!(sent.message.room_id.to_string(), room);
    assert_eq!(sent.room, "General", "named by its name");
    assert_eq!(by_id.room, "General");
    assert!(
        format!("{unreachable:#}").contains("is it running?"),
        "{unreachable:#}"
    );
    let history = app
        .get(&format!("/api/v1/rooms/{room}/history"), Some(&ana.token))
        .await;
    assert_eq!(history.body["messages"][0]["content"], "from a script");
}

#[tokio::test]
async fn papo_send_fails_clearly_for_a_wrong_password_or_an_unknown_room() {
    let app = spawn_app().await;
    app.signup("ana").await;

    let wrong = send(&args(&app, "general", "not-the-password"), "x")
        .await
        .unwrap_err();
    let unknown = send(&args(&app, "nowhere", PASSWORD), "x")
        .await
        .unwrap_err();

    assert!(
        format!("{wrong:#}").contains("invalid_credentials"),
        "{wrong:#}"
    );
    assert!(
        format!("{unknown:#}").contains("room_not_found"),
        "{unknown:#}"
    );
}
