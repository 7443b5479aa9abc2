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
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T> FromRequest for JsonBody<T>
where
    T: DeserializeOwned + Validate + 'static,
{
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type_ok = match req.headers().get(actix_web::http::header::CONTENT_TYPE) {
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
        };
        let limit = req
            .app_data::<web::Data<AppState>>()
            .map(|s| s.config.limits.max_body_bytes)
            .unwrap_or(64 * 1024);
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !content_type_ok {
                return Err(AppError::new(
                    ErrorKind::UnsupportedMediaType,
                    l!(
                        "请以 application/json 格式提交。",
                        "Send the body as application/json."
                    ),
                ));
            }
            let bytes = bytes.await.map_err(|e| body_error(&e, limit))?;
            if bytes.len() > limit {
                return Err(AppError::too_large(limit));
            }
            let value: T = parse_json(&bytes)?;
            value
                .validate()
                .map_err(|e| AppError::validation(field_errors(&e)))?;
            Ok(JsonBody(value))
        })
    }
}

fn body_error(e: &actix_web::Error, limit: usize) -> AppError {
    match e.as_error::<PayloadError>() {
        Some(PayloadError::Overflow) => AppError::too_large(limit),
        _ => {
            if e.to_string().to_ascii_lowercase().contains("overflow") {
                AppError::too_large(limit)
            } else {
                AppError::malformed(l!(
                    "无法读取请求内容。",
                    "The request body could not be read."
                ))
            }
        }
    }
}

/// Parses JSON, collecting every unknown field and naming the path of a type error.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
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
            return Err(match inner.classify() {
                serde_json::error::Category::Data => type_error(&path, &inner.to_string()),
                _ => AppError::malformed(l!(
                    "请求内容不是有效的 JSON：{}",
                    "The body is not valid JSON: {}",
                    inner
                )),
            });
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
