//! # papo-tui
//!
//! papo's terminal clients, kept out of the server crate: the server links them only
//! for the `papo chat` and `papo send` subcommands.
//!
//! # Layout
//!
//! - [`chat`]: `papo chat`, a full-screen ratatui client over `papo-client`.
//! - [`send`]: `papo send`, one message from a script.

pub mod chat;
pub mod send;

pub use chat::ChatArgs;

/// `papo send`: who posts where.
#[derive(Debug, clap::Args)]
pub struct SendArgs {
    /// The server.
    #[arg(long, env = "PAPO_URL", default_value = "http://127.0.0.1:8000")]
    pub url: String,
    /// Whose account to post with.
    #[arg(long, short, env = "PAPO_USERNAME")]
    pub username: String,
    /// Its password.
    #[arg(long, short, env = "PAPO_PASSWORD", hide_env_values = true)]
    pub password: String,
    /// The room's name (any letter case) or id.
    #[arg(long, short)]
    pub room: String,
    /// The message; read from standard input when absent.
    pub text: Option<String>,
}
