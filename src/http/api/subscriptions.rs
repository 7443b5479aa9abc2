//! R21: `POST /api/v1/subscriptions`, `GET /api/v1/subscriptions/confirm?token=`,
//! `POST /api/v1/subscriptions/unsubscribe?token=` (also the RFC 8058 one-click target),
//! performed by `service::subscriptions`.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;
use validator::Validate;

use crate::app::AppState;
use crate::db::subscriptions::Subscription;
use crate::http::error::AppResult;
use crate::http::extract::{JsonBody, QueryParams};
use crate::service;
pub use crate::service::subscriptions::{
    ScopeBody, SubscribeBody, check_draft_scope, checked_scope,
};

/// R21: always 202, whether the address is new, pending or confirmed, so the answer tells
/// nothing about who subscribes. A new or renewed subscription gets a confirmation mail.
#[utoipa::path(
    post,
    path = "/api/v1/subscriptions",
    tag = "mail",
    request_body = SubscribeBody,
    responses(
        (status = 202, description = "Always the same answer: a confirmation link is mailed if the address can receive it", body = crate::http::openapi::views::SubscriptionAccepted),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 404, response = crate::http::openapi::NotFound),
        (status = 413, response = crate::http::openapi::PayloadTooLarge),
        (status = 415, response = crate::http::openapi::UnsupportedMediaType),
        (status = 422, response = crate::http::openapi::Unprocessable),
        (status = 429, response = crate::http::openapi::TooManyRequests),
        (status = 503, response = crate::http::openapi::Unavailable),
    ),
)]
pub async fn create_subscription(
    state: web::Data<AppState>,
    JsonBody(body): JsonBody<SubscribeBody>,
) -> AppResult<HttpResponse> {
    let now = state.clock.now();
    let config = state.config.clone();
    state
        .db(move |conn| service::subscriptions::subscribe(conn, &config, now, &body))
        .await?;
    Ok(HttpResponse::Accepted().json(json!({
        "status": "accepted",
        "detail": "If the address can receive mail, a confirmation link is on its way.",
    })))
}

#[derive(Debug, Deserialize, Validate, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TokenQuery {
    #[validate(length(min = 1, max = 1000))]
    #[param(min_length = 1, max_length = 1000)]
    pub token: String,
}

/// Confirms the subscription a link names (idempotent).
pub async fn confirm(state: &AppState, token: &str) -> AppResult<Subscription> {
    let now = state.clock.now();
    let secret = state.secret.clone();
    let token = token.to_string();
    state
        .db(move |conn| service::subscriptions::confirm(conn, &secret, now, &token))
        .await
}

/// Ends what an unsubscribe link names (idempotent).
pub async fn unsubscribe(state: &AppState, token: &str) -> AppResult<()> {
    let now = state.clock.now();
    let secret = state.secret.clone();
    let token = token.to_string();
    state
        .db(move |conn| service::subscriptions::unsubscribe(conn, &secret, now, &token))
        .await
}

#[utoipa::path(
    get,
    path = "/api/v1/subscriptions/confirm",
    tag = "mail",
    params(TokenQuery),
    responses(
        (status = 200, description = "The subscription is confirmed (again)", body = crate::http::openapi::views::SubscriptionConfirmed),
        (status = 404, response = crate::http::openapi::NotFound),
        (status = 409, response = crate::http::openapi::Conflict),
        (status = 422, response = crate::http::openapi::Unprocessable),
        (status = 503, response = crate::http::openapi::Unavailable),
    ),
)]
pub async fn confirm_subscription(
    state: web::Data<AppState>,
    QueryParams(q): QueryParams<TokenQuery>,
) -> AppResult<HttpResponse> {
    let sub = confirm(&state, &q.token).await?;
    Ok(HttpResponse::Ok().json(json!({
        "status": sub.status,
        "scope": { "kind": sub.scope_kind, "value": (!sub.scope_value.is_empty()).then_some(sub.scope_value) },
    })))
}

/// R21, RFC 8058: a mail client's one-click POST (`List-Unsubscribe=One-Click` in a form
/// body, which needs no reading) or an API call.
#[utoipa::path(
    post,
    path = "/api/v1/subscriptions/unsubscribe",
    tag = "mail",
    params(TokenQuery),
    responses(
        (status = 200, description = "No more mail for what the link names", body = crate::http::openapi::views::Unsubscribed),
        (status = 404, response = crate::http::openapi::NotFound),
        (status = 409, response = crate::http::openapi::Conflict),
        (status = 422, response = crate::http::openapi::Unprocessable),
        (status = 503, response = crate::http::openapi::Unavailable),
    ),
)]
pub async fn unsubscribe_subscription(
    state: web::Data<AppState>,
    QueryParams(q): QueryParams<TokenQuery>,
) -> AppResult<HttpResponse> {
    unsubscribe(&state, &q.token).await?;
    Ok(HttpResponse::Ok().json(json!({ "status": "unsubscribed" })))
}
