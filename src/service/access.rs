//! Who may do what to which draft: the one table of object-level authorisation.
//!
//! Officers belong to agencies (`agency_members`); every draft belongs to one
//! (`drafts.agency_code`). An action on a draft needs one of the action's roles *and*
//! membership of the draft's agency. Administrators count as members of every agency, and
//! may read the personal fields of comments, the audit trail and the exports of every draft
//! without another role. Every operation in `crate::service` that touches a draft asks
//! [`Actor::may`]; handlers only call operations (or `may` itself before a read), so the JSON
//! API, the staff pages, the command line and the demonstration loader cannot differ.
//!
//! A refusal is a 403 problem naming what is missing. Drafts are not secret among officers
//! (every officer may list them), so a draft of another agency answers 403, not 404; a
//! draft that does not exist answers 404. The table is printed in `docs/security.md`.

use super::Actor;
use crate::db::{self, DbConn};
use crate::domain::roles::Role;
use crate::error::{AppError, AppResult};
use crate::l;

/// An action on a draft, as the table below names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    /// Create a draft for the agency, edit it, add materials (R1).
    Draft,
    /// A step of the review chain or of the report (submit, review, approve, return,
    /// withdraw, extend); the step itself says which role and which person (four-eyes).
    Step,
    /// Read every comment of the draft, pending and hidden ones too, without personal fields.
    ReadComments,
    /// Read the review desk: comments without personal fields, groups, notes (R16).
    ReadDesk,
    /// Read the report room: progress, charts, the report's versions and preview (R18–R20).
    ReadReport,
    /// Group, dispose, assign, keep reasons, prepare the report, enter offline opinions,
    /// invite (R16–R20).
    Review,
    /// Moderate the draft's comments (R11).
    Moderate,
    /// Read the personal fields of the draft's comments (name, email, phone, address,
    /// client key) (R13).
    ReadPersonal,
    /// Export the draft's comments with their contact fields (CSV, Excel).
    Export,
    /// Read the draft's audit entries.
    ReadAudit,
}

impl Act {
    /// The roles any one of which the action needs (besides the agency).
    pub fn roles(self) -> &'static [Role] {
        match self {
            Act::Draft | Act::Review => &[Role::Drafter],
            Act::Step => &[Role::Drafter, Role::Reviewer, Role::Approver],
            Act::ReadDesk => &[Role::Drafter, Role::Reviewer],
            Act::ReadComments => &[
                Role::Drafter,
                Role::Reviewer,
                Role::Approver,
                Role::Moderator,
            ],
            Act::ReadReport => &[Role::Drafter, Role::Reviewer, Role::Approver],
            Act::Moderate => &[Role::Moderator],
            Act::ReadPersonal => &[Role::Drafter, Role::Moderator],
            Act::Export => &[Role::Drafter],
            Act::ReadAudit => &[
                Role::Drafter,
                Role::Reviewer,
                Role::Approver,
                Role::Moderator,
            ],
        }
    }

    /// Whether the administrator role alone is enough.
    fn admin_alone(self) -> bool {
        matches!(
            self,
            Act::ReadPersonal | Act::Export | Act::ReadAudit | Act::ReadReport
        )
    }
}

/// What the rule needs to know of a draft: its agency.
pub trait Owned {
    fn agency_code(&self) -> &str;
}

impl Owned for db::drafts::DraftRow {
    fn agency_code(&self) -> &str {
        &self.agency_code
    }
}

impl Owned for db::review::ReviewDraft {
    fn agency_code(&self) -> &str {
        &self.agency_code
    }
}

/// A draft known only by its agency's code.
pub struct OfAgency<'a>(pub &'a str);

impl Owned for OfAgency<'_> {
    fn agency_code(&self) -> &str {
        self.0
    }
}

/// The decision, given the actor's agencies: `Ok` or the 403 that says why.
pub fn decide(actor: &Actor, agencies: &[String], act: Act, agency: &str) -> AppResult<()> {
    let admin = actor.roles.has(Role::Admin);
    if admin && act.admin_alone() {
        return Ok(());
    }
    actor.require(act.roles())?;
    if admin || agencies.iter().any(|a| a == agency) {
        return Ok(());
    }
    Err(AppError::forbidden(l!(
        "该草案属于其他机关，只有该机关的工作人员可以办理。",
        "This draft belongs to another agency; only its officers may do this."
    ))
    .with("agency", serde_json::json!(agency)))
}

impl Actor {
    /// The agencies the actor belongs to (read from the database; the command line and the
    /// demonstration loader act as administrators and belong to none).
    pub fn agencies(&self, conn: &mut DbConn) -> AppResult<Vec<String>> {
        Ok(db::agencies::codes_of(conn, &self.id)?)
    }

    /// The agencies whose drafts the actor's lists show: `None` for administrators (all).
    pub fn agency_scope(&self, conn: &mut DbConn) -> AppResult<Option<Vec<String>>> {
        if self.roles.has(Role::Admin) {
            Ok(None)
        } else {
            Ok(Some(self.agencies(conn)?))
        }
    }

    /// Whether the actor counts as a member of `agency` (administrators count everywhere).
    pub fn belongs(&self, conn: &mut DbConn, agency: &str) -> AppResult<bool> {
        Ok(self.roles.has(Role::Admin) || self.agencies(conn)?.iter().any(|a| a == agency))
    }

    /// `Ok` when the actor may do `act` to `draft`; a 403 problem otherwise.
    pub fn may(&self, conn: &mut DbConn, act: Act, draft: &impl Owned) -> AppResult<()> {
        let agencies = if self.roles.has(Role::Admin) {
            Vec::new()
        } else {
            self.agencies(conn)?
        };
        decide(self, &agencies, act, draft.agency_code())
    }

    /// The agency a drafter names for a new draft (by code or name), if they may draft for
    /// it: 422 beside `agency` for an unknown one, 403 for one they do not belong to.
    pub fn may_draft_for(&self, conn: &mut DbConn, key: &str) -> AppResult<db::agencies::Agency> {
        let agency = db::agencies::by_code_or_name(conn, key.trim())?.ok_or_else(|| {
            AppError::field(
                "agency",
                l!(
                    "没有这个机关；请填写所属机关的代码或名称。",
                    "There is no such agency; give the code or the name of yours."
                ),
            )
        })?;
        self.may(conn, Act::Draft, &OfAgency(&agency.code))?;
        Ok(agency)
    }

    /// As `may`, without the refusal.
    pub fn can(&self, conn: &mut DbConn, act: Act, draft: &impl Owned) -> AppResult<bool> {
        match self.may(conn, act, draft) {
            Ok(()) => Ok(true),
            Err(e) if e.kind == crate::error::ErrorKind::Forbidden => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// `may` for a draft known by id: 404 when there is no such draft.
    pub fn may_on(&self, conn: &mut DbConn, act: Act, draft_id: &str) -> AppResult<()> {
        let agency = db::agencies::of_draft(conn, draft_id)?.ok_or_else(AppError::not_found)?;
        self.may(conn, act, &OfAgency(&agency))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::roles::Roles;

    fn who(roles: &[Role]) -> Actor {
        Actor::new("u", Roles::new(roles.to_vec()))
    }

    #[test]
    fn the_role_and_the_agency_are_both_needed() {
        let mine = vec!["justice".to_string()];
        let drafter = who(&[Role::Drafter]);
        assert!(decide(&drafter, &mine, Act::Review, "justice").is_ok());
        assert!(decide(&drafter, &mine, Act::Review, "finance").is_err());
        assert!(decide(&drafter, &[], Act::Review, "justice").is_err());
        let reviewer = who(&[Role::Reviewer]);
        assert!(decide(&reviewer, &mine, Act::ReadDesk, "justice").is_ok());
        assert!(decide(&reviewer, &mine, Act::Review, "justice").is_err());
        assert!(decide(&reviewer, &mine, Act::ReadPersonal, "justice").is_err());
        let moderator = who(&[Role::Moderator]);
        assert!(decide(&moderator, &mine, Act::ReadPersonal, "justice").is_ok());
        assert!(decide(&moderator, &mine, Act::Moderate, "finance").is_err());
    }

    #[test]
    fn administrators_act_across_agencies_with_their_roles() {
        let admin = who(&[Role::Admin]);
        assert!(decide(&admin, &[], Act::ReadPersonal, "any").is_ok());
        assert!(decide(&admin, &[], Act::ReadAudit, "any").is_ok());
        assert!(
            decide(&admin, &[], Act::Review, "any").is_err(),
            "no drafter role"
        );
        let admin_drafter = who(&[Role::Admin, Role::Drafter]);
        assert!(decide(&admin_drafter, &[], Act::Review, "any").is_ok());
    }
}
