//! The load generator's scenarios work end to end (tiny sizes; figures are measured
//! with a release build, see docs/benchmarks.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use papo_bench::{ingest, setup::Server};
use papo_tests::spawn_app;

#[tokio::test]
async fn the_ingest_scenario_gets_every_post_acked() {
    let app = spawn_app().await;
    let config = ingest::Ingest {
        senders: 3,
        rooms: 2,
        messages: 7,
        window: 4,
    };

    let report = ingest::run(&Server::new(&app.address), &config)
        .await
        .unwrap();

    let json = report.json();
    assert_eq!(json["messages_acked"], 21);
    assert!(json["durable_msgs_per_s"].as_f64().unwrap() > 0.0);
    assert!(json["ack_latency"]["p99_ms"].as_f64().unwrap() > 0.0);
    let observer = app.signup("observer").await;
    let rooms = app.get("/api/v1/rooms", Some(&observer.token)).await;
    let rooms = rooms.body["rooms"].as_array().unwrap().clone();
    assert_eq!(rooms.len(), 2, "the scenario made its two rooms");
    let mut stored = 0;
    for room in rooms {
        let path = format!("/api/v1/rooms/{}/history", room["id"].as_str().unwrap());
        stored += app.get(&path, Some(&observer.token)).await.body["pagination"]["total_messages"]
            .as_u64()
            .unwrap();
    }
    assert_eq!(stored, 21, "every acked post is stored");
    assert!(report.table().contains("durable_msgs_per_s"));
}
