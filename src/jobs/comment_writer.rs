//! R10/R11/R15: the group-commit writers for public comments.
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
//! The same code path serves PostgreSQL, where each node runs `PG_WRITERS` writers sharing
//! the channel; the unique key on `idempotency_keys` settles a race between writers and
//! nodes, and transaction-scoped advisory locks on the batch's clients and addresses keep
//! two writers from both admitting a client past its limit.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use diesel::Connection;
use tokio::sync::oneshot;

use super::checkpoint::WriteTurn;
use super::durable_ack::{DurableAck, WalSync};
use super::recent_clients::ClientHistory;
use crate::db::comments::{self as q, DraftWindow, IdempotencyKey, NewComment};
use crate::db::{self, Backend, DbConn, Pool};
use crate::domain::comment::{Intake, intake, tracking_number};

/// PostgreSQL: writers of one node, each with its own connection. A commit waits for its WAL
/// flush; with several writers one batch is checked and inserted while another waits, and
/// the flushes of concurrent commits are shared. (SQLite has one writer: it allows one.)
pub const PG_WRITERS: usize = 3;
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
    /// The site's wall-clock time of `now`, the readable part of the tracking number.
    pub local_time: NaiveDateTime,
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

pub type Reply = oneshot::Sender<Result<Receipt, Refusal>>;

/// The handle handlers use: the writer's channel and the draft cache.
pub struct CommentIntake {
    sender: SyncSender<(Submission, Reply)>,
    drafts: Mutex<HashMap<String, (Instant, Arc<DraftWindow>)>>,
    /// SQLite: the thread that checkpoints the WAL so the writer never has to.
    _checkpointer: Option<super::checkpoint::Checkpointer>,
    /// SQLite: fsyncs of the WAL after which answers were sent (`jobs::durable_ack`).
    wal_syncs: Arc<AtomicU64>,
}

impl CommentIntake {
    /// Starts the writer threads (one on SQLite, `PG_WRITERS` on PostgreSQL). They end when
    /// the last handle is dropped.
    /// `batches` observes how many comments each transaction wrote (`/metrics`).
    pub fn start(
        pool: Pool,
        backend: Backend,
        secret: String,
        batches: prometheus::Histogram,
    ) -> CommentIntake {
        let sync: WalSync = Arc::new(super::durable_ack::sync_wal);
        CommentIntake::start_with_wal_sync(pool, backend, secret, batches, sync)
    }

    /// `start`, with the WAL made durable by `sync` instead of `durable_ack::sync_wal`
    /// (SQLite). Tests wrap the real fsync to check what is on disk when it is called
    /// (tests/crash.rs); the service always uses `start`.
    pub fn start_with_wal_sync(
        pool: Pool,
        backend: Backend,
        secret: String,
        batches: prometheus::Histogram,
        sync: WalSync,
    ) -> CommentIntake {
        let (sender, receiver) = mpsc::sync_channel::<(Submission, Reply)>(QUEUE_CAPACITY);
        let batch_max = match backend {
            // One fsync per batch: bigger batches, more throughput.
            Backend::Sqlite => 2048,
            Backend::Postgres => 512,
        };
        let turn = WriteTurn::default();
        let wal_syncs = Arc::new(AtomicU64::new(0));
        let checkpointer = (backend == Backend::Sqlite)
            .then(|| super::checkpoint::Checkpointer::start(pool.clone(), turn.clone()));
        let receiver = Arc::new(Mutex::new(receiver));
        let writers = match backend {
            Backend::Sqlite => 1,
            Backend::Postgres => PG_WRITERS,
        };
        for n in 0..writers {
            let (pool, secret, receiver, turn, synced, batches, sync) = (
                pool.clone(),
                secret.clone(),
                receiver.clone(),
                turn.clone(),
                wal_syncs.clone(),
                batches.clone(),
                sync.clone(),
            );
            let spawned = std::thread::Builder::new()
                .name(format!("consult-comment-writer-{n}"))
                .spawn(move || {
                    run(
                        &pool, backend, &secret, &receiver, batch_max, &turn, &synced, &sync,
                        &batches,
                    )
                });
            if let Err(e) = spawned {
                // Without any thread every submission is answered 503 (the receiver is gone).
                tracing::error!(error = %e, "cannot start a comment writer");
            }
        }
        CommentIntake {
            sender,
            drafts: Mutex::new(HashMap::new()),
            _checkpointer: checkpointer,
            wal_syncs,
        }
    }

    /// SQLite: how many fsyncs of the WAL answered waiters so far (0 on PostgreSQL, whose
    /// commits wait for their own flush).
    pub fn wal_syncs(&self) -> u64 {
        self.wal_syncs.load(Ordering::Relaxed)
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

    /// Drops a draft from the cache after a step of its review chain on this node, so that a
    /// new window or round is read at once here (other nodes wait out `DRAFT_TTL`; the writer's
    /// own check inside its transaction holds on every node).
    pub fn forget_draft(&self, id: &str) {
        let mut cache = self.drafts.lock().unwrap_or_else(|p| p.into_inner());
        cache.remove(id);
    }

    pub fn remember_draft(&self, draft: Arc<DraftWindow>) {
        let mut cache = self.drafts.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= 10_000 {
            cache.retain(|_, (at, _)| at.elapsed() < DRAFT_TTL);
        }
        cache.insert(draft.id.clone(), (Instant::now(), draft));
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "one writer thread's whole setting"
)]
fn run(
    pool: &Pool,
    backend: Backend,
    secret: &str,
    receiver: &Mutex<mpsc::Receiver<(Submission, Reply)>>,
    batch_max: usize,
    turn: &WriteTurn,
    synced: &Arc<AtomicU64>,
    sync: &WalSync,
    batches: &prometheus::Histogram,
) {
    // The writer keeps one connection for itself (a fresh one after a failure).
    let mut held: Option<db::PooledConn> = None;
    let mut history = ClientHistory::for_backend(backend);
    // SQLite: answers wait for an fsync on another thread (`jobs::durable_ack`).
    let mut ack: Option<DurableAck> = None;
    // Several writers take turns at the queue: one waits for the next submission and takes
    // what else is waiting, then lets the next writer wait while it writes.
    while let Some(batch) = next_batch(receiver, batch_max) {
        batches.observe(batch.len() as f64);
        let (items, replies): (Vec<Submission>, Vec<Reply>) = batch.into_iter().unzip();
        if held.is_none() {
            match pool.get() {
                Ok(mut conn) => {
                    tune(&mut conn, &mut ack, sync, synced);
                    held = Some(conn);
                }
                Err(e) => tracing::error!(error = %e, "the comment writer has no connection"),
            }
        }
        let results = match held.as_mut() {
            Some(conn) => {
                // SQLite: the checkpointer waits for its turn between batches.
                let _turn = (backend == Backend::Sqlite).then(|| turn.take());
                write_batch(conn, secret, &mut history, items)
            }
            None => items
                .iter()
                .map(|_| {
                    Err(Refusal::Failed(anyhow::anyhow!(
                        "no database connection for the comment writer"
                    )))
                })
                .collect(),
        };
        if results.iter().any(|r| matches!(r, Err(Refusal::Failed(_)))) {
            held = None;
            history.forget();
        }
        let answers: Vec<_> = replies.into_iter().zip(results).collect();
        match &ack {
            Some(ack) => ack.answer_after_sync(answers),
            None => {
                for (reply, result) in answers {
                    // A waiter that went away (client hung up) still had its comment stored.
                    let _ = reply.send(result);
                }
            }
        }
    }
}

/// The next batch: the first submission to arrive and whatever else is waiting, up to
/// `batch_max`; `None` once every handle is gone.
fn next_batch(
    receiver: &Mutex<mpsc::Receiver<(Submission, Reply)>>,
    batch_max: usize,
) -> Option<Vec<(Submission, Reply)>> {
    let receiver = receiver.lock().unwrap_or_else(|p| p.into_inner());
    let first = receiver.recv().ok()?;
    let mut batch = vec![first];
    while batch.len() < batch_max {
        match receiver.try_recv() {
            Ok(item) => batch.push(item),
            Err(_) => break,
        }
    }
    Some(batch)
}

/// Settings for the writer's own connection. SQLite: a larger page cache, so the indexes stay
/// in memory instead of being re-read; no automatic checkpoints (`jobs::checkpoint` runs them
/// on its own thread); and, once `jobs::durable_ack` runs, commits that do not wait for the
/// disk, because that thread fsyncs the WAL before anyone is answered. PostgreSQL: see below.
fn tune(conn: &mut DbConn, ack: &mut Option<DurableAck>, sync: &WalSync, synced: &Arc<AtomicU64>) {
    use diesel::connection::SimpleConnection;
    match conn {
        DbConn::Sqlite(c) => {
            if let Err(e) =
                c.batch_execute("PRAGMA cache_size = -65536; PRAGMA wal_autocheckpoint = 0")
            {
                tracing::warn!(error = %e, "cannot tune the writer's connection");
            }
            if ack.is_none() {
                *ack = wal_file(c).and_then(|wal| DurableAck::start(wal, sync, synced.clone()));
            }
            if ack.is_some()
                && let Err(e) = c.batch_execute("PRAGMA synchronous = NORMAL")
            {
                tracing::warn!(error = %e, "the writer's commits stay synchronous");
            }
        }
        // Plans are made for each execution. Generic plans (made once per connection, on
        // the values of none) were tried: on a new table, before autovacuum's first ANALYZE,
        // a writer's connection could keep a plan that counts an address's comments through
        // the draft-only index, and the run that got it took five times the CPU per comment
        // (413 against 79-109 us in PostgreSQL); planning costs about 16 us per comment.
        // Without statistics the planner may also take an array of keys to match every row
        // and scan the whole table for each batch (`perf` in a burst: the server busy in
        // HeapTupleSatisfiesVisibility), so it is told to prefer the indexes. It also reads a
        // client's newest comments in index order: taking the client for a few rows, the
        // planner chose a bitmap scan, which fetches and sorts every comment of the client's
        // hour whatever the LIMIT (one busy client: 5.5 ms per batch, growing with the hour).
        DbConn::Pg(c) => {
            if let Err(e) = c.batch_execute(
                "SET plan_cache_mode = force_custom_plan; SET enable_seqscan = off; \
                 SET enable_bitmapscan = off",
            ) {
                tracing::warn!(error = %e, "cannot set the writer's planner settings");
            }
            if let Err(e) = commit_durably(c) {
                tracing::warn!(error = %e, "cannot make the writer's commits synchronous");
            }
        }
    }
}

/// R10, PostgreSQL: a comment is acknowledged once its COMMIT returns, so that COMMIT must
/// wait for the WAL flush. A server (or database, or role) configured with
/// `synchronous_commit = off` would let it return first and lose the last acknowledged
/// comments in a crash; the writer's own session turns that back `on`. Stronger settings
/// (`remote_write`, `remote_apply`) and `local` are kept.
pub fn commit_durably(conn: &mut diesel::PgConnection) -> diesel::QueryResult<()> {
    use diesel::connection::SimpleConnection;
    conn.batch_execute(
        "SELECT set_config('synchronous_commit', 'on', false) \
         WHERE current_setting('synchronous_commit') = 'off'",
    )
}

/// The WAL file of a SQLite database on disk (`None` for an in-memory one or outside WAL mode).
fn wal_file(conn: &mut diesel::SqliteConnection) -> Option<std::path::PathBuf> {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        file: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        journal_mode: String,
    }
    let row = diesel::sql_query(
        "SELECT file, (SELECT journal_mode FROM pragma_journal_mode) AS journal_mode \
         FROM pragma_database_list WHERE name = 'main'",
    )
    .get_result::<Row>(conn)
    .ok()?;
    (!row.file.is_empty() && row.journal_mode.eq_ignore_ascii_case("wal"))
        .then(|| format!("{}-wal", row.file).into())
}

/// Writes a batch in one transaction and returns one result per item, in order. Results
/// are only handed out after the commit, so an acknowledged comment is durable.
fn write_batch(
    conn: &mut DbConn,
    secret: &str,
    history: &mut ClientHistory,
    mut items: Vec<Submission>,
) -> Vec<Result<Receipt, Refusal>> {
    let n = items.len();
    match db::write_tx(conn, |conn| {
        write_planned(conn, secret, history, &mut items)
    }) {
        Ok(results) => results,
        Err(e) => {
            // Rare: a key another node stored meanwhile, a row the database refuses. Item by
            // item, so one bad item cannot fail the others; what the failed batch recorded
            // in the client history was rolled back with it.
            tracing::warn!(error = %e, batch = n, "comment batch failed; writing item by item");
            history.forget();
            items
                .iter_mut()
                .map(|item| {
                    db::write_tx(conn, |conn| write_single(conn, secret, history, item))
                        .unwrap_or_else(|e| {
                            history.forget();
                            Err(Refusal::Failed(e.into()))
                        })
                })
                .collect()
        }
    }
}

enum Decision {
    Store,
    /// R11: answered with the receipt of a stored comment.
    Replay(String),
    /// R11: answered with the receipt of an earlier item of this batch.
    ReplayInBatch(usize),
    Refuse(Refusal),
}

/// The fast path: every check for the whole batch in a handful of queries, the decisions in
/// memory (so items of one batch see each other), then multi-row inserts.
fn write_planned(
    conn: &mut DbConn,
    secret: &str,
    history: &mut ClientHistory,
    items: &mut [Submission],
) -> diesel::QueryResult<Vec<Result<Receipt, Refusal>>> {
    let Some(earliest) = items.iter().map(|i| i.now).min() else {
        return Ok(Vec::new());
    };
    let mut windows: HashMap<&str, Option<q::DraftState>> = HashMap::new();
    let mut key_hashes = Vec::new();
    let mut clients = Vec::new();
    let mut emails: HashMap<&str, Vec<String>> = HashMap::new();
    for item in items.iter() {
        let draft = item.row.draft_id.as_str();
        if !windows.contains_key(draft) {
            windows.insert(draft, q::draft_state(conn, draft)?);
        }
        if let Some(key) = &item.idempotency {
            key_hashes.push(key.key_hash.clone());
        }
        if let (Some(c), true) = (&item.row.client_key, item.per_client_per_hour > 0) {
            clients.push(c.clone());
        }
        if let (Some(e), true) = (&item.row.email_normalized, item.per_email_per_draft > 0) {
            emails.entry(draft).or_default().push(e.clone());
        }
    }
    clients.sort();
    clients.dedup();
    let mut locks: Vec<i64> = clients.iter().map(|c| limit_lock("client", c)).collect();
    for (draft, list) in &emails {
        locks.extend(list.iter().map(|e| limit_lock(draft, e)));
    }
    q::lock_limits(conn, &locks)?;
    let stored_keys: HashMap<String, IdempotencyKey> = q::find_idempotency_keys(conn, &key_hashes)?
        .into_iter()
        .map(|k| (k.key_hash.clone(), k))
        .collect();
    let limit = items
        .iter()
        .map(|i| i.per_client_per_hour as usize)
        .max()
        .unwrap_or(0);
    history.prepare(
        conn,
        &clients,
        (earliest - TimeDelta::hours(1)).naive_utc(),
        limit,
    )?;
    let mut sent: HashMap<(String, String), i64> = HashMap::new();
    for (draft, mut list) in emails {
        list.sort();
        list.dedup();
        for (email, count) in q::count_by_emails(conn, draft, &list)? {
            if let Some(email) = email {
                sent.insert((draft.to_string(), email), count);
            }
        }
    }

    let mut decisions = Vec::with_capacity(items.len());
    let mut new_keys: HashMap<&str, (usize, &str)> = HashMap::new();
    let mut expired = Vec::new();
    for (i, item) in items.iter().enumerate() {
        decisions.push(decide(
            i,
            item,
            &windows,
            &stored_keys,
            &mut new_keys,
            &mut expired,
            history,
            &mut sent,
        ));
    }

    for key in &expired {
        q::delete_idempotency_key(conn, key)?;
    }
    let storing: Vec<bool> = decisions
        .iter()
        .map(|d| matches!(d, Decision::Store))
        .collect();
    settle_tracking_numbers(conn, items, &storing)?;
    let mut rows = Vec::new();
    let mut mails = Vec::new();
    let mut keys = Vec::new();
    for (item, decision) in items.iter().zip(&decisions) {
        if !matches!(decision, Decision::Store) {
            continue;
        }
        rows.push(item.row.clone());
        if let Some(mail) = &item.receipt_mail {
            mails.push(receipt_message(&item.row, mail, item.now));
        }
        if let Some(key) = &item.idempotency {
            keys.push(IdempotencyKey {
                key_hash: key.key_hash.clone(),
                draft_id: item.row.draft_id.clone(),
                comment_id: item.row.id.clone(),
                request_hash: key.request_hash.clone(),
                created_at: item.now.naive_utc(),
                expires_at: (item.now + IDEMPOTENCY_TTL).naive_utc(),
            });
        }
    }
    q::insert_many(conn, &rows)?;
    history.tally(conn, &rows)?;
    q::insert_outbox_many(conn, &mails)?;
    q::insert_idempotency_keys(conn, &keys)?;

    let receipt_of = |item: &Submission, replayed: bool| Receipt {
        tracking_number: item.row.tracking_number.clone(),
        receipt_token: item.receipt_token.clone(),
        submitted_at: item.row.submitted_at,
        replayed,
    };
    let mut results = Vec::with_capacity(items.len());
    for (item, decision) in items.iter().zip(decisions) {
        results.push(match decision {
            Decision::Store => Ok(receipt_of(item, false)),
            Decision::ReplayInBatch(j) => Ok(receipt_of(&items[j], true)),
            Decision::Replay(comment_id) => match q::by_id(conn, &comment_id)? {
                Some(c) => Ok(Receipt {
                    receipt_token: receipt_token(secret, &c.id),
                    tracking_number: c.tracking_number,
                    submitted_at: c.submitted_at,
                    replayed: true,
                }),
                None => Err(Refusal::KeyReused),
            },
            Decision::Refuse(r) => Err(r),
        });
    }
    Ok(results)
}

/// The lock of one limit's key (`lock_limits`): a client, or an address on a draft.
fn limit_lock(scope: &str, key: &str) -> i64 {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("r15\0{scope}\0{key}").as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_le_bytes(first)
}

/// R10: numbers issued in the same 4 ms share their first part, so two of them may clash (1 in
/// 2²⁵ per pair). The clashing ones draw again before the insert, so the batch never fails on
/// the unique key (a failed batch is rewritten item by item, a commit per item).
fn settle_tracking_numbers(
    conn: &mut DbConn,
    items: &mut [Submission],
    storing: &[bool],
) -> diesel::QueryResult<()> {
    for _ in 0..4 {
        let numbers: Vec<String> = items
            .iter()
            .zip(storing)
            .filter(|(_, store)| **store)
            .map(|(item, _)| item.row.tracking_number.clone())
            .collect();
        let taken: std::collections::HashSet<String> = q::taken_tracking_numbers(conn, &numbers)?
            .into_iter()
            .collect();
        let mut seen = std::collections::HashSet::new();
        let mut redrawn = false;
        for (item, _) in items.iter_mut().zip(storing).filter(|(_, store)| **store) {
            if taken.contains(&item.row.tracking_number)
                || !seen.insert(item.row.tracking_number.clone())
            {
                item.row.tracking_number =
                    tracking_number(item.local_time, &db::ids::random_code(5));
                redrawn = true;
            }
        }
        if !redrawn {
            break;
        }
    }
    Ok(())
}

/// R5, R11, R15 for one item, given what the database holds and what the batch accepted
/// before it.
#[expect(clippy::too_many_arguments, reason = "the batch's shared bookkeeping")]
fn decide<'a>(
    i: usize,
    item: &'a Submission,
    windows: &HashMap<&str, Option<q::DraftState>>,
    stored_keys: &HashMap<String, IdempotencyKey>,
    new_keys: &mut HashMap<&'a str, (usize, &'a str)>,
    expired: &mut Vec<String>,
    history: &mut ClientHistory,
    sent: &mut HashMap<(String, String), i64>,
) -> Decision {
    let phase = match windows.get(item.row.draft_id.as_str()) {
        Some(Some((state, opens_at, closes_at))) => intake(state, *opens_at, *closes_at, item.now),
        _ => Intake::NotPublic,
    };
    if phase != Intake::Open {
        return Decision::Refuse(Refusal::NotOpen(phase));
    }
    if let Some(key) = &item.idempotency {
        if let Some((j, hash)) = new_keys.get(key.key_hash.as_str()) {
            return if *hash == key.request_hash {
                Decision::ReplayInBatch(*j)
            } else {
                Decision::Refuse(Refusal::KeyReused)
            };
        }
        if let Some(found) = stored_keys.get(&key.key_hash) {
            if found.expires_at > item.now.naive_utc() {
                return if found.request_hash == key.request_hash {
                    Decision::Replay(found.comment_id.clone())
                } else {
                    Decision::Refuse(Refusal::KeyReused)
                };
            }
            if !expired.contains(&key.key_hash) {
                expired.push(key.key_hash.clone());
            }
        }
    }
    let since = (item.now - TimeDelta::hours(1)).naive_utc();
    if let (Some(client), true) = (&item.row.client_key, item.per_client_per_hour > 0) {
        let window = history.window(client, since);
        if window.count as u64 >= u64::from(item.per_client_per_hour) {
            let oldest = window.oldest.unwrap_or(since);
            let free_at = oldest.and_utc() + TimeDelta::hours(1);
            let secs = (free_at - item.now).num_seconds().max(1) as u64;
            return Decision::Refuse(Refusal::RateLimited {
                retry_after_secs: secs,
            });
        }
    }
    let email_key = item
        .row
        .email_normalized
        .as_ref()
        .map(|e| (item.row.draft_id.clone(), e.clone()));
    if let (Some(k), true) = (&email_key, item.per_email_per_draft > 0)
        && sent.get(k).copied().unwrap_or(0) >= i64::from(item.per_email_per_draft)
    {
        return Decision::Refuse(Refusal::EmailCap {
            cap: item.per_email_per_draft,
        });
    }
    // Accepted: later items of the batch count it.
    if let Some(client) = &item.row.client_key {
        history.record(client, item.row.submitted_at);
    }
    if let Some(k) = email_key {
        *sent.entry(k).or_insert(0) += 1;
    }
    if let Some(key) = &item.idempotency {
        new_keys.insert(key.key_hash.as_str(), (i, key.request_hash.as_str()));
    }
    Decision::Store
}

/// The slow path for one item, in its own transaction.
fn write_single(
    conn: &mut DbConn,
    secret: &str,
    history: &mut ClientHistory,
    item: &mut Submission,
) -> diesel::QueryResult<Result<Receipt, Refusal>> {
    let phase = match q::draft_state(conn, &item.row.draft_id)? {
        Some((state, opens_at, closes_at)) => intake(&state, opens_at, closes_at, item.now),
        None => Intake::NotPublic,
    };
    if phase != Intake::Open {
        return Ok(Err(Refusal::NotOpen(phase)));
    }
    write_one(conn, secret, history, item)
}

/// One item under its own savepoint. `Ok(Err(refusal))` is a refusal that leaves the batch
/// going; `Err` is a database failure of the whole transaction.
fn write_one(
    conn: &mut DbConn,
    secret: &str,
    history: &mut ClientHistory,
    item: &mut Submission,
) -> diesel::QueryResult<Result<Receipt, Refusal>> {
    for attempt in 0..3 {
        let result = conn.transaction(
            |conn| -> Result<Result<Receipt, Refusal>, diesel::result::Error> {
                if let Some(key) = &item.idempotency
                    && let Some(found) = q::find_idempotency_key(conn, &key.key_hash)?
                {
                    if found.expires_at > item.now.naive_utc() {
                        return replay(conn, secret, &found, &key.request_hash);
                    }
                    q::delete_idempotency_key(conn, &key.key_hash)?;
                }
                let mut locks = Vec::new();
                if let (Some(key), true) =
                    (item.row.client_key.as_deref(), item.per_client_per_hour > 0)
                {
                    locks.push(limit_lock("client", key));
                }
                if let (Some(email), true) = (
                    item.row.email_normalized.as_deref(),
                    item.per_email_per_draft > 0,
                ) {
                    locks.push(limit_lock(&item.row.draft_id, email));
                }
                q::lock_limits(conn, &locks)?;
                if let (Some(key), true) =
                    (item.row.client_key.as_deref(), item.per_client_per_hour > 0)
                {
                    let limit = item.per_client_per_hour as usize;
                    let since = (item.now - TimeDelta::hours(1)).naive_utc();
                    history.prepare(conn, &[key.to_string()], since, limit)?;
                    let window = history.window(key, since);
                    if window.count >= limit {
                        let oldest = window.oldest.map(|t| t.and_utc()).unwrap_or(item.now);
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
                if item.per_client_per_hour > 0 {
                    history.tally(conn, std::slice::from_ref(&item.row))?;
                }
                if let Some(mail) = &item.receipt_mail {
                    q::insert_outbox(conn, &receipt_message(&item.row, mail, item.now))?;
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
                    tracking_number(item.local_time, &db::ids::random_code(5));
                continue;
            }
            other => {
                // R15: counted from now on (`forget` undoes it should the commit fail).
                if let (Ok(Ok(receipt)), Some(client)) = (&other, &item.row.client_key)
                    && !receipt.replayed
                {
                    history.record(client, item.row.submitted_at);
                }
                return other;
            }
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
    mail: &ReceiptMail,
    now: DateTime<Utc>,
) -> q::NewOutboxMessage {
    let id = db::ids::new_id(now);
    // No receipt token and no link with one: the mail job derives both from the comment's id
    // and the server secret when it renders the mail, so the outbox never holds a secret.
    let payload = serde_json::json!({
        "tracking_number": row.tracking_number,
        "comment_id": row.id,
        "draft_id": row.draft_id,
        "draft_title": mail.draft_title,
        "submitted_at": db::utc_string(row.submitted_at),
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
            local_time: now.naive_utc(),
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
            _checkpointer: None,
            wal_syncs: Arc::default(),
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

    /// A database with one open draft `d` (SQLite in a temp dir).
    fn pool_with_open_draft(now: DateTime<Utc>) -> (tempfile::TempDir, Pool) {
        use crate::db::schema::{drafts, users};
        use diesel::prelude::*;
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("w.db").display());
        let pool = db::pool(&url, 2, 5000).unwrap();
        let mut conn = pool.get().unwrap();
        db::run_migrations(&mut conn).unwrap();
        let t = now.naive_utc();
        diesel::insert_into(users::table)
            .values((
                users::id.eq("u"),
                users::username.eq("u"),
                users::display_name.eq("u"),
                users::password_hash.eq("x"),
                users::roles.eq("drafter"),
                users::active.eq(true),
                users::created_at.eq(t),
            ))
            .execute(&mut conn)
            .unwrap();
        diesel::insert_into(drafts::table)
            .values((
                drafts::id.eq("d"),
                drafts::index_no.eq("T-1"),
                drafts::title.eq("草案"),
                drafts::agency.eq("局"),
                drafts::category.eq("类"),
                drafts::subject_terms.eq("[]"),
                drafts::kind.eq("other"),
                drafts::enterprise_related.eq(false),
                drafts::summary.eq("摘要"),
                drafts::state.eq("published"),
                drafts::round.eq(1),
                drafts::timezone.eq("Asia/Shanghai"),
                drafts::opens_on.eq(now.date_naive()),
                drafts::closes_on.eq(now.date_naive()),
                drafts::opens_at.eq(Some(t - TimeDelta::days(1))),
                drafts::closes_at.eq(t + TimeDelta::days(1)),
                drafts::drafter_id.eq("u"),
                drafts::search_text.eq("x"),
                drafts::created_at.eq(t),
                drafts::updated_at.eq(t),
            ))
            .execute(&mut conn)
            .unwrap();
        (dir, pool)
    }

    fn count_stored(pool: &Pool) -> i64 {
        use diesel::prelude::*;
        crate::db::schema::comments::table
            .count()
            .get_result(&mut pool.get().unwrap())
            .unwrap()
    }

    #[test]
    fn a_failing_item_does_not_fail_its_batch_mates() {
        let now = Utc::now();
        let (_dir, pool) = pool_with_open_draft(now);
        let mut items: Vec<Submission> = (0..3)
            .map(|i| {
                let mut s = sample(now);
                s.row.draft_id = "d".into();
                s.row.tracking_number = format!("20260301-AAAAA-{i:05}");
                s
            })
            .collect();
        // The same id twice: the batch insert fails on the primary key, the batch is rolled
        // back and written item by item, and only the clashing item fails.
        items[2].row.id = items[0].row.id.clone();
        // An item for a draft that does not exist is refused on its own.
        items[1].row.draft_id = "missing".into();
        let results = write_batch(
            &mut pool.get().unwrap(),
            "secret",
            &mut ClientHistory::for_backend(Backend::Sqlite),
            items,
        );
        assert!(results[0].is_ok());
        assert!(matches!(
            results[1],
            Err(Refusal::NotOpen(Intake::NotPublic))
        ));
        assert!(matches!(results[2], Err(Refusal::Failed(_))));
        assert_eq!(count_stored(&pool), 1);
    }

    #[test]
    fn clashing_tracking_numbers_are_drawn_again() {
        let now = Utc::now();
        let (_dir, pool) = pool_with_open_draft(now);
        let mut history = ClientHistory::for_backend(Backend::Sqlite);
        let with_number = |n: &str| {
            let mut s = sample(now);
            s.row.draft_id = "d".into();
            s.row.tracking_number = n.into();
            s
        };
        let first = write_batch(
            &mut pool.get().unwrap(),
            "secret",
            &mut history,
            vec![with_number("20260301-AAAAA-BBBBB")],
        );
        assert_eq!(
            first[0].as_ref().unwrap().tracking_number,
            "20260301-AAAAA-BBBBB"
        );
        // Three more with the stored number: each stored, each told its own number.
        let results = write_batch(
            &mut pool.get().unwrap(),
            "secret",
            &mut history,
            (0..3)
                .map(|_| with_number("20260301-AAAAA-BBBBB"))
                .collect(),
        );
        let mut numbers: Vec<String> = results
            .iter()
            .map(|r| r.as_ref().unwrap().tracking_number.clone())
            .collect();
        numbers.push("20260301-AAAAA-BBBBB".into());
        numbers.sort();
        numbers.dedup();
        assert_eq!(numbers.len(), 4, "{numbers:?}");
        assert_eq!(count_stored(&pool), 4);
    }

    #[test]
    fn the_per_client_limit_outlives_the_writer() {
        let now = Utc::now();
        let (_dir, pool) = pool_with_open_draft(now);
        let from_client = |i: usize| {
            let mut s = sample(now);
            s.row.draft_id = "d".into();
            s.row.tracking_number = format!("20260301-AAAAA-{i:05}");
            s.row.client_key = Some(crate::security::sign("secret", "client:203.0.113.7"));
            s.per_client_per_hour = 2;
            s
        };
        let before = write_batch(
            &mut pool.get().unwrap(),
            "secret",
            &mut ClientHistory::for_backend(Backend::Sqlite),
            vec![from_client(0), from_client(1)],
        );
        assert!(before.iter().all(Result::is_ok));
        // A new writer (a restart) loads the last hour from the database.
        let after = write_batch(
            &mut pool.get().unwrap(),
            "secret",
            &mut ClientHistory::for_backend(Backend::Sqlite),
            vec![from_client(2)],
        );
        assert!(matches!(after[0], Err(Refusal::RateLimited { .. })));
        assert_eq!(count_stored(&pool), 2);
    }

    #[test]
    fn items_of_one_batch_see_each_other() {
        let now = Utc::now();
        let (_dir, pool) = pool_with_open_draft(now);
        let items: Vec<Submission> = (0..6)
            .map(|i| {
                let mut s = sample(now);
                s.row.draft_id = "d".into();
                s.row.tracking_number = format!("20260301-AAAAA-{i:05}");
                // Three from one client with a limit of two; then one key used three times.
                if i < 3 {
                    s.row.client_key = Some("client".into());
                    s.per_client_per_hour = 2;
                } else {
                    s.idempotency = Some(Idempotency {
                        key_hash: "k".into(),
                        request_hash: if i == 5 { "other" } else { "same" }.into(),
                    });
                }
                s
            })
            .collect();
        let results = write_batch(
            &mut pool.get().unwrap(),
            "secret",
            &mut ClientHistory::for_backend(Backend::Sqlite),
            items,
        );
        assert!(results[0].is_ok() && results[1].is_ok());
        assert!(matches!(results[2], Err(Refusal::RateLimited { .. })));
        let (first, again) = (results[3].as_ref().unwrap(), results[4].as_ref().unwrap());
        assert!(!first.replayed && again.replayed);
        assert_eq!(first.tracking_number, again.tracking_number);
        assert!(matches!(results[5], Err(Refusal::KeyReused)));
    }
}
