//! The officers' export of a round's comments, contact fields included (staff only; R13 keeps
//! them out of every public export). Allowed to the drafters of the draft's agency and to
//! administrators (`access::Act::Export`); every export is audited as `comments.exported` before the first byte
//! leaves. The rows themselves are read in pages by the caller (`db::exports::rows_after`).

use chrono::{DateTime, Utc};
use serde_json::json;

use super::Actor;
use crate::db::audit::{self, AuditEvent};
use crate::db::{self, DbConn, exports, review};
use crate::domain::roles::Role;
use crate::error::{AppError, AppResult};

/// The roles that may export a draft's comments.
pub const EXPORTERS: [Role; 2] = [Role::Drafter, Role::Admin];

/// What an export covers.
#[derive(Debug, Clone)]
pub struct ExportScope {
    pub draft_id: String,
    pub round: i32,
    pub rows: i64,
}

/// Checks who asks, records the export (`format`: `csv` or `xlsx`) in the audit chain and
/// returns the round to read.
pub fn begin_export(
    conn: &mut DbConn,
    actor: &Actor,
    now: DateTime<Utc>,
    draft_id: &str,
    format: &str,
) -> AppResult<ExportScope> {
    actor.require(&EXPORTERS)?;
    db::write_tx(conn, |conn| {
        let draft = review::draft(conn, draft_id)?.ok_or_else(AppError::not_found)?;
        // The export carries the contact fields.
        actor.may(conn, super::access::Act::Export, &draft)?;
        let rows = exports::count(conn, &draft.id, draft.round)?;
        audit::append(
            conn,
            now,
            &AuditEvent {
                actor: &actor.id,
                action: "comments.exported",
                object_type: "draft",
                object_id: &draft.id,
                draft_id: Some(&draft.id),
                details: json!({"format": format, "round": draft.round, "rows": rows}),
            },
        )?;
        Ok(ExportScope {
            draft_id: draft.id,
            round: draft.round,
            rows,
        })
    })
}
