//! Drawing the terminal chat: rooms and who is here on the left (when the terminal is
//! wide enough), the conversation, a status line and the input on the right.

use ratatui::{
    Frame,
    layout::{Constraint, Direction, Layout, Rect},
    style::{Modifier, Style},
    text::{Line, Span},
    widgets::{Block, Borders, List, ListItem, Paragraph, Wrap},
};

use super::{
    state::State,
    timeline::{self, printable},
};

/// Below this width the sidebar goes: the conversation needs the room.
const SIDEBAR_FROM: u16 = 64;

/// Draws everything, and remembers how many rows the conversation has and shows (for
/// scrolling by page).
pub fn draw(frame: &mut Frame, state: &mut State) {
    let area = frame.area();
    let main_area = if area.width >= SIDEBAR_FROM {
        let side = (area.width / 4).clamp(20, 34);
        let columns = Layout::default()
            .direction(Direction::Horizontal)
            .constraints([Constraint::Length(side), Constraint::Min(20)])
            .split(area);
        sidebar(frame, state, columns[0]);
        columns[1]
    } else {
        area
    };
    let main = Layout::default()
        .direction(Direction::Vertical)
        .constraints([
            Constraint::Min(3),
            Constraint::Length(1),
            Constraint::Length(3),
        ])
        .split(main_area);
    conversation(frame, state, main[0]);
    let status = if state.status.is_empty() {
        state.typing_line()
    } else {
        state.status.clone()
    };
    frame.render_widget(Paragraph::new(printable(&status)), main[1]);
    input(frame, state, main[2]);
}

fn sidebar(frame: &mut Frame, state: &State, area: Rect) {
    let parts = Layout::default()
        .direction(Direction::Vertical)
        .constraints([Constraint::Percentage(60), Constraint::Percentage(40)])
        .split(area);
    let rooms: Vec<ListItem> = state
        .rooms
        .iter()
        .filter(|room| room.joined)
        .map(|room| {
            let current = Some(room.id) == state.current;
            let unread = state.unread.get(&room.id).copied().unwrap_or(0);
            let mentions = state.mentions.get(&room.id).copied().unwrap_or(0);
            let mut badge = String::new();
            if unread > 0 {
                badge.push_str(&format!(" ({unread})"));
            }
            if mentions > 0 {
                badge.push_str(&format!(" @{mentions}"));
            }
            let style = if current {
                Style::default().add_modifier(Modifier::REVERSED)
            } else if unread > 0 {
                Style::default().add_modifier(Modifier::BOLD)
            } else {
                Style::default()
            };
            ListItem::new(Span::styled(
                format!("{}{badge}", printable(&State::label(room))),
                style,
            ))
        })
        .collect();
    frame.render_widget(
        List::new(rooms).block(Block::default().borders(Borders::ALL).title("Rooms")),
        parts[0],
    );
    let here: Vec<ListItem> = state
        .current
        .and_then(|room| state.online.get(&room))
        .into_iter()
        .flatten()
        .map(|u| ListItem::new(printable(&format!("{} @{}", u.name, u.username))))
        .collect();
    frame.render_widget(
        List::new(here).block(Block::default().borders(Borders::ALL).title("Online")),
        parts[1],
    );
}

fn conversation(frame: &mut Frame, state: &mut State, area: Rect) {
    let connection = if state.connected {
        "online"
    } else {
        "reconnecting…"
    };
    let name = state
        .current
        .and_then(|id| state.room(id))
        .map_or_else(|| "no room".to_owned(), State::label);
    if let Some(results) = &state.results {
        let title = format!("{} (Esc closes)", printable(&results.query));
        let items: Vec<ListItem> = results
            .lines
            .iter()
            .map(|line| ListItem::new(printable(line)))
            .collect();
        frame.render_widget(
            List::new(items).block(Block::default().borders(Borders::ALL).title(title)),
            area,
        );
        return;
    }
    let title = format!("{} · {connection}", printable(&name));
    let block = Block::default().borders(Borders::ALL).title(title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let paragraph = Paragraph::new(timeline::lines(state)).wrap(Wrap { trim: false });
    // Counted in rows as drawn (a long message wraps onto several), so the newest
    // row is always the last one shown.
    let total = paragraph.line_count(inner.width);
    let height = usize::from(inner.height);
    let top = total.saturating_sub(height);
    state.scroll = state.scroll.min(top);
    state.viewport = (total, height);
    let offset = u16::try_from(top - state.scroll).unwrap_or(u16::MAX);
    frame.render_widget(paragraph.scroll((offset, 0)), inner);
}

fn input(frame: &mut Frame, state: &State, area: Rect) {
    let title = match state.editing {
        Some(_) => "Editing your message (Enter saves, Esc cancels)".to_owned(),
        None if area.width > 52 => "Message (/help for commands, PgUp for older)".to_owned(),
        None => "Message (/help)".to_owned(),
    };
    let block = Block::default().borders(Borders::ALL).title(title);
    let inner = block.inner(area);
    let (shown, cursor) = state.input.view(usize::from(inner.width));
    frame.render_widget(Paragraph::new(Line::raw(shown)).block(block), area);
    frame.set_cursor_position((inner.x + cursor.min(inner.width.saturating_sub(1)), inner.y));
}
