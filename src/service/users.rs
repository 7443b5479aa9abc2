//! R25, R26: staff accounts — sign-in with throttling, sessions, and the administration of
//! users (add, roles, deactivate, passwords), each change in the audit chain.

use chrono::{DateTime, TimeDelta, Utc};
use serde::Deserialize;
use serde_json::json;
use validator::Validate;

use super::Actor;
use crate::config::Config;
use crate::db::sessions::{self, SessionRow};
use crate::db::users::{self, NewUser, User, UserError};
use crate::db::{self, DbConn, audit, ids};
use crate::domain::roles::{Role, Roles};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::l;
use crate::security;

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// What the person typed into the sign-in form (or sent for a token).
#[derive(Debug, Clone, Deserialize, Validate)]
pub struct Credentials {
    #[validate(length(min = 1, max = 200))]
    pub username: String,
    #[validate(length(min = 1, max = 1000))]
    pub password: String,
}

/// R25: checks a username and password: the one operation behind the staff sign-in form and
/// `POST /api/v1/auth/token`. Failed attempts are throttled per account name (past
/// `security.login_max_failures`) and per client address (past
/// `security.login_max_failures_per_address`) within `security.login_window_minutes`, with
/// 429 and Retry-After; they are recorded and audited. Every path — throttled, unknown user,
/// inactive user, wrong or right password — runs exactly one argon2 verification, so the
/// answer's time does not tell them apart.
pub fn authenticate(
    conn: &mut DbConn,
    config: &Config,
    now: DateTime<Utc>,
    input: &Credentials,
    client_key: &str,
) -> AppResult<User> {
    crate::error::validated(&input)?;
    let name = input.username.trim();
    let window = TimeDelta::minutes(i64::from(config.security.login_window_minutes.max(1)));
    let max = i64::from(config.security.login_max_failures.max(1));
    let max_by_client = i64::from(config.security.login_max_failures_per_address.max(1));
    let failures = sessions::failures_since(conn, now - window, name, client_key)?;
    let oldest = [
        (failures.by_user >= max)
            .then_some(failures.oldest_by_user)
            .flatten(),
        (failures.by_client >= max_by_client)
            .then_some(failures.oldest_by_client)
            .flatten(),
    ]
    .into_iter()
    .flatten()
    .max();
    if let Some(oldest) = oldest {
        // Still do the work of a real check, so a throttled answer is not a faster one.
        security::dummy_verify(&input.password);
        let free_at = oldest.and_utc() + window;
        let secs = (free_at - now).num_seconds().max(1) as u64;
        return Err(AppError::rate_limited(secs));
    }
    let user = users::by_username(conn, name)?;
    let ok = match &user {
        Some(u) => {
            // The hash is checked for inactive users too: the same cost either way.
            let matches = security::verify_password(&input.password, &u.password_hash);
            matches && u.active
        }
        None => {
            security::dummy_verify(&input.password);
            false
        }
    };
    db::write_tx(conn, |conn| {
        sessions::record_attempt(conn, now, name, client_key, ok)?;
        if !ok {
            audit::append(
                conn,
                now,
                &audit::AuditEvent {
                    actor: "anonymous",
                    action: "auth.sign_in_failed",
                    object_type: "user",
                    object_id: user.as_ref().map_or("", |u| u.id.as_str()),
                    draft_id: None,
                    details: json!({ "username": name }),
                },
            )?;
        }
        Ok::<_, diesel::result::Error>(())
    })?;
    match user {
        Some(u) if ok => Ok(u),
        _ => Err(AppError::new(
            crate::error::ErrorKind::Unauthenticated,
            l!("用户名或密码不正确。", "The username or password is wrong."),
        )
        .with("field", json!("password"))),
    }
}

/// A session just started: the cookie's value and the session's CSRF token.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

/// R25: starts a session for `user` after a successful sign-in, ending `previous` (the
/// session the browser had, if any) so an identifier planted before sign-in is worthless.
pub fn start_session(
    conn: &mut DbConn,
    config: &Config,
    now: DateTime<Utc>,
    user: &User,
    previous: Option<&str>,
) -> AppResult<NewSession> {
    let token = ids::random_token(32);
    let csrf_token = ids::random_token(24);
    let expires_at = now + TimeDelta::hours(i64::from(config.security.session_absolute_hours));
    db::write_tx(conn, |conn| {
        if let Some(old) = previous
            && let Some((row, _)) = sessions::live(conn, now, now - idle(config), old)?
        {
            sessions::revoke(conn, &row.id, now)?;
        }
        let id = sessions::create(conn, now, &user.id, &token, &csrf_token, expires_at)?;
        audit::append(
            conn,
            now,
            &audit::AuditEvent {
                actor: &user.id,
                action: "auth.signed_in",
                object_type: "session",
                object_id: &id,
                draft_id: None,
                details: json!({ "username": user.username }),
            },
        )?;
        Ok::<_, diesel::result::Error>(())
    })?;
    Ok(NewSession {
        token,
        csrf_token,
        expires_at,
    })
}

fn idle(config: &Config) -> TimeDelta {
    TimeDelta::minutes(i64::from(config.security.session_idle_minutes.max(1)))
}

/// R25: the live session of a cookie value and its user. The idle expiry moves on at most
/// once a minute, so reading pages does not write on every request.
pub fn resume_session(
    conn: &mut DbConn,
    config: &Config,
    now: DateTime<Utc>,
    token: &str,
) -> AppResult<Option<(SessionRow, User)>> {
    let Some((row, user)) = sessions::live(conn, now, now - idle(config), token)? else {
        return Ok(None);
    };
    if now.naive_utc() - row.last_seen_at > TimeDelta::minutes(1) {
        sessions::touch(conn, &row.id, now)?;
    }
    Ok(Some((row, user)))
}

/// R25: signs out: the session ends at once on every node.
pub fn end_session(conn: &mut DbConn, now: DateTime<Utc>, session: &SessionRow) -> AppResult<()> {
    db::write_tx(conn, |conn| {
        if sessions::revoke(conn, &session.id, now)? {
            audit::append(
                conn,
                now,
                &audit::AuditEvent {
                    actor: &session.user_id,
                    action: "auth.signed_out",
                    object_type: "session",
                    object_id: &session.id,
                    draft_id: None,
                    details: json!({}),
                },
            )?;
        }
        Ok::<_, diesel::result::Error>(())
    })?;
    Ok(())
}

/// A new staff user as an administrator fills it in.
#[derive(Debug, Clone, Deserialize, Validate)]
pub struct UserInput {
    #[validate(length(min = 1, max = 64))]
    pub username: String,
    #[validate(length(max = 200))]
    pub display_name: Option<String>,
    #[validate(email, length(max = 200))]
    pub email: Option<String>,
    #[serde(default)]
    pub roles: Vec<Role>,
}

/// A user just added, with the one-time link that lets them choose a password (when no
/// password was given).
#[derive(Debug, Clone)]
pub struct AddedUser {
    pub user: User,
    pub password_token: Option<String>,
}

fn username_ok(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// R25: adds a staff user (admin only). With `password` (the command line, the demo) the user
/// can sign in at once; without (the staff pages) the user gets no usable password and the
/// answer carries a one-time set-password link, valid `security.password_link_hours`.
pub fn add_user(
    conn: &mut DbConn,
    config: &Config,
    actor: &Actor,
    now: DateTime<Utc>,
    input: UserInput,
    password: Option<&str>,
) -> AppResult<AddedUser> {
    actor.require(&[Role::Admin])?;
    crate::error::validated(&input)?;
    let username = input.username.trim().to_string();
    let mut errors = FieldErrors::new();
    if !username_ok(&username) {
        errors.insert(
            "username".into(),
            vec![l!(
                "只能使用英文字母、数字和 - _ .",
                "use only letters, digits and - _ ."
            )],
        );
    }
    if input.roles.is_empty() {
        errors.insert(
            "roles".into(),
            vec![l!("请至少选择一个角色", "choose at least one role")],
        );
    }
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    if let Some(p) = password {
        check_password(p)?;
    }
    let secret = password.map_or_else(|| ids::random_token(32), String::from);
    let hash =
        security::hash_password(&secret).map_err(|e| AppError::internal(anyhow::anyhow!(e)))?;
    let display = input
        .display_name
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .unwrap_or(&username)
        .to_string();
    let email = input
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty());
    let roles = Roles::new(input.roles.clone());
    let user = users::create(
        conn,
        now,
        &actor.id,
        &NewUser {
            username: &username,
            display_name: &display,
            email,
            password_hash: &hash,
            roles: &roles,
        },
    )
    .map_err(|e| match e {
        UserError::Duplicate(name) => AppError::field(
            "username",
            l!(
                "用户名 {} 已被使用",
                "a user named `{}` already exists",
                name
            ),
        ),
        UserError::Unknown(_) => AppError::not_found(),
        UserError::Db(e) => AppError::from(e),
    })?;
    let password_token = match password {
        Some(_) => None,
        None => Some(new_password_link(conn, config, now, &user.id)?),
    };
    Ok(AddedUser {
        user,
        password_token,
    })
}

fn new_password_link(
    conn: &mut DbConn,
    config: &Config,
    now: DateTime<Utc>,
    user_id: &str,
) -> AppResult<String> {
    let token = ids::random_token(32);
    let expires = now + TimeDelta::hours(i64::from(config.security.password_link_hours));
    sessions::create_password_link(conn, now, user_id, &token, expires)?;
    Ok(token)
}

fn user_or_404(conn: &mut DbConn, id: &str) -> AppResult<User> {
    users::by_id(conn, id)?.ok_or_else(AppError::not_found)
}

/// R25: replaces a user's roles (admin only). An administrator cannot take the admin role
/// from themselves, so the service always keeps someone who can administer it.
pub fn set_roles(
    conn: &mut DbConn,
    actor: &Actor,
    now: DateTime<Utc>,
    user_id: &str,
    roles: Vec<Role>,
) -> AppResult<User> {
    actor.require(&[Role::Admin])?;
    if roles.is_empty() {
        return Err(AppError::field(
            "roles",
            l!("请至少选择一个角色", "choose at least one role"),
        ));
    }
    let user = user_or_404(conn, user_id)?;
    if user.id == actor.id && !roles.contains(&Role::Admin) {
        return Err(AppError::field(
            "roles",
            l!(
                "不能取消自己的管理员角色",
                "you cannot remove your own admin role"
            ),
        ));
    }
    users::set_roles(conn, now, &actor.id, &user.username, &Roles::new(roles)).map_err(
        |e| match e {
            UserError::Db(e) => AppError::from(e),
            _ => AppError::not_found(),
        },
    )
}

/// R25: deactivates a user (admin only): their sessions and tokens end at once. Their record
/// and everything they did stay.
pub fn deactivate(
    conn: &mut DbConn,
    actor: &Actor,
    now: DateTime<Utc>,
    user_id: &str,
) -> AppResult<User> {
    actor.require(&[Role::Admin])?;
    let user = user_or_404(conn, user_id)?;
    if user.id == actor.id {
        return Err(AppError::forbidden(l!(
            "不能停用自己的账号。",
            "You cannot deactivate your own account."
        )));
    }
    db::write_tx(conn, |conn| {
        if users::set_active(conn, &user.id, false)? {
            let sessions = sessions::revoke_all_of(conn, &user.id, now)?;
            let tokens = users::revoke_tokens_of(conn, &user.id, now)?;
            audit::append(
                conn,
                now,
                &audit::AuditEvent {
                    actor: &actor.id,
                    action: "user.deactivated",
                    object_type: "user",
                    object_id: &user.id,
                    draft_id: None,
                    details: json!({
                        "username": user.username,
                        "sessions_ended": sessions,
                        "tokens_revoked": tokens,
                    }),
                },
            )?;
        }
        Ok::<_, AppError>(())
    })?;
    user_or_404(conn, user_id)
}

/// R25: an administrator resets a user's password: the old one stops working, every session
/// and token of the user ends, and a new set-password link is returned.
pub fn reset_password(
    conn: &mut DbConn,
    config: &Config,
    actor: &Actor,
    now: DateTime<Utc>,
    user_id: &str,
) -> AppResult<String> {
    actor.require(&[Role::Admin])?;
    let user = user_or_404(conn, user_id)?;
    let unusable = security::hash_password(&ids::random_token(32))
        .map_err(|e| AppError::internal(anyhow::anyhow!(e)))?;
    db::write_tx(conn, |conn| {
        replace_password(
            conn,
            now,
            &actor.id,
            &user,
            &unusable,
            "user.password_reset",
        )?;
        new_password_link(conn, config, now, &user.id)
    })
}

/// Checks a new password against the policy.
pub fn check_password(password: &str) -> AppResult<()> {
    let n = password.chars().count();
    if !(MIN_PASSWORD_CHARS..=1000).contains(&n) {
        return Err(AppError::field(
            "password",
            l!(
                "密码长度应为 {} 到 1000 个字符",
                "use {} to 1000 characters",
                MIN_PASSWORD_CHARS
            ),
        ));
    }
    Ok(())
}

fn replace_password(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    actor: &str,
    user: &User,
    hash: &str,
    action: &str,
) -> AppResult<()> {
    users::set_password_hash(conn, &user.id, hash)?;
    let sessions = sessions::revoke_all_of(conn, &user.id, now)?;
    let tokens = users::revoke_tokens_of(conn, &user.id, now)?;
    audit::append(
        conn,
        now,
        &audit::AuditEvent {
            actor,
            action,
            object_type: "user",
            object_id: &user.id,
            draft_id: None,
            details: json!({
                "username": user.username,
                "sessions_ended": sessions,
                "tokens_revoked": tokens,
            }),
        },
    )?;
    Ok(())
}

/// R25: sets a user's password (the command line, or the user through a set-password link);
/// every session and token of the user ends.
pub fn set_password(
    conn: &mut DbConn,
    actor: &Actor,
    now: DateTime<Utc>,
    user_id: &str,
    password: &str,
) -> AppResult<()> {
    if actor.id != user_id {
        actor.require(&[Role::Admin])?;
    }
    check_password(password)?;
    let user = user_or_404(conn, user_id)?;
    let hash =
        security::hash_password(password).map_err(|e| AppError::internal(anyhow::anyhow!(e)))?;
    db::write_tx(conn, |conn| {
        replace_password(conn, now, &actor.id, &user, &hash, "user.password_changed")
    })
}

/// R25: a signed-in user changes their own password, giving the current one. Every session
/// and token of theirs ends, this one too: they sign in again with the new password.
pub fn change_own_password(
    conn: &mut DbConn,
    actor: &Actor,
    now: DateTime<Utc>,
    current: &str,
    new: &str,
) -> AppResult<()> {
    let user = user_or_404(conn, &actor.id)?;
    if !security::verify_password(current, &user.password_hash) {
        return Err(AppError::field(
            "current_password",
            l!("当前密码不正确", "the current password is wrong"),
        ));
    }
    check_password(new)?;
    let hash = security::hash_password(new).map_err(|e| AppError::internal(anyhow::anyhow!(e)))?;
    db::write_tx(conn, |conn| {
        replace_password(conn, now, &actor.id, &user, &hash, "user.password_changed")
    })
}

/// The user a set-password link is for, while it is valid.
pub fn password_link_user(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    token: &str,
) -> AppResult<Option<User>> {
    Ok(sessions::password_link_user(conn, now, token)?)
}

/// R25: a user chooses their password with a one-time link; the link is then spent.
pub fn set_password_with_link(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    token: &str,
    password: &str,
) -> AppResult<User> {
    check_password(password)?;
    let hash =
        security::hash_password(password).map_err(|e| AppError::internal(anyhow::anyhow!(e)))?;
    db::write_tx(conn, |conn| {
        let user = sessions::password_link_user(conn, now, token)?.ok_or_else(|| {
            AppError::wrong_state(l!(
                "该链接已失效或已使用，请联系管理员重新发送。",
                "This link has expired or was used; ask an administrator for a new one."
            ))
        })?;
        if !sessions::use_password_link(conn, now, token)? {
            return Err(AppError::wrong_state(l!(
                "该链接已使用。",
                "This link was already used."
            )));
        }
        replace_password(conn, now, &user.id, &user, &hash, "user.password_set")?;
        Ok(user)
    })
}

/// Every staff user (admin only).
pub fn list(conn: &mut DbConn, actor: &Actor) -> AppResult<Vec<User>> {
    actor.require(&[Role::Admin])?;
    Ok(users::list(conn)?)
}
