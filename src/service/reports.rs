//! R18, R19: the adoption report: preparing a version (the completeness gate, with what is
//! missing), submitting it, and its approval or return by another person (four-eyes). The
//! approval publishes the report, concludes the draft and queues its mail, in one
//! transaction. A report's rows are frozen when it is prepared; a published version never
//! changes (a correction is a new version with a note).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use validator::Validate;

use super::Actor;
use super::review::load_draft;
use crate::config::Config;
use crate::db::audit::{self, AuditEvent};
use crate::db::reports::{self, NewReport, ReportRow};
use crate::db::review::{self, ReviewDraft};
use crate::db::{self, DbConn, drafts, ids};
use crate::domain::report::{
    self as rules, PrepareRefusal, ReportCounts, ReportDraft, ReportExtension, ReportGroup,
    ReportRefusal,
};
use crate::domain::roles::Role;
use crate::error::{AppError, AppResult, ErrorKind};
use crate::l;

/// How many missing comments a 409 lists (the total is always given).
pub const MISSING_LISTED: i64 = 1000;

/// What preparing a report takes: nothing, or for a correction the note saying what changed.
#[derive(Debug, Clone, Deserialize, Validate, Default, utoipa::ToSchema)]
pub struct PrepareReport {
    /// Required for a correction of a published report.
    #[validate(length(min = 1, max = 5000))]
    #[schema(min_length = 1, max_length = 5000)]
    pub note: Option<String>,
}

/// `submit`, `approve` or `return`, with a note (required to return).
#[derive(Debug, Clone, Deserialize, Validate, utoipa::ToSchema)]
pub struct ReportAction {
    /// `submit`, `approve` or `return`.
    #[schema(pattern = "^(submit|approve|return)$")]
    pub action: String,
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    pub note: Option<String>,
}

fn prepare_refusal(r: PrepareRefusal) -> AppError {
    match r {
        PrepareRefusal::NotClosed => AppError::wrong_state(l!(
            "征求意见期结束后才能起草采纳情况报告。",
            "The report can be prepared only after the comment period has closed."
        )),
        PrepareRefusal::AwaitingApproval => {
            AppError::wrong_state(l!("报告正在审批中。", "The report is awaiting approval."))
        }
        PrepareRefusal::CorrectionNeedsNote => AppError::field(
            "note",
            l!(
                "已公布的报告不能修改；更正须作为新版本并说明更正内容",
                "A published report is never edited; a correction is a new version and needs a note"
            ),
        ),
    }
}

/// R18: prepares the round's report (drafter): only after the window closed and only when
/// every comment has a disposition with its required reason, otherwise 409
/// `incomplete-review` with `missing[]` (at most `MISSING_LISTED`) and `missing_total`. An
/// unapproved version is replaced; a published one is corrected by a new version with a
/// note (R19). Returns the prepared report.
pub fn prepare_report(
    conn: &mut DbConn,
    config: &Config,
    actor: &Actor,
    now: DateTime<Utc>,
    draft_id: &str,
    input: &PrepareReport,
) -> AppResult<ReportRow> {
    actor.require(&[Role::Drafter])?;
    crate::error::validated(&input)?;
    let min = config.review.concentrated_min_comments;
    db::write_tx(conn, |conn| {
        let draft = load_draft(conn, draft_id)?;
        actor.may(conn, super::access::Act::Review, &draft)?;
        let latest = reports::latest(conn, &draft.id, draft.round)?;
        let plan = rules::prepare(
            &draft.state,
            now.naive_utc() >= draft.closes_at,
            latest.as_ref().map(|r| (r.state.as_str(), r.version)),
            input.note.as_deref(),
        )
        .map_err(prepare_refusal)?;
        if plan.replaces_latest
            && let Some(r) = &latest
        {
            reports::delete(conn, &r.id)?;
        }
        let (missing, total_missing) =
            reports::missing(conn, &draft.id, draft.round, MISSING_LISTED)?;
        if total_missing > 0 {
            return Err(AppError::conflict(
                ErrorKind::IncompleteReview,
                l!(
                    "还有 {} 条意见没有处理结果或理由，请处理后再起草报告。",
                    "{} comments still lack a disposition or its reason; dispose of them first.",
                    total_missing
                ),
            )
            .with("missing", json!(missing))
            .with("missing_total", json!(total_missing)));
        }
        let rid = ids::new_id(now);
        reports::insert_with_rows(
            conn,
            now,
            &NewReport {
                id: &rid,
                draft_id: &draft.id,
                round: draft.round,
                version: plan.version,
                note: input.note.as_deref().map(str::trim),
                prepared_by: &actor.id,
            },
        )
        .map_err(|e| {
            if db::is_unique_violation(&e) {
                AppError::wrong_state(l!(
                    "报告正由他人同时起草，请刷新后重试。",
                    "Someone prepared the report at the same moment; reload and try again."
                ))
            } else {
                e.into()
            }
        })?;
        let summary = summarise(conn, &draft, &rid, min)?;
        reports::set_summary(conn, &rid, &summary.to_string())?;
        audit::append(
            conn,
            now,
            &AuditEvent {
                actor: &actor.id,
                action: "report.prepared",
                object_type: "report",
                object_id: &rid,
                draft_id: Some(&draft.id),
                details: json!({"version": plan.version, "note": input.note}),
            },
        )?;
        reports::latest(conn, &draft.id, draft.round)?.ok_or_else(AppError::not_found)
    })
}

/// R19: reads the counts of the frozen rows and has `domain::report` assemble the summary.
fn summarise(conn: &mut DbConn, draft: &ReviewDraft, rid: &str, min: u32) -> AppResult<Value> {
    let to_map = |rows: Vec<(String, i64)>| -> BTreeMap<String, i64> { rows.into_iter().collect() };
    let counts = ReportCounts {
        by_channel: to_map(reports::count_by(conn, rid, "channel")?),
        by_stakeholder_type: to_map(reports::count_by(conn, rid, "stakeholder_type")?),
        by_article: to_map(reports::count_by(conn, rid, "article")?),
        by_outcome: to_map(reports::count_by(conn, rid, "outcome")?),
        market_entities_by_outcome: if draft.enterprise_related {
            Some(to_map(reports::market_entities_by_outcome(conn, rid)?))
        } else {
            None
        },
    };
    let sizes = to_map(reports::group_sizes(conn, rid)?);
    let rows = review::groups_of(conn, &draft.id, draft.round)?;
    let ids: Vec<String> = rows.iter().map(|g| g.id.clone()).collect();
    let mut changed = db::changes::of_opinions(conn, &ids)?;
    let groups = rows
        .into_iter()
        .map(|g| ReportGroup {
            // R8: only an adopted or partially adopted group changed the text.
            changed_articles: if g
                .outcome
                .as_deref()
                .is_some_and(|o| db::changes::CHANGING.contains(&o))
            {
                changed.remove(&g.id).unwrap_or_default()
            } else {
                Vec::new()
            },
            id: g.id,
            title: g.title,
            summary: g.summary,
            outcome: g.outcome,
            reason: g.reason,
        })
        .collect();
    let extensions = reports::extensions(conn, &draft.id)?
        .into_iter()
        .map(|(from, to, reason)| ReportExtension {
            previous_closes_on: from,
            new_closes_on: to,
            reason,
        })
        .collect();
    let ident = ReportDraft {
        id: &draft.id,
        index_no: &draft.index_no,
        title: &draft.title,
        enterprise_related: draft.enterprise_related,
        opens_on: draft.opens_on,
        closes_on: draft.closes_on,
        opens_at: draft.opens_at.map(db::utc_string),
        closes_at: db::utc_string(draft.closes_at),
    };
    Ok(rules::summary(
        &ident, counts, groups, &sizes, extensions, min,
    ))
}

fn report_refusal(r: ReportRefusal) -> AppError {
    match r {
        ReportRefusal::UnknownAction => AppError::field(
            "action",
            l!(
                "操作应为 submit、approve 或 return",
                "must be one of submit, approve, return"
            ),
        ),
        ReportRefusal::NeedsRole(role) => AppError::forbidden(l!(
            "此操作需要 {} 角色。",
            "This needs the {} role.",
            role.as_str()
        )),
        ReportRefusal::OwnReport => AppError::forbidden(l!(
            "起草人或提交人不能审批自己的报告。",
            "The drafter or submitter may not approve or return their own report."
        )),
        ReportRefusal::NoteRequired => AppError::field(
            "note",
            l!("退回时请说明理由", "Say why the report is returned"),
        ),
    }
}

/// R19: `submit` (drafter), `approve` or `return` (an approver who is neither the draft's
/// drafter nor the report's submitter; a return says why). Approval publishes the report,
/// concludes the draft (R7) and queues the mail to the draft's subscribers and commenters
/// (R22), in the same transaction. Returns the report after the step.
pub fn act_on_report(
    conn: &mut DbConn,
    actor: &Actor,
    now: DateTime<Utc>,
    draft_id: &str,
    input: &ReportAction,
) -> AppResult<ReportRow> {
    actor.require(&[Role::Drafter, Role::Approver])?;
    crate::error::validated(&input)?;
    db::write_tx(conn, |conn| {
        let draft = load_draft(conn, draft_id)?;
        actor.may(conn, super::access::Act::Step, &draft)?;
        let report =
            reports::latest(conn, &draft.id, draft.round)?.ok_or_else(AppError::not_found)?;
        let step = rules::report_step(
            &input.action,
            &actor.id,
            &actor.roles,
            &draft.drafter_id,
            report.submitted_by.as_deref(),
            input.note.as_deref(),
        )
        .map_err(report_refusal)?;
        if report.state != step.from
            || !reports::transition(
                conn,
                now,
                &report.id,
                step.from,
                step.to,
                &actor.id,
                input.note.as_deref(),
            )?
        {
            return Err(AppError::wrong_state(l!(
                "报告当前状态为 {}，不能进行此操作。",
                "The report is {}; this action is not possible now.",
                report.state
            )));
        }
        if step.to == "published" {
            // R22: the draft's subscribers and every commenter who gave an address (each
            // once) hear of the report, in the publishing transaction.
            crate::mail::events::report_published(conn, now, &draft.id)?;
            // R7: a published report concludes the draft.
            drafts::set_concluded(conn, now, &draft.id)?;
        }
        audit::append(
            conn,
            now,
            &AuditEvent {
                actor: &actor.id,
                action: step.audit_action,
                object_type: "report",
                object_id: &report.id,
                draft_id: Some(&draft.id),
                details: json!({
                    "version": report.version,
                    "from": step.from,
                    "to": step.to,
                    "note": input.note,
                }),
            },
        )?;
        let after = reports::latest(conn, &draft.id, draft.round)?.ok_or_else(AppError::not_found);
        if step.to == "published" {
            // Tests only (tests/crash.rs): a SIGKILL with every row of the publication
            // written and none committed.
            crate::crash_point::reached("report-publish");
        }
        after
    })
}
