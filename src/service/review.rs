//! R16, R17: the review of a draft's comments: opinion groups (suggest, create, rename, move,
//! merge and split by moving) and dispositions of groups and of single comments, each change
//! in the audit chain. Officers' placements are never undone by a suggestion.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use validator::Validate;

use super::Actor;
use super::access::Act;
use crate::config::Config;
use crate::db::audit::{self, AuditEvent};
use crate::db::review::{self, GroupRow, NewGroup, ReviewDraft};
use crate::db::{self, DbConn, ids, reports};
use crate::domain::grouping;
use crate::domain::review::{Outcome, is_concentrated, reason_ok};
use crate::domain::roles::Role;
use crate::error::{AppError, AppResult};
use crate::l;

/// A disposition as it was recorded: what, why, by whom and when.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Disposition {
    pub outcome: String,
    pub reason: Option<String>,
    pub disposed_by: Option<String>,
    #[serde(serialize_with = "crate::db::serialize_opt_utc")]
    pub disposed_at: Option<chrono::NaiveDateTime>,
}

/// A group with its members, its size and whether it is concentrated (R16).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GroupView {
    pub id: String,
    /// R8: the round whose comments it groups.
    pub round: i32,
    pub title: String,
    pub summary: String,
    pub origin: String,
    pub size: usize,
    pub concentrated: bool,
    pub comment_ids: Vec<String>,
    pub disposition: Option<Disposition>,
    /// The colleague who works on it.
    pub assigned_to: Option<String>,
    /// For members the grouping placed (not an officer): why, and how sure it was (0–1).
    pub proposal: Vec<ProposedMember>,
}

/// Why the grouping proposed a comment for its group: `same_letter`, `same_words` or
/// `same_meaning`, with a score from 0 to 1.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProposedMember {
    pub comment_id: String,
    pub reason: String,
    pub score: f64,
}

impl GroupView {
    pub fn new(g: GroupRow, comment_ids: Vec<String>, min: u32) -> GroupView {
        GroupView {
            size: comment_ids.len(),
            concentrated: is_concentrated(comment_ids.len(), min),
            disposition: g.outcome.map(|outcome| Disposition {
                outcome,
                reason: g.reason,
                disposed_by: g.disposed_by,
                disposed_at: g.disposed_at,
            }),
            assigned_to: g.assigned_to,
            id: g.id,
            round: g.round,
            title: g.title,
            summary: g.summary,
            origin: g.origin,
            comment_ids,
            proposal: Vec::new(),
        }
    }

    /// Adds why its members were proposed, from `(comment, reason, score)` rows.
    fn with_proposal(mut self, rows: &mut BTreeMap<String, (String, f64)>) -> GroupView {
        self.proposal = self
            .comment_ids
            .iter()
            .filter_map(|id| {
                rows.remove(id).map(|(reason, score)| ProposedMember {
                    comment_id: id.clone(),
                    reason,
                    score,
                })
            })
            .collect();
        self
    }
}

/// Why the grouping proposed each of these comments.
fn proposals(conn: &mut DbConn, ids: &[String]) -> AppResult<BTreeMap<String, (String, f64)>> {
    Ok(db::meaning::memberships(conn, ids)?
        .into_iter()
        .map(|(id, reason, score)| (id, (reason, score)))
        .collect())
}

/// One comment's disposition and the one that applies to it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CommentDispositionView {
    pub id: String,
    pub tracking_number: String,
    pub group_id: Option<String>,
    /// The comment's own disposition, if it has one.
    pub disposition: Option<Disposition>,
    /// What applies: its own, else its group's (R17).
    pub effective: Option<EffectiveDisposition>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EffectiveDisposition {
    pub outcome: String,
    pub reason: Option<String>,
    /// `comment` or `group`.
    pub source: &'static str,
}

/// An officer's new group and the comments that move into it.
#[derive(Debug, Clone, Deserialize, Validate, utoipa::ToSchema)]
pub struct CreateGroup {
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    #[validate(length(max = 100000))]
    #[schema(max_items = 100000)]
    pub comment_ids: Vec<String>,
}

/// A change to a group: a new title or summary, comments moved in (`add`), comments taken out
/// (`remove`).
#[derive(Debug, Clone, Default, Deserialize, Validate, utoipa::ToSchema)]
pub struct UpdateGroup {
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub title: Option<String>,
    /// The summary the report shows for the group.
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    pub summary: Option<String>,
    #[validate(length(max = 100000))]
    #[schema(max_items = 100000)]
    pub add: Option<Vec<String>>,
    #[validate(length(max = 100000))]
    #[schema(max_items = 100000)]
    pub remove: Option<Vec<String>>,
}

/// A disposition as an officer gives it: the reason written out, or one of the agency's kept
/// reasons (`snippet_id`) when none is written.
#[derive(Debug, Clone, Default, Deserialize, Validate, utoipa::ToSchema)]
pub struct SetDisposition {
    #[schema(value_type = crate::domain::review::Outcome)]
    pub outcome: String,
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    pub reason: Option<String>,
    #[serde(default)]
    pub snippet_id: Option<String>,
}

impl SetDisposition {
    /// The written reason, else the text of the chosen kept reason of the draft's agency
    /// (a reason of another agency is refused beside `snippet_id`).
    fn with_snippet(mut self, conn: &mut DbConn, agency: &str) -> AppResult<SetDisposition> {
        let written = self.reason.as_deref().is_some_and(|r| !r.trim().is_empty());
        if let Some(id) = self.snippet_id.take().filter(|s| !s.is_empty())
            && !written
        {
            match crate::db::desk::snippet(conn, &id)? {
                Some((a, body)) if a == agency => self.reason = Some(body),
                _ => {
                    return Err(AppError::field(
                        "snippet_id",
                        l!("所选常用理由不存在", "That kept reason does not exist"),
                    ));
                }
            }
        }
        Ok(self)
    }

    /// What can be checked before the draft is known: the input's limits, and the outcome and
    /// reason unless a kept reason is to supply it.
    pub fn precheck(&self) -> AppResult<()> {
        crate::error::validated(self)?;
        if self.snippet_id.is_none() {
            self.checked()?;
        }
        Ok(())
    }

    /// The outcome and the reason, a kept reason of the draft's agency filled in.
    pub fn resolve(&self, conn: &mut DbConn, agency: &str) -> AppResult<(Outcome, Option<String>)> {
        self.clone().with_snippet(conn, agency)?.checked()
    }

    /// R17: the outcome and the trimmed reason, or 422 naming `outcome` or `reason`.
    pub fn checked(&self) -> AppResult<(Outcome, Option<String>)> {
        let outcome = Outcome::parse(&self.outcome).ok_or_else(|| {
            AppError::field(
                "outcome",
                l!(
                    "处理结果应为 adopted、partially_adopted、not_adopted 或 noted",
                    "must be one of adopted, partially_adopted, not_adopted, noted"
                ),
            )
        })?;
        let reason = self
            .reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_string);
        // R17: every outcome but `adopted` needs its reason.
        if !reason_ok(outcome, reason.as_deref()) {
            return Err(AppError::field(
                "reason",
                l!(
                    "除“采纳”外，须说明理由",
                    "A reason is required for every outcome except adopted"
                ),
            ));
        }
        Ok((outcome, reason))
    }
}

/// The draft, or 404.
pub fn load_draft(conn: &mut DbConn, id: &str) -> AppResult<ReviewDraft> {
    review::draft(conn, id)?.ok_or_else(AppError::not_found)
}

/// R7: a concluded or withdrawn draft's review is closed.
pub fn ensure_reviewable(draft: &ReviewDraft) -> AppResult<()> {
    if draft.state != "published" {
        return Err(AppError::wrong_state(l!(
            "该草案当前状态（{}）下不能整理或处理意见。",
            "Comments of a draft in state {} cannot be grouped or disposed of.",
            draft.state
        )));
    }
    Ok(())
}

/// R19: no disposition may change while a report of the round waits for approval.
pub fn ensure_not_under_approval(conn: &mut DbConn, draft_id: &str, round: i32) -> AppResult<()> {
    if let Some(r) = reports::latest(conn, draft_id, round)?
        && r.state == "awaiting_approval"
    {
        return Err(AppError::wrong_state(l!(
            "报告正在审批中，不能修改处理意见；请先退回报告。",
            "The report is awaiting approval; return it before changing dispositions."
        )));
    }
    Ok(())
}

/// Groups of the draft's current round, each with its members, largest first.
pub fn groups_of(conn: &mut DbConn, draft: &ReviewDraft, min: u32) -> AppResult<Vec<GroupView>> {
    let groups = review::groups_of(conn, &draft.id, draft.round)?;
    let mut members: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (g, c) in review::memberships(conn, &draft.id, draft.round)? {
        members.entry(g).or_default().push(c);
    }
    let all: Vec<String> = members.values().flatten().cloned().collect();
    let mut why = proposals(conn, &all)?;
    let mut items: Vec<GroupView> = groups
        .into_iter()
        .map(|g| {
            let ids = members.remove(&g.id).unwrap_or_default();
            GroupView::new(g, ids, min).with_proposal(&mut why)
        })
        .collect();
    items.sort_by(|a, b| b.size.cmp(&a.size).then(a.id.cmp(&b.id)));
    Ok(items)
}

/// R16: the groups of a draft's current round (drafters and reviewers).
pub fn list_groups(
    conn: &mut DbConn,
    config: &Config,
    actor: &Actor,
    draft_id: &str,
) -> AppResult<Vec<GroupView>> {
    actor.require(&[Role::Drafter, Role::Reviewer])?;
    let draft = load_draft(conn, draft_id)?;
    actor.may(conn, Act::ReadDesk, &draft)?;
    groups_of(conn, &draft, config.review.concentrated_min_comments)
}

/// One group with its members, or 404.
pub fn group_view(conn: &mut DbConn, id: &str, min: u32) -> AppResult<GroupView> {
    let g = review::group(conn, id)?.ok_or_else(AppError::not_found)?;
    let ids = review::members(conn, id)?;
    let mut why = proposals(conn, &ids)?;
    Ok(GroupView::new(g, ids, min).with_proposal(&mut why))
}

/// One comment's disposition and the one that applies (R17: its own, else its group's).
pub fn comment_view(conn: &mut DbConn, id: &str) -> AppResult<CommentDispositionView> {
    let c = review::comment_disposition(conn, id)?.ok_or_else(AppError::not_found)?;
    let group = match &c.group_id {
        Some(g) => review::group(conn, g)?,
        None => None,
    };
    let effective = match (&c.outcome, group.as_ref().and_then(|g| g.outcome.clone())) {
        (Some(o), _) => Some(EffectiveDisposition {
            outcome: o.clone(),
            reason: c.reason.clone(),
            source: "comment",
        }),
        (None, Some(o)) => Some(EffectiveDisposition {
            outcome: o,
            reason: group.as_ref().and_then(|g| g.reason.clone()),
            source: "group",
        }),
        (None, None) => None,
    };
    Ok(CommentDispositionView {
        disposition: c.outcome.map(|outcome| Disposition {
            outcome,
            reason: c.reason,
            disposed_by: c.disposed_by,
            disposed_at: c.disposed_at,
        }),
        id: c.id,
        tracking_number: c.tracking_number,
        group_id: c.group_id,
        effective,
    })
}

/// R16: regroups the comments no officer has placed (drafter). Suggested groups no officer
/// accepted are replaced; a text like no other stays ungrouped. Returns the round's groups.
///
/// The proposal depends only on the comments, never on their order or batches. Its semantic
/// stage reads the stored sentence vectors and embeds the texts the background reader has
/// not reached yet; that happens before the write transaction, which proposes again only if
/// comments arrived in between.
pub fn suggest_groups(
    conn: &mut DbConn,
    config: &Config,
    actor: &Actor,
    now: DateTime<Utc>,
    draft_id: &str,
) -> AppResult<Vec<GroupView>> {
    actor.require(&[Role::Drafter])?;
    let min = config.review.concentrated_min_comments;
    let model = super::meaning::embedder(config);
    let draft = load_draft(conn, draft_id)?;
    actor.may(conn, Act::Review, &draft)?;
    ensure_reviewable(&draft)?;
    let free = review::unplaced(conn, &draft.id, draft.round)?;
    let first = propose(conn, now, model.as_deref(), &free)?;
    db::write_tx(conn, |conn| {
        let draft = load_draft(conn, draft_id)?;
        actor.may(conn, Act::Review, &draft)?;
        ensure_reviewable(&draft)?;
        let stale = review::unaccepted_suggestions(conn, &draft.id, draft.round)?;
        let now_free = review::unplaced(conn, &draft.id, draft.round)?;
        let same =
            now_free.len() == free.len() && now_free.iter().zip(&free).all(|(a, b)| a.id == b.id);
        let proposed = if same {
            first.clone()
        } else {
            propose(conn, now, model.as_deref(), &now_free)?
        };
        let free = now_free;
        let free_ids: Vec<String> = free.iter().map(|c| c.id.clone()).collect();
        review::place(conn, &free_ids, None, None)?;
        db::meaning::forget_memberships(conn, &free_ids)?;
        let removed = review::delete_if_empty(conn, &stale)?;
        let mut created = 0usize;
        let mut placed = 0usize;
        let mut why: Vec<(String, &str, f64)> = Vec::new();
        for p in proposed.iter().filter(|p| p.members.len() >= 2) {
            let gid = ids::new_id(now);
            // The title and summary are public in the report: quote only a published, not
            // withheld comment (the central one if it is).
            let quoted = std::iter::once(p.central)
                .chain(p.members.iter().copied())
                .find(|&m| free[m].quotable());
            let (title, summary) = match quoted {
                Some(m) if m == p.central => (
                    p.title.clone(),
                    free[m].body.chars().take(500).collect::<String>(),
                ),
                Some(m) => (
                    grouping::title_of(&free[m].body),
                    free[m].body.chars().take(500).collect::<String>(),
                ),
                None => (
                    format!("未公开的意见（{} 条）", p.members.len()),
                    String::new(),
                ),
            };
            review::insert_group(
                conn,
                now,
                &NewGroup {
                    id: &gid,
                    draft_id: &draft.id,
                    round: draft.round,
                    title: &title,
                    summary: &summary,
                    origin: "suggested",
                    created_by: None,
                },
            )?;
            let members: Vec<String> = p.members.iter().map(|&m| free[m].id.clone()).collect();
            placed += review::place(conn, &members, Some(&gid), None)?;
            why.extend(members.into_iter().zip(&p.why).map(|(id, w)| {
                // Two decimals are all the desk shows.
                let score = (f64::from(w.score) * 100.0).round() / 100.0;
                (id, w.reason.as_str(), score)
            }));
            created += 1;
        }
        db::meaning::record_memberships(conn, &why)?;
        audit::append(
            conn,
            now,
            &AuditEvent {
                actor: &actor.id,
                action: "groups.suggested",
                object_type: "draft",
                object_id: &draft.id,
                draft_id: Some(&draft.id),
                details: json!({
                    "considered": free.len(),
                    "groups_created": created,
                    "comments_grouped": placed,
                    "suggestions_replaced": removed.len(),
                    "semantic": model.as_ref().map(|m| m.model_id()),
                }),
            },
        )?;
        groups_of(conn, &draft, min)
    })
}

/// The grouping's proposal for these comments: lexical stages, then (with a model) the
/// semantic stage over the vectors of each lexical group's representative.
fn propose(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    model: Option<&crate::semantic::Embedder>,
    free: &[review::Unplaced],
) -> AppResult<Vec<grouping::ProposedGroup>> {
    let texts: Vec<&str> = free.iter().map(|c| c.body.as_str()).collect();
    let lexical = grouping::Lexical::of(&texts, &grouping::GroupingParams::default());
    let vectors = match model {
        Some(model) => {
            let reps: Vec<&str> = lexical
                .representatives()
                .into_iter()
                .map(|i| texts[i])
                .collect();
            let found = super::meaning::vectors_for(conn, now, model, &reps)?;
            Some(found.into_iter().map(Some).collect::<Vec<_>>())
        }
        None => None,
    };
    Ok(lexical.finish(vectors.as_deref()))
}

/// Checks that every id is a comment of the draft's round; returns their current groups.
fn own_comments(
    conn: &mut DbConn,
    draft: &ReviewDraft,
    ids: &[String],
    field: &str,
) -> AppResult<BTreeSet<String>> {
    let found = review::comments_of_draft(conn, &draft.id, draft.round, ids)?;
    if found.len() != ids.iter().collect::<BTreeSet<_>>().len() {
        let known: BTreeSet<&String> = found.iter().map(|(id, _)| id).collect();
        let unknown: Vec<&String> = ids.iter().filter(|id| !known.contains(id)).collect();
        return Err(AppError::field(
            field,
            l!(
                "以下意见不属于该草案：{}",
                "These are not comments of this draft: {}",
                unknown
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    Ok(found.into_iter().filter_map(|(_, g)| g).collect())
}

fn blank_title() -> AppError {
    AppError::field("title", l!("请填写分组标题", "Give the group a title"))
}

/// R16: an officer's group (drafter); the named comments move into it, and groups left
/// empty are removed.
pub fn create_group(
    conn: &mut DbConn,
    config: &Config,
    actor: &Actor,
    now: DateTime<Utc>,
    draft_id: &str,
    input: CreateGroup,
) -> AppResult<GroupView> {
    actor.require(&[Role::Drafter])?;
    crate::error::validated(&input)?;
    let min = config.review.concentrated_min_comments;
    db::write_tx(conn, |conn| {
        let draft = load_draft(conn, draft_id)?;
        actor.may(conn, Act::Review, &draft)?;
        ensure_reviewable(&draft)?;
        let title = input.title.trim();
        if title.is_empty() {
            return Err(blank_title());
        }
        let previous = own_comments(conn, &draft, &input.comment_ids, "comment_ids")?;
        let gid = ids::new_id(now);
        review::insert_group(
            conn,
            now,
            &NewGroup {
                id: &gid,
                draft_id: &draft.id,
                round: draft.round,
                title,
                summary: title,
                origin: "officer",
                created_by: Some(&actor.id),
            },
        )?;
        review::place(conn, &input.comment_ids, Some(&gid), Some(&actor.id))?;
        let emptied: Vec<String> = previous.into_iter().collect();
        let deleted = review::delete_if_empty(conn, &emptied)?;
        audit::append(
            conn,
            now,
            &AuditEvent {
                actor: &actor.id,
                action: "group.created",
                object_type: "opinion_group",
                object_id: &gid,
                draft_id: Some(&draft.id),
                details: json!({
                    "title": title,
                    "comment_ids": input.comment_ids,
                    "groups_emptied_and_removed": deleted,
                }),
            },
        )?;
        group_view(conn, &gid, min)
    })
}

/// R16: renames a group (drafter); `add` moves comments in (merging is adding another
/// group's members), `remove` takes them out (splitting is creating a group from some
/// members). Either way the group and its members count as placed by the officer.
pub fn update_group(
    conn: &mut DbConn,
    config: &Config,
    actor: &Actor,
    now: DateTime<Utc>,
    group_id: &str,
    input: UpdateGroup,
) -> AppResult<GroupView> {
    actor.require(&[Role::Drafter])?;
    crate::error::validated(&input)?;
    let min = config.review.concentrated_min_comments;
    let id = group_id;
    db::write_tx(conn, |conn| {
        let group = review::group(conn, id)?.ok_or_else(AppError::not_found)?;
        let draft = load_draft(conn, &group.draft_id)?;
        actor.may(conn, Act::Review, &draft)?;
        ensure_reviewable(&draft)?;
        if let Some(title) = &input.title {
            if title.trim().is_empty() {
                return Err(blank_title());
            }
            review::rename_group(conn, now, id, title.trim())?;
        }
        if let Some(summary) = &input.summary {
            crate::db::desk::set_group_summary(conn, now, id, summary.trim())?;
        }
        review::accept_group(conn, now, id, &actor.id)?;
        let add = input.add.clone().unwrap_or_default();
        let remove = input.remove.clone().unwrap_or_default();
        let previous = own_comments(conn, &draft, &add, "add")?;
        if !remove.is_empty() {
            let members: BTreeSet<String> = review::members(conn, id)?.into_iter().collect();
            let strangers: Vec<&String> = remove.iter().filter(|c| !members.contains(*c)).collect();
            if !strangers.is_empty() {
                return Err(AppError::field(
                    "remove",
                    l!(
                        "以下意见不在该分组中：{}",
                        "These comments are not in this group: {}",
                        strangers
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
            // Placed by the officer, so no suggestion puts them back.
            review::place(conn, &remove, None, Some(&actor.id))?;
        }
        review::place(conn, &add, Some(id), Some(&actor.id))?;
        let emptied: Vec<String> = previous.into_iter().filter(|g| g != id).collect();
        let deleted = review::delete_if_empty(conn, &emptied)?;
        audit::append(
            conn,
            now,
            &AuditEvent {
                actor: &actor.id,
                action: "group.updated",
                object_type: "opinion_group",
                object_id: id,
                draft_id: Some(&draft.id),
                details: json!({
                    "title": input.title,
                    "summary": input.summary,
                    "added": add,
                    "removed": remove,
                    "groups_emptied_and_removed": deleted,
                }),
            },
        )?;
        group_view(conn, id, min)
    })
}

/// R17: the disposition of a group, which applies to every member without its own
/// (drafter). Deciding on a group accepts it; no disposition changes while the round's
/// report awaits approval.
pub fn set_group_disposition(
    conn: &mut DbConn,
    config: &Config,
    actor: &Actor,
    now: DateTime<Utc>,
    group_id: &str,
    input: &SetDisposition,
) -> AppResult<GroupView> {
    actor.require(&[Role::Drafter])?;
    input.precheck()?;
    let min = config.review.concentrated_min_comments;
    let id = group_id;
    db::write_tx(conn, |conn| {
        let group = review::group(conn, id)?.ok_or_else(AppError::not_found)?;
        let draft = load_draft(conn, &group.draft_id)?;
        actor.may(conn, Act::Review, &draft)?;
        let (outcome, reason) = input.resolve(conn, &draft.agency)?;
        ensure_reviewable(&draft)?;
        ensure_not_under_approval(conn, &draft.id, draft.round)?;
        review::set_group_disposition(
            conn,
            now,
            id,
            outcome.as_str(),
            reason.as_deref(),
            &actor.id,
        )?;
        // Deciding on a group accepts it: a later suggestion keeps its members.
        review::accept_group(conn, now, id, &actor.id)?;
        audit::append(
            conn,
            now,
            &AuditEvent {
                actor: &actor.id,
                action: "group.disposed",
                object_type: "opinion_group",
                object_id: id,
                draft_id: Some(&draft.id),
                details: json!({"outcome": outcome, "reason": reason}),
            },
        )?;
        group_view(conn, id, min)
    })
}

/// R17: a comment's own disposition, which overrides its group's (drafter). No disposition
/// changes while the round's report awaits approval.
pub fn set_comment_disposition(
    conn: &mut DbConn,
    actor: &Actor,
    now: DateTime<Utc>,
    comment_id: &str,
    input: &SetDisposition,
) -> AppResult<CommentDispositionView> {
    actor.require(&[Role::Drafter])?;
    input.precheck()?;
    let id = comment_id;
    db::write_tx(conn, |conn| {
        let c = review::comment_disposition(conn, id)?.ok_or_else(AppError::not_found)?;
        let draft = load_draft(conn, &c.draft_id)?;
        actor.may(conn, Act::Review, &draft)?;
        let (outcome, reason) = input.resolve(conn, &draft.agency)?;
        ensure_reviewable(&draft)?;
        ensure_not_under_approval(conn, &draft.id, draft.round)?;
        review::set_comment_disposition(
            conn,
            now,
            id,
            outcome.as_str(),
            reason.as_deref(),
            &actor.id,
        )?;
        audit::append(
            conn,
            now,
            &AuditEvent {
                actor: &actor.id,
                action: "comment.disposed",
                object_type: "comment",
                object_id: id,
                draft_id: Some(&draft.id),
                details: json!({"outcome": outcome, "reason": reason}),
            },
        )?;
        comment_view(conn, id)
    })
}
