//! The public view of a draft — `GET /api/v1/drafts/{id}` and the page `GET /drafts/{id}` —
//! rendered once and served from memory until the draft changes.
//!
//! Every change to what the public sees of a draft bumps `drafts.public_version` in the same
//! transaction (`db::drafts::touch` and the draft row's own updates). A request reads the
//! draft's *stamp* (that version and the view count, one primary-key read) and serves the
//! rendering made from the same version, view count and clock key; anything else is loaded
//! and rendered again. The stamp itself is kept for `server.draft_recheck_ms` (1 s by
//! default): a change made through this process (any `write_tx`, any `touch`) makes the next
//! request read it again at once, so only another node's change (several nodes on one
//! PostgreSQL) can take up to that long to show here. `0` reads the stamp on every request.
//!
//! What depends on the clock is never frozen: the phase and the countdown are computed from
//! `now` on every request and are part of the key of a rendering. Only the public view is
//! cached; a staff caller gets a fresh, uncached answer. The page holds the visitor's CSRF
//! token (and the comment form's signed issue time): it is rendered with random markers in
//! their place and each answer puts the visitor's own there, so one visitor's token never
//! reaches another's page.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use actix_web::HttpRequest;
use actix_web::http::header;
use actix_web::web::Bytes;
use chrono::{DateTime, Utc};
use diesel::QueryResult;
use sha2::{Digest, Sha256};

use crate::app::AppState;
use crate::db::drafts::{self as q, Article, DraftRow, ExtensionRow, PublicStamp};
use crate::db::materials::{self, MaterialRow};
use crate::db::public_comments::{self, PublicComment};
use crate::db::{self, DbConn, ids, reports};
use crate::domain::countdown::{self, Countdown};
use crate::domain::period::{Phase, Window};
use crate::http::csrf::CsrfToken;
use crate::http::error::AppResult;

/// Comment pages kept per snapshot (the first pages are the ones read most).
const PAGES_KEPT: usize = 64;

/// Everything the public view of one draft shows, as of one version. The view count is not
/// part of it: it comes from the stamp of each request.
#[derive(Debug)]
pub struct Snapshot {
    /// Read before the rest, so the data is never older than this version.
    pub version: i64,
    pub row: DraftRow,
    pub articles: Vec<Article>,
    pub materials: Vec<MaterialRow>,
    pub extensions: Vec<ExtensionRow>,
    pub has_report: bool,
    /// Published comments of the round shown (the JSON's `published_comment_count`, the
    /// page's list and pager).
    pub round_published: i64,
    pages: Mutex<HashMap<i64, Arc<Vec<PublicComment>>>>,
}

impl Snapshot {
    /// `None` when the draft does not exist or the public may not see it.
    fn load(conn: &mut DbConn, id: &str) -> QueryResult<Option<Snapshot>> {
        let Some(stamp) = q::public_stamp(conn, id)? else {
            return Ok(None);
        };
        // R8: while a later round is prepared, the public reads the round before it.
        let Some(row) = q::find_public(conn, id)? else {
            return Ok(None);
        };
        Ok(Some(Snapshot {
            version: stamp.version,
            articles: q::articles_of_round(conn, id, row.round)?,
            materials: materials::of_draft(conn, id, row.round)?,
            extensions: q::extensions_of(conn, id, row.round)?,
            has_report: !reports::with_published(conn, std::slice::from_ref(&row.id))?.is_empty(),
            round_published: public_comments::published_count(conn, id, row.round)?,
            row,
            pages: Mutex::new(HashMap::new()),
        }))
    }

    /// One page of the round's published comments (`page` from 1), kept for this version.
    pub fn comments_page(
        &self,
        conn: &mut DbConn,
        page: i64,
        per_page: i64,
    ) -> QueryResult<Arc<Vec<PublicComment>>> {
        if let Some(p) = lock(&self.pages).get(&page) {
            return Ok(p.clone());
        }
        // Past the last page there is nothing to read (and no OFFSET to walk).
        let list = if (page - 1) * per_page >= self.round_published {
            Arc::new(Vec::new())
        } else {
            Arc::new(public_comments::published_page(
                conn,
                &self.row.id,
                self.row.round,
                (page - 1) * per_page,
                per_page,
            )?)
        };
        let mut pages = lock(&self.pages);
        if pages.len() < PAGES_KEPT {
            pages.insert(page, list.clone());
        }
        Ok(list)
    }

    /// The row as the public sees it at this stamp (its view count is the stamp's).
    pub fn row_at(&self, stamp: PublicStamp) -> DraftRow {
        let mut row = self.row.clone();
        row.view_count = stamp.view_count;
        row
    }

    /// What of the view depends on the clock: a rendering is kept only while it is the same.
    pub fn clock_key(&self, now: DateTime<Utc>) -> ClockKey {
        let d = &self.row;
        let countdown = (d.state == "published")
            .then(|| {
                d.opens_at.map(|o| Window {
                    opens_at: o.and_utc(),
                    closes_at: d.closes_at.and_utc(),
                })
            })
            .flatten()
            .map(|w| countdown::countdown(w, now));
        ClockKey {
            phase: d.phase(now),
            countdown,
        }
    }
}

/// The phase and the countdown (to the minute) at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockKey {
    pub phase: Option<Phase>,
    pub countdown: Option<Countdown>,
}

/// Which rendering of a draft: the JSON, or the page in one language and mode, at one page of
/// comments, with one article chosen in the form and the query it was asked with (the page's
/// language and elder-mode links repeat it).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Variant {
    Json,
    Page {
        lang: &'static str,
        elder: bool,
        comment_page: i64,
        article: Option<i32>,
        query: String,
    },
}

/// A part of a cached page: text, or the place of the visitor's CSRF value or signature.
#[derive(Debug)]
enum Piece {
    Text(Bytes),
    CsrfValue,
    CsrfSignature,
    /// The comment form's signed issue time (`service::abuse::form_stamp`).
    FormIssued,
}

#[derive(Debug)]
enum Body {
    Json(Bytes),
    Page(Vec<Piece>),
}

/// One rendering and what it was made from.
#[derive(Debug)]
pub struct Rendered {
    pub snapshot: Arc<Snapshot>,
    view_count: i64,
    clock: ClockKey,
    body: Body,
    /// Hex digest of the body as rendered (markers included).
    digest: String,
    size: usize,
}

impl Rendered {
    /// True when this rendering is what `stamp` and `now` would render.
    fn current(&self, stamp: PublicStamp, now: DateTime<Utc>) -> bool {
        self.snapshot.version >= stamp.version
            && self.view_count == stamp.view_count
            && self.snapshot.clock_key(now) == self.clock
    }

    /// The strong validator of the JSON.
    pub fn json_etag(&self) -> String {
        format!("\"{}-{}\"", self.snapshot.version, self.digest)
    }

    /// The JSON body.
    pub fn json_body(&self) -> Bytes {
        match &self.body {
            Body::Json(b) => b.clone(),
            Body::Page(_) => Bytes::new(),
        }
    }

    /// The strong validator of the page as served to the holder of `csrf`: the page embeds
    /// the token, so two visitors never share one.
    pub fn page_etag(&self, csrf: &CsrfToken) -> String {
        let token = Sha256::digest(format!("csrf-etag:{}", csrf.value).as_bytes());
        format!(
            "\"{}-{}-{}\"",
            self.snapshot.version,
            self.digest,
            &hex::encode(token)[..12]
        )
    }

    /// The page with the visitor's token in its places.
    pub fn page_body(&self, csrf: &CsrfToken) -> Bytes {
        let Body::Page(pieces) = &self.body else {
            return Bytes::new();
        };
        let value = escape(&csrf.value);
        let signature = escape(&csrf.signature);
        let issued = escape(&csrf.issued);
        let mut out =
            Vec::with_capacity(self.size + 4 * (value.len() + signature.len() + issued.len()));
        for p in pieces {
            match p {
                Piece::Text(t) => out.extend_from_slice(t),
                Piece::CsrfValue => out.extend_from_slice(value.as_bytes()),
                Piece::CsrfSignature => out.extend_from_slice(signature.as_bytes()),
                Piece::FormIssued => out.extend_from_slice(issued.as_bytes()),
            }
        }
        Bytes::from(out)
    }
}

/// HTML escaping of an attribute value (CSRF values and signatures are base64url and need
/// none; kept so a future token format cannot break out of the attribute).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn digest(bytes: &[u8]) -> String {
    hex::encode(&Sha256::digest(bytes)[..8])
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

#[derive(Debug, Clone, Copy)]
struct Checked {
    stamp: PublicStamp,
    /// `db::local_writes()` when the stamp was read.
    writes: u64,
    at: Instant,
}

#[derive(Debug, Default)]
struct Renders {
    /// By draft, then by variant (so a lookup borrows the id).
    map: HashMap<String, HashMap<Variant, Arc<Rendered>>>,
    bytes: usize,
}

/// The cache of one process (one per `AppState`).
#[derive(Debug)]
pub struct DraftCache {
    recheck: Duration,
    budget: usize,
    stamps: RwLock<HashMap<String, Checked>>,
    snapshots: RwLock<HashMap<String, Arc<Snapshot>>>,
    renders: RwLock<Renders>,
    /// What stands in for the CSRF value and signature in a cached page: random, so no text
    /// of a draft or a comment can contain them.
    markers: CsrfToken,
}

impl DraftCache {
    /// `recheck`: how long a stamp read from the database is trusted while this process has
    /// written nothing; `budget`: the bytes of renderings kept.
    pub fn new(recheck: Duration, budget: usize) -> DraftCache {
        DraftCache {
            recheck,
            budget,
            stamps: RwLock::default(),
            snapshots: RwLock::default(),
            renders: RwLock::default(),
            markers: CsrfToken {
                value: format!("csrfvalue{}", ids::random_code(24)),
                signature: format!("csrfsignature{}", ids::random_code(24)),
                issued: format!("formissued{}", ids::random_code(24)),
                cookie: None,
            },
        }
    }

    /// The token to render a cached page with.
    pub fn markers(&self) -> &CsrfToken {
        &self.markers
    }

    /// The draft's stamp: from memory while it is fresh (see the module's comment), else one
    /// read. `None` when there is no such draft.
    pub async fn stamp(&self, state: &AppState, id: &str) -> AppResult<Option<PublicStamp>> {
        // Read before the database, so a write counted after this load is seen next time.
        let writes = db::local_writes();
        if let Some(c) = self
            .stamps
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(id)
            && c.writes == writes
            && c.at.elapsed() < self.recheck
        {
            return Ok(Some(c.stamp));
        }
        let stamp = {
            let id = id.to_string();
            state
                .db(move |conn| Ok(q::public_stamp(conn, &id)?))
                .await?
        };
        let mut stamps = self.stamps.write().unwrap_or_else(PoisonError::into_inner);
        match stamp {
            Some(stamp) => {
                stamps.insert(
                    id.to_string(),
                    Checked {
                        stamp,
                        writes,
                        at: Instant::now(),
                    },
                );
            }
            None => {
                stamps.remove(id);
            }
        }
        Ok(stamp)
    }

    /// The snapshot of at least the stamp's version, loaded when the one kept is older;
    /// `None` when the public may not see the draft. Runs on the blocking pool.
    pub fn snapshot(
        &self,
        conn: &mut DbConn,
        id: &str,
        stamp: PublicStamp,
    ) -> QueryResult<Option<Arc<Snapshot>>> {
        if let Some(s) = self
            .snapshots
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(id)
            && s.version >= stamp.version
        {
            return Ok(Some(s.clone()));
        }
        let loaded = Snapshot::load(conn, id)?.map(Arc::new);
        let mut snapshots = self
            .snapshots
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        match &loaded {
            Some(s) => {
                let newer = snapshots.get(id).is_none_or(|old| old.version <= s.version);
                if newer {
                    snapshots.insert(id.to_string(), s.clone());
                }
            }
            None => {
                snapshots.remove(id);
            }
        }
        Ok(loaded)
    }

    /// The rendering of `variant` kept for this stamp and moment, if any.
    pub fn rendered(
        &self,
        id: &str,
        variant: &Variant,
        stamp: PublicStamp,
        now: DateTime<Utc>,
    ) -> Option<Arc<Rendered>> {
        let renders = self.renders.read().unwrap_or_else(PoisonError::into_inner);
        let r = renders.map.get(id)?.get(variant)?;
        r.current(stamp, now).then(|| r.clone())
    }

    /// Keeps a JSON rendering.
    pub fn keep_json(
        &self,
        id: &str,
        snapshot: Arc<Snapshot>,
        stamp: PublicStamp,
        now: DateTime<Utc>,
        body: Vec<u8>,
    ) -> Arc<Rendered> {
        let r = Rendered {
            clock: snapshot.clock_key(now),
            snapshot,
            view_count: stamp.view_count,
            digest: digest(&body),
            size: body.len(),
            body: Body::Json(Bytes::from(body)),
        };
        self.keep(id, Variant::Json, r)
    }

    /// Keeps a page rendered with `markers()` as its CSRF token.
    pub fn keep_page(
        &self,
        id: &str,
        variant: Variant,
        snapshot: Arc<Snapshot>,
        stamp: PublicStamp,
        now: DateTime<Utc>,
        html: String,
    ) -> Arc<Rendered> {
        let r = Rendered {
            clock: snapshot.clock_key(now),
            snapshot,
            view_count: stamp.view_count,
            digest: digest(html.as_bytes()),
            size: html.len(),
            body: Body::Page(self.pieces(&html)),
        };
        self.keep(id, variant, r)
    }

    fn pieces(&self, html: &str) -> Vec<Piece> {
        let markers = [
            (
                self.markers.value.as_str(),
                (|| Piece::CsrfValue) as fn() -> Piece,
            ),
            (
                self.markers.signature.as_str(),
                (|| Piece::CsrfSignature) as fn() -> Piece,
            ),
            (
                self.markers.issued.as_str(),
                (|| Piece::FormIssued) as fn() -> Piece,
            ),
        ];
        let mut out = Vec::new();
        let mut rest = html;
        while let Some((at, len, piece)) = markers
            .iter()
            .filter_map(|(m, piece)| rest.find(m).map(|at| (at, m.len(), piece)))
            .min_by_key(|(at, _, _)| *at)
        {
            out.push(Piece::Text(Bytes::copy_from_slice(&rest.as_bytes()[..at])));
            out.push(piece());
            rest = &rest[at + len..];
        }
        out.push(Piece::Text(Bytes::copy_from_slice(rest.as_bytes())));
        out
    }

    fn keep(&self, id: &str, variant: Variant, r: Rendered) -> Arc<Rendered> {
        let r = Arc::new(r);
        if r.size > self.budget {
            return r;
        }
        let mut renders = self.renders.write().unwrap_or_else(PoisonError::into_inner);
        if renders.bytes + r.size > self.budget {
            // Over budget: drop renderings (in the map's own, arbitrary order) until a quarter
            // is free. Hot pages come back on their next request.
            let target = (self.budget / 4 * 3).saturating_sub(r.size);
            let Renders { map, bytes } = &mut *renders;
            for variants in map.values_mut() {
                variants.retain(|_, old| {
                    if *bytes <= target {
                        return true;
                    }
                    *bytes = bytes.saturating_sub(old.size);
                    false
                });
            }
            map.retain(|_, variants| !variants.is_empty());
        }
        let size = r.size;
        let old = renders
            .map
            .entry(id.to_string())
            .or_default()
            .insert(variant, r.clone());
        renders.bytes += size;
        if let Some(old) = old {
            renders.bytes = renders.bytes.saturating_sub(old.size);
        }
        r
    }
}

/// True when `If-None-Match` names `etag` (or `*`).
pub fn not_modified(req: &HttpRequest, etag: &str) -> bool {
    req.headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}
