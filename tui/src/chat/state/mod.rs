//! What the terminal chat shows, and how frames change it. No terminal here: the
//! rules are tested without one.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use papo_client::{
    Message, Reaction, ReplyRef, RoomEvent, RoomListing, ServerFrame, SystemEvent, UserRef,
    frames::{ErrorCode, Room, Visibility},
};
use uuid::Uuid;

use super::input::Input;

/// A message as the conversation shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub id: Uuid,
    pub author: UserRef,
    pub content: String,
    pub at: DateTime<Utc>,
    pub edited: bool,
    pub deleted: bool,
    /// Who deleted it, when not its author.
    pub deleted_by: Option<String>,
    pub reply_to: Option<ReplyRef>,
    pub reply_count: i64,
    pub reactions: Vec<Reaction>,
    /// It mentions the reader.
    pub mentions_me: bool,
}

/// A line in a room's timeline that is not a message: someone joined, left, was
/// removed. It sits after the message that was newest when it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub after: i64,
    pub text: String,
}

/// Search results on screen, over the conversation until closed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Results {
    pub query: String,
    /// "#seq room · Author: text", newest first.
    pub lines: Vec<String>,
}

/// Everything on screen.
#[derive(Debug, Default)]
pub struct State {
    pub me: Option<UserRef>,
    pub rooms: Vec<RoomListing>,
    pub current: Option<Uuid>,
    pub messages: HashMap<Uuid, BTreeMap<i64, Shown>>,
    pub notices: HashMap<Uuid, Vec<Notice>>,
    pub online: HashMap<Uuid, Vec<UserRef>>,
    pub typing: HashMap<Uuid, Vec<UserRef>>,
    pub unread: HashMap<Uuid, u64>,
    pub mentions: HashMap<Uuid, u64>,
    /// Own posts waiting for their ack (own messages are not echoed back): temp_id ->
    /// (room, text, reply_to).
    pub pending: HashMap<String, (Uuid, String, Option<ReplyRef>)>,
    pub input: Input,
    /// Set while the input holds a message being edited (Up on an empty line).
    pub editing: Option<Uuid>,
    pub connected: bool,
    pub status: String,
    /// Rows scrolled up from the bottom of the conversation.
    pub scroll: usize,
    /// The conversation's rows in all and on screen, as last drawn.
    pub viewport: (usize, usize),
    pub results: Option<Results>,
}

impl State {
    /// Starts with the rooms as listed, their unread and mention counts included.
    pub fn with_rooms(me: UserRef, rooms: Vec<RoomListing>) -> Self {
        let unread = rooms.iter().map(|r| (r.id, r.unread)).collect();
        let mentions = rooms.iter().map(|r| (r.id, r.mentions)).collect();
        Self {
            me: Some(me),
            rooms,
            unread,
            mentions,
            ..Self::default()
        }
    }

    pub fn room(&self, id: Uuid) -> Option<&RoomListing> {
        self.rooms.iter().find(|r| r.id == id)
    }

    /// How a room is named on screen: `# name`, `+ name` (private) or `@ Person`.
    pub fn label(room: &RoomListing) -> String {
        match (room.visibility.as_str(), &room.peer) {
            ("direct", Some(peer)) => format!("@ {}", peer.name),
            ("private", _) => format!("+ {}", room.name),
            _ => format!("# {}", room.name),
        }
    }

    pub fn current_name(&self) -> String {
        self.current
            .and_then(|id| self.room(id))
            .map_or_else(|| "no room".to_owned(), |r| r.name.clone())
    }

    /// The room after (or before, `step` −1) the current one among the reader's own.
    pub fn neighbour(&self, step: isize) -> Option<Uuid> {
        let mine: Vec<Uuid> = self
            .rooms
            .iter()
            .filter(|r| r.joined)
            .map(|r| r.id)
            .collect();
        if mine.is_empty() {
            return None;
        }
        let len = mine.len() as isize;
        let here = self
            .current
            .and_then(|id| mine.iter().position(|r| *r == id))
            .map_or(if step > 0 { -1 } else { 0 }, |i| i as isize);
        let next = (here + step).rem_euclid(len);
        Some(mine[next as usize])
    }

    fn mentions_me(&self, message: &Message) -> bool {
        self.me
            .as_ref()
            .is_some_and(|me| message.mentions.contains(&me.id) && message.user.id != me.id)
    }

    pub fn store(&mut self, message: &Message) {
        let shown = Shown {
            id: message.id,
            author: message.user.clone(),
            content: message.content.clone(),
            at: message.timestamp,
            edited: message.edited_at.is_some(),
            deleted: message.deleted,
            deleted_by: message
                .deleted_by
                .as_ref()
                .filter(|by| by.id != message.user.id)
                .map(|by| by.name.clone()),
            reply_to: message.reply_to.clone(),
            reply_count: message.reply_count,
            reactions: message.reactions.clone(),
            mentions_me: self.mentions_me(message),
        };
        self.messages
            .entry(message.room_id)
            .or_default()
            .insert(message.seq, shown);
    }

    /// The oldest seq shown for a room (for scroll-back).
    pub fn oldest(&self, room: Uuid) -> Option<i64> {
        self.messages
            .get(&room)
            .and_then(|l| l.keys().next().copied())
    }

    /// The message `seq` of the current room, or the reader's own last one.
    pub fn pick(&self, seq: Option<i64>) -> Option<(i64, &Shown)> {
        let shown = self.messages.get(&self.current?)?;
        match seq {
            Some(seq) => shown.get(&seq).map(|m| (seq, m)),
            None => {
                let me = self.me.as_ref()?.id;
                shown
                    .iter()
                    .rev()
                    .find(|(_, m)| m.author.id == me && !m.deleted)
                    .map(|(&seq, m)| (seq, m))
            }
        }
    }

    fn find_mut(&mut self, room: Uuid, id: Uuid) -> Option<&mut Shown> {
        self.messages
            .get_mut(&room)?
            .values_mut()
            .find(|m| m.id == id)
    }

    fn notice(&mut self, room: Uuid, text: String) {
        let after = self
            .messages
            .get(&room)
            .and_then(|m| m.keys().next_back().copied())
            .unwrap_or(0);
        self.notices
            .entry(room)
            .or_default()
            .push(Notice { after, text });
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
            ServerFrame::Mention { room_id, message } => {
                if Some(*room_id) != self.current {
                    *self.mentions.entry(*room_id).or_default() += 1;
                }
                let room = self.room(*room_id).map(Self::label).unwrap_or_default();
                self.status = format!("{} mentioned you in {room}", message.user.name);
            }
            ServerFrame::Reaction {
                room_id,
                message_id,
                emoji,
                user_id,
                added,
            } => {
                let mine = self.me.as_ref().is_some_and(|me| me.id == *user_id);
                if let Some(shown) = self.find_mut(*room_id, *message_id) {
                    react(&mut shown.reactions, emoji, mine, *added);
                }
            }
            ServerFrame::Replied {
                room_id,
                message_id,
                reply_count,
            } => {
                if let Some(shown) = self.find_mut(*room_id, *message_id) {
                    shown.reply_count = *reply_count;
                }
            }
            ServerFrame::Presence { room_id, online } => {
                self.online.insert(*room_id, online.clone());
            }
            ServerFrame::Typing { room_id, users } => {
                self.typing.insert(*room_id, users.clone());
            }
            // Membership, not presence: a reconnect is no news.
            ServerFrame::System {
                room_id,
                event:
                    SystemEvent::Joined | SystemEvent::Left | SystemEvent::Removed | SystemEvent::Banned,
                content,
                ..
            } => self.notice(*room_id, content.clone()),
            ServerFrame::System { .. } => {}
            ServerFrame::Room { event, room, .. } => self.room_changed(*event, room),
            ServerFrame::Member { .. } => {}
            ServerFrame::Error { code, message, .. } => {
                self.status = match code {
                    ErrorCode::RateLimited => "Slow down: that message was not sent.".into(),
                    _ => format!("error: {message}"),
                };
            }
            ServerFrame::Ack {
                temp_id: Some(temp_id),
                id,
                seq,
                timestamp,
                room_id,
            } => {
                if let (Some((_, text, reply_to)), Some(me)) =
                    (self.pending.remove(temp_id), self.me.clone())
                {
                    let shown = Shown {
                        id: *id,
                        author: me,
                        content: text,
                        at: *timestamp,
                        edited: false,
                        deleted: false,
                        deleted_by: None,
                        reply_to,
                        reply_count: 0,
                        reactions: Vec::new(),
                        mentions_me: false,
                    };
                    self.messages
                        .entry(*room_id)
                        .or_default()
                        .insert(*seq, shown);
                }
            }
            ServerFrame::Ack { .. } | ServerFrame::Read { .. } | ServerFrame::Pong => {}
        }
    }

    /// A room appeared, changed or went, or the reader joined or left one elsewhere.
    fn room_changed(&mut self, event: RoomEvent, room: &Room) {
        let visibility = match room.visibility {
            Visibility::Public => "public",
            Visibility::Private => "private",
            Visibility::Direct => "direct",
        };
        match event {
            RoomEvent::Created | RoomEvent::Joined | RoomEvent::Updated => {
                match self.rooms.iter_mut().find(|r| r.id == room.id) {
                    Some(listed) => {
                        listed.name = room.name.clone();
                        listed.description = room.description.clone();
                        listed.visibility = visibility.to_owned();
                        listed.joined |= event == RoomEvent::Joined;
                    }
                    None => self.rooms.push(RoomListing {
                        id: room.id,
                        name: room.name.clone(),
                        description: room.description.clone(),
                        visibility: visibility.to_owned(),
                        member_count: 1,
                        unread: 0,
                        mentions: 0,
                        peer: room.peer.clone(),
                        joined: event == RoomEvent::Joined,
                    }),
                }
            }
            RoomEvent::Deleted | RoomEvent::Left => {
                let public = room.visibility == Visibility::Public;
                if event == RoomEvent::Deleted || !public {
                    self.rooms.retain(|r| r.id != room.id);
                } else if let Some(listed) = self.rooms.iter_mut().find(|r| r.id == room.id) {
                    listed.joined = false;
                }
                if self.current == Some(room.id) {
                    self.status = match event {
                        RoomEvent::Deleted => format!("{} was deleted.", room.name),
                        _ => format!("You are no longer in {}.", room.name),
                    };
                    self.current = None;
                }
            }
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

/// Counts a reaction in (or out of) a message's list.
fn react(reactions: &mut Vec<Reaction>, emoji: &str, mine: bool, added: bool) {
    match reactions.iter().position(|r| r.emoji == emoji) {
        Some(i) if added => {
            reactions[i].count += 1;
            reactions[i].me |= mine;
        }
        Some(i) => {
            reactions[i].count = reactions[i].count.saturating_sub(1);
            if mine {
                reactions[i].me = false;
            }
            if reactions[i].count == 0 {
                reactions.remove(i);
            }
        }
        None if added => reactions.push(Reaction {
            emoji: emoji.to_owned(),
            count: 1,
            me: mine,
        }),
        None => {}
    }
}

#[cfg(test)]
mod tests;
