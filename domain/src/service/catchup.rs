//! Reads for the realtime layer of one node among several: what other nodes
//! committed, fetched by seq when a notice names it or a gap shows it was missed. No
//! caller check: the layer reads only rooms its own sockets were admitted to.

use super::Services;
use crate::{
    MessageId, Result, RoomId,
    events::Event,
    message::{Message, reactions_for},
};

impl Services {
    /// Each existing room's newest seq, for the rooms named.
    ///
    /// Fails when the database does.
    pub async fn room_heads(&self, rooms: &[RoomId]) -> Result<Vec<(RoomId, i64)>> {
        self.ports.rooms.heads(rooms).await
    }

    /// For each `(room, low, high)`, the messages with seqs `low..=high`, in one read,
    /// ordered by room as given, then by seq.
    ///
    /// Fails when the database does.
    pub async fn committed_ranges(&self, ranges: &[(RoomId, i64, i64)]) -> Result<Vec<Message>> {
        self.ports.messages.ranges(ranges).await
    }

    /// One message as stored now (after an edit or delete on another node).
    ///
    /// Fails when the database does.
    pub async fn stored_message(&self, id: MessageId) -> Result<Option<Message>> {
        self.ports.messages.find(id).await
    }

    /// What another node's change to a message means here: its edit (with who
    /// reacted, for each recipient's `me`) or its deletion.
    ///
    /// Fails when the database does.
    pub async fn message_change(&self, id: MessageId) -> Result<Option<Event>> {
        let Some(mut message) = self.ports.messages.find(id).await? else {
            return Ok(None);
        };
        if message.is_deleted() {
            return Ok(Some(Event::MessageDeleted(message)));
        }
        let reactors = self.ports.reactions.reactors(id).await?;
        message.reactions = reactions_for(&reactors, None);
        Ok(Some(Event::MessageEdited { message, reactors }))
    }
}
