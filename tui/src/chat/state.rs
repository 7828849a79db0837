//! What the terminal chat shows, and how frames and commands change it. No terminal
//! here: the rules are tested without one.

use std::collections::{BTreeMap, HashMap};

use papo_client::{Message, RoomListing, ServerFrame, UserRef};
use uuid::Uuid;

/// A message line of the conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub who: String,
    pub text: String,
}

/// A command typed at the input line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Say(String),
    Rooms,
    Join(String),
    Create { name: String, private: bool },
    Dm(String),
    Who,
    Leave,
    Quit,
    Help,
}

impl Command {
    /// Reads an input line; `Err` explains a malformed command.
    pub fn parse(input: &str) -> Result<Option<Self>, String> {
        let input = input.trim();
        if input.is_empty() {
            return Ok(None);
        }
        let Some(rest) = input.strip_prefix('/') else {
            return Ok(Some(Self::Say(input.to_owned())));
        };
        let mut words = rest.split_whitespace();
        let command = words.next().unwrap_or("");
        let args: Vec<&str> = words.collect();
        let one = |usage: &str| match args.as_slice() {
            [arg] => Ok(arg.to_string()),
            _ => Err(format!("usage: {usage}")),
        };
        Ok(Some(match command {
            "rooms" => Self::Rooms,
            "join" => Self::Join(one("/join <room>")?),
            "create" => {
                let private = args.contains(&"--private");
                let name: Vec<&str> = args.iter().copied().filter(|a| *a != "--private").collect();
                if name.is_empty() {
                    return Err("usage: /create <room> [--private]".into());
                }
                Self::Create {
                    name: name.join(" "),
                    private,
                }
            }
            "dm" => Self::Dm(one("/dm <user>")?),
            "who" => Self::Who,
            "leave" => Self::Leave,
            "quit" | "exit" => Self::Quit,
            "help" => Self::Help,
            other => return Err(format!("unknown command /{other}; try /help")),
        }))
    }
}

/// Everything on screen.
#[derive(Debug, Default)]
pub struct State {
    pub me: Option<UserRef>,
    pub rooms: Vec<RoomListing>,
    pub current: Option<Uuid>,
    pub lines: HashMap<Uuid, BTreeMap<i64, Line>>,
    pub notices: Vec<String>,
    pub online: HashMap<Uuid, Vec<UserRef>>,
    pub typing: HashMap<Uuid, Vec<UserRef>>,
    pub unread: HashMap<Uuid, u64>,
    /// Own posts waiting for their ack (own messages are not echoed back): temp_id ->
    /// text.
    pub pending: HashMap<String, String>,
    pub input: String,
    pub connected: bool,
    pub status: String,
    /// Lines scrolled up from the bottom.
    pub scroll: u16,
}

impl State {
    pub fn current_name(&self) -> String {
        self.current
            .and_then(|id| self.rooms.iter().find(|r| r.id == id))
            .map_or_else(|| "no room".to_owned(), |r| r.name.clone())
    }

    pub fn store(&mut self, message: &Message) {
        let text = if message.deleted {
            "(deleted)".to_owned()
        } else {
            message.content.clone()
        };
        self.lines.entry(message.room_id).or_default().insert(
            message.seq,
            Line {
                who: message.user.name.clone(),
                text,
            },
        );
    }

    /// The oldest seq shown for a room (for scroll-back).
    pub fn oldest(&self, room: Uuid) -> Option<i64> {
        self.lines.get(&room).and_then(|l| l.keys().next().copied())
    }

    /// Applies a server frame.
    pub fn apply(&mut self, frame: &ServerFrame) {
        match frame {
            ServerFrame::History { messages, .. } => messages.iter().for_each(|m| self.store(m)),
            ServerFrame::Message(message) => {
                self.store(message);
                if Some(message.room_id) != self.current {
                    *self.unread.entry(message.room_id).or_default() += 1;
                }
            }
            ServerFrame::Edited { message, .. } | ServerFrame::Deleted { message, .. } => {
                self.store(message);
            }
            ServerFrame::Presence { room_id, online } => {
                self.online.insert(*room_id, online.clone());
            }
            ServerFrame::Typing { room_id, users } => {
                self.typing.insert(*room_id, users.clone());
            }
            ServerFrame::System {
                room_id, content, ..
            } => {
                if Some(*room_id) == self.current {
                    self.notices.push(content.clone());
                }
            }
            ServerFrame::Error { message, .. } => self.status = format!("error: {message}"),
            ServerFrame::Ack {
                temp_id: Some(temp_id),
                room_id,
                seq,
                ..
            } => {
                if let (Some(text), Some(me)) = (self.pending.remove(temp_id), &self.me) {
                    let line = Line {
                        who: me.name.clone(),
                        text,
                    };
                    self.lines.entry(*room_id).or_default().insert(*seq, line);
                }
            }
            ServerFrame::Ack { .. }
            | ServerFrame::Read { .. }
            | ServerFrame::Pong
            | ServerFrame::Room { .. }
            | ServerFrame::Reaction { .. }
            | ServerFrame::Mention { .. }
            | ServerFrame::Replied { .. } => {}
        }
    }

    /// "Bia is typing…" for the current room, without oneself.
    pub fn typing_line(&self) -> String {
        let me = self.me.as_ref().map(|m| m.id);
        let names: Vec<&str> = self
            .current
            .and_then(|room| self.typing.get(&room))
            .into_iter()
            .flatten()
            .filter(|u| Some(u.id) != me)
            .map(|u| u.name.as_str())
            .collect();
        match names.as_slice() {
            [] => String::new(),
            [one] => format!("{one} is typing…"),
            many => format!("{} are typing…", many.join(", ")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_said_and_slash_commands_parse() {
        assert_eq!(
            Command::parse("hello").unwrap(),
            Some(Command::Say("hello".into()))
        );
        assert_eq!(Command::parse("  ").unwrap(), None);
        assert_eq!(
            Command::parse("/join general").unwrap(),
            Some(Command::Join("general".into()))
        );
        assert_eq!(
            Command::parse("/create secret --private").unwrap(),
            Some(Command::Create {
                name: "secret".into(),
                private: true
            })
        );
        assert_eq!(Command::parse("/quit").unwrap(), Some(Command::Quit));
        assert!(Command::parse("/join").is_err());
        assert!(Command::parse("/dance").is_err());
    }

    #[test]
    fn messages_of_other_rooms_count_as_unread() {
        let (here, there) = (Uuid::new_v4(), Uuid::new_v4());
        let mut state = State {
            current: Some(here),
            ..State::default()
        };
        let user = UserRef {
            id: Uuid::new_v4(),
            name: "Bia".into(),
            username: "bia".into(),
        };
        let message = |room, seq| Message {
            id: Uuid::new_v4(),
            room_id: room,
            seq,
            user: user.clone(),
            content: "hi".into(),
            timestamp: chrono::Utc::now(),
            edited_at: None,
            deleted: false,
            reply_to: None,
            reply_count: 0,
            reactions: Vec::new(),
            mentions: Vec::new(),
            deleted_by: None,
        };
        state.apply(&ServerFrame::Message(message(here, 1)));
        state.apply(&ServerFrame::Message(message(there, 1)));
        assert_eq!(state.unread.get(&there), Some(&1));
        assert_eq!(state.unread.get(&here), None);
        assert_eq!(state.lines[&here].len(), 1);
    }
}
