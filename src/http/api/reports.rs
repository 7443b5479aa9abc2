//! R18–R20: the adoption report: prepare (completeness gate), approve, publish (performed by
//! `service::reports`), and read as JSON or CSV.

use actix_web::web::Bytes;
use actix_web::{HttpResponse, web};
use diesel::prelude::*;
use serde::Deserialize;
use serde_json::{Value, json};
use validator::Validate;

use crate::app::AppState;
use crate::db::reports::{self, FrozenRow, ReportRow};
use crate::db::review;
use crate::db::{self, DbConn};
use crate::domain::cells::neutralise;
use crate::http::auth::{Authorized, DrafterOnly, DrafterOrApprover, MaybeStaff};
use crate::http::error::{AppError, AppResult};
use crate::http::extract::{JsonBody, QueryParams};
use crate::l;
use crate::service;
pub use crate::service::reports::{PrepareReport, ReportAction};

/// Rows per CSV chunk (one keyset page).
const CSV_PAGE: i64 = 5000;

/// `POST /api/v1/drafts/{id}/report`: R18, only after the window closed and only when every
/// comment has a disposition with its required reason; otherwise 409 with `missing[]`.
#[utoipa::path(
    post,
    path = "/api/v1/drafts/{id}/report",
    tag = "review",
    params(("id" = String, Path, description = "The draft's id")),
    request_body = PrepareReport,
    responses(
        (status = 201, description = "The prepared report, `state: draft`", body = crate::http::openapi::views::Report),
        crate::http::openapi::StaffJsonWrite,
    ),
    security(("bearer" = [])),
)]
pub async fn create_report(
    state: web::Data<AppState>,
    path: web::Path<String>,
    who: Authorized<DrafterOnly>,
    JsonBody(body): JsonBody<PrepareReport>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let config = state.config.clone();
    let actor = who.actor();
    let doc = state
        .db(move |conn| {
            let report = service::reports::prepare_report(conn, &config, &actor, now, &id, &body)?;
            document(conn, &report, 1, 50)
        })
        .await?;
    Ok(HttpResponse::Created().json(doc))
}

/// The report document of the HTTP contract with one page of its comment rows.
fn document(conn: &mut DbConn, r: &ReportRow, page: i64, per_page: i64) -> AppResult<Value> {
    let mut doc: Value = serde_json::from_str(&r.summary).map_err(AppError::internal)?;
    let rows = reports::rows_page(conn, &r.id, (page - 1).saturating_mul(per_page), per_page)?;
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

/// `POST /api/v1/drafts/{id}/report/actions`: `submit` (drafter), `approve` and `return`
/// (an approver who is neither the draft's drafter nor the submitter). Approval publishes the
/// report and concludes the draft (R7, R19).
#[utoipa::path(
    post,
    path = "/api/v1/drafts/{id}/report/actions",
    tag = "review",
    params(("id" = String, Path, description = "The draft's id")),
    request_body = ReportAction,
    responses(
        (status = 200, description = "The report after the step", body = crate::http::openapi::views::Report),
        crate::http::openapi::StaffJsonWrite,
    ),
    security(("bearer" = [])),
)]
pub async fn act_on_report(
    state: web::Data<AppState>,
    path: web::Path<String>,
    who: Authorized<DrafterOrApprover>,
    JsonBody(body): JsonBody<ReportAction>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let actor = who.actor();
    let doc = state
        .db(move |conn| {
            let report = service::reports::act_on_report(conn, &actor, now, &id, &body)?;
            document(conn, &report, 1, 50)
        })
        .await?;
    Ok(HttpResponse::Ok().json(doc))
}

#[derive(Debug, Deserialize, Validate, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// `json` (the default) or `csv`.
    #[param(pattern = "^(json|csv)$")]
    pub format: Option<String>,
    pub version: Option<i32>,
    /// R8: the report of this round; absent, the latest round's.
    #[validate(range(min = 1, max = 1000))]
    #[param(minimum = 1, maximum = 1000)]
    pub round: Option<i32>,
    #[validate(range(min = 1))]
    #[param(minimum = 1)]
    pub page: Option<i64>,
    #[validate(range(min = 1, max = 500))]
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<i64>,
}

/// Which report the caller may read: the public sees published versions only; drafters,
/// reviewers and approvers also see the one being prepared.
fn visible_report(
    conn: &mut DbConn,
    draft_id: &str,
    round: Option<i32>,
    version: Option<i32>,
    staff: bool,
) -> AppResult<ReportRow> {
    if staff {
        let draft = review::draft(conn, draft_id)?.ok_or_else(AppError::not_found)?;
        let round = round.unwrap_or(draft.round);
        let found = match version {
            None => reports::latest(conn, draft_id, round)?,
            Some(v) => crate::db::schema::reports::table
                .filter(crate::db::schema::reports::draft_id.eq(draft_id))
                .filter(crate::db::schema::reports::round.eq(round))
                .filter(crate::db::schema::reports::version.eq(v))
                .select(ReportRow::as_select())
                .first(conn)
                .optional()?,
        };
        return found.ok_or_else(AppError::not_found);
    }
    reports::published(conn, draft_id, round, version)?.ok_or_else(AppError::not_found)
}

/// `GET /api/v1/drafts/{id}/report` (`?format=csv` streams every row, R20).
#[utoipa::path(
    get,
    path = "/api/v1/drafts/{id}/report",
    tag = "review",
    params(("id" = String, Path, description = "The draft's id"), ReportQuery),
    responses(
        (status = 200, description = "The report as JSON, or with `format=csv` every comment row as CSV (UTF-8 with a BOM)", content((crate::http::openapi::views::Report = "application/json"), (String = "text/csv"))),
        (status = 401, response = crate::http::openapi::Unauthorized),
        (status = 404, response = crate::http::openapi::NotFound),
        (status = 422, response = crate::http::openapi::Unprocessable),
        (status = 503, response = crate::http::openapi::Unavailable),
    ),
    security((), ("bearer" = [])),
)]
pub async fn get_report(
    state: web::Data<AppState>,
    path: web::Path<String>,
    who: MaybeStaff,
    QueryParams(q): QueryParams<ReportQuery>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let actor = who.0.as_ref().map(|s| s.actor());
    // Officers of the draft's agency see the versions not yet published (service::access).
    let sees_unpublished = move |conn: &mut crate::db::DbConn, id: &str| -> AppResult<bool> {
        match (&actor, crate::db::agencies::of_draft(conn, id)?) {
            (Some(a), Some(agency)) => a.can(
                conn,
                crate::service::access::Act::ReadReport,
                &crate::service::access::OfAgency(&agency),
            ),
            _ => Ok(false),
        }
    };
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
    let (version, round) = (q.version, q.round);
    if !csv {
        let doc = state
            .db(move |conn| {
                let staff = sees_unpublished(conn, &id)?;
                let r = visible_report(conn, &id, round, version, staff)?;
                document(conn, &r, page, per_page)
            })
            .await?;
        return Ok(HttpResponse::Ok().json(doc));
    }
    let report = state
        .db(move |conn| {
            let staff = sees_unpublished(conn, &id)?;
            visible_report(conn, &id, round, version, staff)
        })
        .await?;
    Ok(csv_response(state, report))
}

/// R20: UTF-8 with a BOM (so Excel reads Chinese correctly), one row per comment, no personal
/// data, no cell that a spreadsheet would run as a formula, streamed in keyset pages so memory stays flat for a million rows.
fn csv_response(state: web::Data<AppState>, report: ReportRow) -> HttpResponse {
    let header = {
        let mut out = "\u{feff}".as_bytes().to_vec();
        out.extend_from_slice(
            b"tracking_number,article,stakeholder_type,channel,group,outcome,reason,round\r\n",
        );
        Bytes::from(out)
    };
    let rid = report.id.clone();
    // R8: every row says its round, so that the files of several rounds can be put together.
    let round = report.round.to_string();
    let rows = futures_util::stream::unfold(Some(String::new()), move |after| {
        let state = state.clone();
        let rid = rid.clone();
        let round = round.clone();
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
                    Some((csv_chunk(&rows, &round).map(Bytes::from), next))
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

fn csv_chunk(rows: &[FrozenRow], round: &str) -> std::io::Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::with_capacity(rows.len() * 80));
    for r in rows {
        let article = r.article.map(|a| a.to_string()).unwrap_or_default();
        // A group title or reason written as a formula stays text (`domain::cells`).
        w.write_record(
            [
                r.tracking_number.as_str(),
                article.as_str(),
                r.stakeholder_type.as_str(),
                r.channel.as_str(),
                r.group_title.as_deref().unwrap_or(""),
                r.outcome.as_str(),
                r.reason.as_deref().unwrap_or(""),
                round,
            ]
            .map(neutralise)
            .iter()
            .map(|c| c.as_ref()),
        )?;
    }
    w.into_inner()
        .map_err(|e| std::io::Error::other(e.to_string()))
}
