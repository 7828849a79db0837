//! The bare baseline: a minimal poem WebSocket broadcast server (no auth, no
//! database, default socket settings), measured in the same run as papo so every
//! figure can be read as a ratio to what the socket layer alone does here.
//!
//! `GET /ws/{room}`: every text frame a connection sends is relayed to every other
//! connection of that room.
//!
//! By default each connection's writer takes everything already queued for it and
//! writes it with one flush, as papo's writer does: the strongest bare server to
//! compare with. `--flush-each` flushes after every frame, as most poem servers do.

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

/// Most frames written with one flush (papo's writer uses the same bound).
const WRITE_BATCH: usize = 64;

/// How the relay writes to each connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flush {
    /// Everything queued, up to [`WRITE_BATCH`] frames, with one flush.
    Batched,
    /// One flush per frame.
    EachFrame,
}

/// Serves the baseline on `bind` until the process ends.
///
/// Fails when the address cannot be bound.
pub async fn serve(bind: &str, flush: Flush) -> std::io::Result<()> {
    let rooms: Rooms = Arc::default();
    let app = Route::new()
        .at("/ws/:room", get(relay))
        .data(rooms)
        .data(flush);
    eprintln!("baseline broadcast server ({flush:?}) on ws://{bind}/ws/{{room}}");
    Server::new(TcpListener::bind(bind.to_owned()))
        .run(app)
        .await
}

#[handler]
fn relay(
    ws: WebSocket,
    Path(room): Path<String>,
    rooms: Data<&Rooms>,
    flush: Data<&Flush>,
) -> impl poem::IntoResponse {
    let flush = *flush.0;
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
                let first = match receiver.recv().await {
                    Ok(frame) => frame,
                    Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(broadcast::error::RecvError::Closed) => return,
                };
                let mut batch = vec![first];
                while flush == Flush::Batched && batch.len() < WRITE_BATCH {
                    match receiver.try_recv() {
                        Ok(frame) => batch.push(frame),
                        Err(broadcast::error::TryRecvError::Lagged(_)) => {}
                        Err(_) => break,
                    }
                }
                for (from, text) in batch {
                    if from != me && sink.feed(Message::Text(text.to_string())).await.is_err() {
                        return;
                    }
                }
                if sink.flush().await.is_err() {
                    return;
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
