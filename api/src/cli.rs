//! The `papo` command line.

use clap::{Parser, Subcommand};
use infra::Settings;

/// papo: a room-based real-time chat server.
///
/// Every flag can also be set by the environment variable shown beside it, or in a
/// `.env` file in the working directory.
#[derive(Debug, Parser)]
#[command(name = "papo", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Settings for the default command (`serve`).
    #[command(flatten)]
    pub settings: Settings,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (the default): migrate the database, then serve HTTP and
    /// WebSocket.
    Serve {
        #[command(flatten)]
        settings: Settings,
    },
    /// Apply pending database migrations, or revert the newest with `--down N`, and
    /// exit.
    Migrate {
        /// Revert this many migrations instead of applying.
        #[arg(long, value_name = "N")]
        down: Option<u32>,
        #[command(flatten)]
        settings: Settings,
    },
}
