//! Log-in prompts before the full-screen chat starts.

use crossterm::event::{Event, KeyCode, KeyEventKind, KeyModifiers};

/// Reads a line from the terminal; without echo for passwords.
pub fn prompt(label: &str, echo: bool) -> anyhow::Result<String> {
    use std::io::Write;
    print!("{label}");
    std::io::stdout().flush()?;
    if echo {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        return Ok(line.trim().to_owned());
    }
    crossterm::terminal::enable_raw_mode()?;
    let mut secret = String::new();
    let read = loop {
        match crossterm::event::read() {
            Ok(Event::Key(key)) if key.kind == KeyEventKind::Press => match key.code {
                KeyCode::Enter => break Ok(()),
                KeyCode::Backspace => {
                    secret.pop();
                }
                KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                    break Err(anyhow::anyhow!("cancelled"));
                }
                KeyCode::Char(c) => secret.push(c),
                _ => {}
            },
            Ok(_) => {}
            Err(err) => break Err(err.into()),
        }
    };
    crossterm::terminal::disable_raw_mode()?;
    println!();
    read.map(|()| secret)
}
