//! `/staff/drafts` and `/staff/drafts/{id}`: the drafts an officer may see, one draft with its
//! state, period, materials and review record, and a small form for each step this officer
//! may take now (R3–R7); offline opinions (R9).

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;

use super::{
    Errors, Flash, Form, Frame, PageError, PageResult, Pager, SignedIn, list_base, page, page_no,
    query, redirect, refusal, when,
};
use crate::app::AppState;
use crate::db::drafts::{self as q, Article, DraftRow, ExtensionRow, StepRow, Viewer};
use crate::db::materials::{self, MaterialRow};
use crate::db::users;
use crate::domain::roles::Role;
use crate::domain::workflow::{Action, DraftState};
use crate::http::pages::labels;
use crate::lang::Lang;
use crate::lang::ftl::T;
use crate::service;
use crate::service::access::{Act, OfAgency};
use crate::service::comments::OfflineCommentInput;
use crate::service::workflow::ActionInput;

const PER_PAGE: i64 = 25;

pub struct ListRow {
    pub id: String,
    pub title: String,
    pub index_no: String,
    pub agency: String,
    pub state_label: String,
    pub phase_label: String,
    pub closes_on: String,
    /// R8: "第二轮征求意见" for a draft past its first round.
    pub round_label: Option<String>,
}

#[derive(Template)]
#[template(path = "staff/drafts.html")]
struct DraftListPage {
    f: Frame,
    rows: Vec<ListRow>,
    pager: Pager,
    q: String,
    state_filter: String,
    agency: String,
    states: Vec<(String, String)>,
    agencies: Vec<String>,
    is_drafter: bool,
}

fn viewer(who: &SignedIn) -> Viewer {
    Viewer::Staff {
        id: who.user.id.clone(),
        roles: who.roles.clone(),
    }
}

/// `GET /staff/drafts?state=&agency=&q=&page=`.
pub async fn list_drafts(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: SignedIn,
) -> PageResult {
    let qs = query(&req);
    let text = qs.text("q").unwrap_or_default();
    let state_filter = qs
        .text("state")
        .filter(|s| DraftState::parse(s).is_some())
        .unwrap_or_default();
    let agency = qs.text("agency").unwrap_or_default();
    let page_n = page_no(qs.get("page"));
    let now = state.clock.now();
    let v = viewer(&who);
    let filter = q::ListFilter {
        q: Some(text.clone()).filter(|s| !s.is_empty()),
        agency: Some(agency.clone()).filter(|s| !s.is_empty()),
        state: Some(state_filter.clone()).filter(|s| !s.is_empty()),
        ..q::ListFilter::default()
    };
    let ((rows, total), (agencies, _)) = state
        .db(move |conn| {
            let list = q::list(conn, &v, &filter, now, (page_n - 1) * PER_PAGE, PER_PAGE)?;
            let facets = q::facets(conn, &v, now)?;
            Ok((list, facets))
        })
        .await?;
    let t = T::current();
    let lang = t.0;
    let rows = rows
        .iter()
        .map(|d| ListRow {
            id: d.id.clone(),
            title: d.title.clone(),
            index_no: d.index_no.clone(),
            agency: d.agency.clone(),
            state_label: t.s(&format!("state-{}", d.state)),
            phase_label: labels::phase(&d.state, d.phase(now)).get(lang).to_string(),
            closes_on: labels::date(d.closes_on, lang),
            round_label: (d.round > 1)
                .then(|| t.a("pub-round", "n", &crate::lang::round_number(d.round, lang))),
        })
        .collect();
    let base = list_base(
        "/staff/drafts",
        &[("q", &text), ("state", &state_filter), ("agency", &agency)],
    );
    let frame = Frame::new(&state, &req, &who, "/staff/drafts");
    page(
        StatusCode::OK,
        &frame,
        &DraftListPage {
            f: frame.clone(),
            rows,
            pager: Pager::new(&base, page_n, PER_PAGE, total),
            q: text,
            state_filter,
            agency,
            states: DraftState::ALL
                .iter()
                .map(|s| {
                    (
                        s.as_str().to_string(),
                        t.s(&format!("state-{}", s.as_str())),
                    )
                })
                .collect(),
            agencies,
            is_drafter: who.has(Role::Drafter),
        },
    )
}

pub struct StepLine {
    pub at: String,
    pub who: String,
    pub action: String,
    pub from: String,
    pub to: String,
    pub note: Option<String>,
    pub attested: bool,
}

pub struct ExtensionLine {
    pub at: String,
    pub from: String,
    pub to: String,
    pub reason: String,
}

pub struct MaterialLine {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub file: Option<(String, String)>,
}

/// One step form on the draft page, with what a refused attempt sent and why.
pub struct ActionForm {
    pub action: String,
    pub label: String,
    pub help: String,
    pub attest: bool,
    pub note: bool,
    pub note_required: bool,
    pub closes_on: bool,
    pub reason: bool,
    pub danger: bool,
    pub errors: Errors,
    pub message: Option<String>,
    pub values: HashMap<String, String>,
}

impl ActionForm {
    pub fn value(&self, name: &str) -> String {
        self.values.get(name).cloned().unwrap_or_default()
    }
}

#[derive(Template)]
#[template(path = "staff/draft.html")]
struct DraftPage {
    f: Frame,
    d: DraftRow,
    state_label: String,
    phase_label: String,
    kind_label: String,
    terms: Vec<String>,
    opens: String,
    closes: String,
    opens_at: Option<String>,
    articles: Vec<Article>,
    materials: Vec<MaterialLine>,
    steps: Vec<StepLine>,
    extensions: Vec<ExtensionLine>,
    actions: Vec<ActionForm>,
    can_edit: bool,
    can_enter_offline: bool,
    public: bool,
    /// The report room: for drafts that took comments, for those who may read a report.
    report_room: bool,
    /// The review desk: the draft's comments and groups (drafters, reviewers).
    desk: bool,
    /// R8: "第二轮征求意见" for a draft past its first round.
    round_label: Option<String>,
    /// R8: the next round's number, when this officer may open it now.
    next_round: Option<String>,
    /// R8: the page of the changes since the round before and the opinions behind them.
    changes: bool,
    drafter: String,
}

struct Loaded {
    d: DraftRow,
    articles: Vec<Article>,
    materials: Vec<MaterialRow>,
    steps: Vec<StepRow>,
    extensions: Vec<ExtensionRow>,
    names: HashMap<String, String>,
    /// R8: the round's adoption report is published (the next round may open).
    report_published: bool,
}

/// A 403 page unless the signed-in officer may do `act` to `d` (service::access).
async fn may(state: &AppState, who: &SignedIn, act: Act, d: &q::DraftRow) -> Result<(), PageError> {
    let actor = who.actor();
    let agency = d.agency_code.clone();
    state
        .db(move |conn| actor.may(conn, act, &OfAgency(&agency)))
        .await?;
    Ok(())
}

async fn load(state: &AppState, who: &SignedIn, id: String) -> Result<Loaded, PageError> {
    let v = viewer(who);
    state
        .db(move |conn| {
            let d = q::find(conn, &id)?.ok_or_else(crate::error::AppError::not_found)?;
            // R8: a later round this officer may not see yet reads as the round before it.
            let d = q::view_of_round(conn, d, &v, None)?
                .ok_or_else(crate::error::AppError::not_found)?;
            let names = users::list(conn)?
                .into_iter()
                .map(|u| (u.id, u.display_name))
                .collect();
            let report_published = crate::db::reports::latest(conn, &id, d.round)?
                .is_some_and(|r| r.state == "published");
            Ok(Loaded {
                report_published,
                articles: q::articles_of_round(conn, &id, d.round)?,
                materials: materials::of_draft(conn, &id, d.round)?,
                steps: q::steps_of(conn, &id)?,
                extensions: q::extensions_of(conn, &id, d.round)?,
                d,
                names,
            })
        })
        .await
        .map_err(PageError::from)
}

fn action_form(t: T, action: Action) -> ActionForm {
    let a = action.as_str();
    ActionForm {
        action: a.to_string(),
        label: t.s(&format!("action-{a}")),
        help: t.s(&format!("action-{a}-help")),
        attest: action.needs_attestation(),
        note: !matches!(action, Action::Extend | Action::Withdraw),
        note_required: action == Action::Return,
        closes_on: action == Action::Extend,
        reason: matches!(action, Action::Extend | Action::Withdraw),
        danger: matches!(action, Action::Return | Action::Withdraw),
        errors: Errors::default(),
        message: None,
        values: HashMap::new(),
    }
}

/// A refused step: which action, what was sent, why.
struct Refused {
    action: Action,
    form: Form,
    error: crate::error::AppError,
}

async fn render_draft(
    state: &AppState,
    req: &HttpRequest,
    who: &SignedIn,
    id: String,
    refused: Option<Refused>,
) -> PageResult {
    let l = load(state, who, id).await?;
    let now = state.clock.now();
    let t = T::current();
    let lang = t.0;
    let d = l.d;
    let tz = state.config.timezone();
    // Officers of another agency are offered no step (service::access).
    let steps = may(state, who, Act::Step, &d).await.is_ok();
    let mut actions: Vec<ActionForm> = service::workflow::available_actions(&d, &who.actor(), now)
        .into_iter()
        .filter(|_| steps)
        .map(|a| action_form(t, a))
        .collect();
    let mut status = StatusCode::OK;
    if let Some(r) = refused {
        status = crate::http::error::status_of(r.error.kind);
        let (errors, message) = refusal(&r.error, lang);
        if !actions.iter().any(|f| f.action == r.action.as_str()) {
            actions.push(action_form(t, r.action));
        }
        if let Some(form) = actions.iter_mut().find(|f| f.action == r.action.as_str()) {
            form.errors = errors;
            form.message = message;
            form.values = r.form.0.into_iter().collect();
        }
    }
    let name = |id: &str| l.names.get(id).cloned().unwrap_or_else(|| id.to_string());
    let page_data = DraftPage {
        f: Frame::new(state, req, who, "/staff/drafts"),
        state_label: t.s(&format!("state-{}", d.state)),
        phase_label: labels::phase(&d.state, d.phase(now)).get(lang).to_string(),
        kind_label: labels::draft_kind(&d.kind).get(lang).to_string(),
        terms: d.subject_terms(),
        opens: labels::date(d.opens_on, lang),
        closes: labels::date(d.closes_on, lang),
        opens_at: d.opens_at.map(|o| labels::instant(o.and_utc(), tz, lang)),
        articles: l.articles,
        materials: l
            .materials
            .iter()
            .map(|m| MaterialLine {
                id: m.id.clone(),
                kind: labels::material_kind(&m.kind).get(lang).to_string(),
                title: m.title.clone(),
                body: m.body.clone(),
                file: m
                    .file_name
                    .clone()
                    .map(|n| (n, labels::size(m.file_size.unwrap_or(0)))),
            })
            .collect(),
        steps: l
            .steps
            .iter()
            .map(|s| StepLine {
                at: when(state, s.at),
                who: name(&s.actor_id),
                action: t.s(&format!("action-{}", s.action)),
                from: t.s(&format!("state-{}", s.from_state)),
                to: t.s(&format!("state-{}", s.to_state)),
                note: s.note.clone(),
                attested: s.attested,
            })
            .collect(),
        extensions: l
            .extensions
            .iter()
            .map(|e| ExtensionLine {
                at: when(state, e.at),
                from: labels::date(e.previous_closes_on, lang),
                to: labels::date(e.new_closes_on, lang),
                reason: e.reason.clone(),
            })
            .collect(),
        actions,
        can_edit: d.drafter_id == who.user.id && d.state == DraftState::Drafting.as_str(),
        can_enter_offline: who.has(Role::Drafter) && d.state == DraftState::Published.as_str(),
        public: d.state().is_some_and(|s| s.is_public()),
        report_room: matches!(d.state.as_str(), "published" | "concluded" | "withdrawn")
            && who
                .roles
                .has_any(&[Role::Drafter, Role::Reviewer, Role::Approver, Role::Admin]),
        desk: matches!(d.state.as_str(), "published" | "concluded" | "withdrawn")
            && who.roles.has_any(&super::desk::READERS),
        next_round: (d.drafter_id == who.user.id
            && d.state == DraftState::Concluded.as_str()
            && l.report_published)
            .then(|| crate::lang::round_number(d.round + 1, lang)),
        changes: d.round > 1 && who.roles.has_any(&super::desk::READERS),
        round_label: (d.round > 1)
            .then(|| t.a("pub-round", "n", &crate::lang::round_number(d.round, lang))),
        drafter: name(&d.drafter_id),
        d,
    };
    let frame = page_data.f.clone();
    page(status, &frame, &page_data)
}

/// `GET /staff/drafts/{id}`.
pub async fn show_draft(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: SignedIn,
    path: web::Path<String>,
) -> PageResult {
    render_draft(&state, &req, &who, path.into_inner(), None).await
}

fn parse_action(s: &str) -> Option<Action> {
    Action::ALL.into_iter().find(|a| a.as_str() == s)
}

/// `POST /staff/drafts/{id}/actions` (`action`, `note`, `attest_no_confidential`,
/// `closes_on`, `reason`): one step; refusals appear beside the step's form.
pub async fn submit_action(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: SignedIn,
    path: web::Path<String>,
    payload: web::Payload,
) -> PageResult {
    let form = who
        .read_form(
            &state,
            &req,
            payload,
            &[Role::Drafter, Role::Reviewer, Role::Approver],
        )
        .await?;
    let id = path.into_inner();
    let t = T::current();
    let Some(action) = form.get("action").and_then(parse_action) else {
        return Ok(redirect(
            &state,
            &format!("/staff/drafts/{id}"),
            Some(Flash::error(t.s("action-unknown"))),
        ));
    };
    let closes_on = match form.text("closes_on") {
        None => None,
        Some(s) => match NaiveDate::parse_from_str(&s, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                let error = crate::error::AppError::field(
                    "closes_on",
                    crate::lang::ftl::both("date-invalid"),
                );
                return render_draft(
                    &state,
                    &req,
                    &who,
                    id,
                    Some(Refused {
                        action,
                        form,
                        error,
                    }),
                )
                .await;
            }
        },
    };
    let input = ActionInput {
        action,
        note: form.text("note"),
        attest_no_confidential: Some(form.checked("attest_no_confidential")),
        closes_on,
        reason: form.text("reason"),
    };
    let now = state.clock.now();
    let config = state.config.clone();
    let actor = who.actor();
    let key = id.clone();
    let result = state
        .db(move |conn| service::workflow::act(conn, &config, &actor, now, &key, &input))
        .await;
    state.comments.forget_draft(&id);
    match result {
        Ok(()) => Ok(redirect(
            &state,
            &format!("/staff/drafts/{id}"),
            Some(Flash::success(t.s(&format!("done-{}", action.as_str())))),
        )),
        Err(e) if e.kind == crate::error::ErrorKind::NotFound => Err(PageError::NotFound),
        Err(error) => {
            render_draft(
                &state,
                &req,
                &who,
                id,
                Some(Refused {
                    action,
                    form,
                    error,
                }),
            )
            .await
        }
    }
}

/// `GET /staff/materials/{id}/file`: a material's file for staff who may see its draft.
pub async fn get_material_file(
    state: web::Data<AppState>,
    who: SignedIn,
    path: web::Path<String>,
) -> PageResult {
    let id = path.into_inner();
    let v = viewer(&who);
    let (m, data) = state
        .db(move |conn| {
            let m = materials::find(conn, &id)?.ok_or_else(crate::error::AppError::not_found)?;
            let d = q::find(conn, &m.draft_id)?.ok_or_else(crate::error::AppError::not_found)?;
            if !v.can_see(&d) {
                return Err(crate::error::AppError::not_found());
            }
            let data = materials::file_data(conn, &id)?;
            Ok((m, data))
        })
        .await?;
    let (Some(data), Some(name), Some(content_type)) = (data, m.file_name, m.file_content_type)
    else {
        return Err(PageError::NotFound);
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header((
            header::CONTENT_DISPOSITION,
            crate::domain::files::content_disposition(&name),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; sandbox",
        ))
        .body(data))
}

#[derive(Template)]
#[template(path = "staff/offline.html")]
struct OfflinePage {
    f: Frame,
    d: DraftRow,
    articles: Vec<Article>,
    errors: Errors,
    message: Option<String>,
    values: HashMap<String, String>,
    channels: Vec<(String, String)>,
    types: Vec<(String, String)>,
}

impl OfflinePage {
    fn value(&self, name: &str) -> String {
        self.values.get(name).cloned().unwrap_or_default()
    }
}

#[expect(clippy::too_many_arguments, reason = "a page with its refused input")]
async fn render_offline(
    state: &AppState,
    req: &HttpRequest,
    who: &SignedIn,
    id: String,
    status: StatusCode,
    errors: Errors,
    message: Option<String>,
    values: HashMap<String, String>,
) -> PageResult {
    who.require(&[Role::Drafter])?;
    let l = load(state, who, id).await?;
    may(state, who, Act::Review, &l.d).await?;
    let t = T::current();
    let lang = t.0;
    let frame = Frame::new(state, req, who, "/staff/drafts");
    let channels = ["letter", "email", "hearing", "symposium", "phone"]
        .iter()
        .map(|c| (c.to_string(), t.s(&format!("channel-{c}"))))
        .collect();
    let types = crate::domain::comment::StakeholderType::ALL
        .iter()
        .map(|s| {
            (
                s.as_str().to_string(),
                labels::stakeholder_type(s.as_str()).get(lang).to_string(),
            )
        })
        .collect();
    page(
        status,
        &frame,
        &OfflinePage {
            f: frame.clone(),
            d: l.d,
            articles: l.articles,
            errors,
            message,
            values,
            channels,
            types,
        },
    )
}

/// `GET /staff/drafts/{id}/offline`: the form for an opinion that came by letter, email,
/// hearing, symposium or phone.
pub async fn show_offline_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: SignedIn,
    path: web::Path<String>,
) -> PageResult {
    render_offline(
        &state,
        &req,
        &who,
        path.into_inner(),
        StatusCode::OK,
        Errors::default(),
        None,
        HashMap::new(),
    )
    .await
}

/// `POST /staff/drafts/{id}/offline`: enters it (the same checks as the API).
pub async fn submit_offline_form(
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
    let article = form.text("article").map(|a| a.parse::<i32>());
    let values: HashMap<String, String> = form.0.iter().cloned().collect();
    let t = T::current();
    let article = match article {
        Some(Err(_)) => {
            let mut errors = Errors::default();
            errors.push("article", t.s("article-number-invalid"));
            return render_offline(
                &state,
                &req,
                &who,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                errors,
                None,
                values,
            )
            .await;
        }
        Some(Ok(n)) => Some(n),
        None => None,
    };
    let input = OfflineCommentInput {
        channel: form.text("channel"),
        body: form.get("body").map(String::from),
        article,
        stakeholder_type: form.text("stakeholder_type"),
        organization: form.text("organization"),
        name: form.text("name"),
        email: form.text("email"),
        phone: form.text("phone"),
        region: form.text("region"),
        publish_name: Some(form.checked("publish_name")),
        withhold: Some(form.checked("withhold")),
        consent: Some(form.checked("consent")),
    };
    let now = state.clock.now();
    let config = state.config.clone();
    let secret = state.secret.clone();
    let actor = who.actor();
    let key = id.clone();
    let result = state
        .db(move |conn| {
            service::comments::enter_offline(conn, &config, &secret, &actor, now, &key, input)
        })
        .await;
    match result {
        Ok(entered) => Ok(redirect(
            &state,
            &format!("/staff/drafts/{id}/offline"),
            Some(Flash::success(t.a(
                "offline-entered",
                "tracking",
                &entered.comment.tracking_number,
            ))),
        )),
        Err(e) if e.kind == crate::error::ErrorKind::NotFound => Err(PageError::NotFound),
        Err(e) if e.kind == crate::error::ErrorKind::Forbidden => Err(e.into()),
        Err(e) => {
            let (errors, message) = refusal(&e, Lang::current());
            render_offline(
                &state,
                &req,
                &who,
                id,
                crate::http::error::status_of(e.kind),
                errors,
                message,
                values,
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "staff/invitations.html")]
struct InvitationsPage {
    f: Frame,
    d: DraftRow,
    errors: Errors,
    message: Option<String>,
    values: HashMap<String, String>,
    zone: String,
}

impl InvitationsPage {
    fn value(&self, name: &str) -> String {
        self.values.get(name).cloned().unwrap_or_default()
    }
}

async fn render_invitations(
    state: &AppState,
    req: &HttpRequest,
    who: &SignedIn,
    id: String,
    status: StatusCode,
    (errors, message): (Errors, Option<String>),
    values: HashMap<String, String>,
) -> PageResult {
    who.require(&[Role::Drafter])?;
    let l = load(state, who, id).await?;
    may(state, who, Act::Review, &l.d).await?;
    let frame = Frame::new(state, req, who, "/staff/drafts");
    let zone = labels::zone(state.config.timezone(), frame.t.0);
    page(
        status,
        &frame,
        &InvitationsPage {
            f: frame.clone(),
            d: l.d,
            errors,
            message,
            values,
            zone,
        },
    )
}

/// `GET /staff/drafts/{id}/invitations`: invite people to a hearing or symposium (R22).
pub async fn show_invitations(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: SignedIn,
    path: web::Path<String>,
) -> PageResult {
    let mut values = HashMap::new();
    values.insert("locale".to_string(), Lang::current().code().to_string());
    let none = (Errors::default(), None);
    render_invitations(
        &state,
        &req,
        &who,
        path.into_inner(),
        StatusCode::OK,
        none,
        values,
    )
    .await
}

/// `POST /staff/drafts/{id}/invitations` (`emails` one per line, or `subscribers` for the
/// draft's subscribers; `kind`, `starts_at` as local date and time, `place`, `locale`).
pub async fn submit_invitations(
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
    let values: HashMap<String, String> = form.0.iter().cloned().collect();
    let t = T::current();
    // The form gives a local date and time (`datetime-local`); the service takes an instant.
    let tz = state.config.timezone();
    let starts_at = form
        .text("starts_at")
        .and_then(|s| chrono::NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M").ok())
        .and_then(|local| local.and_local_timezone(tz).earliest())
        .map(|t| t.with_timezone(&chrono::Utc).to_rfc3339())
        .unwrap_or_else(|| form.get("starts_at").unwrap_or_default().to_string());
    let emails: Vec<String> = form
        .get("emails")
        .unwrap_or_default()
        .split(['\n', ',', ';', '，', '；'])
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(String::from)
        .collect();
    let subscribers = form.checked("subscribers");
    let input = crate::service::invitations::InvitationBody {
        emails: (!emails.is_empty()).then_some(emails),
        scope: subscribers.then(|| crate::service::subscriptions::ScopeBody {
            kind: "draft".into(),
            value: Some(id.clone()),
        }),
        event: crate::service::invitations::EventBody {
            kind: form.get("kind").unwrap_or_default().to_string(),
            starts_at,
            place: form.get("place").unwrap_or_default().to_string(),
        },
        locale: form.text("locale"),
    };
    let now = state.clock.now();
    let config = state.config.clone();
    let actor = who.actor();
    let key = id.clone();
    let result = state
        .db(move |conn| service::invitations::invite(conn, &config, &actor, now, &key, &input))
        .await;
    match result {
        Ok(n) => Ok(redirect(
            &state,
            &format!("/staff/drafts/{id}"),
            Some(Flash::success(t.n("invitations-queued", n as i64))),
        )),
        Err(e)
            if matches!(
                e.kind,
                crate::error::ErrorKind::NotFound | crate::error::ErrorKind::Forbidden
            ) =>
        {
            Err(e.into())
        }
        Err(e) => {
            let (mut errors, message) = refusal(&e, Lang::current());
            // The API names the event's fields `event.kind`…; the form has `kind`….
            for (field, _) in errors.0.iter_mut() {
                if let Some(rest) = field.strip_prefix("event.") {
                    *field = rest.to_string();
                } else if field.starts_with("emails[") {
                    *field = "emails".to_string();
                }
            }
            render_invitations(
                &state,
                &req,
                &who,
                id,
                crate::http::error::status_of(e.kind),
                (errors, message),
                values,
            )
            .await
        }
    }
}
