//! The browser client in a real browser: `tests/e2e/chat.mjs` drives Debian's headless
//! Chromium (through playwright-core) with two people against a server started here;
//! `layout.mjs`, `tabs.mjs`, `rooms.mjs`, `messages.mjs`, `keyboard.mjs`,
//! `state.mjs`, and for DESIGN §8 `replies.mjs`, `reactions.mjs`, `mentions.mjs`,
//! `search.mjs` and `moderation.mjs` each check one side of the client (see the top
//! of each script);
//! `tests/e2e/docs.mjs` logs in through Swagger UI's Authorize and opens ReDoc.
//!
//! Needs Chromium (`$CHROMIUM`, else `/usr/bin/chromium`), `node`, and `npm ci` run in
//! `tests/e2e` (`.ci/run` installs all three). Without them the test says loudly that
//! it skipped, except under `CI=true`, where a missing tool fails it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{path::Path, process::Command};

use papo_tests::{spawn_app, spawn_app_with};

fn missing_tools(e2e: &Path) -> Option<&'static str> {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        return Some("no Chromium at $CHROMIUM or /usr/bin/chromium (apt-get install chromium)");
    }
    if Command::new("node").arg("--version").output().is_err() {
        return Some("no node on PATH");
    }
    if !e2e.join("node_modules/playwright-core").exists() {
        return Some("playwright-core is not installed (cd tests/e2e && npm ci)");
    }
    None
}

/// The e2e directory, or `None` (after saying so) when the tools are missing here.
fn e2e_dir() -> Option<std::path::PathBuf> {
    let e2e = Path::new(env!("CARGO_MANIFEST_DIR")).join("e2e");
    if let Some(why) = missing_tools(&e2e) {
        assert!(
            std::env::var("CI").is_err(),
            "CI must run the browser test: {why}"
        );
        eprintln!("\n!!! SKIPPED the browser test: {why} !!!\n");
        return None;
    }
    Some(e2e)
}

/// One browser at a time: a dozen Chromium scripts at once on two cores made some of
/// them wait past their 15 s (a flaky failure each run, a different script each time).
static ONE_BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The e2e directory and this test's turn at the browser (held until the test ends,
/// its server started after it), or `None` when the tools are missing here.
async fn browser_turn() -> Option<(std::path::PathBuf, tokio::sync::MutexGuard<'static, ()>)> {
    let e2e = e2e_dir()?;
    Some((e2e, ONE_BROWSER.lock().await))
}

/// Runs `node SCRIPT ARGS…` and returns its standard output; fails the test when the
/// script fails.
async fn node(script: std::path::PathBuf, args: Vec<String>) -> String {
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(script)
            .args(args)
            .output()
            .expect("node runs")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "browser test failed:\n{stdout}\n{stderr}"
    );
    stdout
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_people_chat_in_headless_chromium_and_a_dropped_connection_loses_nothing() {
    let Some((e2e, _turn)) = browser_turn().await else {
        return;
    };
    // A small post burst, so that the script can show a refused post and its retry.
    let app = spawn_app_with(|s| {
        s.realtime.post_rate = 1;
        s.realtime.post_burst = 6;
    })
    .await;
    let shot = std::env::temp_dir().join(format!("papo-browser-{}.png", app.port));

    let args = vec![app.address.clone(), shot.display().to_string()];
    let stdout = node(e2e.join("chat.mjs"), args).await;

    assert!(stdout.contains("browser chat: ok"), "{stdout}");
    assert!(
        std::fs::metadata(&shot).unwrap().len() > 10_000,
        "a screenshot was saved"
    );
    let _ = std::fs::remove_file(shot);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn swagger_authorize_logs_in_and_redoc_renders_in_headless_chromium() {
    let Some((e2e, _turn)) = browser_turn().await else {
        return;
    };
    let app = spawn_app().await;
    app.signup("dora").await;

    let args = vec![
        app.address.clone(),
        "dora".into(),
        papo_tests::PASSWORD.into(),
    ];
    let stdout = node(e2e.join("docs.mjs"), args).await;

    assert!(stdout.contains("browser docs: ok"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_room_keeps_its_newest_message_and_the_message_box_on_screen_in_headless_chromium() {
    let Some((e2e, _turn)) = browser_turn().await else {
        return;
    };
    // 200 messages are seeded over REST as fast as the server takes them.
    let app = spawn_app_with(|s| {
        s.realtime.post_rate = 0;
    })
    .await;

    let stdout = node(e2e.join("layout.mjs"), vec![app.address.clone()]).await;

    assert!(stdout.contains("browser layout: ok"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_tabs_share_one_session_and_stay_logged_in_across_refreshes_in_headless_chromium() {
    let Some((e2e, _turn)) = browser_turn().await else {
        return;
    };
    // Short-lived access tokens, so that both tabs' renewal timers fire during the test.
    let app = spawn_app_with(|s| {
        s.auth.access_token_expire_minutes = 1;
    })
    .await;

    let stdout = node(e2e.join("tabs.mjs"), vec![app.address.clone()]).await;

    assert!(stdout.contains("browser tabs: ok"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rooms_members_and_direct_conversations_update_live_in_headless_chromium() {
    let Some((e2e, _turn)) = browser_turn().await else {
        return;
    };
    let app = spawn_app().await;

    let stdout = node(e2e.join("rooms.mjs"), vec![app.address.clone()]).await;

    assert!(stdout.contains("browser rooms: ok"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_are_grouped_dated_linked_and_edited_in_place_in_headless_chromium() {
    let Some((e2e, _turn)) = browser_turn().await else {
        return;
    };
    let app = spawn_app().await;

    let stdout = node(e2e.join("messages.mjs"), vec![app.address.clone()]).await;

    assert!(stdout.contains("browser messages: ok"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rooms_and_messages_are_reachable_by_keyboard_alone_in_headless_chromium() {
    let Some((e2e, _turn)) = browser_turn().await else {
        return;
    };
    let app = spawn_app().await;

    let stdout = node(e2e.join("keyboard.mjs"), vec![app.address.clone()]).await;

    assert!(stdout.contains("browser keyboard: ok"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_state_unread_counts_notifications_and_errors_show_in_headless_chromium() {
    let Some((e2e, _turn)) = browser_turn().await else {
        return;
    };
    let app = spawn_app().await;

    let stdout = node(e2e.join("state.mjs"), vec![app.address.clone()]).await;

    assert!(stdout.contains("browser state: ok"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_quote_their_message_and_threads_update_live_in_headless_chromium() {
    let Some((e2e, _turn)) = browser_turn().await else {
        return;
    };
    // A thread of 60 replies and 90 more messages are seeded over REST.
    let app = spawn_app_with(|s| {
        s.realtime.post_rate = 0;
    })
    .await;

    let stdout = node(e2e.join("replies.mjs"), vec![app.address.clone()]).await;

    assert!(stdout.contains("browser replies: ok"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reactions_count_and_highlight_right_on_both_sides_in_headless_chromium() {
    let Some((e2e, _turn)) = browser_turn().await else {
        return;
    };
    let app = spawn_app().await;

    let stdout = node(e2e.join("reactions.mjs"), vec![app.address.clone()]).await;

    assert!(stdout.contains("browser reactions: ok"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mentions_are_suggested_marked_and_counted_in_the_room_list_in_headless_chromium() {
    let Some((e2e, _turn)) = browser_turn().await else {
        return;
    };
    let app = spawn_app().await;

    let stdout = node(e2e.join("mentions.mjs"), vec![app.address.clone()]).await;

    assert!(stdout.contains("browser mentions: ok"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_finds_words_pages_and_opens_the_room_at_the_message_in_headless_chromium() {
    let Some((e2e, _turn)) = browser_turn().await else {
        return;
    };
    // About a hundred messages are seeded over REST as fast as the server takes them.
    let app = spawn_app_with(|s| {
        s.realtime.post_rate = 0;
    })
    .await;

    let stdout = node(e2e.join("search.mjs"), vec![app.address.clone()]).await;

    assert!(stdout.contains("browser search: ok"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owners_and_admins_moderate_and_the_removed_are_told_in_headless_chromium() {
    let Some((e2e, _turn)) = browser_turn().await else {
        return;
    };
    let app = spawn_app().await;

    let stdout = node(e2e.join("moderation.mjs"), vec![app.address.clone()]).await;

    assert!(stdout.contains("browser moderation: ok"), "{stdout}");
}
