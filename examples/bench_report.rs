//! Benchmark for R18–R20 at scale: a closed draft with N comments (default 1,000,000) on
//! SQLite, disposed of through 50 groups plus individual dispositions; then times
//! `POST /api/v1/drafts/{id}/report` (completeness check, frozen rows, totals) and streaming
//! the CSV through the real app, and reports peak memory.
//!
//! Run: `/usr/bin/time -v cargo run --release --example bench_report [-- N]`; with
//! `CONSULT_BENCH_PG=postgres://user@host:port` it runs on a fresh PostgreSQL database there.

use std::pin::Pin;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::test::{self, TestRequest};
use actix_web::{App, web};
use consult::app::AppState;
use consult::clock::Clock;
use consult::config::Config;
use consult::db::{self, DbConn};
use consult::domain::roles::{Role, Roles};
use diesel::connection::SimpleConnection;

fn setup(conn: &mut DbConn, n: u64, drafter: &str) -> Result<(), diesel::result::Error> {
    // The same seeding on both backends but for timestamp literals and SQLite's pragmas.
    let (ts, before, after) = match conn {
        DbConn::Pg(_) => ("TIMESTAMP ", "", ""),
        // Seeding only: no fsync per statement.
        DbConn::Sqlite(_) => (
            "",
            "PRAGMA synchronous = OFF;",
            "PRAGMA synchronous = FULL;",
        ),
    };
    let sql = format!(
        "{before}
         INSERT INTO agencies (code, name, created_at)
         VALUES ('bench', '司法局', {ts}'2026-01-01 00:00:00');
         INSERT INTO agency_members (agency_code, user_id, created_at)
         VALUES ('bench', '{drafter}', {ts}'2026-01-01 00:00:00');
         INSERT INTO drafts (id, index_no, title, agency, agency_code, category, subject_terms, kind,
           enterprise_related, summary, state, round, timezone, opens_on, closes_on, opens_at,
           closes_at, drafter_id, search_text, view_count, created_at, updated_at)
         VALUES ('d1', 'BENCH-1', '基准草案', '司法局', 'bench', '规范性文件', '[]', 'normative_document',
           TRUE, '', 'published', 1, 'Asia/Shanghai', '2026-01-01', '2026-01-31',
           {ts}'2026-01-01 00:00:00', {ts}'2026-01-31 16:00:00', '{drafter}', '', 0,
           {ts}'2026-01-01 00:00:00', {ts}'2026-01-01 00:00:00');
         WITH RECURSIVE g(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM g WHERE i < 49)
         INSERT INTO opinion_groups (id, draft_id, round, title, summary, origin, outcome,
           reason, created_at, updated_at)
         SELECT 'g' || i, 'd1', 1, '意见' || i, '', 'suggested',
           CASE WHEN i % 4 = 0 THEN 'adopted' ELSE 'not_adopted' END,
           CASE WHEN i % 4 = 0 THEN NULL ELSE '理由' || i END,
           {ts}'2026-02-01 00:00:00', {ts}'2026-02-01 00:00:00' FROM g;
         WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n})
         INSERT INTO comments (id, draft_id, round, tracking_number, receipt_token_hash, body,
           article, stakeholder_type, organization, name, email, publish_name, withhold,
           channel, locale, status, submitted_at, group_id, outcome, reason)
         SELECT 'c' || i, 'd1', 1, 'ZJ-' || (10000000 + i), 'h', '意见正文' || i,
           CASE WHEN i % 7 = 0 THEN NULL ELSE i % 30 + 1 END,
           CASE i % 5 WHEN 0 THEN 'enterprise' WHEN 1 THEN 'expert' ELSE 'individual' END,
           CASE i % 5 WHEN 0 THEN '某公司' ELSE NULL END, '某人', 'a@example.com', FALSE, FALSE,
           CASE i % 10 WHEN 0 THEN 'letter' WHEN 1 THEN 'email' ELSE 'online' END,
           'zh-CN', CASE WHEN i % 50 = 0 THEN 'hidden' ELSE 'published' END,
           {ts}'2026-01-10 00:00:00',
           CASE WHEN i % 10 < 8 THEN 'g' || (i % 50) ELSE NULL END,
           CASE WHEN i % 10 >= 8 THEN 'noted' WHEN i % 97 = 0 THEN 'adopted' ELSE NULL END,
           CASE WHEN i % 10 >= 8 THEN '不属于本草案调整范围' ELSE NULL END
         FROM s;
         {after}"
    );
    conn.batch_execute(&sql)
}

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir()?;
    let mut config = Config::default();
    config.database.url = match std::env::var("CONSULT_BENCH_PG") {
        Ok(server) if !server.is_empty() => {
            use diesel::{Connection, PgConnection, RunQueryDsl};
            let server = server.trim_end_matches('/').to_string();
            let name = format!("bench_{}", db::ids::random_code(8).to_lowercase());
            let mut admin = PgConnection::establish(&format!("{server}/postgres"))?;
            diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut admin)?;
            format!("{server}/{name}")
        }
        _ => format!("sqlite://{}", dir.path().join("bench.db").display()),
    };
    println!("database: {}", config.database.url);
    config.server.access_log = false;
    let clock = Clock::controlled("2026-03-01T00:00:00Z".parse()?);
    let state = web::Data::new(AppState::build(config, clock).await?);
    let now = state.clock.now();
    let token = db::ids::random_token(32);
    {
        let mut conn = state.pool.get()?;
        let hash =
            consult::security::hash_password("bench password").map_err(anyhow::Error::msg)?;
        let user = db::users::create(
            &mut conn,
            now,
            "bench",
            &db::users::NewUser {
                username: "officer",
                display_name: "officer",
                email: None,
                password_hash: &hash,
                roles: &Roles::new(vec![Role::Drafter]),
            },
        )?;
        db::users::issue_token(&mut conn, now, &user.id, &token, chrono::TimeDelta::days(1))?;
        let t = Instant::now();
        setup(&mut conn, n, &user.id)?;
        println!("seeded {n} comments in {:.1} s", t.elapsed().as_secs_f64());
    }
    let app = test::init_service(
        App::new()
            .app_data(state.clone())
            .configure(consult::http::configure),
    )
    .await;

    let t = Instant::now();
    let res = test::call_service(
        &app,
        TestRequest::post()
            .uri("/api/v1/drafts/d1/report")
            .insert_header(("Authorization", format!("Bearer {token}")))
            .set_json(serde_json::json!({}))
            .to_request(),
    )
    .await;
    let status = res.status();
    let body = test::read_body(res).await;
    let prepare = t.elapsed().as_secs_f64();
    // A refused report measures nothing: stop rather than print a time.
    anyhow::ensure!(
        status.is_success(),
        "POST /report answered {status}: {}",
        String::from_utf8_lossy(&body)
    );
    let doc: serde_json::Value = serde_json::from_slice(&body)?;
    println!(
        "POST /report: {status} in {prepare:.2} s (totals.comments = {})",
        doc["totals"]["comments"]
    );

    let t = Instant::now();
    let res = test::call_service(
        &app,
        TestRequest::get()
            .uri("/api/v1/drafts/d1/report?format=csv")
            .insert_header(("Authorization", format!("Bearer {token}")))
            .to_request(),
    )
    .await;
    let status = res.status();
    anyhow::ensure!(
        status.is_success(),
        "GET /report?format=csv answered {status}"
    );
    let mut body = res.into_body();
    let (mut bytes, mut lines) = (0usize, 0usize);
    while let Some(chunk) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_next(cx)).await {
        let chunk = chunk.map_err(|e| anyhow::anyhow!("{e}"))?;
        bytes += chunk.len();
        lines += chunk.iter().filter(|&&b| b == b'\n').count();
    }
    let csv = t.elapsed().as_secs_f64();
    println!(
        "GET /report?format=csv: {status}, {lines} lines, {bytes} bytes in {csv:.2} s (streamed)"
    );
    println!("report + CSV: {:.2} s", prepare + csv);
    Ok(())
}
