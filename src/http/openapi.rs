//! The OpenAPI 3.1 document of the JSON API (`GET /api/v1/openapi.json`) and its page for
//! people (`GET /api/docs`). Nothing here is written twice: the operations come from the
//! route table in `http/mod.rs` (the same list registers the handlers), request and response
//! schemas from the serde types the handlers read and write, and the problem answers from
//! `ErrorKind::ALL`. Answers that handlers assemble as JSON values are described by the
//! `views` types below; `tests/openapi.rs` and `scripts/schemathesis` hold them to the real
//! answers.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::OnceLock;

use actix_web::HttpResponse;
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{HttpMethod, Operation};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{
    AdditionalProperties, AllOfBuilder, ArrayBuilder, ObjectBuilder, Schema, Type,
};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{OpenApi as Document, Ref, RefOr};
use utoipa::{OpenApi, ToResponse};

use crate::error::ErrorKind;

/// The media type of every error answer (RFC 9457).
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The name of the bearer token's security scheme.
pub const BEARER: &str = "bearer";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "consult",
        description = "The JSON API of consult, a public-comment platform for draft policies. \
            Staff authenticate with `Authorization: Bearer <token>` from `POST /api/v1/auth/token`. \
            Errors are RFC 9457 `application/problem+json` documents whose `type` is \
            `/problems/<code>` (a page for people at that address); validation failures add \
            `errors: {field: [message]}`, in the request's language (`?lang=en` or `zh-CN` on any \
            operation, else `Accept-Language`). Lists take `page` (from 1) and `per_page` (at \
            most 500).",
        license(name = "MIT OR Apache-2.0", identifier = "MIT OR Apache-2.0"),
    ),
    tags(
        (name = "auth", description = "Bearer tokens for staff"),
        (name = "drafts", description = "Drafts, their materials and the review chain (R1–R8)"),
        (name = "comments", description = "Comments, receipts and moderation (R9–R15)"),
        (name = "review", description = "Opinion groups, dispositions and the adoption report (R16–R20)"),
        (name = "mail", description = "Subscriptions, invitations and the outbox (R21–R23)"),
        (name = "agencies", description = "Agencies and their officers, for administrators (who may do what: docs/security.md)"),
        (name = "operations", description = "Health, metrics, this document and the test clock"),
    ),
    // Schemas that only query parameters name (those of bodies and answers come with them).
    components(schemas(crate::domain::comment::CommentStatus))
)]
struct Root;

/// The whole document, built once.
pub fn document() -> &'static Document {
    static DOC: OnceLock<Document> = OnceLock::new();
    DOC.get_or_init(build)
}

fn build() -> Document {
    let mut doc = Root::openapi();
    doc.merge(super::ApiPaths::openapi());
    doc.merge(super::OpsPaths::openapi());
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        BEARER,
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some(
                    "A staff token from `POST /api/v1/auth/token`; a missing, unknown, expired \
                     or revoked token is a 401.",
                ))
                .build(),
        ),
    );
    components
        .schemas
        .insert("Problem".into(), RefOr::T(problem_schema()));
    for (name, status) in PROBLEM_RESPONSES {
        components
            .responses
            .insert((*name).into(), RefOr::T(problem_response(*status)));
    }
    refuse_unknown_members(&mut doc);
    doc
}

/// Request bodies refuse members they do not name (422 naming each, `http::extract`): every
/// object schema a request body reaches says `additionalProperties: false`.
fn refuse_unknown_members(doc: &mut Document) {
    let mut pending: Vec<String> = Vec::new();
    for (_, _, op) in operations(doc) {
        if let Some(body) = &op.request_body {
            pending.extend(refs_in(&serde_json::to_value(body).unwrap_or_default()));
        }
    }
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    let mut seen = std::collections::BTreeSet::new();
    while let Some(name) = pending.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(&name) {
            if object.additional_properties.is_none() && !object.properties.is_empty() {
                object.additional_properties =
                    Some(Box::new(AdditionalProperties::FreeForm(false)));
            }
            pending.extend(refs_in(&serde_json::to_value(&*object).unwrap_or_default()));
        }
    }
}

/// The component schemas a JSON value refers to.
fn refs_in(value: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v.as_str()) {
                    ("$ref", Some(r)) => {
                        if let Some(name) = r.strip_prefix("#/components/schemas/") {
                            out.push(name.to_string());
                        }
                    }
                    _ => out.extend(refs_in(v)),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| out.extend(refs_in(v))),
        _ => {}
    }
    out
}

/// The document as served: compact JSON, rendered once.
fn document_json() -> &'static str {
    static JSON: OnceLock<String> = OnceLock::new();
    JSON.get_or_init(|| serde_json::to_string(document()).unwrap_or_else(|_| "{}".into()))
}

/// The problem `type` of an error kind, as `crate::error::AppError::problem` writes it.
pub fn problem_type(kind: ErrorKind) -> String {
    format!("/problems/{}", kind.code())
}

fn problem_schema() -> Schema {
    let types: Vec<String> = ErrorKind::ALL.into_iter().map(problem_type).collect();
    let messages = ArrayBuilder::new().items(ObjectBuilder::new().schema_type(Type::String));
    Schema::Object(
        ObjectBuilder::new()
            .description(Some(
                "An RFC 9457 problem document in the request's language. Some problems add \
                 members: `missing` (an incomplete review), `limit_bytes` (too large), `limit` \
                 (a per-address cap), `opens_at` / `closed_at` (the comment period).",
            ))
            .property(
                "type",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(types))
                    .description(Some("`/problems/<code>`, stable for each kind of error")),
            )
            .required("type")
            .property("title", ObjectBuilder::new().schema_type(Type::String))
            .required("title")
            .property("status", ObjectBuilder::new().schema_type(Type::Integer))
            .required("status")
            .property(
                "detail",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some("What happened and what to do")),
            )
            .required("detail")
            .property(
                "errors",
                ObjectBuilder::new()
                    .schema_type(Type::Object)
                    .additional_properties(Some(messages))
                    .description(Some("Validation failures: field → messages")),
            )
            .additional_properties(Some(AdditionalProperties::FreeForm(true)))
            .build(),
    )
}

macro_rules! problem_responses {
    ($($name:ident = $status:literal),+ $(,)?) => {
        $(
            #[doc = concat!("The problem answers with status ", stringify!($status), ".")]
            pub struct $name;

            impl<'r> ToResponse<'r> for $name {
                fn response() -> (&'r str, RefOr<Response>) {
                    (stringify!($name), RefOr::T(problem_response($status)))
                }
            }
        )+

        /// Every reusable problem answer: its component name and status.
        pub const PROBLEM_RESPONSES: &[(&str, u16)] = &[$((stringify!($name), $status)),+];
    };
}

problem_responses! {
    BadRequest = 400,
    Unauthorized = 401,
    Forbidden = 403,
    NotFound = 404,
    MethodNotAllowed = 405,
    Conflict = 409,
    PayloadTooLarge = 413,
    UnsupportedMediaType = 415,
    Unprocessable = 422,
    TooManyRequests = 429,
    InternalError = 500,
    Unavailable = 503,
}

/// The problem answers of a staff action with a JSON body on one object (bad or oversized
/// body, no or wrong token, not allowed, no such object, not in this state, invalid fields,
/// database unavailable): the set most operations share, named once.
pub struct StaffJsonWrite;

impl utoipa::IntoResponses for StaffJsonWrite {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        problem_refs(&[400, 401, 403, 404, 409, 413, 415, 422, 503])
    }
}

/// References to the reusable problem answers of these statuses.
fn problem_refs(statuses: &[u16]) -> BTreeMap<String, RefOr<Response>> {
    PROBLEM_RESPONSES
        .iter()
        .filter(|(_, status)| statuses.contains(status))
        .map(|(name, status)| {
            (
                status.to_string(),
                RefOr::Ref(Ref::from_response_name(*name)),
            )
        })
        .collect()
}

/// A problem answer of `status`: the `type`s it may carry come from `ErrorKind::ALL`.
fn problem_response(status: u16) -> Response {
    let kinds: Vec<ErrorKind> = ErrorKind::ALL
        .into_iter()
        .filter(|k| k.status() == status)
        .collect();
    let types: Vec<String> = kinds.iter().map(|k| problem_type(*k)).collect();
    let description = kinds
        .iter()
        .map(|k| format!("`{}`: {}", problem_type(*k), k.title().en))
        .collect::<Vec<_>>()
        .join("; ");
    let narrowed = ObjectBuilder::new()
        .property(
            "type",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(types)),
        )
        .property(
            "status",
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .enum_values(Some([status])),
        );
    let schema = AllOfBuilder::new()
        .item(Ref::from_schema_name("Problem"))
        .item(narrowed);
    let mut response = ResponseBuilder::new().description(description).content(
        PROBLEM_JSON,
        ContentBuilder::new().schema(Some(schema)).build(),
    );
    if status == 429 || status == 503 {
        response = response.header(
            "Retry-After",
            HeaderBuilder::new()
                .schema(Some(ObjectBuilder::new().schema_type(Type::Integer)))
                .description(Some("Seconds to wait before trying again"))
                .build(),
        );
    }
    if status == 401 {
        response = response.header(
            "WWW-Authenticate",
            HeaderBuilder::new()
                .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                .build(),
        );
    }
    response.build()
}

/// Every operation of the document as (method, path), for the tests and the page.
pub fn operations(doc: &Document) -> Vec<(HttpMethod, String, &Operation)> {
    let mut out = Vec::new();
    for (path, item) in &doc.paths.paths {
        let ops = [
            (HttpMethod::Get, &item.get),
            (HttpMethod::Put, &item.put),
            (HttpMethod::Post, &item.post),
            (HttpMethod::Delete, &item.delete),
            (HttpMethod::Options, &item.options),
            (HttpMethod::Head, &item.head),
            (HttpMethod::Patch, &item.patch),
            (HttpMethod::Trace, &item.trace),
        ];
        for (method, op) in ops {
            if let Some(op) = op {
                out.push((method, path.clone(), op));
            }
        }
    }
    out
}

/// The name of a method as the route table writes it.
pub fn method_name(m: &HttpMethod) -> &'static str {
    match m {
        HttpMethod::Get => "get",
        HttpMethod::Put => "put",
        HttpMethod::Post => "post",
        HttpMethod::Delete => "delete",
        HttpMethod::Options => "options",
        HttpMethod::Head => "head",
        HttpMethod::Patch => "patch",
        HttpMethod::Trace => "trace",
    }
}

/// `GET /api/v1/openapi.json`: this document.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "operations",
    responses(
        (status = 200, description = "The OpenAPI 3.1 document of this API",
            content_type = "application/json", body = serde_json::Value),
    )
)]
pub async fn get_openapi() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(document_json())
}

/// `GET /api/docs`: the operations of the document as a page, rendered on the server (no
/// script, nothing fetched from elsewhere).
pub async fn show_api_docs() -> HttpResponse {
    static PAGE: OnceLock<String> = OnceLock::new();
    let page = PAGE.get_or_init(|| render_page(document()));
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(page.as_str())
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn render_page(doc: &Document) -> String {
    let mut by_tag: BTreeMap<String, Vec<(HttpMethod, String, &Operation)>> = BTreeMap::new();
    for (method, path, op) in operations(doc) {
        let tag = op
            .tags
            .as_ref()
            .and_then(|t| t.first().cloned())
            .unwrap_or_else(|| "other".into());
        by_tag.entry(tag).or_default().push((method, path, op));
    }
    let mut html = String::from(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>consult API</title><link rel=\"stylesheet\" href=\"/assets/site.css\"></head>\
         <body><main class=\"container\"><h1>consult API</h1>\
         <p>The machine-readable contract is <a href=\"/api/v1/openapi.json\">\
         /api/v1/openapi.json</a> (OpenAPI 3.1). 🔒 marks operations that need \
         <code>Authorization: Bearer &lt;token&gt;</code>; 🔓 those where a token shows more.</p>",
    );
    let tags: BTreeMap<String, String> = doc
        .tags
        .iter()
        .flatten()
        .map(|t| (t.name.clone(), t.description.clone().unwrap_or_default()))
        .collect();
    for (tag, mut ops) in by_tag {
        ops.sort_by(|a, b| a.1.cmp(&b.1));
        let _ = write!(html, "<h2 id=\"{0}\">{0}</h2>", escape(&tag));
        if let Some(d) = tags.get(&tag) {
            let _ = write!(html, "<p>{}</p>", escape(d));
        }
        html.push_str("<table><thead><tr><th>method</th><th>path</th><th>what</th><th>answers</th></tr></thead><tbody>");
        for (method, path, op) in ops {
            let lock = match &op.security {
                Some(reqs) if reqs.iter().any(|r| r == &Default::default()) => " 🔓",
                Some(reqs) if !reqs.is_empty() => " 🔒",
                _ => "",
            };
            let what = op
                .summary
                .clone()
                .or_else(|| op.description.clone())
                .unwrap_or_default();
            let answers = op
                .responses
                .responses
                .keys()
                .cloned()
                .collect::<Vec<_>>()
                .join(" ");
            let _ = write!(
                html,
                "<tr><td><code>{}</code>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                method_name(&method).to_ascii_uppercase(),
                lock,
                escape(&path),
                escape(&what),
                escape(&answers),
            );
        }
        html.push_str("</tbody></table>");
    }
    html.push_str("<h2 id=\"problems\">Problem types</h2><ul>");
    for kind in ErrorKind::ALL {
        let t = problem_type(kind);
        let _ = write!(
            html,
            "<li><a href=\"{0}\"><code>{0}</code></a> ({1}): {2}</li>",
            escape(&t),
            kind.status(),
            escape(&kind.title().en)
        );
    }
    html.push_str("</ul></main></body></html>\n");
    html
}

/// Answers that handlers assemble as JSON values (`serde_json::json!`), described for the
/// document. They are never built; `tests/openapi.rs` compares them with real answers.
pub mod views {
    use chrono::{DateTime, NaiveDate, Utc};
    use serde::Serialize;
    use utoipa::ToSchema;

    use crate::db::drafts::Article;
    use crate::domain::period::Phase;
    use crate::domain::workflow::{DraftKind, MaterialKind};

    /// A draft (`http::api::drafts::draft_json`). Lists leave out `articles`, `materials` and
    /// the period's `extensions`; staff also see the officers and the review steps.
    #[derive(Serialize, ToSchema)]
    pub struct Draft {
        pub id: String,
        pub index_no: String,
        pub title: String,
        pub doc_number: Option<String>,
        pub agency: String,
        pub category: String,
        pub subject_terms: Vec<String>,
        pub kind: DraftKind,
        pub enterprise_related: bool,
        pub summary: String,
        /// `drafting`, `in_initial_review`, …, `published`, `withdrawn`, `concluded`.
        pub state: String,
        /// Only for published drafts.
        pub phase: Option<Phase>,
        pub round: i32,
        pub comment_period: CommentPeriod,
        pub view_count: i64,
        pub published_comment_count: i64,
        pub approved_at: Option<DateTime<Utc>>,
        pub withdrawn_at: Option<DateTime<Utc>>,
        pub withdraw_reason: Option<String>,
        pub concluded_at: Option<DateTime<Utc>>,
        pub created_at: DateTime<Utc>,
        pub updated_at: DateTime<Utc>,
        pub links: DraftLinks,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub articles: Option<Vec<Article>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub materials: Option<Vec<Material>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub drafter_id: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub initial_reviewer_id: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub re_reviewer_id: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub approver_id: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub review_steps: Option<Vec<ReviewStep>>,
    }

    #[derive(Serialize, ToSchema)]
    pub struct CommentPeriod {
        pub opens_on: NaiveDate,
        pub closes_on: NaiveDate,
        pub opens_at: DateTime<Utc>,
        pub closes_at: DateTime<Utc>,
        pub timezone: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub extensions: Option<Vec<Extension>>,
    }

    #[derive(Serialize, ToSchema)]
    pub struct Extension {
        pub at: DateTime<Utc>,
        pub previous_closes_on: NaiveDate,
        pub closes_on: NaiveDate,
        pub reason: String,
    }

    #[derive(Serialize, ToSchema)]
    pub struct DraftLinks {
        #[serde(rename = "self")]
        pub self_: String,
        pub html: String,
        /// Once a report of the draft is published.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub report: Option<String>,
    }

    #[derive(Serialize, ToSchema)]
    pub struct ReviewStep {
        pub at: DateTime<Utc>,
        pub actor_id: String,
        pub action: String,
        pub from_state: String,
        pub to_state: String,
        pub note: Option<String>,
        pub attested: bool,
        /// The round whose review chain it belongs to (R8).
        pub round: i32,
    }

    /// A material (`http::api::drafts::material_json`).
    #[derive(Serialize, ToSchema)]
    pub struct Material {
        pub id: String,
        pub draft_id: String,
        pub kind: MaterialKind,
        pub title: String,
        pub body: String,
        pub position: i32,
        pub file: Option<MaterialFile>,
        pub created_at: DateTime<Utc>,
        pub updated_at: DateTime<Utc>,
        pub links: MaterialLinks,
    }

    #[derive(Serialize, ToSchema)]
    pub struct MaterialFile {
        pub name: String,
        pub content_type: Option<String>,
        pub size: Option<i64>,
        pub sha256: Option<String>,
        pub url: String,
    }

    #[derive(Serialize, ToSchema)]
    pub struct MaterialLinks {
        #[serde(rename = "self")]
        pub self_: String,
        pub html: String,
        pub draft: String,
        pub draft_html: String,
    }

    /// `GET /api/v1/drafts`.
    #[derive(Serialize, ToSchema)]
    pub struct DraftPage {
        pub items: Vec<Draft>,
        pub total: i64,
        pub page: i64,
        pub per_page: i64,
    }

    /// `GET /api/v1/drafts/{id}/audit`: the draft's entries of the audit chain, oldest first.
    #[derive(Serialize, ToSchema)]
    pub struct AuditList {
        pub items: Vec<AuditEntry>,
        pub total: i64,
    }

    #[derive(Serialize, ToSchema)]
    pub struct AuditEntry {
        pub seq: i64,
        pub at: DateTime<Utc>,
        pub actor: String,
        pub action: String,
        pub object_type: String,
        pub object_id: String,
        /// The entry's details as recorded (any JSON).
        pub details: serde_json::Value,
        pub hash: String,
        pub prev_hash: String,
    }

    /// The adoption report (`http::api::reports::document` over `domain::report::summary`).
    #[derive(Serialize, ToSchema)]
    pub struct Report {
        pub id: String,
        pub version: i32,
        pub round: i32,
        /// `draft`, `awaiting_approval` or `published`.
        pub state: String,
        pub note: Option<String>,
        pub return_note: Option<String>,
        pub prepared_at: DateTime<Utc>,
        pub published_at: Option<DateTime<Utc>>,
        pub draft: ReportDraft,
        pub period: ReportPeriod,
        pub totals: ReportTotals,
        pub groups: Vec<ReportGroup>,
        /// One page of the comment rows (`?page=&per_page=`); the CSV has every row.
        pub comments: Vec<ReportRow>,
        pub comments_page: ReportRowsPage,
        pub links: ReportLinks,
    }

    #[derive(Serialize, ToSchema)]
    pub struct ReportDraft {
        pub id: String,
        pub index_no: String,
        pub title: String,
    }

    #[derive(Serialize, ToSchema)]
    pub struct ReportPeriod {
        pub opens_on: NaiveDate,
        pub closes_on: NaiveDate,
        pub opens_at: Option<String>,
        pub closes_at: String,
        pub extensions: Vec<ReportExtension>,
    }

    #[derive(Serialize, ToSchema)]
    pub struct ReportExtension {
        pub previous_closes_on: NaiveDate,
        pub new_closes_on: NaiveDate,
        pub reason: String,
    }

    #[derive(Serialize, ToSchema)]
    pub struct ReportTotals {
        /// Every comment of the round: online, staff-entered, published and hidden.
        pub comments: i64,
        pub by_channel: std::collections::BTreeMap<String, i64>,
        pub by_stakeholder_type: std::collections::BTreeMap<String, i64>,
        pub by_article: std::collections::BTreeMap<String, i64>,
        pub by_outcome: std::collections::BTreeMap<String, i64>,
        /// For rules that affect enterprises (R19).
        #[serde(skip_serializing_if = "Option::is_none")]
        pub market_entities: Option<MarketEntities>,
    }

    #[derive(Serialize, ToSchema)]
    pub struct MarketEntities {
        pub comments: i64,
        pub by_outcome: std::collections::BTreeMap<String, i64>,
    }

    #[derive(Serialize, ToSchema)]
    pub struct ReportGroup {
        pub id: String,
        pub title: String,
        pub summary: String,
        pub size: i64,
        pub concentrated: bool,
        pub outcome: Option<String>,
        pub reason: Option<String>,
        /// R8: the articles an adopted or partially adopted group changed, as linked when the
        /// report was prepared (absent from reports prepared before such links existed).
        pub changed_articles: Option<Vec<crate::service::changes::ArticleRef>>,
    }

    #[derive(Serialize, ToSchema)]
    pub struct ReportRow {
        pub tracking_number: String,
        pub article: Option<i32>,
        pub stakeholder_type: String,
        pub channel: String,
        pub group_id: Option<String>,
        pub group: Option<String>,
        pub outcome: String,
        pub reason: Option<String>,
    }

    #[derive(Serialize, ToSchema)]
    pub struct ReportRowsPage {
        pub total: i64,
        pub page: i64,
        pub per_page: i64,
    }

    #[derive(Serialize, ToSchema)]
    pub struct ReportLinks {
        pub draft: String,
        pub html: String,
        pub csv: String,
    }

    /// `POST /api/v1/drafts/{id}/invitations`: how many mails were queued.
    #[derive(Serialize, ToSchema)]
    pub struct InvitationsQueued {
        pub queued: i64,
    }

    /// `POST /api/v1/subscriptions`: always the same answer (R21).
    #[derive(Serialize, ToSchema)]
    pub struct SubscriptionAccepted {
        pub status: String,
        pub detail: String,
    }

    /// `GET /api/v1/subscriptions/confirm`.
    #[derive(Serialize, ToSchema)]
    pub struct SubscriptionConfirmed {
        pub status: String,
        pub scope: SubscriptionScope,
    }

    #[derive(Serialize, ToSchema)]
    pub struct SubscriptionScope {
        pub kind: String,
        pub value: Option<String>,
    }

    /// `POST /api/v1/subscriptions/unsubscribe`.
    #[derive(Serialize, ToSchema)]
    pub struct Unsubscribed {
        pub status: String,
    }

    /// The server's clock (`/api/v1/test/clock`).
    #[derive(Serialize, ToSchema)]
    pub struct ClockTime {
        pub now: DateTime<Utc>,
    }

    /// `GET /healthz`.
    #[derive(Serialize, ToSchema)]
    pub struct Health {
        pub status: String,
        /// `sqlite` or `postgres`.
        pub database: String,
    }
}
