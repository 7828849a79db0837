//! Typing indicators and presence lists: this node's, merged with the other nodes'.

use std::time::{Duration, Instant};

use domain::{RoomId, events::PeerNews};

use super::{
    Delivery, Registry,
    route::{presence_frame, typing_frame},
};
use crate::ws::session::{ConnId, Outgoing};

impl Registry {
    /// Records a typing frame from `id`; announces the room's typing users if the set
    /// changed. The other nodes hear of a change, and again every half `ttl` while the
    /// user keeps typing, so their copy lapses only when this one does.
    pub fn typing(
        &mut self,
        id: ConnId,
        room: RoomId,
        is_typing: bool,
        now: Instant,
        ttl: Duration,
    ) -> Vec<Delivery> {
        let Some(user) = self.conns.get(&id).map(|c| c.user.id) else {
            return Vec::new();
        };
        let Some(entry) = self.rooms.get_mut(&room) else {
            return Vec::new();
        };
        let changed = entry.typing.set(user, is_typing, now, ttl);
        let key = (room, user);
        let renew = is_typing
            && self
                .told_typing
                .get(&key)
                .is_none_or(|told| now.duration_since(*told) >= ttl / 2);
        if changed || renew {
            if is_typing {
                self.told_typing.insert(key, now);
            } else {
                self.told_typing.remove(&key);
            }
            self.news.push(PeerNews::Typing {
                room,
                user,
                typing: is_typing,
            });
        }
        if !changed {
            return Vec::new();
        }
        vec![Delivery::room(
            room,
            typing_frame(room, entry, &self.elsewhere),
        )]
    }

    /// Lapses typing indicators whose TTL ran out, here and those other nodes stopped
    /// renewing.
    pub fn expire_typing(&mut self, now: Instant) -> Vec<Delivery> {
        let mut changed = self.elsewhere.expire_typing(now);
        for (room, entry) in &mut self.rooms {
            if entry.typing.is_empty() {
                continue;
            }
            let lapsed = entry.typing.expire(now);
            if lapsed.is_empty() {
                continue;
            }
            for user in lapsed {
                self.told_typing.remove(&(*room, user));
                self.news.push(PeerNews::Typing {
                    room: *room,
                    user,
                    typing: false,
                });
            }
            changed.push(*room);
        }
        changed.sort_unstable();
        changed.dedup();
        changed
            .into_iter()
            .filter_map(|room| {
                let entry = self.rooms.get(&room)?;
                Some(Delivery::room(
                    room,
                    typing_frame(room, entry, &self.elsewhere),
                ))
            })
            .collect()
    }

    /// The presence frame of `room`: who follows it here or on another node.
    pub fn presence(&self, room: RoomId) -> Outgoing {
        presence_frame(room, self.rooms.get(&room), &self.elsewhere)
    }
}
