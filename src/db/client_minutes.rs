//! R15 on PostgreSQL for a client that sends more in an hour than the direct count reads.
//!
//! The writer decides a client's next comment from its newest `limit` comments of the hour
//! (`comments::windows_of_clients`). Read straight from the `comments_client` index, that
//! costs one index entry per comment, up to the limit: nothing with the default limit (30), but
//! a trusted proxy or a carrier NAT whose limit the operator raised to millions would cost the
//! writer its whole hour on every batch. So the direct count reads at most [`DIRECT`] entries;
//! a client that has more in its hour is counted per minute instead (`client_minutes`, at
//! most 61 rows for an hour), and the index is read only inside the one or two minutes where
//! the hour begins or the limit is reached.
//!
//! The counts stay exact because every change happens under the client's limit lock (the
//! advisory lock every writer of every node takes before counting a client):
//! - a client is *tallied* while it has a count row in its hour; every writer that stores a
//!   comment of a tallied client adds it to its minute's count in the same transaction;
//! - a client that is not tallied and has more than [`DIRECT`] comments in its hour has its
//!   counts rebuilt from `comments` (its old rows deleted), once, by the writer that finds it
//!   so;
//! - housekeeping deletes rows older than two hours, which no window reaches.

use chrono::{NaiveDateTime, TimeDelta, Timelike};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Integer, Nullable, Text, Timestamp};

use super::DbConn;
use super::schema::client_minutes;

/// The most index entries of one client the direct count reads.
pub const DIRECT: usize = 100;

const MINUTE: TimeDelta = TimeDelta::minutes(1);

/// The minute `at` falls in.
pub fn minute_of(at: NaiveDateTime) -> NaiveDateTime {
    at - TimeDelta::seconds(i64::from(at.second()))
        - TimeDelta::nanoseconds(i64::from(at.nanosecond()))
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = Timestamp)]
    minute: NaiveDateTime,
    #[diesel(sql_type = Integer)]
    n: i32,
}

#[derive(QueryableByName)]
struct Newest {
    #[diesel(sql_type = BigInt)]
    n: i64,
    #[diesel(sql_type = Nullable<Timestamp>)]
    oldest: Option<NaiveDateTime>,
}

/// Counts `client`'s comments per minute from `since`'s minute on, replacing whatever it
/// had: the client has just been found busy without counts in its hour.
pub fn rebuild(c: &mut PgConnection, client: &str, since: NaiveDateTime) -> QueryResult<()> {
    diesel::sql_query("DELETE FROM client_minutes WHERE client_key = $1")
        .bind::<Text, _>(client)
        .execute(c)?;
    diesel::sql_query(
        "INSERT INTO client_minutes (client_key, minute, n) \
         SELECT client_key, date_trunc('minute', submitted_at), count(*) FROM comments \
         WHERE client_key = $1 AND submitted_at >= $2 GROUP BY 1, 2",
    )
    .bind::<Text, _>(client)
    .bind::<Timestamp, _>(minute_of(since))
    .execute(c)?;
    Ok(())
}

/// The window of a tallied client: how many of its newest `limit` comments were submitted
/// after `since`, and the oldest of those (as `comments::windows_of_clients`).
pub fn window(
    c: &mut PgConnection,
    client: &str,
    since: NaiveDateTime,
    limit: usize,
) -> QueryResult<(i64, Option<NaiveDateTime>)> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let counts: Vec<Count> = diesel::sql_query(
        "SELECT minute, n FROM client_minutes WHERE client_key = $1 AND minute >= $2 \
         ORDER BY minute DESC",
    )
    .bind::<Text, _>(client)
    .bind::<Timestamp, _>(minute_of(since))
    .load(c)?;
    let mut count = 0;
    for minute in counts {
        let whole = minute.minute > since;
        if whole && count + i64::from(minute.n) < limit {
            count += i64::from(minute.n);
            continue;
        }
        // The limit is reached in this minute, or the hour begins inside it: read the
        // index there, at most the rest of the limit.
        let newest = newest_before(c, client, since, minute.minute + MINUTE, limit - count)?;
        count += newest.n;
        if count >= limit {
            return Ok((limit, newest.oldest));
        }
    }
    if count == 0 {
        return Ok((0, None));
    }
    // Below the limit: the oldest of the hour, one probe of the index.
    let first: Newest = diesel::sql_query(
        "SELECT 0::bigint AS n, min(submitted_at) AS oldest FROM comments \
         WHERE client_key = $1 AND submitted_at > $2",
    )
    .bind::<Text, _>(client)
    .bind::<Timestamp, _>(since)
    .get_result(c)?;
    Ok((count, first.oldest))
}

/// How many of `client`'s newest `k` comments before `before` are after `since`, and the
/// oldest of them: at most `k` index entries.
fn newest_before(
    c: &mut PgConnection,
    client: &str,
    since: NaiveDateTime,
    before: NaiveDateTime,
    k: i64,
) -> QueryResult<Newest> {
    diesel::sql_query(
        "SELECT count(*) AS n, min(submitted_at) AS oldest FROM (SELECT submitted_at \
         FROM comments WHERE client_key = $1 AND submitted_at > $2 AND submitted_at < $3 \
         ORDER BY submitted_at DESC LIMIT $4) AS newest",
    )
    .bind::<Text, _>(client)
    .bind::<Timestamp, _>(since)
    .bind::<Timestamp, _>(before)
    .bind::<BigInt, _>(k)
    .get_result(c)
}

/// Adds comments just stored (client and submission time) to their minutes' counts.
pub fn add(conn: &mut DbConn, stored: &[(&str, NaiveDateTime)]) -> QueryResult<()> {
    let DbConn::Pg(c) = conn else {
        return Ok(());
    };
    let mut counts: std::collections::BTreeMap<(&str, NaiveDateTime), i32> = Default::default();
    for (client, at) in stored {
        *counts.entry((client, minute_of(*at))).or_insert(0) += 1;
    }
    if counts.is_empty() {
        return Ok(());
    }
    let mut clients = Vec::with_capacity(counts.len());
    let mut minutes = Vec::with_capacity(counts.len());
    let mut ns = Vec::with_capacity(counts.len());
    for ((client, minute), n) in counts {
        clients.push(client);
        minutes.push(minute);
        ns.push(n);
    }
    diesel::sql_query(
        "INSERT INTO client_minutes (client_key, minute, n) \
         SELECT * FROM unnest($1::text[], $2::timestamp[], $3::integer[]) \
         ON CONFLICT (client_key, minute) DO UPDATE SET n = client_minutes.n + EXCLUDED.n",
    )
    .bind::<Array<Text>, _>(clients)
    .bind::<Array<Timestamp>, _>(minutes)
    .bind::<Array<Integer>, _>(ns)
    .execute(c)?;
    Ok(())
}

/// Housekeeping: counts older than two hours, which no window reaches.
pub fn purge(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(
        client_minutes::table.filter(client_minutes::minute.lt(now - TimeDelta::hours(2))),
    )
    .execute(conn)
}
