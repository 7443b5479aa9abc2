//! SQLite WAL checkpoints on a thread of their own.
//!
//! By default SQLite checkpoints on the connection whose commit pushes the WAL past 1,000
//! pages: during a comment surge that is the comment writer, which then copies the WAL into
//! the database file and waits for two more fsyncs before it can answer anyone (`perf`: 11 %
//! of the writer's CPU, and the p99 spikes of several hundred milliseconds). The writer's
//! connection turns automatic checkpoints off, and this thread runs passive checkpoints
//! instead: they copy what no reader still needs while the writer keeps appending, and once
//! a pass has copied everything, the writer's next commit starts the WAL from the beginning,
//! so the file stays bounded.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use diesel::RunQueryDsl;
use diesel::sql_types::Integer;

use crate::db::{DbConn, Pool};

/// The pause between passes while the WAL is growing.
const BUSY_PAUSE: Duration = Duration::from_millis(20);
/// The pause between passes while it is not.
const IDLE_PAUSE: Duration = Duration::from_millis(250);
/// A WAL this long (pages) counts as growing.
const BUSY_PAGES: i32 = 1000;

#[derive(diesel::QueryableByName)]
struct Outcome {
    #[diesel(sql_type = Integer)]
    busy: i32,
    /// Pages in the WAL.
    #[diesel(sql_type = Integer)]
    log: i32,
    /// Pages of it now in the database file.
    #[diesel(sql_type = Integer)]
    checkpointed: i32,
}

/// Stops the thread when dropped.
pub struct Checkpointer {
    stop: Arc<AtomicBool>,
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

impl Checkpointer {
    /// Starts the thread (SQLite pools only; it holds one connection of the pool).
    pub fn start(pool: Pool) -> Checkpointer {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let spawned = std::thread::Builder::new()
            .name("consult-checkpoint".into())
            .spawn(move || run(&pool, &flag));
        if let Err(e) = spawned {
            tracing::error!(error = %e, "cannot start the checkpoint thread; the writer's WAL will grow");
        }
        Checkpointer { stop }
    }
}

fn run(pool: &Pool, stop: &AtomicBool) {
    let mut held = None;
    while !stop.load(Ordering::Relaxed) {
        if held.is_none() {
            held = pool.get().ok();
        }
        let pause = match held.as_mut().map(pass) {
            Some(Ok(pages)) if pages >= BUSY_PAGES => BUSY_PAUSE,
            Some(Ok(_)) | None => IDLE_PAUSE,
            Some(Err(e)) => {
                tracing::warn!(error = %e, "WAL checkpoint failed");
                held = None;
                IDLE_PAUSE
            }
        };
        std::thread::sleep(pause);
    }
}

/// One passive checkpoint; returns how many pages the WAL held.
fn pass(conn: &mut crate::db::PooledConn) -> diesel::QueryResult<i32> {
    let DbConn::Sqlite(conn) = &mut **conn else {
        return Ok(0);
    };
    let outcome =
        diesel::sql_query("PRAGMA wal_checkpoint(PASSIVE)").get_result::<Outcome>(conn)?;
    if outcome.busy != 0 {
        tracing::debug!("WAL checkpoint found the database busy");
    }
    tracing::trace!(
        wal_pages = outcome.log,
        copied = outcome.checkpointed,
        "WAL checkpoint"
    );
    Ok(outcome.log)
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::connection::SimpleConnection;

    #[test]
    fn a_pass_copies_the_wal_a_writer_without_checkpoints_left_behind() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("c.db").display());
        let pool = crate::db::pool(&url, 2, 5000).unwrap();
        let mut writer = pool.get().unwrap();
        let DbConn::Sqlite(w) = &mut *writer else {
            unreachable!()
        };
        w.batch_execute(
            "PRAGMA wal_autocheckpoint = 0;
             CREATE TABLE t (a TEXT);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
             INSERT INTO t SELECT printf('%.500c', 'x') FROM n;",
        )
        .unwrap();
        let mut checkpointer = pool.get().unwrap();
        let pages = pass(&mut checkpointer).unwrap();
        assert!(pages > 200, "the writer left {pages} pages in the WAL");
        // Everything was copied: the next pass finds nothing new, and the writer's next
        // commit starts the WAL again from its beginning.
        w.batch_execute("INSERT INTO t VALUES ('y')").unwrap();
        let after = pass(&mut checkpointer).unwrap();
        assert!(after < 10, "the WAL still held {after} pages");
    }
}
