//! `papo-bench`: load scenarios against a running papo (see docs/benchmarks.md).

use clap::{Parser, Subcommand};
use papo_bench::{baseline, conns, fanout, history, ingest, search, setup::Server, storm};

/// Load generator for papo. Speaks only its public API.
#[derive(Debug, Parser)]
#[command(name = "papo-bench", version, about)]
struct Cli {
    /// The server, e.g. http://127.0.0.1:8000
    #[arg(
        long,
        env = "PAPO_URL",
        default_value = "http://127.0.0.1:8000",
        global = true
    )]
    url: String,
    /// Print one JSON object instead of a table.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    scenario: Scenario,
}

#[derive(Debug, Subcommand)]
enum Scenario {
    /// Many senders posting as fast as acks come back: durable messages/s, ack latency.
    Ingest(ingest::Ingest),
    /// Rooms of listeners, senders at a fixed rate: deliveries/s, loss, latency.
    Fanout(fanout::Fanout),
    /// Many idle sockets: connects/s, server memory per connection, idle CPU.
    Conns(conns::Conns),
    /// A room of a million messages: history page timings by position and form.
    History(history::History),
    /// A room of a million messages: search timings by kind of query, in the room and
    /// everywhere.
    Search(search::Search),
    /// Every listener dropped at once, then all reconnecting with `since`: connects/s,
    /// seconds to full recovery, anything missing.
    Storm(storm::Storm),
    /// Run the bare poem broadcast server that `fanout --baseline` measures.
    BaselineServer {
        #[arg(long, default_value = "127.0.0.1:8100")]
        bind: String,
        /// Flush after every frame instead of once per batch of queued frames.
        #[arg(long)]
        flush_each: bool,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let server = Server::new(&cli.url);
    let report = match &cli.scenario {
        Scenario::Ingest(config) => ingest::run(&server, config).await?,
        Scenario::Fanout(config) => fanout::run(&server, config).await?,
        Scenario::Conns(config) => conns::run(&server, config).await?,
        Scenario::History(config) => history::run(&server, config).await?,
        Scenario::Search(config) => search::run(&server, config).await?,
        Scenario::Storm(config) => storm::run(&server, config).await?,
        Scenario::BaselineServer { bind, flush_each } => {
            let flush = if *flush_each {
                baseline::Flush::EachFrame
            } else {
                baseline::Flush::Batched
            };
            baseline::serve(bind, flush).await?;
            return Ok(());
        }
    };
    if cli.json {
        println!("{}", report.json());
    } else {
        print!("{}", report.table());
    }
    Ok(())
}
