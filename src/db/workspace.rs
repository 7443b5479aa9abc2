//! The staff workspace's lists: what waits for whom (the dashboard), counted and listed in a
//! few indexed queries.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::comments::Comment;
use super::drafts::DraftRow;
use super::schema::{comments, drafts};
use super::{DbConn, MultiBackend};
use crate::domain::comment::Flag;
use crate::domain::workflow::DraftState;

/// Drafts in one of `states` of these agencies (`None`: all), oldest change first (the
/// longest waiting on top).
pub fn in_states(
    conn: &mut DbConn,
    agencies: Option<&[String]>,
    states: &[DraftState],
    limit: i64,
) -> QueryResult<Vec<DraftRow>> {
    let names: Vec<&str> = states.iter().map(|s| s.as_str()).collect();
    let mut q = drafts::table.into_boxed::<MultiBackend>();
    if let Some(codes) = agencies {
        q = q.filter(drafts::agency_code.eq_any(codes.to_vec()));
    }
    q.filter(drafts::state.eq_any(names))
        .order((drafts::updated_at.asc(), drafts::id.asc()))
        .limit(limit)
        .select(DraftRow::as_select())
        .load(conn)
}

/// The drafts `user_id` wrote that are not finished (neither concluded nor withdrawn), newest
/// change first.
pub fn drafted_by(conn: &mut DbConn, user_id: &str, limit: i64) -> QueryResult<Vec<DraftRow>> {
    drafts::table
        .filter(drafts::drafter_id.eq(user_id))
        .filter(drafts::state.ne_all([
            DraftState::Concluded.as_str(),
            DraftState::Withdrawn.as_str(),
        ]))
        .order((drafts::updated_at.desc(), drafts::id.desc()))
        .limit(limit)
        .select(DraftRow::as_select())
        .load(conn)
}

/// Published drafts whose window closes after `now` and by `until`, soonest first.
pub fn closing_by(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<DraftRow>> {
    drafts::table
        .filter(drafts::state.eq(DraftState::Published.as_str()))
        .filter(drafts::closes_at.gt(now.naive_utc()))
        .filter(drafts::closes_at.le(until.naive_utc()))
        .filter(drafts::opens_at.le(now.naive_utc()).assume_not_null())
        .order(drafts::closes_at.asc())
        .limit(limit)
        .select(DraftRow::as_select())
        .load(conn)
}

/// Published drafts whose window has closed: their report is due (publishing it concludes
/// the draft), the longest closed first.
pub fn reports_due(
    conn: &mut DbConn,
    agencies: Option<&[String]>,
    now: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<DraftRow>> {
    let mut q = drafts::table.into_boxed::<MultiBackend>();
    if let Some(codes) = agencies {
        q = q.filter(drafts::agency_code.eq_any(codes.to_vec()));
    }
    q.filter(drafts::state.eq(DraftState::Published.as_str()))
        .filter(drafts::closes_at.le(now.naive_utc()))
        .order(drafts::closes_at.asc())
        .limit(limit)
        .select(DraftRow::as_select())
        .load(conn)
}

/// Comments waiting for a moderator.
pub fn pending_comments(conn: &mut DbConn) -> QueryResult<i64> {
    comments::table
        .filter(comments::status.eq("pending"))
        .count()
        .get_result(conn)
}

/// R12: one page of the moderation queue (oldest first) with its filters: a status, one
/// draft, one flag (`domain::comment::Flag`, tested here as `domain::comment::flags` does).
pub fn moderation_page(
    conn: &mut DbConn,
    agencies: Option<&[String]>,
    status: &str,
    draft_id: Option<&str>,
    flag: Option<Flag>,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<Comment>, i64)> {
    // Seven digits in a row: neither LIKE nor any one syntax both databases share says it, so
    // each gets its own (SQLite's GLOB, PostgreSQL's regular expression).
    let seven_digits = match conn {
        DbConn::Sqlite(_) => "body GLOB '*[0-9][0-9][0-9][0-9][0-9][0-9][0-9]*'",
        DbConn::Pg(_) => "body ~ '[0-9]{7}'",
    };
    let filtered = || {
        let mut q = comments::table
            .filter(comments::status.eq(status.to_string()))
            .into_boxed::<MultiBackend>();
        if let Some(d) = draft_id {
            q = q.filter(comments::draft_id.eq(d.to_string()));
        }
        if let Some(codes) = agencies {
            q = q.filter(
                comments::draft_id.eq_any(
                    super::schema::drafts::table
                        .filter(super::schema::drafts::agency_code.eq_any(codes.to_vec()))
                        .select(super::schema::drafts::id),
                ),
            );
        }
        match flag {
            Some(Flag::Withhold) => q = q.filter(comments::withhold.eq(true)),
            Some(Flag::Link) => {
                q = q.filter(
                    comments::body
                        .like("%http://%")
                        .or(comments::body.like("%https://%"))
                        .or(comments::body.like("%www.%")),
                )
            }
            Some(Flag::ContactDetails) => {
                let digits = diesel::dsl::sql::<diesel::sql_types::Bool>(seven_digits);
                q = q.filter(comments::body.like("%@%").or(digits))
            }
            None => {}
        }
        q
    };
    let total = filtered().count().get_result::<i64>(conn)?;
    let items = filtered()
        .order((comments::submitted_at.asc(), comments::id.asc()))
        .offset(offset)
        .limit(limit)
        .select(Comment::as_select())
        .load(conn)?;
    Ok((items, total))
}
