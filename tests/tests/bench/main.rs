//! The load generator's scenarios work end to end (tiny sizes; figures are measured
//! with a release build, see docs/benchmarks.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use papo_bench::{ingest, setup::Server};
use papo_tests::{spawn_app, spawn_app_with};

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fanout_scenario_delivers_everything_to_every_listener() {
    let app = spawn_app().await;
    let config = papo_bench::fanout::Fanout {
        rooms: 2,
        members: 3,
        senders: 2,
        rate: 20,
        seconds: 1,
        accounts: 2,
        baseline: false,
        server_pid: Some(std::process::id()),
        // Two URLs of one node: the listeners are spread over the URLs given.
        listen_urls: vec![app.address.clone(), app.address.clone()],
    };

    let report = papo_bench::fanout::run(&Server::new(&app.address), &config)
        .await
        .unwrap();

    let json = report.json();
    let sent = json["sent"].as_u64().unwrap();
    assert!(sent >= 10, "{json}");
    // The server's own count, not the bench's: every stored message reached each of
    // the room's three listeners exactly once.
    let observer = app.signup("observer").await;
    let rooms = app.get("/api/v1/rooms", Some(&observer.token)).await.body;
    let mut stored = 0;
    for room in rooms["rooms"].as_array().unwrap() {
        let path = format!(
            "/api/v1/rooms/{}/history?page=1&size=1",
            room["id"].as_str().unwrap()
        );
        stored += app.get(&path, Some(&observer.token)).await.body["pagination"]["total_messages"]
            .as_u64()
            .unwrap();
    }
    assert_eq!(stored, sent, "{json}");
    assert_eq!(json["acked"], sent, "{json}");
    assert_eq!(json["received"], stored * 3, "{json}");
    assert!(
        json["server_rss_kib_before_sockets"].as_u64().unwrap() > 0,
        "{json}"
    );
    assert_eq!(json["duplicates"], 0, "{json}");
    assert_eq!(json["loss"], 0, "{json}");
    assert_eq!(json["listeners_cut_slow"], 0, "{json}");
    assert_eq!(json["listeners_ended"], 0, "{json}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fanout_expects_deliveries_of_acknowledged_posts_only() {
    // Posts over the per-user limit are refused: listeners must not wait for them.
    let app = spawn_app_with(|s| {
        s.realtime.post_rate = 5;
        s.realtime.post_burst = 5;
    })
    .await;
    let config = papo_bench::fanout::Fanout {
        rooms: 1,
        members: 2,
        senders: 1,
        rate: 100,
        seconds: 1,
        accounts: 1,
        baseline: false,
        server_pid: None,
        listen_urls: Vec::new(),
    };

    let report = papo_bench::fanout::run(&Server::new(&app.address), &config)
        .await
        .unwrap();

    let json = report.json();
    let (sent, acked, refused) = (
        json["sent"].as_u64().unwrap(),
        json["acked"].as_u64().unwrap(),
        json["refused"].as_u64().unwrap(),
    );
    assert!(refused > 0, "{json}");
    assert_eq!(acked + refused, sent, "{json}");
    assert_eq!(json["expected_deliveries"], acked * 2, "{json}");
    assert_eq!(json["loss"], 0, "{json}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bare_baseline_relays_to_every_other_connection() {
    for flush in [
        papo_bench::baseline::Flush::Batched,
        papo_bench::baseline::Flush::EachFrame,
    ] {
        baseline_relays(flush).await;
    }
}

async fn baseline_relays(flush: papo_bench::baseline::Flush) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let bind = format!("127.0.0.1:{port}");
    tokio::spawn(async move { papo_bench::baseline::serve(&bind, flush).await });
    // Until it accepts connections, however long binding takes.
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let config = papo_bench::fanout::Fanout {
        rooms: 1,
        members: 4,
        senders: 1,
        rate: 20,
        seconds: 1,
        accounts: 1,
        baseline: true,
        server_pid: None,
        listen_urls: Vec::new(),
    };

    let report =
        papo_bench::fanout::run(&Server::new(&format!("http://127.0.0.1:{port}")), &config)
            .await
            .unwrap();

    let json = report.json();
    assert_eq!(json["loss"], 0, "{flush:?}: {json}");
    assert_eq!(json["duplicates"], 0, "{flush:?}: {json}");
    assert_eq!(
        json["received"],
        json["sent"].as_u64().unwrap() * 4,
        "{flush:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_conns_scenario_opens_and_measures_idle_sockets() {
    let app = spawn_app().await;
    let config = papo_bench::conns::Conns {
        count: 40,
        source_addresses: 4,
        parallel: 8,
        hold_seconds: 1,
        server_pid: Some(std::process::id()),
    };

    let report = papo_bench::conns::run(&Server::new(&app.address), &config)
        .await
        .unwrap();

    let json = report.json();
    assert_eq!(json["connections"], 40);
    assert!(json["server_rss_kib_per_connection"].is_number(), "{json}");
    assert!(json["server_idle_cpu_percent"].is_number());
}

#[tokio::test]
async fn the_history_scenario_fills_a_room_and_times_every_position() {
    let app = spawn_app().await;
    let config = papo_bench::history::History {
        fill: 240,
        samples: 3,
        page: 50,
    };

    let report = papo_bench::history::run(&Server::new(&app.address), &config)
        .await
        .unwrap();

    let json = report.json();
    assert_eq!(json["messages"], 240);
    for key in [
        "keyset_newest",
        "keyset_middle",
        "keyset_oldest",
        "offset_newest",
        "offset_middle",
        "offset_oldest",
    ] {
        assert!(json[key]["p99_ms"].as_f64().unwrap() > 0.0, "{key}: {json}");
    }
}

#[tokio::test]
async fn the_search_scenario_fills_a_room_and_times_every_kind_of_query() {
    let app = spawn_app().await;
    let config = papo_bench::search::Search {
        fill: 400,
        samples: 3,
        settle_seconds: 0,
    };

    let report = papo_bench::search::run(&Server::new(&app.address), &config)
        .await
        .unwrap();

    let json = report.json();
    assert_eq!(json["messages"], 400);
    for query in ["every_message", "exact_number", "prefix", "no_match"] {
        for scope in ["in_room", "everywhere"] {
            let key = format!("{query}_{scope}");
            assert!(
                json[&key]["p99_ms"].as_f64().unwrap() > 0.0,
                "{key}: {json}"
            );
        }
    }
}

#[tokio::test]
async fn the_storm_scenario_resumes_every_dropped_listener_with_what_it_missed() {
    let app = spawn_app().await;
    let config = papo_bench::storm::Storm {
        rooms: 3,
        members: 2,
        accounts: 2,
        missed: 4,
        concurrency: 0,
        timeout_seconds: 20,
        server_pid: Some(std::process::id()),
    };

    let report = papo_bench::storm::run(&Server::new(&app.address), &config)
        .await
        .unwrap();

    let json = report.json();
    assert_eq!(json["sockets"], 6, "{json}");
    assert_eq!(json["resumed"], 6, "{json}");
    assert_eq!(json["missing"], 0, "{json}");
    assert_eq!(json["repeated"], 0, "{json}");
    assert_eq!(json["failed"], 0, "{json}");
    assert!(
        json["seconds_to_full_recovery"].as_f64().unwrap() > 0.0,
        "{json}"
    );
    assert!(json["server_rss_kib_after"].as_u64().unwrap() > 0, "{json}");
    let observer = app.signup("observer").await;
    let rooms = app.get("/api/v1/rooms", Some(&observer.token)).await.body;
    for room in rooms["rooms"].as_array().unwrap() {
        let path = format!("/api/v1/rooms/{}/history", room["id"].as_str().unwrap());
        let history = app.get(&path, Some(&observer.token)).await.body;
        assert_eq!(history["pagination"]["total_messages"], 5, "{history}");
    }
}
