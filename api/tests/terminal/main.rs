//! `papo chat` in a pseudo-terminal (tmux), everything through the `papo` binary: a
//! server (`papo serve`, fresh SQLite file, demo users), the terminal client (`papo
//! chat`), and the other side (`papo send` and `papo-client`).
//!
//! `chat`: log in at the prompt, chat both ways, slash commands, PgUp to a room's
//! first message, a server restart resumed without loss. `editing`: small terminals
//! and wrapped messages, line breaks, the shell's editing keys, room switching, asking
//! again for a wrong password, signing up. `features`: replies, reactions, search and
//! moderation commands; a one-minute access token renewed under the client's feet.
//!
//! Needs tmux; without it the tests say loudly that they skipped, except under
//! `CI=true`, where that fails them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../support/mod.rs"]
mod support;

mod chat;
mod editing;
mod features;

use std::{process::Command, time::Duration};

use support::wait_for;

pub(crate) fn tmux(args: &[&str]) -> String {
    let out = Command::new("tmux").args(args).output().expect("tmux runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Fails the test under `CI=true` when tmux is missing; elsewhere says loudly that the
/// test is skipped. True when the test can run.
pub(crate) fn have_tmux() -> bool {
    if Command::new("tmux").arg("-V").output().is_ok() {
        return true;
    }
    assert!(
        std::env::var("CI").is_err(),
        "CI must run the terminal test: no tmux"
    );
    eprintln!("\n!!! SKIPPED the terminal test: tmux is not installed !!!\n");
    false
}

/// A program running in a detached tmux session on a tmux server of its own.
pub(crate) struct Terminal {
    socket: String,
    session: String,
}

impl Terminal {
    /// Runs `command` in a new 120 × 32 session named after this process and `name`.
    pub(crate) fn start(name: &str, command: &str) -> Self {
        Self::sized(name, command, 120, 32)
    }

    /// Runs `command` in a new session of `columns` × `rows`.
    pub(crate) fn sized(name: &str, command: &str, columns: u16, rows: u16) -> Self {
        let socket = format!("papo-test-{name}-{}", std::process::id());
        let session = socket.clone();
        tmux(&[
            "-L",
            &socket,
            "new-session",
            "-d",
            "-s",
            &session,
            "-x",
            &columns.to_string(),
            "-y",
            &rows.to_string(),
            command,
        ]);
        Self { socket, session }
    }

    /// Appends everything the program writes (alternate screen or not) to `file`.
    pub(crate) fn record(&self, file: &std::path::Path) {
        let pipe = format!("cat >> {}", file.display());
        tmux(&["-L", &self.socket, "pipe-pane", "-t", &self.session, &pipe]);
    }

    pub(crate) fn screen(&self) -> String {
        tmux(&[
            "-L",
            &self.socket,
            "capture-pane",
            "-p",
            "-t",
            &self.session,
        ])
    }

    /// Waits (10 s) until the screen shows every one of `texts`; fails with `what` and
    /// the screen otherwise.
    pub(crate) fn expect_screen(&self, texts: &[&str], what: &str) {
        let shown = wait_for(Duration::from_secs(10), || {
            let now = self.screen();
            texts.iter().all(|text| now.contains(text))
        });
        assert!(shown, "{what}:\n{}", self.screen());
    }

    pub(crate) fn type_line(&self, text: &str) {
        self.keys(&[text, "Enter"]);
    }

    /// Sends tmux key names (`PPage`, `Enter`) or text.
    pub(crate) fn keys(&self, keys: &[&str]) {
        let mut args = vec!["-L", &self.socket, "send-keys", "-t", &self.session];
        args.extend_from_slice(keys);
        tmux(&args);
    }

    /// Presses PgUp until the screen shows `text` (20 s at most); fails with `what`
    /// and the screen otherwise.
    pub(crate) fn page_up_until(&self, text: &str, what: &str) {
        let shown = wait_for(Duration::from_secs(20), || {
            self.keys(&["PPage"]);
            std::thread::sleep(Duration::from_millis(200));
            self.screen().contains(text)
        });
        assert!(shown, "{what}:\n{}", self.screen());
    }

    pub(crate) fn running(&self) -> bool {
        Command::new("tmux")
            .args(["-L", &self.socket, "has-session", "-t", &self.session])
            .status()
            .is_ok_and(|s| s.success())
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}
