//! The input line: a cursor that moves by character, the editing keys of a shell
//! (Ctrl+A/E/U/K/W), and a view that scrolls sideways to keep the cursor in sight.

use unicode_width::UnicodeWidthChar;

/// What the user is typing.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Input {
    text: Vec<char>,
    /// Where the next character goes: `0..=text.len()`.
    cursor: usize,
}

/// How a line break in the input is drawn on its one row.
const NEWLINE: char = '⏎';

impl Input {
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    pub fn text(&self) -> String {
        self.text.iter().collect()
    }

    /// Replaces the text, with the cursor at its end (editing an old message).
    pub fn set(&mut self, text: &str) {
        self.text = text.chars().collect();
        self.cursor = self.text.len();
    }

    /// Takes the text, leaving the line empty.
    pub fn take(&mut self) -> String {
        self.cursor = 0;
        std::mem::take(&mut self.text).into_iter().collect()
    }

    pub fn insert(&mut self, c: char) {
        self.text.insert(self.cursor, c);
        self.cursor += 1;
    }

    pub fn backspace(&mut self) {
        if self.cursor > 0 {
            self.cursor -= 1;
            self.text.remove(self.cursor);
        }
    }

    pub fn delete(&mut self) {
        if self.cursor < self.text.len() {
            self.text.remove(self.cursor);
        }
    }

    pub fn left(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }

    pub fn right(&mut self) {
        self.cursor = (self.cursor + 1).min(self.text.len());
    }

    pub fn home(&mut self) {
        self.cursor = 0;
    }

    pub fn end(&mut self) {
        self.cursor = self.text.len();
    }

    /// Ctrl+U: everything before the cursor goes.
    pub fn kill_to_start(&mut self) {
        self.text.drain(..self.cursor);
        self.cursor = 0;
    }

    /// Ctrl+K: everything after the cursor goes.
    pub fn kill_to_end(&mut self) {
        self.text.truncate(self.cursor);
    }

    /// Ctrl+W: the word before the cursor goes (and the spaces after it).
    pub fn kill_word(&mut self) {
        let mut start = self.cursor;
        while start > 0 && self.text[start - 1].is_whitespace() {
            start -= 1;
        }
        while start > 0 && !self.text[start - 1].is_whitespace() {
            start -= 1;
        }
        self.text.drain(start..self.cursor);
        self.cursor = start;
    }

    /// What fits in `width` columns, scrolled so the cursor shows, and the cursor's
    /// column in it.
    pub fn view(&self, width: usize) -> (String, u16) {
        let width = width.max(2);
        let shown: Vec<char> = self
            .text
            .iter()
            .map(|&c| if c == '\n' { NEWLINE } else { c })
            .collect();
        let col = |c: &char| c.width().unwrap_or(0);
        // Start far enough on that the cursor (and one column after it) fits.
        let mut start = 0;
        let mut before: usize = shown[..self.cursor].iter().map(col).sum();
        while before + 1 > width && start < self.cursor {
            before -= col(&shown[start]);
            start += 1;
        }
        let mut used = 0;
        let visible: String = shown[start..]
            .iter()
            .take_while(|c| {
                used += col(c);
                used <= width
            })
            .collect();
        (visible, u16::try_from(before).unwrap_or(u16::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(text: &str) -> Input {
        let mut input = Input::default();
        text.chars().for_each(|c| input.insert(c));
        input
    }

    #[test]
    fn the_cursor_moves_and_edits_in_the_middle() {
        let mut input = typed("hllo");
        input.home();
        input.right();
        input.insert('e');
        input.end();
        input.insert('!');
        input.left();
        input.backspace();
        input.delete();
        assert_eq!(input.text(), "hell");
    }

    #[test]
    fn shell_keys_kill_words_and_line_parts() {
        let mut input = typed("one two  three");
        input.kill_word();
        assert_eq!(input.text(), "one two  ");
        input.kill_word();
        assert_eq!(input.text(), "one ");
        input.home();
        input.right();
        input.kill_to_end();
        assert_eq!(input.text(), "o");
        input.end();
        input.kill_to_start();
        assert!(input.is_empty());
    }

    #[test]
    fn a_long_line_scrolls_to_keep_the_cursor_in_view() {
        let mut input = typed(&"abcdefghij".repeat(3));
        let (shown, cursor) = input.view(10);
        assert_eq!((shown.as_str(), cursor), ("bcdefghij", 9));
        input.home();
        let (shown, cursor) = input.view(10);
        assert_eq!((shown.as_str(), cursor), ("abcdefghij", 0));
    }

    #[test]
    fn a_line_break_shows_as_a_symbol() {
        let mut input = typed("a");
        input.insert('\n');
        input.insert('b');
        assert_eq!(input.view(20).0, "a⏎b");
        assert_eq!(input.take(), "a\nb");
    }
}
