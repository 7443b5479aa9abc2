//! R25: staff roles. A user may hold several.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Drafter,
    Reviewer,
    Approver,
    Moderator,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Drafter,
        Role::Reviewer,
        Role::Approver,
        Role::Moderator,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Drafter => "drafter",
            Role::Reviewer => "reviewer",
            Role::Approver => "approver",
            Role::Moderator => "moderator",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of roles, stored as a sorted comma-separated list (`drafter,reviewer`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roles(Vec<Role>);

impl Roles {
    pub fn new(mut roles: Vec<Role>) -> Roles {
        roles.sort();
        roles.dedup();
        Roles(roles)
    }

    /// Parses `admin,drafter`; an unknown name is an error that names it.
    pub fn parse_list(s: &str) -> Result<Roles, String> {
        let mut roles = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match Role::parse(part) {
                Some(r) => roles.push(r),
                None => {
                    return Err(format!(
                        "unknown role `{part}`; roles are admin, drafter, reviewer, approver, moderator"
                    ));
                }
            }
        }
        if roles.is_empty() {
            return Err("at least one role is needed".into());
        }
        Ok(Roles::new(roles))
    }

    /// Reads the stored form, skipping names this version does not know.
    pub fn from_stored(s: &str) -> Roles {
        Roles::new(s.split(',').filter_map(Role::parse).collect())
    }

    pub fn to_stored(&self) -> String {
        self.0
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    pub fn has(&self, role: Role) -> bool {
        self.0.contains(&role)
    }

    pub fn has_any(&self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.has(*r))
    }

    pub fn iter(&self) -> impl Iterator<Item = Role> + '_ {
        self.0.iter().copied()
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.0.iter().map(|r| r.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sorts_and_refuses_unknown() {
        let r = Roles::parse_list("reviewer, drafter,reviewer").unwrap();
        assert_eq!(r.to_stored(), "drafter,reviewer");
        assert!(
            Roles::parse_list("drafter,king")
                .unwrap_err()
                .contains("king")
        );
    }
}
