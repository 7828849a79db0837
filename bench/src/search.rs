//! `search`: fill one room (as `history` does: posts `ingest N` from 20 senders, so
//! every message has the word "ingest" and a number), then time searches over HTTP,
//! end to end, in that room and across every room the reader may read.
//!
//! The queries span what a search index finds cheaply and what it does not: a word
//! in every message (the newest page of a million hits), a number in a few (an exact
//! word), a prefix of a hundred or so, and a word in none.

use crate::{
    history::{FilledRoom, filled_room},
    setup::Server,
    stats::{Latency, Report},
};

/// What to run.
#[derive(Debug, Clone, clap::Args)]
pub struct Search {
    /// Messages to fill the room with.
    #[arg(long, default_value_t = 1_000_000)]
    pub fill: usize,
    /// Timed requests per query.
    #[arg(long, default_value_t = 200)]
    pub samples: usize,
    /// Seconds to wait between filling and timing: PostgreSQL plans by statistics that
    /// autovacuum's `ANALYZE` refreshes within about a minute of a bulk load.
    #[arg(long, default_value_t = 0)]
    pub settle_seconds: u64,
}

/// Runs the scenario.
///
/// Fails when set-up fails. A query that fails (or finds nothing where the fill put
/// something) is reported as failed.
pub async fn run(server: &Server, config: &Search) -> anyhow::Result<Report> {
    // Search leaves out one-character words: the middle number needs two digits.
    anyhow::ensure!(config.fill >= 400, "--fill must be at least 400");
    let FilledRoom {
        reader,
        room,
        messages,
        per_sender: each,
        fill_seconds,
    } = filled_room(server, "search", config.fill).await?;
    tokio::time::sleep(std::time::Duration::from_secs(config.settle_seconds)).await;
    // Each sender numbers its posts 0, 1, …: the middle number is in `senders` messages,
    // and its first digits start the numbers of about a tenth of a percent of them.
    let middle = (each / 2).to_string();
    let prefix = &middle[..middle.len().min(3)];
    let queries = [
        ("every_message", "ingest".to_owned(), true),
        ("exact_number", middle.clone(), true),
        ("prefix", prefix.to_owned(), true),
        ("no_match", "zebra".to_owned(), false),
    ];
    let mut report = Report::new("search");
    report
        .add("messages", messages)
        .add("fill_seconds", fill_seconds);
    for (name, q, hits) in queries {
        let in_room = format!("/api/v1/search?q={q}&room_id={room}&limit=20");
        let everywhere = format!("/api/v1/search?q={q}&limit=20");
        for (scope, path) in [("in_room", in_room), ("everywhere", everywhere)] {
            let key = format!("{name}_{scope}");
            match time(server, &reader, &path, config.samples, hits).await {
                Ok(latency) => report.add(&key, latency),
                // A query the server cannot answer in time is a result too.
                Err(err) => report.add(&key, format!("failed: {err}")),
            };
        }
    }
    Ok(report)
}

async fn time(
    server: &Server,
    who: &crate::setup::Account,
    path: &str,
    samples: usize,
    hits: bool,
) -> anyhow::Result<Latency> {
    let mut latencies = Vec::with_capacity(samples);
    for _ in 0..samples.max(1) {
        let started = std::time::Instant::now();
        let page = server.get(who, path).await?;
        latencies.push(started.elapsed());
        let found = page["results"].as_array().map_or(0, Vec::len);
        anyhow::ensure!(
            (found > 0) == hits,
            "{path}: {found} results, expected {}",
            if hits { "some" } else { "none" }
        );
    }
    Ok(Latency::of(latencies))
}
