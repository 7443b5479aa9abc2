//! R23: `GET /api/v1/admin/outbox?status=` and `POST /api/v1/admin/outbox/{id}/retry`: an
//! operator sees the outbox (recipients masked, R13) and puts a failed message back
//! (`service::outbox`).

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use validator::Validate;

use crate::app::AppState;
use crate::db::outbox::{self, OutboxView};
use crate::http::auth::{AdminOnly, Authorized};
use crate::http::error::{AppError, AppResult};
use crate::http::extract::{ListPage, Paging, QueryParams};
use crate::l;
use crate::service;

#[derive(Debug, Deserialize, Validate, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    /// `queued`, `sent` or `failed`.
    #[param(pattern = "^(queued|sent|failed)$")]
    pub status: Option<String>,
    #[validate(range(min = 1))]
    #[param(minimum = 1)]
    pub page: Option<i64>,
    #[validate(range(min = 1, max = 500))]
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<i64>,
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/outbox",
    tag = "mail",
    params(OutboxQuery),
    responses(
        (status = 200, description = "Outbox messages, recipients masked", body = ListPage<OutboxView>),
        (status = 401, response = crate::http::openapi::Unauthorized),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 422, response = crate::http::openapi::Unprocessable),
        (status = 503, response = crate::http::openapi::Unavailable),
    ),
    security(("bearer" = [])),
)]
pub async fn list_outbox(
    state: web::Data<AppState>,
    _admin: Authorized<AdminOnly>,
    QueryParams(q): QueryParams<OutboxQuery>,
) -> AppResult<HttpResponse> {
    if let Some(s) = &q.status
        && !matches!(s.as_str(), "queued" | "sent" | "failed")
    {
        return Err(AppError::field(
            "status",
            l!(
                "应为 queued、sent 或 failed",
                "must be queued, sent or failed"
            ),
        ));
    }
    let paging = Paging {
        page: q.page,
        per_page: q.per_page,
    };
    let status = q.status.clone();
    let (items, total) = state
        .db(move |conn| {
            Ok(outbox::list(
                conn,
                status.as_deref(),
                paging.offset(),
                paging.per_page(),
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ListPage {
        items: items.into_iter().map(OutboxView::from).collect::<Vec<_>>(),
        total,
        page: paging.page(),
        per_page: paging.per_page(),
    }))
}

/// `POST /api/v1/admin/outbox/{id}/retry`: a failed message back in the queue, audited.
#[utoipa::path(
    post,
    path = "/api/v1/admin/outbox/{id}/retry",
    tag = "mail",
    params(("id" = String, Path, description = "The message's id")),
    responses(
        (status = 200, description = "The message, queued again", body = OutboxView),
        (status = 401, response = crate::http::openapi::Unauthorized),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 404, response = crate::http::openapi::NotFound),
        (status = 409, response = crate::http::openapi::Conflict),
        (status = 503, response = crate::http::openapi::Unavailable),
    ),
    security(("bearer" = [])),
)]
pub async fn retry_outbox(
    state: web::Data<AppState>,
    admin: Authorized<AdminOnly>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let actor = admin.actor();
    let view = state
        .db(move |conn| service::outbox::retry(conn, &actor, now, &id))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
