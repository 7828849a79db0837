//! Rooms, membership, direct conversations and the user directory.

use serde_json::json;

use crate::{Client, Error, Member, Room, RoomListing, User, urlencode};

impl Client {
    /// Public rooms and the caller's private and direct rooms, every page.
    ///
    /// Fails as any call does.
    pub async fn rooms(&self) -> Result<Vec<RoomListing>, Error> {
        #[derive(serde::Deserialize)]
        struct Page {
            rooms: Vec<RoomListing>,
            next_cursor: Option<String>,
        }
        let mut rooms = Vec::new();
        let mut path = "/rooms?limit=500".to_owned();
        loop {
            let page: Page = self.send(reqwest::Method::GET, &path, None::<&()>).await?;
            rooms.extend(page.rooms);
            match page.next_cursor {
                Some(cursor) => path = format!("/rooms?limit=500&cursor={cursor}"),
                None => return Ok(rooms),
            }
        }
    }

    /// The room named `name` (any letter case) among those the caller can see.
    ///
    /// Fails with `Api` 404 `room_not_found` when there is none.
    pub async fn room_named(&self, name: &str) -> Result<RoomListing, Error> {
        self.rooms()
            .await?
            .into_iter()
            .find(|r| r.name.to_lowercase() == name.to_lowercase())
            .ok_or_else(|| Error::Api {
                status: 404,
                code: "room_not_found".into(),
                detail: format!("No room named {name}."),
            })
    }

    /// Creates a room.
    ///
    /// Fails with `Api` 409 when the name is taken.
    pub async fn create_room(&self, name: &str, private: bool) -> Result<Room, Error> {
        let visibility = if private { "private" } else { "public" };
        let body = json!({"name": name, "visibility": visibility});
        self.send(reqwest::Method::POST, "/rooms", Some(&body))
            .await
    }

    /// Joins a public room.
    ///
    /// Fails with `Api` 403 for a private room without an invite.
    pub async fn join(&self, room: &str) -> Result<(), Error> {
        let _: serde_json::Value = self
            .send(
                reqwest::Method::POST,
                &format!("/rooms/{room}/join"),
                None::<&()>,
            )
            .await?;
        Ok(())
    }

    /// The direct room with `user` (created on first use).
    ///
    /// Fails with `Api` 404 for an unknown user.
    pub async fn open_direct(&self, user: uuid::Uuid) -> Result<Room, Error> {
        let body = json!({"user_id": user});
        self.send(reqwest::Method::POST, "/dms", Some(&body)).await
    }

    /// Users whose username or name contains `query`.
    ///
    /// Fails as any call does.
    pub async fn users(&self, query: &str) -> Result<Vec<User>, Error> {
        #[derive(serde::Deserialize)]
        struct Users {
            users: Vec<User>,
        }
        let path = format!("/users?limit=100&q={}", urlencode(query));
        let users: Users = self.send(reqwest::Method::GET, &path, None::<&()>).await?;
        Ok(users.users)
    }

    /// Leaves a room.
    ///
    /// Fails with `Api` 409 `owner_cannot_leave` for its owner, 403 for a direct room.
    pub async fn leave(&self, room: &str) -> Result<(), Error> {
        let _: serde_json::Value = self
            .send(
                reqwest::Method::POST,
                &format!("/rooms/{room}/leave"),
                None::<&()>,
            )
            .await?;
        Ok(())
    }

    /// Adds `user` to a room (owners and admins; the way into a private room).
    ///
    /// Fails with `Api` 403 `not_room_admin` or `banned`, 404 for an unknown user.
    pub async fn invite(&self, room: &str, user: uuid::Uuid) -> Result<(), Error> {
        let body = json!({"user_id": user});
        let _: serde_json::Value = self
            .send(
                reqwest::Method::POST,
                &format!("/rooms/{room}/members"),
                Some(&body),
            )
            .await?;
        Ok(())
    }

    /// A room's members with their roles and presence.
    ///
    /// Fails with `Api` 403/404 for a room the caller cannot see.
    pub async fn members(&self, room: &str) -> Result<Vec<Member>, Error> {
        #[derive(serde::Deserialize)]
        struct Members {
            members: Vec<Member>,
        }
        let members: Members = self
            .send(
                reqwest::Method::GET,
                &format!("/rooms/{room}/members"),
                None::<&()>,
            )
            .await?;
        Ok(members.members)
    }

    /// The user whose username is `username` (any letter case), from the directory.
    ///
    /// Fails with `Api` 404 `user_not_found` when there is none.
    pub async fn user_named(&self, username: &str) -> Result<User, Error> {
        let wanted = username.trim_start_matches('@').to_lowercase();
        self.users(&wanted)
            .await?
            .into_iter()
            .find(|u| u.username.to_lowercase() == wanted)
            .ok_or_else(|| Error::Api {
                status: 404,
                code: "user_not_found".into(),
                detail: format!("Nobody is called @{wanted}."),
            })
    }
}
