//! R15: where the comment writer finds each client's submissions of the last hour.
//!
//! On PostgreSQL several nodes share the limit, so the writer reads the `comments_client`
//! index for each batch. On SQLite one writer thread stores every online comment, so it keeps
//! the hour in memory instead, exactly: it loads the last hour when it starts (through the
//! `comments_submitted` index), adds each comment once its batch is committed and forgets
//! what is more than an hour old. SQLite writes whole pages to its WAL, and an index on the
//! random client keys cost one more written page per comment, about a third of the WAL
//! (docs/benchmarks.md); an index on the submission time grows at its end instead.
//!
//! Memory: one entry per client seen in the last hour (about 100 bytes for a client with one
//! comment), so a million distinct addresses in an hour take about 100 MiB.

use std::collections::HashMap;

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use crate::db::schema::comments;
use crate::db::{Backend, DbConn};

const WINDOW: TimeDelta = TimeDelta::hours(1);
/// How often old entries are dropped.
const PRUNE_EVERY: TimeDelta = TimeDelta::minutes(1);

pub enum ClientHistory {
    /// Read from the database for each batch (PostgreSQL).
    Database,
    /// Kept by the writer (SQLite); `None` until the first batch loads it.
    Memory(Option<RecentClients>),
}

impl ClientHistory {
    pub fn for_backend(backend: Backend) -> ClientHistory {
        match backend {
            Backend::Postgres => ClientHistory::Database,
            Backend::Sqlite => ClientHistory::Memory(None),
        }
    }

    /// The submission times after `since` of each of these clients.
    pub fn recent(
        &mut self,
        conn: &mut DbConn,
        clients: &[String],
        since: NaiveDateTime,
    ) -> QueryResult<HashMap<String, Vec<NaiveDateTime>>> {
        let mut out: HashMap<String, Vec<NaiveDateTime>> = HashMap::new();
        match self {
            ClientHistory::Database => {
                let found = crate::db::comments::recent_by_clients(conn, clients, since.and_utc())?;
                for (client, at) in found {
                    if let Some(client) = client {
                        out.entry(client).or_default().push(at);
                    }
                }
            }
            ClientHistory::Memory(kept) => {
                let kept = match kept {
                    // A clock set back before what was loaded (tests do) reloads.
                    Some(k) if k.loaded_since <= since => k,
                    _ => kept.insert(RecentClients::load(conn, since)?),
                };
                for client in clients {
                    let times = kept.times(client, since);
                    if !times.is_empty() {
                        out.insert(client.clone(), times);
                    }
                }
            }
        }
        Ok(out)
    }

    /// A comment of `client` was committed at `at`.
    pub fn stored(&mut self, client: &str, at: NaiveDateTime) {
        if let ClientHistory::Memory(Some(kept)) = self {
            kept.record(client, at);
        }
    }

    /// The writer lost its connection or a batch failed: reload before the next batch, so
    /// nothing recorded in memory can disagree with the database.
    pub fn forget(&mut self) {
        if let ClientHistory::Memory(kept) = self {
            *kept = None;
        }
    }
}

pub struct RecentClients {
    /// Submission times per client, oldest first.
    hits: HashMap<u128, Vec<NaiveDateTime>>,
    /// Everything stored after this instant is in `hits`.
    loaded_since: NaiveDateTime,
    pruned_at: NaiveDateTime,
}

impl RecentClients {
    fn load(conn: &mut DbConn, since: NaiveDateTime) -> QueryResult<RecentClients> {
        let rows: Vec<(Option<String>, NaiveDateTime)> = comments::table
            .filter(comments::submitted_at.gt(since))
            .filter(comments::client_key.is_not_null())
            .order(comments::submitted_at.asc())
            .select((comments::client_key, comments::submitted_at))
            .load(conn)?;
        let mut kept = RecentClients {
            hits: HashMap::new(),
            loaded_since: since,
            pruned_at: since,
        };
        for (client, at) in rows {
            if let Some(client) = client {
                kept.record(&client, at);
            }
        }
        Ok(kept)
    }

    fn times(&self, client: &str, since: NaiveDateTime) -> Vec<NaiveDateTime> {
        self.hits
            .get(&key(client))
            .map(|t| t.iter().copied().filter(|t| *t > since).collect())
            .unwrap_or_default()
    }

    fn record(&mut self, client: &str, at: NaiveDateTime) {
        let times = self.hits.entry(key(client)).or_default();
        let at_or_after = times.partition_point(|t| *t <= at);
        times.insert(at_or_after, at);
        if at - self.pruned_at > PRUNE_EVERY {
            self.prune(at);
        }
    }

    /// Forgets what is older than the window, plus a margin: a batch may hold a submission
    /// stamped a moment before the one that triggered this, and it must not find the hour
    /// incomplete (which would reload it from the database).
    fn prune(&mut self, now: NaiveDateTime) {
        let before = now - WINDOW - PRUNE_EVERY;
        self.hits.retain(|_, times| {
            times.retain(|t| *t > before);
            !times.is_empty()
        });
        self.hits.shrink_to_fit();
        self.loaded_since = self.loaded_since.max(before);
        self.pruned_at = now;
    }
}

/// 128 bits of a client key. Keys are base64 HMACs (`security::sign`), so their first 16
/// bytes are already uniform; anything else is hashed.
fn key(client: &str) -> u128 {
    use base64::Engine;
    let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(client);
    match decoded {
        Ok(bytes) if bytes.len() >= 16 => {
            let mut first = [0u8; 16];
            first.copy_from_slice(&bytes[..16]);
            u128::from_le_bytes(first)
        }
        _ => {
            use sha2::{Digest, Sha256};
            let digest = Sha256::digest(client.as_bytes());
            let mut first = [0u8; 16];
            first.copy_from_slice(&digest[..16]);
            u128::from_le_bytes(first)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minute: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_700_000_000 + minute * 60, 0)
            .unwrap()
            .naive_utc()
    }

    fn empty(since: NaiveDateTime) -> RecentClients {
        RecentClients {
            hits: HashMap::new(),
            loaded_since: since,
            pruned_at: since,
        }
    }

    #[test]
    fn times_are_kept_in_order_and_only_for_the_last_hour() {
        let mut r = empty(at(0));
        r.record("a", at(10));
        r.record("a", at(5));
        r.record("b", at(6));
        assert_eq!(r.times("a", at(0)), vec![at(5), at(10)]);
        assert_eq!(r.times("a", at(7)), vec![at(10)]);
        assert!(r.times("c", at(0)).is_empty());
        // Recording past the window (and its one-minute margin) prunes what is older.
        r.record("b", at(72));
        assert!(r.times("a", at(0)).is_empty());
        assert_eq!(r.times("b", at(0)), vec![at(72)]);
        assert_eq!(r.loaded_since, at(11));
        assert_eq!(r.hits.len(), 1);
        // A submission stamped a little before the last prune still finds the hour complete.
        assert!(r.loaded_since <= at(71) - WINDOW);
    }

    #[test]
    fn hmac_keys_and_other_keys_map_to_distinct_entries() {
        let a = crate::security::sign("secret", "client:203.0.113.7");
        let b = crate::security::sign("secret", "client:203.0.113.8");
        assert_ne!(key(&a), key(&b));
        assert_ne!(key("client"), key("other"));
        assert_eq!(key(&a), key(&a.clone()));
    }
}
