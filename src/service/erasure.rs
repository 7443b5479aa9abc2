//! Erasure of a commenter's personal data on request (docs/security.md, "Abuse and
//! privacy"): a moderator or administrator names the comment by its tracking number; its
//! name, organization, email, phone, region and client key are blanked, its receipt mail is
//! forgotten, and the change is audited without any of the erased data. The text, the
//! article, the stakeholder type, the moderation status and the disposition stay: the
//! opinion still counts and is still answered (R17–R20).

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use super::Actor;
use crate::db::comments::{self as q, Comment};
use crate::db::{self, DbConn, audit, outbox};
use crate::domain::roles::Role;
use crate::error::{AppError, AppResult};

/// What an erasure did: the names of the fields that held something (never their values).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Erasure {
    pub tracking_number: String,
    pub comment_id: String,
    /// The fields that were blanked; empty when there was nothing left to erase.
    pub erased: Vec<&'static str>,
    /// Receipt mails forgotten (a queued one deleted, a sent one masked).
    pub mails_forgotten: usize,
}

fn held(c: &Comment) -> Vec<&'static str> {
    let some = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
    [
        ("name", some(&c.name)),
        ("organization", some(&c.organization)),
        ("email", some(&c.email)),
        ("phone", some(&c.phone)),
        ("region", some(&c.region)),
        ("client_key", some(&c.client_key)),
    ]
    .into_iter()
    .filter_map(|(f, has)| has.then_some(f))
    .collect()
}

/// Erases the personal fields of the comment with `tracking_number` (moderator or admin).
/// 404 when there is no such comment. Erasing again changes nothing and audits nothing.
pub fn erase_personal_data(
    conn: &mut DbConn,
    actor: &Actor,
    now: DateTime<Utc>,
    tracking_number: &str,
) -> AppResult<Erasure> {
    actor.require(&[Role::Moderator, Role::Admin])?;
    let tracking = tracking_number.trim().to_ascii_uppercase();
    db::write_tx(conn, |conn| {
        let comment = q::by_tracking_number(conn, &tracking)?.ok_or_else(AppError::not_found)?;
        // R29: a moderator erases only on their agency's drafts; administrators anywhere.
        if !actor.roles.has(Role::Admin) {
            use crate::db::schema::drafts;
            use diesel::prelude::*;
            let agency: String = drafts::table
                .find(&comment.draft_id)
                .select(drafts::agency_code)
                .first(conn)?;
            actor.may(
                conn,
                crate::service::access::Act::Moderate,
                &crate::service::access::OfAgency(&agency),
            )?;
        }
        let erased = held(&comment);
        let mut mails_forgotten = 0;
        if !erased.is_empty() {
            q::erase_personal(conn, &comment.id)?;
            mails_forgotten = outbox::forget_receipt(conn, &comment.id)?;
            audit::append(
                conn,
                now,
                &audit::AuditEvent {
                    actor: &actor.id,
                    action: "comment.personal_data_erased",
                    object_type: "comment",
                    object_id: &comment.id,
                    draft_id: Some(&comment.draft_id),
                    details: json!({
                        "tracking_number": comment.tracking_number,
                        "fields": erased,
                        "mails_forgotten": mails_forgotten,
                    }),
                },
            )?;
        }
        Ok(Erasure {
            tracking_number: comment.tracking_number,
            comment_id: comment.id,
            erased,
            mails_forgotten,
        })
    })
}
