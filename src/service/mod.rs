//! The operations of the service: every state change, one function each.
//!
//! Each operation takes a connection, the acting person (`Actor`), `now` and a typed input, and
//! returns a typed result or an `AppError` that says what was refused and why. It opens its own
//! write transaction, asks `domain` for the decision, writes the rows through `db`, appends the
//! audit entry and queues mail in that same transaction. Object-level authorisation (whose
//! draft, four-eyes) lives here too, so the JSON API, the staff pages, the CLI and the demo,
//! which all call these functions, cannot differ on a rule or forget one.

pub mod abuse;
pub mod access;
pub mod agencies;
pub mod changes;
pub mod charts;
pub mod comments;
pub mod desk;
pub mod drafts;
pub mod duplicates;
pub mod erasure;
pub mod exports;
pub mod invitations;
pub mod meaning;
pub mod moderation;
pub mod outbox;
pub mod reports;
pub mod review;
pub mod subscriptions;
pub mod users;
pub mod workflow;

use crate::domain::roles::{Role, Roles};
use crate::error::AppError;
use crate::l;

/// Who acts: a signed-in staff member (or the system, for the CLI and the demo loader).
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: String,
    pub roles: Roles,
}

impl Actor {
    pub fn new(id: impl Into<String>, roles: Roles) -> Actor {
        Actor {
            id: id.into(),
            roles,
        }
    }

    /// 403 unless the actor holds one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), AppError> {
        if self.roles.has_any(roles) {
            return Ok(());
        }
        let needed = roles
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(" / ");
        Err(AppError::forbidden(l!(
            "此操作需要以下角色之一：{}",
            "This needs one of these roles: {}",
            needed
        )))
    }
}
