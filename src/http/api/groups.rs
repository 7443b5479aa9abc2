//! R16: opinion groups of a draft: list, suggest, create, and edit (rename, move, merge and
//! split by moving), performed by `service::review`.

use actix_web::{HttpResponse, web};
use serde::Serialize;

use crate::app::AppState;
use crate::http::auth::{Authorized, DrafterOnly, DrafterOrReviewer};
use crate::http::error::AppResult;
use crate::http::extract::JsonBody;
use crate::service;
pub use crate::service::review::{
    CreateGroup, Disposition, GroupView, UpdateGroup, ensure_reviewable, load_draft,
};

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GroupList {
    pub items: Vec<GroupView>,
}

/// `GET /api/v1/drafts/{id}/groups`
#[utoipa::path(
    get,
    path = "/api/v1/drafts/{id}/groups",
    tag = "review",
    params(("id" = String, Path, description = "The draft's id")),
    responses(
        (status = 200, description = "The draft's opinion groups", body = GroupList),
        (status = 401, response = crate::http::openapi::Unauthorized),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 404, response = crate::http::openapi::NotFound),
        (status = 409, response = crate::http::openapi::Conflict),
        (status = 503, response = crate::http::openapi::Unavailable),
    ),
    security(("bearer" = [])),
)]
pub async fn list_groups(
    state: web::Data<AppState>,
    path: web::Path<String>,
    who: Authorized<DrafterOrReviewer>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let config = state.config.clone();
    let actor = who.actor();
    let items = state
        .db(move |conn| service::review::list_groups(conn, &config, &actor, &id))
        .await?;
    Ok(HttpResponse::Ok().json(GroupList { items }))
}

/// `POST /api/v1/drafts/{id}/groups/suggest`: R16, regroups the comments no officer has placed.
#[utoipa::path(
    post,
    path = "/api/v1/drafts/{id}/groups/suggest",
    tag = "review",
    params(("id" = String, Path, description = "The draft's id")),
    responses(
        (status = 200, description = "The groups after regrouping the comments no officer has placed", body = GroupList),
        (status = 401, response = crate::http::openapi::Unauthorized),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 404, response = crate::http::openapi::NotFound),
        (status = 409, response = crate::http::openapi::Conflict),
        (status = 503, response = crate::http::openapi::Unavailable),
    ),
    security(("bearer" = [])),
)]
pub async fn suggest_groups(
    state: web::Data<AppState>,
    path: web::Path<String>,
    who: Authorized<DrafterOnly>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let config = state.config.clone();
    let actor = who.actor();
    let items = state
        .db(move |conn| service::review::suggest_groups(conn, &config, &actor, now, &id))
        .await?;
    Ok(HttpResponse::Ok().json(GroupList { items }))
}

/// `POST /api/v1/drafts/{id}/groups`: an officer's group; the named comments move into it.
#[utoipa::path(
    post,
    path = "/api/v1/drafts/{id}/groups",
    tag = "review",
    params(("id" = String, Path, description = "The draft's id")),
    request_body = CreateGroup,
    responses(
        (status = 201, description = "The new group; the named comments moved into it", body = GroupView),
        crate::http::openapi::StaffJsonWrite,
    ),
    security(("bearer" = [])),
)]
pub async fn create_group(
    state: web::Data<AppState>,
    path: web::Path<String>,
    who: Authorized<DrafterOnly>,
    JsonBody(body): JsonBody<CreateGroup>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let config = state.config.clone();
    let actor = who.actor();
    let view = state
        .db(move |conn| service::review::create_group(conn, &config, &actor, now, &id, body))
        .await?;
    Ok(HttpResponse::Created().json(view))
}

/// `PATCH /api/v1/groups/{id}`: rename; `add` moves comments in, `remove` takes them out.
#[utoipa::path(
    patch,
    path = "/api/v1/groups/{id}",
    tag = "review",
    params(("id" = String, Path, description = "The group's id")),
    request_body = UpdateGroup,
    responses(
        (status = 200, description = "The group after the change", body = GroupView),
        crate::http::openapi::StaffJsonWrite,
    ),
    security(("bearer" = [])),
)]
pub async fn update_group(
    state: web::Data<AppState>,
    path: web::Path<String>,
    who: Authorized<DrafterOnly>,
    JsonBody(body): JsonBody<UpdateGroup>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let config = state.config.clone();
    let actor = who.actor();
    let view = state
        .db(move |conn| service::review::update_group(conn, &config, &actor, now, &id, body))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
