//! Messages and what DESIGN §8 adds to them: history, posting, replies, edits,
//! deletes, reactions, search, and moderation (roles, removing, bans).

use serde_json::json;

use crate::{Ban, Client, Error, HistoryPage, Member, Message, SearchPage, urlencode};

impl Client {
    /// The `limit` messages below seq `before` (or the newest), oldest first.
    ///
    /// Fails with `Api` 403/404 for a room the caller cannot read.
    pub async fn history(
        &self,
        room: &str,
        before: Option<i64>,
        limit: u32,
    ) -> Result<HistoryPage, Error> {
        let before = before.map(|b| format!("&before={b}")).unwrap_or_default();
        let path = format!("/rooms/{room}/history?limit={limit}{before}");
        self.send(reqwest::Method::GET, &path, None::<&()>).await
    }

    /// Posts a message over REST (stored and broadcast like a socket post).
    ///
    /// Fails with `Api` 422 for empty or over-long content, 409 for a reused temp_id.
    pub async fn post(
        &self,
        room: &str,
        content: &str,
        temp_id: Option<&str>,
    ) -> Result<Message, Error> {
        let body = json!({"content": content, "temp_id": temp_id});
        self.send(
            reqwest::Method::POST,
            &format!("/rooms/{room}/messages"),
            Some(&body),
        )
        .await
    }

    /// Posts a reply to `parent` (a message of the same room).
    ///
    /// Fails with `Api` 422 (`reply_to`) when `parent` is not in that room.
    pub async fn reply(
        &self,
        room: &str,
        parent: uuid::Uuid,
        content: &str,
    ) -> Result<Message, Error> {
        let body = json!({"content": content, "reply_to": parent});
        self.send(
            reqwest::Method::POST,
            &format!("/rooms/{room}/messages"),
            Some(&body),
        )
        .await
    }

    /// The replies to a message, newest `limit` (below `before`), oldest first.
    ///
    /// Fails with `Api` 403/404 for a message the caller cannot read.
    pub async fn replies(
        &self,
        message: uuid::Uuid,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Message>, Error> {
        #[derive(serde::Deserialize)]
        struct Replies {
            replies: Vec<Message>,
        }
        let before = before.map(|b| format!("&before={b}")).unwrap_or_default();
        let path = format!("/messages/{message}/replies?limit={limit}{before}");
        let replies: Replies = self.send(reqwest::Method::GET, &path, None::<&()>).await?;
        Ok(replies.replies)
    }

    /// Changes one's own message.
    ///
    /// Fails with `Api` 403 `not_message_author`, 409 `message_deleted`, 422.
    pub async fn edit(&self, message: uuid::Uuid, content: &str) -> Result<Message, Error> {
        let body = json!({"content": content});
        self.send(
            reqwest::Method::PATCH,
            &format!("/messages/{message}"),
            Some(&body),
        )
        .await
    }

    /// Deletes a message (one's own, or any as an owner or admin of its room).
    ///
    /// Fails with `Api` 403 when the caller may not.
    pub async fn delete(&self, message: uuid::Uuid) -> Result<(), Error> {
        let _: serde_json::Value = self
            .send(
                reqwest::Method::DELETE,
                &format!("/messages/{message}"),
                None::<&()>,
            )
            .await?;
        Ok(())
    }

    /// Adds (`add`) or takes back the caller's reaction `emoji` (one emoji, or a
    /// `:short_code:`).
    ///
    /// Fails with `Api` 422 for something that is not an emoji, 409 for a deleted
    /// message or one with 20 different reactions already.
    pub async fn react(&self, message: uuid::Uuid, emoji: &str, add: bool) -> Result<(), Error> {
        let method = if add {
            reqwest::Method::PUT
        } else {
            reqwest::Method::DELETE
        };
        let path = format!("/messages/{message}/reactions/{}", urlencode(emoji));
        let _: serde_json::Value = self.send(method, &path, None::<&()>).await?;
        Ok(())
    }

    /// Messages holding every word of `query`, newest first, in every room the caller
    /// may read or only `room`; `before` continues from a page's `next_before`.
    ///
    /// Fails with `Api` 422 (`q`) for a query without a word of 2 characters.
    pub async fn search(
        &self,
        query: &str,
        room: Option<&str>,
        before: Option<uuid::Uuid>,
    ) -> Result<SearchPage, Error> {
        let mut path = format!("/search?q={}", urlencode(query));
        if let Some(room) = room {
            path.push_str(&format!("&room_id={room}"));
        }
        if let Some(before) = before {
            path.push_str(&format!("&before={before}"));
        }
        self.send(reqwest::Method::GET, &path, None::<&()>).await
    }

    /// Makes a member an admin (`admin`) or a member again (`member`): the owner only.
    ///
    /// Fails with `Api` 403 `not_room_owner`, 404 for someone not in the room.
    pub async fn set_role(
        &self,
        room: &str,
        user: uuid::Uuid,
        role: &str,
    ) -> Result<Member, Error> {
        let body = json!({"role": role});
        self.send(
            reqwest::Method::PATCH,
            &format!("/rooms/{room}/members/{user}"),
            Some(&body),
        )
        .await
    }

    /// Takes a member out of the room (owners and admins).
    ///
    /// Fails with `Api` 403 `not_a_moderator`, `cannot_moderate_owner`,
    /// `cannot_moderate_admin`; 404 for someone not in the room.
    pub async fn remove_member(&self, room: &str, user: uuid::Uuid) -> Result<(), Error> {
        let _: serde_json::Value = self
            .send(
                reqwest::Method::DELETE,
                &format!("/rooms/{room}/members/{user}"),
                None::<&()>,
            )
            .await?;
        Ok(())
    }

    /// Bans someone from the room (owners and admins), with an optional reason.
    ///
    /// Fails as [`Client::remove_member`] does.
    pub async fn ban(
        &self,
        room: &str,
        user: uuid::Uuid,
        reason: Option<&str>,
    ) -> Result<(), Error> {
        let body = json!({"reason": reason});
        let _: serde_json::Value = self
            .send(
                reqwest::Method::PUT,
                &format!("/rooms/{room}/bans/{user}"),
                Some(&body),
            )
            .await?;
        Ok(())
    }

    /// Lifts a ban (owners and admins).
    ///
    /// Fails with `Api` 403 `not_a_moderator`.
    pub async fn unban(&self, room: &str, user: uuid::Uuid) -> Result<(), Error> {
        let _: serde_json::Value = self
            .send(
                reqwest::Method::DELETE,
                &format!("/rooms/{room}/bans/{user}"),
                None::<&()>,
            )
            .await?;
        Ok(())
    }

    /// A room's bans, newest first (owners and admins).
    ///
    /// Fails with `Api` 403 `not_a_moderator`.
    pub async fn bans(&self, room: &str) -> Result<Vec<Ban>, Error> {
        #[derive(serde::Deserialize)]
        struct Bans {
            bans: Vec<Ban>,
        }
        let bans: Bans = self
            .send(
                reqwest::Method::GET,
                &format!("/rooms/{room}/bans"),
                None::<&()>,
            )
            .await?;
        Ok(bans.bans)
    }
}
