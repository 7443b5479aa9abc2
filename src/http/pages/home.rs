//! `GET /`: the home page (R27): drafts open for comment, those closing soon, those whose
//! comment period ended most recently, and the adoption reports published most recently.

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::drafts::{DraftCard, load_cards, with_cookie};
use super::subscribe::ShortSubscribeForm;
use super::{Chrome, labels, render};
use crate::app::AppState;
use crate::db::drafts::{ListFilter, ListOrder};
use crate::db::reports;
use crate::domain::period::Phase;
use crate::http::csrf;
use crate::http::error::AppResult;
use crate::http::lang::Lang;
use crate::lang::ftl::T;

/// How many open drafts the home page lists before pointing to the full list.
const OPEN_SHOWN: i64 = 20;
/// How many recently closed drafts it lists.
const CLOSED_SHOWN: i64 = 5;
/// How many recently published reports it lists.
const REPORTS_SHOWN: i64 = 5;

/// A published report in the home page's list.
pub struct ReportLink {
    pub draft_id: String,
    pub title: String,
    pub index_no: String,
    pub agency: String,
    pub published: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    site_name: String,
    t: T,
    closing_soon_days: i64,
    closing_soon: Vec<DraftCard>,
    open: Vec<DraftCard>,
    open_total: i64,
    closed: Vec<DraftCard>,
    reports: Vec<ReportLink>,
    /// R21: subscribe to every draft.
    sub: ShortSubscribeForm,
}

pub async fn show_home(state: web::Data<AppState>, req: HttpRequest) -> AppResult<HttpResponse> {
    let lang = Lang::current();
    let now = state.clock.now();
    let soon = state.config.window.closing_soon_days;
    let tz = state.config.timezone();
    let (open, open_total, closed, recent) = state
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
            let recent = reports::recent_published(conn, REPORTS_SHOWN)?;
            Ok((open, open_total, closed, recent))
        })
        .await?;
    let (closing_soon, open): (Vec<DraftCard>, Vec<DraftCard>) =
        open.into_iter().partition(|c| c.closing_soon);
    let chrome = Chrome::new(state.config.site_name(lang), lang);
    let csrf = csrf::token_for(&state, &req);
    let page = render(&HomePage {
        site_name: chrome.site_name,
        t: chrome.t,
        closing_soon_days: i64::from(soon),
        closing_soon,
        open,
        open_total,
        closed,
        reports: recent
            .into_iter()
            .map(|r| ReportLink {
                published: r
                    .published_at
                    .map(|t| labels::instant(t.and_utc(), tz, lang))
                    .unwrap_or_default(),
                draft_id: r.draft_id,
                title: r.title,
                index_no: r.index_no,
                agency: r.agency,
            })
            .collect(),
        sub: ShortSubscribeForm::new(&csrf, "all", "", lang),
    })?;
    with_cookie(page, csrf.cookie)
}
