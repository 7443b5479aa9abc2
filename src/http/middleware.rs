//! The request wrapper: a request id and tracing span, the request's language and page
//! preferences for everything rendered inside it, per-route metrics, an access log line, and
//! baseline security headers.

use std::future::Future;
use std::time::Instant;

use actix_web::Error;
use actix_web::body::EitherBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::http::header::CONTENT_TYPE;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::web;
use tracing::Instrument;

use super::error::{AppError, ErrorKind};
use super::lang::LANG;
use super::prefs::{PREFS, Prefs};
use crate::app::AppState;
use crate::db::ids::random_code;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

fn acceptable_request_id(v: &HeaderValue) -> Option<String> {
    let s = v.to_str().ok()?;
    (!s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    .then(|| s.to_string())
}

pub fn observe<S, B>(
    req: ServiceRequest,
    srv: &S,
) -> impl Future<Output = Result<ServiceResponse<EitherBody<B>>, Error>> + use<S, B>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
{
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let default_lang = state.as_ref().map(|s| s.default_lang).unwrap_or_default();
    let lang = crate::http::lang::of_request(req.request(), default_lang);
    let request_id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(acceptable_request_id)
        .unwrap_or_else(|| random_code(16));
    let method = req.method().to_string();
    let span = tracing::info_span!("request", request_id = %request_id, method = %method, path = %req.path());
    let start = Instant::now();
    let prefs = Prefs::of_request(req.request());
    // U+0000 in the address (`%00`) is refused before routing: no id, search or token holds
    // one, and PostgreSQL cannot compare text with it. In the path nothing can match (404); in
    // the query string it is a bad parameter (422).
    let served = if let Some(err) = nul_refusal(&req) {
        let answer = LANG.sync_scope(lang, || actix_web::ResponseError::error_response(&err));
        let (r, _) = req.into_parts();
        Err(ServiceResponse::new(r, answer))
    } else {
        Ok(PREFS.sync_scope(prefs.clone(), || {
            LANG.sync_scope(lang, || span.in_scope(|| srv.call(req)))
        }))
    };
    async move {
        let mut res = match served {
            Ok(fut) => {
                let res = PREFS
                    .scope(prefs, LANG.scope(lang, fut))
                    .instrument(span.clone())
                    .await?;
                LANG.sync_scope(lang, || as_problem(res))
            }
            Err(refused) => refused.map_into_right_body(),
        };
        let elapsed = start.elapsed();
        let status = res.status().as_u16();
        let route = res
            .request()
            .match_pattern()
            .unwrap_or_else(|| "unmatched".into());
        if let Some(state) = &state {
            state
                .metrics
                .observe(&method, &route, status, elapsed.as_secs_f64());
            if state.config.server.access_log {
                span.in_scope(|| {
                    tracing::info!(status, route = %route, ms = elapsed.as_secs_f64() * 1000.0, "request answered")
                });
            }
        }
        let headers = res.headers_mut();
        if let Ok(v) = HeaderValue::from_str(&request_id) {
            headers.insert(REQUEST_ID, v);
        }
        headers.insert(
            HeaderName::from_static("x-content-type-options"),
            HeaderValue::from_static("nosniff"),
        );
        headers.insert(
            HeaderName::from_static("referrer-policy"),
            HeaderValue::from_static("same-origin"),
        );
        Ok(res)
    }
}

/// The refusal of an address carrying `%00` (or a raw NUL), if it does.
fn nul_refusal(req: &ServiceRequest) -> Option<AppError> {
    let uri = req.uri();
    let has = |s: &str| s.contains("%00") || s.contains('\0');
    if has(uri.path()) {
        return Some(AppError::not_found());
    }
    if uri.query().is_some_and(has) {
        return Some(AppError::field(
            "query",
            crate::l!(
                "不能包含空字符（U+0000）",
                "must not contain a NUL character (U+0000)"
            ),
        ));
    }
    None
}

/// Error answers made by actix itself (a 405 for a known path, say) carry no body; give them
/// the problem document every other error has.
fn as_problem<B>(res: ServiceResponse<B>) -> ServiceResponse<EitherBody<B>> {
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error())
        || res.headers().contains_key(CONTENT_TYPE)
    {
        return res.map_into_left_body();
    }
    let kind = ErrorKind::ALL
        .into_iter()
        .find(|k| super::error::status_of(*k) == status)
        .unwrap_or(ErrorKind::Internal);
    let err = AppError::new(kind, kind.title());
    let (req, _) = res.into_parts();
    let mut answer = actix_web::ResponseError::error_response(&err);
    *answer.status_mut() = status;
    ServiceResponse::new(req, answer).map_into_right_body()
}
