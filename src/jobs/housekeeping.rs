//! Removes what has expired: bearer tokens past their expiry, idempotency keys past 24 h (R11),
//! staff sessions and set-password links past their end, and sign-in attempts older than a day
//! (the throttle looks back minutes; the audit log keeps the failures for good), per-minute
//! counts of busy clients older than two hours (R15), and sent mails older than
//! `mail.keep_sent_days`.

use chrono::{DateTime, TimeDelta, Utc};
use diesel::prelude::*;

use crate::config::Config;
use crate::db::Pool;
use crate::db::schema::api_tokens;

/// Sent mails deleted per statement, and statements per pass: a long backlog goes over
/// several ticks in short transactions.
const PURGE_BATCH: i64 = 1000;
const PURGE_ROUNDS: usize = 10;

pub fn run(pool: &Pool, config: &Config, now: DateTime<Utc>) -> anyhow::Result<()> {
    let mut conn = pool.get()?;
    // Keep expired tokens a day so that a late request still gets a clear 401 in logs.
    let cutoff = (now - TimeDelta::days(1)).naive_utc();
    diesel::delete(api_tokens::table.filter(api_tokens::expires_at.lt(cutoff)))
        .execute(&mut conn)?;
    crate::db::comments::purge_idempotency_keys(&mut conn, now)?;
    crate::db::sessions::purge(&mut conn, now)?;
    crate::db::client_minutes::purge(&mut conn, now.naive_utc())?;
    if config.mail.keep_sent_days > 0 {
        let before = (now - TimeDelta::days(i64::from(config.mail.keep_sent_days))).naive_utc();
        for _ in 0..PURGE_ROUNDS {
            if crate::db::outbox::purge_sent(&mut conn, before, PURGE_BATCH)? < PURGE_BATCH as usize
            {
                break;
            }
        }
    }
    Ok(())
}
