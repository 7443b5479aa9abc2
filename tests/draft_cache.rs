//! The draft cache (`http::draft_cache`) through the real app on SQLite and PostgreSQL: every
//! kind of change to a public draft shows at once in its JSON and page, validators and 304s,
//! the clock-dependent parts stay current, staff and public answers never mix, one visitor's
//! CSRF token never reaches another's page, and another node's change shows within the
//! recheck interval.

use crate::common;

use actix_web::cookie::Cookie;
use actix_web::test::TestRequest;
use chrono::TimeDelta;
use common::fixtures::{CommentSpec, DraftSpec, insert_comment, insert_draft};
use common::{Resp, TestApp};
use consult::db::ids::new_id;
use consult::db::schema::{drafts, reports};
use consult::domain::roles::Role;
use diesel::prelude::*;
use serde_json::{Value, json};

both!(
    every_change_to_a_public_draft_shows_at_once_in_its_json_and_page,
    a_published_report_shows_at_once,
    unchanged_drafts_answer_304_to_their_etag_and_still_count_the_view,
    the_phase_and_the_countdown_follow_the_clock_not_the_cache,
    staff_and_public_answers_never_mix,
    a_csrf_token_never_reaches_another_visitors_page,
    another_nodes_change_shows_within_the_recheck_interval,
);

fn json_path(id: &str) -> String {
    format!("/api/v1/drafts/{id}")
}

fn page_path(id: &str) -> String {
    format!("/drafts/{id}")
}

/// The page as a visitor holding the CSRF cookie `csrf` (if any) asks for it.
async fn page(app: &TestApp, path: &str, csrf: Option<&str>, etag: Option<&str>) -> Resp {
    let mut req = TestRequest::get()
        .uri(path)
        .insert_header(("Accept", "text/html"));
    if let Some(c) = csrf {
        req = req.cookie(Cookie::new("csrf", c.to_string()));
    }
    if let Some(e) = etag {
        req = req.insert_header(("If-None-Match", e.to_string()));
    }
    app.call(req).await
}

async fn public_json(app: &TestApp, id: &str) -> (Value, String) {
    let res = app.get(&json_path(id), None).await;
    let etag = res.header("etag").expect("an ETag");
    (res.ok(200), etag)
}

async fn page_text(app: &TestApp, id: &str) -> String {
    let res = page(app, &page_path(id), Some("visitor-token-0123456789"), None).await;
    assert_eq!(res.status.as_u16(), 200, "{}", res.text());
    res.text()
}

async fn every_change_to_a_public_draft_shows_at_once_in_its_json_and_page(app: TestApp) {
    let approver = app.staff("approver", &[Role::Approver]);
    let moderator = app.staff("moderator", &[Role::Moderator]);
    let drafter = app.staff("clerk", &[Role::Drafter]);
    let id = insert_draft(&app, DraftSpec::open(app.now()));
    let (pending, _, _) = insert_comment(
        &app,
        &id,
        CommentSpec {
            status: "pending",
            ..CommentSpec::new("等待审核的意见甲")
        },
    );
    let (v0, e0) = public_json(&app, &id).await;
    assert_eq!(v0["published_comment_count"], 0);
    assert!(!page_text(&app, &id).await.contains("等待审核的意见甲"));
    // Asked again, nothing changed: the same rendering.
    assert_eq!(public_json(&app, &id).await.1, e0);

    // Moderation publishes a comment.
    app.post(
        &format!("/api/v1/comments/{pending}/moderation"),
        Some(&moderator),
        json!({"decision": "publish"}),
    )
    .await
    .ok(200);
    let (v1, e1) = public_json(&app, &id).await;
    assert_eq!(v1["published_comment_count"], 1);
    assert_ne!(e1, e0);
    let text = page_text(&app, &id).await;
    assert!(
        text.contains("等待审核的意见甲"),
        "a published comment is listed"
    );

    // An opinion entered by staff is published at once.
    app.post(
        &format!("/api/v1/drafts/{id}/offline-comments"),
        Some(&drafter),
        json!({"channel": "letter", "body": "来信意见乙", "stakeholder_type": "individual"}),
    )
    .await
    .ok(201);
    assert_eq!(public_json(&app, &id).await.0["published_comment_count"], 2);
    assert!(page_text(&app, &id).await.contains("来信意见乙"));

    // Moderation hides one again.
    app.post(
        &format!("/api/v1/comments/{pending}/moderation"),
        Some(&moderator),
        json!({"decision": "hide", "reason": "spam"}),
    )
    .await
    .ok(200);
    assert_eq!(public_json(&app, &id).await.0["published_comment_count"], 1);
    assert!(!page_text(&app, &id).await.contains("等待审核的意见甲"));

    // The period is extended.
    let closes_on = v0["comment_period"]["closes_on"].as_str().unwrap();
    let later = (chrono::NaiveDate::parse_from_str(closes_on, "%Y-%m-%d").unwrap()
        + TimeDelta::days(5))
    .to_string();
    app.post(
        &format!("/api/v1/drafts/{id}/actions"),
        Some(&approver),
        json!({"action": "extend", "closes_on": later, "reason": "听取更多企业意见"}),
    )
    .await
    .ok(200);
    let (v2, _) = public_json(&app, &id).await;
    assert_eq!(v2["comment_period"]["closes_on"], later.as_str());
    assert_eq!(
        v2["comment_period"]["extensions"][0]["reason"],
        "听取更多企业意见"
    );
    assert!(page_text(&app, &id).await.contains("听取更多企业意见"));

    // Views flushed by the job loop show in both.
    consult::jobs::flush_views(&app.state.pool, &app.state.views);
    let stored: i64 = drafts::table
        .find(&id)
        .select(drafts::view_count)
        .first(&mut *app.conn())
        .unwrap();
    assert!(stored > 0);
    let (v3, e3) = public_json(&app, &id).await;
    assert_eq!(v3["view_count"], stored);
    assert!(
        page_text(&app, &id)
            .await
            .contains(&format!("<dd>{stored}</dd>"))
    );

    // The draft is withdrawn.
    app.post(
        &format!("/api/v1/drafts/{id}/actions"),
        Some(&approver),
        json!({"action": "withdraw", "reason": "上位法已修改"}),
    )
    .await
    .ok(200);
    let (v4, e4) = public_json(&app, &id).await;
    assert_eq!(v4["state"], "withdrawn");
    assert_eq!(v4["withdraw_reason"], "上位法已修改");
    assert_ne!(e4, e3);
    assert!(page_text(&app, &id).await.contains("上位法已修改"));
}

async fn a_published_report_shows_at_once(app: TestApp) {
    let id = insert_draft(&app, DraftSpec::closed(app.now()));
    let (v0, _) = public_json(&app, &id).await;
    assert!(v0["links"].get("report").is_none());
    assert!(!page_text(&app, &id).await.contains("/report\""));
    let report = new_id(app.now());
    let now = app.now().naive_utc();
    let drafter: String = drafts::table
        .find(&id)
        .select(drafts::drafter_id)
        .first(&mut *app.conn())
        .unwrap();
    diesel::insert_into(reports::table)
        .values((
            reports::id.eq(&report),
            reports::draft_id.eq(&id),
            reports::round.eq(1),
            reports::version.eq(1),
            reports::state.eq("awaiting_approval"),
            reports::summary.eq("采纳情况"),
            reports::prepared_by.eq(&drafter),
            reports::prepared_at.eq(now),
            reports::updated_at.eq(now),
        ))
        .execute(&mut *app.conn())
        .unwrap();
    // Not published yet: still no link (and nothing to invalidate).
    assert!(
        public_json(&app, &id).await.0["links"]
            .get("report")
            .is_none()
    );
    let moved = consult::db::reports::transition(
        &mut app.conn(),
        app.now(),
        &report,
        "awaiting_approval",
        "published",
        &drafter,
        None,
    )
    .unwrap();
    assert!(moved);
    let (v1, _) = public_json(&app, &id).await;
    assert_eq!(v1["links"]["report"], format!("/api/v1/drafts/{id}/report"));
    assert!(
        page_text(&app, &id)
            .await
            .contains(&format!("/drafts/{id}/report"))
    );
}

async fn unchanged_drafts_answer_304_to_their_etag_and_still_count_the_view(app: TestApp) {
    let id = insert_draft(&app, DraftSpec::open(app.now()));
    let first = app.get(&json_path(&id), None).await;
    let etag = first.header("etag").expect("an ETag");
    assert!(
        etag.starts_with('"') && !etag.starts_with("W/"),
        "strong: {etag}"
    );
    assert_eq!(
        first.header("cache-control").as_deref(),
        Some("public, no-cache")
    );
    let again = app
        .call(
            TestRequest::get()
                .uri(&json_path(&id))
                .insert_header(("If-None-Match", etag.clone())),
        )
        .await;
    assert_eq!(again.status.as_u16(), 304);
    assert!(again.body.is_empty(), "a 304 has no body");
    assert_eq!(again.header("etag"), Some(etag.clone()));
    // A list of tags, a weak form of ours, or `*` match as well.
    for tag in [
        format!("\"other\", {etag}"),
        format!("W/{etag}"),
        "*".to_string(),
    ] {
        let res = app
            .call(
                TestRequest::get()
                    .uri(&json_path(&id))
                    .insert_header(("If-None-Match", tag)),
            )
            .await;
        assert_eq!(res.status.as_u16(), 304);
    }
    let other = app
        .call(
            TestRequest::get()
                .uri(&json_path(&id))
                .insert_header(("If-None-Match", "\"something-else\"")),
        )
        .await;
    assert_eq!(other.status.as_u16(), 200);

    // The page, for a visitor with a token.
    let p = page(
        &app,
        &page_path(&id),
        Some("visitor-token-0123456789"),
        None,
    )
    .await;
    assert_eq!(p.status.as_u16(), 200);
    let page_etag = p.header("etag").expect("the page's ETag");
    assert_eq!(
        p.header("cache-control").as_deref(),
        Some("private, no-cache")
    );
    let p304 = page(
        &app,
        &page_path(&id),
        Some("visitor-token-0123456789"),
        Some(&page_etag),
    )
    .await;
    assert_eq!(p304.status.as_u16(), 304);
    assert!(p304.body.is_empty());
    // Another visitor's copy holds another token: never "not modified" for them.
    let other = page(
        &app,
        &page_path(&id),
        Some("another-visitor-9876543210"),
        Some(&page_etag),
    )
    .await;
    assert_eq!(other.status.as_u16(), 200);
    assert!(other.text().contains("another-visitor-9876543210"));

    // Every public answer counted, 304s included: 1 + 1 + 3 + 1 JSON, 3 pages.
    consult::jobs::flush_views(&app.state.pool, &app.state.views);
    let stored: i64 = drafts::table
        .find(&id)
        .select(drafts::view_count)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(stored, 9);
    // And the ETag moved with the stored count.
    let after = app.get(&json_path(&id), None).await;
    assert_ne!(after.header("etag"), Some(etag));
    assert_eq!(after.ok(200)["view_count"], 9);
}

async fn the_phase_and_the_countdown_follow_the_clock_not_the_cache(app: TestApp) {
    let now = app.now();
    let id = insert_draft(
        &app,
        DraftSpec {
            opens_at: now + TimeDelta::hours(2),
            closes_at: now + TimeDelta::days(20),
            ..DraftSpec::open(now)
        },
    );
    let (v0, e0) = public_json(&app, &id).await;
    assert_eq!(v0["phase"], "scheduled");
    let p0 = page_text(&app, &id).await;
    assert!(p0.contains("class=\"badge scheduled\""), "{p0}");
    // Two hours later the window is open, with no change to the draft.
    app.set_now(&(now + TimeDelta::hours(2)).to_rfc3339());
    let (v1, e1) = public_json(&app, &id).await;
    assert_eq!(v1["phase"], "open");
    assert_ne!(e1, e0);
    let p1 = page_text(&app, &id).await;
    assert!(p1.contains("class=\"badge open\""));
    // The countdown moves on too (20 days less two hours reads "19 days" after a day more).
    let countdown = |t: &str| {
        let start = t.find("class=\"countdown\">").unwrap() + "class=\"countdown\">".len();
        t[start..start + t[start..].find('<').unwrap()].to_string()
    };
    app.set_now(&(now + TimeDelta::days(3)).to_rfc3339());
    let p2 = page_text(&app, &id).await;
    assert_ne!(countdown(&p1), countdown(&p2));
    // After the close: closed, without any write.
    app.set_now(&(now + TimeDelta::days(21)).to_rfc3339());
    assert_eq!(public_json(&app, &id).await.0["phase"], "closed");
    assert!(
        page_text(&app, &id)
            .await
            .contains("class=\"badge closed\"")
    );
}

async fn staff_and_public_answers_never_mix(app: TestApp) {
    let approver = app.staff("approver", &[Role::Approver]);
    let id = insert_draft(&app, DraftSpec::open(app.now()));
    app.post(
        &format!("/api/v1/drafts/{id}/actions"),
        Some(&approver),
        json!({"action": "extend", "closes_on": "2026-12-31", "reason": "延期"}),
    )
    .await
    .ok(200);
    let staff_view = |v: &Value| v.get("drafter_id").is_some() && v.get("review_steps").is_some();
    // Staff first: their answer is not kept, and says so.
    let s = app.get(&json_path(&id), Some(&approver)).await;
    assert_eq!(
        s.header("cache-control").as_deref(),
        Some("private, no-store")
    );
    assert!(s.header("etag").is_none());
    assert!(staff_view(&s.ok(200)));
    // The public then gets the public view.
    let (p, etag) = public_json(&app, &id).await;
    assert!(!staff_view(&p), "{p}");
    assert!(p.get("approver_id").is_none());
    // Staff after the public: still their own view, even with the public ETag.
    let s2 = app
        .call(
            TestRequest::get()
                .uri(&json_path(&id))
                .insert_header(("Authorization", format!("Bearer {approver}")))
                .insert_header(("If-None-Match", etag.clone())),
        )
        .await;
    assert_eq!(s2.status.as_u16(), 200);
    assert!(staff_view(&s2.ok(200)));
    // And the public again the public one.
    let (p2, etag2) = public_json(&app, &id).await;
    assert!(!staff_view(&p2));
    assert_eq!(etag2, etag);
    // Staff views are not counted.
    consult::jobs::flush_views(&app.state.pool, &app.state.views);
    let stored: i64 = drafts::table
        .find(&id)
        .select(drafts::view_count)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(stored, 2);
}

async fn a_csrf_token_never_reaches_another_visitors_page(app: TestApp) {
    let id = insert_draft(&app, DraftSpec::open(app.now()));
    let a = page(
        &app,
        &page_path(&id),
        Some("visitor-a-0123456789abcdef"),
        None,
    )
    .await;
    let b = page(
        &app,
        &page_path(&id),
        Some("visitor-b-0123456789abcdef"),
        None,
    )
    .await;
    let (a, b) = (a.text(), b.text());
    assert!(a.contains("visitor-a-0123456789abcdef") && !a.contains("visitor-b-"));
    assert!(b.contains("visitor-b-0123456789abcdef") && !b.contains("visitor-a-"));
    // Both forms (comment and subscription) carry the visitor's own token and signature.
    assert_eq!(a.matches("value=\"visitor-a-0123456789abcdef\"").count(), 2);
    assert!(!a.contains("csrfvalue") && !a.contains("csrfsignature"));
    // A new visitor gets a new token, in the cookie and in the page, and no one else's.
    let c = page(&app, &page_path(&id), None, None).await;
    let cookie = c
        .headers
        .get_all("set-cookie")
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("csrf="))
        .expect("a CSRF cookie for a new visitor")
        .to_string();
    let value = cookie["csrf=".len()..].split(';').next().unwrap();
    let c = c.text();
    assert!(c.contains(&format!("value=\"{value}\"")));
    assert!(!c.contains("visitor-a-") && !c.contains("visitor-b-"));
    // The signature in a page is the one for its token: a submission with it is accepted.
    let signature = |text: &str| {
        let start = text.find("name=\"csrf_signature\" value=\"").unwrap()
            + "name=\"csrf_signature\" value=\"".len();
        text[start..start + text[start..].find('"').unwrap()].to_string()
    };
    assert_ne!(signature(&a), signature(&b));
    let expected = consult::security::sign(
        &app.state.secret,
        &format!("csrf:{}", "visitor-a-0123456789abcdef"),
    );
    assert_eq!(signature(&a), expected);
    // The elder mode and English are renderings of their own, with the same care.
    let en = page(
        &app,
        &format!("/drafts/{id}?lang=en&elder=1"),
        Some("visitor-d-0123456789abcdef"),
        None,
    )
    .await
    .text();
    assert!(en.contains("class=\"elder\"") && en.contains("visitor-d-0123456789abcdef"));
    assert!(!en.contains("visitor-a-"));
}

async fn another_nodes_change_shows_within_the_recheck_interval(app: TestApp) {
    // Another node on the same database: a second app state, its own cache.
    let other = app.another_node(|c| c.server.draft_recheck_ms = 200).await;
    let id = insert_draft(&app, DraftSpec::open(app.now()));
    assert_eq!(
        public_json(&other, &id).await.0["title"],
        DraftSpec::open(app.now()).title
    );
    // The change is made as a node would make it, but without this process knowing (no
    // `write_tx`): only the version in the database tells.
    diesel::update(drafts::table.find(&id))
        .set((
            drafts::title.eq("另一节点改过的标题"),
            drafts::public_version.eq(drafts::public_version + 1),
        ))
        .execute(&mut *other.conn())
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert_eq!(
        public_json(&other, &id).await.0["title"],
        "另一节点改过的标题"
    );
    assert!(page_text(&other, &id).await.contains("另一节点改过的标题"));
}
