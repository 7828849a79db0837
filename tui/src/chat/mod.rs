//! `papo chat`: the terminal chat. Logs in (or signs up) at a prompt or from flags and
//! environment, then runs a full-screen UI over one `/api/v1/ws` socket that
//! reconnects with back-off and resumes with `since`.

mod prompt;
mod state;
mod ui;

use std::time::{Duration, Instant};

use anyhow::Context;
use crossterm::event::{Event, EventStream, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use futures_util::StreamExt;
use papo_client::{Client, ClientFrame, Socket, UserRef, frames::CloseCode};
use uuid::Uuid;

use self::{
    prompt::prompt,
    state::{Command, State},
};

/// `papo chat`: where and who.
#[derive(Debug, clap::Args)]
pub struct ChatArgs {
    /// The server.
    #[arg(long, env = "PAPO_URL", default_value = "http://127.0.0.1:8000")]
    pub url: String,
    /// Your username (asked for when absent).
    #[arg(long, short, env = "PAPO_USERNAME")]
    pub username: Option<String>,
    /// Your password (asked for when absent).
    #[arg(long, short, env = "PAPO_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
    /// Create the account first (asks for a display name).
    #[arg(long)]
    pub register: bool,
    /// The room to open first (by name); else `general` or the first room.
    #[arg(long, short)]
    pub room: Option<String>,
}

/// Runs the terminal chat until `/quit` or Ctrl-C.
///
/// Fails when logging in fails or the terminal cannot be used.
pub async fn run(args: ChatArgs) -> anyhow::Result<()> {
    let username = match args.username.clone() {
        Some(name) => name,
        None => prompt("Username: ", true)?,
    };
    let password = match args.password.clone() {
        Some(password) => password,
        None => prompt("Password: ", false)?,
    };
    let mut client = Client::new(&args.url);
    if args.register {
        let name = prompt("Display name: ", true)?;
        client
            .register(&name, &username, &password)
            .await
            .context("signing up")?;
    }
    let session = client
        .login(&username, &password)
        .await
        .context("logging in")?;
    let mut state = State {
        me: Some(UserRef {
            id: session.id,
            name: session.name.clone(),
            username: session.username.clone(),
        }),
        ..State::default()
    };
    state.rooms = client.rooms().await?;
    let mut socket = client.socket().await?;
    state.connected = true;
    let first = args.room.clone().unwrap_or_else(|| "general".into());
    if let Some(room) = state
        .rooms
        .iter()
        .find(|r| r.name.eq_ignore_ascii_case(&first))
        .or(state.rooms.first())
    {
        let id = room.id;
        open(&client, &mut socket, &mut state, id).await;
    }

    let mut terminal = ratatui::init();
    let outcome = event_loop(&mut terminal, &mut client, &mut socket, &mut state).await;
    ratatui::restore();
    outcome
}

async fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    client: &mut Client,
    socket: &mut Socket,
    state: &mut State,
) -> anyhow::Result<()> {
    let mut keys = EventStream::new();
    let mut typing_sent = Instant::now() - Duration::from_secs(10);
    let mut backoff = Duration::from_millis(500);
    loop {
        terminal.draw(|frame| ui::draw(frame, state))?;
        tokio::select! {
            key = keys.next() => {
                let Some(Ok(Event::Key(key))) = key else { continue };
                if key.kind != KeyEventKind::Press {
                    continue;
                }
                if quit_key(&key) {
                    return Ok(());
                }
                match key.code {
                    KeyCode::Enter => {
                        let input = std::mem::take(&mut state.input);
                        state.status.clear();
                        match Command::parse(&input) {
                            Ok(Some(Command::Quit)) => return Ok(()),
                            Ok(Some(command)) => execute(client, socket, state, command).await,
                            Ok(None) => {}
                            Err(usage) => state.status = usage,
                        }
                    }
                    KeyCode::Backspace => {
                        state.input.pop();
                    }
                    KeyCode::PageUp => older(client, state).await,
                    KeyCode::PageDown => state.scroll = state.scroll.saturating_sub(10),
                    KeyCode::Char(c) => {
                        state.input.push(c);
                        if typing_sent.elapsed() > Duration::from_secs(3) && !state.input.starts_with('/') {
                            typing_sent = Instant::now();
                            let frame = ClientFrame::Typing { is_typing: true, room_id: state.current };
                            let _ = socket.send(&frame).await;
                        }
                    }
                    _ => {}
                }
            }
            frame = socket.next(), if state.connected => {
                match frame {
                    Ok(Ok(frame)) => state.apply(&frame),
                    Ok(Err(closed)) if closed.code == CloseCode::LoggedOut.as_u16() => anyhow::bail!("logged out elsewhere"),
                    Ok(Err(_)) | Err(_) => {
                        state.connected = false;
                    }
                }
            }
            () = tokio::time::sleep(backoff), if !state.connected => {
                // Resume every room from the last seq seen: nothing is lost.
                if client.refresh().await.is_ok()
                    && let Some(session) = client.session()
                {
                    socket.set_token(&session.access_token);
                }
                if socket.reconnect().await.is_ok() {
                    state.connected = true;
                    backoff = Duration::from_millis(500);
                } else {
                    backoff = (backoff * 2).min(Duration::from_secs(10));
                }
            }
        }
    }
}

fn quit_key(key: &KeyEvent) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL) && matches!(key.code, KeyCode::Char('c' | 'd'))
}

async fn execute(client: &Client, socket: &mut Socket, state: &mut State, command: Command) {
    let result: Result<(), String> = async {
        match command {
            Command::Say(text) => {
                let room = state.current.ok_or("join a room first: /join <room>")?;
                let temp_id = Uuid::new_v4().to_string();
                state.pending.insert(temp_id.clone(), text.clone());
                let frame = ClientFrame::Message {
                    content: text,
                    temp_id: Some(temp_id),
                    room_id: Some(room),
                    reply_to: None,
                };
                socket.send(&frame).await.map_err(|e| e.to_string())?;
                let stop = ClientFrame::Typing {
                    is_typing: false,
                    room_id: Some(room),
                };
                let _ = socket.send(&stop).await;
            }
            Command::Rooms => {
                state.rooms = client.rooms().await.map_err(|e| e.to_string())?;
                let names: Vec<String> = state.rooms.iter().map(|r| r.name.clone()).collect();
                state.status = format!("rooms: {}", names.join(", "));
            }
            Command::Join(name) => {
                state.rooms = client.rooms().await.map_err(|e| e.to_string())?;
                let id = state
                    .rooms
                    .iter()
                    .find(|r| r.name.eq_ignore_ascii_case(&name))
                    .map(|r| r.id)
                    .ok_or(format!("no room named {name}"))?;
                open(client, socket, state, id).await;
            }
            Command::Create { name, private } => {
                let room = client
                    .create_room(&name, private)
                    .await
                    .map_err(|e| e.to_string())?;
                state.rooms = client.rooms().await.map_err(|e| e.to_string())?;
                open(client, socket, state, room.id).await;
            }
            Command::Dm(username) => {
                let users = client.users(&username).await.map_err(|e| e.to_string())?;
                let user = users
                    .iter()
                    .find(|u| u.username.eq_ignore_ascii_case(&username))
                    .ok_or(format!("no user named {username}"))?;
                let room = client
                    .open_direct(user.id)
                    .await
                    .map_err(|e| e.to_string())?;
                state.rooms = client.rooms().await.map_err(|e| e.to_string())?;
                open(client, socket, state, room.id).await;
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
                socket
                    .send(&ClientFrame::Leave { room_id: room })
                    .await
                    .map_err(|e| e.to_string())?;
                state.current = None;
                state.rooms = client.rooms().await.map_err(|e| e.to_string())?;
            }
            Command::Help => {
                state.status =
                    "/rooms /join <room> /create <room> [--private] /dm <user> /who /leave /quit"
                        .into();
            }
            Command::Quit => {}
        }
        Ok(())
    }
    .await;
    if let Err(message) = result {
        state.status = message;
    }
}

/// Makes `room` the current one: joins it on the socket (answered with its history).
async fn open(client: &Client, socket: &mut Socket, state: &mut State, room: Uuid) {
    state.current = Some(room);
    state.unread.remove(&room);
    state.notices.clear();
    state.scroll = 0;
    let _ = client;
    if let Err(err) = socket.send(&ClientFrame::Join { room_id: room }).await {
        state.status = err.to_string();
    }
}

/// Loads the page before the oldest message shown.
async fn older(client: &Client, state: &mut State) {
    let Some(room) = state.current else { return };
    match client
        .history(&room.to_string(), state.oldest(room), 50)
        .await
    {
        Ok(page) => {
            page.messages.iter().for_each(|m| state.store(m));
            state.scroll = state.scroll.saturating_add(10);
        }
        Err(err) => state.status = err.to_string(),
    }
}
