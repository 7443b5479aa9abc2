//! `PUT /api/v1/test/clock`: an admin sets the server's clock, which then runs on. Exists
//! only with `testing.clock_control` (refused in production); otherwise the route is a 404.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use validator::Validate;

use crate::app::AppState;
use crate::http::auth::{AdminOnly, Authorized};
use crate::http::error::{AppError, AppResult};
use crate::http::extract::JsonBody;
use crate::l;

#[derive(Debug, Deserialize, Validate, utoipa::ToSchema)]
pub struct SetClock {
    pub now: String,
}

fn enabled(state: &AppState) -> AppResult<()> {
    if state.config.testing.clock_control && state.clock.is_controlled() {
        Ok(())
    } else {
        Err(AppError::not_found())
    }
}

fn answer(now: DateTime<Utc>) -> HttpResponse {
    HttpResponse::Ok()
        .json(json!({ "now": now.to_rfc3339_opts(chrono::SecondsFormat::Micros, true) }))
}

#[utoipa::path(
    put,
    path = "/api/v1/test/clock",
    tag = "operations",
    request_body = SetClock,
    responses(
        (status = 200, description = "The clock now reads that time and runs on", body = crate::http::openapi::views::ClockTime),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthorized),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 404, response = crate::http::openapi::NotFound),
        (status = 413, response = crate::http::openapi::PayloadTooLarge),
        (status = 415, response = crate::http::openapi::UnsupportedMediaType),
        (status = 422, response = crate::http::openapi::Unprocessable),
        (status = 503, response = crate::http::openapi::Unavailable),
    ),
    security(("bearer" = [])),
)]
pub async fn set_clock(
    state: web::Data<AppState>,
    _admin: Authorized<AdminOnly>,
    JsonBody(body): JsonBody<SetClock>,
) -> AppResult<HttpResponse> {
    enabled(&state)?;
    let to = DateTime::parse_from_rfc3339(&body.now)
        .map_err(|_| {
            AppError::field(
                "now",
                l!(
                    "请使用 RFC 3339 时间，例如 2026-12-01T09:00:00+08:00",
                    "use an RFC 3339 time such as 2026-12-01T09:00:00+08:00"
                ),
            )
        })?
        .with_timezone(&Utc);
    state.clock.set(to);
    tracing::info!(now = %to, "clock set");
    Ok(answer(state.clock.now()))
}

#[utoipa::path(
    get,
    path = "/api/v1/test/clock",
    tag = "operations",
    responses(
        (status = 200, description = "The server's time", body = crate::http::openapi::views::ClockTime),
        (status = 401, response = crate::http::openapi::Unauthorized),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 404, response = crate::http::openapi::NotFound),
        (status = 503, response = crate::http::openapi::Unavailable),
    ),
    security(("bearer" = [])),
)]
pub async fn get_clock(
    state: web::Data<AppState>,
    _admin: Authorized<AdminOnly>,
) -> AppResult<HttpResponse> {
    enabled(&state)?;
    Ok(answer(state.clock.now()))
}
