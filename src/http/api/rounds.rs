//! R8: `POST /api/v1/drafts/{id}/rounds` opens a draft's next round;
//! `GET /api/v1/drafts/{id}/rounds/{n}/diff?against={m}` compares two rounds' articles.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use validator::Validate;

use super::drafts::{load_view, viewer_of};
use crate::app::AppState;
use crate::db::drafts as q;
use crate::domain::redline::{self, ArticleText};
use crate::http::auth::{Authorized, DrafterOnly, MaybeStaff};
use crate::http::error::{AppError, AppResult};
use crate::http::extract::{JsonBody, QueryParams};
use crate::service;
pub use crate::service::drafts::RoundInput;

/// `POST /api/v1/drafts/{id}/rounds` (the draft's drafter) → 201 with the draft in
/// `drafting` for its next round.
#[utoipa::path(
    post,
    path = "/api/v1/drafts/{id}/rounds",
    tag = "drafts",
    params(("id" = String, Path, description = "The draft's id")),
    request_body = RoundInput,
    responses(
        (status = 201, description = "The draft in `drafting` for its next round", body = crate::http::openapi::views::Draft),
        crate::http::openapi::StaffJsonWrite,
    ),
    security(("bearer" = [])),
)]
pub async fn open_round(
    state: web::Data<AppState>,
    staff: Authorized<DrafterOnly>,
    path: web::Path<String>,
    JsonBody(input): JsonBody<RoundInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let config = state.config.clone();
    let viewer = viewer_of(Some(&staff.staff));
    let actor = staff.actor();
    let view = state
        .db(move |conn| {
            service::drafts::open_round(conn, &config, &actor, now, &id, input)?;
            load_view(conn, &id, &viewer, now, None)
        })
        .await?;
    Ok(HttpResponse::Created().json(view))
}

#[derive(Debug, Deserialize, Validate, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DiffQuery {
    /// The earlier round; absent: the round before `n`.
    #[validate(range(min = 1, max = 1000))]
    #[param(minimum = 1, maximum = 1000)]
    pub against: Option<i32>,
}

/// What changed between two rounds of a draft.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RoundDiff {
    pub draft_id: String,
    pub round: i32,
    pub against: i32,
    /// Every article, in round `round`'s order, deleted ones where they stood, each with the
    /// adopted opinions of round `against` that an officer linked to its change.
    pub articles: Vec<service::changes::RedlineArticle>,
}

/// `GET /api/v1/drafts/{id}/rounds/{n}/diff?against={m}`: the redline of round `n` against
/// round `m`, for anyone who may read both rounds.
#[utoipa::path(
    get,
    path = "/api/v1/drafts/{id}/rounds/{n}/diff",
    tag = "drafts",
    params(
        ("id" = String, Path, description = "The draft's id"),
        ("n" = i32, Path, description = "The later round", minimum = 1),
        DiffQuery,
    ),
    responses(
        (status = 200, description = "The comparison, article by article", body = RoundDiff),
        (status = 401, response = crate::http::openapi::Unauthorized),
        (status = 404, response = crate::http::openapi::NotFound),
        (status = 422, response = crate::http::openapi::Unprocessable),
        (status = 503, response = crate::http::openapi::Unavailable),
    ),
    security((), ("bearer" = [])),
)]
pub async fn round_diff(
    state: web::Data<AppState>,
    MaybeStaff(staff): MaybeStaff,
    path: web::Path<(String, String)>,
    QueryParams(query): QueryParams<DiffQuery>,
) -> AppResult<HttpResponse> {
    let (id, n) = path.into_inner();
    // Read here rather than by the extractor, so that `/rounds/x/diff` is a 404 problem.
    let round: i32 = n
        .parse()
        .ok()
        .filter(|r| (1..=1000).contains(r))
        .ok_or_else(AppError::not_found)?;
    let against = query.against.unwrap_or(round - 1);
    if round < 1 || against < 1 || against == round {
        return Err(AppError::field(
            "against",
            crate::l!(
                "请指定另一轮（从 1 起，不同于第 {} 轮）。",
                "Name another round (from 1, not round {} itself).",
                round
            ),
        ));
    }
    let viewer = viewer_of(staff.as_ref());
    let diff = state
        .db(move |conn| {
            let d = q::find(conn, &id)?.ok_or_else(AppError::not_found)?;
            let mut texts = Vec::with_capacity(2);
            for r in [against, round] {
                let seen = q::view_of_round(conn, d.clone(), &viewer, Some(r))?
                    .ok_or_else(AppError::not_found)?;
                let articles: Vec<ArticleText> = q::articles_of_round(conn, &id, seen.round)?
                    .into_iter()
                    .map(|a| ArticleText {
                        number: a.number,
                        heading: a.heading,
                        text: a.text,
                    })
                    .collect();
                texts.push(articles);
            }
            let changes = redline::compare(&texts[0], &texts[1]);
            Ok(RoundDiff {
                articles: service::changes::with_causes(conn, &id, round, against, changes)?,
                draft_id: id,
                round,
                against,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(diff))
}
