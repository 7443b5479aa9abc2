//! R8 traceability: an officer links an adopted opinion (a group, or a single comment) to the
//! articles it changed; the redline shows beside each change the opinions behind it, the
//! round's report lists the articles each adopted group changed, and a commenter's receipt
//! shows the change their opinion led to.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use validator::Validate;

use super::Actor;
use super::access::Act;
use super::review::{ensure_not_under_approval, load_draft};
use crate::db::audit::{self, AuditEvent};
use crate::db::changes::{self, CHANGING, Opinion};
use crate::db::{self, DbConn};
use crate::domain::redline::ArticleChange;
use crate::domain::roles::Role;
use crate::error::{AppError, AppResult};
use crate::l;

/// An article of one round: `number` as round `round` numbers it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
pub struct ArticleRef {
    /// The opinion's own round (the article as it read then), or the next round (an article
    /// the revision added).
    #[schema(minimum = 1)]
    pub round: i32,
    #[schema(minimum = 1)]
    pub number: i32,
}

/// The articles an opinion changed; an empty list removes every link.
#[derive(Debug, Clone, Deserialize, Validate, utoipa::ToSchema)]
pub struct SetChanges {
    #[validate(length(max = 500))]
    #[schema(max_items = 500)]
    pub articles: Vec<ArticleRef>,
}

/// The articles an opinion is linked to.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChangesView {
    /// The group's or the comment's id.
    pub opinion_id: String,
    /// The round of the opinion.
    pub round: i32,
    pub articles: Vec<ArticleRef>,
}

/// What an officer links from.
#[derive(Debug, Clone, Copy)]
pub enum LinkFrom<'a> {
    Group(&'a str),
    Comment(&'a str),
}

fn refs(links: Vec<(i32, i32)>) -> Vec<ArticleRef> {
    links
        .into_iter()
        .map(|(round, number)| ArticleRef { round, number })
        .collect()
}

fn opinion(conn: &mut DbConn, from: LinkFrom<'_>) -> AppResult<Opinion> {
    match from {
        LinkFrom::Group(id) => changes::group_opinion(conn, id),
        LinkFrom::Comment(id) => changes::comment_opinion(conn, id),
    }?
    .ok_or_else(AppError::not_found)
}

/// The articles an opinion is linked to (drafters and reviewers of its draft).
pub fn changes_of(conn: &mut DbConn, actor: &Actor, from: LinkFrom<'_>) -> AppResult<ChangesView> {
    actor.require(&[Role::Drafter, Role::Reviewer])?;
    let o = opinion(conn, from)?;
    let draft = load_draft(conn, &o.draft_id)?;
    actor.may(conn, Act::ReadDesk, &draft)?;
    Ok(ChangesView {
        articles: refs(changes::of_opinion(conn, o.id())?),
        opinion_id: o.id().to_string(),
        round: o.round,
    })
}

/// "Adopted → changed article 3": replaces the articles an adopted or partially adopted
/// opinion changed (drafter). Each article is one of the opinion's round, or of the next round
/// once it is open. Refused while the round's report awaits approval, as dispositions are.
pub fn set_changes(
    conn: &mut DbConn,
    actor: &Actor,
    now: DateTime<Utc>,
    from: LinkFrom<'_>,
    input: &SetChanges,
) -> AppResult<ChangesView> {
    actor.require(&[Role::Drafter])?;
    crate::error::validated(input)?;
    db::write_tx(conn, |conn| {
        let o = opinion(conn, from)?;
        let draft = linkable_draft(conn, actor, &o.draft_id, o.round)?;
        let wanted: BTreeSet<ArticleRef> = input.articles.iter().copied().collect();
        relink(conn, actor, now, &draft, &o, wanted, "articles")
    })
}

/// The same links seen from the article's side: which adopted or partially adopted groups of
/// round `round` changed an article (drafter). `names` are the article's names: its number in
/// round `round` and, or only, in the next round; a new link takes the first. Groups that are
/// not ticked lose their link to it under either name; links to other articles stay.
pub fn set_causes(
    conn: &mut DbConn,
    actor: &Actor,
    now: DateTime<Utc>,
    draft_id: &str,
    round: i32,
    names: &[ArticleRef],
    group_ids: &[String],
) -> AppResult<usize> {
    actor.require(&[Role::Drafter])?;
    let Some(&article) = names.first() else {
        return Err(AppError::field(
            "article",
            l!("请指明条文", "Name the article"),
        ));
    };
    db::write_tx(conn, |conn| {
        let draft = linkable_draft(conn, actor, draft_id, round)?;
        if round < 1 || round >= draft.round {
            return Err(AppError::wrong_state(l!(
                "该草案还没有上一轮：修改之处只在第二轮起才有。",
                "The draft has no earlier round yet: changes exist from its second round on."
            )));
        }
        let ticked: BTreeSet<&String> = group_ids.iter().collect();
        let groups = crate::db::review::groups_of(conn, &draft.id, round)?;
        if ticked.iter().any(|id| !groups.iter().any(|g| g.id == **id)) {
            return Err(AppError::field(
                "group_id",
                l!(
                    "所选分组中有不属于第 {} 轮的",
                    "Some ticked groups are not groups of round {}",
                    round
                ),
            ));
        }
        let mut changed = 0;
        for g in &groups {
            let o = changes::group_opinion(conn, &g.id)?.ok_or_else(AppError::not_found)?;
            let mut wanted: BTreeSet<ArticleRef> = refs(changes::of_opinion(conn, &g.id)?)
                .into_iter()
                .collect();
            let had = names.iter().any(|n| wanted.contains(n));
            let want = ticked.contains(&g.id);
            if had == want {
                continue;
            }
            if want {
                wanted.insert(article);
            } else {
                wanted.retain(|a| !names.contains(a));
            }
            relink(conn, actor, now, &draft, &o, wanted, "group_id")?;
            changed += 1;
        }
        Ok(changed)
    })
}

/// The draft whose opinions of `round` an officer links: theirs to review, not withdrawn, and
/// the round's report not awaiting approval.
fn linkable_draft(
    conn: &mut DbConn,
    actor: &Actor,
    draft_id: &str,
    round: i32,
) -> AppResult<crate::db::review::ReviewDraft> {
    let draft = load_draft(conn, draft_id)?;
    actor.may(conn, Act::Review, &draft)?;
    if draft.state == "withdrawn" {
        return Err(AppError::wrong_state(l!(
            "草案已撤回，不能再关联修改。",
            "The draft was withdrawn; its changes cannot be linked any more."
        )));
    }
    ensure_not_under_approval(conn, &draft.id, round)?;
    Ok(draft)
}

/// Replaces the opinion's links with `wanted` after checking them; refusals beside `field`.
fn relink(
    conn: &mut DbConn,
    actor: &Actor,
    now: DateTime<Utc>,
    draft: &crate::db::review::ReviewDraft,
    o: &Opinion,
    wanted: BTreeSet<ArticleRef>,
    field: &str,
) -> AppResult<ChangesView> {
    if !wanted.is_empty() && !o.outcome.as_deref().is_some_and(|x| CHANGING.contains(&x)) {
        return Err(AppError::field(
            field,
            l!(
                "只有“采纳”或“部分采纳”的意见才能关联到条文修改，请先给出处理意见。",
                "Only an adopted or partially adopted opinion can be linked to a change; dispose of it first."
            ),
        ));
    }
    let mut known: BTreeMap<i32, BTreeSet<i32>> = BTreeMap::new();
    for a in &wanted {
        let in_reach = a.round == o.round || (a.round == o.round + 1 && draft.round > o.round);
        if in_reach && !known.contains_key(&a.round) {
            let numbers = db::drafts::articles_of_round(conn, &draft.id, a.round)?
                .into_iter()
                .map(|x| x.number)
                .collect();
            known.insert(a.round, numbers);
        }
        if !known.get(&a.round).is_some_and(|n| n.contains(&a.number)) {
            return Err(AppError::field(
                field,
                l!(
                    "第 {} 轮没有第 {} 条：只能关联该意见所在一轮或下一轮的条文。",
                    "Round {} has no article {}: link an article of the opinion's round or of the next one.",
                    a.round,
                    a.number
                ),
            ));
        }
    }
    let links: Vec<(i32, i32)> = wanted.iter().map(|a| (a.round, a.number)).collect();
    changes::replace(conn, now, o, &links, &actor.id)?;
    audit::append(
        conn,
        now,
        &AuditEvent {
            actor: &actor.id,
            action: "changes.linked",
            object_type: if o.group_id.is_some() {
                "opinion_group"
            } else {
                "comment"
            },
            object_id: o.id(),
            draft_id: Some(&draft.id),
            details: json!({"round": o.round, "articles": wanted}),
        },
    )?;
    // The public redline shows the links.
    db::drafts::touch(conn, &draft.id)?;
    Ok(ChangesView {
        opinion_id: o.id().to_string(),
        round: o.round,
        articles: wanted.into_iter().collect(),
    })
}

/// A group behind a change, as the public may read it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CauseGroup {
    pub id: String,
    pub title: String,
    /// Its members.
    pub size: i64,
}

/// The adopted opinions of the earlier round that an officer linked to a change.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct InResponseTo {
    /// Comments behind the change: the members of the groups and the comments linked alone,
    /// each counted once.
    pub opinions: i64,
    pub groups: Vec<CauseGroup>,
}

/// One article of a redline with the opinions behind its change.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RedlineArticle {
    #[serde(flatten)]
    pub change: ArticleChange,
    /// Absent for an article no opinion was linked to (and for every article of a comparison
    /// of rounds that are not next to each other).
    pub in_response_to: Option<InResponseTo>,
}

/// The opinions of round `against` linked to each change of the comparison `changes` of round
/// `round` against it. Links read only between neighbouring rounds (`against = round - 1`):
/// an opinion is about the text of its own round.
pub fn with_causes(
    conn: &mut DbConn,
    draft_id: &str,
    round: i32,
    against: i32,
    changes: Vec<ArticleChange>,
) -> AppResult<Vec<RedlineArticle>> {
    let causes = if against + 1 == round {
        changes::causes_of_round(conn, draft_id, against)?
    } else {
        Vec::new()
    };
    let groups: Vec<String> = causes
        .iter()
        .filter_map(|c| c.group.as_ref().map(|g| g.0.clone()))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let sizes = if groups.is_empty() {
        BTreeMap::new()
    } else {
        changes::group_sizes(conn, &groups)?
    };
    Ok(changes
        .into_iter()
        .map(|change| {
            let matches = |text_round: i32, article: i32| {
                (text_round == against && change.old_number == Some(article))
                    || (text_round == round && change.new_number == Some(article))
            };
            let mine: Vec<_> = causes
                .iter()
                .filter(|c| change.is_change() && matches(c.text_round, c.article))
                .collect();
            let in_response_to = (!mine.is_empty()).then(|| {
                let mut seen = BTreeSet::new();
                let mut out = InResponseTo::default();
                for c in &mine {
                    if let Some((id, title)) = &c.group
                        && seen.insert(id.clone())
                    {
                        let size = sizes.get(id).copied().unwrap_or_default();
                        out.opinions += size;
                        out.groups.push(CauseGroup {
                            id: id.clone(),
                            title: title.clone(),
                            size,
                        });
                    }
                }
                // A comment linked alone counts once, unless its group is already counted.
                let alone: BTreeSet<&String> = mine
                    .iter()
                    .filter_map(|c| c.comment.as_ref())
                    .filter(|(_, g)| !g.as_ref().is_some_and(|g| seen.contains(g)))
                    .map(|(id, _)| id)
                    .collect();
                out.opinions += alone.len() as i64;
                out.groups
                    .sort_by(|a, b| b.size.cmp(&a.size).then(a.id.cmp(&b.id)));
                out
            });
            RedlineArticle {
                change,
                in_response_to,
            }
        })
        .collect())
}

/// `group → articles it changed` for the groups of a round (the report's list).
pub fn changed_by_groups(
    conn: &mut DbConn,
    group_ids: &[String],
) -> AppResult<BTreeMap<String, Vec<ArticleRef>>> {
    Ok(changes::of_opinions(conn, group_ids)?
        .into_iter()
        .map(|(g, links)| (g, refs(links)))
        .collect())
}
