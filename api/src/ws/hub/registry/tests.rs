//! The registry's rules, without sockets.

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
