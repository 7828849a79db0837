//! Accounts and the value objects a sign-up is made of.

use chrono::{DateTime, Utc};

use crate::{UserId, text};

/// A login name: 3–64 letters, digits or `._@+-`, so an e-mail address is valid.
/// Unique case-insensitively; [`Username::key`] is the form uniqueness is checked on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    /// Fails with a message for the client when the name breaks the rules.
    /// The name is NFKC-normalised first (`ａｌｉｃｅ` is `alice`).
    pub fn parse(raw: &str) -> Result<Self, String> {
        let name = text::clean_name(raw)?;
        let len = name.chars().count();
        if !(3..=64).contains(&len) {
            return Err("must be 3 to 64 characters long".into());
        }
        let allowed = |c: char| c.is_alphanumeric() || "._@+-".contains(c);
        if !name.chars().all(allowed) {
            return Err("may contain only letters, digits and . _ @ + -".into());
        }
        Ok(Self(name))
    }

    /// Wraps a name read back from storage, where it was validated on the way in.
    pub fn from_trusted(raw: String) -> Self {
        Self(raw)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The case-folded form logins look up and the directory sorts by.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }

    /// The form no two usernames may share: names that look alike share it
    /// ([`text::lookalike_key`]).
    pub fn lookalike_key(&self) -> String {
        text::lookalike_key(&self.0)
    }
}

/// A display name: 1–100 characters after trimming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    /// Fails when the name holds control, invisible or direction characters, or is
    /// empty or longer than 100 characters once trimmed and NFKC-normalised.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let name = text::clean_name(raw)?;
        match name.chars().count() {
            0 => Err("must not be empty".into()),
            1..=100 => Ok(Self(name)),
            _ => Err("must be at most 100 characters long".into()),
        }
    }

    pub fn from_trusted(raw: String) -> Self {
        Self(raw)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A plain-text password on its way to the hasher: 8–128 characters. Its `Debug`
/// never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Fails when the password is shorter than 8 or longer than 128 characters.
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw.chars().count() {
            0..=7 => Err("must be at least 8 characters long".into()),
            8..=128 => Ok(Self(raw.to_owned())),
            _ => Err("must be at most 128 characters long".into()),
        }
    }

    /// A password that skips the sign-up rules: only for seeding the demo accounts,
    /// whose documented passwords are shorter than 8 characters.
    pub fn unchecked(raw: &str) -> Self {
        Self(raw.to_owned())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

/// An account as the rest of the system sees it (never with its password hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub username: Username,
    pub name: DisplayName,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: Option<DateTime<Utc>>,
}

impl User {
    pub fn summary(&self) -> UserSummary {
        UserSummary {
            id: self.id,
            name: self.name.as_str().to_owned(),
            username: self.username.as_str().to_owned(),
        }
    }
}

/// The few fields of a user that travel with messages and member lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSummary {
    pub id: UserId,
    pub name: String,
    pub username: String,
}

/// A user with their live presence, as the user list shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserWithStatus {
    pub user: User,
    pub online: bool,
}

/// What a new account is stored with.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub id: UserId,
    pub username: Username,
    pub name: DisplayName,
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
}

/// Whether a username and password are short enough to belong to some account: longer
/// ones are refused before anything is hashed, counted or kept.
pub fn could_be_credentials(username: &str, password: &str) -> bool {
    username.chars().count() <= 64
        && password.chars().count() <= 128
        && !username.contains('\0')
        && !password.contains('\0')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_email_address_is_a_valid_username() {
        assert!(Username::parse("ana.silva+chat@example.com").is_ok());
    }

    #[test]
    fn usernames_outside_3_to_64_characters_are_rejected() {
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse(&"a".repeat(65)).is_err());
        assert!(Username::parse(&"a".repeat(64)).is_ok());
    }

    #[test]
    fn usernames_with_spaces_or_slashes_are_rejected() {
        assert!(Username::parse("ana silva").is_err());
        assert!(Username::parse("ana/silva").is_err());
    }

    #[test]
    fn username_key_folds_case() {
        let name = Username::parse("Alice").unwrap();
        assert_eq!(name.key(), "alice");
        assert_eq!(name.as_str(), "Alice");
    }

    #[test]
    fn display_names_are_trimmed_and_bounded() {
        assert_eq!(DisplayName::parse("  Ana ").unwrap().as_str(), "Ana");
        assert!(DisplayName::parse("   ").is_err());
        assert!(DisplayName::parse(&"é".repeat(100)).is_ok());
        assert!(DisplayName::parse(&"é".repeat(101)).is_err());
    }

    #[test]
    fn passwords_must_be_8_to_128_characters() {
        assert!(Password::parse("1234567").is_err());
        assert!(Password::parse("12345678").is_ok());
        assert!(Password::parse(&"x".repeat(129)).is_err());
    }

    #[test]
    fn password_debug_hides_the_secret() {
        let password = Password::parse("hunter2hunter2").unwrap();
        assert!(!format!("{password:?}").contains("hunter2"));
    }
}
