//! `/staff/users` (admin, R25): the staff list, adding a user with a one-time set-password
//! link, changing roles, deactivating, resetting a password. Every change is audited.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, web};
use askama::Template;

use super::{
    Errors, Flash, Form, Frame, PageError, PageResult, SignedIn, page, redirect, refusal, when,
};
use crate::app::AppState;
use crate::domain::roles::Role;
use crate::lang::ftl::T;
use crate::service;
use crate::service::users::UserInput;

pub struct UserLine {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub roles: Vec<Role>,
    pub role_names: Vec<String>,
    pub active: bool,
    pub created: String,
    pub me: bool,
}

#[derive(Template)]
#[template(path = "staff/users.html")]
struct UsersPage {
    f: Frame,
    users: Vec<UserLine>,
    all_roles: Vec<(Role, String)>,
    errors: Errors,
    new_user: Form,
}

impl UsersPage {
    fn has_role(&self, u: &UserLine, r: &Role) -> bool {
        u.roles.contains(r)
    }
    fn new_checked(&self, r: &Role) -> bool {
        self.new_user.all("roles").iter().any(|v| v == r.as_str())
    }
}

async fn render(
    state: &AppState,
    req: &HttpRequest,
    who: &SignedIn,
    status: StatusCode,
    errors: Errors,
    new_user: Form,
) -> PageResult {
    let actor = who.actor();
    let list = state
        .db(move |conn| service::users::list(conn, &actor))
        .await?;
    let t = T::current();
    let users = list
        .into_iter()
        .map(|u| {
            let roles: Vec<Role> = u.roles().iter().collect();
            UserLine {
                role_names: roles
                    .iter()
                    .map(|r| t.s(&format!("role-{}", r.as_str())))
                    .collect(),
                roles,
                me: u.id == who.user.id,
                created: when(state, u.created_at),
                email: u.email.unwrap_or_default(),
                id: u.id,
                username: u.username,
                display_name: u.display_name,
                active: u.active,
            }
        })
        .collect();
    let frame = Frame::new(state, req, who, "/staff/users");
    page(
        status,
        &frame,
        &UsersPage {
            f: frame.clone(),
            users,
            all_roles: Role::ALL
                .iter()
                .map(|r| (*r, t.s(&format!("role-{}", r.as_str()))))
                .collect(),
            errors,
            new_user,
        },
    )
}

/// `GET /staff/users` (admin).
pub async fn list_users(state: web::Data<AppState>, req: HttpRequest, who: SignedIn) -> PageResult {
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

fn roles_of(form: &Form) -> Vec<Role> {
    form.all("roles")
        .iter()
        .filter_map(|r| Role::parse(r))
        .collect()
}

fn link(state: &AppState, token: &str) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    q.append_pair("token", token);
    format!(
        "{}/staff/password?{}",
        state.config.server.public_url.trim_end_matches('/'),
        q.finish()
    )
}

/// `POST /staff/users` (`username`, `display_name`, `email`, `roles`): adds a user and shows
/// the one-time link that lets them choose a password.
pub async fn submit_new_user(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: SignedIn,
    payload: web::Payload,
) -> PageResult {
    let form = who.read_form(&state, &req, payload, &[Role::Admin]).await?;
    let input = UserInput {
        username: form.get("username").unwrap_or_default().to_string(),
        display_name: form.text("display_name"),
        email: form.text("email"),
        roles: roles_of(&form),
    };
    let now = state.clock.now();
    let config = state.config.clone();
    let actor = who.actor();
    let result = state
        .db(move |conn| service::users::add_user(conn, &config, &actor, now, input, None))
        .await;
    let t = T::current();
    match result {
        Ok(added) => {
            let text = format!(
                "{} {}",
                t.a("user-added", "username", &added.user.username),
                link(&state, &added.password_token.unwrap_or_default())
            );
            Ok(redirect(&state, "/staff/users", Some(Flash::success(text))))
        }
        Err(e) if e.kind == crate::error::ErrorKind::Forbidden => Err(e.into()),
        Err(e) => {
            let (mut errors, message) = refusal(&e, t.0);
            if let Some(m) = message {
                errors.push("username", m);
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
    }
}

/// `POST /staff/users/{id}` (`op` = `roles` with `roles`, `deactivate`, `reset_password`).
pub async fn submit_user_change(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: SignedIn,
    path: web::Path<String>,
    payload: web::Payload,
) -> PageResult {
    let form = who.read_form(&state, &req, payload, &[Role::Admin]).await?;
    let id = path.into_inner();
    let now = state.clock.now();
    let config = state.config.clone();
    let actor = who.actor();
    let t = T::current();
    let op = form.get("op").unwrap_or_default().to_string();
    let roles = roles_of(&form);
    let st = state.clone();
    let result: Result<String, crate::error::AppError> = state
        .db(move |conn| match op.as_str() {
            "roles" => service::users::set_roles(conn, &actor, now, &id, roles)
                .map(|u| t.a("user-roles-changed", "username", &u.username)),
            "deactivate" => service::users::deactivate(conn, &actor, now, &id)
                .map(|u| t.a("user-deactivated", "username", &u.username)),
            "reset_password" => {
                let token = service::users::reset_password(conn, &config, &actor, now, &id)?;
                Ok(format!(
                    "{} {}",
                    t.s("user-password-reset"),
                    link(&st, &token)
                ))
            }
            _ => Err(crate::error::AppError::field(
                "op",
                crate::lang::ftl::both("user-operation-unknown"),
            )),
        })
        .await;
    match result {
        Ok(text) => Ok(redirect(&state, "/staff/users", Some(Flash::success(text)))),
        Err(e) if e.kind == crate::error::ErrorKind::NotFound => Err(PageError::NotFound),
        Err(e) => {
            let text = super::refusal_text(&e, t.0);
            Ok(redirect(&state, "/staff/users", Some(Flash::error(text))))
        }
    }
}
