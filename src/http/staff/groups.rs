//! `/staff/drafts/{id}/groups` (R16, R17): the proposed and the officers' opinion groups of a
//! draft's round, largest first, with size, concentrated mark, representative text, the
//! spread of members, disposition and assignee; one action for the checked groups (merge,
//! dispose, assign); pairs that may be the same opinion. `/staff/drafts/{id}/groups/{gid}`:
//! one group to rename, summarise, accept, dispose, assign and annotate, its members to split
//! off or move, and the comments outside it that read closest (possible matches) or take the
//! other side.

use std::collections::{BTreeSet, HashMap};

use actix_web::{HttpRequest, web};
use askama::Template;

use super::desk::{
    BulkKept, Choice, DeskHead, DispositionChoices, NoteView, back_of, colleagues,
    disposition_input, head_of, keep_reason_if_asked, note_views,
};
use super::{
    Errors, Flash, Form, Frame, PageResult, Pager, SignedIn, list_base, page, page_no, query,
    redirect, refusal,
};
use crate::app::AppState;
use crate::db::desk;
use crate::db::review as rq;
use crate::domain::review::is_concentrated;
use crate::domain::roles::Role;
use crate::error::AppError;
use crate::http::pages::labels;
use crate::lang::ftl::T;
use crate::service;
use crate::service::desk::{BulkAction, NoteOn};
use crate::service::review::UpdateGroup;

const PER_PAGE: i64 = 50;
const MEMBERS_PER_PAGE: i64 = 50;
/// Possible matches shown beside a group.
const MATCHES: usize = 15;

pub struct GroupCard {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub size: i64,
    pub concentrated: bool,
    pub accepted: bool,
    pub spread: String,
    pub outcome: Option<String>,
    pub reason: String,
    pub overrides: i64,
    pub assignee: Option<String>,
    pub notes: i64,
    pub checked: bool,
}

pub struct PairView {
    pub a: (String, String),
    pub b: (String, String),
    pub percent: i64,
}

#[derive(Template)]
#[template(path = "staff/groups.html")]
struct GroupsPage {
    f: Frame,
    head: DeskHead,
    cards: Vec<GroupCard>,
    pager: Pager,
    pairs: Vec<PairView>,
    colleagues: Vec<Choice>,
    choices: DispositionChoices,
    kept: BulkKept,
    errors: Errors,
    message: Option<String>,
    filter: String,
    back: String,
    check_all: bool,
    check_all_href: String,
    ungrouped: i64,
    charts: crate::http::charts::ChartSet,
    /// Whether the grouping reads meaning too, in words.
    semantic: String,
    semantic_on: bool,
}

/// What the desk says of the grouping's semantic stage.
fn semantic_text(t: &T, status: &crate::service::meaning::Status) -> String {
    use crate::service::meaning::Status;
    match status {
        Status::On { model } => t.a("semantic-on", "model", model),
        Status::Disabled => t.a("semantic-off", "why", &t.s("semantic-disabled")),
        Status::Unavailable { path, .. } => t.a(
            "semantic-off",
            "why",
            &t.a("semantic-missing", "path", path),
        ),
    }
}

/// "个人 12 · 企业 3": who the members are.
fn spread_text(t: &T, counts: &[(String, i64)]) -> String {
    let mut c = counts.to_vec();
    c.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    c.iter()
        .map(|(k, n)| format!("{} {n}", labels::stakeholder_type(k).get(t.0)))
        .collect::<Vec<_>>()
        .join(" · ")
}

async fn render_groups(
    state: &AppState,
    req: &HttpRequest,
    who: &SignedIn,
    draft_id: String,
    qs: &Form,
    refused: Option<(Errors, Option<String>, Form)>,
) -> PageResult {
    let (draft, head) = head_of(state, who, &draft_id, "groups").await?;
    let page_n = page_no(qs.get("page"));
    let check_all = qs.get("check") == Some("all");
    let filter = qs
        .text("show")
        .filter(|s| s == "undisposed" || s == "mine")
        .unwrap_or_default();
    let actor = who.actor();
    let me = who.user.id.clone();
    let min = state.config.review.concentrated_min_comments;
    let f2 = filter.clone();
    let config = state.config.clone();
    let (rows, sizes, spread, overrides, notes, pairs, people, snippets, ungrouped, chart_data) =
        state
            .db(move |conn| {
                let chart_data = service::charts::live(conn, &config, &draft.id)?;
                let rows = rq::groups_of(conn, &draft.id, draft.round)?;
                let sizes: HashMap<String, i64> =
                    desk::group_choices(conn, &draft.id, draft.round)?
                        .into_iter()
                        .map(|(id, _, n)| (id, n))
                        .collect();
                let spread = desk::spread_by_group(conn, &draft.id, draft.round)?;
                let overrides: HashMap<String, i64> =
                    desk::overrides_by_group(conn, &draft.id, draft.round)?
                        .into_iter()
                        .collect();
                let ids: Vec<String> = rows.iter().map(|g| g.id.clone()).collect();
                let notes: HashMap<String, i64> =
                    desk::note_counts(conn, &ids)?.into_iter().collect();
                let pairs = service::desk::similar_groups(conn, &actor, &draft, 10)?;
                let people = colleagues(conn)?;
                let snippets = desk::snippets(conn, &draft.agency)?;
                let ungrouped = desk::triage_page(
                    conn,
                    &draft.id,
                    draft.round,
                    &desk::TriageFilter {
                        group: Some(desk::GroupFilter::Ungrouped),
                        ..Default::default()
                    },
                    0,
                    0,
                )?
                .1;
                Ok((
                    rows, sizes, spread, overrides, notes, pairs, people, snippets, ungrouped,
                    chart_data,
                ))
            })
            .await?;
    let t = T::current();
    let names: HashMap<&str, &str> = people
        .iter()
        .map(|(id, n)| (id.as_str(), n.as_str()))
        .collect();
    let (errors, message, form) = refused.unwrap_or_default();
    let kept = BulkKept::from_form(&form);
    let kept_groups: BTreeSet<String> = form.all("group_id").into_iter().collect();
    let mut rows: Vec<_> = rows
        .into_iter()
        .filter(|g| match f2.as_str() {
            "undisposed" => g.outcome.is_none(),
            "mine" => g.assigned_to.as_deref() == Some(me.as_str()),
            _ => true,
        })
        .collect();
    let size = |id: &str| sizes.get(id).copied().unwrap_or(0);
    rows.sort_by(|a, b| size(&b.id).cmp(&size(&a.id)).then(a.id.cmp(&b.id)));
    let total = rows.len() as i64;
    let titles: HashMap<String, String> = rows
        .iter()
        .map(|g| (g.id.clone(), g.title.clone()))
        .collect();
    let cards = rows
        .into_iter()
        .skip(((page_n - 1) * PER_PAGE) as usize)
        .take(PER_PAGE as usize)
        .map(|g| GroupCard {
            size: size(&g.id),
            concentrated: is_concentrated(size(&g.id) as usize, min),
            accepted: g.origin == "officer" || g.accepted_by.is_some(),
            spread: spread_text(&t, spread.get(&g.id).map(Vec::as_slice).unwrap_or(&[])),
            outcome: g.outcome.as_ref().map(|o| t.s(&format!("outcome-{o}"))),
            reason: g.reason.clone().unwrap_or_default(),
            overrides: overrides.get(&g.id).copied().unwrap_or(0),
            assignee: g
                .assigned_to
                .as_deref()
                .map(|u| names.get(u).copied().unwrap_or(u).to_string()),
            notes: notes.get(&g.id).copied().unwrap_or(0),
            checked: check_all || kept_groups.contains(&g.id),
            id: g.id,
            title: g.title,
            summary: g.summary,
        })
        .collect();
    let pairs = pairs
        .into_iter()
        .filter_map(|(a, b, s)| {
            Some(PairView {
                a: (a.clone(), titles.get(&a)?.clone()),
                b: (b.clone(), titles.get(&b)?.clone()),
                percent: (s * 100.0).round() as i64,
            })
        })
        .collect();
    let path = format!("/staff/drafts/{}/groups", head.draft_id);
    let base = list_base(&path, &[("show", &filter)]);
    let back = format!("{base}page={page_n}");
    let check_all_href = if check_all {
        back.clone()
    } else {
        format!("{back}&check=all")
    };
    let frame = Frame::new(state, req, who, "/staff/drafts");
    let status = super::refused_status(&errors, &message);
    let semantic = crate::service::meaning::status(&state.config);
    page(
        status,
        &frame,
        &GroupsPage {
            semantic: semantic_text(&t, &semantic),
            semantic_on: semantic.is_on(),
            f: frame.clone(),
            pager: Pager::new(&base, page_n, PER_PAGE, total),
            choices: DispositionChoices::new(&t, snippets),
            colleagues: people,
            head,
            cards,
            pairs,
            kept,
            errors,
            message,
            filter,
            back,
            check_all,
            check_all_href,
            ungrouped,
            charts: crate::http::charts::render(&chart_data, t, "desk"),
        },
    )
}

/// `GET /staff/drafts/{id}/groups?show=undisposed|mine&page=&check=all` (drafters, reviewers).
pub async fn show_groups(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: SignedIn,
    path: web::Path<String>,
) -> PageResult {
    let qs = query(&req);
    render_groups(&state, &req, &who, path.into_inner(), &qs, None).await
}

/// `POST /staff/drafts/{id}/groups` (`group_id` for each checked group; `action` = `merge`
/// (into the largest), `dispose` or `assign`, with their fields).
pub async fn submit_groups(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: SignedIn,
    path: web::Path<String>,
    payload: web::Payload,
) -> PageResult {
    let form = who
        .read_form(&state, &req, payload, &[Role::Drafter])
        .await?;
    let draft_id = path.into_inner();
    let (back, qs) = back_of(&form, &format!("/staff/drafts/{draft_id}/groups"));
    let t = T::current();
    let actor = who.actor();
    let now = state.clock.now();
    let config = state.config.clone();
    let (id, f2) = (draft_id.clone(), form.clone());
    let result = state
        .db(move |conn| {
            let groups = f2.all("group_id");
            match f2.get("action") {
                Some("merge") => {
                    // Into the largest of them, which keeps its title and disposition.
                    let sizes: HashMap<String, i64> = {
                        let d = service::review::load_draft(conn, &id)?;
                        desk::group_choices(conn, &d.id, d.round)?
                            .into_iter()
                            .map(|(g, _, n)| (g, n))
                            .collect()
                    };
                    let target = groups
                        .iter()
                        .max_by_key(|g| {
                            (
                                sizes.get(*g).copied().unwrap_or(-1),
                                std::cmp::Reverse((*g).clone()),
                            )
                        })
                        .cloned()
                        .unwrap_or_default();
                    let merged = service::desk::merge_groups(
                        conn, &config, &actor, now, &id, &target, &groups,
                    )?;
                    Ok(t.a("groups-merged", "title", &merged.title))
                }
                Some("dispose") => {
                    let n = service::desk::dispose_groups(
                        conn,
                        &actor,
                        now,
                        &id,
                        &groups,
                        &disposition_input(&f2),
                    )?;
                    let draft = service::review::load_draft(conn, &id)?;
                    keep_reason_if_asked(conn, &actor, now, &draft.agency, &f2)?;
                    Ok(t.n("groups-disposed", n as i64))
                }
                Some("assign") => {
                    let to = f2.text("assignee").filter(|a| a != "none");
                    let n = service::desk::assign_groups(
                        conn,
                        &actor,
                        now,
                        &id,
                        &groups,
                        to.as_deref(),
                    )?;
                    Ok(t.n("groups-assigned", n as i64))
                }
                _ => Err(AppError::field(
                    "action",
                    crate::l!("未知的操作", "Unknown action"),
                )),
            }
        })
        .await;
    match result {
        Ok(done) => Ok(redirect(&state, &back, Some(Flash::success(done)))),
        Err(e) if e.kind == crate::error::ErrorKind::Forbidden => Err(e.into()),
        Err(e) => {
            let (errors, message) = refusal(&e, t.0);
            render_groups(
                &state,
                &req,
                &who,
                draft_id,
                &qs,
                Some((errors, message, form)),
            )
            .await
        }
    }
}

/// `POST /staff/drafts/{id}/groups/suggest` (drafter): R16, regroups the comments no officer
/// has placed.
pub async fn submit_suggest(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: SignedIn,
    path: web::Path<String>,
    payload: web::Payload,
) -> PageResult {
    who.read_form(&state, &req, payload, &[Role::Drafter])
        .await?;
    let id = path.into_inner();
    let here = format!("/staff/drafts/{id}/groups");
    let t = T::current();
    let actor = who.actor();
    let now = state.clock.now();
    let config = state.config.clone();
    let result = state
        .db(move |conn| service::review::suggest_groups(conn, &config, &actor, now, &id))
        .await;
    Ok(match result {
        Ok(groups) => redirect(
            &state,
            &here,
            Some(Flash::success(t.n("groups-suggested", groups.len() as i64))),
        ),
        // Not allowed at all: the 403 page, not a message on a page the caller may not act on.
        Err(e) if e.kind == crate::error::ErrorKind::Forbidden => return Err(e.into()),
        Err(e) => redirect(
            &state,
            &here,
            Some(Flash::error(super::refusal_text(&e, t.0))),
        ),
    })
}

/// `POST /staff/drafts/{id}/snippets` (`action` = `keep` with `snippet`, or `drop` with
/// `snippet_id`): the agency's kept reasons (drafter).
pub async fn submit_snippet(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: SignedIn,
    path: web::Path<String>,
    payload: web::Payload,
) -> PageResult {
    let form = who
        .read_form(&state, &req, payload, &[Role::Drafter])
        .await?;
    let id = path.into_inner();
    let here = format!("/staff/drafts/{id}/groups#snippets");
    let t = T::current();
    let actor = who.actor();
    let now = state.clock.now();
    let result = state
        .db(move |conn| {
            let draft = service::review::load_draft(conn, &id)?;
            if form.get("action") == Some("drop") {
                let sid = form.text("snippet_id").unwrap_or_default();
                match desk::snippet(conn, &sid)? {
                    Some((agency, _)) if agency == draft.agency => {}
                    _ => return Err(AppError::not_found()),
                }
                service::desk::drop_reason(conn, &actor, now, &sid)?;
                Ok("snippet-dropped")
            } else {
                let body = form.get("snippet").unwrap_or_default();
                service::desk::keep_reason(conn, &actor, now, &draft.agency, body)?;
                Ok("snippet-kept")
            }
        })
        .await;
    Ok(match result {
        Ok(done) => redirect(&state, &here, Some(Flash::success(t.s(done)))),
        // Not allowed at all: the 403 page, not a message on a page the caller may not act on.
        Err(e) if e.kind == crate::error::ErrorKind::Forbidden => return Err(e.into()),
        Err(e) => redirect(
            &state,
            &here,
            Some(Flash::error(super::refusal_text(&e, t.0))),
        ),
    })
}

pub struct MemberView {
    pub id: String,
    pub tracking_number: String,
    pub hidden: bool,
    pub excerpt: String,
    pub own: Option<String>,
    pub checked: bool,
    /// Why it is in the group: "Same letter, 93 % of its text", "Placed by an officer".
    pub why: Option<String>,
    /// The proposal is unsure of it (below `UNSURE`).
    pub unsure: bool,
}

/// Proposals below this score are marked for the officer to check.
const UNSURE: f64 = 0.75;

/// Why a comment is in its group, in the reader's language.
pub fn membership_text(
    t: &T,
    placed_by: Option<&str>,
    why: Option<&str>,
    score: Option<f64>,
) -> Option<String> {
    // A proposal's reason stays when an officer accepts the group; an officer's own placement
    // removes it.
    match (why, score) {
        (Some(why), Some(score)) => {
            let percent = ((score * 100.0).round() as i64).to_string();
            Some(t.a(&format!("membership-{why}"), "percent", &percent))
        }
        _ => placed_by.map(|_| t.s("membership-officer")),
    }
}

pub struct MatchView {
    pub id: String,
    pub excerpt: String,
    pub percent: i64,
    pub copies: usize,
    pub group: Option<(String, String)>,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "staff/group.html")]
struct GroupPage {
    f: Frame,
    head: DeskHead,
    g: crate::db::review::GroupRow,
    size: i64,
    concentrated: bool,
    accepted: bool,
    outcome: Option<String>,
    overrides: i64,
    assignee: String,
    members: Vec<MemberView>,
    pager: Pager,
    matches: Vec<MatchView>,
    opposing: Vec<MatchView>,
    groups: Vec<Choice>,
    colleagues: Vec<Choice>,
    choices: DispositionChoices,
    /// R8: the round's articles to tick, `(value "round:number", label, ticked)`, when the
    /// group's disposition changes the text; `None` otherwise.
    changes: Option<Vec<(String, String, bool)>>,
    /// R8: what the group is linked to now ("第3条、第5条").
    changed: String,
    changes_action: String,
    notes: Vec<NoteView>,
    kept: BulkKept,
    kept_title: String,
    kept_summary: String,
    note: String,
    errors: Errors,
    message: Option<String>,
}

async fn render_group(
    state: &AppState,
    req: &HttpRequest,
    who: &SignedIn,
    (draft_id, group_id): (String, String),
    page_n: i64,
    refused: Option<(Errors, Option<String>, Form)>,
) -> PageResult {
    let (draft, head) = head_of(state, who, &draft_id, "groups").await?;
    let actor = who.actor();
    let config = state.config.clone();
    let now = state.clock.now();
    let (g, members, size, overrides, close, opposing, choices, people, snippets, notes, links) =
        state
            .db(move |conn| {
                let g = rq::group(conn, &group_id)?
                    .filter(|g| g.draft_id == draft.id && g.round == draft.round)
                    .ok_or_else(AppError::not_found)?;
                let members = desk::members_page(
                    conn,
                    &g.id,
                    (page_n - 1) * MEMBERS_PER_PAGE,
                    MEMBERS_PER_PAGE,
                )?;
                let choices = desk::group_choices(conn, &draft.id, draft.round)?;
                let size = choices
                    .iter()
                    .find(|c| c.0 == g.id)
                    .map(|c| c.2)
                    .unwrap_or(0);
                let overrides = desk::overrides_by_group(conn, &draft.id, draft.round)?
                    .into_iter()
                    .find(|(id, _)| *id == g.id)
                    .map(|(_, n)| n)
                    .unwrap_or(0);
                let (close, opposing) =
                    service::desk::possible_matches(conn, &config, now, &actor, &g.id, MATCHES)?;
                let people = colleagues(conn)?;
                let snippets = desk::snippets(conn, &draft.agency)?;
                let notes = desk::notes_of(conn, NoteOn::Group.as_str(), &g.id)?;
                let articles = crate::db::drafts::articles_of_round(conn, &draft.id, draft.round)?;
                let linked = crate::db::changes::of_opinion(conn, &g.id)?;
                Ok((
                    g,
                    members,
                    size,
                    overrides,
                    close,
                    opposing,
                    choices,
                    people,
                    snippets,
                    notes,
                    (articles, linked),
                ))
            })
            .await?;
    let t = T::current();
    let (errors, message, form) = refused.unwrap_or_default();
    let kept = BulkKept::from_form(&form);
    let kept_ids: BTreeSet<String> = form.all("comment_id").into_iter().collect();
    let titles: HashMap<&str, &str> = choices
        .iter()
        .map(|c| (c.0.as_str(), c.1.as_str()))
        .collect();
    let view = |m: service::desk::PossibleMatch| MatchView {
        percent: (m.score * 100.0).round() as i64,
        copies: m.copies,
        group: m
            .group_id
            .as_deref()
            .and_then(|id| titles.get(id).map(|t| (id.to_string(), t.to_string()))),
        checked: kept_ids.contains(&m.comment_id),
        id: m.comment_id,
        excerpt: m.excerpt,
    };
    let matches: Vec<MatchView> = close.into_iter().map(view).collect();
    let opposing: Vec<MatchView> = opposing.into_iter().map(view).collect();
    let members = members
        .into_iter()
        .map(|m| MemberView {
            why: membership_text(&t, m.placed_by.as_deref(), m.why.as_deref(), m.score),
            unsure: m.score.is_some_and(|s| s < UNSURE),
            checked: kept_ids.contains(&m.id),
            hidden: m.status == "hidden",
            excerpt: m.body.chars().take(240).collect(),
            own: m.outcome.as_ref().map(|o| {
                let label = t.s(&format!("outcome-{o}"));
                match &m.reason {
                    Some(r) => format!("{label}: {r}"),
                    None => label,
                }
            }),
            id: m.id,
            tracking_number: m.tracking_number,
        })
        .collect();
    let base = format!("/staff/drafts/{}/groups/{}?", head.draft_id, g.id);
    let mut kept = kept;
    let (kept_title, kept_summary, note) = if form.0.is_empty() {
        kept.outcome = g.outcome.clone().unwrap_or_default();
        kept.reason = g.reason.clone().unwrap_or_default();
        kept.assignee = g.assigned_to.clone().unwrap_or_default();
        (g.title.clone(), g.summary.clone(), String::new())
    } else {
        (
            form.get("title").unwrap_or(&g.title).to_string(),
            form.get("summary").unwrap_or(&g.summary).to_string(),
            form.get("note").unwrap_or_default().to_string(),
        )
    };
    let assignee = g
        .assigned_to
        .as_deref()
        .and_then(|u| people.iter().find(|p| p.0 == u).map(|p| p.1.clone()))
        .unwrap_or_default();
    let (articles, linked) = links;
    let panel = super::changes::LinkPanel::new(
        &t,
        g.round,
        &articles,
        &linked,
        g.outcome.as_deref(),
        &form,
    );
    let min = state.config.review.concentrated_min_comments;
    let frame = Frame::new(state, req, who, "/staff/drafts");
    let status = super::refused_status(&errors, &message);
    page(
        status,
        &frame,
        &GroupPage {
            changes: panel.changes,
            changed: panel.changed,
            changes_action: format!("/staff/drafts/{}/groups/{}", head.draft_id, g.id),
            f: frame.clone(),
            pager: Pager::new(&base, page_n, MEMBERS_PER_PAGE, size),
            concentrated: is_concentrated(size as usize, min),
            accepted: g.origin == "officer" || g.accepted_by.is_some(),
            outcome: g.outcome.as_ref().map(|o| t.s(&format!("outcome-{o}"))),
            groups: choices
                .iter()
                .filter(|c| c.0 != g.id)
                .map(|(id, title, n)| (id.clone(), format!("{title} ({n})")))
                .collect(),
            colleagues: people,
            choices: DispositionChoices::new(&t, snippets),
            notes: note_views(state, notes),
            head,
            g,
            size,
            overrides,
            assignee,
            members,
            matches,
            opposing,
            kept,
            kept_title,
            kept_summary,
            note,
            errors,
            message,
        },
    )
}

/// `GET /staff/drafts/{id}/groups/{gid}?page=`.
pub async fn show_group(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: SignedIn,
    path: web::Path<(String, String)>,
) -> PageResult {
    let page_n = page_no(query(&req).get("page"));
    render_group(&state, &req, &who, path.into_inner(), page_n, None).await
}

/// `POST /staff/drafts/{id}/groups/{gid}` (`action`: `edit` (title, summary), `accept`,
/// `dispose`, `assign`, `note`, `changes` (the ticked `article`s it changed); with checked `comment_id`s: `split` (title), `move`
/// (group_id), `remove`, `pull` (possible matches in)).
pub async fn submit_group(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: SignedIn,
    path: web::Path<(String, String)>,
    payload: web::Payload,
) -> PageResult {
    let form = who
        .read_form(&state, &req, payload, &[Role::Drafter])
        .await?;
    let (draft_id, group_id) = path.into_inner();
    let here = format!("/staff/drafts/{draft_id}/groups/{group_id}");
    let t = T::current();
    let actor = who.actor();
    let now = state.clock.now();
    let config = state.config.clone();
    let (id, gid, f2) = (draft_id.clone(), group_id.clone(), form.clone());
    let result = state
        .db(move |conn| {
            let g = rq::group(conn, &gid)?
                .filter(|g| g.draft_id == id)
                .ok_or_else(AppError::not_found)?;
            let ids = f2.all("comment_id");
            let update = |conn: &mut crate::db::DbConn, u: UpdateGroup| {
                service::review::update_group(conn, &config, &actor, now, &g.id, u)
            };
            let done: (&str, Option<String>) = match f2.get("action").unwrap_or_default() {
                "edit" => {
                    update(
                        conn,
                        UpdateGroup {
                            title: Some(f2.get("title").unwrap_or_default().to_string()),
                            summary: Some(f2.get("summary").unwrap_or_default().to_string()),
                            ..Default::default()
                        },
                    )?;
                    ("group-saved", None)
                }
                "accept" => {
                    update(conn, UpdateGroup::default())?;
                    ("group-accept-done", None)
                }
                "dispose" => {
                    service::review::set_group_disposition(
                        conn,
                        &config,
                        &actor,
                        now,
                        &g.id,
                        &disposition_input(&f2),
                    )?;
                    let draft = service::review::load_draft(conn, &id)?;
                    keep_reason_if_asked(conn, &actor, now, &draft.agency, &f2)?;
                    ("group-disposed", None)
                }
                "changes" => {
                    service::changes::set_changes(
                        conn,
                        &actor,
                        now,
                        service::changes::LinkFrom::Group(&g.id),
                        &super::changes::ticked_articles(&f2)?,
                    )?;
                    ("changes-panel-saved", None)
                }
                "assign" => {
                    let to = f2.text("assignee").filter(|a| a != "none");
                    service::desk::assign_groups(
                        conn,
                        &actor,
                        now,
                        &id,
                        std::slice::from_ref(&g.id),
                        to.as_deref(),
                    )?;
                    ("group-assigned", None)
                }
                "note" => {
                    service::desk::add_note(
                        conn,
                        &actor,
                        now,
                        NoteOn::Group,
                        &g.id,
                        f2.get("note").unwrap_or_default(),
                    )?;
                    ("desk-note-added", None)
                }
                "pull" | "remove" if ids.is_empty() => {
                    return Err(AppError::field(
                        "comment_id",
                        crate::l!("请至少选择一条意见", "Select at least one comment"),
                    ));
                }
                "pull" => {
                    // A possible match stands for its copies too ("12 copies"): they come
                    // along.
                    let ids = desk::with_copies(conn, &g.draft_id, g.round, &g.id, &ids)?;
                    update(
                        conn,
                        UpdateGroup {
                            add: Some(ids),
                            ..Default::default()
                        },
                    )?;
                    ("group-pulled", None)
                }
                "remove" => {
                    update(
                        conn,
                        UpdateGroup {
                            remove: Some(ids),
                            ..Default::default()
                        },
                    )?;
                    ("group-removed", None)
                }
                "split" => {
                    let title = f2.text("split_title").unwrap_or_default();
                    let created = service::review::create_group(
                        conn,
                        &config,
                        &actor,
                        now,
                        &id,
                        service::review::CreateGroup {
                            title,
                            comment_ids: ids,
                        },
                    )
                    .map_err(|e| rename_field(e, "title", "split_title"))?;
                    ("group-split", Some(created.id))
                }
                "move" => {
                    let to = f2.text("group_id").filter(|g| g != "none");
                    service::desk::act_on_comments(
                        conn,
                        &config,
                        &actor,
                        now,
                        &id,
                        &ids,
                        BulkAction::MoveTo(to),
                    )?;
                    ("group-members-moved", None)
                }
                _ => {
                    return Err(AppError::field(
                        "action",
                        crate::l!("未知的操作", "Unknown action"),
                    ));
                }
            };
            // The group itself may be gone (every member moved out).
            let still = rq::group(conn, &g.id)?.is_some();
            Ok((done, still))
        })
        .await;
    match result {
        Ok(((done, created), still)) => {
            let to = match created {
                Some(new) => format!("/staff/drafts/{draft_id}/groups/{new}"),
                None if still => here,
                None => format!("/staff/drafts/{draft_id}/groups"),
            };
            Ok(redirect(&state, &to, Some(Flash::success(t.s(done)))))
        }
        // Not allowed at all: the 403 page (a refused value is shown again beside its field).
        Err(e) if e.kind == crate::error::ErrorKind::Forbidden => Err(e.into()),
        Err(e) => {
            let (errors, message) = refusal(&e, t.0);
            render_group(
                &state,
                &req,
                &who,
                (draft_id, group_id),
                1,
                Some((errors, message, form)),
            )
            .await
        }
    }
}

/// A refusal about `from` shown beside the field `to` (two forms on a page share a name).
fn rename_field(mut e: AppError, from: &str, to: &str) -> AppError {
    if let Some(fields) = e.errors.as_mut()
        && let Some(messages) = fields.remove(from)
    {
        fields.insert(to.to_string(), messages);
    }
    e
}
