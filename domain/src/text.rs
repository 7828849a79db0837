//! What text papo accepts, in one place: no terminal or bidi control characters
//! anywhere, no invisible characters in names, and names compared the way people read
//! them (Unicode TS #39 confusable skeletons), so `аlice` (Cyrillic а) or `ａｌｉｃｅ`
//! cannot pose as `alice`.

use unicode_normalization::UnicodeNormalization;
use unicode_security::confusable_detection::skeleton;

/// Bidi embeddings, overrides and isolates: they reorder what follows them, so a
/// message or name could display differently from what it says.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that draw nothing (zero-width spaces and joiners, marks, the BOM, soft
/// hyphen…): Unicode's "format" category plus the invisible fillers.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFF8}'
            | '\u{E0000}'..='\u{E007F}'
    )
}

/// Control characters a terminal acts on: C0 (NUL, ESC, BEL…), DEL and C1.
fn is_control(c: char) -> bool {
    c.is_control()
}

/// Message content as stored: line endings made `\n`, then refused if it holds a
/// control character other than newline and tab, or a bidi override.
///
/// Fails with a message for the client.
pub fn clean_content(raw: &str) -> Result<String, String> {
    let text = raw.replace("\r\n", "\n").replace('\r', "\n");
    if let Some(bad) = text
        .chars()
        .find(|&c| (is_control(c) && c != '\n' && c != '\t') || is_bidi_control(c))
    {
        return Err(format!(
            "must not contain control characters (found U+{:04X})",
            u32::from(bad)
        ));
    }
    Ok(text)
}

/// Whether `text` shows nothing at all: only whitespace and invisible characters.
pub fn is_blank(text: &str) -> bool {
    text.chars().all(|c| c.is_whitespace() || is_invisible(c))
}

/// A name (display name, room name, room description's first rule too): NFKC
/// normalised, refused if it holds a control, invisible or bidi character, a line
/// break, or shows nothing.
///
/// Fails with a message for the client.
pub fn clean_name(raw: &str) -> Result<String, String> {
    let name: String = raw.trim().nfkc().collect();
    if let Some(bad) = name.chars().find(|&c| {
        is_control(c) || is_invisible(c) || is_bidi_control(c) || c == '\u{2028}' || c == '\u{2029}'
    }) {
        return Err(format!(
            "must not contain control, invisible or direction characters (found U+{:04X})",
            u32::from(bad)
        ));
    }
    Ok(name)
}

/// The form two names must not share: case-folded, NFKC-normalised confusable
/// skeleton. `alice`, `ALICE`, `аlice`, `ａｌｉｃｅ`, `𝐚𝐥𝐢𝐜𝐞` and `alıce` all have the
/// same one.
pub fn lookalike_key(name: &str) -> String {
    let folded: String = name.nfkc().flat_map(char::to_lowercase).collect();
    let skeleton: String = skeleton(&folded).collect();
    // Folded first, so the key ignores case as it always has; folded again because a
    // skeleton can hold capitals.
    skeleton.chars().flat_map(char::to_lowercase).collect()
}

/// A free-text field other than a message (a search query, a description): refused if
/// it holds a control character other than newline and tab, or a bidi override.
///
/// Fails with a message for the client.
pub fn check_plain(raw: &str) -> Result<(), String> {
    clean_content(raw).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookalikes_of_a_name_share_its_key() {
        let key = lookalike_key("alice");
        for lookalike in ["ALICE", "аlice", "ａｌｉｃｅ", "𝐚𝐥𝐢𝐜𝐞", "alıce", "alIce"]
        {
            assert_eq!(lookalike_key(lookalike), key, "{lookalike}");
        }
        assert_ne!(lookalike_key("alicia"), key);
        assert_eq!(lookalike_key("gеneral"), lookalike_key("General"));
    }

    #[test]
    fn content_keeps_newlines_and_tabs_and_refuses_terminal_controls() {
        assert_eq!(
            clean_content("one\r\ntwo\rthree\tfour").unwrap(),
            "one\ntwo\nthree\tfour"
        );
        for bad in [
            "\u{1b}]2;PWNED\u{7}",
            "\u{1b}[2J",
            "nul\u{0}",
            "c1\u{9b}31m",
            "\u{202E}txt.exe",
        ] {
            assert!(clean_content(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn names_refuse_invisible_and_direction_characters_and_are_normalised() {
        assert_eq!(clean_name("  ａｌｉｃｅ ").unwrap(), "alice");
        for bad in [
            "general\u{200B}",
            "\u{200B}",
            "a\nb",
            "evil\u{202E}",
            "nul\u{0}",
            "\u{FEFF}x",
        ] {
            assert!(clean_name(bad).is_err(), "{bad:?}");
        }
        assert!(clean_name("Zoë Ölçek 李").is_ok());
    }

    #[test]
    fn text_of_only_invisible_characters_is_blank() {
        assert!(is_blank("\u{200B}\u{200B} \u{FEFF}"));
        assert!(!is_blank("\u{200B}x"));
    }
}
