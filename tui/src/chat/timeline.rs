//! A room's conversation as lines of text: day separators, messages numbered by seq
//! (what `/reply`, `/react`, `/edit` and `/delete` name), what they answer, their
//! reactions and reply counts, and membership notices where they happened.

use chrono::{DateTime, Local, Utc};
use ratatui::{
    style::{Color, Modifier, Style},
    text::{Line, Span},
};

use super::state::{Shown, State};

/// Server text made safe to draw: a control character (ESC, BEL, C1…) or a direction
/// override would be acted on by the terminal, retitling or clearing it or writing the
/// clipboard (OSC 52), so each becomes `�`; tabs become spaces. Line breaks are split
/// into lines before this. The server refuses such characters too; this holds
/// against any server.
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\t' | '\n' => ' ',
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => '\u{FFFD}',
            c if c.is_control() => '\u{FFFD}',
            c => c,
        })
        .collect()
}

fn dim() -> Style {
    Style::default().add_modifier(Modifier::DIM)
}

fn local(at: DateTime<Utc>) -> DateTime<Local> {
    at.with_timezone(&Local)
}

/// The current room's lines, oldest first.
pub fn lines(state: &State) -> Vec<Line<'static>> {
    let Some(room) = state.current else {
        return vec![Line::styled(
            "No room open: /join <room>, /create <room> or Tab to pick one.",
            dim(),
        )];
    };
    let notices = state.notices.get(&room).map(Vec::as_slice).unwrap_or(&[]);
    let mut next_notice = 0;
    let mut out = Vec::new();
    let mut day = None;
    let empty = Default::default();
    for (&seq, message) in state.messages.get(&room).unwrap_or(&empty) {
        while next_notice < notices.len() && notices[next_notice].after < seq {
            out.push(notice(&notices[next_notice].text));
            next_notice += 1;
        }
        let date = local(message.at).date_naive();
        if day != Some(date) {
            day = Some(date);
            let label = local(message.at).format("%A, %-d %B %Y").to_string();
            out.push(Line::styled(format!("── {label} ──"), dim()));
        }
        out.extend(message_lines(seq, message));
    }
    out.extend(notices[next_notice..].iter().map(|n| notice(&n.text)));
    out
}

fn notice(text: &str) -> Line<'static> {
    Line::styled(
        format!("* {}", printable(text)),
        dim().add_modifier(Modifier::ITALIC),
    )
}

/// One message: what it answers, its lines, its reactions.
fn message_lines(seq: i64, m: &Shown) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    if let Some(parent) = &m.reply_to {
        let mut excerpt: String = parent.excerpt.chars().take(40).collect();
        if parent.excerpt.chars().count() > 40 {
            excerpt.push('…');
        }
        let quoted = if parent.excerpt.is_empty() {
            "a deleted message".to_owned()
        } else {
            format!("{}: {}", parent.user.name, printable(&excerpt))
        };
        out.push(Line::styled(
            format!("     ↳ #{} {quoted}", parent.seq),
            dim(),
        ));
    }
    let time = local(m.at).format("%H:%M").to_string();
    let mut head = vec![
        Span::styled(format!("#{seq} "), dim()),
        Span::styled(format!("{time} "), dim()),
        Span::styled(
            format!("{}: ", printable(&m.author.name)),
            Style::default().add_modifier(Modifier::BOLD),
        ),
    ];
    let body = if m.deleted {
        match &m.deleted_by {
            Some(by) => format!("(deleted by {by})"),
            None => "(deleted)".to_owned(),
        }
    } else {
        m.content.clone()
    };
    let text_style = if m.mentions_me {
        Style::default()
            .fg(Color::Yellow)
            .add_modifier(Modifier::BOLD)
    } else if m.deleted {
        dim()
    } else {
        Style::default()
    };
    let mut parts = body.split('\n');
    head.push(Span::styled(
        printable(parts.next().unwrap_or("")),
        text_style,
    ));
    let mut rest: Vec<Line<'static>> = parts
        .map(|part| {
            Line::from(Span::styled(
                format!("     {}", printable(part)),
                text_style,
            ))
        })
        .collect();
    let mut tail = Vec::new();
    if m.edited && !m.deleted {
        tail.push(Span::styled(" (edited)", dim()));
    }
    if m.reply_count > 0 {
        let s = if m.reply_count == 1 {
            "reply"
        } else {
            "replies"
        };
        tail.push(Span::styled(format!(" · {} {s}", m.reply_count), dim()));
    }
    match rest.last_mut() {
        Some(last) => last.spans.extend(tail),
        None => head.extend(tail),
    }
    out.push(Line::from(head));
    out.append(&mut rest);
    if !m.reactions.is_empty() {
        let mut chips = vec![Span::raw("     ")];
        for r in &m.reactions {
            let style = if r.me {
                Style::default().add_modifier(Modifier::REVERSED)
            } else {
                Style::default()
            };
            chips.push(Span::styled(
                format!(" {} {} ", printable(&r.emoji), r.count),
                style,
            ));
            chips.push(Span::raw(" "));
        }
        out.push(Line::from(chips));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_escapes_never_reach_the_terminal() {
        let shown = printable("\u{1b}]2;PWNED\u{7}hi\u{1b}[2J\u{9b}1m\u{202E}x\tnext");
        assert!(!shown.chars().any(|c| c.is_control()), "{shown:?}");
        assert!(shown.contains("hi") && shown.contains("next"));
    }
}
