//! `GET /drafts/{id}/report`: R20, the published adoption report as an HTML page that prints
//! well (its own print stylesheet), with every comment's row paged, and (R19) links to the
//! draft's page and its materials' pages.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use serde_json::Value;

use super::drafts::MaterialLink;
use super::{Chrome, labels, not_found_page, render};
use crate::app::AppState;
use crate::db::materials::{self, MaterialRow};
use crate::db::reports::{self, FrozenRow, ReportRow};
use crate::http::charts::{self, ChartSet};
use crate::http::error::{AppError, AppResult};
use crate::http::lang::Lang;
use crate::lang::ftl::{self, T};

/// Comment rows per page of the report.
pub const PER_PAGE: i64 = 200;

pub struct TotalsTable {
    pub caption: String,
    pub key_label: String,
    pub rows: Vec<(String, i64)>,
}

pub struct GroupLine {
    pub title: String,
    pub size: i64,
    pub concentrated: bool,
    pub outcome: String,
    pub reason: String,
    /// R8: "Changed article 3, article 5": the articles it changed, empty when none.
    pub changed: String,
}

pub struct CommentLine {
    pub tracking_number: String,
    pub article: String,
    pub stakeholder_type: String,
    pub channel: String,
    pub group: String,
    pub outcome: String,
    pub reason: String,
}

/// The report as the shared partial `report_body.html` shows it: on the public page and, as
/// the preview of what will be published, on the staff report page (one template, not two).
pub struct ReportView {
    pub draft_id: String,
    pub title: String,
    pub materials: Vec<MaterialLink>,
    pub index_no: String,
    pub opens_on: String,
    pub closes_on: String,
    pub extensions: Vec<String>,
    pub version: i32,
    pub note: Option<String>,
    /// When it was published; `None` for a preview.
    pub published_at: Option<String>,
    pub total: i64,
    pub tables: Vec<TotalsTable>,
    pub groups: Vec<GroupLine>,
    pub rows: Vec<CommentLine>,
    pub page: i64,
    pub pages: i64,
    /// The address of the rows' pages, ready for `page=`.
    pub page_base: String,
    /// The public download links (the published report only).
    pub downloads: bool,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    site_name: String,
    t: T,
    r: ReportView,
    charts: ChartSet,
}

/// The page's query. Lenient like the other pages' (the language and elder-mode switches add
/// their own fields to the address): a bad page number gives the first page, a bad version the
/// newest one.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    pub page: Option<String>,
    pub version: Option<String>,
}

/// Readable names of stored values (outcomes, kinds of commenter, channels, `none` for no
/// article): the messages `pub-value-<value>`; a value without one (an article number) is
/// shown as it is.
pub fn label(value: &str, lang: Lang) -> String {
    let id = format!("pub-value-{value}");
    if ftl::has(lang, &id) {
        T(lang).s(&id)
    } else {
        value.to_string()
    }
}

/// "修改了第3条、第二轮第5条": the articles a group changed (`changed_articles` of the
/// frozen summary).
fn changed_articles(v: &Value, round: i32, t: T) -> String {
    let list = article_list(
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| Some((a["round"].as_i64()? as i32, a["number"].as_i64()? as i32))),
        round,
        t,
    );
    if list.is_empty() {
        list
    } else {
        t.a("pub-report-changed", "articles", &list)
    }
}

/// "第3条、第二轮第5条": articles `(round, number)`, numbered as `round` numbers them, or
/// naming their round when it is another (an article the next round added).
pub fn article_list(articles: impl Iterator<Item = (i32, i32)>, round: i32, t: T) -> String {
    let labels: Vec<String> = articles
        .map(|(r, n)| {
            let label = t.n("pub-article", i64::from(n));
            if r == round {
                label
            } else {
                t.f(
                    "pub-report-article-of-round",
                    &[
                        ("label", &label),
                        ("round", &crate::lang::round_number(r, t.0)),
                    ],
                )
            }
        })
        .collect();
    t.join(&labels)
}

fn str_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

pub async fn show_report(
    state: web::Data<AppState>,
    path: web::Path<String>,
    q: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let page = q
        .page
        .as_deref()
        .and_then(|p| p.parse::<i64>().ok())
        .unwrap_or(1)
        .clamp(1, 1_000_000);
    let version = q.version.as_deref().and_then(|v| v.parse::<i32>().ok());
    let config = state.config.clone();
    let found = state
        .db(move |conn| {
            let Some(r) = reports::published(conn, &id, None, version)? else {
                return Ok(None);
            };
            let rows = reports::rows_page(conn, &r.id, (page - 1) * PER_PAGE, PER_PAGE)?;
            let materials = materials::of_draft(conn, &r.draft_id, r.round)?;
            let charts = crate::service::charts::of_report(conn, &config, &r)?;
            Ok(Some((r, rows, materials, charts)))
        })
        .await?;
    let Some((report, rows, materials, charts)) = found else {
        return not_found_page(&state.config);
    };
    let lang = Lang::current();
    let chrome = Chrome::new(state.config.site_name(lang), lang);
    let base = format!(
        "/drafts/{}/report?version={}&",
        report.draft_id, report.version
    );
    let r = view(&state, &report, rows, &materials, page, base, true)?;
    render(&ReportPage {
        site_name: chrome.site_name,
        t: chrome.t,
        r,
        charts: charts::render(&charts, chrome.t, "report"),
    })
}

/// The partial's value for a report (published or not) with one page of its rows.
pub fn view(
    state: &AppState,
    report: &ReportRow,
    rows: Vec<FrozenRow>,
    materials: &[MaterialRow],
    page: i64,
    page_base: String,
    downloads: bool,
) -> Result<ReportView, AppError> {
    let lang = Lang::current();
    let t = T(lang);
    let doc: Value = serde_json::from_str(&report.summary).map_err(AppError::internal)?;
    let total = doc["totals"]["comments"].as_i64().unwrap_or(0);
    // The totals by channel; the other totals are the charts' tables.
    let mut by_channel: Vec<(String, i64)> = doc["totals"]["by_channel"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (label(k, lang), v.as_i64().unwrap_or(0)))
                .collect()
        })
        .unwrap_or_default();
    by_channel.sort_by_key(|r| std::cmp::Reverse(r.1));
    let tables = vec![TotalsTable {
        caption: t.s("pub-report-by-channel"),
        key_label: t.s("pub-report-col-channel"),
        rows: by_channel,
    }];
    let groups = doc["groups"]
        .as_array()
        .map(|gs| {
            gs.iter()
                .map(|g| GroupLine {
                    title: str_of(&g["title"]),
                    size: g["size"].as_i64().unwrap_or(0),
                    concentrated: g["concentrated"].as_bool().unwrap_or(false),
                    outcome: label(&str_of(&g["outcome"]), lang),
                    reason: str_of(&g["reason"]),
                    changed: changed_articles(&g["changed_articles"], report.round, t),
                })
                .collect()
        })
        .unwrap_or_default();
    let extensions = doc["period"]["extensions"]
        .as_array()
        .map(|es| {
            es.iter()
                .map(|e| {
                    format!(
                        "{} → {} ({})",
                        str_of(&e["previous_closes_on"]),
                        str_of(&e["new_closes_on"]),
                        str_of(&e["reason"])
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let rows = rows
        .into_iter()
        .map(|r: FrozenRow| CommentLine {
            article: r.article.map(|a| a.to_string()).unwrap_or_default(),
            stakeholder_type: label(&r.stakeholder_type, lang),
            channel: label(&r.channel, lang),
            group: r.group_title.unwrap_or_default(),
            outcome: label(&r.outcome, lang),
            reason: r.reason.unwrap_or_default(),
            tracking_number: r.tracking_number,
        })
        .collect();
    Ok(ReportView {
        draft_id: report.draft_id.clone(),
        title: str_of(&doc["draft"]["title"]),
        // R19: the link to the draft's materials.
        materials: materials
            .iter()
            .map(|m| MaterialLink {
                id: m.id.clone(),
                kind: labels::material_kind(&m.kind).get(lang).to_string(),
                title: m.title.clone(),
                file: m.file_name.clone(),
            })
            .collect(),
        index_no: str_of(&doc["draft"]["index_no"]),
        opens_on: str_of(&doc["period"]["opens_on"]),
        closes_on: str_of(&doc["period"]["closes_on"]),
        extensions,
        version: report.version,
        note: report.note.clone(),
        published_at: report
            .published_at
            .map(|t| labels::instant(t.and_utc(), state.config.timezone(), lang)),
        total,
        tables,
        groups,
        rows,
        page,
        pages: ((total + PER_PAGE - 1) / PER_PAGE).max(1),
        page_base,
        downloads,
    })
}
