//! `/staff/moderation` (R12): the queue across drafts, oldest first, filtered by draft, status
//! and flag; each comment's text and flags; one decision for every checked comment.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, web};
use askama::Template;

use super::{
    Flash, Frame, PageResult, Pager, SignedIn, list_base, page, page_no, query, redirect, when,
};
use crate::app::AppState;
use crate::db::drafts as q;
use crate::db::workspace;
use crate::domain::comment::{CommentStatus, Flag, HideReason, flags};
use crate::domain::roles::Role;
use crate::http::pages::labels;
use crate::lang::ftl::T;
use crate::service;
use crate::service::moderation::ModerationInput;

const PER_PAGE: i64 = 50;

pub struct QueueItem {
    pub id: String,
    pub tracking_number: String,
    pub draft_id: String,
    pub draft_title: String,
    pub article: Option<i32>,
    pub stakeholder: String,
    pub channel: String,
    pub submitted: String,
    pub body: String,
    pub flags: Vec<String>,
    pub status: String,
    pub reason: Option<String>,
    /// Why it looks like a repeat of the sender's earlier comment (`service::duplicates`).
    pub duplicate: Option<String>,
}

#[derive(Template)]
#[template(path = "staff/moderation.html")]
struct QueuePage {
    f: Frame,
    items: Vec<QueueItem>,
    pager: Pager,
    status: String,
    draft_filter: String,
    flag_filter: String,
    statuses: Vec<(String, String)>,
    flag_choices: Vec<(String, String)>,
    drafts: Vec<(String, String)>,
    reasons: Vec<(String, String)>,
    back: String,
    /// Every box of the page checked (`?check=all`), for one decision on the whole page.
    check_all: bool,
    check_all_href: String,
}

/// `GET /staff/moderation?status=&draft_id=&flag=&page=` (moderator).
pub async fn show_queue(state: web::Data<AppState>, req: HttpRequest, who: SignedIn) -> PageResult {
    who.require(&[Role::Moderator])?;
    let qs = query(&req);
    let status = qs
        .text("status")
        .filter(|s| CommentStatus::parse(s).is_some())
        .unwrap_or_else(|| CommentStatus::Pending.as_str().into());
    let draft_filter = qs.text("draft_id").unwrap_or_default();
    let flag = qs.get("flag").and_then(Flag::parse);
    let page_n = page_no(qs.get("page"));
    let check_all = qs.get("check") == Some("all");
    let now = state.clock.now();
    let (st, df) = (status.clone(), draft_filter.clone());
    let actor = who.actor();
    let (items, total, titles, duplicates) = state
        .db(move |conn| {
            // The comments of the moderator's agencies' drafts only.
            let agencies = actor.agency_scope(conn)?;
            let (items, total) = workspace::moderation_page(
                conn,
                agencies.as_deref(),
                &st,
                Some(df.as_str()).filter(|d| !d.is_empty()),
                flag,
                (page_n - 1) * PER_PAGE,
                PER_PAGE,
            )?;
            let ids: Vec<String> = items.iter().map(|c| c.id.clone()).collect();
            let duplicates: HashMap<String, crate::db::duplicates::DuplicateFlag> =
                service::duplicates::of_comments(conn, &actor, &ids)?
                    .into_iter()
                    .map(|f| (f.comment_id.clone(), f))
                    .collect();
            let viewer = q::Viewer::Staff {
                id: String::new(),
                roles: crate::domain::roles::Roles::new(vec![Role::Admin]),
            };
            let (drafts, _) = q::list(conn, &viewer, &q::ListFilter::default(), now, 0, 500)?;
            let titles: HashMap<String, String> =
                drafts.into_iter().map(|d| (d.id, d.title)).collect();
            Ok((items, total, titles, duplicates))
        })
        .await?;
    let t = T::current();
    let lang = t.0;
    let items = items
        .into_iter()
        .map(|c| QueueItem {
            flags: flags(&c.body, c.withhold)
                .into_iter()
                .map(|f| t.s(&format!("flag-{}", f.as_str())))
                .collect(),
            draft_title: titles.get(&c.draft_id).cloned().unwrap_or_default(),
            stakeholder: labels::stakeholder_type(&c.stakeholder_type)
                .get(lang)
                .to_string(),
            channel: t.s(&format!("channel-{}", c.channel)),
            submitted: when(&state, c.submitted_at),
            status: t.s(&format!("status-{}", c.status)),
            reason: c
                .moderation_reason
                .as_ref()
                .map(|r| t.s(&format!("hide-{r}"))),
            duplicate: duplicates.get(&c.id).map(|d| duplicate_text(t, d)),
            id: c.id,
            tracking_number: c.tracking_number,
            draft_id: c.draft_id,
            article: c.article,
            body: c.body,
        })
        .collect();
    let flag_filter = flag.map(|f| f.as_str().to_string()).unwrap_or_default();
    let base = list_base(
        "/staff/moderation",
        &[
            ("status", &status),
            ("draft_id", &draft_filter),
            ("flag", &flag_filter),
        ],
    );
    let back = format!("{base}page={page_n}");
    let check_all_href = if check_all {
        back.clone()
    } else {
        format!("{back}&check=all")
    };
    let mut drafts: Vec<(String, String)> = titles.into_iter().collect();
    drafts.sort_by(|a, b| a.1.cmp(&b.1));
    let frame = Frame::new(&state, &req, &who, "/staff/moderation");
    page(
        StatusCode::OK,
        &frame,
        &QueuePage {
            f: frame.clone(),
            items,
            pager: Pager::new(&base, page_n, PER_PAGE, total),
            status,
            draft_filter,
            flag_filter,
            statuses: CommentStatus::ALL
                .iter()
                .map(|s| {
                    (
                        s.as_str().to_string(),
                        t.s(&format!("status-{}", s.as_str())),
                    )
                })
                .collect(),
            flag_choices: Flag::ALL
                .iter()
                .map(|f| (f.as_str().to_string(), t.s(&format!("flag-{}", f.as_str()))))
                .collect(),
            drafts,
            reasons: HideReason::ALL
                .iter()
                .map(|r| (r.as_str().to_string(), t.s(&format!("hide-{}", r.as_str()))))
                .collect(),
            back,
            check_all,
            check_all_href,
        },
    )
}

/// "Same text as 20260301-… sent 3 min earlier": a duplicate flag as the queue shows it.
fn duplicate_text(t: T, d: &crate::db::duplicates::DuplicateFlag) -> String {
    let s = d.seconds_apart;
    let ago = if s < 60 {
        t.n("dup-ago-seconds", s)
    } else if s < 3600 {
        t.n("dup-ago-minutes", s / 60)
    } else if s < 86_400 {
        t.n("dup-ago-hours", s / 3600)
    } else {
        t.n("dup-ago-days", s / 86_400)
    };
    let similarity = d.similarity.to_string();
    let args = [
        ("tracking", d.duplicate_of_tracking.as_str()),
        ("ago", ago.as_str()),
        ("similarity", similarity.as_str()),
    ];
    match d.kind.as_str() {
        "same_text" => t.f("dup-same-text", &args),
        _ => t.f("dup-similar-text", &args),
    }
}

/// `POST /staff/moderation` (`comment_id` for each checked comment, `decision`, `reason`):
/// one decision for all of them, in one transaction.
pub async fn submit_decision(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: SignedIn,
    payload: web::Payload,
) -> PageResult {
    let form = who
        .read_form(&state, &req, payload, &[Role::Moderator])
        .await?;
    let back = form
        .get("back")
        .map(super::safe_next)
        .filter(|b| b.starts_with("/staff/moderation"))
        .unwrap_or_else(|| "/staff/moderation".into());
    let t = T::current();
    let ids = form.all("comment_id");
    let input = ModerationInput {
        decision: form.text("decision"),
        reason: form.text("reason"),
    };
    let decision = match input.decision() {
        Ok(d) => d,
        Err(e) => {
            let text = super::refusal_text(&e, t.0);
            return Ok(redirect(&state, &back, Some(Flash::error(text))));
        }
    };
    if ids.is_empty() {
        return Ok(redirect(
            &state,
            &back,
            Some(Flash::error(t.s("moderation-none-selected"))),
        ));
    }
    let now = state.clock.now();
    let actor = who.actor();
    let result = state
        .db(move |conn| service::moderation::moderate_many(conn, &actor, now, &ids, decision))
        .await;
    match result {
        Ok(n) => Ok(redirect(
            &state,
            &back,
            Some(Flash::success(t.n(
                match decision {
                    service::moderation::Decision::Publish => "moderation-published",
                    service::moderation::Decision::Hide(_) => "moderation-hidden",
                },
                n as i64,
            ))),
        )),
        // Not allowed at all (a comment of another agency's draft): the 403 page.
        Err(e) if e.kind == crate::error::ErrorKind::Forbidden => Err(e.into()),
        Err(e) => Ok(redirect(
            &state,
            &back,
            Some(Flash::error(e.detail.get(t.0).to_string())),
        )),
    }
}

/// `POST /staff/moderation/erasure` (`tracking_number`): erases a commenter's personal fields
/// on request (moderator or admin; `service::erasure`), then back to the queue with what was
/// erased.
pub async fn submit_erasure(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: SignedIn,
    payload: web::Payload,
) -> PageResult {
    let form = who
        .read_form(&state, &req, payload, &[Role::Moderator, Role::Admin])
        .await?;
    let t = T::current();
    let back = "/staff/moderation";
    let Some(tracking) = form.text("tracking_number") else {
        return Ok(redirect(
            &state,
            back,
            Some(Flash::error(t.s("erasure-no-number"))),
        ));
    };
    let now = state.clock.now();
    let actor = who.actor();
    let result = state
        .db(move |conn| service::erasure::erase_personal_data(conn, &actor, now, &tracking))
        .await;
    let flash = match result {
        Ok(e) if e.erased.is_empty() => {
            Flash::success(t.a("erasure-nothing", "tracking", e.tracking_number.as_str()))
        }
        Ok(e) => Flash::success(t.f(
            "erasure-done",
            &[
                ("tracking", e.tracking_number.as_str()),
                ("fields", e.erased.join(", ").as_str()),
            ],
        )),
        Err(e) if e.kind == crate::error::ErrorKind::NotFound => {
            Flash::error(t.s("erasure-not-found"))
        }
        Err(e) => Flash::error(e.detail.get(t.0).to_string()),
    };
    Ok(redirect(&state, back, Some(flash)))
}
