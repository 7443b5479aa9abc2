//! R26: appending to and verifying the audit chain.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::DbConn;
use super::schema::{audit_head, audit_log};
use crate::domain::audit::{ChainBreak, ChainFields, ChainVerifier, entry_hash};

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = audit_log)]
pub struct AuditEntry {
    pub seq: i64,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub at: NaiveDateTime,
    pub actor: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub draft_id: Option<String>,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEntry {
    fn fields(&self) -> ChainFields<'_> {
        ChainFields {
            seq: self.seq,
            at: self.at.and_utc(),
            actor: &self.actor,
            action: &self.action,
            object_type: &self.object_type,
            object_id: &self.object_id,
            draft_id: self.draft_id.as_deref(),
            details: &self.details,
            prev_hash: &self.prev_hash,
        }
    }
}

/// What happened, by whom, to what. `actor` is a user id, or `system` / `cli` for work not
/// done by a signed-in person.
#[derive(Debug, Clone)]
pub struct AuditEvent<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: &'a str,
    pub draft_id: Option<&'a str>,
    pub details: serde_json::Value,
}

/// Appends one entry. Call it inside the transaction that makes the change, so the entry
/// exists exactly when the change does. The head row update comes first: it is the lock that
/// serialises appends on PostgreSQL (SQLite write transactions are serial already).
pub fn append(conn: &mut DbConn, now: DateTime<Utc>, event: &AuditEvent<'_>) -> QueryResult<i64> {
    diesel::update(audit_head::table.find(1))
        .set(audit_head::seq.eq(audit_head::seq + 1))
        .execute(conn)?;
    let (seq, prev_hash): (i64, String) = audit_head::table
        .find(1)
        .select((audit_head::seq, audit_head::hash))
        .first(conn)?;
    // serde_json's map is ordered, so the stored text is canonical.
    let details = event.details.to_string();
    let fields = ChainFields {
        seq,
        at: now,
        actor: event.actor,
        action: event.action,
        object_type: event.object_type,
        object_id: event.object_id,
        draft_id: event.draft_id,
        details: &details,
        prev_hash: &prev_hash,
    };
    let hash = entry_hash(&fields);
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::seq.eq(seq),
            audit_log::at.eq(now.naive_utc()),
            audit_log::actor.eq(event.actor),
            audit_log::action.eq(event.action),
            audit_log::object_type.eq(event.object_type),
            audit_log::object_id.eq(event.object_id),
            audit_log::draft_id.eq(event.draft_id),
            audit_log::details.eq(&details),
            audit_log::prev_hash.eq(&prev_hash),
            audit_log::hash.eq(&hash),
        ))
        .execute(conn)?;
    diesel::update(audit_head::table.find(1))
        .set(audit_head::hash.eq(&hash))
        .execute(conn)?;
    Ok(seq)
}

/// The entries about one draft, oldest first.
pub fn for_draft(conn: &mut DbConn, draft_id: &str) -> QueryResult<Vec<AuditEntry>> {
    audit_log::table
        .filter(audit_log::draft_id.eq(draft_id))
        .order(audit_log::seq.asc())
        .select(AuditEntry::as_select())
        .load(conn)
}

/// Walks the whole chain in pages. `Ok(n)` is the number of entries checked.
pub fn verify(conn: &mut DbConn) -> QueryResult<Result<i64, ChainBreak>> {
    const PAGE: i64 = 5_000;
    let mut verifier = ChainVerifier::default();
    let mut after = 0i64;
    loop {
        let page: Vec<AuditEntry> = audit_log::table
            .filter(audit_log::seq.gt(after))
            .order(audit_log::seq.asc())
            .limit(PAGE)
            .select(AuditEntry::as_select())
            .load(conn)?;
        for entry in &page {
            if let Err(e) = verifier.check(&entry.fields(), &entry.hash) {
                return Ok(Err(e));
            }
        }
        match page.last() {
            Some(last) if page.len() as i64 == PAGE => after = last.seq,
            _ => break,
        }
    }
    let (head_seq, head_hash): (i64, String) = audit_head::table
        .find(1)
        .select((audit_head::seq, audit_head::hash))
        .first(conn)?;
    Ok(verifier.finish(head_seq, &head_hash))
}

/// One page of the audit log, newest first, filtered by object (type, id) and actor.
pub fn page(
    conn: &mut DbConn,
    object_type: Option<&str>,
    object_id: Option<&str>,
    actor: Option<&str>,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<AuditEntry>, i64)> {
    let filtered = || {
        let mut q = audit_log::table.into_boxed::<super::MultiBackend>();
        if let Some(t) = object_type {
            q = q.filter(audit_log::object_type.eq(t.to_string()));
        }
        if let Some(id) = object_id {
            q = q.filter(
                audit_log::object_id
                    .eq(id.to_string())
                    .or(audit_log::draft_id.eq(id.to_string())),
            );
        }
        if let Some(a) = actor {
            q = q.filter(audit_log::actor.eq(a.to_string()));
        }
        q
    };
    let total = filtered().count().get_result::<i64>(conn)?;
    let items = filtered()
        .order(audit_log::seq.desc())
        .offset(offset)
        .limit(limit)
        .select(AuditEntry::as_select())
        .load(conn)?;
    Ok((items, total))
}
