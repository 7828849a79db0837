//! What a bench message carries so that listeners can measure it: the send time and
//! a key unique to the message (sender and its count), in the content, read back
//! without parsing the whole frame (the load generator shares the CPU with the server).

/// Padding that brings a baseline frame to the size of a papo message frame.
pub const PAD: &str = "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345";

/// The content of the `n`th message of sender `sender`, sent at `micros`.
pub fn content(micros: u128, sender: u64, n: u64) -> String {
    format!("bench {micros} {}", key(sender, n))
}

fn key(sender: u64, n: u64) -> u64 {
    (sender << 32) | (n & 0xFFFF_FFFF)
}

/// `(sender, n)` of a message key.
pub fn split(key: u64) -> (usize, u64) {
    (
        usize::try_from(key >> 32).unwrap_or(usize::MAX),
        key & 0xFFFF_FFFF,
    )
}

/// `(send time in micros, message key)` from a frame whose content is
/// [`content`]; `None` for any other frame.
pub fn read(text: &str) -> Option<(u64, u64)> {
    let start = text.find("\"content\":\"bench ")? + "\"content\":\"bench ".len();
    let rest = &text[start..];
    let end = rest.find('"')?;
    let (micros, key) = rest[..end].split_once(' ')?;
    Some((micros.parse().ok()?, key.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_send_time_and_key_are_read_from_the_content() {
        let frame = format!(
            r#"{{"type":"message","seq":3,"content":"{}","user":{{}}}}"#,
            content(12345, 7, 2)
        );
        assert_eq!(read(&frame), Some((12345, key(7, 2))));
        assert_eq!(split(key(7, 2)), (7, 2));
        assert_ne!(key(7, 2), key(2, 7));
        assert_eq!(read(r#"{"type":"presence"}"#), None);
    }
}
