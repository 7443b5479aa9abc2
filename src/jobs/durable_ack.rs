//! SQLite: the comment writer's batches are made durable by a second thread, so the writer
//! can build the next batch while the disk syncs the last one.
//!
//! With `synchronous = FULL` SQLite fsyncs the WAL inside COMMIT, so the writer waits for the
//! disk before it can start the next batch. The writer's connection uses `synchronous =
//! NORMAL` instead: COMMIT writes the batch's frames to the WAL file and returns. The writer
//! hands the batch's answers to this thread, which fsyncs the WAL file and only then answers.
//! Every acknowledged comment is on disk, as with FULL, and one fsync covers every batch
//! committed while the previous one ran.
//!
//! Between COMMIT and that fsync other connections can already read the batch. Whatever they
//! write commits with FULL, whose fsync covers the whole WAL file and so the batch as well:
//! a receipt mail is claimed (a write) before it is sent, so no mail leaves for a comment that
//! is not on disk, and a checkpoint (FULL, on its own connection) syncs the WAL before copying
//! it into the database.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, mpsc};

use super::comment_writer::{Receipt, Refusal, Reply};

/// One batch: each waiter with what it is to be told.
pub type Answers = Vec<(Reply, Result<Receipt, Refusal>)>;

type SyncFn = Arc<dyn Fn() -> std::io::Result<()> + Send + Sync>;

/// How the WAL file is made durable: `sync_wal` in production. A test may wrap it to see what
/// is on disk when the fsync is called (`CommentIntake::start_with_wal_sync`).
pub type WalSync = Arc<dyn Fn(&Path) -> std::io::Result<()> + Send + Sync>;

/// The fsync of the WAL file after which answers are sent.
pub fn sync_wal(wal: &Path) -> std::io::Result<()> {
    std::fs::File::open(wal)?.sync_data()
}

pub struct DurableAck {
    sender: mpsc::Sender<Answers>,
    sync: SyncFn,
    synced: Arc<AtomicU64>,
}

impl DurableAck {
    /// Starts the thread that fsyncs `wal` (the database's `-wal` file) with `sync` before
    /// answering. `None` when the thread cannot start: the writer then keeps `synchronous =
    /// FULL`. `synced` counts the fsyncs after which answers were sent.
    pub fn start(wal: PathBuf, sync: &WalSync, synced: Arc<AtomicU64>) -> Option<DurableAck> {
        let sync = sync.clone();
        DurableAck::start_with(Arc::new(move || sync(&wal)), synced)
    }

    fn start_with(sync: SyncFn, synced: Arc<AtomicU64>) -> Option<DurableAck> {
        let (sender, receiver) = mpsc::channel::<Answers>();
        let shared = sync.clone();
        let count = synced.clone();
        std::thread::Builder::new()
            .name("consult-durable-ack".into())
            .spawn(move || {
                while let Ok(first) = receiver.recv() {
                    let mut answers = first;
                    // Batches committed while the last fsync ran share the next one.
                    while let Ok(more) = receiver.try_recv() {
                        answers.extend(more);
                    }
                    sync_then_answer(&shared, &count, answers);
                }
            })
            .map_err(|e| tracing::error!(error = %e, "cannot start the durable-ack thread"))
            .ok()?;
        Some(DurableAck {
            sender,
            sync,
            synced,
        })
    }

    /// Answers once everything committed so far is on disk. Call it after the COMMIT.
    pub fn answer_after_sync(&self, answers: Answers) {
        if let Err(mpsc::SendError(answers)) = self.sender.send(answers) {
            // The thread is gone (it only ends with this handle, so it panicked): nothing is
            // answered before it is durable all the same.
            tracing::error!("the durable-ack thread stopped; syncing on the writer's thread");
            sync_then_answer(&self.sync, &self.synced, answers);
        }
    }
}

/// An fsync slower than this is logged: the disk, not the service, is holding answers back.
const SLOW_SYNC: std::time::Duration = std::time::Duration::from_millis(20);

fn sync_then_answer(sync: &SyncFn, synced: &AtomicU64, answers: Answers) {
    let started = std::time::Instant::now();
    let synced_now = sync();
    let took = started.elapsed();
    if took > SLOW_SYNC {
        tracing::warn!(
            ms = took.as_millis() as u64,
            waiting = answers.len(),
            "slow fsync of the WAL"
        );
    }
    match &synced_now {
        Ok(()) => {
            synced.fetch_add(1, Ordering::Relaxed);
        }
        Err(e) => {
            // The batch may or may not be on disk; nobody is told it is.
            tracing::error!(error = %e, "cannot fsync the WAL; the batch is not acknowledged");
        }
    }
    for (reply, result) in answers {
        let result = match (&synced_now, result) {
            (Err(e), Ok(_)) => Err(Refusal::Failed(anyhow::anyhow!(
                "fsync of the WAL failed: {e}"
            ))),
            (_, result) => result,
        };
        // A waiter that went away (client hung up) still had its comment stored.
        let _ = reply.send(result);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use tokio::sync::oneshot;

    fn receipt() -> Result<Receipt, Refusal> {
        Ok(Receipt {
            tracking_number: "20260301-00000-AAAAA".into(),
            receipt_token: "t".into(),
            submitted_at: chrono::NaiveDateTime::default(),
            replayed: false,
        })
    }

    #[test]
    fn nobody_is_answered_before_the_sync_returns() {
        // The sync waits until the test lets it go.
        let (release, gate) = mpsc::channel::<()>();
        let gate = Mutex::new(gate);
        let synced = Arc::new(AtomicU64::new(0));
        let ack = DurableAck::start_with(
            Arc::new(move || {
                gate.lock().unwrap().recv().ok();
                Ok(())
            }),
            synced.clone(),
        )
        .unwrap();
        let (reply, mut answer) = oneshot::channel();
        ack.answer_after_sync(vec![(reply, receipt())]);
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert!(answer.try_recv().is_err(), "answered before the fsync");
        release.send(()).unwrap();
        let got = answer.blocking_recv().unwrap();
        assert_eq!(synced.load(Ordering::Relaxed), 1);
        assert_eq!(got.unwrap().tracking_number, "20260301-00000-AAAAA");
    }

    #[test]
    fn a_failed_sync_acknowledges_nothing() {
        let synced = Arc::new(AtomicU64::new(0));
        let ack = DurableAck::start_with(
            Arc::new(|| Err(std::io::Error::other("disk gone"))),
            synced.clone(),
        )
        .unwrap();
        let (reply, answer) = oneshot::channel();
        let (refused, refusal) = oneshot::channel();
        ack.answer_after_sync(vec![(reply, receipt()), (refused, Err(Refusal::KeyReused))]);
        assert!(matches!(
            answer.blocking_recv().unwrap(),
            Err(Refusal::Failed(_))
        ));
        // A refusal stays what it was.
        assert!(matches!(
            refusal.blocking_recv().unwrap(),
            Err(Refusal::KeyReused)
        ));
    }
}
