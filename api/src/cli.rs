//! The `papo` command line.

use crate::settings::{DatabaseSettings, LogSettings, Settings};
use clap::{Parser, Subcommand};

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
        /// Boxed: the settings are most of the enum's size.
        #[command(flatten)]
        settings: Box<Settings>,
    },
    /// Chat in the terminal: log in (or --register) at a prompt or from flags, then a
    /// full-screen chat with rooms, online users and slash commands.
    Chat(papo_tui::ChatArgs),
    /// Post one message to a room and exit (for scripts): `papo send --room general
    /// "hello"`, or the text from standard input when none is given.
    Send(papo_tui::SendArgs),
    /// Apply pending database migrations, or revert the newest with `--down N`, and
    /// exit.
    Migrate {
        /// Revert this many migrations instead of applying.
        #[arg(long, value_name = "N")]
        down: Option<u32>,
        #[command(flatten, next_help_heading = "Database")]
        database: DatabaseSettings,
        #[command(flatten, next_help_heading = "Logs")]
        log: LogSettings,
    },
}
