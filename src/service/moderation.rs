//! R12: review first, publish later: a moderator publishes or hides comments, one or many at
//! once, each decision recorded in the audit chain.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use validator::Validate;

use super::Actor;
use crate::db::comments::{self as q, Comment};
use crate::db::{self, DbConn, audit};
use crate::domain::comment::{CommentStatus, HideReason};
use crate::domain::roles::Role;
use crate::error::{AppError, AppResult, rule};
use crate::l;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ModerationInput {
    /// `publish` or `hide`.
    #[schema(value_type = String, required = true, pattern = "^(publish|hide)$")]
    pub decision: Option<String>,
    /// Only to hide, and then required.
    #[schema(value_type = Option<crate::domain::comment::HideReason>)]
    pub reason: Option<String>,
}

impl Validate for ModerationInput {
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

/// A checked decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Publish,
    Hide(HideReason),
}

impl ModerationInput {
    /// The decision, or 422 naming the field at fault.
    pub fn decision(&self) -> AppResult<Decision> {
        crate::error::validated(&self)?;
        match self.decision.as_deref() {
            Some("hide") => self
                .reason
                .as_deref()
                .map(str::trim)
                .and_then(HideReason::parse)
                .map(Decision::Hide)
                .ok_or_else(|| AppError::field("reason", l!("请选择隐藏理由", "choose a reason"))),
            _ => Ok(Decision::Publish),
        }
    }
}

/// R12: publishes or hides one comment; `None` when there is no such comment.
pub fn moderate(
    conn: &mut DbConn,
    actor: &Actor,
    now: DateTime<Utc>,
    comment_id: &str,
    decision: Decision,
) -> AppResult<Option<Comment>> {
    actor.require(&[Role::Moderator])?;
    db::write_tx(conn, |conn| {
        if !apply(conn, actor, now, comment_id, decision)? {
            return Ok(None);
        }
        Ok::<_, AppError>(q::by_id(conn, comment_id)?)
    })
}

/// R12: one decision for many comments, in one transaction: all of them or none (404 when
/// one of them does not exist). Returns how many were decided.
pub fn moderate_many(
    conn: &mut DbConn,
    actor: &Actor,
    now: DateTime<Utc>,
    comment_ids: &[String],
    decision: Decision,
) -> AppResult<usize> {
    actor.require(&[Role::Moderator])?;
    if comment_ids.is_empty() {
        return Err(AppError::field(
            "comment_ids",
            l!("请至少选择一条意见", "select at least one comment"),
        ));
    }
    if comment_ids.len() > 500 {
        return Err(AppError::field(
            "comment_ids",
            l!("一次最多处理 500 条意见", "at most 500 comments at once"),
        ));
    }
    db::write_tx(conn, |conn| {
        for id in comment_ids {
            if !apply(conn, actor, now, id, decision)? {
                return Err(AppError::not_found());
            }
        }
        Ok(comment_ids.len())
    })
}

fn apply(
    conn: &mut DbConn,
    actor: &Actor,
    now: DateTime<Utc>,
    id: &str,
    decision: Decision,
) -> AppResult<bool> {
    let Some(before) = q::by_id(conn, id)? else {
        return Ok(false);
    };
    actor.may_on(conn, super::access::Act::Moderate, &before.draft_id)?;
    let (status, reason) = match decision {
        Decision::Publish => (CommentStatus::Published, None),
        Decision::Hide(r) => (CommentStatus::Hidden, Some(r.as_str())),
    };
    q::set_moderation(conn, id, status.as_str(), reason, &actor.id, now)?;
    audit::append(
        conn,
        now,
        &audit::AuditEvent {
            actor: &actor.id,
            action: match status {
                CommentStatus::Hidden => "comment.hide",
                _ => "comment.publish",
            },
            object_type: "comment",
            object_id: id,
            draft_id: Some(&before.draft_id),
            details: json!({
                "from": before.status,
                "to": status.as_str(),
                "reason": reason,
                "tracking_number": before.tracking_number,
            }),
        },
    )?;
    Ok(true)
}
