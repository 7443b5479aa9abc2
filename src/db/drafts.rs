//! R1–R7: draft rows, their articles, review steps and period extensions; index numbers;
//! the list query with its visibility, phase and search filters; view-count flushing.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::audit::{self, AuditEvent};
use super::ids::new_id;
use super::schema::{
    articles, comments, draft_rounds, drafts, index_sequences, period_extensions, round_articles,
    workflow_steps,
};
use super::{DbConn, MultiBackend};
use crate::domain::period::Phase;
use crate::domain::roles::{Role, Roles};
use crate::domain::workflow::DraftState;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = drafts)]
pub struct DraftRow {
    pub id: String,
    pub index_no: String,
    pub doc_number: Option<String>,
    pub title: String,
    pub agency: String,
    pub category: String,
    pub subject_terms: String,
    pub kind: String,
    pub enterprise_related: bool,
    pub summary: String,
    pub state: String,
    pub round: i32,
    pub timezone: String,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub opens_at: Option<NaiveDateTime>,
    pub closes_at: NaiveDateTime,
    pub drafter_id: String,
    pub initial_reviewer_id: Option<String>,
    pub re_reviewer_id: Option<String>,
    pub approver_id: Option<String>,
    pub approved_at: Option<NaiveDateTime>,
    pub withdrawn_at: Option<NaiveDateTime>,
    pub withdraw_reason: Option<String>,
    pub concluded_at: Option<NaiveDateTime>,
    pub view_count: i64,
    pub search_text: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The owning agency's code (`agencies.code`).
    pub agency_code: String,
}

impl DraftRow {
    pub fn state(&self) -> Option<DraftState> {
        DraftState::parse(&self.state)
    }

    pub fn subject_terms(&self) -> Vec<String> {
        serde_json::from_str(&self.subject_terms).unwrap_or_default()
    }

    /// R5: the phase at `now`; `None` before publication. Withdrawn and concluded drafts
    /// take no more comments, so they read as closed.
    pub fn phase(&self, now: DateTime<Utc>) -> Option<Phase> {
        match self.state()? {
            DraftState::Published => {
                let opens_at = self.opens_at?.and_utc();
                Some(crate::domain::period::phase(
                    crate::domain::period::Window {
                        opens_at,
                        closes_at: self.closes_at.and_utc(),
                    },
                    now,
                ))
            }
            DraftState::Withdrawn | DraftState::Concluded => Some(Phase::Closed),
            _ => None,
        }
    }
}

/// Who is looking: the public, or a staff member with roles.
#[derive(Debug, Clone)]
pub enum Viewer {
    Public,
    Staff { id: String, roles: Roles },
}

impl Viewer {
    fn visible_states(&self) -> Vec<&'static str> {
        let mut states: Vec<&'static str> = DraftState::PUBLIC.iter().map(|s| s.as_str()).collect();
        if let Viewer::Staff { roles, .. } = self {
            if roles.has(Role::Admin) {
                return DraftState::ALL.iter().map(|s| s.as_str()).collect();
            }
            for role in roles.iter() {
                states.extend(DraftState::awaiting(role).iter().map(|s| s.as_str()));
            }
        }
        states
    }

    /// The public sees published (and later withdrawn or concluded) drafts; staff also see
    /// their own work: drafts they wrote or reviewed, and those awaiting their step.
    pub fn can_see(&self, d: &DraftRow) -> bool {
        if self.visible_states().contains(&d.state.as_str()) {
            return true;
        }
        match self {
            Viewer::Public => false,
            Viewer::Staff { id, .. } => {
                let id = Some(id.as_str());
                Some(d.drafter_id.as_str()) == id
                    || d.initial_reviewer_id.as_deref() == id
                    || d.re_reviewer_id.as_deref() == id
                    || d.approver_id.as_deref() == id
            }
        }
    }

    pub fn is_staff(&self) -> bool {
        matches!(self, Viewer::Staff { .. })
    }
}

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize, utoipa::ToSchema)]
#[diesel(table_name = articles)]
pub struct Article {
    pub number: i32,
    pub heading: Option<String>,
    pub text: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = workflow_steps)]
pub struct StepRow {
    pub id: String,
    pub at: NaiveDateTime,
    pub actor_id: String,
    pub action: String,
    pub from_state: String,
    pub to_state: String,
    pub note: Option<String>,
    pub attested: bool,
    /// R8: the round whose review chain the step belongs to.
    pub round: i32,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = period_extensions)]
pub struct ExtensionRow {
    pub id: String,
    pub at: NaiveDateTime,
    pub actor_id: String,
    pub previous_closes_on: NaiveDate,
    pub new_closes_on: NaiveDate,
    pub reason: String,
}

/// The editable fields of a draft, already validated.
#[derive(Debug, Clone)]
pub struct DraftFields {
    pub title: String,
    pub doc_number: Option<String>,
    pub agency: String,
    /// The owning agency's code; `agency` is its name.
    pub agency_code: String,
    pub category: String,
    pub subject_terms: Vec<String>,
    pub kind: String,
    pub enterprise_related: bool,
    pub summary: String,
    /// `(heading, text)` in order; numbered from 1.
    pub articles: Vec<(Option<String>, String)>,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
}

/// R1: what `q` searches, lowercased once at write time so that `LIKE` finds substrings
/// (Chinese included) the same way on both databases.
pub fn search_text(
    title: &str,
    index_no: &str,
    doc_number: Option<&str>,
    subject_terms: &[String],
) -> String {
    let mut parts = vec![title, index_no];
    if let Some(d) = doc_number {
        parts.push(d);
    }
    parts.extend(subject_terms.iter().map(String::as_str));
    parts.join("\u{1f}").to_lowercase()
}

/// R1: the next index number under `prefix` (`{prefix}-{sequence:05}`), from a counter row
/// updated inside the caller's transaction, so numbers are unique and never reused.
pub fn next_index_no(conn: &mut DbConn, prefix: &str) -> QueryResult<String> {
    let bumped = diesel::update(index_sequences::table.find(prefix))
        .set(index_sequences::last_value.eq(index_sequences::last_value + 1))
        .execute(conn)?;
    if bumped == 0 {
        // First number of this prefix. A savepoint keeps the transaction usable on
        // PostgreSQL if another node inserted the row first; then the update wins.
        let inserted = conn.transaction(|conn| {
            diesel::insert_into(index_sequences::table)
                .values((
                    index_sequences::prefix.eq(prefix),
                    index_sequences::last_value.eq(1i64),
                ))
                .execute(conn)
        });
        match inserted {
            Ok(_) => {}
            Err(e) if super::is_unique_violation(&e) => {
                diesel::update(index_sequences::table.find(prefix))
                    .set(index_sequences::last_value.eq(index_sequences::last_value + 1))
                    .execute(conn)?;
            }
            Err(e) => return Err(e),
        }
    }
    let value: i64 = index_sequences::table
        .find(prefix)
        .select(index_sequences::last_value)
        .first(conn)?;
    Ok(format!("{prefix}-{value:05}"))
}

fn replace_articles(
    conn: &mut DbConn,
    draft_id: &str,
    list: &[(Option<String>, String)],
) -> QueryResult<()> {
    diesel::delete(articles::table.filter(articles::draft_id.eq(draft_id))).execute(conn)?;
    for (i, (heading, text)) in list.iter().enumerate() {
        diesel::insert_into(articles::table)
            .values((
                articles::draft_id.eq(draft_id),
                articles::number.eq(i as i32 + 1),
                articles::heading.eq(heading),
                articles::text.eq(text),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// R1: creates a draft in `drafting` with a fresh index number; audited. Call inside
/// `write_tx`.
pub fn create(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    drafter_id: &str,
    index_prefix: &str,
    timezone: &str,
    f: &DraftFields,
) -> QueryResult<String> {
    let id = new_id(now);
    let index_no = next_index_no(conn, index_prefix)?;
    let terms = serde_json::to_string(&f.subject_terms).unwrap_or_else(|_| "[]".into());
    diesel::insert_into(drafts::table)
        .values((
            drafts::id.eq(&id),
            drafts::index_no.eq(&index_no),
            drafts::doc_number.eq(&f.doc_number),
            drafts::title.eq(&f.title),
            drafts::agency.eq(&f.agency),
            drafts::agency_code.eq(&f.agency_code),
            drafts::category.eq(&f.category),
            drafts::subject_terms.eq(&terms),
            drafts::kind.eq(&f.kind),
            drafts::enterprise_related.eq(f.enterprise_related),
            drafts::summary.eq(&f.summary),
            drafts::state.eq(DraftState::Drafting.as_str()),
            drafts::round.eq(1),
            drafts::timezone.eq(timezone),
            drafts::opens_on.eq(f.opens_on),
            drafts::closes_on.eq(f.closes_on),
            drafts::opens_at.eq(Some(f.opens_at.naive_utc())),
            drafts::closes_at.eq(f.closes_at.naive_utc()),
            drafts::drafter_id.eq(drafter_id),
            drafts::view_count.eq(0i64),
            drafts::search_text.eq(search_text(
                &f.title,
                &index_no,
                f.doc_number.as_deref(),
                &f.subject_terms,
            )),
            drafts::created_at.eq(now.naive_utc()),
            drafts::updated_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    replace_articles(conn, &id, &f.articles)?;
    audit::append(
        conn,
        now,
        &AuditEvent {
            actor: drafter_id,
            action: "draft.created",
            object_type: "draft",
            object_id: &id,
            draft_id: Some(&id),
            details: serde_json::json!({ "index_no": index_no, "title": f.title }),
        },
    )?;
    Ok(id)
}

/// R1: replaces the editable fields (the index number stays); audited. Call inside
/// `write_tx` after checking who and in which state.
pub fn update(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    actor: &str,
    current: &DraftRow,
    f: &DraftFields,
    changed: &[&str],
) -> QueryResult<()> {
    let terms = serde_json::to_string(&f.subject_terms).unwrap_or_else(|_| "[]".into());
    diesel::update(drafts::table.find(&current.id))
        .set((
            drafts::doc_number.eq(&f.doc_number),
            drafts::title.eq(&f.title),
            drafts::agency.eq(&f.agency),
            drafts::agency_code.eq(&f.agency_code),
            drafts::category.eq(&f.category),
            drafts::subject_terms.eq(&terms),
            drafts::kind.eq(&f.kind),
            drafts::enterprise_related.eq(f.enterprise_related),
            drafts::summary.eq(&f.summary),
            drafts::opens_on.eq(f.opens_on),
            drafts::closes_on.eq(f.closes_on),
            drafts::opens_at.eq(Some(f.opens_at.naive_utc())),
            drafts::closes_at.eq(f.closes_at.naive_utc()),
            drafts::search_text.eq(search_text(
                &f.title,
                &current.index_no,
                f.doc_number.as_deref(),
                &f.subject_terms,
            )),
            drafts::updated_at.eq(now.naive_utc()),
            drafts::public_version.eq(drafts::public_version + 1),
        ))
        .execute(conn)?;
    if changed.contains(&"articles") {
        replace_articles(conn, &current.id, &f.articles)?;
    }
    audit::append(
        conn,
        now,
        &AuditEvent {
            actor,
            action: "draft.updated",
            object_type: "draft",
            object_id: &current.id,
            draft_id: Some(&current.id),
            details: serde_json::json!({ "fields": changed }),
        },
    )?;
    Ok(())
}

/// What the public sees of a draft changed (its articles, materials, published comments, a
/// published report…): bumps `drafts.public_version`, which the draft cache
/// (`http::draft_cache`) compares on every node. Call in the same transaction as the change;
/// the updates of the draft's own row in this module bump it in their own statement.
pub fn touch(conn: &mut DbConn, draft_id: &str) -> QueryResult<()> {
    diesel::update(drafts::table.find(draft_id))
        .set(drafts::public_version.eq(drafts::public_version + 1))
        .execute(conn)?;
    super::note_local_write();
    Ok(())
}

/// `touch` for the draft of a comment.
pub fn touch_of_comment(conn: &mut DbConn, comment_id: &str) -> QueryResult<()> {
    diesel::update(
        drafts::table.filter(
            drafts::id.eq_any(
                comments::table
                    .filter(comments::id.eq(comment_id))
                    .select(comments::draft_id),
            ),
        ),
    )
    .set(drafts::public_version.eq(drafts::public_version + 1))
    .execute(conn)?;
    super::note_local_write();
    Ok(())
}

/// What the draft cache reads on a request: the version of the public view and the view
/// count (flushed once a second, so kept out of the version). One primary-key read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicStamp {
    pub version: i64,
    pub view_count: i64,
}

pub fn public_stamp(conn: &mut DbConn, id: &str) -> QueryResult<Option<PublicStamp>> {
    drafts::table
        .find(id)
        .select((drafts::public_version, drafts::view_count))
        .first::<(i64, i64)>(conn)
        .optional()
        .map(|o| {
            o.map(|(version, view_count)| PublicStamp {
                version,
                view_count,
            })
        })
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<DraftRow>> {
    drafts::table
        .find(id)
        .select(DraftRow::as_select())
        .first(conn)
        .optional()
}

/// R8: the articles of `round`: the current round's from `articles`, an ended round's as it
/// was published.
pub fn articles_of_round(conn: &mut DbConn, id: &str, round: i32) -> QueryResult<Vec<Article>> {
    if round == current_round(conn, id)? {
        return articles_of(conn, id);
    }
    round_articles::table
        .filter(round_articles::draft_id.eq(id))
        .filter(round_articles::round.eq(round))
        .order(round_articles::number.asc())
        .select((
            round_articles::number,
            round_articles::heading,
            round_articles::text,
        ))
        .load::<(i32, Option<String>, String)>(conn)
        .map(|rows| {
            rows.into_iter()
                .map(|(number, heading, text)| Article {
                    number,
                    heading,
                    text,
                })
                .collect()
        })
}

/// The articles of the draft's current round.
pub fn articles_of(conn: &mut DbConn, id: &str) -> QueryResult<Vec<Article>> {
    articles::table
        .filter(articles::draft_id.eq(id))
        .order(articles::number.asc())
        .select(Article::as_select())
        .load(conn)
}

pub fn steps_of(conn: &mut DbConn, id: &str) -> QueryResult<Vec<StepRow>> {
    workflow_steps::table
        .filter(workflow_steps::draft_id.eq(id))
        .order((workflow_steps::at.asc(), workflow_steps::id.asc()))
        .select(StepRow::as_select())
        .load(conn)
}

/// The extensions of one round's period (R6, R8).
pub fn extensions_of(conn: &mut DbConn, id: &str, round: i32) -> QueryResult<Vec<ExtensionRow>> {
    period_extensions::table
        .filter(period_extensions::draft_id.eq(id))
        .filter(period_extensions::round.eq(round))
        .order((period_extensions::at.asc(), period_extensions::id.asc()))
        .select(ExtensionRow::as_select())
        .load(conn)
}

/// Published comments of each draft's round, for the given `(draft, round)` pairs.
pub fn published_comment_counts(
    conn: &mut DbConn,
    drafts: &[(String, i32)],
) -> QueryResult<Vec<(String, i64)>> {
    if drafts.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<&str> = drafts.iter().map(|(id, _)| id.as_str()).collect();
    let counts: Vec<(String, i32, i64)> = comments::table
        .filter(comments::draft_id.eq_any(&ids))
        .filter(comments::status.eq("published"))
        .group_by((comments::draft_id, comments::round))
        .select((
            comments::draft_id,
            comments::round,
            diesel::dsl::count_star(),
        ))
        .load(conn)?;
    Ok(drafts
        .iter()
        .map(|(id, round)| {
            let n = counts
                .iter()
                .find(|(d, r, _)| d == id && r == round)
                .map_or(0, |c| c.2);
            (id.clone(), n)
        })
        .collect())
}

/// One review-chain step: the record of R7 (who, when, decision, note, attestation) and
/// the audit entry, written together. Call inside `write_tx`.
#[expect(
    clippy::too_many_arguments,
    reason = "one row of a step or an extension has this many parts"
)]
pub fn record_step(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    draft_id: &str,
    actor: &str,
    action: &str,
    from: DraftState,
    to: DraftState,
    note: Option<&str>,
    attested: bool,
    details: serde_json::Value,
) -> QueryResult<()> {
    let id = new_id(now);
    let round = current_round(conn, draft_id)?;
    diesel::insert_into(workflow_steps::table)
        .values((
            workflow_steps::id.eq(&id),
            workflow_steps::draft_id.eq(draft_id),
            workflow_steps::round.eq(round),
            workflow_steps::at.eq(now.naive_utc()),
            workflow_steps::actor_id.eq(actor),
            workflow_steps::action.eq(action),
            workflow_steps::from_state.eq(from.as_str()),
            workflow_steps::to_state.eq(to.as_str()),
            workflow_steps::note.eq(note),
            workflow_steps::attested.eq(attested),
        ))
        .execute(conn)?;
    // Every step of the chain may change what the public sees (state, window, withdrawal).
    touch(conn, draft_id)?;
    let mut details = details;
    if let Some(map) = details.as_object_mut() {
        map.insert("from".into(), from.as_str().into());
        map.insert("to".into(), to.as_str().into());
        map.insert("attested".into(), attested.into());
        if let Some(n) = note {
            map.insert("note".into(), n.into());
        }
    }
    audit::append(
        conn,
        now,
        &AuditEvent {
            actor,
            action: &format!("draft.{action}"),
            object_type: "draft",
            object_id: draft_id,
            draft_id: Some(draft_id),
            details,
        },
    )?;
    Ok(())
}

/// Moves a draft to `to` only if it is still in `from` (a racing step loses); true when
/// it moved.
pub fn set_state(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    id: &str,
    from: DraftState,
    to: DraftState,
) -> QueryResult<bool> {
    let n = diesel::update(
        drafts::table
            .filter(drafts::id.eq(id))
            .filter(drafts::state.eq(from.as_str())),
    )
    .set((
        drafts::state.eq(to.as_str()),
        drafts::updated_at.eq(now.naive_utc()),
        drafts::public_version.eq(drafts::public_version + 1),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// R7, R19: the draft is concluded (its report was published); `false` when it already was.
pub fn set_concluded(conn: &mut DbConn, now: DateTime<Utc>, id: &str) -> QueryResult<bool> {
    let n = diesel::update(
        drafts::table
            .filter(drafts::id.eq(id))
            .filter(drafts::state.ne("concluded")),
    )
    .set((
        drafts::state.eq("concluded"),
        drafts::concluded_at.eq(now.naive_utc()),
        drafts::updated_at.eq(now.naive_utc()),
        drafts::public_version.eq(drafts::public_version + 1),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// The state of a draft, if it exists.
pub fn state_of(conn: &mut DbConn, id: &str) -> QueryResult<Option<String>> {
    drafts::table
        .find(id)
        .select(drafts::state)
        .first(conn)
        .optional()
}

pub fn set_initial_reviewer(conn: &mut DbConn, id: &str, who: &str) -> QueryResult<usize> {
    diesel::update(drafts::table.find(id))
        .set(drafts::initial_reviewer_id.eq(Some(who)))
        .execute(conn)
}

pub fn set_re_reviewer(conn: &mut DbConn, id: &str, who: &str) -> QueryResult<usize> {
    diesel::update(drafts::table.find(id))
        .set(drafts::re_reviewer_id.eq(Some(who)))
        .execute(conn)
}

/// R4: publication fixes the window from the approval instant.
pub fn set_approved(
    conn: &mut DbConn,
    id: &str,
    who: &str,
    at: DateTime<Utc>,
    opens_at: DateTime<Utc>,
    closes_at: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(drafts::table.find(id))
        .set((
            drafts::approver_id.eq(Some(who)),
            drafts::approved_at.eq(Some(at.naive_utc())),
            drafts::opens_at.eq(Some(opens_at.naive_utc())),
            drafts::closes_at.eq(closes_at.naive_utc()),
            drafts::public_version.eq(drafts::public_version + 1),
        ))
        .execute(conn)
}

/// A return clears the reviewers so that the next round of review starts afresh.
pub fn clear_reviewers(conn: &mut DbConn, id: &str) -> QueryResult<usize> {
    diesel::update(drafts::table.find(id))
        .set((
            drafts::initial_reviewer_id.eq(None::<String>),
            drafts::re_reviewer_id.eq(None::<String>),
        ))
        .execute(conn)
}

pub fn set_withdrawn(
    conn: &mut DbConn,
    id: &str,
    at: DateTime<Utc>,
    reason: &str,
) -> QueryResult<usize> {
    diesel::update(drafts::table.find(id))
        .set((
            drafts::withdrawn_at.eq(Some(at.naive_utc())),
            drafts::withdraw_reason.eq(Some(reason)),
            drafts::public_version.eq(drafts::public_version + 1),
        ))
        .execute(conn)
}

/// R6: records an extension and moves the end of the window.
#[expect(
    clippy::too_many_arguments,
    reason = "one row of a step or an extension has this many parts"
)]
pub fn extend_period(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    id: &str,
    actor: &str,
    previous: NaiveDate,
    new_closes_on: NaiveDate,
    closes_at: DateTime<Utc>,
    reason: &str,
) -> QueryResult<()> {
    let round = current_round(conn, id)?;
    diesel::insert_into(period_extensions::table)
        .values((
            period_extensions::id.eq(new_id(now)),
            period_extensions::draft_id.eq(id),
            period_extensions::round.eq(round),
            period_extensions::at.eq(now.naive_utc()),
            period_extensions::actor_id.eq(actor),
            period_extensions::previous_closes_on.eq(previous),
            period_extensions::new_closes_on.eq(new_closes_on),
            period_extensions::reason.eq(reason),
        ))
        .execute(conn)?;
    diesel::update(drafts::table.find(id))
        .set((
            drafts::closes_on.eq(new_closes_on),
            drafts::closes_at.eq(closes_at.naive_utc()),
            drafts::updated_at.eq(now.naive_utc()),
            drafts::public_version.eq(drafts::public_version + 1),
        ))
        .execute(conn)?;
    Ok(())
}

/// The list filters of `GET /api/v1/drafts` and of the draft pages.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub phase: Option<Phase>,
    pub q: Option<String>,
    pub agency: Option<String>,
    pub category: Option<String>,
    /// One workflow state (staff lists).
    pub state: Option<String>,
    pub order: ListOrder,
}

/// The order of a list of drafts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ListOrder {
    /// Newest first (the API's order).
    #[default]
    Newest,
    /// The window that closes first comes first (open drafts on the home page).
    ClosingFirst,
    /// The window that closed last comes first (recently closed drafts).
    ClosedLast,
}

/// `%…%` with LIKE's wildcards escaped.
fn like_pattern(q: &str) -> String {
    let mut out = String::from("%");
    for c in q.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

fn filtered<'a>(
    viewer: &Viewer,
    filter: &ListFilter,
    now: DateTime<Utc>,
) -> drafts::BoxedQuery<'a, MultiBackend> {
    let me = match viewer {
        Viewer::Public => String::new(),
        Viewer::Staff { id, .. } => id.clone(),
    };
    let states = viewer.visible_states();
    let mut query = drafts::table
        .filter(
            drafts::state
                .eq_any(states)
                .or(drafts::drafter_id.eq(me.clone()))
                .or(drafts::initial_reviewer_id.eq(me.clone()).assume_not_null())
                .or(drafts::re_reviewer_id.eq(me.clone()).assume_not_null())
                .or(drafts::approver_id.eq(me).assume_not_null())
                // R8: a later round in preparation leaves the ended one public.
                .or(drafts::round.gt(1)),
        )
        .into_boxed();
    let now = now.naive_utc();
    let published = DraftState::Published.as_str();
    match filter.phase {
        Some(Phase::Open) => {
            query = query.filter(
                drafts::state
                    .eq(published)
                    .and(drafts::opens_at.le(now).assume_not_null())
                    .and(drafts::closes_at.gt(now)),
            )
        }
        Some(Phase::Scheduled) => {
            query = query.filter(
                drafts::state
                    .eq(published)
                    .and(drafts::opens_at.gt(now).assume_not_null()),
            )
        }
        Some(Phase::Closed) => {
            query = query.filter(
                drafts::state
                    .eq(published)
                    .and(drafts::closes_at.le(now))
                    .or(drafts::state.eq_any([
                        DraftState::Withdrawn.as_str(),
                        DraftState::Concluded.as_str(),
                    ])),
            )
        }
        None => {}
    }
    if let Some(q) = filter.q.as_deref().filter(|q| !q.trim().is_empty()) {
        query = query.filter(
            drafts::search_text
                .like(like_pattern(q.trim()))
                .escape('\\'),
        );
    }
    if let Some(a) = &filter.agency {
        query = query.filter(drafts::agency.eq(a.clone()));
    }
    if let Some(c) = &filter.category {
        query = query.filter(drafts::category.eq(c.clone()));
    }
    if let Some(s) = &filter.state {
        query = query.filter(drafts::state.eq(s.clone()));
    }
    query
}

/// One page of the drafts `viewer` may see, newest first, and the total.
pub fn list(
    conn: &mut DbConn,
    viewer: &Viewer,
    filter: &ListFilter,
    now: DateTime<Utc>,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<DraftRow>, i64)> {
    let total: i64 = filtered(viewer, filter, now).count().get_result(conn)?;
    let query = filtered(viewer, filter, now);
    let query = match filter.order {
        ListOrder::Newest => query.order((drafts::created_at.desc(), drafts::id.desc())),
        ListOrder::ClosingFirst => query.order((drafts::closes_at.asc(), drafts::id.asc())),
        ListOrder::ClosedLast => query.order((drafts::closes_at.desc(), drafts::id.desc())),
    };
    let rows: Vec<DraftRow> = query
        .offset(offset)
        .limit(limit)
        .select(DraftRow::as_select())
        .load(conn)?;
    // Each as this viewer sees it: a later round they may not see yet reads as the one before.
    let mut seen = Vec::with_capacity(rows.len());
    for d in rows {
        if let Some(d) = view_of_round(conn, d, viewer, None)? {
            seen.push(d);
        }
    }
    Ok((seen, total))
}

/// The agencies and categories of the drafts `viewer` may see, sorted (the choices of the
/// list page's filters).
pub fn facets(
    conn: &mut DbConn,
    viewer: &Viewer,
    now: DateTime<Utc>,
) -> QueryResult<(Vec<String>, Vec<String>)> {
    let all = ListFilter::default();
    let agencies = filtered(viewer, &all, now)
        .select(drafts::agency)
        .distinct()
        .order(drafts::agency.asc())
        .load(conn)?;
    let categories = filtered(viewer, &all, now)
        .select(drafts::category)
        .distinct()
        .order(drafts::category.asc())
        .load(conn)?;
    Ok((agencies, categories))
}

/// Adds counted views (batched in memory by the job loop) to the stored view counts.
pub fn add_views(conn: &mut DbConn, counts: &[(String, i64)]) -> QueryResult<()> {
    super::write_tx(conn, |conn| {
        for (id, n) in counts {
            diesel::update(drafts::table.find(id))
                .set(drafts::view_count.eq(drafts::view_count + *n))
                .execute(conn)?;
        }
        Ok(())
    })
}

/// R8: the round a draft is in now (0 for a draft that does not exist).
pub fn current_round(conn: &mut DbConn, id: &str) -> QueryResult<i32> {
    drafts::table
        .find(id)
        .select(drafts::round)
        .first(conn)
        .optional()
        .map(|r| r.unwrap_or(0))
}

/// R8: a round that has ended, as it was when the next one opened.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = draft_rounds)]
pub struct EndedRound {
    pub draft_id: String,
    pub round: i32,
    pub summary: String,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub opens_at: Option<NaiveDateTime>,
    pub closes_at: NaiveDateTime,
    pub approved_at: Option<NaiveDateTime>,
    pub concluded_at: Option<NaiveDateTime>,
    pub ended_at: NaiveDateTime,
    pub ended_by: String,
}

pub fn ended_round(conn: &mut DbConn, id: &str, round: i32) -> QueryResult<Option<EndedRound>> {
    draft_rounds::table
        .find((id, round))
        .select(EndedRound::as_select())
        .first(conn)
        .optional()
}

impl DraftRow {
    /// The draft as it read in an ended round: that round's number, summary, period and
    /// approval, concluded; everything else (title, agency, index number) is the draft's.
    pub fn as_of(&self, ended: &EndedRound) -> DraftRow {
        DraftRow {
            round: ended.round,
            summary: ended.summary.clone(),
            state: DraftState::Concluded.as_str().to_owned(),
            opens_on: ended.opens_on,
            closes_on: ended.closes_on,
            opens_at: ended.opens_at,
            closes_at: ended.closes_at,
            approved_at: ended.approved_at,
            concluded_at: ended.concluded_at,
            withdrawn_at: None,
            withdraw_reason: None,
            ..self.clone()
        }
    }
}

/// R8: what the public sees of a draft: its current round once published; while a later
/// round is being drafted and reviewed, the round before it as it ended; nothing for a first
/// round before publication.
pub fn public_view_of(conn: &mut DbConn, d: DraftRow) -> QueryResult<Option<DraftRow>> {
    if Viewer::Public.can_see(&d) {
        return Ok(Some(d));
    }
    if d.round <= 1 {
        return Ok(None);
    }
    Ok(ended_round(conn, &d.id, d.round - 1)?.map(|e| d.as_of(&e)))
}

/// `find`, as the public sees it (`public_view_of`).
pub fn find_public(conn: &mut DbConn, id: &str) -> QueryResult<Option<DraftRow>> {
    match find(conn, id)? {
        Some(d) => public_view_of(conn, d),
        None => Ok(None),
    }
}

/// R8: the draft `d`, as `viewer` reads `round` of it: the current round as it stands (for
/// whoever may see it), an ended round as it was published (for anyone who may see the
/// draft at all). `None` when the round does not exist or is not theirs to see.
pub fn view_of_round(
    conn: &mut DbConn,
    d: DraftRow,
    viewer: &Viewer,
    round: Option<i32>,
) -> QueryResult<Option<DraftRow>> {
    let visible = if viewer.can_see(&d) {
        Some(d)
    } else {
        public_view_of(conn, d)?
    };
    let Some(d) = visible else { return Ok(None) };
    match round {
        None => Ok(Some(d)),
        Some(r) if r == d.round => Ok(Some(d)),
        Some(r) if r >= 1 && r < d.round => Ok(ended_round(conn, &d.id, r)?.map(|e| d.as_of(&e))),
        Some(_) => Ok(None),
    }
}

/// R8: ends the current round of `d` and opens the next in `drafting`, with the new text and
/// period of `f` (the other fields stay). The ended round is kept with its text; the review
/// chain starts again. Audited. Call inside `write_tx` after checking who and when.
pub fn open_next_round(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    actor: &str,
    d: &DraftRow,
    f: &DraftFields,
) -> QueryResult<i32> {
    diesel::insert_into(draft_rounds::table)
        .values((
            draft_rounds::draft_id.eq(&d.id),
            draft_rounds::round.eq(d.round),
            draft_rounds::summary.eq(&d.summary),
            draft_rounds::opens_on.eq(d.opens_on),
            draft_rounds::closes_on.eq(d.closes_on),
            draft_rounds::opens_at.eq(d.opens_at),
            draft_rounds::closes_at.eq(d.closes_at),
            draft_rounds::approved_at.eq(d.approved_at),
            draft_rounds::concluded_at.eq(d.concluded_at),
            draft_rounds::ended_at.eq(now.naive_utc()),
            draft_rounds::ended_by.eq(actor),
        ))
        .execute(conn)?;
    for a in articles_of(conn, &d.id)? {
        diesel::insert_into(round_articles::table)
            .values((
                round_articles::draft_id.eq(&d.id),
                round_articles::round.eq(d.round),
                round_articles::number.eq(a.number),
                round_articles::heading.eq(&a.heading),
                round_articles::text.eq(&a.text),
            ))
            .execute(conn)?;
    }
    replace_articles(conn, &d.id, &f.articles)?;
    let next = d.round + 1;
    diesel::update(drafts::table.find(&d.id))
        .set((
            drafts::round.eq(next),
            drafts::state.eq(DraftState::Drafting.as_str()),
            drafts::summary.eq(&f.summary),
            drafts::opens_on.eq(f.opens_on),
            drafts::closes_on.eq(f.closes_on),
            drafts::opens_at.eq(Some(f.opens_at.naive_utc())),
            drafts::closes_at.eq(f.closes_at.naive_utc()),
            drafts::initial_reviewer_id.eq(None::<String>),
            drafts::re_reviewer_id.eq(None::<String>),
            drafts::approver_id.eq(None::<String>),
            drafts::approved_at.eq(None::<NaiveDateTime>),
            drafts::concluded_at.eq(None::<NaiveDateTime>),
            drafts::updated_at.eq(now.naive_utc()),
            drafts::public_version.eq(drafts::public_version + 1),
        ))
        .execute(conn)?;
    super::note_local_write();
    audit::append(
        conn,
        now,
        &AuditEvent {
            actor,
            action: "draft.round_opened",
            object_type: "draft",
            object_id: &d.id,
            draft_id: Some(&d.id),
            details: serde_json::json!({
                "round": next,
                "articles": f.articles.len(),
                "opens_on": f.opens_on.to_string(),
                "closes_on": f.closes_on.to_string(),
            }),
        },
    )?;
    Ok(next)
}
