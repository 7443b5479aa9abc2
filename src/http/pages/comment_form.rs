//! R9, R10, R14, R25, R27: the public comment form on the draft page (`POST
//! /drafts/{id}/comments`, no JavaScript, CSRF-protected), the receipt shown once after a
//! submission, and the receipt lookup (`/receipts`, `/receipts/{tracking_number}?token=`).
//! Submissions go through the API's own intake path (`api::comments::accept_comment`), so the
//! rules, the group-commit writer and the receipt mail are the same.

use std::collections::HashMap;

use actix_web::cookie::{Cookie, SameSite, time::Duration};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::drafts::{Choice, draft_page, says_its_number, with_cookie};
use super::{Chrome, labels, not_found_page, render_status};
use crate::app::AppState;
use crate::db::drafts::Article;
use crate::db::ids;
use crate::domain::comment::{BODY_MAX_CHARS, CommentFields, StakeholderType};
use crate::http::api::comments::accept_comment;
use crate::http::api::receipts::{ReceiptStatus, lookup_receipt};
use crate::http::csrf::{self, CsrfToken};
use crate::http::error::{AppError, AppResult, ErrorKind, FieldErrors};
use crate::http::lang::Lang;
use crate::lang::ftl::T;
use crate::service;

/// The form's fields in page order: the error summary lists them in this order.
const FIELDS: [&str; 11] = [
    "body",
    "article",
    "stakeholder_type",
    "organization",
    "name",
    "email",
    "phone",
    "region",
    "publish_name",
    "withhold",
    "consent",
];

/// Cookie that carries a new receipt to the receipt page once (R10), so the token is not
/// put in the address.
const NEW_RECEIPT_COOKIE: &str = "new_receipt";

/// What a person typed, kept when the form comes back with errors.
#[derive(Debug, Clone, Default)]
pub struct FormValues {
    pub body: String,
    pub article: Option<i32>,
    pub stakeholder_type: String,
    pub organization: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub region: String,
    pub publish_name: bool,
    pub withhold: bool,
    pub consent: bool,
}

impl FormValues {
    /// Reads an `application/x-www-form-urlencoded` body leniently: unknown fields are
    /// ignored, a ticked checkbox is any value.
    fn parse(bytes: &[u8]) -> (FormValues, HashMap<String, String>) {
        let mut all: HashMap<String, String> = HashMap::new();
        for (k, v) in form_urlencoded::parse(bytes) {
            all.entry(k.into_owned()).or_insert_with(|| v.into_owned());
        }
        let text = |k: &str| all.get(k).cloned().unwrap_or_default();
        let values = FormValues {
            body: text("body"),
            // An article that is not a number cannot exist in the draft: 0 makes R9 say so.
            article: all
                .get("article")
                .map(|a| a.trim())
                .filter(|a| !a.is_empty())
                .map(|a| a.parse().unwrap_or(0)),
            stakeholder_type: text("stakeholder_type"),
            organization: text("organization"),
            name: text("name"),
            email: text("email"),
            phone: text("phone"),
            region: text("region"),
            publish_name: all.contains_key("publish_name"),
            withhold: all.contains_key("withhold"),
            consent: all.contains_key("consent"),
        };
        (values, all)
    }

    fn fields(&self) -> CommentFields {
        let opt = |s: &str| Some(s.to_string()).filter(|s| !s.trim().is_empty());
        CommentFields {
            body: Some(self.body.clone()),
            article: self.article,
            stakeholder_type: opt(&self.stakeholder_type),
            organization: opt(&self.organization),
            name: opt(&self.name),
            email: opt(&self.email),
            phone: opt(&self.phone),
            region: opt(&self.region),
            publish_name: Some(self.publish_name),
            withhold: Some(self.withhold),
            consent: Some(self.consent),
        }
    }
}

/// The form's content: the values and the errors to show beside them.
#[derive(Debug, Default)]
pub struct FormInput {
    pub values: FormValues,
    pub errors: FieldErrors,
    /// A message above the form that names no field (a submission the abuse checks held
    /// back, `service::abuse`).
    pub notice: Option<String>,
}

/// An error next to its field and in the summary.
pub struct FieldError {
    pub field: &'static str,
    pub label: String,
    pub message: String,
}

/// The comment form as the draft page shows it.
pub struct CommentFormView {
    pub v: FormValues,
    pub errors: Vec<FieldError>,
    pub csrf_value: String,
    pub csrf_signature: String,
    /// The signed time the form was served (`service::abuse::form_stamp`).
    pub issued: String,
    pub notice: Option<String>,
    pub articles: Vec<Choice>,
    pub stakeholders: Vec<Choice>,
    pub body_max: i64,
}

/// A field's name in the error summary (`pub-field-<field>`).
fn label_of(field: &str, t: T) -> String {
    if FIELDS.contains(&field) {
        t.s(&format!("pub-field-{field}"))
    } else {
        t.s("pub-field-other")
    }
}

impl CommentFormView {
    pub fn new(
        input: FormInput,
        csrf: &CsrfToken,
        articles: &[Article],
        lang: Lang,
    ) -> CommentFormView {
        let t = T(lang);
        let mut errors = Vec::new();
        for field in FIELDS {
            if let Some(messages) = input.errors.get(field) {
                let message = messages
                    .iter()
                    .map(|m| m.get(lang).to_string())
                    .collect::<Vec<_>>()
                    .join(&t.s("pub-form-error-join"));
                errors.push(FieldError {
                    field,
                    label: label_of(field, t),
                    message,
                });
            }
        }
        // Errors on anything else (none expected) still reach the summary.
        for (field, messages) in &input.errors {
            if !FIELDS.contains(&field.as_str()) {
                errors.push(FieldError {
                    field: "body",
                    label: label_of("", t),
                    message: messages
                        .iter()
                        .map(|m| m.get(lang).to_string())
                        .collect::<Vec<_>>()
                        .join(&t.s("pub-form-error-join")),
                });
            }
        }
        let v = input.values;
        let notice = input.notice;
        let articles = articles
            .iter()
            .map(|a| Choice {
                value: a.number.to_string(),
                label: match (lang, &a.heading) {
                    (Lang::Zh, Some(h)) if says_its_number(h) => h.clone(),
                    (_, Some(h)) => {
                        format!("{} {h}", t.n("pub-article", i64::from(a.number)))
                    }
                    (_, None) => t.n("pub-article", i64::from(a.number)),
                },
                selected: v.article == Some(a.number),
            })
            .collect();
        let chosen = if v.stakeholder_type.is_empty() {
            "individual"
        } else {
            v.stakeholder_type.as_str()
        };
        let stakeholders = StakeholderType::ALL
            .iter()
            .map(|t| Choice {
                value: t.as_str().to_string(),
                label: labels::stakeholder_type(t.as_str()).get(lang).to_string(),
                selected: t.as_str() == chosen,
            })
            .collect();
        CommentFormView {
            v,
            errors,
            csrf_value: csrf.value.clone(),
            csrf_signature: csrf.signature.clone(),
            issued: csrf.issued.clone(),
            notice,
            articles,
            stakeholders,
            body_max: i64::try_from(BODY_MAX_CHARS).unwrap_or(i64::MAX),
        }
    }

    /// The error shown beside `field`, if any.
    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    /// `aria-describedby` for a field: its hint and, when refused, its error.
    pub fn described(&self, field: &str, hint: bool) -> String {
        let mut ids = Vec::new();
        if hint {
            ids.push(format!("f-{field}-hint"));
        }
        if self.error(field).is_some() {
            ids.push(format!("f-{field}-error"));
        }
        ids.join(" ")
    }
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    site_name: String,
    t: T,
    title: String,
    detail: String,
    back_href: String,
    back_label: String,
}

/// A plain page that says why something was refused, in the page language.
fn message_page(
    state: &AppState,
    status: StatusCode,
    title: String,
    detail: String,
    back_href: String,
) -> AppResult<HttpResponse> {
    let lang = Lang::current();
    let chrome = Chrome::new(state.config.site_name(lang), lang);
    render_status(
        status,
        &MessagePage {
            site_name: chrome.site_name,
            t: chrome.t,
            title,
            detail,
            back_label: chrome.t.s("pub-back-to-draft-page"),
            back_href,
        },
    )
}

/// `GET /drafts/{id}/comments`: the form lives on the draft page (a language or elder-mode
/// switch link followed from a refused form lands here, so its query is passed on).
pub async fn show_comment_form(req: HttpRequest, path: web::Path<String>) -> HttpResponse {
    let query = req.query_string();
    let sep = if query.is_empty() { "" } else { "?" };
    HttpResponse::SeeOther()
        .insert_header((
            header::LOCATION,
            format!(
                "/drafts/{}{sep}{query}#comment-form",
                urlencode(&path.into_inner())
            ),
        ))
        .finish()
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// R9, R10, R25: `POST /drafts/{id}/comments` from the draft page's form. A good submission
/// is answered with 303 to the receipt page; a refused one shows the form again with the
/// input kept and each error beside its field (422); a missing or wrong CSRF token is 403.
pub async fn submit_comment_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let draft_id = path.into_inner();
    let lang = Lang::current();
    let t = T(lang);
    let back = format!("/drafts/{}#comment-form", urlencode(&draft_id));
    let limit = state.config.limits.max_body_bytes;
    // The size is checked while reading (or from `Content-Length`, before reading).
    let read = crate::http::extract::read_form_body(&req, payload, limit).await;
    let body = match read {
        Ok(body) => body,
        Err(e) => {
            return message_page(
                &state,
                crate::http::error::status_of(e.kind),
                e.kind.title().get(lang).to_string(),
                e.detail.get(lang).to_string(),
                back,
            );
        }
    };
    let (values, all) = FormValues::parse(&body);
    let presented = |k: &str| all.get(k).map(String::as_str).unwrap_or("");
    if !csrf::verify(
        &state,
        &req,
        presented(csrf::VALUE_FIELD),
        presented(csrf::SIGNATURE_FIELD),
    ) {
        tracing::info!(draft.id = %draft_id, "comment form refused: missing or wrong CSRF token");
        return message_page(
            &state,
            StatusCode::FORBIDDEN,
            t.s("pub-form-expired-title"),
            t.s("pub-form-expired"),
            back,
        );
    }
    // Abuse checks (honeypot, minimum fill time): a held-back submission is not stored; the
    // form comes back, filled in as sent, with a neutral message, and the metric counts it.
    if let Err(why) = service::abuse::check_form(
        &state.config,
        &state.secret,
        state.clock.now(),
        presented(csrf::VALUE_FIELD),
        presented(service::abuse::ISSUED_FIELD),
        presented(service::abuse::HONEYPOT_FIELD),
    ) {
        state
            .metrics
            .comment_form_refused
            .with_label_values(&[why.as_str()])
            .inc();
        tracing::info!(draft.id = %draft_id, reason = why.as_str(), "comment form held back by the abuse checks");
        let csrf = csrf::token_for(&state, &req);
        let input = FormInput {
            values,
            errors: FieldErrors::new(),
            notice: Some(t.s("pub-form-held-back")),
        };
        let Some(page) = draft_page(&state, &draft_id, 1, input, &csrf).await? else {
            return not_found_page(&state.config);
        };
        return with_cookie(render_status(StatusCode::OK, &page)?, csrf.cookie);
    }
    // R11: a form sent twice (a double tap, a resent page) by the same browser with the same
    // content is one comment; the second answer is the first receipt.
    let fields = values.fields();
    let key = format!(
        "form:{}:{}",
        presented(csrf::VALUE_FIELD),
        ids::hash_secret(&format!("{fields:?}"))
    );
    match accept_comment(&state, &req, &draft_id, &fields, Some(key)).await {
        Ok(receipt) => {
            let cookie = Cookie::build(
                NEW_RECEIPT_COOKIE,
                format!("{}.{}", receipt.tracking_number, receipt.receipt_token),
            )
            .path("/receipts")
            .same_site(SameSite::Lax)
            .http_only(true)
            .secure(state.config.server.public_url.starts_with("https://"))
            .max_age(Duration::minutes(30))
            .finish();
            let mut res = HttpResponse::SeeOther()
                .insert_header((
                    header::LOCATION,
                    format!(
                        "/receipts/{}?new=1&email={}",
                        urlencode(&receipt.tracking_number),
                        u8::from(!values.email.trim().is_empty())
                    ),
                ))
                .finish();
            res.add_cookie(&cookie).map_err(AppError::internal)?;
            Ok(res)
        }
        Err(e) if e.kind == ErrorKind::Validation => {
            let csrf = csrf::token_for(&state, &req);
            let input = FormInput {
                values,
                errors: e.errors.clone().unwrap_or_default(),
                notice: None,
            };
            let Some(page) = draft_page(&state, &draft_id, 1, input, &csrf).await? else {
                return not_found_page(&state.config);
            };
            with_cookie(
                render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)?,
                csrf.cookie,
            )
        }
        Err(e) if e.kind == ErrorKind::NotFound => not_found_page(&state.config),
        Err(e) if e.kind == ErrorKind::Internal => Err(e),
        Err(e) => {
            if let Some(source) = &e.source {
                tracing::warn!(draft.id = %draft_id, error = %source, "comment form: not stored");
            }
            let retry = e.retry_after;
            let mut res = message_page(
                &state,
                crate::http::error::status_of(e.kind),
                e.kind.title().get(lang).to_string(),
                t.a("pub-form-not-sent", "detail", e.detail.get(lang)),
                back,
            )?;
            if let Some(secs) = retry
                && let Ok(v) = HeaderValue::from_str(&secs.to_string())
            {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
            Ok(res)
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ReceiptForm {
    pub tracking_number: Option<String>,
    pub token: Option<String>,
    /// Set by the redirect after a submission.
    pub new: Option<String>,
    pub email: Option<String>,
}

/// A receipt as the page shows it.
pub struct ReceiptView {
    pub tracking_number: String,
    pub status: String,
    pub submitted_at: String,
    pub outcome: Option<String>,
    pub reason: Option<String>,
    pub group: Option<String>,
    /// R8: "第3条、第二轮第5条": the articles the opinion changed; empty when none.
    pub changed: String,
    /// The page showing those changes, once the next round is public.
    pub redline: Option<String>,
}

#[derive(Template)]
#[template(path = "receipt.html")]
struct ReceiptPage {
    site_name: String,
    t: T,
    tracking_number: String,
    receipt: Option<ReceiptView>,
    /// R10: the token, shown once right after the submission.
    new_token: Option<String>,
    mail_sent: bool,
    /// A lookup that matched nothing.
    no_match: bool,
}

fn status_label(status: &str, t: T) -> String {
    match status {
        "pending" => t.s("pub-status-pending"),
        "published" => t.s("pub-status-published"),
        "hidden" => t.s("pub-status-hidden"),
        s => s.to_string(),
    }
}

fn receipt_view(state: &AppState, r: ReceiptStatus, lang: Lang) -> ReceiptView {
    let submitted_at = chrono::DateTime::parse_from_rfc3339(&r.submitted_at)
        .map(|t| labels::instant(t.to_utc(), state.config.timezone(), lang))
        .unwrap_or(r.submitted_at);
    ReceiptView {
        status: status_label(&r.status, T(lang)),
        outcome: r.outcome.map(|o| super::report::label(&o, lang)),
        reason: r.reason,
        group: r.group.map(|g| g.title),
        changed: super::report::article_list(
            r.changed_articles.iter().map(|a| (a.round, a.number)),
            r.round,
            T(lang),
        ),
        redline: r.redline,
        tracking_number: r.tracking_number,
        submitted_at,
    }
}

/// `GET /receipts` (the lookup form; with `tracking_number` and `token` it looks up) and
/// `GET /receipts/{tracking_number}?token=` (R14). A wrong token or number is a 404 page that
/// says only that nothing matched.
pub async fn show_receipt_lookup(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Query<ReceiptForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let tracking = form.tracking_number.clone().unwrap_or_default();
    receipt_answer(&state, &req, tracking, form).await
}

pub async fn show_receipt(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Query<ReceiptForm>,
) -> AppResult<HttpResponse> {
    receipt_answer(&state, &req, path.into_inner(), form.into_inner()).await
}

async fn receipt_answer(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    tracking: String,
    form: ReceiptForm,
) -> AppResult<HttpResponse> {
    let lang = Lang::current();
    let tracking = tracking.trim().chars().take(100).collect::<String>();
    // R10: right after a submission the receipt comes in a short-lived cookie, read once.
    let flash = req.cookie(NEW_RECEIPT_COOKIE).and_then(|c| {
        let (tn, token) = c.value().split_once('.')?;
        tn.eq_ignore_ascii_case(&tracking)
            .then(|| token.to_string())
    });
    let token = form
        .token
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| t.chars().take(200).collect::<String>())
        .or_else(|| flash.clone());
    let found = match (&token, tracking.is_empty()) {
        (Some(token), false) => {
            let (tn, token) = (tracking.clone(), token.clone());
            state
                .db(move |conn| Ok(lookup_receipt(conn, &tn, &token)?))
                .await?
        }
        _ => None,
    };
    let asked = token.is_some() && !tracking.is_empty();
    let no_match = asked && found.is_none();
    let new_token = flash.filter(|_| found.is_some() && form.new.is_some());
    let chrome = Chrome::new(state.config.site_name(lang), lang);
    let page = ReceiptPage {
        site_name: chrome.site_name,
        t: chrome.t,
        tracking_number: tracking,
        mail_sent: new_token.is_some() && form.email.as_deref() == Some("1"),
        new_token,
        receipt: found.map(|r| receipt_view(state, r, lang)),
        no_match,
    };
    let status = if no_match {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::OK
    };
    let mut res = render_status(status, &page)?;
    if req.cookie(NEW_RECEIPT_COOKIE).is_some() && page.new_token.is_some() {
        // Shown once: the cookie goes as soon as the receipt was displayed.
        let mut gone = Cookie::build(NEW_RECEIPT_COOKIE, "")
            .path("/receipts")
            .same_site(SameSite::Lax)
            .http_only(true)
            .secure(state.config.server.public_url.starts_with("https://"))
            .finish();
        gone.set_max_age(Duration::ZERO);
        res.add_cookie(&gone).map_err(AppError::internal)?;
    }
    // The page may hold the token (in its address or its text): not cached, not referred.
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_bodies_are_read_leniently() {
        let (v, _) = FormValues::parse(
            "body=%E6%84%8F%E8%A7%81&article=x&publish_name=on&consent=1&extra=1".as_bytes(),
        );
        assert_eq!(v.body, "意见");
        assert_eq!(
            v.article,
            Some(0),
            "a made-up article is refused, not dropped"
        );
        assert!(v.publish_name && v.consent && !v.withhold);
        let f = v.fields();
        assert_eq!(f.organization, None, "an empty field is absent");
        let (v, _) = FormValues::parse(b"article=");
        assert_eq!(v.article, None);
    }

    #[test]
    fn errors_follow_the_form_order() {
        let mut errors = FieldErrors::new();
        for f in ["consent", "body", "email"] {
            errors.insert(f.into(), vec![crate::l!("错", "wrong")]);
        }
        let view = CommentFormView::new(
            FormInput {
                values: FormValues::default(),
                errors,
                notice: None,
            },
            &CsrfToken::default(),
            &[],
            Lang::En,
        );
        let order: Vec<&str> = view.errors.iter().map(|e| e.field).collect();
        assert_eq!(order, ["body", "email", "consent"]);
        assert_eq!(view.described("email", true), "f-email-hint f-email-error");
        assert_eq!(view.described("name", true), "f-name-hint");
    }
}
