//! What each command does: through the socket (posting) or the REST client (the
//! rest), with errors put in words.

use papo_client::{Client, ClientFrame, Error, ReplyRef, Socket};
use uuid::Uuid;

use super::{
    command::{COMMANDS, Command, KEYS},
    state::{Results, State},
};

/// An error as a person reads it.
pub fn words(err: &Error) -> String {
    match err {
        Error::Transport(_) => "Cannot reach the server: is it running? (trying again)".into(),
        Error::Api { code, detail, .. } => match code.as_str() {
            "owner_cannot_leave" => "You own this room: delete it instead of leaving.".into(),
            "not_a_moderator" => "Only the room's owner and admins may do that.".into(),
            "cannot_moderate_owner" => "Nobody may do that to the room's owner.".into(),
            "cannot_moderate_admin" => "Only the owner may do that to an admin.".into(),
            "banned" => "That person is banned from this room.".into(),
            "not_message_author" => "That is not your message.".into(),
            "message_deleted" => "That message was deleted.".into(),
            "too_many_reactions" => "That message has all the reactions it can take.".into(),
            "room_forbidden" => "That room is private.".into(),
            _ => detail.clone(),
        },
        Error::Protocol(detail) => detail.clone(),
    }
}

/// Runs `command`; a failure becomes the status line.
pub async fn execute(client: &Client, socket: &mut Socket, state: &mut State, command: Command) {
    if let Err(message) = run(client, socket, state, command).await {
        state.status = message;
    }
}

async fn run(
    client: &Client,
    socket: &mut Socket,
    state: &mut State,
    command: Command,
) -> Result<(), String> {
    let fail = |err: Error| words(&err);
    match command {
        Command::Say(text) => say(socket, state, text, None).await?,
        Command::Reply { seq, text } => {
            let (_, parent) = state
                .pick(Some(seq))
                .ok_or(format!("no message #{seq} here"))?;
            let parent = ReplyRef {
                id: parent.id,
                seq,
                user: parent.author.clone(),
                excerpt: parent.content.chars().take(100).collect(),
            };
            say(socket, state, text, Some(parent)).await?;
        }
        Command::React { seq, emoji, add } => {
            let (_, message) = state
                .pick(Some(seq))
                .ok_or(format!("no message #{seq} here"))?;
            client.react(message.id, &emoji, add).await.map_err(fail)?;
        }
        Command::Edit { seq, text } => {
            let id = own(state, seq)?;
            client.edit(id, &text).await.map_err(fail)?;
        }
        Command::Delete(seq) => {
            let id = match seq {
                Some(seq) => {
                    state
                        .pick(Some(seq))
                        .ok_or(format!("no message #{seq} here"))?
                        .1
                        .id
                }
                None => own(state, None)?,
            };
            client.delete(id).await.map_err(fail)?;
            state.status = "Deleted.".into();
        }
        Command::Search(query) => {
            let page = client.search(&query, None, None).await.map_err(fail)?;
            let lines = page
                .results
                .iter()
                .map(|hit| {
                    let room = state
                        .room(hit.message.room_id)
                        .map_or_else(String::new, State::label);
                    format!(
                        "#{} {room} · {}: {}",
                        hit.message.seq,
                        hit.message.user.name,
                        unmark(&hit.highlight)
                    )
                })
                .collect::<Vec<_>>();
            let lines = if lines.is_empty() {
                vec!["Nothing found.".to_owned()]
            } else {
                lines
            };
            state.results = Some(Results {
                query: format!("Search: {query}"),
                lines,
            });
        }
        Command::Rooms => {
            state.rooms = client.rooms().await.map_err(fail)?;
            let names: Vec<String> = state.rooms.iter().map(|r| r.name.clone()).collect();
            state.status = format!("rooms: {}", names.join(", "));
        }
        Command::Join(name) => {
            state.rooms = client.rooms().await.map_err(fail)?;
            let id = state
                .rooms
                .iter()
                .find(|r| r.name.eq_ignore_ascii_case(&name))
                .map(|r| r.id)
                .ok_or(format!("no room named {name}"))?;
            open(socket, state, id).await;
        }
        Command::Create { name, private } => {
            let room = client.create_room(&name, private).await.map_err(fail)?;
            state.rooms = client.rooms().await.map_err(fail)?;
            open(socket, state, room.id).await;
        }
        Command::Dm(username) => {
            let user = client.user_named(&username).await.map_err(fail)?;
            let room = client.open_direct(user.id).await.map_err(fail)?;
            state.rooms = client.rooms().await.map_err(fail)?;
            open(socket, state, room.id).await;
        }
        Command::Invite(username) => {
            let room = state.current.ok_or("not in a room")?;
            let user = client.user_named(&username).await.map_err(fail)?;
            client
                .invite(&room.to_string(), user.id)
                .await
                .map_err(fail)?;
            state.status = format!("{} is in the room now.", user.name);
        }
        Command::Who => {
            let names: Vec<String> = state
                .current
                .and_then(|room| state.online.get(&room))
                .into_iter()
                .flatten()
                .map(|u| u.name.clone())
                .collect();
            state.status = format!("online here: {}", names.join(", "));
        }
        Command::Leave => {
            let room = state.current.ok_or("not in a room")?;
            // Switch away only once the server agreed (an owner cannot leave).
            client.leave(&room.to_string()).await.map_err(fail)?;
            let name = state.current_name();
            if let Some(listed) = state.rooms.iter_mut().find(|r| r.id == room) {
                listed.joined = false;
            }
            state.current = state.neighbour(1);
            if let Some(next) = state.current {
                open(socket, state, next).await;
            }
            state.status = format!("You left {name}.");
        }
        Command::Kick(username) => {
            let room = state.current.ok_or("not in a room")?;
            let user = client.user_named(&username).await.map_err(fail)?;
            client
                .remove_member(&room.to_string(), user.id)
                .await
                .map_err(fail)?;
        }
        Command::Ban { user, reason } => {
            let room = state.current.ok_or("not in a room")?;
            let user = client.user_named(&user).await.map_err(fail)?;
            client
                .ban(&room.to_string(), user.id, reason.as_deref())
                .await
                .map_err(fail)?;
            state.status = format!("{} is banned from this room.", user.name);
        }
        Command::Unban(username) => {
            let room = state.current.ok_or("not in a room")?;
            let user = client.user_named(&username).await.map_err(fail)?;
            client
                .unban(&room.to_string(), user.id)
                .await
                .map_err(fail)?;
            state.status = format!("{} may come back.", user.name);
        }
        Command::Help => {
            let mut lines: Vec<String> = COMMANDS.lines().map(str::to_owned).collect();
            lines.push(String::new());
            lines.extend(KEYS.split(" · ").map(str::to_owned));
            state.results = Some(Results {
                query: "Commands and keys".into(),
                lines,
            });
        }
        Command::Quit => {}
    }
    Ok(())
}

/// The reader's message `seq` (or their last one) in the current room.
fn own(state: &State, seq: Option<i64>) -> Result<Uuid, String> {
    let (seq, message) = state
        .pick(seq)
        .ok_or("no message of yours here to change")?;
    let mine = state
        .me
        .as_ref()
        .is_some_and(|me| me.id == message.author.id);
    if !mine {
        return Err(format!("#{seq} is not your message"));
    }
    Ok(message.id)
}

/// Posts over the socket; the message shows once its ack comes back.
async fn say(
    socket: &mut Socket,
    state: &mut State,
    text: String,
    reply_to: Option<ReplyRef>,
) -> Result<(), String> {
    let room = state.current.ok_or("join a room first: /join <room>")?;
    let temp_id = Uuid::new_v4().to_string();
    let frame = ClientFrame::Message {
        content: text.clone(),
        temp_id: Some(temp_id.clone()),
        room_id: Some(room),
        reply_to: reply_to.as_ref().map(|r| r.id),
    };
    state.pending.insert(temp_id, (room, text, reply_to));
    socket.send(&frame).await.map_err(|e| words(&e))?;
    let stop = ClientFrame::Typing {
        is_typing: false,
        room_id: Some(room),
    };
    let _ = socket.send(&stop).await;
    Ok(())
}

/// Makes `room` the current one: joins it on the socket (answered with its history).
pub async fn open(socket: &mut Socket, state: &mut State, room: Uuid) {
    state.current = Some(room);
    state.unread.remove(&room);
    state.mentions.remove(&room);
    state.scroll = 0;
    state.results = None;
    if let Err(err) = socket.send(&ClientFrame::Join { room_id: room }).await {
        state.status = words(&err);
    }
}

/// A search highlight as plain text: the `<mark>` tags go, the escapes are read.
fn unmark(highlight: &str) -> String {
    highlight
        .replace("<mark>", "")
        .replace("</mark>", "")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_highlight_reads_as_the_text_it_marks() {
        assert_eq!(
            unmark("&lt;b&gt; <mark>Deploy</mark> &amp; go"),
            "<b> Deploy & go"
        );
    }
}
