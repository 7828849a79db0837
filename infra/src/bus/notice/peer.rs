//! News about rooms (who follows which room on a node, who types) as notices, cut to
//! fit: a user in hundreds of rooms, or a node's whole roster, takes several notices.

use domain::{RoomId, UserId, events::PeerNews, user::UserSummary};
use uuid::Uuid;

use super::{Body, UserNote};

/// Rooms per `Here`/`Away` notice: 38 bytes of JSON each.
const ROOMS_PER_NOTICE: usize = 150;

/// Bytes of a `Rooms` notice's list before it is cut: well under a payload.
const ROSTER_BYTES: usize = 6000;

/// What a room id costs in a list, quotes and comma included.
const ROOM_BYTES: usize = 39;

fn uuids(rooms: &[RoomId]) -> Vec<Uuid> {
    rooms.iter().map(|r| r.as_uuid()).collect()
}

/// The notices that carry `news`.
pub fn bodies_of(news: PeerNews) -> Vec<Body> {
    match news {
        PeerNews::Entered { user, rooms } => rooms
            .chunks(ROOMS_PER_NOTICE)
            .map(|part| Body::Here {
                user: (&user).into(),
                rooms: uuids(part),
            })
            .collect(),
        PeerNews::Left { user, rooms } => rooms
            .chunks(ROOMS_PER_NOTICE)
            .map(|part| Body::Away {
                user: user.as_uuid(),
                rooms: uuids(part),
            })
            .collect(),
        PeerNews::Typing { room, user, typing } => vec![Body::Typing {
            room: room.as_uuid(),
            user: user.as_uuid(),
            on: typing,
        }],
        PeerNews::Roster { reset, entries } => roster(reset, entries),
    }
}

/// A roster in parts of at most [`ROSTER_BYTES`]; a user in more rooms than fit in
/// one part appears in several. Only the first part resets.
fn roster(reset: bool, entries: Vec<(UserSummary, Vec<RoomId>)>) -> Vec<Body> {
    let mut parts: Vec<Vec<(UserNote, Vec<Uuid>)>> = vec![Vec::new()];
    let mut used = 0;
    for (user, rooms) in entries {
        let note = UserNote::from(&user);
        let fixed = 100 + note.name.len() + note.username.len();
        let mut rooms = rooms.as_slice();
        while !rooms.is_empty() {
            if used + fixed + ROOM_BYTES > ROSTER_BYTES {
                parts.push(Vec::new());
                used = 0;
            }
            let fit = ((ROSTER_BYTES - used - fixed) / ROOM_BYTES).max(1);
            let (now, later) = rooms.split_at(fit.min(rooms.len()));
            used += fixed + now.len() * ROOM_BYTES;
            if let Some(part) = parts.last_mut() {
                part.push((note.clone(), uuids(now)));
            }
            rooms = later;
        }
    }
    parts
        .into_iter()
        .enumerate()
        .map(|(i, users)| Body::Rooms {
            reset: reset && i == 0,
            users,
        })
        .collect()
}

/// The news a notice carries, if it is about rooms.
pub(super) fn news_of(body: &Body) -> Option<PeerNews> {
    let rooms = |rooms: &[Uuid]| rooms.iter().map(|&r| RoomId::from_uuid(r)).collect();
    Some(match body {
        Body::Here { user, rooms: ids } => PeerNews::Entered {
            user: user.clone().into(),
            rooms: rooms(ids),
        },
        Body::Away { user, rooms: ids } => PeerNews::Left {
            user: UserId::from_uuid(*user),
            rooms: rooms(ids),
        },
        Body::Typing { room, user, on } => PeerNews::Typing {
            room: RoomId::from_uuid(*room),
            user: UserId::from_uuid(*user),
            typing: *on,
        },
        Body::Rooms { reset, users } => PeerNews::Roster {
            reset: *reset,
            entries: users
                .iter()
                .map(|(user, ids)| (user.clone().into(), rooms(ids)))
                .collect(),
        },
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bus::notice::{MAX_PAYLOAD, pack};

    fn user(n: usize) -> UserSummary {
        UserSummary {
            id: UserId::new(),
            name: format!("User number {n}"),
            username: format!("user{n}"),
        }
    }

    #[test]
    fn a_user_in_many_rooms_is_told_in_parts_that_fit() {
        let rooms: Vec<RoomId> = (0..400).map(|_| RoomId::new()).collect();
        let news = PeerNews::Entered {
            user: user(1),
            rooms: rooms.clone(),
        };

        let bodies = bodies_of(news);

        assert_eq!(bodies.len(), 3);
        let back: Vec<RoomId> = bodies
            .iter()
            .flat_map(|b| match news_of(b) {
                Some(PeerNews::Entered { rooms, .. }) => rooms,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(back, rooms);
        for payload in pack(Uuid::new_v4(), bodies) {
            assert!(payload.len() <= MAX_PAYLOAD, "{}", payload.len());
        }
    }

    #[test]
    fn a_big_roster_is_cut_into_payloads_and_only_the_first_resets() {
        let entries: Vec<(UserSummary, Vec<RoomId>)> = (0..300)
            .map(|n| (user(n), (0..n % 7 + 1).map(|_| RoomId::new()).collect()))
            .chain([(user(999), (0..700).map(|_| RoomId::new()).collect())])
            .collect();
        let total: usize = entries.iter().map(|(_, r)| r.len()).sum();

        let bodies = roster(true, entries);

        let resets: Vec<bool> = bodies
            .iter()
            .map(|b| matches!(b, Body::Rooms { reset: true, .. }))
            .collect();
        assert!(resets[0] && resets[1..].iter().all(|r| !r));
        let mut told = 0;
        for body in &bodies {
            let text = serde_json::to_string(body).unwrap();
            assert!(text.len() <= MAX_PAYLOAD - 100, "{} bytes", text.len());
            if let Body::Rooms { users, .. } = body {
                told += users.iter().map(|(_, r)| r.len()).sum::<usize>();
            }
        }
        assert_eq!(told, total);
    }

    #[test]
    fn an_empty_roster_still_resets() {
        let bodies = roster(true, Vec::new());
        assert_eq!(
            bodies,
            [Body::Rooms {
                reset: true,
                users: Vec::new()
            }]
        );
    }
}
