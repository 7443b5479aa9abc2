//! `/staff/outbox` (admin, R23): mail by status, recipients masked, and a retry for a message
//! that failed for good.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, web};
use askama::Template;

use super::{
    Flash, Frame, PageResult, Pager, SignedIn, list_base, page, page_no, query, redirect, when,
};
use crate::app::AppState;
use crate::db::outbox::{self, OutboxView};
use crate::domain::roles::Role;
use crate::lang::ftl::T;
use crate::service;

const PER_PAGE: i64 = 50;

pub struct Line {
    pub v: OutboxView,
    pub created: String,
    pub sent: String,
    pub status_label: String,
}

#[derive(Template)]
#[template(path = "staff/outbox.html")]
struct OutboxPage {
    f: Frame,
    lines: Vec<Line>,
    pager: Pager,
    status: String,
}

const STATUSES: [&str; 3] = ["queued", "sent", "failed"];

/// `GET /staff/outbox?status=&page=`.
pub async fn show_outbox(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: SignedIn,
) -> PageResult {
    who.require(&[Role::Admin])?;
    let qs = query(&req);
    let status = qs
        .text("status")
        .filter(|s| STATUSES.contains(&s.as_str()))
        .unwrap_or_default();
    let page_n = page_no(qs.get("page"));
    let st = status.clone();
    let (items, total) = state
        .db(move |conn| {
            Ok(outbox::list(
                conn,
                Some(st.as_str()).filter(|s| !s.is_empty()),
                (page_n - 1) * PER_PAGE,
                PER_PAGE,
            )?)
        })
        .await?;
    let t = T::current();
    let lines = items
        .into_iter()
        .map(|m| {
            let v = OutboxView::from(m);
            Line {
                created: when(&state, v.created_at),
                sent: v.sent_at.map(|s| when(&state, s)).unwrap_or_default(),
                status_label: t.s(&format!("mail-{}", v.status)),
                v,
            }
        })
        .collect();
    let base = list_base("/staff/outbox", &[("status", &status)]);
    let frame = Frame::new(&state, &req, &who, "/staff/outbox");
    page(
        StatusCode::OK,
        &frame,
        &OutboxPage {
            f: frame.clone(),
            lines,
            pager: Pager::new(&base, page_n, PER_PAGE, total),
            status,
        },
    )
}

/// `POST /staff/outbox/{id}/retry`: queues a failed message again.
pub async fn submit_retry(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: SignedIn,
    path: web::Path<String>,
    payload: web::Payload,
) -> PageResult {
    who.read_form(&state, &req, payload, &[Role::Admin]).await?;
    let id = path.into_inner();
    let now = state.clock.now();
    let actor = who.actor();
    let t = T::current();
    let result = state
        .db(move |conn| service::outbox::retry(conn, &actor, now, &id))
        .await;
    let flash = match result {
        Ok(_) => Flash::success(t.s("mail-requeued")),
        Err(e) => Flash::error(e.detail.get(t.0).to_string()),
    };
    Ok(redirect(&state, "/staff/outbox?status=failed", Some(flash)))
}
