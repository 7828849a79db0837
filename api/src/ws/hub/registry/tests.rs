//! The registry's rules, without sockets.

use std::time::Duration;

use serde_json::Value;

use super::*;

fn user(name: &str) -> UserSummary {
    UserSummary {
        id: UserId::new(),
        name: name.into(),
        username: name.to_lowercase(),
    }
}

fn connect(registry: &mut Registry, id: ConnId, who: &UserSummary) -> mpsc::Receiver<Outgoing> {
    let (queue, rx) = mpsc::channel(8);
    let conn = Conn::new(
        who.clone(),
        uuid::Uuid::new_v4(),
        Scope::All,
        queue,
        Arc::default(),
    );
    registry.add(id, conn);
    rx
}

/// (target, frame type, system event if any) of each delivery.
fn summary(deliveries: &[Delivery]) -> Vec<(Target, String, Option<String>)> {
    deliveries
        .iter()
        .map(|d| {
            let json: Value = serde_json::from_str(&d.frame.text).unwrap();
            let event = json["event"].as_str().map(str::to_owned);
            (d.to, json["type"].as_str().unwrap().to_owned(), event)
        })
        .collect()
}

#[test]
fn a_users_first_connection_in_a_room_is_announced_and_a_second_is_not() {
    let (mut registry, room, ana) = (Registry::default(), RoomId::new(), user("Ana"));
    let _a = connect(&mut registry, 1, &ana);
    let _b = connect(&mut registry, 2, &ana);
    let everyone = Target::Room { room, skip: None };
    let others = Target::Room {
        room,
        skip: Some(1),
    };

    let first = registry.subscribe(1, room, false, None);
    let second = registry.subscribe(2, room, false, None);
    let again = registry.subscribe(2, room, false, None);
    let mut quiet = Registry::default();
    let _q = connect(&mut quiet, 1, &ana);
    let on_connect = quiet.subscribe(1, room, true, None);

    assert_eq!(
        summary(&first),
        [
            (others, "system".into(), Some("join".into())),
            (everyone, "presence".into(), None)
        ]
    );
    assert_eq!(
        summary(&second),
        [(Target::Conn(2), "presence".into(), None)]
    );
    assert!(again.is_empty(), "following twice changes nothing");
    assert!(
        on_connect.iter().all(|d| d.to == others),
        "a quiet subscription sends the connection itself nothing"
    );
}

#[test]
fn only_the_last_connection_leaving_announces_the_user_and_clears_typing() {
    let (mut registry, room, ana, bo) =
        (Registry::default(), RoomId::new(), user("Ana"), user("Bo"));
    let _a1 = connect(&mut registry, 1, &ana);
    let _a2 = connect(&mut registry, 2, &ana);
    let _b = connect(&mut registry, 3, &bo);
    for id in [1, 2, 3] {
        registry.subscribe(id, room, false, None);
    }
    let now = Instant::now();
    registry.typing(1, room, true, now, Duration::from_secs(5));

    let not_last = registry.remove(1);
    let last = registry.remove(2);

    assert!(not_last.is_empty());
    let kinds: Vec<String> = summary(&last).into_iter().map(|(_, t, _)| t).collect();
    assert_eq!(kinds, ["system", "presence", "typing"]);
    assert_eq!(registry.len(), 1);
    assert!(!registry.follows(2, room));
}

#[test]
fn the_last_follower_leaving_forgets_the_room_without_announcing() {
    let (mut registry, room, ana) = (Registry::default(), RoomId::new(), user("Ana"));
    let _a = connect(&mut registry, 1, &ana);
    registry.subscribe(1, room, false, None);

    let left = registry.unsubscribe(1, room);

    assert!(left.is_empty());
    assert!(registry.room_conns(room).is_empty());
}

#[test]
fn a_full_queue_drops_droppable_frames_and_cuts_on_reliable_ones() {
    let (mut registry, room, ana) = (Registry::default(), RoomId::new(), user("Ana"));
    let (queue, _rx) = mpsc::channel(1);
    let control = Arc::new(Control::default());
    registry.add(
        1,
        Conn::new(
            ana,
            uuid::Uuid::new_v4(),
            Scope::All,
            queue,
            control.clone(),
        ),
    );
    let presence = registry.presence(room);
    let reliable = Outgoing {
        kind: Kind::Reliable,
        ..presence.clone()
    };

    registry.send(1, presence.clone());
    registry.send(1, presence);
    let after_droppable = control.ending();
    registry.send(1, reliable);

    assert_eq!(after_droppable, None);
    assert_eq!(control.ending(), Some(Ending::Lagged));
}

/// Frame types and events of what `deliveries` send to the whole room.
fn to_room(deliveries: &[Delivery]) -> Vec<(String, Option<String>)> {
    summary(deliveries)
        .into_iter()
        .filter(|(to, _, _)| matches!(to, Target::Room { .. }))
        .map(|(_, kind, event)| (kind, event))
        .collect()
}

fn system(event: &str) -> (String, Option<String>) {
    ("system".into(), Some(event.into()))
}

fn presence() -> (String, Option<String>) {
    ("presence".into(), None)
}

#[test]
fn a_user_in_the_room_on_another_node_is_announced_once_for_the_whole_cluster() {
    let (mut registry, room, ana, bo) =
        (Registry::default(), RoomId::new(), user("Ana"), user("Bo"));
    let node = uuid::Uuid::new_v4();
    let (now, ttl) = (Instant::now(), Duration::from_secs(5));
    let _b = connect(&mut registry, 1, &bo);
    registry.subscribe(1, room, false, None);
    let _a = connect(&mut registry, 2, &ana);
    let entered = PeerNews::Entered {
        user: ana.clone(),
        rooms: vec![room],
    };
    let left = PeerNews::Left {
        user: ana.id,
        rooms: vec![room],
    };

    let came_elsewhere = registry.peer_news(node, entered, now, ttl);
    let came_here_too = registry.subscribe(2, room, false, None);
    let left_here = registry.unsubscribe(2, room);
    let left_elsewhere = registry.peer_news(node, left, now, ttl);

    assert_eq!(to_room(&came_elsewhere), [system("join"), presence()]);
    assert_eq!(
        summary(&came_here_too),
        [(Target::Conn(2), "presence".into(), None)]
    );
    assert!(left_here.is_empty(), "still in the room on the other node");
    assert_eq!(to_room(&left_elsewhere), [system("leave"), presence()]);
    let frame: Value = serde_json::from_str(&registry.presence(room).text).unwrap();
    assert_eq!(frame["online"].as_array().unwrap().len(), 1, "{frame}");
}

#[test]
fn the_other_nodes_hear_of_a_users_first_and_last_socket_in_each_room_once() {
    let (mut registry, ana) = (Registry::default(), user("Ana"));
    let (lobby, hall) = (RoomId::new(), RoomId::new());
    let _a1 = connect(&mut registry, 1, &ana);
    let _a2 = connect(&mut registry, 2, &ana);

    for room in [lobby, hall] {
        registry.subscribe(1, room, true, None);
    }
    registry.subscribe(2, lobby, true, None);
    let entered = registry.take_news();
    registry.remove(2);
    let kept = registry.take_news();
    registry.remove(1);
    let left = registry.take_news();

    assert_eq!(
        entered,
        [PeerNews::Entered {
            user: ana.clone(),
            rooms: vec![lobby, hall]
        }]
    );
    assert!(
        kept.is_empty(),
        "another socket of hers still follows lobby"
    );
    assert_eq!(left.len(), 1);
    let PeerNews::Left { user, mut rooms } = left[0].clone() else {
        panic!("{left:?}");
    };
    rooms.sort_unstable_by_key(|r| r.as_uuid());
    let mut both = vec![lobby, hall];
    both.sort_unstable_by_key(|r| r.as_uuid());
    assert_eq!((user, rooms), (ana.id, both));
}

#[test]
fn a_node_that_went_takes_its_users_out_of_their_rooms() {
    let (mut registry, room, ana, bo) =
        (Registry::default(), RoomId::new(), user("Ana"), user("Bo"));
    let node = uuid::Uuid::new_v4();
    let (now, ttl) = (Instant::now(), Duration::from_secs(5));
    let _b = connect(&mut registry, 1, &bo);
    registry.subscribe(1, room, false, None);
    let entered = PeerNews::Entered {
        user: ana.clone(),
        rooms: vec![room],
    };
    registry.peer_news(node, entered, now, ttl);
    let typing = PeerNews::Typing {
        room,
        user: ana.id,
        typing: true,
    };
    let typed = registry.peer_news(node, typing, now, ttl);

    let gone = registry.peer_gone(node);

    assert_eq!(to_room(&typed), [("typing".into(), None)]);
    assert_eq!(
        to_room(&gone),
        [system("leave"), presence(), ("typing".into(), None)]
    );
    assert!(registry.peer_gone(node).is_empty(), "forgotten once");
}

#[test]
fn typing_is_told_on_change_and_renewed_every_half_ttl() {
    let (mut registry, room, ana) = (Registry::default(), RoomId::new(), user("Ana"));
    let (start, ttl) = (Instant::now(), Duration::from_secs(4));
    let _a = connect(&mut registry, 1, &ana);
    registry.subscribe(1, room, false, None);
    registry.take_news();
    let typing = |on| PeerNews::Typing {
        room,
        user: ana.id,
        typing: on,
    };

    registry.typing(1, room, true, start, ttl);
    let started = registry.take_news();
    registry.typing(1, room, true, start + Duration::from_secs(1), ttl);
    let soon = registry.take_news();
    registry.typing(1, room, true, start + Duration::from_secs(2), ttl);
    let renewed = registry.take_news();
    registry.expire_typing(start + Duration::from_secs(7));
    let lapsed = registry.take_news();

    assert_eq!(started, [typing(true)]);
    assert!(soon.is_empty());
    assert_eq!(renewed, [typing(true)]);
    assert_eq!(lapsed, [typing(false)]);
}

#[test]
fn a_roster_lists_who_follows_what_and_corrects_another_nodes_state_quietly() {
    let (mut here, room, ana, bo) = (Registry::default(), RoomId::new(), user("Ana"), user("Bo"));
    let node = uuid::Uuid::new_v4();
    let (now, ttl) = (Instant::now(), Duration::from_secs(5));
    let _a = connect(&mut here, 1, &ana);
    here.subscribe(1, room, false, None);
    let mut there = Registry::default();
    let _b = connect(&mut there, 1, &bo);
    there.subscribe(1, room, false, None);
    let stale = PeerNews::Entered {
        user: user("Gone"),
        rooms: vec![room],
    };
    there.peer_news(node, stale, now, ttl);

    let roster = here.roster();
    let corrected = there.peer_news(node, roster, now, ttl);

    assert_eq!(to_room(&corrected), [presence()], "no join or leave frames");
    let frame: Value = serde_json::from_str(&there.presence(room).text).unwrap();
    let mut names: Vec<&str> = frame["online"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["Ana", "Bo"]);
}
