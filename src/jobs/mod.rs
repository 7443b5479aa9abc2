//! Background work that runs beside the HTTP server on every node: a loop that ticks every
//! second on its own thread. Each task is idempotent and safe to run on many nodes at once.

use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::clock::Clock;
use crate::config::Config;
use crate::db::Pool;
use crate::mail::outbox::Worker;
use crate::mail::transport::Mailer;
use views::ViewCounter;

pub mod checkpoint;
pub mod comment_writer;
pub mod durable_ack;
pub mod housekeeping;
pub mod notifications;
pub mod recent_clients;
pub mod semantic_reader;
pub mod views;

/// How often the loop wakes.
const TICK: Duration = Duration::from_secs(1);
/// How often the outbox gauges of `/metrics` are read from the database.
const GAUGES_EVERY: Duration = Duration::from_secs(10);

/// What the job loop needs, owned by its thread: the pool, the clock, the configuration, the
/// secret that signs the links in mails, the in-memory view tally and the mail transport.
#[derive(Clone)]
pub struct JobContext {
    pub pool: Pool,
    pub clock: Clock,
    pub config: Arc<Config>,
    pub secret: String,
    pub views: Arc<ViewCounter>,
    pub mailer: Arc<Mailer>,
    pub metrics: Arc<crate::http::metrics::Metrics>,
}

impl JobContext {
    /// The outbox worker over this context's pool, configuration, secret and transport.
    pub fn mail_worker(&self) -> Worker<'_> {
        Worker {
            pool: &self.pool,
            config: &self.config,
            secret: &self.secret,
            mailer: &self.mailer,
        }
    }
}

pub struct Jobs {
    stop: mpsc::Sender<()>,
    handle: Option<JoinHandle<()>>,
}

/// Starts the job loop.
pub fn start(ctx: JobContext) -> Jobs {
    let (stop, stopped) = mpsc::channel::<()>();
    let handle = std::thread::Builder::new()
        .name("consult-jobs".into())
        .spawn(move || {
            loop {
                tick(&ctx);
                match stopped.recv_timeout(TICK) {
                    Err(RecvTimeoutError::Timeout) => continue,
                    _ => break,
                }
            }
            // Counts gathered since the last tick are written before the node stops.
            flush_views(&ctx.pool, &ctx.views);
        })
        .ok();
    Jobs { stop, handle }
}

/// One pass over every task, each logging its own failure.
pub fn tick(ctx: &JobContext) {
    let now = ctx.clock.now();
    if let Err(e) = housekeeping::run(&ctx.pool, &ctx.config, now) {
        tracing::warn!(error = %e, "housekeeping failed");
    }
    flush_views(&ctx.pool, &ctx.views);
    // R22: events the clock causes queue their mail first, so this tick can send it.
    if let Err(e) = notifications::run(&ctx.pool, &ctx.config, now) {
        tracing::warn!(error = %format!("{e:#}"), "notification scan failed");
    }
    // R23: the outbox worker; an SMTP outage only delays this loop, never a request.
    match crate::mail::outbox::deliver_due(&ctx.mail_worker(), now) {
        Ok(pass) => {
            ctx.metrics.mail_sent.inc_by(pass.sent as u64);
            ctx.metrics.mail_retried.inc_by(pass.retrying as u64);
            ctx.metrics.mail_failed.inc_by(pass.failed as u64);
        }
        Err(e) => tracing::warn!(error = %format!("{e:#}"), "mail delivery pass failed"),
    }
    outbox_gauges(ctx, now);
    // Duplicate flags for moderators: new comments, by cursor.
    let scanned = ctx
        .pool
        .get()
        .map_err(anyhow::Error::from)
        .and_then(|mut conn| {
            crate::service::duplicates::scan(&mut conn, &ctx.config, now)
                .map_err(|e| anyhow::anyhow!("{e}"))
        });
    if let Err(e) = scanned {
        tracing::warn!(error = %format!("{e:#}"), "duplicate scan failed");
    }
}

/// `mail_queued` and `mail_oldest_unsent_seconds`, read at most every `GAUGES_EVERY`.
fn outbox_gauges(ctx: &JobContext, now: chrono::DateTime<chrono::Utc>) {
    static LAST: std::sync::Mutex<Option<std::time::Instant>> = std::sync::Mutex::new(None);
    {
        let mut last = LAST.lock().unwrap_or_else(|p| p.into_inner());
        if last.is_some_and(|at| at.elapsed() < GAUGES_EVERY) {
            return;
        }
        *last = Some(std::time::Instant::now());
    }
    let waiting = ctx
        .pool
        .get()
        .map_err(anyhow::Error::from)
        .and_then(|mut conn| crate::db::outbox::waiting(&mut conn).map_err(anyhow::Error::from));
    match waiting {
        Ok((count, oldest)) => {
            ctx.metrics.mail_queued.set(count);
            let age = oldest.map_or(0, |t| (now.naive_utc() - t).num_seconds().max(0));
            ctx.metrics.mail_oldest_unsent_seconds.set(age);
        }
        Err(e) => tracing::warn!(error = %e, "outbox gauges not read"),
    }
}

/// Adds the in-memory draft view tally to the database.
pub fn flush_views(pool: &Pool, views: &ViewCounter) {
    let result = pool
        .get()
        .map_err(anyhow::Error::from)
        .and_then(|mut conn| views.flush(&mut conn).map_err(anyhow::Error::from));
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
