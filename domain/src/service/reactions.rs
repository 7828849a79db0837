//! Reactions: one emoji per user per message at most once, many emoji per message.

use super::Services;
use crate::{
    Error, ErrorCode, MessageId, Result, UserId,
    events::Event,
    reaction::Emoji,
    room::{Role, Visibility},
};

/// Different emoji one message may carry (a user may react with several).
pub const MAX_EMOJI_PER_MESSAGE: usize = 20;

impl Services {
    /// Adds (`add`) or takes back the caller's reaction; idempotent either way, and
    /// published only when something changed. Reacting in a public room one is not
    /// in joins it, as posting does.
    ///
    /// Fails with `Invalid("emoji")`, `NotFound`, `Forbidden`,
    /// `Conflict("message_deleted")` or `Conflict("too_many_reactions")`.
    pub async fn react(
        &self,
        message_id: MessageId,
        user: UserId,
        emoji: &str,
        add: bool,
    ) -> Result<()> {
        let emoji = Emoji::parse(emoji).map_err(|e| Error::invalid("emoji", e))?;
        let message = self.ports.messages.find(message_id).await?.ok_or_else(|| {
            Error::not_found(
                ErrorCode::MessageNotFound,
                format!("Message {message_id} was not found."),
            )
        })?;
        let (room, membership) = self.visible_room(message.room_id, user).await?;
        let changed = if add {
            if message.is_deleted() {
                return Err(Error::conflict(
                    ErrorCode::MessageDeleted,
                    format!("Message {message_id} was deleted."),
                ));
            }
            if membership.is_none() && room.visibility == Visibility::Public {
                self.add_member(&room, user, Role::Member).await?;
            }
            self.ports
                .reactions
                .add(&message, user, &emoji, MAX_EMOJI_PER_MESSAGE)
                .await?
        } else {
            self.ports
                .reactions
                .remove(message_id, user, &emoji)
                .await?
        };
        if changed {
            self.ports.bus.publish(Event::Reacted {
                room_id: message.room_id,
                message_id,
                emoji: emoji.as_str().to_owned(),
                user_id: user,
                added: add,
            });
        }
        Ok(())
    }
}
