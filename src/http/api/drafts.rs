//! R1, R4: `POST/GET /api/v1/drafts`, `GET/PATCH /api/v1/drafts/{id}` and
//! `GET /api/v1/drafts/{id}/audit`, plus the draft's JSON shape.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use validator::Validate;

use crate::app::AppState;
use crate::db::drafts::{self as q, Article, DraftRow, ExtensionRow, StepRow, Viewer};
use crate::db::materials::{self, MaterialRow};
use crate::db::reports;
use crate::db::{self, DbConn, utc_string};
use crate::domain::period::{self, Phase};
use crate::http::auth::{Authorized, DrafterOnly, MaybeStaff, Staff};
use crate::http::draft_cache::{Variant, not_modified};
use crate::http::error::{AppError, AppResult};
use crate::http::extract::{JsonBody, ListPage, Paging, QueryParams};
use crate::service;
use crate::service::access::Act;
pub use crate::service::drafts::{
    ArticleInput, DraftInput, DraftPatch, PeriodInput, check_own_drafting, min_days, period_error,
    zone,
};

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
    let count = db::public_comments::published_count(conn, &d.id, d.round)?;
    Ok(DraftParts {
        articles: Some(q::articles_of_round(conn, &d.id, d.round)?),
        materials: Some(materials::of_draft(conn, &d.id, d.round)?),
        extensions: q::extensions_of(conn, &d.id, d.round)?,
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

/// The draft JSON of the HTTP contract.
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
                            "round": s.round,
                        })
                    })
                    .collect(),
            );
        }
    }
    v
}

/// The full JSON of a draft the viewer may see (404 otherwise), of `round` or of the round
/// they see by default (R8: `q::view_of_round`).
pub fn load_view(
    conn: &mut DbConn,
    id: &str,
    viewer: &Viewer,
    now: DateTime<Utc>,
    round: Option<i32>,
) -> AppResult<Value> {
    let d = q::find(conn, id)?.ok_or_else(AppError::not_found)?;
    let d = q::view_of_round(conn, d, viewer, round)?.ok_or_else(AppError::not_found)?;
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
#[utoipa::path(
    post,
    path = "/api/v1/drafts",
    tag = "drafts",
    request_body = DraftInput,
    responses(
        (status = 201, description = "The new draft, in `drafting`", body = crate::http::openapi::views::Draft),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthorized),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 409, response = crate::http::openapi::Conflict),
        (status = 413, response = crate::http::openapi::PayloadTooLarge),
        (status = 415, response = crate::http::openapi::UnsupportedMediaType),
        (status = 422, response = crate::http::openapi::Unprocessable),
        (status = 503, response = crate::http::openapi::Unavailable),
    ),
    security(("bearer" = [])),
)]
pub async fn create_draft(
    state: web::Data<AppState>,
    staff: Authorized<DrafterOnly>,
    JsonBody(body): JsonBody<DraftInput>,
) -> AppResult<HttpResponse> {
    let now = state.clock.now();
    let config = state.config.clone();
    let viewer = viewer_of(Some(&staff.staff));
    let actor = staff.actor();
    let view = state
        .db(move |conn| {
            let id = service::drafts::create_draft(conn, &config, &actor, now, body)?;
            load_view(conn, &id, &viewer, now, None)
        })
        .await?;
    Ok(HttpResponse::Created().json(view))
}

#[derive(Debug, Deserialize, Validate, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub phase: Option<Phase>,
    #[validate(length(max = 200))]
    #[param(max_length = 200)]
    pub q: Option<String>,
    #[validate(length(max = 200))]
    #[param(max_length = 200)]
    pub agency: Option<String>,
    #[validate(length(max = 200))]
    #[param(max_length = 200)]
    pub category: Option<String>,
    #[validate(range(min = 1))]
    #[param(minimum = 1)]
    pub page: Option<i64>,
    #[validate(range(min = 1, max = 500))]
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<i64>,
}

/// `GET /api/v1/drafts`: the drafts the caller may see, filtered and paged.
#[utoipa::path(
    get,
    path = "/api/v1/drafts",
    tag = "drafts",
    params(ListQuery),
    responses(
        (status = 200, description = "The drafts the caller may see: the public sees published ones", body = crate::http::openapi::views::DraftPage),
        (status = 401, response = crate::http::openapi::Unauthorized),
        (status = 422, response = crate::http::openapi::Unprocessable),
        (status = 503, response = crate::http::openapi::Unavailable),
    ),
    security((), ("bearer" = [])),
)]
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
            let rounds: Vec<(String, i32)> = rows.iter().map(|d| (d.id.clone(), d.round)).collect();
            let counts: std::collections::HashMap<String, i64> =
                q::published_comment_counts(conn, &rounds)?
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

/// `GET /api/v1/drafts/{id}`: public views are counted (in memory, flushed in batches),
/// a conditional GET answered 304 included. The public JSON is served from the draft cache
/// (`http::draft_cache`) with a strong `ETag` and `Cache-Control: public, no-cache`: any cache
/// may keep it but asks again each time, and that question costs one 304. Staff get a fresh
/// answer that no cache may keep.
#[utoipa::path(
    get,
    path = "/api/v1/drafts/{id}",
    tag = "drafts",
    params(("id" = String, Path, description = "The draft's id"), RoundQuery),
    responses(
        (status = 200, description = "The draft", body = crate::http::openapi::views::Draft),
        (status = 304, description = "Not modified: the `If-None-Match` tag is still current"),
        (status = 401, response = crate::http::openapi::Unauthorized),
        (status = 404, response = crate::http::openapi::NotFound),
        (status = 422, response = crate::http::openapi::Unprocessable),
        (status = 503, response = crate::http::openapi::Unavailable),
    ),
    security((), ("bearer" = [])),
)]
pub async fn get_draft(
    state: web::Data<AppState>,
    req: HttpRequest,
    MaybeStaff(staff): MaybeStaff,
    path: web::Path<String>,
    QueryParams(query): QueryParams<RoundQuery>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    // Officers, and anyone reading a round by its number (an ended round never changes; the
    // cache keeps the round the public sees by default).
    if staff.is_some() || query.round.is_some() {
        let cache_control = if staff.is_some() {
            "private, no-store"
        } else {
            "public, no-cache"
        };
        let viewer = viewer_of(staff.as_ref());
        let view = state
            .db(move |conn| load_view(conn, &id, &viewer, now, query.round))
            .await?;
        return Ok(HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, cache_control))
            .insert_header((header::VARY, "Authorization"))
            .json(view));
    }
    let cache = state.drafts.clone();
    let stamp = cache
        .stamp(&state, &id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let rendered = match cache.rendered(&id, &Variant::Json, stamp, now) {
        Some(r) => r,
        None => {
            let snapshot = {
                let (cache, id) = (cache.clone(), id.clone());
                state
                    .db(move |conn| Ok(cache.snapshot(conn, &id, stamp)?))
                    .await?
                    .ok_or_else(AppError::not_found)?
            };
            let parts = DraftParts {
                articles: Some(snapshot.articles.clone()),
                materials: Some(snapshot.materials.clone()),
                extensions: snapshot.extensions.clone(),
                published_comment_count: snapshot.round_published,
                steps: None,
                has_report: snapshot.has_report,
            };
            let view = draft_json(&snapshot.row_at(stamp), &parts, now, &Viewer::Public);
            let body = serde_json::to_vec(&view).map_err(AppError::internal)?;
            cache.keep_json(&id, snapshot, stamp, now, body)
        }
    };
    state.views.record(&id);
    let etag = rendered.json_etag();
    let unchanged = not_modified(&req, &etag);
    let mut res = if unchanged {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, "public, no-cache"))
        .insert_header((header::VARY, "Authorization"));
    if unchanged {
        return Ok(res.finish());
    }
    Ok(res
        .content_type("application/json")
        .body(rendered.json_body()))
}

/// `?round=N`: one round of a draft (R8); absent, the current round (for the public: the last
/// published one).
#[derive(Debug, Deserialize, Validate, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RoundQuery {
    #[validate(range(min = 1, max = 1000))]
    #[param(minimum = 1, maximum = 1000)]
    pub round: Option<i32>,
}

/// `PATCH /api/v1/drafts/{id}`: only its drafter, only while `drafting`.
#[utoipa::path(
    patch,
    path = "/api/v1/drafts/{id}",
    tag = "drafts",
    params(("id" = String, Path, description = "The draft's id")),
    request_body = DraftPatch,
    responses(
        (status = 200, description = "The draft after the change", body = crate::http::openapi::views::Draft),
        crate::http::openapi::StaffJsonWrite,
    ),
    security(("bearer" = [])),
)]
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
    let actor = staff.actor();
    let view = state
        .db(move |conn| {
            service::drafts::update_draft(conn, &config, &actor, now, &id, patch)?;
            load_view(conn, &id, &viewer, now, None)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// `GET /api/v1/drafts/{id}/audit` (officers of the draft's agency, administrators): the
/// draft's audit entries, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/drafts/{id}/audit",
    tag = "drafts",
    params(("id" = String, Path, description = "The draft's id")),
    responses(
        (status = 200, description = "The draft's audit entries, oldest first", body = crate::http::openapi::views::AuditList),
        (status = 401, response = crate::http::openapi::Unauthorized),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 404, response = crate::http::openapi::NotFound),
        (status = 503, response = crate::http::openapi::Unavailable),
    ),
    security(("bearer" = [])),
)]
pub async fn get_draft_audit(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let actor = staff.actor();
    let entries = state
        .db(move |conn| {
            // Officers of the draft's agency, and administrators (service::access).
            actor.may_on(conn, Act::ReadAudit, &id)?;
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
