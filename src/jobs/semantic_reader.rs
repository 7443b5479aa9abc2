//! R16's background reader: embeds comments as they arrive, so that the grouping's semantic
//! stage finds their sentence vectors stored rather than computing them when an officer asks.
//! One thread per node (`review.semantic_reader`); nodes share the work through a cursor in
//! the database (`service::meaning::read_next`). Without the model it does not start.
//!
//! Embedding takes a core while it runs, and a surge of comments is exactly when there is
//! most to read; the thread therefore runs under Linux's `SCHED_IDLE` policy: it gets the CPU
//! only when nothing else wants it, so intake, pages and the database go first and the
//! reader catches up after the surge. (Under `scripts/bench-comments` on two cores it had
//! been embedding the incoming comments on every core it could get; the threads it starts
//! inherit the policy.)

use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::clock::Clock;
use crate::config::Config;
use crate::db::Pool;

/// Comments read per step.
const BATCH: i64 = 16;
/// How long the reader rests when it has caught up, or after a failure.
const REST: Duration = Duration::from_secs(2);

pub struct Reader {
    stop: mpsc::Sender<()>,
    handle: Option<JoinHandle<()>>,
}

/// Starts the reader when the configuration asks for it and the model loads.
pub fn start(pool: Pool, clock: Clock, config: Arc<Config>) -> Option<Reader> {
    if !config.review.semantic_reader {
        return None;
    }
    let model = crate::service::meaning::embedder(&config)?;
    let (stop, stopped) = mpsc::channel::<()>();
    let handle = std::thread::Builder::new()
        .name("consult-semantic".into())
        .spawn(move || {
            run_when_idle();
            loop {
                let step = pool
                    .get()
                    .map_err(anyhow::Error::from)
                    .and_then(|mut conn| {
                        crate::service::meaning::read_next(&mut conn, clock.now(), &model, BATCH)
                            .map_err(anyhow::Error::from)
                    });
                let rest = match step {
                    Ok(0) => REST,
                    Ok(_) => Duration::ZERO,
                    Err(e) => {
                        tracing::warn!(error = %format!("{e:#}"), "semantic reader step failed");
                        REST
                    }
                };
                match stopped.recv_timeout(rest) {
                    Err(RecvTimeoutError::Timeout) => continue,
                    _ => break,
                }
            }
        })
        .ok()?;
    Some(Reader {
        stop,
        handle: Some(handle),
    })
}

/// Puts the calling thread under `SCHED_IDLE` (Linux; elsewhere it keeps its priority).
fn run_when_idle() {
    #[cfg(target_os = "linux")]
    {
        let param = libc::sched_param { sched_priority: 0 };
        // SAFETY: pid 0 is the calling thread; `param` outlives the call.
        let done = unsafe { libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) };
        if done != 0 {
            tracing::warn!(
                error = %std::io::Error::last_os_error(),
                "the semantic reader keeps its normal priority"
            );
        }
    }
}

impl Reader {
    /// Asks the reader to stop and waits for its current step to end.
    pub async fn stop(mut self) {
        let _ = self.stop.send(());
        if let Some(handle) = self.handle.take() {
            let _ = actix_web::web::block(move || handle.join()).await;
        }
    }
}
