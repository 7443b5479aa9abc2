//! The review desk (R16, R17): what officers do to many comments or groups at once (move,
//! dispose, assign), merging groups, sharing the work, internal notes, and the reasons an
//! agency keeps for reuse. Each operation is one transaction with one audit entry naming
//! every comment or group it touched.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use serde_json::json;

use super::Actor;
use super::access::{Act, OfAgency};
use super::review::{
    CreateGroup, GroupView, SetDisposition, create_group, ensure_not_under_approval,
    ensure_reviewable, group_view, load_draft,
};
use crate::config::Config;
use crate::db::audit::{self, AuditEvent};
use crate::db::desk::{self, TriageFilter, TriageRow};
use crate::db::review::{self, ReviewDraft};
use crate::db::{self, DbConn, ids};
use crate::domain::grouping;
use crate::domain::roles::Role;
use crate::error::{AppError, AppResult};
use crate::l;

/// Who reads the desk: the officers who review.
const READERS: [Role; 2] = [Role::Drafter, Role::Reviewer];
/// Who changes groups and dispositions.
const WRITERS: [Role; 1] = [Role::Drafter];

/// The most comments one bulk action takes ("select all N matching" included).
pub const BULK_MAX: usize = 100_000;

/// What to do to the selected comments.
#[derive(Debug, Clone)]
pub enum BulkAction {
    /// Into this group, or out of every group (`None`).
    MoveTo(Option<String>),
    /// Into a new group with this title.
    NewGroup(String),
    /// Each its own disposition (R17), which overrides its group's.
    Dispose(SetDisposition),
    /// Their own dispositions removed, so that their groups' apply again.
    ClearDisposition,
    /// To this colleague, or to nobody.
    Assign(Option<String>),
}

/// A page of the triage list and how many comments pass the filter.
pub struct Triage {
    pub draft: ReviewDraft,
    pub rows: Vec<TriageRow>,
    pub total: i64,
}

/// R16/R17: a page of the draft round's comments that pass the filter (drafters, reviewers).
pub fn triage(
    conn: &mut DbConn,
    actor: &Actor,
    draft_id: &str,
    filter: &TriageFilter,
    offset: i64,
    limit: i64,
) -> AppResult<Triage> {
    actor.require(&READERS)?;
    let draft = load_draft(conn, draft_id)?;
    actor.may(conn, Act::ReadDesk, &draft)?;
    let (rows, total) = desk::triage_page(conn, &draft.id, draft.round, filter, offset, limit)?;
    Ok(Triage { draft, rows, total })
}

/// The ids of every comment that passes the filter ("select all N matching").
pub fn matching_ids(
    conn: &mut DbConn,
    actor: &Actor,
    draft_id: &str,
    filter: &TriageFilter,
) -> AppResult<Vec<String>> {
    actor.require(&READERS)?;
    let draft = load_draft(conn, draft_id)?;
    actor.may(conn, Act::ReadDesk, &draft)?;
    Ok(desk::triage_ids(
        conn,
        &draft.id,
        draft.round,
        filter,
        BULK_MAX as i64,
    )?)
}

/// R18 progress: `(disposed, total)` comments of the draft's current round.
pub fn progress(conn: &mut DbConn, draft: &ReviewDraft) -> AppResult<(i64, i64)> {
    let (lacking, total) = desk::progress(conn, &draft.id, draft.round)?;
    Ok((total - lacking, total))
}

fn none_selected() -> AppError {
    AppError::field(
        "comment_id",
        l!("请至少选择一条意见", "Select at least one comment"),
    )
}

fn too_many() -> AppError {
    AppError::field(
        "comment_id",
        l!("一次最多处理 {} 条", "At most {} at once", BULK_MAX),
    )
}

/// Refuses ids that are not comments of the draft's round; returns the groups they were in.
fn own_comments(
    conn: &mut DbConn,
    draft: &ReviewDraft,
    ids: &[String],
) -> AppResult<BTreeSet<String>> {
    let found = review::comments_of_draft(conn, &draft.id, draft.round, ids)?;
    let distinct: BTreeSet<&String> = ids.iter().collect();
    if found.len() != distinct.len() {
        return Err(AppError::field(
            "comment_id",
            l!(
                "所选意见中有不属于该草案的",
                "Some selected comments are not comments of this draft"
            ),
        ));
    }
    Ok(found.into_iter().filter_map(|(_, g)| g).collect())
}

/// A colleague who may take review work: an active drafter or reviewer.
fn check_assignee(conn: &mut DbConn, user_id: &str) -> AppResult<()> {
    let ok = crate::db::users::by_id(conn, user_id)?
        .is_some_and(|u| u.active && u.roles().has_any(&READERS));
    if ok {
        Ok(())
    } else {
        Err(AppError::field(
            "assignee",
            l!(
                "只能分给在职的起草或审核人员",
                "Work can be assigned only to an active drafter or reviewer"
            ),
        ))
    }
}

/// One action on many comments of a draft (drafter; assigning too). Returns how many changed.
pub fn act_on_comments(
    conn: &mut DbConn,
    config: &Config,
    actor: &Actor,
    now: DateTime<Utc>,
    draft_id: &str,
    comment_ids: &[String],
    action: BulkAction,
) -> AppResult<usize> {
    actor.require(&WRITERS)?;
    if comment_ids.is_empty() {
        return Err(none_selected());
    }
    if comment_ids.len() > BULK_MAX {
        return Err(too_many());
    }
    if let BulkAction::NewGroup(title) = &action {
        let group = create_group(
            conn,
            config,
            actor,
            now,
            draft_id,
            CreateGroup {
                title: title.clone(),
                comment_ids: comment_ids.to_vec(),
            },
        )?;
        return Ok(group.size);
    }
    if let BulkAction::Dispose(input) = &action {
        input.precheck()?;
    }
    db::write_tx(conn, |conn| {
        let draft = load_draft(conn, draft_id)?;
        actor.may(conn, Act::Review, &draft)?;
        ensure_reviewable(&draft)?;
        let previous = own_comments(conn, &draft, comment_ids)?;
        let (action_name, changed, details) = match &action {
            BulkAction::MoveTo(target) => {
                if let Some(g) = target
                    && desk::groups_of_draft(conn, &draft.id, draft.round, std::slice::from_ref(g))?
                        .is_empty()
                {
                    return Err(AppError::field(
                        "group_id",
                        l!(
                            "该分组不属于此草案",
                            "That group is not a group of this draft"
                        ),
                    ));
                }
                let n = review::place(conn, comment_ids, target.as_deref(), Some(&actor.id))?;
                if let Some(g) = target {
                    review::accept_group(conn, now, g, &actor.id)?;
                }
                let emptied: Vec<String> = previous
                    .into_iter()
                    .filter(|g| Some(g) != target.as_ref())
                    .collect();
                let removed = review::delete_if_empty(conn, &emptied)?;
                (
                    "comments.moved",
                    n,
                    json!({"group_id": target, "groups_emptied_and_removed": removed}),
                )
            }
            BulkAction::Dispose(input) => {
                ensure_not_under_approval(conn, &draft.id, draft.round)?;
                let (outcome, reason) = input.resolve(conn, &draft.agency)?;
                let n = desk::dispose_comments(
                    conn,
                    now,
                    comment_ids,
                    outcome.as_str(),
                    reason.as_deref(),
                    &actor.id,
                )?;
                (
                    "comments.disposed",
                    n,
                    json!({"outcome": outcome, "reason": reason}),
                )
            }
            BulkAction::ClearDisposition => {
                ensure_not_under_approval(conn, &draft.id, draft.round)?;
                let n = desk::clear_comment_dispositions(conn, comment_ids)?;
                ("comments.disposition_cleared", n, json!({}))
            }
            BulkAction::Assign(to) => {
                if let Some(u) = to {
                    check_assignee(conn, u)?;
                }
                let n = desk::assign_comments(conn, comment_ids, to.as_deref())?;
                ("comments.assigned", n, json!({"assigned_to": to}))
            }
            BulkAction::NewGroup(_) => unreachable!("handled above"),
        };
        let mut details = details;
        details["comment_ids"] = json!(comment_ids);
        details["count"] = json!(changed);
        audit::append(
            conn,
            now,
            &AuditEvent {
                actor: &actor.id,
                action: action_name,
                object_type: "draft",
                object_id: &draft.id,
                draft_id: Some(&draft.id),
                details,
            },
        )?;
        Ok(changed)
    })
}

/// Refuses ids that are not groups of the draft's round.
fn own_groups(conn: &mut DbConn, draft: &ReviewDraft, group_ids: &[String]) -> AppResult<()> {
    let distinct: BTreeSet<&String> = group_ids.iter().collect();
    let found = desk::groups_of_draft(conn, &draft.id, draft.round, group_ids)?;
    if group_ids.is_empty() || found.len() != distinct.len() {
        return Err(AppError::field(
            "group_id",
            l!("请选择该草案的分组", "Select groups of this draft"),
        ));
    }
    Ok(())
}

/// R16: merges groups into `target` (drafter): their members move in and the emptied groups
/// go; the target keeps its title, summary and disposition.
pub fn merge_groups(
    conn: &mut DbConn,
    config: &Config,
    actor: &Actor,
    now: DateTime<Utc>,
    draft_id: &str,
    target: &str,
    others: &[String],
) -> AppResult<GroupView> {
    actor.require(&WRITERS)?;
    let others: Vec<String> = others.iter().filter(|g| *g != target).cloned().collect();
    if others.is_empty() {
        return Err(AppError::field(
            "group_id",
            l!("请至少选择两个分组", "Select at least two groups to merge"),
        ));
    }
    let min = config.review.concentrated_min_comments;
    db::write_tx(conn, |conn| {
        let draft = load_draft(conn, draft_id)?;
        actor.may(conn, Act::Review, &draft)?;
        ensure_reviewable(&draft)?;
        let mut all = others.clone();
        all.push(target.to_string());
        own_groups(conn, &draft, &all)?;
        let mut moved = Vec::new();
        for g in &others {
            moved.extend(review::members(conn, g)?);
        }
        review::place(conn, &moved, Some(target), Some(&actor.id))?;
        review::accept_group(conn, now, target, &actor.id)?;
        let removed = review::delete_if_empty(conn, &others)?;
        audit::append(
            conn,
            now,
            &AuditEvent {
                actor: &actor.id,
                action: "groups.merged",
                object_type: "opinion_group",
                object_id: target,
                draft_id: Some(&draft.id),
                details: json!({
                    "merged": others,
                    "removed": removed,
                    "comments_moved": moved.len(),
                }),
            },
        )?;
        group_view(conn, target, min)
    })
}

/// R17: one disposition for many groups (drafter); each applies to its members without their
/// own. Deciding on a group accepts it.
pub fn dispose_groups(
    conn: &mut DbConn,
    actor: &Actor,
    now: DateTime<Utc>,
    draft_id: &str,
    group_ids: &[String],
    input: &SetDisposition,
) -> AppResult<usize> {
    actor.require(&WRITERS)?;
    input.precheck()?;
    db::write_tx(conn, |conn| {
        let draft = load_draft(conn, draft_id)?;
        actor.may(conn, Act::Review, &draft)?;
        ensure_reviewable(&draft)?;
        own_groups(conn, &draft, group_ids)?;
        ensure_not_under_approval(conn, &draft.id, draft.round)?;
        let (outcome, reason) = input.resolve(conn, &draft.agency)?;
        for g in group_ids {
            review::set_group_disposition(
                conn,
                now,
                g,
                outcome.as_str(),
                reason.as_deref(),
                &actor.id,
            )?;
            review::accept_group(conn, now, g, &actor.id)?;
        }
        audit::append(
            conn,
            now,
            &AuditEvent {
                actor: &actor.id,
                action: "groups.disposed",
                object_type: "draft",
                object_id: &draft.id,
                draft_id: Some(&draft.id),
                details: json!({"group_ids": group_ids, "outcome": outcome, "reason": reason}),
            },
        )?;
        Ok(group_ids.len())
    })
}

/// Assigns groups to a colleague, or to nobody (drafter).
pub fn assign_groups(
    conn: &mut DbConn,
    actor: &Actor,
    now: DateTime<Utc>,
    draft_id: &str,
    group_ids: &[String],
    to: Option<&str>,
) -> AppResult<usize> {
    actor.require(&WRITERS)?;
    db::write_tx(conn, |conn| {
        let draft = load_draft(conn, draft_id)?;
        actor.may(conn, Act::Review, &draft)?;
        own_groups(conn, &draft, group_ids)?;
        if let Some(u) = to {
            check_assignee(conn, u)?;
        }
        let n = desk::assign_groups(conn, group_ids, to)?;
        audit::append(
            conn,
            now,
            &AuditEvent {
                actor: &actor.id,
                action: "groups.assigned",
                object_type: "draft",
                object_id: &draft.id,
                draft_id: Some(&draft.id),
                details: json!({"group_ids": group_ids, "assigned_to": to}),
            },
        )?;
        Ok(n)
    })
}

/// What a note is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteOn {
    Comment,
    Group,
}

impl NoteOn {
    pub fn as_str(self) -> &'static str {
        match self {
            NoteOn::Comment => "comment",
            NoteOn::Group => "opinion_group",
        }
    }
}

/// The longest note.
pub const NOTE_MAX_CHARS: usize = 5000;

/// An internal note on a comment or a group of a draft (drafters, reviewers): never public,
/// audited.
pub fn add_note(
    conn: &mut DbConn,
    actor: &Actor,
    now: DateTime<Utc>,
    on: NoteOn,
    object_id: &str,
    body: &str,
) -> AppResult<String> {
    actor.require(&READERS)?;
    let body = body.trim();
    if body.is_empty() || body.chars().count() > NOTE_MAX_CHARS {
        return Err(AppError::field(
            "note",
            l!(
                "请填写备注（不超过 {} 字）",
                "Write the note (at most {} characters)",
                NOTE_MAX_CHARS
            ),
        ));
    }
    db::write_tx(conn, |conn| {
        let draft_id = match on {
            NoteOn::Comment => review::comment_disposition(conn, object_id)?.map(|c| c.draft_id),
            NoteOn::Group => review::group(conn, object_id)?.map(|g| g.draft_id),
        }
        .ok_or_else(AppError::not_found)?;
        actor.may_on(conn, Act::ReadDesk, &draft_id)?;
        let id = ids::new_id(now);
        desk::insert_note(
            conn,
            now,
            &desk::NewNote {
                id: &id,
                draft_id: &draft_id,
                object_type: on.as_str(),
                object_id,
                author_id: &actor.id,
                body,
            },
        )?;
        audit::append(
            conn,
            now,
            &AuditEvent {
                actor: &actor.id,
                action: "note.added",
                object_type: on.as_str(),
                object_id,
                draft_id: Some(&draft_id),
                details: json!({"note_id": id, "body": body}),
            },
        )?;
        Ok(id)
    })
}

/// The longest kept reason.
pub const SNIPPET_MAX_CHARS: usize = 1000;

/// Keeps a reason for reuse by the agency's officers (drafter). Returns false when the agency
/// already kept it.
pub fn keep_reason(
    conn: &mut DbConn,
    actor: &Actor,
    now: DateTime<Utc>,
    agency: &str,
    body: &str,
) -> AppResult<bool> {
    actor.require(&WRITERS)?;
    let body = body.trim();
    if body.is_empty() || body.chars().count() > SNIPPET_MAX_CHARS {
        return Err(AppError::field(
            "snippet",
            l!(
                "请填写常用理由（不超过 {} 字）",
                "Write the reason (at most {} characters)",
                SNIPPET_MAX_CHARS
            ),
        ));
    }
    db::write_tx(conn, |conn| {
        may_keep_reasons_of(conn, actor, agency)?;
        let id = ids::new_id(now);
        let added = desk::insert_snippet(conn, now, &id, agency, body, &actor.id)?;
        if added {
            audit::append(
                conn,
                now,
                &AuditEvent {
                    actor: &actor.id,
                    action: "reason_snippet.kept",
                    object_type: "reason_snippet",
                    object_id: &id,
                    draft_id: None,
                    details: json!({"agency": agency, "body": body}),
                },
            )?;
        }
        Ok(added)
    })
}

/// Removes a kept reason (drafter); dispositions that used it keep their text.
/// Kept reasons belong to an agency (by its name): only its drafters keep and drop them.
fn may_keep_reasons_of(conn: &mut DbConn, actor: &Actor, agency_name: &str) -> AppResult<()> {
    let agency =
        crate::db::agencies::by_name(conn, agency_name)?.ok_or_else(AppError::not_found)?;
    actor.may(conn, Act::Review, &OfAgency(&agency.code))
}

pub fn drop_reason(
    conn: &mut DbConn,
    actor: &Actor,
    now: DateTime<Utc>,
    snippet_id: &str,
) -> AppResult<()> {
    actor.require(&WRITERS)?;
    db::write_tx(conn, |conn| {
        let (agency, body) = desk::snippet(conn, snippet_id)?.ok_or_else(AppError::not_found)?;
        may_keep_reasons_of(conn, actor, &agency)?;
        desk::delete_snippet(conn, snippet_id)?;
        audit::append(
            conn,
            now,
            &AuditEvent {
                actor: &actor.id,
                action: "reason_snippet.dropped",
                object_type: "reason_snippet",
                object_id: snippet_id,
                draft_id: None,
                details: json!({"agency": agency, "body": body}),
            },
        )?;
        Ok(())
    })
}

/// A comment outside a group that reads like it.
#[derive(Debug, Clone)]
pub struct PossibleMatch {
    pub comment_id: String,
    pub group_id: Option<String>,
    pub excerpt: String,
    pub score: f64,
    /// How many comments outside the group have this same text.
    pub copies: usize,
}

/// How many texts outside a group are compared with it at most.
const MATCH_POOL: i64 = 200_000;

/// R16: for one group, the comments outside it that read closest (paraphrases to pull in),
/// and apart those that read alike but take the other side (drafters, reviewers).
pub fn possible_matches(
    conn: &mut DbConn,
    config: &crate::config::Config,
    now: chrono::DateTime<chrono::Utc>,
    actor: &Actor,
    group_id: &str,
    limit: usize,
) -> AppResult<(Vec<PossibleMatch>, Vec<PossibleMatch>)> {
    actor.require(&READERS)?;
    let group = review::group(conn, group_id)?.ok_or_else(AppError::not_found)?;
    actor.may_on(conn, Act::ReadDesk, &group.draft_id)?;
    let members: Vec<String> = desk::members_page(conn, group_id, 0, 200)?
        .into_iter()
        .map(|m| m.body)
        .collect();
    let outside = desk::texts_outside(conn, &group.draft_id, group.round, group_id, MATCH_POOL)?;
    // Copies of one letter are scored once.
    let mut first_of: HashMap<&str, usize> = HashMap::new();
    let mut unique: Vec<usize> = Vec::new();
    let mut copies: Vec<usize> = Vec::new();
    for (i, (_, _, body)) in outside.iter().enumerate() {
        match first_of.get(body.as_str()) {
            Some(&u) => copies[u] += 1,
            None => {
                first_of.insert(body, unique.len());
                unique.push(i);
                copies.push(1);
            }
        }
    }
    let texts: Vec<&str> = unique.iter().map(|&i| outside[i].2.as_str()).collect();
    let member_texts: Vec<&str> = members.iter().map(String::as_str).collect();
    // With the sentence model: the vectors of a few members (embedded now if need be) and
    // those of the outside texts the background reader has stored (none is embedded here).
    let (member_vectors, other_vectors) = match super::meaning::embedder(config) {
        Some(model) => {
            let few: Vec<&str> = member_texts.iter().copied().take(24).collect();
            let mv = super::meaning::vectors_for(conn, now, &model, &few)?;
            let keys: Vec<String> = texts
                .iter()
                .map(|t| super::meaning::vector_key(model.model_id(), t))
                .collect();
            let stored: HashMap<String, Vec<f32>> = crate::db::meaning::vectors(conn, &keys)?
                .into_iter()
                .collect();
            let ov: Vec<Option<Vec<f32>>> = keys.iter().map(|k| stored.get(k).cloned()).collect();
            (mv, ov)
        }
        None => (Vec::new(), Vec::new()),
    };
    let vectors = (!member_vectors.is_empty()).then_some(grouping::MatchVectors {
        members: &member_vectors,
        others: &other_vectors,
    });
    let (close, opposing) =
        grouping::closest_to_group_with(&member_texts, &texts, limit, 0.2, vectors);
    let to_view = |m: grouping::Match| {
        let (id, g, body) = &outside[unique[m.index]];
        PossibleMatch {
            comment_id: id.clone(),
            group_id: g.clone(),
            excerpt: body.chars().take(240).collect(),
            score: m.score,
            copies: copies[m.index],
        }
    };
    Ok((
        close.into_iter().map(to_view).collect(),
        opposing.into_iter().map(to_view).collect(),
    ))
}

/// How many of the largest groups are compared with each other.
const SIMILAR_POOL: usize = 300;

/// R16: pairs of the round's groups that may be the same opinion, best first (drafters,
/// reviewers): `(group a, group b, closeness)`.
pub fn similar_groups(
    conn: &mut DbConn,
    actor: &Actor,
    draft: &ReviewDraft,
    limit: usize,
) -> AppResult<Vec<(String, String, f64)>> {
    actor.require(&READERS)?;
    actor.may(conn, Act::ReadDesk, draft)?;
    // The largest groups of the round: a pair of singletons is no merge worth offering.
    let mut order: Vec<String> = desk::group_choices(conn, &draft.id, draft.round)?
        .into_iter()
        .filter(|g| g.2 > 0)
        .map(|g| g.0)
        .collect();
    order.truncate(SIMILAR_POOL);
    let mut texts = Vec::with_capacity(order.len());
    for g in &order {
        texts.push(desk::member_sample(conn, g, 24)?);
    }
    let groups: Vec<Vec<&str>> = texts
        .iter()
        .map(|t| t.iter().map(String::as_str).collect())
        .collect();
    Ok(grouping::similar_groups(&groups, 0.35, limit)
        .into_iter()
        .map(|(a, b, s)| (order[a].clone(), order[b].clone(), s))
        .collect())
}
