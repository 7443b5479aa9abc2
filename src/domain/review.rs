//! R17–R19: dispositions, the completeness gate and the order of a report's groups.

use std::fmt;

/// R17: what became of an opinion.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Adopted,
    PartiallyAdopted,
    NotAdopted,
    /// Outside the draft's scope, or informational.
    Noted,
}

impl Outcome {
    pub const ALL: [Outcome; 4] = [
        Outcome::Adopted,
        Outcome::PartiallyAdopted,
        Outcome::NotAdopted,
        Outcome::Noted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Adopted => "adopted",
            Outcome::PartiallyAdopted => "partially_adopted",
            Outcome::NotAdopted => "not_adopted",
            Outcome::Noted => "noted",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// R17: every outcome but `adopted` needs a reason.
    pub fn needs_reason(self) -> bool {
        self != Outcome::Adopted
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// R17: a disposition is complete when it has an outcome and, unless adopted, a reason with a
/// visible character.
pub fn reason_ok(outcome: Outcome, reason: Option<&str>) -> bool {
    !outcome.needs_reason() || reason.is_some_and(|r| r.chars().any(|c| !c.is_whitespace()))
}

/// R17: a member's own disposition overrides its group's.
pub fn effective<'a>(
    own: (Option<&'a str>, Option<&'a str>),
    group: (Option<&'a str>, Option<&'a str>),
) -> (Option<&'a str>, Option<&'a str>) {
    if own.0.is_some() { own } else { group }
}

/// What a comment lacks for the report (R18), if anything.
pub fn lacking(outcome: Option<&str>, reason: Option<&str>) -> Option<&'static str> {
    match outcome.and_then(Outcome::parse) {
        None => Some("disposition"),
        Some(o) if !reason_ok(o, reason) => Some("reason"),
        Some(_) => None,
    }
}

/// R16: a group is concentrated (较为集中意见) from `min` comments on.
pub fn is_concentrated(size: usize, min: u32) -> bool {
    size >= min as usize
}

/// R19: concentrated groups that were not fully adopted come first (the law asks why they
/// were not adopted), then by size, largest first.
pub fn report_rank(
    concentrated: bool,
    outcome: Option<&str>,
    size: usize,
) -> (u8, std::cmp::Reverse<usize>) {
    let first = concentrated && outcome != Some("adopted");
    (u8::from(!first), std::cmp::Reverse(size))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_is_required_except_for_adopted() {
        assert!(reason_ok(Outcome::Adopted, None));
        for o in [
            Outcome::PartiallyAdopted,
            Outcome::NotAdopted,
            Outcome::Noted,
        ] {
            assert!(!reason_ok(o, None));
            assert!(!reason_ok(o, Some("  ")));
            assert!(reason_ok(o, Some("超出本文件调整范围")));
        }
    }

    #[test]
    fn own_disposition_overrides_the_group() {
        let own = (Some("adopted"), None);
        let group = (Some("not_adopted"), Some("r"));
        assert_eq!(effective(own, group), own);
        assert_eq!(effective((None, None), group), group);
        assert_eq!(lacking(None, None), Some("disposition"));
        assert_eq!(lacking(Some("noted"), None), Some("reason"));
        assert_eq!(lacking(Some("adopted"), None), None);
    }

    #[test]
    fn concentrated_not_adopted_groups_rank_first() {
        let mut g = [
            (false, Some("not_adopted"), 3),
            (true, Some("adopted"), 50),
            (true, Some("not_adopted"), 6),
        ];
        g.sort_by_key(|&(c, o, s)| report_rank(c, o, s));
        assert_eq!(g[0].2, 6);
    }
}
