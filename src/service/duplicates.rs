//! Duplicate flags for moderators (docs/security.md, "Abuse and privacy"): a background pass
//! reads new comments by cursor and flags each one whose client (the same client key or the
//! same normalised email) already sent the same text, or nearly the same
//! (`abuse.duplicate_similarity`), on the same draft. A flag only informs the moderation
//! queue; nothing is refused or hidden.

use chrono::{DateTime, TimeDelta, Utc};

use super::Actor;
use crate::config::Config;
use crate::db::duplicates::{self as q, DuplicateFlag};
use crate::db::{self, DbConn, meaning};
use crate::domain::duplicates;
use crate::domain::roles::Role;
use crate::error::AppResult;

/// The scan's name in `job_cursors`.
const CURSOR: &str = "duplicate_flags";
/// Comments read per pass.
const BATCH: i64 = 500;
/// Earlier comments of one client compared with a new one.
const EARLIER: i64 = 50;
/// How long after its id was made a comment is read (seconds): time for its batch to be
/// committed.
pub const SETTLE_SECONDS: i64 = 10;

/// One pass: flags the duplicates among the comments since the cursor and moves it on, in
/// one transaction (another node that read the same comments loses the cursor and writes
/// nothing). Returns how many comments were flagged.
pub fn scan(conn: &mut DbConn, config: &Config, now: DateTime<Utc>) -> AppResult<usize> {
    if !config.abuse.duplicate_flags {
        return Ok(0);
    }
    let threshold = config.abuse.duplicate_similarity;
    let from = meaning::cursor(conn, CURSOR)?;
    let batch = q::comments_after(conn, &from, now - TimeDelta::seconds(SETTLE_SECONDS), BATCH)?;
    let Some(last) = batch.last().map(|c| c.id.clone()) else {
        return Ok(0);
    };
    // The earlier comments are read in one transaction, each read in its index's order.
    let flags = diesel::Connection::transaction(conn, |conn| {
        db::prefer_index_order(conn)?;
        let mut flags = Vec::new();
        for c in &batch {
            let earlier = q::earlier_of_client(conn, c, EARLIER)?;
            let texts: Vec<&str> = earlier.iter().map(|e| e.2.as_str()).collect();
            if let Some((i, kind, similarity)) = duplicates::find(&c.body, &texts, threshold) {
                let (id, tracking, _, at) = &earlier[i];
                flags.push(DuplicateFlag {
                    comment_id: c.id.clone(),
                    draft_id: c.draft_id.clone(),
                    duplicate_of: id.clone(),
                    duplicate_of_tracking: tracking.clone(),
                    kind: kind.as_str().to_string(),
                    similarity,
                    seconds_apart: (c.submitted_at - *at).num_seconds().max(0),
                    created_at: now.naive_utc(),
                });
            }
        }
        Ok::<_, diesel::result::Error>(flags)
    })?;
    let flagged = db::write_tx(conn, |conn| {
        if !meaning::advance_cursor(conn, now, CURSOR, &from, &last)? {
            return Ok::<_, diesel::result::Error>(0);
        }
        q::insert(conn, &flags)
    })?;
    if flagged > 0 {
        tracing::info!(flagged, "duplicate comments flagged for moderators");
    }
    Ok(flagged)
}

/// The flags of these comments (the moderation queue shows them; moderators only).
pub fn of_comments(
    conn: &mut DbConn,
    actor: &Actor,
    ids: &[String],
) -> AppResult<Vec<DuplicateFlag>> {
    actor.require(&[Role::Moderator])?;
    Ok(q::of_comments(conn, ids)?)
}

/// One page of flags, of one draft or all (moderators only).
pub fn list(
    conn: &mut DbConn,
    actor: &Actor,
    draft_id: Option<&str>,
    offset: i64,
    limit: i64,
) -> AppResult<(Vec<DuplicateFlag>, i64)> {
    actor.require(&[Role::Moderator])?;
    // The flags of the moderator's agencies' drafts only (R29).
    let agencies = actor.agency_scope(conn)?;
    Ok(q::list(conn, agencies.as_deref(), draft_id, offset, limit)?)
}
