//! Notices through a NATS server (`PAPO_BUS=nats://host:4222`), for deployments
//! beyond what `NOTIFY` carries. Same notices, same rule: they only say "look". The
//! client reconnects and resubscribes by itself; every reconnection is reported as
//! [`Remote::Resync`], since notices published meanwhile are gone (core NATS keeps
//! nothing).

use std::sync::Arc;

use anyhow::Context;
use async_nats::{ConnectOptions, Event};
use futures_util::StreamExt;
use tokio::sync::mpsc;

use super::{
    notice::{self, Remote},
    shared::{Node, Outbound, next_round},
};

/// Connects, then starts sending `pending` and listening on `subject`.
///
/// Fails when the server cannot be reached.
pub(super) async fn start(
    url: &str,
    subject: String,
    node: Arc<Node>,
    pending: mpsc::Receiver<Outbound>,
    inbox: mpsc::Sender<Remote>,
) -> anyhow::Result<()> {
    let (reconnects, reconnected) = mpsc::channel(16);
    let client = ConnectOptions::new()
        .name("papo")
        .retry_on_initial_connect()
        .event_callback(move |event| {
            let reconnects = reconnects.clone();
            async move {
                if matches!(event, Event::Connected) {
                    let _ = reconnects.try_send(());
                }
            }
        })
        .connect(url)
        .await
        .with_context(|| format!("connecting to NATS at {url}"))?;
    let subscriber = client
        .subscribe(subject.clone())
        .await
        .context("subscribing to the papo subject")?;
    node.listening();
    tokio::spawn(send(client, subject, node.id, pending));
    tokio::spawn(listen(subscriber, reconnected, node, inbox));
    Ok(())
}

/// Publishes queued notices in order, packed as for `NOTIFY` (the same payloads on
/// either transport).
async fn send(
    client: async_nats::Client,
    subject: String,
    node: uuid::Uuid,
    mut pending: mpsc::Receiver<Outbound>,
) {
    while let Some((bodies, flushes)) = next_round(&mut pending).await {
        let count = bodies.len() as u64;
        for payload in notice::pack(node, bodies) {
            match client.publish(subject.clone(), payload.into()).await {
                Ok(()) => metrics::counter!("papo_bus_payloads_sent_total").increment(1),
                Err(err) => {
                    metrics::counter!("papo_bus_notices_dropped_total").increment(1);
                    tracing::warn!(error = %err, "sending notices to the other nodes failed");
                }
            }
        }
        metrics::counter!("papo_bus_notices_sent_total").increment(count);
        if !flushes.is_empty() {
            // Published means buffered in the client: push them onto the wire.
            let _ = client.flush().await;
        }
        for done in flushes {
            let _ = done.send(());
        }
    }
}

async fn listen(
    mut subscriber: async_nats::Subscriber,
    mut reconnected: mpsc::Receiver<()>,
    node: Arc<Node>,
    inbox: mpsc::Sender<Remote>,
) {
    // The first connection is reported too; it is not a reconnection.
    let mut connections = 0_u64;
    loop {
        let remotes = tokio::select! {
            message = subscriber.next() => match message {
                Some(message) => match std::str::from_utf8(&message.payload) {
                    Ok(payload) => node.receive(payload),
                    Err(_) => continue,
                },
                None => return,
            },
            Some(()) = reconnected.recv() => {
                connections += 1;
                if connections == 1 {
                    continue;
                }
                vec![node.reconnected()]
            }
        };
        for remote in remotes {
            if inbox.send(remote).await.is_err() {
                return;
            }
        }
    }
}
