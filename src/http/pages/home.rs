//! `GET /`: the home page (R27): drafts open for comment, those closing soon, and those whose
//! comment period ended most recently.

use actix_web::{HttpResponse, web};
use askama::Template;

use super::drafts::{DraftCard, load_cards};
use super::{Chrome, render};
use crate::app::AppState;
use crate::db::drafts::{ListFilter, ListOrder};
use crate::domain::period::Phase;
use crate::http::error::AppResult;
use crate::http::lang::Lang;

/// How many open drafts the home page lists before pointing to the full list.
const OPEN_SHOWN: i64 = 20;
/// How many recently closed drafts it lists.
const CLOSED_SHOWN: i64 = 5;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    site_name: String,
    lang_code: &'static str,
    en: bool,
    closing_soon_days: u32,
    closing_soon: Vec<DraftCard>,
    open: Vec<DraftCard>,
    open_total: i64,
    closed: Vec<DraftCard>,
}

pub async fn show_home(state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let lang = Lang::current();
    let now = state.clock.now();
    let soon = state.config.window.closing_soon_days;
    let (open, open_total, closed) = state
        .db(move |conn| {
            // Open drafts closing first: the closing-soon ones lead the list.
            let open_filter = ListFilter {
                phase: Some(Phase::Open),
                order: ListOrder::ClosingFirst,
                ..ListFilter::default()
            };
            let (open, open_total) =
                load_cards(conn, &open_filter, now, lang, 0, OPEN_SHOWN, soon)?;
            let closed_filter = ListFilter {
                phase: Some(Phase::Closed),
                order: ListOrder::ClosedLast,
                ..ListFilter::default()
            };
            let (closed, _) = load_cards(conn, &closed_filter, now, lang, 0, CLOSED_SHOWN, soon)?;
            Ok((open, open_total, closed))
        })
        .await?;
    let (closing_soon, open): (Vec<DraftCard>, Vec<DraftCard>) =
        open.into_iter().partition(|c| c.closing_soon);
    let chrome = Chrome::new(state.config.site_name(lang), lang);
    render(&HomePage {
        site_name: chrome.site_name,
        lang_code: chrome.lang_code,
        en: chrome.en,
        closing_soon_days: soon,
        closing_soon,
        open,
        open_total,
        closed,
    })
}
