//! R16–R17: opinion groups and dispositions of a draft's comments (queries only; the rules
//! live in `domain::grouping` and `domain::review`).

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::DbConn;
use super::schema::{comments, drafts, opinion_groups};

/// What the review needs to know about a draft.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = drafts)]
pub struct ReviewDraft {
    pub id: String,
    pub index_no: String,
    pub title: String,
    pub state: String,
    pub round: i32,
    pub enterprise_related: bool,
    pub opens_on: chrono::NaiveDate,
    pub closes_on: chrono::NaiveDate,
    pub opens_at: Option<NaiveDateTime>,
    pub closes_at: NaiveDateTime,
    pub drafter_id: String,
    pub agency: String,
    pub agency_code: String,
}

pub fn draft(conn: &mut DbConn, id: &str) -> QueryResult<Option<ReviewDraft>> {
    drafts::table
        .find(id)
        .select(ReviewDraft::as_select())
        .first(conn)
        .optional()
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = opinion_groups)]
pub struct GroupRow {
    pub id: String,
    pub draft_id: String,
    pub round: i32,
    pub title: String,
    pub summary: String,
    pub origin: String,
    pub accepted_by: Option<String>,
    pub outcome: Option<String>,
    pub reason: Option<String>,
    pub disposed_by: Option<String>,
    pub disposed_at: Option<NaiveDateTime>,
    pub assigned_to: Option<String>,
}

pub fn group(conn: &mut DbConn, id: &str) -> QueryResult<Option<GroupRow>> {
    opinion_groups::table
        .find(id)
        .select(GroupRow::as_select())
        .first(conn)
        .optional()
}

pub fn groups_of(conn: &mut DbConn, draft_id: &str, round: i32) -> QueryResult<Vec<GroupRow>> {
    opinion_groups::table
        .filter(opinion_groups::draft_id.eq(draft_id))
        .filter(opinion_groups::round.eq(round))
        .order(opinion_groups::id.asc())
        .select(GroupRow::as_select())
        .load(conn)
}

/// `(group_id, comment_id)` of every grouped comment of the round.
pub fn memberships(
    conn: &mut DbConn,
    draft_id: &str,
    round: i32,
) -> QueryResult<Vec<(String, String)>> {
    comments::table
        .filter(comments::draft_id.eq(draft_id))
        .filter(comments::round.eq(round))
        .filter(comments::group_id.is_not_null())
        .order(comments::id.asc())
        .select((comments::group_id.assume_not_null(), comments::id))
        .load(conn)
}

pub fn members(conn: &mut DbConn, group_id: &str) -> QueryResult<Vec<String>> {
    comments::table
        .filter(comments::group_id.eq(group_id))
        .order(comments::id.asc())
        .select(comments::id)
        .load(conn)
}

/// A comment a suggestion may move: one no officer has placed.
#[derive(Debug, Clone, Queryable)]
pub struct Unplaced {
    pub id: String,
    pub body: String,
    pub status: String,
    pub withhold: bool,
}

impl Unplaced {
    /// R13/R9: only a published comment whose author did not withhold it may lend its words to
    /// a group's title or summary (which the public report shows).
    pub fn quotable(&self) -> bool {
        self.status == "published" && !self.withhold
    }
}

pub fn unplaced(conn: &mut DbConn, draft_id: &str, round: i32) -> QueryResult<Vec<Unplaced>> {
    comments::table
        .filter(comments::draft_id.eq(draft_id))
        .filter(comments::round.eq(round))
        .filter(comments::placed_by.is_null())
        .order(comments::id.asc())
        .select((
            comments::id,
            comments::body,
            comments::status,
            comments::withhold,
        ))
        .load(conn)
}

pub struct NewGroup<'a> {
    pub id: &'a str,
    pub draft_id: &'a str,
    pub round: i32,
    pub title: &'a str,
    pub summary: &'a str,
    /// `suggested` or `officer`.
    pub origin: &'a str,
    pub created_by: Option<&'a str>,
}

pub fn insert_group(conn: &mut DbConn, now: DateTime<Utc>, g: &NewGroup<'_>) -> QueryResult<()> {
    diesel::insert_into(opinion_groups::table)
        .values((
            opinion_groups::id.eq(g.id),
            opinion_groups::draft_id.eq(g.draft_id),
            opinion_groups::round.eq(g.round),
            opinion_groups::title.eq(g.title),
            opinion_groups::summary.eq(g.summary),
            opinion_groups::origin.eq(g.origin),
            opinion_groups::created_by.eq(g.created_by),
            opinion_groups::accepted_by.eq(g.created_by),
            opinion_groups::created_at.eq(now.naive_utc()),
            opinion_groups::updated_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Puts comments into a group (or none). `placed_by` set means an officer did it, and no later
/// suggestion may move them again (R16).
pub fn place(
    conn: &mut DbConn,
    comment_ids: &[String],
    group_id: Option<&str>,
    placed_by: Option<&str>,
) -> QueryResult<usize> {
    let mut n = 0;
    for chunk in comment_ids.chunks(500) {
        n += diesel::update(comments::table.filter(comments::id.eq_any(chunk)))
            .set((
                comments::group_id.eq(group_id),
                comments::placed_by.eq(placed_by),
            ))
            .execute(conn)?;
    }
    // An officer's placement is no longer the grouping's proposal: its reason goes.
    if placed_by.is_some() {
        super::meaning::forget_memberships(conn, comment_ids)?;
    }
    Ok(n)
}

/// Which of `ids` are comments of this draft's round (the rest are unknown to it).
pub fn comments_of_draft(
    conn: &mut DbConn,
    draft_id: &str,
    round: i32,
    ids: &[String],
) -> QueryResult<Vec<(String, Option<String>)>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        out.extend(
            comments::table
                .filter(comments::draft_id.eq(draft_id))
                .filter(comments::round.eq(round))
                .filter(comments::id.eq_any(chunk))
                .select((comments::id, comments::group_id))
                .load::<(String, Option<String>)>(conn)?,
        );
    }
    Ok(out)
}

/// Deletes the given groups that have no members left; returns those deleted.
pub fn delete_if_empty(conn: &mut DbConn, group_ids: &[String]) -> QueryResult<Vec<String>> {
    let mut deleted = Vec::new();
    for id in group_ids {
        let members: i64 = comments::table
            .filter(comments::group_id.eq(id))
            .count()
            .get_result(conn)?;
        if members == 0 {
            super::changes::drop_of_groups(conn, std::slice::from_ref(id))?;
            diesel::delete(opinion_groups::table.find(id)).execute(conn)?;
            deleted.push(id.clone());
        }
    }
    Ok(deleted)
}

/// Suggested groups that no officer accepted or disposed of: a new suggestion replaces them.
pub fn unaccepted_suggestions(
    conn: &mut DbConn,
    draft_id: &str,
    round: i32,
) -> QueryResult<Vec<String>> {
    opinion_groups::table
        .filter(opinion_groups::draft_id.eq(draft_id))
        .filter(opinion_groups::round.eq(round))
        .filter(opinion_groups::origin.eq("suggested"))
        .filter(opinion_groups::accepted_by.is_null())
        .filter(opinion_groups::outcome.is_null())
        .select(opinion_groups::id)
        .load(conn)
}

pub fn rename_group(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    id: &str,
    title: &str,
) -> QueryResult<()> {
    diesel::update(opinion_groups::table.find(id))
        .set((
            opinion_groups::title.eq(title),
            opinion_groups::updated_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    Ok(())
}

/// An officer touched the group: it and its members are theirs now, and a later suggestion
/// leaves them alone.
pub fn accept_group(conn: &mut DbConn, now: DateTime<Utc>, id: &str, by: &str) -> QueryResult<()> {
    diesel::update(
        opinion_groups::table
            .find(id)
            .filter(opinion_groups::accepted_by.is_null()),
    )
    .set((
        opinion_groups::accepted_by.eq(by),
        opinion_groups::updated_at.eq(now.naive_utc()),
    ))
    .execute(conn)?;
    diesel::update(
        comments::table
            .filter(comments::group_id.eq(id))
            .filter(comments::placed_by.is_null()),
    )
    .set(comments::placed_by.eq(by))
    .execute(conn)?;
    Ok(())
}

pub fn set_group_disposition(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    id: &str,
    outcome: &str,
    reason: Option<&str>,
    by: &str,
) -> QueryResult<()> {
    diesel::update(opinion_groups::table.find(id))
        .set((
            opinion_groups::outcome.eq(outcome),
            opinion_groups::reason.eq(reason),
            opinion_groups::disposed_by.eq(by),
            opinion_groups::disposed_at.eq(now.naive_utc()),
            opinion_groups::updated_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = comments)]
pub struct CommentDisposition {
    pub id: String,
    pub draft_id: String,
    pub round: i32,
    pub tracking_number: String,
    pub group_id: Option<String>,
    pub outcome: Option<String>,
    pub reason: Option<String>,
    pub disposed_by: Option<String>,
    pub disposed_at: Option<NaiveDateTime>,
}

pub fn comment_disposition(conn: &mut DbConn, id: &str) -> QueryResult<Option<CommentDisposition>> {
    comments::table
        .find(id)
        .select(CommentDisposition::as_select())
        .first(conn)
        .optional()
}

pub fn set_comment_disposition(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    id: &str,
    outcome: &str,
    reason: Option<&str>,
    by: &str,
) -> QueryResult<()> {
    super::desk::dispose_comments(conn, now, &[id.to_string()], outcome, reason, by)?;
    Ok(())
}
