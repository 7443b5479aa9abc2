//! The test harness: a fresh database per test on SQLite and on PostgreSQL, the real app in
//! front of it, and small helpers for requests and staff users.
//!
//! Write a test once as `async fn name(app: TestApp)` and list it in `both!(name, …)`: that
//! makes `name::sqlite` and `name::postgres`. PostgreSQL comes from `CONSULT_TEST_PG` (a
//! server URL such as `postgres://postgres@127.0.0.1:5433`, set by `scripts/test`); without it
//! the PostgreSQL half is recorded as skipped (`consult::testing::skipped`, listed at the end
//! of `scripts/test`), unless `CONSULT_REQUIRE_POSTGRES=1`, which makes a skip a failure.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod browser;
pub mod fixtures;
pub mod session;

use std::path::PathBuf;

use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::test::{self, TestRequest};
use actix_web::{App, web};
use chrono::{DateTime, Utc};
use consult::app::AppState;
use consult::clock::Clock;
use consult::config::Config;
use consult::db::{self, DbConn};
use consult::domain::roles::{Role, Roles};
use diesel::prelude::*;
use diesel::r2d2::ManageConnection;
use serde_json::Value;

/// Runs each named `async fn(TestApp)` on both backends.
#[macro_export]
macro_rules! both {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[actix_web::test]
                async fn sqlite() {
                    super::$name($crate::common::TestApp::start($crate::common::Db::Sqlite).await.expect("sqlite app")).await
                }
                #[actix_web::test]
                async fn postgres() {
                    if let Some(app) = $crate::common::TestApp::start($crate::common::Db::Postgres).await {
                        super::$name(app).await
                    }
                }
            }
        )*
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// A fresh database of one backend (a temp SQLite file, or a PostgreSQL database cloned from
/// a migrated template), dropped when the test ends.
pub struct TestDb {
    pub kind: Db,
    pub url: String,
    pub dir: tempfile::TempDir,
    pg: Option<(String, String)>,
}

impl TestDb {
    /// `None` (after one loud line) when PostgreSQL is not configured.
    pub fn create(kind: Db) -> Option<TestDb> {
        let dir = tempfile::tempdir().expect("temp dir");
        match kind {
            Db::Sqlite => {
                let url = format!("sqlite://{}", dir.path().join("consult.db").display());
                Some(TestDb {
                    kind,
                    url,
                    dir,
                    pg: None,
                })
            }
            Db::Postgres => {
                let Some(server) = pg_server() else {
                    if std::env::var("CONSULT_REQUIRE_POSTGRES").as_deref() == Ok("1") {
                        panic!(
                            "CONSULT_REQUIRE_POSTGRES=1 but CONSULT_TEST_PG is not set: PostgreSQL tests cannot be skipped"
                        );
                    }
                    consult::testing::skipped(
                        "the PostgreSQL half: CONSULT_TEST_PG is not set (scripts/test sets it when PostgreSQL 15 is installed)",
                    );
                    return None;
                };
                let template = ensure_template(&server);
                let name = format!("t_{}", db::ids::random_code(12).to_lowercase());
                let mut admin = PgConnection::establish(&format!("{server}/postgres"))
                    .expect("connect to PostgreSQL");
                diesel::sql_query(format!("CREATE DATABASE {name} TEMPLATE {template}"))
                    .execute(&mut admin)
                    .expect("create test database");
                let url = format!("{server}/{name}");
                Some(TestDb {
                    kind,
                    url,
                    dir,
                    pg: Some((server, name)),
                })
            }
        }
    }

    /// A migrated connection of its own.
    pub fn connect(&self) -> DbConn {
        let manager = db::Manager::new(&self.url, 5000).expect("manager");
        let mut conn = manager.connect().expect("connect");
        db::run_migrations(&mut conn).expect("migrate");
        conn
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((server, name)) = &self.pg
            && let Ok(mut admin) = PgConnection::establish(&format!("{server}/postgres"))
        {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut admin);
        }
    }
}

fn pg_server() -> Option<String> {
    std::env::var("CONSULT_TEST_PG")
        .ok()
        .filter(|s| !s.is_empty())
        .map(|s| s.trim_end_matches('/').to_string())
}

/// The migrated template database for the current migrations, made once per server under an
/// advisory lock so that parallel test processes agree.
fn ensure_template(server: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("migrations/postgres");
    let mut entries: Vec<_> = walk(&root);
    entries.sort();
    for path in entries {
        h.update(path.to_string_lossy().as_bytes());
        h.update(std::fs::read(&path).unwrap_or_default());
    }
    let template = format!("consult_tpl_{}", &hex::encode(h.finalize())[..16]);
    let mut admin =
        PgConnection::establish(&format!("{server}/postgres")).expect("connect to PostgreSQL");
    diesel::sql_query("SELECT pg_advisory_lock(724701)")
        .execute(&mut admin)
        .expect("lock");
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let exists = diesel::sql_query(format!(
        "SELECT COUNT(*) AS n FROM pg_database WHERE datname = '{template}'"
    ))
    .get_result::<Count>(&mut admin)
    .expect("query pg_database")
    .n > 0;
    if !exists {
        diesel::sql_query(format!("CREATE DATABASE {template}"))
            .execute(&mut admin)
            .expect("create template");
        let manager = db::Manager::new(&format!("{server}/{template}"), 5000).expect("manager");
        let mut conn = manager.connect().expect("connect template");
        db::run_migrations(&mut conn).expect("migrate template");
        drop(conn);
    }
    diesel::sql_query("SELECT pg_advisory_unlock(724701)")
        .execute(&mut admin)
        .expect("unlock");
    template
}

fn walk(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// The configuration tests start from: the given database, a settable clock, mail to files
/// in the test's directory, no access log.
pub fn test_config(db: &TestDb) -> Config {
    let mut config = Config::default();
    config.database.url = db.url.clone();
    config.database.pool_size = 4;
    config.testing.clock_control = true;
    config.server.access_log = false;
    config.mail.file_dir = db.dir.path().join("mail").display().to_string();
    // The grouping is lexical unless a test turns the semantic stage on (tests/grouping.rs).
    config.review.semantic_model = String::new();
    config
}

/// The real application over a fresh database.
pub struct TestApp {
    pub state: web::Data<AppState>,
    /// Shared with the other nodes of `another_node`; dropped with the last of them.
    pub db: std::sync::Arc<TestDb>,
}

/// An answer: status, headers and body.
pub struct Resp {
    pub status: StatusCode,
    pub headers: actix_web::http::header::HeaderMap,
    pub body: web::Bytes,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
    /// Asserts an RFC 9457 problem answer with this status, and returns the document.
    #[track_caller]
    pub fn problem(&self, status: u16) -> Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.text()
        );
        assert_eq!(
            self.header("content-type").as_deref(),
            Some("application/problem+json"),
            "error answers are problem documents"
        );
        let doc = self.json();
        assert_eq!(doc["status"], status);
        assert!(
            doc["type"]
                .as_str()
                .is_some_and(|t| t.starts_with("/problems/"))
        );
        assert!(doc["title"].is_string() && doc["detail"].is_string());
        doc
    }
    #[track_caller]
    pub fn ok(&self, status: u16) -> Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.text()
        );
        if self.body.is_empty() {
            Value::Null
        } else {
            self.json()
        }
    }
}

impl TestApp {
    pub async fn start(kind: Db) -> Option<TestApp> {
        Self::start_with(kind, |_| {}).await
    }

    pub async fn start_with(kind: Db, tweak: impl FnOnce(&mut Config)) -> Option<TestApp> {
        Self::start_adjusted(kind, tweak, |_| {}).await
    }

    /// `start_with`, then `adjust` the built state before it is shared (a test that swaps a
    /// part of it, such as the comment writer's fsync in tests/crash.rs).
    pub async fn start_adjusted(
        kind: Db,
        tweak: impl FnOnce(&mut Config),
        adjust: impl FnOnce(&mut AppState),
    ) -> Option<TestApp> {
        let db = TestDb::create(kind)?;
        let mut config = test_config(&db);
        tweak(&mut config);
        let clock = Clock::controlled("2026-03-01T01:00:00Z".parse().expect("time"));
        let mut state = AppState::build(config, clock)
            .await
            .expect("build app state");
        adjust(&mut state);
        Some(TestApp {
            state: web::Data::new(state),
            db: std::sync::Arc::new(db),
        })
    }

    /// A second node on the same database: its own state (and caches), the same clock, a
    /// `tweak`ed configuration.
    pub async fn another_node(&self, tweak: impl FnOnce(&mut Config)) -> TestApp {
        let mut config = test_config(&self.db);
        tweak(&mut config);
        let state = AppState::build(config, self.state.clock.clone())
            .await
            .expect("build app state");
        TestApp {
            state: web::Data::new(state),
            db: self.db.clone(),
        }
    }

    pub fn clock(&self) -> &Clock {
        &self.state.clock
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.state.clock.now()
    }

    pub fn set_now(&self, t: &str) {
        self.state.clock.set(t.parse().expect("RFC 3339 time"));
    }

    pub fn conn(&self) -> db::PooledConn {
        self.state.pool.get().expect("pooled connection")
    }

    /// Sends a request through the real app (routes, extractors, middleware).
    pub async fn call(&self, req: TestRequest) -> Resp {
        let app = test::init_service(
            App::new()
                .app_data(self.state.clone())
                .configure(consult::http::configure)
                .wrap_fn(consult::http::middleware::observe),
        )
        .await;
        let res: ServiceResponse<_> = test::call_service(&app, req.to_request()).await;
        let status = res.status();
        let headers = res.headers().clone();
        let body = test::read_body(res).await;
        Resp {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Resp {
        self.call(with_token(TestRequest::get().uri(path), token))
            .await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Resp {
        self.call(with_token(
            TestRequest::post().uri(path).set_json(body),
            token,
        ))
        .await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: Value) -> Resp {
        self.call(with_token(
            TestRequest::put().uri(path).set_json(body),
            token,
        ))
        .await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> Resp {
        self.call(with_token(
            TestRequest::patch().uri(path).set_json(body),
            token,
        ))
        .await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Resp {
        self.call(with_token(TestRequest::delete().uri(path), token))
            .await
    }

    /// Creates a staff user with these roles, a member of the test agency (`AGENCY`, whose
    /// drafts the tests write), and returns a bearer token for them.
    pub fn staff(&self, username: &str, roles: &[Role]) -> String {
        let token = self.staff_of(None, username, roles);
        let code = self.agency(AGENCY);
        self.join(username, &code);
        token
    }

    /// The code of the agency named `name`, added (coded from its name) when there is none.
    pub fn agency(&self, name: &str) -> String {
        let mut conn = self.conn();
        if let Some(a) = db::agencies::by_name(&mut conn, name).expect("query agency") {
            return a.code;
        }
        let code = if name == AGENCY {
            AGENCY_CODE.to_string()
        } else {
            format!("agency-{}", db::ids::random_code(8).to_lowercase())
        };
        db::agencies::insert(&mut conn, self.now(), &code, name).expect("insert agency");
        code
    }

    /// Makes `username` a member of the agency `code` too.
    pub fn join(&self, username: &str, code: &str) {
        let id = self.user_id(username);
        db::agencies::add_member(&mut self.conn(), self.now(), code, &id).expect("membership");
    }

    /// Creates a staff user with these roles who belongs to no agency, or to `agency` (a
    /// name), and returns a bearer token for them.
    pub fn staff_of(&self, agency: Option<&str>, username: &str, roles: &[Role]) -> String {
        let token = self.new_user(username, roles);
        if let Some(name) = agency {
            let code = self.agency(name);
            self.join(username, &code);
        }
        token
    }

    fn new_user(&self, username: &str, roles: &[Role]) -> String {
        let mut conn = self.conn();
        let now = self.now();
        let user = db::users::create(
            &mut conn,
            now,
            "test",
            &db::users::NewUser {
                username,
                display_name: username,
                email: Some(&format!("{username}@example.gov.cn")),
                password_hash: &password_hash(),
                roles: &Roles::new(roles.to_vec()),
            },
        )
        .expect("create user");
        let token = db::ids::random_token(32);
        db::users::issue_token(
            &mut conn,
            now,
            &user.id,
            &token,
            chrono::TimeDelta::days(365 * 100),
        )
        .expect("token");
        token
    }

    /// The id of a user by name.
    pub fn user_id(&self, username: &str) -> String {
        db::users::by_username(&mut self.conn(), username)
            .expect("query")
            .expect("user exists")
            .id
    }
}

fn with_token(req: TestRequest, token: Option<&str>) -> TestRequest {
    match token {
        Some(t) => req.insert_header(("Authorization", format!("Bearer {t}"))),
        None => req,
    }
}

/// The agency of the tests' drafts and officers (`DraftSpec::open`, `TestApp::staff`).
pub const AGENCY: &str = "龙岭县司法局";
/// Its code.
pub const AGENCY_CODE: &str = "justice";

/// The password every test user has.
pub const PASSWORD: &str = "correct horse battery";

fn password_hash() -> String {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| consult::security::hash_password(PASSWORD).expect("hash"))
        .clone()
}

/// A free TCP port on loopback.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind a free port")
        .local_addr()
        .expect("its address")
        .port()
}

/// Writes `{name}.toml` in the test's directory for a real `consult serve` on a free port of
/// loopback against the test's database, with `sections` (more TOML) after `[server]` and
/// `[database]`; returns the file and the port.
pub fn server_config(app: &TestApp, name: &str, sections: &str) -> (std::path::PathBuf, u16) {
    let port = free_port();
    let config = app.db.dir.path().join(format!("{name}.toml"));
    std::fs::write(
        &config,
        format!(
            r#"
[server]
bind = "127.0.0.1:{port}"
public_url = "http://127.0.0.1:{port}"
workers = 2
access_log = false

[database]
url = "{url}"
pool_size = 4

{sections}"#,
            url = app.db.url,
        ),
    )
    .expect("write the server's configuration");
    (config, port)
}

/// Starts the real `consult serve` with this configuration file (and `HOSTNAME=name`, which
/// names its mail worker) and returns once it says it is listening. Its log is drained on a
/// thread so the pipe never fills; its warnings and errors are echoed under `name`. A server
/// that does not start within a minute is killed and the test fails.
pub fn start_server(config: &std::path::Path, name: &str) -> std::process::Child {
    start_server_with_env(config, name, &[])
}

/// `start_server` with these variables added to its environment.
pub fn start_server_with_env(
    config: &std::path::Path,
    name: &str,
    env: &[(&str, &str)],
) -> std::process::Child {
    use std::io::BufRead;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_consult"))
        .arg("--config")
        .arg(config)
        .arg("serve")
        .env("RUST_LOG", "warn,consult=info")
        .env("HOSTNAME", name)
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn consult serve");
    let stderr = child.stderr.take().expect("stderr");
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<()>();
    let label = name.to_string();
    std::thread::spawn(move || {
        let mut ready = Some(ready_tx);
        for line in std::io::BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if line.contains("listening") {
                if let Some(tx) = ready.take() {
                    let _ = tx.send(());
                }
            } else if line.contains("WARN") || line.contains("ERROR") {
                eprintln!("[{label}] {line}");
            }
        }
    });
    if ready_rx
        .recv_timeout(std::time::Duration::from_secs(60))
        .is_err()
    {
        let _ = child.kill();
        let _ = child.wait();
        panic!("the server {name} did not start");
    }
    child
}

/// Runs `consult --config <config> audit verify` and fails the test unless it says the chain
/// is intact; returns what it printed.
#[track_caller]
pub fn assert_audit_intact(config: &std::path::Path) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_consult"))
        .arg("--config")
        .arg(config)
        .args(["audit", "verify"])
        .env("RUST_LOG", "warn")
        .output()
        .expect("run consult audit verify");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && text.contains("audit chain intact"),
        "consult audit verify: {text}"
    );
    text
}
