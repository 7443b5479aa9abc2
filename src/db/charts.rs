//! The counts behind the charts (R19), aggregated in SQL: per UTC hour (days are worked out in
//! `domain::charts`, in the site's time zone), by kind of commenter, by article and by effective
//! outcome. For the live state of a round they read `comments`; for a report its frozen rows
//! (`report_rows`), joined to `comments` only for the time each comment came in.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text};

use super::DbConn;

#[derive(QueryableByName)]
struct KeyCount {
    #[diesel(sql_type = Nullable<Text>)]
    key: Option<String>,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// What a count is of: a round's comments, or a report's frozen rows.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    Round { draft_id: &'a str, round: i32 },
    Report { report_id: &'a str },
}

/// `SELECT {key} AS key, COUNT(*) AS n FROM {from} WHERE {where} GROUP BY 1` on either
/// database (`?` placeholders, bound in order: the draft and round, or the report).
fn counts(conn: &mut DbConn, sql: &str, scope: Scope<'_>) -> QueryResult<Vec<(String, i64)>> {
    let rows: Vec<KeyCount> = match conn {
        DbConn::Pg(c) => {
            let mut n = 0;
            let numbered: String = sql
                .split('?')
                .enumerate()
                .map(|(i, part)| {
                    if i == 0 {
                        part.to_string()
                    } else {
                        n += 1;
                        format!("${n}{part}")
                    }
                })
                .collect();
            let q = diesel::sql_query(numbered).into_boxed::<diesel::pg::Pg>();
            match scope {
                Scope::Round { draft_id, round } => q
                    .bind::<Text, _>(draft_id.to_string())
                    .bind::<Integer, _>(round)
                    .load(c)?,
                Scope::Report { report_id } => q.bind::<Text, _>(report_id.to_string()).load(c)?,
            }
        }
        DbConn::Sqlite(c) => {
            let q = diesel::sql_query(sql).into_boxed::<diesel::sqlite::Sqlite>();
            match scope {
                Scope::Round { draft_id, round } => q
                    .bind::<Text, _>(draft_id.to_string())
                    .bind::<Integer, _>(round)
                    .load(c)?,
                Scope::Report { report_id } => q.bind::<Text, _>(report_id.to_string()).load(c)?,
            }
        }
    };
    Ok(rows
        .into_iter()
        .map(|r| (r.key.unwrap_or_else(|| "none".into()), r.n))
        .collect())
}

fn from_where(scope: Scope<'_>) -> &'static str {
    match scope {
        Scope::Round { .. } => {
            "FROM comments LEFT JOIN opinion_groups ON opinion_groups.id = comments.group_id \
             WHERE comments.draft_id = ? AND comments.round = ?"
        }
        Scope::Report { .. } => {
            "FROM report_rows JOIN comments ON comments.tracking_number = report_rows.tracking_number \
             WHERE report_rows.report_id = ?"
        }
    }
}

/// Comments per UTC hour (`hour` at the start of the hour).
pub fn per_hour(conn: &mut DbConn, scope: Scope<'_>) -> QueryResult<Vec<(NaiveDateTime, i64)>> {
    let bucket = match conn {
        DbConn::Pg(_) => "to_char(comments.submitted_at, 'YYYY-MM-DD HH24')",
        DbConn::Sqlite(_) => "strftime('%Y-%m-%d %H', comments.submitted_at)",
    };
    let sql = format!(
        "SELECT {bucket} AS key, COUNT(*) AS n {} GROUP BY 1",
        from_where(scope)
    );
    Ok(counts(conn, &sql, scope)?
        .into_iter()
        .filter_map(|(k, n)| {
            NaiveDateTime::parse_from_str(&format!("{k}:00"), "%Y-%m-%d %H:%M")
                .ok()
                .map(|h| (h, n))
        })
        .collect())
}

/// R17: the effective outcome (a comment's own disposition over its group's), `none` when
/// neither has one.
const OUTCOME: &str = "COALESCE(comments.outcome, opinion_groups.outcome)";

/// The live counts of a round: `column` is `stakeholder_type`, `article` or `outcome`;
/// `market` keeps market entities only.
pub fn live_counts(
    conn: &mut DbConn,
    draft_id: &str,
    round: i32,
    column: &str,
    market: bool,
) -> QueryResult<Vec<(String, i64)>> {
    let key = match column {
        "stakeholder_type" => "comments.stakeholder_type",
        "article" => "CAST(comments.article AS TEXT)",
        _ => OUTCOME,
    };
    let scope = Scope::Round { draft_id, round };
    let mut sql = format!("SELECT {key} AS key, COUNT(*) AS n {}", from_where(scope));
    if market {
        sql.push_str(" AND comments.stakeholder_type IN ('enterprise', 'industry_association')");
    }
    sql.push_str(" GROUP BY 1");
    counts(conn, &sql, scope)
}
