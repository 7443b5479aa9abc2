//! The service skeleton on both databases: health, metrics, home page, auth,

//! problem answers, the test clock, migrations and the audit chain.

use crate::common;

use common::{Db, PASSWORD, TestApp, TestDb};
use consult::domain::roles::Role;
use diesel::prelude::*;
use diesel_migrations::MigrationHarness;
use serde_json::json;

both!(
    healthz_answers_ok_with_the_database,
    healthz_is_503_when_the_database_is_unreachable,
    home_page_is_html,
    metrics_count_requests_per_route,
    metrics_show_comment_batches_and_the_mail_waiting_and_sent,
    token_from_username_and_password,
    wrong_credentials_are_401_problems,
    wrong_role_is_403_and_revoked_or_expired_tokens_are_401,
    malformed_json_is_400_unknown_fields_422,
    unknown_routes_and_methods_are_problems,
    oversized_bodies_are_413,
    clock_can_be_set_by_an_admin_and_runs_on,
    user_creation_and_role_changes_open_the_audit_chain,
    audit_verify_detects_edit_removal_and_reordering,
    migrations_go_up_down_and_up_again,
);

async fn healthz_answers_ok_with_the_database(app: TestApp) {
    let res = app.get("/healthz", None).await;
    let body = res.ok(200);
    assert_eq!(body["status"], "ok");
}

async fn healthz_is_503_when_the_database_is_unreachable(app: TestApp) {
    let mut config = (*app.state.config).clone();
    config.database.url = match app.db.kind {
        // A path under /proc can never be created, even by root.
        Db::Sqlite => "sqlite:///proc/consult-no-such-dir/consult.db".into(),
        // Port 1 on loopback refuses connections.
        Db::Postgres => "postgres://postgres@127.0.0.1:1/consult".into(),
    };
    let broken = consult::app::AppState::unchecked(config, app.clock().clone()).unwrap();
    let broken = TestApp {
        state: actix_web::web::Data::new(broken),
        db: std::sync::Arc::new(TestDb::create(Db::Sqlite).unwrap()),
    };
    let res = broken.get("/healthz", None).await;
    let doc = res.problem(503);
    assert_eq!(doc["type"], "/problems/database-unavailable");
    assert!(res.header("retry-after").is_some());
}

async fn home_page_is_html(app: TestApp) {
    let res = app.get("/", None).await;
    assert_eq!(res.status, 200);
    assert!(res.header("content-type").unwrap().starts_with("text/html"));
    let html = res.text();
    assert!(html.contains("<html lang=\"zh-CN\""), "Chinese by default");
    assert!(html.contains("征求意见"));
    let en = app.get("/?lang=en", None).await.text();
    assert!(en.contains("<html lang=\"en\"") && en.contains("Public consultation"));
}

async fn metrics_count_requests_per_route(app: TestApp) {
    app.get("/healthz", None).await;
    app.get("/no/such/page", None).await;
    let text = app.get("/metrics", None).await.text();
    assert!(
        text.contains(
            r#"consult_http_requests_total{method="GET",route="/healthz",status="200"} 1"#
        ),
        "{text}"
    );
    assert!(text.contains("consult_http_request_duration_seconds_bucket"));
    assert!(text.contains(r#"route="unmatched",status="404""#));
    // What an operator watches besides requests: the comment writers' batches and the mail.
    for name in [
        "consult_comment_batch_size_bucket",
        "consult_mail_sent_total",
        "consult_mail_retried_total",
        "consult_mail_failed_total",
        "consult_mail_queued",
        "consult_mail_oldest_unsent_seconds",
    ] {
        assert!(text.contains(name), "{name} in:\n{text}");
    }
}

async fn metrics_show_comment_batches_and_the_mail_waiting_and_sent(app: TestApp) {
    let draft = common::fixtures::insert_draft(&app, common::fixtures::DraftSpec::open(app.now()));
    for i in 0..3 {
        app.post(
            &format!("/api/v1/drafts/{draft}/comments"),
            None,
            json!({"body": format!("第{i}条意见"), "stakeholder_type": "individual",
                   "email": format!("m{i}@example.com"), "consent": true}),
        )
        .await
        .ok(201);
    }
    let ctx = app.state.job_context();
    let value = |text: &str, name: &str| -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{name} in:\n{text}"))
            .trim()
            .parse()
            .unwrap()
    };
    let text = app.get("/metrics", None).await.text();
    assert_eq!(
        value(&text, "consult_comment_batch_size_sum"),
        3.0,
        "{text}"
    );
    // One tick: three receipts sent (the file transport), none waiting any more.
    consult::jobs::tick(&ctx);
    let text = app.get("/metrics", None).await.text();
    assert_eq!(value(&text, "consult_mail_sent_total"), 3.0, "{text}");
    assert_eq!(value(&text, "consult_mail_queued"), 0.0);
    assert_eq!(value(&text, "consult_mail_oldest_unsent_seconds"), 0.0);
}

async fn token_from_username_and_password(app: TestApp) {
    app.staff("wang.drafter", &[Role::Drafter, Role::Reviewer]);
    let res = app
        .post(
            "/api/v1/auth/token",
            None,
            json!({"username": "wang.drafter", "password": PASSWORD}),
        )
        .await;
    let body = res.ok(200);
    let token = body["token"].as_str().unwrap();
    assert!(token.len() >= 40);
    assert_eq!(body["roles"], json!(["drafter", "reviewer"]));
    assert!(body["expires_at"].as_str().unwrap().ends_with('Z'));
    // The token is stored hashed, never as given.
    let stored: Vec<String> = consult::db::schema::api_tokens::table
        .select(consult::db::schema::api_tokens::token_hash)
        .load(&mut *app.conn())
        .unwrap();
    assert!(stored.iter().all(|h| h != token));
    // And it works.
    let res = app.delete("/api/v1/auth/token", Some(token)).await;
    assert_eq!(res.status, 204);
}

async fn wrong_credentials_are_401_problems(app: TestApp) {
    app.staff("li", &[Role::Drafter]);
    let doc = app
        .post(
            "/api/v1/auth/token",
            None,
            json!({"username": "li", "password": "nope-nope"}),
        )
        .await
        .problem(401);
    assert_eq!(doc["type"], "/problems/unauthenticated");
    app.post(
        "/api/v1/auth/token",
        None,
        json!({"username": "nobody", "password": "x"}),
    )
    .await
    .problem(401);
    app.get("/api/v1/test/clock", Some("not-a-token"))
        .await
        .problem(401);
    let res = app.get("/api/v1/test/clock", None).await;
    res.problem(401);
    assert_eq!(res.header("www-authenticate").as_deref(), Some("Bearer"));
}

async fn wrong_role_is_403_and_revoked_or_expired_tokens_are_401(app: TestApp) {
    let drafter = app.staff("zhao", &[Role::Drafter]);
    let doc = app
        .get("/api/v1/test/clock", Some(&drafter))
        .await
        .problem(403);
    assert_eq!(doc["type"], "/problems/forbidden");
    assert!(doc["detail"].as_str().unwrap().contains("admin"));

    let admin = app.staff("root", &[Role::Admin]);
    app.get("/api/v1/test/clock", Some(&admin)).await.ok(200);
    assert_eq!(
        app.delete("/api/v1/auth/token", Some(&admin)).await.status,
        204
    );
    app.get("/api/v1/test/clock", Some(&admin))
        .await
        .problem(401);

    app.staff("qian", &[Role::Admin]);
    let res = app
        .post(
            "/api/v1/auth/token",
            None,
            json!({"username": "qian", "password": PASSWORD}),
        )
        .await
        .ok(200);
    let token = res["token"].as_str().unwrap().to_string();
    app.get("/api/v1/test/clock", Some(&token)).await.ok(200);
    app.clock().advance(chrono::TimeDelta::hours(13));
    app.get("/api/v1/test/clock", Some(&token))
        .await
        .problem(401);
}

async fn malformed_json_is_400_unknown_fields_422(app: TestApp) {
    use actix_web::test::TestRequest;
    let res = app
        .call(
            TestRequest::post()
                .uri("/api/v1/auth/token")
                .insert_header(("content-type", "application/json"))
                .set_payload("{\"username\": "),
        )
        .await;
    assert_eq!(res.problem(400)["type"], "/problems/malformed-request");

    let res = app
        .post(
            "/api/v1/auth/token",
            None,
            json!({"username": "a", "password": "b", "pasword": "c", "remember": true}),
        )
        .await;
    let doc = res.problem(422);
    assert!(doc["errors"]["pasword"].is_array() && doc["errors"]["remember"].is_array());

    let res = app
        .post(
            "/api/v1/auth/token",
            None,
            json!({"username": "", "password": "b"}),
        )
        .await;
    assert!(res.problem(422)["errors"]["username"].is_array());

    let res = app
        .call(
            TestRequest::post()
                .uri("/api/v1/auth/token?lang=en")
                .insert_header(("content-type", "text/plain"))
                .set_payload("username=a"),
        )
        .await;
    res.problem(415);
}

async fn unknown_routes_and_methods_are_problems(app: TestApp) {
    let doc = app.get("/api/v1/no-such-thing", None).await.problem(404);
    assert_eq!(doc["type"], "/problems/not-found");
    let res = app.get("/api/v1/auth/token?lang=en", None).await;
    assert_eq!(res.problem(405)["title"], "Method not allowed");
    // Problem types resolve to a page.
    assert_eq!(app.get("/problems/not-found", None).await.status, 200);
}

async fn oversized_bodies_are_413(app: TestApp) {
    let limit = app.state.config.limits.max_body_bytes;
    let big = "x".repeat(limit + 10);
    let res = app
        .post(
            "/api/v1/auth/token",
            None,
            json!({"username": big, "password": "p"}),
        )
        .await;
    let doc = res.problem(413);
    assert_eq!(doc["limit_bytes"], limit);
}

async fn clock_can_be_set_by_an_admin_and_runs_on(app: TestApp) {
    let admin = app.staff("ops", &[Role::Admin]);
    let res = app
        .put(
            "/api/v1/test/clock",
            Some(&admin),
            json!({"now": "2031-05-04T08:00:00+08:00"}),
        )
        .await
        .ok(200);
    assert!(
        res["now"]
            .as_str()
            .unwrap()
            .starts_with("2031-05-04T00:00:00")
    );
    let now = app.now();
    let set: chrono::DateTime<chrono::Utc> = "2031-05-04T00:00:00Z".parse().unwrap();
    assert!(
        now >= set && now < set + chrono::TimeDelta::seconds(30),
        "the clock runs on from the set time"
    );
    let doc = app
        .put(
            "/api/v1/test/clock",
            Some(&admin),
            json!({"now": "yesterday"}),
        )
        .await
        .problem(422);
    assert!(doc["errors"]["now"].is_array());

    // Without testing.clock_control the route does not exist.
    let plain = TestApp::start_with(app.db.kind, |c| c.testing.clock_control = false)
        .await
        .unwrap();
    let admin = plain.staff("ops", &[Role::Admin]);
    plain
        .put(
            "/api/v1/test/clock",
            Some(&admin),
            json!({"now": "2031-05-04T08:00:00+08:00"}),
        )
        .await
        .problem(404);
}

async fn user_creation_and_role_changes_open_the_audit_chain(app: TestApp) {
    app.staff("sun", &[Role::Drafter]);
    let mut conn = app.conn();
    consult::db::users::set_roles(
        &mut conn,
        app.now(),
        "cli",
        "sun",
        &consult::domain::roles::Roles::new(vec![Role::Drafter, Role::Approver]),
    )
    .unwrap();
    use consult::db::schema::audit_log::dsl::*;
    let rows: Vec<(i64, String, String)> = audit_log
        .select((seq, action, details))
        .order(seq)
        .load(&mut *conn)
        .unwrap();
    assert_eq!(rows[0].0, 1);
    assert_eq!(rows[0].1, "user.created");
    assert_eq!(rows[1].1, "user.roles_changed");
    assert!(rows[1].2.contains("approver"));
    assert_eq!(consult::db::audit::verify(&mut conn).unwrap(), Ok(2));
}

async fn audit_verify_detects_edit_removal_and_reordering(app: TestApp) {
    use consult::db::schema::audit_log::dsl::*;
    use consult::domain::audit::ChainBreak;
    for name in ["a1", "a2", "a3", "a4"] {
        app.staff(name, &[Role::Drafter]);
    }
    let mut conn = app.conn();
    assert_eq!(consult::db::audit::verify(&mut conn).unwrap(), Ok(4));

    // Edited.
    diesel::update(audit_log.find(2))
        .set(details.eq("{}"))
        .execute(&mut *conn)
        .unwrap();
    assert_eq!(
        consult::db::audit::verify(&mut conn).unwrap(),
        Err(ChainBreak::Altered { seq: 2 })
    );
    let fresh = TestApp::start(app.db.kind).await.unwrap();
    for name in ["a1", "a2", "a3", "a4"] {
        fresh.staff(name, &[Role::Drafter]);
    }
    let mut conn = fresh.conn();

    // Reordered: swap the contents of entries 2 and 3 (keeping their hashes valid for themselves).
    let row = |n: i64, c: &mut consult::db::DbConn| -> (String, String) {
        audit_log
            .find(n)
            .select((object_id, hash))
            .first(c)
            .unwrap()
    };
    let (o2, _) = row(2, &mut conn);
    let (o3, _) = row(3, &mut conn);
    diesel::update(audit_log.find(2))
        .set(object_id.eq(&o3))
        .execute(&mut *conn)
        .unwrap();
    diesel::update(audit_log.find(3))
        .set(object_id.eq(&o2))
        .execute(&mut *conn)
        .unwrap();
    assert!(consult::db::audit::verify(&mut conn).unwrap().is_err());
    diesel::update(audit_log.find(2))
        .set(object_id.eq(&o2))
        .execute(&mut *conn)
        .unwrap();
    diesel::update(audit_log.find(3))
        .set(object_id.eq(&o3))
        .execute(&mut *conn)
        .unwrap();
    assert_eq!(consult::db::audit::verify(&mut conn).unwrap(), Ok(4));

    // Removed from the middle.
    diesel::delete(audit_log.find(3))
        .execute(&mut *conn)
        .unwrap();
    assert_eq!(
        consult::db::audit::verify(&mut conn).unwrap(),
        Err(ChainBreak::Gap {
            expected: 3,
            found: 4
        })
    );

    // Removed from the end.
    let other = TestApp::start(app.db.kind).await.unwrap();
    other.staff("b1", &[Role::Drafter]);
    other.staff("b2", &[Role::Drafter]);
    let mut conn = other.conn();
    diesel::delete(audit_log.find(2))
        .execute(&mut *conn)
        .unwrap();
    assert_eq!(
        consult::db::audit::verify(&mut conn).unwrap(),
        Err(ChainBreak::Truncated {
            head_seq: 2,
            last_seq: 1
        })
    );
}

async fn migrations_go_up_down_and_up_again(app: TestApp) {
    let mut conn = app.db.connect();
    match &mut conn {
        consult::db::DbConn::Sqlite(c) => {
            c.revert_all_migrations(consult::db::SQLITE_MIGRATIONS)
                .unwrap();
            assert!(
                c.run_pending_migrations(consult::db::SQLITE_MIGRATIONS)
                    .unwrap()
                    .len()
                    >= 4
            );
        }
        consult::db::DbConn::Pg(c) => {
            c.revert_all_migrations(consult::db::POSTGRES_MIGRATIONS)
                .unwrap();
            assert!(
                c.run_pending_migrations(consult::db::POSTGRES_MIGRATIONS)
                    .unwrap()
                    .len()
                    >= 4
            );
        }
    }
}

#[test]
fn migration_pairs_match_on_both_backends() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let names = |backend: &str| {
        let mut v: Vec<String> = std::fs::read_dir(root.join(backend))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let sqlite = names("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(
        sqlite,
        names("postgres"),
        "every migration exists for both backends"
    );
    for name in &sqlite {
        for backend in ["sqlite", "postgres"] {
            for file in ["up.sql", "down.sql"] {
                let path = root.join(backend).join(name).join(file);
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                assert!(
                    !text.trim().is_empty(),
                    "{} is missing or empty",
                    path.display()
                );
            }
        }
    }
}
