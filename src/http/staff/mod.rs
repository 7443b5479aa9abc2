//! R25, R27 (staff side): the officers' workspace under `/staff`. Server-rendered pages that
//! need no JavaScript; every state-changing form carries the session's CSRF token and answers
//! POST → 303 → GET with a flash message; every change goes through `crate::service`.
//!
//! A request without a live session is sent (303) to `/staff/login` and back afterwards; a
//! page the user's roles do not allow answers a 403 page. Staff pages are never cached
//! (`Cache-Control: no-store`), so after signing out the back button shows no staff data.

pub mod account;
pub mod agencies;
pub mod audit;
pub mod changes;
pub mod dashboard;
pub mod desk;
pub mod drafts;
pub mod editor;
pub mod groups;
pub mod login;
pub mod moderation;
pub mod outbox;
pub mod report;
pub mod users;

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite, time::Duration};
use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError, web};
use askama::Template;
use base64::Engine;

use crate::app::AppState;
use crate::db::sessions::SessionRow;
use crate::db::users::User;
use crate::domain::roles::{Role, Roles};
use crate::error::{AppError, ErrorKind, FieldErrors};
use crate::http::prefs::Prefs;
use crate::lang::ftl::T;
use crate::lang::{L, Lang};
use crate::security;
use crate::service::{self, Actor};

/// The session cookie; `__Host-` prefixed (Secure, path `/`, no domain) under https.
pub const SESSION_COOKIE: &str = "consult_staff";
pub const SECURE_SESSION_COOKIE: &str = "__Host-consult_staff";
/// The one-shot message shown after a POST → 303 → GET.
pub const FLASH_COOKIE: &str = "consult_flash";

fn https(state: &AppState) -> bool {
    state.config.server.public_url.starts_with("https://")
}

/// The session cookie's name for this deployment.
pub fn session_cookie_name(state: &AppState) -> &'static str {
    if https(state) {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

/// The session cookie carrying `token` (HttpOnly, SameSite=Lax, Secure under https). It lives
/// as long as the browser; the server decides when the session ends.
pub fn session_cookie(state: &AppState, token: &str) -> Cookie<'static> {
    Cookie::build(session_cookie_name(state), token.to_string())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(https(state))
        .finish()
}

/// The cookie that removes the session cookie.
pub fn session_cookie_removal(state: &AppState) -> Cookie<'static> {
    let mut c = session_cookie(state, "");
    c.set_max_age(Duration::ZERO);
    c
}

/// A signed-in staff member with a live session.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub session: SessionRow,
    pub user: User,
    pub roles: Roles,
}

impl SignedIn {
    pub fn actor(&self) -> Actor {
        Actor::new(self.user.id.clone(), self.roles.clone())
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles.has(role)
    }

    /// A 403 page unless the user holds one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), PageError> {
        self.actor().require(roles).map_err(PageError::from)
    }

    /// R25: the form's CSRF token must be this session's (compared in constant time).
    pub fn check_csrf(&self, form: &Form) -> Result<(), PageError> {
        use subtle::ConstantTimeEq;
        let sent = form.get("csrf_token").unwrap_or_default();
        let ours = self.session.csrf_token.as_bytes();
        if sent.len() == ours.len() && bool::from(sent.as_bytes().ct_eq(ours)) {
            Ok(())
        } else {
            Err(PageError::Csrf)
        }
    }
}

/// Where to come back to after signing in: only a path of the staff workspace.
pub fn safe_next(next: &str) -> String {
    let ok = next.starts_with("/staff")
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.contains("://")
        && !next.starts_with("/staff/login")
        && !next.starts_with("/staff/logout");
    if ok {
        next.to_string()
    } else {
        "/staff".into()
    }
}

/// The path (and query) of the `Referer`, when it is a page of this site.
fn referring_page(req: &HttpRequest) -> Option<String> {
    let referer = req.headers().get(header::REFERER)?.to_str().ok()?;
    let rest = referer
        .split_once("://")
        .map_or(referer, |(_, after_scheme)| after_scheme);
    let at = rest.find('/')?;
    let host = &rest[..at];
    let ours = req.connection_info().host().to_string();
    (host == ours).then(|| rest[at..].to_string())
}

async fn resolve(req: &HttpRequest) -> Result<SignedIn, PageError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| PageError::App(AppError::internal(anyhow::anyhow!("no state"))))?
        .clone();
    // Where to come back to: this page, or for a form sent after the session ended, the page
    // the form was on (a POST-only address cannot be loaded again).
    let here = match req.uri().path_and_query() {
        Some(pq) if req.method() == actix_web::http::Method::GET => pq.as_str().to_string(),
        _ => referring_page(req).unwrap_or_else(|| "/staff".into()),
    };
    let Some(token) = req
        .cookie(session_cookie_name(&state))
        .map(|c| c.value().to_string())
        .filter(|v| !v.is_empty() && v.len() <= 128)
    else {
        return Err(PageError::SignIn(here));
    };
    let now = state.clock.now();
    let config = state.config.clone();
    let found = state
        .db(move |conn| service::users::resume_session(conn, &config, now, &token))
        .await?;
    match found {
        Some((session, user)) => {
            let roles = user.roles();
            Ok(SignedIn {
                session,
                user,
                roles,
            })
        }
        None => Err(PageError::SignIn(here)),
    }
}

impl FromRequest for SignedIn {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, PageError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { resolve(&req).await })
    }
}

/// A form body (`application/x-www-form-urlencoded`), every pair in order.
#[derive(Debug, Clone, Default)]
pub struct Form(pub Vec<(String, String)>);

impl Form {
    pub fn parse(body: &[u8]) -> Form {
        Form(
            form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of `name`, trimmed, `None` when blank.
    pub fn text(&self, name: &str) -> Option<String> {
        self.get(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(String::from)
    }

    /// Every value of `name` (checkboxes).
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// A checkbox: present and not "false".
    pub fn checked(&self, name: &str) -> bool {
        self.get(name).is_some_and(|v| v != "false" && v != "0")
    }
}

/// Reads a form body of at most `limits.max_body_bytes`: 413 at once when `Content-Length`
/// says more, and as soon as the streamed bytes pass the limit otherwise. For the forms of a
/// signed-in user use [`SignedIn::read_form`], which checks the role and the CSRF token first.
pub async fn read_form(
    state: &AppState,
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<Form, PageError> {
    let limit = state.config.limits.max_body_bytes;
    let body = crate::http::extract::read_form_body(req, payload, limit)
        .await
        .map_err(|e| match e.kind {
            ErrorKind::PayloadTooLarge => PageError::App(e),
            _ => PageError::App(AppError::malformed(crate::lang::ftl::both(
                "form-unreadable",
            ))),
        })?;
    Ok(Form::parse(&body))
}

impl SignedIn {
    /// R25: a signed-in user's form, checked in this order: the session (already, by the
    /// `SignedIn` extractor), one of `roles` when the route needs a role (403 page, nothing
    /// read), the size while reading (413), then the CSRF token (403) before any field is
    /// looked at.
    pub async fn read_form(
        &self,
        state: &AppState,
        req: &HttpRequest,
        payload: web::Payload,
        roles: &[Role],
    ) -> Result<Form, PageError> {
        if !roles.is_empty() {
            self.require(roles)?;
        }
        let form = read_form(state, req, payload).await?;
        self.check_csrf(&form)?;
        Ok(form)
    }
}

/// A message shown once on the next page.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Flash {
    /// `success` or `error`.
    pub kind: String,
    pub text: String,
}

impl Flash {
    pub fn success(text: impl Into<String>) -> Flash {
        Flash {
            kind: "success".into(),
            text: text.into(),
        }
    }
    pub fn error(text: impl Into<String>) -> Flash {
        Flash {
            kind: "error".into(),
            text: text.into(),
        }
    }
    pub fn is_error(&self) -> bool {
        self.kind == "error"
    }
}

fn flash_cookie(state: &AppState, flash: &Flash) -> Cookie<'static> {
    let json = serde_json::to_string(flash).unwrap_or_default();
    let value = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json);
    let sig = security::sign(&state.secret, &format!("flash:{value}"));
    Cookie::build(FLASH_COOKIE, format!("{value}.{sig}"))
        .path("/staff")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(https(state))
        .finish()
}

/// The flash message the browser brought, if it is ours.
pub fn take_flash(state: &AppState, req: &HttpRequest) -> Option<Flash> {
    let c = req.cookie(FLASH_COOKIE)?;
    let (value, sig) = c.value().rsplit_once('.')?;
    if !security::verify_signature(&state.secret, &format!("flash:{value}"), sig) {
        return None;
    }
    let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(value)
        .ok()?;
    serde_json::from_slice(&json).ok()
}

/// POST → 303 → GET, with a message for the next page.
pub fn redirect(state: &AppState, to: &str, flash: Option<Flash>) -> HttpResponse {
    let mut res = HttpResponse::SeeOther();
    res.insert_header((header::LOCATION, to.to_string()))
        .insert_header((header::CACHE_CONTROL, "no-store"));
    if let Some(f) = flash {
        res.cookie(flash_cookie(state, &f));
    }
    res.finish()
}

/// One link of the workspace's navigation.
#[derive(Debug, Clone)]
pub struct NavItem {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

/// What every staff page's layout (`staff/base.html`) reads.
#[derive(Debug, Clone)]
pub struct Frame {
    pub t: T,
    pub site_name: String,
    pub lang_code: &'static str,
    pub user: Option<(String, String)>,
    pub roles: Vec<String>,
    pub csrf: String,
    pub flash: Option<Flash>,
    pub nav: Vec<NavItem>,
    pub prefs: Prefs,
}

impl Frame {
    /// The frame of a signed-in page; `section` marks the current navigation link.
    pub fn new(state: &AppState, req: &HttpRequest, who: &SignedIn, section: &str) -> Frame {
        let t = T::current();
        let mut nav = vec![("/staff", "nav-dashboard"), ("/staff/drafts", "nav-drafts")];
        if who.has(Role::Moderator) {
            nav.push(("/staff/moderation", "nav-moderation"));
        }
        if who.has(Role::Admin) {
            nav.push(("/staff/users", "nav-users"));
            nav.push(("/staff/agencies", "nav-agencies"));
            nav.push(("/staff/audit", "nav-audit"));
            nav.push(("/staff/outbox", "nav-outbox"));
        }
        let nav = nav
            .into_iter()
            .map(|(href, id)| NavItem {
                href,
                label: t.s(id),
                current: href == section,
            })
            .collect();
        Frame {
            t,
            site_name: state.config.site_name(t.0).to_string(),
            lang_code: t.code(),
            user: Some((who.user.display_name.clone(), who.user.username.clone())),
            roles: who
                .roles
                .names()
                .iter()
                .map(|r| t.s(&format!("role-{r}")))
                .collect(),
            csrf: who.session.csrf_token.clone(),
            flash: take_flash(state, req),
            nav,
            prefs: Prefs::current(),
        }
    }

    /// The frame of a page without a session (sign-in, set password, errors).
    pub fn anonymous(site_name: String) -> Frame {
        let t = T::current();
        Frame {
            t,
            site_name,
            lang_code: t.code(),
            user: None,
            roles: Vec::new(),
            csrf: String::new(),
            flash: None,
            nav: Vec::new(),
            prefs: Prefs::current(),
        }
    }
}

/// Pages run no script and post only to this site.
const STAFF_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
     form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Renders a staff page: never cached, the flash cookie spent.
pub fn page(
    status: StatusCode,
    frame: &Frame,
    template: &impl Template,
) -> Result<HttpResponse, PageError> {
    let body = template
        .render()
        .map_err(|e| PageError::App(AppError::internal(e)))?;
    let mut res = HttpResponse::build(status);
    res.content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(STAFF_POLICY),
        ))
        .insert_header((header::VARY, HeaderValue::from_static("Cookie")))
        .insert_header(("Referrer-Policy", "same-origin"));
    for cookie in frame.prefs.cookies() {
        res.cookie(cookie);
    }
    if frame.flash.is_some() {
        let mut gone = Cookie::build(FLASH_COOKIE, "").path("/staff").finish();
        gone.set_max_age(Duration::ZERO);
        res.cookie(gone);
    }
    Ok(res.body(body))
}

/// 200 for a page as asked, 422 for one shown again with what was refused.
pub fn refused_status(errors: &Errors, message: &Option<String>) -> StatusCode {
    if errors.is_empty() && message.is_none() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// Field errors in the page's language, by field name.
#[derive(Debug, Clone, Default)]
pub struct Errors(pub Vec<(String, Vec<String>)>);

impl Errors {
    pub fn from_fields(fields: &FieldErrors, lang: Lang) -> Errors {
        Errors(
            fields
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.iter().map(|m| m.get(lang).to_string()).collect(),
                    )
                })
                .collect(),
        )
    }

    /// The messages of `field` joined for display beside it.
    pub fn of(&self, field: &str) -> String {
        let messages: Vec<String> = self
            .0
            .iter()
            .filter(|(k, _)| k == field || k.ends_with(&format!(".{field}")))
            .flat_map(|(_, v)| v.iter().cloned())
            .collect();
        T::current().join_messages(&messages)
    }

    pub fn has(&self, field: &str) -> bool {
        !self.of(field).is_empty()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn push(&mut self, field: &str, message: String) {
        self.0.push((field.to_string(), vec![message]));
    }
}

/// What a refused form shows: the errors beside the fields (for a 422) or one message.
pub fn refusal(e: &AppError, lang: Lang) -> (Errors, Option<String>) {
    match (&e.errors, e.kind) {
        (Some(fields), _) => (Errors::from_fields(fields, lang), None),
        (None, _) => {
            let field = e
                .extensions
                .get("field")
                .and_then(|v| v.as_str())
                .map(String::from);
            match field {
                Some(f) => {
                    let mut errs = Errors::default();
                    errs.push(&f, e.detail.get(lang).to_string());
                    (errs, None)
                }
                None => (Errors::default(), Some(e.detail.get(lang).to_string())),
            }
        }
    }
}

/// A refusal in one line, for a flash message (a form whose page is not shown again).
pub fn refusal_text(e: &AppError, lang: Lang) -> String {
    let (errors, message) = refusal(e, lang);
    message.unwrap_or_else(|| {
        let all: Vec<String> = errors
            .0
            .iter()
            .flat_map(|(_, m)| m.iter().cloned())
            .collect();
        T(lang).join_messages(&all)
    })
}

/// What a staff page can answer instead of itself.
#[derive(Debug)]
pub enum PageError {
    /// No live session: 303 to the sign-in page, then back to this path.
    SignIn(String),
    /// The form's CSRF token is missing or wrong.
    Csrf,
    Forbidden(L),
    NotFound,
    App(AppError),
}

impl From<AppError> for PageError {
    fn from(e: AppError) -> PageError {
        match e.kind {
            ErrorKind::Forbidden => PageError::Forbidden(e.detail.clone()),
            ErrorKind::NotFound => PageError::NotFound,
            _ => PageError::App(e),
        }
    }
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PageError::SignIn(next) => write!(f, "sign in first (then {next})"),
            PageError::Csrf => write!(f, "CSRF token missing or wrong"),
            PageError::Forbidden(l) => write!(f, "forbidden: {}", l.en),
            PageError::NotFound => write!(f, "not found"),
            PageError::App(e) => write!(f, "{e}"),
        }
    }
}

pub type PageResult = Result<HttpResponse, PageError>;

#[derive(Template)]
#[template(path = "staff/error.html")]
struct ErrorPage<'a> {
    f: Frame,
    heading: String,
    message: String,
    sign_in: Option<&'a str>,
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            PageError::SignIn(_) => StatusCode::SEE_OTHER,
            PageError::Csrf | PageError::Forbidden(_) => StatusCode::FORBIDDEN,
            PageError::NotFound => StatusCode::NOT_FOUND,
            PageError::App(e) => crate::http::error::status_of(e.kind),
        }
    }

    fn error_response(&self) -> HttpResponse {
        let lang = Lang::current();
        let t = T(lang);
        let prefs = Prefs::current();
        let (heading, message) = match self {
            PageError::SignIn(next) => {
                let mut q = form_urlencoded::Serializer::new(String::new());
                q.append_pair("next", &safe_next(next));
                return HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, format!("/staff/login?{}", q.finish())))
                    .insert_header((header::CACHE_CONTROL, "no-store"))
                    .finish();
            }
            PageError::Csrf => (t.s("error-csrf-title"), t.s("error-csrf-body")),
            PageError::Forbidden(why) => (t.s("error-forbidden-title"), why.get(lang).to_string()),
            PageError::NotFound => (t.s("error-not-found-title"), t.s("error-not-found-body")),
            PageError::App(e) => {
                if crate::http::error::status_of(e.kind).is_server_error() {
                    tracing::error!(error = %e, "staff page failed");
                }
                (
                    e.kind.title().get(lang).to_string(),
                    e.detail.get(lang).to_string(),
                )
            }
        };
        let frame = Frame::anonymous(prefs.site_name(lang));
        let template = ErrorPage {
            f: frame.clone(),
            heading,
            message,
            sign_in: matches!(self, PageError::Csrf).then_some("/staff"),
        };
        let mut res = match page(self.status_code(), &frame, &template) {
            Ok(r) => r,
            Err(_) => HttpResponse::build(self.status_code()).finish(),
        };
        if let PageError::App(e) = self
            && let Some(secs) = e.retry_after
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        res
    }
}

/// A page number from `?page=` (from 1).
pub fn page_no(v: Option<&str>) -> i64 {
    v.and_then(|p| p.parse::<i64>().ok())
        .filter(|p| *p >= 1 && *p < 1_000_000)
        .unwrap_or(1)
}

/// The query pairs of a request.
pub fn query(req: &HttpRequest) -> Form {
    Form::parse(req.query_string().as_bytes())
}

/// A local date and time for staff pages.
pub fn when(state: &AppState, t: chrono::NaiveDateTime) -> String {
    let tz = state.config.timezone();
    t.and_utc()
        .with_timezone(&tz)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// Pages of a long list: "previous", "next", and where we are.
#[derive(Debug, Clone)]
pub struct Pager {
    pub page: i64,
    pub pages: i64,
    pub total: i64,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// `base` is the list's path with its filters (`?…&` or `?`).
    pub fn new(base: &str, page: i64, per_page: i64, total: i64) -> Pager {
        let pages = ((total + per_page - 1) / per_page).max(1);
        Pager {
            page,
            pages,
            total,
            prev: (page > 1).then(|| format!("{base}page={}", page - 1)),
            next: (page < pages).then(|| format!("{base}page={}", page + 1)),
        }
    }
}

/// A list's path with its filters, ready for `page=` to be added.
pub fn list_base(path: &str, filters: &[(&str, &str)]) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in filters {
        if !v.is_empty() {
            q.append_pair(k, v);
        }
    }
    let q = q.finish();
    if q.is_empty() {
        format!("{path}?")
    } else {
        format!("{path}?{q}&")
    }
}

/// Declares the workspace's routes once: the function that registers them and the list of
/// `(method, path)` pairs (which `tests/authz.rs` holds against its matrix of who may call
/// what), so a page cannot be added without being listed.
macro_rules! page_routes {
    (
        $(#[$meta:meta])*
        fn $register:ident, const $table:ident;
        $( $path:literal => { $( $method:ident : $($seg:ident)::+ ),+ $(,)? } )+
    ) => {
        $(#[$meta])*
        pub fn $register(cfg: &mut web::ServiceConfig) {
            $( cfg.service(web::resource($path)$(.route(web::$method().to($($seg)::+)))+); )+
        }

        /// Every (method, path) of the workspace.
        pub const $table: &[(&str, &str)] = &[$($( (stringify!($method), $path) ),+),+];
    };
}

page_routes! {
    /// Registers the workspace's routes.
    fn configure, const STAFF_ROUTES;
    "/staff/login" => {
        get: login::show_login,
        post: login::submit_login,
    }
    "/staff/logout" => { post: login::submit_logout }
    "/staff/password" => {
        get: login::show_set_password,
        post: login::submit_set_password,
    }
    "/staff" => { get: dashboard::show_dashboard }
    "/staff/account" => {
        get: account::show_account,
        post: account::submit_password_change,
    }
    "/staff/drafts" => { get: drafts::list_drafts }
    "/staff/drafts/new" => {
        get: editor::show_new_draft,
        post: editor::submit_new_draft,
    }
    "/staff/drafts/{id}" => { get: drafts::show_draft }
    "/staff/drafts/{id}/edit" => {
        get: editor::show_edit_draft,
        post: editor::submit_edit_draft,
    }
    "/staff/drafts/{id}/materials" => { post: editor::submit_material }
    "/staff/drafts/{id}/actions" => { post: drafts::submit_action }
    "/staff/drafts/{id}/rounds/new" => {
        get: changes::show_new_round,
        post: changes::submit_new_round,
    }
    "/staff/drafts/{id}/changes" => {
        get: changes::show_changes,
        post: changes::submit_changes,
    }
    "/staff/drafts/{id}/report" => {
        get: report::show_report,
        post: report::submit_report,
    }
    "/staff/drafts/{id}/export.csv" => { get: report::export_csv }
    "/staff/drafts/{id}/export.xlsx" => { get: report::export_xlsx }
    "/staff/materials/{id}/file" => { get: drafts::get_material_file }
    "/staff/drafts/{id}/invitations" => {
        get: drafts::show_invitations,
        post: drafts::submit_invitations,
    }
    "/staff/drafts/{id}/offline" => {
        get: drafts::show_offline_form,
        post: drafts::submit_offline_form,
    }
    "/staff/drafts/{id}/comments" => {
        get: desk::show_triage,
        post: desk::submit_bulk,
    }
    "/staff/drafts/{id}/comments/{cid}" => {
        get: desk::show_comment,
        post: desk::submit_comment,
    }
    "/staff/drafts/{id}/groups" => {
        get: groups::show_groups,
        post: groups::submit_groups,
    }
    "/staff/drafts/{id}/groups/suggest" => { post: groups::submit_suggest }
    "/staff/drafts/{id}/groups/{gid}" => {
        get: groups::show_group,
        post: groups::submit_group,
    }
    "/staff/drafts/{id}/snippets" => { post: groups::submit_snippet }
    "/staff/moderation" => {
        get: moderation::show_queue,
        post: moderation::submit_decision,
    }
    "/staff/moderation/erasure" => { post: moderation::submit_erasure }
    "/staff/users" => {
        get: users::list_users,
        post: users::submit_new_user,
    }
    "/staff/users/{id}" => { post: users::submit_user_change }
    "/staff/agencies" => {
        get: agencies::show_agencies,
        post: agencies::submit_agencies,
    }
    "/staff/audit" => { get: audit::show_audit }
    "/staff/outbox" => { get: outbox::show_outbox }
    "/staff/outbox/{id}/retry" => { post: outbox::submit_retry }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::comment::{Channel, CommentStatus, Flag, HideReason};
    use crate::domain::workflow::{Action, DraftState};
    use crate::lang::ftl::has;

    /// The pages name stored values through messages built from the value (`state-…`,
    /// `action-…`): every value has its message in both languages.
    #[test]
    fn every_stored_value_the_pages_name_has_its_message() {
        let mut ids: Vec<String> = Vec::new();
        ids.extend(
            DraftState::ALL
                .iter()
                .map(|s| format!("state-{}", s.as_str())),
        );
        for a in Action::ALL {
            for form in ["action-{}", "action-{}-help", "done-{}"] {
                ids.push(form.replace("{}", a.as_str()));
            }
        }
        ids.extend(
            Channel::ALL
                .iter()
                .map(|c| format!("channel-{}", c.as_str())),
        );
        ids.extend(Flag::ALL.iter().map(|f| format!("flag-{}", f.as_str())));
        ids.extend(
            HideReason::ALL
                .iter()
                .map(|r| format!("hide-{}", r.as_str())),
        );
        ids.extend(
            CommentStatus::ALL
                .iter()
                .map(|s| format!("status-{}", s.as_str())),
        );
        ids.extend(Role::ALL.iter().map(|r| format!("role-{}", r.as_str())));
        ids.extend(["queued", "sent", "failed"].map(|s| format!("mail-{s}")));
        let missing: Vec<&String> = ids
            .iter()
            .filter(|id| !has(Lang::Zh, id) || !has(Lang::En, id))
            .collect();
        assert!(missing.is_empty(), "messages missing: {missing:?}");
    }

    #[test]
    fn sign_in_returns_only_to_the_workspace() {
        assert_eq!(
            safe_next("/staff/drafts?state=drafting"),
            "/staff/drafts?state=drafting"
        );
        for bad in [
            "https://evil.example/staff",
            "//evil.example/staff",
            "/drafts",
            "/staff/login",
            "/staff\\..\\x",
        ] {
            assert_eq!(safe_next(bad), "/staff", "{bad}");
        }
    }
}
