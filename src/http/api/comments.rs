//! `POST /api/v1/drafts/{id}/comments` (R9–R11, R15), `GET /api/v1/drafts/{id}/comments`
//! (R12, R13) and `POST /api/v1/drafts/{id}/offline-comments` (R9: staff-entered opinions).

use std::net::IpAddr;
use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use validator::{Validate, ValidationErrors};

use crate::app::AppState;
use crate::db::comments::{self as q, Comment, DraftWindow, NewComment};
use crate::db::{self, ids};
use crate::domain::comment::{
    self as rules, Channel, CleanComment, CommentFields, CommentStatus, Intake, StakeholderType,
};
use crate::http::auth::{Authorized, DrafterOnly, MaybeStaff, Staff};
use crate::http::error::{AppError, AppResult, ErrorKind, FieldErrors};
use crate::http::extract::{JsonBody, ListPage, Paging, QueryParams, rule};
use crate::http::lang::{L, Lang};
use crate::jobs::comment_writer::{
    Idempotency, Receipt, ReceiptMail, Refusal, Submission, receipt_token,
};
use crate::l;
use crate::service;
use crate::service::access::{Act, OfAgency};
pub use crate::service::comments::OfflineCommentInput;

/// R9: the public comment form.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CommentRequest {
    /// 1 to 5,000 characters after trimming.
    #[schema(value_type = String, required = true, min_length = 1, max_length = 5000)]
    pub body: Option<String>,
    /// The number of the article commented on, if any.
    pub article: Option<i32>,
    #[schema(value_type = StakeholderType, required = true)]
    pub stakeholder_type: Option<String>,
    /// Required for enterprises, associations and institutions.
    #[schema(max_length = 200)]
    pub organization: Option<String>,
    #[schema(max_length = 200)]
    pub name: Option<String>,
    /// For the receipt and for mail about the outcome.
    #[schema(max_length = 200)]
    pub email: Option<String>,
    #[schema(max_length = 200)]
    pub phone: Option<String>,
    #[schema(max_length = 200)]
    pub region: Option<String>,
    /// Show the name beside the published comment.
    pub publish_name: Option<bool>,
    /// Keep the text from being published (it is still reviewed).
    pub withhold: Option<bool>,
    /// Must be `true`: consent to the processing of the personal data given.
    #[schema(value_type = bool, required = true)]
    pub consent: Option<bool>,
}

impl CommentRequest {
    fn fields(&self) -> CommentFields {
        CommentFields {
            body: self.body.clone(),
            article: self.article,
            stakeholder_type: self.stakeholder_type.clone(),
            organization: self.organization.clone(),
            name: self.name.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            region: self.region.clone(),
            publish_name: self.publish_name,
            withhold: self.withhold,
            consent: self.consent,
        }
    }
}

impl Validate for CommentRequest {
    fn validate(&self) -> Result<(), ValidationErrors> {
        rules::clean(&self.fields(), true)
            .map(|_| ())
            .map_err(validation_errors)
    }
}

pub fn validation_errors(faults: Vec<(&'static str, rules::Fault)>) -> ValidationErrors {
    let mut errors = ValidationErrors::new();
    for (field, fault) in faults {
        let (zh, en) = fault.texts();
        errors.add(field, rule(fault.code(), zh, en));
    }
    errors
}

fn fault_error(field: &str, fault: &rules::Fault) -> AppError {
    let (zh, en) = fault.texts();
    AppError::field(field, L::new(zh, en))
}

/// R10: the receipt.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReceiptResponse {
    pub tracking_number: String,
    pub receipt_token: String,
    pub status: &'static str,
    pub submitted_at: String,
}

/// A draft's window and articles, from the short-lived cache or the database.
async fn draft_window(state: &web::Data<AppState>, id: &str) -> AppResult<Arc<DraftWindow>> {
    if let Some(d) = state.comments.cached_draft(id) {
        return Ok(d);
    }
    let key = id.to_string();
    let found = state
        .db(move |conn| Ok(q::draft_window(conn, &key)?))
        .await?
        .ok_or_else(AppError::not_found)?;
    let found = Arc::new(found);
    state.comments.remember_draft(found.clone());
    Ok(found)
}

fn local_time(state: &AppState, t: DateTime<Utc>) -> String {
    match state.config.site.timezone.parse::<chrono_tz::Tz>() {
        Ok(tz) => t.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z").to_string(),
        Err(_) => db::utc_string(t.naive_utc()),
    }
}

/// The site's wall-clock time of `t` (the readable part of a tracking number).
fn local_datetime(state: &AppState, t: DateTime<Utc>) -> chrono::NaiveDateTime {
    match state.config.site.timezone.parse::<chrono_tz::Tz>() {
        Ok(tz) => t.with_timezone(&tz).naive_local(),
        Err(_) => t.naive_utc(),
    }
}

/// R5: a 409 that says when the window opens or that it closed; 404 for what is not public.
fn not_open(state: &AppState, phase: Intake) -> AppError {
    match phase {
        Intake::Open => AppError::internal(anyhow::anyhow!("an open draft was refused")),
        Intake::NotYet { opens_at } => AppError::conflict(
            ErrorKind::PhaseClosed,
            l!(
                "意见征集尚未开始，将于 {} 开始。",
                "Comments are not open yet; they open at {}.",
                local_time(state, opens_at)
            ),
        )
        .with("opens_at", json!(db::utc_string(opens_at.naive_utc()))),
        Intake::Ended { closed_at } => AppError::conflict(
            ErrorKind::PhaseClosed,
            l!(
                "意见征集已于 {} 结束，不再接收意见。",
                "The comment period closed at {}; comments are no longer accepted.",
                local_time(state, closed_at)
            ),
        )
        .with("closed_at", json!(db::utc_string(closed_at.naive_utc()))),
        Intake::Stopped => AppError::conflict(
            ErrorKind::PhaseClosed,
            l!(
                "该草案已停止征求意见。",
                "This draft no longer takes comments."
            ),
        ),
        Intake::NotPublic => AppError::not_found(),
    }
}

/// R15: the client's address: the peer, or the `X-Forwarded-For` entry nearest to us that
/// is not a trusted proxy, when the peer itself is one of `server.trusted_proxies`.
pub fn client_ip(req: &HttpRequest, trusted: &[String]) -> Option<IpAddr> {
    let peer = req.peer_addr().map(|a| a.ip());
    let is_trusted = |ip: &IpAddr| {
        trusted
            .iter()
            .any(|t| t.parse::<IpAddr>().is_ok_and(|t| t == *ip))
    };
    let peer = peer?;
    if !is_trusted(&peer) {
        return Some(peer);
    }
    let mut client = peer;
    for value in req.headers().get_all("x-forwarded-for") {
        let Ok(text) = value.to_str() else {
            return Some(peer);
        };
        let hops: Vec<&str> = text.split(',').map(str::trim).collect();
        for hop in hops.iter().rev() {
            match hop.parse::<IpAddr>() {
                Ok(ip) if is_trusted(&ip) => client = ip,
                Ok(ip) => return Some(ip),
                Err(_) => return Some(client),
            }
        }
    }
    Some(client)
}

fn idempotency_key(req: &HttpRequest) -> AppResult<Option<String>> {
    let Some(value) = req.headers().get("idempotency-key") else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or("").trim();
    let ok =
        !text.is_empty() && text.len() <= 255 && text.bytes().all(|b| (0x21..0x7f).contains(&b));
    if !ok {
        return Err(AppError::field(
            "Idempotency-Key",
            l!(
                "Idempotency-Key 应为 1 到 255 个可见 ASCII 字符",
                "must be 1 to 255 visible ASCII characters"
            ),
        ));
    }
    Ok(Some(text.to_string()))
}

fn new_row(
    state: &AppState,
    draft: &DraftWindow,
    clean: &CleanComment,
    now: DateTime<Utc>,
    channel: Channel,
) -> (NewComment, String) {
    let id = ids::new_id(now);
    let token = receipt_token(&state.secret, &id);
    let status = if channel == Channel::Online {
        CommentStatus::Pending
    } else {
        CommentStatus::Published
    };
    let row = NewComment {
        receipt_token_hash: ids::hash_secret(&token),
        tracking_number: rules::tracking_number(local_datetime(state, now), &ids::random_code(5)),
        id,
        draft_id: draft.id.clone(),
        round: draft.round,
        body: clean.body.clone(),
        article: clean.article,
        stakeholder_type: clean.stakeholder_type.as_str().into(),
        organization: clean.organization.clone(),
        name: clean.name.clone(),
        email: clean.email.clone(),
        email_normalized: clean.email_normalized(),
        phone: clean.phone.clone(),
        region: clean.region.clone(),
        publish_name: clean.publish_name,
        withhold: clean.withhold,
        channel: channel.as_str().into(),
        locale: Lang::current().code().into(),
        status: status.as_str().into(),
        entered_by: None,
        client_key: None,
        submitted_at: now.naive_utc(),
    };
    (row, token)
}

fn receipt_mail(draft: &DraftWindow, clean: &CleanComment) -> Option<ReceiptMail> {
    clean.email.as_ref().map(|email| ReceiptMail {
        recipient: email.clone(),
        locale: Lang::current().code().into(),
        draft_title: draft.title.clone(),
    })
}

/// R9–R11, R15: accepts a public comment; answers only after it is committed.
#[utoipa::path(
    post,
    path = "/api/v1/drafts/{id}/comments",
    tag = "comments",
    params(("id" = String, Path, description = "The draft's id"), ("Idempotency-Key" = Option<String>, Header, description = "1 to 255 visible ASCII characters; a repeat with the same body answers the first receipt again")),
    request_body = CommentRequest,
    responses(
        (status = 201, description = "Committed; the receipt (also for a replay of the same Idempotency-Key)", body = ReceiptResponse, headers(("Idempotent-Replayed" = String, description = "`true` when this answers an earlier request with the same key"))),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 404, response = crate::http::openapi::NotFound),
        (status = 409, response = crate::http::openapi::Conflict),
        (status = 413, response = crate::http::openapi::PayloadTooLarge),
        (status = 415, response = crate::http::openapi::UnsupportedMediaType),
        (status = 422, response = crate::http::openapi::Unprocessable),
        (status = 429, response = crate::http::openapi::TooManyRequests),
        (status = 503, response = crate::http::openapi::Unavailable),
    ),
)]
pub async fn submit_comment(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    JsonBody(body): JsonBody<CommentRequest>,
) -> AppResult<HttpResponse> {
    let draft_id = path.into_inner();
    let key = idempotency_key(&req)?;
    let receipt = accept_comment(&state, &req, &draft_id, &body.fields(), key).await?;
    let mut res = HttpResponse::Created();
    if receipt.replayed {
        res.insert_header(("Idempotent-Replayed", "true"));
    }
    Ok(res.json(ReceiptResponse {
        tracking_number: receipt.tracking_number,
        receipt_token: receipt.receipt_token,
        status: CommentStatus::Pending.as_str(),
        submitted_at: db::utc_string(receipt.submitted_at),
    }))
}

/// R9–R11, R15: the one intake path of a public comment, for the API and the draft page's
/// form: checks the window and the fields, hands the row to the group-commit writer and
/// answers once it is committed. Refusals come back as `AppError`s (404, 409, 422, 429, 503).
pub async fn accept_comment(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    draft_id: &str,
    fields: &CommentFields,
    key: Option<String>,
) -> AppResult<Receipt> {
    let now = state.clock.now();
    let draft = draft_window(state, draft_id).await?;
    let phase = rules::intake(&draft.state, draft.opens_at, draft.closes_at, now);
    if phase != Intake::Open {
        return Err(not_open(state, phase));
    }
    let clean =
        rules::clean(fields, true).map_err(|faults| AppError::validation(field_map(faults)))?;
    rules::check_article(clean.article, &draft.articles)
        .map_err(|fault| fault_error("article", &fault))?;

    let (mut row, token) = new_row(state, &draft, &clean, now, Channel::Online);
    let ip = client_ip(req, &state.config.server.trusted_proxies)
        .map(|ip| ip.to_string())
        .unwrap_or_else(|| "unknown".into());
    // Only a keyed hash of the address is kept (R13).
    row.client_key = Some(crate::security::sign(
        &state.secret,
        &format!("client:{ip}"),
    ));
    let idempotency = key.map(|k| Idempotency {
        key_hash: ids::hash_secret(&format!("{draft_id}\n{k}")),
        request_hash: ids::hash_secret(&format!(
            "{draft_id}\n{}",
            serde_json::to_string(&clean).unwrap_or_default()
        )),
    });
    let submission = Submission {
        local_time: local_datetime(state, now),
        receipt_mail: receipt_mail(&draft, &clean),
        row,
        now,
        receipt_token: token,
        idempotency,
        per_client_per_hour: state.config.limits.comment_per_ip_per_hour,
        per_email_per_draft: state.config.limits.comments_per_email_per_draft,
    };
    let waiting = state
        .comments
        .submit(submission)
        .map_err(|r| refusal(state, r))?;
    waiting
        .await
        .map_err(|_| AppError::internal(anyhow::anyhow!("the comment writer stopped")))?
        .map_err(|r| refusal(state, r))
}

fn refusal(state: &AppState, r: Refusal) -> AppError {
    match r {
        Refusal::NotOpen(phase) => not_open(state, phase),
        Refusal::RateLimited { retry_after_secs } => AppError::rate_limited(retry_after_secs),
        // A cap, not a rate: it does not reset, so no Retry-After.
        Refusal::EmailCap { cap } => AppError::new(
            ErrorKind::RateLimited,
            l!(
                "该邮箱地址对本草案已提交 {} 条意见，达到上限。",
                "This email address has sent {} comments on this draft, the most allowed.",
                cap
            ),
        )
        .with("limit", json!(cap)),
        Refusal::KeyReused => AppError::new(
            ErrorKind::IdempotencyKeyReused,
            l!(
                "该 Idempotency-Key 已用于内容不同的另一次提交；重新提交时请使用新的 Key。",
                "This Idempotency-Key was used for a different submission; use a new key for a new comment."
            ),
        ),
        Refusal::Overloaded => AppError::overloaded(1),
        Refusal::Failed(e) => AppError::db_unavailable(e),
    }
}

/// R13: what anyone may see of a published comment.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PublicComment {
    pub tracking_number: String,
    /// R8: the round of the draft it was written on.
    pub round: i32,
    /// `null` when the commenter asked that the text not be shown (`withheld: true`).
    pub body: Option<String>,
    pub withheld: bool,
    pub article: Option<i32>,
    pub stakeholder_type: String,
    pub organization: Option<String>,
    /// Only when the commenter chose to publish it.
    pub name: Option<String>,
    pub channel: String,
    pub submitted_at: String,
}

impl PublicComment {
    /// A published comment of `round`.
    fn of(c: db::public_comments::PublicComment, round: i32) -> PublicComment {
        PublicComment {
            tracking_number: c.tracking_number,
            round,
            withheld: c.body.is_none(),
            body: c.body,
            article: c.article,
            stakeholder_type: c.stakeholder_type,
            organization: c.organization,
            name: c.name,
            channel: c.channel,
            submitted_at: db::utc_string(c.submitted_at),
        }
    }
}

/// The two answers of the comment list.
enum Listing {
    /// The comments, and whether the caller may read their personal fields.
    Staff(Vec<Comment>, i64, bool),
    Public(Vec<db::public_comments::PublicComment>, i64, i32),
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = CommentDisposition)]
pub struct Disposition {
    pub outcome: String,
    pub reason: Option<String>,
}

/// The staff view adds `id`, `status`, `channel`, `group_id`, `disposition` and the
/// personal fields to the public ones.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StaffComment {
    pub id: String,
    pub draft_id: String,
    /// R8: the round of the draft it was written on.
    pub round: i32,
    pub tracking_number: String,
    pub body: String,
    pub article: Option<i32>,
    pub stakeholder_type: String,
    pub organization: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub region: Option<String>,
    pub publish_name: bool,
    pub withhold: bool,
    pub channel: String,
    pub locale: String,
    pub status: String,
    pub moderation_reason: Option<String>,
    pub moderated_by: Option<String>,
    #[serde(serialize_with = "crate::db::serialize_opt_utc")]
    pub moderated_at: Option<chrono::NaiveDateTime>,
    pub entered_by: Option<String>,
    pub group_id: Option<String>,
    pub disposition: Option<Disposition>,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub submitted_at: chrono::NaiveDateTime,
}

/// An item of `GET /api/v1/drafts/{id}/comments`: the staff view or the public one. Only the
/// API document uses it; the handler writes the two lists apart.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum CommentItem {
    Staff(Box<StaffComment>),
    Public(PublicComment),
}

impl StaffComment {
    /// The view of an officer who does not need the personal fields (R13).
    pub fn without_personal_fields(&mut self) {
        self.name = None;
        self.email = None;
        self.phone = None;
        self.region = None;
    }
}

impl From<Comment> for StaffComment {
    fn from(c: Comment) -> StaffComment {
        StaffComment {
            disposition: c.outcome.map(|outcome| Disposition {
                outcome,
                reason: c.reason,
            }),
            id: c.id,
            draft_id: c.draft_id,
            round: c.round,
            tracking_number: c.tracking_number,
            body: c.body,
            article: c.article,
            stakeholder_type: c.stakeholder_type,
            organization: c.organization,
            name: c.name,
            email: c.email,
            phone: c.phone,
            region: c.region,
            publish_name: c.publish_name,
            withhold: c.withhold,
            channel: c.channel,
            locale: c.locale,
            status: c.status,
            moderation_reason: c.moderation_reason,
            moderated_by: c.moderated_by,
            moderated_at: c.moderated_at,
            entered_by: c.entered_by,
            group_id: c.group_id,
            submitted_at: c.submitted_at,
        }
    }
}

fn valid_status(s: &str) -> Result<(), validator::ValidationError> {
    if CommentStatus::parse(s).is_some() {
        Ok(())
    } else {
        Err(rule(
            "status",
            format!("应为以下之一：{}", CommentStatus::list()),
            format!("must be one of: {}", CommentStatus::list()),
        ))
    }
}

#[derive(Debug, Deserialize, Validate, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommentListQuery {
    /// Staff only: comments in this status.
    #[validate(custom(function = "valid_status"))]
    #[param(value_type = Option<CommentStatus>)]
    pub status: Option<String>,
    #[validate(range(min = 1))]
    #[param(minimum = 1)]
    pub page: Option<i64>,
    #[validate(range(min = 1, max = 500))]
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<i64>,
    /// R8: the comments of this round; absent, the current round (for the public: the last
    /// published one).
    #[validate(range(min = 1, max = 1000))]
    #[param(minimum = 1, maximum = 1000)]
    pub round: Option<i32>,
}

/// R12/R13: the public sees published comments without personal data; staff see all.
#[utoipa::path(
    get,
    path = "/api/v1/drafts/{id}/comments",
    tag = "comments",
    params(("id" = String, Path, description = "The draft's id"), CommentListQuery),
    responses(
        (status = 200, description = "Published comments without personal data; staff who work with comments see all of them", body = ListPage<CommentItem>),
        (status = 401, response = crate::http::openapi::Unauthorized),
        (status = 404, response = crate::http::openapi::NotFound),
        (status = 422, response = crate::http::openapi::Unprocessable),
        (status = 503, response = crate::http::openapi::Unavailable),
    ),
    security((), ("bearer" = [])),
)]
pub async fn list_comments(
    state: web::Data<AppState>,
    path: web::Path<String>,
    MaybeStaff(staff): MaybeStaff,
    QueryParams(query): QueryParams<CommentListQuery>,
) -> AppResult<HttpResponse> {
    let draft_id = path.into_inner();
    let paging = Paging {
        page: query.page,
        per_page: query.per_page,
    };
    let actor = staff.as_ref().map(Staff::actor);
    let status = query.status.clone();
    let asked_round = query.round;
    let (offset, limit) = (paging.offset(), paging.per_page());
    let found = state
        .db(move |conn| {
            let Some(draft) = crate::db::drafts::find(conn, &draft_id)? else {
                return Ok(None);
            };
            let draft_round = draft.round;
            // Officers of the draft's agency who work with comments see all of them; the
            // personal fields only those who need them (service::access).
            if let Some(actor) = &actor
                && let Some(agency) = db::agencies::of_draft(conn, &draft_id)?
            {
                let draft = OfAgency(agency.as_str());
                if actor.can(conn, Act::ReadComments, &draft)? {
                    let personal = actor.can(conn, Act::ReadPersonal, &draft)?;
                    let round = asked_round.unwrap_or(draft_round);
                    let (items, total) = q::list_for_draft(
                        conn,
                        &draft_id,
                        round,
                        status.as_deref(),
                        offset,
                        limit,
                    )?;
                    return Ok(Some(Listing::Staff(items, total, personal)));
                }
            }
            // R8: the public reads the rounds published so far.
            let Some(public) = crate::db::drafts::public_view_of(conn, draft)? else {
                return Ok(None);
            };
            let round = asked_round.unwrap_or(public.round);
            if round > public.round {
                return Ok(None);
            }
            // R13: the public query never selects a personal column.
            let (items, total) =
                db::public_comments::published_of_draft(conn, &draft_id, round, offset, limit)?;
            Ok(Some(Listing::Public(items, total, round)))
        })
        .await?;
    let (page, per_page) = (paging.page(), paging.per_page());
    match found.ok_or_else(AppError::not_found)? {
        Listing::Staff(items, total, personal) => Ok(HttpResponse::Ok().json(ListPage {
            items: items
                .into_iter()
                .map(|c| {
                    let mut c = StaffComment::from(c);
                    if !personal {
                        c.without_personal_fields();
                    }
                    c
                })
                .collect(),
            total,
            page,
            per_page,
        })),
        Listing::Public(items, total, round) => Ok(HttpResponse::Ok().json(ListPage {
            items: items
                .into_iter()
                .map(|c| PublicComment::of(c, round))
                .collect(),
            total,
            page,
            per_page,
        })),
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EnteredComment {
    #[serde(flatten)]
    pub comment: StaffComment,
    /// For the officer to pass on to the person who wrote, so they can follow it (R14).
    pub receipt_token: String,
}

/// R9: a drafter enters an opinion that arrived offline; it skips moderation (published)
/// but, like every comment, is shown publicly without personal data (R13).
#[utoipa::path(
    post,
    path = "/api/v1/drafts/{id}/offline-comments",
    tag = "comments",
    params(("id" = String, Path, description = "The draft's id")),
    request_body = OfflineCommentInput,
    responses(
        (status = 201, description = "The comment as staff see it, with its receipt token", body = EnteredComment),
        crate::http::openapi::StaffJsonWrite,
    ),
    security(("bearer" = [])),
)]
pub async fn create_offline_comment(
    state: web::Data<AppState>,
    path: web::Path<String>,
    staff: Authorized<DrafterOnly>,
    JsonBody(body): JsonBody<OfflineCommentInput>,
) -> AppResult<HttpResponse> {
    let draft_id = path.into_inner();
    let now = state.clock.now();
    let actor = staff.actor();
    let config = state.config.clone();
    let secret = state.secret.clone();
    let entered = state
        .db(move |conn| {
            service::comments::enter_offline(conn, &config, &secret, &actor, now, &draft_id, body)
        })
        .await?;
    Ok(HttpResponse::Created().json(EnteredComment {
        comment: StaffComment::from(entered.comment),
        receipt_token: entered.receipt_token,
    }))
}

fn field_map(faults: Vec<(&'static str, rules::Fault)>) -> FieldErrors {
    let mut errors = FieldErrors::new();
    for (field, fault) in faults {
        let (zh, en) = fault.texts();
        errors
            .entry(field.to_string())
            .or_default()
            .push(L::new(zh, en));
    }
    errors
}
