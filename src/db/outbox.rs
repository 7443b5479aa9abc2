//! R23: the outbox table: enqueueing a mail in the caller's transaction, claiming due rows
//! (one node per row), and marking the outcome.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::DbConn;
use super::ids::new_id;
use super::schema::outbox;
use crate::domain::mail::{claim_lease, mask_email};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct OutboxMessage {
    pub id: String,
    pub kind: String,
    pub recipient: String,
    pub locale: String,
    pub payload: String,
    pub subject: Option<String>,
    pub body_text: Option<String>,
    pub body_html: Option<String>,
    pub headers: Option<String>,
    pub message_id: String,
    pub dedupe_key: Option<String>,
    pub draft_id: Option<String>,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub claimed_by: Option<String>,
    pub claimed_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

/// What an operator sees of a message (R13: the recipient masked, no body).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OutboxView {
    pub id: String,
    pub kind: String,
    pub recipient: String,
    pub locale: String,
    pub subject: Option<String>,
    pub message_id: String,
    pub draft_id: Option<String>,
    pub status: String,
    pub attempts: i32,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub next_attempt_at: NaiveDateTime,
    pub last_error: Option<String>,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::db::serialize_opt_utc")]
    pub sent_at: Option<NaiveDateTime>,
}

impl From<OutboxMessage> for OutboxView {
    fn from(m: OutboxMessage) -> OutboxView {
        OutboxView {
            recipient: mask_email(&m.recipient),
            id: m.id,
            kind: m.kind,
            locale: m.locale,
            subject: m.subject,
            message_id: m.message_id,
            draft_id: m.draft_id,
            status: m.status,
            attempts: m.attempts,
            next_attempt_at: m.next_attempt_at,
            last_error: m.last_error,
            created_at: m.created_at,
            sent_at: m.sent_at,
        }
    }
}

/// A mail to queue. `payload` is the template data the worker renders from.
#[derive(Debug, Clone)]
pub struct NewMail<'a> {
    pub kind: &'a str,
    pub recipient: &'a str,
    pub locale: &'a str,
    pub payload: serde_json::Value,
    pub draft_id: Option<&'a str>,
    /// At most one message per key is ever queued.
    pub dedupe_key: Option<String>,
}

/// R23: queues one mail in the caller's transaction. `None` when a message with the same
/// dedupe key already exists.
pub fn enqueue(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    mail: &NewMail<'_>,
) -> QueryResult<Option<String>> {
    if let Some(key) = &mail.dedupe_key {
        let exists: i64 = outbox::table
            .filter(outbox::dedupe_key.eq(key))
            .count()
            .get_result(conn)?;
        if exists > 0 {
            return Ok(None);
        }
    }
    let id = new_id(now);
    diesel::insert_into(outbox::table)
        .values((
            outbox::id.eq(&id),
            outbox::kind.eq(mail.kind),
            outbox::recipient.eq(mail.recipient.trim()),
            outbox::locale.eq(mail.locale),
            outbox::payload.eq(mail.payload.to_string()),
            outbox::message_id.eq(format!("<{id}@consult>")),
            outbox::dedupe_key.eq(&mail.dedupe_key),
            outbox::draft_id.eq(mail.draft_id),
            outbox::status.eq("queued"),
            outbox::attempts.eq(0),
            outbox::next_attempt_at.eq(now.naive_utc()),
            outbox::created_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    Ok(Some(id))
}

/// R23: claims up to `limit` due messages for `worker` and returns them. A message is due
/// when queued, its next attempt has come, and nobody holds a live claim on it; a claim
/// older than the lease counts as abandoned.
pub fn claim_due(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    worker: &str,
    limit: i64,
) -> QueryResult<Vec<OutboxMessage>> {
    let at = now.naive_utc();
    let stale = (now - claim_lease()).naive_utc();
    macro_rules! due {
        () => {
            outbox::status
                .eq("queued")
                .and(outbox::next_attempt_at.le(at))
                .and(
                    outbox::claimed_by
                        .is_null()
                        .or(outbox::claimed_at.lt(stale)),
                )
        };
    }
    let ids: Vec<String> = match conn {
        // PostgreSQL: lock the due rows and skip those another node is claiming, then mark
        // them in the same transaction; nodes never wait on each other or share a row.
        // The due rows are read in `outbox_due`'s order, so a backlog is not sorted whole
        // for each claim (`prefer_index_order`).
        DbConn::Pg(pg) => pg.transaction::<_, diesel::result::Error, _>(|pg| {
            super::prefer_index_order_pg(pg)?;
            let ids: Vec<String> = outbox::table
                .filter(due!())
                .order(outbox::next_attempt_at.asc())
                .limit(limit)
                .select(outbox::id)
                .for_update()
                .skip_locked()
                .load(pg)?;
            if !ids.is_empty() {
                diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
                    .set((outbox::claimed_by.eq(worker), outbox::claimed_at.eq(at)))
                    .execute(pg)?;
            }
            Ok(ids)
        })?,
        // SQLite has no row locks: each claim is one conditional update that changes the row
        // only if it is still unclaimed, so of two racing nodes exactly one sees a change.
        // One write transaction around the batch costs one fsync instead of one per row.
        DbConn::Sqlite(_) => super::write_tx(conn, |conn| -> QueryResult<Vec<String>> {
            let candidates: Vec<String> = outbox::table
                .filter(due!())
                .order(outbox::next_attempt_at.asc())
                .limit(limit)
                .select(outbox::id)
                .load(conn)?;
            let mut won = Vec::with_capacity(candidates.len());
            for id in candidates {
                let changed =
                    diesel::update(outbox::table.filter(outbox::id.eq(&id)).filter(due!()))
                        .set((outbox::claimed_by.eq(worker), outbox::claimed_at.eq(at)))
                        .execute(conn)?;
                if changed == 1 {
                    won.push(id);
                }
            }
            Ok(won)
        })?,
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    outbox::table
        .filter(outbox::id.eq_any(&ids))
        .order(outbox::next_attempt_at.asc())
        .select(OutboxMessage::as_select())
        .load(conn)
}

/// Stores what the worker rendered, so every later attempt sends the same bytes.
pub fn store_rendered(
    conn: &mut DbConn,
    id: &str,
    subject: &str,
    body_text: &str,
    body_html: &str,
    headers: &str,
) -> QueryResult<usize> {
    diesel::update(outbox::table.find(id))
        .set((
            outbox::subject.eq(subject),
            outbox::body_text.eq(body_text),
            outbox::body_html.eq(body_html),
            outbox::headers.eq(headers),
        ))
        .execute(conn)
}

/// Marks a message sent; `false` when `worker` no longer held the claim. What was sent is
/// not kept: the rendered parts and headers (which hold receipt and unsubscribe links) go,
/// and the payload becomes `redacted_payload` (`domain::mail::redact_payload`).
pub fn mark_sent(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    id: &str,
    worker: &str,
    redacted_payload: &str,
) -> QueryResult<bool> {
    let n = diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::claimed_by.eq(worker)),
    )
    .set((
        outbox::status.eq("sent"),
        outbox::sent_at.eq(Some(now.naive_utc())),
        outbox::payload.eq(redacted_payload),
        outbox::body_text.eq(None::<String>),
        outbox::body_html.eq(None::<String>),
        outbox::headers.eq(None::<String>),
        outbox::attempts.eq(outbox::attempts + 1),
        outbox::claimed_by.eq(None::<String>),
        outbox::claimed_at.eq(None::<NaiveDateTime>),
        outbox::last_error.eq(None::<String>),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Releases the claim and schedules the next attempt.
pub fn mark_retry(
    conn: &mut DbConn,
    id: &str,
    worker: &str,
    attempts: i32,
    next_attempt_at: DateTime<Utc>,
    error: &str,
) -> QueryResult<bool> {
    let n = diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::claimed_by.eq(worker)),
    )
    .set((
        outbox::attempts.eq(attempts),
        outbox::next_attempt_at.eq(next_attempt_at.naive_utc()),
        outbox::claimed_by.eq(None::<String>),
        outbox::claimed_at.eq(None::<NaiveDateTime>),
        outbox::last_error.eq(Some(error)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Gives back claims without an attempt, to be tried again at `next_attempt_at`.
pub fn release(
    conn: &mut DbConn,
    ids: &[String],
    worker: &str,
    next_attempt_at: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(
        outbox::table
            .filter(outbox::id.eq_any(ids))
            .filter(outbox::claimed_by.eq(worker)),
    )
    .set((
        outbox::next_attempt_at.eq(next_attempt_at.naive_utc()),
        outbox::claimed_by.eq(None::<String>),
        outbox::claimed_at.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)
}

/// Marks a message permanently failed (the caller audits it in the same transaction).
pub fn mark_failed(
    conn: &mut DbConn,
    id: &str,
    worker: &str,
    attempts: i32,
    error: &str,
) -> QueryResult<bool> {
    let n = diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::claimed_by.eq(worker)),
    )
    .set((
        outbox::status.eq("failed"),
        outbox::attempts.eq(attempts),
        outbox::claimed_by.eq(None::<String>),
        outbox::claimed_at.eq(None::<NaiveDateTime>),
        outbox::last_error.eq(Some(error)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// One page of the outbox, newest first, optionally of one status.
pub fn list(
    conn: &mut DbConn,
    status: Option<&str>,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<OutboxMessage>, i64)> {
    let mut count = outbox::table.count().into_boxed();
    let mut page = outbox::table
        .select(OutboxMessage::as_select())
        .into_boxed();
    if let Some(s) = status {
        count = count.filter(outbox::status.eq(s.to_string()));
        page = page.filter(outbox::status.eq(s.to_string()));
    }
    let total = count.get_result(conn)?;
    let items = page
        .order((outbox::created_at.desc(), outbox::id.desc()))
        .offset(offset)
        .limit(limit)
        .load(conn)?;
    Ok((items, total))
}

pub fn by_id(conn: &mut DbConn, id: &str) -> QueryResult<Option<OutboxMessage>> {
    outbox::table
        .find(id)
        .select(OutboxMessage::as_select())
        .first(conn)
        .optional()
}

/// Puts a failed message back in the queue with fresh attempts; `false` when it was not
/// failed.
pub fn requeue_failed(conn: &mut DbConn, now: DateTime<Utc>, id: &str) -> QueryResult<bool> {
    let n = diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::status.eq("failed")),
    )
    .set((
        outbox::status.eq("queued"),
        outbox::attempts.eq(0),
        outbox::next_attempt_at.eq(now.naive_utc()),
        outbox::claimed_by.eq(None::<String>),
        outbox::claimed_at.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// How many mails wait to be sent, and when the oldest of them was queued (`/metrics`).
pub fn waiting(conn: &mut DbConn) -> QueryResult<(i64, Option<NaiveDateTime>)> {
    outbox::table
        .filter(outbox::status.eq("queued"))
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::min(outbox::created_at),
        ))
        .first(conn)
}

/// Deletes sent mails sent before `before`, at most `limit` at a time (a short transaction
/// each); returns how many went. Failed ones stay: they are evidence for an operator.
pub fn purge_sent(conn: &mut DbConn, before: NaiveDateTime, limit: i64) -> QueryResult<usize> {
    let ids: Vec<String> = outbox::table
        .filter(outbox::status.eq("sent"))
        .filter(outbox::sent_at.lt(before))
        .select(outbox::id)
        .limit(limit)
        .load(conn)?;
    if ids.is_empty() {
        return Ok(0);
    }
    diesel::delete(outbox::table.filter(outbox::id.eq_any(&ids))).execute(conn)
}

/// Erasure: the receipt mail of a comment is forgotten. A queued one is deleted (it is not
/// sent); a sent or failed one keeps only the masked address and its redacted payload.
/// Returns how many rows changed.
pub fn forget_receipt(conn: &mut DbConn, comment_id: &str) -> QueryResult<usize> {
    let key = format!("comment_receipt:{comment_id}");
    let mut n = diesel::delete(
        outbox::table
            .filter(outbox::dedupe_key.eq(&key))
            .filter(outbox::status.eq("queued")),
    )
    .execute(conn)?;
    let rows: Vec<(String, String, String)> = outbox::table
        .filter(outbox::dedupe_key.eq(&key))
        .select((outbox::id, outbox::recipient, outbox::payload))
        .load(conn)?;
    for (id, recipient, payload) in rows {
        n += diesel::update(outbox::table.find(&id))
            .set((
                outbox::recipient.eq(mask_email(&recipient)),
                outbox::payload.eq(crate::domain::mail::redact_payload(&payload)),
                outbox::body_text.eq(None::<String>),
                outbox::body_html.eq(None::<String>),
                outbox::headers.eq(None::<String>),
            ))
            .execute(conn)?;
    }
    Ok(n)
}
