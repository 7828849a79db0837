//! Behind a reverse proxy: the client address comes from forwarding headers only
//! when the peer is a trusted proxy (sign-ups per address show which address counted).

use papo_tests::{PASSWORD, TestApp, spawn_app_with};
use serde_json::json;

/// Signs `username` up with `X-Forwarded-For: forwarded_for`; the status.
async fn sign_up_via(app: &TestApp, username: &str, forwarded_for: &str) -> u16 {
    app.client
        .post(format!("{}/api/v1/users", app.address))
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({"name": username, "username": username, "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_trusted_proxy_names_the_client_and_others_cannot() {
    let behind_proxy = spawn_app_with(|s| {
        s.server.signups_per_hour = 1;
        s.server.trusted_proxies = vec!["127.0.0.0/8".into()];
    })
    .await;
    let direct = spawn_app_with(|s| s.server.signups_per_hour = 1).await;

    let first = sign_up_via(&behind_proxy, "ana", "203.0.113.1").await;
    let same_client = sign_up_via(&behind_proxy, "bia", "198.51.100.9, 203.0.113.1").await;
    let other_client = sign_up_via(&behind_proxy, "cid", "203.0.113.2").await;
    let direct_first = sign_up_via(&direct, "ana", "203.0.113.1").await;
    let direct_forged = sign_up_via(&direct, "bia", "203.0.113.2").await;

    assert_eq!(first, 201);
    assert_eq!(
        same_client, 429,
        "the rightmost untrusted hop is the client"
    );
    assert_eq!(
        other_client, 201,
        "another client behind the proxy has its own budget"
    );
    assert_eq!(direct_first, 201);
    assert_eq!(
        direct_forged, 429,
        "a header from an untrusted peer changes nothing"
    );
}
