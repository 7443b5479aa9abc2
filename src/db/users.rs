//! Staff users and their API tokens.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::DbConn;
use super::audit::{self, AuditEvent};
use super::ids::{hash_secret, new_id};
use super::schema::{api_tokens, users};
use crate::domain::roles::Roles;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub password_hash: String,
    pub roles: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
}

impl User {
    pub fn roles(&self) -> Roles {
        Roles::from_stored(&self.roles)
    }
}

pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub email: Option<&'a str>,
    pub password_hash: &'a str,
    pub roles: &'a Roles,
}

#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("a user named `{0}` already exists")]
    Duplicate(String),
    #[error("no user named `{0}`")]
    Unknown(String),
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

/// Creates a user and records it in the audit chain, in one transaction.
pub fn create(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    actor: &str,
    new: &NewUser<'_>,
) -> Result<User, UserError> {
    super::write_tx(conn, |conn| {
        let exists: i64 = users::table
            .filter(users::username.eq(new.username))
            .count()
            .get_result(conn)?;
        if exists > 0 {
            return Err(UserError::Duplicate(new.username.to_string()));
        }
        let id = new_id(now);
        diesel::insert_into(users::table)
            .values((
                users::id.eq(&id),
                users::username.eq(new.username),
                users::display_name.eq(new.display_name),
                users::email.eq(new.email),
                users::password_hash.eq(new.password_hash),
                users::roles.eq(new.roles.to_stored()),
                users::active.eq(true),
                users::created_at.eq(now.naive_utc()),
            ))
            .execute(conn)
            .map_err(|e| {
                if super::is_unique_violation(&e) {
                    UserError::Duplicate(new.username.to_string())
                } else {
                    UserError::Db(e)
                }
            })?;
        audit::append(
            conn,
            now,
            &AuditEvent {
                actor,
                action: "user.created",
                object_type: "user",
                object_id: &id,
                draft_id: None,
                details: serde_json::json!({
                    "username": new.username,
                    "roles": new.roles.names(),
                }),
            },
        )?;
        Ok(users::table
            .find(&id)
            .select(User::as_select())
            .first(conn)?)
    })
}

/// Replaces a user's roles, recorded in the audit chain.
pub fn set_roles(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    actor: &str,
    username: &str,
    roles: &Roles,
) -> Result<User, UserError> {
    super::write_tx(conn, |conn| {
        let user =
            by_username(conn, username)?.ok_or_else(|| UserError::Unknown(username.into()))?;
        diesel::update(users::table.find(&user.id))
            .set(users::roles.eq(roles.to_stored()))
            .execute(conn)?;
        audit::append(
            conn,
            now,
            &AuditEvent {
                actor,
                action: "user.roles_changed",
                object_type: "user",
                object_id: &user.id,
                draft_id: None,
                details: serde_json::json!({
                    "username": username,
                    "from": user.roles().names(),
                    "to": roles.names(),
                }),
            },
        )?;
        Ok(users::table
            .find(&user.id)
            .select(User::as_select())
            .first(conn)?)
    })
}

pub fn by_username(conn: &mut DbConn, username: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::username.eq(username))
        .select(User::as_select())
        .first(conn)
        .optional()
}

pub fn by_id(conn: &mut DbConn, id: &str) -> QueryResult<Option<User>> {
    users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// Stores a new bearer token (only its hash) and returns its expiry.
pub fn issue_token(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    user_id: &str,
    token: &str,
    ttl: chrono::TimeDelta,
) -> QueryResult<DateTime<Utc>> {
    let expires = now + ttl;
    diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::id.eq(new_id(now)),
            api_tokens::user_id.eq(user_id),
            api_tokens::token_hash.eq(hash_secret(token)),
            api_tokens::created_at.eq(now.naive_utc()),
            api_tokens::expires_at.eq(expires.naive_utc()),
        ))
        .execute(conn)?;
    Ok(expires)
}

/// The active user holding an unexpired, unrevoked token.
pub fn by_token(conn: &mut DbConn, now: DateTime<Utc>, token: &str) -> QueryResult<Option<User>> {
    api_tokens::table
        .inner_join(users::table)
        .filter(api_tokens::token_hash.eq(hash_secret(token)))
        .filter(api_tokens::expires_at.gt(now.naive_utc()))
        .filter(api_tokens::revoked_at.is_null())
        .filter(users::active.eq(true))
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// Revokes a token; true when it existed and was live.
pub fn revoke_token(conn: &mut DbConn, now: DateTime<Utc>, token: &str) -> QueryResult<bool> {
    let n = diesel::update(
        api_tokens::table
            .filter(api_tokens::token_hash.eq(hash_secret(token)))
            .filter(api_tokens::revoked_at.is_null()),
    )
    .set(api_tokens::revoked_at.eq(Some(now.naive_utc())))
    .execute(conn)?;
    Ok(n > 0)
}

/// Every user, by name.
pub fn list(conn: &mut DbConn) -> QueryResult<Vec<User>> {
    users::table
        .order(users::username.asc())
        .select(User::as_select())
        .load(conn)
}

/// Sets `active`; true when it changed.
pub fn set_active(conn: &mut DbConn, id: &str, active: bool) -> QueryResult<bool> {
    let n = diesel::update(users::table.find(id).filter(users::active.ne(active)))
        .set(users::active.eq(active))
        .execute(conn)?;
    Ok(n > 0)
}

/// Stores a new password hash.
pub fn set_password_hash(conn: &mut DbConn, id: &str, hash: &str) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set(users::password_hash.eq(hash))
        .execute(conn)
        .map(|_| ())
}

/// Revokes every live API token of a user; returns how many.
pub fn revoke_tokens_of(
    conn: &mut DbConn,
    user_id: &str,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(
        api_tokens::table
            .filter(api_tokens::user_id.eq(user_id))
            .filter(api_tokens::revoked_at.is_null()),
    )
    .set(api_tokens::revoked_at.eq(Some(now.naive_utc())))
    .execute(conn)
}
