//! `papo chat` in a pseudo-terminal (tmux): log in, join a room, send a message that
//! another client receives, and receive one back on screen. Everything goes through the
//! `papo` binary: a server (`papo serve`, fresh SQLite file, demo users), the terminal
//! client (`papo chat`), and the other side (`papo send` and the REST history).
//!
//! Needs tmux; without it the test says loudly that it skipped, except under
//! `CI=true`, where that fails it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::{process::Command, time::Duration};

use support::{Options, PAPO, Server, wait_for};

fn tmux(args: &[&str]) -> String {
    let out = Command::new("tmux").args(args).output().expect("tmux runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_terminal_user_logs_in_at_the_prompt_chats_and_sees_the_reply() {
    if Command::new("tmux").arg("-V").output().is_err() {
        assert!(
            std::env::var("CI").is_err(),
            "CI must run the terminal test: no tmux"
        );
        eprintln!("\n!!! SKIPPED the terminal test: tmux is not installed !!!\n");
        return;
    }
    let server = Server::start(Options {
        env: &[("PAPO_DEMO", "1")],
        ..Options::default()
    });
    let session = format!("papo-test-{}", std::process::id());
    let socket = format!("papo-test-{}", std::process::id());
    let chat = format!("{PAPO} chat --url {} --room general", server.url);
    tmux(&[
        "-L",
        &socket,
        "new-session",
        "-d",
        "-s",
        &session,
        "-x",
        "120",
        "-y",
        "32",
        &chat,
    ]);
    // Everything the client writes to the terminal, alternate screen or not.
    let raw = server.dir.join("pane.log");
    tmux(&[
        "-L",
        &socket,
        "pipe-pane",
        "-t",
        &session,
        &format!("cat >> {}", raw.display()),
    ]);
    let screen = || tmux(&["-L", &socket, "capture-pane", "-p", "-t", &session]);
    // Waits (10 s) until the screen shows every one of `texts`; fails with `what` and
    // the screen otherwise.
    let expect_screen = |texts: &[&str], what: &str| {
        let shown = wait_for(Duration::from_secs(10), || {
            let now = screen();
            texts.iter().all(|text| now.contains(text))
        });
        assert!(shown, "{what}:\n{}", screen());
    };
    let type_line = |text: &str| {
        tmux(&["-L", &socket, "send-keys", "-t", &session, text, "Enter"]);
    };

    // The old CLI clients' flow: username and password at a prompt.
    expect_screen(&["Username:"], "the username prompt");
    type_line("alice");
    expect_screen(&["Password:"], "the password prompt");
    type_line("alice123");
    expect_screen(&["general · online"], "logged in and in the room");
    let written = std::fs::read(&raw).unwrap_or_default();
    assert!(!written.is_empty(), "the pane's output is recorded");
    assert!(
        !String::from_utf8_lossy(&written).contains("alice123"),
        "the password was echoed"
    );

    type_line("hello from the terminal");
    expect_screen(
        &["Alice: hello from the terminal"],
        "own message shown once acked",
    );

    // Bob, another client, received it...
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let bob_sees = runtime.block_on(async {
        let mut bob = papo_client::Client::new(&server.url);
        bob.login("bob", "bob123").await.unwrap();
        let room = bob.room_named("general").await.unwrap().id.to_string();
        let page = bob.history(&room, None, 10).await.unwrap();
        page.messages
            .iter()
            .any(|m| m.content == "hello from the terminal" && m.user.username == "alice")
    });
    assert!(bob_sees, "bob can read alice's message");

    // ...and answers; the answer appears on alice's screen.
    let sent = Command::new(PAPO)
        .args([
            "send",
            "--url",
            &server.url,
            "-u",
            "bob",
            "-p",
            "bob123",
            "--room",
            "general",
        ])
        .arg("hi alice, bob here")
        .output()
        .unwrap();
    assert!(
        sent.status.success(),
        "{}",
        String::from_utf8_lossy(&sent.stderr)
    );
    expect_screen(&["Bob: hi alice, bob here"], "the reply appears on screen");
    std::fs::write(server.dir.join("screen.txt"), screen()).unwrap();

    // Slash commands: make a room, list rooms, see who is here, go back.
    type_line("/create ops");
    expect_screen(&["ops · online"], "/create opens the new room");
    type_line("/rooms");
    expect_screen(&["rooms: general, ops"], "/rooms lists them");
    type_line("/who");
    expect_screen(&["online here: Alice"], "/who");
    type_line("/join general");
    expect_screen(
        &["general · online", "Bob: hi alice, bob here"],
        "/join returns with the history",
    );
    type_line("/dance");
    expect_screen(
        &["unknown command /dance"],
        "an unknown command is explained",
    );

    type_line("/quit");
    let quit = wait_for(Duration::from_secs(5), || {
        !Command::new("tmux")
            .args(["-L", &socket, "has-session", "-t", &session])
            .status()
            .is_ok_and(|s| s.success())
    });
    let _ = Command::new("tmux")
        .args(["-L", &socket, "kill-server"])
        .status();
    assert!(quit, "/quit ends the client");
}
