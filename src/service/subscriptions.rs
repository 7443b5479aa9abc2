//! R21: subscriptions: anyone subscribes an address to all drafts, an agency, a category or
//! one draft; the subscription starts when its signed confirmation link is followed, and a
//! signed unsubscribe link ends it (or all list mail to an address).

use chrono::{DateTime, TimeDelta, Utc};
use serde::Deserialize;
use validator::Validate;

use crate::config::Config;
use crate::db::subscriptions::{self, Subscription};
use crate::db::{self, DbConn, drafts};
use crate::domain::mail::{ScopeKind, normalize_email};
use crate::error::{AppError, AppResult};
use crate::l;
use crate::mail::events;
use crate::mail::links::{self, LinkError, Unsubscribe};

/// Whom a subscription (or an invitation to subscribers) is for: `all`, or an `agency`,
/// `category` or `draft` named by `value`.
#[derive(Debug, Clone, Deserialize, Validate, utoipa::ToSchema)]
pub struct ScopeBody {
    /// `all`, `agency`, `category` or `draft`.
    #[schema(pattern = "^(all|agency|category|draft)$")]
    pub kind: String,
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub value: Option<String>,
}

/// A subscription request.
#[derive(Debug, Clone, Deserialize, Validate, utoipa::ToSchema)]
pub struct SubscribeBody {
    #[validate(email, length(max = 254))]
    #[schema(max_length = 254)]
    pub email: String,
    #[validate(nested)]
    pub scope: ScopeBody,
    pub locale: Option<String>,
}

/// R21: a checked scope: kind and value ('' for `all`).
pub fn checked_scope(scope: &ScopeBody) -> AppResult<(ScopeKind, String)> {
    let kind = ScopeKind::parse(&scope.kind).ok_or_else(|| {
        AppError::field(
            "scope.kind",
            l!(
                "应为 all、agency、category 或 draft",
                "must be all, agency, category or draft"
            ),
        )
    })?;
    let value = scope
        .value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string);
    match (kind.needs_value(), value) {
        (false, _) => Ok((kind, String::new())),
        (true, Some(v)) => Ok((kind, v)),
        (true, None) => Err(AppError::field(
            "scope.value",
            l!(
                "请填写要订阅的发布机构、公开目录或草案",
                "name the agency, category or draft to follow"
            ),
        )),
    }
}

/// R21: a draft scope must name a draft the public can see.
pub fn check_draft_scope(conn: &mut DbConn, kind: ScopeKind, value: &str) -> AppResult<()> {
    if kind != ScopeKind::Draft {
        return Ok(());
    }
    match drafts::state_of(conn, value)?.as_deref() {
        Some("published" | "concluded") => Ok(()),
        _ => Err(AppError::field(
            "scope.value",
            l!(
                "没有这个已公布的草案",
                "there is no published draft with this id"
            ),
        )),
    }
}

/// R21: subscribes an address (anyone). The outcome is the same whether the address is new,
/// pending or confirmed, so the caller can answer alike and tell nothing about who
/// subscribes. A new or renewed subscription gets a confirmation mail; more than
/// `limits.subscriptions_per_email_per_hour` requests for one address are refused (429).
pub fn subscribe(
    conn: &mut DbConn,
    config: &Config,
    now: DateTime<Utc>,
    input: &SubscribeBody,
) -> AppResult<()> {
    crate::error::validated(&input)?;
    let (kind, value) = checked_scope(&input.scope)?;
    let locale = match input.locale.as_deref() {
        None => config.site.default_locale.clone(),
        Some(l @ ("zh-CN" | "en")) => l.to_string(),
        Some(_) => {
            return Err(AppError::field(
                "locale",
                l!("应为 zh-CN 或 en", "must be zh-CN or en"),
            ));
        }
    };
    let limit = i64::from(config.limits.subscriptions_per_email_per_hour);
    let email = input.email.trim().to_string();
    let normalized = normalize_email(&email);
    db::write_tx(conn, |conn| -> AppResult<()> {
        check_draft_scope(conn, kind, &value)?;
        // R21: per-address limit, so nobody can flood an inbox with confirmations.
        let (recent, oldest) = subscriptions::recent_requests(conn, now, &normalized)?;
        if recent >= limit {
            let retry = oldest
                .map(|o| (o.and_utc() + TimeDelta::hours(1) - now).num_seconds())
                .unwrap_or(3600)
                .max(1);
            return Err(AppError::rate_limited(retry as u64));
        }
        subscriptions::record_request(conn, now, &normalized)?;
        let existing = subscriptions::find(conn, &normalized, kind.as_str(), &value)?;
        let id = match existing {
            Some(s) if s.status == "confirmed" => return Ok(()),
            Some(s) => {
                subscriptions::renew_pending(conn, &s.id, &locale)?;
                s.id
            }
            None => subscriptions::insert_pending(
                conn,
                now,
                &email,
                &normalized,
                kind.as_str(),
                &value,
                &locale,
            )?,
        };
        let draft = (kind == ScopeKind::Draft).then_some(value.as_str());
        events::subscription_confirmation(
            conn,
            now,
            &id,
            &email,
            &locale,
            draft,
            now + links::confirm_ttl(),
        )?;
        Ok(())
    })
}

/// R21, R27: the agencies and categories the subscribe page offers: those of the drafts the
/// public can see.
pub fn offered_scopes(
    conn: &mut DbConn,
    now: DateTime<Utc>,
) -> AppResult<(Vec<String>, Vec<String>)> {
    Ok(drafts::facets(conn, &drafts::Viewer::Public, now)?)
}

/// R21, R27: a subscription from the public subscribe form, which offers only the agencies
/// and categories of published drafts: another one is refused (422 on `scope.value`) and
/// changes nothing. Otherwise as `subscribe` (the API also takes an agency that has published
/// nothing yet).
pub fn subscribe_offered(
    conn: &mut DbConn,
    config: &Config,
    now: DateTime<Utc>,
    input: &SubscribeBody,
) -> AppResult<()> {
    crate::error::validated(&input)?;
    let (kind, value) = checked_scope(&input.scope)?;
    if matches!(kind, ScopeKind::Agency | ScopeKind::Category) {
        let (agencies, categories) = offered_scopes(conn, now)?;
        let offered = if kind == ScopeKind::Agency {
            agencies
        } else {
            categories
        };
        if !offered.contains(&value) {
            return Err(AppError::field(
                "scope.value",
                if kind == ScopeKind::Agency {
                    l!(
                        "没有已公布的草案来自这个发布机构，请从列表中选择",
                        "no published draft comes from this agency; choose one from the list"
                    )
                } else {
                    l!(
                        "没有已公布的草案属于这个公开目录，请从列表中选择",
                        "no published draft is in this category; choose one from the list"
                    )
                },
            ));
        }
    }
    subscribe(conn, config, now, input)
}

/// R21: confirms the subscription a signed link names (idempotent); confirming lifts an
/// earlier "no more mail" for the address. 404 for a link that is not ours, 409 for an
/// expired one or a cancelled subscription.
pub fn confirm(
    conn: &mut DbConn,
    secret: &str,
    now: DateTime<Utc>,
    token: &str,
) -> AppResult<Subscription> {
    let id = match links::read_confirm_token(secret, token, now) {
        Ok(id) => id,
        Err(LinkError::Invalid) => return Err(AppError::not_found()),
        Err(LinkError::Expired) => {
            return Err(AppError::wrong_state(l!(
                "确认链接已过期，请重新订阅。",
                "This confirmation link has expired; subscribe again."
            )));
        }
    };
    db::write_tx(conn, |conn| -> AppResult<Subscription> {
        let Some(sub) = subscriptions::by_id(conn, &id)? else {
            return Err(AppError::not_found());
        };
        match sub.status.as_str() {
            "pending" => {
                subscriptions::confirm(conn, now, &sub.id)?;
                // Confirming a subscription lifts an earlier "no more mail".
                subscriptions::unsuppress(conn, &sub.email_normalized)?;
            }
            "confirmed" => {}
            _ => {
                return Err(AppError::wrong_state(l!(
                    "此订阅已退订，请重新订阅。",
                    "This subscription was cancelled; subscribe again."
                )));
            }
        }
        Ok(subscriptions::by_id(conn, &id)?.unwrap_or(sub))
    })
}

/// R21: ends what a signed unsubscribe link names (idempotent): one subscription, or every
/// list mail to an address. 404 for a link that is not ours.
pub fn unsubscribe(
    conn: &mut DbConn,
    secret: &str,
    now: DateTime<Utc>,
    token: &str,
) -> AppResult<()> {
    let what = links::read_unsubscribe_token(secret, token).ok_or_else(AppError::not_found)?;
    db::write_tx(conn, |conn| -> AppResult<()> {
        match what {
            Unsubscribe::Subscription(id) => {
                if subscriptions::by_id(conn, &id)?.is_none() {
                    return Err(AppError::not_found());
                }
                subscriptions::unsubscribe(conn, now, &id)?;
            }
            Unsubscribe::Address(email) => subscriptions::suppress(conn, now, &email)?,
        }
        Ok(())
    })
}
