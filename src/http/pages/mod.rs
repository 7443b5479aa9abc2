//! Server-rendered HTML pages (usable without JavaScript).
//!
//! Every page template extends `base.html`, which needs `site_name` and `t` (from `Chrome`)
//! and reads the reader's preferences (`http::prefs`) itself. `t` (`lang::ftl::T`) gives the
//! page's texts from the public message file (`locales/<lang>/public.ftl`): templates hold no
//! prose of their own.

pub mod assets;
pub mod comment_form;
pub mod drafts;
pub mod home;
pub mod labels;
pub mod materials;
pub mod problems;
pub mod report;
pub mod subscribe;
pub mod subscriptions;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, HttpResponseBuilder};
use askama::Template;

use super::error::AppError;
use super::lang::Lang;
use super::prefs::Prefs;
use crate::config::Config;
use crate::lang::ftl::T;

/// The fields every page's layout reads: the site's name and the texts in the page's
/// language.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub site_name: String,
    pub t: T,
}

impl Chrome {
    pub fn new(site_name: &str, lang: Lang) -> Chrome {
        Chrome {
            site_name: site_name.to_string(),
            t: T(lang),
        }
    }
}

/// Pages run no script, load only this site's styles and images, and post forms only to this
/// site. Inline styles stay allowed for a page's own `{% block head %}` (the report's print
/// styles); they cannot run code.
const PAGE_POLICY: &str = "default-src 'none'; style-src 'self' 'unsafe-inline'; \
     img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Renders a template as an HTML answer.
pub fn render(template: &impl Template) -> Result<HttpResponse, AppError> {
    render_status(StatusCode::OK, template)
}

/// Renders a template as an HTML answer with this status; keeps the language and elder mode
/// a switch link asked for (R28).
pub fn render_status(
    status: StatusCode,
    template: &impl Template,
) -> Result<HttpResponse, AppError> {
    let body = template.render().map_err(AppError::internal)?;
    Ok(page_response(status).body(body))
}

/// An HTML answer's status and headers (the page policy, `Vary`, the cookies of a followed
/// language or elder-mode switch), for a body rendered here or kept in the draft cache.
pub fn page_response(status: StatusCode) -> HttpResponseBuilder {
    let mut res = HttpResponse::build(status);
    res.content_type("text/html; charset=utf-8")
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(PAGE_POLICY),
        ))
        .insert_header((
            header::VARY,
            HeaderValue::from_static("Cookie, Accept-Language"),
        ));
    for cookie in Prefs::current().cookies() {
        res.cookie(cookie);
    }
    res
}

#[derive(Template)]
#[template(path = "not_found.html")]
struct NotFoundPage {
    site_name: String,
    t: T,
}

/// The HTML 404 page: unknown, or not public (the API answers a problem document instead).
pub fn not_found_page(config: &Config) -> Result<HttpResponse, AppError> {
    let lang = Lang::current();
    let chrome = Chrome::new(config.site_name(lang), lang);
    render_status(
        StatusCode::NOT_FOUND,
        &NotFoundPage {
            site_name: chrome.site_name,
            t: chrome.t,
        },
    )
}
