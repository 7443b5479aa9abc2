//! Background work that runs beside the HTTP server on every node: a loop that ticks every
//! second on its own thread. Each task is idempotent and safe to run on many nodes at once.

use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::app::AppState;

pub mod comment_writer;
pub mod housekeeping;

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
