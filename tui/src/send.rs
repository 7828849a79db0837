//! `papo send`: post one message from a script.

use anyhow::Context;
use papo_client::{Client, Message};

use crate::SendArgs;

/// A message posted, and the name of its room.
#[derive(Debug)]
pub struct Sent {
    pub message: Message,
    pub room: String,
}

/// Logs in, finds the room (by name or id, joining a public one) and posts `text`.
///
/// Fails with the server's problem (bad credentials, unknown room, invalid content) or
/// when the server cannot be reached (saying so).
pub async fn send(args: &SendArgs, text: &str) -> anyhow::Result<Sent> {
    let unreachable = |err: papo_client::Error| match err {
        papo_client::Error::Transport(_) => anyhow::anyhow!(
            "cannot reach a papo server at {}: is it running? (or give another with --url)",
            args.url
        ),
        other => anyhow::Error::new(other),
    };
    let mut client = Client::new(&args.url);
    client
        .login(&args.username, &args.password)
        .await
        .map_err(unreachable)
        .context("logging in")?;
    let rooms = client.rooms().await.map_err(unreachable)?;
    let room = match args.room.parse::<uuid::Uuid>() {
        Ok(id) => rooms.into_iter().find(|r| r.id == id),
        Err(_) => Some(client.room_named(&args.room).await?),
    };
    let (id, name) = match room {
        Some(room) => (room.id.to_string(), room.name),
        // A room not listed (private, not one's own) still gets the server's answer.
        None => (args.room.clone(), args.room.clone()),
    };
    let message = client
        .post(&id, text, None)
        .await
        .map_err(unreachable)
        .context("posting")?;
    Ok(Sent {
        message,
        room: name,
    })
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
