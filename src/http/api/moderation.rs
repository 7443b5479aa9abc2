//! R12: review first, publish later: the moderators' queue and their decisions.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;
use validator::Validate;

use crate::app::AppState;
use crate::db::comments as q;
use crate::db::{self, audit};
use crate::domain::comment::{CommentStatus, HideReason};
use crate::http::api::comments::StaffComment;
use crate::http::auth::{Authorized, ModeratorOnly};
use crate::http::error::{AppError, AppResult, FieldErrors};
use crate::http::extract::{JsonBody, ListPage, Paging, QueryParams, rule};
use crate::l;

fn valid_status(s: &str) -> Result<(), validator::ValidationError> {
    if CommentStatus::parse(s).is_some() {
        Ok(())
    } else {
        Err(rule(
            "status",
            format!("应为以下之一：{}", CommentStatus::list()),
            format!("must be one of: {}", CommentStatus::list()),
        ))
    }
}

#[derive(Debug, Deserialize, Validate)]
pub struct QueueQuery {
    #[validate(length(min = 1, max = 64))]
    pub draft_id: Option<String>,
    /// `pending` unless asked otherwise.
    #[validate(custom(function = "valid_status"))]
    pub status: Option<String>,
    #[validate(range(min = 1))]
    pub page: Option<i64>,
    #[validate(range(min = 1, max = 500))]
    pub per_page: Option<i64>,
}

/// `GET /api/v1/moderation?draft_id=&status=`: the queue, oldest first.
pub async fn list_moderation_queue(
    state: web::Data<AppState>,
    _moderator: Authorized<ModeratorOnly>,
    QueryParams(query): QueryParams<QueueQuery>,
) -> AppResult<HttpResponse> {
    let paging = Paging {
        page: query.page,
        per_page: query.per_page,
    };
    let status = query
        .status
        .unwrap_or_else(|| CommentStatus::Pending.as_str().into());
    let draft_id = query.draft_id;
    let (offset, limit) = (paging.offset(), paging.per_page());
    let (items, total) = state
        .db(move |conn| {
            Ok(q::moderation_queue(
                conn,
                draft_id.as_deref(),
                &status,
                offset,
                limit,
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ListPage {
        items: items
            .into_iter()
            .map(StaffComment::from)
            .collect::<Vec<_>>(),
        total,
        page: paging.page(),
        per_page: paging.per_page(),
    }))
}

#[derive(Debug, Deserialize)]
pub struct ModerationRequest {
    pub decision: Option<String>,
    pub reason: Option<String>,
}

impl Validate for ModerationRequest {
    fn validate(&self) -> Result<(), validator::ValidationErrors> {
        let mut errors = validator::ValidationErrors::new();
        match self.decision.as_deref() {
            Some("publish") => {
                if self.reason.as_deref().is_some_and(|r| !r.trim().is_empty()) {
                    errors.add(
                        "reason",
                        rule(
                            "reason",
                            "发布时无需填写理由",
                            "a reason is given only when hiding",
                        ),
                    );
                }
            }
            Some("hide") => match self.reason.as_deref().map(str::trim) {
                Some(r) if HideReason::parse(r).is_some() => {}
                Some(r) if !r.is_empty() => errors.add(
                    "reason",
                    rule(
                        "reason",
                        format!("应为以下之一：{}", HideReason::list()),
                        format!("must be one of: {}", HideReason::list()),
                    ),
                ),
                _ => errors.add(
                    "reason",
                    rule(
                        "reason",
                        format!("隐藏意见时必须选择理由：{}", HideReason::list()),
                        format!("hiding needs a reason: {}", HideReason::list()),
                    ),
                ),
            },
            _ => errors.add(
                "decision",
                rule(
                    "decision",
                    "应为 publish 或 hide",
                    "must be publish or hide",
                ),
            ),
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// `POST /api/v1/comments/{id}/moderation`: publish or hide, recorded in the audit chain.
/// A hidden comment stays counted and still gets a disposition.
pub async fn moderate_comment(
    state: web::Data<AppState>,
    path: web::Path<String>,
    moderator: Authorized<ModeratorOnly>,
    JsonBody(body): JsonBody<ModerationRequest>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let actor = moderator.id().to_string();
    let (status, reason) = match body.decision.as_deref() {
        Some("hide") => (
            CommentStatus::Hidden,
            body.reason.as_deref().map(|r| r.trim().to_string()),
        ),
        Some("publish") => (CommentStatus::Published, None),
        _ => {
            let mut errors = FieldErrors::new();
            errors.insert(
                "decision".into(),
                vec![l!("应为 publish 或 hide", "must be publish or hide")],
            );
            return Err(AppError::validation(errors));
        }
    };
    let updated = state
        .db(move |conn| {
            db::write_tx(conn, |conn| {
                let Some(before) = q::by_id(conn, &id)? else {
                    return Ok(None);
                };
                q::set_moderation(conn, &id, status.as_str(), reason.as_deref(), &actor, now)?;
                audit::append(
                    conn,
                    now,
                    &audit::AuditEvent {
                        actor: &actor,
                        action: match status {
                            CommentStatus::Hidden => "comment.hide",
                            _ => "comment.publish",
                        },
                        object_type: "comment",
                        object_id: &id,
                        draft_id: Some(&before.draft_id),
                        details: json!({
                            "from": before.status,
                            "to": status.as_str(),
                            "reason": reason,
                            "tracking_number": before.tracking_number,
                        }),
                    },
                )?;
                Ok::<_, AppError>(q::by_id(conn, &id)?)
            })
        })
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(HttpResponse::Ok().json(StaffComment::from(updated)))
}
