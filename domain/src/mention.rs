//! `@username` mentions in message content. Only members of the room count: the
//! domain looks the names found here up among them, so mentioning someone outside a
//! private room names nobody and tells them nothing.

use std::collections::BTreeSet;

use unicode_normalization::UnicodeNormalization;

/// Most distinct names one message may mention; later ones are not looked up.
pub const MAX_MENTIONS: usize = 50;

/// A character a username may hold (see [`crate::user::Username`]).
fn in_username(c: char) -> bool {
    c.is_alphanumeric() || "._@+-".contains(c)
}

/// The usernames `content` mentions, as username keys (NFKC, lower case), each once,
/// at most [`MAX_MENTIONS`]: an `@` at the start or after a character no username
/// holds, then 3–64 username characters. A name ending in dots is also tried without
/// them (`@ana.` at the end of a sentence names `ana`). An e-mail address in running
/// text (`write to bob@example.com`) mentions nobody: its `@` follows a letter.
pub fn mentioned(content: &str) -> Vec<String> {
    let mut found = BTreeSet::new();
    let chars: Vec<char> = content.chars().collect();
    let mut i = 0;
    while i < chars.len() && found.len() < MAX_MENTIONS {
        let starts = chars[i] == '@' && (i == 0 || !in_username(chars[i - 1]));
        if !starts {
            i += 1;
            continue;
        }
        let end = (i + 1..chars.len())
            .find(|&j| !in_username(chars[j]))
            .unwrap_or(chars.len());
        let name: String = chars[i + 1..end].iter().collect();
        for candidate in [name.as_str(), name.trim_end_matches('.')] {
            let key: String = candidate.nfkc().collect::<String>().to_lowercase();
            if (3..=64).contains(&key.chars().count()) {
                found.insert(key);
            }
        }
        i = end;
    }
    found.into_iter().take(MAX_MENTIONS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_after_an_at_sign_are_found_once_in_lower_case() {
        assert_eq!(
            mentioned("@Ana and @bob, hi @ana!"),
            ["ana".to_owned(), "bob".to_owned()]
        );
    }

    #[test]
    fn an_e_mail_address_in_text_is_not_a_mention_but_an_e_mail_username_is() {
        assert!(mentioned("write to bob@example.com").is_empty());
        assert_eq!(
            mentioned("ping @ana@example.com"),
            ["ana@example.com".to_owned()]
        );
    }

    #[test]
    fn a_sentence_s_last_dot_is_tried_without_it() {
        assert_eq!(
            mentioned("thanks @ana."),
            ["ana".to_owned(), "ana.".to_owned()]
        );
    }

    #[test]
    fn too_short_too_long_and_too_many_names_are_left_out() {
        assert!(mentioned("@ab @").is_empty());
        assert!(mentioned(&format!("@{}", "x".repeat(65))).is_empty());
        let many: String = (0..80).map(|i| format!("@user{i} ")).collect();
        assert_eq!(mentioned(&many).len(), MAX_MENTIONS);
    }
}
