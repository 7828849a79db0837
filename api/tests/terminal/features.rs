//! Replies, reactions, search and moderation from the terminal, and an access token
//! that expires under a running client.

use std::time::Duration;

use crate::{
    Terminal, have_tmux,
    support::{Options, PAPO, Server},
};

#[test]
fn replies_reactions_search_and_moderation_from_slash_commands() {
    if !have_tmux() {
        return;
    }
    let server = Server::start(Options {
        env: &[("PAPO_DEMO", "1")],
        ..Options::default()
    });
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        for (name, password) in [("bob", "bob123"), ("carol", "carol123")] {
            let mut client = papo_client::Client::new(&server.url);
            client.login(name, password).await.unwrap();
            let room = client.room_named("general").await.unwrap().id.to_string();
            client.join(&room).await.unwrap();
            if name == "bob" {
                client
                    .post(&room, "deploy on friday, @alice?", None)
                    .await
                    .unwrap();
            }
        }
    });
    let chat = format!(
        "{PAPO} chat --url {} --room general -u alice -p alice123",
        server.url
    );
    let terminal = Terminal::start("features", &chat);
    terminal.expect_screen(&["#1", "Bob: deploy on friday, @alice?"], "the room opens");

    terminal.type_line("/reply #1 yes, after lunch");
    terminal.expect_screen(
        &[
            "↳ #1 Bob: deploy on friday",
            "Alice: yes, after lunch",
            "· 1 reply",
        ],
        "the reply quotes its parent, which counts it",
    );
    terminal.type_line("/react #1 :+1:");
    terminal.expect_screen(&["👍 1"], "the reaction shows under the message");
    terminal.type_line("/search deplo");
    terminal.expect_screen(
        &["Search: deplo", "#1 # general · Bob: deploy on friday"],
        "results",
    );
    terminal.keys(&["Escape"]);
    terminal.expect_screen(&["# general · online"], "Esc closes the results");

    terminal.type_line("/kick bob");
    terminal.expect_screen(
        &["* Bob was removed from the room."],
        "a removal is a notice",
    );
    terminal.type_line("/ban carol spamming");
    terminal.expect_screen(
        &[
            "Carol is banned from this room.",
            "* Carol was banned from the room.",
        ],
        "a ban",
    );
    terminal.type_line("/unban carol");
    terminal.expect_screen(&["Carol may come back."], "a ban lifted");
    terminal.type_line("/leave");
    terminal.expect_screen(
        &[
            "You own this room: delete it instead of leaving.",
            "# general · online",
        ],
        "an owner's /leave fails in words and stays",
    );
}

#[test]
fn a_one_minute_access_token_is_renewed_and_commands_keep_working() {
    if !have_tmux() {
        return;
    }
    let server = Server::start(Options {
        env: &[("PAPO_DEMO", "1"), ("ACCESS_TOKEN_EXPIRE_MINUTES", "1")],
        ..Options::default()
    });
    let chat = format!(
        "{PAPO} chat --url {} --room general -u alice -p alice123",
        server.url
    );
    let terminal = Terminal::start("token", &chat);
    terminal.expect_screen(&["general · online"], "logged in");

    // Past the token's minute and the server's 5 s of leeway: every REST command
    // would get 401 token_expired.
    std::thread::sleep(Duration::from_secs(72));
    terminal.type_line("/create later");
    terminal.expect_screen(
        &["# later · online"],
        "a REST command after the token expired",
    );
    terminal.type_line("still here");
    terminal.expect_screen(&["Alice: still here"], "the socket carries on");
}
