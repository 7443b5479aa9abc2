//! R10/R11/R15: the group-commit writer for public comments (DESIGN-NOTES §2).
//!
//! SQLite with `synchronous=FULL` pays one fsync per commit, so one transaction per request
//! caps intake at the fsync rate. Handlers therefore validate and prepare each comment outside
//! any lock and hand it over a bounded channel to ONE writer thread. The writer takes whatever
//! is waiting (up to `BATCH_MAX`), writes it in one transaction — each item under its own
//! savepoint, so a failing item never fails its batch-mates — commits, and only then answers
//! every waiter. Idempotency keys, the per-client hourly limit and the per-address cap are
//! checked inside that transaction, so racing requests cannot both win. A full channel is
//! answered at once (503) instead of queueing without bound.
//!
//! The same code path serves PostgreSQL; several nodes each run one writer, and the unique
//! key on `idempotency_keys` settles a race between nodes.

use std::collections::HashMap;
use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use diesel::Connection;
use tokio::sync::oneshot;

use crate::db::comments::{self as q, DraftWindow, IdempotencyKey, NewComment};
use crate::db::{self, Backend, DbConn, Pool};
use crate::domain::comment::{Intake, intake, tracking_number};

/// How many submissions may wait for the writer before new ones get 503.
pub const QUEUE_CAPACITY: usize = 16_384;
/// R11: an idempotency key holds for a day.
pub const IDEMPOTENCY_TTL: TimeDelta = TimeDelta::hours(24);
/// How long a draft's window and articles are reused without reading the database. Safe to
/// cache because the phase is computed from the cached window and the clock at each request,
/// and the writer re-reads state and window inside its transaction before storing.
const DRAFT_TTL: Duration = Duration::from_millis(1500);

/// One prepared comment, with what the writer must check before storing it.
#[derive(Debug)]
pub struct Submission {
    pub row: NewComment,
    pub now: DateTime<Utc>,
    /// The site's local date, the readable part of the tracking number.
    pub local_date: chrono::NaiveDate,
    pub receipt_token: String,
    pub idempotency: Option<Idempotency>,
    pub receipt_mail: Option<ReceiptMail>,
    pub per_client_per_hour: u32,
    pub per_email_per_draft: u32,
}

#[derive(Debug, Clone)]
pub struct Idempotency {
    pub key_hash: String,
    pub request_hash: String,
}

/// R10/R22: the receipt mail to queue with the comment.
#[derive(Debug, Clone)]
pub struct ReceiptMail {
    pub recipient: String,
    pub locale: String,
    pub draft_title: String,
    pub public_url: String,
}

/// What the submitter is told.
#[derive(Debug, Clone)]
pub struct Receipt {
    pub tracking_number: String,
    pub receipt_token: String,
    pub submitted_at: NaiveDateTime,
    /// True when an earlier request with the same key already stored it (R11).
    pub replayed: bool,
}

/// Why a submission was not stored.
#[derive(Debug)]
pub enum Refusal {
    /// R5: the draft stopped taking comments between validation and commit.
    NotOpen(Intake),
    /// R15: too many comments from this client in the last hour.
    RateLimited { retry_after_secs: u64 },
    /// R15: this address reached the cap for the draft.
    EmailCap { cap: u32 },
    /// R11: the key was used with a different body.
    KeyReused,
    /// The queue is full.
    Overloaded,
    /// The database failed; nothing was stored.
    Failed(anyhow::Error),
}

type Reply = oneshot::Sender<Result<Receipt, Refusal>>;

/// The handle handlers use: the writer's channel and the draft cache.
pub struct CommentIntake {
    sender: SyncSender<(Submission, Reply)>,
    drafts: Mutex<HashMap<String, (Instant, Arc<DraftWindow>)>>,
}

impl CommentIntake {
    /// Starts the writer thread. It ends when the last handle is dropped.
    pub fn start(pool: Pool, backend: Backend, secret: String) -> CommentIntake {
        let (sender, receiver) = mpsc::sync_channel::<(Submission, Reply)>(QUEUE_CAPACITY);
        let batch_max = match backend {
            // One fsync per batch: bigger batches, more throughput.
            Backend::Sqlite => 2048,
            Backend::Postgres => 512,
        };
        let spawned = std::thread::Builder::new()
            .name("consult-comment-writer".into())
            .spawn(move || run(&pool, &secret, &receiver, batch_max));
        if let Err(e) = spawned {
            // Without the thread every submission is answered 503 (the receiver is gone).
            tracing::error!(error = %e, "cannot start the comment writer");
        }
        CommentIntake {
            sender,
            drafts: Mutex::new(HashMap::new()),
        }
    }

    /// Queues a submission; `Err(Overloaded)` when the queue is full.
    pub fn submit(
        &self,
        submission: Submission,
    ) -> Result<oneshot::Receiver<Result<Receipt, Refusal>>, Refusal> {
        let (tx, rx) = oneshot::channel();
        match self.sender.try_send((submission, tx)) {
            Ok(()) => Ok(rx),
            Err(TrySendError::Full(_)) => Err(Refusal::Overloaded),
            Err(TrySendError::Disconnected(_)) => Err(Refusal::Failed(anyhow::anyhow!(
                "the comment writer is not running"
            ))),
        }
    }

    /// A draft's window and articles from the cache, if fresh.
    pub fn cached_draft(&self, id: &str) -> Option<Arc<DraftWindow>> {
        let cache = self.drafts.lock().unwrap_or_else(|p| p.into_inner());
        cache
            .get(id)
            .filter(|(at, _)| at.elapsed() < DRAFT_TTL)
            .map(|(_, d)| d.clone())
    }

    pub fn remember_draft(&self, draft: Arc<DraftWindow>) {
        let mut cache = self.drafts.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= 10_000 {
            cache.retain(|_, (at, _)| at.elapsed() < DRAFT_TTL);
        }
        cache.insert(draft.id.clone(), (Instant::now(), draft));
    }
}

fn run(
    pool: &Pool,
    secret: &str,
    receiver: &mpsc::Receiver<(Submission, Reply)>,
    batch_max: usize,
) {
    while let Ok(first) = receiver.recv() {
        let mut batch = vec![first];
        while batch.len() < batch_max {
            match receiver.try_recv() {
                Ok(item) => batch.push(item),
                Err(_) => break,
            }
        }
        let (items, replies): (Vec<Submission>, Vec<Reply>) = batch.into_iter().unzip();
        let results = write_batch(pool, secret, items);
        for (reply, result) in replies.into_iter().zip(results) {
            // A waiter that went away (client hung up) still had its comment stored.
            let _ = reply.send(result);
        }
    }
}

/// Writes a batch in one transaction and returns one result per item, in order. Results
/// are only handed out after the commit, so an acknowledged comment is durable.
fn write_batch(pool: &Pool, secret: &str, items: Vec<Submission>) -> Vec<Result<Receipt, Refusal>> {
    let n = items.len();
    let failed = |e: anyhow::Error| -> Vec<Result<Receipt, Refusal>> {
        tracing::error!(error = %format!("{e:#}"), batch = n, "comment batch not stored");
        (0..n)
            .map(|_| Err(Refusal::Failed(anyhow::anyhow!("{e:#}"))))
            .collect()
    };
    let mut conn = match pool.get() {
        Ok(c) => c,
        Err(e) => return failed(e.into()),
    };
    let mut items = items;
    let outcome = db::write_tx(&mut conn, |conn| {
        let mut windows: HashMap<String, Option<q::DraftState>> = HashMap::new();
        let mut results = Vec::with_capacity(items.len());
        for item in items.iter_mut() {
            let window = match windows.get(&item.row.draft_id) {
                Some(w) => w.clone(),
                None => {
                    let w = q::draft_state(conn, &item.row.draft_id)?;
                    windows.insert(item.row.draft_id.clone(), w.clone());
                    w
                }
            };
            let phase = match &window {
                Some((state, opens_at, closes_at)) => {
                    intake(state, *opens_at, *closes_at, item.now)
                }
                None => Intake::NotPublic,
            };
            if phase != Intake::Open {
                results.push(Err(Refusal::NotOpen(phase)));
                continue;
            }
            results.push(write_one(conn, secret, item)?);
        }
        Ok::<_, diesel::result::Error>(results)
    });
    match outcome {
        Ok(results) => results,
        Err(e) => failed(e.into()),
    }
}

/// One item under its own savepoint. `Ok(Err(refusal))` is a refusal that leaves the batch
/// going; `Err` is a database failure of the whole transaction.
fn write_one(
    conn: &mut DbConn,
    secret: &str,
    item: &mut Submission,
) -> diesel::QueryResult<Result<Receipt, Refusal>> {
    for attempt in 0..3 {
        let result = conn.transaction(
            |conn| -> Result<Result<Receipt, Refusal>, diesel::result::Error> {
                if let Some(key) = &item.idempotency {
                    if let Some(found) = q::find_idempotency_key(conn, &key.key_hash)? {
                        if found.expires_at > item.now.naive_utc() {
                            return replay(conn, secret, &found, &key.request_hash);
                        }
                        q::delete_idempotency_key(conn, &key.key_hash)?;
                    }
                }
                if let (Some(key), true) =
                    (item.row.client_key.as_deref(), item.per_client_per_hour > 0)
                {
                    let limit = i64::from(item.per_client_per_hour);
                    let since = item.now - TimeDelta::hours(1);
                    let recent = q::recent_by_client(conn, key, since, limit)?;
                    if recent.len() as i64 >= limit {
                        let oldest = recent.first().map(|t| t.and_utc()).unwrap_or(item.now);
                        let free_at = oldest + TimeDelta::hours(1);
                        let secs = (free_at - item.now).num_seconds().max(1) as u64;
                        return Ok(Err(Refusal::RateLimited {
                            retry_after_secs: secs,
                        }));
                    }
                }
                if let (Some(email), true) = (
                    item.row.email_normalized.as_deref(),
                    item.per_email_per_draft > 0,
                ) {
                    let cap = i64::from(item.per_email_per_draft);
                    if q::count_by_email(conn, &item.row.draft_id, email, cap)? >= cap {
                        return Ok(Err(Refusal::EmailCap {
                            cap: item.per_email_per_draft,
                        }));
                    }
                }
                q::insert(conn, &item.row)?;
                if let Some(mail) = &item.receipt_mail {
                    q::insert_outbox(
                        conn,
                        &receipt_message(&item.row, &item.receipt_token, mail, item.now),
                    )?;
                }
                if let Some(key) = &item.idempotency {
                    q::insert_idempotency_key(
                        conn,
                        &IdempotencyKey {
                            key_hash: key.key_hash.clone(),
                            draft_id: item.row.draft_id.clone(),
                            comment_id: item.row.id.clone(),
                            request_hash: key.request_hash.clone(),
                            created_at: item.now.naive_utc(),
                            expires_at: (item.now + IDEMPOTENCY_TTL).naive_utc(),
                        },
                    )?;
                }
                Ok(Ok(Receipt {
                    tracking_number: item.row.tracking_number.clone(),
                    receipt_token: item.receipt_token.clone(),
                    submitted_at: item.row.submitted_at,
                    replayed: false,
                }))
            },
        );
        match result {
            Err(e) if db::is_unique_violation(&e) && attempt < 2 => {
                // Another node stored the same idempotency key first (the next attempt
                // replays it), or the random part of the tracking number collided.
                item.row.tracking_number =
                    tracking_number(item.local_date, &db::ids::random_code(10));
                continue;
            }
            other => return other,
        }
    }
    Ok(Err(Refusal::Failed(anyhow::anyhow!(
        "could not store the comment after retries"
    ))))
}

fn replay(
    conn: &mut DbConn,
    secret: &str,
    found: &IdempotencyKey,
    request_hash: &str,
) -> diesel::QueryResult<Result<Receipt, Refusal>> {
    if found.request_hash != request_hash {
        return Ok(Err(Refusal::KeyReused));
    }
    let Some(comment) = q::by_id(conn, &found.comment_id)? else {
        return Ok(Err(Refusal::KeyReused));
    };
    Ok(Ok(Receipt {
        tracking_number: comment.tracking_number,
        receipt_token: receipt_token(secret, &comment.id),
        submitted_at: comment.submitted_at,
        replayed: true,
    }))
}

/// R10: the receipt token of a comment, derived from the server secret so that a replayed
/// request (R11) can be answered with the same token; only its hash is stored.
pub fn receipt_token(secret: &str, comment_id: &str) -> String {
    crate::security::sign(secret, &format!("receipt-token:{comment_id}"))
}

/// R10/R23: the `comment_receipt` outbox row (template data only; the mail worker renders it).
pub fn receipt_message(
    row: &NewComment,
    token: &str,
    mail: &ReceiptMail,
    now: DateTime<Utc>,
) -> q::NewOutboxMessage {
    let id = db::ids::new_id(now);
    let lookup = format!(
        "{}/receipts/{}?token={}",
        mail.public_url.trim_end_matches('/'),
        row.tracking_number,
        token
    );
    let payload = serde_json::json!({
        "tracking_number": row.tracking_number,
        "receipt_token": token,
        "draft_id": row.draft_id,
        "draft_title": mail.draft_title,
        "submitted_at": db::utc_string(row.submitted_at),
        "lookup_url": lookup,
    });
    q::NewOutboxMessage {
        message_id: format!("<{id}@consult>"),
        id,
        kind: "comment_receipt".into(),
        recipient: mail.recipient.clone(),
        locale: mail.locale.clone(),
        payload: payload.to_string(),
        dedupe_key: Some(format!("comment_receipt:{}", row.id)),
        draft_id: Some(row.draft_id.clone()),
        status: "queued".into(),
        attempts: 0,
        next_attempt_at: now.naive_utc(),
        created_at: now.naive_utc(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(now: DateTime<Utc>) -> Submission {
        Submission {
            row: NewComment {
                id: db::ids::new_id(now),
                draft_id: "d".into(),
                round: 1,
                tracking_number: "20260301-AAAAA-BBBBB".into(),
                receipt_token_hash: "h".into(),
                body: "意见".into(),
                article: None,
                stakeholder_type: "individual".into(),
                organization: None,
                name: None,
                email: None,
                email_normalized: None,
                phone: None,
                region: None,
                publish_name: false,
                withhold: false,
                channel: "online".into(),
                locale: "zh-CN".into(),
                status: "pending".into(),
                entered_by: None,
                client_key: None,
                submitted_at: now.naive_utc(),
            },
            now,
            local_date: now.date_naive(),
            receipt_token: "t".into(),
            idempotency: None,
            receipt_mail: None,
            per_client_per_hour: 30,
            per_email_per_draft: 20,
        }
    }

    #[test]
    fn a_full_queue_refuses_at_once_instead_of_waiting() {
        let (sender, _receiver) = mpsc::sync_channel(2);
        let intake = CommentIntake {
            sender,
            drafts: Mutex::new(HashMap::new()),
        };
        let now = Utc::now();
        assert!(intake.submit(sample(now)).is_ok());
        assert!(intake.submit(sample(now)).is_ok());
        assert!(matches!(
            intake.submit(sample(now)),
            Err(Refusal::Overloaded)
        ));
    }

    #[test]
    fn receipt_tokens_are_derived_per_comment_and_secret() {
        assert_eq!(receipt_token("k", "a"), receipt_token("k", "a"));
        assert_ne!(receipt_token("k", "a"), receipt_token("k", "b"));
        assert_ne!(receipt_token("k", "a"), receipt_token("j", "a"));
    }
}
