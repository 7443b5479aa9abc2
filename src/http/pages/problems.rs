//! `GET /problems/{code}`: what each problem `type` means, so the URI in an error resolves.

use actix_web::{HttpResponse, web};
use askama::Template;

use super::{Chrome, render};
use crate::app::AppState;
use crate::http::error::{AppError, AppResult, ErrorKind};
use crate::http::lang::Lang;
use crate::lang::ftl::T;

#[derive(Template)]
#[template(path = "problem.html")]
struct ProblemPage {
    site_name: String,
    t: T,
    title: String,
    status: u16,
    code: &'static str,
}

pub async fn show_problem(
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> AppResult<HttpResponse> {
    let kind = ErrorKind::ALL
        .into_iter()
        .find(|k| k.code() == code.as_str())
        .ok_or_else(AppError::not_found)?;
    let lang = Lang::current();
    let chrome = Chrome::new(state.config.site_name(lang), lang);
    render(&ProblemPage {
        site_name: chrome.site_name,
        t: chrome.t,
        title: kind.title().get(lang).to_string(),
        status: kind.status(),
        code: kind.code(),
    })
}
