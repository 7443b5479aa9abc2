//! `POST /api/v1/auth/token` and `DELETE /api/v1/auth/token`: bearer tokens for staff.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::app::AppState;
use crate::db::{ids, users};
use crate::http::auth::{Staff, bearer_token};
use crate::http::error::{AppError, AppResult};
use crate::http::extract::JsonBody;
use crate::l;
use crate::security;

#[derive(Debug, Deserialize, Validate)]
pub struct TokenRequest {
    #[validate(length(min = 1, max = 200))]
    pub username: String,
    #[validate(length(min = 1, max = 1000))]
    pub password: String,
}

#[derive(Debug, Serialize)]
pub struct TokenResponse {
    pub token: String,
    pub expires_at: String,
    pub roles: Vec<&'static str>,
}

pub async fn create_token(
    state: web::Data<AppState>,
    JsonBody(body): JsonBody<TokenRequest>,
) -> AppResult<HttpResponse> {
    let now = state.clock.now();
    let ttl = chrono::TimeDelta::hours(i64::from(state.config.security.token_ttl_hours));
    let issued = state
        .db(move |conn| {
            let user = users::by_username(conn, &body.username)?;
            let user = match user {
                Some(u)
                    if u.active && security::verify_password(&body.password, &u.password_hash) =>
                {
                    u
                }
                Some(_) => return Ok(None),
                None => {
                    security::dummy_verify(&body.password);
                    return Ok(None);
                }
            };
            let token = ids::random_token(32);
            let expires = users::issue_token(conn, now, &user.id, &token, ttl)?;
            Ok(Some((token, expires, user.roles())))
        })
        .await?;
    let Some((token, expires, roles)) = issued else {
        return Err(AppError::new(
            crate::http::error::ErrorKind::Unauthenticated,
            l!("用户名或密码不正确。", "The username or password is wrong."),
        ));
    };
    Ok(HttpResponse::Ok().json(TokenResponse {
        token,
        expires_at: expires.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        roles: roles.names(),
    }))
}

/// Revokes the token the request carries.
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
