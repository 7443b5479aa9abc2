//! R9–R15: comment rows, the draft facts intake needs, idempotency keys, the per-client and
//! per-address counts, moderation and receipt look-ups.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::DbConn;
use super::schema::{articles, comments, drafts, idempotency_keys, outbox};

/// What comment intake needs to know about a draft (read from `drafts` and `articles`).
#[derive(Debug, Clone)]
pub struct DraftWindow {
    pub id: String,
    pub title: String,
    pub state: String,
    pub round: i32,
    pub opens_at: Option<DateTime<Utc>>,
    pub closes_at: DateTime<Utc>,
    pub articles: Vec<i32>,
}

pub fn draft_window(conn: &mut DbConn, draft_id: &str) -> QueryResult<Option<DraftWindow>> {
    let row = drafts::table
        .find(draft_id)
        .select((
            drafts::id,
            drafts::title,
            drafts::state,
            drafts::round,
            drafts::opens_at,
            drafts::closes_at,
        ))
        .first::<(
            String,
            String,
            String,
            i32,
            Option<NaiveDateTime>,
            NaiveDateTime,
        )>(conn)
        .optional()?;
    let Some((id, title, state, round, opens_at, closes_at)) = row else {
        return Ok(None);
    };
    let numbers = articles::table
        .filter(articles::draft_id.eq(&id))
        .select(articles::number)
        .order(articles::number)
        .load::<i32>(conn)?;
    Ok(Some(DraftWindow {
        id,
        title,
        state,
        round,
        opens_at: opens_at.map(|t| t.and_utc()),
        closes_at: closes_at.and_utc(),
        articles: numbers,
    }))
}

/// A draft's `state`, `opens_at` and `closes_at`.
pub type DraftState = (String, Option<DateTime<Utc>>, DateTime<Utc>);

/// The state and window only (re-read by the writer inside its transaction).
pub fn draft_state(conn: &mut DbConn, draft_id: &str) -> QueryResult<Option<DraftState>> {
    let row = drafts::table
        .find(draft_id)
        .select((drafts::state, drafts::opens_at, drafts::closes_at))
        .first::<(String, Option<NaiveDateTime>, NaiveDateTime)>(conn)
        .optional()?;
    Ok(row.map(|(s, o, c)| (s, o.map(|t| t.and_utc()), c.and_utc())))
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = comments)]
pub struct Comment {
    pub id: String,
    pub draft_id: String,
    pub round: i32,
    pub tracking_number: String,
    pub receipt_token_hash: String,
    pub body: String,
    pub article: Option<i32>,
    pub stakeholder_type: String,
    pub organization: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub email_normalized: Option<String>,
    pub phone: Option<String>,
    pub region: Option<String>,
    pub publish_name: bool,
    pub withhold: bool,
    pub channel: String,
    pub locale: String,
    pub status: String,
    pub moderation_reason: Option<String>,
    pub moderated_by: Option<String>,
    pub moderated_at: Option<NaiveDateTime>,
    pub entered_by: Option<String>,
    pub client_key: Option<String>,
    pub submitted_at: NaiveDateTime,
    pub group_id: Option<String>,
    pub placed_by: Option<String>,
    pub outcome: Option<String>,
    pub reason: Option<String>,
    pub disposed_by: Option<String>,
    pub disposed_at: Option<NaiveDateTime>,
    pub assigned_to: Option<String>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = comments, treat_none_as_default_value = false)]
pub struct NewComment {
    pub id: String,
    pub draft_id: String,
    pub round: i32,
    pub tracking_number: String,
    pub receipt_token_hash: String,
    pub body: String,
    pub article: Option<i32>,
    pub stakeholder_type: String,
    pub organization: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub email_normalized: Option<String>,
    pub phone: Option<String>,
    pub region: Option<String>,
    pub publish_name: bool,
    pub withhold: bool,
    pub channel: String,
    pub locale: String,
    pub status: String,
    pub entered_by: Option<String>,
    pub client_key: Option<String>,
    pub submitted_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, row: &NewComment) -> QueryResult<()> {
    diesel::insert_into(comments::table)
        .values(row)
        .execute(conn)?;
    if row.status == "published" {
        // An opinion entered by staff is published at once: the draft page lists it.
        super::drafts::touch(conn, &row.draft_id)?;
    }
    Ok(())
}

/// R23: a mail row, written in the same transaction as its cause.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = outbox, treat_none_as_default_value = false)]
pub struct NewOutboxMessage {
    pub id: String,
    pub kind: String,
    pub recipient: String,
    pub locale: String,
    pub payload: String,
    pub message_id: String,
    pub dedupe_key: Option<String>,
    pub draft_id: Option<String>,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
}

/// Rows per multi-row INSERT: far below SQLite's 32,766 and PostgreSQL's 65,535 parameters.
const CHUNK: usize = 500;

/// Many comments in few statements (the group-commit writer).
pub fn insert_many(conn: &mut DbConn, rows: &[NewComment]) -> QueryResult<()> {
    for chunk in rows.chunks(CHUNK) {
        // SQLite: one prepared single-row INSERT, repeated in the open transaction;
        // PostgreSQL: one statement of column arrays (`db::bulk`).
        match conn {
            DbConn::Sqlite(c) => {
                for row in chunk {
                    diesel::insert_into(comments::table)
                        .values(row)
                        .execute(c)?;
                }
                chunk.len()
            }
            DbConn::Pg(c) => super::bulk::CommentColumns::new(chunk).insert(c)?,
        };
    }
    // Public comments arrive pending (R12); any published row changes the draft page.
    let mut published: Vec<&str> = rows
        .iter()
        .filter(|r| r.status == "published")
        .map(|r| r.draft_id.as_str())
        .collect();
    published.sort_unstable();
    published.dedup();
    for draft_id in published {
        super::drafts::touch(conn, draft_id)?;
    }
    Ok(())
}

pub fn insert_outbox_many(conn: &mut DbConn, rows: &[NewOutboxMessage]) -> QueryResult<()> {
    for chunk in rows.chunks(CHUNK) {
        // MultiConnection cannot express a multi-row INSERT; each backend can.
        match conn {
            DbConn::Sqlite(c) => {
                for row in chunk {
                    diesel::insert_into(outbox::table).values(row).execute(c)?;
                }
                chunk.len()
            }
            DbConn::Pg(c) => super::bulk::OutboxColumns::new(chunk).insert(c)?,
        };
    }
    Ok(())
}

pub fn insert_idempotency_keys(conn: &mut DbConn, rows: &[IdempotencyKey]) -> QueryResult<()> {
    for chunk in rows.chunks(CHUNK) {
        // MultiConnection cannot express a multi-row INSERT; each backend can.
        match conn {
            DbConn::Sqlite(c) => {
                for row in chunk {
                    diesel::insert_into(idempotency_keys::table)
                        .values(row)
                        .execute(c)?;
                }
                chunk.len()
            }
            DbConn::Pg(c) => diesel::insert_into(idempotency_keys::table)
                .values(chunk)
                .execute(c)?,
        };
    }
    Ok(())
}

/// R11: the stored keys among `hashes`.
pub fn find_idempotency_keys(
    conn: &mut DbConn,
    hashes: &[String],
) -> QueryResult<Vec<IdempotencyKey>> {
    let mut out = Vec::new();
    for chunk in hashes.chunks(CHUNK) {
        out.extend(
            idempotency_keys::table
                .filter(idempotency_keys::key_hash.eq_any(chunk))
                .select(IdempotencyKey::as_select())
                .load(conn)?,
        );
    }
    Ok(out)
}

/// R10: which of these tracking numbers are taken.
pub fn taken_tracking_numbers(conn: &mut DbConn, numbers: &[String]) -> QueryResult<Vec<String>> {
    let mut out = Vec::new();
    for chunk in numbers.chunks(CHUNK) {
        out.extend(
            comments::table
                .filter(comments::tracking_number.eq_any(chunk))
                .select(comments::tracking_number)
                .load::<String>(conn)?,
        );
    }
    Ok(out)
}

/// R15: `(client_key, submitted_at)` of the newest `limit` comments after `since` of each of
/// these clients, so that reading them costs no more for a client that has sent many.
/// PostgreSQL reads each client's newest through the `comments_client` index in one query.
pub fn newest_of_clients(
    conn: &mut DbConn,
    client_keys: &[String],
    since: NaiveDateTime,
    limit: usize,
) -> QueryResult<Vec<(String, NaiveDateTime)>> {
    use diesel::sql_types::{Array, BigInt, Text, Timestamp};
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        client_key: String,
        #[diesel(sql_type = Timestamp)]
        submitted_at: NaiveDateTime,
    }
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut out = Vec::new();
    for chunk in client_keys.chunks(CHUNK) {
        match conn {
            DbConn::Pg(c) => out.extend(
                diesel::sql_query(
                    "SELECT k.client_key, t.submitted_at \
                     FROM unnest($1::text[]) AS k(client_key) \
                     CROSS JOIN LATERAL (SELECT submitted_at FROM comments \
                         WHERE comments.client_key = k.client_key AND submitted_at > $2 \
                         ORDER BY submitted_at DESC LIMIT $3) AS t",
                )
                .bind::<Array<Text>, _>(chunk)
                .bind::<Timestamp, _>(since)
                .bind::<BigInt, _>(limit)
                .load::<Row>(c)?
                .into_iter()
                .map(|r| (r.client_key, r.submitted_at)),
            ),
            DbConn::Sqlite(c) => {
                for key in chunk {
                    out.extend(
                        comments::table
                            .filter(comments::client_key.eq(key))
                            .filter(comments::submitted_at.gt(since))
                            .order(comments::submitted_at.desc())
                            .limit(limit)
                            .select(comments::submitted_at)
                            .load::<NaiveDateTime>(c)?
                            .into_iter()
                            .map(|at| (key.clone(), at)),
                    );
                }
            }
        }
    }
    Ok(out)
}

/// R15: what the writer knows of one client's hour (`windows_of_clients`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientWindow {
    pub client_key: String,
    /// Comments after `since`, counted up to the limit.
    pub count: i64,
    /// The oldest of the newest `limit` comments after `since`.
    pub oldest: Option<NaiveDateTime>,
    /// Its comments are counted per minute (`client_minutes`): the writer adds what it stores.
    pub tallied: bool,
}

/// R15 on PostgreSQL: for each of these clients, how many of its newest `limit` comments were
/// submitted after `since`, and the oldest of those; counted in the database, so no row
/// travels and nothing is held per comment. The index is read for at most
/// `client_minutes::DIRECT` comments of a client; a client with more in its hour is counted
/// from its per-minute counts (rebuilt first if it has none), so the cost does not grow with
/// what the client has sent.
pub fn windows_of_clients(
    conn: &mut DbConn,
    client_keys: &[String],
    since: NaiveDateTime,
    limit: usize,
) -> QueryResult<Vec<ClientWindow>> {
    let DbConn::Pg(c) = conn else {
        // SQLite keeps the hour in memory (`jobs::recent_clients`); this path is for tests.
        let mut out: Vec<ClientWindow> = Vec::new();
        for (key, at) in newest_of_clients(conn, client_keys, since, limit)? {
            match out.iter_mut().find(|w| w.client_key == key) {
                Some(w) => {
                    w.count += 1;
                    w.oldest = w.oldest.min(Some(at));
                }
                None => out.push(ClientWindow {
                    client_key: key,
                    count: 1,
                    oldest: Some(at),
                    tallied: false,
                }),
            }
        }
        return Ok(out);
    };
    let direct = limit.min(super::client_minutes::DIRECT);
    let mut out = Vec::new();
    for chunk in client_keys.chunks(CHUNK) {
        let rows = super::bulk::ClientWindows {
            client_keys: chunk,
            since,
            minute: super::client_minutes::minute_of(since),
            limit: i64::try_from(direct).unwrap_or(i64::MAX),
        }
        .load::<(String, i64, Option<NaiveDateTime>, bool)>(c)?;
        for (client_key, count, oldest, tallied) in rows {
            let mut window = ClientWindow {
                client_key,
                count,
                oldest,
                tallied,
            };
            if limit > direct && usize::try_from(count).unwrap_or(usize::MAX) >= direct {
                // More in the hour than the direct count reads: count it per minute.
                if !window.tallied {
                    super::client_minutes::rebuild(c, &window.client_key, since)?;
                    window.tallied = true;
                }
                (window.count, window.oldest) =
                    super::client_minutes::window(c, &window.client_key, since, limit)?;
            }
            out.push(window);
        }
    }
    Ok(out)
}

/// R15 on several writers (PostgreSQL: several per node, and several nodes): holds, until the
/// transaction ends, a lock on each of these keys (one per client, one per address and
/// draft), so two transactions never both count the same client before either commits; the
/// second reads after the first's commit. Taken in ascending order, so two batches cannot
/// wait for each other. SQLite needs none: its one writer holds the write lock.
pub fn lock_limits(conn: &mut DbConn, keys: &[i64]) -> QueryResult<()> {
    use diesel::sql_types::{Array, BigInt};
    let DbConn::Pg(c) = conn else {
        return Ok(());
    };
    if keys.is_empty() {
        return Ok(());
    }
    let mut keys = keys.to_vec();
    keys.sort_unstable();
    keys.dedup();
    diesel::sql_query(
        "SELECT count(pg_advisory_xact_lock(k)) FROM \
         (SELECT k FROM unnest($1::bigint[]) AS k ORDER BY k) AS sorted",
    )
    .bind::<Array<BigInt>, _>(&keys)
    .execute(c)?;
    Ok(())
}

/// R15: how many comments each of these addresses has sent on a draft.
pub fn count_by_emails(
    conn: &mut DbConn,
    draft_id: &str,
    emails: &[String],
) -> QueryResult<Vec<(Option<String>, i64)>> {
    let mut out = Vec::new();
    for chunk in emails.chunks(CHUNK) {
        if let DbConn::Pg(c) = conn {
            out.extend(
                super::bulk::EmailCounts {
                    draft_id,
                    emails: chunk,
                }
                .load::<(Option<String>, i64)>(c)?,
            );
            continue;
        }
        out.extend(
            comments::table
                .filter(comments::draft_id.eq(draft_id))
                .filter(comments::email_normalized.eq_any(chunk))
                .group_by(comments::email_normalized)
                .select((comments::email_normalized, diesel::dsl::count_star()))
                .load::<(Option<String>, i64)>(conn)?,
        );
    }
    Ok(out)
}

pub fn insert_outbox(conn: &mut DbConn, row: &NewOutboxMessage) -> QueryResult<()> {
    diesel::insert_into(outbox::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn by_id(conn: &mut DbConn, id: &str) -> QueryResult<Option<Comment>> {
    comments::table
        .find(id)
        .select(Comment::as_select())
        .first(conn)
        .optional()
}

pub fn by_tracking_number(conn: &mut DbConn, tracking: &str) -> QueryResult<Option<Comment>> {
    comments::table
        .filter(comments::tracking_number.eq(tracking))
        .select(Comment::as_select())
        .first(conn)
        .optional()
}

/// Erasure: blanks a comment's personal fields (name, organization, email, phone, region,
/// the client key) and takes its name off the public page; its text, article, stakeholder
/// type, status and disposition stay. The draft's public version moves on, so no node keeps
/// showing the name.
pub fn erase_personal(conn: &mut DbConn, id: &str) -> QueryResult<()> {
    diesel::update(comments::table.find(id))
        .set((
            comments::name.eq(None::<String>),
            comments::organization.eq(None::<String>),
            comments::email.eq(None::<String>),
            comments::email_normalized.eq(None::<String>),
            comments::phone.eq(None::<String>),
            comments::region.eq(None::<String>),
            comments::client_key.eq(None::<String>),
            comments::publish_name.eq(false),
        ))
        .execute(conn)?;
    super::drafts::touch_of_comment(conn, id)
}

/// R11: a stored idempotency key.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = idempotency_keys)]
pub struct IdempotencyKey {
    pub key_hash: String,
    pub draft_id: String,
    pub comment_id: String,
    pub request_hash: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

pub fn find_idempotency_key(
    conn: &mut DbConn,
    key_hash: &str,
) -> QueryResult<Option<IdempotencyKey>> {
    idempotency_keys::table
        .find(key_hash)
        .select(IdempotencyKey::as_select())
        .first(conn)
        .optional()
}

pub fn delete_idempotency_key(conn: &mut DbConn, key_hash: &str) -> QueryResult<()> {
    diesel::delete(idempotency_keys::table.find(key_hash))
        .execute(conn)
        .map(|_| ())
}

pub fn insert_idempotency_key(conn: &mut DbConn, row: &IdempotencyKey) -> QueryResult<()> {
    diesel::insert_into(idempotency_keys::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// Removes keys past their expiry (R11: a key holds for 24 hours).
pub fn purge_idempotency_keys(conn: &mut DbConn, now: DateTime<Utc>) -> QueryResult<usize> {
    diesel::delete(idempotency_keys::table.filter(idempotency_keys::expires_at.le(now.naive_utc())))
        .execute(conn)
}

/// R15: how many comments an address has sent on a draft, counting at most `limit`.
pub fn count_by_email(
    conn: &mut DbConn,
    draft_id: &str,
    email_normalized: &str,
    limit: i64,
) -> QueryResult<i64> {
    comments::table
        .filter(comments::draft_id.eq(draft_id))
        .filter(comments::email_normalized.eq(email_normalized))
        .select(comments::id)
        .limit(limit)
        .load::<String>(conn)
        .map(|v| v.len() as i64)
}

/// The draft's current round (R8: comments and reports are per round).
pub fn draft_round(conn: &mut DbConn, draft_id: &str) -> QueryResult<i32> {
    drafts::table
        .find(draft_id)
        .select(drafts::round)
        .first(conn)
}

/// The comments of one round of a draft, oldest first, optionally of one status; with the
/// total.
pub fn list_for_draft(
    conn: &mut DbConn,
    draft_id: &str,
    round: i32,
    status: Option<&str>,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<Comment>, i64)> {
    let mut q = comments::table
        .filter(comments::draft_id.eq(draft_id))
        .filter(comments::round.eq(round))
        .into_boxed();
    let mut c = comments::table
        .filter(comments::draft_id.eq(draft_id))
        .filter(comments::round.eq(round))
        .into_boxed();
    if let Some(s) = status {
        q = q.filter(comments::status.eq(s.to_string()));
        c = c.filter(comments::status.eq(s.to_string()));
    }
    let total = c.count().get_result::<i64>(conn)?;
    let items = q
        .order((comments::submitted_at.asc(), comments::id.asc()))
        .offset(offset)
        .limit(limit)
        .select(Comment::as_select())
        .load(conn)?;
    Ok((items, total))
}

/// R12: the moderation queue: online comments of a status (any draft or one), oldest first.
pub fn moderation_queue(
    conn: &mut DbConn,
    agencies: Option<&[String]>,
    draft_id: Option<&str>,
    status: &str,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<Comment>, i64)> {
    let mut q = comments::table
        .filter(comments::status.eq(status.to_string()))
        .into_boxed();
    let mut c = comments::table
        .filter(comments::status.eq(status.to_string()))
        .into_boxed();
    if let Some(d) = draft_id {
        q = q.filter(comments::draft_id.eq(d.to_string()));
        c = c.filter(comments::draft_id.eq(d.to_string()));
    }
    if let Some(codes) = agencies {
        q = q.filter(
            comments::draft_id.eq_any(
                super::schema::drafts::table
                    .filter(super::schema::drafts::agency_code.eq_any(codes.to_vec()))
                    .select(super::schema::drafts::id),
            ),
        );
        c = c.filter(
            comments::draft_id.eq_any(
                super::schema::drafts::table
                    .filter(super::schema::drafts::agency_code.eq_any(codes.to_vec()))
                    .select(super::schema::drafts::id),
            ),
        );
    }
    let total = c.count().get_result::<i64>(conn)?;
    let items = q
        .order((comments::submitted_at.asc(), comments::id.asc()))
        .offset(offset)
        .limit(limit)
        .select(Comment::as_select())
        .load(conn)?;
    Ok((items, total))
}

/// R12: records a moderation decision.
pub fn set_moderation(
    conn: &mut DbConn,
    id: &str,
    status: &str,
    reason: Option<&str>,
    moderator: &str,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(comments::table.find(id))
        .set((
            comments::status.eq(status),
            comments::moderation_reason.eq(reason),
            comments::moderated_by.eq(Some(moderator)),
            comments::moderated_at.eq(Some(now.naive_utc())),
        ))
        .execute(conn)?;
    // Publishing or hiding changes the draft page's list and the published count.
    super::drafts::touch_of_comment(conn, id)
}
