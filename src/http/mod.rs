//! The HTTP edge: every route in one table, extractors, the error mapping, pages.

pub mod api;
pub mod auth;
pub mod charts;
pub mod csrf;
pub mod draft_cache;
pub mod error;
pub mod extract;
pub mod lang;
pub mod metrics;
pub mod middleware;
pub mod openapi;
pub mod pages;
pub mod prefs;
pub mod staff;

use actix_web::{HttpRequest, web};

use error::AppError;

/// Registers every route. Reading this function tells what the service answers.
///
/// Order matters only for speed: actix tries each pattern in turn, and one with a `{param}` costs
/// a regex match. So the JSON API (one cheap prefix test for pages) comes first, and the busiest
/// routes — the comment POST of a surge, the draft page — come first in their groups
/// (`perf`: 17 % of a comment request's handling went to trying earlier patterns).
/// Declares a table of documented routes once: the function that registers them, the list of
/// `(method, path)` pairs and the OpenAPI paths of their handlers all come from it, so the
/// router and `GET /api/v1/openapi.json` cannot drift apart (every handler needs its
/// `#[utoipa::path]`, and `tests/openapi.rs` compares each path and method with the document).
macro_rules! documented_routes {
    (
        $(#[$meta:meta])*
        fn $register:ident, const $table:ident, struct $paths:ident, prefix $prefix:literal;
        $( $path:literal => { $( $method:ident : $($seg:ident)::+ ),+ $(,)? } )+
    ) => {
        $(#[$meta])*
        fn $register(cfg: &mut web::ServiceConfig) {
            $( cfg.service(web::resource($path)$(.route(web::$method().to($($seg)::+)))+); )+
        }

        /// Every (method, full path) the table registers.
        pub const $table: &[(&str, &str)] = &[$($( (stringify!($method), concat!($prefix, $path)) ),+),+];

        /// The OpenAPI paths of the table's handlers.
        #[derive(utoipa::OpenApi)]
        #[openapi(paths($($($($seg)::+),+),+))]
        pub struct $paths;
    };
}

documented_routes! {
    /// The JSON API under `/api/v1`. The comment surge route comes first (see `configure`).
    fn configure_api, const API_ROUTES, struct ApiPaths, prefix "/api/v1";
    "/drafts/{id}/comments" => {
        get: api::comments::list_comments,
        post: api::comments::submit_comment,
    }
    "/auth/token" => {
        post: api::auth::create_token,
        delete: api::auth::revoke_token,
    }
    // Drafts, materials and the review chain
    "/drafts" => {
        get: api::drafts::list_drafts,
        post: api::drafts::create_draft,
    }
    "/drafts/{id}" => {
        get: api::drafts::get_draft,
        patch: api::drafts::update_draft,
    }
    "/drafts/{id}/materials" => { post: api::materials::create_material }
    "/drafts/{id}/actions" => { post: api::draft_actions::act_on_draft }
    "/drafts/{id}/rounds" => { post: api::rounds::open_round }
    "/drafts/{id}/rounds/{n}/diff" => { get: api::rounds::round_diff }
    "/drafts/{id}/audit" => { get: api::drafts::get_draft_audit }
    "/materials/{id}" => { get: api::materials::get_material }
    "/materials/{id}/file" => { get: api::materials::get_material_file }
    // Mail
    "/subscriptions" => { post: api::subscriptions::create_subscription }
    "/subscriptions/confirm" => { get: api::subscriptions::confirm_subscription }
    "/subscriptions/unsubscribe" => { post: api::subscriptions::unsubscribe_subscription }
    "/drafts/{id}/invitations" => { post: api::invitations::create_invitations }
    "/admin/outbox" => { get: api::outbox::list_outbox }
    "/admin/outbox/{id}/retry" => { post: api::outbox::retry_outbox }
    // Agencies and their officers
    "/admin/agencies" => {
        get: api::agencies::list_agencies,
        post: api::agencies::create_agency,
    }
    "/admin/agencies/{code}" => { patch: api::agencies::update_agency }
    "/admin/agencies/{code}/members/{username}" => {
        put: api::agencies::add_agency_member,
        delete: api::agencies::remove_agency_member,
    }
    // Review and report (R16–R20)
    "/drafts/{id}/groups" => {
        get: api::groups::list_groups,
        post: api::groups::create_group,
    }
    "/drafts/{id}/groups/suggest" => { post: api::groups::suggest_groups }
    "/groups/{id}" => { patch: api::groups::update_group }
    "/groups/{id}/disposition" => { put: api::dispositions::put_group_disposition }
    "/comments/{id}/disposition" => { put: api::dispositions::put_comment_disposition }
    "/groups/{id}/changes" => {
        get: api::changes::get_group_changes,
        put: api::changes::put_group_changes,
    }
    "/comments/{id}/changes" => {
        get: api::changes::get_comment_changes,
        put: api::changes::put_comment_changes,
    }
    "/drafts/{id}/report" => {
        get: api::reports::get_report,
        post: api::reports::create_report,
    }
    "/drafts/{id}/report/actions" => { post: api::reports::act_on_report }
    // Comments, receipts and moderation
    "/drafts/{id}/offline-comments" => { post: api::comments::create_offline_comment }
    "/receipts/{tracking_number}" => { get: api::receipts::get_receipt }
    "/moderation" => { get: api::moderation::list_moderation_queue }
    "/moderation/duplicates" => { get: api::moderation::list_duplicate_flags }
    "/comments/{id}/moderation" => { post: api::moderation::moderate_comment }
    "/comments/by-tracking/{tracking_number}/erasure" => {
        post: api::moderation::erase_comment_personal_data,
    }
    "/test/clock" => {
        put: api::test_clock::set_clock,
        get: api::test_clock::get_clock,
    }
    // This API's own description
    "/openapi.json" => { get: openapi::get_openapi }
}

documented_routes! {
    /// Operations, outside the API's prefix but part of its contract.
    fn configure_ops, const OPS_ROUTES, struct OpsPaths, prefix "";
    "/healthz" => { get: api::ops::get_healthz }
    "/metrics" => { get: api::ops::get_metrics }
}

/// Registers every route. Reading this function (and the tables above) tells what the service
/// answers.
///
/// Order matters only for speed: actix tries each pattern in turn, and one with a `{param}` costs
/// a regex match. So the JSON API (one cheap prefix test for pages) comes first, and the busiest
/// routes — the comment POST of a surge, the draft page — come first in their groups
/// (`perf`: 17 % of a comment request's handling went to trying earlier patterns).
pub fn configure(cfg: &mut web::ServiceConfig) {
    // No route takes its body through actix's buffering extractors: JSON bodies and forms are
    // read by `extract::read_limited` under `limits.max_body_bytes` after the caller is
    // checked. This smaller bound only catches one that someone adds later.
    cfg.app_data(web::PayloadConfig::new(64 * 1024))
        // JSON API
        .service(web::scope("/api/v1").configure(configure_api))
        // The API's page for people
        .service(web::resource("/api/docs").get(openapi::show_api_docs))
        // Pages
        .service(web::resource("/drafts/{id}").get(pages::drafts::show_draft))
        // The officers' workspace (R25, R27)
        .configure(staff::configure)
        .service(web::resource("/").get(pages::home::show_home))
        .service(web::resource("/problems/{code}").get(pages::problems::show_problem))
        .service(
            web::resource("/subscribe")
                .get(pages::subscribe::show_subscribe)
                .post(pages::subscribe::submit_subscribe),
        )
        .service(web::resource("/subscriptions/confirm").get(pages::subscriptions::show_confirm))
        .service(
            web::resource("/subscriptions/unsubscribe")
                .get(pages::subscriptions::show_unsubscribe)
                .post(pages::subscriptions::submit_unsubscribe),
        )
        .service(web::resource("/assets/site.css").get(pages::assets::get_stylesheet))
        // Public draft pages (R27, R28)
        .service(web::resource("/drafts").get(pages::drafts::list_drafts))
        .service(web::resource("/materials/{id}").get(pages::materials::show_material))
        .service(web::resource("/drafts/{id}/report").get(pages::report::show_report))
        // The comment form and receipts (R9, R10, R14, R25, R27)
        .service(
            web::resource("/drafts/{id}/comments")
                .get(pages::comment_form::show_comment_form)
                .post(pages::comment_form::submit_comment_form),
        )
        .service(web::resource("/receipts").get(pages::comment_form::show_receipt_lookup))
        .service(
            web::resource("/receipts/{tracking_number}").get(pages::comment_form::show_receipt),
        )
        // Operations
        .configure(configure_ops)
        .default_service(web::to(not_found));
}

/// Unknown addresses: a problem document for the API and for clients that do not ask for
/// HTML; the 404 page for a browser.
async fn not_found(req: HttpRequest) -> Result<actix_web::HttpResponse, AppError> {
    let wants_html = req
        .headers()
        .get(actix_web::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    match req.app_data::<web::Data<crate::app::AppState>>() {
        Some(state) if wants_html && !req.path().starts_with("/api/") => {
            pages::not_found_page(&state.config)
        }
        _ => Err(AppError::not_found()),
    }
}
