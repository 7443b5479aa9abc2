//! R15: where the comment writer finds each client's submissions of the last hour.
//!
//! A decision needs only the newest `limit` submissions of a client: it is refused when the
//! oldest of them is less than an hour old, and that one leaving the hour frees a place. So
//! each client's times are kept sorted and capped at the limit, and a decision is a
//! bisection, whatever the client has sent: a trusted proxy or a carrier NAT sending tens of
//! thousands an hour costs the writer no more per comment than a resident sending one.
//!
//! On PostgreSQL several nodes share the limit, so the writer counts, for each batch, the
//! newest `limit` comments of the batch's clients in the database (through the
//! `comments_client` index; one row per client comes back), reading at most
//! `db::client_minutes::DIRECT` (100) index entries of a client. A client with more in its
//! hour (possible only where the operator raised the limit, for a trusted proxy or a carrier
//! NAT) is counted per minute instead (`db::client_minutes`): the writer reads its minutes'
//! counts, the index only inside the minute where the hour begins or the limit is reached,
//! and adds what it stores to the counts (`tally`). On
//! SQLite one writer thread stores every online comment, so it keeps the hour in memory
//! instead, exactly: it loads the last hour when it starts (through the `comments_submitted`
//! index), adds each comment as its transaction stores it (and reloads should that
//! transaction fail) and forgets what is more than an hour old. SQLite writes whole pages to
//! its WAL, and an index on the random client keys cost one more written page per comment,
//! about a third of the WAL (docs/benchmarks.md); an index on the submission time grows at
//! its end instead.
//!
//! Memory: one entry per client seen in the last hour (about 100 bytes for a client with one
//! comment, at most `limit` times per client), so a million distinct addresses in an hour
//! take about 100 MiB.

use std::collections::{HashMap, HashSet, VecDeque};

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use crate::db::comments::NewComment;
use crate::db::schema::comments;
use crate::db::{Backend, DbConn};

const WINDOW: TimeDelta = TimeDelta::hours(1);
/// How often old entries are dropped.
const PRUNE_EVERY: TimeDelta = TimeDelta::minutes(1);

/// What the limit needs to know of one client at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Comments in the hour, counted up to the limit (never more than the times kept).
    pub count: usize,
    /// The oldest of the kept times in the hour: once it is an hour old, a place frees.
    pub oldest: Option<NaiveDateTime>,
}

pub enum ClientHistory {
    /// Counted in the database for each batch (PostgreSQL), plus what the batch adds; with
    /// the clients counted per minute (`db::client_minutes`), whose counts the writer keeps.
    Database {
        windows: HashMap<u128, Window>,
        tallied: HashSet<u128>,
    },
    /// Kept by the writer (SQLite); `None` until the first batch loads it.
    Memory(Option<RecentClients>),
}

impl ClientHistory {
    pub fn for_backend(backend: Backend) -> ClientHistory {
        match backend {
            Backend::Postgres => ClientHistory::Database {
                windows: HashMap::new(),
                tallied: HashSet::new(),
            },
            Backend::Sqlite => ClientHistory::Memory(None),
        }
    }

    /// Before a batch: makes the submissions after `since` of these clients known, at most
    /// the newest `limit` of each (older ones cannot change a decision), so a decision never
    /// costs more when one client has sent many.
    pub fn prepare(
        &mut self,
        conn: &mut DbConn,
        clients: &[String],
        since: NaiveDateTime,
        limit: usize,
    ) -> QueryResult<()> {
        match self {
            ClientHistory::Database { windows, tallied } => {
                windows.clear();
                tallied.clear();
                for w in
                    crate::db::comments::windows_of_clients(conn, clients, since, limit.max(1))?
                {
                    let count = usize::try_from(w.count).unwrap_or(usize::MAX);
                    let client = key(&w.client_key);
                    windows.insert(
                        client,
                        Window {
                            count,
                            oldest: w.oldest,
                        },
                    );
                    if w.tallied {
                        tallied.insert(client);
                    }
                }
            }
            ClientHistory::Memory(kept) => {
                let kept = match kept {
                    // A clock set back before what was loaded (tests do) reloads.
                    Some(k) if k.loaded_since <= since => k,
                    _ => kept.insert(RecentClients::load(conn, since, limit.max(1))?),
                };
                kept.times.cap = kept.times.cap.max(limit.max(1));
            }
        }
        Ok(())
    }

    /// `client`'s comments after `since`, as far as `prepare` made them known. On PostgreSQL
    /// the hour is counted once per batch, from the batch's earliest instant: an item a few
    /// milliseconds later in the batch may see a comment that has just left its hour, never
    /// miss one.
    pub fn window(&self, client: &str, since: NaiveDateTime) -> Window {
        match self {
            ClientHistory::Database { windows, .. } => {
                windows.get(&key(client)).copied().unwrap_or(Window {
                    count: 0,
                    oldest: None,
                })
            }
            ClientHistory::Memory(Some(kept)) => kept.times.window(client, since),
            ClientHistory::Memory(None) => Window {
                count: 0,
                oldest: None,
            },
        }
    }

    /// A comment of `client` at `at` is stored by the transaction under way. Should that
    /// transaction fail, the writer calls `forget`.
    pub fn record(&mut self, client: &str, at: NaiveDateTime) {
        match self {
            ClientHistory::Database { windows, .. } => {
                let w = windows.entry(key(client)).or_insert(Window {
                    count: 0,
                    oldest: None,
                });
                w.count += 1;
                w.oldest = Some(w.oldest.map_or(at, |o| o.min(at)));
            }
            ClientHistory::Memory(Some(kept)) => kept.record(client, at),
            ClientHistory::Memory(None) => {}
        }
    }

    /// The transaction under way stored these comments: those of clients counted per minute
    /// (found so by the last `prepare`, under their limit locks) are added to their counts.
    pub fn tally(&self, conn: &mut DbConn, stored: &[NewComment]) -> QueryResult<()> {
        let ClientHistory::Database { tallied, .. } = self else {
            return Ok(());
        };
        if tallied.is_empty() {
            return Ok(());
        }
        let counted: Vec<(&str, NaiveDateTime)> = stored
            .iter()
            .filter_map(|row| Some((row.client_key.as_deref()?, row.submitted_at)))
            .filter(|(client, _)| tallied.contains(&key(client)))
            .collect();
        crate::db::client_minutes::add(conn, &counted)
    }

    /// The writer lost its connection or a transaction failed: reload before the next
    /// batch, so nothing recorded in memory can disagree with the database.
    pub fn forget(&mut self) {
        match self {
            ClientHistory::Database { windows, tallied } => {
                windows.clear();
                tallied.clear();
            }
            ClientHistory::Memory(kept) => *kept = None,
        }
    }
}

/// Submission times per client, oldest first, at most the newest `cap` of each.
#[derive(Default)]
pub struct Times {
    by_client: HashMap<u128, VecDeque<NaiveDateTime>>,
    cap: usize,
}

impl Times {
    fn window(&self, client: &str, since: NaiveDateTime) -> Window {
        let Some(times) = self.by_client.get(&key(client)) else {
            return Window {
                count: 0,
                oldest: None,
            };
        };
        let first = times.partition_point(|t| *t <= since);
        Window {
            count: times.len() - first,
            oldest: times.get(first).copied(),
        }
    }

    fn record(&mut self, client: &str, at: NaiveDateTime) {
        let times = self.by_client.entry(key(client)).or_default();
        let at_or_after = times.partition_point(|t| *t <= at);
        times.insert(at_or_after, at);
        while times.len() > self.cap.max(1) {
            times.pop_front();
        }
    }
}

pub struct RecentClients {
    times: Times,
    /// Everything stored after this instant is in `times`.
    loaded_since: NaiveDateTime,
    pruned_at: NaiveDateTime,
}

impl RecentClients {
    fn load(conn: &mut DbConn, since: NaiveDateTime, cap: usize) -> QueryResult<RecentClients> {
        let rows: Vec<(Option<String>, NaiveDateTime)> = comments::table
            .filter(comments::submitted_at.gt(since))
            .filter(comments::client_key.is_not_null())
            .order(comments::submitted_at.asc())
            .select((comments::client_key, comments::submitted_at))
            .load(conn)?;
        let mut kept = RecentClients {
            times: Times {
                cap,
                ..Times::default()
            },
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

    fn record(&mut self, client: &str, at: NaiveDateTime) {
        self.times.record(client, at);
        if at - self.pruned_at > PRUNE_EVERY {
            self.prune(at);
        }
    }

    /// Forgets what is older than the window, plus a margin: a batch may hold a submission
    /// stamped a moment before the one that triggered this, and it must not find the hour
    /// incomplete (which would reload it from the database).
    fn prune(&mut self, now: NaiveDateTime) {
        let before = now - WINDOW - PRUNE_EVERY;
        self.times.by_client.retain(|_, times| {
            let old = times.partition_point(|t| *t <= before);
            times.drain(..old);
            !times.is_empty()
        });
        self.times.by_client.shrink_to_fit();
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
            times: Times {
                cap: usize::MAX,
                ..Times::default()
            },
            loaded_since: since,
            pruned_at: since,
        }
    }

    fn times(r: &RecentClients, client: &str, since: NaiveDateTime) -> Window {
        r.times.window(client, since)
    }

    fn window(count: usize, oldest: Option<NaiveDateTime>) -> Window {
        Window { count, oldest }
    }

    #[test]
    fn times_are_kept_in_order_and_only_for_the_last_hour() {
        let mut r = empty(at(0));
        r.record("a", at(10));
        r.record("a", at(5));
        r.record("b", at(6));
        assert_eq!(times(&r, "a", at(0)), window(2, Some(at(5))));
        assert_eq!(times(&r, "a", at(7)), window(1, Some(at(10))));
        assert_eq!(times(&r, "c", at(0)), window(0, None));
        // Recording past the window (and its one-minute margin) prunes what is older.
        r.record("b", at(72));
        assert_eq!(times(&r, "a", at(0)), window(0, None));
        assert_eq!(times(&r, "b", at(0)), window(1, Some(at(72))));
        assert_eq!(r.loaded_since, at(11));
        assert_eq!(r.times.by_client.len(), 1);
        // A submission stamped a little before the last prune still finds the hour complete.
        assert!(r.loaded_since <= at(71) - WINDOW);
    }

    #[test]
    fn only_the_newest_times_the_limit_needs_are_kept() {
        let mut t = Times {
            cap: 3,
            ..Times::default()
        };
        for minute in [1, 4, 2, 5, 3, 6] {
            t.record("busy", at(minute));
        }
        // The third-newest decides: three in the hour since minute 0, and a place frees when
        // minute 4 is an hour old.
        assert_eq!(t.window("busy", at(0)), window(3, Some(at(4))));
        assert_eq!(t.window("busy", at(4)), window(2, Some(at(5))));
        assert_eq!(t.by_client[&key("busy")].len(), 3);
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
