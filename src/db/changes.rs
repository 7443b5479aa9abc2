//! R8 traceability: the links from a round's opinions (groups or single comments) to the
//! articles they changed (queries only; the rules live in `service::changes`).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use diesel::dsl::{count_star, sql};
use diesel::prelude::*;
use diesel::sql_types::Bool;

use super::DbConn;
use super::schema::{change_links, comments, opinion_groups};

/// The outcomes that change a text: only these opinions' links are shown.
pub const CHANGING: [&str; 2] = ["adopted", "partially_adopted"];

/// What the links need to know about the opinion they start from.
#[derive(Debug, Clone)]
pub struct Opinion {
    pub draft_id: String,
    pub round: i32,
    pub group_id: Option<String>,
    pub comment_id: Option<String>,
    /// The disposition that applies: a comment's own, else its group's (R17).
    pub outcome: Option<String>,
}

impl Opinion {
    pub fn id(&self) -> &str {
        self.group_id
            .as_deref()
            .or(self.comment_id.as_deref())
            .unwrap_or_default()
    }
}

pub fn group_opinion(conn: &mut DbConn, id: &str) -> QueryResult<Option<Opinion>> {
    Ok(opinion_groups::table
        .find(id)
        .select((
            opinion_groups::draft_id,
            opinion_groups::round,
            opinion_groups::outcome,
        ))
        .first::<(String, i32, Option<String>)>(conn)
        .optional()?
        .map(|(draft_id, round, outcome)| Opinion {
            draft_id,
            round,
            group_id: Some(id.to_string()),
            comment_id: None,
            outcome,
        }))
}

pub fn comment_opinion(conn: &mut DbConn, id: &str) -> QueryResult<Option<Opinion>> {
    Ok(comments::table
        .left_join(opinion_groups::table)
        .filter(comments::id.eq(id))
        .select((
            comments::draft_id,
            comments::round,
            comments::outcome,
            opinion_groups::outcome.nullable(),
        ))
        .first::<(String, i32, Option<String>, Option<String>)>(conn)
        .optional()?
        .map(|(draft_id, round, own, of_group)| Opinion {
            draft_id,
            round,
            group_id: None,
            comment_id: Some(id.to_string()),
            outcome: own.or(of_group),
        }))
}

/// `(text_round, article)` the opinion is linked to, in order.
pub fn of_opinion(conn: &mut DbConn, opinion_id: &str) -> QueryResult<Vec<(i32, i32)>> {
    change_links::table
        .filter(change_links::opinion_id.eq(opinion_id))
        .order((change_links::text_round.asc(), change_links::article.asc()))
        .select((change_links::text_round, change_links::article))
        .load(conn)
}

/// `opinion id → [(text_round, article)]` for many opinions (a desk list).
pub fn of_opinions(
    conn: &mut DbConn,
    ids: &[String],
) -> QueryResult<BTreeMap<String, Vec<(i32, i32)>>> {
    let mut out: BTreeMap<String, Vec<(i32, i32)>> = BTreeMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(String, i32, i32)> = change_links::table
            .filter(change_links::opinion_id.eq_any(chunk))
            .order((change_links::text_round.asc(), change_links::article.asc()))
            .select((
                change_links::opinion_id,
                change_links::text_round,
                change_links::article,
            ))
            .load(conn)?;
        for (id, r, a) in rows {
            out.entry(id).or_default().push((r, a));
        }
    }
    Ok(out)
}

/// Replaces the opinion's links with `articles` (`(text_round, article)`).
pub fn replace(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    o: &Opinion,
    articles: &[(i32, i32)],
    by: &str,
) -> QueryResult<()> {
    diesel::delete(change_links::table.filter(change_links::opinion_id.eq(o.id())))
        .execute(conn)?;
    // One statement per link (a handful): batch inserts do not run on both backends.
    for &(text_round, article) in articles {
        diesel::insert_into(change_links::table)
            .values((
                change_links::draft_id.eq(&o.draft_id),
                change_links::round.eq(o.round),
                change_links::group_id.eq(o.group_id.as_deref()),
                change_links::comment_id.eq(o.comment_id.as_deref()),
                change_links::opinion_id.eq(o.id()),
                change_links::text_round.eq(text_round),
                change_links::article.eq(article),
                change_links::linked_by.eq(by),
                change_links::linked_at.eq(now.naive_utc()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Drops the links of groups about to be deleted (merged away or emptied).
pub fn drop_of_groups(conn: &mut DbConn, group_ids: &[String]) -> QueryResult<usize> {
    diesel::delete(change_links::table.filter(change_links::group_id.eq_any(group_ids)))
        .execute(conn)
}

/// One link of a round's opinion whose disposition changes the text.
#[derive(Debug, Clone)]
pub struct Cause {
    pub text_round: i32,
    pub article: i32,
    /// A linked group: its id and title.
    pub group: Option<(String, String)>,
    /// A linked comment: its id and the group it is in.
    pub comment: Option<(String, Option<String>)>,
}

/// The links of the round's opinions that are adopted or partially adopted (a comment by the
/// disposition that applies to it).
pub fn causes_of_round(conn: &mut DbConn, draft_id: &str, round: i32) -> QueryResult<Vec<Cause>> {
    let by_groups: Vec<(i32, i32, String, String)> = change_links::table
        .inner_join(
            opinion_groups::table.on(opinion_groups::id.nullable().eq(change_links::group_id)),
        )
        .filter(change_links::draft_id.eq(draft_id))
        .filter(change_links::round.eq(round))
        .filter(opinion_groups::outcome.eq_any(CHANGING))
        .order((change_links::text_round, change_links::article))
        .select((
            change_links::text_round,
            change_links::article,
            opinion_groups::id,
            opinion_groups::title,
        ))
        .load(conn)?;
    let by_comments: Vec<(i32, i32, String, Option<String>)> = change_links::table
        .inner_join(comments::table.on(comments::id.nullable().eq(change_links::comment_id)))
        .left_join(
            opinion_groups::table.on(opinion_groups::id.nullable().eq(comments::group_id)),
        )
        .filter(change_links::draft_id.eq(draft_id))
        .filter(change_links::round.eq(round))
        .filter(sql::<Bool>(
            "COALESCE(comments.outcome, opinion_groups.outcome) IN ('adopted', 'partially_adopted')",
        ))
        .order((change_links::text_round, change_links::article))
        .select((
            change_links::text_round,
            change_links::article,
            comments::id,
            comments::group_id,
        ))
        .load(conn)?;
    Ok(by_groups
        .into_iter()
        .map(|(text_round, article, id, title)| Cause {
            text_round,
            article,
            group: Some((id, title)),
            comment: None,
        })
        .chain(
            by_comments
                .into_iter()
                .map(|(text_round, article, id, group)| Cause {
                    text_round,
                    article,
                    group: None,
                    comment: Some((id, group)),
                }),
        )
        .collect())
}

/// `group → members` for the given groups.
pub fn group_sizes(conn: &mut DbConn, group_ids: &[String]) -> QueryResult<BTreeMap<String, i64>> {
    let mut out = BTreeMap::new();
    for chunk in group_ids.chunks(500) {
        let rows: Vec<(Option<String>, i64)> = comments::table
            .filter(comments::group_id.eq_any(chunk))
            .group_by(comments::group_id)
            .select((comments::group_id, count_star()))
            .load(conn)?;
        out.extend(rows.into_iter().filter_map(|(g, n)| Some((g?, n))));
    }
    Ok(out)
}

/// `(text_round, article)` linked from the comment itself or from `group` (the group it was in
/// when the report froze it): what the commenter's receipt shows.
pub fn of_comment(
    conn: &mut DbConn,
    comment_id: &str,
    group: Option<&str>,
) -> QueryResult<Vec<(i32, i32)>> {
    let mut ids = vec![comment_id.to_string()];
    ids.extend(group.map(str::to_string));
    let mut links: Vec<(i32, i32)> = change_links::table
        .filter(change_links::opinion_id.eq_any(&ids))
        .select((change_links::text_round, change_links::article))
        .load(conn)?;
    links.sort_unstable();
    links.dedup();
    Ok(links)
}

/// `(article, group, comments)`: how many of a round's comments are on one article (or none)
/// and in one group (or none).
pub type Spread = (Option<i32>, Option<String>, i64);

/// A round's comments counted by the article they are on and the group they are in (what the
/// revision's officers read beside the new text).
pub fn spread_by_article(
    conn: &mut DbConn,
    draft_id: &str,
    round: i32,
) -> QueryResult<Vec<Spread>> {
    comments::table
        .filter(comments::draft_id.eq(draft_id))
        .filter(comments::round.eq(round))
        .group_by((comments::article, comments::group_id))
        .select((comments::article, comments::group_id, count_star()))
        .load(conn)
}
