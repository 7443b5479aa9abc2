//! R23: the outbox worker. Each pass claims due messages, renders each once (stored, so a
//! retry sends the same bytes), sends it, and marks it sent, scheduled for a retry with
//! exponential backoff on the injected clock, or permanently failed (audited, R26). A sent
//! row keeps no rendered body and no token or personal link in its payload.
//!
//! It runs from the job loop, never inside a request: an SMTP outage delays mail, never a
//! user. Several nodes can run it against one database; claims keep them apart. A crash
//! between sending and marking leaves a claim that expires after the lease, and the message
//! is then sent again: the one documented way a mail goes out twice.

use std::sync::OnceLock;
use std::time::SystemTime;

use chrono::{DateTime, Utc};
use lettre::Message;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use serde_json::json;

use super::render::{RenderContext, Rendered, render_message};
use super::transport::{Mailer, SendError};
use crate::config::Config;
use crate::db::audit::{self, AuditEvent};
use crate::db::outbox::{self, OutboxMessage};
use crate::db::{self, DbConn, Pool};
use crate::domain::mail::{mask_email, redact_payload, retry_delay};
use diesel::QueryResult;

/// How many messages one pass claims.
const BATCH: i64 = 50;

/// This process's name in `claimed_by`: host, process id and a random part.
pub fn worker_id() -> &'static str {
    static ID: OnceLock<String> = OnceLock::new();
    ID.get_or_init(|| {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "node".into());
        format!("{host}:{}:{}", std::process::id(), db::ids::random_code(6))
    })
}

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    pub sent: usize,
    pub retrying: usize,
    pub failed: usize,
    /// Left for later without an attempt because the server was down.
    pub deferred: usize,
}

/// What the worker needs: the pool, the configuration (`mail.*`, and the site for
/// rendering), the secret that signs the links in mails, and the transport.
#[derive(Clone, Copy)]
pub struct Worker<'a> {
    pub pool: &'a Pool,
    pub config: &'a Config,
    pub secret: &'a str,
    pub mailer: &'a Mailer,
}

/// One pass of the worker: sends every message due at `now` (up to a batch).
pub fn deliver_due(job: &Worker<'_>, now: DateTime<Utc>) -> anyhow::Result<Pass> {
    deliver_due_as(job, now, worker_id())
}

/// `deliver_due` under an explicit worker name (tests use it to play two nodes).
///
/// A pass takes the database's write lock three times at most, whatever the batch size: once
/// to claim, once to store the renderings, once to mark what was sent. On SQLite the comment
/// writer shares that lock, so a surge of receipts must not cost it one wait per mail.
pub fn deliver_due_as(job: &Worker<'_>, now: DateTime<Utc>, worker: &str) -> anyhow::Result<Pass> {
    let mut conn = job.pool.get()?;
    let claimed = outbox::claim_due(&mut conn, now, worker, BATCH)?;
    let mut pass = Pass::default();
    if claimed.is_empty() {
        return Ok(pass);
    }
    let ctx = RenderContext::new(job.config, job.secret);
    // Render what was never rendered; keep the renderings before anything is sent, so that a
    // retry sends the same bytes.
    let mut ready: Vec<(OutboxMessage, Rendered, bool)> = Vec::with_capacity(claimed.len());
    for msg in claimed {
        match Rendered::from_row(&msg) {
            Some(r) => ready.push((msg, r, false)),
            None => match render_message(&ctx, &mut conn, &msg)? {
                Ok(r) => ready.push((msg, r, true)),
                Err(e) => {
                    fail(&mut conn, now, worker, &msg, &format!("cannot render: {e}"))?;
                    pass.failed += 1;
                }
            },
        }
    }
    if ready.iter().any(|(_, _, fresh)| *fresh) {
        db::write_tx(&mut conn, |conn| -> QueryResult<()> {
            for (msg, r, _) in ready.iter().filter(|(_, _, fresh)| *fresh) {
                outbox::store_rendered(
                    conn,
                    &msg.id,
                    &r.subject,
                    &r.text,
                    &r.html,
                    &r.headers_json(),
                )?;
            }
            Ok(())
        })?;
    }
    let mut sent: Vec<&OutboxMessage> = Vec::new();
    let mut rest = ready.iter();
    for (msg, rendered, _) in rest.by_ref() {
        match deliver_one(job, &mut conn, now, worker, msg, rendered)? {
            Outcome::Sent => sent.push(msg),
            Outcome::Retrying => pass.retrying += 1,
            Outcome::Failed => pass.failed += 1,
            Outcome::ServerDown => {
                pass.retrying += 1;
                break;
            }
        }
    }
    // A crash before this commit leaves the claims to expire, and those mails go out again:
    // the one documented way a message is sent twice.
    let marked = db::write_tx(&mut conn, |conn| -> QueryResult<Vec<bool>> {
        sent.iter()
            .map(|msg| {
                let redacted = redact_payload(&msg.payload);
                outbox::mark_sent(conn, now, &msg.id, worker, &redacted)
            })
            .collect()
    })?;
    for (msg, held) in sent.iter().zip(marked) {
        if !held {
            tracing::warn!(mail.id = %msg.id, "mail sent after its claim expired; another node may send it too");
        }
        tracing::info!(mail.id = %msg.id, mail.kind = %msg.kind, mail.to = %mask_email(&msg.recipient), "mail sent");
    }
    pass.sent = sent.len();
    // The server cannot be reached: the rest of the batch waits as long as the message that
    // found it down, without counting an attempt, instead of each waiting for a timeout.
    let left: Vec<String> = rest.map(|(m, _, _)| m.id.clone()).collect();
    if !left.is_empty() {
        outbox::release(&mut conn, &left, worker, now + retry_delay(1))?;
        pass.deferred = left.len();
    }
    Ok(pass)
}

enum Outcome {
    Sent,
    Retrying,
    ServerDown,
    Failed,
}

/// Sends one rendered message; a refusal is recorded at once (rare), a success by the caller.
fn deliver_one(
    job: &Worker<'_>,
    conn: &mut DbConn,
    now: DateTime<Utc>,
    worker: &str,
    msg: &OutboxMessage,
    rendered: &Rendered,
) -> anyhow::Result<Outcome> {
    let email = match build_message(&job.config.mail.from, msg, rendered, now) {
        Ok(m) => m,
        Err(e) => return fail(conn, now, worker, msg, &e),
    };
    match job.mailer.send(&msg.id, &email) {
        Ok(()) => Ok(Outcome::Sent),
        Err(SendError::Permanent(e)) => fail(conn, now, worker, msg, &e),
        Err(SendError::Transient(e)) => {
            retry_later(job, conn, now, worker, msg, &e, Outcome::Retrying)
        }
        Err(SendError::Unavailable(e)) => {
            retry_later(job, conn, now, worker, msg, &e, Outcome::ServerDown)
        }
    }
}

/// R23: schedules the next attempt after the backoff, or gives up after `mail.max_attempts`.
fn retry_later(
    job: &Worker<'_>,
    conn: &mut DbConn,
    now: DateTime<Utc>,
    worker: &str,
    msg: &OutboxMessage,
    error: &str,
    outcome: Outcome,
) -> anyhow::Result<Outcome> {
    let attempts = msg.attempts + 1;
    if attempts >= job.config.mail.max_attempts as i32 {
        return fail(
            conn,
            now,
            worker,
            msg,
            &format!("gave up after {attempts} attempts: {error}"),
        );
    }
    let next = now + retry_delay(attempts);
    outbox::mark_retry(conn, &msg.id, worker, attempts, next, &truncate(error))?;
    tracing::warn!(mail.id = %msg.id, attempts, next_attempt_at = %next, error = %error, "mail not sent; will retry");
    Ok(outcome)
}

/// R23/R26: marks the message failed and audits it, in one transaction.
fn fail(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    worker: &str,
    msg: &OutboxMessage,
    error: &str,
) -> anyhow::Result<Outcome> {
    let error = truncate(error);
    let attempts = msg.attempts + 1;
    db::write_tx(conn, |conn| -> Result<(), diesel::result::Error> {
        if outbox::mark_failed(conn, &msg.id, worker, attempts, &error)? {
            audit::append(
                conn,
                now,
                &AuditEvent {
                    actor: "system",
                    action: "mail.failed",
                    object_type: "outbox",
                    object_id: &msg.id,
                    draft_id: msg.draft_id.as_deref(),
                    details: json!({
                        "kind": msg.kind,
                        "recipient": mask_email(&msg.recipient),
                        "attempts": attempts,
                        "error": error,
                    }),
                },
            )?;
        }
        Ok(())
    })?;
    tracing::error!(mail.id = %msg.id, mail.kind = %msg.kind, mail.to = %mask_email(&msg.recipient), error = %error, "mail permanently failed");
    Ok(Outcome::Failed)
}

fn truncate(s: &str) -> String {
    s.chars().take(500).collect()
}

/// The MIME message: multipart/alternative (text, then HTML), its own Message-ID, the stored
/// headers. An address that cannot be parsed is a permanent failure.
pub fn build_message(
    from: &str,
    msg: &OutboxMessage,
    rendered: &Rendered,
    now: DateTime<Utc>,
) -> Result<Message, String> {
    let from: Mailbox = from
        .parse()
        .map_err(|e| format!("mail.from is not an address: {e}"))?;
    let to: Mailbox = msg
        .recipient
        .parse()
        .map_err(|e| format!("bad recipient address: {e}"))?;
    let mut builder = Message::builder()
        .from(from)
        .to(to)
        .subject(rendered.subject.clone())
        .message_id(Some(msg.message_id.clone()))
        .date(SystemTime::from(now));
    for (name, value) in &rendered.headers {
        let name = HeaderName::new_from_ascii(name.clone())
            .map_err(|e| format!("bad header name {name}: {e}"))?;
        builder = builder.raw_header(HeaderValue::new(name, value.clone()));
    }
    builder
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .body(rendered.text.clone()),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(rendered.html.clone()),
                ),
        )
        .map_err(|e| format!("cannot build the message: {e}"))
}
