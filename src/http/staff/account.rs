//! `/staff/account`: the signed-in officer's own account — who they are, their roles, and a
//! form to change their password (R25), which ends all their sessions.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, web};
use askama::Template;

use super::{
    Errors, Flash, Frame, PageError, PageResult, SignedIn, page, redirect, refusal,
    session_cookie_removal,
};
use crate::app::AppState;
use crate::lang::ftl::T;
use crate::service;

#[derive(Template)]
#[template(path = "staff/account.html")]
struct AccountPage {
    f: Frame,
    username: String,
    display_name: String,
    email: String,
    errors: Errors,
    min: usize,
}

fn render(
    state: &AppState,
    req: &HttpRequest,
    who: &SignedIn,
    status: StatusCode,
    errors: Errors,
) -> PageResult {
    let frame = Frame::new(state, req, who, "/staff/account");
    page(
        status,
        &frame,
        &AccountPage {
            f: frame.clone(),
            username: who.user.username.clone(),
            display_name: who.user.display_name.clone(),
            email: who.user.email.clone().unwrap_or_default(),
            errors,
            min: service::users::MIN_PASSWORD_CHARS,
        },
    )
}

/// `GET /staff/account`.
pub async fn show_account(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: SignedIn,
) -> PageResult {
    render(&state, &req, &who, StatusCode::OK, Errors::default())
}

/// `POST /staff/account` (`current_password`, `password`, `password_again`): a new password,
/// then sign in again.
pub async fn submit_password_change(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: SignedIn,
    payload: web::Payload,
) -> PageResult {
    let form = who.read_form(&state, &req, payload, &[]).await?;
    let t = T::current();
    let new = form.get("password").unwrap_or_default().to_string();
    if form.get("password_again").unwrap_or_default() != new {
        let mut errors = Errors::default();
        errors.push("password_again", t.s("password-mismatch"));
        return render(&state, &req, &who, StatusCode::UNPROCESSABLE_ENTITY, errors);
    }
    let current = form.get("current_password").unwrap_or_default().to_string();
    let now = state.clock.now();
    let actor = who.actor();
    let result = state
        .db(move |conn| service::users::change_own_password(conn, &actor, now, &current, &new))
        .await;
    match result {
        Ok(()) => {
            let mut res = redirect(
                &state,
                "/staff/login",
                Some(Flash::success(t.s("password-changed"))),
            );
            res.add_cookie(&session_cookie_removal(&state))
                .map_err(|e| {
                    PageError::App(crate::error::AppError::internal(anyhow::anyhow!("{e}")))
                })?;
            Ok(res)
        }
        Err(e) => {
            let (mut errors, message) = refusal(&e, t.0);
            if let Some(m) = message {
                errors.push("current_password", m);
            }
            let status = crate::http::error::status_of(e.kind);
            render(&state, &req, &who, status, errors)
        }
    }
}
