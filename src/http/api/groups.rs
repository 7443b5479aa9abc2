//! R16: opinion groups of a draft: list, suggest, create, and edit (rename, move, merge and
//! split by moving), performed by `service::review`.

use actix_web::{HttpResponse, web};
use serde::Serialize;

use crate::app::AppState;
use crate::http::auth::{Authorized, DrafterOnly, DrafterOrReviewer};
use crate::http::error::AppResult;
use crate::http::extract::JsonBody;
use crate::service;
pub use crate::service::review::{
    CreateGroup, Disposition, GroupView, UpdateGroup, ensure_reviewable, load_draft,
};

#[derive(Debug, Serialize)]
pub struct GroupList {
    pub items: Vec<GroupView>,
}

/// `GET /api/v1/drafts/{id}/groups`
pub async fn list_groups(
    state: web::Data<AppState>,
    path: web::Path<String>,
    who: Authorized<DrafterOrReviewer>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let config = state.config.clone();
    let actor = who.actor();
    let items = state
        .db(move |conn| service::review::list_groups(conn, &config, &actor, &id))
        .await?;
    Ok(HttpResponse::Ok().json(GroupList { items }))
}

/// `POST /api/v1/drafts/{id}/groups/suggest`: R16, regroups the comments no officer has placed.
pub async fn suggest_groups(
    state: web::Data<AppState>,
    path: web::Path<String>,
    who: Authorized<DrafterOnly>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let config = state.config.clone();
    let actor = who.actor();
    let items = state
        .db(move |conn| service::review::suggest_groups(conn, &config, &actor, now, &id))
        .await?;
    Ok(HttpResponse::Ok().json(GroupList { items }))
}

/// `POST /api/v1/drafts/{id}/groups`: an officer's group; the named comments move into it.
pub async fn create_group(
    state: web::Data<AppState>,
    path: web::Path<String>,
    who: Authorized<DrafterOnly>,
    JsonBody(body): JsonBody<CreateGroup>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let config = state.config.clone();
    let actor = who.actor();
    let view = state
        .db(move |conn| service::review::create_group(conn, &config, &actor, now, &id, body))
        .await?;
    Ok(HttpResponse::Created().json(view))
}

/// `PATCH /api/v1/groups/{id}`: rename; `add` moves comments in, `remove` takes them out.
pub async fn update_group(
    state: web::Data<AppState>,
    path: web::Path<String>,
    who: Authorized<DrafterOnly>,
    JsonBody(body): JsonBody<UpdateGroup>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let config = state.config.clone();
    let actor = who.actor();
    let view = state
        .db(move |conn| service::review::update_group(conn, &config, &actor, now, &id, body))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
