//! R23: putting a message that failed for good back in the queue (admin), audited.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::Actor;
use crate::db::outbox::{self, OutboxView};
use crate::db::{self, DbConn, audit};
use crate::domain::roles::Role;
use crate::error::{AppError, AppResult};
use crate::l;

/// R23: queues failed message `id` again with fresh attempts.
pub fn retry(
    conn: &mut DbConn,
    actor: &Actor,
    now: DateTime<Utc>,
    id: &str,
) -> AppResult<OutboxView> {
    actor.require(&[Role::Admin])?;
    db::write_tx(conn, |conn| {
        let Some(msg) = outbox::by_id(conn, id)? else {
            return Err(AppError::not_found());
        };
        if !outbox::requeue_failed(conn, now, id)? {
            return Err(AppError::wrong_state(l!(
                "只能重发发送失败的邮件（当前状态：{}）。",
                "Only a failed message can be retried (this one is {}).",
                msg.status
            )));
        }
        audit::append(
            conn,
            now,
            &audit::AuditEvent {
                actor: &actor.id,
                action: "mail.retry",
                object_type: "outbox",
                object_id: id,
                draft_id: msg.draft_id.as_deref(),
                details: json!({ "kind": msg.kind, "previous_error": msg.last_error }),
            },
        )?;
        let msg = outbox::by_id(conn, id)?.ok_or_else(AppError::not_found)?;
        Ok(OutboxView::from(msg))
    })
}
