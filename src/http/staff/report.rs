//! `/staff/drafts/{id}/report`: the report room of the review desk (R18–R20). It shows how far
//! the review has come ("N of M comments disposed", and what is left, linked to the comments
//! page), the charts, each step of the report as a form — prepare (drafter), submit (drafter),
//! approve, which publishes, or return (an approver who is neither the drafter nor the
//! submitter), a correction as a new version with its note — the version history, and the
//! report exactly as it will be published (the public page's own partial). The steps call
//! `service::reports`, as the JSON API does.
//!
//! `/staff/drafts/{id}/export.csv` and `.xlsx`: every comment of the round with its effective
//! disposition and contact fields, for officers who review and administrators, audited
//! (`comments.exported`), read from the database in pages.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::{
    Errors, Flash, Frame, PageError, PageResult, SignedIn, page, page_no, query, redirect, refusal,
    when,
};
use crate::app::AppState;
use crate::db::drafts::{self as q, DraftRow, Viewer};
use crate::db::exports::{self, ExportRow};
use crate::db::reports::{self, Missing, ReportRow};
use crate::db::schema;
use crate::db::{materials, users};
use crate::domain::cells::neutralise;
use crate::domain::roles::Role;
use crate::error::{AppError, ErrorKind};
use crate::http::charts::{self, ChartSet};
use crate::http::pages::report::{self as public, ReportView};
use crate::lang::ftl::T;
use crate::service::reports::{PrepareReport, ReportAction};
use crate::service::{self, exports::EXPORTERS};

/// How many missing comments the page lists one by one.
const MISSING_SHOWN: i64 = 50;
/// Rows per page read for an export.
const EXPORT_PAGE: i64 = 2000;

/// Who may open the page: those who may read a report being prepared, and administrators.
const READERS: [Role; 4] = [Role::Drafter, Role::Reviewer, Role::Approver, Role::Admin];

/// One step's form, with what a refused attempt sent and why.
pub struct StepForm {
    /// `prepare`, `submit`, `approve` or `return`.
    pub op: &'static str,
    pub label: String,
    pub help: String,
    pub note: bool,
    pub note_required: bool,
    pub danger: bool,
    pub errors: Errors,
    pub message: Option<String>,
    pub values: HashMap<String, String>,
}

impl StepForm {
    pub fn value(&self, name: &str) -> String {
        self.values.get(name).cloned().unwrap_or_default()
    }
}

pub struct MissingLine {
    pub href: String,
    pub tracking_number: String,
    pub lacks: String,
}

pub struct VersionLine {
    pub version: i32,
    pub state: String,
    pub prepared: String,
    pub submitted: String,
    pub published: String,
    pub note: String,
    pub return_note: String,
    pub public_href: Option<String>,
}

#[derive(Template)]
#[template(path = "staff/report.html")]
struct ReportRoom {
    f: Frame,
    /// The public partial's texts.
    t: T,
    d: DraftRow,
    total: i64,
    disposed: i64,
    missing: Vec<MissingLine>,
    missing_total: i64,
    missing_reason: bool,
    state_label: Option<String>,
    forms: Vec<StepForm>,
    waiting_hint: Option<String>,
    versions: Vec<VersionLine>,
    can_export: bool,
    /// The review desk's tabs: for those who may open the desk.
    desk: bool,
    preview: Option<ReportView>,
    charts: ChartSet,
}

struct Loaded {
    d: DraftRow,
    total: i64,
    missing: Vec<Missing>,
    missing_total: i64,
    versions: Vec<ReportRow>,
    preview: Option<(
        ReportRow,
        Vec<reports::FrozenRow>,
        Vec<materials::MaterialRow>,
    )>,
    charts: crate::domain::charts::ChartData,
    names: HashMap<String, String>,
}

fn viewer(who: &SignedIn) -> Viewer {
    Viewer::Staff {
        id: who.user.id.clone(),
        roles: who.roles.clone(),
    }
}

/// The draft, if this officer may see it.
fn visible_draft(conn: &mut crate::db::DbConn, v: &Viewer, id: &str) -> Result<DraftRow, AppError> {
    q::find(conn, id)?
        .filter(|d| v.can_see(d))
        .ok_or_else(AppError::not_found)
}

/// Every version of the round's report, newest first.
fn versions(
    conn: &mut crate::db::DbConn,
    draft_id: &str,
    round: i32,
) -> Result<Vec<ReportRow>, AppError> {
    use diesel::prelude::*;
    Ok(schema::reports::table
        .filter(schema::reports::draft_id.eq(draft_id))
        .filter(schema::reports::round.eq(round))
        .order(schema::reports::version.desc())
        .select(ReportRow::as_select())
        .load(conn)?)
}

async fn load(
    state: &AppState,
    who: &SignedIn,
    id: String,
    rows_page: i64,
) -> Result<Loaded, PageError> {
    let v = viewer(who);
    let config = state.config.clone();
    let actor = who.actor();
    Ok(state
        .db(move |conn| {
            let d = visible_draft(conn, &v, &id)?;
            actor.may(conn, crate::service::access::Act::ReadReport, &d)?;
            let total = exports::count(conn, &d.id, d.round)?;
            let (missing, missing_total) = reports::missing(conn, &d.id, d.round, MISSING_SHOWN)?;
            let versions = versions(conn, &d.id, d.round)?;
            let (preview, charts) = match versions.first() {
                Some(r) => {
                    let rows = reports::rows_page(
                        conn,
                        &r.id,
                        (rows_page - 1) * public::PER_PAGE,
                        public::PER_PAGE,
                    )?;
                    let m = materials::of_draft(conn, &d.id, r.round)?;
                    let charts = service::charts::of_report(conn, &config, r)?;
                    (Some((r.clone(), rows, m)), charts)
                }
                None => (None, service::charts::live(conn, &config, &d.id)?),
            };
            let names = users::list(conn)?
                .into_iter()
                .map(|u| (u.id, u.display_name))
                .collect();
            Ok(Loaded {
                d,
                total,
                missing,
                missing_total,
                versions,
                preview,
                charts,
                names,
            })
        })
        .await?)
}

fn step_form(t: T, op: &'static str) -> StepForm {
    StepForm {
        op,
        label: t.s(&format!("report-op-{op}")),
        help: t.s(&format!("report-op-{op}-help")),
        note: matches!(op, "prepare" | "correct" | "return" | "approve"),
        note_required: matches!(op, "correct" | "return"),
        danger: op == "return",
        errors: Errors::default(),
        message: None,
        values: HashMap::new(),
    }
}

/// A refused step: which form, what was sent, why.
struct Refused {
    op: &'static str,
    values: HashMap<String, String>,
    error: AppError,
}

fn parse_op(s: &str) -> Option<&'static str> {
    ["prepare", "correct", "submit", "approve", "return"]
        .into_iter()
        .find(|o| *o == s)
}

async fn render(
    state: &AppState,
    req: &HttpRequest,
    who: &SignedIn,
    id: String,
    refused: Option<Refused>,
) -> PageResult {
    who.require(&READERS)?;
    let rows_page = page_no(query(req).get("page"));
    let l = load(state, who, id, rows_page).await?;
    let t = T::current();
    let now = state.clock.now();
    let d = &l.d;
    let latest = l.versions.first();
    let closed =
        d.state == "concluded" || (d.state == "published" && now.naive_utc() >= d.closes_at);
    let mut forms = Vec::new();
    let mut waiting_hint = None;
    if who.has(Role::Drafter) && closed {
        match latest.map(|r| r.state.as_str()) {
            None | Some("draft") => forms.push(step_form(t, "prepare")),
            Some("published") => forms.push(step_form(t, "correct")),
            _ => {}
        }
        if latest.is_some_and(|r| r.state == "draft") {
            forms.push(step_form(t, "submit"));
        }
    }
    if let Some(r) = latest.filter(|r| r.state == "awaiting_approval") {
        if who.has(Role::Approver) {
            forms.push(step_form(t, "approve"));
            forms.push(step_form(t, "return"));
            if d.drafter_id == who.user.id || r.submitted_by.as_deref() == Some(&who.user.id) {
                waiting_hint = Some(t.s("report-four-eyes-hint"));
            }
        } else {
            waiting_hint = Some(t.s("report-awaiting-approver"));
        }
    }
    if !closed && d.state == "published" {
        waiting_hint = Some(t.s("report-after-close"));
    }
    let mut status = StatusCode::OK;
    if let Some(r) = refused {
        status = crate::http::error::status_of(r.error.kind);
        let (errors, message) = refusal(&r.error, t.0);
        if !forms.iter().any(|f| f.op == r.op) {
            forms.insert(0, step_form(t, r.op));
        }
        if let Some(form) = forms.iter_mut().find(|f| f.op == r.op) {
            form.errors = errors;
            form.message = message;
            form.values = r.values;
        }
    }
    let name = |id: &Option<String>| {
        id.as_ref()
            .map(|i| l.names.get(i).cloned().unwrap_or_else(|| i.clone()))
    };
    let versions = l
        .versions
        .iter()
        .map(|r| VersionLine {
            version: r.version,
            state: t.s(&format!("report-state-{}", r.state)),
            prepared: format!(
                "{} · {}",
                when(state, r.prepared_at),
                name(&Some(r.prepared_by.clone())).unwrap_or_default()
            ),
            submitted: match (r.submitted_at, name(&r.submitted_by)) {
                (Some(at), Some(who)) => format!("{} · {who}", when(state, at)),
                _ => String::new(),
            },
            published: match (r.published_at, name(&r.approved_by)) {
                (Some(at), Some(who)) => format!("{} · {who}", when(state, at)),
                _ => String::new(),
            },
            note: r.note.clone().unwrap_or_default(),
            return_note: r.return_note.clone().unwrap_or_default(),
            public_href: (r.state == "published")
                .then(|| format!("/drafts/{}/report?version={}", r.draft_id, r.version)),
        })
        .collect();
    let missing = l
        .missing
        .iter()
        .map(|m| MissingLine {
            href: format!("/staff/drafts/{}/comments/{}", d.id, m.comment_id),
            tracking_number: m.tracking_number.clone(),
            lacks: t.s(&format!("report-lacks-{}", m.lacks)),
        })
        .collect();
    let preview = match l.preview {
        Some((r, rows, m)) => Some(public::view(
            state,
            &r,
            rows,
            &m,
            rows_page,
            format!("/staff/drafts/{}/report?", d.id),
            false,
        )?),
        None => None,
    };
    let frame = Frame::new(state, req, who, "/staff/drafts");
    let page_data = ReportRoom {
        t,
        total: l.total,
        disposed: l.total - l.missing_total,
        missing_reason: l.missing.iter().any(|m| m.lacks == "reason"),
        missing,
        missing_total: l.missing_total,
        state_label: latest.map(|r| t.s(&format!("report-state-{}", r.state))),
        forms,
        waiting_hint,
        versions,
        can_export: who.roles.has_any(&EXPORTERS),
        desk: who.roles.has_any(&super::desk::READERS),
        preview,
        charts: charts::render(&l.charts, t, "charts"),
        d: l.d,
        f: frame.clone(),
    };
    page(status, &frame, &page_data)
}

/// `GET /staff/drafts/{id}/report` (`?page=` pages the preview's comment rows).
pub async fn show_report(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: SignedIn,
    path: web::Path<String>,
) -> PageResult {
    render(&state, &req, &who, path.into_inner(), None).await
}

/// `POST /staff/drafts/{id}/report` (`op` = `prepare`, `correct` (with its `note`), `submit`,
/// `approve` or `return` (with its `note`)): one step through `service::reports`; a refusal,
/// the four-eyes rule's included, appears beside the step's form.
pub async fn submit_report(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: SignedIn,
    path: web::Path<String>,
    payload: web::Payload,
) -> PageResult {
    let form = who.read_form(&state, &req, payload, &READERS).await?;
    let id = path.into_inner();
    let t = T::current();
    let back = format!("/staff/drafts/{id}/report");
    let Some(op) = form.get("op").and_then(parse_op) else {
        return Ok(redirect(
            &state,
            &back,
            Some(Flash::error(t.s("action-unknown"))),
        ));
    };
    let note = form.text("note");
    let now = state.clock.now();
    let config = state.config.clone();
    let actor = who.actor();
    let v = viewer(&who);
    let key = id.clone();
    let result = state
        .db(move |conn| {
            visible_draft(conn, &v, &key)?;
            match op {
                "prepare" | "correct" => service::reports::prepare_report(
                    conn,
                    &config,
                    &actor,
                    now,
                    &key,
                    &PrepareReport {
                        // A correction always says what it corrects (R19): a blank note is
                        // refused by the service, not dropped here.
                        note: if op == "correct" {
                            Some(note.unwrap_or_default())
                        } else {
                            note
                        },
                    },
                ),
                _ => service::reports::act_on_report(
                    conn,
                    &actor,
                    now,
                    &key,
                    &ReportAction {
                        action: op.to_string(),
                        note,
                    },
                ),
            }
        })
        .await;
    match result {
        Ok(_) => Ok(redirect(
            &state,
            &back,
            Some(Flash::success(t.s(&format!("report-done-{op}")))),
        )),
        Err(e) if e.kind == ErrorKind::NotFound => Err(PageError::NotFound),
        Err(error) => {
            let values = form.0.into_iter().collect();
            render(&state, &req, &who, id, Some(Refused { op, values, error })).await
        }
    }
}

/// The columns of an export, in order.
pub const EXPORT_COLUMNS: [&str; 14] = [
    "tracking_number",
    "submitted_at",
    "channel",
    "article",
    "stakeholder_type",
    "status",
    "group",
    "outcome",
    "reason",
    "name",
    "organization",
    "email",
    "phone",
    "region",
];

/// An export row's cells as text (the article too), each neutralised (`domain::cells`).
fn cells(state: &AppState, r: &ExportRow) -> [String; 14] {
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    [
        r.tracking_number.clone(),
        when(state, r.submitted_at),
        r.channel.clone(),
        r.article.map(|a| a.to_string()).unwrap_or_default(),
        r.stakeholder_type.clone(),
        r.status.clone(),
        o(&r.group_title),
        o(&r.outcome),
        o(&r.reason),
        o(&r.name),
        o(&r.organization),
        o(&r.email),
        o(&r.phone),
        o(&r.region),
    ]
    .map(|c| neutralise(&c).into_owned())
}

/// Checks the officer and the draft, and audits the export; its round.
async fn begin(
    state: &AppState,
    who: &SignedIn,
    id: String,
    format: &'static str,
) -> Result<service::exports::ExportScope, PageError> {
    who.require(&EXPORTERS)?;
    let v = viewer(who);
    let actor = who.actor();
    let now = state.clock.now();
    Ok(state
        .db(move |conn| {
            visible_draft(conn, &v, &id)?;
            service::exports::begin_export(conn, &actor, now, &id, format)
        })
        .await?)
}

fn attachment(name: &str) -> (header::HeaderName, String) {
    (
        header::CONTENT_DISPOSITION,
        format!("attachment; filename=\"{name}\""),
    )
}

/// `GET /staff/drafts/{id}/export.csv`: UTF-8 with a BOM (Excel reads Chinese correctly),
/// streamed in keyset pages.
pub async fn export_csv(
    state: web::Data<AppState>,
    who: SignedIn,
    path: web::Path<String>,
) -> PageResult {
    let scope = begin(&state, &who, path.into_inner(), "csv").await?;
    let mut head = "\u{feff}".as_bytes().to_vec();
    head.extend_from_slice(EXPORT_COLUMNS.join(",").as_bytes());
    head.extend_from_slice(b"\r\n");
    let name = format!("comments-{}-round{}.csv", scope.draft_id, scope.round);
    let (draft_id, round) = (scope.draft_id, scope.round);
    let rows = futures_util::stream::unfold(Some(String::new()), move |after| {
        let state = state.clone();
        let draft_id = draft_id.clone();
        async move {
            let after = after?;
            let page = state
                .db(move |conn| {
                    Ok(exports::rows_after(
                        conn,
                        &draft_id,
                        round,
                        &after,
                        EXPORT_PAGE,
                    )?)
                })
                .await;
            match page {
                Err(e) => Some((Err(std::io::Error::other(e.to_string())), None)),
                Ok(rows) if rows.is_empty() => None,
                Ok(rows) => {
                    let next = (rows.len() as i64 == EXPORT_PAGE)
                        .then(|| rows.last().map(|r| r.tracking_number.clone()))
                        .flatten();
                    let mut w = csv::WriterBuilder::new()
                        .terminator(csv::Terminator::CRLF)
                        .from_writer(Vec::with_capacity(rows.len() * 160));
                    let mut out = Ok(());
                    for r in &rows {
                        if let Err(e) = w.write_record(cells(&state, r)) {
                            out = Err(std::io::Error::other(e.to_string()));
                            break;
                        }
                    }
                    let chunk = out.and_then(|()| {
                        w.into_inner()
                            .map_err(|e| std::io::Error::other(e.to_string()))
                    });
                    Some((chunk.map(Bytes::from), next))
                }
            }
        }
    });
    let stream = futures_util::StreamExt::chain(
        futures_util::stream::once(async move { Ok::<_, std::io::Error>(Bytes::from(head)) }),
        rows,
    );
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(attachment(&name))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .streaming(stream))
}

/// `GET /staff/drafts/{id}/export.xlsx`: the same rows as a workbook, written on the blocking
/// pool in the writer's constant-memory mode (rows go to a temporary file as they come).
pub async fn export_xlsx(
    state: web::Data<AppState>,
    who: SignedIn,
    path: web::Path<String>,
) -> PageResult {
    let scope = begin(&state, &who, path.into_inner(), "xlsx").await?;
    let name = format!("comments-{}-round{}.xlsx", scope.draft_id, scope.round);
    let st = state.clone();
    let bytes = state
        .db(move |conn| {
            let xlsx = |e: rust_xlsxwriter::XlsxError| AppError::internal(anyhow::anyhow!(e));
            let mut book = rust_xlsxwriter::Workbook::new();
            let bold = rust_xlsxwriter::Format::new().set_bold();
            let sheet = book.add_worksheet_with_constant_memory().map_err(xlsx)?;
            sheet.set_name("comments").map_err(xlsx)?;
            for (c, h) in EXPORT_COLUMNS.iter().enumerate() {
                sheet
                    .write_string_with_format(0, c as u16, *h, &bold)
                    .map_err(xlsx)?;
            }
            let mut after = String::new();
            let mut row: u32 = 1;
            loop {
                let rows =
                    exports::rows_after(conn, &scope.draft_id, scope.round, &after, EXPORT_PAGE)?;
                for r in &rows {
                    for (c, cell) in cells(&st, r).iter().enumerate() {
                        if c == 3
                            && let Some(a) = r.article
                        {
                            sheet
                                .write_number(row, c as u16, f64::from(a))
                                .map_err(xlsx)?;
                        } else if !cell.is_empty() {
                            sheet.write_string(row, c as u16, cell).map_err(xlsx)?;
                        }
                    }
                    row += 1;
                }
                match rows.last() {
                    Some(last) if rows.len() as i64 == EXPORT_PAGE => {
                        after = last.tracking_number.clone();
                    }
                    _ => break,
                }
            }
            book.save_to_buffer().map_err(xlsx)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header(attachment(&name))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(bytes))
}
