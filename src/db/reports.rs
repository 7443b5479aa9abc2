//! R18–R20: adoption reports. Preparing one freezes a row per comment (`report_rows`) in one
//! INSERT … SELECT and aggregates the totals in SQL, so a million comments never pass through
//! the application's memory at once; the CSV reads the rows back in keyset pages.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::dsl::{count_star, max, sql};
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};

use super::DbConn;
use super::schema::{comments, drafts, opinion_groups, period_extensions, report_rows, reports};
use crate::domain::workflow::DraftState;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = reports)]
pub struct ReportRow {
    pub id: String,
    pub draft_id: String,
    pub round: i32,
    pub version: i32,
    pub state: String,
    pub note: Option<String>,
    pub summary: String,
    pub prepared_by: String,
    pub prepared_at: NaiveDateTime,
    pub submitted_by: Option<String>,
    pub submitted_at: Option<NaiveDateTime>,
    pub approved_by: Option<String>,
    pub published_at: Option<NaiveDateTime>,
    pub return_note: Option<String>,
}

/// The newest version of the round's report, whatever its state.
pub fn latest(conn: &mut DbConn, draft_id: &str, round: i32) -> QueryResult<Option<ReportRow>> {
    reports::table
        .filter(reports::draft_id.eq(draft_id))
        .filter(reports::round.eq(round))
        .order(reports::version.desc())
        .select(ReportRow::as_select())
        .first(conn)
        .optional()
}

/// Which of these drafts have a published report (`links.report`).
pub fn with_published(conn: &mut DbConn, draft_ids: &[String]) -> QueryResult<Vec<String>> {
    if draft_ids.is_empty() {
        return Ok(Vec::new());
    }
    reports::table
        .filter(reports::draft_id.eq_any(draft_ids))
        .filter(reports::state.eq("published"))
        .select(reports::draft_id)
        .distinct()
        .load(conn)
}

/// A published report in the home page's list.
#[derive(Debug, Clone, Queryable)]
pub struct RecentReport {
    pub draft_id: String,
    pub title: String,
    pub index_no: String,
    pub agency: String,
    pub published_at: Option<NaiveDateTime>,
}

/// R27: drafts whose report was published most recently (newest version first), public drafts
/// only, one line per draft.
pub fn recent_published(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<RecentReport>> {
    let public: Vec<&str> = DraftState::PUBLIC.iter().map(|s| s.as_str()).collect();
    reports::table
        .inner_join(drafts::table)
        .filter(reports::state.eq("published"))
        .filter(drafts::state.eq_any(public))
        .group_by((drafts::id, drafts::title, drafts::index_no, drafts::agency))
        .select((
            drafts::id,
            drafts::title,
            drafts::index_no,
            drafts::agency,
            max(reports::published_at),
        ))
        .order((max(reports::published_at).desc(), drafts::id.asc()))
        .limit(limit)
        .load(conn)
}

/// The newest published version (of the latest round, or of `round`), or the given published
/// version.
pub fn published(
    conn: &mut DbConn,
    draft_id: &str,
    round: Option<i32>,
    version: Option<i32>,
) -> QueryResult<Option<ReportRow>> {
    let mut q = reports::table
        .filter(reports::draft_id.eq(draft_id))
        .filter(reports::state.eq("published"))
        .into_boxed();
    if let Some(r) = round {
        q = q.filter(reports::round.eq(r));
    }
    if let Some(v) = version {
        q = q.filter(reports::version.eq(v));
    }
    q.order((reports::round.desc(), reports::version.desc()))
        .select(ReportRow::as_select())
        .first(conn)
        .optional()
}

/// A comment the report cannot be prepared without (R18).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Missing {
    pub comment_id: String,
    pub tracking_number: String,
    /// `disposition` or `reason`.
    pub lacks: &'static str,
}

/// R18: every comment of the round (hidden and staff-entered too) without an effective
/// disposition or its required reason; at most `limit` listed, and the total.
pub fn missing(
    conn: &mut DbConn,
    draft_id: &str,
    round: i32,
    limit: i64,
) -> QueryResult<(Vec<Missing>, i64)> {
    let base = || {
        comments::table
            .left_join(opinion_groups::table)
            .filter(comments::draft_id.eq(draft_id))
            .filter(comments::round.eq(round))
            .filter(sql::<diesel::sql_types::Bool>(super::desk::LACKING))
    };
    let total: i64 = base().count().get_result(conn)?;
    let rows: Vec<(String, String, Option<String>, Option<String>)> = base()
        .order(comments::tracking_number.asc())
        .limit(limit)
        .select((
            comments::id,
            comments::tracking_number,
            comments::outcome,
            opinion_groups::outcome.nullable(),
        ))
        .load(conn)?;
    let list = rows
        .into_iter()
        .map(|(id, tn, own, group)| Missing {
            comment_id: id,
            tracking_number: tn,
            lacks: if own.or(group).is_none() {
                "disposition"
            } else {
                "reason"
            },
        })
        .collect();
    Ok((list, total))
}

pub struct NewReport<'a> {
    pub id: &'a str,
    pub draft_id: &'a str,
    pub round: i32,
    pub version: i32,
    pub note: Option<&'a str>,
    pub prepared_by: &'a str,
}

/// Inserts the report header (summary filled in later) and freezes one row per comment.
pub fn insert_with_rows(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    r: &NewReport<'_>,
) -> QueryResult<usize> {
    diesel::insert_into(reports::table)
        .values((
            reports::id.eq(r.id),
            reports::draft_id.eq(r.draft_id),
            reports::round.eq(r.round),
            reports::version.eq(r.version),
            reports::state.eq("draft"),
            reports::note.eq(r.note),
            reports::summary.eq("{}"),
            reports::prepared_by.eq(r.prepared_by),
            reports::prepared_at.eq(now.naive_utc()),
            reports::updated_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    // R17: a member's own disposition overrides its group's.
    let rows = comments::table
        .left_join(opinion_groups::table)
        .filter(comments::draft_id.eq(r.draft_id))
        .filter(comments::round.eq(r.round))
        .select((
            r.id.into_sql::<Text>(),
            comments::tracking_number,
            comments::article,
            comments::stakeholder_type,
            comments::channel,
            comments::group_id,
            opinion_groups::title.nullable(),
            sql::<Text>("COALESCE(comments.outcome, opinion_groups.outcome, 'noted')"),
            sql::<Nullable<Text>>(
                "CASE WHEN comments.outcome IS NOT NULL THEN comments.reason \
                 ELSE opinion_groups.reason END",
            ),
        ));
    diesel::insert_into(report_rows::table)
        .values(rows)
        .into_columns((
            report_rows::report_id,
            report_rows::tracking_number,
            report_rows::article,
            report_rows::stakeholder_type,
            report_rows::channel,
            report_rows::group_id,
            report_rows::group_title,
            report_rows::outcome,
            report_rows::reason,
        ))
        .execute(conn)
}

/// Deletes an unpublished report and its rows.
pub fn delete(conn: &mut DbConn, id: &str) -> QueryResult<()> {
    diesel::delete(report_rows::table.filter(report_rows::report_id.eq(id))).execute(conn)?;
    diesel::delete(reports::table.find(id)).execute(conn)?;
    Ok(())
}

pub fn set_summary(conn: &mut DbConn, id: &str, summary: &str) -> QueryResult<()> {
    diesel::update(reports::table.find(id))
        .set(reports::summary.eq(summary))
        .execute(conn)?;
    Ok(())
}

/// `(key, count)` of the frozen rows grouped by one column.
pub fn count_by(conn: &mut DbConn, id: &str, column: &str) -> QueryResult<Vec<(String, i64)>> {
    let q = report_rows::table.filter(report_rows::report_id.eq(id));
    match column {
        "channel" => q
            .group_by(report_rows::channel)
            .select((report_rows::channel, count_star()))
            .load(conn),
        "stakeholder_type" => q
            .group_by(report_rows::stakeholder_type)
            .select((report_rows::stakeholder_type, count_star()))
            .load(conn),
        "outcome" => q
            .group_by(report_rows::outcome)
            .select((report_rows::outcome, count_star()))
            .load(conn),
        _ => {
            let rows: Vec<(Option<i32>, i64)> = q
                .group_by(report_rows::article)
                .select((report_rows::article, count_star()))
                .load(conn)?;
            Ok(rows
                .into_iter()
                .map(|(a, n)| (a.map_or_else(|| "none".to_string(), |a| a.to_string()), n))
                .collect())
        }
    }
}

/// Market entities (R19): `(outcome, count)` among enterprises and industry associations.
pub fn market_entities_by_outcome(conn: &mut DbConn, id: &str) -> QueryResult<Vec<(String, i64)>> {
    report_rows::table
        .filter(report_rows::report_id.eq(id))
        .filter(report_rows::stakeholder_type.eq_any(["enterprise", "industry_association"]))
        .group_by(report_rows::outcome)
        .select((report_rows::outcome, count_star()))
        .load(conn)
}

/// `(group_id, size)` of the frozen rows.
pub fn group_sizes(conn: &mut DbConn, id: &str) -> QueryResult<Vec<(String, i64)>> {
    report_rows::table
        .filter(report_rows::report_id.eq(id))
        .filter(report_rows::group_id.is_not_null())
        .group_by(report_rows::group_id)
        .select((report_rows::group_id.assume_not_null(), count_star()))
        .load(conn)
}

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = report_rows)]
pub struct FrozenRow {
    pub tracking_number: String,
    pub article: Option<i32>,
    pub stakeholder_type: String,
    pub channel: String,
    pub group_id: Option<String>,
    pub group_title: Option<String>,
    pub outcome: String,
    pub reason: Option<String>,
}

/// One page of frozen rows by offset (the JSON's `?page=`).
pub fn rows_page(
    conn: &mut DbConn,
    id: &str,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<FrozenRow>> {
    report_rows::table
        .filter(report_rows::report_id.eq(id))
        .order(report_rows::tracking_number.asc())
        .offset(offset)
        .limit(limit)
        .select(FrozenRow::as_select())
        .load(conn)
}

/// Rows after `after` in tracking-number order (keyset paging for the CSV stream).
pub fn rows_after(
    conn: &mut DbConn,
    id: &str,
    after: &str,
    limit: i64,
) -> QueryResult<Vec<FrozenRow>> {
    report_rows::table
        .filter(report_rows::report_id.eq(id))
        .filter(report_rows::tracking_number.gt(after))
        .order(report_rows::tracking_number.asc())
        .limit(limit)
        .select(FrozenRow::as_select())
        .load(conn)
}

pub fn row_count(conn: &mut DbConn, id: &str) -> QueryResult<i64> {
    report_rows::table
        .filter(report_rows::report_id.eq(id))
        .count()
        .get_result(conn)
}

/// `(previous_closes_on, new_closes_on, reason)` of the draft's period extensions (R6).
pub fn extensions(
    conn: &mut DbConn,
    draft_id: &str,
) -> QueryResult<Vec<(chrono::NaiveDate, chrono::NaiveDate, String)>> {
    period_extensions::table
        .filter(period_extensions::draft_id.eq(draft_id))
        .order(period_extensions::at.asc())
        .select((
            period_extensions::previous_closes_on,
            period_extensions::new_closes_on,
            period_extensions::reason,
        ))
        .load(conn)
}

/// Moves a report from one state to another; false when it was not in `from` (a lost race).
pub fn transition(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    id: &str,
    from: &str,
    to: &str,
    actor: &str,
    note: Option<&str>,
) -> QueryResult<bool> {
    let target = reports::table.find(id).filter(reports::state.eq(from));
    let n = match to {
        "awaiting_approval" => diesel::update(target)
            .set((
                reports::state.eq(to),
                reports::submitted_by.eq(actor),
                reports::submitted_at.eq(now.naive_utc()),
                reports::updated_at.eq(now.naive_utc()),
            ))
            .execute(conn)?,
        "published" => diesel::update(target)
            .set((
                reports::state.eq(to),
                reports::approved_by.eq(actor),
                reports::published_at.eq(now.naive_utc()),
                reports::updated_at.eq(now.naive_utc()),
            ))
            .execute(conn)?,
        _ => diesel::update(target)
            .set((
                reports::state.eq(to),
                reports::return_note.eq(note),
                reports::updated_at.eq(now.naive_utc()),
            ))
            .execute(conn)?,
    };
    if n == 1 {
        // The draft's page and JSON link to a published report.
        let draft_id: String = reports::table
            .find(id)
            .select(reports::draft_id)
            .first(conn)?;
        super::drafts::touch(conn, &draft_id)?;
    }
    Ok(n == 1)
}

/// R14: what the newest published report of the comment's round says about one comment (for
/// the receipt lookup): `(outcome, reason, group title)`.
pub fn receipt_outcome(
    conn: &mut DbConn,
    draft_id: &str,
    tracking_number: &str,
) -> QueryResult<Option<FrozenRow>> {
    let round: Option<i32> = comments::table
        .filter(comments::tracking_number.eq(tracking_number))
        .select(comments::round)
        .first(conn)
        .optional()?;
    let Some(report) = published(conn, draft_id, round, None)? else {
        return Ok(None);
    };
    report_rows::table
        .filter(report_rows::report_id.eq(&report.id))
        .filter(report_rows::tracking_number.eq(tracking_number))
        .select(FrozenRow::as_select())
        .first(conn)
        .optional()
}
