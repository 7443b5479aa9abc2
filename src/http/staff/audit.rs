//! `/staff/audit` (admin, R26): the audit log, newest first, filtered by object and actor, and
//! on request (`?verify=1`) the state of the whole hash chain — a walk over every entry, so it
//! is not paid on every look at the log.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, web};
use askama::Template;

use super::{Frame, PageResult, Pager, SignedIn, list_base, page, page_no, query, when};
use crate::app::AppState;
use crate::db::{audit, users};
use crate::domain::roles::Role;
use crate::lang::ftl::T;

const PER_PAGE: i64 = 50;

pub struct Line {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub object: String,
    pub details: String,
    pub hash: String,
}

#[derive(Template)]
#[template(path = "staff/audit.html")]
struct AuditPage {
    f: Frame,
    lines: Vec<Line>,
    pager: Pager,
    object_type: String,
    object_id: String,
    actor: String,
    /// The chain's state when asked for: the message and whether it is intact.
    chain: Option<(String, bool)>,
    verify_href: String,
    actors: Vec<(String, String)>,
}

/// `GET /staff/audit?object_type=&object_id=&actor=&page=`.
pub async fn show_audit(state: web::Data<AppState>, req: HttpRequest, who: SignedIn) -> PageResult {
    who.require(&[Role::Admin])?;
    let qs = query(&req);
    let object_type = qs.text("object_type").unwrap_or_default();
    let object_id = qs.text("object_id").unwrap_or_default();
    let actor = qs.text("actor").unwrap_or_default();
    let page_n = page_no(qs.get("page"));
    let verify = qs.get("verify") == Some("1");
    let (ot, oi, ac) = (object_type.clone(), object_id.clone(), actor.clone());
    let (entries, total, check, people) = state
        .db(move |conn| {
            let (entries, total) = audit::page(
                conn,
                Some(ot.as_str()).filter(|s| !s.is_empty()),
                Some(oi.as_str()).filter(|s| !s.is_empty()),
                Some(ac.as_str()).filter(|s| !s.is_empty()),
                (page_n - 1) * PER_PAGE,
                PER_PAGE,
            )?;
            let check = if verify {
                Some(audit::verify(conn)?)
            } else {
                None
            };
            let people = users::list(conn)?;
            Ok((entries, total, check, people))
        })
        .await?;
    let t = T::current();
    let names: HashMap<String, String> = people
        .iter()
        .map(|u| (u.id.clone(), format!("{} ({})", u.display_name, u.username)))
        .collect();
    let chain = check.map(|c| match c {
        Ok(n) => (t.n("audit-chain-ok", n), true),
        Err(e) => (t.a("audit-chain-broken", "detail", &e.to_string()), false),
    });
    let lines = entries
        .into_iter()
        .map(|e| Line {
            seq: e.seq,
            at: when(&state, e.at),
            actor: names.get(&e.actor).cloned().unwrap_or(e.actor),
            action: e.action,
            object: format!("{} {}", e.object_type, e.object_id),
            details: e.details,
            hash: e.hash.chars().take(12).collect(),
        })
        .collect();
    let base = list_base(
        "/staff/audit",
        &[
            ("object_type", &object_type),
            ("object_id", &object_id),
            ("actor", &actor),
        ],
    );
    let frame = Frame::new(&state, &req, &who, "/staff/audit");
    page(
        StatusCode::OK,
        &frame,
        &AuditPage {
            f: frame.clone(),
            lines,
            pager: Pager::new(&base, page_n, PER_PAGE, total),
            object_type,
            object_id,
            actor,
            chain,
            verify_href: format!("{base}verify=1"),
            actors: people
                .into_iter()
                .map(|u| (u.id, format!("{} ({})", u.display_name, u.username)))
                .collect(),
        },
    )
}
