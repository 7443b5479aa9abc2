//! Database access: one diesel code path over SQLite and PostgreSQL (a `MultiConnection` on an
//! r2d2 pool), embedded migrations, and the write-transaction helper.

pub mod agencies;
pub mod audit;
mod bulk;
pub mod changes;
pub mod charts;
pub mod client_minutes;
pub mod comments;
pub mod desk;
pub mod drafts;
pub mod duplicates;
pub mod exports;
pub mod ids;
pub mod materials;
pub mod meaning;
pub mod outbox;
pub mod public_comments;
pub mod reports;
pub mod review;
pub mod schema;
pub mod secrets;
pub mod sessions;
pub mod subscriptions;
pub mod users;
pub mod workspace;

use std::path::Path;
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection, R2D2Connection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// A connection to either backend. Queries are written once against this type; the rare
/// backend-specific statement matches on it with a comment saying why.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

pub type Pool = r2d2::Pool<Manager>;
pub type PooledConn = r2d2::PooledConnection<Manager>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }
}

impl DbConn {
    pub fn backend(&self) -> Backend {
        match self {
            DbConn::Pg(_) => Backend::Postgres,
            DbConn::Sqlite(_) => Backend::Sqlite,
        }
    }
}

/// Opens connections for the pool, choosing the backend from the URL scheme and
/// customising SQLite connections for durability (WAL, `synchronous=FULL`).
#[derive(Debug, Clone)]
pub struct Manager {
    backend: Backend,
    target: String,
    busy_timeout_ms: u32,
}

impl Manager {
    pub fn new(url: &str, busy_timeout_ms: u32) -> Result<Manager, String> {
        let backend = Backend::of_url(url).ok_or_else(|| {
            format!("database.url `{url}` must start with sqlite:// or postgres://")
        })?;
        let target = match backend {
            Backend::Postgres => url.to_string(),
            Backend::Sqlite => sqlite_path(url),
        };
        Ok(Manager {
            backend,
            target,
            busy_timeout_ms,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }
}

/// SQLite serves from one process: its comment writer keeps the per-client hour (R15) in memory
/// and must be the only writer of comments. `consult serve` holds an exclusive lock on
/// `<file>.serve-lock` for its whole life; a second one on the same file is refused. `None` for
/// PostgreSQL and in-memory SQLite. The lock goes with the process, even when it is killed.
pub fn hold_single_node_lock(url: &str) -> anyhow::Result<Option<std::fs::File>> {
    if Backend::of_url(url) != Some(Backend::Sqlite) {
        return Ok(None);
    }
    let path = sqlite_path(url);
    if path.is_empty() || path == ":memory:" {
        return Ok(None);
    }
    create_parent_dir(&path)?;
    let lock = format!("{path}.serve-lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => anyhow::bail!(
            "another `consult serve` is already using {path} (it holds {lock}): stop that one \
             first. SQLite serves from one process; for several nodes use PostgreSQL."
        ),
        Err(std::fs::TryLockError::Error(e)) => Err(e.into()),
    }
}

/// Creates the directory a SQLite file lives in (`data/` for the default URL).
fn create_parent_dir(path: &str) -> std::io::Result<()> {
    match Path::new(path).parent() {
        Some(dir) if !dir.as_os_str().is_empty() => std::fs::create_dir_all(dir).map_err(|e| {
            std::io::Error::new(e.kind(), format!("cannot create {}: {e}", dir.display()))
        }),
        _ => Ok(()),
    }
}

/// `sqlite://data/consult.db` → `data/consult.db`; `sqlite:///abs.db` → `/abs.db`.
pub fn sqlite_path(url: &str) -> String {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    rest.to_string()
}

impl ManageConnection for Manager {
    type Connection = DbConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConn, r2d2::Error> {
        match self.backend {
            Backend::Postgres => PgConnection::establish(&self.target)
                .map(DbConn::Pg)
                .map_err(r2d2::Error::ConnectionError),
            Backend::Sqlite => {
                if self.target != ":memory:" {
                    create_parent_dir(&self.target).map_err(|e| {
                        r2d2::Error::ConnectionError(ConnectionError::BadConnection(e.to_string()))
                    })?;
                }
                let mut conn = SqliteConnection::establish(&self.target)
                    .map_err(r2d2::Error::ConnectionError)?;
                // Durable commits: an acknowledged comment survives power loss.
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = {};
                     PRAGMA journal_mode = WAL;
                     PRAGMA synchronous = FULL;
                     PRAGMA foreign_keys = ON;
                     PRAGMA temp_store = MEMORY;",
                    self.busy_timeout_ms
                ))
                .map_err(r2d2::Error::QueryError)?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), r2d2::Error> {
        conn.ping().map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        std::thread::panicking() || conn.is_broken()
    }
}

/// Builds the pool. Connections are opened lazily, so a database that is down at start
/// shows in `/healthz` rather than aborting; `connect_timeout` bounds each wait.
pub fn pool(url: &str, size: u32, busy_timeout_ms: u32) -> Result<Pool, String> {
    let manager = Manager::new(url, busy_timeout_ms)?;
    Ok(r2d2::Pool::builder()
        .max_size(size)
        .min_idle(Some(1))
        .connection_timeout(Duration::from_secs(5))
        .test_on_check_out(false)
        .build_unchecked(manager))
}

/// Applies pending migrations of the connection's backend; returns their names.
pub fn run_migrations(conn: &mut DbConn) -> Result<Vec<String>, String> {
    let applied = match conn {
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
        DbConn::Pg(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS),
    }
    .map_err(|e| format!("migration failed: {e}"))?;
    Ok(applied.iter().map(|v| v.to_string()).collect())
}

/// For the rest of the current transaction, PostgreSQL reads through indexes in their order
/// rather than collecting matches in a bitmap first (nothing on SQLite). For statements that
/// want the first few rows in an index's order (`ORDER BY … LIMIT`): on a table that grew
/// faster than its statistics, the planner took such a read for a few rows and chose a bitmap
/// scan, which fetches and sorts every match whatever the `LIMIT`. The comment writers'
/// connections keep this setting for good (`jobs::comment_writer`).
pub fn prefer_index_order(conn: &mut DbConn) -> QueryResult<()> {
    if let DbConn::Pg(c) = conn {
        prefer_index_order_pg(c)?;
    }
    Ok(())
}

/// `prefer_index_order` inside a transaction already open on a PostgreSQL connection.
pub fn prefer_index_order_pg(c: &mut diesel::PgConnection) -> QueryResult<()> {
    c.batch_execute("SET LOCAL enable_bitmapscan = off")
}

/// Runs `f` in a write transaction. On SQLite the transaction starts with `BEGIN IMMEDIATE`
/// so that a read-then-write cannot fail halfway with a busy snapshot; PostgreSQL uses an
/// ordinary transaction and relies on row locks and conditional updates.
pub fn write_tx<T, E>(
    conn: &mut DbConn,
    f: impl FnOnce(&mut DbConn) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    let result = write_tx_inner(conn, f);
    if result.is_ok() {
        note_local_write();
    }
    result
}

fn write_tx_inner<T, E>(
    conn: &mut DbConn,
    f: impl FnOnce(&mut DbConn) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    match conn {
        DbConn::Pg(_) => conn.transaction(f),
        DbConn::Sqlite(inner) => {
            AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
            let result = f(conn);
            let DbConn::Sqlite(inner) = conn else {
                unreachable!("the connection cannot change backend inside a transaction")
            };
            match result {
                Ok(value) => {
                    AnsiTransactionManager::commit_transaction(inner)?;
                    Ok(value)
                }
                Err(e) => {
                    AnsiTransactionManager::rollback_transaction(inner)?;
                    Err(e)
                }
            }
        }
    }
}

/// Writes this process has committed (or may have: counted once after each `write_tx` and
/// after each `drafts::touch`). The draft cache (`http::draft_cache`) compares it with the
/// value it saw when it last read a draft's version: when it moved, the next request reads the
/// version again instead of trusting the short recheck interval, so a change made on this node
/// shows on this node at once. Counted after the commit, so a reader that sees the new value
/// also sees the committed version.
static LOCAL_WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// See `LOCAL_WRITES`.
pub fn local_writes() -> u64 {
    LOCAL_WRITES.load(std::sync::atomic::Ordering::Acquire)
}

/// See `LOCAL_WRITES`.
pub fn note_local_write() {
    LOCAL_WRITES.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
}

/// True when `e` is a unique-constraint violation (a lost race on a unique key).
pub fn is_unique_violation(e: &diesel::result::Error) -> bool {
    matches!(
        e,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

/// Serialises a stored UTC timestamp as RFC 3339 (`2026-11-26T08:00:00Z`).
pub fn serialize_utc<S: serde::Serializer>(
    t: &chrono::NaiveDateTime,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.serialize_str(&utc_string(*t))
}

/// Serialises an optional stored UTC timestamp as RFC 3339 or null.
pub fn serialize_opt_utc<S: serde::Serializer>(
    t: &Option<chrono::NaiveDateTime>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&utc_string(*t)),
        None => s.serialize_none(),
    }
}

pub fn utc_string(t: chrono::NaiveDateTime) -> String {
    t.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}
