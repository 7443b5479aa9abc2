//! R3–R7: `POST /api/v1/drafts/{id}/actions`: the review chain, publication, extension
//! and withdrawal, performed by `service::workflow`.

use actix_web::{HttpResponse, web};

use super::drafts::{load_view_after_step, viewer_of};
use crate::app::AppState;
use crate::http::auth::{Authorized, Reviewing};
use crate::http::error::AppResult;
use crate::http::extract::JsonBody;
use crate::service;
pub use crate::service::workflow::ActionInput;

/// `POST /api/v1/drafts/{id}/actions` → the draft after the step.
#[utoipa::path(
    post,
    path = "/api/v1/drafts/{id}/actions",
    tag = "drafts",
    params(("id" = String, Path, description = "The draft's id")),
    request_body = ActionInput,
    responses(
        (status = 200, description = "The draft after the step", body = crate::http::openapi::views::Draft),
        crate::http::openapi::StaffJsonWrite,
    ),
    security(("bearer" = [])),
)]
pub async fn act_on_draft(
    state: web::Data<AppState>,
    staff: Authorized<Reviewing>,
    path: web::Path<String>,
    JsonBody(input): JsonBody<ActionInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let config = state.config.clone();
    let viewer = viewer_of(Some(&staff.staff));
    let actor = staff.actor();
    let key = id.clone();
    let view = state
        .db(move |conn| {
            service::workflow::act(conn, &config, &actor, now, &id, &input)?;
            load_view_after_step(conn, &id, &viewer, now)
        })
        .await?;
    state.comments.forget_draft(&key);
    Ok(HttpResponse::Ok().json(view))
}
