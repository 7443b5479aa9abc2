//! The HTTP edge: every route in one table, extractors, the error mapping, pages.

pub mod api;
pub mod auth;
pub mod error;
pub mod extract;
pub mod lang;
pub mod metrics;
pub mod middleware;
pub mod pages;

use actix_web::{HttpRequest, web};

use error::AppError;

/// Registers every route. Reading this function tells what the service answers.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::PayloadConfig::new(1024 * 1024 * 64))
        // Pages
        .service(web::resource("/").get(pages::home::show_home))
        .service(web::resource("/problems/{code}").get(pages::problems::show_problem))
        // Operations
        .service(web::resource("/healthz").get(api::ops::get_healthz))
        .service(web::resource("/metrics").get(api::ops::get_metrics))
        // JSON API
        .service(
            web::scope("/api/v1")
                .service(
                    web::resource("/auth/token")
                        .post(api::auth::create_token)
                        .delete(api::auth::revoke_token),
                )
                // Comments, receipts and moderation (issue 4)
                .service(
                    web::resource("/drafts/{id}/comments")
                        .get(api::comments::list_comments)
                        .post(api::comments::submit_comment),
                )
                .service(
                    web::resource("/drafts/{id}/offline-comments")
                        .post(api::comments::create_offline_comment),
                )
                .service(
                    web::resource("/receipts/{tracking_number}").get(api::receipts::get_receipt),
                )
                .service(web::resource("/moderation").get(api::moderation::list_moderation_queue))
                .service(
                    web::resource("/comments/{id}/moderation")
                        .post(api::moderation::moderate_comment),
                )
                .service(
                    web::resource("/test/clock")
                        .put(api::test_clock::set_clock)
                        .get(api::test_clock::get_clock),
                ),
        )
        .default_service(web::to(not_found));
}

async fn not_found(_req: HttpRequest) -> Result<actix_web::HttpResponse, AppError> {
    Err(AppError::not_found())
}
