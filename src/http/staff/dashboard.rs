//! `/staff`: what waits for the signed-in officer, by role, with counts and links.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, web};
use askama::Template;
use chrono::TimeDelta;

use super::{Frame, PageResult, SignedIn, page};
use crate::app::AppState;
use crate::db::drafts::DraftRow;
use crate::db::workspace;
use crate::domain::roles::Role;
use crate::domain::workflow::DraftState;
use crate::service;

/// One draft in a dashboard list.
pub struct DraftLine {
    pub id: String,
    pub title: String,
    pub index_no: String,
    pub state: String,
    pub state_label: String,
    pub when: String,
    /// The steps the user may take now, in words.
    pub next: Vec<String>,
    /// R18: `(disposed, total)` comments, for a draft whose report is due.
    pub progress: Option<(i64, i64)>,
}

/// One block of the dashboard.
pub struct Block {
    pub id: &'static str,
    pub heading: String,
    pub empty: String,
    pub items: Vec<DraftLine>,
}

#[derive(Template)]
#[template(path = "staff/dashboard.html")]
struct DashboardPage {
    f: Frame,
    blocks: Vec<Block>,
    pending: Option<i64>,
    is_drafter: bool,
    /// Comments assigned to me that still lack a disposition, per draft.
    assigned: Vec<(String, String, i64)>,
}

fn line(state: &AppState, who: &SignedIn, d: &DraftRow, when: String) -> DraftLine {
    let t = crate::lang::ftl::T::current();
    let now = state.clock.now();
    DraftLine {
        id: d.id.clone(),
        title: d.title.clone(),
        index_no: d.index_no.clone(),
        state: d.state.clone(),
        state_label: t.s(&format!("state-{}", d.state)),
        when,
        next: service::workflow::available_actions(d, &who.actor(), now)
            .into_iter()
            .map(|a| t.s(&format!("action-{}", a.as_str())))
            .collect(),
        progress: None,
    }
}

/// `GET /staff`.
pub async fn show_dashboard(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: SignedIn,
) -> PageResult {
    let now = state.clock.now();
    let soon = now + TimeDelta::days(i64::from(state.config.window.closing_soon_days));
    let me = who.user.id.clone();
    let roles = who.roles.clone();
    let actor = who.actor();
    let (mine, to_review, to_approve, closing, due, pending, assigned) = state
        .db(move |conn| {
            // What waits for this officer: the drafts of their agencies (all for an admin).
            let agencies = actor.agency_scope(conn)?;
            let agencies = agencies.as_deref();
            let mine = if roles.has(Role::Drafter) {
                workspace::drafted_by(conn, &me, 50)?
            } else {
                Vec::new()
            };
            let to_review = if roles.has(Role::Reviewer) {
                workspace::in_states(
                    conn,
                    agencies,
                    &[
                        DraftState::AwaitingInitialReview,
                        DraftState::AwaitingReReview,
                    ],
                    100,
                )?
            } else {
                Vec::new()
            };
            let to_approve = if roles.has(Role::Approver) {
                workspace::in_states(conn, agencies, &[DraftState::AwaitingApproval], 100)?
            } else {
                Vec::new()
            };
            let closing = workspace::closing_by(conn, now, soon, 50)?;
            let due = if roles.has_any(&[Role::Drafter, Role::Approver, Role::Admin]) {
                let mut due = Vec::new();
                for d in workspace::reports_due(conn, agencies, now, 50)? {
                    let (lacking, total) = crate::db::desk::progress(conn, &d.id, d.round)?;
                    due.push((d, (total - lacking, total)));
                }
                due
            } else {
                Vec::new()
            };
            let pending = if roles.has(Role::Moderator) {
                Some(workspace::pending_comments(conn)?)
            } else {
                None
            };
            let assigned = if roles.has_any(&[Role::Drafter, Role::Reviewer]) {
                crate::db::desk::assigned_open(conn, &me)?
            } else {
                Vec::new()
            };
            Ok((mine, to_review, to_approve, closing, due, pending, assigned))
        })
        .await?;
    let t = crate::lang::ftl::T::current();
    let actor = who.actor();
    // Only the review steps this person may take (four eyes: not their own draft, not the
    // re-review of a text they reviewed first).
    let mine_now = |list: Vec<DraftRow>| -> Vec<DraftRow> {
        list.into_iter()
            .filter(|d| !service::workflow::available_actions(d, &actor, now).is_empty())
            .collect()
    };
    let to_review = mine_now(to_review);
    let to_approve = mine_now(to_approve);
    let due_days = i64::from(state.config.review.report_due_days);
    let mut blocks = Vec::new();
    if who.has(Role::Drafter) {
        blocks.push(Block {
            id: "my-drafts",
            heading: t.n("dash-my-drafts", mine.len() as i64),
            empty: t.s("dash-my-drafts-empty"),
            items: mine
                .iter()
                .map(|d| line(&state, &who, d, super::when(&state, d.updated_at)))
                .collect(),
        });
    }
    if who.has(Role::Reviewer) {
        blocks.push(Block {
            id: "to-review",
            heading: t.n("dash-to-review", to_review.len() as i64),
            empty: t.s("dash-nothing-waits"),
            items: to_review
                .iter()
                .map(|d| line(&state, &who, d, super::when(&state, d.updated_at)))
                .collect(),
        });
    }
    if who.has(Role::Approver) {
        blocks.push(Block {
            id: "to-approve",
            heading: t.n("dash-to-approve", to_approve.len() as i64),
            empty: t.s("dash-nothing-waits"),
            items: to_approve
                .iter()
                .map(|d| line(&state, &who, d, super::when(&state, d.updated_at)))
                .collect(),
        });
    }
    blocks.push(Block {
        id: "closing-soon",
        heading: t.n(
            "dash-closing-soon",
            i64::from(state.config.window.closing_soon_days),
        ),
        empty: t.s("dash-closing-soon-empty"),
        items: closing
            .iter()
            .map(|d| line(&state, &who, d, super::when(&state, d.closes_at)))
            .collect(),
    });
    if !due.is_empty() || who.has(Role::Drafter) {
        blocks.push(Block {
            id: "reports-due",
            heading: t.n("dash-reports-due", due.len() as i64),
            empty: t.s("dash-reports-due-empty"),
            items: due
                .iter()
                .map(|(d, progress)| {
                    let closed_days = (now.naive_utc() - d.closes_at).num_days();
                    let when = if closed_days > due_days {
                        t.n("dash-report-overdue", closed_days - due_days)
                    } else {
                        t.n("dash-report-due-in", due_days - closed_days)
                    };
                    DraftLine {
                        progress: Some(*progress),
                        ..line(&state, &who, d, when)
                    }
                })
                .collect(),
        });
    }
    let frame = Frame::new(&state, &req, &who, "/staff");
    page(
        StatusCode::OK,
        &frame,
        &DashboardPage {
            f: frame.clone(),
            blocks,
            pending,
            is_drafter: who.has(Role::Drafter),
            assigned,
        },
    )
}
