//! The bare baseline: a minimal poem WebSocket broadcast server (no auth, no
//! database, default socket settings), measured in the same run as papo so every
//! figure can be read as a ratio to what the socket layer alone does here.
//!
//! `GET /ws/{room}`: every text frame a connection sends is relayed to every other
//! connection of that room.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
};

use futures_util::{SinkExt, StreamExt};
use poem::{
    EndpointExt, Route, Server, get, handler,
    listener::TcpListener,
    web::{
        Data, Path,
        websocket::{Message, WebSocket},
    },
};
use tokio::sync::broadcast;

type Rooms = Arc<Mutex<HashMap<String, broadcast::Sender<(u64, Arc<str>)>>>>;

/// Serves the baseline on `bind` until the process ends.
///
/// Fails when the address cannot be bound.
pub async fn serve(bind: &str) -> std::io::Result<()> {
    let rooms: Rooms = Arc::default();
    let app = Route::new().at("/ws/:room", get(relay)).data(rooms);
    eprintln!("baseline broadcast server on ws://{bind}/ws/{{room}}");
    Server::new(TcpListener::bind(bind.to_owned()))
        .run(app)
        .await
}

#[handler]
fn relay(ws: WebSocket, Path(room): Path<String>, rooms: Data<&Rooms>) -> impl poem::IntoResponse {
    let sender = rooms
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .entry(room)
        .or_insert_with(|| broadcast::channel(4096).0)
        .clone();
    let me = rand_id();
    ws.on_upgrade(move |socket| async move {
        let (mut sink, mut stream) = socket.split();
        let mut receiver = sender.subscribe();
        let writer = tokio::spawn(async move {
            loop {
                match receiver.recv().await {
                    Ok((from, text)) if from != me => {
                        if sink.send(Message::Text(text.to_string())).await.is_err() {
                            return;
                        }
                    }
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => return,
                }
            }
        });
        while let Some(Ok(message)) = stream.next().await {
            if let Message::Text(text) = message {
                let _ = sender.send((me, Arc::from(text)));
            }
        }
        writer.abort();
    })
}

fn rand_id() -> u64 {
    u64::from_le_bytes(
        uuid::Uuid::new_v4().as_bytes()[..8]
            .try_into()
            .unwrap_or([0; 8]),
    )
}
