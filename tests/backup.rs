//! Backup and restore round trips, each ending with `consult audit verify` on what was restored.
//! SQLite: `consult backup` while the real server takes comments, then `consult restore` (refused
//! while the server runs, refused for an edited copy) and the server started again on the
//! restored file. PostgreSQL: `pg_dump` and `pg_restore`, as docs/deploy.md says.

use crate::common;

use std::collections::HashSet;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{TimeDelta, Utc};
use common::fixtures::{DraftSpec, insert_draft};
use common::{Db, TestApp};
use consult::db::schema::comments;
use diesel::prelude::*;
use serde_json::{Value, json};

both!(a_backup_restores_whole_and_its_audit_chain_verifies);

async fn a_backup_restores_whole_and_its_audit_chain_verifies(app: TestApp) {
    match app.db.kind {
        Db::Sqlite => sqlite_round_trip_while_serving(&app),
        Db::Postgres => postgres_round_trip_with_pg_dump(&app),
    }
}

/// `consult ARGS` against `url`, in the test's directory.
fn consult(app: &TestApp, url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_consult"))
        .args(args)
        .current_dir(app.db.dir.path())
        .env("CONSULT__DATABASE__URL", url)
        .env_remove("CONSULT_CONFIG")
        .env("CONSULT_PASSWORD", common::PASSWORD)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run consult")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn succeeds(app: &TestApp, url: &str, args: &[&str]) -> String {
    let out = consult(app, url, args);
    assert!(out.status.success(), "consult {args:?}: {}", text(&out));
    text(&out)
}

/// Staff changes through the command line, each one an entry in the audit chain.
fn audited_changes(app: &TestApp, url: &str, names: &[&str]) {
    for name in names {
        succeeds(app, url, &["user", "add", name, "--role", "drafter"]);
    }
}

fn tracking_numbers(conn: &mut SqliteConnection) -> HashSet<String> {
    comments::table
        .select(comments::tracking_number)
        .load::<String>(conn)
        .unwrap()
        .into_iter()
        .collect()
}

fn open(path: &Path) -> SqliteConnection {
    SqliteConnection::establish(path.to_str().unwrap()).unwrap()
}

/// Posts one comment to the real server and returns its tracking number.
fn comment(agent: &ureq::Agent, url: &str, n: usize) -> String {
    let mut res = agent
        .post(url)
        .send_json(json!({
            "body": format!("第 {n} 条意见：建议延长征求意见期限。"),
            "stakeholder_type": "individual",
            "consent": true,
        }))
        .unwrap();
    assert_eq!(res.status().as_u16(), 201);
    let v: Value = res.body_mut().read_json().unwrap();
    v["tracking_number"].as_str().unwrap().to_string()
}

fn sqlite_round_trip_while_serving(app: &TestApp) {
    // The real server runs on the system clock: open the window around the real now.
    let now = Utc::now();
    let draft = insert_draft(
        app,
        DraftSpec {
            opens_at: now - TimeDelta::days(2),
            closes_at: now + TimeDelta::days(18),
            ..DraftSpec::open(now)
        },
    );
    let dir = app.db.dir.path();
    let live = dir.join("consult.db");
    let url = app.db.url.clone();
    let (config, port) = common::server_config(
        app,
        "server",
        &format!(
            r#"[mail]
file_dir = "{mail}"

[limits]
comment_per_ip_per_hour = 1000000
comments_per_email_per_draft = 1000000
"#,
            mail = dir.join("mail").display(),
        ),
    );
    let mut server = common::start_server(&config, "backup");
    let comments_url = format!("http://127.0.0.1:{port}/api/v1/drafts/{draft}/comments");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    // Before the backup: comments and audited staff changes.
    let before: HashSet<String> = (0..40).map(|n| comment(&agent, &comments_url, n)).collect();
    audited_changes(app, &url, &["backup-a", "backup-b"]);

    // The backup is taken while comments keep arriving.
    let stop = Arc::new(AtomicBool::new(false));
    let during = Arc::new(Mutex::new(HashSet::new()));
    let load = {
        let (agent, url, stop, during) = (
            agent.clone(),
            comments_url.clone(),
            stop.clone(),
            during.clone(),
        );
        std::thread::spawn(move || {
            let mut n = 1000;
            while !stop.load(Ordering::Relaxed) {
                let tn = comment(&agent, &url, n);
                during.lock().unwrap().insert(tn);
                n += 1;
            }
        })
    };
    while during.lock().unwrap().len() < 20 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let backup = dir.join("backup.db");
    succeeds(app, &url, &["backup", backup.to_str().unwrap()]);
    stop.store(true, Ordering::Relaxed);
    load.join().unwrap();
    let during = during.lock().unwrap().clone();

    // After the backup: more comments and changes, which the restore takes back.
    let after: HashSet<String> = (0..10)
        .map(|n| comment(&agent, &comments_url, 2000 + n))
        .collect();
    audited_changes(app, &url, &["backup-c"]);

    // Refused while the server runs; nothing moves.
    let refused = consult(app, &url, &["restore", backup.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("stop that one first"),
        "{}",
        text(&refused)
    );
    assert!(!dir.join("consult.db.restoring").exists());

    server.kill().unwrap();
    server.wait().unwrap();
    let served = tracking_numbers(&mut open(&live));
    assert!(before.iter().chain(&after).all(|t| served.contains(t)));

    // An edited copy (one audit entry changed) is refused, and nothing moves.
    let edited = dir.join("edited.db");
    std::fs::copy(&backup, &edited).unwrap();
    {
        diesel::sql_query(
            "UPDATE audit_log SET action = 'something else' WHERE seq = (SELECT max(seq) FROM audit_log)",
        )
        .execute(&mut open(&edited))
        .unwrap();
    }
    let out = consult(app, &url, &["restore", edited.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(text(&out).contains("audit chain broken"), "{}", text(&out));
    assert!(
        text(&out).contains("nothing was restored"),
        "{}",
        text(&out)
    );
    assert_eq!(tracking_numbers(&mut open(&live)), served);

    // The real restore: the database it replaces is kept, whole.
    let said = succeeds(app, &url, &["restore", backup.to_str().unwrap()]);
    assert!(said.contains("audit chain intact"), "{said}");
    let aside: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with("consult.db.before-restore-") && !name.ends_with("-wal")
        })
        .collect();
    assert_eq!(aside.len(), 1, "{aside:?}");
    assert_eq!(tracking_numbers(&mut open(&aside[0])), served);

    let verified = succeeds(app, &url, &["audit", "verify"]);
    assert!(verified.contains("audit chain intact"), "{verified}");

    // The server starts on the restored file: everything before the backup is there, nothing
    // after it; of the comments during it, only acknowledged ones.
    let mut server = common::start_server(&config, "restored");
    let health = agent
        .get(&format!("http://127.0.0.1:{port}/healthz"))
        .call()
        .unwrap();
    assert_eq!(health.status().as_u16(), 200);
    let restored = tracking_numbers(&mut open(&live));
    assert!(before.is_subset(&restored));
    assert!(after.is_disjoint(&restored));
    assert!(restored.difference(&before).all(|t| during.contains(t)));
    let users = succeeds(app, &url, &["user", "list"]);
    assert!(
        users.contains("backup-b") && !users.contains("backup-c"),
        "{users}"
    );
    // It takes comments again.
    let new = comment(&agent, &comments_url, 3000);
    assert!(tracking_numbers(&mut open(&live)).contains(&new));
    server.kill().unwrap();
    server.wait().unwrap();
    succeeds(app, &url, &["audit", "verify"]);
}

fn postgres_round_trip_with_pg_dump(app: &TestApp) {
    let url = app.db.url.clone();
    audited_changes(app, &url, &["backup-a", "backup-b"]);
    let refused = consult(app, &url, &["restore", "backup.db"]);
    assert!(!refused.status.success());
    assert!(text(&refused).contains("pg_restore"), "{}", text(&refused));

    let pg_bin = std::env::var("PG_BIN").unwrap_or_else(|_| "/usr/lib/postgresql/15/bin".into());
    let dump = app.db.dir.path().join("consult.dump");
    let run = |program: &str, args: &[&str]| {
        let out = Command::new(Path::new(&pg_bin).join(program))
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("{program}: {e}"));
        assert!(out.status.success(), "{program}: {}", text(&out));
    };
    run("pg_dump", &["-Fc", "-f", dump.to_str().unwrap(), &url]);

    // Into a new, empty database on the same server, as after losing the first.
    let (server, _) = url.rsplit_once('/').unwrap();
    let name = format!("r_{}", consult::db::ids::random_code(12).to_lowercase());
    let mut admin = PgConnection::establish(&format!("{server}/postgres")).unwrap();
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .unwrap();
    let restored = format!("{server}/{name}");
    run(
        "pg_restore",
        &["--no-owner", "-d", &restored, dump.to_str().unwrap()],
    );

    let original = succeeds(app, &url, &["audit", "verify"]);
    let copy = succeeds(app, &restored, &["audit", "verify"]);
    assert!(copy.contains("audit chain intact"), "{copy}");
    assert_eq!(original, copy, "the same chain, entry for entry");
    let users = succeeds(app, &restored, &["user", "list"]);
    assert!(users.contains("backup-b"), "{users}");

    diesel::sql_query(format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&mut admin)
        .unwrap();
}
