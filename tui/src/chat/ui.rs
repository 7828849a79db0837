//! Drawing the terminal chat: rooms and online users on the left, the conversation,
//! a typing line and the input on the right.

use ratatui::{
    Frame,
    layout::{Constraint, Direction, Layout},
    style::{Modifier, Style},
    text::{Line as TextLine, Span},
    widgets::{Block, Borders, List, ListItem, Paragraph, Wrap},
};

use super::state::{Line, State};

pub fn draw(frame: &mut Frame, state: &State) {
    let columns = Layout::default()
        .direction(Direction::Horizontal)
        .constraints([Constraint::Length(26), Constraint::Min(20)])
        .split(frame.area());
    let side = Layout::default()
        .direction(Direction::Vertical)
        .constraints([Constraint::Percentage(60), Constraint::Percentage(40)])
        .split(columns[0]);
    let main = Layout::default()
        .direction(Direction::Vertical)
        .constraints([
            Constraint::Min(3),
            Constraint::Length(1),
            Constraint::Length(3),
        ])
        .split(columns[1]);

    let rooms: Vec<ListItem> = state
        .rooms
        .iter()
        .map(|room| {
            let unread = state.unread.get(&room.id).copied().unwrap_or(0);
            let mark = if Some(room.id) == state.current {
                "> "
            } else {
                "  "
            };
            let badge = if unread > 0 {
                format!(" ({unread})")
            } else {
                String::new()
            };
            let style = if Some(room.id) == state.current {
                Style::default().add_modifier(Modifier::BOLD)
            } else {
                Style::default()
            };
            ListItem::new(Span::styled(
                format!("{mark}{}{badge}", printable(&room.name)),
                style,
            ))
        })
        .collect();
    frame.render_widget(
        List::new(rooms).block(Block::default().borders(Borders::ALL).title("Rooms")),
        side[0],
    );

    let online: Vec<ListItem> = state
        .current
        .and_then(|room| state.online.get(&room))
        .into_iter()
        .flatten()
        .map(|u| ListItem::new(printable(&format!("{} @{}", u.name, u.username))))
        .collect();
    frame.render_widget(
        List::new(online).block(Block::default().borders(Borders::ALL).title("Online")),
        side[1],
    );

    let mut lines: Vec<TextLine> = state
        .current
        .and_then(|room| state.lines.get(&room))
        .into_iter()
        .flatten()
        .map(|(_, Line { who, text })| {
            TextLine::from(vec![
                Span::styled(
                    format!("{}: ", printable(who)),
                    Style::default().add_modifier(Modifier::BOLD),
                ),
                Span::raw(printable(text)),
            ])
        })
        .collect();
    lines.extend(state.notices.iter().rev().take(3).rev().map(|n| {
        TextLine::from(Span::styled(
            format!("* {}", printable(n)),
            Style::default().add_modifier(Modifier::DIM),
        ))
    }));
    let height = main[0].height.saturating_sub(2);
    let bottom = (lines.len() as u16).saturating_sub(height);
    let offset = bottom.saturating_sub(state.scroll);
    let connection = if state.connected {
        "online"
    } else {
        "reconnecting…"
    };
    let title = format!("{} · {connection}", printable(&state.current_name()));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((offset, 0))
            .block(Block::default().borders(Borders::ALL).title(title)),
        main[0],
    );
    let status = if state.status.is_empty() {
        state.typing_line()
    } else {
        state.status.clone()
    };
    frame.render_widget(Paragraph::new(printable(&status)), main[1]);
    frame.render_widget(
        Paragraph::new(state.input.as_str()).block(
            Block::default()
                .borders(Borders::ALL)
                .title("Message (/help for commands, PgUp for older)"),
        ),
        main[2],
    );
    let x = main[2].x + 1 + state.input.chars().count() as u16;
    frame.set_cursor_position((x.min(main[2].right().saturating_sub(2)), main[2].y + 1));
}

/// Text from the server made safe to draw: a control character (ESC, BEL, C1…) or a
/// direction override would be acted on by the terminal, retitling or clearing it or
/// writing the clipboard (OSC 52), so each becomes `�`; line breaks and tabs become
/// spaces. The server refuses such characters too; this holds against any server.
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' | '\t' => ' ',
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => '\u{FFFD}',
            c if c.is_control() => '\u{FFFD}',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::printable;

    #[test]
    fn terminal_escapes_never_reach_the_terminal() {
        let shown = printable("\u{1b}]2;PWNED\u{7}hi\u{1b}[2J\u{9b}1m\u{202E}x\nnext");
        assert!(!shown.chars().any(|c| c.is_control()), "{shown:?}");
        assert!(shown.contains("hi") && shown.contains("next"));
    }
}
