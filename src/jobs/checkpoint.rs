//! SQLite WAL checkpoints on a thread of their own.
//!
//! By default SQLite checkpoints on the connection whose commit pushes the WAL past 1,000
//! pages: during a comment surge that is the comment writer, which then copies the WAL into the
//! database file and waits for its fsync before it can take the next batch (`perf`: 11 % of the
//! writer's CPU). The writer's connection turns automatic checkpoints off and this thread
//! copies the WAL instead, while the writer keeps appending.
//!
//! A checkpoint that runs beside a busy writer never catches up: by the time it has copied
//! the frames it saw, new ones follow, and SQLite only starts the WAL again from the beginning
//! once every frame is copied. The WAL then grows without end (450 MB in a 6-second surge),
//! and a growing file makes each fsync of it wait for the file system's journal: answers
//! stalled for up to 700 ms. So once the WAL passes `RESTART_PAGES`, the thread takes the
//! writer's turn (`WriteTurn`: the writer holds it for each batch) and copies the few frames
//! written since its last pass; the writer's next commit then starts the WAL from the
//! beginning, over blocks the file already has.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use diesel::RunQueryDsl;
use diesel::sql_types::Integer;

use crate::db::{DbConn, Pool};

/// The pause between passes while the WAL is growing.
const BUSY_PAUSE: Duration = Duration::from_millis(5);
/// The pause between passes while it is not.
const IDLE_PAUSE: Duration = Duration::from_millis(250);
/// A WAL this long (pages) counts as growing.
const BUSY_PAGES: i32 = 1000;
/// A WAL this long (pages, 16 MiB) is started again from the beginning.
const RESTART_PAGES: i32 = 4096;

/// Held by the comment writer for each batch, and by the checkpointer to finish a checkpoint
/// that the writer cannot overtake.
#[derive(Clone, Default)]
pub struct WriteTurn(Arc<Mutex<()>>);

impl WriteTurn {
    pub fn take(&self) -> MutexGuard<'_, ()> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

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
    pub fn start(pool: Pool, turn: WriteTurn) -> Checkpointer {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let spawned = std::thread::Builder::new()
            .name("consult-checkpoint".into())
            .spawn(move || run(&pool, &turn, &flag));
        if let Err(e) = spawned {
            tracing::error!(error = %e, "cannot start the checkpoint thread; the writer's WAL will grow");
        }
        Checkpointer { stop }
    }
}

fn run(pool: &Pool, turn: &WriteTurn, stop: &AtomicBool) {
    let mut held = None;
    while !stop.load(Ordering::Relaxed) {
        if held.is_none() {
            held = pool.get().ok();
        }
        let pause = match held.as_mut().map(|conn| pass(conn, turn)) {
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

/// One pass: a passive checkpoint beside the writer and, when the WAL is long, a last one in
/// the writer's turn. Returns how many pages the WAL held.
fn pass(conn: &mut crate::db::PooledConn, turn: &WriteTurn) -> diesel::QueryResult<i32> {
    let DbConn::Sqlite(conn) = &mut **conn else {
        return Ok(0);
    };
    let mut outcome = checkpoint(conn)?;
    if outcome.log < RESTART_PAGES {
        return Ok(outcome.log);
    }
    // Copy what the writer appended meanwhile, beside it, until little is left: the writer
    // then waits only for that little.
    for _ in 0..3 {
        let seen = outcome.log;
        outcome = checkpoint(conn)?;
        if outcome.log - seen < 256 {
            break;
        }
    }
    let _turn = turn.take();
    let last = checkpoint(conn)?;
    if last.checkpointed < last.log {
        // A reader still uses an older snapshot; the next pass tries again.
        tracing::debug!(
            wal_pages = last.log,
            copied = last.checkpointed,
            "WAL not restarted"
        );
    }
    Ok(last.log)
}

fn checkpoint(conn: &mut diesel::SqliteConnection) -> diesel::QueryResult<Outcome> {
    let outcome =
        diesel::sql_query("PRAGMA wal_checkpoint(PASSIVE)").get_result::<Outcome>(conn)?;
    if outcome.busy != 0 {
        tracing::debug!("WAL checkpoint found the database busy");
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::connection::SimpleConnection;

    /// A pool on a fresh file and a connection that wrote `rows` rows of `width` bytes
    /// without checkpointing, as the comment writer does.
    fn wal_left_by_a_writer(
        dir: &tempfile::TempDir,
        rows: u32,
        width: u32,
    ) -> (Pool, crate::db::PooledConn) {
        let url = format!("sqlite://{}", dir.path().join("c.db").display());
        let pool = crate::db::pool(&url, 3, 5000).unwrap();
        let mut writer = pool.get().unwrap();
        let DbConn::Sqlite(w) = &mut *writer else {
            unreachable!()
        };
        w.batch_execute(&format!(
            "PRAGMA wal_autocheckpoint = 0;
             CREATE TABLE t (a TEXT);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows})
             INSERT INTO t SELECT printf('%.{width}c', 'x') FROM n;"
        ))
        .unwrap();
        (pool, writer)
    }

    fn append(writer: &mut crate::db::PooledConn) {
        let DbConn::Sqlite(w) = &mut **writer else {
            unreachable!()
        };
        w.batch_execute("INSERT INTO t VALUES ('y')").unwrap();
    }

    #[test]
    fn a_pass_copies_the_wal_a_writer_without_checkpoints_left_behind() {
        let dir = tempfile::tempdir().unwrap();
        let (pool, mut writer) = wal_left_by_a_writer(&dir, 2000, 500);
        let mut checkpointer = pool.get().unwrap();
        let turn = WriteTurn::default();
        let pages = pass(&mut checkpointer, &turn).unwrap();
        assert!(pages > 200, "the writer left {pages} pages in the WAL");
        // Everything was copied: the next pass finds nothing new, and the writer's next
        // commit starts the WAL again from its beginning.
        append(&mut writer);
        let after = pass(&mut checkpointer, &turn).unwrap();
        assert!(after < 10, "the WAL still held {after} pages");
    }

    #[test]
    fn a_long_wal_is_finished_in_the_writers_turn_and_then_starts_again() {
        let dir = tempfile::tempdir().unwrap();
        // More than RESTART_PAGES pages of WAL.
        let (pool, mut writer) = wal_left_by_a_writer(&dir, 6000, 3000);
        let turn = WriteTurn::default();
        let writing = turn.take();
        let (done, finished) = std::sync::mpsc::channel();
        let (mut checkpointer, theirs) = (pool.get().unwrap(), turn.clone());
        std::thread::spawn(move || done.send(pass(&mut checkpointer, &theirs).unwrap()));
        // It waits for the writer to finish its batch.
        assert!(
            finished
                .recv_timeout(std::time::Duration::from_millis(300))
                .is_err()
        );
        drop(writing);
        let pages = finished
            .recv_timeout(std::time::Duration::from_secs(30))
            .unwrap();
        assert!(pages >= RESTART_PAGES, "{pages}");
        // All of it was copied, so the writer's next commit starts the WAL again.
        append(&mut writer);
        let mut again = pool.get().unwrap();
        let DbConn::Sqlite(c) = &mut *again else {
            unreachable!()
        };
        assert!(checkpoint(c).unwrap().log < 10);
    }
}
