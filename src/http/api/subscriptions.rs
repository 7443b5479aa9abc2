//! R21: `POST /api/v1/subscriptions`, `GET /api/v1/subscriptions/confirm?token=`,
//! `POST /api/v1/subscriptions/unsubscribe?token=` (also the RFC 8058 one-click target).

use actix_web::{HttpResponse, web};
use chrono::TimeDelta;
use diesel::prelude::*;
use serde::Deserialize;
use serde_json::json;
use validator::Validate;

use crate::app::AppState;
use crate::db::schema::drafts;
use crate::db::subscriptions::{self, Subscription};
use crate::db::{self, DbConn};
use crate::domain::mail::{ScopeKind, normalize_email};
use crate::http::error::{AppError, AppResult};
use crate::http::extract::{JsonBody, QueryParams};
use crate::l;
use crate::mail::events;
use crate::mail::links::{self, LinkError, Unsubscribe};

#[derive(Debug, Clone, Deserialize, Validate)]
pub struct ScopeBody {
    pub kind: String,
    #[validate(length(min = 1, max = 200))]
    pub value: Option<String>,
}

#[derive(Debug, Deserialize, Validate)]
pub struct SubscribeBody {
    #[validate(email, length(max = 254))]
    pub email: String,
    #[validate(nested)]
    pub scope: ScopeBody,
    pub locale: Option<String>,
}

/// A checked scope: kind and value ('' for `all`).
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

/// A draft scope must name a draft the public can see.
pub fn check_draft_scope(conn: &mut DbConn, kind: ScopeKind, value: &str) -> AppResult<()> {
    if kind != ScopeKind::Draft {
        return Ok(());
    }
    let state: Option<String> = drafts::table
        .find(value)
        .select(drafts::state)
        .first(conn)
        .optional()?;
    match state.as_deref() {
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

/// R21: always 202, whether the address is new, pending or confirmed, so the answer tells
/// nothing about who subscribes. A new or renewed subscription gets a confirmation mail.
pub async fn create_subscription(
    state: web::Data<AppState>,
    JsonBody(body): JsonBody<SubscribeBody>,
) -> AppResult<HttpResponse> {
    let (kind, value) = checked_scope(&body.scope)?;
    let locale = match body.locale.as_deref() {
        None => state.config.site.default_locale.clone(),
        Some(l @ ("zh-CN" | "en")) => l.to_string(),
        Some(_) => {
            return Err(AppError::field(
                "locale",
                l!("应为 zh-CN 或 en", "must be zh-CN or en"),
            ));
        }
    };
    let now = state.clock.now();
    let limit = i64::from(state.config.limits.subscriptions_per_email_per_hour);
    let email = body.email.trim().to_string();
    let normalized = normalize_email(&email);
    state
        .db(move |conn| {
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
        })
        .await?;
    Ok(HttpResponse::Accepted().json(json!({
        "status": "accepted",
        "detail": "If the address can receive mail, a confirmation link is on its way.",
    })))
}

#[derive(Debug, Deserialize, Validate)]
pub struct TokenQuery {
    #[validate(length(min = 1, max = 1000))]
    pub token: String,
}

/// Confirms the subscription a link names (idempotent).
pub async fn confirm(state: &AppState, token: &str) -> AppResult<Subscription> {
    let now = state.clock.now();
    let id = match links::read_confirm_token(&state.secret, token, now) {
        Ok(id) => id,
        Err(LinkError::Invalid) => return Err(AppError::not_found()),
        Err(LinkError::Expired) => {
            return Err(AppError::wrong_state(l!(
                "确认链接已过期，请重新订阅。",
                "This confirmation link has expired; subscribe again."
            )));
        }
    };
    state
        .db(move |conn| {
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
        })
        .await
}

/// Ends what an unsubscribe link names (idempotent).
pub async fn unsubscribe(state: &AppState, token: &str) -> AppResult<()> {
    let now = state.clock.now();
    let what =
        links::read_unsubscribe_token(&state.secret, token).ok_or_else(AppError::not_found)?;
    state
        .db(move |conn| {
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
        })
        .await
}

pub async fn confirm_subscription(
    state: web::Data<AppState>,
    QueryParams(q): QueryParams<TokenQuery>,
) -> AppResult<HttpResponse> {
    let sub = confirm(&state, &q.token).await?;
    Ok(HttpResponse::Ok().json(json!({
        "status": sub.status,
        "scope": { "kind": sub.scope_kind, "value": (!sub.scope_value.is_empty()).then_some(sub.scope_value) },
    })))
}

/// R21, RFC 8058: a mail client's one-click POST (`List-Unsubscribe=One-Click` in a form
/// body, which needs no reading) or an API call.
pub async fn unsubscribe_subscription(
    state: web::Data<AppState>,
    QueryParams(q): QueryParams<TokenQuery>,
) -> AppResult<HttpResponse> {
    unsubscribe(&state, &q.token).await?;
    Ok(HttpResponse::Ok().json(json!({ "status": "unsubscribed" })))
}
