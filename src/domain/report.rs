//! R18, R19: the rules of the adoption report: when a version can be prepared, who may
//! submit, approve or return it (four-eyes), and the frozen summary assembled from the counts
//! the database gives. Pure: no I/O, no clock.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::review::{is_concentrated, report_rank};
use super::roles::{Role, Roles};

/// What preparing a report will do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preparation {
    /// The version the new report gets.
    pub version: i32,
    /// The round's latest report is an unapproved version that this one replaces.
    pub replaces_latest: bool,
}

/// Why a report cannot be prepared now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrepareRefusal {
    /// R18: the draft is not published with its window closed, nor concluded (a correction).
    NotClosed,
    /// A version awaits approval.
    AwaitingApproval,
    /// R19: a published report is corrected only by a new version with a note.
    CorrectionNeedsNote,
}

/// R18, R19: whether a report can be prepared, and which version it is. `latest` is the
/// state and version of the round's newest report, if any. The completeness gate (every
/// comment disposed of, R18) is checked against the database afterwards.
pub fn prepare(
    draft_state: &str,
    window_closed: bool,
    latest: Option<(&str, i32)>,
    note: Option<&str>,
) -> Result<Preparation, PrepareRefusal> {
    let correcting = draft_state == "concluded";
    if !(draft_state == "published" && window_closed || correcting) {
        return Err(PrepareRefusal::NotClosed);
    }
    match latest {
        Some(("awaiting_approval", _)) => Err(PrepareRefusal::AwaitingApproval),
        Some(("published", version)) => {
            if note.is_none_or(|n| n.trim().is_empty()) {
                return Err(PrepareRefusal::CorrectionNeedsNote);
            }
            Ok(Preparation {
                version: version + 1,
                replaces_latest: false,
            })
        }
        // An unapproved version is prepared again from the current dispositions.
        Some((_, version)) => Ok(Preparation {
            version,
            replaces_latest: true,
        }),
        None => Ok(Preparation {
            version: 1,
            replaces_latest: false,
        }),
    }
}

/// What can be done to a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportAction {
    Submit,
    Approve,
    Return,
}

impl ReportAction {
    pub fn parse(s: &str) -> Option<ReportAction> {
        match s {
            "submit" => Some(ReportAction::Submit),
            "approve" => Some(ReportAction::Approve),
            "return" => Some(ReportAction::Return),
            _ => None,
        }
    }
}

/// A permitted move of a report: its state before and after, and the audit action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportStep {
    pub from: &'static str,
    pub to: &'static str,
    pub audit_action: &'static str,
}

/// Why a report action is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportRefusal {
    UnknownAction,
    NeedsRole(Role),
    /// R19: the approver is neither the draft's drafter nor the report's submitter.
    OwnReport,
    /// A returned report says why.
    NoteRequired,
}

/// R19: who may move a report where. `submit` is the drafter's; `approve` and `return` are an
/// approver's who is neither the draft's drafter nor the one who submitted the report.
pub fn report_step(
    action: &str,
    actor: &str,
    roles: &Roles,
    drafter_id: &str,
    submitted_by: Option<&str>,
    note: Option<&str>,
) -> Result<ReportStep, ReportRefusal> {
    let need = |role: Role| {
        if roles.has(role) {
            Ok(())
        } else {
            Err(ReportRefusal::NeedsRole(role))
        }
    };
    match ReportAction::parse(action) {
        Some(ReportAction::Submit) => {
            need(Role::Drafter)?;
            Ok(ReportStep {
                from: "draft",
                to: "awaiting_approval",
                audit_action: "report.submitted",
            })
        }
        Some(action @ (ReportAction::Approve | ReportAction::Return)) => {
            need(Role::Approver)?;
            // R19/R7: four eyes.
            if actor == drafter_id || submitted_by == Some(actor) {
                return Err(ReportRefusal::OwnReport);
            }
            if action == ReportAction::Approve {
                return Ok(ReportStep {
                    from: "awaiting_approval",
                    to: "published",
                    audit_action: "report.published",
                });
            }
            if note.is_none_or(|n| n.trim().is_empty()) {
                return Err(ReportRefusal::NoteRequired);
            }
            Ok(ReportStep {
                from: "awaiting_approval",
                to: "draft",
                audit_action: "report.returned",
            })
        }
        None => Err(ReportRefusal::UnknownAction),
    }
}

/// The draft as the report identifies it; times already formatted (RFC 3339, UTC).
#[derive(Debug, Clone)]
pub struct ReportDraft<'a> {
    pub id: &'a str,
    pub index_no: &'a str,
    pub title: &'a str,
    pub enterprise_related: bool,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub opens_at: Option<String>,
    pub closes_at: String,
}

/// Counts of the frozen rows, `key → comments`.
#[derive(Debug, Clone, Default)]
pub struct ReportCounts {
    pub by_channel: BTreeMap<String, i64>,
    pub by_stakeholder_type: BTreeMap<String, i64>,
    pub by_article: BTreeMap<String, i64>,
    pub by_outcome: BTreeMap<String, i64>,
    /// Among enterprises and industry associations, by outcome (drafts that concern
    /// enterprises only).
    pub market_entities_by_outcome: Option<BTreeMap<String, i64>>,
}

/// A group of the round with its disposition.
#[derive(Debug, Clone)]
pub struct ReportGroup {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub outcome: Option<String>,
    pub reason: Option<String>,
    /// R8: the articles it changed, `(round, number)`: of this round's text, or of the next
    /// round's for an article the revision added.
    pub changed_articles: Vec<(i32, i32)>,
}

/// A period extension (R6).
#[derive(Debug, Clone)]
pub struct ReportExtension {
    pub previous_closes_on: NaiveDate,
    pub new_closes_on: NaiveDate,
    pub reason: String,
}

/// R19: the report's frozen summary: identification, period with its extensions, totals and
/// the groups that have members in the frozen rows (`group_sizes`), concentrated groups not
/// fully adopted first, then by size. A group is concentrated from `min` members (R16).
pub fn summary(
    draft: &ReportDraft<'_>,
    counts: ReportCounts,
    groups: Vec<ReportGroup>,
    group_sizes: &BTreeMap<String, i64>,
    extensions: Vec<ReportExtension>,
    min: u32,
) -> Value {
    let mut totals = json!({
        "comments": counts.by_channel.values().sum::<i64>(),
        "by_channel": counts.by_channel,
        "by_stakeholder_type": counts.by_stakeholder_type,
        "by_article": counts.by_article,
        "by_outcome": counts.by_outcome,
    });
    if draft.enterprise_related {
        // R19: market entities shown on their own for rules that affect enterprises.
        let by_outcome = counts.market_entities_by_outcome.unwrap_or_default();
        totals["market_entities"] = json!({
            "comments": by_outcome.values().sum::<i64>(),
            "by_outcome": by_outcome,
        });
    }
    let mut ranked: Vec<(bool, Option<String>, usize, Value)> = groups
        .into_iter()
        .filter_map(|g| {
            let size = *group_sizes.get(&g.id)? as usize;
            let concentrated = is_concentrated(size, min);
            let changed: Vec<Value> = g
                .changed_articles
                .iter()
                .map(|(round, number)| json!({"round": round, "number": number}))
                .collect();
            let v = json!({
                "id": g.id, "title": g.title, "summary": g.summary, "size": size,
                "concentrated": concentrated, "outcome": g.outcome, "reason": g.reason,
                "changed_articles": changed,
            });
            Some((concentrated, g.outcome, size, v))
        })
        .collect();
    ranked.sort_by_key(|(c, o, s, _)| report_rank(*c, o.as_deref(), *s));
    let extensions: Vec<Value> = extensions
        .into_iter()
        .map(|e| {
            json!({
                "previous_closes_on": e.previous_closes_on,
                "new_closes_on": e.new_closes_on,
                "reason": e.reason,
            })
        })
        .collect();
    json!({
        "draft": {"id": draft.id, "index_no": draft.index_no, "title": draft.title},
        "period": {
            "opens_on": draft.opens_on, "closes_on": draft.closes_on,
            "opens_at": draft.opens_at,
            "closes_at": draft.closes_at,
            "extensions": extensions,
        },
        "totals": totals,
        "groups": ranked.into_iter().map(|(_, _, _, v)| v).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_waits_for_the_closed_window_and_corrections_need_a_note() {
        assert_eq!(
            prepare("published", false, None, None),
            Err(PrepareRefusal::NotClosed)
        );
        assert_eq!(
            prepare("published", true, None, None),
            Ok(Preparation {
                version: 1,
                replaces_latest: false
            })
        );
        assert_eq!(
            prepare("published", true, Some(("draft", 2)), None),
            Ok(Preparation {
                version: 2,
                replaces_latest: true
            })
        );
        assert_eq!(
            prepare("published", true, Some(("awaiting_approval", 1)), None),
            Err(PrepareRefusal::AwaitingApproval)
        );
        assert_eq!(
            prepare("concluded", false, Some(("published", 1)), Some("  ")),
            Err(PrepareRefusal::CorrectionNeedsNote)
        );
        assert_eq!(
            prepare("concluded", false, Some(("published", 1)), Some("typo")),
            Ok(Preparation {
                version: 2,
                replaces_latest: false
            })
        );
    }

    #[test]
    fn neither_the_drafter_nor_the_submitter_approves() {
        let approver = Roles::new(vec![Role::Approver]);
        let drafter = Roles::new(vec![Role::Drafter]);
        assert_eq!(
            report_step("submit", "d", &approver, "d", None, None),
            Err(ReportRefusal::NeedsRole(Role::Drafter))
        );
        assert!(report_step("submit", "d", &drafter, "d", None, None).is_ok());
        assert_eq!(
            report_step("approve", "d", &approver, "d", None, None),
            Err(ReportRefusal::OwnReport)
        );
        assert_eq!(
            report_step("approve", "s", &approver, "d", Some("s"), None),
            Err(ReportRefusal::OwnReport)
        );
        assert_eq!(
            report_step("return", "a", &approver, "d", Some("s"), None),
            Err(ReportRefusal::NoteRequired)
        );
        assert_eq!(
            report_step("approve", "a", &approver, "d", Some("s"), None).map(|s| s.to),
            Ok("published")
        );
        assert_eq!(
            report_step("publish", "a", &approver, "d", None, None),
            Err(ReportRefusal::UnknownAction)
        );
    }
}
