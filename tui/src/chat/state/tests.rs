//! The chat's state rules, without a terminal.

use chrono::Utc;

use super::*;

fn user(name: &str) -> UserRef {
    UserRef {
        id: Uuid::new_v4(),
        name: name.into(),
        username: name.to_lowercase(),
    }
}

fn message(room: Uuid, seq: i64, by: &UserRef, content: &str) -> Message {
    Message {
        id: Uuid::new_v4(),
        room_id: room,
        seq,
        user: by.clone(),
        content: content.into(),
        timestamp: Utc::now(),
        edited_at: None,
        deleted: false,
        reply_to: None,
        reply_count: 0,
        reactions: Vec::new(),
        mentions: Vec::new(),
        deleted_by: None,
    }
}

fn listing(name: &str, unread: u64) -> RoomListing {
    RoomListing {
        id: Uuid::new_v4(),
        name: name.into(),
        description: None,
        visibility: "public".into(),
        member_count: 2,
        unread,
        mentions: 0,
        peer: None,
        joined: true,
    }
}

#[test]
fn the_server_s_unread_counts_show_at_start_and_other_rooms_count_up() {
    let (me, bia) = (user("Ana"), user("Bia"));
    let rooms = vec![listing("general", 0), listing("ops", 4)];
    let (here, there) = (rooms[0].id, rooms[1].id);
    let mut state = State::with_rooms(me, rooms);
    state.current = Some(here);

    state.apply(&ServerFrame::Message(message(here, 1, &bia, "hi")));
    state.apply(&ServerFrame::Message(message(there, 9, &bia, "hi")));

    assert_eq!(state.unread.get(&there), Some(&5));
    assert_eq!(state.unread.get(&here), Some(&0));
    assert_eq!(state.messages[&here].len(), 1);
}

#[test]
fn reactions_and_reply_counts_follow_their_frames() {
    let (me, bia) = (user("Ana"), user("Bia"));
    let room = listing("general", 0);
    let id = room.id;
    let mut state = State::with_rooms(me.clone(), vec![room]);
    let first = message(id, 1, &bia, "ship it?");
    state.store(&first);
    let reaction = |user_id, added| ServerFrame::Reaction {
        room_id: id,
        message_id: first.id,
        emoji: "👍".into(),
        user_id,
        added,
    };

    state.apply(&reaction(bia.id, true));
    state.apply(&reaction(me.id, true));
    state.apply(&ServerFrame::Replied {
        room_id: id,
        message_id: first.id,
        reply_count: 2,
    });
    let shown = state.messages[&id][&1].clone();
    state.apply(&reaction(me.id, false));

    assert_eq!(shown.reactions[0].count, 2);
    assert!(shown.reactions[0].me);
    assert_eq!(shown.reply_count, 2);
    let after = &state.messages[&id][&1].reactions[0];
    assert_eq!((after.count, after.me), (1, false));
}

#[test]
fn membership_notices_stay_in_their_room_and_presence_is_no_news() {
    let (me, bia) = (user("Ana"), user("Bia"));
    let rooms = vec![listing("general", 0), listing("ops", 0)];
    let (here, there) = (rooms[0].id, rooms[1].id);
    let mut state = State::with_rooms(me, rooms);
    state.store(&message(there, 3, &bia, "hi"));
    let system = |room_id, event, content: &str| ServerFrame::System {
        room_id,
        event,
        user: bia.clone(),
        content: content.into(),
        timestamp: Utc::now(),
    };

    state.apply(&system(there, SystemEvent::Joined, "Bia joined the room."));
    state.apply(&system(
        here,
        SystemEvent::Join,
        "User Bia has joined the chat.",
    ));

    assert_eq!(
        state.notices[&there],
        [Notice {
            after: 3,
            text: "Bia joined the room.".into()
        }]
    );
    assert!(!state.notices.contains_key(&here));
}

#[test]
fn tab_goes_round_the_rooms_and_the_last_own_message_is_picked() {
    let (me, bia) = (user("Ana"), user("Bia"));
    let rooms = vec![listing("a", 0), listing("b", 0), listing("c", 0)];
    let ids: Vec<Uuid> = rooms.iter().map(|r| r.id).collect();
    let mut state = State::with_rooms(me.clone(), rooms);
    state.current = Some(ids[2]);
    state.store(&message(ids[2], 1, &me, "mine"));
    state.store(&message(ids[2], 2, &bia, "hers"));

    assert_eq!(state.neighbour(1), Some(ids[0]));
    assert_eq!(state.neighbour(-1), Some(ids[1]));
    assert_eq!(state.pick(None).map(|(seq, _)| seq), Some(1));
    assert_eq!(
        state.pick(Some(2)).map(|(_, m)| m.content.as_str()),
        Some("hers")
    );
}

#[test]
fn a_room_left_elsewhere_goes_from_the_list_and_from_the_screen() {
    let me = user("Ana");
    let mut secret = listing("secret", 0);
    secret.visibility = "private".into();
    let id = secret.id;
    let mut state = State::with_rooms(me.clone(), vec![secret]);
    state.current = Some(id);
    let room = Room {
        id,
        name: "secret".into(),
        description: None,
        creator_id: me.id,
        visibility: Visibility::Private,
        created_at: Utc::now(),
        peer: None,
    };

    state.apply(&ServerFrame::Room {
        event: RoomEvent::Left,
        room,
        reason: None,
    });

    assert!(state.rooms.is_empty());
    assert_eq!(state.current, None);
    assert!(
        state.status.contains("no longer in secret"),
        "{}",
        state.status
    );
}
