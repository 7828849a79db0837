//! `papo chat`: the terminal chat. Logs in (or signs up) at a prompt or from flags and
//! environment, then runs a full-screen UI over one `/api/v1/ws` socket that
//! reconnects with back-off and resumes with `since`.
//!
//! `state` is what is on screen and how frames change it; `timeline` and `ui` draw
//! it; `input` is the line editor; `command` parses slash commands and `actions`
//! runs them; `login` gets the user in first.

mod actions;
mod command;
mod input;
mod login;
mod prompt;
mod state;
mod timeline;
mod ui;

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use crossterm::event::{Event, EventStream, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use futures_util::StreamExt;
use papo_client::{Client, ClientFrame, Socket, UserRef, frames::CloseCode};
use uuid::Uuid;

use self::{actions::open, command::Command, state::State};

/// The help `papo chat --help` ends with: keys and commands.
const AFTER_HELP: &str = concat!(
    "Keys:\n  Enter send · Alt+Enter new line · ←/→ Home/End Ctrl+A/E move · Ctrl+U/K/W delete\n",
    "  ↑ edit your last message · Tab/Shift+Tab or Alt+↑/↓ switch rooms · PgUp/PgDn scroll\n",
    "  Esc close results, cancel an edit · Ctrl+C quit\n\n",
    "Commands (type /help in the chat):\n",
    "  /rooms /join <room> /create <room> [--private] /dm <user> /invite <user> /who /leave\n",
    "  /reply <#n> <text> /react <#n> <emoji> /unreact <#n> <emoji> /edit [#n] <text>\n",
    "  /delete [#n] /search <words> /kick <user> /ban <user> [reason] /unban <user> /quit\n",
    "  Messages are numbered (#n) as they are shown."
);

/// `papo chat`: where and who.
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
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
    let mut client = Client::new(&args.url);
    let session = login::log_in(&args, &mut client).await?;
    let me = UserRef {
        id: session.id,
        name: session.name.clone(),
        username: session.username.clone(),
    };
    let rooms = client
        .rooms()
        .await
        .map_err(|e| anyhow::anyhow!(actions::words(&e)))?;
    let mut state = State::with_rooms(me, rooms);
    let mut socket = client
        .socket()
        .await
        .map_err(|e| anyhow::anyhow!(actions::words(&e)))?;
    state.connected = true;
    let first = args.room.clone().unwrap_or_else(|| "general".into());
    let start = state
        .rooms
        .iter()
        .find(|r| r.name.eq_ignore_ascii_case(&first))
        .or_else(|| state.rooms.iter().find(|r| r.joined))
        .map(|r| r.id);
    if let Some(id) = start {
        open(&mut socket, &mut state, id).await;
    }

    let mut terminal = ratatui::init();
    let outcome = event_loop(&mut terminal, &client, &mut socket, &mut state).await;
    ratatui::restore();
    outcome
}

async fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    client: &Client,
    socket: &mut Socket,
    state: &mut State,
) -> anyhow::Result<()> {
    let mut keys = EventStream::new();
    let mut typing_sent = Instant::now() - Duration::from_secs(10);
    let mut backoff = Duration::from_millis(500);
    let mut read: HashMap<Uuid, i64> = HashMap::new();
    loop {
        terminal.draw(|frame| ui::draw(frame, state))?;
        mark_read(socket, state, &mut read).await;
        tokio::select! {
            key = keys.next() => {
                let Some(Ok(Event::Key(key))) = key else { continue };
                if key.kind != KeyEventKind::Press {
                    continue;
                }
                if quit_key(&key) {
                    return Ok(());
                }
                match on_key(key, client, socket, state).await {
                    Flow::Quit => return Ok(()),
                    Flow::Typed if !state.input.text().starts_with('/')
                        && typing_sent.elapsed() > Duration::from_secs(3) =>
                    {
                        typing_sent = Instant::now();
                        let frame = ClientFrame::Typing { is_typing: true, room_id: state.current };
                        let _ = socket.send(&frame).await;
                    }
                    Flow::Typed | Flow::Go => {}
                }
            }
            frame = socket.next(), if state.connected => {
                match frame {
                    Ok(Ok(frame)) => state.apply(&frame),
                    Ok(Err(closed)) if closed.code == CloseCode::LoggedOut.as_u16() => anyhow::bail!("logged out elsewhere"),
                    Ok(Err(_)) | Err(_) => state.connected = false,
                }
            }
            () = tokio::time::sleep(backoff), if !state.connected => {
                // Resume every room from the last seq seen: nothing is lost. The
                // client renews its token first when it is about to expire.
                if let Some(session) = client.session() {
                    socket.set_token(&session.access_token);
                }
                if client.rooms().await.is_ok() && let Some(session) = client.session() {
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

/// What a key press leads to.
enum Flow {
    Go,
    /// The input changed (a typing indicator may be due).
    Typed,
    Quit,
}

fn quit_key(key: &KeyEvent) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL) && matches!(key.code, KeyCode::Char('c' | 'd'))
}

async fn on_key(key: KeyEvent, client: &Client, socket: &mut Socket, state: &mut State) -> Flow {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    match key.code {
        KeyCode::Enter if alt => {
            state.input.insert('\n');
            return Flow::Typed;
        }
        KeyCode::Enter => return submit(client, socket, state).await,
        KeyCode::Esc => {
            state.results = None;
            if state.editing.take().is_some() {
                state.input.take();
            }
        }
        KeyCode::Tab => switch(socket, state, 1).await,
        KeyCode::BackTab => switch(socket, state, -1).await,
        KeyCode::Down if alt => switch(socket, state, 1).await,
        KeyCode::Up if alt => switch(socket, state, -1).await,
        KeyCode::Up if state.input.is_empty() => {
            if let Some((id, content)) = state.pick(None).map(|(_, m)| (m.id, m.content.clone())) {
                state.editing = Some(id);
                state.input.set(&content);
            }
        }
        KeyCode::PageUp => page_up(client, state).await,
        KeyCode::PageDown => {
            let page = state.viewport.1.max(2) / 2;
            state.scroll = state.scroll.saturating_sub(page);
        }
        KeyCode::Left => state.input.left(),
        KeyCode::Right => state.input.right(),
        KeyCode::Home => state.input.home(),
        KeyCode::End => state.input.end(),
        KeyCode::Delete => state.input.delete(),
        KeyCode::Backspace => state.input.backspace(),
        KeyCode::Char('a') if ctrl => state.input.home(),
        KeyCode::Char('e') if ctrl => state.input.end(),
        KeyCode::Char('u') if ctrl => state.input.kill_to_start(),
        KeyCode::Char('k') if ctrl => state.input.kill_to_end(),
        KeyCode::Char('w') if ctrl => state.input.kill_word(),
        KeyCode::Char(_) if ctrl || alt => {}
        KeyCode::Char(c) => {
            state.input.insert(c);
            return Flow::Typed;
        }
        _ => {}
    }
    Flow::Go
}

/// Enter: saves an edit, or sends the line (a message or a command).
async fn submit(client: &Client, socket: &mut Socket, state: &mut State) -> Flow {
    let text = state.input.take();
    state.status.clear();
    if let Some(id) = state.editing.take() {
        if !text.trim().is_empty()
            && let Err(err) = client.edit(id, text.trim()).await
        {
            state.status = actions::words(&err);
        }
        return Flow::Go;
    }
    match Command::parse(&text) {
        Ok(Some(Command::Quit)) => return Flow::Quit,
        Ok(Some(command)) => actions::execute(client, socket, state, command).await,
        Ok(None) => {}
        Err(usage) => state.status = usage,
    }
    Flow::Go
}

/// Tab, Shift+Tab, Alt+↑/↓: the next or previous of one's rooms.
async fn switch(socket: &mut Socket, state: &mut State, step: isize) {
    if let Some(next) = state.neighbour(step) {
        open(socket, state, next).await;
    }
}

/// Scrolls up half a screen; at the top, loads the page before the oldest message
/// shown (the view stays put: it is counted from the bottom).
async fn page_up(client: &Client, state: &mut State) {
    let (total, height) = state.viewport;
    let page = height.max(2) / 2;
    let top = total.saturating_sub(height);
    if state.scroll + page <= top {
        state.scroll += page;
        return;
    }
    state.scroll = top;
    let Some(room) = state.current else { return };
    let Some(oldest) = state.oldest(room).filter(|&seq| seq > 1) else {
        return;
    };
    match client.history(&room.to_string(), Some(oldest), 50).await {
        Ok(page) => page.messages.iter().for_each(|m| state.store(m)),
        Err(err) => state.status = actions::words(&err),
    }
}

/// The open room is read up to its newest message: tells the server once per new
/// message, so unread counts (here and in other clients) stay right.
async fn mark_read(socket: &mut Socket, state: &State, read: &mut HashMap<Uuid, i64>) {
    let Some(room) = state.current else { return };
    let Some(newest) = state
        .messages
        .get(&room)
        .and_then(|m| m.keys().next_back().copied())
    else {
        return;
    };
    if !state.connected || read.get(&room).is_some_and(|&seen| seen >= newest) {
        return;
    }
    let frame = ClientFrame::Read {
        seq: newest,
        room_id: Some(room),
    };
    if socket.send(&frame).await.is_ok() {
        read.insert(room, newest);
    }
}
