//! R9, R10, R14, R25, R27, R28: the comment form on the draft page, its CSRF protection, the
//! receipt shown once after a submission and the receipt lookup, through the real app on
//! SQLite and PostgreSQL.

use crate::common;

use actix_web::cookie::Cookie;
use actix_web::test::TestRequest;
use chrono::TimeDelta;
use common::fixtures::{DraftSpec, insert_draft};
use common::{Resp, TestApp};
use consult::db::schema::{articles, comments, drafts, outbox};
use consult::domain::roles::Role;
use diesel::prelude::*;
use serde_json::json;

both!(
    comment_form_appears_only_while_the_draft_is_open,
    article_links_open_the_form_on_their_article,
    a_good_submission_stores_a_pending_comment_and_shows_its_receipt_once,
    a_refused_submission_shows_each_error_beside_its_field_and_keeps_the_input,
    the_form_without_a_valid_csrf_token_is_refused_and_stores_nothing,
    a_submission_after_the_period_closed_gets_a_page_not_a_problem_document,
    the_receipt_page_needs_the_right_token,
    english_form_errors_and_receipt_are_fully_english,
    a_form_sent_twice_is_one_comment_with_one_receipt,
    the_receipt_page_shows_outcome_group_and_reason_once_the_report_is_published,
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

both_with!(too_many_comments_get_a_page_that_says_when_to_retry, |c| {
    c.limits.comment_per_ip_per_hour = 1;
});

async fn page(app: &TestApp, path: &str, lang: Option<&str>) -> Resp {
    let mut req = TestRequest::get()
        .uri(path)
        .insert_header(("Accept", "text/html"));
    if let Some(l) = lang {
        req = req.cookie(Cookie::new("lang", l.to_string()));
    }
    app.call(req).await
}

/// The form's CSRF value and signature, and the cookie value the page set.
struct Csrf {
    value: String,
    signature: String,
    /// The form's signed issue time (the minimum fill time is counted from it).
    issued: String,
}

fn attr_after(html: &str, marker: &str) -> String {
    let at = html
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} in page"));
    let rest = &html[at + marker.len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

fn set_cookie(res: &Resp, name: &str) -> Option<String> {
    res.headers
        .get_all("set-cookie")
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with(&format!("{name}=")))
        .map(str::to_string)
}

async fn form_of(app: &TestApp, id: &str, lang: Option<&str>) -> Csrf {
    let res = page(app, &format!("/drafts/{id}"), lang).await;
    assert_eq!(res.status.as_u16(), 200);
    let html = res.text();
    let csrf = Csrf {
        value: attr_after(&html, r#"name="csrf_token" value=""#),
        signature: attr_after(&html, r#"name="csrf_signature" value=""#),
        issued: attr_after(&html, r#"name="form_issued" value=""#),
    };
    let cookie = set_cookie(&res, "csrf").expect("the page sets the CSRF cookie");
    assert!(
        cookie.starts_with(&format!("csrf={};", csrf.value)),
        "{cookie}"
    );
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    // The person takes at least the minimum fill time to write (the clock stands still).
    app.clock().advance(TimeDelta::seconds(i64::from(
        app.state.config.abuse.min_fill_seconds,
    )));
    csrf
}

fn encode(pairs: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

async fn submit(
    app: &TestApp,
    id: &str,
    cookie: Option<&str>,
    pairs: &[(&str, &str)],
    lang: Option<&str>,
) -> Resp {
    let mut req = TestRequest::post()
        .uri(&format!("/drafts/{id}/comments"))
        .insert_header(("Accept", "text/html"))
        .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
        .set_payload(encode(pairs));
    if let Some(c) = cookie {
        req = req.cookie(Cookie::new("csrf", c.to_string()));
    }
    if let Some(l) = lang {
        req = req.cookie(Cookie::new("lang", l.to_string()));
    }
    app.call(req).await
}

fn with_csrf<'a>(csrf: &'a Csrf, fields: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut all = vec![
        ("csrf_token", csrf.value.as_str()),
        ("csrf_signature", csrf.signature.as_str()),
        ("form_issued", csrf.issued.as_str()),
    ];
    all.extend_from_slice(fields);
    all
}

const GOOD: [(&str, &str); 8] = [
    ("body", "第三条的期限过短，建议延长至三十日。"),
    ("article", "3"),
    ("stakeholder_type", "individual"),
    ("organization", ""),
    ("name", "张三"),
    ("email", "zhang@example.cn"),
    ("phone", ""),
    ("consent", "1"),
];

fn stored(app: &TestApp, id: &str) -> Vec<(String, String, Option<i32>, String)> {
    comments::table
        .filter(comments::draft_id.eq(id))
        .select((
            comments::status,
            comments::body,
            comments::article,
            comments::channel,
        ))
        .load(&mut *app.conn())
        .unwrap()
}

async fn comment_form_appears_only_while_the_draft_is_open(app: TestApp) {
    let now = app.now();
    let open = insert_draft(&app, DraftSpec::open(now));
    let closed = insert_draft(&app, DraftSpec::closed(now));
    let scheduled = insert_draft(
        &app,
        DraftSpec {
            opens_at: now + TimeDelta::days(3),
            closes_at: now + TimeDelta::days(23),
            ..DraftSpec::open(now)
        },
    );
    let html = page(&app, &format!("/drafts/{open}"), None).await.text();
    assert!(html.contains(&format!(
        r##"action="/drafts/{open}/comments#comment-form""##
    )));
    for s in [
        r#"<label for="f-body">"#,
        r#"<label for="f-consent">"#,
        r#"autocomplete="email""#,
        "最多 5000 字",
        "以个人或专家学者身份提出的可不填",
        r#"<option value="enterprise">企业</option>"#,
    ] {
        assert!(html.contains(s), "{s}");
    }
    form_of(&app, &open, None).await;

    let html = page(&app, &format!("/drafts/{closed}"), None).await.text();
    assert!(
        !html.contains("<form class=\"comment\""),
        "no form once closed"
    );
    assert!(
        html.contains("意见征集已于") && html.contains("截止"),
        "says it closed"
    );
    let html = page(&app, &format!("/drafts/{scheduled}"), None)
        .await
        .text();
    assert!(
        !html.contains("<form class=\"comment\""),
        "no form before it opens"
    );
    assert!(html.contains("起可以提出意见"), "says when it opens");
}

async fn article_links_open_the_form_on_their_article(app: TestApp) {
    let id = insert_draft(&app, DraftSpec::open(app.now()));
    let html = page(&app, &format!("/drafts/{id}"), None).await.text();
    assert!(html.contains(&format!(r##"href="/drafts/{id}?article=3#comment-form""##)));
    assert!(html.contains("对本条提意见"));
    assert!(!html.contains("selected>第3条"));
    let html = page(&app, &format!("/drafts/{id}?article=3"), None)
        .await
        .text();
    assert!(
        html.contains(r#"<option value="3" selected>第3条</option>"#),
        "preselected"
    );
}

async fn a_good_submission_stores_a_pending_comment_and_shows_its_receipt_once(app: TestApp) {
    let id = insert_draft(&app, DraftSpec::open(app.now()));
    let csrf = form_of(&app, &id, None).await;
    let res = submit(&app, &id, Some(&csrf.value), &with_csrf(&csrf, &GOOD), None).await;
    assert_eq!(res.status.as_u16(), 303, "{}", res.text());
    let location = res.header("location").unwrap();
    assert!(location.starts_with("/receipts/"), "{location}");
    assert!(
        !location.contains("token"),
        "the token stays out of the address"
    );

    let rows = stored(&app, &id);
    assert_eq!(rows.len(), 1);
    let (status, body, article, channel) = &rows[0];
    assert_eq!(
        (status.as_str(), body.as_str(), *article, channel.as_str()),
        ("pending", GOOD[0].1, Some(3), "online")
    );
    let tracking: String = comments::table
        .filter(comments::draft_id.eq(&id))
        .select(comments::tracking_number)
        .first(&mut *app.conn())
        .unwrap();
    assert!(location.contains(&tracking));
    let mails: i64 = outbox::table
        .filter(outbox::kind.eq("comment_receipt"))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(mails, 1, "R10: a receipt mail is queued");

    // The receipt page shows the number and the token, once.
    let flash = set_cookie(&res, "new_receipt").expect("receipt cookie");
    assert!(flash.contains("HttpOnly") && flash.contains("Path=/receipts"));
    let flash_value = flash[..flash.find(';').unwrap()]
        .trim_start_matches("new_receipt=")
        .to_string();
    let token = flash_value.split_once('.').unwrap().1.to_string();
    let res = app
        .call(
            TestRequest::get()
                .uri(&location)
                .insert_header(("Accept", "text/html"))
                .cookie(Cookie::new("new_receipt", flash_value.clone())),
        )
        .await;
    assert_eq!(res.status.as_u16(), 200);
    let html = res.text();
    for s in [
        tracking.as_str(),
        token.as_str(),
        "回执码仅显示这一次",
        "已收到，待审核",
        "回执邮件",
    ] {
        assert!(html.contains(s), "{s}: {html}");
    }
    let gone = set_cookie(&res, "new_receipt").expect("the receipt cookie is removed");
    assert!(gone.contains("Max-Age=0"), "{gone}");
    // Without the cookie the same address shows no token (only the lookup form).
    let html = page(&app, &location, None).await.text();
    assert!(!html.contains(&token));
    assert!(html.contains(r#"name="token""#));
    // The token works for the lookup, like the API's.
    let html = page(&app, &format!("/receipts/{tracking}?token={token}"), None)
        .await
        .text();
    assert!(html.contains("已收到，待审核") && !html.contains("回执码仅显示这一次"));
    let api = app
        .get(&format!("/api/v1/receipts/{tracking}?token={token}"), None)
        .await
        .ok(200);
    assert_eq!(api["status"], "pending");
}

async fn a_refused_submission_shows_each_error_beside_its_field_and_keeps_the_input(app: TestApp) {
    let id = insert_draft(&app, DraftSpec::open(app.now()));
    let csrf = form_of(&app, &id, None).await;
    let fields = [
        ("body", "   "),
        ("article", "4"),
        ("stakeholder_type", "enterprise"),
        ("organization", ""),
        ("name", "李四 <b>"),
        ("email", "not-an-address"),
        ("region", "龙岭县"),
        ("publish_name", "1"),
    ];
    let res = submit(
        &app,
        &id,
        Some(&csrf.value),
        &with_csrf(&csrf, &fields),
        None,
    )
    .await;
    assert_eq!(res.status.as_u16(), 422, "{}", res.text());
    let html = res.text();
    for field in ["body", "organization", "email", "consent"] {
        assert!(
            html.contains(&format!(r##"href="#f-{field}""##)),
            "summary links {field}"
        );
        assert!(
            html.contains(&format!(r#"id="f-{field}-error""#)),
            "error beside {field}"
        );
    }
    assert!(!html.contains(r#"id="f-region-error""#));
    for kept in [
        r#"value="李四 &#60;b&#62;""#,
        r#"value="not-an-address""#,
        r#"value="龙岭县""#,
        r#"<option value="4" selected>"#,
        r#"<option value="enterprise" selected>"#,
        r#"name="publish_name" value="1" checked"#,
    ] {
        assert!(html.contains(kept), "{kept} kept");
    }
    assert!(!html.contains(r#"name="consent" value="1" required aria-required="true" checked"#));
    assert!(html.contains("请修改以下内容后重新提交"));
    assert!(
        html.contains("<title>错误："),
        "the title says the form was refused"
    );
    // A switch link followed from the refused form lands on the draft page, in that language.
    let res = page(&app, &format!("/drafts/{id}/comments?lang=en"), None).await;
    assert_eq!(res.status.as_u16(), 303);
    assert_eq!(
        res.header("location").unwrap(),
        format!("/drafts/{id}?lang=en#comment-form")
    );
    assert!(stored(&app, &id).is_empty(), "nothing stored");
}

async fn the_form_without_a_valid_csrf_token_is_refused_and_stores_nothing(app: TestApp) {
    let id = insert_draft(&app, DraftSpec::open(app.now()));
    let csrf = form_of(&app, &id, None).await;
    let other = form_of(&app, &id, None).await;
    assert_ne!(
        csrf.value, other.value,
        "a new value for a browser without the cookie"
    );
    let forged = Csrf {
        value: csrf.value.clone(),
        signature: "A".repeat(csrf.signature.len()),
        issued: csrf.issued.clone(),
    };
    for (cookie, form) in [
        (None, &csrf),                        // no cookie
        (Some(other.value.as_str()), &csrf),  // another browser's cookie
        (Some(csrf.value.as_str()), &forged), // a made-up signature
    ] {
        let res = submit(&app, &id, cookie, &with_csrf(form, &GOOD), None).await;
        assert_eq!(res.status.as_u16(), 403, "{}", res.text());
        assert!(res.text().contains("表单已失效"));
    }
    let res = submit(&app, &id, Some(&csrf.value), &GOOD, None).await;
    assert_eq!(res.status.as_u16(), 403, "no token in the form");
    assert!(stored(&app, &id).is_empty());
}

async fn a_submission_after_the_period_closed_gets_a_page_not_a_problem_document(app: TestApp) {
    let id = insert_draft(&app, DraftSpec::open(app.now()));
    let csrf = form_of(&app, &id, None).await;
    app.clock().advance(TimeDelta::days(30));
    let res = submit(&app, &id, Some(&csrf.value), &with_csrf(&csrf, &GOOD), None).await;
    assert_eq!(res.status.as_u16(), 409);
    assert!(res.header("content-type").unwrap().starts_with("text/html"));
    assert!(res.text().contains("意见征集已于"));
    assert!(stored(&app, &id).is_empty());
}

async fn the_receipt_page_needs_the_right_token(app: TestApp) {
    let id = insert_draft(&app, DraftSpec::open(app.now()));
    let receipt = app
        .post(
            &format!("/api/v1/drafts/{id}/comments"),
            None,
            serde_json::json!({"body": "意见", "stakeholder_type": "individual", "consent": true}),
        )
        .await
        .ok(201);
    let tracking = receipt["tracking_number"].as_str().unwrap();
    let token = receipt["receipt_token"].as_str().unwrap();
    let res = page(&app, &format!("/receipts/{tracking}?token={token}"), None).await;
    assert_eq!(res.status.as_u16(), 200);
    assert!(res.text().contains(tracking) && res.text().contains("已收到，待审核"));
    let res = page(
        &app,
        &format!(
            "/receipts?tracking_number={}&token={token}",
            tracking.to_lowercase()
        ),
        None,
    )
    .await;
    assert_eq!(res.status.as_u16(), 200, "the lookup form's answer");
    let res = page(&app, &format!("/receipts/{tracking}?token=wrong"), None).await;
    assert_eq!(res.status.as_u16(), 404);
    assert!(res.header("content-type").unwrap().starts_with("text/html"));
    assert!(res.text().contains("未找到与该意见编号和回执码相符的意见"));
    assert!(!res.text().contains("待审核"));
    let res = page(&app, "/receipts", None).await;
    assert_eq!(res.status.as_u16(), 200);
    assert!(res.text().contains(r#"<label for="r-token">"#));
}

fn visible_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace(">中文", ">")
}

#[track_caller]
fn assert_english(html: &str, what: &str) {
    assert!(html.contains(r#"<html lang="en""#), "{what}");
    let text = visible_text(&html.replace(r#"lang="zh-CN" hreflang="zh-CN">中文</a>"#, ">"));
    if let Some(c) = text
        .chars()
        .find(|c| ('\u{3000}'..='\u{9fff}').contains(c) || ('\u{ff00}'..='\u{ffef}').contains(c))
    {
        panic!("Chinese ({c}) left on the English {what}:\n{text}");
    }
}

async fn english_form_errors_and_receipt_are_fully_english(app: TestApp) {
    let id = insert_draft(
        &app,
        DraftSpec {
            title: "Measures on Legal Aid (Draft)".into(),
            agency: "Longling County Justice Bureau".into(),
            category: "Department documents".into(),
            ..DraftSpec::open(app.now())
        },
    );
    {
        let mut conn = app.conn();
        diesel::update(drafts::table.find(&id))
            .set((
                drafts::summary.eq("These measures govern legal aid."),
                drafts::subject_terms.eq(r#"["legal aid"]"#),
            ))
            .execute(&mut *conn)
            .unwrap();
        diesel::update(articles::table.filter(articles::draft_id.eq(&id)))
            .set((
                articles::heading.eq(None::<String>),
                articles::text.eq("Text of the article."),
            ))
            .execute(&mut *conn)
            .unwrap();
        diesel::delete(consult::db::schema::materials::table)
            .execute(&mut *conn)
            .unwrap();
    }
    let en = Some("en");
    let html = page(&app, &format!("/drafts/{id}?article=2"), en)
        .await
        .text();
    assert_english(&html, "draft page with the form");
    assert!(html.contains("Comment on this article") && html.contains("Submit comment"));
    let csrf = form_of(&app, &id, en).await;
    let res = submit(
        &app,
        &id,
        Some(&csrf.value),
        &with_csrf(&csrf, &[("body", ""), ("stakeholder_type", "enterprise")]),
        en,
    )
    .await;
    assert_eq!(res.status.as_u16(), 422);
    assert_english(&res.text(), "refused form");
    assert!(res.text().contains("Please correct the following"));
    let res = submit(
        &app,
        &id,
        Some(&csrf.value),
        &with_csrf(
            &csrf,
            &[
                ("body", "Please say who pays."),
                ("stakeholder_type", "expert"),
                ("consent", "on"),
            ],
        ),
        en,
    )
    .await;
    assert_eq!(res.status.as_u16(), 303);
    let location = res.header("location").unwrap();
    let flash = set_cookie(&res, "new_receipt").unwrap();
    let flash = flash[..flash.find(';').unwrap()].trim_start_matches("new_receipt=");
    let res = app
        .call(
            TestRequest::get()
                .uri(&location)
                .insert_header(("Accept", "text/html"))
                .cookie(Cookie::new("lang", "en"))
                .cookie(Cookie::new("new_receipt", flash.to_string())),
        )
        .await;
    assert_eq!(res.status.as_u16(), 200);
    assert_english(&res.text(), "receipt page");
    assert!(res.text().contains("Keep these two codes"));
    let res = submit(&app, &id, None, &GOOD, en).await;
    assert_eq!(res.status.as_u16(), 403);
    assert_english(&res.text(), "refusal page");
    let res = page(&app, "/receipts/NOPE?token=x", en).await;
    assert_eq!(res.status.as_u16(), 404);
    assert_english(&res.text(), "receipt not found page");
}

async fn a_form_sent_twice_is_one_comment_with_one_receipt(app: TestApp) {
    let id = insert_draft(&app, DraftSpec::open(app.now()));
    let csrf = form_of(&app, &id, None).await;
    let first = submit(&app, &id, Some(&csrf.value), &with_csrf(&csrf, &GOOD), None).await;
    let again = submit(&app, &id, Some(&csrf.value), &with_csrf(&csrf, &GOOD), None).await;
    assert_eq!((first.status.as_u16(), again.status.as_u16()), (303, 303));
    assert_eq!(first.header("location"), again.header("location"));
    assert_eq!(stored(&app, &id).len(), 1, "R11: one comment");
    // Different text from the same browser is a new comment.
    let mut other = GOOD;
    other[0] = ("body", "另一条意见。");
    let res = submit(
        &app,
        &id,
        Some(&csrf.value),
        &with_csrf(&csrf, &other),
        None,
    )
    .await;
    assert_eq!(res.status.as_u16(), 303);
    assert_ne!(res.header("location"), first.header("location"));
    assert_eq!(stored(&app, &id).len(), 2);
}

async fn too_many_comments_get_a_page_that_says_when_to_retry(app: TestApp) {
    let id = insert_draft(&app, DraftSpec::open(app.now()));
    let csrf = form_of(&app, &id, None).await;
    let res = submit(&app, &id, Some(&csrf.value), &with_csrf(&csrf, &GOOD), None).await;
    assert_eq!(res.status.as_u16(), 303);
    let mut other = GOOD;
    other[0] = ("body", "另一条意见。");
    let res = submit(
        &app,
        &id,
        Some(&csrf.value),
        &with_csrf(&csrf, &other),
        None,
    )
    .await;
    assert_eq!(res.status.as_u16(), 429, "{}", res.text());
    assert!(res.header("content-type").unwrap().starts_with("text/html"));
    assert!(res.header("retry-after").is_some());
    assert!(res.text().contains("提交过于频繁") && res.text().contains("返回草案页面"));
    assert_eq!(stored(&app, &id).len(), 1);
}

async fn the_receipt_page_shows_outcome_group_and_reason_once_the_report_is_published(
    app: TestApp,
) {
    let draft = insert_draft(&app, DraftSpec::open(app.now()));
    let r = app
        .post(
            &format!("/api/v1/drafts/{draft}/comments"),
            None,
            json!({"body": "请延长过渡期。", "stakeholder_type": "individual", "consent": true}),
        )
        .await
        .ok(201);
    let tracking = r["tracking_number"].as_str().unwrap();
    let token = r["receipt_token"].as_str().unwrap();
    let url = format!("/receipts/{tracking}?token={token}");
    let id: String = comments::table
        .filter(comments::tracking_number.eq(tracking))
        .select(comments::id)
        .first(&mut *app.conn())
        .unwrap();
    let moderator = app.staff("mod", &[Role::Moderator]);
    let officer = app.staff("officer", &[Role::Drafter]);
    let approver = app.staff("approver", &[Role::Approver]);
    app.post(
        &format!("/api/v1/comments/{id}/moderation"),
        Some(&moderator),
        json!({"decision": "publish"}),
    )
    .await
    .ok(200);
    let group = app
        .post(
            &format!("/api/v1/drafts/{draft}/groups"),
            Some(&officer),
            json!({"title": "延长过渡期", "comment_ids": [id]}),
        )
        .await
        .ok(201);
    let gid = group["id"].as_str().unwrap();
    app.put(
        &format!("/api/v1/groups/{gid}/disposition"),
        Some(&officer),
        json!({"outcome": "not_adopted", "reason": "与上位法规定不一致"}),
    )
    .await
    .ok(200);
    app.clock().advance(TimeDelta::days(30));
    let report = format!("/api/v1/drafts/{draft}/report");
    app.post(&report, Some(&officer), json!({})).await.ok(201);
    let actions = format!("{report}/actions");
    app.post(&actions, Some(&officer), json!({"action": "submit"}))
        .await
        .ok(200);
    let html = page(&app, &url, None).await.text();
    assert!(
        html.contains("已公开") && !html.contains("不予采纳"),
        "not before publication"
    );
    assert!(html.contains("意见采纳情况报告公布后"));
    app.post(&actions, Some(&approver), json!({"action": "approve"}))
        .await
        .ok(200);
    let html = page(&app, &url, None).await.text();
    for s in ["不予采纳", "与上位法规定不一致", "延长过渡期"] {
        assert!(html.contains(s), "{s}");
    }
    let html = page(&app, &url, Some("en")).await.text();
    assert!(html.contains("Not adopted") && html.contains("Outcome"));
}
