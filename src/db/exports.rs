//! The officers' export of a round's comments (staff only): one row per comment with its
//! effective disposition (R17) and the commenter's contact fields, read in keyset pages of
//! tracking numbers so that a round of any size never sits in memory at once.

use chrono::NaiveDateTime;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::Nullable;
use diesel::sql_types::Text;

use super::DbConn;
use super::schema::{comments, opinion_groups};

/// One comment as the export shows it.
#[derive(Debug, Clone, Queryable)]
pub struct ExportRow {
    pub tracking_number: String,
    pub submitted_at: NaiveDateTime,
    pub channel: String,
    pub article: Option<i32>,
    pub stakeholder_type: String,
    pub status: String,
    pub group_title: Option<String>,
    pub outcome: Option<String>,
    pub reason: Option<String>,
    pub name: Option<String>,
    pub organization: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub region: Option<String>,
}

/// The round's comments after `after` in tracking-number order, at most `limit`.
pub fn rows_after(
    conn: &mut DbConn,
    draft_id: &str,
    round: i32,
    after: &str,
    limit: i64,
) -> QueryResult<Vec<ExportRow>> {
    comments::table
        .left_join(opinion_groups::table)
        .filter(comments::draft_id.eq(draft_id))
        .filter(comments::round.eq(round))
        .filter(comments::tracking_number.gt(after))
        .order(comments::tracking_number.asc())
        .limit(limit)
        .select((
            comments::tracking_number,
            comments::submitted_at,
            comments::channel,
            comments::article,
            comments::stakeholder_type,
            comments::status,
            opinion_groups::title.nullable(),
            // R17: a member's own disposition overrides its group's.
            sql::<Nullable<Text>>("COALESCE(comments.outcome, opinion_groups.outcome)"),
            sql::<Nullable<Text>>(
                "CASE WHEN comments.outcome IS NOT NULL THEN comments.reason \
                 ELSE opinion_groups.reason END",
            ),
            comments::name,
            comments::organization,
            comments::email,
            comments::phone,
            comments::region,
        ))
        .load(conn)
}

/// How many comments the round has.
pub fn count(conn: &mut DbConn, draft_id: &str, round: i32) -> QueryResult<i64> {
    comments::table
        .filter(comments::draft_id.eq(draft_id))
        .filter(comments::round.eq(round))
        .count()
        .get_result(conn)
}
