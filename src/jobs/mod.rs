//! Background work that runs beside the HTTP server on every node: a loop that ticks every
//! second on its own thread. Each task is idempotent and safe to run on many nodes at once.

use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::app::AppState;

pub mod checkpoint;
pub mod comment_writer;
pub mod durable_ack;
pub mod housekeeping;
pub mod notifications;
pub mod recent_clients;
pub mod views;

/// How often the loop wakes.
const TICK: Duration = Duration::from_secs(1);

pub struct Jobs {
    stop: mpsc::Sender<()>,
    handle: Option<JoinHandle<()>>,
}

/// Starts the job loop.
pub fn start(state: Arc<AppState>) -> Jobs {
    let (stop, stopped) = mpsc::channel::<()>();
    let handle = std::thread::Builder::new()
        .name("consult-jobs".into())
        .spawn(move || {
            loop {
                tick(&state);
                match stopped.recv_timeout(TICK) {
                    Err(RecvTimeoutError::Timeout) => continue,
                    _ => break,
                }
            }
            // Counts gathered since the last tick are written before the node stops.
            flush_views(&state);
        })
        .ok();
    Jobs { stop, handle }
}

/// One pass over every task, each logging its own failure.
pub fn tick(state: &AppState) {
    let now = state.clock.now();
    if let Err(e) = housekeeping::run(state, now) {
        tracing::warn!(error = %e, "housekeeping failed");
    }
    flush_views(state);
    // R22: events the clock causes queue their mail first, so this tick can send it.
    if let Err(e) = notifications::run(state, now) {
        tracing::warn!(error = %format!("{e:#}"), "notification scan failed");
    }
    // R23: the outbox worker; an SMTP outage only delays this loop, never a request.
    if let Err(e) = crate::mail::outbox::deliver_due(state, now) {
        tracing::warn!(error = %format!("{e:#}"), "mail delivery pass failed");
    }
}

/// Adds the in-memory draft view tally to the database.
pub fn flush_views(state: &AppState) {
    let result = state
        .pool
        .get()
        .map_err(anyhow::Error::from)
        .and_then(|mut conn| state.views.flush(&mut conn).map_err(anyhow::Error::from));
    if let Err(e) = result {
        tracing::warn!(error = %e, "view counts not flushed; kept for the next tick");
    }
}

impl Jobs {
    /// Asks the loop to stop and waits for its current tick to end.
    pub async fn stop(mut self) {
        let _ = self.stop.send(());
        if let Some(handle) = self.handle.take() {
            let _ = actix_web::web::block(move || handle.join()).await;
        }
    }
}
