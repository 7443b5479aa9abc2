//! R25: CSRF protection for the public forms — a signed double-submit token. A random value
//! lives in an HttpOnly cookie; each form carries the same value and its HMAC under the
//! site's secret. A cross-site page can make the browser send the cookie but can neither read
//! it nor forge the signature, so it cannot fill in a matching form.

use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite};

use crate::app::AppState;
use crate::db::ids;
use crate::security::{sign, verify_signature};
use crate::service::abuse::form_stamp;

/// The cookie that holds the random value.
pub const CSRF_COOKIE: &str = "csrf";
/// The form fields that carry the value and its signature.
pub const VALUE_FIELD: &str = "csrf_token";
pub const SIGNATURE_FIELD: &str = "csrf_signature";

/// What a form page embeds, and the cookie to set when the browser had none.
#[derive(Debug, Clone, Default)]
pub struct CsrfToken {
    pub value: String,
    pub signature: String,
    /// The comment form's signed issue time, bound to `value` (`service::abuse::form_stamp`).
    pub issued: String,
    /// `Some` when the cookie must be (re)set with this answer.
    pub cookie: Option<Cookie<'static>>,
}

fn message(value: &str) -> String {
    format!("csrf:{value}")
}

/// The token for a form page: the browser's current value when it has a sound one, a new
/// random value (and its cookie) otherwise.
pub fn token_for(state: &AppState, req: &HttpRequest) -> CsrfToken {
    if let Some(c) = req.cookie(CSRF_COOKIE) {
        let v = c.value();
        if (16..=128).contains(&v.len())
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return CsrfToken {
                value: v.to_string(),
                signature: sign(&state.secret, &message(v)),
                issued: form_stamp(&state.secret, state.clock.now(), v),
                cookie: None,
            };
        }
    }
    let value = ids::random_token(32);
    let cookie = Cookie::build(CSRF_COOKIE, value.clone())
        .path("/")
        .same_site(SameSite::Lax)
        .http_only(true)
        .secure(state.config.server.public_url.starts_with("https://"))
        .finish();
    CsrfToken {
        signature: sign(&state.secret, &message(&value)),
        issued: form_stamp(&state.secret, state.clock.now(), &value),
        value,
        cookie: Some(cookie),
    }
}

/// R25: true when the form's value equals the cookie's and its signature is ours.
pub fn verify(state: &AppState, req: &HttpRequest, value: &str, signature: &str) -> bool {
    let Some(cookie) = req.cookie(CSRF_COOKIE) else {
        return false;
    };
    let same: bool = {
        use subtle::ConstantTimeEq;
        cookie.value().len() == value.len()
            && cookie.value().as_bytes().ct_eq(value.as_bytes()).into()
    };
    same && !value.is_empty() && verify_signature(&state.secret, &message(value), signature)
}
