//! `GET /`: the home page.

use actix_web::{HttpResponse, web};
use askama::Template;

use super::{Chrome, render};
use crate::app::AppState;
use crate::http::error::AppResult;
use crate::http::lang::Lang;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    site_name: String,
    lang_code: &'static str,
    en: bool,
}

pub async fn show_home(state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let chrome = Chrome::new(&state.config.site.name, Lang::current());
    render(&HomePage {
        site_name: chrome.site_name,
        lang_code: chrome.lang_code,
        en: chrome.en,
    })
}
