//! The command line on both databases: `user add|list|roles|deactivate|password`, `audit verify`,
//! `migrate`, configuration errors, and `serve` answering and stopping on SIGTERM.

use crate::common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use common::TestApp;
use diesel::prelude::*;

both!(
    user_add_creates_a_user_who_can_get_a_token,
    user_add_refuses_duplicates_and_unknown_roles,
    user_add_reads_the_password_from_stdin,
    user_roles_changes_roles_with_an_audit_entry,
    audit_verify_passes_untouched_and_fails_tampered,
    user_list_deactivate_and_password_go_through_the_service,
    backup_copies_a_live_sqlite_database_and_points_postgresql_to_pg_dump,
);

/// Runs `consult ARGS` in the test's directory against the test's database.
fn consult(app: &TestApp, args: &[&str], password: Option<&str>, stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_consult"));
    cmd.args(args)
        .current_dir(app.db.dir.path())
        .env("CONSULT__DATABASE__URL", &app.db.url)
        .env_remove("CONSULT_CONFIG")
        .env_remove("CONSULT_PASSWORD")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(p) = password {
        cmd.env("CONSULT_PASSWORD", p);
    }
    let mut child = cmd.spawn().expect("run consult");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    } else {
        drop(child.stdin.take());
    }
    child.wait_with_output().expect("wait for consult")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

async fn user_add_creates_a_user_who_can_get_a_token(app: TestApp) {
    let out = consult(
        &app,
        &[
            "user",
            "add",
            "chen",
            "--role",
            "drafter,reviewer",
            "--email",
            "chen@example.gov.cn",
        ],
        Some("a good long password"),
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    let res = app
        .post(
            "/api/v1/auth/token",
            None,
            serde_json::json!({"username": "chen", "password": "a good long password"}),
        )
        .await
        .ok(200);
    assert_eq!(res["roles"], serde_json::json!(["drafter", "reviewer"]));
    let stored: String = consult::db::schema::users::table
        .select(consult::db::schema::users::password_hash)
        .first(&mut *app.conn())
        .unwrap();
    assert!(stored.starts_with("$argon2id$"), "R25: argon2id");
}

async fn user_add_refuses_duplicates_and_unknown_roles(app: TestApp) {
    let first = consult(
        &app,
        &["user", "add", "zhou", "--role", "drafter"],
        Some("password-1234"),
        None,
    );
    assert!(first.status.success(), "{}", text(&first));
    let again = consult(
        &app,
        &["user", "add", "zhou", "--role", "admin"],
        Some("password-1234"),
        None,
    );
    assert_eq!(again.status.code(), Some(1));
    assert!(text(&again).contains("already exists"), "{}", text(&again));

    let bad = consult(
        &app,
        &["user", "add", "wu", "--role", "drafter,emperor"],
        Some("password-1234"),
        None,
    );
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        text(&bad).contains("unknown role `emperor`"),
        "{}",
        text(&bad)
    );
    let short = consult(
        &app,
        &["user", "add", "wu", "--role", "drafter"],
        Some("short"),
        None,
    );
    assert_eq!(short.status.code(), Some(1));
    // Nothing was created by the refused commands.
    let names: Vec<String> = consult::db::schema::users::table
        .select(consult::db::schema::users::username)
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(names, vec!["zhou".to_string()]);
}

async fn user_add_reads_the_password_from_stdin(app: TestApp) {
    let out = consult(
        &app,
        &["user", "add", "zheng", "--role", "moderator"],
        None,
        Some("from stdin 123\n"),
    );
    assert!(out.status.success(), "{}", text(&out));
    app.post(
        "/api/v1/auth/token",
        None,
        serde_json::json!({"username": "zheng", "password": "from stdin 123"}),
    )
    .await
    .ok(200);
}

async fn user_roles_changes_roles_with_an_audit_entry(app: TestApp) {
    assert!(
        consult(
            &app,
            &["user", "add", "feng", "--role", "drafter"],
            Some("password-1234"),
            None
        )
        .status
        .success()
    );
    let out = consult(
        &app,
        &["user", "roles", "feng", "--role", "approver"],
        None,
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    let actions: Vec<String> = consult::db::schema::audit_log::table
        .select(consult::db::schema::audit_log::action)
        .order(consult::db::schema::audit_log::seq)
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(actions, vec!["user.created", "user.roles_changed"]);
    let missing = consult(
        &app,
        &["user", "roles", "nobody", "--role", "approver"],
        None,
        None,
    );
    assert_eq!(missing.status.code(), Some(1));
}

async fn audit_verify_passes_untouched_and_fails_tampered(app: TestApp) {
    for name in ["he", "lv", "shi"] {
        assert!(
            consult(
                &app,
                &["user", "add", name, "--role", "drafter"],
                Some("password-1234"),
                None
            )
            .status
            .success()
        );
    }
    let ok = consult(&app, &["audit", "verify"], None, None);
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(text(&ok).contains("3 entries"));

    use consult::db::schema::audit_log::dsl::*;
    diesel::update(audit_log.find(2))
        .set(actor.eq("someone-else"))
        .execute(&mut *app.conn())
        .unwrap();
    let bad = consult(&app, &["audit", "verify"], None, None);
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad).contains("entry 2"), "{}", text(&bad));
}

#[test]
fn configuration_errors_name_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    let run = |env: &[(&str, &str)]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_consult"));
        cmd.arg("migrate")
            .current_dir(dir.path())
            .env_remove("CONSULT_CONFIG");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    };
    let out = run(&[("CONSULT__WINDOW__MIN_DAYS", "10")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("window.min_days"), "{}", text(&out));

    let out = run(&[
        ("CONSULT__SERVER__PROFILE", "production"),
        ("CONSULT__MAIL__TRANSPORT", "smtp"),
    ]);
    assert!(
        text(&out).contains("security.session_key"),
        "{}",
        text(&out)
    );

    let out = run(&[
        ("CONSULT__SERVER__PROFILE", "production"),
        ("CONSULT__MAIL__TRANSPORT", "smtp"),
        (
            "CONSULT__SECURITY__SESSION_KEY",
            "0123456789abcdef0123456789abcdef",
        ),
        ("CONSULT__TESTING__CLOCK_CONTROL", "true"),
    ]);
    assert!(
        text(&out).contains("testing.clock_control"),
        "{}",
        text(&out)
    );

    let file = dir.path().join("extra.toml");
    std::fs::write(&file, "[window]\nmin_dayz = 20\n").unwrap();
    let out = run(&[("CONSULT_CONFIG", file.to_str().unwrap())]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("min_dayz"), "{}", text(&out));

    // A good override from the environment is used: migrate creates the named file.
    let db = dir.path().join("elsewhere.db");
    let out = run(&[(
        "CONSULT__DATABASE__URL",
        &format!("sqlite://{}", db.display()),
    )]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(db.exists());
}

#[test]
fn serve_answers_and_stops_gracefully_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_consult"))
        .arg("serve")
        .current_dir(dir.path())
        .env_remove("CONSULT_CONFIG")
        .env("CONSULT__SERVER__BIND", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}/healthz");
    let mut answered = None;
    for _ in 0..200 {
        match ureq::get(&url).call() {
            Ok(mut res) => {
                answered = Some(res.body_mut().read_to_string().unwrap());
                break;
            }
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(50)),
        }
    }
    let body = answered.expect("the server answers /healthz");
    assert!(body.contains("\"ok\""));
    // SQLite serves from one process: a second `serve` on the same file is refused.
    let second = Command::new(env!("CARGO_BIN_EXE_consult"))
        .arg("serve")
        .current_dir(dir.path())
        .env_remove("CONSULT_CONFIG")
        .env("CONSULT__SERVER__BIND", "127.0.0.1:0")
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert_eq!(second.status.code(), Some(1));
    assert!(text(&second).contains("already using"), "{}", text(&second));
    assert!(
        text(&second).contains("stop that one first"),
        "says what to do: {}",
        text(&second)
    );
    assert!(
        dir.path().join("data/consult.db").exists(),
        "a new SQLite file under data/"
    );
    let home = ureq::get(&format!("http://127.0.0.1:{port}/"))
        .call()
        .unwrap();
    assert!(
        home.headers()
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );

    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let start = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "graceful exit, got {status}");
            break;
        }
        assert!(
            start.elapsed().as_secs() < 30,
            "did not stop within 30 s of SIGTERM"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

async fn user_list_deactivate_and_password_go_through_the_service(app: TestApp) {
    let token = app.staff("chen", &[consult::domain::roles::Role::Drafter]);
    app.staff("root", &[consult::domain::roles::Role::Admin]);
    let out = consult(&app, &["user", "list"], None, None);
    assert!(out.status.success(), "{}", text(&out));
    let listed = text(&out);
    assert!(listed.contains("chen") && listed.contains("drafter") && listed.contains("root"));

    // A new password: too short is refused and changes nothing; a good one ends the tokens.
    let out = consult(&app, &["user", "password", "chen"], Some("short"), None);
    assert!(!out.status.success());
    assert!(text(&out).contains("8"), "{}", text(&out));
    assert_eq!(
        app.get("/api/v1/drafts", Some(&token))
            .await
            .status
            .as_u16(),
        200
    );
    let out = consult(
        &app,
        &["user", "password", "chen"],
        None,
        Some("a brand new password\n"),
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        app.get("/api/v1/drafts", Some(&token))
            .await
            .status
            .as_u16(),
        401
    );
    let res = app
        .post(
            "/api/v1/auth/token",
            None,
            serde_json::json!({"username": "chen", "password": "a brand new password"}),
        )
        .await;
    assert_eq!(res.status.as_u16(), 200);
    let fresh = res.json()["token"].as_str().unwrap().to_string();

    let out = consult(&app, &["user", "deactivate", "chen"], None, None);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        app.get("/api/v1/drafts", Some(&fresh))
            .await
            .status
            .as_u16(),
        401
    );
    let out = consult(&app, &["user", "list"], None, None);
    assert!(
        text(&out)
            .lines()
            .any(|l| l.starts_with("chen") && l.contains(" no "))
    );
    let out = consult(&app, &["user", "deactivate", "nobody"], None, None);
    assert!(!out.status.success());
    let actions: Vec<String> = consult::db::schema::audit_log::table
        .select(consult::db::schema::audit_log::action)
        .load(&mut *app.conn())
        .unwrap();
    assert!(actions.contains(&"user.password_changed".to_string()));
    assert!(actions.contains(&"user.deactivated".to_string()));
}

async fn backup_copies_a_live_sqlite_database_and_points_postgresql_to_pg_dump(app: TestApp) {
    let file = app.db.dir.path().join("backup.db");
    let draft = common::fixtures::insert_draft(&app, common::fixtures::DraftSpec::open(app.now()));
    if app.db.kind == common::Db::Postgres {
        let out = consult(&app, &["backup", file.to_str().unwrap()], None, None);
        assert!(!out.status.success());
        assert!(text(&out).contains("pg_dump"), "{}", text(&out));
        assert!(!file.exists());
        return;
    }
    // Another connection keeps writing while the copy is made (WAL: readers never wait).
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (url, stop, draft) = (app.db.url.clone(), stop.clone(), draft.clone());
        std::thread::spawn(move || {
            let manager = consult::db::Manager::new(&url, 5000).unwrap();
            let mut conn = diesel::r2d2::ManageConnection::connect(&manager).unwrap();
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                diesel::sql_query(format!(
                    "UPDATE drafts SET view_count = view_count + 1 WHERE id = '{draft}'"
                ))
                .execute(&mut conn)
                .unwrap();
                n += 1;
            }
            n
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(100));
    let out = consult(&app, &["backup", file.to_str().unwrap()], None, None);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let writes = writer.join().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(writes > 0);
    // The copy opens on its own, whole, with the draft and its migrations.
    let mut copy = diesel::SqliteConnection::establish(file.to_str().unwrap()).unwrap();
    #[derive(QueryableByName)]
    struct Check {
        #[diesel(sql_type = diesel::sql_types::Text)]
        integrity_check: String,
    }
    let check: Check = diesel::sql_query("PRAGMA integrity_check")
        .get_result(&mut copy)
        .unwrap();
    assert_eq!(check.integrity_check, "ok");
    let titles: Vec<String> = consult::db::schema::drafts::table
        .filter(consult::db::schema::drafts::id.eq(&draft))
        .select(consult::db::schema::drafts::title)
        .load(&mut copy)
        .unwrap();
    assert_eq!(titles.len(), 1);
    // A backup never overwrites.
    let again = consult(&app, &["backup", file.to_str().unwrap()], None, None);
    assert!(!again.status.success());
    assert!(text(&again).contains("exists"), "{}", text(&again));
}
