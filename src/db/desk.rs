//! The review desk's queries: one draft round's comments filtered and searched (triage), the
//! progress of its dispositions, assignments, internal notes and reason snippets. The rules
//! (who may, what is complete) live in `service::desk` and `domain::review`.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

use super::schema::{
    comments, group_memberships, opinion_groups, reason_snippets, review_notes, users,
};
use super::{DbConn, MultiBackend};

/// R18 in SQL: a comment of the round lacks its effective disposition, or the reason that
/// every outcome but `adopted` needs. Shared with the report's `missing[]`.
pub const LACKING: &str = "(COALESCE(comments.outcome, opinion_groups.outcome) IS NULL \
     OR (COALESCE(comments.outcome, opinion_groups.outcome) <> 'adopted' \
         AND (CASE WHEN comments.outcome IS NOT NULL THEN comments.reason \
              ELSE opinion_groups.reason END) IS NULL))";

/// R17 in SQL: a comment whose effective outcome needs a reason that it does not have.
pub const LACKING_REASON: &str = "(COALESCE(comments.outcome, opinion_groups.outcome) <> 'adopted' \
     AND (CASE WHEN comments.outcome IS NOT NULL THEN comments.reason \
          ELSE opinion_groups.reason END) IS NULL)";

/// Which group a triage filter asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupFilter {
    /// In no group.
    Ungrouped,
    Group(String),
}

/// The triage filters; every one is optional, and they combine with AND.
#[derive(Debug, Clone, Default)]
pub struct TriageFilter {
    pub article: Option<i32>,
    pub stakeholder_type: Option<String>,
    pub channel: Option<String>,
    pub status: Option<String>,
    pub group: Option<GroupFilter>,
    /// The effective outcome (the comment's own, else its group's).
    pub outcome: Option<String>,
    /// Only what the report still lacks (R18).
    pub undisposed: bool,
    /// Only those with an outcome that needs a reason and has none.
    pub missing_reason: bool,
    /// Assigned to this user, directly or through the comment's group.
    pub assigned_to: Option<String>,
    /// Text in the body (any language: a substring, so 法律援助 is found inside a sentence), or
    /// a tracking number.
    pub search: Option<String>,
}

/// One row of the triage list.
#[derive(Debug, Clone, Queryable)]
pub struct TriageRow {
    pub id: String,
    pub tracking_number: String,
    pub article: Option<i32>,
    pub stakeholder_type: String,
    pub channel: String,
    pub status: String,
    pub withhold: bool,
    pub submitted_at: NaiveDateTime,
    /// The first characters of the text.
    pub excerpt: String,
    pub group_id: Option<String>,
    pub group_title: Option<String>,
    pub own_outcome: Option<String>,
    pub group_outcome: Option<String>,
    pub assigned_to: Option<String>,
    pub group_assigned_to: Option<String>,
}

/// LIKE's wildcards in a search term are searched for, not matched by.
fn like_pattern(term: &str) -> String {
    let mut out = String::with_capacity(term.len() + 2);
    out.push('%');
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.extend(c.to_lowercase());
    }
    out.push('%');
    out
}

type Boxed<'a> = diesel::dsl::IntoBoxed<
    'a,
    diesel::dsl::LeftJoin<comments::table, opinion_groups::table>,
    MultiBackend,
>;

type BoxedPlain<'a> = diesel::dsl::IntoBoxed<'a, comments::table, MultiBackend>;

impl TriageFilter {
    /// Whether a filter reads the comment's group (its outcome, reason or assignee).
    fn needs_group(&self) -> bool {
        self.outcome.is_some()
            || self.undisposed
            || self.missing_reason
            || self.assigned_to.is_some()
    }
}

/// The filters on the comment's own columns, for a query with or without its group.
macro_rules! own_filters {
    ($q:expr, $draft_id:expr, $round:expr, $f:expr) => {{
        let f = $f;
        let mut q = $q
            .filter(comments::draft_id.eq($draft_id))
            .filter(comments::round.eq($round));
        if let Some(a) = f.article {
            q = q.filter(comments::article.eq(a));
        }
        if let Some(s) = &f.stakeholder_type {
            q = q.filter(comments::stakeholder_type.eq(s));
        }
        if let Some(c) = &f.channel {
            q = q.filter(comments::channel.eq(c));
        }
        if let Some(s) = &f.status {
            q = q.filter(comments::status.eq(s));
        }
        match &f.group {
            Some(GroupFilter::Ungrouped) => q = q.filter(comments::group_id.is_null()),
            Some(GroupFilter::Group(g)) => q = q.filter(comments::group_id.eq(g)),
            None => {}
        }
        if let Some(term) = &f.search {
            // `lower()` folds Latin letters on both databases; CJK text has no case and is
            // matched as a plain substring, which is what a reader expects of a search inside
            // a sentence.
            q = q.filter(
                sql::<Bool>("(lower(comments.body) LIKE ")
                    .bind::<Text, _>(like_pattern(term))
                    .sql(" ESCAPE '\\' OR comments.tracking_number = ")
                    .bind::<Text, _>(term.trim().to_uppercase())
                    .sql(")"),
            );
        }
        q
    }};
}

fn filtered<'a>(draft_id: &'a str, round: i32, f: &'a TriageFilter) -> Boxed<'a> {
    let mut q = own_filters!(
        comments::table
            .left_join(opinion_groups::table)
            .into_boxed::<MultiBackend>(),
        draft_id,
        round,
        f
    );
    if let Some(o) = &f.outcome {
        q = q.filter(
            sql::<Bool>("COALESCE(comments.outcome, opinion_groups.outcome) = ")
                .bind::<Text, _>(o.clone()),
        );
    }
    if f.undisposed {
        q = q.filter(sql::<Bool>(LACKING));
    }
    if f.missing_reason {
        q = q.filter(sql::<Bool>(LACKING_REASON));
    }
    if let Some(u) = &f.assigned_to {
        q = q.filter(
            comments::assigned_to
                .eq(u)
                .or(opinion_groups::assigned_to.eq(u)),
        );
    }
    q
}

/// The same filter without the group's table, when no filter reads it: counting and paging
/// then need no lookup of each comment's group.
fn filtered_plain<'a>(draft_id: &'a str, round: i32, f: &'a TriageFilter) -> BoxedPlain<'a> {
    own_filters!(
        comments::table.into_boxed::<MultiBackend>(),
        draft_id,
        round,
        f
    )
}

/// How many ids of a search's matches are read in one pass before counting separately.
const SEARCH_PASS: i64 = 200_000;

/// One page of the round's comments that pass the filter (oldest first), and how many pass.
pub fn triage_page(
    conn: &mut DbConn,
    draft_id: &str,
    round: i32,
    f: &TriageFilter,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<TriageRow>, i64)> {
    // The page's ids first (the order needs no text and, unless a filter reads it, no group),
    // then those rows in full: skipping `offset` rows costs no excerpt or join for each.
    let (total, ids): (i64, Vec<String>) = if f.search.is_some() {
        // A search reads every text of the round: one pass gives both the page and the count
        // (a second would read them all again), unless it matches more than `SEARCH_PASS`.
        let all: Vec<String> = if f.needs_group() {
            filtered(draft_id, round, f)
                .order((comments::submitted_at.asc(), comments::id.asc()))
                .limit(SEARCH_PASS)
                .select(comments::id)
                .load(conn)?
        } else {
            filtered_plain(draft_id, round, f)
                .order((comments::submitted_at.asc(), comments::id.asc()))
                .limit(SEARCH_PASS)
                .select(comments::id)
                .load(conn)?
        };
        let total = if all.len() as i64 == SEARCH_PASS {
            filtered(draft_id, round, f).count().get_result(conn)?
        } else {
            all.len() as i64
        };
        let ids = all
            .into_iter()
            .skip(offset.max(0) as usize)
            .take(limit.max(0) as usize)
            .collect();
        (total, ids)
    } else if f.needs_group() {
        let total = filtered(draft_id, round, f).count().get_result(conn)?;
        let ids = if limit > 0 {
            filtered(draft_id, round, f)
                .order((comments::submitted_at.asc(), comments::id.asc()))
                .offset(offset)
                .limit(limit)
                .select(comments::id)
                .load(conn)?
        } else {
            Vec::new()
        };
        (total, ids)
    } else {
        let total = filtered_plain(draft_id, round, f)
            .count()
            .get_result(conn)?;
        let ids = if limit > 0 {
            filtered_plain(draft_id, round, f)
                .order((comments::submitted_at.asc(), comments::id.asc()))
                .offset(offset)
                .limit(limit)
                .select(comments::id)
                .load(conn)?
        } else {
            Vec::new()
        };
        (total, ids)
    };
    if ids.is_empty() {
        return Ok((Vec::new(), total));
    }
    let mut rows: Vec<TriageRow> = comments::table
        .left_join(opinion_groups::table)
        .filter(comments::id.eq_any(&ids))
        .select((
            comments::id,
            comments::tracking_number,
            comments::article,
            comments::stakeholder_type,
            comments::channel,
            comments::status,
            comments::withhold,
            comments::submitted_at,
            sql::<Text>("substr(comments.body, 1, 240)"),
            comments::group_id,
            opinion_groups::title.nullable(),
            comments::outcome,
            opinion_groups::outcome.nullable(),
            comments::assigned_to,
            opinion_groups::assigned_to.nullable(),
        ))
        .load(conn)?;
    let position: std::collections::HashMap<&str, usize> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    rows.sort_by_key(|r| position.get(r.id.as_str()).copied().unwrap_or(usize::MAX));
    Ok((rows, total))
}

/// The ids of every comment that passes the filter (for "select all N matching"), at most
/// `cap`.
pub fn triage_ids(
    conn: &mut DbConn,
    draft_id: &str,
    round: i32,
    f: &TriageFilter,
    cap: i64,
) -> QueryResult<Vec<String>> {
    if f.needs_group() {
        filtered(draft_id, round, f)
            .order(comments::id.asc())
            .limit(cap)
            .select(comments::id)
            .load(conn)
    } else {
        filtered_plain(draft_id, round, f)
            .order(comments::id.asc())
            .limit(cap)
            .select(comments::id)
            .load(conn)
    }
}

/// Per draft, how many comments assigned to this user (directly or through their group) still
/// lack what the report needs: `(draft id, draft title, n)`, most first.
pub fn assigned_open(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<(String, String, i64)>> {
    use super::schema::drafts;
    let mut rows: Vec<(String, String, i64)> = comments::table
        .left_join(opinion_groups::table)
        .inner_join(drafts::table)
        .filter(drafts::state.eq("published"))
        .filter(comments::round.eq(drafts::round))
        .filter(
            comments::assigned_to
                .eq(user_id)
                .or(opinion_groups::assigned_to.eq(user_id)),
        )
        .filter(sql::<Bool>(LACKING))
        .group_by((drafts::id, drafts::title))
        .select((drafts::id, drafts::title, diesel::dsl::count_star()))
        .load(conn)?;
    rows.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    Ok(rows)
}

/// `(lacking, total)`: comments of the round without what the report needs, and all of them.
pub fn progress(conn: &mut DbConn, draft_id: &str, round: i32) -> QueryResult<(i64, i64)> {
    // One pass over the round's comments for both (the desk shows them on every page).
    let (total, lacking): (i64, i64) = comments::table
        .left_join(opinion_groups::table)
        .filter(comments::draft_id.eq(draft_id))
        .filter(comments::round.eq(round))
        .select((
            diesel::dsl::count_star(),
            sql::<diesel::sql_types::BigInt>(&format!(
                "COALESCE(SUM(CASE WHEN {LACKING} THEN 1 ELSE 0 END), 0)"
            )),
        ))
        .get_result(conn)?;
    Ok((lacking, total))
}

/// Assigns comments to a colleague (or to nobody).
pub fn assign_comments(conn: &mut DbConn, ids: &[String], to: Option<&str>) -> QueryResult<usize> {
    let mut n = 0;
    for chunk in ids.chunks(500) {
        n += diesel::update(comments::table.filter(comments::id.eq_any(chunk)))
            .set(comments::assigned_to.eq(to))
            .execute(conn)?;
    }
    Ok(n)
}

pub fn assign_groups(conn: &mut DbConn, ids: &[String], to: Option<&str>) -> QueryResult<usize> {
    diesel::update(opinion_groups::table.filter(opinion_groups::id.eq_any(ids)))
        .set(opinion_groups::assigned_to.eq(to))
        .execute(conn)
}

/// Gives many comments the same own disposition.
pub fn dispose_comments(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    ids: &[String],
    outcome: &str,
    reason: Option<&str>,
    by: &str,
) -> QueryResult<usize> {
    let mut n = 0;
    for chunk in ids.chunks(500) {
        n += diesel::update(comments::table.filter(comments::id.eq_any(chunk)))
            .set((
                comments::outcome.eq(outcome),
                comments::reason.eq(reason),
                comments::disposed_by.eq(by),
                comments::disposed_at.eq(now.naive_utc()),
            ))
            .execute(conn)?;
    }
    Ok(n)
}

/// Takes the own disposition away from comments, so their group's applies again.
pub fn clear_comment_dispositions(conn: &mut DbConn, ids: &[String]) -> QueryResult<usize> {
    let mut n = 0;
    for chunk in ids.chunks(500) {
        n += diesel::update(comments::table.filter(comments::id.eq_any(chunk)))
            .set((
                comments::outcome.eq(None::<String>),
                comments::reason.eq(None::<String>),
                comments::disposed_by.eq(None::<String>),
                comments::disposed_at.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?;
    }
    Ok(n)
}

pub fn set_group_summary(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    id: &str,
    summary: &str,
) -> QueryResult<()> {
    diesel::update(opinion_groups::table.find(id))
        .set((
            opinion_groups::summary.eq(summary),
            opinion_groups::updated_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Which of `ids` are groups of this draft's round.
pub fn groups_of_draft(
    conn: &mut DbConn,
    draft_id: &str,
    round: i32,
    ids: &[String],
) -> QueryResult<Vec<String>> {
    opinion_groups::table
        .filter(opinion_groups::draft_id.eq(draft_id))
        .filter(opinion_groups::round.eq(round))
        .filter(opinion_groups::id.eq_any(ids))
        .select(opinion_groups::id)
        .load(conn)
}

/// A group's members with their own dispositions (overrides), tracking numbers and texts.
#[derive(Debug, Clone, Queryable)]
pub struct MemberRow {
    pub id: String,
    pub tracking_number: String,
    pub status: String,
    pub withhold: bool,
    pub body: String,
    pub outcome: Option<String>,
    pub reason: Option<String>,
    /// The officer who placed it here, if one did.
    pub placed_by: Option<String>,
    /// Why the grouping proposed it here, and how sure it was (0–1).
    pub why: Option<String>,
    pub score: Option<f64>,
}

/// A page of a group's members: those with their own disposition last, and among the rest the
/// least certain proposals first, so the officer checks them first.
pub fn members_page(
    conn: &mut DbConn,
    group_id: &str,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<MemberRow>> {
    comments::table
        .left_join(group_memberships::table)
        .filter(comments::group_id.eq(group_id))
        .order((
            comments::outcome.is_not_null(),
            sql::<diesel::sql_types::Double>("COALESCE(group_memberships.score, 2.0)"),
            comments::id.asc(),
        ))
        .offset(offset)
        .limit(limit)
        .select((
            comments::id,
            comments::tracking_number,
            comments::status,
            comments::withhold,
            comments::body,
            comments::outcome,
            comments::reason,
            comments::placed_by,
            group_memberships::reason.nullable(),
            group_memberships::score.nullable(),
        ))
        .load(conn)
}

/// Who the members of each of the round's groups are: `group → [(stakeholder type, n)]`.
pub fn spread_by_group(
    conn: &mut DbConn,
    draft_id: &str,
    round: i32,
) -> QueryResult<std::collections::HashMap<String, Vec<(String, i64)>>> {
    let rows: Vec<(String, String, i64)> = comments::table
        .filter(comments::draft_id.eq(draft_id))
        .filter(comments::round.eq(round))
        .filter(comments::group_id.is_not_null())
        .group_by((comments::group_id, comments::stakeholder_type))
        .select((
            comments::group_id.assume_not_null(),
            comments::stakeholder_type,
            diesel::dsl::count_star(),
        ))
        .load(conn)?;
    let mut out: std::collections::HashMap<String, Vec<(String, i64)>> = Default::default();
    for (g, t, n) in rows {
        out.entry(g).or_default().push((t, n));
    }
    Ok(out)
}

/// How many members of each of the round's groups have their own disposition.
pub fn overrides_by_group(
    conn: &mut DbConn,
    draft_id: &str,
    round: i32,
) -> QueryResult<Vec<(String, i64)>> {
    comments::table
        .filter(comments::draft_id.eq(draft_id))
        .filter(comments::round.eq(round))
        .filter(comments::group_id.is_not_null())
        .filter(comments::outcome.is_not_null())
        .group_by(comments::group_id)
        .select((
            comments::group_id.assume_not_null(),
            diesel::dsl::count_star(),
        ))
        .load(conn)
}

/// `(id, group_id, body)` of the round's comments outside `group_id` whose text is not the
/// same as an earlier one's (copies of a campaign letter are scored once), at most `cap`.
pub fn texts_outside(
    conn: &mut DbConn,
    draft_id: &str,
    round: i32,
    group_id: &str,
    cap: i64,
) -> QueryResult<Vec<(String, Option<String>, String)>> {
    comments::table
        .filter(comments::draft_id.eq(draft_id))
        .filter(comments::round.eq(round))
        .filter(
            comments::group_id
                .is_null()
                .or(comments::group_id.ne(group_id)),
        )
        .order(comments::id.asc())
        .limit(cap)
        .select((comments::id, comments::group_id, comments::body))
        .load(conn)
}

/// The comments of the round outside `group_id` whose text is the same as one of `ids`' (the
/// copies of a letter), `ids` included.
pub fn with_copies(
    conn: &mut DbConn,
    draft_id: &str,
    round: i32,
    group_id: &str,
    ids: &[String],
) -> QueryResult<Vec<String>> {
    let mut out: Vec<String> = ids.to_vec();
    for chunk in ids.chunks(100) {
        let bodies: Vec<String> = comments::table
            .filter(comments::draft_id.eq(draft_id))
            .filter(comments::round.eq(round))
            .filter(comments::id.eq_any(chunk))
            .select(comments::body)
            .load(conn)?;
        out.extend(
            comments::table
                .filter(comments::draft_id.eq(draft_id))
                .filter(comments::round.eq(round))
                .filter(comments::body.eq_any(&bodies))
                .filter(
                    comments::group_id
                        .is_null()
                        .or(comments::group_id.ne(group_id)),
                )
                .select(comments::id)
                .load::<String>(conn)?,
        );
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// The first `per_group` member texts of a group (a sample, for comparing groups).
pub fn member_sample(
    conn: &mut DbConn,
    group_id: &str,
    per_group: i64,
) -> QueryResult<Vec<String>> {
    comments::table
        .filter(comments::group_id.eq(group_id))
        .order(comments::id.asc())
        .limit(per_group)
        .select(comments::body)
        .load(conn)
}

/// An active colleague who may take review work.
#[derive(Debug, Clone, Queryable)]
pub struct Colleague {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub roles: String,
}

pub fn active_users(conn: &mut DbConn) -> QueryResult<Vec<Colleague>> {
    users::table
        .filter(users::active.eq(true))
        .order(users::display_name.asc())
        .select((
            users::id,
            users::username,
            users::display_name,
            users::roles,
        ))
        .load(conn)
}

/// An internal note on a comment or a group.
#[derive(Debug, Clone, Queryable)]
pub struct NoteRow {
    pub id: String,
    pub author: String,
    pub body: String,
    pub created_at: NaiveDateTime,
}

pub struct NewNote<'a> {
    pub id: &'a str,
    pub draft_id: &'a str,
    pub object_type: &'a str,
    pub object_id: &'a str,
    pub author_id: &'a str,
    pub body: &'a str,
}

pub fn insert_note(conn: &mut DbConn, now: DateTime<Utc>, n: &NewNote<'_>) -> QueryResult<()> {
    diesel::insert_into(review_notes::table)
        .values((
            review_notes::id.eq(n.id),
            review_notes::draft_id.eq(n.draft_id),
            review_notes::object_type.eq(n.object_type),
            review_notes::object_id.eq(n.object_id),
            review_notes::author_id.eq(n.author_id),
            review_notes::body.eq(n.body),
            review_notes::created_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn notes_of(
    conn: &mut DbConn,
    object_type: &str,
    object_id: &str,
) -> QueryResult<Vec<NoteRow>> {
    review_notes::table
        .inner_join(users::table.on(users::id.eq(review_notes::author_id)))
        .filter(review_notes::object_type.eq(object_type))
        .filter(review_notes::object_id.eq(object_id))
        .order((review_notes::created_at.asc(), review_notes::id.asc()))
        .select((
            review_notes::id,
            users::display_name,
            review_notes::body,
            review_notes::created_at,
        ))
        .load(conn)
}

/// How many notes each of these objects has.
pub fn note_counts(conn: &mut DbConn, object_ids: &[String]) -> QueryResult<Vec<(String, i64)>> {
    review_notes::table
        .filter(review_notes::object_id.eq_any(object_ids))
        .group_by(review_notes::object_id)
        .select((review_notes::object_id, diesel::dsl::count_star()))
        .load(conn)
}

#[derive(Debug, Clone, Queryable)]
pub struct Snippet {
    pub id: String,
    pub body: String,
}

pub fn snippets(conn: &mut DbConn, agency: &str) -> QueryResult<Vec<Snippet>> {
    reason_snippets::table
        .filter(reason_snippets::agency.eq(agency))
        .order(reason_snippets::body.asc())
        .select((reason_snippets::id, reason_snippets::body))
        .load(conn)
}

pub fn snippet(conn: &mut DbConn, id: &str) -> QueryResult<Option<(String, String)>> {
    reason_snippets::table
        .find(id)
        .select((reason_snippets::agency, reason_snippets::body))
        .first(conn)
        .optional()
}

/// Keeps a reason for the agency; returns false when it already had it.
pub fn insert_snippet(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    id: &str,
    agency: &str,
    body: &str,
    by: &str,
) -> QueryResult<bool> {
    let exists: i64 = reason_snippets::table
        .filter(reason_snippets::agency.eq(agency))
        .filter(reason_snippets::body.eq(body))
        .count()
        .get_result(conn)?;
    if exists > 0 {
        return Ok(false);
    }
    diesel::insert_into(reason_snippets::table)
        .values((
            reason_snippets::id.eq(id),
            reason_snippets::agency.eq(agency),
            reason_snippets::body.eq(body),
            reason_snippets::created_by.eq(by),
            reason_snippets::created_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    Ok(true)
}

pub fn delete_snippet(conn: &mut DbConn, id: &str) -> QueryResult<usize> {
    diesel::delete(reason_snippets::table.find(id)).execute(conn)
}

/// The group's title by id, for the triage's "move to" list: `(id, title, size)` of every
/// group of the round, largest first.
pub fn group_choices(
    conn: &mut DbConn,
    draft_id: &str,
    round: i32,
) -> QueryResult<Vec<(String, String, i64)>> {
    let groups: Vec<(String, String)> = opinion_groups::table
        .filter(opinion_groups::draft_id.eq(draft_id))
        .filter(opinion_groups::round.eq(round))
        .select((opinion_groups::id, opinion_groups::title))
        .load(conn)?;
    // Members of the round's groups are comments of the round: counted on the index of
    // `group_id` alone, without reading the comments themselves.
    let ids: Vec<&String> = groups.iter().map(|(id, _)| id).collect();
    let mut sizes: std::collections::HashMap<String, i64> = Default::default();
    for chunk in ids.chunks(500) {
        let rows: Vec<(String, i64)> = comments::table
            .filter(comments::group_id.eq_any(chunk.iter().map(|s| Some(s.as_str()))))
            .group_by(comments::group_id)
            .select((
                comments::group_id.assume_not_null(),
                diesel::dsl::count_star(),
            ))
            .load(conn)?;
        sizes.extend(rows);
    }
    let mut out: Vec<(String, String, i64)> = groups
        .into_iter()
        .map(|(id, title)| {
            let n = sizes.get(&id).copied().unwrap_or(0);
            (id, title, n)
        })
        .collect();
    out.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    Ok(out)
}
