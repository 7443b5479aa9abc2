//! `/staff/drafts/new` and `/staff/drafts/{id}/edit`: the draft editor (R1, R4) — fields, the
//! period with the earliest allowed closing date beside it, and the articles as a list that can
//! be added to, removed from and reordered without JavaScript, or filled from pasted text;
//! materials are uploaded here too (R2).

use std::collections::BTreeMap;

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, web};
use askama::Template;
use chrono::{NaiveDate, TimeDelta};
use futures_util::StreamExt;

use super::{Errors, Flash, Form, Frame, PageError, PageResult, SignedIn, page, redirect, refusal};
use crate::app::AppState;
use crate::db::drafts as q;
use crate::db::materials;
use crate::domain::period;
use crate::domain::roles::Role;
use crate::domain::workflow::{DraftKind, MaterialKind};
use crate::error::AppError;
use crate::http::pages::labels;
use crate::lang::Lang;
use crate::lang::ftl::T;
use crate::service;
use crate::service::drafts::{
    ArticleInput, DraftInput, DraftPatch, NewMaterial, PeriodInput, UploadedFile,
};

/// The editor's fields as the officer typed them.
#[derive(Debug, Clone, Default)]
pub struct Values {
    pub title: String,
    pub doc_number: String,
    pub agency: String,
    pub category: String,
    pub subject_terms: String,
    pub kind: String,
    pub enterprise_related: bool,
    pub summary: String,
    pub opens_on: String,
    pub closes_on: String,
    pub articles: Vec<(String, String)>,
    pub paste: String,
}

impl Values {
    fn from_form(form: &Form) -> Values {
        let mut articles: BTreeMap<usize, (String, String)> = BTreeMap::new();
        for (k, v) in &form.0 {
            let Some(rest) = k.strip_prefix("articles[") else {
                continue;
            };
            let Some((n, field)) = rest.split_once("].") else {
                continue;
            };
            let Ok(n) = n.parse::<usize>() else { continue };
            if n > 1000 {
                continue;
            }
            let entry = articles.entry(n).or_default();
            match field {
                "heading" => entry.0 = v.clone(),
                "text" => entry.1 = v.clone(),
                _ => {}
            }
        }
        Values {
            title: form.get("title").unwrap_or_default().to_string(),
            doc_number: form.get("doc_number").unwrap_or_default().to_string(),
            agency: form.get("agency").unwrap_or_default().to_string(),
            category: form.get("category").unwrap_or_default().to_string(),
            subject_terms: form.get("subject_terms").unwrap_or_default().to_string(),
            kind: form.get("kind").unwrap_or_default().to_string(),
            enterprise_related: form.checked("enterprise_related"),
            summary: form.get("summary").unwrap_or_default().to_string(),
            // The API's names for the period's fields.
            opens_on: form
                .get("comment_period.opens_on")
                .unwrap_or_default()
                .to_string(),
            closes_on: form
                .get("comment_period.closes_on")
                .unwrap_or_default()
                .to_string(),
            articles: articles.into_values().collect(),
            paste: form.get("articles_paste").unwrap_or_default().to_string(),
        }
    }

    fn terms(&self) -> Vec<String> {
        self.subject_terms
            .split(['\n', ',', '，', '、', ';', '；'])
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(String::from)
            .collect()
    }

    fn article_inputs(&self) -> Vec<ArticleInput> {
        self.articles
            .iter()
            .filter(|(h, t)| !(h.trim().is_empty() && t.trim().is_empty()))
            .map(|(h, t)| ArticleInput {
                heading: Some(h.trim().to_string()).filter(|h| !h.is_empty()),
                text: t.clone(),
            })
            .collect()
    }
}

fn date_field(value: &str, field: &str, errors: &mut Errors, t: T) -> Option<NaiveDate> {
    match NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(field, t.s("date-invalid"));
            None
        }
    }
}

#[derive(Template)]
#[template(path = "staff/editor.html")]
struct EditorPage {
    f: Frame,
    /// `None` for a new draft.
    id: Option<String>,
    heading: String,
    v: Values,
    errors: Errors,
    message: Option<String>,
    kinds: Vec<(String, String)>,
    earliest: String,
    min_days: u32,
    major_days: u32,
    material_kinds: Vec<(String, String)>,
    materials: Vec<(String, String, Option<String>)>,
    material_errors: Errors,
    max_upload_mb: usize,
}

impl EditorPage {
    /// The one-line fields: name, label, value, hint.
    fn text_fields(&self) -> Vec<(&'static str, &'static str, String, &'static str)> {
        vec![
            ("title", "field-title", self.v.title.clone(), ""),
            (
                "doc_number",
                "field-doc-number",
                self.v.doc_number.clone(),
                "hint-doc-number",
            ),
            ("agency", "field-agency", self.v.agency.clone(), ""),
            (
                "category",
                "field-category",
                self.v.category.clone(),
                "hint-category",
            ),
        ]
    }

    /// The errors of article `i`'s text (the service names it `articles[i].text`).
    fn article_error(&self, i: &usize) -> String {
        self.errors.of(&format!("articles[{i}].text"))
    }
}

#[expect(clippy::too_many_arguments, reason = "a page with its refused input")]
async fn render(
    state: &AppState,
    req: &HttpRequest,
    who: &SignedIn,
    id: Option<String>,
    status: StatusCode,
    v: Values,
    errors: Errors,
    message: Option<String>,
    material_errors: Errors,
) -> PageResult {
    let t = T::current();
    let lang = t.0;
    let kinds = [
        DraftKind::NormativeDocument,
        DraftKind::Regulation,
        DraftKind::MajorDecision,
        DraftKind::Other,
    ]
    .iter()
    .map(|k| {
        (
            k.as_str().to_string(),
            labels::draft_kind(k.as_str()).get(lang).to_string(),
        )
    })
    .collect();
    let tz = state.config.timezone();
    let today = period::local_date(tz, state.clock.now());
    let opens = NaiveDate::parse_from_str(v.opens_on.trim(), "%Y-%m-%d").unwrap_or(today);
    let kind = if v.kind.is_empty() {
        DraftKind::NormativeDocument.as_str().to_string()
    } else {
        v.kind.clone()
    };
    let earliest = service::drafts::earliest_closes_on(&state.config, &kind, opens);
    let materials = match &id {
        Some(draft_id) => {
            let key = draft_id.clone();
            state
                .db(move |conn| {
                    let round = q::current_round(conn, &key)?;
                    Ok(materials::of_draft(conn, &key, round)?)
                })
                .await?
                .into_iter()
                .map(|m| {
                    (
                        labels::material_kind(&m.kind).get(lang).to_string(),
                        m.title,
                        m.file_name,
                    )
                })
                .collect()
        }
        None => Vec::new(),
    };
    let material_kinds = [
        MaterialKind::Explanation,
        MaterialKind::Basis,
        MaterialKind::Interpretation,
        MaterialKind::Faq,
        MaterialKind::HearingRecord,
        MaterialKind::Attachment,
    ]
    .iter()
    .map(|k| {
        (
            k.as_str().to_string(),
            labels::material_kind(k.as_str()).get(lang).to_string(),
        )
    })
    .collect();
    let frame = Frame::new(state, req, who, "/staff/drafts");
    page(
        status,
        &frame,
        &EditorPage {
            f: frame.clone(),
            heading: if id.is_some() {
                t.s("edit-draft")
            } else {
                t.s("new-draft")
            },
            id,
            v,
            errors,
            message,
            kinds,
            earliest: labels::date(earliest, lang),
            min_days: state.config.window.min_days,
            major_days: state.config.window.major_decision_min_days,
            material_kinds,
            materials,
            material_errors,
            max_upload_mb: state.config.limits.max_upload_bytes / (1024 * 1024),
        },
    )
}

/// `GET /staff/drafts/new` (drafter).
pub async fn show_new_draft(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: SignedIn,
) -> PageResult {
    who.require(&[Role::Drafter])?;
    let tz = state.config.timezone();
    let opens = period::local_date(tz, state.clock.now()) + TimeDelta::days(7);
    let closes = service::drafts::earliest_closes_on(
        &state.config,
        DraftKind::NormativeDocument.as_str(),
        opens,
    );
    let v = Values {
        kind: DraftKind::NormativeDocument.as_str().into(),
        opens_on: opens.to_string(),
        closes_on: closes.to_string(),
        articles: vec![(String::new(), String::new())],
        ..Values::default()
    };
    render(
        &state,
        &req,
        &who,
        None,
        StatusCode::OK,
        v,
        Errors::default(),
        None,
        Errors::default(),
    )
    .await
}

/// The editor's own buttons (`op`): add, remove, move an article, split pasted text. They
/// change the list on the page; nothing is stored until "save".
fn apply_op(op: &str, v: &mut Values) -> bool {
    if op == "add" {
        v.articles.push((String::new(), String::new()));
        return true;
    }
    if op == "split" {
        let split = service::drafts::split_articles(&v.paste);
        if !split.is_empty() {
            let only_blank = v
                .articles
                .iter()
                .all(|(h, t)| h.trim().is_empty() && t.trim().is_empty());
            if only_blank {
                v.articles.clear();
            }
            v.articles.extend(
                split
                    .into_iter()
                    .map(|a| (a.heading.unwrap_or_default(), a.text)),
            );
            v.paste.clear();
        }
        return true;
    }
    let Some((verb, n)) = op.split_once('-') else {
        return false;
    };
    let Ok(i) = n.parse::<usize>() else {
        return false;
    };
    if i >= v.articles.len() {
        return true;
    }
    match verb {
        "remove" => {
            v.articles.remove(i);
        }
        "up" if i > 0 => v.articles.swap(i, i - 1),
        "down" if i + 1 < v.articles.len() => v.articles.swap(i, i + 1),
        _ => {}
    }
    true
}

/// Turns the form into the service's input, or the errors beside the fields.
fn input_of(v: &Values, t: T) -> Result<DraftInput, Errors> {
    let mut errors = Errors::default();
    let opens = date_field(&v.opens_on, "opens_on", &mut errors, t);
    let closes = date_field(&v.closes_on, "closes_on", &mut errors, t);
    let kind = DraftKind::parse(&v.kind);
    if kind.is_none() {
        errors.push("kind", t.s("choose-kind"));
    }
    match (opens, closes, kind) {
        (Some(opens_on), Some(closes_on), Some(kind)) if errors.is_empty() => Ok(DraftInput {
            title: v.title.clone(),
            doc_number: Some(v.doc_number.clone()).filter(|d| !d.trim().is_empty()),
            agency: v.agency.clone(),
            category: v.category.clone(),
            subject_terms: v.terms(),
            kind,
            enterprise_related: v.enterprise_related,
            summary: v.summary.clone(),
            articles: v.article_inputs(),
            comment_period: PeriodInput {
                opens_on,
                closes_on,
            },
        }),
        _ => Err(errors),
    }
}

/// `POST /staff/drafts/new`: an editor button, or "save" → the new draft.
pub async fn submit_new_draft(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: SignedIn,
    payload: web::Payload,
) -> PageResult {
    submit_editor(&state, &req, &who, None, payload).await
}

/// `POST /staff/drafts/{id}/edit`: an editor button, or "save" → the changed draft.
pub async fn submit_edit_draft(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: SignedIn,
    path: web::Path<String>,
    payload: web::Payload,
) -> PageResult {
    submit_editor(&state, &req, &who, Some(path.into_inner()), payload).await
}

/// The editor's POST: its own buttons change the page; "save" creates the draft (`id` is
/// `None`) or changes it, then 303 to the editor with a message.
async fn submit_editor(
    state: &AppState,
    req: &HttpRequest,
    who: &SignedIn,
    id: Option<String>,
    payload: web::Payload,
) -> PageResult {
    let form = who.read_form(state, req, payload, &[Role::Drafter]).await?;
    let t = T::current();
    let mut v = Values::from_form(&form);
    let op = form.get("op").unwrap_or("save").to_string();
    if op != "save" && apply_op(&op, &mut v) {
        let none = Errors::default();
        return render(
            state,
            req,
            who,
            id,
            StatusCode::OK,
            v,
            none,
            None,
            Errors::default(),
        )
        .await;
    }
    let input = match input_of(&v, t) {
        Ok(input) => input,
        Err(errors) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return render(
                state,
                req,
                who,
                id,
                status,
                v,
                errors,
                None,
                Errors::default(),
            )
            .await;
        }
    };
    let now = state.clock.now();
    let config = state.config.clone();
    let actor = who.actor();
    let key = id.clone();
    let result = state
        .db(move |conn| match key {
            None => service::drafts::create_draft(conn, &config, &actor, now, input),
            Some(key) => {
                let patch = DraftPatch {
                    title: Some(input.title),
                    doc_number: Some(input.doc_number.unwrap_or_default()),
                    agency: Some(input.agency),
                    category: Some(input.category),
                    subject_terms: Some(input.subject_terms),
                    kind: Some(input.kind),
                    enterprise_related: Some(input.enterprise_related),
                    summary: Some(input.summary),
                    articles: Some(input.articles),
                    comment_period: Some(input.comment_period),
                };
                service::drafts::update_draft(conn, &config, &actor, now, &key, patch)?;
                Ok(key)
            }
        })
        .await;
    match result {
        Ok(saved) => Ok(redirect(
            state,
            &format!("/staff/drafts/{saved}/edit"),
            Some(Flash::success(t.s(if id.is_some() {
                "draft-saved"
            } else {
                "draft-created"
            }))),
        )),
        Err(e) => refused(state, req, who, id, v, e).await,
    }
}

async fn refused(
    state: &AppState,
    req: &HttpRequest,
    who: &SignedIn,
    id: Option<String>,
    v: Values,
    e: AppError,
) -> PageResult {
    if matches!(
        e.kind,
        crate::error::ErrorKind::Forbidden | crate::error::ErrorKind::NotFound
    ) {
        return Err(e.into());
    }
    let (mut errors, message) = refusal(&e, Lang::current());
    // The API names the period's fields `comment_period.opens_on`; the form has `opens_on`.
    for (field, _) in errors.0.iter_mut() {
        if let Some(rest) = field.strip_prefix("comment_period.") {
            *field = rest.to_string();
        }
    }
    render(
        state,
        req,
        who,
        id,
        crate::http::error::status_of(e.kind),
        v,
        errors,
        message,
        Errors::default(),
    )
    .await
}

/// The editor's values of a stored draft.
async fn stored_values(state: &AppState, who: &SignedIn, id: &str) -> Result<Values, PageError> {
    let key = id.to_string();
    let me = who.user.id.clone();
    let actor = who.actor();
    let (d, articles) = state
        .db(move |conn| {
            let d = q::find(conn, &key)?.ok_or_else(AppError::not_found)?;
            actor.may(conn, crate::service::access::Act::Draft, &d)?;
            service::drafts::check_own_drafting(&d, &me)?;
            let articles = q::articles_of(conn, &key)?;
            Ok((d, articles))
        })
        .await?;
    Ok(Values {
        title: d.title.clone(),
        doc_number: d.doc_number.clone().unwrap_or_default(),
        agency: d.agency.clone(),
        category: d.category.clone(),
        subject_terms: T::current().join(&d.subject_terms()),
        kind: d.kind.clone(),
        enterprise_related: d.enterprise_related,
        summary: d.summary.clone(),
        opens_on: d.opens_on.to_string(),
        closes_on: d.closes_on.to_string(),
        articles: articles
            .into_iter()
            .map(|a| (a.heading.unwrap_or_default(), a.text))
            .collect(),
        paste: String::new(),
    })
}

/// `GET /staff/drafts/{id}/edit` (its drafter, while `drafting`).
pub async fn show_edit_draft(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: SignedIn,
    path: web::Path<String>,
) -> PageResult {
    who.require(&[Role::Drafter])?;
    let id = path.into_inner();
    let v = match stored_values(&state, &who, &id).await {
        Ok(v) => v,
        Err(PageError::App(e)) if e.kind == crate::error::ErrorKind::WrongState => {
            return Ok(redirect(
                &state,
                &format!("/staff/drafts/{id}"),
                Some(Flash::error(e.detail.here().to_string())),
            ));
        }
        Err(e) => return Err(e),
    };
    render(
        &state,
        &req,
        &who,
        Some(id),
        StatusCode::OK,
        v,
        Errors::default(),
        None,
        Errors::default(),
    )
    .await
}

/// `POST /staff/drafts/{id}/materials` (multipart: `csrf_token`, `kind`, `title`, `body`,
/// `file`): adds a material with the same checks as the API (the file's type from its bytes).
pub async fn submit_material(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: SignedIn,
    path: web::Path<String>,
    mut multipart: Multipart,
) -> PageResult {
    who.require(&[Role::Drafter])?;
    let id = path.into_inner();
    let t = T::current();
    let max_file = state.config.limits.max_upload_bytes;
    let max_text = state.config.limits.max_body_bytes;
    // A declared length beyond what could be taken is refused before anything is read.
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > (max_file + max_text) as u64) {
        return Err(PageError::App(AppError::too_large(max_file)));
    }
    let mut fields = Form::default();
    let mut file: Option<UploadedFile> = None;
    let mut total = 0usize;
    while let Some(item) = multipart.next().await {
        let mut field = item.map_err(|_| {
            PageError::App(AppError::malformed(crate::lang::ftl::both(
                "upload-unreadable",
            )))
        })?;
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .map(String::from);
        let mut data = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|_| {
                PageError::App(AppError::malformed(crate::lang::ftl::both(
                    "upload-unreadable",
                )))
            })?;
            total += chunk.len();
            if total > max_file + max_text {
                return Err(PageError::App(AppError::too_large(max_file)));
            }
            data.extend_from_slice(&chunk);
        }
        if name == "file" {
            if let Some(n) = file_name.filter(|n| !n.is_empty())
                && !data.is_empty()
            {
                file = Some(UploadedFile { name: n, data });
            }
        } else {
            fields
                .0
                .push((name, String::from_utf8_lossy(&data).into_owned()));
        }
    }
    who.check_csrf(&fields)?;
    let kind = fields.get("kind").and_then(MaterialKind::parse);
    let Some(kind) = kind else {
        let mut errors = Errors::default();
        errors.push("material_kind", t.s("choose-material-kind"));
        let v = stored_values(&state, &who, &id).await?;
        return render(
            &state,
            &req,
            &who,
            Some(id),
            StatusCode::UNPROCESSABLE_ENTITY,
            v,
            Errors::default(),
            None,
            errors,
        )
        .await;
    };
    let material = NewMaterial {
        kind,
        title: fields.get("title").unwrap_or_default().to_string(),
        body: fields.get("body").unwrap_or_default().to_string(),
        file,
    };
    let now = state.clock.now();
    let config = state.config.clone();
    let actor = who.actor();
    let key = id.clone();
    let result = state
        .db(move |conn| service::drafts::add_material(conn, &config, &actor, now, &key, material))
        .await;
    match result {
        Ok(_) => Ok(redirect(
            &state,
            &format!("/staff/drafts/{id}/edit#materials"),
            Some(Flash::success(t.s("material-added"))),
        )),
        Err(e)
            if matches!(
                e.kind,
                crate::error::ErrorKind::Forbidden | crate::error::ErrorKind::NotFound
            ) =>
        {
            Err(e.into())
        }
        Err(e) => {
            let (mut errors, message) = refusal(&e, Lang::current());
            if let Some(m) = message {
                errors.push("file", m);
            }
            let mut renamed = Errors::default();
            for (field, msgs) in errors.0 {
                renamed.0.push((format!("material_{field}"), msgs));
            }
            let v = stored_values(&state, &who, &id).await?;
            render(
                &state,
                &req,
                &who,
                Some(id),
                crate::http::error::status_of(e.kind),
                v,
                Errors::default(),
                None,
                renamed,
            )
            .await
        }
    }
}
