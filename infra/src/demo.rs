//! `PAPO_DEMO=1`: a few accounts and a room to try papo with, created idempotently.

use domain::{
    Error, Result,
    service::{Services, rooms::CreateRoom},
    user::{DisplayName, Password, Username},
};

const USERS: [(&str, &str, &str); 3] = [
    ("alice", "Alice", "alice123"),
    ("bob", "Bob", "bob123"),
    ("carol", "Carol", "carol123"),
];

/// Creates alice, bob and carol and the public room `general` unless they exist.
/// The demo passwords are shorter than sign-up allows, so they bypass that rule.
///
/// Fails when the database does.
pub async fn seed(services: &Services) -> Result<()> {
    let mut owner = None;
    for (username, name, password) in USERS {
        let username = Username::parse(username).map_err(Error::Internal)?;
        let name = DisplayName::parse(name).map_err(Error::Internal)?;
        let user = match services
            .create_user(username, name, &Password::unchecked(password))
            .await
        {
            Ok(user) => Some(user.id),
            Err(Error::Conflict { .. }) => None,
            Err(err) => return Err(err),
        };
        owner = owner.or(user);
    }
    let owner = match owner {
        Some(id) => id,
        None => match services.ports().users.find_with_hash("alice").await? {
            Some((alice, _)) => alice.id,
            None => return Ok(()),
        },
    };
    let general = CreateRoom {
        name: "general",
        description: Some("Say hello!"),
        visibility: None,
    };
    match services.create_room(owner, general).await {
        Ok(_) | Err(Error::Conflict { .. }) => Ok(()),
        Err(err) => Err(err),
    }
}
