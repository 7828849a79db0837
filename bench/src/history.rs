//! `history`: fill one room (through the public API, as fast as group commit takes
//! it), then time history pages at the newest, middle and oldest positions, in the
//! keyset and offset forms.

use std::time::Instant;

use crate::{
    ingest::pump,
    setup::{Account, Server},
    stats::{Latency, Report},
};

/// What to run.
#[derive(Debug, Clone, clap::Args)]
pub struct History {
    /// Messages to fill the room with.
    #[arg(long, default_value_t = 1_000_000)]
    pub fill: usize,
    /// Timed requests per position and form.
    #[arg(long, default_value_t = 200)]
    pub samples: usize,
    /// Page size.
    #[arg(long, default_value_t = 50)]
    pub page: u64,
}

/// A reader and the room it made, filled through the API with `ingest N` posts from
/// 20 senders (each numbering its own from 0) as fast as group commit takes them.
pub(crate) struct FilledRoom {
    pub reader: Account,
    pub room: String,
    pub messages: usize,
    pub per_sender: usize,
    pub fill_seconds: f64,
}

/// Makes and fills a [`FilledRoom`] of about `fill` messages.
///
/// Fails when set-up fails.
pub(crate) async fn filled_room(
    server: &Server,
    name: &str,
    fill: usize,
) -> anyhow::Result<FilledRoom> {
    let run = uuid::Uuid::new_v4().simple().to_string();
    let reader = server.account(&format!("{name}-{}", &run[..8])).await?;
    let room = server.room(&reader, name).await?;
    let senders = 20.min(fill.max(1));
    let per_sender = fill.div_ceil(senders);
    let (acks, filling) =
        pump(server, std::slice::from_ref(&room), senders, per_sender, 64).await?;
    Ok(FilledRoom {
        reader,
        room,
        messages: acks.len(),
        per_sender,
        fill_seconds: (filling.as_secs_f64() * 100.0).round() / 100.0,
    })
}

/// Runs the scenario.
///
/// Fails when set-up fails or a request fails.
pub async fn run(server: &Server, config: &History) -> anyhow::Result<Report> {
    let FilledRoom {
        reader,
        room,
        messages,
        fill_seconds,
        ..
    } = filled_room(server, "history", config.fill).await?;
    let total = messages as u64;
    let page = config.page.max(1);
    let pages = total.div_ceil(page);
    let positions = [
        ("newest", total + 1, pages),
        ("middle", total / 2, (pages / 2).max(1)),
        ("oldest", page + 1, 1),
    ];
    let mut report = Report::new("history");
    report
        .add("messages", total)
        .add("fill_seconds", fill_seconds)
        .add("page_size", page);
    for (name, before, page_number) in positions {
        let keyset = format!("/api/v1/rooms/{room}/history?before={before}&limit={page}");
        let offset = format!("/api/v1/rooms/{room}/history?page={page_number}&size={page}");
        report.add(
            &format!("keyset_{name}"),
            time(server, &reader, &keyset, config.samples).await?,
        );
        report.add(
            &format!("offset_{name}"),
            time(server, &reader, &offset, config.samples).await?,
        );
    }
    Ok(report)
}

async fn time(
    server: &Server,
    who: &crate::setup::Account,
    path: &str,
    samples: usize,
) -> anyhow::Result<Latency> {
    let mut latencies = Vec::with_capacity(samples);
    for _ in 0..samples {
        let started = Instant::now();
        let page = server.get(who, path).await?;
        latencies.push(started.elapsed());
        anyhow::ensure!(page["messages"].is_array(), "not a history page: {page}");
    }
    Ok(Latency::of(latencies))
}
