//! R21/R27: the pages a subscription link opens: confirm, and unsubscribe (a page with a
//! button on GET, so that link scanners cannot unsubscribe anyone; the POST does it).

use actix_web::{HttpResponse, web};
use askama::Template;

use super::{Chrome, render};
use crate::app::AppState;
use crate::http::api::subscriptions::{TokenQuery, confirm, unsubscribe};
use crate::http::error::AppResult;
use crate::http::extract::QueryParams;
use crate::http::lang::Lang;
use crate::lang::ftl::T;

#[derive(Template)]
#[template(path = "subscription.html")]
struct SubscriptionPage {
    site_name: String,
    t: T,
    /// `confirmed`, `ask` (unsubscribe button) or `unsubscribed`.
    step: &'static str,
    token: String,
}

fn page(state: &AppState, step: &'static str, token: String) -> AppResult<HttpResponse> {
    let chrome = Chrome::new(&state.config.site.name, Lang::current());
    render(&SubscriptionPage {
        site_name: chrome.site_name,
        t: chrome.t,
        step,
        token,
    })
}

pub async fn show_confirm(
    state: web::Data<AppState>,
    QueryParams(q): QueryParams<TokenQuery>,
) -> AppResult<HttpResponse> {
    confirm(&state, &q.token).await?;
    page(&state, "confirmed", String::new())
}

pub async fn show_unsubscribe(
    state: web::Data<AppState>,
    QueryParams(q): QueryParams<TokenQuery>,
) -> AppResult<HttpResponse> {
    if crate::mail::links::read_unsubscribe_token(&state.secret, &q.token).is_none() {
        return Err(crate::http::error::AppError::not_found());
    }
    page(&state, "ask", q.token)
}

pub async fn submit_unsubscribe(
    state: web::Data<AppState>,
    QueryParams(q): QueryParams<TokenQuery>,
) -> AppResult<HttpResponse> {
    unsubscribe(&state, &q.token).await?;
    page(&state, "unsubscribed", String::new())
}
