//! R19: the figures the charts draw (`domain::charts::ChartData`), read from the live state of
//! a draft's current round (the staff review desk, the staff report page before a report
//! exists) or from a prepared or published report (its frozen rows and summary). Reads only:
//! no audit entry, no transaction.

use chrono::NaiveDate;
use serde_json::Value;

use crate::config::Config;
use crate::db::charts::{self as q, Scope};
use crate::db::reports::{self, ReportRow};
use crate::db::{DbConn, review};
use crate::domain::charts::{self as rules, ChartData};
use crate::error::{AppError, AppResult};

/// The live figures of the draft's current round: every comment (hidden and staff-entered
/// ones included), with the effective outcome (R17) or `none` while undisposed.
pub fn live(conn: &mut DbConn, config: &Config, draft_id: &str) -> AppResult<ChartData> {
    let draft = review::draft(conn, draft_id)?.ok_or_else(AppError::not_found)?;
    let (id, round) = (draft.id.as_str(), draft.round);
    let hours = q::per_hour(
        conn,
        Scope::Round {
            draft_id: id,
            round,
        },
    )?;
    let by_outcome = q::live_counts(conn, id, round, "outcome", false)?;
    Ok(ChartData {
        total: by_outcome.iter().map(|(_, n)| n).sum(),
        opens_on: Some(draft.opens_on),
        closes_on: Some(draft.closes_on),
        extended_from: reports::extensions(conn, id)?
            .into_iter()
            .map(|(from, _, _)| from)
            .collect(),
        days: rules::days(&hours, config.timezone(), draft.opens_on, draft.closes_on),
        by_stakeholder_type: rules::ranked(q::live_counts(
            conn,
            id,
            round,
            "stakeholder_type",
            false,
        )?),
        market_entities_by_outcome: if draft.enterprise_related {
            Some(rules::by_outcome(q::live_counts(
                conn, id, round, "outcome", true,
            )?))
        } else {
            None
        },
        by_article: rules::by_article(q::live_counts(conn, id, round, "article", false)?),
        by_outcome: rules::by_outcome(by_outcome),
    })
}

fn pairs(v: &Value) -> Vec<(String, i64)> {
    v.as_object()
        .map(|m| {
            m.iter()
                .map(|(k, n)| (k.clone(), n.as_i64().unwrap_or(0)))
                .collect()
        })
        .unwrap_or_default()
}

fn date(v: &Value) -> Option<NaiveDate> {
    v.as_str().and_then(|s| s.parse().ok())
}

/// The figures of a report as it was prepared: its frozen summary, and per day the comments
/// of its frozen rows.
pub fn of_report(conn: &mut DbConn, config: &Config, report: &ReportRow) -> AppResult<ChartData> {
    let doc: Value = serde_json::from_str(&report.summary).map_err(AppError::internal)?;
    let totals = &doc["totals"];
    let period = &doc["period"];
    let hours = q::per_hour(
        conn,
        Scope::Report {
            report_id: &report.id,
        },
    )?;
    let (opens_on, closes_on) = (date(&period["opens_on"]), date(&period["closes_on"]));
    let days = match (opens_on, closes_on) {
        (Some(o), Some(c)) => rules::days(&hours, config.timezone(), o, c),
        _ => Vec::new(),
    };
    Ok(ChartData {
        total: totals["comments"].as_i64().unwrap_or(0),
        opens_on,
        closes_on,
        extended_from: period["extensions"]
            .as_array()
            .map(|es| {
                es.iter()
                    .filter_map(|e| date(&e["previous_closes_on"]))
                    .collect()
            })
            .unwrap_or_default(),
        days,
        by_stakeholder_type: rules::ranked(pairs(&totals["by_stakeholder_type"])),
        market_entities_by_outcome: totals["market_entities"]
            .is_object()
            .then(|| rules::by_outcome(pairs(&totals["market_entities"]["by_outcome"]))),
        by_article: rules::by_article(pairs(&totals["by_article"])),
        by_outcome: rules::by_outcome(pairs(&totals["by_outcome"])),
    })
}
