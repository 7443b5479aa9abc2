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
        .service(web::resource("/drafts/{id}/report").get(pages::report::show_report))
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
                // Review and report (issue 5: R16–R20)
                .service(
                    web::resource("/drafts/{id}/groups")
                        .get(api::groups::list_groups)
                        .post(api::groups::create_group),
                )
                .service(
                    web::resource("/drafts/{id}/groups/suggest").post(api::groups::suggest_groups),
                )
                .service(web::resource("/groups/{id}").patch(api::groups::update_group))
                .service(
                    web::resource("/groups/{id}/disposition")
                        .put(api::dispositions::put_group_disposition),
                )
                .service(
                    web::resource("/comments/{id}/disposition")
                        .put(api::dispositions::put_comment_disposition),
                )
                .service(
                    web::resource("/drafts/{id}/report")
                        .get(api::reports::get_report)
                        .post(api::reports::create_report),
                )
                .service(
                    web::resource("/drafts/{id}/report/actions").post(api::reports::act_on_report),
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
