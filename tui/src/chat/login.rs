//! Getting in: sign up (name, username, password, asked again until they are good)
//! and log in (a wrong password is asked for again), before the full-screen chat.

use anyhow::bail;
use papo_client::{Client, Error, Session};

use super::{ChatArgs, prompt::prompt};

/// Tries at a password before giving up.
const TRIES: usize = 3;

/// A failure to reach the server, or the server's own words.
fn explain(url: &str, err: &Error) -> String {
    match err {
        Error::Transport(_) => format!(
            "Cannot reach a papo server at {url}: is it running? (start one with `papo serve`, \
             or give another with --url)"
        ),
        Error::Api { detail, .. } => detail.clone(),
        Error::Protocol(detail) => {
            format!("The server at {url} did not answer as papo does: {detail}")
        }
    }
}

/// Asks until `check` accepts the answer (or the user gives up with Ctrl+C).
fn ask(
    label: &str,
    echo: bool,
    check: impl Fn(&str) -> Result<(), String>,
) -> anyhow::Result<String> {
    loop {
        let answer = prompt(label, echo)?;
        match check(&answer) {
            Ok(()) => return Ok(answer),
            Err(why) => println!("{why}"),
        }
    }
}

fn password_rule(password: &str) -> Result<(), String> {
    match password.chars().count() {
        0..=7 => Err("A password has at least 8 characters; try again.".into()),
        129.. => Err("A password has at most 128 characters; try again.".into()),
        _ => Ok(()),
    }
}

fn not_empty(what: &'static str) -> impl Fn(&str) -> Result<(), String> {
    move |answer: &str| {
        if answer.trim().is_empty() {
            Err(format!("{what} cannot be empty."))
        } else {
            Ok(())
        }
    }
}

/// Signs up when asked to, then logs in.
///
/// Fails when the server cannot be reached, or after three wrong passwords.
pub async fn log_in(args: &ChatArgs, client: &mut Client) -> anyhow::Result<Session> {
    let mut username = match &args.username {
        Some(name) => name.clone(),
        None => ask("Username: ", true, not_empty("A username"))?,
    };
    if args.register {
        let name = ask("Display name: ", true, not_empty("A name"))?;
        let mut password = match &args.password {
            Some(password) => password.clone(),
            None => ask("Password (8 characters or more): ", false, password_rule)?,
        };
        loop {
            match client.register(&name, &username, &password).await {
                Ok(_) => break,
                Err(Error::Api { status: 409, .. }) => {
                    println!("The username {username} is taken; pick another.");
                    username = ask("Username: ", true, not_empty("A username"))?;
                }
                Err(Error::Api {
                    status: 422,
                    detail,
                    ..
                }) => {
                    println!("{detail}");
                    username = ask("Username: ", true, not_empty("A username"))?;
                    password = ask("Password (8 characters or more): ", false, password_rule)?;
                }
                Err(err) => bail!(explain(&args.url, &err)),
            }
        }
        return client
            .login(&username, &password)
            .await
            .map_err(|err| anyhow::anyhow!(explain(&args.url, &err)));
    }
    let mut password = match &args.password {
        Some(password) => password.clone(),
        None => prompt("Password: ", false)?,
    };
    for attempt in 1..=TRIES {
        match client.login(&username, &password).await {
            Ok(session) => return Ok(session),
            Err(Error::Api { status: 401, .. }) if args.password.is_none() && attempt < TRIES => {
                println!("Wrong username or password; try again.");
                password = prompt("Password: ", false)?;
            }
            Err(Error::Api { status: 401, .. }) => bail!("Wrong username or password."),
            Err(err) => bail!(explain(&args.url, &err)),
        }
    }
    bail!("Wrong username or password.")
}
