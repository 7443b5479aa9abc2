//! R12: review first, publish later: the moderators' queue and their decisions.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use validator::Validate;

use crate::app::AppState;
use crate::db::comments as q;
use crate::domain::comment::CommentStatus;
use crate::http::api::comments::StaffComment;
use crate::http::auth::{Authorized, ModeratorOnly};
use crate::http::error::{AppError, AppResult};
use crate::http::extract::{JsonBody, ListPage, Paging, QueryParams, rule};
use crate::service;
use crate::service::moderation::ModerationInput;

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
pub struct QueueQuery {
    #[validate(length(min = 1, max = 64))]
    #[param(min_length = 1, max_length = 64)]
    pub draft_id: Option<String>,
    /// `pending` unless asked otherwise.
    #[validate(custom(function = "valid_status"))]
    #[param(value_type = Option<CommentStatus>)]
    pub status: Option<String>,
    #[validate(range(min = 1))]
    #[param(minimum = 1)]
    pub page: Option<i64>,
    #[validate(range(min = 1, max = 500))]
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<i64>,
}

/// `GET /api/v1/moderation?draft_id=&status=`: the queue, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/moderation",
    tag = "comments",
    params(QueueQuery),
    responses(
        (status = 200, description = "The queue, oldest first", body = ListPage<StaffComment>),
        (status = 401, response = crate::http::openapi::Unauthorized),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 422, response = crate::http::openapi::Unprocessable),
        (status = 503, response = crate::http::openapi::Unavailable),
    ),
    security(("bearer" = [])),
)]
pub async fn list_moderation_queue(
    state: web::Data<AppState>,
    moderator: Authorized<ModeratorOnly>,
    QueryParams(query): QueryParams<QueueQuery>,
) -> AppResult<HttpResponse> {
    let paging = Paging {
        page: query.page,
        per_page: query.per_page,
    };
    let status = query
        .status
        .unwrap_or_else(|| CommentStatus::Pending.as_str().into());
    let draft_id = query.draft_id;
    let (offset, limit) = (paging.offset(), paging.per_page());
    let actor = moderator.actor();
    let (items, total) = state
        .db(move |conn| {
            // The comments of the moderator's agencies' drafts only.
            let agencies = actor.agency_scope(conn)?;
            Ok(q::moderation_queue(
                conn,
                agencies.as_deref(),
                draft_id.as_deref(),
                &status,
                offset,
                limit,
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ListPage {
        items: items
            .into_iter()
            .map(StaffComment::from)
            .collect::<Vec<_>>(),
        total,
        page: paging.page(),
        per_page: paging.per_page(),
    }))
}

/// `POST /api/v1/comments/{id}/moderation`: publish or hide, recorded in the audit chain.
/// A hidden comment stays counted and still gets a disposition.
#[utoipa::path(
    post,
    path = "/api/v1/comments/{id}/moderation",
    tag = "comments",
    params(("id" = String, Path, description = "The comment's id")),
    request_body = ModerationInput,
    responses(
        (status = 200, description = "The comment after the decision", body = StaffComment),
        crate::http::openapi::StaffJsonWrite,
    ),
    security(("bearer" = [])),
)]
pub async fn moderate_comment(
    state: web::Data<AppState>,
    path: web::Path<String>,
    moderator: Authorized<ModeratorOnly>,
    JsonBody(body): JsonBody<ModerationInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let actor = moderator.actor();
    let decision = body.decision()?;
    let updated = state
        .db(move |conn| service::moderation::moderate(conn, &actor, now, &id, decision))
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(HttpResponse::Ok().json(StaffComment::from(updated)))
}

/// `POST /api/v1/comments/by-tracking/{tracking_number}/erasure`: erases the personal fields
/// of a comment on the commenter's request (moderator or admin): name, organization, email,
/// phone, region and client key. The text and the disposition stay; audited without the
/// erased data. Erasing again answers the same with nothing erased.
#[utoipa::path(
    post,
    path = "/api/v1/comments/by-tracking/{tracking_number}/erasure",
    tag = "comments",
    params(("tracking_number" = String, Path, description = "The comment's tracking number")),
    responses(
        (status = 200, description = "What was erased (field names only)", body = service::erasure::Erasure),
        (status = 401, response = crate::http::openapi::Unauthorized),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 404, response = crate::http::openapi::NotFound),
        (status = 503, response = crate::http::openapi::Unavailable),
    ),
    security(("bearer" = [])),
)]
pub async fn erase_comment_personal_data(
    state: web::Data<AppState>,
    path: web::Path<String>,
    staff: Authorized<crate::http::auth::ModeratorOrAdmin>,
) -> AppResult<HttpResponse> {
    let tracking = path.into_inner();
    let now = state.clock.now();
    let actor = staff.actor();
    let erasure = state
        .db(move |conn| service::erasure::erase_personal_data(conn, &actor, now, &tracking))
        .await?;
    Ok(HttpResponse::Ok().json(erasure))
}

#[derive(Debug, Deserialize, Validate, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DuplicatesQuery {
    #[validate(length(min = 1, max = 64))]
    #[param(min_length = 1, max_length = 64)]
    pub draft_id: Option<String>,
    #[validate(range(min = 1))]
    #[param(minimum = 1)]
    pub page: Option<i64>,
    #[validate(range(min = 1, max = 500))]
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<i64>,
}

/// `GET /api/v1/moderation/duplicates?draft_id=`: comments whose sender already sent the same
/// or nearly the same text on the same draft, newest first, each with the earlier comment's
/// tracking number, how alike the texts are and how long apart they came. A flag informs the
/// moderator; nothing was refused.
#[utoipa::path(
    get,
    path = "/api/v1/moderation/duplicates",
    tag = "comments",
    params(DuplicatesQuery),
    responses(
        (status = 200, description = "Duplicate flags, newest first", body = ListPage<crate::db::duplicates::DuplicateFlag>),
        (status = 401, response = crate::http::openapi::Unauthorized),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 422, response = crate::http::openapi::Unprocessable),
        (status = 503, response = crate::http::openapi::Unavailable),
    ),
    security(("bearer" = [])),
)]
pub async fn list_duplicate_flags(
    state: web::Data<AppState>,
    moderator: Authorized<ModeratorOnly>,
    QueryParams(query): QueryParams<DuplicatesQuery>,
) -> AppResult<HttpResponse> {
    let paging = Paging {
        page: query.page,
        per_page: query.per_page,
    };
    let actor = moderator.actor();
    let draft_id = query.draft_id;
    let (offset, limit) = (paging.offset(), paging.per_page());
    let (items, total) = state
        .db(move |conn| service::duplicates::list(conn, &actor, draft_id.as_deref(), offset, limit))
        .await?;
    Ok(HttpResponse::Ok().json(ListPage {
        items,
        total,
        page: paging.page(),
        per_page: paging.per_page(),
    }))
}
