//! R25: signing in and out of the workspace, and choosing a password with a one-time link.

use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, web};
use askama::Template;

use super::{
    Errors, Flash, Form, Frame, PageError, PageResult, SignedIn, page, query, read_form, redirect,
    safe_next, session_cookie, session_cookie_name, session_cookie_removal,
};
use crate::app::AppState;
use crate::error::ErrorKind;
use crate::http::csrf;
use crate::lang::Lang;
use crate::service;
use crate::service::users::Credentials;

#[derive(Template)]
#[template(path = "staff/login.html")]
struct LoginPage {
    f: Frame,
    next: String,
    username: String,
    csrf_value: String,
    csrf_signature: String,
    errors: Errors,
    message: Option<String>,
}

fn client_key(state: &AppState, req: &HttpRequest) -> String {
    let ip = crate::http::api::comments::client_ip(req, &state.config.server.trusted_proxies)
        .map(|ip| ip.to_string())
        .unwrap_or_default();
    crate::security::sign(&state.secret, &format!("login-client:{ip}"))
}

fn login_page(
    state: &AppState,
    req: &HttpRequest,
    status: StatusCode,
    next: &str,
    username: &str,
    errors: Errors,
    message: Option<String>,
) -> PageResult {
    let token = csrf::token_for(state, req);
    let lang = Lang::current();
    let mut frame = Frame::anonymous(state.config.site_name(lang).to_string());
    frame.flash = super::take_flash(state, req);
    let mut res = page(
        status,
        &frame,
        &LoginPage {
            f: frame.clone(),
            next: safe_next(next),
            username: username.to_string(),
            csrf_value: token.value,
            csrf_signature: token.signature,
            errors,
            message,
        },
    )?;
    if let Some(c) = token.cookie {
        res.add_cookie(&c).map_err(|e| {
            PageError::App(crate::error::AppError::internal(anyhow::anyhow!("{e}")))
        })?;
    }
    Ok(res)
}

/// `GET /staff/login?next=`: the sign-in form (or straight on, when signed in already).
pub async fn show_login(state: web::Data<AppState>, req: HttpRequest) -> PageResult {
    let q = query(&req);
    let next = q.get("next").unwrap_or("/staff").to_string();
    if req.cookie(session_cookie_name(&state)).is_some()
        && let Ok(who) = SignedIn::extract(&req).await
    {
        drop(who);
        return Ok(redirect(&state, &safe_next(&next), None));
    }
    login_page(
        &state,
        &req,
        StatusCode::OK,
        &next,
        "",
        Errors::default(),
        None,
    )
}

/// `POST /staff/login` (`username`, `password`, CSRF): a new session, then 303 to `next`.
pub async fn submit_login(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> PageResult {
    let form = read_form(&state, &req, payload).await?;
    let next = form.get("next").unwrap_or("/staff").to_string();
    let username = form.get("username").unwrap_or_default().to_string();
    let lang = Lang::current();
    let t = crate::lang::ftl::T(lang);
    if !csrf::verify(
        &state,
        &req,
        form.get(csrf::VALUE_FIELD).unwrap_or_default(),
        form.get(csrf::SIGNATURE_FIELD).unwrap_or_default(),
    ) {
        return login_page(
            &state,
            &req,
            StatusCode::FORBIDDEN,
            &next,
            &username,
            Errors::default(),
            Some(t.s("error-csrf-body")),
        );
    }
    let credentials = Credentials {
        username: username.clone(),
        password: form.get("password").unwrap_or_default().to_string(),
    };
    let client = client_key(&state, &req);
    let previous = req
        .cookie(session_cookie_name(&state))
        .map(|c| c.value().to_string());
    let now = state.clock.now();
    let config = state.config.clone();
    let result = state
        .db(move |conn| {
            let user = service::users::authenticate(conn, &config, now, &credentials, &client)?;
            service::users::start_session(conn, &config, now, &user, previous.as_deref())
        })
        .await;
    match result {
        Ok(session) => {
            let mut res = redirect(&state, &safe_next(&next), None);
            res.add_cookie(&session_cookie(&state, &session.token))
                .map_err(|e| {
                    PageError::App(crate::error::AppError::internal(anyhow::anyhow!("{e}")))
                })?;
            Ok(res)
        }
        Err(e) if e.kind == ErrorKind::RateLimited => {
            let secs = e.retry_after.unwrap_or(60);
            let mut res = login_page(
                &state,
                &req,
                StatusCode::TOO_MANY_REQUESTS,
                &next,
                &username,
                Errors::default(),
                Some(t.n(
                    "login-throttled",
                    i64::try_from(secs.div_ceil(60)).unwrap_or(1),
                )),
            )?;
            if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&secs.to_string()) {
                res.headers_mut()
                    .insert(actix_web::http::header::RETRY_AFTER, v);
            }
            Ok(res)
        }
        Err(e) if e.kind == ErrorKind::Unauthenticated || e.kind == ErrorKind::Validation => {
            let mut errors = Errors::default();
            if e.kind == ErrorKind::Validation {
                let (errs, _) = super::refusal(&e, lang);
                errors = errs;
            } else {
                errors.push("password", t.s("login-wrong"));
            }
            login_page(
                &state,
                &req,
                StatusCode::UNAUTHORIZED,
                &next,
                &username,
                errors,
                None,
            )
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /staff/logout`: ends the session everywhere, then the sign-in page.
pub async fn submit_logout(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: SignedIn,
    payload: web::Payload,
) -> PageResult {
    who.read_form(&state, &req, payload, &[]).await?;
    let now = state.clock.now();
    let session = who.session.clone();
    state
        .db(move |conn| service::users::end_session(conn, now, &session))
        .await?;
    let t = crate::lang::ftl::T::current();
    let mut res = redirect(
        &state,
        "/staff/login",
        Some(Flash::success(t.s("signed-out"))),
    );
    res.add_cookie(&session_cookie_removal(&state))
        .map_err(|e| PageError::App(crate::error::AppError::internal(anyhow::anyhow!("{e}"))))?;
    Ok(res)
}

#[derive(Template)]
#[template(path = "staff/set_password.html")]
struct SetPasswordPage {
    f: Frame,
    token: String,
    username: Option<String>,
    csrf_value: String,
    csrf_signature: String,
    errors: Errors,
    min: usize,
}

fn set_password_page(
    state: &AppState,
    req: &HttpRequest,
    status: StatusCode,
    token: &str,
    username: Option<String>,
    errors: Errors,
) -> PageResult {
    let csrf = csrf::token_for(state, req);
    let frame = Frame::anonymous(state.config.site_name(Lang::current()).to_string());
    let mut res = page(
        status,
        &frame,
        &SetPasswordPage {
            f: frame.clone(),
            token: token.to_string(),
            username,
            csrf_value: csrf.value,
            csrf_signature: csrf.signature,
            errors,
            min: service::users::MIN_PASSWORD_CHARS,
        },
    )?;
    if let Some(c) = csrf.cookie {
        res.add_cookie(&c).map_err(|e| {
            PageError::App(crate::error::AppError::internal(anyhow::anyhow!("{e}")))
        })?;
    }
    Ok(res)
}

/// `GET /staff/password?token=`: the form to choose a password with a one-time link.
pub async fn show_set_password(state: web::Data<AppState>, req: HttpRequest) -> PageResult {
    let token = query(&req).get("token").unwrap_or_default().to_string();
    let now = state.clock.now();
    let key = token.clone();
    let user = state
        .db(move |conn| service::users::password_link_user(conn, now, &key))
        .await?;
    let status = if user.is_some() {
        StatusCode::OK
    } else {
        StatusCode::GONE
    };
    set_password_page(
        &state,
        &req,
        status,
        &token,
        user.map(|u| u.username),
        Errors::default(),
    )
}

/// `POST /staff/password` (`token`, `password`, `password_again`): sets it, spends the link.
pub async fn submit_set_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> PageResult {
    let form: Form = read_form(&state, &req, payload).await?;
    if !csrf::verify(
        &state,
        &req,
        form.get(csrf::VALUE_FIELD).unwrap_or_default(),
        form.get(csrf::SIGNATURE_FIELD).unwrap_or_default(),
    ) {
        return Err(PageError::Csrf);
    }
    let t = crate::lang::ftl::T::current();
    let token = form.get("token").unwrap_or_default().to_string();
    let password = form.get("password").unwrap_or_default().to_string();
    if form.get("password_again").unwrap_or_default() != password {
        let mut errors = Errors::default();
        errors.push("password_again", t.s("password-mismatch"));
        let now = state.clock.now();
        let key = token.clone();
        let user = state
            .db(move |conn| service::users::password_link_user(conn, now, &key))
            .await?;
        return set_password_page(
            &state,
            &req,
            StatusCode::UNPROCESSABLE_ENTITY,
            &token,
            user.map(|u| u.username),
            errors,
        );
    }
    let now = state.clock.now();
    let key = token.clone();
    let result = state
        .db(move |conn| service::users::set_password_with_link(conn, now, &key, &password))
        .await;
    match result {
        Ok(_) => Ok(redirect(
            &state,
            "/staff/login",
            Some(Flash::success(t.s("password-set"))),
        )),
        Err(e) => {
            let (errors, message) = super::refusal(&e, Lang::current());
            let mut errors = errors;
            if let Some(m) = message {
                errors.push("password", m);
            }
            set_password_page(
                &state,
                &req,
                StatusCode::UNPROCESSABLE_ENTITY,
                &token,
                None,
                errors,
            )
        }
    }
}
