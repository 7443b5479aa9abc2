//! Strict request extractors. JSON bodies and query strings refuse unknown fields (422 naming
//! every one, so a typo never silently drops what a person wrote), name the field of a type
//! error, and run `validator` rules; malformed JSON is a 400, an oversized body a 413.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::{FromRequest, HttpRequest, web};
use serde::de::DeserializeOwned;
use validator::Validate;

use super::error::{AppError, ErrorKind, FieldErrors};
use super::lang::L;
use crate::app::AppState;
use crate::l;

/// A JSON body: known fields only, typed, validated.
///
/// The checks run in this order, each answering before the next is tried:
/// 1. the caller (401/403), when the route has a caller extractor: nothing of the body is read
///    before it lets the request through (see [`super::auth::caller_checked`]);
/// 2. the `Content-Type`: absent, `application/json` or `*+json`, else 415;
/// 3. the size: a `Content-Length` above `limits.max_body_bytes` is 413 before any byte is
///    read, and so is a streamed body as soon as it passes the limit (at most the limit plus
///    one chunk is ever held);
/// 4. the syntax: not UTF-8, not JSON, truncated, or nested deeper than 128 levels is 400;
/// 5. the shape: a wrong type, a missing or an unknown field is 422 naming the field, and so is
///    a broken `validator` rule.
///
/// An empty body reads as `{}`, so an action whose fields are all optional needs no body.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T> FromRequest for JsonBody<T>
where
    T: DeserializeOwned + Validate + 'static,
{
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let payload = payload.take();
        Box::pin(async move {
            super::auth::caller_checked(&req).await;
            let limit = req
                .app_data::<web::Data<AppState>>()
                .map(|s| s.config.limits.max_body_bytes)
                .unwrap_or(64 * 1024);
            let bytes = read_json_bytes(&req, payload, limit).await?;
            let value: T = parse_json(&bytes)?;
            value
                .validate()
                .map_err(|e| AppError::validation(field_errors(&e)))?;
            Ok(JsonBody(value))
        })
    }
}

/// True when the request's `Content-Type` is absent or JSON (`application/json`, `*+json`).
pub fn json_content_type(req: &HttpRequest) -> bool {
    match req.headers().get(actix_web::http::header::CONTENT_TYPE) {
        None => true,
        Some(v) => v
            .to_str()
            .map(|s| {
                let essence = s
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                essence == "application/json" || essence.ends_with("+json")
            })
            .unwrap_or(false),
    }
}

/// Checks the content type (415) and reads a JSON body of at most `limit` bytes (413).
pub async fn read_json_bytes(
    req: &HttpRequest,
    payload: Payload,
    limit: usize,
) -> Result<web::Bytes, AppError> {
    if !json_content_type(req) {
        return Err(AppError::new(
            ErrorKind::UnsupportedMediaType,
            l!(
                "请以 application/json 格式提交。",
                "Send the body as application/json."
            ),
        ));
    }
    read_limited(req, payload, limit).await
}

/// The `Content-Length` the request declares, if it declares a readable one.
fn declared_length(req: &HttpRequest) -> Option<u64> {
    req.headers()
        .get(actix_web::http::header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// Reads a body of at most `limit` bytes: 413 at once when `Content-Length` says more, and as
/// soon as the streamed bytes pass the limit otherwise; never more than the limit and one chunk
/// in memory. A body that breaks off is 400.
pub async fn read_limited<S>(
    req: &HttpRequest,
    mut payload: S,
    limit: usize,
) -> Result<web::Bytes, AppError>
where
    S: futures_util::Stream<Item = Result<web::Bytes, PayloadError>> + Unpin,
{
    use futures_util::StreamExt;
    if declared_length(req).is_some_and(|n| n > limit as u64) {
        return Err(AppError::too_large(limit));
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| body_error(&e, limit))?;
        if body.len() + chunk.len() > limit {
            return Err(AppError::too_large(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

fn body_error(e: &PayloadError, limit: usize) -> AppError {
    match e {
        PayloadError::Overflow => AppError::too_large(limit),
        _ => AppError::malformed(l!(
            "无法读取请求内容。",
            "The request body could not be read."
        )),
    }
}

/// The syntax check of a JSON body, before its shape is looked at: UTF-8, well-formed,
/// complete, no deeper than serde_json's nesting limit (128). Any failure is a 400. A string
/// holding U+0000 (which no text field may store, and PostgreSQL cannot) is a 422 naming
/// where it is.
fn check_json_syntax(bytes: &[u8]) -> Result<(), AppError> {
    let malformed = |e: &dyn std::fmt::Display| {
        AppError::malformed(l!(
            "请求内容不是有效的 JSON：{}",
            "The body is not valid JSON: {}",
            e
        ))
    };
    let text = std::str::from_utf8(bytes).map_err(|e| malformed(&e))?;
    // Into a `Value`, not `IgnoredAny`: skipping a value has no nesting limit, reading one does.
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| malformed(&e))?;
    if let Some(path) = nul_at(&value, String::new()) {
        let field = if path.is_empty() {
            "body".to_string()
        } else {
            path
        };
        return Err(AppError::field(
            &field,
            l!(
                "不能包含空字符（U+0000）",
                "must not contain a NUL character (U+0000)"
            ),
        ));
    }
    Ok(())
}

/// The path of the first string (or member name) holding U+0000.
fn nul_at(value: &serde_json::Value, path: String) -> Option<String> {
    use serde_json::Value;
    match value {
        Value::String(s) => s.contains('\0').then_some(path),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| nul_at(v, format!("{path}[{i}]"))),
        Value::Object(members) => members.iter().find_map(|(k, v)| {
            let here = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            if k.contains('\0') {
                Some(path.clone())
            } else {
                nul_at(v, here)
            }
        }),
        _ => None,
    }
}

/// True when a form body carries U+0000, raw or percent-encoded; no form field may hold one.
pub fn form_has_nul(body: &[u8]) -> bool {
    body.contains(&0) || body.windows(3).any(|w| w == b"%00")
}

/// A form's body, read as [`read_limited`] reads it (413 past `limit`), and refused as
/// unreadable (400) when it carries U+0000: the one reader of every form, public and staff.
pub async fn read_form_body(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
) -> Result<web::Bytes, AppError> {
    let body = read_limited(req, payload, limit).await?;
    if form_has_nul(&body) {
        return Err(AppError::malformed(crate::lang::ftl::both(
            "form-unreadable",
        )));
    }
    Ok(body)
}

/// Syntax first (400), then shape (422); an empty body reads as `{}`.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        bytes
    };
    check_json_syntax(bytes)?;
    let mut unknown: Vec<String> = Vec::new();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let mut note = |path: serde_ignored::Path<'_>| unknown.push(path.to_string());
    let result: Result<T, serde_path_to_error::Error<serde_json::Error>> =
        serde_path_to_error::deserialize(serde_ignored::Deserializer::new(&mut de, &mut note));
    let value = match result {
        Ok(v) => v,
        Err(err) => {
            let path = err.path().to_string();
            let inner = err.into_inner();
            // The syntax was checked above: whatever fails now is the body's shape (an enum
            // given a number reports itself as a syntax error, for one).
            return Err(type_error(&path, &inner.to_string()));
        }
    };
    if let Err(e) = de.end() {
        return Err(AppError::malformed(l!(
            "请求内容不是有效的 JSON：{}",
            "The body is not valid JSON: {}",
            e
        )));
    }
    if !unknown.is_empty() {
        return Err(unknown_fields(unknown));
    }
    Ok(value)
}

fn unknown_fields(unknown: Vec<String>) -> AppError {
    let mut errors = FieldErrors::new();
    for field in unknown {
        errors.insert(
            field,
            vec![l!(
                "不认识的字段，请检查拼写",
                "unknown field; check its spelling"
            )],
        );
    }
    AppError::validation(errors)
}

fn type_error(path: &str, message: &str) -> AppError {
    let field = if path.is_empty() || path == "." {
        "body"
    } else {
        path
    };
    // serde says "missing field `x`" at the parent's path: name the field itself.
    if let Some(rest) = message.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or(rest);
        let full = if field == "body" {
            name.to_string()
        } else {
            format!("{field}.{name}")
        };
        return AppError::field(&full, l!("必须填写", "is required"));
    }
    let readable = message
        .split(" at line ")
        .next()
        .unwrap_or(message)
        .to_string();
    AppError::field(
        field,
        L::new(
            format!("格式不正确（{readable}）"),
            format!("has the wrong form ({readable})"),
        ),
    )
}

/// A query string: known parameters only, typed, validated.
#[derive(Debug)]
pub struct QueryParams<T>(pub T);

impl<T> FromRequest for QueryParams<T>
where
    T: DeserializeOwned + Validate + 'static,
{
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(parse_query(req.query_string()).map(QueryParams))
    }
}

pub fn parse_query<T: DeserializeOwned + Validate>(query: &str) -> Result<T, AppError> {
    let mut unknown: Vec<String> = Vec::new();
    let de = serde_urlencoded::Deserializer::new(form_urlencoded_parse(query));
    let mut note = |path: serde_ignored::Path<'_>| {
        let p = path.to_string();
        // `lang` is read by the middleware on every route.
        if p != "lang" {
            unknown.push(p)
        }
    };
    let result: Result<T, _> =
        serde_path_to_error::deserialize(serde_ignored::Deserializer::new(de, &mut note));
    let value = match result {
        Ok(v) => v,
        Err(err) => {
            let path = err.path().to_string();
            return Err(type_error(&path, &err.into_inner().to_string()));
        }
    };
    if !unknown.is_empty() {
        return Err(unknown_fields(unknown));
    }
    value
        .validate()
        .map_err(|e| AppError::validation(field_errors(&e)))?;
    Ok(value)
}

fn form_urlencoded_parse(query: &str) -> form_urlencoded::Parse<'_> {
    form_urlencoded::parse(query.as_bytes())
}

pub use crate::error::{field_errors, rule};

/// `?page=&per_page=`: pages from 1, 50 per page by default, at most 500.
#[derive(Debug, Clone, Copy, serde::Deserialize, Validate, Default)]
pub struct Paging {
    #[validate(range(min = 1))]
    pub page: Option<i64>,
    #[validate(range(min = 1, max = 500))]
    pub per_page: Option<i64>,
}

impl Paging {
    pub fn page(&self) -> i64 {
        self.page.unwrap_or(1)
    }
    pub fn per_page(&self) -> i64 {
        self.per_page.unwrap_or(50)
    }
    /// Rows before the page; a page past any possible end saturates (an empty page, not an
    /// overflow).
    pub fn offset(&self) -> i64 {
        (self.page() - 1).saturating_mul(self.per_page())
    }
}

/// The list envelope of the HTTP contract.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ListPage<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize, Validate)]
    struct Sample {
        #[validate(length(min = 1, max = 5))]
        name: String,
        #[allow(dead_code)]
        count: Option<u32>,
    }

    #[test]
    fn unknown_fields_are_all_named() {
        let e = parse_json::<Sample>(br#"{"name":"a","nmae":"b","extra":1}"#).unwrap_err();
        let errors = e.errors.clone().unwrap();
        assert!(errors.contains_key("nmae") && errors.contains_key("extra"));
    }

    #[test]
    fn malformed_is_400_and_type_error_names_the_field() {
        assert_eq!(
            parse_json::<Sample>(b"{").unwrap_err().kind,
            ErrorKind::MalformedRequest
        );
        let e = parse_json::<Sample>(br#"{"name":"a","count":"x"}"#).unwrap_err();
        assert!(e.errors.clone().unwrap().contains_key("count"));
        let e = parse_json::<Sample>(br#"{}"#).unwrap_err();
        assert!(e.errors.clone().unwrap().contains_key("name"));
    }

    #[test]
    fn the_last_possible_page_does_not_overflow() {
        let paging = parse_query::<Paging>("page=9223372036854775807&per_page=500").unwrap();
        assert_eq!(paging.offset(), i64::MAX);
    }

    #[test]
    fn query_refuses_unknown_and_bad_paging() {
        assert!(parse_query::<Paging>("page=2&per_page=10").is_ok());
        assert!(parse_query::<Paging>("per_page=501").is_err());
        assert!(parse_query::<Paging>("pgae=2").is_err());
        assert!(parse_query::<Paging>("lang=en").is_ok());
    }
}
