//! The one error type of the service: what the operations (`crate::service`) refuse and why.
//! Each kind has a stable code and an HTTP status; `http::error` renders it as an RFC 9457
//! `application/problem+json` document (a title and detail in the request's language, and
//! field-level `errors` for validation failures), and the staff pages show the same messages
//! beside the fields.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::l;
use crate::lang::{L, Lang};

/// The kinds of error, each with a stable code (the last part of its `type`) and status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    MalformedRequest,
    Unauthenticated,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    WrongState,
    PhaseClosed,
    IncompleteReview,
    MissingMaterials,
    InvalidPeriod,
    IdempotencyKeyReused,
    PayloadTooLarge,
    UnsupportedMediaType,
    Validation,
    RateLimited,
    Overloaded,
    DatabaseUnavailable,
    Internal,
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 18] = [
        ErrorKind::MalformedRequest,
        ErrorKind::Unauthenticated,
        ErrorKind::Forbidden,
        ErrorKind::NotFound,
        ErrorKind::MethodNotAllowed,
        ErrorKind::WrongState,
        ErrorKind::PhaseClosed,
        ErrorKind::IncompleteReview,
        ErrorKind::MissingMaterials,
        ErrorKind::InvalidPeriod,
        ErrorKind::IdempotencyKeyReused,
        ErrorKind::PayloadTooLarge,
        ErrorKind::UnsupportedMediaType,
        ErrorKind::Validation,
        ErrorKind::RateLimited,
        ErrorKind::Overloaded,
        ErrorKind::DatabaseUnavailable,
        ErrorKind::Internal,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::MalformedRequest => "malformed-request",
            ErrorKind::Unauthenticated => "unauthenticated",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::NotFound => "not-found",
            ErrorKind::MethodNotAllowed => "method-not-allowed",
            ErrorKind::WrongState => "wrong-state",
            ErrorKind::PhaseClosed => "phase-closed",
            ErrorKind::IncompleteReview => "incomplete-review",
            ErrorKind::MissingMaterials => "missing-materials",
            ErrorKind::InvalidPeriod => "invalid-period",
            ErrorKind::IdempotencyKeyReused => "idempotency-key-reused",
            ErrorKind::PayloadTooLarge => "payload-too-large",
            ErrorKind::UnsupportedMediaType => "unsupported-media-type",
            ErrorKind::Validation => "validation-failed",
            ErrorKind::RateLimited => "rate-limited",
            ErrorKind::Overloaded => "overloaded",
            ErrorKind::DatabaseUnavailable => "database-unavailable",
            ErrorKind::Internal => "internal-error",
        }
    }

    pub fn status(self) -> u16 {
        match self {
            ErrorKind::MalformedRequest => 400,
            ErrorKind::Unauthenticated => 401,
            ErrorKind::Forbidden => 403,
            ErrorKind::NotFound => 404,
            ErrorKind::MethodNotAllowed => 405,
            ErrorKind::WrongState
            | ErrorKind::PhaseClosed
            | ErrorKind::IncompleteReview
            | ErrorKind::MissingMaterials
            | ErrorKind::InvalidPeriod => 409,
            ErrorKind::IdempotencyKeyReused | ErrorKind::Validation => 422,
            ErrorKind::PayloadTooLarge => 413,
            ErrorKind::UnsupportedMediaType => 415,
            ErrorKind::RateLimited => 429,
            ErrorKind::Overloaded | ErrorKind::DatabaseUnavailable => 503,
            ErrorKind::Internal => 500,
        }
    }

    pub fn title(self) -> L {
        match self {
            ErrorKind::MalformedRequest => l!("请求格式有误", "The request is malformed"),
            ErrorKind::Unauthenticated => l!("需要登录", "Authentication is required"),
            ErrorKind::Forbidden => l!("无权进行此操作", "You may not do this"),
            ErrorKind::NotFound => l!("未找到", "Not found"),
            ErrorKind::MethodNotAllowed => l!("不支持该请求方法", "Method not allowed"),
            ErrorKind::WrongState => l!(
                "当前状态下不能进行此操作",
                "Not possible in the current state"
            ),
            ErrorKind::PhaseClosed => l!("当前不在意见征集期内", "The comment period is not open"),
            ErrorKind::IncompleteReview => l!("意见处理尚未完成", "The review is not complete"),
            ErrorKind::MissingMaterials => l!(
                "缺少送审所需的材料",
                "Materials needed for review are missing"
            ),
            ErrorKind::InvalidPeriod => {
                l!("征求意见期不符合要求", "The comment period is not allowed")
            }
            ErrorKind::IdempotencyKeyReused => l!(
                "Idempotency-Key 已用于另一请求",
                "The Idempotency-Key was used for a different request"
            ),
            ErrorKind::PayloadTooLarge => l!("提交的内容过大", "The request is too large"),
            ErrorKind::UnsupportedMediaType => {
                l!("不支持的内容类型", "Unsupported content type")
            }
            ErrorKind::Validation => l!("提交的内容有误", "Some fields are invalid"),
            ErrorKind::RateLimited => l!("提交过于频繁", "Too many requests"),
            ErrorKind::Overloaded => l!("系统繁忙", "The service is busy"),
            ErrorKind::DatabaseUnavailable => {
                l!("数据库暂时无法访问", "The database is unavailable")
            }
            ErrorKind::Internal => l!("系统内部错误", "Internal error"),
        }
    }
}

/// Field name → messages, for 422 answers.
pub type FieldErrors = BTreeMap<String, Vec<L>>;

/// An error answer. Boxed so that `Result<T, AppError>` stays one pointer wide.
#[derive(Debug)]
pub struct AppError(Box<Problem>);

#[derive(Debug)]
pub struct Problem {
    pub kind: ErrorKind,
    pub detail: L,
    pub errors: Option<FieldErrors>,
    pub extensions: Map<String, Value>,
    pub retry_after: Option<u64>,
    /// Logged once when the answer is a 5xx; never shown to the caller.
    pub source: Option<anyhow::Error>,
}

pub type AppResult<T> = Result<T, AppError>;

impl std::ops::Deref for AppError {
    type Target = Problem;
    fn deref(&self) -> &Problem {
        &self.0
    }
}

impl std::ops::DerefMut for AppError {
    fn deref_mut(&mut self) -> &mut Problem {
        &mut self.0
    }
}

impl AppError {
    pub fn new(kind: ErrorKind, detail: L) -> AppError {
        AppError(Box::new(Problem {
            kind,
            detail,
            errors: None,
            extensions: Map::new(),
            retry_after: None,
            source: None,
        }))
    }

    pub fn malformed(detail: L) -> AppError {
        AppError::new(ErrorKind::MalformedRequest, detail)
    }

    pub fn unauthenticated() -> AppError {
        AppError::new(
            ErrorKind::Unauthenticated,
            l!(
                "请提供有效的访问令牌（Authorization: Bearer …）。",
                "Send a valid token in the Authorization: Bearer header."
            ),
        )
    }

    pub fn forbidden(detail: L) -> AppError {
        AppError::new(ErrorKind::Forbidden, detail)
    }

    pub fn not_found() -> AppError {
        AppError::new(
            ErrorKind::NotFound,
            l!(
                "请求的内容不存在或已不公开。",
                "There is nothing here, or it is not public."
            ),
        )
    }

    pub fn conflict(kind: ErrorKind, detail: L) -> AppError {
        AppError::new(kind, detail)
    }

    pub fn wrong_state(detail: L) -> AppError {
        AppError::new(ErrorKind::WrongState, detail)
    }

    pub fn too_large(limit: usize) -> AppError {
        AppError::new(
            ErrorKind::PayloadTooLarge,
            l!(
                "提交的内容超过 {} 字节的上限，请删减后再提交。",
                "The request exceeds the limit of {} bytes; shorten it and try again.",
                limit
            ),
        )
        .with("limit_bytes", json!(limit))
    }

    /// One invalid field.
    pub fn field(field: &str, message: L) -> AppError {
        let mut errors = FieldErrors::new();
        errors.insert(field.to_string(), vec![message]);
        AppError::validation(errors)
    }

    pub fn validation(errors: FieldErrors) -> AppError {
        let fields = errors.keys().cloned().collect::<Vec<_>>().join(", ");
        let mut e = AppError::new(
            ErrorKind::Validation,
            l!(
                "请修改以下字段后再提交：{}",
                "Correct these fields and try again: {}",
                fields
            ),
        );
        e.errors = Some(errors);
        e
    }

    pub fn rate_limited(retry_after: u64) -> AppError {
        let mut e = AppError::new(
            ErrorKind::RateLimited,
            l!(
                "提交过于频繁，请 {} 秒后再试。",
                "Too many requests; try again in {} seconds.",
                retry_after
            ),
        );
        e.retry_after = Some(retry_after);
        e
    }

    pub fn overloaded(retry_after: u64) -> AppError {
        let mut e = AppError::new(
            ErrorKind::Overloaded,
            l!(
                "系统繁忙，您的提交未被保存，请 {} 秒后重试。",
                "The service is busy and nothing was saved; try again in {} seconds.",
                retry_after
            ),
        );
        e.retry_after = Some(retry_after);
        e
    }

    pub fn db_unavailable(source: impl Into<anyhow::Error>) -> AppError {
        let mut e = AppError::new(
            ErrorKind::DatabaseUnavailable,
            l!(
                "数据库暂时无法访问，请稍后再试。",
                "The database is unavailable; try again shortly."
            ),
        );
        e.retry_after = Some(5);
        e.source = Some(source.into());
        e
    }

    pub fn internal(source: impl Into<anyhow::Error>) -> AppError {
        let mut e = AppError::new(
            ErrorKind::Internal,
            l!(
                "系统内部错误，已记录，请稍后再试。",
                "Something went wrong on our side; it has been logged. Try again later."
            ),
        );
        e.source = Some(source.into());
        e
    }

    /// Adds an extension member to the problem document (e.g. `missing`).
    pub fn with(mut self, key: &str, value: Value) -> AppError {
        self.extensions.insert(key.to_string(), value);
        self
    }

    /// The problem document in `lang`.
    pub fn problem(&self, lang: Lang) -> Value {
        let mut doc = Map::new();
        doc.insert(
            "type".into(),
            json!(format!("/problems/{}", self.kind.code())),
        );
        doc.insert("title".into(), json!(self.kind.title().get(lang)));
        doc.insert("status".into(), json!(self.kind.status()));
        doc.insert("detail".into(), json!(self.detail.get(lang)));
        if let Some(errors) = &self.errors {
            let map: Map<String, Value> = errors
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        json!(v.iter().map(|m| m.get(lang)).collect::<Vec<_>>()),
                    )
                })
                .collect();
            doc.insert("errors".into(), Value::Object(map));
        }
        for (k, v) in &self.extensions {
            doc.insert(k.clone(), v.clone());
        }
        Value::Object(doc)
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.kind.code(), self.detail.en)
    }
}

impl std::error::Error for AppError {}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> AppError {
        AppError::internal(e)
    }
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(e: diesel::r2d2::PoolError) -> AppError {
        AppError::db_unavailable(e)
    }
}

/// Runs `validator`'s rules on an operation's input: 422 naming every field at fault.
pub fn validated<T: validator::Validate>(input: &T) -> Result<(), AppError> {
    input
        .validate()
        .map_err(|e| AppError::validation(field_errors(&e)))
}

/// Flattens `validator` errors into `field → messages`, in both languages.
pub fn field_errors(errors: &validator::ValidationErrors) -> FieldErrors {
    let mut out = FieldErrors::new();
    collect(errors, "", &mut out);
    out
}

fn collect(errors: &validator::ValidationErrors, prefix: &str, out: &mut FieldErrors) {
    for (field, kind) in errors.errors() {
        let path = if prefix.is_empty() {
            field.to_string()
        } else {
            format!("{prefix}.{field}")
        };
        match kind {
            validator::ValidationErrorsKind::Field(list) => {
                let messages = out.entry(path).or_default();
                for e in list {
                    messages.push(message_for(e));
                }
            }
            validator::ValidationErrorsKind::Struct(inner) => collect(inner, &path, out),
            validator::ValidationErrorsKind::List(items) => {
                for (i, inner) in items {
                    collect(inner, &format!("{path}[{i}]"), out);
                }
            }
        }
    }
}

/// A custom rule's error: code plus the message in both languages.
pub fn rule(
    code: &'static str,
    zh: impl Into<String>,
    en: impl Into<String>,
) -> validator::ValidationError {
    let mut e = validator::ValidationError::new(code);
    e.message = Some(en.into().into());
    e.add_param("zh".into(), &zh.into());
    e
}

fn message_for(e: &validator::ValidationError) -> L {
    let param = |name: &str| {
        e.params
            .get(name)
            .map(|v| v.to_string().trim_matches('"').to_string())
    };
    if let (Some(en), Some(zh)) = (&e.message, param("zh")) {
        return L::new(zh, en.to_string());
    }
    match e.code.as_ref() {
        "length" => match (param("min"), param("max"), param("equal")) {
            (_, _, Some(eq)) => L::new(
                format!("长度必须为 {eq} 个字符"),
                format!("must be exactly {eq} characters"),
            ),
            (Some(min), Some(max), _) => L::new(
                format!("长度应为 {min} 到 {max} 个字符"),
                format!("must be {min} to {max} characters long"),
            ),
            (Some(min), None, _) => L::new(
                format!("至少 {min} 个字符"),
                format!("must be at least {min} characters"),
            ),
            (None, Some(max), _) => L::new(
                format!("不能超过 {max} 个字符"),
                format!("must be at most {max} characters"),
            ),
            _ => l!("长度不符合要求", "has the wrong length"),
        },
        "range" => match (param("min"), param("max")) {
            (Some(min), Some(max)) => L::new(
                format!("应在 {min} 到 {max} 之间"),
                format!("must be between {min} and {max}"),
            ),
            (Some(min), None) => {
                L::new(format!("不能小于 {min}"), format!("must be at least {min}"))
            }
            (None, Some(max)) => {
                L::new(format!("不能大于 {max}"), format!("must be at most {max}"))
            }
            _ => l!("超出允许范围", "is out of range"),
        },
        "email" => l!("邮箱地址格式不正确", "is not a valid email address"),
        "url" => l!("网址格式不正确", "is not a valid URL"),
        "required" => l!("必须填写", "is required"),
        other => match &e.message {
            Some(m) => L::new(m.to_string(), m.to_string()),
            None => L::new(
                format!("不符合要求（{other}）"),
                format!("is invalid ({other})"),
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_distinct_code_and_titles() {
        let mut codes = std::collections::HashSet::new();
        for kind in ErrorKind::ALL {
            assert!(codes.insert(kind.code()), "duplicate code {}", kind.code());
            assert!(!kind.title().zh.is_empty() && !kind.title().en.is_empty());
        }
    }

    #[test]
    fn validation_problem_lists_fields_in_the_language() {
        let e = AppError::field("body", l!("请填写意见内容", "Write your comment"));
        let doc = e.problem(Lang::En);
        assert!(e.errors.as_ref().is_some_and(|m| m.contains_key("body")));
        assert_eq!(doc["status"], 422);
        assert_eq!(doc["type"], "/problems/validation-failed");
        assert_eq!(doc["errors"]["body"][0], "Write your comment");
    }
}
