//! The terminal client as people use it: a small terminal and long messages, line
//! breaks, the editing keys of a shell, switching rooms by keyboard, a mistyped
//! password, and signing up.

use std::process::Command;

use crate::{
    Terminal, have_tmux,
    support::{Options, PAPO, Server},
};

fn demo() -> Server {
    Server::start(Options {
        env: &[("PAPO_DEMO", "1"), ("PAPO_POST_RATE", "0")],
        ..Options::default()
    })
}

/// Posts `text` to general as bob with `papo send`.
fn bob_says(server: &Server, text: &str) {
    let sent = Command::new(PAPO)
        .args(["send", "--url", &server.url, "-u", "bob", "-p", "bob123"])
        .args(["--room", "general", text])
        .output()
        .unwrap();
    assert!(
        sent.status.success(),
        "{}",
        String::from_utf8_lossy(&sent.stderr)
    );
    assert!(
        String::from_utf8_lossy(&sent.stdout).contains("in general"),
        "papo send names the room: {}",
        String::from_utf8_lossy(&sent.stdout)
    );
}

fn chat_as_alice(server: &Server) -> String {
    format!(
        "{PAPO} chat --url {} --room general -u alice -p alice123",
        server.url
    )
}

#[test]
fn a_small_terminal_shows_the_newest_of_wrapped_messages_and_keeps_line_breaks() {
    if !have_tmux() {
        return;
    }
    let server = demo();
    for i in 1..=6 {
        bob_says(
            &server,
            &format!("long message {i}: {}", "words that wrap around ".repeat(6)),
        );
    }
    bob_says(&server, "line one\nline two");
    bob_says(&server, "the newest one");

    let terminal = Terminal::sized("small", &chat_as_alice(&server), 60, 16);

    terminal.expect_screen(
        &["general · online", "Bob: the newest one", "line two"],
        "at 60 × 16 the newest message shows below wrapped ones",
    );
    let screen = terminal.screen();
    assert!(
        screen
            .lines()
            .any(|l| l.contains("line one") && !l.contains("line two")),
        "a line break starts a new line:\n{screen}"
    );
    assert!(
        !screen.contains("Rooms"),
        "no sidebar at 60 columns:\n{screen}"
    );
}

#[test]
fn the_input_line_edits_like_a_shell_and_tab_switches_rooms() {
    if !have_tmux() {
        return;
    }
    let server = demo();
    let terminal = Terminal::start("editing", &chat_as_alice(&server));
    terminal.expect_screen(&["general · online"], "the room opens");

    terminal.keys(&[
        "wrld", "Home", "hello ", "End", "!", "Left", "Left", "o", "Enter",
    ]);
    terminal.expect_screen(&["Alice: hello wrlod!"], "Home, End and ← place the cursor");
    terminal.keys(&["one two three", "C-w", "C-a", "X", "C-e", "Enter"]);
    terminal.expect_screen(&["Alice: Xone two"], "Ctrl+W, Ctrl+A and Ctrl+E");
    terminal.keys(&["scrap this", "C-u", "kept", "Enter"]);
    terminal.expect_screen(&["Alice: kept"], "Ctrl+U clears the line");
    assert!(
        !terminal.screen().contains("scrap"),
        "{}",
        terminal.screen()
    );

    terminal.keys(&["Up"]);
    terminal.expect_screen(&["Editing your message"], "↑ edits the last message");
    terminal.keys(&[" (fixed)", "Enter"]);
    terminal.expect_screen(&["Alice: kept (fixed) (edited)"], "the edit is saved");

    terminal.type_line("/create ops");
    terminal.expect_screen(&["# ops · online"], "a second room");
    terminal.keys(&["Tab"]);
    terminal.expect_screen(&["# general · online"], "Tab goes to the next room");
    terminal.keys(&["M-Up"]);
    terminal.expect_screen(&["# ops · online"], "Alt+↑ to the previous");
}

#[test]
fn a_wrong_password_is_asked_again_and_signing_up_asks_in_order() {
    if !have_tmux() {
        return;
    }
    let server = demo();
    let chat = format!("{PAPO} chat --url {} --room general", server.url);
    let login = Terminal::start("password", &chat);
    login.expect_screen(&["Username:"], "the username prompt");
    login.type_line("alice");
    login.expect_screen(&["Password:"], "the password prompt");
    login.type_line("not-her-password");
    login.expect_screen(&["Wrong username or password; try again."], "asked again");
    login.type_line("alice123");
    login.expect_screen(&["general · online"], "in with the right password");

    let signup = Terminal::start("signup", &format!("{chat} --register"));
    signup.expect_screen(&["Username:"], "the username first");
    signup.type_line("dora");
    signup.expect_screen(&["Display name:"], "then the display name");
    signup.type_line("Dora");
    signup.expect_screen(&["Password (8 characters or more):"], "then the password");
    signup.type_line("short");
    signup.expect_screen(
        &["at least 8 characters; try again"],
        "a short one is refused",
    );
    signup.type_line("long-enough-password");
    signup.expect_screen(&["general · online"], "signed up and in");
    signup.type_line("hello, I am new");
    signup.expect_screen(&["Dora: hello, I am new"], "and chatting");
}

#[test]
fn help_lists_the_keys_and_commands_and_an_absent_server_is_named() {
    let help = Command::new(PAPO)
        .args(["chat", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    let nowhere = Command::new(PAPO)
        .args(["chat", "--url", "http://127.0.0.1:9", "-u", "a", "-p", "b"])
        .output()
        .unwrap();
    let sent = Command::new(PAPO)
        .args([
            "send",
            "--url",
            "http://127.0.0.1:9",
            "-u",
            "a",
            "-p",
            "b",
            "--room",
            "x",
            "y",
        ])
        .output()
        .unwrap();

    for wanted in [
        "Tab/Shift+Tab",
        "Ctrl+U/K/W",
        "/reply <#n>",
        "/ban <user>",
        "/search",
    ] {
        assert!(help.contains(wanted), "{wanted} in:\n{help}");
    }
    assert!(!nowhere.status.success());
    assert!(
        String::from_utf8_lossy(&nowhere.stderr).contains("is it running?"),
        "{}",
        String::from_utf8_lossy(&nowhere.stderr)
    );
    assert!(
        String::from_utf8_lossy(&sent.stderr).contains("is it running?"),
        "{}",
        String::from_utf8_lossy(&sent.stderr)
    );
}
