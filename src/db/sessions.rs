//! R25: staff sessions (the cookie's value is kept only as a hash), sign-in attempts for
//! throttling, and one-time set-password links.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::DbConn;
use super::ids::{hash_secret, new_id};
use super::schema::{login_attempts, password_links, staff_sessions, users};
use super::users::User;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = staff_sessions)]
pub struct SessionRow {
    pub id: String,
    pub token_hash: String,
    pub user_id: String,
    pub csrf_token: String,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

/// Stores a new session for `token` (only its hash) and returns its id.
pub fn create(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    user_id: &str,
    token: &str,
    csrf_token: &str,
    expires_at: DateTime<Utc>,
) -> QueryResult<String> {
    let id = new_id(now);
    diesel::insert_into(staff_sessions::table)
        .values((
            staff_sessions::id.eq(&id),
            staff_sessions::token_hash.eq(hash_secret(token)),
            staff_sessions::user_id.eq(user_id),
            staff_sessions::csrf_token.eq(csrf_token),
            staff_sessions::created_at.eq(now.naive_utc()),
            staff_sessions::last_seen_at.eq(now.naive_utc()),
            staff_sessions::expires_at.eq(expires_at.naive_utc()),
        ))
        .execute(conn)?;
    Ok(id)
}

/// The live session of `token` and its active user: not revoked, before its absolute expiry,
/// and seen since `idle_since`.
pub fn live(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    idle_since: DateTime<Utc>,
    token: &str,
) -> QueryResult<Option<(SessionRow, User)>> {
    staff_sessions::table
        .inner_join(users::table)
        .filter(staff_sessions::token_hash.eq(hash_secret(token)))
        .filter(staff_sessions::revoked_at.is_null())
        .filter(staff_sessions::expires_at.gt(now.naive_utc()))
        .filter(staff_sessions::last_seen_at.gt(idle_since.naive_utc()))
        .filter(users::active.eq(true))
        .select((SessionRow::as_select(), User::as_select()))
        .first(conn)
        .optional()
}

/// Moves the idle expiry on.
pub fn touch(conn: &mut DbConn, id: &str, now: DateTime<Utc>) -> QueryResult<()> {
    diesel::update(staff_sessions::table.find(id))
        .set(staff_sessions::last_seen_at.eq(now.naive_utc()))
        .execute(conn)
        .map(|_| ())
}

/// Ends one session.
pub fn revoke(conn: &mut DbConn, id: &str, now: DateTime<Utc>) -> QueryResult<bool> {
    let n = diesel::update(
        staff_sessions::table
            .find(id)
            .filter(staff_sessions::revoked_at.is_null()),
    )
    .set(staff_sessions::revoked_at.eq(Some(now.naive_utc())))
    .execute(conn)?;
    Ok(n > 0)
}

/// Ends every session of a user (password change, deactivation); returns how many.
pub fn revoke_all_of(conn: &mut DbConn, user_id: &str, now: DateTime<Utc>) -> QueryResult<usize> {
    diesel::update(
        staff_sessions::table
            .filter(staff_sessions::user_id.eq(user_id))
            .filter(staff_sessions::revoked_at.is_null()),
    )
    .set(staff_sessions::revoked_at.eq(Some(now.naive_utc())))
    .execute(conn)
}

/// Records one sign-in attempt.
pub fn record_attempt(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    username: &str,
    client_key: &str,
    succeeded: bool,
) -> QueryResult<()> {
    diesel::insert_into(login_attempts::table)
        .values((
            login_attempts::id.eq(new_id(now)),
            login_attempts::at.eq(now.naive_utc()),
            login_attempts::username.eq(username),
            login_attempts::client_key.eq(client_key),
            login_attempts::succeeded.eq(succeeded),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Failed attempts since `since` for this account name and for this client, with the oldest
/// of each (to say when the next try is allowed).
pub struct Failures {
    pub by_user: i64,
    pub oldest_by_user: Option<NaiveDateTime>,
    pub by_client: i64,
    pub oldest_by_client: Option<NaiveDateTime>,
}

pub fn failures_since(
    conn: &mut DbConn,
    since: DateTime<Utc>,
    username: &str,
    client_key: &str,
) -> QueryResult<Failures> {
    let (by_user, oldest_by_user): (i64, Option<NaiveDateTime>) = login_attempts::table
        .filter(login_attempts::username.eq(username))
        .filter(login_attempts::at.gt(since.naive_utc()))
        .filter(login_attempts::succeeded.eq(false))
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::min(login_attempts::at),
        ))
        .first(conn)?;
    let (by_client, oldest_by_client): (i64, Option<NaiveDateTime>) = login_attempts::table
        .filter(login_attempts::client_key.eq(client_key))
        .filter(login_attempts::at.gt(since.naive_utc()))
        .filter(login_attempts::succeeded.eq(false))
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::min(login_attempts::at),
        ))
        .first(conn)?;
    Ok(Failures {
        by_user,
        oldest_by_user,
        by_client,
        oldest_by_client,
    })
}

/// Stores a set-password link for `token` (only its hash).
pub fn create_password_link(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    user_id: &str,
    token: &str,
    expires_at: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::insert_into(password_links::table)
        .values((
            password_links::id.eq(new_id(now)),
            password_links::token_hash.eq(hash_secret(token)),
            password_links::user_id.eq(user_id),
            password_links::created_at.eq(now.naive_utc()),
            password_links::expires_at.eq(expires_at.naive_utc()),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The user a live, unused link belongs to.
pub fn password_link_user(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    token: &str,
) -> QueryResult<Option<User>> {
    password_links::table
        .inner_join(users::table)
        .filter(password_links::token_hash.eq(hash_secret(token)))
        .filter(password_links::used_at.is_null())
        .filter(password_links::expires_at.gt(now.naive_utc()))
        .filter(users::active.eq(true))
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// Marks a link used; false when it was already used (a race lost).
pub fn use_password_link(conn: &mut DbConn, now: DateTime<Utc>, token: &str) -> QueryResult<bool> {
    let n = diesel::update(
        password_links::table
            .filter(password_links::token_hash.eq(hash_secret(token)))
            .filter(password_links::used_at.is_null()),
    )
    .set(password_links::used_at.eq(Some(now.naive_utc())))
    .execute(conn)?;
    Ok(n > 0)
}

/// Deletes sessions and set-password links that ended more than a day before `now`, and
/// sign-in attempts older than a day.
pub fn purge(conn: &mut DbConn, now: DateTime<Utc>) -> QueryResult<()> {
    let cutoff = (now - chrono::TimeDelta::days(1)).naive_utc();
    diesel::delete(
        staff_sessions::table.filter(
            staff_sessions::expires_at
                .lt(cutoff)
                .or(staff_sessions::revoked_at.lt(cutoff)),
        ),
    )
    .execute(conn)?;
    diesel::delete(password_links::table.filter(password_links::expires_at.lt(cutoff)))
        .execute(conn)?;
    diesel::delete(login_attempts::table.filter(login_attempts::at.lt(cutoff))).execute(conn)?;
    Ok(())
}
