//! Full-text search, the parts that are the same on every database: the words a text
//! is made of (lower case, accents dropped), what a query asks for, and the
//! highlighted excerpt of a hit. The databases index [`indexed`] text, so SQLite's
//! FTS5 and PostgreSQL's `tsvector` see the same words.

use unicode_normalization::{UnicodeNormalization, char::is_combining_mark};

/// Most words a query may hold.
pub const MAX_TERMS: usize = 10;

/// Characters of a highlighted excerpt, about.
const EXCERPT_CHARS: usize = 200;

/// Characters kept before the first match when an excerpt is cut.
const LEAD_CHARS: usize = 60;

/// One word as search compares it: lower case, accents dropped (`Déployé` is
/// `deploye`).
fn fold(word: &str) -> String {
    word.nfd()
        .filter(|&c| !is_combining_mark(c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The words of `text`, split at anything that is not a letter or digit, each
/// [`fold`]ed, with their byte ranges in `text`.
fn spans(text: &str) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i, fold(&text[s..i])));
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// The words of `text` as search compares them.
pub fn words(text: &str) -> Vec<String> {
    spans(text).into_iter().map(|(_, _, word)| word).collect()
}

/// What a message is indexed as: its words, space-separated.
pub fn indexed(text: &str) -> String {
    words(text).join(" ")
}

/// A search: 1–[`MAX_TERMS`] words of at least 2 characters, all of which a hit must
/// hold, each as a whole word or the start of one (`deplo` finds "deploy").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query(Vec<String>);

impl Query {
    /// Fails when no word of 2 characters or more is left, or there are too many.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let mut terms: Vec<String> = words(raw)
            .into_iter()
            .filter(|w| w.chars().count() >= 2)
            .collect();
        terms.sort();
        terms.dedup();
        match terms.len() {
            0 => Err("must hold a word of at least 2 letters or digits".into()),
            n if n > MAX_TERMS => Err(format!("may hold at most {MAX_TERMS} words")),
            _ => Ok(Self(terms)),
        }
    }

    /// The folded words, each only letters and digits (safe in any query syntax).
    pub fn terms(&self) -> &[String] {
        &self.0
    }

    fn matches(&self, word: &str) -> bool {
        self.0.iter().any(|term| word.starts_with(term.as_str()))
    }
}

fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// `content` with the words `query` matches wrapped in `<mark>`…`</mark>`, the rest
/// HTML-escaped, cut to about 200 characters around the first match (`…` where cut).
/// Safe to insert as HTML; a client that shows plain text drops the two tags.
pub fn highlight(content: &str, query: &Query) -> String {
    let hits: Vec<(usize, usize)> = spans(content)
        .into_iter()
        .filter(|(_, _, word)| query.matches(word))
        .map(|(start, end, _)| (start, end))
        .collect();
    let (from, to) = window(content, hits.first().map(|&(start, _)| start));
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    let mut at = from;
    for &(start, end) in hits.iter().filter(|&&(s, e)| s >= from && e <= to) {
        escape(&content[at..start], &mut out);
        out.push_str("<mark>");
        escape(&content[start..end], &mut out);
        out.push_str("</mark>");
        at = end;
    }
    escape(&content[at..to], &mut out);
    if to < content.len() {
        out.push('…');
    }
    out
}

/// The byte range of the excerpt: all of a short text; else from a little before the
/// first match (at a character boundary) for about [`EXCERPT_CHARS`].
fn window(content: &str, first: Option<usize>) -> (usize, usize) {
    let boundaries: Vec<usize> = content
        .char_indices()
        .map(|(i, _)| i)
        .chain([content.len()])
        .collect();
    let chars = boundaries.len() - 1;
    if chars <= EXCERPT_CHARS {
        return (0, content.len());
    }
    let first_char = first.map_or(0, |byte| boundaries.partition_point(|&b| b < byte));
    let start = first_char
        .saturating_sub(LEAD_CHARS)
        .min(chars - EXCERPT_CHARS);
    (boundaries[start], boundaries[start + EXCERPT_CHARS])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_lose_case_and_accents_and_split_at_punctuation() {
        assert_eq!(words("Déployé, l'ÉTÉ!"), ["deploye", "l", "ete"]);
        assert_eq!(indexed("São Paulo 2026"), "sao paulo 2026");
    }

    #[test]
    fn a_query_keeps_words_of_two_characters_or_more_once() {
        let query = Query::parse("  Deplo  a deplo ÉTÉ ").unwrap();
        assert_eq!(query.terms(), ["deplo", "ete"]);
        assert!(Query::parse("a ! ?").is_err());
        assert!(Query::parse(&"ab ".repeat(3)).is_ok());
        let many: String = (0..11).map(|i| format!("w{i} ")).collect();
        assert!(Query::parse(&many).is_err());
    }

    #[test]
    fn a_highlight_marks_prefix_matches_and_escapes_the_rest() {
        let query = Query::parse("deplo").unwrap();
        assert_eq!(
            highlight("<b>Deployed</b> & redeployed", &query),
            "&lt;b&gt;<mark>Deployed</mark>&lt;/b&gt; &amp; redeployed"
        );
    }

    #[test]
    fn a_long_text_is_cut_around_its_first_match() {
        let query = Query::parse("needle").unwrap();
        let text = format!("{} needle {}", "hay ".repeat(100), "straw ".repeat(100));
        let shown = highlight(&text, &query);
        assert!(shown.starts_with('…') && shown.ends_with('…'), "{shown}");
        assert!(shown.contains("<mark>needle</mark>"));
        assert!(shown.chars().count() < EXCERPT_CHARS + 20);
        let accents = highlight(&"é".repeat(300), &query);
        assert_eq!(accents.chars().count(), EXCERPT_CHARS + 1);
    }
}
