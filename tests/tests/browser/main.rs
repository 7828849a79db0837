//! The browser client in a real browser: `tests/e2e/chat.mjs` drives Debian's headless
//! Chromium (through playwright-core) with two people against a server started here.
//!
//! Needs Chromium (`$CHROMIUM`, else `/usr/bin/chromium`), `node`, and `npm ci` run in
//! `tests/e2e` (`.ci/run` installs all three). Without them the test says loudly that
//! it skipped, except under `CI=true`, where a missing tool fails it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{path::Path, process::Command};

use papo_tests::spawn_app;

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_people_chat_in_headless_chromium_and_a_dropped_connection_loses_nothing() {
    let e2e = Path::new(env!("CARGO_MANIFEST_DIR")).join("e2e");
    if let Some(why) = missing_tools(&e2e) {
        assert!(
            std::env::var("CI").is_err(),
            "CI must run the browser test: {why}"
        );
        eprintln!("\n!!! SKIPPED the browser test: {why} !!!\n");
        return;
    }
    let app = spawn_app().await;
    let shot = std::env::temp_dir().join(format!("papo-browser-{}.png", app.port));

    let script = e2e.join("chat.mjs");
    let (address, shot_arg) = (app.address.clone(), shot.clone());
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(script)
            .arg(address)
            .arg(shot_arg)
            .output()
            .expect("node runs")
    })
    .await
    .unwrap();

    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "browser test failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("browser chat: ok"), "{stdout}");
    assert!(
        std::fs::metadata(&shot).unwrap().len() > 10_000,
        "a screenshot was saved"
    );
    let _ = std::fs::remove_file(shot);
}
