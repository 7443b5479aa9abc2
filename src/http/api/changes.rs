//! R8 traceability: which articles an adopted opinion changed, performed by
//! `service::changes`.

use actix_web::{HttpResponse, web};

use crate::app::AppState;
use crate::http::auth::{Authorized, DrafterOnly, DrafterOrReviewer};
use crate::http::error::AppResult;
use crate::http::extract::JsonBody;
use crate::service;
use crate::service::changes::LinkFrom;
pub use crate::service::changes::{ChangesView, SetChanges};

/// `GET /api/v1/groups/{id}/changes`
#[utoipa::path(
    get,
    path = "/api/v1/groups/{id}/changes",
    tag = "review",
    params(("id" = String, Path, description = "The group's id")),
    responses(
        (status = 200, description = "The articles the group changed", body = ChangesView),
        (status = 401, response = crate::http::openapi::Unauthorized),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 404, response = crate::http::openapi::NotFound),
        (status = 503, response = crate::http::openapi::Unavailable),
    ),
    security(("bearer" = [])),
)]
pub async fn get_group_changes(
    state: web::Data<AppState>,
    path: web::Path<String>,
    who: Authorized<DrafterOrReviewer>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let actor = who.actor();
    let view = state
        .db(move |conn| service::changes::changes_of(conn, &actor, LinkFrom::Group(&id)))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// `PUT /api/v1/groups/{id}/changes`: "adopted → changed article 3".
#[utoipa::path(
    put,
    path = "/api/v1/groups/{id}/changes",
    tag = "review",
    params(("id" = String, Path, description = "The group's id")),
    request_body = SetChanges,
    responses(
        (status = 200, description = "The articles the group changed", body = ChangesView),
        crate::http::openapi::StaffJsonWrite,
    ),
    security(("bearer" = [])),
)]
pub async fn put_group_changes(
    state: web::Data<AppState>,
    path: web::Path<String>,
    who: Authorized<DrafterOnly>,
    JsonBody(body): JsonBody<SetChanges>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let actor = who.actor();
    let view = state
        .db(move |conn| {
            service::changes::set_changes(conn, &actor, now, LinkFrom::Group(&id), &body)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// `GET /api/v1/comments/{id}/changes`
#[utoipa::path(
    get,
    path = "/api/v1/comments/{id}/changes",
    tag = "review",
    params(("id" = String, Path, description = "The comment's id")),
    responses(
        (status = 200, description = "The articles the comment changed", body = ChangesView),
        (status = 401, response = crate::http::openapi::Unauthorized),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 404, response = crate::http::openapi::NotFound),
        (status = 503, response = crate::http::openapi::Unavailable),
    ),
    security(("bearer" = [])),
)]
pub async fn get_comment_changes(
    state: web::Data<AppState>,
    path: web::Path<String>,
    who: Authorized<DrafterOrReviewer>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let actor = who.actor();
    let view = state
        .db(move |conn| service::changes::changes_of(conn, &actor, LinkFrom::Comment(&id)))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// `PUT /api/v1/comments/{id}/changes`: a single comment's own link to the articles it
/// changed.
#[utoipa::path(
    put,
    path = "/api/v1/comments/{id}/changes",
    tag = "review",
    params(("id" = String, Path, description = "The comment's id")),
    request_body = SetChanges,
    responses(
        (status = 200, description = "The articles the comment changed", body = ChangesView),
        crate::http::openapi::StaffJsonWrite,
    ),
    security(("bearer" = [])),
)]
pub async fn put_comment_changes(
    state: web::Data<AppState>,
    path: web::Path<String>,
    who: Authorized<DrafterOnly>,
    JsonBody(body): JsonBody<SetChanges>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let actor = who.actor();
    let view = state
        .db(move |conn| {
            service::changes::set_changes(conn, &actor, now, LinkFrom::Comment(&id), &body)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
