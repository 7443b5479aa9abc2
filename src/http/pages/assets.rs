//! `GET /assets/site.css`: the one stylesheet of the pages (R28: readable, high-contrast,
//! elder-friendly mode, phone layouts), compiled into the binary.

use actix_web::HttpResponse;
use actix_web::http::header;

const STYLESHEET: &str = include_str!("../templates/site.css");

pub async fn get_stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(STYLESHEET)
}
