//! The error type at the HTTP edge: `crate::error::AppError` rendered as an RFC 9457
//! `application/problem+json` answer in the request's language.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};

pub use crate::error::{AppError, AppResult, ErrorKind, FieldErrors, Problem};
use crate::lang::Lang;

/// The HTTP status of an error kind.
pub fn status_of(kind: ErrorKind) -> StatusCode {
    StatusCode::from_u16(kind.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        status_of(self.kind)
    }

    fn error_response(&self) -> HttpResponse {
        if status_of(self.kind).is_server_error() {
            match &self.source {
                Some(source) => {
                    tracing::error!(error = %format!("{source:#}"), kind = self.kind.code(), "request failed")
                }
                None => tracing::warn!(kind = self.kind.code(), "request refused"),
            }
        }
        let mut res = HttpResponse::build(status_of(self.kind));
        res.insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        ));
        if let Some(secs) = self.retry_after {
            res.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        if self.kind == ErrorKind::Unauthenticated {
            res.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
        }
        res.body(html_safe(&self.problem(Lang::current()).to_string()))
    }
}

/// The problem document with `<`, `>` and `&` written as JSON escapes: the same JSON to a
/// client, but text that a problem repeats (an unknown field's name, say) never appears as
/// markup, whatever reads the answer. These characters occur only inside JSON strings, where
/// the escapes mean the same.
fn html_safe(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> AppError {
        AppError::internal(anyhow::anyhow!("blocking task failed: {e}"))
    }
}
