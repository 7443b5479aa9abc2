//! R17: dispositions of groups and of single comments (a member's own overrides its group's).

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use serde_json::json;
use validator::Validate;

use super::groups::{Disposition, ensure_reviewable, load_draft};
use crate::app::AppState;
use crate::db::audit::{self, AuditEvent};
use crate::db::{self, DbConn, reports, review};
use crate::domain::review::{Outcome, reason_ok};
use crate::http::auth::{Authorized, DrafterOnly};
use crate::http::error::{AppError, AppResult};
use crate::http::extract::JsonBody;
use crate::l;

#[derive(Debug, Deserialize, Validate)]
pub struct SetDisposition {
    pub outcome: String,
    #[validate(length(max = 5000))]
    pub reason: Option<String>,
}

impl SetDisposition {
    /// The outcome and the trimmed reason, or 422 naming `outcome` or `reason`.
    fn checked(&self) -> AppResult<(Outcome, Option<String>)> {
        let outcome = Outcome::parse(&self.outcome).ok_or_else(|| {
            AppError::field(
                "outcome",
                l!(
                    "处理结果应为 adopted、partially_adopted、not_adopted 或 noted",
                    "must be one of adopted, partially_adopted, not_adopted, noted"
                ),
            )
        })?;
        let reason = self
            .reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_string);
        // R17: every outcome but `adopted` needs its reason.
        if !reason_ok(outcome, reason.as_deref()) {
            return Err(AppError::field(
                "reason",
                l!(
                    "除“采纳”外，须说明理由",
                    "A reason is required for every outcome except adopted"
                ),
            ));
        }
        Ok((outcome, reason))
    }
}

/// No disposition may change while a report of the round waits for approval.
fn ensure_not_under_approval(conn: &mut DbConn, draft_id: &str, round: i32) -> AppResult<()> {
    if let Some(r) = reports::latest(conn, draft_id, round)?
        && r.state == "awaiting_approval"
    {
        return Err(AppError::wrong_state(l!(
            "报告正在审批中，不能修改处理意见；请先退回报告。",
            "The report is awaiting approval; return it before changing dispositions."
        )));
    }
    Ok(())
}

/// `PUT /api/v1/groups/{id}/disposition`
pub async fn put_group_disposition(
    state: web::Data<AppState>,
    path: web::Path<String>,
    who: Authorized<DrafterOnly>,
    JsonBody(body): JsonBody<SetDisposition>,
) -> AppResult<HttpResponse> {
    let (outcome, reason) = body.checked()?;
    let id = path.into_inner();
    let now = state.clock.now();
    let min = state.config.review.concentrated_min_comments;
    let actor = who.id().to_string();
    let view = state
        .db(move |conn| {
            db::write_tx(conn, |conn| {
                let group = review::group(conn, &id)?.ok_or_else(AppError::not_found)?;
                let draft = load_draft(conn, &group.draft_id)?;
                ensure_reviewable(&draft)?;
                ensure_not_under_approval(conn, &draft.id, draft.round)?;
                review::set_group_disposition(
                    conn,
                    now,
                    &id,
                    outcome.as_str(),
                    reason.as_deref(),
                    &actor,
                )?;
                // Deciding on a group accepts it: a later suggestion keeps its members.
                review::accept_group(conn, now, &id, &actor)?;
                audit::append(
                    conn,
                    now,
                    &AuditEvent {
                        actor: &actor,
                        action: "group.disposed",
                        object_type: "opinion_group",
                        object_id: &id,
                        draft_id: Some(&draft.id),
                        details: json!({"outcome": outcome, "reason": reason}),
                    },
                )?;
                let g = review::group(conn, &id)?.ok_or_else(AppError::not_found)?;
                let members = review::members(conn, &id)?;
                Ok(super::groups::GroupView::new(g, members, min))
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, Serialize)]
pub struct CommentDispositionView {
    pub id: String,
    pub tracking_number: String,
    pub group_id: Option<String>,
    /// The comment's own disposition, if it has one.
    pub disposition: Option<Disposition>,
    /// What applies: its own, else its group's (R17).
    pub effective: Option<EffectiveDisposition>,
}

#[derive(Debug, Serialize)]
pub struct EffectiveDisposition {
    pub outcome: String,
    pub reason: Option<String>,
    /// `comment` or `group`.
    pub source: &'static str,
}

pub fn comment_view(conn: &mut DbConn, id: &str) -> AppResult<CommentDispositionView> {
    let c = review::comment_disposition(conn, id)?.ok_or_else(AppError::not_found)?;
    let group = match &c.group_id {
        Some(g) => review::group(conn, g)?,
        None => None,
    };
    let effective = match (&c.outcome, group.as_ref().and_then(|g| g.outcome.clone())) {
        (Some(o), _) => Some(EffectiveDisposition {
            outcome: o.clone(),
            reason: c.reason.clone(),
            source: "comment",
        }),
        (None, Some(o)) => Some(EffectiveDisposition {
            outcome: o,
            reason: group.as_ref().and_then(|g| g.reason.clone()),
            source: "group",
        }),
        (None, None) => None,
    };
    Ok(CommentDispositionView {
        disposition: c.outcome.map(|outcome| Disposition {
            outcome,
            reason: c.reason,
            disposed_by: c.disposed_by,
            disposed_at: c.disposed_at,
        }),
        id: c.id,
        tracking_number: c.tracking_number,
        group_id: c.group_id,
        effective,
    })
}

/// `PUT /api/v1/comments/{id}/disposition`
pub async fn put_comment_disposition(
    state: web::Data<AppState>,
    path: web::Path<String>,
    who: Authorized<DrafterOnly>,
    JsonBody(body): JsonBody<SetDisposition>,
) -> AppResult<HttpResponse> {
    let (outcome, reason) = body.checked()?;
    let id = path.into_inner();
    let now = state.clock.now();
    let actor = who.id().to_string();
    let view = state
        .db(move |conn| {
            db::write_tx(conn, |conn| {
                let c = review::comment_disposition(conn, &id)?.ok_or_else(AppError::not_found)?;
                let draft = load_draft(conn, &c.draft_id)?;
                ensure_reviewable(&draft)?;
                ensure_not_under_approval(conn, &draft.id, draft.round)?;
                review::set_comment_disposition(
                    conn,
                    now,
                    &id,
                    outcome.as_str(),
                    reason.as_deref(),
                    &actor,
                )?;
                audit::append(
                    conn,
                    now,
                    &AuditEvent {
                        actor: &actor,
                        action: "comment.disposed",
                        object_type: "comment",
                        object_id: &id,
                        draft_id: Some(&draft.id),
                        details: json!({"outcome": outcome, "reason": reason}),
                    },
                )?;
                comment_view(conn, &id)
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
