//! Server-rendered HTML pages (usable without JavaScript).

pub mod home;
pub mod problems;
pub mod report;

use actix_web::HttpResponse;
use askama::Template;

use super::error::AppError;
use super::lang::Lang;

/// The fields every page's layout reads.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub site_name: String,
    pub lang_code: &'static str,
    pub en: bool,
}

impl Chrome {
    pub fn new(site_name: &str, lang: Lang) -> Chrome {
        Chrome {
            site_name: site_name.to_string(),
            lang_code: lang.code(),
            en: lang == Lang::En,
        }
    }
}

/// Renders a template as an HTML answer.
pub fn render(template: &impl Template) -> Result<HttpResponse, AppError> {
    let body = template.render().map_err(AppError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(body))
}
