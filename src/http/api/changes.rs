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
    read(&state, who.actor(), path.into_inner(), |id| {
        LinkFrom::Group(id)
    })
    .await
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
    write(
        &state,
        who.actor(),
        path.into_inner(),
        |id| LinkFrom::Group(id),
        body,
    )
    .await
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
    read(&state, who.actor(), path.into_inner(), |id| {
        LinkFrom::Comment(id)
    })
    .await
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
    write(
        &state,
        who.actor(),
        path.into_inner(),
        |id| LinkFrom::Comment(id),
        body,
    )
    .await
}

/// The links of a group's or a comment's (`from` names which) id.
async fn read(
    state: &AppState,
    actor: service::Actor,
    id: String,
    from: for<'a> fn(&'a str) -> LinkFrom<'a>,
) -> AppResult<HttpResponse> {
    let view = state
        .db(move |conn| service::changes::changes_of(conn, &actor, from(&id)))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Replaces the links of a group's or a comment's id.
async fn write(
    state: &AppState,
    actor: service::Actor,
    id: String,
    from: for<'a> fn(&'a str) -> LinkFrom<'a>,
    body: SetChanges,
) -> AppResult<HttpResponse> {
    let now = state.clock.now();
    let view = state
        .db(move |conn| service::changes::set_changes(conn, &actor, now, from(&id), &body))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
