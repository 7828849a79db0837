//! What one client address can hold open.

use std::time::Duration;

use tokio::net::TcpStream;

#[tokio::test]
async fn one_address_holds_at_most_its_share_of_connections() {
    let app = papo_tests::spawn_app_with(|s| s.server.connections_per_address = 3).await;
    let health = format!("{}/health", app.address);
    // Each request on a client of its own: a fresh connection every time.
    let fresh_get = || async {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap();
        client.get(&health).send().await
    };
    assert!(fresh_get().await.is_ok(), "one connection is served");
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(TcpStream::connect(("127.0.0.1", app.port)).await.unwrap());
    }
    // The server counts a connection once it has accepted it; give it the moment.
    tokio::time::sleep(Duration::from_millis(200)).await;

    let refused = fresh_get().await;
    held.pop();
    let mut served_again = false;
    for _ in 0..50 {
        if fresh_get().await.is_ok() {
            served_again = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    assert!(
        refused.is_err(),
        "a fourth connection was served: {refused:?}"
    );
    assert!(served_again, "a closed connection frees its place");
}
