//! Abuse controls and privacy on SQLite and PostgreSQL (docs/security.md, "Abuse and
//! privacy"): sign-in throttling shared by the staff form and the token API with the same work
//! on every path, receipt tokens and personal links gone from sent mail rows, the public
//! form's honeypot and minimum fill time, erasure of a commenter's personal fields, logs
//! without personal data, and duplicate flags for moderators.

use crate::common;

use actix_web::cookie::Cookie;
use actix_web::test::TestRequest;
use chrono::TimeDelta;
use common::fixtures::{DraftSpec, insert_draft};
use common::session::{Browser, location, signed_in};
use common::{PASSWORD, Resp, TestApp};
use consult::db::schema::{audit_log, comments, outbox};
use consult::domain::roles::Role;
use consult::service::users::Credentials;
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
    every_sign_in_path_runs_exactly_one_password_verification,
    a_sent_receipt_keeps_no_token_or_link_in_its_outbox_row,
    a_form_too_fast_or_with_the_trap_filled_is_not_stored,
    a_moderator_erases_a_commenters_personal_data_by_tracking_number,
    the_staff_page_erases_personal_data_too,
);

both_with!(logs_carry_no_personal_data, |c| {
    c.server.access_log = true;
});

both!(duplicates_of_one_sender_are_flagged_for_moderators_not_refused,);

both_with!(duplicate_flags_can_be_turned_off, |c| {
    c.abuse.duplicate_flags = false;
});

both_with!(
    api_tokens_are_throttled_per_account_and_per_address_with_the_form,
    |c| {
        c.security.login_max_failures = 3;
        c.security.login_max_failures_per_address = 5;
    }
);

// ---------------------------------------------------------------------------------------
// Sign-in throttling (R25)

async fn token_from(app: &TestApp, ip: &str, username: &str, password: &str) -> Resp {
    app.call(
        TestRequest::post()
            .uri("/api/v1/auth/token")
            .peer_addr(format!("{ip}:40000").parse().unwrap())
            .set_json(json!({"username": username, "password": password})),
    )
    .await
}

async fn api_tokens_are_throttled_per_account_and_per_address_with_the_form(app: TestApp) {
    for name in ["wang", "li", "zhao", "qian"] {
        app.staff(name, &[Role::Drafter]);
    }
    // Per account: three wrong passwords from three addresses, then even the right one is
    // refused, from a fourth address, with a problem that says when to come back.
    for (i, ip) in ["192.0.2.1", "192.0.2.2", "192.0.2.3"].iter().enumerate() {
        let res = token_from(&app, ip, "wang", &format!("wrong {i}")).await;
        res.problem(401);
    }
    let res = token_from(&app, "192.0.2.4", "wang", PASSWORD).await;
    let doc = res.problem(429);
    assert!(!doc.to_string().contains("token\""), "{doc}");
    let retry: i64 = res.header("retry-after").unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 15 * 60, "{retry}");
    // The staff form counts the same failures: one operation behind both.
    let mut b = Browser::new(&app);
    let res = b.sign_in("wang", PASSWORD).await;
    assert_eq!(res.status.as_u16(), 429);
    assert!(res.header("retry-after").is_some());
    assert!(
        res.text().contains("<form"),
        "the form comes back with the error"
    );

    // Per address: five failures from one address, for any accounts, close it to every
    // account, while another address still signs in.
    for (name, n) in [("li", 2), ("zhao", 2)] {
        for i in 0..n {
            token_from(&app, "198.51.100.7", name, &format!("wrong {i}"))
                .await
                .problem(401);
        }
    }
    token_from(&app, "198.51.100.7", "qian", "wrong")
        .await
        .problem(401);
    token_from(&app, "198.51.100.7", "qian", PASSWORD)
        .await
        .problem(429);
    let ok = token_from(&app, "198.51.100.8", "qian", PASSWORD)
        .await
        .ok(200);
    assert!(ok["token"].is_string());

    // After the window both limits are lifted.
    app.clock().set(app.now() + TimeDelta::minutes(16));
    token_from(&app, "198.51.100.7", "wang", PASSWORD)
        .await
        .ok(200);
    assert_eq!(location(&b.sign_in("wang", PASSWORD).await), "/staff");
}

/// The count of argon2 verifications `authenticate` runs for one attempt (on this thread).
fn verifications(app: &TestApp, username: &str, password: &str, client: &str) -> (u64, bool) {
    let mut conn = app.conn();
    let before = consult::security::verifications_on_this_thread();
    let result = consult::service::users::authenticate(
        &mut conn,
        &app.state.config,
        app.now(),
        &Credentials {
            username: username.into(),
            password: password.into(),
        },
        client,
    );
    (
        consult::security::verifications_on_this_thread() - before,
        result.is_ok(),
    )
}

async fn every_sign_in_path_runs_exactly_one_password_verification(app: TestApp) {
    use consult::db::schema::users;
    app.staff("active", &[Role::Drafter]);
    app.staff("inactive", &[Role::Drafter]);
    app.staff("unset", &[Role::Drafter]);
    diesel::update(users::table.filter(users::username.eq("inactive")))
        .set(users::active.eq(false))
        .execute(&mut *app.conn())
        .unwrap();
    // An account whose stored hash cannot be parsed (never set, or damaged) and inactive.
    diesel::update(users::table.filter(users::username.eq("unset")))
        .set((users::active.eq(false), users::password_hash.eq("!")))
        .execute(&mut *app.conn())
        .unwrap();
    let cases = [
        ("active", PASSWORD, true),
        ("active", "wrong password", false),
        ("nobody", PASSWORD, false),
        ("inactive", PASSWORD, false),
        ("inactive", "wrong password", false),
        ("unset", PASSWORD, false),
    ];
    for (i, (name, password, ok)) in cases.into_iter().enumerate() {
        let (n, signed_in) = verifications(&app, name, password, &format!("client-{i}"));
        assert_eq!(n, 1, "{name} with {password:?}: {n} verifications");
        assert_eq!(signed_in, ok, "{name}");
    }
    // Throttled: still one verification, though the answer is already known.
    for i in 0..5 {
        let _ = verifications(&app, "active", &format!("wrong {i}"), "client-t");
    }
    let (n, signed_in) = verifications(&app, "active", PASSWORD, "client-t");
    assert!(!signed_in);
    assert_eq!(n, 1, "a throttled attempt: {n} verifications");
}

// ---------------------------------------------------------------------------------------
// Receipt tokens and personal links leave the outbox once sent

async fn a_sent_receipt_keeps_no_token_or_link_in_its_outbox_row(app: TestApp) {
    let draft = insert_draft(&app, DraftSpec::open(app.now()));
    let receipt = app
        .post(
            &format!("/api/v1/drafts/{draft}/comments"),
            None,
            json!({"body": "第三条的期限过短。", "stakeholder_type": "individual",
                   "consent": true, "email": "receipt.person@example.com"}),
        )
        .await
        .ok(201);
    let token = receipt["receipt_token"].as_str().unwrap().to_string();
    let pass = consult::mail::outbox::deliver_due(&app.state.mail_worker(), app.now()).unwrap();
    assert_eq!(pass.sent, 1);
    let (id, payload, text, html, headers, status): (
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        String,
    ) = outbox::table
        .filter(outbox::kind.eq("comment_receipt"))
        .select((
            outbox::id,
            outbox::payload,
            outbox::body_text,
            outbox::body_html,
            outbox::headers,
            outbox::status,
        ))
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(status, "sent");
    // The mail that went out held the link…
    let eml = std::fs::read_to_string(
        std::path::Path::new(&app.state.config.mail.file_dir).join(format!("{id}.eml")),
    )
    .unwrap();
    assert!(
        eml.contains("multipart/alternative"),
        "the mail was written"
    );
    // …the row keeps neither the token nor the link nor the rendered parts.
    assert!(!payload.contains(&token), "{payload}");
    assert!(!payload.contains("token="), "{payload}");
    assert!(text.is_none() && html.is_none() && headers.is_none());
    let payload: Value = serde_json::from_str(&payload).unwrap();
    assert_eq!(payload["tracking_number"], receipt["tracking_number"]);
    // The link still opens the receipt: the token was never needed in the row.
    let tracking = receipt["tracking_number"].as_str().unwrap();
    app.get(&format!("/api/v1/receipts/{tracking}?token={token}"), None)
        .await
        .ok(200);
}

// ---------------------------------------------------------------------------------------
// The public form: honeypot and minimum fill time

async fn html(app: &TestApp, path: &str) -> Resp {
    app.call(
        TestRequest::get()
            .uri(path)
            .insert_header(("Accept", "text/html")),
    )
    .await
}

fn attr_after(html: &str, marker: &str) -> String {
    let at = html
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} in page"));
    let rest = &html[at + marker.len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// The hidden fields of the draft page's form (CSRF value, signature, issue time).
async fn form_fields(app: &TestApp, draft: &str) -> Vec<(String, String)> {
    let page = html(app, &format!("/drafts/{draft}")).await.text();
    ["csrf_token", "csrf_signature", "form_issued"]
        .iter()
        .map(|f| {
            (
                f.to_string(),
                attr_after(&page, &format!(r#"name="{f}" value=""#)),
            )
        })
        .collect()
}

async fn send_form(app: &TestApp, draft: &str, fields: &[(String, String)]) -> Resp {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        s.append_pair(k, v);
    }
    let csrf = fields.iter().find(|(k, _)| k == "csrf_token").unwrap();
    app.call(
        TestRequest::post()
            .uri(&format!("/drafts/{draft}/comments"))
            .insert_header(("Accept", "text/html"))
            .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
            .cookie(Cookie::new("csrf", csrf.1.clone()))
            .set_payload(s.finish()),
    )
    .await
}

fn good_comment(hidden: &[(String, String)], body: &str) -> Vec<(String, String)> {
    let mut all = hidden.to_vec();
    for (k, v) in [
        ("body", body),
        ("stakeholder_type", "individual"),
        ("name", "王五"),
        ("consent", "1"),
    ] {
        all.push((k.into(), v.into()));
    }
    all
}

fn stored_bodies(app: &TestApp, draft: &str) -> Vec<String> {
    comments::table
        .filter(comments::draft_id.eq(draft))
        .select(comments::body)
        .load(&mut *app.conn())
        .unwrap()
}

fn refused(app: &TestApp, reason: &str) -> u64 {
    app.state
        .metrics
        .comment_form_refused
        .with_label_values(&[reason])
        .get()
}

async fn a_form_too_fast_or_with_the_trap_filled_is_not_stored(app: TestApp) {
    let min = i64::from(app.state.config.abuse.min_fill_seconds);
    assert!(min > 0, "on by default");
    let draft = insert_draft(&app, DraftSpec::open(app.now()));
    // The trap: hidden from sight and from assistive technology, out of the tab order, not
    // filled in by the browser, and labelled to be left empty.
    let page = html(&app, &format!("/drafts/{draft}")).await.text();
    let trap = &page[page.find(r#"class="form-trap""#).expect("the trap")..];
    let trap = &trap[..trap.find("</div>").unwrap()];
    for part in [
        r#"aria-hidden="true""#,
        r#"tabindex="-1""#,
        r#"autocomplete="off""#,
        r#"name="website""#,
        r#"<label for="f-website">"#,
    ] {
        assert!(trap.contains(part), "{part} in {trap}");
    }

    // Sent at once: not stored, the form again with the text kept and a neutral message.
    let hidden = form_fields(&app, &draft).await;
    let res = send_form(&app, &draft, &good_comment(&hidden, "太快提交的意见")).await;
    assert_eq!(res.status.as_u16(), 200);
    let text = res.text();
    assert!(text.contains("您的意见尚未提交"), "{text}");
    assert!(text.contains("太快提交的意见"), "the text is kept");
    assert!(stored_bodies(&app, &draft).is_empty());
    assert_eq!(refused(&app, "too_fast"), 1);

    // One second short of the fill time: still not stored.
    app.clock().advance(TimeDelta::seconds(min - 1));
    send_form(&app, &draft, &good_comment(&hidden, "还是太快")).await;
    assert!(stored_bodies(&app, &draft).is_empty());
    assert_eq!(refused(&app, "too_fast"), 2);

    // The trap filled in, however slow: not stored.
    app.clock().advance(TimeDelta::seconds(60));
    let mut trapped = good_comment(&hidden, "机器人的意见");
    trapped.push(("website".into(), "http://spam.example".into()));
    let res = send_form(&app, &draft, &trapped).await;
    assert!(res.text().contains("您的意见尚未提交"));
    assert!(stored_bodies(&app, &draft).is_empty());
    assert_eq!(refused(&app, "honeypot"), 1);

    // No issue time, or one made up: not stored.
    let mut stripped = good_comment(&hidden, "没有时间戳");
    stripped.retain(|(k, _)| k != "form_issued");
    send_form(&app, &draft, &stripped).await;
    let mut forged = good_comment(&hidden, "伪造时间戳");
    for (k, v) in forged.iter_mut() {
        if k == "form_issued" {
            let secs: i64 = v.split('.').next().unwrap().parse().unwrap();
            *v = format!("{}.{}", secs - 3600, v.split('.').nth(1).unwrap());
        }
    }
    send_form(&app, &draft, &forged).await;
    assert!(stored_bodies(&app, &draft).is_empty());
    assert_eq!(refused(&app, "bad_stamp"), 2);

    // After the fill time with the trap empty: stored.
    let res = send_form(&app, &draft, &good_comment(&hidden, "认真填写的意见")).await;
    assert_eq!(res.status.as_u16(), 303, "{}", res.text());
    assert_eq!(stored_bodies(&app, &draft), ["认真填写的意见"]);

    // The JSON API is for programs: no stamp, no wait.
    app.post(
        &format!("/api/v1/drafts/{draft}/comments"),
        None,
        json!({"body": "程序提交", "stakeholder_type": "individual", "consent": true}),
    )
    .await
    .ok(201);
    assert_eq!(stored_bodies(&app, &draft).len(), 2);
}

// ---------------------------------------------------------------------------------------
// Erasure

#[derive(Queryable)]
struct Personal {
    name: Option<String>,
    organization: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    region: Option<String>,
    client_key: Option<String>,
    body: String,
    outcome: Option<String>,
    status: String,
}

fn personal(app: &TestApp, tracking: &str) -> Personal {
    comments::table
        .filter(comments::tracking_number.eq(tracking))
        .select((
            comments::name,
            comments::organization,
            comments::email,
            comments::phone,
            comments::region,
            comments::client_key,
            comments::body,
            comments::outcome,
            comments::status,
        ))
        .first(&mut *app.conn())
        .unwrap()
}

async fn commented(app: &TestApp, draft: &str) -> String {
    let receipt = app
        .post(
            &format!("/api/v1/drafts/{draft}/comments"),
            None,
            json!({"body": "建议删除第五条。", "stakeholder_type": "enterprise",
                   "organization": "龙岭县青山茶叶有限公司", "name": "赵六",
                   "email": "zhao.liu@example.com", "phone": "13912345678",
                   "region": "龙岭县青山镇", "publish_name": true, "consent": true}),
        )
        .await
        .ok(201);
    receipt["tracking_number"].as_str().unwrap().to_string()
}

async fn a_moderator_erases_a_commenters_personal_data_by_tracking_number(app: TestApp) {
    let moderator = app.staff("mod", &[Role::Moderator]);
    let admin = app.staff("admin", &[Role::Admin]);
    let drafter = app.staff("drafter", &[Role::Drafter]);
    let draft = insert_draft(&app, DraftSpec::open(app.now()));
    let tracking = commented(&app, &draft).await;
    let comment_id: String = comments::table
        .filter(comments::tracking_number.eq(&tracking))
        .select(comments::id)
        .first(&mut *app.conn())
        .unwrap();
    app.post(
        &format!("/api/v1/comments/{comment_id}/moderation"),
        Some(&moderator),
        json!({"decision": "publish"}),
    )
    .await
    .ok(200);
    let before = personal(&app, &tracking);
    assert!(before.email.is_some() && before.client_key.is_some());
    let page = html(&app, &format!("/drafts/{draft}")).await.text();
    assert!(page.contains("赵六"), "the name is published before");

    let url = format!("/api/v1/comments/by-tracking/{tracking}/erasure");
    // Only moderators and administrators; nobody without a token.
    app.post(&url, Some(&drafter), json!({})).await.problem(403);
    app.post(&url, None, json!({})).await.problem(401);
    app.post(
        "/api/v1/comments/by-tracking/20990101-AAAAA-BBBBB/erasure",
        Some(&moderator),
        json!({}),
    )
    .await
    .problem(404);
    assert!(
        personal(&app, &tracking).email.is_some(),
        "refusals change nothing"
    );

    // The tracking number is read in any case.
    let done = app
        .post(
            &format!(
                "/api/v1/comments/by-tracking/{}/erasure",
                tracking.to_lowercase()
            ),
            Some(&moderator),
            json!({}),
        )
        .await
        .ok(200);
    assert_eq!(done["tracking_number"], json!(tracking));
    let erased: Vec<&str> = done["erased"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for f in [
        "name",
        "organization",
        "email",
        "phone",
        "region",
        "client_key",
    ] {
        assert!(erased.contains(&f), "{f} in {erased:?}");
    }
    let after = personal(&app, &tracking);
    assert!(after.name.is_none() && after.organization.is_none() && after.email.is_none());
    assert!(after.phone.is_none() && after.region.is_none() && after.client_key.is_none());
    // The text, its status and its disposition stay.
    assert_eq!(after.body, before.body);
    assert_eq!(after.status, "published");
    assert_eq!(after.outcome, before.outcome);
    // The public page no longer shows the name; no receipt mail is left to send.
    let page = html(&app, &format!("/drafts/{draft}")).await.text();
    assert!(!page.contains("赵六"));
    assert!(page.contains("建议删除第五条"));
    let receipts: i64 = outbox::table
        .filter(outbox::kind.eq("comment_receipt"))
        .filter(outbox::recipient.eq("zhao.liu@example.com"))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(receipts, 0);

    // Audited once, with field names and no personal data.
    let audits: Vec<String> = audit_log::table
        .filter(audit_log::action.eq("comment.personal_data_erased"))
        .select(audit_log::details)
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(audits.len(), 1);
    for secret in [
        "赵六",
        "zhao.liu",
        "13912345678",
        "青山",
        &before.client_key.unwrap(),
    ] {
        assert!(!audits[0].contains(secret), "{secret} in {}", audits[0]);
    }
    // Again (by an administrator): nothing left, nothing audited.
    let again = app.post(&url, Some(&admin), json!({})).await.ok(200);
    assert_eq!(again["erased"], json!([]));
    let n: i64 = audit_log::table
        .filter(audit_log::action.eq("comment.personal_data_erased"))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(n, 1);
}

async fn the_staff_page_erases_personal_data_too(app: TestApp) {
    let draft = insert_draft(&app, DraftSpec::open(app.now()));
    let tracking = commented(&app, &draft).await;
    let mut b = signed_in(&app, "mod", &[Role::Moderator]).await;
    let page = b.get("/staff/moderation").await.text();
    assert!(
        page.contains(r#"action="/staff/moderation/erasure""#),
        "{page}"
    );
    let res = b
        .submit(
            "/staff/moderation",
            "/staff/moderation/erasure",
            &[("tracking_number", tracking.as_str())],
        )
        .await;
    assert_eq!(location(&res), "/staff/moderation");
    let after = personal(&app, &tracking);
    assert!(after.email.is_none() && after.name.is_none());
    let page = b.get("/staff/moderation").await.text();
    assert!(page.contains(&tracking), "the flash names the comment");
}

// ---------------------------------------------------------------------------------------
// Logs

/// Every log line of this test process from the moment it is first asked for, at debug level.
fn captured_logs() -> std::sync::Arc<std::sync::Mutex<Vec<u8>>> {
    use std::sync::{Arc, Mutex, OnceLock};
    static BUF: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    BUF.get_or_init(|| {
        let buf = Arc::new(Mutex::new(Vec::new()));
        struct Sink(Arc<Mutex<Vec<u8>>>);
        impl std::io::Write for Sink {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let sink = buf.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("debug"))
            .with_ansi(false)
            .with_writer(move || Sink(sink.clone()))
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("one subscriber");
        buf
    })
    .clone()
}

async fn logs_carry_no_personal_data(app: TestApp) {
    let logs = captured_logs();
    let start = logs.lock().unwrap().len();
    let wrong = "Wrong-Password-7421";
    // Sign-ins through the form and the API, wrong and right.
    app.staff("officer7421", &[Role::Moderator]);
    let mut b = Browser::new(&app);
    assert_eq!(b.sign_in("officer7421", wrong).await.status.as_u16(), 401);
    assert_eq!(
        location(&b.sign_in("officer7421", PASSWORD).await),
        "/staff"
    );
    let cookies: Vec<String> = b
        .cookies
        .values()
        .filter(|v| v.len() >= 20)
        .cloned()
        .collect();
    token_from(&app, "192.0.2.50", "officer7421", wrong)
        .await
        .problem(401);
    let token = token_from(&app, "192.0.2.50", "officer7421", PASSWORD)
        .await
        .ok(200)["token"]
        .as_str()
        .unwrap()
        .to_string();
    // Comments with personal data through the API and the form.
    let draft = insert_draft(&app, DraftSpec::open(app.now()));
    let receipt = app
        .post(
            &format!("/api/v1/drafts/{draft}/comments"),
            None,
            json!({"body": "建议第二条写明期限。", "stakeholder_type": "individual",
                   "name": "钱七柒", "email": "qian.qi.7421@example.com",
                   "phone": "13700007421", "region": "龙岭县七里镇", "consent": true}),
        )
        .await
        .ok(201);
    let receipt_token = receipt["receipt_token"].as_str().unwrap().to_string();
    let tracking = receipt["tracking_number"].as_str().unwrap().to_string();
    let hidden = form_fields(&app, &draft).await;
    let mut fields = good_comment(&hidden, "表单提交的意见七四二一");
    fields.push(("email".into(), "sun.ba.7421@example.com".into()));
    fields.push(("phone".into(), "13800007421".into()));
    send_form(&app, &draft, &fields).await; // too fast: held back, logged
    app.clock().advance(TimeDelta::seconds(60));
    let res = send_form(&app, &draft, &fields).await;
    assert_eq!(res.status.as_u16(), 303, "{}", res.text());
    app.get(
        &format!("/api/v1/receipts/{tracking}?token={receipt_token}"),
        None,
    )
    .await
    .ok(200);
    // A subscription, the mail (one of them to an address that cannot be sent to), the
    // background jobs, a moderation decision and an erasure.
    app.post(
        "/api/v1/subscriptions",
        None,
        json!({"email": "sub.person.7421@example.com", "scope": {"kind": "all"}, "locale": "en"}),
    )
    .await
    .ok(202);
    consult::db::outbox::enqueue(
        &mut app.conn(),
        app.now(),
        &consult::db::outbox::NewMail {
            kind: "draft_opened",
            recipient: "broken 7421 address@@example.com",
            locale: "en",
            payload: json!({}),
            draft_id: Some(&draft),
            dedupe_key: None,
        },
    )
    .unwrap();
    consult::jobs::tick(&app.state.job_context());
    app.clock().advance(TimeDelta::seconds(60));
    consult::jobs::tick(&app.state.job_context());
    app.get("/api/v1/moderation", Some(&token)).await.ok(200);
    app.post(
        &format!("/api/v1/comments/by-tracking/{tracking}/erasure"),
        Some(&token),
        json!({}),
    )
    .await
    .ok(200);

    let text = String::from_utf8_lossy(&logs.lock().unwrap()[start..]).into_owned();
    assert!(
        text.contains("request answered"),
        "the log was captured:\n{text}"
    );
    let mut secrets = vec![
        "qian.qi.7421",
        "sun.ba.7421",
        "sub.person.7421",
        "broken 7421",
        "officer7421@example.gov.cn",
        "钱七柒",
        "王五",
        "13700007421",
        "13800007421",
        "七里镇",
        "表单提交的意见七四二一",
        wrong,
        PASSWORD,
        receipt_token.as_str(),
        token.as_str(),
    ];
    secrets.extend(cookies.iter().map(String::as_str));
    for secret in secrets {
        assert!(
            !text.contains(secret),
            "{secret:?} in the log:\n{}",
            text.lines()
                .filter(|l| l.contains(secret))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

// ---------------------------------------------------------------------------------------
// Duplicate flags

async fn comment_from(
    app: &TestApp,
    draft: &str,
    ip: &str,
    email: Option<&str>,
    body: &str,
) -> String {
    let mut json = json!({"body": body, "stakeholder_type": "individual", "consent": true});
    if let Some(e) = email {
        json["email"] = json!(e);
    }
    let res = app
        .call(
            TestRequest::post()
                .uri(&format!("/api/v1/drafts/{draft}/comments"))
                .peer_addr(format!("{ip}:40000").parse().unwrap())
                .set_json(json),
        )
        .await
        .ok(201);
    res["tracking_number"].as_str().unwrap().to_string()
}

fn scan(app: &TestApp) -> usize {
    consult::service::duplicates::scan(&mut app.conn(), &app.state.config, app.now()).unwrap()
}

fn comment_id(app: &TestApp, tracking: &str) -> String {
    comments::table
        .filter(comments::tracking_number.eq(tracking))
        .select(comments::id)
        .first(&mut *app.conn())
        .unwrap()
}

const LONG: &str = "第三条规定的十五日期限过短，建议延长至三十日，以便群众有足够时间准备申请材料。";

async fn duplicates_of_one_sender_are_flagged_for_moderators_not_refused(app: TestApp) {
    let moderator = app.staff("mod", &[Role::Moderator]);
    let drafter = app.staff("drafter", &[Role::Drafter]);
    let draft = insert_draft(&app, DraftSpec::open(app.now()));
    let other_draft = insert_draft(&app, DraftSpec::open(app.now()));
    let first = comment_from(&app, &draft, "192.0.2.10", None, LONG).await;
    app.clock().advance(TimeDelta::minutes(3));
    // The same text on another draft, sent in between: not a repeat on this draft, and the
    // repeat below is still found behind it.
    let elsewhere = comment_from(&app, &other_draft, "192.0.2.10", None, LONG).await;
    // The same text again, with other spacing and punctuation, from the same address.
    let again = comment_from(&app, &draft, "192.0.2.10", None, &format!(" {LONG}！！ ")).await;
    // Nearly the same, from another address but the same email as an earlier one.
    let mailed = comment_from(
        &app,
        &draft,
        "192.0.2.11",
        Some("Repeat@Example.com"),
        "第七条的罚款数额过高，建议降低到五百元以下，并给予首次违法者改正的机会。",
    )
    .await;
    app.clock().advance(TimeDelta::minutes(1));
    let near = comment_from(
        &app,
        &draft,
        "192.0.2.12",
        Some("repeat@example.com"),
        "第七条的罚款数额过高，建议降低到五百元以下，并给予首次违法者改正的机会啊。",
    )
    .await;
    // Not flagged: the same text from another sender, or another text.
    let stranger = comment_from(&app, &draft, "192.0.2.13", None, LONG).await;
    let different = comment_from(
        &app,
        &draft,
        "192.0.2.10",
        None,
        "附件二的表格缺少填写说明。",
    )
    .await;

    // A comment is read once it has settled (ten seconds): the repeat sent a minute ago is,
    // the near copy sent just now is not yet.
    assert_eq!(scan(&app), 1);
    app.clock().advance(TimeDelta::seconds(11));
    assert_eq!(scan(&app), 1);
    assert_eq!(scan(&app), 0, "the cursor moved on");

    // Every comment was stored: a flag refuses nothing.
    let n: i64 = comments::table
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(n, 7);

    let list = app
        .get(
            &format!("/api/v1/moderation/duplicates?draft_id={draft}"),
            Some(&moderator),
        )
        .await
        .ok(200);
    assert_eq!(list["total"], 2, "{list}");
    let flags = list["items"].as_array().unwrap();
    let of = |tracking: &str| {
        let id = comment_id(&app, tracking);
        flags.iter().find(|f| f["comment_id"] == json!(id)).cloned()
    };
    let same = of(&again).expect("the repeat is flagged");
    assert_eq!(same["kind"], "same_text");
    assert_eq!(same["duplicate_of_tracking"], json!(first));
    assert_eq!(same["similarity"], 100);
    assert_eq!(same["seconds_apart"], 180);
    let similar = of(&near).expect("the near copy is flagged");
    assert_eq!(similar["kind"], "similar_text");
    assert_eq!(similar["duplicate_of_tracking"], json!(mailed));
    assert!(similar["similarity"].as_i64().unwrap() >= 90, "{similar}");
    for t in [&first, &mailed, &stranger, &elsewhere, &different] {
        assert!(of(t).is_none(), "{t} is not flagged");
    }
    app.get("/api/v1/moderation/duplicates", Some(&drafter))
        .await
        .problem(403);

    // The moderation queue says why.
    let mut b = signed_in(&app, "mod2", &[Role::Moderator]).await;
    let page = b.get("/staff/moderation?lang=en").await.text();
    assert!(
        page.contains(&format!(
            "Same text as {first}, sent 3 min earlier by the same sender"
        )),
        "{page}"
    );
    let page = b.get("/staff/moderation?lang=zh-CN").await.text();
    assert!(
        page.contains(&format!("与同一发送者 3 分钟前提交的意见 {first} 内容相同")),
        "{page}"
    );
}

async fn duplicate_flags_can_be_turned_off(app: TestApp) {
    let draft = insert_draft(&app, DraftSpec::open(app.now()));
    comment_from(&app, &draft, "192.0.2.10", None, LONG).await;
    comment_from(&app, &draft, "192.0.2.10", None, LONG).await;
    app.clock().advance(TimeDelta::minutes(1));
    assert_eq!(scan(&app), 0);
    let n: i64 = consult::db::schema::duplicate_flags::table
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(n, 0);
}
