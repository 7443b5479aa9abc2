//! `GET /healthz` and `GET /metrics`.

use std::time::Duration;

use actix_web::{HttpResponse, web};
use diesel::RunQueryDsl;
use serde_json::json;

use crate::app::AppState;
use crate::http::error::{AppError, AppResult};

/// 200 `{status:"ok"}` when the database answers; a 503 problem when it does not.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "operations",
    responses(
        (status = 200, description = "The database answers", body = crate::http::openapi::views::Health),
        (status = 503, response = crate::http::openapi::Unavailable),
    ),
)]
pub async fn get_healthz(state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let pool = state.pool.clone();
    let backend = state.backend;
    web::block(move || -> Result<(), AppError> {
        let mut conn = pool
            .get_timeout(Duration::from_secs(2))
            .map_err(AppError::db_unavailable)?;
        diesel::sql_query("SELECT 1")
            .execute(&mut conn)
            .map_err(AppError::db_unavailable)?;
        Ok(())
    })
    .await??;
    Ok(HttpResponse::Ok().json(json!({
        "status": "ok",
        "database": match backend {
            crate::db::Backend::Sqlite => "sqlite",
            crate::db::Backend::Postgres => "postgres",
        },
    })))
}

#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    responses(
        (status = 200, description = "Prometheus text format", content_type = "text/plain", body = String),
    ),
)]
pub async fn get_metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render())
}
