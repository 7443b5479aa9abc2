//! R22: `POST /api/v1/drafts/{id}/invitations`: a drafter invites a list of addresses, or the
//! subscribers of a scope, to a hearing or symposium on a draft (`service::invitations`).
//! Answers 202: the mails are queued in the outbox and sent by the worker.

use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::app::AppState;
use crate::http::auth::{Authorized, DrafterOnly};
use crate::http::error::AppResult;
use crate::http::extract::JsonBody;
use crate::service;
pub use crate::service::invitations::{EventBody, InvitationBody};

#[utoipa::path(
    post,
    path = "/api/v1/drafts/{id}/invitations",
    tag = "mail",
    params(("id" = String, Path, description = "The draft's id")),
    request_body = InvitationBody,
    responses(
        (status = 202, description = "The invitations are queued in the outbox", body = crate::http::openapi::views::InvitationsQueued),
        crate::http::openapi::StaffJsonWrite,
    ),
    security(("bearer" = [])),
)]
pub async fn create_invitations(
    state: web::Data<AppState>,
    staff: Authorized<DrafterOnly>,
    path: web::Path<String>,
    JsonBody(body): JsonBody<InvitationBody>,
) -> AppResult<HttpResponse> {
    let draft_id = path.into_inner();
    let now = state.clock.now();
    let config = state.config.clone();
    let actor = staff.actor();
    let queued = state
        .db(move |conn| service::invitations::invite(conn, &config, &actor, now, &draft_id, &body))
        .await?;
    Ok(HttpResponse::Accepted().json(json!({ "queued": queued })))
}
