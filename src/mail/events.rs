//! R22: the events that send mail. Each function writes outbox rows in the caller's
//! transaction, so the mail exists exactly when its cause does. Other modules call them:
//! the operations of `service` (`draft_extended`, `report_published`, `invitations`,
//! `subscription_confirmation`), and the job loop for events the clock causes
//! (`draft_opened`, `draft_closing_soon`, `report_reminder`), which first claims the event's
//! row in `mail_events` with `claim_event` so that it happens once however many nodes run.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde_json::{Value, json};

use crate::db::DbConn;
use crate::db::outbox::{self, NewMail};
use crate::db::schema::{comments, drafts, mail_events, users};
use crate::db::subscriptions::{self, Recipient};
use crate::domain::mail::{ReportReminder, normalize_email};

/// What events need to know about a draft.
#[derive(Debug, Clone, Queryable)]
pub struct DraftFacts {
    pub id: String,
    pub agency: String,
    pub category: String,
    pub round: i32,
    pub drafter_id: String,
    pub approver_id: Option<String>,
}

pub fn draft_facts(conn: &mut DbConn, draft_id: &str) -> QueryResult<Option<DraftFacts>> {
    drafts::table
        .find(draft_id)
        .select((
            drafts::id,
            drafts::agency,
            drafts::category,
            drafts::round,
            drafts::drafter_id,
            drafts::approver_id,
        ))
        .first(conn)
        .optional()
}

/// Inserts the event's row; `false` when it exists already (another pass or node had it).
/// On PostgreSQL a concurrent insert of the same key fails the caller's transaction with a
/// unique violation (`db::is_unique_violation`), which the caller treats the same way.
pub fn claim_event(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    draft_id: &str,
    kind: &str,
    round: i32,
) -> QueryResult<bool> {
    let exists: i64 = mail_events::table
        .filter(mail_events::draft_id.eq(draft_id))
        .filter(mail_events::kind.eq(kind))
        .filter(mail_events::round.eq(round))
        .count()
        .get_result(conn)?;
    if exists > 0 {
        return Ok(false);
    }
    diesel::insert_into(mail_events::table)
        .values((
            mail_events::draft_id.eq(draft_id),
            mail_events::kind.eq(kind),
            mail_events::round.eq(round),
            mail_events::at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    Ok(true)
}

fn queue_all(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    kind: &str,
    draft_id: &str,
    recipients: &[Recipient],
    extra: &Value,
    dedupe: Option<&str>,
) -> QueryResult<usize> {
    let mut queued = 0;
    for r in recipients {
        let mut payload = json!({ "draft_id": draft_id });
        if let (Some(map), Value::Object(more)) = (payload.as_object_mut(), extra) {
            for (k, v) in more {
                map.insert(k.clone(), v.clone());
            }
            if let Some(id) = &r.subscription_id {
                map.insert("subscription_id".into(), json!(id));
            }
        }
        let mail = NewMail {
            kind,
            recipient: &r.email,
            locale: &r.locale,
            payload,
            draft_id: Some(draft_id),
            dedupe_key: dedupe.map(|d| format!("{kind}:{draft_id}:{d}:{}", r.email_normalized)),
        };
        if outbox::enqueue(conn, now, &mail)?.is_some() {
            queued += 1;
        }
    }
    Ok(queued)
}

fn subscribers(
    conn: &mut DbConn,
    draft_id: &str,
) -> QueryResult<Option<(DraftFacts, Vec<Recipient>)>> {
    let Some(d) = draft_facts(conn, draft_id)? else {
        return Ok(None);
    };
    let list = subscriptions::subscribers_of_draft(conn, &d.id, &d.agency, &d.category)?;
    Ok(Some((d, list)))
}

/// R22: the draft's window opened: its matching subscribers hear of it; for a later round
/// (R8) also everyone who commented on the round before with an email address, so that they
/// see what became of the text.
pub fn draft_opened(conn: &mut DbConn, now: DateTime<Utc>, draft_id: &str) -> QueryResult<usize> {
    let Some((d, mut list)) = subscribers(conn, draft_id)? else {
        return Ok(0);
    };
    if d.round > 1 {
        let earlier = commenters_of_round(conn, draft_id, d.round - 1, &list)?;
        list.extend(earlier);
    }
    queue_all(
        conn,
        now,
        "draft_opened",
        draft_id,
        &list,
        &json!({ "round": d.round }),
        Some(&d.round.to_string()),
    )
}

/// The commenters of one round of a draft who gave an email, each address once in the order
/// they wrote, leaving out addresses already in `list` and those that unsubscribed from
/// everything.
fn commenters_of_round(
    conn: &mut DbConn,
    draft_id: &str,
    round: i32,
    list: &[Recipient],
) -> QueryResult<Vec<Recipient>> {
    let commenters: Vec<(Option<String>, Option<String>, String)> = comments::table
        .filter(comments::draft_id.eq(draft_id))
        .filter(comments::round.eq(round))
        .filter(comments::email.is_not_null())
        .order((comments::submitted_at.asc(), comments::id.asc()))
        .select((
            comments::email,
            comments::email_normalized,
            comments::locale,
        ))
        .load(conn)?;
    let mut seen: std::collections::HashSet<String> =
        list.iter().map(|r| r.email_normalized.clone()).collect();
    let mut extra = Vec::new();
    for (email, normalized, locale) in commenters {
        let Some(email) = email.filter(|e| !e.trim().is_empty()) else {
            continue;
        };
        let normalized = normalized.unwrap_or_else(|| normalize_email(&email));
        if seen.insert(normalized.clone()) {
            extra.push(Recipient {
                email,
                email_normalized: normalized,
                locale,
                subscription_id: None,
            });
        }
    }
    let emails: Vec<String> = extra.iter().map(|r| r.email_normalized.clone()).collect();
    let suppressed = subscriptions::suppressed_among(conn, &emails)?;
    Ok(extra
        .into_iter()
        .filter(|r| !suppressed.contains(&r.email_normalized))
        .collect())
}

/// R22: the window closes within `window.closing_soon_days`.
pub fn draft_closing_soon(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    draft_id: &str,
) -> QueryResult<usize> {
    let Some((d, list)) = subscribers(conn, draft_id)? else {
        return Ok(0);
    };
    queue_all(
        conn,
        now,
        "draft_closing_soon",
        draft_id,
        &list,
        &json!({}),
        Some(&d.round.to_string()),
    )
}

/// R6/R22: the period was extended. Call it in the transaction that records the extension.
pub fn draft_extended(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    draft_id: &str,
    previous_closes_on: NaiveDate,
    new_closes_on: NaiveDate,
    reason: &str,
) -> QueryResult<usize> {
    let Some((_, list)) = subscribers(conn, draft_id)? else {
        return Ok(0);
    };
    queue_all(
        conn,
        now,
        "draft_extended",
        draft_id,
        &list,
        &json!({
            "previous_closes_on": previous_closes_on.to_string(),
            "new_closes_on": new_closes_on.to_string(),
            "reason": reason,
        }),
        Some(&new_closes_on.to_string()),
    )
}

/// R22: the report is out. Call it in the transaction that publishes the report. Goes to the
/// draft's subscribers (draft, agency, category, all) and to every commenter of the round who
/// gave an email, each address once; addresses that unsubscribed from everything are left out.
pub fn report_published(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    draft_id: &str,
) -> QueryResult<usize> {
    let Some((d, mut list)) = subscribers(conn, draft_id)? else {
        return Ok(0);
    };
    let commenters = commenters_of_round(conn, draft_id, d.round, &list)?;
    list.extend(commenters);
    queue_all(
        conn,
        now,
        "report_published",
        draft_id,
        &list,
        &json!({}),
        Some(&d.round.to_string()),
    )
}

/// A hearing or symposium (R22).
#[derive(Debug, Clone)]
pub struct Invitation {
    /// `hearing` or `symposium`.
    pub kind: String,
    pub starts_at: DateTime<Utc>,
    pub place: String,
}

/// R22: staff invite these people to a hearing or symposium on the draft.
pub fn invitations(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    draft_id: &str,
    recipients: &[Recipient],
    event: &Invitation,
) -> QueryResult<usize> {
    queue_all(
        conn,
        now,
        "invitation",
        draft_id,
        recipients,
        &json!({
            "event_kind": event.kind,
            "starts_at": event.starts_at.to_rfc3339(),
            "place": event.place,
        }),
        None,
    )
}

/// R22: staff reminder that the report of a closed draft is not published. Goes to the
/// draft's drafter and approver, in `locale`.
pub fn report_reminder(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    draft_id: &str,
    stage: ReportReminder,
    due: DateTime<Utc>,
    locale: &str,
) -> QueryResult<usize> {
    let Some(d) = draft_facts(conn, draft_id)? else {
        return Ok(0);
    };
    let mut ids = vec![d.drafter_id.clone()];
    ids.extend(d.approver_id.clone());
    let emails: Vec<Option<String>> = users::table
        .filter(users::id.eq_any(&ids))
        .filter(users::active.eq(true))
        .select(users::email)
        .load(conn)?;
    let mut seen = std::collections::HashSet::new();
    let list: Vec<Recipient> = emails
        .into_iter()
        .flatten()
        .filter(|e| seen.insert(normalize_email(e)))
        .map(|e| Recipient {
            email_normalized: normalize_email(&e),
            email: e,
            locale: locale.to_string(),
            subscription_id: None,
        })
        .collect();
    queue_all(
        conn,
        now,
        "report_reminder",
        draft_id,
        &list,
        &json!({ "stage": stage.event_kind(), "due_at": due.to_rfc3339() }),
        Some(&format!("{}:{}", d.round, stage.event_kind())),
    )
}

/// R21: the confirmation mail of a subscription.
pub fn subscription_confirmation(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    subscription_id: &str,
    email: &str,
    locale: &str,
    draft_id: Option<&str>,
    expires: DateTime<Utc>,
) -> QueryResult<Option<String>> {
    outbox::enqueue(
        conn,
        now,
        &NewMail {
            kind: "subscription_confirm",
            recipient: email,
            locale,
            payload: json!({
                "subscription_id": subscription_id,
                "expires_at": expires.to_rfc3339(),
            }),
            draft_id,
            dedupe_key: None,
        },
    )
}
