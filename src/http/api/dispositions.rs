//! R17: dispositions of groups and of single comments (a member's own overrides its group's),
//! performed by `service::review`.

use actix_web::{HttpResponse, web};

use crate::app::AppState;
use crate::http::auth::{Authorized, DrafterOnly};
use crate::http::error::AppResult;
use crate::http::extract::JsonBody;
use crate::service;
pub use crate::service::review::{
    CommentDispositionView, EffectiveDisposition, SetDisposition, comment_view,
};

/// `PUT /api/v1/groups/{id}/disposition`
#[utoipa::path(
    put,
    path = "/api/v1/groups/{id}/disposition",
    tag = "review",
    params(("id" = String, Path, description = "The group's id")),
    request_body = SetDisposition,
    responses(
        (status = 200, description = "The group with its disposition", body = crate::service::review::GroupView),
        crate::http::openapi::StaffJsonWrite,
    ),
    security(("bearer" = [])),
)]
pub async fn put_group_disposition(
    state: web::Data<AppState>,
    path: web::Path<String>,
    who: Authorized<DrafterOnly>,
    JsonBody(body): JsonBody<SetDisposition>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let config = state.config.clone();
    let actor = who.actor();
    let view = state
        .db(move |conn| {
            service::review::set_group_disposition(conn, &config, &actor, now, &id, &body)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// `PUT /api/v1/comments/{id}/disposition`
#[utoipa::path(
    put,
    path = "/api/v1/comments/{id}/disposition",
    tag = "review",
    params(("id" = String, Path, description = "The comment's id")),
    request_body = SetDisposition,
    responses(
        (status = 200, description = "The comment's own disposition and the one that applies", body = CommentDispositionView),
        crate::http::openapi::StaffJsonWrite,
    ),
    security(("bearer" = [])),
)]
pub async fn put_comment_disposition(
    state: web::Data<AppState>,
    path: web::Path<String>,
    who: Authorized<DrafterOnly>,
    JsonBody(body): JsonBody<SetDisposition>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let actor = who.actor();
    let view = state
        .db(move |conn| service::review::set_comment_disposition(conn, &actor, now, &id, &body))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
