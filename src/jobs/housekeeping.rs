//! Removes what has expired: bearer tokens past their expiry, idempotency keys past 24 h (R11),
//! staff sessions and set-password links past their end, and sign-in attempts older than a day
//! (the throttle looks back minutes; the audit log keeps the failures for good).

use chrono::{DateTime, TimeDelta, Utc};
use diesel::prelude::*;

use crate::db::Pool;
use crate::db::schema::api_tokens;

pub fn run(pool: &Pool, now: DateTime<Utc>) -> anyhow::Result<()> {
    let mut conn = pool.get()?;
    // Keep expired tokens a day so that a late request still gets a clear 401 in logs.
    let cutoff = (now - TimeDelta::days(1)).naive_utc();
    diesel::delete(api_tokens::table.filter(api_tokens::expires_at.lt(cutoff)))
        .execute(&mut conn)?;
    crate::db::comments::purge_idempotency_keys(&mut conn, now)?;
    crate::db::sessions::purge(&mut conn, now)?;
    Ok(())
}
