//! R18–R20: the adoption report: prepare (completeness gate), approve, publish, read as JSON
//! or CSV. A report's rows are frozen when it is prepared; a published version never changes
//! (a correction is a new version with a note).

use std::collections::BTreeMap;

use actix_web::web::Bytes;
use actix_web::{HttpResponse, web};
use diesel::prelude::*;
use serde::Deserialize;
use serde_json::{Value, json};
use validator::Validate;

use super::groups::load_draft;
use crate::app::AppState;
use crate::db::audit::{self, AuditEvent};
use crate::db::reports::{self, FrozenRow, NewReport, ReportRow};
use crate::db::review::{self, ReviewDraft};
use crate::db::schema::drafts;
use crate::db::{self, DbConn, ids};
use crate::domain::review::{is_concentrated, report_rank};
use crate::domain::roles::Role;
use crate::http::auth::{Authorized, DrafterOnly, DrafterOrApprover, MaybeStaff};
use crate::http::error::{AppError, AppResult, ErrorKind};
use crate::http::extract::{JsonBody, QueryParams};
use crate::l;

/// How many missing comments a 409 lists (the total is always given).
const MISSING_LISTED: i64 = 1000;
/// Rows per CSV chunk (one keyset page).
const CSV_PAGE: i64 = 5000;

#[derive(Debug, Deserialize, Validate, Default)]
pub struct PrepareReport {
    /// Required for a correction of a published report.
    #[validate(length(min = 1, max = 5000))]
    pub note: Option<String>,
}

/// `POST /api/v1/drafts/{id}/report`: R18, only after the window closed and only when every
/// comment has a disposition with its required reason; otherwise 409 with `missing[]`.
pub async fn create_report(
    state: web::Data<AppState>,
    path: web::Path<String>,
    who: Authorized<DrafterOnly>,
    JsonBody(body): JsonBody<PrepareReport>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let min = state.config.review.concentrated_min_comments;
    let actor = who.id().to_string();
    let doc = state
        .db(move |conn| {
            db::write_tx(conn, |conn| {
                let draft = load_draft(conn, &id)?;
                let closed = now.naive_utc() >= draft.closes_at;
                let correcting = draft.state == "concluded";
                if !(draft.state == "published" && closed || correcting) {
                    return Err(AppError::wrong_state(l!(
                        "征求意见期结束后才能起草采纳情况报告。",
                        "The report can be prepared only after the comment period has closed."
                    )));
                }
                let latest = reports::latest(conn, &draft.id, draft.round)?;
                let version = match &latest {
                    Some(r) if r.state == "awaiting_approval" => {
                        return Err(AppError::wrong_state(l!(
                            "报告正在审批中。",
                            "The report is awaiting approval."
                        )));
                    }
                    Some(r) if r.state == "published" => {
                        // R19: a correction is a new version with a note.
                        if body.note.as_deref().is_none_or(|n| n.trim().is_empty()) {
                            return Err(AppError::field(
                                "note",
                                l!(
                                    "已公布的报告不能修改；更正须作为新版本并说明更正内容",
                                    "A published report is never edited; a correction is a new version and needs a note"
                                ),
                            ));
                        }
                        r.version + 1
                    }
                    Some(r) => {
                        // An unapproved version is prepared again from the current dispositions.
                        reports::delete(conn, &r.id)?;
                        r.version
                    }
                    None => 1,
                };
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
                        version,
                        note: body.note.as_deref().map(str::trim),
                        prepared_by: &actor,
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
                        actor: &actor,
                        action: "report.prepared",
                        object_type: "report",
                        object_id: &rid,
                        draft_id: Some(&draft.id),
                        details: json!({"version": version, "note": body.note}),
                    },
                )?;
                let report = reports::latest(conn, &draft.id, draft.round)?
                    .ok_or_else(AppError::not_found)?;
                document(conn, &report, 1, 50)
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(doc))
}

/// R19: identification, period, totals (aggregated in SQL) and groups, frozen as JSON text.
fn summarise(conn: &mut DbConn, draft: &ReviewDraft, rid: &str, min: u32) -> AppResult<Value> {
    let to_map = |rows: Vec<(String, i64)>| -> BTreeMap<String, i64> { rows.into_iter().collect() };
    let by_channel = to_map(reports::count_by(conn, rid, "channel")?);
    let mut totals = json!({
        "comments": by_channel.values().sum::<i64>(),
        "by_channel": by_channel,
        "by_stakeholder_type": to_map(reports::count_by(conn, rid, "stakeholder_type")?),
        "by_article": to_map(reports::count_by(conn, rid, "article")?),
        "by_outcome": to_map(reports::count_by(conn, rid, "outcome")?),
    });
    if draft.enterprise_related {
        // R19: market entities shown on their own for rules that affect enterprises.
        let by_outcome = to_map(reports::market_entities_by_outcome(conn, rid)?);
        totals["market_entities"] = json!({
            "comments": by_outcome.values().sum::<i64>(),
            "by_outcome": by_outcome,
        });
    }
    let sizes: BTreeMap<String, i64> = reports::group_sizes(conn, rid)?.into_iter().collect();
    let mut groups: Vec<(bool, Option<String>, usize, Value)> =
        review::groups_of(conn, &draft.id, draft.round)?
            .into_iter()
            .filter_map(|g| {
                let size = *sizes.get(&g.id)? as usize;
                let concentrated = is_concentrated(size, min);
                let v = json!({
                    "id": g.id, "title": g.title, "summary": g.summary, "size": size,
                    "concentrated": concentrated, "outcome": g.outcome, "reason": g.reason,
                });
                Some((concentrated, g.outcome, size, v))
            })
            .collect();
    groups.sort_by_key(|(c, o, s, _)| report_rank(*c, o.as_deref(), *s));
    let extensions: Vec<Value> = reports::extensions(conn, &draft.id)?
        .into_iter()
        .map(|(from, to, reason)| json!({"previous_closes_on": from, "new_closes_on": to, "reason": reason}))
        .collect();
    Ok(json!({
        "draft": {"id": draft.id, "index_no": draft.index_no, "title": draft.title},
        "period": {
            "opens_on": draft.opens_on, "closes_on": draft.closes_on,
            "opens_at": draft.opens_at.map(db::utc_string),
            "closes_at": db::utc_string(draft.closes_at),
            "extensions": extensions,
        },
        "totals": totals,
        "groups": groups.into_iter().map(|(_, _, _, v)| v).collect::<Vec<_>>(),
    }))
}

/// The report document of the HTTP contract with one page of its comment rows.
fn document(conn: &mut DbConn, r: &ReportRow, page: i64, per_page: i64) -> AppResult<Value> {
    let mut doc: Value = serde_json::from_str(&r.summary).map_err(AppError::internal)?;
    let rows = reports::rows_page(conn, &r.id, (page - 1) * per_page, per_page)?;
    let total = doc["totals"]["comments"].as_i64().unwrap_or(0);
    doc["id"] = json!(r.id);
    doc["version"] = json!(r.version);
    doc["round"] = json!(r.round);
    doc["state"] = json!(r.state);
    doc["note"] = json!(r.note);
    doc["return_note"] = json!(r.return_note);
    doc["prepared_at"] = json!(db::utc_string(r.prepared_at));
    doc["published_at"] = json!(r.published_at.map(db::utc_string));
    doc["comments"] = json!(rows.into_iter().map(row_json).collect::<Vec<_>>());
    doc["comments_page"] = json!({"total": total, "page": page, "per_page": per_page});
    doc["links"] = json!({
        "draft": format!("/api/v1/drafts/{}", r.draft_id),
        "html": format!("/drafts/{}/report?version={}", r.draft_id, r.version),
        "csv": format!("/api/v1/drafts/{}/report?format=csv&version={}", r.draft_id, r.version),
    });
    Ok(doc)
}

fn row_json(r: FrozenRow) -> Value {
    json!({
        "tracking_number": r.tracking_number, "article": r.article,
        "stakeholder_type": r.stakeholder_type, "channel": r.channel,
        "group_id": r.group_id, "group": r.group_title,
        "outcome": r.outcome, "reason": r.reason,
    })
}

#[derive(Debug, Deserialize, Validate)]
pub struct ReportAction {
    pub action: String,
    #[validate(length(max = 5000))]
    pub note: Option<String>,
}

/// `POST /api/v1/drafts/{id}/report/actions`: `submit` (drafter), `approve` and `return`
/// (an approver who is neither the draft's drafter nor the submitter). Approval publishes the
/// report and concludes the draft (R7, R19).
pub async fn act_on_report(
    state: web::Data<AppState>,
    path: web::Path<String>,
    who: Authorized<DrafterOrApprover>,
    JsonBody(body): JsonBody<ReportAction>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let actor = who.id().to_string();
    let roles = who.roles.clone();
    let doc = state
        .db(move |conn| {
            db::write_tx(conn, |conn| {
                let draft = load_draft(conn, &id)?;
                let report = reports::latest(conn, &draft.id, draft.round)?
                    .ok_or_else(AppError::not_found)?;
                let need = |role: Role| -> AppResult<()> {
                    if roles.has(role) {
                        Ok(())
                    } else {
                        Err(AppError::forbidden(l!(
                            "此操作需要 {} 角色。",
                            "This needs the {} role.",
                            role.as_str()
                        )))
                    }
                };
                let (from, to, action) = match body.action.as_str() {
                    "submit" => {
                        need(Role::Drafter)?;
                        ("draft", "awaiting_approval", "report.submitted")
                    }
                    "approve" | "return" => {
                        need(Role::Approver)?;
                        // R19/R7: the approver is not the one who drafted or submitted.
                        if actor == draft.drafter_id || report.submitted_by.as_deref() == Some(&actor) {
                            return Err(AppError::forbidden(l!(
                                "起草人或提交人不能审批自己的报告。",
                                "The drafter or submitter may not approve or return their own report."
                            )));
                        }
                        if body.action == "approve" {
                            ("awaiting_approval", "published", "report.published")
                        } else {
                            if body.note.as_deref().is_none_or(|n| n.trim().is_empty()) {
                                return Err(AppError::field(
                                    "note",
                                    l!("退回时请说明理由", "Say why the report is returned"),
                                ));
                            }
                            ("awaiting_approval", "draft", "report.returned")
                        }
                    }
                    _ => {
                        return Err(AppError::field(
                            "action",
                            l!(
                                "操作应为 submit、approve 或 return",
                                "must be one of submit, approve, return"
                            ),
                        ));
                    }
                };
                if report.state != from
                    || !reports::transition(conn, now, &report.id, from, to, &actor, body.note.as_deref())?
                {
                    return Err(AppError::wrong_state(l!(
                        "报告当前状态为 {}，不能进行此操作。",
                        "The report is {}; this action is not possible now.",
                        report.state
                    )));
                }
                if to == "published" {
                    // R22: the draft's subscribers and every commenter who gave an address
                    // (each once) hear of the report, in the publishing transaction.
                    crate::mail::events::report_published(conn, now, &draft.id)?;
                }
                if to == "published" && draft.state != "concluded" {
                    diesel::update(drafts::table.find(&draft.id))
                        .set((
                            drafts::state.eq("concluded"),
                            drafts::concluded_at.eq(now.naive_utc()),
                            drafts::updated_at.eq(now.naive_utc()),
                        ))
                        .execute(conn)?;
                }
                audit::append(
                    conn,
                    now,
                    &AuditEvent {
                        actor: &actor,
                        action,
                        object_type: "report",
                        object_id: &report.id,
                        draft_id: Some(&draft.id),
                        details: json!({"version": report.version, "from": from, "to": to, "note": body.note}),
                    },
                )?;
                let report = reports::latest(conn, &draft.id, draft.round)?
                    .ok_or_else(AppError::not_found)?;
                document(conn, &report, 1, 50)
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(doc))
}

#[derive(Debug, Deserialize, Validate)]
pub struct ReportQuery {
    pub format: Option<String>,
    pub version: Option<i32>,
    #[validate(range(min = 1))]
    pub page: Option<i64>,
    #[validate(range(min = 1, max = 500))]
    pub per_page: Option<i64>,
}

/// Which report the caller may read: the public sees published versions only; drafters,
/// reviewers and approvers also see the one being prepared.
fn visible_report(
    conn: &mut DbConn,
    draft_id: &str,
    version: Option<i32>,
    staff: bool,
) -> AppResult<ReportRow> {
    if staff {
        let draft = review::draft(conn, draft_id)?.ok_or_else(AppError::not_found)?;
        let found = match version {
            None => reports::latest(conn, draft_id, draft.round)?,
            Some(v) => crate::db::schema::reports::table
                .filter(crate::db::schema::reports::draft_id.eq(draft_id))
                .filter(crate::db::schema::reports::version.eq(v))
                .order(crate::db::schema::reports::round.desc())
                .select(ReportRow::as_select())
                .first(conn)
                .optional()?,
        };
        return found.ok_or_else(AppError::not_found);
    }
    reports::published(conn, draft_id, version)?.ok_or_else(AppError::not_found)
}

/// `GET /api/v1/drafts/{id}/report` (`?format=csv` streams every row, R20).
pub async fn get_report(
    state: web::Data<AppState>,
    path: web::Path<String>,
    who: MaybeStaff,
    QueryParams(q): QueryParams<ReportQuery>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let staff = who.0.as_ref().is_some_and(|s| {
        s.roles
            .has_any(&[Role::Drafter, Role::Reviewer, Role::Approver])
    });
    let csv = match q.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(_) => {
            return Err(AppError::field(
                "format",
                l!("格式应为 json 或 csv", "must be json or csv"),
            ));
        }
    };
    let (page, per_page) = (q.page.unwrap_or(1), q.per_page.unwrap_or(50));
    let version = q.version;
    if !csv {
        let doc = state
            .db(move |conn| {
                let r = visible_report(conn, &id, version, staff)?;
                document(conn, &r, page, per_page)
            })
            .await?;
        return Ok(HttpResponse::Ok().json(doc));
    }
    let report = state
        .db(move |conn| visible_report(conn, &id, version, staff))
        .await?;
    Ok(csv_response(state, report))
}

/// R20: UTF-8 with a BOM (so Excel reads Chinese correctly), one row per comment, no personal
/// data, streamed in keyset pages so memory stays flat for a million rows.
fn csv_response(state: web::Data<AppState>, report: ReportRow) -> HttpResponse {
    let header = {
        let mut out = "\u{feff}".as_bytes().to_vec();
        out.extend_from_slice(
            b"tracking_number,article,stakeholder_type,channel,group,outcome,reason\r\n",
        );
        Bytes::from(out)
    };
    let rid = report.id.clone();
    let rows = futures_util::stream::unfold(Some(String::new()), move |after| {
        let state = state.clone();
        let rid = rid.clone();
        async move {
            let after = after?;
            let page = state
                .db(move |conn| Ok(reports::rows_after(conn, &rid, &after, CSV_PAGE)?))
                .await;
            match page {
                Err(e) => Some((Err(std::io::Error::other(e.to_string())), None)),
                Ok(rows) if rows.is_empty() => None,
                Ok(rows) => {
                    let next = (rows.len() as i64 == CSV_PAGE)
                        .then(|| rows.last().map(|r| r.tracking_number.clone()))
                        .flatten();
                    Some((csv_chunk(&rows).map(Bytes::from), next))
                }
            }
        }
    });
    let stream = futures_util::StreamExt::chain(
        futures_util::stream::once(async move { Ok::<_, std::io::Error>(header) }),
        rows,
    );
    let name = format!("report-{}-v{}.csv", report.draft_id, report.version);
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .streaming(stream)
}

fn csv_chunk(rows: &[FrozenRow]) -> std::io::Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::with_capacity(rows.len() * 80));
    for r in rows {
        let article = r.article.map(|a| a.to_string()).unwrap_or_default();
        w.write_record([
            r.tracking_number.as_str(),
            article.as_str(),
            r.stakeholder_type.as_str(),
            r.channel.as_str(),
            r.group_title.as_deref().unwrap_or(""),
            r.outcome.as_str(),
            r.reason.as_deref().unwrap_or(""),
        ])?;
    }
    w.into_inner()
        .map_err(|e| std::io::Error::other(e.to_string()))
}
