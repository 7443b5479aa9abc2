//! R22: events caused by the clock alone: a draft's window opened, it closes within
//! `window.closing_soon_days`, its report is due soon or overdue. Each is claimed in
//! `mail_events` (unique per draft, kind and round) in the transaction that queues its mail,
//! so it happens exactly once however many nodes scan.

use chrono::{DateTime, TimeDelta, Utc};
use diesel::dsl::{exists, not};
use diesel::prelude::*;

use crate::config::Config;
use crate::db::schema::{drafts, mail_events};
use crate::db::{self, DbConn, Pool};
use crate::domain::mail::{ReportReminder, due_reminder, report_due};
use crate::mail::events;

/// Drafts looked at per kind per pass.
const BATCH: i64 = 200;

/// One scan: queues the mail of every event the clock has caused since the last one, using
/// `window.closing_soon_days`, `review.report_due_days` and `site.default_locale`.
pub fn run(pool: &Pool, config: &Config, now: DateTime<Utc>) -> anyhow::Result<()> {
    let mut conn = pool.get()?;
    let at = now.naive_utc();
    macro_rules! without_event {
        ($kind:expr) => {
            not(exists(
                mail_events::table
                    .filter(mail_events::draft_id.eq(drafts::id))
                    .filter(mail_events::kind.eq($kind))
                    .filter(mail_events::round.eq(drafts::round)),
            ))
        };
    }

    // Opened: published, and the window contains now (scheduled drafts are caught when
    // their time comes, by this same query).
    let opened: Vec<(String, i32)> = drafts::table
        .filter(drafts::state.eq("published"))
        .filter(drafts::opens_at.le(at))
        .filter(drafts::closes_at.gt(at))
        .filter(without_event!("opened"))
        .select((drafts::id, drafts::round))
        .limit(BATCH)
        .load(&mut conn)?;
    for (id, round) in opened {
        once(&mut conn, now, &id, "opened", round, |c| {
            events::draft_opened(c, now, &id)
        })?;
    }

    let soon = (now + TimeDelta::days(i64::from(config.window.closing_soon_days))).naive_utc();
    let closing: Vec<(String, i32)> = drafts::table
        .filter(drafts::state.eq("published"))
        .filter(drafts::opens_at.le(at))
        .filter(drafts::closes_at.gt(at))
        .filter(drafts::closes_at.le(soon))
        .filter(without_event!("closing_soon"))
        .select((drafts::id, drafts::round))
        .limit(BATCH)
        .load(&mut conn)?;
    for (id, round) in closing {
        once(&mut conn, now, &id, "closing_soon", round, |c| {
            events::draft_closing_soon(c, now, &id)
        })?;
    }

    // Report reminders: still `published` (a published report makes the draft `concluded`)
    // and past the first reminder's time.
    let due_days = config.review.report_due_days;
    let earliest_close =
        (now + TimeDelta::weeks(4) - TimeDelta::days(i64::from(due_days))).naive_utc();
    let waiting: Vec<(String, i32, chrono::NaiveDateTime)> = drafts::table
        .filter(drafts::state.eq("published"))
        .filter(drafts::closes_at.le(earliest_close))
        .filter(without_event!(ReportReminder::Overdue.event_kind()))
        .select((drafts::id, drafts::round, drafts::closes_at))
        .limit(BATCH)
        .load(&mut conn)?;
    let locale = config.site.default_locale.clone();
    for (id, round, closes_at) in waiting {
        let due = report_due(closes_at.and_utc(), due_days);
        let Some(stage) = due_reminder(due, now) else {
            continue;
        };
        let result = db::write_tx(&mut conn, |c| -> QueryResult<()> {
            // Earlier stages that were never sent are marked done without a mail: only the
            // latest one is worth sending.
            for earlier in ReportReminder::ALL.iter().take_while(|s| **s != stage) {
                events::claim_event(c, now, &id, earlier.event_kind(), round)?;
            }
            if events::claim_event(c, now, &id, stage.event_kind(), round)? {
                events::report_reminder(c, now, &id, stage, due, &locale)?;
            }
            Ok(())
        });
        skip_lost_race(result)?;
    }
    Ok(())
}

/// Claims the event and queues its mail in one transaction.
fn once(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    draft_id: &str,
    kind: &str,
    round: i32,
    queue: impl FnOnce(&mut DbConn) -> QueryResult<usize>,
) -> anyhow::Result<()> {
    let result = db::write_tx(conn, |c| -> QueryResult<()> {
        if events::claim_event(c, now, draft_id, kind, round)? {
            let n = queue(c)?;
            tracing::info!(draft.id = %draft_id, event = kind, queued = n, "notification event");
        }
        Ok(())
    });
    skip_lost_race(result)
}

/// Another node inserted the same event first: nothing to do.
fn skip_lost_race(result: QueryResult<()>) -> anyhow::Result<()> {
    match result {
        Err(e) if db::is_unique_violation(&e) => Ok(()),
        other => Ok(other?),
    }
}
