//! `POST /api/v1/auth/token` and `DELETE /api/v1/auth/token`: bearer tokens for staff.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::app::AppState;
use crate::db::{ids, users};
use crate::http::auth::{Staff, bearer_token};
use crate::http::error::{AppError, AppResult};
use crate::http::extract::JsonBody;
use crate::security;
use crate::service;
use crate::service::users::Credentials;

#[derive(Debug, Deserialize, Validate, utoipa::ToSchema)]
pub struct TokenRequest {
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub username: String,
    #[validate(length(min = 1, max = 1000))]
    #[schema(min_length = 1, max_length = 1000)]
    pub password: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenResponse {
    pub token: String,
    pub expires_at: String,
    pub roles: Vec<&'static str>,
}

/// R25: a bearer token for a staff user. Failed attempts are throttled and cost the same
/// time whether or not the user exists (`service::users::authenticate`).
#[utoipa::path(
    post,
    path = "/api/v1/auth/token",
    tag = "auth",
    request_body = TokenRequest,
    responses(
        (status = 200, description = "A bearer token and the user's roles", body = TokenResponse),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthorized),
        (status = 413, response = crate::http::openapi::PayloadTooLarge),
        (status = 415, response = crate::http::openapi::UnsupportedMediaType),
        (status = 422, response = crate::http::openapi::Unprocessable),
        (status = 429, response = crate::http::openapi::TooManyRequests),
        (status = 503, response = crate::http::openapi::Unavailable),
    ),
)]
pub async fn create_token(
    state: web::Data<AppState>,
    req: HttpRequest,
    JsonBody(body): JsonBody<TokenRequest>,
) -> AppResult<HttpResponse> {
    let now = state.clock.now();
    let ttl = chrono::TimeDelta::hours(i64::from(state.config.security.token_ttl_hours));
    let config = state.config.clone();
    let ip = crate::http::api::comments::client_ip(&req, &state.config.server.trusted_proxies)
        .map(|ip| ip.to_string())
        .unwrap_or_default();
    let client = security::sign(&state.secret, &format!("login-client:{ip}"));
    let credentials = Credentials {
        username: body.username,
        password: body.password,
    };
    let (token, expires, roles) = state
        .db(move |conn| {
            let user = service::users::authenticate(conn, &config, now, &credentials, &client)?;
            let token = ids::random_token(32);
            let expires = users::issue_token(conn, now, &user.id, &token, ttl)?;
            Ok((token, expires, user.roles()))
        })
        .await?;
    Ok(HttpResponse::Ok().json(TokenResponse {
        token,
        expires_at: expires.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        roles: roles.names(),
    }))
}

/// Revokes the token the request carries.
#[utoipa::path(
    delete,
    path = "/api/v1/auth/token",
    tag = "auth",
    responses(
        (status = 204, description = "The token no longer works"),
        (status = 401, response = crate::http::openapi::Unauthorized),
        (status = 503, response = crate::http::openapi::Unavailable),
    ),
    security(("bearer" = [])),
)]
pub async fn revoke_token(
    state: web::Data<AppState>,
    req: HttpRequest,
    _staff: Staff,
) -> AppResult<HttpResponse> {
    let token = bearer_token(&req).ok_or_else(AppError::unauthenticated)?;
    let now = state.clock.now();
    state
        .db(move |conn| Ok(users::revoke_token(conn, now, &token)?))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
