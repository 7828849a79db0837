//! What a line typed at the input asks for: a message, or a slash command.

/// A message picked by the number shown before it (`#12`, or `12`); none means your
/// last one.
pub type Seq = Option<i64>;

/// A command typed at the input line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Say(String),
    Rooms,
    Join(String),
    Create {
        name: String,
        private: bool,
    },
    Dm(String),
    Invite(String),
    Who,
    Leave,
    Reply {
        seq: i64,
        text: String,
    },
    React {
        seq: i64,
        emoji: String,
        add: bool,
    },
    Edit {
        seq: Seq,
        text: String,
    },
    Delete(Seq),
    Search(String),
    Kick(String),
    Ban {
        user: String,
        reason: Option<String>,
    },
    Unban(String),
    Quit,
    Help,
}

/// Every command with its arguments, for `/help` and `papo chat --help`.
pub const COMMANDS: &str = "\
/rooms                 list rooms          /join <room>       open (and join) a room
/create <room> [--private]                 /dm <user>         talk to someone alone
/invite <user>         add to this room    /who               who is here
/leave                 leave this room     /quit              quit (or Ctrl+C)
/reply <#n> <text>     answer message #n   /react <#n> <emoji>  react (/unreact to undo)
/edit [#n] <text>      change your last (or #n) message      /delete [#n]
/search <words>        search every room you can read (Esc closes the results)
/kick <user>  /ban <user> [reason]  /unban <user>     (owners and admins)";

/// The keys, for `/help` and `papo chat --help`.
pub const KEYS: &str = "\
Enter send · Alt+Enter new line · ←/→ Home/End Ctrl+A/E move · Ctrl+U/K/W delete · \
↑ edit your last message · Tab/Shift+Tab or Alt+↑/↓ switch rooms · PgUp/PgDn scroll · Ctrl+C quit";

fn seq(raw: &str) -> Option<i64> {
    raw.trim_start_matches('#').parse().ok().filter(|&n| n > 0)
}

impl Command {
    /// Reads an input line; `Err` explains a malformed command.
    pub fn parse(input: &str) -> Result<Option<Self>, String> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Ok(None);
        }
        let Some(rest) = trimmed.strip_prefix('/') else {
            return Ok(Some(Self::Say(trimmed.to_owned())));
        };
        // `//text` says "/text".
        if rest.starts_with('/') {
            return Ok(Some(Self::Say(rest.to_owned())));
        }
        let (command, args) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        let args = args.trim();
        let words: Vec<&str> = args.split_whitespace().collect();
        let one = |usage: &str| match words.as_slice() {
            [word] => Ok((*word).to_owned()),
            _ => Err(format!("usage: {usage}")),
        };
        let numbered = |usage: &str| -> Result<(i64, String), String> {
            let (first, text) = args.split_once(char::is_whitespace).unwrap_or((args, ""));
            match (seq(first), text.trim()) {
                (Some(n), text) if !text.is_empty() => Ok((n, text.to_owned())),
                _ => Err(format!("usage: {usage}")),
            }
        };
        Ok(Some(match command {
            "rooms" => Self::Rooms,
            "join" => Self::Join(one("/join <room>")?),
            "create" => {
                let private = words.contains(&"--private");
                let name: Vec<&str> = words
                    .iter()
                    .copied()
                    .filter(|a| *a != "--private")
                    .collect();
                if name.is_empty() {
                    return Err("usage: /create <room> [--private]".into());
                }
                Self::Create {
                    name: name.join(" "),
                    private,
                }
            }
            "dm" => Self::Dm(one("/dm <user>")?),
            "invite" => Self::Invite(one("/invite <user>")?),
            "who" => Self::Who,
            "leave" => Self::Leave,
            "reply" => {
                let (seq, text) = numbered("/reply <#n> <text>")?;
                Self::Reply { seq, text }
            }
            "react" | "unreact" => {
                let (seq, emoji) = numbered("/react <#n> <emoji>")?;
                Self::React {
                    seq,
                    emoji,
                    add: command == "react",
                }
            }
            "edit" => match args.split_once(char::is_whitespace) {
                Some((first, text)) if seq(first).is_some() && !text.trim().is_empty() => {
                    Self::Edit {
                        seq: seq(first),
                        text: text.trim().to_owned(),
                    }
                }
                _ if !args.is_empty() => Self::Edit {
                    seq: None,
                    text: args.to_owned(),
                },
                _ => return Err("usage: /edit [#n] <text>".into()),
            },
            "delete" => match words.as_slice() {
                [] => Self::Delete(None),
                [n] if seq(n).is_some() => Self::Delete(seq(n)),
                _ => return Err("usage: /delete [#n]".into()),
            },
            "search" if !args.is_empty() => Self::Search(args.to_owned()),
            "search" => return Err("usage: /search <words>".into()),
            "kick" => Self::Kick(one("/kick <user>")?),
            "ban" => match args.split_once(char::is_whitespace) {
                Some((user, reason)) => Self::Ban {
                    user: user.to_owned(),
                    reason: Some(reason.trim().to_owned()),
                },
                None if !args.is_empty() => Self::Ban {
                    user: args.to_owned(),
                    reason: None,
                },
                None => return Err("usage: /ban <user> [reason]".into()),
            },
            "unban" => Self::Unban(one("/unban <user>")?),
            "quit" | "exit" => Self::Quit,
            "help" => Self::Help,
            other => return Err(format!("unknown command /{other}; try /help")),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_said_and_slash_commands_parse() {
        assert_eq!(
            Command::parse("hello").unwrap(),
            Some(Command::Say("hello".into()))
        );
        assert_eq!(Command::parse("  ").unwrap(), None);
        assert_eq!(
            Command::parse("//not a command").unwrap(),
            Some(Command::Say("/not a command".into()))
        );
        assert_eq!(
            Command::parse("/join general").unwrap(),
            Some(Command::Join("general".into()))
        );
        assert_eq!(
            Command::parse("/create secret --private").unwrap(),
            Some(Command::Create {
                name: "secret".into(),
                private: true
            })
        );
        assert!(Command::parse("/join").is_err());
        assert!(Command::parse("/dance").unwrap_err().contains("/dance"));
    }

    #[test]
    fn message_commands_take_a_number_with_or_without_its_hash() {
        assert_eq!(
            Command::parse("/reply #12 sure thing").unwrap(),
            Some(Command::Reply {
                seq: 12,
                text: "sure thing".into()
            })
        );
        assert_eq!(
            Command::parse("/unreact 3 👍").unwrap(),
            Some(Command::React {
                seq: 3,
                emoji: "👍".into(),
                add: false
            })
        );
        assert_eq!(
            Command::parse("/edit fixed typo").unwrap(),
            Some(Command::Edit {
                seq: None,
                text: "fixed typo".into()
            })
        );
        assert_eq!(
            Command::parse("/edit #4 fixed").unwrap(),
            Some(Command::Edit {
                seq: Some(4),
                text: "fixed".into()
            })
        );
        assert_eq!(
            Command::parse("/delete").unwrap(),
            Some(Command::Delete(None))
        );
        assert!(Command::parse("/reply #x hi").is_err());
        assert!(Command::parse("/reply 3").is_err());
    }

    #[test]
    fn moderation_and_search_commands_parse() {
        assert_eq!(
            Command::parse("/ban eve spam, twice").unwrap(),
            Some(Command::Ban {
                user: "eve".into(),
                reason: Some("spam, twice".into())
            })
        );
        assert_eq!(
            Command::parse("/search deploy friday").unwrap(),
            Some(Command::Search("deploy friday".into()))
        );
        assert!(Command::parse("/search").is_err());
        assert_eq!(
            Command::parse("/kick @bob").unwrap(),
            Some(Command::Kick("@bob".into()))
        );
    }
}
