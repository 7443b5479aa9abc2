//! R16: opinion groups of a draft: list, suggest, create, and edit (rename, move, merge and
//! split by moving). Officers' placements are never undone by a suggestion.

use std::collections::{BTreeMap, BTreeSet};

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use serde_json::json;
use validator::Validate;

use crate::app::AppState;
use crate::db::audit::{self, AuditEvent};
use crate::db::review::{self, GroupRow, NewGroup, ReviewDraft};
use crate::db::{self, DbConn, ids};
use crate::domain::grouping;
use crate::domain::review::is_concentrated;
use crate::http::auth::{Authorized, DrafterOnly, DrafterOrReviewer};
use crate::http::error::{AppError, AppResult};
use crate::http::extract::JsonBody;
use crate::l;

#[derive(Debug, Serialize)]
pub struct Disposition {
    pub outcome: String,
    pub reason: Option<String>,
    pub disposed_by: Option<String>,
    #[serde(serialize_with = "crate::db::serialize_opt_utc")]
    pub disposed_at: Option<chrono::NaiveDateTime>,
}

#[derive(Debug, Serialize)]
pub struct GroupView {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub origin: String,
    pub size: usize,
    pub concentrated: bool,
    pub comment_ids: Vec<String>,
    pub disposition: Option<Disposition>,
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
            id: g.id,
            title: g.title,
            summary: g.summary,
            origin: g.origin,
            comment_ids,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct GroupList {
    pub items: Vec<GroupView>,
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

/// Groups of the draft's current round, each with its members.
pub fn list(conn: &mut DbConn, draft: &ReviewDraft, min: u32) -> AppResult<Vec<GroupView>> {
    let groups = review::groups_of(conn, &draft.id, draft.round)?;
    let mut members: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (g, c) in review::memberships(conn, &draft.id, draft.round)? {
        members.entry(g).or_default().push(c);
    }
    let mut items: Vec<GroupView> = groups
        .into_iter()
        .map(|g| {
            let ids = members.remove(&g.id).unwrap_or_default();
            GroupView::new(g, ids, min)
        })
        .collect();
    items.sort_by(|a, b| b.size.cmp(&a.size).then(a.id.cmp(&b.id)));
    Ok(items)
}

fn one(conn: &mut DbConn, id: &str, min: u32) -> AppResult<GroupView> {
    let g = review::group(conn, id)?.ok_or_else(AppError::not_found)?;
    let ids = review::members(conn, id)?;
    Ok(GroupView::new(g, ids, min))
}

/// `GET /api/v1/drafts/{id}/groups`
pub async fn list_groups(
    state: web::Data<AppState>,
    path: web::Path<String>,
    _who: Authorized<DrafterOrReviewer>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let min = state.config.review.concentrated_min_comments;
    let items = state
        .db(move |conn| {
            let draft = load_draft(conn, &id)?;
            list(conn, &draft, min)
        })
        .await?;
    Ok(HttpResponse::Ok().json(GroupList { items }))
}

/// `POST /api/v1/drafts/{id}/groups/suggest`: R16, regroups the comments no officer has placed.
/// Suggested groups no officer accepted are replaced; a text like no other stays ungrouped.
pub async fn suggest_groups(
    state: web::Data<AppState>,
    path: web::Path<String>,
    who: Authorized<DrafterOnly>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let min = state.config.review.concentrated_min_comments;
    let actor = who.id().to_string();
    let items = state
        .db(move |conn| {
            db::write_tx(conn, |conn| {
                let draft = load_draft(conn, &id)?;
                ensure_reviewable(&draft)?;
                let stale = review::unaccepted_suggestions(conn, &draft.id, draft.round)?;
                let free = review::unplaced(conn, &draft.id, draft.round)?;
                let free_ids: Vec<String> = free.iter().map(|c| c.id.clone()).collect();
                review::place(conn, &free_ids, None, None)?;
                let removed = review::delete_if_empty(conn, &stale)?;
                let texts: Vec<&str> = free.iter().map(|c| c.body.as_str()).collect();
                let proposed = grouping::propose_groups(&texts);
                let mut created = 0usize;
                let mut placed = 0usize;
                for p in proposed.iter().filter(|p| p.members.len() >= 2) {
                    let gid = ids::new_id(now);
                    // The title and summary are public in the report: quote only a published,
                    // not withheld comment (the central one if it is).
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
                    let members: Vec<String> =
                        p.members.iter().map(|&m| free[m].id.clone()).collect();
                    placed += review::place(conn, &members, Some(&gid), None)?;
                    created += 1;
                }
                audit::append(
                    conn,
                    now,
                    &AuditEvent {
                        actor: &actor,
                        action: "groups.suggested",
                        object_type: "draft",
                        object_id: &draft.id,
                        draft_id: Some(&draft.id),
                        details: json!({
                            "considered": free.len(),
                            "groups_created": created,
                            "comments_grouped": placed,
                            "suggestions_replaced": removed.len(),
                        }),
                    },
                )?;
                list(conn, &draft, min)
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(GroupList { items }))
}

#[derive(Debug, Deserialize, Validate)]
pub struct CreateGroup {
    #[validate(length(min = 1, max = 200))]
    pub title: String,
    #[validate(length(max = 100000))]
    pub comment_ids: Vec<String>,
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

/// `POST /api/v1/drafts/{id}/groups`: an officer's group; the named comments move into it.
pub async fn create_group(
    state: web::Data<AppState>,
    path: web::Path<String>,
    who: Authorized<DrafterOnly>,
    JsonBody(body): JsonBody<CreateGroup>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let min = state.config.review.concentrated_min_comments;
    let actor = who.id().to_string();
    let view = state
        .db(move |conn| {
            db::write_tx(conn, |conn| {
                let draft = load_draft(conn, &id)?;
                ensure_reviewable(&draft)?;
                let title = body.title.trim();
                if title.is_empty() {
                    return Err(AppError::field(
                        "title",
                        l!("请填写分组标题", "Give the group a title"),
                    ));
                }
                let previous = own_comments(conn, &draft, &body.comment_ids, "comment_ids")?;
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
                        created_by: Some(&actor),
                    },
                )?;
                review::place(conn, &body.comment_ids, Some(&gid), Some(&actor))?;
                let emptied: Vec<String> = previous.into_iter().collect();
                let deleted = review::delete_if_empty(conn, &emptied)?;
                audit::append(
                    conn,
                    now,
                    &AuditEvent {
                        actor: &actor,
                        action: "group.created",
                        object_type: "opinion_group",
                        object_id: &gid,
                        draft_id: Some(&draft.id),
                        details: json!({
                            "title": title,
                            "comment_ids": body.comment_ids,
                            "groups_emptied_and_removed": deleted,
                        }),
                    },
                )?;
                one(conn, &gid, min)
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(view))
}

#[derive(Debug, Deserialize, Validate)]
pub struct UpdateGroup {
    #[validate(length(min = 1, max = 200))]
    pub title: Option<String>,
    #[validate(length(max = 100000))]
    pub add: Option<Vec<String>>,
    #[validate(length(max = 100000))]
    pub remove: Option<Vec<String>>,
}

/// `PATCH /api/v1/groups/{id}`: rename; `add` moves comments in (merging is adding another
/// group's members), `remove` takes them out (splitting is creating a group from some members).
/// Either way the group and its members count as placed by the officer.
pub async fn update_group(
    state: web::Data<AppState>,
    path: web::Path<String>,
    who: Authorized<DrafterOnly>,
    JsonBody(body): JsonBody<UpdateGroup>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let min = state.config.review.concentrated_min_comments;
    let actor = who.id().to_string();
    let view = state
        .db(move |conn| {
            db::write_tx(conn, |conn| {
                let group = review::group(conn, &id)?.ok_or_else(AppError::not_found)?;
                let draft = load_draft(conn, &group.draft_id)?;
                ensure_reviewable(&draft)?;
                if let Some(title) = &body.title {
                    if title.trim().is_empty() {
                        return Err(AppError::field(
                            "title",
                            l!("请填写分组标题", "Give the group a title"),
                        ));
                    }
                    review::rename_group(conn, now, &id, title.trim())?;
                }
                review::accept_group(conn, now, &id, &actor)?;
                let add = body.add.clone().unwrap_or_default();
                let remove = body.remove.clone().unwrap_or_default();
                let previous = own_comments(conn, &draft, &add, "add")?;
                if !remove.is_empty() {
                    let members: BTreeSet<String> =
                        review::members(conn, &id)?.into_iter().collect();
                    let strangers: Vec<&String> =
                        remove.iter().filter(|c| !members.contains(*c)).collect();
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
                    review::place(conn, &remove, None, Some(&actor))?;
                }
                review::place(conn, &add, Some(&id), Some(&actor))?;
                let emptied: Vec<String> = previous.into_iter().filter(|g| *g != id).collect();
                let deleted = review::delete_if_empty(conn, &emptied)?;
                audit::append(
                    conn,
                    now,
                    &AuditEvent {
                        actor: &actor,
                        action: "group.updated",
                        object_type: "opinion_group",
                        object_id: &id,
                        draft_id: Some(&draft.id),
                        details: json!({
                            "title": body.title,
                            "added": add,
                            "removed": remove,
                            "groups_emptied_and_removed": deleted,
                        }),
                    },
                )?;
                one(conn, &id, min)
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
