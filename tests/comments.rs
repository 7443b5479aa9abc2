//! Public comments (R9–R15) on both databases: validation, receipts, idempotency,
//! moderation, privacy, offline opinions, receipt look-up and limits.

use crate::common;

use actix_web::test::TestRequest;
use chrono::{DurationRound, TimeDelta};
use common::fixtures::{CommentSpec, DraftSpec, insert_comment, insert_draft};
use common::{Resp, TestApp};
use consult::db::ids::hash_secret;
use consult::db::schema::{audit_log, comments, drafts, idempotency_keys, outbox};
use consult::domain::roles::Role;
use diesel::prelude::*;
use serde_json::{Value, json};

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

both!(
    comment_on_open_draft_gets_a_receipt_and_waits_for_moderation,
    receipt_mail_is_queued_with_the_comment_only_when_an_email_is_given,
    every_bad_field_is_named_in_the_requests_language,
    body_counts_characters_and_is_trimmed_and_nfc_normalised,
    invisible_bodies_are_empty_and_control_characters_are_refused,
    organisations_must_name_themselves,
    article_must_exist_in_the_draft,
    unknown_fields_are_refused_and_nothing_is_stored,
    comments_are_taken_only_while_the_window_is_open,
    same_idempotency_key_returns_the_first_receipt_and_stores_nothing_new,
    idempotency_key_with_a_different_body_is_422,
    idempotency_keys_expire_after_a_day,
    racing_requests_with_one_key_store_one_comment,
    moderators_publish_or_hide_with_a_reason_and_it_is_audited,
    moderation_queue_is_for_moderators_and_oldest_first,
    hidden_comments_are_still_counted_for_staff,
    public_list_shows_published_comments_without_personal_data,
    name_is_public_only_when_the_commenter_asks,
    withheld_bodies_are_never_shown_publicly,
    staff_see_every_comment_with_personal_fields_and_filter_by_status,
    no_public_endpoint_leaks_seeded_personal_data,
    drafters_enter_offline_opinions_that_skip_moderation,
    offline_opinions_need_a_known_channel_and_a_drafter,
    receipt_lookup_shows_status_and_outcome_only_after_the_report,
    wrong_receipt_token_is_404,
    oversized_comment_is_413_and_nothing_is_stored,
    an_acknowledged_comment_waited_for_the_disk,
);

both_with!(per_client_limit_is_429_with_retry_after, |c| {
    c.limits.comment_per_ip_per_hour = 3;
});
both_with!(forwarded_for_is_believed_only_from_trusted_proxies, |c| {
    c.limits.comment_per_ip_per_hour = 1;
    c.server.trusted_proxies = vec!["10.0.0.1".into()];
});
both_with!(
    racing_requests_from_one_client_cannot_exceed_the_limit,
    |c| {
        c.limits.comment_per_ip_per_hour = 3;
    }
);
// Above the writer's direct count (100 comments of a client), so PostgreSQL counts the busy
// client per minute.
both_with!(
    a_busy_client_is_counted_exactly_past_what_the_index_is_read_for,
    |c| {
        c.limits.comment_per_ip_per_hour = 120;
    }
);
both_with!(
    an_email_address_may_send_only_the_capped_number_per_draft,
    |c| {
        c.limits.comments_per_email_per_draft = 2;
    }
);

// ---- helpers ----

fn form(body: &str) -> Value {
    json!({
        "body": body,
        "stakeholder_type": "individual",
        "consent": true,
    })
}

fn comments_url(draft: &str) -> String {
    format!("/api/v1/drafts/{draft}/comments")
}

async fn submit(app: &TestApp, draft: &str, body: Value) -> Resp {
    app.post(&comments_url(draft), None, body).await
}

async fn submit_from(
    app: &TestApp,
    draft: &str,
    peer: &str,
    xff: Option<&str>,
    body: Value,
) -> Resp {
    let mut req = TestRequest::post()
        .uri(&comments_url(draft))
        .peer_addr(format!("{peer}:40000").parse().unwrap())
        .set_json(body);
    if let Some(x) = xff {
        req = req.insert_header(("X-Forwarded-For", x));
    }
    app.call(req).await
}

async fn submit_with_key(app: &TestApp, draft: &str, key: &str, body: Value) -> Resp {
    app.call(
        TestRequest::post()
            .uri(&comments_url(draft))
            .insert_header(("Idempotency-Key", key))
            .set_json(body),
    )
    .await
}

fn count_comments(app: &TestApp, draft: &str) -> i64 {
    comments::table
        .filter(comments::draft_id.eq(draft))
        .count()
        .get_result(&mut *app.conn())
        .unwrap()
}

fn count_outbox(app: &TestApp) -> i64 {
    outbox::table
        .filter(outbox::kind.eq("comment_receipt"))
        .count()
        .get_result(&mut *app.conn())
        .unwrap()
}

fn comment_id(app: &TestApp, tracking: &str) -> String {
    comments::table
        .filter(comments::tracking_number.eq(tracking))
        .select(comments::id)
        .first(&mut *app.conn())
        .unwrap()
}

fn open_draft(app: &TestApp) -> String {
    insert_draft(app, DraftSpec::open(app.now()))
}

// ---- R9/R10: submission and receipt ----

async fn comment_on_open_draft_gets_a_receipt_and_waits_for_moderation(app: TestApp) {
    let draft = open_draft(&app);
    let res = submit(&app, &draft, form("建议明确第三条的适用范围。")).await;
    let receipt = res.ok(201);
    let tracking = receipt["tracking_number"].as_str().unwrap();
    let token = receipt["receipt_token"].as_str().unwrap();
    assert_eq!(receipt["status"], "pending");
    assert!(receipt["submitted_at"].as_str().unwrap().ends_with('Z'));
    // Readable: the local date, then ten random Crockford characters.
    let local = app
        .now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y%m%d")
        .to_string();
    assert!(tracking.starts_with(&format!("{local}-")), "{tracking}");
    assert_eq!(tracking.len(), 20, "{tracking}");
    assert!(token.len() >= 32);
    let (status, stored_hash, channel, client_key): (String, String, String, Option<String>) =
        comments::table
            .filter(comments::tracking_number.eq(tracking))
            .select((
                comments::status,
                comments::receipt_token_hash,
                comments::channel,
                comments::client_key,
            ))
            .first(&mut *app.conn())
            .unwrap();
    assert_eq!(status, "pending");
    assert_eq!(channel, "online");
    assert_eq!(
        stored_hash,
        hash_secret(token),
        "only the token's hash is kept"
    );
    assert!(client_key.is_some());
    // Not guessable from another: a second receipt differs in its random part.
    let other = submit(&app, &draft, form("第二条意见。")).await.ok(201);
    assert_ne!(other["tracking_number"], receipt["tracking_number"]);
    assert_ne!(other["receipt_token"], receipt["receipt_token"]);
}

/// R10: "an acknowledged comment is durable". On SQLite the writer commits without waiting for
/// the disk and `jobs::durable_ack` answers only after an fsync of the WAL; PostgreSQL's commit
/// waits for its own flush.
async fn an_acknowledged_comment_waited_for_the_disk(app: TestApp) {
    let draft = open_draft(&app);
    let before = app.state.comments.wal_syncs();
    submit(&app, &draft, form("落盘之后才回执。")).await.ok(201);
    let after = app.state.comments.wal_syncs();
    match app.state.backend {
        consult::db::Backend::Sqlite => assert!(after > before, "answered without an fsync"),
        consult::db::Backend::Postgres => assert_eq!(after, 0),
    }
    assert_eq!(count_comments(&app, &draft), 1);
}

async fn receipt_mail_is_queued_with_the_comment_only_when_an_email_is_given(app: TestApp) {
    let draft = open_draft(&app);
    submit(&app, &draft, form("没有邮箱。")).await.ok(201);
    assert_eq!(count_outbox(&app), 0);
    let mut body = form("有邮箱。");
    body["email"] = json!("Citizen@Example.com");
    let receipt = app
        .post(&format!("{}?lang=en", comments_url(&draft)), None, body)
        .await
        .ok(201);
    let (recipient, locale, payload, status, message_id): (String, String, String, String, String) =
        outbox::table
            .filter(outbox::kind.eq("comment_receipt"))
            .select((
                outbox::recipient,
                outbox::locale,
                outbox::payload,
                outbox::status,
                outbox::message_id,
            ))
            .first(&mut *app.conn())
            .unwrap();
    assert_eq!(recipient, "Citizen@Example.com");
    assert_eq!(locale, "en");
    assert_eq!(status, "queued");
    assert!(message_id.starts_with('<') && message_id.ends_with("@consult>"));
    let payload: Value = serde_json::from_str(&payload).unwrap();
    assert_eq!(payload["tracking_number"], receipt["tracking_number"]);
    // No secret is stored: the mail job derives the token and the link from the comment id.
    let id = comment_id(&app, receipt["tracking_number"].as_str().unwrap());
    assert_eq!(payload["comment_id"], json!(id));
    assert!(payload.get("receipt_token").is_none(), "{payload}");
    assert!(payload.get("lookup_url").is_none(), "{payload}");
    assert!(
        !payload
            .to_string()
            .contains(receipt["receipt_token"].as_str().unwrap())
    );
    assert_eq!(payload["draft_id"], json!(draft));
    assert!(
        payload["draft_title"]
            .as_str()
            .unwrap()
            .contains("征求意见稿")
    );
}

async fn every_bad_field_is_named_in_the_requests_language(app: TestApp) {
    let draft = open_draft(&app);
    let bad = json!({
        "body": "   ",
        "stakeholder_type": "enterprise",
        "email": "not-an-address",
        "phone": "call me",
        "region": "区".repeat(201),
        "consent": false,
    });
    let doc = submit(&app, &draft, bad.clone()).await.problem(422);
    assert_eq!(doc["type"], "/problems/validation-failed");
    for field in [
        "body",
        "organization",
        "email",
        "phone",
        "region",
        "consent",
    ] {
        assert!(doc["errors"][field].is_array(), "{field} not named: {doc}");
    }
    // zh-CN by default.
    assert!(
        doc["errors"]["consent"][0]
            .as_str()
            .unwrap()
            .contains("同意")
    );
    let en = app
        .post(&format!("{}?lang=en", comments_url(&draft)), None, bad)
        .await
        .problem(422);
    assert!(
        en["errors"]["consent"][0]
            .as_str()
            .unwrap()
            .contains("accept"),
        "{en}"
    );
    assert!(en["errors"]["region"][0].as_str().unwrap().contains("200"));
    // Missing required fields are named too.
    let doc = submit(&app, &draft, json!({})).await.problem(422);
    for field in ["body", "stakeholder_type", "consent"] {
        assert!(doc["errors"][field].is_array(), "{field} not named: {doc}");
    }
    let doc = submit(
        &app,
        &draft,
        json!({"body": "x", "stakeholder_type": "alien", "consent": true}),
    )
    .await
    .problem(422);
    assert!(doc["errors"]["stakeholder_type"].is_array());
    assert_eq!(count_comments(&app, &draft), 0);
}

async fn body_counts_characters_and_is_trimmed_and_nfc_normalised(app: TestApp) {
    let draft = open_draft(&app);
    // 5,000 Chinese characters are 15,000 bytes: accepted, because R9 counts characters.
    let full = "意".repeat(5000);
    submit(&app, &draft, form(&full)).await.ok(201);
    let doc = submit(&app, &draft, form(&"意".repeat(5001)))
        .await
        .problem(422);
    assert!(doc["errors"]["body"][0].as_str().unwrap().contains("5000"));
    let receipt = submit(
        &app,
        &draft,
        form("  Cafe\u{0301} 收费标准\r\n过高 \u{3000}"),
    )
    .await
    .ok(201);
    let body: String = comments::table
        .filter(comments::tracking_number.eq(receipt["tracking_number"].as_str().unwrap()))
        .select(comments::body)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(body, "Caf\u{e9} 收费标准\n过高");
}

async fn invisible_bodies_are_empty_and_control_characters_are_refused(app: TestApp) {
    let draft = open_draft(&app);
    for body in ["", " \n\t ", "\u{200B}\u{200D}\u{FEFF}", "\u{3000}\u{2060}"] {
        let doc = submit(&app, &draft, form(body)).await.problem(422);
        assert!(doc["errors"]["body"].is_array(), "{body:?} accepted");
    }
    let doc = submit(&app, &draft, form("bell\u{0007}here"))
        .await
        .problem(422);
    assert!(doc["errors"]["body"].is_array());
    let mut with_bad_name = form("ok");
    with_bad_name["name"] = json!("张\u{0000}三");
    let doc = submit(&app, &draft, with_bad_name).await.problem(422);
    assert!(doc["errors"]["name"].is_array());
    // Line breaks and tabs are fine in a body.
    submit(&app, &draft, form("第一点\n\t第二点")).await.ok(201);
    assert_eq!(count_comments(&app, &draft), 1);
}

async fn organisations_must_name_themselves(app: TestApp) {
    let draft = open_draft(&app);
    for t in [
        "enterprise",
        "industry_association",
        "social_organization",
        "public_institution",
        "government_body",
        "other",
    ] {
        let mut body = form("意见");
        body["stakeholder_type"] = json!(t);
        let doc = submit(&app, &draft, body.clone()).await.problem(422);
        assert!(doc["errors"]["organization"].is_array(), "{t}");
        body["organization"] = json!("龙岭县某某有限公司");
        submit(&app, &draft, body).await.ok(201);
    }
    for t in ["individual", "expert"] {
        let mut body = form("意见");
        body["stakeholder_type"] = json!(t);
        submit(&app, &draft, body).await.ok(201);
    }
}

async fn article_must_exist_in_the_draft(app: TestApp) {
    let draft = open_draft(&app); // articles 1..=5
    let mut body = form("关于第六条");
    body["article"] = json!(6);
    let doc = submit(&app, &draft, body.clone()).await.problem(422);
    assert!(doc["errors"]["article"].is_array());
    body["article"] = json!(5);
    submit(&app, &draft, body).await.ok(201);
    let stored: Option<i32> = comments::table
        .filter(comments::draft_id.eq(&draft))
        .select(comments::article)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(stored, Some(5));
}

async fn unknown_fields_are_refused_and_nothing_is_stored(app: TestApp) {
    let draft = open_draft(&app);
    let mut body = form("意见");
    body["bdy"] = json!("typo");
    body["channel"] = json!("letter");
    let doc = submit(&app, &draft, body).await.problem(422);
    assert!(doc["errors"]["bdy"].is_array() && doc["errors"]["channel"].is_array());
    assert_eq!(count_comments(&app, &draft), 0);
}

async fn comments_are_taken_only_while_the_window_is_open(app: TestApp) {
    let now = app.now();
    let mut spec = DraftSpec::open(now);
    spec.opens_at = now + TimeDelta::days(1);
    spec.closes_at = now + TimeDelta::days(21);
    let draft = insert_draft(&app, spec);
    let doc = submit(&app, &draft, form("太早了")).await.problem(409);
    assert_eq!(doc["type"], "/problems/phase-closed");
    assert!(doc["opens_at"].is_string(), "says when it opens: {doc}");
    assert!(doc["detail"].as_str().unwrap().contains("开始"));
    // R5: phase follows the clock, not a stored flag.
    app.clock().advance(TimeDelta::days(2));
    submit(&app, &draft, form("正好")).await.ok(201);
    app.clock().advance(TimeDelta::days(20));
    let doc = submit(&app, &draft, form("太晚了")).await.problem(409);
    assert!(doc["closed_at"].is_string(), "says it closed: {doc}");
    let closed = insert_draft(&app, DraftSpec::closed(app.now()));
    submit(&app, &closed, form("已结束")).await.problem(409);
    // Withdrawn drafts take nothing; drafts not yet public are not found.
    let withdrawn = open_draft(&app);
    let drafting = open_draft(&app);
    {
        let mut conn = app.conn();
        diesel::update(drafts::table.find(&withdrawn))
            .set(drafts::state.eq("withdrawn"))
            .execute(&mut *conn)
            .unwrap();
        diesel::update(drafts::table.find(&drafting))
            .set(drafts::state.eq("drafting"))
            .execute(&mut *conn)
            .unwrap();
    }
    submit(&app, &withdrawn, form("撤回了")).await.problem(409);
    submit(&app, &drafting, form("未发布")).await.problem(404);
    submit(&app, "no-such-draft", form("x")).await.problem(404);
    assert_eq!(count_comments(&app, &draft), 1);
}

// ---- R11: idempotency ----

async fn same_idempotency_key_returns_the_first_receipt_and_stores_nothing_new(app: TestApp) {
    let draft = open_draft(&app);
    let mut body = form("重复提交测试");
    body["email"] = json!("repeat@example.com");
    let first = submit_with_key(&app, &draft, "key-0001", body.clone()).await;
    let first_json = first.ok(201);
    let again = submit_with_key(&app, &draft, "key-0001", body.clone()).await;
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    let again = again.ok(201);
    assert_eq!(again["tracking_number"], first_json["tracking_number"]);
    assert_eq!(again["receipt_token"], first_json["receipt_token"]);
    assert_eq!(count_comments(&app, &draft), 1);
    assert_eq!(count_outbox(&app), 1, "one receipt mail only");
    // Another key is another comment.
    submit_with_key(&app, &draft, "key-0002", body)
        .await
        .ok(201);
    assert_eq!(count_comments(&app, &draft), 2);
}

async fn idempotency_key_with_a_different_body_is_422(app: TestApp) {
    let draft = open_draft(&app);
    submit_with_key(&app, &draft, "same-key", form("第一版"))
        .await
        .ok(201);
    let doc = submit_with_key(&app, &draft, "same-key", form("第二版"))
        .await
        .problem(422);
    assert_eq!(doc["type"], "/problems/idempotency-key-reused");
    assert_eq!(count_comments(&app, &draft), 1);
}

async fn idempotency_keys_expire_after_a_day(app: TestApp) {
    let draft = open_draft(&app);
    let first = submit_with_key(&app, &draft, "day-key", form("意见"))
        .await
        .ok(201);
    app.clock().advance(TimeDelta::hours(23));
    let again = submit_with_key(&app, &draft, "day-key", form("意见"))
        .await
        .ok(201);
    assert_eq!(again["tracking_number"], first["tracking_number"]);
    app.clock().advance(TimeDelta::hours(2));
    let later = submit_with_key(&app, &draft, "day-key", form("意见"))
        .await
        .ok(201);
    assert_ne!(later["tracking_number"], first["tracking_number"]);
    assert_eq!(count_comments(&app, &draft), 2);
    let keys: i64 = idempotency_keys::table
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(keys, 1, "the expired key was replaced");
}

async fn racing_requests_with_one_key_store_one_comment(app: TestApp) {
    let draft = open_draft(&app);
    let body = form("并发提交");
    let answers = futures_util::future::join_all(
        (0..12).map(|_| submit_with_key(&app, &draft, "race-key", body.clone())),
    )
    .await;
    let numbers: std::collections::HashSet<String> = answers
        .iter()
        .map(|r| r.ok(201)["tracking_number"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(numbers.len(), 1, "every racer got the first receipt");
    assert_eq!(count_comments(&app, &draft), 1);
}

// ---- R12: moderation ----

async fn moderators_publish_or_hide_with_a_reason_and_it_is_audited(app: TestApp) {
    let moderator = app.staff("mod", &[Role::Moderator]);
    let drafter = app.staff("drafter1", &[Role::Drafter]);
    let draft = open_draft(&app);
    let a = submit(&app, &draft, form("好意见")).await.ok(201);
    let b = submit(&app, &draft, form("广告广告")).await.ok(201);
    let a_id = comment_id(&app, a["tracking_number"].as_str().unwrap());
    let b_id = comment_id(&app, b["tracking_number"].as_str().unwrap());
    let url = |id: &str| format!("/api/v1/comments/{id}/moderation");
    // Only moderators decide.
    app.post(&url(&a_id), Some(&drafter), json!({"decision": "publish"}))
        .await
        .problem(403);
    app.post(&url(&a_id), None, json!({"decision": "publish"}))
        .await
        .problem(401);
    let published = app
        .post(
            &url(&a_id),
            Some(&moderator),
            json!({"decision": "publish"}),
        )
        .await
        .ok(200);
    assert_eq!(published["status"], "published");
    // Hiding needs one of the reason codes.
    let doc = app
        .post(&url(&b_id), Some(&moderator), json!({"decision": "hide"}))
        .await
        .problem(422);
    assert!(doc["errors"]["reason"].is_array());
    app.post(
        &url(&b_id),
        Some(&moderator),
        json!({"decision": "hide", "reason": "rude"}),
    )
    .await
    .problem(422);
    app.post(&url(&b_id), Some(&moderator), json!({"decision": "delete"}))
        .await
        .problem(422);
    let hidden = app
        .post(
            &url(&b_id),
            Some(&moderator),
            json!({"decision": "hide", "reason": "spam"}),
        )
        .await
        .ok(200);
    assert_eq!(hidden["status"], "hidden");
    assert_eq!(hidden["moderation_reason"], "spam");
    app.post(
        &url("no-such"),
        Some(&moderator),
        json!({"decision": "publish"}),
    )
    .await
    .problem(404);
    // Public sees the published one only.
    let list = app.get(&comments_url(&draft), None).await.ok(200);
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["tracking_number"], a["tracking_number"]);
    // Both decisions are in the audit chain, with who and why.
    let actions: Vec<(String, String, String)> = audit_log::table
        .filter(audit_log::object_type.eq("comment"))
        .order(audit_log::seq)
        .select((audit_log::action, audit_log::object_id, audit_log::details))
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(actions.len(), 2);
    assert_eq!(actions[0].0, "comment.publish");
    assert_eq!(actions[1].0, "comment.hide");
    assert_eq!(actions[1].1, b_id);
    assert!(actions[1].2.contains("spam"));
    assert!(consult::db::audit::verify(&mut app.conn()).unwrap().is_ok());
}

async fn moderation_queue_is_for_moderators_and_oldest_first(app: TestApp) {
    let moderator = app.staff("mod", &[Role::Moderator]);
    let drafter = app.staff("drafter1", &[Role::Drafter]);
    let draft = open_draft(&app);
    let other = open_draft(&app);
    let mut tracking = Vec::new();
    for i in 0..3 {
        let r = submit(&app, &draft, form(&format!("意见{i}")))
            .await
            .ok(201);
        tracking.push(r["tracking_number"].as_str().unwrap().to_string());
        app.clock().advance(TimeDelta::minutes(1));
    }
    submit(&app, &other, form("别的草案")).await.ok(201);
    app.get("/api/v1/moderation", Some(&drafter))
        .await
        .problem(403);
    app.get("/api/v1/moderation", None).await.problem(401);
    let queue = app
        .get(
            &format!("/api/v1/moderation?draft_id={draft}"),
            Some(&moderator),
        )
        .await
        .ok(200);
    assert_eq!(queue["total"], 3);
    let got: Vec<&str> = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["tracking_number"].as_str().unwrap())
        .collect();
    assert_eq!(got, tracking.iter().map(String::as_str).collect::<Vec<_>>());
    let all = app
        .get("/api/v1/moderation?per_page=2&page=2", Some(&moderator))
        .await
        .ok(200);
    assert_eq!(all["total"], 4);
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
    let published = app
        .get("/api/v1/moderation?status=published", Some(&moderator))
        .await
        .ok(200);
    assert_eq!(published["total"], 0);
    app.get("/api/v1/moderation?status=lost", Some(&moderator))
        .await
        .problem(422);
}

async fn hidden_comments_are_still_counted_for_staff(app: TestApp) {
    let moderator = app.staff("mod", &[Role::Moderator]);
    let reviewer = app.staff("rev", &[Role::Reviewer]);
    let draft = open_draft(&app);
    let r = submit(&app, &draft, form("辱骂内容")).await.ok(201);
    let id = comment_id(&app, r["tracking_number"].as_str().unwrap());
    app.post(
        &format!("/api/v1/comments/{id}/moderation"),
        Some(&moderator),
        json!({"decision": "hide", "reason": "abusive"}),
    )
    .await
    .ok(200);
    assert_eq!(count_comments(&app, &draft), 1, "a hidden comment stays");
    let staff = app
        .get(&comments_url(&draft), Some(&reviewer))
        .await
        .ok(200);
    assert_eq!(staff["total"], 1);
    assert_eq!(staff["items"][0]["status"], "hidden");
    let public = app.get(&comments_url(&draft), None).await.ok(200);
    assert_eq!(public["total"], 0);
}

// ---- R13: privacy ----

fn personal_spec(body: &str, n: usize) -> CommentSpec {
    CommentSpec {
        name: Some(format!("隐私姓名{n}")),
        email: Some(format!("secret{n}@private.example")),
        phone: Some(format!("+86 139 0000 {n:04}")),
        region: Some(format!("隐私乡镇{n}")),
        ..CommentSpec::new(body)
    }
}

async fn public_list_shows_published_comments_without_personal_data(app: TestApp) {
    let draft = open_draft(&app);
    insert_comment(&app, &draft, personal_spec("已发布的意见", 1));
    insert_comment(
        &app,
        &draft,
        CommentSpec {
            status: "pending",
            ..personal_spec("待审核的意见", 2)
        },
    );
    let list = app.get(&comments_url(&draft), None).await.ok(200);
    assert_eq!(list["total"], 1);
    assert_eq!(list["page"], 1);
    assert_eq!(list["per_page"], 50);
    let item = list["items"][0].as_object().unwrap();
    assert_eq!(item["body"], "已发布的意见");
    for key in ["email", "phone", "region", "id", "status", "client_key"] {
        assert!(!item.contains_key(key), "public item carries {key}");
    }
    assert!(item["name"].is_null());
    // A public caller cannot ask for other statuses.
    let pending = app
        .get(&format!("{}?status=pending", comments_url(&draft)), None)
        .await
        .ok(200);
    assert_eq!(pending["total"], 1);
    assert_eq!(pending["items"][0]["body"], "已发布的意见");
    // Paged.
    let page2 = app
        .get(&format!("{}?page=2&per_page=1", comments_url(&draft)), None)
        .await
        .ok(200);
    assert_eq!(page2["items"].as_array().unwrap().len(), 0);
}

async fn name_is_public_only_when_the_commenter_asks(app: TestApp) {
    let draft = open_draft(&app);
    insert_comment(
        &app,
        &draft,
        CommentSpec {
            publish_name: true,
            ..personal_spec("署名意见", 1)
        },
    );
    insert_comment(&app, &draft, personal_spec("匿名意见", 2));
    let list = app.get(&comments_url(&draft), None).await.ok(200);
    let items = list["items"].as_array().unwrap();
    let named = items.iter().find(|c| c["body"] == "署名意见").unwrap();
    let anonymous = items.iter().find(|c| c["body"] == "匿名意见").unwrap();
    assert_eq!(named["name"], "隐私姓名1");
    assert!(anonymous["name"].is_null());
    assert!(!list.to_string().contains("隐私姓名2"));
}

async fn withheld_bodies_are_never_shown_publicly(app: TestApp) {
    let draft = open_draft(&app);
    insert_comment(
        &app,
        &draft,
        CommentSpec {
            withhold: true,
            ..personal_spec("请勿公开的正文", 1)
        },
    );
    let list = app.get(&comments_url(&draft), None).await.ok(200);
    assert_eq!(list["total"], 1, "still counted");
    assert!(list["items"][0]["body"].is_null());
    assert_eq!(list["items"][0]["withheld"], true);
    assert!(!list.to_string().contains("请勿公开的正文"));
}

async fn staff_see_every_comment_with_personal_fields_and_filter_by_status(app: TestApp) {
    let drafter = app.staff("drafter1", &[Role::Drafter]);
    let admin = app.staff("admin1", &[Role::Admin]);
    let draft = open_draft(&app);
    insert_comment(&app, &draft, personal_spec("一", 1));
    insert_comment(
        &app,
        &draft,
        CommentSpec {
            status: "pending",
            ..personal_spec("二", 2)
        },
    );
    let all = app.get(&comments_url(&draft), Some(&drafter)).await.ok(200);
    assert_eq!(all["total"], 2);
    let item = &all["items"][0];
    for key in [
        "id",
        "status",
        "channel",
        "group_id",
        "disposition",
        "email",
        "phone",
        "region",
        "name",
    ] {
        assert!(item.get(key).is_some(), "staff view lacks {key}: {item}");
    }
    assert_eq!(item["email"], "secret1@private.example");
    let pending = app
        .get(
            &format!("{}?status=pending", comments_url(&draft)),
            Some(&drafter),
        )
        .await
        .ok(200);
    assert_eq!(pending["total"], 1);
    assert_eq!(pending["items"][0]["body"], "二");
    app.get(
        &format!("{}?status=gone", comments_url(&draft)),
        Some(&drafter),
    )
    .await
    .problem(422);
    // An admin without a comment-handling role gets the public view.
    let public = app.get(&comments_url(&draft), Some(&admin)).await.ok(200);
    assert_eq!(public["total"], 1);
    assert!(public["items"][0].get("email").is_none());
}

async fn no_public_endpoint_leaks_seeded_personal_data(app: TestApp) {
    let draft = open_draft(&app);
    let mut receipts = Vec::new();
    let mut personal: Vec<String> = Vec::new();
    for (i, status) in ["published", "pending", "hidden", "published"]
        .iter()
        .enumerate()
    {
        let spec = CommentSpec {
            status,
            withhold: i == 3,
            ..personal_spec(&format!("公开正文{i}"), i)
        };
        personal.extend([
            spec.name.clone().unwrap(),
            spec.email.clone().unwrap(),
            spec.phone.clone().unwrap(),
            spec.region.clone().unwrap(),
        ]);
        receipts.push(insert_comment(&app, &draft, spec));
    }
    // An offline opinion with personal data, and an online one through the API.
    let drafter = app.staff("drafter1", &[Role::Drafter]);
    app.post(
        &format!("/api/v1/drafts/{draft}/offline-comments"),
        Some(&drafter),
        json!({
            "channel": "letter", "body": "来信意见", "stakeholder_type": "individual",
            "name": "来信人姓名", "email": "letter@private.example",
            "phone": "0571-88880000", "region": "来信人住址",
        }),
    )
    .await
    .ok(201);
    personal.extend(
        [
            "来信人姓名",
            "letter@private.example",
            "0571-88880000",
            "来信人住址",
        ]
        .map(String::from),
    );
    let mut online = form("网上意见");
    for (k, v) in [
        ("name", "网民姓名"),
        ("email", "web@private.example"),
        ("phone", "13900001111"),
        ("region", "网民住址"),
    ] {
        online[k] = json!(v);
        personal.push(v.to_string());
    }
    submit(&app, &draft, online).await.ok(201);

    let mut outputs = Vec::new();
    for query in [
        "",
        "?status=pending",
        "?status=hidden",
        "?per_page=500",
        "?lang=en",
    ] {
        outputs.push(
            app.get(&format!("{}{query}", comments_url(&draft)), None)
                .await
                .text(),
        );
    }
    for (_, tracking, token) in &receipts {
        outputs.push(
            app.get(&format!("/api/v1/receipts/{tracking}?token={token}"), None)
                .await
                .text(),
        );
    }
    outputs.push(app.get("/", None).await.text());
    outputs.push(app.get("/api/v1/moderation", None).await.text());
    for out in &outputs {
        for p in &personal {
            assert!(!out.contains(p.as_str()), "public output leaks {p}: {out}");
        }
        assert!(!out.contains("公开正文3"), "a withheld body leaked: {out}");
    }
}

// ---- R9: offline opinions ----

async fn drafters_enter_offline_opinions_that_skip_moderation(app: TestApp) {
    let drafter = app.staff("drafter1", &[Role::Drafter]);
    let draft = open_draft(&app);
    for channel in ["letter", "email", "hearing", "symposium", "phone"] {
        let entered = app
            .post(
                &format!("/api/v1/drafts/{draft}/offline-comments"),
                Some(&drafter),
                json!({
                    "channel": channel,
                    "body": format!("{channel} 收到的意见"),
                    "stakeholder_type": "enterprise",
                    "organization": "龙岭县商会",
                    "name": "李四",
                    "email": "lisi@private.example",
                    "article": 2,
                }),
            )
            .await
            .ok(201);
        assert_eq!(entered["status"], "published");
        assert_eq!(entered["channel"], channel);
        assert_eq!(entered["entered_by"], json!(app.user_id("drafter1")));
        assert!(entered["receipt_token"].is_string());
    }
    let public = app.get(&comments_url(&draft), None).await.ok(200);
    assert_eq!(public["total"], 5);
    let text = public.to_string();
    assert!(!text.contains("李四") && !text.contains("lisi@"));
    assert!(text.contains("龙岭县商会") && text.contains("hearing"));
    let audited: i64 = audit_log::table
        .filter(audit_log::action.eq("comment.enter_offline"))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(audited, 5);
    assert_eq!(
        count_outbox(&app),
        5,
        "a receipt goes to each given address"
    );
    // Offline opinions can still be entered after the window closed (a letter in the post).
    let closed = insert_draft(&app, DraftSpec::closed(app.now()));
    app.post(
        &format!("/api/v1/drafts/{closed}/offline-comments"),
        Some(&drafter),
        json!({"channel": "letter", "body": "迟到的信", "stakeholder_type": "individual"}),
    )
    .await
    .ok(201);
}

async fn offline_opinions_need_a_known_channel_and_a_drafter(app: TestApp) {
    let drafter = app.staff("drafter1", &[Role::Drafter]);
    let moderator = app.staff("mod", &[Role::Moderator]);
    let draft = open_draft(&app);
    let url = format!("/api/v1/drafts/{draft}/offline-comments");
    let ok = json!({"channel": "letter", "body": "信", "stakeholder_type": "individual"});
    app.post(&url, Some(&moderator), ok.clone())
        .await
        .problem(403);
    app.post(&url, None, ok.clone()).await.problem(401);
    for channel in [json!("online"), json!("fax"), Value::Null] {
        let mut body = ok.clone();
        body["channel"] = channel;
        let doc = app.post(&url, Some(&drafter), body).await.problem(422);
        assert!(doc["errors"]["channel"].is_array());
    }
    let mut bad = ok.clone();
    bad["body"] = json!(" ");
    let doc = app.post(&url, Some(&drafter), bad).await.problem(422);
    assert!(doc["errors"]["body"].is_array());
    app.post("/api/v1/drafts/none/offline-comments", Some(&drafter), ok)
        .await
        .problem(404);
    assert_eq!(count_comments(&app, &draft), 0);
}

// ---- R14: receipts ----

async fn receipt_lookup_shows_status_and_outcome_only_after_the_report(app: TestApp) {
    let moderator = app.staff("mod", &[Role::Moderator]);
    let draft = open_draft(&app);
    let r = submit(&app, &draft, form("请延长过渡期。")).await.ok(201);
    let tracking = r["tracking_number"].as_str().unwrap();
    let token = r["receipt_token"].as_str().unwrap();
    let url = format!("/api/v1/receipts/{tracking}?token={token}");
    let status = app.get(&url, None).await.ok(200);
    assert_eq!(status["status"], "pending");
    assert!(status.get("outcome").is_none());
    let id = comment_id(&app, tracking);
    app.post(
        &format!("/api/v1/comments/{id}/moderation"),
        Some(&moderator),
        json!({"decision": "publish"}),
    )
    .await
    .ok(200);
    assert_eq!(app.get(&url, None).await.ok(200)["status"], "published");
    // A disposition exists but the report is not out: not shown yet.
    let officer = app.staff("officer", &[Role::Drafter]);
    let approver = app.staff("approver", &[Role::Approver]);
    let group = app
        .post(
            &format!("/api/v1/drafts/{draft}/groups"),
            Some(&officer),
            json!({"title": "延长过渡期", "comment_ids": [id]}),
        )
        .await
        .ok(201);
    let gid = group["id"].as_str().unwrap().to_string();
    app.put(
        &format!("/api/v1/groups/{gid}/disposition"),
        Some(&officer),
        json!({"outcome": "not_adopted", "reason": "与上位法规定不一致"}),
    )
    .await
    .ok(200);
    assert!(app.get(&url, None).await.ok(200).get("outcome").is_none());
    // The window closes, the report is prepared and submitted: still not shown.
    app.clock().advance(chrono::TimeDelta::days(30));
    let report_url = format!("/api/v1/drafts/{draft}/report");
    app.post(&report_url, Some(&officer), json!({}))
        .await
        .ok(201);
    let actions = format!("{report_url}/actions");
    app.post(&actions, Some(&officer), json!({"action": "submit"}))
        .await
        .ok(200);
    assert!(app.get(&url, None).await.ok(200).get("outcome").is_none());
    // Published: the submitter sees the outcome, the reason and the group.
    app.post(&actions, Some(&approver), json!({"action": "approve"}))
        .await
        .ok(200);
    let after = app.get(&url, None).await.ok(200);
    assert_eq!(after["outcome"], "not_adopted");
    assert_eq!(after["reason"], "与上位法规定不一致");
    assert_eq!(after["group"]["id"], gid.as_str());
    assert_eq!(after["group"]["title"], "延长过渡期");
}

async fn wrong_receipt_token_is_404(app: TestApp) {
    let draft = open_draft(&app);
    let r = submit(&app, &draft, form("意见")).await.ok(201);
    let tracking = r["tracking_number"].as_str().unwrap();
    let token = r["receipt_token"].as_str().unwrap();
    let mut wrong = token.to_string();
    wrong.replace_range(0..1, if token.starts_with('A') { "B" } else { "A" });
    app.get(&format!("/api/v1/receipts/{tracking}?token={wrong}"), None)
        .await
        .problem(404);
    app.get(&format!("/api/v1/receipts/{tracking}"), None)
        .await
        .problem(404);
    app.get(
        &format!("/api/v1/receipts/20260101-AAAAA-AAAAA?token={token}"),
        None,
    )
    .await
    .problem(404);
    // Lower case works too: people type what they read.
    app.get(
        &format!("/api/v1/receipts/{}?token={token}", tracking.to_lowercase()),
        None,
    )
    .await
    .ok(200);
}

// ---- R15: limits ----

/// One client with a raised limit sends past it over more than an hour, in steps that put the
/// hour's start and the limit inside different minutes, one by one and in bursts of requests
/// at once (batches holding several of its comments, on several writers); every answer and
/// `Retry-After` is what an exact sliding hour gives (on PostgreSQL, counted from the
/// per-minute counts and the index read inside one minute at most).
async fn a_busy_client_is_counted_exactly_past_what_the_index_is_read_for(app: TestApp) {
    let draft = open_draft(&app);
    let limit: usize = 120;
    let hour = TimeDelta::hours(1);
    let mut accepted: Vec<chrono::DateTime<chrono::Utc>> = Vec::new();
    let mut refused = 0;
    // (requests, milliseconds since the last, all at once): 110 over 36 minutes; a burst
    // once the hour begins between two of them; then steps through the next minutes as
    // places free; then a burst an hour later. The clock is set before each request (it
    // runs on while requests are answered), and the half seconds keep every comparison with
    // the hour's start clear of that. The count itself is checked exactly at the end.
    let start = app.now().duration_trunc(TimeDelta::minutes(1)).unwrap() + TimeDelta::minutes(1);
    let mut at = TimeDelta::zero();
    let steps = [
        (110, 20_000, false),
        (26, 1_430_500, true),
        (30, 3_000, false),
        (40, 7_000, false),
        (25, 13_000, false),
        (40, 3_601_500, true),
    ];
    for (n, gap, at_once) in steps {
        let rounds = if at_once { 1 } else { n };
        for _ in 0..rounds {
            at += TimeDelta::milliseconds(gap);
            let now = start + at;
            assert!(app.clock().set(now));
            let in_hour: Vec<_> = accepted
                .iter()
                .copied()
                .filter(|t| *t > now - hour)
                .collect();
            let free = limit.saturating_sub(in_hour.len());
            let requests = if at_once { n } else { 1 };
            let began = std::time::Instant::now();
            let answers = futures_util::future::join_all(
                (0..requests).map(|_| submit_from(&app, &draft, "203.0.113.9", None, form("同意"))),
            )
            .await;
            let ok = answers.iter().filter(|r| r.status == 201).count();
            assert_eq!(
                ok,
                free.min(requests),
                "at {now}, {} in the hour",
                in_hour.len()
            );
            accepted.extend(std::iter::repeat_n(now, ok));
            let mut in_hour = in_hour;
            in_hour.extend(std::iter::repeat_n(now, ok));
            for res in answers.iter().filter(|r| r.status != 201) {
                res.problem(429);
                let oldest = in_hour[in_hour.len() - limit];
                let expected = (oldest + hour - now).num_seconds().max(1);
                let retry: i64 = res.header("retry-after").unwrap().parse().unwrap();
                // The clock ran on while the requests were answered.
                let ran = began.elapsed().as_secs() as i64;
                assert!(
                    (expected - ran - 1..=expected).contains(&retry),
                    "at {now}, {} in the hour: Retry-After {retry}, expected {expected}",
                    in_hour.len()
                );
                refused += 1;
            }
        }
    }
    assert!(refused > 40, "the limit was met: {refused} refused");
    let mut conn = app.conn();
    let stored: i64 = comments::table
        .filter(comments::draft_id.eq(&draft))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(stored as usize, accepted.len());
    if app.db.kind == common::Db::Postgres {
        // The writer counted the client per minute; the counts agree with the comments.
        let counted: Option<i64> = consult::db::schema::client_minutes::table
            .select(diesel::dsl::sum(consult::db::schema::client_minutes::n))
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(counted, Some(accepted.len() as i64));
    }
    // The writer's count itself, at instants all over the run and for limits below and above
    // what the client reached: what an exact count of the stored comments gives.
    let (client, mut times): (Vec<Option<String>>, Vec<chrono::NaiveDateTime>) = comments::table
        .filter(comments::draft_id.eq(&draft))
        .select((comments::client_key, comments::submitted_at))
        .load::<(Option<String>, chrono::NaiveDateTime)>(&mut conn)
        .unwrap()
        .into_iter()
        .unzip();
    let client = client[0].clone().unwrap();
    times.sort();
    let mut direct = app.db.connect();
    let mut since = start.naive_utc() - TimeDelta::seconds(10);
    while since < times[times.len() - 1] {
        let after: Vec<_> = times.iter().filter(|t| **t > since).collect();
        for limit in [101, 119, 120, 150] {
            let (count, oldest) = match after.len() {
                0 => (0, None),
                n if n >= limit => (limit as i64, Some(*after[n - limit])),
                n => (n as i64, Some(*after[0])),
            };
            let got = consult::db::comments::windows_of_clients(
                &mut direct,
                std::slice::from_ref(&client),
                since,
                limit,
            )
            .unwrap();
            let got = got.first().map_or((0, None), |w| (w.count, w.oldest));
            assert_eq!(got, (count, oldest), "since {since}, limit {limit}");
        }
        since += TimeDelta::milliseconds(37_100);
    }
}

async fn per_client_limit_is_429_with_retry_after(app: TestApp) {
    let draft = open_draft(&app);
    for i in 0..3 {
        submit_from(&app, &draft, "203.0.113.7", None, form(&format!("第{i}条")))
            .await
            .ok(201);
        app.clock().advance(TimeDelta::minutes(10));
    }
    let res = submit_from(&app, &draft, "203.0.113.7", None, form("第四条")).await;
    let doc = res.problem(429);
    assert_eq!(doc["type"], "/problems/rate-limited");
    let retry: i64 = res.header("retry-after").unwrap().parse().unwrap();
    // The first comment leaves the hour 30 minutes from now.
    assert!((1700..=1800).contains(&retry), "retry-after {retry}");
    // Another client is not affected.
    submit_from(&app, &draft, "198.51.100.2", None, form("别人"))
        .await
        .ok(201);
    // An hour after the first, one more is allowed.
    app.clock().advance(TimeDelta::minutes(31));
    submit_from(&app, &draft, "203.0.113.7", None, form("又一条"))
        .await
        .ok(201);
    // Only a keyed hash of the address is stored.
    let keys: Vec<Option<String>> = comments::table
        .select(comments::client_key)
        .load(&mut *app.conn())
        .unwrap();
    assert!(
        keys.iter()
            .all(|k| !k.as_deref().unwrap().contains("203.0.113.7"))
    );
}

async fn forwarded_for_is_believed_only_from_trusted_proxies(app: TestApp) {
    let draft = open_draft(&app);
    // An untrusted peer cannot dodge the limit by inventing X-Forwarded-For.
    submit_from(&app, &draft, "192.0.2.50", Some("1.1.1.1"), form("一"))
        .await
        .ok(201);
    submit_from(&app, &draft, "192.0.2.50", Some("2.2.2.2"), form("二"))
        .await
        .problem(429);
    // Behind the trusted proxy, each client is counted on its own.
    submit_from(&app, &draft, "10.0.0.1", Some("8.8.8.8"), form("三"))
        .await
        .ok(201);
    submit_from(
        &app,
        &draft,
        "10.0.0.1",
        Some("9.9.9.9, 10.0.0.1"),
        form("四"),
    )
    .await
    .ok(201);
    submit_from(
        &app,
        &draft,
        "10.0.0.1",
        Some("6.6.6.6, 8.8.8.8"),
        form("五"),
    )
    .await
    .problem(429);
}

async fn racing_requests_from_one_client_cannot_exceed_the_limit(app: TestApp) {
    let draft = open_draft(&app);
    let answers = futures_util::future::join_all(
        (0..8).map(|i| submit_from(&app, &draft, "203.0.113.9", None, form(&format!("并发{i}")))),
    )
    .await;
    let ok = answers.iter().filter(|r| r.status == 201).count();
    let limited = answers.iter().filter(|r| r.status == 429).count();
    assert_eq!(
        (ok, limited),
        (3, 5),
        "refused items do not fail their batch-mates"
    );
    assert_eq!(count_comments(&app, &draft), 3);
}

async fn an_email_address_may_send_only_the_capped_number_per_draft(app: TestApp) {
    let draft = open_draft(&app);
    let other = open_draft(&app);
    for (i, email) in ["same@example.com", "SAME@example.com"].iter().enumerate() {
        let mut body = form(&format!("意见{i}"));
        body["email"] = json!(email);
        submit(&app, &draft, body).await.ok(201);
    }
    let mut body = form("第三条");
    body["email"] = json!("Same@Example.com");
    let doc = submit(&app, &draft, body.clone()).await.problem(429);
    assert!(doc["detail"].as_str().unwrap().contains('2'));
    submit(&app, &other, body).await.ok(201);
    assert_eq!(count_comments(&app, &draft), 2);
}

async fn oversized_comment_is_413_and_nothing_is_stored(app: TestApp) {
    let draft = open_draft(&app);
    let limit = app.state.config.limits.max_body_bytes;
    let huge = form(&"a".repeat(limit + 10));
    let res = submit(&app, &draft, huge).await;
    let doc = res.problem(413);
    assert_eq!(doc["type"], "/problems/payload-too-large");
    assert_eq!(count_comments(&app, &draft), 0);
}
