//! R14: `GET /api/v1/receipts/{tracking_number}?token=`: the submitter follows their comment.

use actix_web::{HttpResponse, web};
use diesel::QueryResult;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use validator::Validate;

use crate::app::AppState;
use crate::db::DbConn;
use crate::db::comments as q;
use crate::db::ids::hash_secret;
use crate::http::error::{AppError, AppResult};
use crate::http::extract::QueryParams;

#[derive(Debug, Deserialize, Validate, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReceiptQuery {
    #[validate(length(max = 200))]
    #[param(max_length = 200)]
    pub token: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GroupRef {
    pub id: String,
    pub title: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReceiptStatus {
    pub tracking_number: String,
    pub status: String,
    pub submitted_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<GroupRef>,
    pub draft_id: String,
    /// R8: the round the comment belongs to.
    pub round: i32,
    /// R8: the articles the opinion changed, once the report is published: of its round's
    /// text, or of the next round's for an article the revision added.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changed_articles: Vec<crate::service::changes::ArticleRef>,
    /// The public page showing the next round's changes, once that round is public.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redline: Option<String>,
}

/// The hash compared when the tracking number is unknown, so that both cases cost the same.
const NO_SUCH_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// R14: status now; outcome, reason and group once the draft's report is published. A wrong or missing token is a 404, compared in constant time.
#[utoipa::path(
    get,
    path = "/api/v1/receipts/{tracking_number}",
    tag = "comments",
    params(("tracking_number" = String, Path, description = "The tracking number on the receipt"), ReceiptQuery),
    responses(
        (status = 200, description = "Where the comment stands; outcome, reason and group once the report is published", body = ReceiptStatus),
        (status = 404, response = crate::http::openapi::NotFound),
        (status = 422, response = crate::http::openapi::Unprocessable),
        (status = 503, response = crate::http::openapi::Unavailable),
    ),
)]
pub async fn get_receipt(
    state: web::Data<AppState>,
    path: web::Path<String>,
    QueryParams(query): QueryParams<ReceiptQuery>,
) -> AppResult<HttpResponse> {
    let tracking = path.into_inner();
    let token = query.token.unwrap_or_default();
    let found = state
        .db(move |conn| Ok(lookup_receipt(conn, &tracking, &token)?))
        .await?;
    let answer = found.ok_or_else(AppError::not_found)?;
    Ok(HttpResponse::Ok().json(answer))
}

/// R14: the receipt of `tracking` when `token` is its receipt token (compared in constant
/// time, with the same work when the number is unknown); `None` otherwise. The API and the
/// receipt page both read it.
pub fn lookup_receipt(
    conn: &mut DbConn,
    tracking: &str,
    token: &str,
) -> QueryResult<Option<ReceiptStatus>> {
    let tracking = tracking.trim().to_ascii_uppercase();
    let presented = hash_secret(token.trim());
    let comment = q::by_tracking_number(conn, &tracking)?;
    let stored = comment
        .as_ref()
        .map(|c| c.receipt_token_hash.clone())
        .unwrap_or_else(|| NO_SUCH_HASH.to_string());
    let matches: bool = stored.as_bytes().ct_eq(presented.as_bytes()).into();
    let Some(comment) = comment.filter(|_| matches) else {
        return Ok(None);
    };
    let mut answer = ReceiptStatus {
        tracking_number: comment.tracking_number.clone(),
        status: comment.status.clone(),
        submitted_at: crate::db::utc_string(comment.submitted_at),
        outcome: None,
        reason: None,
        group: None,
        draft_id: comment.draft_id.clone(),
        round: comment.round,
        changed_articles: Vec::new(),
        redline: None,
    };
    // R14/R19: what the published report says, frozen at publication (a later
    // correction is a new version, which this then reads).
    if let Some(row) =
        crate::db::reports::receipt_outcome(conn, &comment.draft_id, &comment.tracking_number)?
    {
        if crate::db::changes::CHANGING.contains(&row.outcome.as_str()) {
            // R8: the change the opinion led to, by its own link or its group's.
            answer.changed_articles =
                crate::db::changes::of_comment(conn, &comment.id, row.group_id.as_deref())?
                    .into_iter()
                    .map(|(round, number)| crate::service::changes::ArticleRef { round, number })
                    .collect();
            let public_round =
                crate::db::drafts::find_public(conn, &comment.draft_id)?.map(|d| d.round);
            if !answer.changed_articles.is_empty() && public_round == Some(comment.round + 1) {
                answer.redline = Some(format!("/drafts/{}?changes=1#articles-h", comment.draft_id));
            }
        }
        answer.outcome = Some(row.outcome);
        answer.reason = row.reason;
        answer.group = match (row.group_id, row.group_title) {
            (Some(id), Some(title)) => Some(GroupRef { id, title }),
            _ => None,
        };
    }
    Ok(Some(answer))
}
