//! R1, R4: `POST/GET /api/v1/drafts`, `GET/PATCH /api/v1/drafts/{id}` and
//! `GET /api/v1/drafts/{id}/audit`, plus the draft's JSON shape (SPEC §5).

use actix_web::{HttpResponse, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use validator::Validate;

use crate::app::AppState;
use crate::config::Config;
use crate::db::drafts::{self as q, Article, DraftFields, DraftRow, ExtensionRow, StepRow, Viewer};
use crate::db::materials::{self, MaterialRow};
use crate::db::reports;
use crate::db::{self, DbConn, utc_string};
use crate::domain::period::{self, CommentPeriod, PeriodError, Phase};
use crate::domain::workflow::{DraftKind, DraftState};
use crate::http::auth::{Authorized, DrafterOnly, MaybeStaff, Staff};
use crate::http::error::{AppError, AppResult, ErrorKind};
use crate::http::extract::{JsonBody, ListPage, Paging, QueryParams};
use crate::l;

#[derive(Debug, Clone, Copy, Deserialize, Validate)]
pub struct PeriodInput {
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
}

#[derive(Debug, Clone, Deserialize, Validate)]
pub struct ArticleInput {
    #[validate(length(max = 200))]
    pub heading: Option<String>,
    #[validate(length(min = 1, max = 20000))]
    pub text: String,
}

#[derive(Debug, Deserialize, Validate)]
pub struct DraftInput {
    #[validate(length(min = 1, max = 300))]
    pub title: String,
    #[validate(length(max = 100))]
    pub doc_number: Option<String>,
    #[validate(length(min = 1, max = 200))]
    pub agency: String,
    #[validate(length(min = 1, max = 200))]
    pub category: String,
    #[serde(default)]
    #[validate(length(max = 20))]
    pub subject_terms: Vec<String>,
    pub kind: DraftKind,
    #[serde(default)]
    pub enterprise_related: bool,
    #[serde(default)]
    #[validate(length(max = 5000))]
    pub summary: String,
    #[serde(default)]
    #[validate(nested)]
    pub articles: Vec<ArticleInput>,
    #[validate(nested)]
    pub comment_period: PeriodInput,
}

#[derive(Debug, Deserialize, Validate)]
pub struct DraftPatch {
    #[validate(length(min = 1, max = 300))]
    pub title: Option<String>,
    /// An empty string clears the document number.
    #[validate(length(max = 100))]
    pub doc_number: Option<String>,
    #[validate(length(min = 1, max = 200))]
    pub agency: Option<String>,
    #[validate(length(min = 1, max = 200))]
    pub category: Option<String>,
    #[validate(length(max = 20))]
    pub subject_terms: Option<Vec<String>>,
    pub kind: Option<DraftKind>,
    pub enterprise_related: Option<bool>,
    #[validate(length(max = 5000))]
    pub summary: Option<String>,
    #[validate(nested)]
    pub articles: Option<Vec<ArticleInput>>,
    #[validate(nested)]
    pub comment_period: Option<PeriodInput>,
}

/// R4: the minimum length for a kind of draft.
pub fn min_days(config: &Config, kind: &str) -> u32 {
    if kind == DraftKind::MajorDecision.as_str() {
        config.window.major_decision_min_days
    } else {
        config.window.min_days
    }
}

/// The site's zone, or the one stored with a draft.
pub fn zone(name: &str) -> chrono_tz::Tz {
    name.parse().unwrap_or(chrono_tz::Asia::Shanghai)
}

/// R4 refusals as answers: 422 on the field when a drafter proposes the dates, 409 when
/// the approval finds them no longer possible.
pub fn period_error(e: PeriodError, at_approval: bool) -> AppError {
    let (field, message, extra) = match e {
        PeriodError::TooShort {
            earliest_closes_on,
            min_days,
        } => (
            "comment_period.closes_on",
            l!(
                "征求意见期不得少于 {} 日（按 {} 小时计），截止日期最早为 {}。",
                "The comment period must last at least {} days ({} hours); the earliest allowed closes_on is {}.",
                min_days,
                24 * min_days,
                earliest_closes_on
            ),
            ("earliest_closes_on", json!(earliest_closes_on.to_string())),
        ),
        PeriodError::OpensBeforeApproval { approval_date } => (
            "comment_period.opens_on",
            l!(
                "征求意见开始日期早于批准日期（{}），请退回修改日期。",
                "opens_on lies before the approval date ({}); return the draft to fix its dates.",
                approval_date
            ),
            ("approval_date", json!(approval_date.to_string())),
        ),
        PeriodError::NotLater { closes_on } => (
            "closes_on",
            l!(
                "延期后的截止日期必须晚于现在的截止日期 {}。",
                "An extension must move closes_on later than {}.",
                closes_on
            ),
            ("current_closes_on", json!(closes_on.to_string())),
        ),
    };
    if at_approval {
        AppError::conflict(ErrorKind::InvalidPeriod, message)
            .with("field", json!(field))
            .with(extra.0, extra.1)
    } else {
        AppError::field(field, message).with(extra.0, extra.1)
    }
}

fn trimmed(s: &str) -> String {
    s.trim().to_string()
}

/// Checks what `validator` cannot (blank texts, the period) and builds the stored fields.
#[expect(
    clippy::too_many_arguments,
    reason = "the fields of a draft, merged from a create or a patch"
)]
fn build_fields(
    config: &Config,
    tz: chrono_tz::Tz,
    title: &str,
    doc_number: Option<&str>,
    agency: &str,
    category: &str,
    subject_terms: &[String],
    kind: &str,
    enterprise_related: bool,
    summary: &str,
    articles: Vec<(Option<String>, String)>,
    period: CommentPeriod,
) -> AppResult<DraftFields> {
    let mut errors = crate::http::error::FieldErrors::new();
    let blank = l!("不能为空", "must not be blank");
    for (name, value) in [("title", title), ("agency", agency), ("category", category)] {
        if value.trim().is_empty() {
            errors.insert(name.into(), vec![blank.clone()]);
        }
    }
    for (i, (_, text)) in articles.iter().enumerate() {
        if text.trim().is_empty() {
            errors.insert(format!("articles[{i}].text"), vec![blank.clone()]);
        }
    }
    for (i, t) in subject_terms.iter().enumerate() {
        if t.trim().is_empty() || t.chars().count() > 50 {
            errors.insert(
                format!("subject_terms[{i}]"),
                vec![l!("主题词应为 1–50 个字", "must be 1–50 characters")],
            );
        }
    }
    if articles.len() > 500 {
        errors.insert(
            "articles".into(),
            vec![l!("条文不得超过 500 条", "at most 500 articles")],
        );
    }
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let window = period::check(tz, period, min_days(config, kind), None)
        .map_err(|e| period_error(e, false))?;
    Ok(DraftFields {
        title: trimmed(title),
        doc_number: doc_number
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(String::from),
        agency: trimmed(agency),
        category: trimmed(category),
        subject_terms: subject_terms.iter().map(|t| trimmed(t)).collect(),
        kind: kind.to_string(),
        enterprise_related,
        summary: summary.trim().to_string(),
        articles: articles
            .into_iter()
            .map(|(h, t)| (h.map(|h| trimmed(&h)).filter(|h| !h.is_empty()), t))
            .collect(),
        opens_on: period.opens_on,
        closes_on: period.closes_on,
        opens_at: window.opens_at,
        closes_at: window.closes_at,
    })
}

fn article_pairs(list: Vec<ArticleInput>) -> Vec<(Option<String>, String)> {
    list.into_iter().map(|a| (a.heading, a.text)).collect()
}

pub fn viewer_of(staff: Option<&Staff>) -> Viewer {
    match staff {
        Some(s) => Viewer::Staff {
            id: s.user.id.clone(),
            roles: s.roles.clone(),
        },
        None => Viewer::Public,
    }
}

/// Everything a draft's JSON shows besides its own row.
pub struct DraftParts {
    pub articles: Option<Vec<Article>>,
    pub materials: Option<Vec<MaterialRow>>,
    pub extensions: Vec<ExtensionRow>,
    pub published_comment_count: i64,
    pub steps: Option<Vec<StepRow>>,
    /// A report of the draft is published (R20): `links.report`.
    pub has_report: bool,
}

/// Loads the parts of one draft for its full view.
pub fn load_parts(conn: &mut DbConn, d: &DraftRow, viewer: &Viewer) -> AppResult<DraftParts> {
    let count = q::published_comment_counts(conn, std::slice::from_ref(&d.id))?
        .first()
        .map_or(0, |(_, n)| *n);
    Ok(DraftParts {
        articles: Some(q::articles_of(conn, &d.id)?),
        materials: Some(materials::of_draft(conn, &d.id)?),
        extensions: q::extensions_of(conn, &d.id)?,
        published_comment_count: count,
        steps: if viewer.is_staff() {
            Some(q::steps_of(conn, &d.id)?)
        } else {
            None
        },
        has_report: !reports::with_published(conn, std::slice::from_ref(&d.id))?.is_empty(),
    })
}

pub fn material_json(m: &MaterialRow) -> Value {
    let file = m.file_name.as_ref().map(|name| {
        json!({
            "name": name,
            "content_type": m.file_content_type,
            "size": m.file_size,
            "sha256": m.file_sha256,
            "url": format!("/api/v1/materials/{}/file", m.id),
        })
    });
    json!({
        "id": m.id,
        "draft_id": m.draft_id,
        "kind": m.kind,
        "title": m.title,
        "body": m.body,
        "position": m.position,
        "file": file,
        "created_at": utc_string(m.created_at),
        "updated_at": utc_string(m.updated_at),
        "links": {
            "self": format!("/api/v1/materials/{}", m.id),
            "html": format!("/materials/{}", m.id),
            "draft": format!("/api/v1/drafts/{}", m.draft_id),
            "draft_html": format!("/drafts/{}", m.draft_id),
        },
    })
}

/// The draft JSON of SPEC §5.
pub fn draft_json(d: &DraftRow, parts: &DraftParts, now: DateTime<Utc>, viewer: &Viewer) -> Value {
    let opens_at = d.opens_at.map(utc_string).unwrap_or_else(|| {
        utc_string(period::start_of_day(zone(&d.timezone), d.opens_on).naive_utc())
    });
    let extensions: Vec<Value> = parts
        .extensions
        .iter()
        .map(|e| {
            json!({
                "at": utc_string(e.at),
                "previous_closes_on": e.previous_closes_on.to_string(),
                "closes_on": e.new_closes_on.to_string(),
                "reason": e.reason,
            })
        })
        .collect();
    let mut links = json!({
        "self": format!("/api/v1/drafts/{}", d.id),
        "html": format!("/drafts/{}", d.id),
    });
    if parts.has_report {
        links["report"] = json!(format!("/api/v1/drafts/{}/report", d.id));
    }
    let mut v = json!({
        "id": d.id,
        "index_no": d.index_no,
        "title": d.title,
        "doc_number": d.doc_number,
        "agency": d.agency,
        "category": d.category,
        "subject_terms": d.subject_terms(),
        "kind": d.kind,
        "enterprise_related": d.enterprise_related,
        "summary": d.summary,
        "state": d.state,
        "phase": d.phase(now).map(Phase::as_str),
        "round": d.round,
        "comment_period": {
            "opens_on": d.opens_on.to_string(),
            "closes_on": d.closes_on.to_string(),
            "opens_at": opens_at,
            "closes_at": utc_string(d.closes_at),
            "timezone": d.timezone,
            "extensions": extensions,
        },
        "view_count": d.view_count,
        "published_comment_count": parts.published_comment_count,
        "approved_at": d.approved_at.map(utc_string),
        "withdrawn_at": d.withdrawn_at.map(utc_string),
        "withdraw_reason": d.withdraw_reason,
        "concluded_at": d.concluded_at.map(utc_string),
        "created_at": utc_string(d.created_at),
        "updated_at": utc_string(d.updated_at),
        "links": links,
    });
    if let Some(articles) = &parts.articles {
        v["articles"] = json!(articles);
    }
    if let Some(list) = &parts.materials {
        v["materials"] = Value::Array(list.iter().map(material_json).collect());
    }
    if viewer.is_staff() {
        v["drafter_id"] = json!(d.drafter_id);
        v["initial_reviewer_id"] = json!(d.initial_reviewer_id);
        v["re_reviewer_id"] = json!(d.re_reviewer_id);
        v["approver_id"] = json!(d.approver_id);
        if let Some(steps) = &parts.steps {
            v["review_steps"] = Value::Array(
                steps
                    .iter()
                    .map(|s| {
                        json!({
                            "at": utc_string(s.at),
                            "actor_id": s.actor_id,
                            "action": s.action,
                            "from_state": s.from_state,
                            "to_state": s.to_state,
                            "note": s.note,
                            "attested": s.attested,
                        })
                    })
                    .collect(),
            );
        }
    }
    v
}

/// The full JSON of a draft the viewer may see (404 otherwise).
pub fn load_view(
    conn: &mut DbConn,
    id: &str,
    viewer: &Viewer,
    now: DateTime<Utc>,
) -> AppResult<Value> {
    let d = q::find(conn, id)?
        .filter(|d| viewer.can_see(d))
        .ok_or_else(AppError::not_found)?;
    let parts = load_parts(conn, &d, viewer)?;
    Ok(draft_json(&d, &parts, now, viewer))
}

/// The full JSON of a draft for someone who just acted on it (a reviewer who returned it
/// no longer sees it in lists, but gets the result of their own step).
pub fn load_view_after_step(
    conn: &mut DbConn,
    id: &str,
    viewer: &Viewer,
    now: DateTime<Utc>,
) -> AppResult<Value> {
    let d = q::find(conn, id)?.ok_or_else(AppError::not_found)?;
    let parts = load_parts(conn, &d, viewer)?;
    Ok(draft_json(&d, &parts, now, viewer))
}

/// `POST /api/v1/drafts` (drafter): a new draft in `drafting`.
pub async fn create_draft(
    state: web::Data<AppState>,
    staff: Authorized<DrafterOnly>,
    JsonBody(body): JsonBody<DraftInput>,
) -> AppResult<HttpResponse> {
    let now = state.clock.now();
    let config = state.config.clone();
    let tz = config.timezone();
    let fields = build_fields(
        &config,
        tz,
        &body.title,
        body.doc_number.as_deref(),
        &body.agency,
        &body.category,
        &body.subject_terms,
        body.kind.as_str(),
        body.enterprise_related,
        &body.summary,
        article_pairs(body.articles),
        CommentPeriod {
            opens_on: body.comment_period.opens_on,
            closes_on: body.comment_period.closes_on,
        },
    )?;
    let viewer = viewer_of(Some(&staff.staff));
    let me = staff.id().to_string();
    let view = state
        .db(move |conn| {
            // R1: the index number carries the site's prefix and the local year.
            let prefix = format!(
                "{}-{}",
                config.site.index_prefix,
                now.with_timezone(&tz).format("%Y")
            );
            let id = db::write_tx(conn, |conn| {
                q::create(conn, now, &me, &prefix, &config.site.timezone, &fields)
            })?;
            load_view(conn, &id, &viewer, now)
        })
        .await?;
    Ok(HttpResponse::Created().json(view))
}

#[derive(Debug, Deserialize, Validate)]
pub struct ListQuery {
    pub phase: Option<Phase>,
    #[validate(length(max = 200))]
    pub q: Option<String>,
    #[validate(length(max = 200))]
    pub agency: Option<String>,
    #[validate(length(max = 200))]
    pub category: Option<String>,
    #[validate(range(min = 1))]
    pub page: Option<i64>,
    #[validate(range(min = 1, max = 500))]
    pub per_page: Option<i64>,
}

/// `GET /api/v1/drafts`: the drafts the caller may see, filtered and paged.
pub async fn list_drafts(
    state: web::Data<AppState>,
    MaybeStaff(staff): MaybeStaff,
    QueryParams(query): QueryParams<ListQuery>,
) -> AppResult<HttpResponse> {
    let now = state.clock.now();
    let viewer = viewer_of(staff.as_ref());
    let paging = Paging {
        page: query.page,
        per_page: query.per_page,
    };
    let filter = q::ListFilter {
        phase: query.phase,
        q: query.q,
        agency: query.agency,
        category: query.category,
        ..q::ListFilter::default()
    };
    let page = state
        .db(move |conn| {
            let (rows, total) = q::list(
                conn,
                &viewer,
                &filter,
                now,
                paging.offset(),
                paging.per_page(),
            )?;
            let ids: Vec<String> = rows.iter().map(|d| d.id.clone()).collect();
            let counts: std::collections::HashMap<String, i64> =
                q::published_comment_counts(conn, &ids)?
                    .into_iter()
                    .collect();
            let reported = reports::with_published(conn, &ids)?;
            let items = rows
                .iter()
                .map(|d| {
                    let parts = DraftParts {
                        articles: None,
                        materials: None,
                        extensions: Vec::new(),
                        published_comment_count: counts.get(&d.id).copied().unwrap_or(0),
                        steps: None,
                        has_report: reported.contains(&d.id),
                    };
                    let mut v = draft_json(d, &parts, now, &viewer);
                    if let Some(cp) = v.get_mut("comment_period") {
                        // Extensions are listed on the draft itself; the list keeps one query.
                        if let Some(map) = cp.as_object_mut() {
                            map.remove("extensions");
                        }
                    }
                    v
                })
                .collect();
            Ok(ListPage {
                items,
                total,
                page: paging.page(),
                per_page: paging.per_page(),
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// `GET /api/v1/drafts/{id}`: public views are counted (in memory, flushed in batches).
pub async fn get_draft(
    state: web::Data<AppState>,
    MaybeStaff(staff): MaybeStaff,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let viewer = viewer_of(staff.as_ref());
    let public = !viewer.is_staff();
    let view = {
        let id = id.clone();
        state
            .db(move |conn| load_view(conn, &id, &viewer, now))
            .await?
    };
    if public {
        state.views.record(&id);
    }
    Ok(HttpResponse::Ok().json(view))
}

/// `PATCH /api/v1/drafts/{id}`: only its drafter, only while `drafting`.
pub async fn update_draft(
    state: web::Data<AppState>,
    staff: Authorized<DrafterOnly>,
    path: web::Path<String>,
    JsonBody(patch): JsonBody<DraftPatch>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let config = state.config.clone();
    let viewer = viewer_of(Some(&staff.staff));
    let me = staff.id().to_string();
    let view = state
        .db(move |conn| {
            db::write_tx(conn, |conn| {
                let d = q::find(conn, &id)?.ok_or_else(AppError::not_found)?;
                check_own_drafting(&d, &me)?;
                let mut changed: Vec<&str> = Vec::new();
                macro_rules! note {
                    ($field:ident) => {
                        if patch.$field.is_some() {
                            changed.push(stringify!($field));
                        }
                    };
                }
                note!(title);
                note!(doc_number);
                note!(agency);
                note!(category);
                note!(subject_terms);
                note!(kind);
                note!(enterprise_related);
                note!(summary);
                note!(articles);
                note!(comment_period);
                let current_articles: Vec<(Option<String>, String)> = q::articles_of(conn, &id)?
                    .into_iter()
                    .map(|a| (a.heading, a.text))
                    .collect();
                let period = patch.comment_period.map_or(
                    CommentPeriod {
                        opens_on: d.opens_on,
                        closes_on: d.closes_on,
                    },
                    |p| CommentPeriod {
                        opens_on: p.opens_on,
                        closes_on: p.closes_on,
                    },
                );
                let doc_number = match &patch.doc_number {
                    Some(s) => Some(s.as_str()),
                    None => d.doc_number.as_deref(),
                };
                let fields = build_fields(
                    &config,
                    zone(&d.timezone),
                    patch.title.as_deref().unwrap_or(&d.title),
                    doc_number,
                    patch.agency.as_deref().unwrap_or(&d.agency),
                    patch.category.as_deref().unwrap_or(&d.category),
                    &patch
                        .subject_terms
                        .clone()
                        .unwrap_or_else(|| d.subject_terms()),
                    patch.kind.map_or(d.kind.as_str(), |k| k.as_str()),
                    patch.enterprise_related.unwrap_or(d.enterprise_related),
                    patch.summary.as_deref().unwrap_or(&d.summary),
                    patch
                        .articles
                        .clone()
                        .map_or(current_articles, article_pairs),
                    period,
                )?;
                q::update(conn, now, &me, &d, &fields, &changed)?;
                Ok::<_, AppError>(())
            })?;
            load_view(conn, &id, &viewer, now)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// R1: edits belong to the draft's drafter (403 for anyone else) and to `drafting` (409).
pub fn check_own_drafting(d: &DraftRow, me: &str) -> AppResult<()> {
    if d.drafter_id != me {
        return Err(AppError::forbidden(l!(
            "只有该草案的起草人可以修改它。",
            "Only the draft's drafter may change it."
        )));
    }
    if d.state != DraftState::Drafting.as_str() {
        return Err(AppError::wrong_state(l!(
            "草案处于“{}”状态，只有起草中的草案可以修改；如需修改请先退回。",
            "The draft is `{}`; only a draft in `drafting` can be changed (have it returned first).",
            d.state
        ))
        .with("state", json!(d.state)));
    }
    Ok(())
}

/// `GET /api/v1/drafts/{id}/audit` (staff): the draft's audit entries, oldest first.
pub async fn get_draft_audit(
    state: web::Data<AppState>,
    _staff: Staff,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let entries = state
        .db(move |conn| {
            q::find(conn, &id)?.ok_or_else(AppError::not_found)?;
            Ok(db::audit::for_draft(conn, &id)?)
        })
        .await?;
    let total = entries.len() as i64;
    let items: Vec<Value> = entries
        .into_iter()
        .map(|e| {
            let details: Value = serde_json::from_str(&e.details).unwrap_or(Value::Null);
            json!({
                "seq": e.seq,
                "at": utc_string(e.at),
                "actor": e.actor,
                "action": e.action,
                "object_type": e.object_type,
                "object_id": e.object_id,
                "details": details,
                "hash": e.hash,
                "prev_hash": e.prev_hash,
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "items": items, "total": total })))
}
