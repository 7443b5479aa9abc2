//! Agencies and their officers, managed by administrators: create an agency (a stable code and
//! a display name), rename it, add and remove members. Each change is one transaction with
//! its audit entry. Who may act on which draft follows from membership (`service::access`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use validator::Validate;

use super::Actor;
use crate::db::agencies::{self as q, Agency};
use crate::db::audit::{self, AuditEvent};
use crate::db::{self, DbConn, users};
use crate::domain::roles::Role;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::l;

/// An agency with the usernames of its members.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AgencyView {
    /// The stable code drafts and memberships refer to.
    pub code: String,
    /// The name the public sees.
    pub name: String,
    pub members: Vec<String>,
}

/// A new agency.
#[derive(Debug, Clone, Deserialize, Validate, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgencyInput {
    /// Lower-case letters, digits and `-`, 2–40 characters; never changes.
    #[schema(pattern = "^[a-z0-9][a-z0-9-]{1,39}$")]
    pub code: String,
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
}

/// A new name for an agency.
#[derive(Debug, Clone, Deserialize, Validate, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgencyPatch {
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
}

fn code_ok(code: &str) -> bool {
    let n = code.chars().count();
    (2..=40).contains(&n)
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !code.starts_with('-')
}

fn view(conn: &mut DbConn, a: Agency) -> AppResult<AgencyView> {
    let members = q::member_names(conn, &a.code)?;
    Ok(AgencyView {
        code: a.code,
        name: a.name,
        members,
    })
}

fn name_taken(conn: &mut DbConn, name: &str, except: Option<&str>) -> AppResult<()> {
    match q::by_name(conn, name)? {
        Some(a) if Some(a.code.as_str()) != except => Err(AppError::field(
            "name",
            l!(
                "机关名称 {} 已被使用",
                "the name `{}` is already used",
                name
            ),
        )),
        _ => Ok(()),
    }
}

/// Every agency with its members (administrators).
pub fn list(conn: &mut DbConn, actor: &Actor) -> AppResult<Vec<AgencyView>> {
    actor.require(&[Role::Admin])?;
    let all = q::all(conn)?;
    all.into_iter().map(|a| view(conn, a)).collect()
}

/// Creates an agency (administrators).
pub fn create(
    conn: &mut DbConn,
    actor: &Actor,
    now: DateTime<Utc>,
    input: &AgencyInput,
) -> AppResult<AgencyView> {
    actor.require(&[Role::Admin])?;
    crate::error::validated(input)?;
    let code = input.code.trim();
    let name = input.name.trim();
    let mut errors = FieldErrors::new();
    if !code_ok(code) {
        errors.insert(
            "code".into(),
            vec![l!(
                "只能使用小写英文字母、数字和 -，2–40 个字符",
                "use 2–40 lower-case letters, digits and -"
            )],
        );
    }
    if name.is_empty() {
        errors.insert("name".into(), vec![l!("不能为空", "must not be blank")]);
    }
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    db::write_tx(conn, |conn| {
        if q::by_code(conn, code)?.is_some() {
            return Err(AppError::field(
                "code",
                l!("代码 {} 已被使用", "the code `{}` is already used", code),
            ));
        }
        name_taken(conn, name, None)?;
        q::insert(conn, now, code, name)?;
        audit::append(
            conn,
            now,
            &AuditEvent {
                actor: &actor.id,
                action: "agency.created",
                object_type: "agency",
                object_id: code,
                draft_id: None,
                details: json!({"code": code, "name": name}),
            },
        )?;
        let a = q::by_code(conn, code)?.ok_or_else(AppError::not_found)?;
        view(conn, a)
    })
}

/// Renames an agency (administrators); drafts not yet published take the new name.
pub fn rename(
    conn: &mut DbConn,
    actor: &Actor,
    now: DateTime<Utc>,
    code: &str,
    patch: &AgencyPatch,
) -> AppResult<AgencyView> {
    actor.require(&[Role::Admin])?;
    crate::error::validated(patch)?;
    let name = patch.name.trim();
    if name.is_empty() {
        return Err(AppError::field("name", l!("不能为空", "must not be blank")));
    }
    db::write_tx(conn, |conn| {
        let before = q::by_code(conn, code)?.ok_or_else(AppError::not_found)?;
        name_taken(conn, name, Some(code))?;
        q::rename(conn, code, name)?;
        audit::append(
            conn,
            now,
            &AuditEvent {
                actor: &actor.id,
                action: "agency.renamed",
                object_type: "agency",
                object_id: code,
                draft_id: None,
                details: json!({"from": before.name, "to": name}),
            },
        )?;
        let a = q::by_code(conn, code)?.ok_or_else(AppError::not_found)?;
        view(conn, a)
    })
}

/// Adds (`join`) or removes a member (administrators), by username; audited when it changes
/// anything. 404 for an unknown agency or user.
pub fn set_member(
    conn: &mut DbConn,
    actor: &Actor,
    now: DateTime<Utc>,
    code: &str,
    username: &str,
    join: bool,
) -> AppResult<AgencyView> {
    actor.require(&[Role::Admin])?;
    db::write_tx(conn, |conn| {
        let a = q::by_code(conn, code)?.ok_or_else(AppError::not_found)?;
        let user = users::by_username(conn, username)?.ok_or_else(AppError::not_found)?;
        let changed = if join {
            q::add_member(conn, now, code, &user.id)?
        } else {
            q::remove_member(conn, code, &user.id)?
        };
        if changed {
            audit::append(
                conn,
                now,
                &AuditEvent {
                    actor: &actor.id,
                    action: if join {
                        "agency.member_added"
                    } else {
                        "agency.member_removed"
                    },
                    object_type: "agency",
                    object_id: code,
                    draft_id: None,
                    details: json!({"username": user.username}),
                },
            )?;
        }
        view(conn, a)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_short_lower_case_words() {
        assert!(code_ok("justice"));
        assert!(code_ok("agency-12"));
        assert!(!code_ok("J"));
        assert!(!code_ok("-x"));
        assert!(!code_ok("司法局"));
        assert!(!code_ok("a b"));
    }
}
