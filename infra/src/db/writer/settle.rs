//! What happens to a batch that failed: retried by halves, down to single posts that
//! are checked for being retries of earlier ones.

use std::collections::VecDeque;

use domain::{
    Error,
    events::Event,
    message::{Appended, Message, NewMessage},
    ports::EventBus,
};
use sea_orm::DatabaseConnection;

use super::{Job, WriteHealth, sql};

/// Retries a batch that failed, half by half: each part is tried whole, and split
/// again only if it fails. Parts are settled in their original order, so seqs follow
/// the order of the posts.
pub(super) async fn settle_in_halves(
    db: &DatabaseConnection,
    bus: &dyn EventBus,
    health: &WriteHealth,
    mut jobs: Vec<Job>,
) {
    let second = jobs.split_off(jobs.len() / 2);
    let mut parts = VecDeque::from([jobs, second]);
    while let Some(mut part) = parts.pop_front() {
        match part.len() {
            0 => continue,
            1 => {
                for job in part {
                    settle_alone(db, bus, health, job).await;
                }
                continue;
            }
            _ => {}
        }
        let messages: Vec<&NewMessage> = part.iter().map(|job| &job.message).collect();
        let inserted = sql::insert_all(db, &messages).await;
        health.record(&inserted);
        match inserted {
            Ok(stored) => publish_and_answer_all(bus, part, stored),
            Err(err @ Error::Unavailable(_)) => {
                for job in part.into_iter().chain(parts.drain(..).flatten()) {
                    let _ = job.reply.send(Err(err.clone()));
                }
            }
            Err(_) => {
                let second = part.split_off(part.len() / 2);
                parts.push_front(second);
                parts.push_front(part);
            }
        }
    }
}

pub(super) fn publish_and_answer_all(bus: &dyn EventBus, jobs: Vec<Job>, stored: Vec<Message>) {
    let events = jobs
        .iter()
        .zip(&stored)
        .map(|(job, message)| Event::MessagePosted {
            message: message.clone(),
            origin: job.message.origin,
        })
        .collect();
    bus.publish_batch(events);
    for (job, message) in jobs.into_iter().zip(stored) {
        let _ = job.reply.send(Ok(Appended::Created(message)));
    }
}

/// One post in its own transaction, after checking whether it is a retry.
pub(super) async fn settle_alone(
    db: &DatabaseConnection,
    bus: &dyn EventBus,
    health: &WriteHealth,
    job: Job,
) {
    match sql::previous_post(db, &job.message).await {
        Ok(Some(outcome)) => {
            let _ = job.reply.send(outcome);
            return;
        }
        Ok(None) => {}
        Err(err) => {
            let _ = job.reply.send(Err(err));
            return;
        }
    }
    let inserted = sql::insert_all(db, &[&job.message]).await;
    health.record(&inserted);
    match inserted {
        Ok(mut stored) => match stored.pop() {
            Some(message) => publish_and_answer(bus, job, message),
            None => {
                let _ = job
                    .reply
                    .send(Err(Error::Internal("nothing stored".into())));
            }
        },
        Err(err) => {
            let _ = job.reply.send(Err(err));
        }
    }
}

fn publish_and_answer(bus: &dyn EventBus, job: Job, message: Message) {
    bus.publish(Event::MessagePosted {
        message: message.clone(),
        origin: job.message.origin,
    });
    let _ = job.reply.send(Ok(Appended::Created(message)));
}
