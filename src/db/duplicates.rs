//! Duplicate flags for moderators: the comments the background scan reads, the earlier
//! comments of the same client on the same draft, and the flags it stores
//! (`service::duplicates`).

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::DbConn;
use super::schema::{comments, duplicate_flags};

/// A comment as the scan reads it.
#[derive(Debug, Clone, Queryable)]
pub struct Scanned {
    pub id: String,
    pub draft_id: String,
    pub round: i32,
    pub body: String,
    pub client_key: Option<String>,
    pub email_normalized: Option<String>,
    pub submitted_at: NaiveDateTime,
}

/// The next comments after `after` in id order whose id was made before `settled` (ids sort
/// by the time they were made, so a batch still being written is read on a later pass and
/// never passed over), at most `limit`.
pub fn comments_after(
    conn: &mut DbConn,
    after: &str,
    settled: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<Scanned>> {
    // The first 9 characters of an id hold its time (to 8 ms); any id made before `settled`
    // sorts below this prefix.
    let bound: String = super::ids::new_id(settled).chars().take(9).collect();
    comments::table
        .filter(comments::id.gt(after))
        .filter(comments::id.lt(bound))
        .order(comments::id.asc())
        .select((
            comments::id,
            comments::draft_id,
            comments::round,
            comments::body,
            comments::client_key,
            comments::email_normalized,
            comments::submitted_at,
        ))
        .limit(limit)
        .load(conn)
}

/// An earlier comment of the same client: `(id, tracking number, body, submitted at)`.
pub type Earlier = (String, String, String, NaiveDateTime);

/// The comments on the draft of `c` before it (ids are in time order) by the same client
/// key or the same normalised email, oldest first, the latest `limit` of them.
///
/// The two ways of being the same sender are read apart, each through an index and in its
/// order, and merged here. One statement with `OR` could only be answered by combining two
/// indexes in a bitmap, or by walking the draft's comments; a PostgreSQL planner that took
/// the draft for small (a new draft in a surge, before statistics catch up) walked them, a
/// read of the whole draft for every comment scanned.
///
/// By email: the draft's `comments_draft_email` index, exactly. By client key: on
/// PostgreSQL the client's `comments_client` index, its latest `CLIENT_READ` × `limit`
/// comments on any draft, of which those on this draft are kept; SQLite has no index of
/// client keys (it would cost the intake a page write per comment), so there the client's
/// comments are looked for among the latest `SQLITE_WINDOW` comments of the draft's round.
/// Either way a read is bounded whatever the draft or the client has sent.
pub fn earlier_of_client(conn: &mut DbConn, c: &Scanned, limit: i64) -> QueryResult<Vec<Earlier>> {
    type Row = (String, String, String, NaiveDateTime, String);
    let before = || {
        comments::table
            .filter(comments::submitted_at.le(c.submitted_at))
            .filter(comments::id.lt(c.id.clone()))
            .order((comments::submitted_at.desc(), comments::id.desc()))
            .select((
                comments::id,
                comments::tracking_number,
                comments::body,
                comments::submitted_at,
                comments::draft_id,
            ))
            .into_boxed()
    };
    let mut rows: Vec<Row> = Vec::new();
    match (&c.client_key, &*conn) {
        (Some(key), DbConn::Pg(_)) => {
            let of_client: Vec<Row> = before()
                .filter(comments::client_key.eq(key.clone()))
                .limit(limit * CLIENT_READ)
                .load(conn)?;
            rows.extend(of_client.into_iter().filter(|r| r.4 == c.draft_id));
        }
        (Some(key), DbConn::Sqlite(_)) => {
            // Where the window begins: its oldest comment, found by walking the round's
            // index backwards `SQLITE_WINDOW` entries.
            let of_round = || {
                before()
                    .filter(comments::draft_id.eq(c.draft_id.clone()))
                    .filter(comments::round.eq(c.round))
            };
            let start: Option<NaiveDateTime> = of_round()
                .offset(SQLITE_WINDOW)
                .limit(1)
                .load::<Row>(conn)?
                .pop()
                .map(|r| r.3);
            let mut q = of_round().filter(comments::client_key.eq(key.clone()));
            if let Some(start) = start {
                q = q.filter(comments::submitted_at.ge(start));
            }
            rows.extend(q.limit(limit).load::<Row>(conn)?);
        }
        (None, _) => {}
    }
    if let Some(email) = &c.email_normalized {
        let of_email: Vec<Row> = before()
            .filter(comments::draft_id.eq(c.draft_id.clone()))
            .filter(comments::email_normalized.eq(email.clone()))
            .limit(limit)
            .load(conn)?;
        rows.extend(of_email);
    }
    rows.sort_by(|a, b| (a.3, &a.0).cmp(&(b.3, &b.0)));
    rows.dedup_by(|a, b| a.0 == b.0);
    let keep = usize::try_from(limit).unwrap_or(0);
    let first = rows.len().saturating_sub(keep);
    Ok(rows
        .into_iter()
        .skip(first)
        .map(|(id, tracking, body, at, _)| (id, tracking, body, at))
        .collect())
}

/// PostgreSQL: how many of a client's latest comments, on any draft, are read for each one
/// kept (`earlier_of_client`): a client sending to several drafts at once still has its
/// earlier comments on this one found among them.
const CLIENT_READ: i64 = 4;

/// SQLite: how many of the round's latest comments are looked through for the same client
/// key (`earlier_of_client`).
const SQLITE_WINDOW: i64 = 1_000;

/// One flag: the comment, the earlier comment it repeats, how, and how long after.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = duplicate_flags)]
pub struct DuplicateFlag {
    pub comment_id: String,
    pub draft_id: String,
    /// The earlier comment's id.
    pub duplicate_of: String,
    /// The earlier comment's tracking number.
    pub duplicate_of_tracking: String,
    /// `same_text` or `similar_text`.
    pub kind: String,
    /// How alike the two texts are, in percent.
    pub similarity: i32,
    /// How long after the earlier comment this one was sent.
    pub seconds_apart: i64,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    #[schema(value_type = String)]
    pub created_at: NaiveDateTime,
}

/// Stores flags; a comment already flagged keeps its flag.
pub fn insert(conn: &mut DbConn, flags: &[DuplicateFlag]) -> QueryResult<usize> {
    let mut n = 0;
    for f in flags {
        let exists: i64 = duplicate_flags::table
            .find(&f.comment_id)
            .count()
            .get_result(conn)?;
        if exists == 0 {
            n += diesel::insert_into(duplicate_flags::table)
                .values(f)
                .execute(conn)?;
        }
    }
    Ok(n)
}

/// The flags of these comments.
pub fn of_comments(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<DuplicateFlag>> {
    duplicate_flags::table
        .filter(duplicate_flags::comment_id.eq_any(ids))
        .select(DuplicateFlag::as_select())
        .load(conn)
}

/// One page of flags, newest comment first, of one draft or all.
pub fn list(
    conn: &mut DbConn,
    agencies: Option<&[String]>,
    draft_id: Option<&str>,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<DuplicateFlag>, i64)> {
    use super::schema::drafts;
    let mut count = duplicate_flags::table.count().into_boxed();
    let mut page = duplicate_flags::table
        .select(DuplicateFlag::as_select())
        .into_boxed();
    if let Some(d) = draft_id {
        count = count.filter(duplicate_flags::draft_id.eq(d.to_string()));
        page = page.filter(duplicate_flags::draft_id.eq(d.to_string()));
    }
    if let Some(codes) = agencies {
        let of_agencies = drafts::table
            .filter(drafts::agency_code.eq_any(codes.to_vec()))
            .select(drafts::id);
        count = count.filter(duplicate_flags::draft_id.eq_any(of_agencies));
        let of_agencies = drafts::table
            .filter(drafts::agency_code.eq_any(codes.to_vec()))
            .select(drafts::id);
        page = page.filter(duplicate_flags::draft_id.eq_any(of_agencies));
    }
    let total = count.get_result(conn)?;
    let items = page
        .order(duplicate_flags::comment_id.desc())
        .offset(offset)
        .limit(limit)
        .load(conn)?;
    Ok((items, total))
}
