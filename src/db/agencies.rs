//! Agencies (a stable code and a display name) and the officers who belong to them. Drafts
//! carry their agency's code (`drafts.agency_code`) and the name they were published under
//! (`drafts.agency`).

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::DbConn;
use super::schema::{agencies, agency_members, drafts, users};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = agencies)]
pub struct Agency {
    pub code: String,
    pub name: String,
    #[serde(skip)]
    pub created_at: NaiveDateTime,
}

/// Every agency, by name.
pub fn all(conn: &mut DbConn) -> QueryResult<Vec<Agency>> {
    agencies::table
        .select(Agency::as_select())
        .order(agencies::name.asc())
        .load(conn)
}

pub fn by_code(conn: &mut DbConn, code: &str) -> QueryResult<Option<Agency>> {
    agencies::table
        .find(code)
        .select(Agency::as_select())
        .first(conn)
        .optional()
}

pub fn by_name(conn: &mut DbConn, name: &str) -> QueryResult<Option<Agency>> {
    agencies::table
        .filter(agencies::name.eq(name))
        .select(Agency::as_select())
        .first(conn)
        .optional()
}

/// The agency a form or a program names, by its code or else by its name.
pub fn by_code_or_name(conn: &mut DbConn, key: &str) -> QueryResult<Option<Agency>> {
    match by_code(conn, key)? {
        Some(a) => Ok(Some(a)),
        None => by_name(conn, key),
    }
}

/// Inserts an agency. Call inside `write_tx` after checking the code and name are free.
pub fn insert(conn: &mut DbConn, now: DateTime<Utc>, code: &str, name: &str) -> QueryResult<()> {
    diesel::insert_into(agencies::table)
        .values((
            agencies::code.eq(code),
            agencies::name.eq(name),
            agencies::created_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Renames an agency; drafts not yet published take the new name too (published ones keep
/// the name they were published under).
pub fn rename(conn: &mut DbConn, code: &str, name: &str) -> QueryResult<usize> {
    diesel::update(agencies::table.find(code))
        .set(agencies::name.eq(name))
        .execute(conn)?;
    diesel::update(
        drafts::table
            .filter(drafts::agency_code.eq(code))
            .filter(drafts::approved_at.is_null()),
    )
    .set(drafts::agency.eq(name))
    .execute(conn)
}

/// The codes of the agencies `user_id` belongs to, sorted.
pub fn codes_of(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<String>> {
    agency_members::table
        .filter(agency_members::user_id.eq(user_id))
        .select(agency_members::agency_code)
        .order(agency_members::agency_code.asc())
        .load(conn)
}

/// Every membership as `(user_id, agency_code)`.
pub fn memberships(conn: &mut DbConn) -> QueryResult<Vec<(String, String)>> {
    agency_members::table
        .select((agency_members::user_id, agency_members::agency_code))
        .order((
            agency_members::user_id.asc(),
            agency_members::agency_code.asc(),
        ))
        .load(conn)
}

/// Adds a member; false when they already were one.
pub fn add_member(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    code: &str,
    user_id: &str,
) -> QueryResult<bool> {
    let already: i64 = agency_members::table
        .filter(agency_members::agency_code.eq(code))
        .filter(agency_members::user_id.eq(user_id))
        .count()
        .get_result(conn)?;
    if already > 0 {
        return Ok(false);
    }
    diesel::insert_into(agency_members::table)
        .values((
            agency_members::agency_code.eq(code),
            agency_members::user_id.eq(user_id),
            agency_members::created_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    Ok(true)
}

/// Removes a member; false when they were not one.
pub fn remove_member(conn: &mut DbConn, code: &str, user_id: &str) -> QueryResult<bool> {
    let n = diesel::delete(
        agency_members::table
            .filter(agency_members::agency_code.eq(code))
            .filter(agency_members::user_id.eq(user_id)),
    )
    .execute(conn)?;
    Ok(n > 0)
}

/// The usernames of an agency's members, sorted.
pub fn member_names(conn: &mut DbConn, code: &str) -> QueryResult<Vec<String>> {
    agency_members::table
        .inner_join(users::table.on(users::id.eq(agency_members::user_id)))
        .filter(agency_members::agency_code.eq(code))
        .select(users::username)
        .order(users::username.asc())
        .load(conn)
}

/// The agency code of a draft, if the draft exists.
pub fn of_draft(conn: &mut DbConn, draft_id: &str) -> QueryResult<Option<String>> {
    drafts::table
        .find(draft_id)
        .select(drafts::agency_code)
        .first(conn)
        .optional()
}
