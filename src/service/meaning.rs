//! R16's semantic stage: where sentence vectors come from. The model is loaded once per
//! process from `review.semantic_model`; each distinct comment text (its core, greetings and
//! sign-offs stripped) is embedded once and stored, by the background reader as comments
//! arrive (`read_next`) or, for what it has not reached yet, when the grouping asks
//! (`vectors_for`). Without the model file the grouping is lexical only, and says so.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::db::{self, DbConn};
use crate::domain::grouping::request_of;
use crate::semantic::Embedder;

/// Whether the semantic stage runs, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    On {
        model: &'static str,
    },
    /// No model is configured (`review.semantic_model` is empty).
    Disabled,
    /// The configured file is missing or unreadable: the message says which and why.
    Unavailable {
        path: String,
        error: String,
    },
}

impl Status {
    pub fn is_on(&self) -> bool {
        matches!(self, Status::On { .. })
    }
}

type Loaded = Result<Arc<Embedder>, String>;

/// Models loaded in this process, by path: each file is read once.
fn loaded() -> &'static Mutex<HashMap<PathBuf, Loaded>> {
    static LOADED: OnceLock<Mutex<HashMap<PathBuf, Loaded>>> = OnceLock::new();
    LOADED.get_or_init(Default::default)
}

fn configured(config: &Config) -> Option<PathBuf> {
    let path = config.review.semantic_model.trim();
    (!path.is_empty()).then(|| PathBuf::from(path))
}

fn load(path: &Path) -> Loaded {
    let mut cache = loaded().lock().unwrap_or_else(|e| e.into_inner());
    cache
        .entry(path.to_path_buf())
        .or_insert_with(|| {
            let result = Embedder::load(path).map(Arc::new).map_err(|e| e.to_string());
            match &result {
                Ok(m) => tracing::info!(path = %path.display(), model = m.model_id(), "semantic grouping on"),
                Err(e) => tracing::warn!(path = %path.display(), error = %e, "semantic grouping off: lexical only"),
            }
            result
        })
        .clone()
}

/// The configured model, loaded (once per process), or `None` for lexical grouping only.
pub fn embedder(config: &Config) -> Option<Arc<Embedder>> {
    configured(config).and_then(|p| load(&p).ok())
}

/// Whether the semantic stage runs with this configuration.
pub fn status(config: &Config) -> Status {
    match configured(config) {
        None => Status::Disabled,
        Some(path) => match load(&path) {
            Ok(m) => Status::On {
                model: m.model_id(),
            },
            Err(error) => Status::Unavailable {
                path: path.display().to_string(),
                error,
            },
        },
    }
}

/// What is embedded for a comment: the sentences that ask or argue (greetings, sign-offs and
/// stories left out), so that copies of a letter with other wrappings share one vector.
pub fn embedded_text(body: &str) -> String {
    request_of(body)
}

/// The stored vector's key: the model and the embedded text, hashed.
pub fn vector_key(model: &str, body: &str) -> String {
    let mut h = Sha256::new();
    h.update(model.as_bytes());
    h.update([0]);
    h.update(embedded_text(body).as_bytes());
    hex::encode(h.finalize())
}

/// Unit vectors for `bodies`: stored ones are read, the rest are embedded (on every core)
/// and stored. Each distinct text is embedded once.
pub fn vectors_for(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    model: &Embedder,
    bodies: &[&str],
) -> diesel::QueryResult<Vec<Vec<f32>>> {
    let keys: Vec<String> = bodies
        .iter()
        .map(|b| vector_key(model.model_id(), b))
        .collect();
    let mut unique: Vec<String> = keys.clone();
    unique.sort_unstable();
    unique.dedup();
    let mut found: HashMap<String, Vec<f32>> =
        db::meaning::vectors(conn, &unique)?.into_iter().collect();
    let mut missing: Vec<(String, &str)> = Vec::new();
    let mut wanted: std::collections::HashSet<&str> = Default::default();
    for (key, body) in keys.iter().zip(bodies) {
        if !found.contains_key(key) && wanted.insert(key) {
            missing.push((key.clone(), body));
        }
    }
    if !missing.is_empty() {
        let computed = embed_all(model, &missing);
        db::meaning::store_vectors(conn, now, model.model_id(), &computed)?;
        found.extend(computed);
    }
    Ok(keys
        .iter()
        .map(|k| found.get(k).cloned().unwrap_or_default())
        .collect())
}

/// Embeds `(key, body)` pairs on every core.
fn embed_all(model: &Embedder, items: &[(String, &str)]) -> Vec<(String, Vec<f32>)> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    let chunk = items.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|(k, body)| (k.clone(), model.embed(&embedded_text(body))))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| match h.join() {
                Ok(part) => part,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}

/// The background reader's cursor name.
const CURSOR: &str = "semantic_reader";

/// One step of the background reader: claims the next `batch` comments after its cursor
/// (another node that claimed them first wins, and this one tries again), embeds those whose
/// text has no vector yet and stores them. Returns how many comments it passed.
pub fn read_next(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    model: &Embedder,
    batch: i64,
) -> diesel::QueryResult<usize> {
    let from = db::meaning::cursor(conn, CURSOR)?;
    let next = db::meaning::comments_after(conn, &from, batch)?;
    let Some((last, _)) = next.last() else {
        return Ok(0);
    };
    if !db::meaning::advance_cursor(conn, now, CURSOR, &from, last)? {
        return Ok(0);
    }
    let bodies: Vec<&str> = next.iter().map(|(_, b)| b.as_str()).collect();
    vectors_for(conn, now, model, &bodies)?;
    Ok(next.len())
}
