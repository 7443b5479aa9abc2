//! R25, R27 (staff side), R7, R12: the officers' workspace through the real app on SQLite and
//! PostgreSQL — sign-in and sessions, CSRF on every form, role checks, and each workflow form
//! with its refusals and audit entries.

use crate::common;

use actix_web::test::TestRequest;
use chrono::TimeDelta;
use common::fixtures::{CommentSpec, DraftSpec, insert_comment, insert_draft};
use common::session::{Browser, location, signed_in, value_of};
use common::{PASSWORD, Resp, TestApp};
use consult::db::schema::{audit_log, comments, drafts, materials, outbox, staff_sessions};
use consult::domain::roles::Role;
use diesel::prelude::*;

both!(
    staff_pages_send_a_stranger_to_sign_in_and_back,
    a_wrong_password_and_an_unknown_user_get_the_same_answer_and_are_audited,
    sign_in_needs_its_csrf_token,
    sessions_end_when_idle_after_their_absolute_lifetime_and_at_sign_out,
    signing_in_replaces_the_session_the_browser_had,
    a_password_reset_ends_the_users_sessions,
    every_staff_form_refuses_a_missing_or_foreign_csrf_token,
    a_page_the_roles_do_not_allow_is_a_403_page_not_a_redirect,
    a_drafter_creates_edits_uploads_materials_and_submits_in_the_browser,
    the_editor_adds_moves_removes_and_splits_articles_without_javascript,
    the_review_chain_runs_in_forms_and_four_eyes_refusals_show_on_the_page,
    a_moderator_decides_many_comments_with_one_form,
    offline_opinions_are_entered_with_errors_beside_their_fields,
    an_admin_adds_a_user_who_sets_a_password_then_changes_roles_and_deactivates,
    the_audit_and_mail_pages_are_for_admins_and_retry_a_failed_message,
    the_dashboard_lists_what_waits_for_each_role,
    staff_pages_are_english_on_request,
    ended_sessions_and_old_sign_in_attempts_are_purged,
    a_drafter_invites_people_to_a_hearing_from_the_drafts_page,
    an_officer_changes_their_own_password_and_every_session_ends,
);

/// Like `both!`, for tests that need their own configuration.
macro_rules! both_with {
    ($name:ident, $tweak:expr) => {
        mod $name {
            #[actix_web::test]
            async fn sqlite() {
                let app = $crate::common::TestApp::start_with($crate::common::Db::Sqlite, $tweak)
                    .await
                    .expect("sqlite app");
                super::$name(app).await
            }
            #[actix_web::test]
            async fn postgres() {
                if let Some(app) =
                    $crate::common::TestApp::start_with($crate::common::Db::Postgres, $tweak).await
                {
                    super::$name(app).await
                }
            }
        }
    };
}

both_with!(
    failed_sign_ins_are_throttled_per_account_and_per_address,
    |c| {
        c.security.login_max_failures = 3;
        c.security.login_max_failures_per_address = 3;
    }
);

both_with!(over_https_the_session_cookie_is_secure_and_host_only, |c| {
    c.server.public_url = "https://consult.example.gov.cn".into();
});

async fn over_https_the_session_cookie_is_secure_and_host_only(app: TestApp) {
    app.staff("wang", &[Role::Drafter]);
    let mut b = Browser::new(&app);
    let res = b.sign_in("wang", PASSWORD).await;
    assert_eq!(location(&res), "/staff");
    let cookie = res
        .headers
        .get_all("set-cookie")
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("__Host-consult_staff="))
        .expect("a __Host- session cookie");
    for part in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(part), "{part} in {cookie}");
    }
    assert!(!cookie.contains("Domain="));
    assert_eq!(b.get("/staff").await.status.as_u16(), 200);
}

fn audit_actions(app: &TestApp) -> Vec<String> {
    audit_log::table
        .order(audit_log::seq.asc())
        .select(audit_log::action)
        .load(&mut *app.conn())
        .unwrap()
}

fn live_sessions(app: &TestApp) -> i64 {
    staff_sessions::table
        .filter(staff_sessions::revoked_at.is_null())
        .count()
        .get_result(&mut *app.conn())
        .unwrap()
}

fn draft_state(app: &TestApp, id: &str) -> String {
    drafts::table
        .find(id)
        .select(drafts::state)
        .first(&mut *app.conn())
        .unwrap()
}

async fn staff_pages_send_a_stranger_to_sign_in_and_back(app: TestApp) {
    app.staff("wang", &[Role::Drafter]);
    let mut b = Browser::new(&app);
    let res = b.get("/staff/drafts?state=drafting").await;
    assert_eq!(
        location(&res),
        "/staff/login?next=%2Fstaff%2Fdrafts%3Fstate%3Ddrafting"
    );
    let page = b.get(&location(&res)).await;
    assert_eq!(page.status.as_u16(), 200);
    let html = page.text();
    assert!(html.contains("name=\"username\"") && html.contains("name=\"password\""));
    assert_eq!(value_of(&html, "next"), "/staff/drafts?state=drafting");
    let v = value_of(&html, "csrf_token");
    let s = value_of(&html, "csrf_signature");
    let res = b
        .post(
            "/staff/login",
            &[
                ("csrf_token", &v),
                ("csrf_signature", &s),
                ("username", "wang"),
                ("password", PASSWORD),
                ("next", "/staff/drafts?state=drafting"),
            ],
        )
        .await;
    assert_eq!(location(&res), "/staff/drafts?state=drafting");
    let cookie = res
        .headers
        .get_all("set-cookie")
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("consult_staff="))
        .expect("a session cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    let page = b.get("/staff/drafts?state=drafting").await;
    assert_eq!(page.status.as_u16(), 200);
    assert_eq!(page.header("cache-control").as_deref(), Some("no-store"));
    // A form sent after the session ended comes back to the page it was on.
    let expired = Browser::new(&app);
    let req = TestRequest::post()
        .uri("/staff/moderation")
        .insert_header((
            "Referer",
            "http://localhost:8080/staff/moderation?status=hidden",
        ))
        .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
        .set_payload("decision=publish");
    let res = expired.app.call(req).await;
    assert_eq!(
        location(&res),
        "/staff/login?next=%2Fstaff%2Fmoderation%3Fstatus%3Dhidden"
    );
    // `next` never leads off the workspace.
    let mut other = Browser::new(&app);
    let page = other.get("/staff/login?next=https://evil.example/").await;
    assert_eq!(value_of(&page.text(), "next"), "/staff");
    let page = other.get("/staff/login?next=//evil.example/staff").await;
    assert_eq!(value_of(&page.text(), "next"), "/staff");
}

async fn a_wrong_password_and_an_unknown_user_get_the_same_answer_and_are_audited(app: TestApp) {
    app.staff("wang", &[Role::Drafter]);
    let mut b = Browser::new(&app);
    let wrong = b.sign_in("wang", "not the password").await;
    let unknown = b.sign_in("nobody", "not the password").await;
    assert_eq!(wrong.status.as_u16(), 401);
    assert_eq!(unknown.status.as_u16(), 401);
    let strip = |r: &Resp, name: &str| {
        let html = r.text();
        let html = html.replace(&format!("value=\"{name}\""), "value=\"\"");
        html.lines()
            .filter(|l| !l.contains("csrf_"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip(&wrong, "wang"), strip(&unknown, "nobody"));
    let html = wrong.text();
    assert!(
        html.contains("id=\"password-error\""),
        "error beside the field"
    );
    assert!(!b.cookies.contains_key("consult_staff"));
    let failed = audit_actions(&app)
        .iter()
        .filter(|a| *a == "auth.sign_in_failed")
        .count();
    assert_eq!(failed, 2);
    // An inactive user with the right password is refused like anyone else.
    diesel::update(consult::db::schema::users::table)
        .filter(consult::db::schema::users::username.eq("wang"))
        .set(consult::db::schema::users::active.eq(false))
        .execute(&mut *app.conn())
        .unwrap();
    let res = b.sign_in("wang", PASSWORD).await;
    assert_eq!(res.status.as_u16(), 401);
}

async fn failed_sign_ins_are_throttled_per_account_and_per_address(app: TestApp) {
    app.staff("wang", &[Role::Drafter]);
    app.staff("li", &[Role::Drafter]);
    let mut b = Browser::new(&app);
    for _ in 0..3 {
        assert_eq!(
            b.sign_in("wang", "wrong password").await.status.as_u16(),
            401
        );
    }
    // The fourth try is refused even with the right password, and says when to come back.
    let res = b.sign_in("wang", PASSWORD).await;
    assert_eq!(res.status.as_u16(), 429);
    let retry: i64 = res.header("retry-after").unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 15 * 60, "{retry}");
    // The same address is throttled for other accounts too.
    assert_eq!(b.sign_in("li", PASSWORD).await.status.as_u16(), 429);
    // After the window, the right password works again.
    app.clock().set(app.now() + TimeDelta::minutes(16));
    assert_eq!(location(&b.sign_in("wang", PASSWORD).await), "/staff");
}

async fn sign_in_needs_its_csrf_token(app: TestApp) {
    app.staff("wang", &[Role::Drafter]);
    let mut b = Browser::new(&app);
    let _ = b.get("/staff/login").await;
    let res = b
        .post(
            "/staff/login",
            &[("username", "wang"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status.as_u16(), 403);
    assert_eq!(live_sessions(&app), 0);
}

async fn sessions_end_when_idle_after_their_absolute_lifetime_and_at_sign_out(app: TestApp) {
    let mut b = signed_in(&app, "wang", &[Role::Drafter]).await;
    assert_eq!(b.get("/staff").await.status.as_u16(), 200);
    // Idle: 31 minutes without a request.
    app.clock().set(app.now() + TimeDelta::minutes(31));
    assert!(location(&b.get("/staff").await).starts_with("/staff/login"));

    // Absolute: busy all day, still over after 12 hours.
    let mut b = Browser::new(&app);
    assert_eq!(location(&b.sign_in("wang", PASSWORD).await), "/staff");
    for _ in 0..(12 * 60 / 20) {
        app.clock().set(app.now() + TimeDelta::minutes(20));
        let res = b.get("/staff").await;
        if res.status.as_u16() != 200 {
            assert!(location(&res).starts_with("/staff/login"));
            break;
        }
    }
    assert!(location(&b.get("/staff").await).starts_with("/staff/login"));

    // Sign-out ends the session on the server, not only in this browser.
    let mut b = Browser::new(&app);
    assert_eq!(location(&b.sign_in("wang", PASSWORD).await), "/staff");
    let stolen = b.cookies.get("consult_staff").cloned().unwrap();
    let res = b.submit("/staff", "/staff/logout", &[]).await;
    assert!(location(&res).starts_with("/staff/login"));
    let mut thief = Browser::new(&app);
    thief.cookies.insert("consult_staff".into(), stolen);
    assert!(location(&thief.get("/staff").await).starts_with("/staff/login"));
    assert!(audit_actions(&app).contains(&"auth.signed_out".to_string()));
}

async fn signing_in_replaces_the_session_the_browser_had(app: TestApp) {
    let wang = signed_in(&app, "wang", &[Role::Drafter]).await;
    let first = wang.cookies.get("consult_staff").cloned().unwrap();
    app.staff("li", &[Role::Reviewer]);
    // A browser that carries that session (planted, or left over) signs in as someone else.
    let mut b = Browser::new(&app);
    let page = b.get("/staff/login").await.text();
    b.cookies.insert("consult_staff".into(), first.clone());
    let v = value_of(&page, "csrf_token");
    let s = value_of(&page, "csrf_signature");
    let res = b
        .post(
            "/staff/login",
            &[
                ("csrf_token", &v),
                ("csrf_signature", &s),
                ("username", "li"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(location(&res), "/staff");
    let second = b.cookies.get("consult_staff").cloned().unwrap();
    assert_ne!(first, second);
    let mut old = Browser::new(&app);
    old.cookies.insert("consult_staff".into(), first);
    assert!(location(&old.get("/staff").await).starts_with("/staff/login"));
    assert_eq!(live_sessions(&app), 1);
}

async fn a_password_reset_ends_the_users_sessions(app: TestApp) {
    let mut wang = signed_in(&app, "wang", &[Role::Drafter]).await;
    let mut admin = signed_in(&app, "root", &[Role::Admin]).await;
    let id = app.user_id("wang");
    let res = admin
        .submit(
            "/staff/users",
            &format!("/staff/users/{id}"),
            &[("op", "reset_password")],
        )
        .await;
    assert_eq!(location(&res), "/staff/users");
    let page = admin.get("/staff/users").await.text();
    assert!(
        page.contains("/staff/password?token="),
        "the new link is shown once"
    );
    assert!(location(&wang.get("/staff").await).starts_with("/staff/login"));
    // The old password is gone too.
    assert_eq!(wang.sign_in("wang", PASSWORD).await.status.as_u16(), 401);
    assert!(audit_actions(&app).contains(&"user.password_reset".to_string()));
}

async fn every_staff_form_refuses_a_missing_or_foreign_csrf_token(app: TestApp) {
    let mut b = signed_in(&app, "wang", &[Role::Drafter, Role::Admin, Role::Moderator]).await;
    let draft = insert_draft(&app, DraftSpec::open(app.now()));
    let forms: Vec<(String, Vec<(&str, &str)>)> = vec![
        ("/staff/drafts/new".into(), vec![("title", "x")]),
        (
            format!("/staff/drafts/{draft}/actions"),
            vec![("action", "withdraw")],
        ),
        (
            format!("/staff/drafts/{draft}/offline"),
            vec![("body", "x")],
        ),
        ("/staff/moderation".into(), vec![("decision", "publish")]),
        ("/staff/users".into(), vec![("username", "x")]),
        ("/staff/logout".into(), vec![]),
    ];
    let before = audit_actions(&app).len();
    for (path, pairs) in &forms {
        let res = b.post(path, pairs).await;
        assert_eq!(res.status.as_u16(), 403, "{path} without a token");
        let mut with_foreign = pairs.clone();
        with_foreign.push(("csrf_token", "not-the-sessions-token"));
        let res = b.post(path, &with_foreign).await;
        assert_eq!(res.status.as_u16(), 403, "{path} with a foreign token");
    }
    assert_eq!(audit_actions(&app).len(), before, "nothing changed");
    assert_eq!(
        b.get("/staff").await.status.as_u16(),
        200,
        "still signed in"
    );
}

async fn a_page_the_roles_do_not_allow_is_a_403_page_not_a_redirect(app: TestApp) {
    let mut b = signed_in(&app, "wang", &[Role::Drafter]).await;
    for path in [
        "/staff/users",
        "/staff/audit",
        "/staff/outbox",
        "/staff/moderation",
    ] {
        let res = b.get(path).await;
        assert_eq!(res.status.as_u16(), 403, "{path}");
        assert!(res.text().contains("<h1>"), "{path} is a page");
    }
    let mut r = signed_in(&app, "zhao", &[Role::Reviewer]).await;
    assert_eq!(r.get("/staff/drafts/new").await.status.as_u16(), 403);
}

/// A minimal PDF (its magic bytes are what the content check reads).
const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

async fn upload(
    b: &mut Browser<'_>,
    draft: &str,
    kind: &str,
    title: &str,
    file: Option<(&str, &[u8])>,
) -> Resp {
    let page = b.get(&format!("/staff/drafts/{draft}/edit")).await;
    let token = value_of(&page.text(), "csrf_token");
    let boundary = "XyZbOuNdArY";
    let mut body: Vec<u8> = Vec::new();
    for (name, value) in [
        ("csrf_token", token.as_str()),
        ("kind", kind),
        ("title", title),
        ("body", ""),
    ] {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((name, data)) = file {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let req = b.with_cookies(
        TestRequest::post()
            .uri(&format!("/staff/drafts/{draft}/materials"))
            .insert_header((
                "Content-Type",
                format!("multipart/form-data; boundary={boundary}"),
            ))
            .set_payload(body),
    );
    let res = b.app.call(req).await;
    b.absorb(&res);
    res
}

async fn a_drafter_creates_edits_uploads_materials_and_submits_in_the_browser(app: TestApp) {
    let mut b = signed_in(&app, "wang", &[Role::Drafter]).await;
    let form = b.get("/staff/drafts/new").await.text();
    assert!(
        form.contains("closes_on-hint"),
        "the earliest closing date is shown"
    );
    // Too short a period: refused, the error beside the field, the input kept.
    let today = app.now().date_naive();
    let opens = (today + TimeDelta::days(3)).to_string();
    let short = (today + TimeDelta::days(5)).to_string();
    let base = [
        ("title", "Rules on legal aid"),
        ("agency", "justice"),
        ("category", "Normative documents"),
        ("kind", "normative_document"),
        ("subject_terms", "legal aid, justice"),
        ("comment_period.opens_on", opens.as_str()),
        ("articles[0].heading", "Scope"),
        ("articles[0].text", "These rules apply county-wide."),
        ("articles[1].text", "Legal aid is free."),
        ("articles[2].text", "They take effect on publication."),
        ("op", "save"),
    ];
    let mut pairs = base.to_vec();
    pairs.push(("comment_period.closes_on", short.as_str()));
    let res = b
        .submit("/staff/drafts/new", "/staff/drafts/new", &pairs)
        .await;
    assert_eq!(res.status.as_u16(), 422);
    let html = res.text();
    assert!(html.contains("id=\"closes_on-error\""), "{html}");
    assert!(html.contains("value=\"Rules on legal aid\""), "input kept");
    assert_eq!(
        drafts::table
            .count()
            .get_result::<i64>(&mut *app.conn())
            .unwrap(),
        0
    );

    let long = (today + TimeDelta::days(40)).to_string();
    let mut pairs = base.to_vec();
    pairs.push(("comment_period.closes_on", long.as_str()));
    let res = b
        .submit("/staff/drafts/new", "/staff/drafts/new", &pairs)
        .await;
    let to = location(&res);
    let id = to
        .strip_prefix("/staff/drafts/")
        .and_then(|r| r.strip_suffix("/edit"))
        .unwrap()
        .to_string();
    assert_eq!(draft_state(&app, &id), "drafting");
    let edit = b.get(&to).await.text();
    assert!(
        edit.contains("class=\"flash"),
        "a flash message after the redirect"
    );
    assert!(edit.contains("These rules apply county-wide."));

    // An edit: the title changes, the articles stay three.
    let mut pairs = base.to_vec();
    pairs.retain(|(k, _)| *k != "title");
    pairs.push(("title", "Rules on free legal aid"));
    pairs.push(("comment_period.closes_on", long.as_str()));
    let res = b
        .submit(&to, &format!("/staff/drafts/{id}/edit"), &pairs)
        .await;
    assert_eq!(location(&res), to);
    let title: String = drafts::table
        .find(&id)
        .select(drafts::title)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(title, "Rules on free legal aid");

    // Submitting without materials is refused on the page (R3).
    let res = b
        .submit(
            &format!("/staff/drafts/{id}"),
            &format!("/staff/drafts/{id}/actions"),
            &[("action", "submit")],
        )
        .await;
    assert_eq!(res.status.as_u16(), 409);
    assert!(res.text().contains("role=\"alert\""));
    assert_eq!(draft_state(&app, &id), "drafting");

    // A file that is not what it claims is refused beside the file field.
    let res = upload(
        &mut b,
        &id,
        "explanation",
        "Explanation",
        Some(("x.pdf", b"MZ not a pdf")),
    )
    .await;
    assert_eq!(res.status.as_u16(), 415);
    assert!(res.text().contains("material_file"));
    let res = upload(
        &mut b,
        &id,
        "explanation",
        "Explanation",
        Some(("explanation.pdf", PDF)),
    )
    .await;
    assert!(location(&res).starts_with(&format!("/staff/drafts/{id}/edit")));
    let res = upload(&mut b, &id, "basis", "Basis", Some(("basis.pdf", PDF))).await;
    assert!(location(&res).starts_with(&format!("/staff/drafts/{id}/edit")));
    let files: i64 = materials::table
        .filter(materials::draft_id.eq(&id))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(files, 2);
    let page = b.get(&format!("/staff/drafts/{id}")).await.text();
    let file_link = page
        .split("href=\"/staff/materials/")
        .nth(1)
        .map(|r| format!("/staff/materials/{}", &r[..r.find('"').unwrap()]))
        .expect("a link to the file");
    let file = b.get(&file_link).await;
    assert_eq!(file.status.as_u16(), 200);
    assert_eq!(&file.body[..], PDF);

    let res = b
        .submit(
            &format!("/staff/drafts/{id}"),
            &format!("/staff/drafts/{id}/actions"),
            &[("action", "submit")],
        )
        .await;
    assert_eq!(location(&res), format!("/staff/drafts/{id}"));
    assert_eq!(draft_state(&app, &id), "awaiting_initial_review");
    let actions = audit_actions(&app);
    for a in [
        "draft.created",
        "draft.updated",
        "material.created",
        "draft.submit",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
}

async fn the_editor_adds_moves_removes_and_splits_articles_without_javascript(app: TestApp) {
    let mut b = signed_in(&app, "wang", &[Role::Drafter]).await;
    let page = b.get("/staff/drafts/new").await.text();
    let token = value_of(&page, "csrf_token");
    let res = b
        .post(
            "/staff/drafts/new",
            &[
                ("csrf_token", &token),
                ("title", "T"),
                ("articles[0].text", "first"),
                ("articles[1].text", "second"),
                ("op", "up-1"),
            ],
        )
        .await;
    assert_eq!(res.status.as_u16(), 200);
    let html = res.text();
    let first = html.find(">second</textarea>").unwrap();
    let second = html.find(">first</textarea>").unwrap();
    assert!(first < second, "moved up");
    assert!(html.contains("value=\"T\""), "other fields kept");
    let res = b
        .post(
            "/staff/drafts/new",
            &[
                ("csrf_token", &token),
                ("articles[0].text", "first"),
                ("articles[1].text", "second"),
                ("op", "remove-0"),
            ],
        )
        .await;
    let html = res.text();
    assert!(!html.contains(">first</textarea>") && html.contains(">second</textarea>"));
    let res = b
        .post(
            "/staff/drafts/new",
            &[
                ("csrf_token", &token),
                ("articles[0].text", ""),
                (
                    "articles_paste",
                    "第一条　为了规范管理，制定本办法。\n第二条　本办法自公布之日起施行。",
                ),
                ("op", "split"),
            ],
        )
        .await;
    let html = res.text();
    assert!(html.contains("name=\"articles[1].text\""), "two articles");
    assert!(html.contains(">本办法自公布之日起施行。</textarea>"));
    assert!(!html.contains("name=\"articles[2].text\""));
    let res = b
        .post(
            "/staff/drafts/new",
            &[
                ("csrf_token", &token),
                ("articles[0].text", "x"),
                ("op", "add"),
            ],
        )
        .await;
    assert!(res.text().contains("name=\"articles[1].text\""));
    assert_eq!(
        drafts::table
            .count()
            .get_result::<i64>(&mut *app.conn())
            .unwrap(),
        0,
        "nothing stored"
    );
}

async fn the_review_chain_runs_in_forms_and_four_eyes_refusals_show_on_the_page(app: TestApp) {
    let mut spec = DraftSpec::open(app.now() + TimeDelta::days(10));
    spec.state = "awaiting_initial_review";
    let id = insert_draft(&app, spec);
    diesel::update(drafts::table.find(&id))
        .set(drafts::approved_at.eq(None::<chrono::NaiveDateTime>))
        .execute(&mut *app.conn())
        .unwrap();
    let page_path = format!("/staff/drafts/{id}");
    let action_path = format!("/staff/drafts/{id}/actions");
    let mut r1 = signed_in(&app, "reviewer-one", &[Role::Reviewer]).await;
    let page = r1.get(&page_path).await.text();
    assert!(page.contains("value=\"pass_initial_review\"") && page.contains("value=\"return\""));
    assert!(
        !page.contains("value=\"approve\""),
        "only the steps this person may take"
    );
    // Without the attestation: refused beside the checkbox, nothing recorded.
    let res = r1
        .submit(
            &page_path,
            &action_path,
            &[("action", "pass_initial_review")],
        )
        .await;
    assert_eq!(res.status.as_u16(), 422);
    assert!(res.text().contains("class=\"check invalid\""));
    assert_eq!(draft_state(&app, &id), "awaiting_initial_review");
    let res = r1
        .submit(
            &page_path,
            &action_path,
            &[
                ("action", "pass_initial_review"),
                ("attest_no_confidential", "true"),
                ("note", "Checked."),
            ],
        )
        .await;
    assert_eq!(location(&res), page_path);
    assert_eq!(draft_state(&app, &id), "awaiting_re_review");
    // Four eyes: the initial reviewer may not do the re-review.
    let page = r1.get(&page_path).await.text();
    assert!(!page.contains("value=\"pass_re_review\""));
    let token = value_of(&page, "csrf_token");
    let res = r1
        .post(
            &action_path,
            &[
                ("csrf_token", &token),
                ("action", "pass_re_review"),
                ("attest_no_confidential", "true"),
            ],
        )
        .await;
    assert_eq!(res.status.as_u16(), 403);
    assert!(
        res.text().contains("role=\"alert\""),
        "the refusal is a message on the page"
    );
    assert_eq!(draft_state(&app, &id), "awaiting_re_review");
    let mut r2 = signed_in(&app, "reviewer-two", &[Role::Reviewer]).await;
    // A return needs a note.
    let res = r2
        .submit(&page_path, &action_path, &[("action", "return")])
        .await;
    assert_eq!(res.status.as_u16(), 422);
    let res = r2
        .submit(
            &page_path,
            &action_path,
            &[
                ("action", "pass_re_review"),
                ("attest_no_confidential", "true"),
            ],
        )
        .await;
    assert_eq!(location(&res), page_path);
    let mut ap = signed_in(&app, "approver", &[Role::Approver]).await;
    let res = ap
        .submit(
            &page_path,
            &action_path,
            &[("action", "approve"), ("attest_no_confidential", "true")],
        )
        .await;
    assert_eq!(location(&res), page_path);
    assert_eq!(draft_state(&app, &id), "published");
    let page = ap.get(&page_path).await.text();
    for who in ["reviewer-one", "reviewer-two", "approver"] {
        assert!(page.contains(who), "the record names {who}");
    }
    // Extend: a later date with a reason.
    let later = (app.now() + TimeDelta::days(60)).date_naive().to_string();
    let res = ap
        .submit(
            &page_path,
            &action_path,
            &[
                ("action", "extend"),
                ("closes_on", "not a date"),
                ("reason", "x"),
            ],
        )
        .await;
    assert_eq!(res.status.as_u16(), 422);
    let res = ap
        .submit(
            &page_path,
            &action_path,
            &[
                ("action", "extend"),
                ("closes_on", &later),
                ("reason", "Requested by the townships."),
            ],
        )
        .await;
    assert_eq!(location(&res), page_path);
    let res = ap
        .submit(
            &page_path,
            &action_path,
            &[("action", "withdraw"), ("reason", "Superseded.")],
        )
        .await;
    assert_eq!(location(&res), page_path);
    assert_eq!(draft_state(&app, &id), "withdrawn");
    let actions = audit_actions(&app);
    for a in [
        "draft.pass_initial_review",
        "draft.pass_re_review",
        "draft.approve",
        "draft.extend",
        "draft.withdraw",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
}

async fn a_moderator_decides_many_comments_with_one_form(app: TestApp) {
    let draft = insert_draft(&app, DraftSpec::open(app.now()));
    let mut ids = Vec::new();
    for body in [
        "One opinion.",
        "Another opinion, see https://example.org",
        "Call me on 13800138000.",
    ] {
        let mut spec = CommentSpec::new(body);
        spec.status = "pending";
        ids.push(insert_comment(&app, &draft, spec).0);
    }
    let mut m = signed_in(&app, "mod", &[Role::Moderator]).await;
    let page = m.get("/staff/moderation").await.text();
    for id in &ids {
        assert!(
            page.contains(&format!("value=\"{id}\"")),
            "a checkbox per comment"
        );
    }
    assert!(page.contains("Another opinion"));
    assert!(
        !page.contains("zhangsan@example.com"),
        "no personal fields in the queue"
    );
    let flagged = m.get("/staff/moderation?flag=link").await.text();
    assert!(flagged.contains(&ids[1]) && !flagged.contains(&format!("value=\"{}\"", ids[0])));
    let flagged = m.get("/staff/moderation?flag=contact_details").await.text();
    assert!(
        flagged.contains(&format!("value=\"{}\"", ids[2]))
            && !flagged.contains(&format!("value=\"{}\"", ids[0]))
    );
    // Hiding without a reason is refused and changes nothing.
    let res = m
        .submit(
            "/staff/moderation",
            "/staff/moderation",
            &[
                ("comment_id", &ids[1]),
                ("comment_id", &ids[2]),
                ("decision", "hide"),
            ],
        )
        .await;
    assert!(location(&res).starts_with("/staff/moderation"));
    let pending: i64 = comments::table
        .filter(comments::status.eq("pending"))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(pending, 3);
    let page = m.get("/staff/moderation").await.text();
    assert!(page.contains("flash error"));
    // Two published and one hidden, in two bulk decisions.
    let res = m
        .submit(
            "/staff/moderation",
            "/staff/moderation",
            &[
                ("comment_id", &ids[1]),
                ("comment_id", &ids[2]),
                ("decision", "hide"),
                ("reason", "personal_data"),
            ],
        )
        .await;
    assert!(location(&res).starts_with("/staff/moderation"));
    let res = m
        .submit(
            "/staff/moderation",
            "/staff/moderation",
            &[("comment_id", &ids[0]), ("decision", "publish")],
        )
        .await;
    assert!(location(&res).starts_with("/staff/moderation"));
    let statuses: Vec<(String, String)> = comments::table
        .select((comments::id, comments::status))
        .load(&mut *app.conn())
        .unwrap();
    for (id, status) in statuses {
        let want = if id == ids[0] { "published" } else { "hidden" };
        assert_eq!(status, want, "{id}");
    }
    let actions = audit_actions(&app);
    assert_eq!(actions.iter().filter(|a| *a == "comment.hide").count(), 2);
    assert_eq!(
        actions.iter().filter(|a| *a == "comment.publish").count(),
        1
    );
}

async fn offline_opinions_are_entered_with_errors_beside_their_fields(app: TestApp) {
    let draft = insert_draft(&app, DraftSpec::open(app.now()));
    let mut b = signed_in(&app, "wang", &[Role::Drafter]).await;
    let path = format!("/staff/drafts/{draft}/offline");
    let res = b
        .submit(
            &path,
            &path,
            &[
                ("body", "By letter: extend the period."),
                ("stakeholder_type", "individual"),
            ],
        )
        .await;
    assert_eq!(res.status.as_u16(), 422);
    let html = res.text();
    assert!(html.contains("By letter: extend the period."), "input kept");
    assert!(html.contains("field invalid") && html.contains("id=\"channel\""));
    let res = b
        .submit(
            &path,
            &path,
            &[
                ("channel", "letter"),
                ("article", "2"),
                ("body", "By letter: extend the period."),
                ("stakeholder_type", "individual"),
                ("name", "Zhang"),
                ("consent", "true"),
            ],
        )
        .await;
    assert_eq!(location(&res), path);
    let page = b.get(&path).await.text();
    let (channel, status, article): (String, String, Option<i32>) = comments::table
        .select((comments::channel, comments::status, comments::article))
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(
        (channel.as_str(), status.as_str(), article),
        ("letter", "published", Some(2))
    );
    let tracking: String = comments::table
        .select(comments::tracking_number)
        .first(&mut *app.conn())
        .unwrap();
    assert!(
        page.contains(&tracking),
        "the flash names the tracking number"
    );
    assert!(audit_actions(&app).contains(&"comment.enter_offline".to_string()));
}

async fn an_admin_adds_a_user_who_sets_a_password_then_changes_roles_and_deactivates(app: TestApp) {
    let mut admin = signed_in(&app, "root", &[Role::Admin]).await;
    // A refused form: no role, a bad name.
    let res = admin
        .submit(
            "/staff/users",
            "/staff/users",
            &[("username", "li si"), ("email", "li@example.gov.cn")],
        )
        .await;
    assert_eq!(res.status.as_u16(), 422);
    let html = res.text();
    assert!(html.contains("value=\"li@example.gov.cn\""));
    let res = admin
        .submit(
            "/staff/users",
            "/staff/users",
            &[
                ("username", "lisi"),
                ("display_name", "Li Si"),
                ("roles", "drafter"),
                ("roles", "reviewer"),
            ],
        )
        .await;
    assert_eq!(location(&res), "/staff/users");
    let page = admin.get("/staff/users").await.text();
    let link_at = page
        .find("/staff/password?token=")
        .expect("the one-time link");
    let rest = &page[link_at..];
    let link = rest[..rest.find(['<', ' ']).unwrap()]
        .replace("&#x3d;", "=")
        .replace("&amp;", "&");
    // The new user cannot sign in before choosing a password.
    let mut li = Browser::new(&app);
    assert_eq!(li.sign_in("lisi", "").await.status.as_u16(), 401);
    let form = li.get(&link).await;
    assert_eq!(form.status.as_u16(), 200, "{link}");
    let html = form.text();
    let token = value_of(&html, "token");
    let v = value_of(&html, "csrf_token");
    let s = value_of(&html, "csrf_signature");
    let res = li
        .post(
            "/staff/password",
            &[
                ("csrf_token", &v),
                ("csrf_signature", &s),
                ("token", &token),
                ("password", "a fine long password"),
                ("password_again", "a fine long password"),
            ],
        )
        .await;
    assert_eq!(location(&res), "/staff/login");
    // The link is spent.
    assert_eq!(li.get(&link).await.status.as_u16(), 410);
    assert_eq!(
        location(&li.sign_in("lisi", "a fine long password").await),
        "/staff"
    );
    let id = app.user_id("lisi");
    let res = admin
        .submit(
            "/staff/users",
            &format!("/staff/users/{id}"),
            &[("op", "roles"), ("roles", "moderator")],
        )
        .await;
    assert_eq!(location(&res), "/staff/users");
    assert_eq!(
        li.get("/staff/moderation").await.status.as_u16(),
        200,
        "the new role counts at once"
    );
    // An admin cannot remove their own admin role.
    let me = app.user_id("root");
    let _ = admin
        .submit(
            "/staff/users",
            &format!("/staff/users/{me}"),
            &[("op", "roles"), ("roles", "drafter")],
        )
        .await;
    assert!(
        admin
            .get("/staff/users")
            .await
            .text()
            .contains("flash error")
    );
    let res = admin
        .submit(
            "/staff/users",
            &format!("/staff/users/{id}"),
            &[("op", "deactivate")],
        )
        .await;
    assert_eq!(location(&res), "/staff/users");
    assert!(location(&li.get("/staff").await).starts_with("/staff/login"));
    let actions = audit_actions(&app);
    for a in [
        "user.created",
        "user.password_set",
        "user.roles_changed",
        "user.deactivated",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
}

async fn the_audit_and_mail_pages_are_for_admins_and_retry_a_failed_message(app: TestApp) {
    let mut admin = signed_in(&app, "root", &[Role::Admin]).await;
    let page = admin.get("/staff/audit").await;
    assert_eq!(page.status.as_u16(), 200);
    let html = page.text();
    assert!(html.contains("auth.signed_in"));
    assert!(
        html.contains("verify=1"),
        "the chain is verified on request"
    );
    let html = admin.get("/staff/audit?verify=1").await.text();
    assert!(html.contains("class=\"flash\""), "the chain is intact");
    let first: i64 = audit_log::table
        .select(audit_log::seq)
        .order(audit_log::seq.asc())
        .first(&mut *app.conn())
        .unwrap();
    diesel::update(audit_log::table.find(first))
        .set(audit_log::details.eq("{\"edited\":true}"))
        .execute(&mut *app.conn())
        .unwrap();
    let html = admin.get("/staff/audit?verify=1").await.text();
    assert!(
        html.contains("class=\"flash error\""),
        "an edited entry is reported"
    );
    diesel::update(audit_log::table.find(first))
        .set(audit_log::details.eq("{}"))
        .execute(&mut *app.conn())
        .unwrap();
    let id = app.user_id("root");
    let filtered = admin
        .get(&format!("/staff/audit?actor={id}&object_type=session"))
        .await
        .text();
    assert!(filtered.contains("auth.signed_in"));
    let filtered = admin.get("/staff/audit?object_type=draft").await.text();
    assert!(!filtered.contains("auth.signed_in"));
    // A failed message, retried from the page.
    let draft = insert_draft(&app, DraftSpec::open(app.now()));
    consult::db::outbox::enqueue(
        &mut app.conn(),
        app.now(),
        &consult::db::outbox::NewMail {
            kind: "comment_receipt",
            recipient: "someone@example.com",
            locale: "en",
            payload: serde_json::json!({}),
            draft_id: Some(&draft),
            dedupe_key: None,
        },
    )
    .unwrap();
    diesel::update(outbox::table)
        .set((
            outbox::status.eq("failed"),
            outbox::last_error.eq(Some("550 no such user")),
        ))
        .execute(&mut *app.conn())
        .unwrap();
    let page = admin.get("/staff/outbox?status=failed").await.text();
    assert!(page.contains("550 no such user"));
    assert!(
        !page.contains("someone@example.com"),
        "recipients are masked"
    );
    let id_of: String = outbox::table
        .select(outbox::id)
        .first(&mut *app.conn())
        .unwrap();
    let res = admin
        .submit(
            "/staff/outbox?status=failed",
            &format!("/staff/outbox/{id_of}/retry"),
            &[],
        )
        .await;
    assert!(location(&res).starts_with("/staff/outbox"));
    let status: String = outbox::table
        .select(outbox::status)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(status, "queued");
    assert!(audit_actions(&app).contains(&"mail.retry".to_string()));
}

async fn the_dashboard_lists_what_waits_for_each_role(app: TestApp) {
    let mut spec = DraftSpec::open(app.now());
    spec.title = "Awaiting a first look".into();
    spec.state = "awaiting_initial_review";
    let waiting = insert_draft(&app, spec);
    let mut spec = DraftSpec::open(app.now());
    spec.title = "Closing very soon".into();
    spec.closes_at = app.now() + TimeDelta::days(2);
    insert_draft(&app, spec);
    let mut spec = DraftSpec::closed(app.now());
    spec.title = "Closed last week".into();
    spec.closes_at = app.now() - TimeDelta::days(7);
    let closed = insert_draft(&app, spec);
    let mut c = CommentSpec::new("pending one");
    c.status = "pending";
    insert_comment(&app, &closed, c);
    let mut r = signed_in(&app, "rev", &[Role::Reviewer, Role::Moderator]).await;
    let html = r.get("/staff").await.text();
    assert!(
        html.contains(&format!("/staff/drafts/{waiting}")),
        "the review that waits"
    );
    assert!(html.contains("Closing very soon"));
    assert!(
        html.contains("href=\"/staff/moderation\""),
        "the moderation queue's size"
    );
    let mut d = signed_in(&app, "drf", &[Role::Drafter]).await;
    let html = d.get("/staff").await.text();
    assert!(html.contains("Closed last week"), "a report that is due");
    // A review waits for reviewers, not for a drafter who did not write the draft.
    assert!(!html.contains(&format!("/staff/drafts/{waiting}\"")));
    assert!(
        !html.contains("href=\"/staff/moderation\""),
        "no moderation link without the role"
    );
}

async fn staff_pages_are_english_on_request(app: TestApp) {
    let mut b = signed_in(&app, "root", &[Role::Admin, Role::Drafter, Role::Moderator]).await;
    for path in [
        "/staff?lang=en",
        "/staff/drafts",
        "/staff/drafts/new",
        "/staff/moderation",
        "/staff/users",
        "/staff/audit",
        "/staff/outbox",
        "/staff/account",
    ] {
        let res = b.get(path).await;
        assert_eq!(res.status.as_u16(), 200, "{path}");
        let html = res.text();
        assert!(html.contains("<html lang=\"en\""), "{path}");
        let text: String = html
            .split('<')
            .map(|part| part.split_once('>').map_or("", |(_, t)| t))
            .collect();
        let han = text
            .chars()
            .filter(|c| {
                ('\u{4e00}'..='\u{9fff}').contains(c)
                    || ('\u{3000}'..='\u{303f}').contains(c)
                    || ('\u{ff00}'..='\u{ffef}').contains(c)
            })
            .collect::<String>();
        // Only the language switch ("中文") and the site's name may be Chinese.
        let allowed: String = "中文"
            .chars()
            .chain(app.state.config.site.name.chars())
            .collect();
        assert!(han.chars().all(|c| allowed.contains(c)), "{path}: {han}");
    }
}

async fn ended_sessions_and_old_sign_in_attempts_are_purged(app: TestApp) {
    let _b = signed_in(&app, "wang", &[Role::Drafter]).await;
    let mut other = Browser::new(&app);
    assert_eq!(
        other
            .sign_in("wang", "wrong password")
            .await
            .status
            .as_u16(),
        401
    );
    let count = |app: &TestApp| -> (i64, i64) {
        let sessions = staff_sessions::table
            .count()
            .get_result(&mut *app.conn())
            .unwrap();
        let attempts = consult::db::schema::login_attempts::table
            .count()
            .get_result(&mut *app.conn())
            .unwrap();
        (sessions, attempts)
    };
    consult::jobs::housekeeping::run(&app.state.pool, &app.state.config, app.now()).unwrap();
    assert_eq!(count(&app), (1, 2), "live ones stay");
    app.clock().set(app.now() + TimeDelta::days(2));
    consult::jobs::housekeeping::run(&app.state.pool, &app.state.config, app.now()).unwrap();
    assert_eq!(count(&app), (0, 0));
}

async fn a_drafter_invites_people_to_a_hearing_from_the_drafts_page(app: TestApp) {
    let draft = insert_draft(&app, DraftSpec::open(app.now()));
    let mut b = signed_in(&app, "wang", &[Role::Drafter]).await;
    let page = b.get(&format!("/staff/drafts/{draft}")).await.text();
    assert!(page.contains(&format!("/staff/drafts/{draft}/invitations")));
    let path = format!("/staff/drafts/{draft}/invitations");
    let when = (app.now() + TimeDelta::days(5))
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    // A bad address and a time in the past: both refused beside their fields.
    let res = b
        .submit(
            &path,
            &path,
            &[
                ("kind", "hearing"),
                ("starts_at", "2020-01-01T09:00"),
                ("place", "County hall, room 3"),
                ("emails", "good@example.com\nnot-an-address"),
                ("locale", "en"),
            ],
        )
        .await;
    assert_eq!(res.status.as_u16(), 422);
    let html = res.text();
    assert!(html.contains("County hall, room 3"), "input kept");
    assert!(html.matches("class=\"error\"").count() >= 2, "{html}");
    assert_eq!(
        outbox::table
            .count()
            .get_result::<i64>(&mut *app.conn())
            .unwrap(),
        0
    );
    let res = b
        .submit(
            &path,
            &path,
            &[
                ("kind", "hearing"),
                ("starts_at", &when),
                ("place", "County hall, room 3"),
                ("emails", "a@example.com\nb@example.com, a@example.com"),
                ("locale", "en"),
            ],
        )
        .await;
    assert_eq!(location(&res), format!("/staff/drafts/{draft}"));
    let queued: Vec<(String, String)> = outbox::table
        .select((outbox::kind, outbox::recipient))
        .order(outbox::recipient.asc())
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(
        queued,
        vec![
            ("invitation".to_string(), "a@example.com".to_string()),
            ("invitation".to_string(), "b@example.com".to_string()),
        ]
    );
    // Reviewers may not invite.
    let mut r = signed_in(&app, "zhao", &[Role::Reviewer]).await;
    assert_eq!(r.get(&path).await.status.as_u16(), 403);
}

async fn an_officer_changes_their_own_password_and_every_session_ends(app: TestApp) {
    let mut b = signed_in(&app, "wang", &[Role::Drafter]).await;
    let mut phone = Browser::new(&app);
    assert_eq!(location(&phone.sign_in("wang", PASSWORD).await), "/staff");
    // The current password must be right, and the new one given twice alike.
    let res = b
        .submit(
            "/staff/account",
            "/staff/account",
            &[
                ("current_password", "not it"),
                ("password", "a new long password"),
                ("password_again", "a new long password"),
            ],
        )
        .await;
    assert_eq!(res.status.as_u16(), 422);
    assert!(res.text().contains("class=\"field invalid\""));
    let res = b
        .submit(
            "/staff/account",
            "/staff/account",
            &[
                ("current_password", PASSWORD),
                ("password", "a new long password"),
                ("password_again", "another one"),
            ],
        )
        .await;
    assert_eq!(res.status.as_u16(), 422);
    let res = b
        .submit(
            "/staff/account",
            "/staff/account",
            &[
                ("current_password", PASSWORD),
                ("password", "a new long password"),
                ("password_again", "a new long password"),
            ],
        )
        .await;
    assert_eq!(location(&res), "/staff/login");
    assert!(
        location(&phone.get("/staff").await).starts_with("/staff/login"),
        "other sessions end"
    );
    let mut again = Browser::new(&app);
    assert_eq!(again.sign_in("wang", PASSWORD).await.status.as_u16(), 401);
    assert_eq!(
        location(&again.sign_in("wang", "a new long password").await),
        "/staff"
    );
    assert!(audit_actions(&app).contains(&"user.password_changed".to_string()));
}
