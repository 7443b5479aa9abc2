//! Agencies and their members (administrators): `GET`/`POST /api/v1/admin/agencies`,
//! `PATCH /api/v1/admin/agencies/{code}` (a new name) and `PUT`/`DELETE
//! /api/v1/admin/agencies/{code}/members/{username}` (`service::agencies`).

use actix_web::{HttpResponse, web};

use crate::app::AppState;
use crate::http::auth::{AdminOnly, Authorized};
use crate::http::error::AppResult;
use crate::http::extract::JsonBody;
use crate::service;
use crate::service::agencies::{AgencyInput, AgencyPatch, AgencyView};

/// Every agency with its members.
#[utoipa::path(
    get,
    path = "/api/v1/admin/agencies",
    tag = "agencies",
    responses(
        (status = 200, description = "Every agency, by name, with the usernames of its members", body = Vec<AgencyView>),
        (status = 401, response = crate::http::openapi::Unauthorized),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 503, response = crate::http::openapi::Unavailable),
    ),
    security(("bearer" = [])),
)]
pub async fn list_agencies(
    state: web::Data<AppState>,
    admin: Authorized<AdminOnly>,
) -> AppResult<HttpResponse> {
    let actor = admin.actor();
    let list = state
        .db(move |conn| service::agencies::list(conn, &actor))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// A new agency, audited.
#[utoipa::path(
    post,
    path = "/api/v1/admin/agencies",
    tag = "agencies",
    request_body = AgencyInput,
    responses(
        (status = 201, description = "The new agency", body = AgencyView),
        crate::http::openapi::StaffJsonWrite,
    ),
    security(("bearer" = [])),
)]
pub async fn create_agency(
    state: web::Data<AppState>,
    admin: Authorized<AdminOnly>,
    JsonBody(body): JsonBody<AgencyInput>,
) -> AppResult<HttpResponse> {
    let actor = admin.actor();
    let now = state.clock.now();
    let view = state
        .db(move |conn| service::agencies::create(conn, &actor, now, &body))
        .await?;
    Ok(HttpResponse::Created().json(view))
}

/// A new name for an agency, audited; drafts not yet published take it too.
#[utoipa::path(
    patch,
    path = "/api/v1/admin/agencies/{code}",
    tag = "agencies",
    params(("code" = String, Path, description = "The agency's code")),
    request_body = AgencyPatch,
    responses(
        (status = 200, description = "The agency after the change", body = AgencyView),
        crate::http::openapi::StaffJsonWrite,
    ),
    security(("bearer" = [])),
)]
pub async fn update_agency(
    state: web::Data<AppState>,
    admin: Authorized<AdminOnly>,
    path: web::Path<String>,
    JsonBody(body): JsonBody<AgencyPatch>,
) -> AppResult<HttpResponse> {
    let code = path.into_inner();
    let actor = admin.actor();
    let now = state.clock.now();
    let view = state
        .db(move |conn| service::agencies::rename(conn, &actor, now, &code, &body))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Makes a user a member of the agency (nothing changes when they already are one).
#[utoipa::path(
    put,
    path = "/api/v1/admin/agencies/{code}/members/{username}",
    tag = "agencies",
    params(
        ("code" = String, Path, description = "The agency's code"),
        ("username" = String, Path, description = "The user's name"),
    ),
    responses(
        (status = 200, description = "The agency with its members", body = AgencyView),
        (status = 401, response = crate::http::openapi::Unauthorized),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 404, response = crate::http::openapi::NotFound),
        (status = 503, response = crate::http::openapi::Unavailable),
    ),
    security(("bearer" = [])),
)]
pub async fn add_agency_member(
    state: web::Data<AppState>,
    admin: Authorized<AdminOnly>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    member(state, admin, path, true).await
}

/// Removes a user from the agency (nothing changes when they were not a member).
#[utoipa::path(
    delete,
    path = "/api/v1/admin/agencies/{code}/members/{username}",
    tag = "agencies",
    params(
        ("code" = String, Path, description = "The agency's code"),
        ("username" = String, Path, description = "The user's name"),
    ),
    responses(
        (status = 200, description = "The agency with its members", body = AgencyView),
        (status = 401, response = crate::http::openapi::Unauthorized),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 404, response = crate::http::openapi::NotFound),
        (status = 503, response = crate::http::openapi::Unavailable),
    ),
    security(("bearer" = [])),
)]
pub async fn remove_agency_member(
    state: web::Data<AppState>,
    admin: Authorized<AdminOnly>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    member(state, admin, path, false).await
}

async fn member(
    state: web::Data<AppState>,
    admin: Authorized<AdminOnly>,
    path: web::Path<(String, String)>,
    join: bool,
) -> AppResult<HttpResponse> {
    let (code, username) = path.into_inner();
    let actor = admin.actor();
    let now = state.clock.now();
    let view = state
        .db(move |conn| service::agencies::set_member(conn, &actor, now, &code, &username, join))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
