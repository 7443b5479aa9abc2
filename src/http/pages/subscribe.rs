//! R21, R27: the public subscribe page (`GET /subscribe`, `POST /subscribe`): an address, what
//! to follow (all drafts, an agency, a category or one draft) and the language of the mail.
//! The draft page and the home page carry a short form that posts here. No JavaScript,
//! CSRF-protected; a good request is answered 303 to the page that says to check the mailbox
//! (the same whether or not the address was already subscribed), a refused one comes back
//! with the input kept and each error beside its field. Performed by
//! `service::subscriptions::subscribe_offered`.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::drafts::{Choice, with_cookie};
use super::{Chrome, render_status};
use crate::app::AppState;
use crate::db::drafts::{self as q, ListFilter, Viewer};
use crate::http::csrf::{self, CsrfToken};
use crate::http::error::{AppResult, ErrorKind, FieldErrors, status_of};
use crate::http::lang::Lang;
use crate::lang::ftl::T;
use crate::service;
use crate::service::subscriptions::{ScopeBody, SubscribeBody};

/// The form's fields in page order: the error summary lists them in this order.
const FIELDS: [&str; 6] = ["email", "scope", "agency", "category", "draft", "locale"];

/// The scopes a person can choose, in page order.
const SCOPES: [&str; 4] = ["all", "agency", "category", "draft"];

/// How many drafts the "one draft" list offers (newest first).
const DRAFTS_OFFERED: i64 = 200;

/// What a person chose, kept when the form comes back with errors.
#[derive(Debug, Clone, Default)]
pub struct SubscribeValues {
    pub email: String,
    /// `all`, `agency`, `category` or `draft`.
    pub scope: String,
    pub agency: String,
    pub category: String,
    pub draft: String,
    /// `zh-CN` or `en`.
    pub locale: String,
}

impl SubscribeValues {
    /// Reads an `application/x-www-form-urlencoded` body leniently (unknown fields ignored).
    fn parse(bytes: &[u8]) -> (SubscribeValues, HashMap<String, String>) {
        let mut all: HashMap<String, String> = HashMap::new();
        for (k, v) in form_urlencoded::parse(bytes) {
            all.entry(k.into_owned()).or_insert_with(|| v.into_owned());
        }
        let text = |k: &str| all.get(k).cloned().unwrap_or_default();
        let values = SubscribeValues {
            email: text("email"),
            scope: text("scope"),
            agency: text("agency"),
            category: text("category"),
            draft: text("draft"),
            locale: text("locale"),
        };
        (values, all)
    }

    /// The operation's input: the value of the chosen scope's own field.
    fn body(&self) -> SubscribeBody {
        let value = match self.scope.as_str() {
            "agency" => &self.agency,
            "category" => &self.category,
            "draft" => &self.draft,
            _ => "",
        };
        SubscribeBody {
            email: self.email.trim().to_string(),
            scope: ScopeBody {
                kind: self.scope.trim().to_string(),
                value: Some(value.trim().to_string()).filter(|v| !v.is_empty()),
            },
            locale: Some(self.locale.trim().to_string()).filter(|l| !l.is_empty()),
        }
    }

    /// The form field an error of the operation belongs beside.
    fn field_of(&self, key: &str) -> &'static str {
        match key {
            "email" => "email",
            "locale" => "locale",
            "scope.value" => match self.scope.as_str() {
                "agency" => "agency",
                "category" => "category",
                "draft" => "draft",
                _ => "scope",
            },
            _ => "scope",
        }
    }
}

/// An error next to its field and in the summary.
pub struct FieldError {
    pub field: &'static str,
    pub label: String,
    pub message: String,
}

/// The subscribe form as the page shows it.
pub struct SubscribeFormView {
    pub v: SubscribeValues,
    pub errors: Vec<FieldError>,
    pub csrf_value: String,
    pub csrf_signature: String,
    pub scopes: Vec<Choice>,
    pub agencies: Vec<Choice>,
    pub categories: Vec<Choice>,
    pub drafts: Vec<Choice>,
    pub locales: Vec<Choice>,
}

impl SubscribeFormView {
    /// The error shown beside `field`, if any.
    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

#[derive(Template)]
#[template(path = "subscribe.html")]
struct SubscribePage {
    site_name: String,
    t: T,
    /// The request was taken: the page says to check the mailbox.
    sent: bool,
    form: SubscribeFormView,
}

/// A short form (address and button) on the draft page or the home page.
pub struct ShortSubscribeForm {
    pub csrf_value: String,
    pub csrf_signature: String,
    /// `all` or `draft`.
    pub scope: &'static str,
    /// The draft, for `draft`.
    pub draft: String,
    /// The page's language, the mail's by default.
    pub locale: &'static str,
}

impl ShortSubscribeForm {
    pub fn new(csrf: &CsrfToken, scope: &'static str, draft: &str, lang: Lang) -> Self {
        ShortSubscribeForm {
            csrf_value: csrf.value.clone(),
            csrf_signature: csrf.signature.clone(),
            scope,
            draft: draft.to_string(),
            locale: lang.code(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct SubscribeQuery {
    /// From a draft page: the draft to follow.
    pub draft: Option<String>,
    /// Set by the redirect after a request was taken.
    pub sent: Option<String>,
}

/// The page with `values` and the errors to show beside them.
async fn page(
    state: &web::Data<AppState>,
    values: SubscribeValues,
    errors: &FieldErrors,
    csrf: &CsrfToken,
    sent: bool,
) -> AppResult<SubscribePage> {
    let lang = Lang::current();
    let t = T(lang);
    let now = state.clock.now();
    let chosen_draft = values.draft.trim().to_string();
    let (agencies, categories, drafts) = state
        .db(move |conn| {
            let (agencies, categories) = service::subscriptions::offered_scopes(conn, now)?;
            // Drafts whose consultation is still to come, under way or awaiting its report;
            // and the one a draft page asked for.
            let filter = ListFilter {
                state: Some("published".into()),
                ..ListFilter::default()
            };
            let (mut drafts, _) = q::list(conn, &Viewer::Public, &filter, now, 0, DRAFTS_OFFERED)?;
            if !chosen_draft.is_empty()
                && !drafts.iter().any(|d| d.id == chosen_draft)
                && let Some(d) = q::find_public(conn, &chosen_draft)?
            {
                drafts.insert(0, d);
            }
            let drafts: Vec<(String, String)> =
                drafts.into_iter().map(|d| (d.id, d.title)).collect();
            Ok((agencies, categories, drafts))
        })
        .await?;
    // Errors beside their fields, in page order; the operation's field names mapped to the
    // form's.
    let mut by_field: Vec<(&'static str, Vec<String>)> = Vec::new();
    for (key, messages) in errors {
        let field = values.field_of(key);
        let texts = messages.iter().map(|m| m.get(lang).to_string());
        match by_field.iter_mut().find(|(f, _)| *f == field) {
            Some((_, list)) => list.extend(texts),
            None => by_field.push((field, texts.collect())),
        }
    }
    by_field.sort_by_key(|(f, _)| FIELDS.iter().position(|x| x == f));
    let errors = by_field
        .into_iter()
        .map(|(field, messages)| FieldError {
            field,
            label: t.s(&format!("pub-subscribe-field-{field}")),
            message: messages.join(&t.s("pub-form-error-join")),
        })
        .collect();
    let scope = if SCOPES.contains(&values.scope.as_str()) {
        values.scope.clone()
    } else {
        "all".to_string()
    };
    let locale = if values.locale == "en" || (values.locale.is_empty() && lang == Lang::En) {
        "en"
    } else {
        "zh-CN"
    };
    let pick = |list: Vec<String>, current: &str| -> Vec<Choice> {
        list.into_iter()
            .map(|v| Choice {
                selected: v == current,
                label: v.clone(),
                value: v,
            })
            .collect()
    };
    let form = SubscribeFormView {
        errors,
        csrf_value: csrf.value.clone(),
        csrf_signature: csrf.signature.clone(),
        scopes: SCOPES
            .iter()
            .map(|s| Choice {
                value: s.to_string(),
                label: t.s(&format!("pub-subscribe-scope-{s}")),
                selected: *s == scope,
            })
            .collect(),
        agencies: pick(agencies, values.agency.trim()),
        categories: pick(categories, values.category.trim()),
        drafts: drafts
            .into_iter()
            .map(|(id, title)| Choice {
                selected: id == values.draft.trim(),
                value: id,
                label: title,
            })
            .collect(),
        locales: [
            ("zh-CN", "pub-subscribe-locale-zh"),
            ("en", "pub-subscribe-locale-en"),
        ]
        .into_iter()
        .map(|(code, id)| Choice {
            value: code.to_string(),
            label: t.s(id),
            selected: code == locale,
        })
        .collect(),
        v: SubscribeValues { scope, ..values },
    };
    let chrome = Chrome::new(state.config.site_name(lang), lang);
    Ok(SubscribePage {
        site_name: chrome.site_name,
        t: chrome.t,
        sent,
        form,
    })
}

/// `GET /subscribe` (`?draft=<id>` from a draft page preselects that draft; `?sent=1` after a
/// request was taken).
pub async fn show_subscribe(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<SubscribeQuery>,
) -> AppResult<HttpResponse> {
    let query = query.into_inner();
    let draft = query
        .draft
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| d.chars().take(100).collect::<String>());
    let values = SubscribeValues {
        scope: if draft.is_some() { "draft" } else { "all" }.into(),
        draft: draft.unwrap_or_default(),
        ..SubscribeValues::default()
    };
    let csrf = csrf::token_for(&state, &req);
    let sent = query.sent.is_some();
    let page = page(&state, values, &FieldErrors::new(), &csrf, sent).await?;
    with_cookie(render_status(StatusCode::OK, &page)?, csrf.cookie)
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

fn message_page(
    state: &AppState,
    status: StatusCode,
    title: String,
    detail: String,
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
            back_label: chrome.t.s("pub-subscribe-back"),
            back_href: "/subscribe".into(),
        },
    )
}

/// R21, R25: `POST /subscribe` from the subscribe page, a draft page or the home page. A
/// request taken is answered 303 to `/subscribe?sent=1`; a refused one shows the page again
/// with the input kept and each error beside its field (422); a missing or wrong CSRF token
/// is 403; too many requests for one address are 429 with `Retry-After`.
pub async fn submit_subscribe(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let lang = Lang::current();
    let t = T(lang);
    let limit = state.config.limits.max_body_bytes;
    // The size is checked while reading (or from `Content-Length`, before reading).
    let read = crate::http::extract::read_form_body(&req, payload, limit).await;
    let body = match read {
        Ok(body) => body,
        Err(e) => {
            return message_page(
                &state,
                status_of(e.kind),
                e.kind.title().get(lang).to_string(),
                e.detail.get(lang).to_string(),
            );
        }
    };
    let (values, all) = SubscribeValues::parse(&body);
    let presented = |k: &str| all.get(k).map(String::as_str).unwrap_or("");
    if !csrf::verify(
        &state,
        &req,
        presented(csrf::VALUE_FIELD),
        presented(csrf::SIGNATURE_FIELD),
    ) {
        tracing::info!("subscribe form refused: missing or wrong CSRF token");
        return message_page(
            &state,
            StatusCode::FORBIDDEN,
            t.s("pub-form-expired-title"),
            t.s("pub-subscribe-expired"),
        );
    }
    let input = values.body();
    let now = state.clock.now();
    let config = state.config.clone();
    let done = state
        .db(move |conn| service::subscriptions::subscribe_offered(conn, &config, now, &input))
        .await;
    match done {
        Ok(()) => Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, "/subscribe?sent=1"))
            .finish()),
        Err(e) if e.kind == ErrorKind::Validation => {
            let csrf = csrf::token_for(&state, &req);
            let errors = e.errors.clone().unwrap_or_default();
            let page = page(&state, values, &errors, &csrf, false).await?;
            with_cookie(
                render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)?,
                csrf.cookie,
            )
        }
        Err(e) if e.kind == ErrorKind::RateLimited => {
            let mut res = message_page(
                &state,
                status_of(e.kind),
                e.kind.title().get(lang).to_string(),
                t.s("pub-subscribe-too-many"),
            )?;
            if let Some(secs) = e.retry_after
                && let Ok(v) = HeaderValue::from_str(&secs.to_string())
            {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
            Ok(res)
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chosen_scope_takes_its_own_field() {
        let (v, _) = SubscribeValues::parse(
            b"email=a%40example.com&scope=agency&agency=%E5%8F%B8%E6%B3%95%E5%B1%80&category=x&draft=y&locale=en",
        );
        let body = v.body();
        assert_eq!(body.email, "a@example.com");
        assert_eq!(body.scope.kind, "agency");
        assert_eq!(body.scope.value.as_deref(), Some("司法局"));
        assert_eq!(body.locale.as_deref(), Some("en"));
        assert_eq!(v.field_of("scope.value"), "agency");
        let (v, _) = SubscribeValues::parse(b"email=&scope=all&agency=x");
        assert_eq!(v.body().scope.value, None, "all takes no value");
        assert_eq!(v.body().locale, None);
        assert_eq!(v.field_of("scope.value"), "scope");
        assert_eq!(v.field_of("scope.kind"), "scope");
    }
}
