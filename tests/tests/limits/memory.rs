//! Memory an unauthenticated client can make the server hold: measured as this test
//! process's resident size, where the server runs in-process.

use tokio::sync::Mutex;

use papo_tests::{PASSWORD, spawn_app};
use serde_json::json;

/// Memory tests take turns: the process's resident size is shared.
static ONE_AT_A_TIME: std::sync::LazyLock<Mutex<()>> = std::sync::LazyLock::new(|| Mutex::new(()));

/// A field of /proc/self/status, in MiB.
fn status_mib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status
        .lines()
        .find(|l| l.starts_with(field))
        .unwrap_or_else(|| panic!("{field} in /proc/self/status"));
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib / 1024
}

/// Resets the peak resident size (VmHWM) to the current one.
fn reset_peak() {
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_sign_ups_hashes_within_bounded_memory() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let app = spawn_app().await;
    app.signup("warmup").await;
    reset_peak();
    let before = status_mib("VmHWM:");

    let replies = futures_util::future::join_all((0..150).map(|i| {
        let body = json!({"name": "N", "username": format!("user{i}"), "password": PASSWORD});
        app.post("/api/v1/users", None, body)
    }))
    .await;

    let peak = status_mib("VmHWM:") - before;
    let created = replies.iter().filter(|r| r.status == 201).count();
    let refused = replies.iter().filter(|r| r.status == 503).count();
    assert_eq!(
        created + refused,
        150,
        "each sign-up is stored or refused as busy"
    );
    assert!(created >= 2, "hashing still works under the burst");
    // argon2id takes 19 MiB per hash; one per core runs at once, each in a work area
    // allocated once. On tokio's blocking pool this burst raised the peak by 517 MiB
    // here (1.8 GB and more in release builds); on two threads allocating per hash, by
    // 314-389 MiB.
    eprintln!("sign-up burst: peak +{peak} MiB, {created} created, {refused} refused");
    assert!(peak < 100, "the burst raised peak memory by {peak} MiB");
}

#[tokio::test]
async fn over_long_usernames_leave_nothing_behind() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let app = spawn_app().await;
    let huge = "x".repeat(900 * 1024);
    app.post(
        "/api/v1/auth/login",
        None,
        json!({"username": huge, "password": "p"}),
    )
    .await
    .assert_problem(401, "invalid_credentials");
    let before = status_mib("VmRSS:");

    for i in 0..150 {
        let username = format!("{i}{huge}");
        app.post(
            "/api/v1/auth/login",
            None,
            json!({"username": username, "password": "p"}),
        )
        .await
        .assert_problem(401, "invalid_credentials");
    }

    let grown = status_mib("VmRSS:").saturating_sub(before);
    // 150 logins with 900 KiB usernames: kept as throttle keys, that was 130+ MiB.
    assert!(grown < 40, "resident size grew by {grown} MiB");
}
