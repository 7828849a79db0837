//! What a reaction is made of: one emoji, or the short code of a custom one.

/// A reaction's emoji: one emoji (`👍`, `🙌🏽`, `🇧🇷`), or a `:short_code:` of 1–32
/// `[a-z0-9_+-]`. The short code of a standard emoji becomes that emoji (`:+1:` is
/// `👍`), so one reaction is never counted under two names; any other short code
/// stays as written (a custom emoji a client draws itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Emoji(String);

/// The variation selector that asks for emoji presentation: `❤` and `❤️` are one
/// emoji, written with or without it.
const EMOJI_PRESENTATION: char = '\u{fe0f}';

impl Emoji {
    /// Fails for anything but one emoji or a well-formed short code.
    pub fn parse(raw: &str) -> Result<Self, String> {
        if let Some(code) = raw.strip_prefix(':').and_then(|r| r.strip_suffix(':')) {
            let valid = (1..=32).contains(&code.len())
                && code
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_+-".contains(c));
            if !valid {
                return Err("a short code is 1 to 32 of a-z, 0-9, _, + and -".into());
            }
            return Ok(match emojis::get_by_shortcode(code) {
                Some(emoji) => Self(emoji.as_str().to_owned()),
                None => Self(raw.to_owned()),
            });
        }
        let bare: String = raw.chars().filter(|&c| c != EMOJI_PRESENTATION).collect();
        let with = format!("{bare}{EMOJI_PRESENTATION}");
        [raw, bare.as_str(), with.as_str()]
            .into_iter()
            .find_map(emojis::get)
            .map(|emoji| Self(emoji.as_str().to_owned()))
            .ok_or_else(|| "must be one emoji or a :short_code:".into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Wraps an emoji read back from storage, where it was validated on the way in.
    pub fn from_trusted(raw: String) -> Self {
        Self(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_emoji_is_a_reaction_and_two_or_text_are_not() {
        assert_eq!(Emoji::parse("👍").unwrap().as_str(), "👍");
        assert!(Emoji::parse("🙌🏽").is_ok(), "skin tones");
        assert!(Emoji::parse("🇧🇷").is_ok(), "flags");
        assert!(Emoji::parse("👍👍").is_err());
        assert!(Emoji::parse("ok").is_err());
        assert!(Emoji::parse("").is_err());
        assert!(Emoji::parse("👍 ").is_err());
    }

    #[test]
    fn the_same_emoji_with_or_without_its_variation_selector_is_one() {
        assert_eq!(
            Emoji::parse("\u{2764}").unwrap(),
            Emoji::parse("\u{2764}\u{fe0f}").unwrap()
        );
    }

    #[test]
    fn standard_short_codes_become_their_emoji_and_custom_ones_stay() {
        assert_eq!(Emoji::parse(":+1:").unwrap().as_str(), "👍");
        assert_eq!(
            Emoji::parse(":party_parrot:").unwrap().as_str(),
            ":party_parrot:"
        );
        assert!(Emoji::parse("::").is_err());
        assert!(Emoji::parse(":Upper:").is_err());
        assert!(Emoji::parse(&format!(":{}:", "a".repeat(33))).is_err());
    }
}
