//! `papo send`: post one message from a script.

use anyhow::Context;
use papo_client::{Client, Message};

use crate::SendArgs;

/// Logs in, finds the room (by name or id, joining a public one) and posts `text`.
///
/// Fails with the server's problem (bad credentials, unknown room, invalid content) or
/// when the server cannot be reached.
pub async fn send(args: &SendArgs, text: &str) -> anyhow::Result<Message> {
    let mut client = Client::new(&args.url);
    client
        .login(&args.username, &args.password)
        .await
        .context("logging in")?;
    let room = match args.room.parse::<uuid::Uuid>() {
        Ok(id) => id,
        Err(_) => client.room_named(&args.room).await?.id,
    };
    client
        .post(&room.to_string(), text, None)
        .await
        .context("posting")
}

/// The message text: the argument, or all of standard input.
///
/// Fails when standard input cannot be read.
pub fn text_of(args: &SendArgs) -> anyhow::Result<String> {
    match &args.text {
        Some(text) => Ok(text.clone()),
        None => {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
                .context("reading the message from standard input")?;
            Ok(text)
        }
    }
}
