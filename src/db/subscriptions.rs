//! R21: subscriptions, their request log (for the per-address limit) and suppressed addresses.

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use diesel::prelude::*;

use super::DbConn;
use super::ids::new_id;
use super::schema::{mail_suppressions, subscription_requests, subscriptions};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = subscriptions)]
pub struct Subscription {
    pub id: String,
    pub email: String,
    pub email_normalized: String,
    pub scope_kind: String,
    pub scope_value: String,
    pub locale: String,
    pub status: String,
    pub created_at: NaiveDateTime,
    pub confirmed_at: Option<NaiveDateTime>,
    pub unsubscribed_at: Option<NaiveDateTime>,
}

/// Someone a mail goes to: address, locale, and the subscription that brought them (for its
/// unsubscribe link), if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub email: String,
    pub email_normalized: String,
    pub locale: String,
    pub subscription_id: Option<String>,
}

/// Requests from this address in the hour before `now`, and the oldest one's time.
pub fn recent_requests(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    email_normalized: &str,
) -> QueryResult<(i64, Option<NaiveDateTime>)> {
    let since = (now - TimeDelta::hours(1)).naive_utc();
    let recent = subscription_requests::table
        .filter(subscription_requests::email_normalized.eq(email_normalized))
        .filter(subscription_requests::at.gt(since));
    let n = recent.count().get_result(conn)?;
    let oldest = recent
        .select(diesel::dsl::min(subscription_requests::at))
        .first(conn)?;
    Ok((n, oldest))
}

pub fn record_request(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    email_normalized: &str,
) -> QueryResult<()> {
    diesel::insert_into(subscription_requests::table)
        .values((
            subscription_requests::id.eq(new_id(now)),
            subscription_requests::email_normalized.eq(email_normalized),
            subscription_requests::at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn find(
    conn: &mut DbConn,
    email_normalized: &str,
    scope_kind: &str,
    scope_value: &str,
) -> QueryResult<Option<Subscription>> {
    subscriptions::table
        .filter(subscriptions::email_normalized.eq(email_normalized))
        .filter(subscriptions::scope_kind.eq(scope_kind))
        .filter(subscriptions::scope_value.eq(scope_value))
        .select(Subscription::as_select())
        .first(conn)
        .optional()
}

pub fn by_id(conn: &mut DbConn, id: &str) -> QueryResult<Option<Subscription>> {
    subscriptions::table
        .find(id)
        .select(Subscription::as_select())
        .first(conn)
        .optional()
}

/// A new `pending` subscription; returns its id.
pub fn insert_pending(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    email: &str,
    email_normalized: &str,
    scope_kind: &str,
    scope_value: &str,
    locale: &str,
) -> QueryResult<String> {
    let id = new_id(now);
    diesel::insert_into(subscriptions::table)
        .values((
            subscriptions::id.eq(&id),
            subscriptions::email.eq(email),
            subscriptions::email_normalized.eq(email_normalized),
            subscriptions::scope_kind.eq(scope_kind),
            subscriptions::scope_value.eq(scope_value),
            subscriptions::locale.eq(locale),
            subscriptions::status.eq("pending"),
            subscriptions::created_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Back to `pending` (a renewed request after an unsubscribe), in the locale now asked for.
pub fn renew_pending(conn: &mut DbConn, id: &str, locale: &str) -> QueryResult<usize> {
    diesel::update(subscriptions::table.find(id))
        .set((
            subscriptions::status.eq("pending"),
            subscriptions::locale.eq(locale),
            subscriptions::unsubscribed_at.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)
}

pub fn confirm(conn: &mut DbConn, now: DateTime<Utc>, id: &str) -> QueryResult<usize> {
    diesel::update(
        subscriptions::table
            .filter(subscriptions::id.eq(id))
            .filter(subscriptions::status.eq("pending")),
    )
    .set((
        subscriptions::status.eq("confirmed"),
        subscriptions::confirmed_at.eq(Some(now.naive_utc())),
    ))
    .execute(conn)
}

pub fn unsubscribe(conn: &mut DbConn, now: DateTime<Utc>, id: &str) -> QueryResult<usize> {
    diesel::update(
        subscriptions::table
            .filter(subscriptions::id.eq(id))
            .filter(subscriptions::status.ne("unsubscribed")),
    )
    .set((
        subscriptions::status.eq("unsubscribed"),
        subscriptions::unsubscribed_at.eq(Some(now.naive_utc())),
    ))
    .execute(conn)
}

/// Stops all list mail to an address (and ends its subscriptions).
pub fn suppress(conn: &mut DbConn, now: DateTime<Utc>, email_normalized: &str) -> QueryResult<()> {
    let exists: i64 = mail_suppressions::table
        .filter(mail_suppressions::email_normalized.eq(email_normalized))
        .count()
        .get_result(conn)?;
    if exists == 0 {
        diesel::insert_into(mail_suppressions::table)
            .values((
                mail_suppressions::email_normalized.eq(email_normalized),
                mail_suppressions::at.eq(now.naive_utc()),
            ))
            .execute(conn)?;
    }
    diesel::update(
        subscriptions::table
            .filter(subscriptions::email_normalized.eq(email_normalized))
            .filter(subscriptions::status.ne("unsubscribed")),
    )
    .set((
        subscriptions::status.eq("unsubscribed"),
        subscriptions::unsubscribed_at.eq(Some(now.naive_utc())),
    ))
    .execute(conn)?;
    Ok(())
}

/// Lifts a suppression (the address subscribed again and confirmed).
pub fn unsuppress(conn: &mut DbConn, email_normalized: &str) -> QueryResult<usize> {
    diesel::delete(
        mail_suppressions::table.filter(mail_suppressions::email_normalized.eq(email_normalized)),
    )
    .execute(conn)
}

/// Which of these addresses asked for no list mail.
pub fn suppressed_among(
    conn: &mut DbConn,
    emails: &[String],
) -> QueryResult<std::collections::HashSet<String>> {
    let mut out = std::collections::HashSet::new();
    for chunk in emails.chunks(500) {
        let found: Vec<String> = mail_suppressions::table
            .filter(mail_suppressions::email_normalized.eq_any(chunk))
            .select(mail_suppressions::email_normalized)
            .load(conn)?;
        out.extend(found);
    }
    Ok(out)
}

/// R21/R22: confirmed subscribers of a draft: of the draft itself, its agency, its category,
/// or everything. Each address once (the most specific subscription wins), suppressed ones
/// left out.
pub fn subscribers_of_draft(
    conn: &mut DbConn,
    draft_id: &str,
    agency: &str,
    category: &str,
) -> QueryResult<Vec<Recipient>> {
    let rows: Vec<Subscription> = subscriptions::table
        .filter(subscriptions::status.eq("confirmed"))
        .filter(
            subscriptions::scope_kind
                .eq("all")
                .or(subscriptions::scope_kind
                    .eq("agency")
                    .and(subscriptions::scope_value.eq(agency)))
                .or(subscriptions::scope_kind
                    .eq("category")
                    .and(subscriptions::scope_value.eq(category)))
                .or(subscriptions::scope_kind
                    .eq("draft")
                    .and(subscriptions::scope_value.eq(draft_id))),
        )
        .order(subscriptions::created_at.asc())
        .select(Subscription::as_select())
        .load(conn)?;
    let rank = |k: &str| match k {
        "draft" => 0,
        "agency" => 1,
        "category" => 2,
        _ => 3,
    };
    let mut best: std::collections::BTreeMap<String, Subscription> = Default::default();
    for s in rows {
        match best.get(&s.email_normalized) {
            Some(b) if rank(&b.scope_kind) <= rank(&s.scope_kind) => {}
            _ => {
                best.insert(s.email_normalized.clone(), s);
            }
        }
    }
    finish(conn, best.into_values().collect())
}

/// Confirmed subscribers of one scope (for invitations), each address once.
pub fn subscribers_of_scope(
    conn: &mut DbConn,
    scope_kind: &str,
    scope_value: &str,
) -> QueryResult<Vec<Recipient>> {
    let rows: Vec<Subscription> = subscriptions::table
        .filter(subscriptions::status.eq("confirmed"))
        .filter(subscriptions::scope_kind.eq(scope_kind))
        .filter(subscriptions::scope_value.eq(scope_value))
        .order(subscriptions::created_at.asc())
        .select(Subscription::as_select())
        .load(conn)?;
    finish(conn, rows)
}

fn finish(conn: &mut DbConn, rows: Vec<Subscription>) -> QueryResult<Vec<Recipient>> {
    let emails: Vec<String> = rows.iter().map(|s| s.email_normalized.clone()).collect();
    let suppressed = suppressed_among(conn, &emails)?;
    let mut seen = std::collections::HashSet::new();
    Ok(rows
        .into_iter()
        .filter(|s| !suppressed.contains(&s.email_normalized))
        .filter(|s| seen.insert(s.email_normalized.clone()))
        .map(|s| Recipient {
            email: s.email,
            email_normalized: s.email_normalized,
            locale: s.locale,
            subscription_id: Some(s.id),
        })
        .collect())
}
