//! `/staff/drafts/{id}/comments` (R16, R17): the review desk's triage. Every comment of the
//! draft's round (all channels, hidden ones marked), filtered and searched, paged; one action
//! for the checked comments or for all that match the filter (move to a group, a new group,
//! a disposition, assigning to a colleague). `/staff/drafts/{id}/comments/{cid}`: one comment
//! with its contact fields, its own disposition, its group and internal notes.

use std::collections::{BTreeSet, HashMap};

use actix_web::{HttpRequest, web};
use askama::Template;

use super::{
    Errors, Flash, Form, Frame, PageError, PageResult, Pager, SignedIn, list_base, page, page_no,
    query, redirect, refusal, when,
};
use crate::app::AppState;
use crate::db::desk::{self, GroupFilter, TriageFilter};
use crate::db::review::ReviewDraft;
use crate::domain::comment::{Channel, CommentStatus, StakeholderType};
use crate::domain::review::Outcome;
use crate::domain::roles::Role;
use crate::http::pages::labels;
use crate::lang::ftl::T;
use crate::service;
use crate::service::access::Act;
use crate::service::desk::{BulkAction, NoteOn};
use crate::service::review::SetDisposition;

const PER_PAGE: i64 = 50;

/// The roles that read the desk.
pub const READERS: [Role; 2] = [Role::Drafter, Role::Reviewer];

/// The desk's tabs and its progress (R18: N of M comments disposed).
#[derive(Debug, Clone)]
pub struct DeskHead {
    pub draft_id: String,
    pub draft_title: String,
    pub index_no: String,
    /// `comments`, `groups` or `report`.
    pub tab: &'static str,
    pub disposed: i64,
    pub total: i64,
    pub reviewable: bool,
    pub can_write: bool,
}

impl DeskHead {
    pub fn new(
        draft: &ReviewDraft,
        tab: &'static str,
        (disposed, total): (i64, i64),
        who: &SignedIn,
    ) -> DeskHead {
        DeskHead {
            draft_id: draft.id.clone(),
            draft_title: draft.title.clone(),
            index_no: draft.index_no.clone(),
            tab,
            disposed,
            total,
            reviewable: draft.state == "published",
            can_write: who.has(Role::Drafter),
        }
    }

    pub fn lacking(&self) -> i64 {
        self.total - self.disposed
    }
}

/// A choice in a `<select>`: value and label.
pub type Choice = (String, String);

/// What a disposition form offers: the outcomes and the agency's kept reasons.
#[derive(Debug, Clone)]
pub struct DispositionChoices {
    pub outcomes: Vec<Choice>,
    pub snippets: Vec<Choice>,
}

impl DispositionChoices {
    pub fn new(t: &T, snippets: Vec<desk::Snippet>) -> DispositionChoices {
        DispositionChoices {
            outcomes: Outcome::ALL
                .iter()
                .map(|o| (o.as_str().to_string(), t.s(&format!("outcome-{o}"))))
                .collect(),
            snippets: snippets.into_iter().map(|s| (s.id, s.body)).collect(),
        }
    }
}

/// The active drafters and reviewers, who may take review work.
pub fn colleagues(conn: &mut crate::db::DbConn) -> crate::error::AppResult<Vec<Choice>> {
    Ok(desk::active_users(conn)?
        .into_iter()
        .filter(|u| crate::domain::roles::Roles::from_stored(&u.roles).has_any(&READERS))
        .map(|u| (u.id, u.display_name))
        .collect())
}

/// A disposition from a form (`outcome`, `reason`, `snippet_id`).
pub fn disposition_input(form: &Form) -> SetDisposition {
    SetDisposition {
        outcome: form.text("outcome").unwrap_or_default(),
        reason: form.text("reason"),
        snippet_id: form.text("snippet_id"),
    }
}

/// "Keep this reason" ticked beside a written reason: the agency keeps it for reuse.
pub fn keep_reason_if_asked(
    conn: &mut crate::db::DbConn,
    actor: &service::Actor,
    now: chrono::DateTime<chrono::Utc>,
    agency: &str,
    form: &Form,
) -> crate::error::AppResult<()> {
    if form.checked("keep_reason")
        && let Some(reason) = form.text("reason")
    {
        service::desk::keep_reason(conn, actor, now, agency, &reason)?;
    }
    Ok(())
}

/// The triage filters as the page's form holds them.
#[derive(Debug, Clone, Default)]
pub struct TriageQuery {
    pub q: String,
    pub article: String,
    pub stakeholder_type: String,
    pub channel: String,
    pub status: String,
    pub group: String,
    pub outcome: String,
    pub disposition: String,
    pub assigned: String,
}

impl TriageQuery {
    pub fn from_form(qs: &Form) -> TriageQuery {
        let keep = |name: &str, ok: &dyn Fn(&str) -> bool| {
            qs.text(name).filter(|v| ok(v)).unwrap_or_default()
        };
        TriageQuery {
            q: qs
                .text("q")
                .map(|s| s.chars().take(200).collect())
                .unwrap_or_default(),
            article: keep("article", &|v| v.parse::<i32>().is_ok_and(|n| n > 0)),
            stakeholder_type: keep("stakeholder_type", &|v| StakeholderType::parse(v).is_some()),
            channel: keep("channel", &|v| Channel::parse(v).is_some()),
            status: keep("status", &|v| CommentStatus::parse(v).is_some()),
            group: keep("group", &|v| v.len() <= 64),
            outcome: keep("outcome", &|v| Outcome::parse(v).is_some()),
            disposition: keep("disposition", &|v| v == "none" || v == "missing_reason"),
            assigned: keep("assigned", &|v| v.len() <= 64),
        }
    }

    pub fn filter(&self, me: &str) -> TriageFilter {
        let some = |s: &String| Some(s.clone()).filter(|s| !s.is_empty());
        TriageFilter {
            article: self.article.parse().ok(),
            stakeholder_type: some(&self.stakeholder_type),
            channel: some(&self.channel),
            status: some(&self.status),
            group: match self.group.as_str() {
                "" => None,
                "none" => Some(GroupFilter::Ungrouped),
                g => Some(GroupFilter::Group(g.to_string())),
            },
            outcome: some(&self.outcome),
            undisposed: self.disposition == "none",
            missing_reason: self.disposition == "missing_reason",
            assigned_to: match self.assigned.as_str() {
                "" => None,
                "me" => Some(me.to_string()),
                u => Some(u.to_string()),
            },
            search: some(&self.q),
        }
    }

    pub fn pairs(&self) -> [(&'static str, &str); 9] {
        [
            ("q", &self.q),
            ("article", &self.article),
            ("stakeholder_type", &self.stakeholder_type),
            ("channel", &self.channel),
            ("status", &self.status),
            ("group", &self.group),
            ("outcome", &self.outcome),
            ("disposition", &self.disposition),
            ("assigned", &self.assigned),
        ]
    }

    pub fn is_empty(&self) -> bool {
        self.pairs().iter().all(|(_, v)| v.is_empty())
    }
}

pub struct TriageItem {
    pub id: String,
    pub tracking_number: String,
    pub article: Option<i32>,
    pub stakeholder: String,
    pub channel: String,
    pub status: String,
    pub hidden: bool,
    pub withheld: bool,
    pub submitted: String,
    pub excerpt: String,
    pub group: Option<(String, String)>,
    pub outcome: Option<String>,
    /// The outcome is the comment's own (an override of its group's).
    pub own_outcome: bool,
    pub assignee: Option<String>,
    pub checked: bool,
}

/// What the bulk form held when it was refused, so the officer does not type it again.
#[derive(Debug, Clone, Default)]
pub struct BulkKept {
    pub scope: String,
    pub ids: BTreeSet<String>,
    pub group_id: String,
    pub title: String,
    pub outcome: String,
    pub reason: String,
    pub snippet_id: String,
    pub assignee: String,
}

impl BulkKept {
    pub fn from_form(form: &Form) -> BulkKept {
        let get = |n: &str| form.get(n).unwrap_or_default().to_string();
        BulkKept {
            scope: get("scope"),
            ids: form.all("comment_id").into_iter().collect(),
            group_id: get("group_id"),
            title: get("title"),
            outcome: get("outcome"),
            reason: get("reason"),
            snippet_id: get("snippet_id"),
            assignee: get("assignee"),
        }
    }
}

#[derive(Template)]
#[template(path = "staff/desk.html")]
struct TriagePage {
    f: Frame,
    head: DeskHead,
    tq: TriageQuery,
    items: Vec<TriageItem>,
    pager: Pager,
    back: String,
    articles: Vec<Choice>,
    stakeholders: Vec<Choice>,
    channels: Vec<Choice>,
    statuses: Vec<Choice>,
    groups: Vec<Choice>,
    colleagues: Vec<Choice>,
    choices: DispositionChoices,
    kept: BulkKept,
    errors: Errors,
    message: Option<String>,
    check_all: bool,
    check_all_href: String,
}

fn vocabulary<V: Copy>(
    t: &T,
    all: &[V],
    id: impl Fn(V) -> &'static str,
    prefix: &str,
) -> Vec<Choice> {
    all.iter()
        .map(|v| (id(*v).to_string(), t.s(&format!("{prefix}-{}", id(*v)))))
        .collect()
}

/// The draft and the desk's head, or 404 / 403.
pub(super) async fn head_of(
    state: &AppState,
    who: &SignedIn,
    draft_id: &str,
    tab: &'static str,
) -> Result<(ReviewDraft, DeskHead), PageError> {
    who.require(&READERS)?;
    let id = draft_id.to_string();
    let actor = who.actor();
    let (draft, progress) = state
        .db(move |conn| {
            let draft = service::review::load_draft(conn, &id)?;
            actor.may(conn, Act::ReadDesk, &draft)?;
            let progress = service::desk::progress(conn, &draft)?;
            Ok((draft, progress))
        })
        .await?;
    let head = DeskHead::new(&draft, tab, progress, who);
    Ok((draft, head))
}

async fn render_triage(
    state: &AppState,
    req: &HttpRequest,
    who: &SignedIn,
    draft_id: String,
    qs: &Form,
    refused: Option<(Errors, Option<String>, BulkKept)>,
) -> PageResult {
    let (draft, head) = head_of(state, who, &draft_id, "comments").await?;
    let tq = TriageQuery::from_form(qs);
    let page_n = page_no(qs.get("page"));
    let check_all = qs.get("check") == Some("all");
    let filter = tq.filter(&who.user.id);
    let actor = who.actor();
    let (triage, articles, groups, people, snippets) = state
        .db(move |conn| {
            let triage = service::desk::triage(
                conn,
                &actor,
                &draft.id,
                &filter,
                (page_n - 1) * PER_PAGE,
                PER_PAGE,
            )?;
            let articles = crate::db::drafts::articles_of(conn, &draft.id)?;
            let groups = desk::group_choices(conn, &draft.id, draft.round)?;
            let people = colleagues(conn)?;
            let snippets = desk::snippets(conn, &draft.agency)?;
            Ok((triage, articles, groups, people, snippets))
        })
        .await?;
    let t = T::current();
    let lang = t.0;
    let names: HashMap<&str, &str> = people
        .iter()
        .map(|(id, n)| (id.as_str(), n.as_str()))
        .collect();
    let (errors, message, kept) = refused.unwrap_or_default();
    let items = triage
        .rows
        .into_iter()
        .map(|r| TriageItem {
            checked: check_all || kept.ids.contains(&r.id),
            stakeholder: labels::stakeholder_type(&r.stakeholder_type)
                .get(lang)
                .to_string(),
            channel: t.s(&format!("channel-{}", r.channel)),
            status: t.s(&format!("status-{}", r.status)),
            hidden: r.status == "hidden",
            withheld: r.withhold,
            submitted: when(state, r.submitted_at),
            group: r.group_id.clone().zip(r.group_title.clone()),
            own_outcome: r.own_outcome.is_some(),
            outcome: r
                .own_outcome
                .clone()
                .or(r.group_outcome.clone())
                .map(|o| t.s(&format!("outcome-{o}"))),
            assignee: r
                .assigned_to
                .as_deref()
                .or(r.group_assigned_to.as_deref())
                .map(|u| names.get(u).copied().unwrap_or(u).to_string()),
            id: r.id,
            tracking_number: r.tracking_number,
            article: r.article,
            excerpt: r.excerpt,
        })
        .collect();
    let path = format!("/staff/drafts/{}/comments", head.draft_id);
    let base = list_base(&path, &tq.pairs());
    let back = format!("{base}page={page_n}");
    let check_all_href = if check_all {
        back.clone()
    } else {
        format!("{back}&check=all")
    };
    let frame = Frame::new(state, req, who, "/staff/drafts");
    let status = super::refused_status(&errors, &message);
    page(
        status,
        &frame,
        &TriagePage {
            f: frame.clone(),
            pager: Pager::new(&base, page_n, PER_PAGE, triage.total),
            articles: articles
                .iter()
                .map(|a| (a.number.to_string(), t.n("article-no", i64::from(a.number))))
                .collect(),
            stakeholders: StakeholderType::ALL
                .iter()
                .map(|s| {
                    (
                        s.as_str().to_string(),
                        labels::stakeholder_type(s.as_str()).get(lang).to_string(),
                    )
                })
                .collect(),
            channels: vocabulary(&t, Channel::ALL, Channel::as_str, "channel"),
            statuses: vocabulary(&t, CommentStatus::ALL, CommentStatus::as_str, "status"),
            groups: groups
                .into_iter()
                .map(|(id, title, n)| (id, format!("{title} ({n})")))
                .collect(),
            colleagues: people,
            choices: DispositionChoices::new(&t, snippets),
            head,
            tq,
            items,
            back,
            kept,
            errors,
            message,
            check_all,
            check_all_href,
        },
    )
}

/// `GET /staff/drafts/{id}/comments?q=&article=&stakeholder_type=&channel=&status=&group=
/// &outcome=&disposition=none&assigned=&page=` (drafters, reviewers).
pub async fn show_triage(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: SignedIn,
    path: web::Path<String>,
) -> PageResult {
    let qs = query(&req);
    render_triage(&state, &req, &who, path.into_inner(), &qs, None).await
}

/// Where a bulk form was sent from (its `back`, if it is `path` or `path` with a query), and
/// that query's filters.
pub(super) fn back_of(form: &Form, path: &str) -> (String, Form) {
    let back = form
        .get("back")
        .map(super::safe_next)
        .filter(|b| b == path || b.starts_with(&format!("{path}?")))
        .unwrap_or_else(|| path.to_string());
    let qs = Form::parse(
        back.split_once('?')
            .map(|(_, q)| q)
            .unwrap_or("")
            .as_bytes(),
    );
    (back, qs)
}

/// The action a bulk form asks for.
fn bulk_action(form: &Form) -> Option<BulkAction> {
    Some(match form.get("action")? {
        "move" => BulkAction::MoveTo(form.text("group_id").filter(|g| g != "none")),
        "new_group" => BulkAction::NewGroup(form.text("title").unwrap_or_default()),
        "dispose" => BulkAction::Dispose(disposition_input(form)),
        "clear" => BulkAction::ClearDisposition,
        "assign" => BulkAction::Assign(form.text("assignee").filter(|a| a != "none")),
        _ => return None,
    })
}

/// The flash message of a bulk action that changed `n` comments.
fn done_message(t: &T, action: &BulkAction, n: i64) -> String {
    let id = match action {
        BulkAction::MoveTo(_) => "desk-moved",
        BulkAction::NewGroup(_) => "desk-grouped",
        BulkAction::Dispose(_) => "desk-disposed",
        BulkAction::ClearDisposition => "desk-cleared",
        BulkAction::Assign(_) => "desk-assigned",
    };
    t.n(id, n)
}

/// `POST /staff/drafts/{id}/comments` (`scope` = `checked` with a `comment_id` per checked
/// comment, or `matching` for every comment the filter in `back` finds; `action` with its
/// fields): one action on all of them, in one transaction.
pub async fn submit_bulk(
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
    let (back, qs) = back_of(&form, &format!("/staff/drafts/{draft_id}/comments"));
    let t = T::current();
    let Some(action) = bulk_action(&form) else {
        return Ok(redirect(
            &state,
            &back,
            Some(Flash::error(t.s("action-unknown"))),
        ));
    };
    let matching = form.get("scope") == Some("matching");
    let filter = TriageQuery::from_form(&qs).filter(&who.user.id);
    let checked = form.all("comment_id");
    let actor = who.actor();
    let now = state.clock.now();
    let config = state.config.clone();
    let id = draft_id.clone();
    let act = action.clone();
    let dispose = matches!(action, BulkAction::Dispose(_));
    let f2 = form.clone();
    let result = state
        .db(move |conn| {
            let ids = if matching {
                service::desk::matching_ids(conn, &actor, &id, &filter)?
            } else {
                checked
            };
            let n = service::desk::act_on_comments(conn, &config, &actor, now, &id, &ids, act)?;
            if dispose {
                let draft = service::review::load_draft(conn, &id)?;
                keep_reason_if_asked(conn, &actor, now, &draft.agency, &f2)?;
            }
            Ok(n)
        })
        .await;
    match result {
        Ok(n) => Ok(redirect(
            &state,
            &back,
            Some(Flash::success(done_message(&t, &action, n as i64))),
        )),
        Err(e) => {
            let (errors, message) = refusal(&e, t.0);
            let kept = BulkKept::from_form(&form);
            render_triage(
                &state,
                &req,
                &who,
                draft_id,
                &qs,
                Some((errors, message, kept)),
            )
            .await
        }
    }
}

#[derive(Debug, Clone)]
pub struct NoteView {
    pub author: String,
    pub at: String,
    pub body: String,
}

pub fn note_views(state: &AppState, notes: Vec<desk::NoteRow>) -> Vec<NoteView> {
    notes
        .into_iter()
        .map(|n| NoteView {
            author: n.author,
            at: when(state, n.created_at),
            body: n.body,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "staff/desk_comment.html")]
struct CommentPage {
    f: Frame,
    head: DeskHead,
    c: crate::db::comments::Comment,
    /// Whether the contact fields are shown.
    personal: bool,
    stakeholder: String,
    channel: String,
    status: String,
    submitted: String,
    group: Option<(String, String)>,
    effective: Option<(String, String, bool)>,
    assignee: String,
    groups: Vec<Choice>,
    colleagues: Vec<Choice>,
    choices: DispositionChoices,
    /// R8: the articles to tick when the comment's disposition changes the text.
    changes: Option<Vec<(String, String, bool)>>,
    /// R8: what the comment itself is linked to now.
    changed: String,
    changes_action: String,
    notes: Vec<NoteView>,
    kept: BulkKept,
    note: String,
    errors: Errors,
    message: Option<String>,
}

async fn render_comment(
    state: &AppState,
    req: &HttpRequest,
    who: &SignedIn,
    draft_id: String,
    comment_id: String,
    refused: Option<(Errors, Option<String>, Form)>,
) -> PageResult {
    let (draft, head) = head_of(state, who, &draft_id, "comments").await?;
    let actor = who.actor();
    let (c, personal, view, groups, people, snippets, notes, links) = state
        .db(move |conn| {
            let mut c = crate::db::comments::by_id(conn, &comment_id)?
                .filter(|c| c.draft_id == draft.id)
                .ok_or_else(crate::error::AppError::not_found)?;
            // R13: the contact fields only for those who need them (service::access).
            let personal = actor.can(conn, Act::ReadPersonal, &draft)?;
            if !personal {
                c.name = None;
                c.email = None;
                c.phone = None;
                c.region = None;
            }
            let view = service::review::comment_view(conn, &c.id)?;
            let groups = desk::group_choices(conn, &draft.id, draft.round)?;
            let people = colleagues(conn)?;
            let snippets = desk::snippets(conn, &draft.agency)?;
            let notes = desk::notes_of(conn, NoteOn::Comment.as_str(), &c.id)?;
            let links = (
                crate::db::drafts::articles_of_round(conn, &draft.id, c.round)?,
                crate::db::changes::of_opinion(conn, &c.id)?,
            );
            Ok((c, personal, view, groups, people, snippets, notes, links))
        })
        .await?;
    let t = T::current();
    let lang = t.0;
    let (errors, message, form) = refused.unwrap_or_default();
    let mut kept = BulkKept::from_form(&form);
    if form.0.is_empty() {
        kept.group_id = c.group_id.clone().unwrap_or_default();
        kept.outcome = c.outcome.clone().unwrap_or_default();
        kept.reason = c.reason.clone().unwrap_or_default();
        kept.assignee = c.assigned_to.clone().unwrap_or_default();
    }
    let assignee = c
        .assigned_to
        .as_deref()
        .and_then(|u| people.iter().find(|p| p.0 == u).map(|p| p.1.clone()))
        .unwrap_or_default();
    let group = c.group_id.as_ref().and_then(|g| {
        groups
            .iter()
            .find(|x| &x.0 == g)
            .map(|x| (x.0.clone(), x.1.clone()))
    });
    let panel = super::changes::LinkPanel::new(
        &t,
        c.round,
        &links.0,
        &links.1,
        view.effective.as_ref().map(|e| e.outcome.as_str()),
        &form,
    );
    let frame = Frame::new(state, req, who, "/staff/drafts");
    let status = super::refused_status(&errors, &message);
    page(
        status,
        &frame,
        &CommentPage {
            f: frame.clone(),
            changes: panel.changes,
            changed: panel.changed,
            changes_action: format!("/staff/drafts/{}/comments/{}", head.draft_id, c.id),
            stakeholder: labels::stakeholder_type(&c.stakeholder_type)
                .get(lang)
                .to_string(),
            channel: t.s(&format!("channel-{}", c.channel)),
            status: t.s(&format!("status-{}", c.status)),
            submitted: when(state, c.submitted_at),
            effective: view.effective.map(|e| {
                (
                    t.s(&format!("outcome-{}", e.outcome)),
                    e.reason.unwrap_or_default(),
                    e.source == "comment",
                )
            }),
            group,
            assignee,
            groups: groups
                .into_iter()
                .map(|(id, title, n)| (id, format!("{title} ({n})")))
                .collect(),
            colleagues: people,
            choices: DispositionChoices::new(&t, snippets),
            notes: note_views(state, notes),
            note: form.get("note").unwrap_or_default().to_string(),
            head,
            c,
            personal,
            kept,
            errors,
            message,
        },
    )
}

/// `GET /staff/drafts/{id}/comments/{cid}`.
pub async fn show_comment(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: SignedIn,
    path: web::Path<(String, String)>,
) -> PageResult {
    let (draft_id, comment_id) = path.into_inner();
    render_comment(&state, &req, &who, draft_id, comment_id, None).await
}

/// `POST /staff/drafts/{id}/comments/{cid}` (`action`: `move`, `dispose`, `clear`, `assign`,
/// `note` or `changes`, with its fields).
pub async fn submit_comment(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: SignedIn,
    path: web::Path<(String, String)>,
    payload: web::Payload,
) -> PageResult {
    let form = who.read_form(&state, &req, payload, &READERS).await?;
    let (draft_id, comment_id) = path.into_inner();
    let here = format!("/staff/drafts/{draft_id}/comments/{comment_id}");
    let t = T::current();
    let actor = who.actor();
    let now = state.clock.now();
    let config = state.config.clone();
    let (id, cid, f2) = (draft_id.clone(), comment_id.clone(), form.clone());
    let result = state
        .db(move |conn| {
            if f2.get("action") == Some("changes") {
                service::changes::set_changes(
                    conn,
                    &actor,
                    now,
                    service::changes::LinkFrom::Comment(&cid),
                    &super::changes::ticked_articles(&f2)?,
                )?;
                return Ok("changes-panel-saved");
            }
            if f2.get("action") == Some("note") {
                service::desk::add_note(
                    conn,
                    &actor,
                    now,
                    NoteOn::Comment,
                    &cid,
                    f2.get("note").unwrap_or_default(),
                )?;
                return Ok("desk-note-added");
            }
            let action = bulk_action(&f2).ok_or_else(|| {
                crate::error::AppError::field("action", crate::l!("未知的操作", "Unknown action"))
            })?;
            let done = match &action {
                BulkAction::MoveTo(_) => "desk-comment-moved",
                BulkAction::Dispose(_) => "desk-comment-disposed",
                BulkAction::ClearDisposition => "desk-comment-cleared",
                BulkAction::Assign(_) => "desk-comment-assigned",
                BulkAction::NewGroup(_) => "desk-comment-moved",
            };
            let dispose = matches!(action, BulkAction::Dispose(_));
            service::desk::act_on_comments(conn, &config, &actor, now, &id, &[cid], action)?;
            if dispose {
                let draft = service::review::load_draft(conn, &id)?;
                keep_reason_if_asked(conn, &actor, now, &draft.agency, &f2)?;
            }
            Ok(done)
        })
        .await;
    match result {
        Ok(done) => Ok(redirect(&state, &here, Some(Flash::success(t.s(done))))),
        // Not allowed at all: the 403 page (a refused value is shown again beside its field).
        Err(e) if e.kind == crate::error::ErrorKind::Forbidden => Err(e.into()),
        Err(e) => {
            let (errors, message) = refusal(&e, t.0);
            render_comment(
                &state,
                &req,
                &who,
                draft_id,
                comment_id,
                Some((errors, message, form)),
            )
            .await
        }
    }
}
