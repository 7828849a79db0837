//! Notices travel packed: whatever queued while the last payload was being sent goes
//! in the next, up to what a PostgreSQL `NOTIFY` takes. A connect storm of thousands
//! of users then costs tens of `NOTIFY`s, not thousands (each one serializes on a
//! cluster-wide lock at commit).

use uuid::Uuid;

use super::{Body, Notice};

/// The longest payload sent: `NOTIFY` refuses 8,000 bytes or more.
pub const MAX_PAYLOAD: usize = 7900;

/// `bodies` from `node` in as few payloads as fit: `{"node":…,"batch":[…]}`. A body
/// that cannot be serialized, or alone would not fit, is left out (and logged).
pub fn pack(node: Uuid, bodies: Vec<Body>) -> Vec<String> {
    let head = format!(r#"{{"node":"{node}","batch":["#);
    let tail = "]}";
    let mut payloads = Vec::new();
    let mut current = head.clone();
    let mut count = 0;
    for body in bodies {
        let Ok(text) = serde_json::to_string(&body) else {
            continue;
        };
        if head.len() + text.len() + tail.len() > MAX_PAYLOAD {
            tracing::error!(bytes = text.len(), "a notice too long to send; left out");
            continue;
        }
        if current.len() + 1 + text.len() + tail.len() > MAX_PAYLOAD {
            current.push_str(tail);
            payloads.push(std::mem::replace(&mut current, head.clone()));
            count = 0;
        }
        if count > 0 {
            current.push(',');
        }
        current.push_str(&text);
        count += 1;
    }
    if count > 0 {
        current.push_str(tail);
        payloads.push(current);
    }
    payloads
}

/// The sender and notices of a payload: a packed batch, or a single notice. Notices
/// of a kind this node does not know are skipped (a newer node's).
pub fn unpack(payload: &str) -> Option<(Uuid, Vec<Body>)> {
    #[derive(serde::Deserialize)]
    struct Packed {
        node: Uuid,
        batch: Vec<serde_json::Value>,
    }
    if let Ok(packed) = serde_json::from_str::<Packed>(payload) {
        let bodies = packed
            .batch
            .into_iter()
            .filter_map(|value| serde_json::from_value(value).ok())
            .collect();
        return Some((packed.node, bodies));
    }
    let notice: Notice = serde_json::from_str(payload).ok()?;
    Some((notice.node, vec![notice.body]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_small_notices_share_payloads_and_come_back_in_order() {
        let node = Uuid::new_v4();
        let bodies: Vec<Body> = (0..500)
            .map(|seq| Body::Read {
                room: Uuid::new_v4(),
                user: Uuid::new_v4(),
                seq,
            })
            .collect();

        let payloads = pack(node, bodies.clone());

        assert!(payloads.len() < 20, "{} payloads", payloads.len());
        let mut back = Vec::new();
        for payload in &payloads {
            assert!(payload.len() <= MAX_PAYLOAD);
            let (from, part) = unpack(payload).unwrap();
            assert_eq!(from, node);
            back.extend(part);
        }
        assert_eq!(back, bodies);
    }

    #[test]
    fn a_single_notice_and_unknown_kinds_are_read_too() {
        let node = Uuid::new_v4();
        let one = serde_json::to_string(&Notice {
            node,
            body: Body::Heartbeat,
        })
        .unwrap();
        let mixed =
            format!(r#"{{"node":"{node}","batch":[{{"kind":"future"}},{{"kind":"hello"}}]}}"#);

        assert_eq!(unpack(&one), Some((node, vec![Body::Heartbeat])));
        assert_eq!(unpack(&mixed), Some((node, vec![Body::Hello])));
        assert_eq!(unpack("garbage"), None);
    }
}
