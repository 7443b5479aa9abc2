//! R22: a drafter invites a list of addresses, or the subscribers of a scope, to a hearing or
//! symposium on a published draft. The mails are queued in the outbox, with the audit entry,
//! in one transaction; the worker sends them.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use validator::{Validate, ValidateEmail};

use super::Actor;
use super::subscriptions::{ScopeBody, checked_scope};
use crate::config::Config;
use crate::db::audit::{self, AuditEvent};
use crate::db::subscriptions::{self, Recipient};
use crate::db::{self, DbConn, drafts};
use crate::domain::mail::normalize_email;
use crate::domain::roles::Role;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::l;
use crate::mail::events::{self, Invitation};

/// The hearing or symposium: `kind`, when (RFC 3339, in the future) and where.
#[derive(Debug, Clone, Deserialize, Validate, utoipa::ToSchema)]
pub struct EventBody {
    /// `hearing` or `symposium`.
    #[schema(pattern = "^(hearing|symposium)$")]
    pub kind: String,
    pub starts_at: String,
    #[validate(length(min = 1, max = 500))]
    #[schema(min_length = 1, max_length = 500)]
    pub place: String,
}

/// Who is invited — a list of addresses or the subscribers of a scope, one of the two — and
/// to what.
#[derive(Debug, Clone, Deserialize, Validate, utoipa::ToSchema)]
pub struct InvitationBody {
    #[validate(length(min = 1, max = 1000))]
    #[schema(min_items = 1, max_items = 1000)]
    pub emails: Option<Vec<String>>,
    #[validate(nested)]
    pub scope: Option<ScopeBody>,
    #[validate(nested)]
    pub event: EventBody,
    /// Locale of mails to listed addresses (subscribers get their own); site default if absent.
    pub locale: Option<String>,
}

/// R22: invites to a hearing or symposium on a published draft (drafter). Listed addresses
/// that asked for no more mail are skipped; each address gets one mail. Returns how many
/// mails were queued.
pub fn invite(
    conn: &mut DbConn,
    config: &Config,
    actor: &Actor,
    now: DateTime<Utc>,
    draft_id: &str,
    input: &InvitationBody,
) -> AppResult<usize> {
    actor.require(&[Role::Drafter])?;
    crate::error::validated(&input)?;
    let mut errors = FieldErrors::new();
    if !matches!(input.event.kind.as_str(), "hearing" | "symposium") {
        errors.insert(
            "event.kind".into(),
            vec![l!(
                "应为 hearing 或 symposium",
                "must be hearing or symposium"
            )],
        );
    }
    let starts_at = match input.event.starts_at.parse::<DateTime<Utc>>() {
        Ok(t) if t > now => Some(t),
        Ok(_) => {
            errors.insert(
                "event.starts_at".into(),
                vec![l!("活动时间应在将来", "must be in the future")],
            );
            None
        }
        Err(_) => {
            errors.insert(
                "event.starts_at".into(),
                vec![l!(
                    "应为 RFC 3339 时间，如 2026-04-01T09:00:00+08:00",
                    "must be an RFC 3339 time such as 2026-04-01T09:00:00+08:00"
                )],
            );
            None
        }
    };
    let locale = match input.locale.as_deref() {
        None => config.site.default_locale.clone(),
        Some(l @ ("zh-CN" | "en")) => l.to_string(),
        Some(_) => {
            errors.insert(
                "locale".into(),
                vec![l!("应为 zh-CN 或 en", "must be zh-CN or en")],
            );
            String::new()
        }
    };
    let scope = match (&input.emails, &input.scope) {
        (Some(_), None) => None,
        (None, Some(scope)) => Some(checked_scope(scope)?),
        _ => {
            errors.insert(
                "emails".into(),
                vec![l!(
                    "请给出邮箱列表（emails）或订阅范围（scope）之一",
                    "give either a list of addresses (emails) or a subscriber scope (scope)"
                )],
            );
            None
        }
    };
    let mut listed = Vec::new();
    if let Some(emails) = &input.emails {
        let mut seen = std::collections::HashSet::new();
        for (i, e) in emails.iter().enumerate() {
            let e = e.trim();
            if !e.validate_email() {
                errors.insert(
                    format!("emails[{i}]"),
                    vec![l!("邮箱地址格式不正确", "is not a valid email address")],
                );
            } else if seen.insert(normalize_email(e)) {
                listed.push(Recipient {
                    email: e.to_string(),
                    email_normalized: normalize_email(e),
                    locale: locale.clone(),
                    subscription_id: None,
                });
            }
        }
    }
    let Some(starts_at) = starts_at.filter(|_| errors.is_empty()) else {
        return Err(AppError::validation(errors));
    };
    let event = Invitation {
        kind: input.event.kind.clone(),
        starts_at,
        place: input.event.place.trim().to_string(),
    };
    db::write_tx(conn, |conn| -> AppResult<usize> {
        if crate::db::agencies::of_draft(conn, draft_id)?.is_some() {
            actor.may_on(conn, super::access::Act::Review, draft_id)?;
        }
        match drafts::state_of(conn, draft_id)?.as_deref() {
            None => return Err(AppError::not_found()),
            Some("published") => {}
            Some(_) => {
                return Err(AppError::wrong_state(l!(
                    "只能就已公布的草案发出邀请。",
                    "Invitations can only be sent for a published draft."
                )));
            }
        }
        let recipients = match &scope {
            Some((kind, value)) => subscriptions::subscribers_of_scope(conn, kind.as_str(), value)?,
            None => {
                let emails: Vec<String> =
                    listed.iter().map(|r| r.email_normalized.clone()).collect();
                let suppressed = subscriptions::suppressed_among(conn, &emails)?;
                listed
                    .into_iter()
                    .filter(|r| !suppressed.contains(&r.email_normalized))
                    .collect()
            }
        };
        let n = events::invitations(conn, now, draft_id, &recipients, &event)?;
        audit::append(
            conn,
            now,
            &AuditEvent {
                actor: &actor.id,
                action: "draft.invitations",
                object_type: "draft",
                object_id: draft_id,
                draft_id: Some(draft_id),
                details: json!({
                    "event": event.kind,
                    "starts_at": event.starts_at.to_rfc3339(),
                    "place": event.place,
                    "recipients": n,
                }),
            },
        )?;
        Ok(n)
    })
}
