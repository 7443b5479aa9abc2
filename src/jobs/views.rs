//! R1: draft view counts without a database write per view. Handlers add to an in-memory
//! tally; the job loop adds the tally to `drafts.view_count` once a second in one
//! transaction. A crash loses at most a second of counts, which a view count can afford.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::db::{self, DbConn};

#[derive(Debug, Default)]
pub struct ViewCounter {
    pending: Mutex<HashMap<String, i64>>,
}

impl ViewCounter {
    /// Counts one view of a draft (a map increment under a short lock).
    pub fn record(&self, draft_id: &str) {
        let mut map = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        match map.get_mut(draft_id) {
            Some(n) => *n += 1,
            None => {
                map.insert(draft_id.to_string(), 1);
            }
        }
    }

    fn take(&self) -> Vec<(String, i64)> {
        let mut map = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        std::mem::take(&mut *map).into_iter().collect()
    }

    fn give_back(&self, counts: Vec<(String, i64)>) {
        let mut map = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        for (id, n) in counts {
            *map.entry(id).or_insert(0) += n;
        }
    }

    /// Writes the tally in one transaction; on failure keeps it for the next try.
    pub fn flush(&self, conn: &mut DbConn) -> diesel::QueryResult<usize> {
        let counts = self.take();
        if counts.is_empty() {
            return Ok(0);
        }
        let n = counts.len();
        match db::drafts::add_views(conn, &counts) {
            Ok(()) => Ok(n),
            Err(e) => {
                self.give_back(counts);
                Err(e)
            }
        }
    }
}
