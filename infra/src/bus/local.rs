//! The in-process event bus: every subscriber in this process.

use domain::{events::Event, ports::EventBus};
use tokio::sync::broadcast;

/// [`EventBus`] over a tokio broadcast channel.
///
/// A subscriber that falls more than `capacity` events behind gets `Lagged`; the
/// realtime hub treats that as "resync from the database", never as silence.
#[derive(Debug, Clone)]
pub struct LocalBus {
    sender: broadcast::Sender<Event>,
}

impl LocalBus {
    pub fn new(capacity: usize) -> Self {
        let (sender, _) = broadcast::channel(capacity);
        Self { sender }
    }

    /// A receiver of every event published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.sender.subscribe()
    }
}

impl EventBus for LocalBus {
    fn publish(&self, event: Event) {
        // No subscriber is fine: nobody is connected to hear it.
        let _ = self.sender.send(event);
    }
}

#[cfg(test)]
mod tests {
    use domain::RoomId;

    use super::*;

    #[tokio::test]
    async fn subscribers_receive_what_is_published_after_they_subscribe() {
        let bus = LocalBus::new(16);
        let mut rx = bus.subscribe();
        let event = Event::ReadMoved {
            room_id: RoomId::new(),
            user_id: domain::UserId::new(),
            seq: 3,
        };
        bus.publish(event.clone());
        assert_eq!(rx.recv().await.unwrap(), event);
    }
}
