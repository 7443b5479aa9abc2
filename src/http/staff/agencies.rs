//! `/staff/agencies` (admin): the agencies with their members; adding an agency, renaming one,
//! adding and removing members (`service::agencies`). Every change is audited. Who may do
//! what on which draft follows from membership (`service::access`, `docs/security.md`).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, web};
use askama::Template;

use super::{Errors, Flash, Form, Frame, PageError, PageResult, SignedIn, page, redirect, refusal};
use crate::app::AppState;
use crate::domain::roles::Role;
use crate::error::{AppError, ErrorKind};
use crate::lang::ftl::T;
use crate::service;
use crate::service::agencies::{AgencyInput, AgencyPatch, AgencyView};

#[derive(Template)]
#[template(path = "staff/agencies.html")]
struct AgenciesPage {
    f: Frame,
    agencies: Vec<AgencyView>,
    errors: Errors,
    new_agency: Form,
}

async fn render(
    state: &AppState,
    req: &HttpRequest,
    who: &SignedIn,
    status: StatusCode,
    errors: Errors,
    new_agency: Form,
) -> PageResult {
    let actor = who.actor();
    let agencies = state
        .db(move |conn| service::agencies::list(conn, &actor))
        .await?;
    let frame = Frame::new(state, req, who, "/staff/agencies");
    page(
        status,
        &frame,
        &AgenciesPage {
            f: frame.clone(),
            agencies,
            errors,
            new_agency,
        },
    )
}

/// `GET /staff/agencies` (admin).
pub async fn show_agencies(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: SignedIn,
) -> PageResult {
    who.require(&[Role::Admin])?;
    render(
        &state,
        &req,
        &who,
        StatusCode::OK,
        Errors::default(),
        Form::default(),
    )
    .await
}

/// `POST /staff/agencies` (admin): `op` = `create` (`code`, `name`), `rename` (`code`,
/// `name`), `join` or `leave` (`code`, `username`).
pub async fn submit_agencies(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: SignedIn,
    payload: web::Payload,
) -> PageResult {
    let form = who.read_form(&state, &req, payload, &[Role::Admin]).await?;
    let now = state.clock.now();
    let actor = who.actor();
    let f2 = form.clone();
    let op = form.get("op").unwrap_or_default().to_string();
    let result = state
        .db(move |conn| {
            let code = f2.get("code").unwrap_or_default().trim().to_string();
            let name = f2.get("name").unwrap_or_default().to_string();
            let username = f2.get("username").unwrap_or_default().trim().to_string();
            let done = match f2.get("op") {
                Some("create") => {
                    service::agencies::create(conn, &actor, now, &AgencyInput { code, name })?;
                    "agency-created"
                }
                Some("rename") => {
                    service::agencies::rename(conn, &actor, now, &code, &AgencyPatch { name })?;
                    "agency-renamed"
                }
                Some(op @ ("join" | "leave")) => {
                    let join = op == "join";
                    service::agencies::set_member(conn, &actor, now, &code, &username, join)?;
                    if join {
                        "agency-member-added"
                    } else {
                        "agency-member-removed"
                    }
                }
                _ => {
                    return Err(AppError::field(
                        "op",
                        crate::l!("未知的操作", "Unknown action"),
                    ));
                }
            };
            Ok(done)
        })
        .await;
    let t = T::current();
    match result {
        Ok(done) => Ok(redirect(
            &state,
            "/staff/agencies",
            Some(Flash::success(t.s(done))),
        )),
        Err(e) if e.kind == ErrorKind::Forbidden => Err(PageError::from(e)),
        // A new agency's form is shown again beside its errors; the other forms say why in
        // one line.
        Err(e) if op == "create" => {
            let (mut errors, message) = refusal(&e, t.0);
            if let Some(m) = message {
                errors.push("code", m);
            }
            render(
                &state,
                &req,
                &who,
                crate::http::error::status_of(e.kind),
                errors,
                form,
            )
            .await
        }
        Err(e) if e.kind == ErrorKind::NotFound => Err(PageError::NotFound),
        Err(e) => Ok(redirect(
            &state,
            "/staff/agencies",
            Some(Flash::error(super::refusal_text(&e, t.0))),
        )),
    }
}
