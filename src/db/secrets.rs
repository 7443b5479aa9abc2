//! Secrets kept in the database so that every node shares them (development only; production
//! sets `security.session_key`).

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::DbConn;
use super::schema::app_secrets;

/// Returns the named secret, creating it with `generate` on first use. A lost race on the
/// primary key reads the winner's value, so all nodes agree.
pub fn get_or_create(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    name: &str,
    generate: impl FnOnce() -> String,
) -> QueryResult<String> {
    if let Some(v) = app_secrets::table
        .find(name)
        .select(app_secrets::value)
        .first::<String>(conn)
        .optional()?
    {
        return Ok(v);
    }
    let value = generate();
    match diesel::insert_into(app_secrets::table)
        .values((
            app_secrets::name.eq(name),
            app_secrets::value.eq(&value),
            app_secrets::created_at.eq(now.naive_utc()),
        ))
        .execute(conn)
    {
        Ok(_) => Ok(value),
        Err(e) if super::is_unique_violation(&e) => app_secrets::table
            .find(name)
            .select(app_secrets::value)
            .first(conn),
        Err(e) => Err(e),
    }
}
