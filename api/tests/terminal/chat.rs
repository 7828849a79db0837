//! Logging in at the prompt, chatting both ways, slash commands, scrolling back and a
//! server restart.

use std::{process::Command, time::Duration};

use crate::{
    Terminal, have_tmux,
    support::{Options, PAPO, Server, wait_for},
};

#[test]
fn a_terminal_user_logs_in_at_the_prompt_chats_and_sees_the_reply() {
    if !have_tmux() {
        return;
    }
    let server = Server::start(Options {
        env: &[("PAPO_DEMO", "1")],
        ..Options::default()
    });
    let chat = format!("{PAPO} chat --url {} --room general", server.url);
    let terminal = Terminal::start("login", &chat);
    let raw = server.dir.join("pane.log");
    terminal.record(&raw);
    let expect_screen = |texts: &[&str], what: &str| terminal.expect_screen(texts, what);
    let type_line = |text: &str| terminal.type_line(text);

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
    std::fs::write(server.dir.join("screen.txt"), terminal.screen()).unwrap();

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
    let quit = wait_for(Duration::from_secs(5), || !terminal.running());
    assert!(quit, "/quit ends the client");
}

/// Posts `contents` as bob, over REST.
fn post_as_bob(server: &Server, contents: impl IntoIterator<Item = String>) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let mut bob = papo_client::Client::new(&server.url);
        bob.login("bob", "bob123").await.unwrap();
        let room = bob.room_named("general").await.unwrap().id.to_string();
        for content in contents {
            bob.post(&room, &content, None).await.unwrap();
        }
    });
}

#[test]
fn page_up_reaches_the_first_message_and_a_restart_is_resumed_without_loss() {
    if !have_tmux() {
        return;
    }
    let env = [("PAPO_DEMO", "1"), ("PAPO_POST_RATE", "0")];
    let mut server = Server::start(Options {
        env: &env,
        ..Options::default()
    });
    // More than the 50 messages a room opens with.
    post_as_bob(&server, (1..=120).map(|i| format!("old {i:03}")));
    let chat = format!(
        "{PAPO} chat --url {} --room general -u alice -p alice123",
        server.url
    );
    let terminal = Terminal::start("scroll", &chat);
    terminal.expect_screen(&["general · online", "Bob: old 120"], "the room opens");
    assert!(
        !terminal.screen().contains("old 001"),
        "{}",
        terminal.screen()
    );

    // PgUp scrolls up and loads older pages from history until the first message.
    terminal.page_up_until("Bob: old 001", "PgUp never showed the first message");
    assert!(
        !terminal.screen().contains("old 120"),
        "{}",
        terminal.screen()
    );
    for _ in 0..20 {
        terminal.keys(&["NPage"]);
    }
    terminal.expect_screen(&["Bob: old 120"], "PgDn goes back to the newest");

    // The server restarts; bob posts 60 messages before alice's client is back (it
    // waits at least 0.5 s between tries): more than a room's opening page of 50, so
    // only resuming from the last seq seen brings back every one of them.
    let port = server.port;
    server.terminate();
    assert!(server.exited_within(Duration::from_secs(10)).is_some());
    terminal.expect_screen(&["reconnecting…"], "the client notices the server is gone");
    let dir = server.keep_dir();
    drop(server);
    let server = Server::start(Options {
        env: &env,
        dir: Some(dir),
        port: Some(port),
        ..Options::default()
    });
    post_as_bob(&server, (1..=60).map(|i| format!("away {i:02}")));
    terminal.expect_screen(&["general · online", "Bob: away 60"], "the client resumed");
    terminal.page_up_until(
        "Bob: away 01",
        "the first message posted during the restart is missing",
    );

    let screen = terminal.screen();
    let shown: Vec<&str> = screen
        .lines()
        .filter_map(|line| Some(line.split("Bob: ").nth(1)?.trim_end_matches([' ', '│'])))
        .collect();
    let seam = shown.iter().position(|line| *line == "away 01").unwrap();
    assert!(seam > 0 && shown[seam - 1] == "old 120", "{screen}");
    let expected: Vec<String> = (2..shown.len() - seam + 1)
        .map(|i| format!("away {i:02}"))
        .collect();
    assert_eq!(shown[seam + 1..], expected, "{screen}");
}
