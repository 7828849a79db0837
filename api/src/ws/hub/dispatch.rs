//! Events from the bus, turned into deliveries; and the typing sweeper.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use std::collections::HashMap;

use domain::{
    UserId,
    events::{Departure, Ended, Event},
    message::{Message, reactions_for},
    room::{Room, Visibility},
    user::UserSummary,
};
use papo_protocol::CloseCode;
use tokio::sync::broadcast;

use super::{
    Hub,
    registry::order::{Followup, Posting},
};
use crate::ws::{
    frames::{self, LeftHow, RoomEvent, ServerFrame, SystemEvent},
    session::{Ending, Kind, Outgoing, Scope},
};

impl Hub {
    pub(super) async fn dispatch_events(self: Arc<Self>, mut events: broadcast::Receiver<Event>) {
        loop {
            match events.recv().await {
                Ok(event) => self.dispatch(event),
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    // Events were lost for everyone: every client must resync.
                    tracing::error!(missed, "the hub fell behind the event bus");
                    self.lock().end_where(|_| true, &Ending::Lagged);
                }
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    }

    /// Hands one event to the connections it concerns.
    pub fn dispatch(&self, event: Event) {
        match event {
            Event::MessagePosted { message, origin } => self.posted(message, origin),
            Event::MessageEdited { message, reactors } => {
                let room = message.room_id;
                let readers: Vec<UserId> = reactors
                    .iter()
                    .flat_map(|(_, users)| users.iter().copied())
                    .collect();
                let frame_for = |reader: Option<UserId>| {
                    let mut seen = message.clone();
                    seen.reactions = reactions_for(&reactors, reader);
                    let frame = ServerFrame::Edited {
                        room_id: room.as_uuid(),
                        message: frames::message(seen),
                    };
                    Outgoing::new(&frame, Kind::Reliable)
                };
                // Everyone shares one frame but those who reacted, who see `me`.
                let plain = frame_for(None);
                let own: HashMap<UserId, Outgoing> = readers
                    .into_iter()
                    .map(|reader| (reader, frame_for(Some(reader))))
                    .collect();
                self.lock().deliver_per_reader(room, &plain, &own);
            }
            Event::MessageDeleted(message) => {
                let room = message.room_id;
                let frame = ServerFrame::Deleted {
                    room_id: room.as_uuid(),
                    message: frames::message(message),
                };
                self.lock()
                    .deliver(room, &Outgoing::new(&frame, Kind::Reliable), None);
            }
            Event::Reacted {
                room_id,
                message_id,
                emoji,
                user_id,
                added,
            } => {
                let frame = ServerFrame::Reaction {
                    room_id: room_id.as_uuid(),
                    message_id: message_id.as_uuid(),
                    emoji,
                    user_id: user_id.as_uuid(),
                    added,
                };
                self.lock()
                    .deliver(room_id, &Outgoing::new(&frame, Kind::Reliable), None);
            }
            Event::ReadMoved {
                room_id,
                user_id,
                seq,
            } => {
                let frame = Outgoing::new(&frames::read(room_id, user_id, seq), Kind::Droppable);
                self.lock().deliver(room_id, &frame, None);
            }
            Event::MemberJoined { room, user, peer } => self.member_joined(&room, &user, peer),
            Event::MemberLeft { room, user, how } => self.member_left(&room, &user, how),
            Event::RoleChanged {
                room_id,
                user,
                role,
            } => {
                let frame = Outgoing::new(&frames::member(room_id, user, role), Kind::Reliable);
                self.lock().deliver(room_id, &frame, None);
            }
            Event::RoomCreated(room) => self.room_changed(RoomEvent::Created, &room),
            Event::RoomUpdated(room) => self.room_changed(RoomEvent::Updated, &room),
            Event::RoomDeleted(room) => self.room_deleted(&room),
            Event::SessionsEnded { user_id, ended } => self.close_sessions(user_id, ended),
        }
    }

    /// The room's followers hear of the new member; then the member's multiplexed
    /// sockets are told and follow the room.
    fn member_joined(&self, room: &Room, user: &UserSummary, peer: Option<UserSummary>) {
        let notice = frames::system(room.id, SystemEvent::Joined, user);
        let yours = frames::room(RoomEvent::Joined, room, peer);
        let (notice, yours) = (
            Outgoing::new(&notice, Kind::Reliable),
            Outgoing::new(&yours, Kind::Reliable),
        );
        let mut registry = self.lock();
        // A direct room is opened with both in it: nobody "joined".
        if room.visibility != Visibility::Direct {
            registry.deliver_unless_user(room.id, &notice, user.id);
        }
        for id in registry.user_conns(user.id, |scope| scope == Scope::All) {
            registry.send(id, yours.clone());
            let joined = registry.subscribe(id, room.id, false, None);
            registry.route(joined);
        }
    }

    /// The member's sockets stop following the room (a one-room socket closes with
    /// 4403); then the room's followers hear why they went.
    fn member_left(&self, room: &Room, user: &UserSummary, how: Departure) {
        let event = match how {
            Departure::Left => SystemEvent::Left,
            Departure::Removed => SystemEvent::Removed,
            Departure::Banned => SystemEvent::Banned,
        };
        let notice = Outgoing::new(&frames::system(room.id, event, user), Kind::Reliable);
        let mut yours = frames::room(RoomEvent::Left, room, None);
        if let ServerFrame::Room { reason, .. } = &mut yours {
            *reason = Some(match how {
                Departure::Left => LeftHow::Left,
                Departure::Removed => LeftHow::Removed,
                Departure::Banned => LeftHow::Banned,
            });
        }
        let yours = Outgoing::new(&yours, Kind::Reliable);
        let mut registry = self.lock();
        for id in registry.user_conns(user.id, |scope| scope == Scope::All) {
            let left = registry.unsubscribe(id, room.id);
            registry.route(left);
            registry.send(id, yours.clone());
        }
        let ending = Ending::Close(
            CloseCode::Forbidden,
            "You are no longer a member of this room.".into(),
        );
        registry.end_where(
            |c| c.scope == Scope::Room(room.id) && c.user.id == user.id,
            &ending,
        );
        registry.deliver_unless_user(room.id, &notice, user.id);
    }

    /// Tells multiplexed sockets of a room that appeared or changed: everyone's for a
    /// public room, its followers' otherwise (a new private room: its owner's).
    /// A new room's owner is its first member: their multiplexed sockets follow it at
    /// once (before anyone else can join it and be announced).
    fn room_changed(&self, event: RoomEvent, room: &Room) {
        let frame = Outgoing::new(&frames::room(event, room, None), Kind::Reliable);
        let mut registry = self.lock();
        if event == RoomEvent::Created {
            for id in registry.user_conns(room.creator_id, |scope| scope == Scope::All) {
                let joined = registry.subscribe(id, room.id, false, Some(0));
                registry.route(joined);
            }
        }
        let to = if room.visibility.is_members_only() {
            let mut to = registry.room_conns(room.id);
            if event == RoomEvent::Created {
                to.extend(registry.user_conns(room.creator_id, |_| true));
            }
            to
        } else {
            registry.all_conns()
        };
        registry.send_multiplexed(to, &frame);
    }

    /// One-room sockets close with 4404; multiplexed ones are told and stop following.
    fn room_deleted(&self, room: &Room) {
        let frame = Outgoing::new(
            &frames::room(RoomEvent::Deleted, room, None),
            Kind::Reliable,
        );
        let mut registry = self.lock();
        let ending = Ending::Close(CloseCode::NotFound, "The room was deleted.".into());
        registry.end_where(|c| c.scope == Scope::Room(room.id), &ending);
        let to = if room.visibility.is_members_only() {
            registry.room_conns(room.id)
        } else {
            registry.all_conns()
        };
        registry.send_multiplexed(to, &frame);
        for id in registry.room_conns(room.id) {
            let left = registry.unsubscribe(id, room.id);
            registry.route(left);
        }
    }

    /// A committed message, in seq order with its room's others; then the new reply
    /// count of the message it answers, and a `mention` frame for each member it
    /// mentions (but its author).
    fn posted(&self, message: Message, origin: Option<u64>) {
        let room = message.room_id;
        let seq = message.seq;
        let mut then = Vec::new();
        if let (Some(parent), Some(count)) = (&message.reply_to, message.thread_position) {
            let replied = ServerFrame::Replied {
                room_id: room.as_uuid(),
                message_id: parent.id.as_uuid(),
                reply_count: count,
            };
            then.push(Followup::Room(Outgoing::new(&replied, Kind::Reliable)));
        }
        let mentioned: Vec<UserId> = message
            .mentions
            .iter()
            .copied()
            .filter(|&user| user != message.author.id)
            .collect();
        let wire = frames::message(message);
        if !mentioned.is_empty() {
            let mention = ServerFrame::Mention {
                room_id: room.as_uuid(),
                message: wire.clone(),
            };
            let mention = Outgoing::new(&mention, Kind::Reliable);
            then.extend(
                mentioned
                    .into_iter()
                    .map(|user| Followup::User(user, mention.clone())),
            );
        }
        let kind = Kind::Message { room, seq };
        let posting = Posting {
            frame: Outgoing::new(&ServerFrame::Message(wire), kind),
            then,
        };
        let fill = self.lock().sequence(room, seq, posting, origin);
        self.ask(room, fill);
    }

    fn close_sessions(&self, user: UserId, ended: Ended) {
        let ending = Ending::Close(CloseCode::LoggedOut, "Logged out.".into());
        self.lock()
            .end_where(|c| c.user.id == user && ended.includes(c.session), &ending);
    }

    /// Lapses typing indicators whose TTL ran out, telling their rooms.
    pub(super) async fn sweep_typing(self: Arc<Self>) {
        let period = (self.settings.typing_ttl / 5).max(Duration::from_millis(20));
        let mut ticker = tokio::time::interval(period);
        loop {
            ticker.tick().await;
            let mut registry = self.lock();
            let lapsed = registry.expire_typing(Instant::now());
            registry.route(lapsed);
        }
    }
}
