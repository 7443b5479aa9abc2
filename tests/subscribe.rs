//! R21, R25, R27, R28: the public subscribe page and the short subscribe forms of the draft
//! page and the home page, through the real app on SQLite and PostgreSQL: every scope, the
//! confirmation mail in the outbox, the answer that tells nothing about who subscribes,
//! refusals beside their fields that change nothing, CSRF, the per-address limit; and the
//! page in headless Chromium with axe at phone width.

use crate::common;

use actix_web::cookie::Cookie;
use actix_web::test::TestRequest;
use common::browser::{WebDriver, axe_core, chromium, serve_demo};
use common::fixtures::{DraftSpec, insert_draft};
use common::{Resp, TestApp};
use consult::db::schema::{outbox, subscription_requests, subscriptions};
use diesel::prelude::*;

both!(
    the_form_subscribes_and_mails_a_confirmation_link,
    each_scope_is_stored_as_chosen,
    the_answer_is_the_same_for_a_known_address,
    a_bad_email_is_shown_beside_the_field_and_changes_nothing,
    an_unknown_draft_agency_or_category_is_refused_and_changes_nothing,
    the_draft_page_and_the_home_page_carry_a_short_form,
    a_form_without_a_valid_csrf_token_is_refused_and_changes_nothing,
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

both_with!(the_per_address_limit_of_the_api_applies_to_the_form, |c| {
    c.limits.subscriptions_per_email_per_hour = 2;
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

/// The CSRF value and signature of the page's form (the value is also the cookie's).
struct Csrf {
    value: String,
    signature: String,
}

async fn form_on(app: &TestApp, path: &str) -> (Csrf, String) {
    let res = page(app, path, None).await;
    assert_eq!(res.status.as_u16(), 200, "{}", res.text());
    let html = res.text();
    let csrf = Csrf {
        value: attr_after(&html, r#"name="csrf_token" value=""#),
        signature: attr_after(&html, r#"name="csrf_signature" value=""#),
    };
    let cookie = set_cookie(&res, "csrf").expect("the page sets the CSRF cookie");
    assert!(cookie.starts_with(&format!("csrf={};", csrf.value)));
    (csrf, html)
}

async fn post(app: &TestApp, csrf: &Csrf, fields: &[(&str, &str)], lang: Option<&str>) -> Resp {
    let mut s = form_urlencoded::Serializer::new(String::new());
    s.append_pair("csrf_token", &csrf.value);
    s.append_pair("csrf_signature", &csrf.signature);
    for (k, v) in fields {
        s.append_pair(k, v);
    }
    let mut req = TestRequest::post()
        .uri("/subscribe")
        .insert_header(("Accept", "text/html"))
        .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
        .set_payload(s.finish())
        .cookie(Cookie::new("csrf", csrf.value.clone()));
    if let Some(l) = lang {
        req = req.cookie(Cookie::new("lang", l.to_string()));
    }
    app.call(req).await
}

#[track_caller]
fn taken(res: &Resp) {
    assert_eq!(res.status.as_u16(), 303, "{}", res.text());
    assert_eq!(res.header("location").as_deref(), Some("/subscribe?sent=1"));
}

/// `(email, scope_kind, scope_value, locale, status)` of every subscription.
fn stored(app: &TestApp) -> Vec<(String, String, String, String, String)> {
    subscriptions::table
        .order(subscriptions::created_at.asc())
        .select((
            subscriptions::email,
            subscriptions::scope_kind,
            subscriptions::scope_value,
            subscriptions::locale,
            subscriptions::status,
        ))
        .load(&mut *app.conn())
        .unwrap()
}

/// `(recipient, locale)` of every confirmation mail queued.
fn confirmations(app: &TestApp) -> Vec<(String, String)> {
    outbox::table
        .filter(outbox::kind.eq("subscription_confirm"))
        .order(outbox::created_at.asc())
        .select((outbox::recipient, outbox::locale))
        .load(&mut *app.conn())
        .unwrap()
}

fn requests(app: &TestApp) -> i64 {
    subscription_requests::table
        .count()
        .get_result(&mut *app.conn())
        .unwrap()
}

async fn the_form_subscribes_and_mails_a_confirmation_link(app: TestApp) {
    insert_draft(&app, DraftSpec::open(app.now()));
    let (csrf, html) = form_on(&app, "/subscribe").await;
    for s in [
        r#"<form class="subscribe" method="post" action="/subscribe""#,
        r#"<label for="f-email">"#,
        r#"id="f-scope" name="scope" value="all" checked"#,
        r#"id="f-locale" name="locale" value="zh-CN" checked"#,
        r#"<option value="龙岭县司法局">龙岭县司法局</option>"#,
        r#"<option value="规范性文件">规范性文件</option>"#,
    ] {
        assert!(html.contains(s), "{s} in {html}");
    }
    let res = post(
        &app,
        &csrf,
        &[
            ("email", " Reader@Example.com "),
            ("scope", "all"),
            ("agency", "ignored for all"),
            ("locale", "en"),
        ],
        None,
    )
    .await;
    taken(&res);
    assert_eq!(
        stored(&app),
        [(
            "Reader@Example.com".into(),
            "all".into(),
            String::new(),
            "en".into(),
            "pending".into()
        )]
    );
    assert_eq!(
        confirmations(&app),
        [("Reader@Example.com".into(), "en".into())],
        "the confirmation mail is queued in the chosen language"
    );
    // The page after the redirect says to check the mailbox, and shows no address.
    let sent = page(&app, "/subscribe?sent=1", None).await;
    assert_eq!(sent.status.as_u16(), 200);
    let sent = sent.text();
    assert!(
        sent.contains("请查收邮件") && sent.contains("确认邮件"),
        "{sent}"
    );
    assert!(!sent.to_lowercase().contains("reader@example.com"));
    let sent = page(&app, "/subscribe?sent=1", Some("en")).await.text();
    assert!(sent.contains("Check your mailbox"));
}

async fn each_scope_is_stored_as_chosen(app: TestApp) {
    let now = app.now();
    let open = insert_draft(&app, DraftSpec::open(now));
    insert_draft(
        &app,
        DraftSpec {
            agency: "龙岭县市场监督管理局".into(),
            category: "部门文件".into(),
            ..DraftSpec::closed(now)
        },
    );
    let (csrf, html) = form_on(&app, "/subscribe").await;
    assert!(html.contains(&format!(r#"<option value="{open}">"#)));
    for (i, fields) in [
        vec![("scope", "agency"), ("agency", "龙岭县市场监督管理局")],
        vec![("scope", "category"), ("category", "部门文件")],
        vec![("scope", "draft"), ("draft", open.as_str())],
        vec![("scope", "all")],
    ]
    .into_iter()
    .enumerate()
    {
        let email = format!("reader{i}@example.com");
        let mut all = vec![("email", email.as_str()), ("locale", "zh-CN")];
        all.extend(fields);
        taken(&post(&app, &csrf, &all, None).await);
    }
    let got: Vec<(String, String, String)> = stored(&app)
        .into_iter()
        .map(|(email, kind, value, locale, status)| {
            assert_eq!((locale.as_str(), status.as_str()), ("zh-CN", "pending"));
            (email, kind, value)
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "reader0@example.com".into(),
                "agency".into(),
                "龙岭县市场监督管理局".into()
            ),
            (
                "reader1@example.com".into(),
                "category".into(),
                "部门文件".into()
            ),
            ("reader2@example.com".into(), "draft".into(), open.clone()),
            ("reader3@example.com".into(), "all".into(), String::new()),
        ]
    );
    assert_eq!(confirmations(&app).len(), 4, "one confirmation mail each");
    // From a draft page's link the draft is chosen.
    let html = page(&app, &format!("/subscribe?draft={open}"), None)
        .await
        .text();
    assert!(html.contains(r#"id="f-scope-draft" name="scope" value="draft" checked"#));
    assert!(html.contains(&format!(r#"<option value="{open}" selected>"#)));
}

async fn the_answer_is_the_same_for_a_known_address(app: TestApp) {
    let (csrf, _) = form_on(&app, "/subscribe").await;
    let fields = [
        ("email", "known@example.com"),
        ("scope", "all"),
        ("locale", "zh-CN"),
    ];
    let first = post(&app, &csrf, &fields, None).await;
    taken(&first);
    // Confirmed through the service, as the mail's link does.
    let id: String = subscriptions::table
        .select(subscriptions::id)
        .first(&mut *app.conn())
        .unwrap();
    let token = consult::mail::links::confirm_token(
        &app.state.secret,
        &id,
        app.now() + chrono::TimeDelta::days(1),
    );
    let now = app.now();
    consult::service::subscriptions::confirm(&mut app.conn(), &app.state.secret, now, &token)
        .unwrap();
    let again = post(&app, &csrf, &fields, None).await;
    taken(&again);
    assert_eq!(first.body, again.body, "the same answer");
    assert_eq!(confirmations(&app).len(), 1, "nothing more is sent");
    assert_eq!(stored(&app)[0].4, "confirmed");
}

async fn a_bad_email_is_shown_beside_the_field_and_changes_nothing(app: TestApp) {
    let open = insert_draft(&app, DraftSpec::open(app.now()));
    let (csrf, _) = form_on(&app, "/subscribe").await;
    for (email, lang) in [("not-an-address", None), ("", None), ("a@@b", Some("en"))] {
        let res = post(
            &app,
            &csrf,
            &[
                ("email", email),
                ("scope", "draft"),
                ("draft", open.as_str()),
                ("locale", "en"),
            ],
            lang,
        )
        .await;
        assert_eq!(res.status.as_u16(), 422, "{email}");
        let html = res.text();
        let error = if lang.is_some() {
            "is not a valid email address"
        } else {
            "邮箱地址格式不正确"
        };
        // Beside the field, tied to it, and in the summary that links to it.
        assert!(
            html.contains(&format!(
                r#"<p class="error" id="f-email-error">{error}</p>"#
            )),
            "{html}"
        );
        assert!(
            html.contains(r#"aria-describedby="f-email-hint f-email-error" aria-invalid="true""#)
        );
        assert!(html.contains(r#"<div class="error-summary" role="alert""#));
        assert!(html.contains(r##"<a href="#f-email">"##));
        // The input is kept: the address, the scope, the draft and the language.
        assert!(html.contains(&format!(r#"id="f-email" name="email" value="{email}""#)));
        assert!(html.contains(r#"id="f-scope-draft" name="scope" value="draft" checked"#));
        assert!(html.contains(&format!(r#"<option value="{open}" selected>"#)));
        assert!(html.contains(r#"id="f-locale-en" name="locale" value="en" checked"#));
    }
    assert!(stored(&app).is_empty());
    assert!(confirmations(&app).is_empty());
    assert_eq!(requests(&app), 0, "not even counted against the address");
}

async fn an_unknown_draft_agency_or_category_is_refused_and_changes_nothing(app: TestApp) {
    let now = app.now();
    insert_draft(&app, DraftSpec::open(now));
    let drafting = insert_draft(
        &app,
        DraftSpec {
            state: "drafting",
            agency: "龙岭县财政局".into(),
            category: "财政文件".into(),
            ..DraftSpec::open(now)
        },
    );
    let (csrf, html) = form_on(&app, "/subscribe").await;
    assert!(
        !html.contains("龙岭县财政局"),
        "only published drafts' agencies"
    );
    assert!(!html.contains(&drafting));
    for (fields, field) in [
        (
            vec![("scope", "agency"), ("agency", "龙岭县财政局")],
            "agency",
        ),
        (vec![("scope", "agency"), ("agency", "")], "agency"),
        (
            vec![("scope", "category"), ("category", "财政文件")],
            "category",
        ),
        (
            vec![("scope", "draft"), ("draft", "no-such-draft")],
            "draft",
        ),
        (
            vec![("scope", "draft"), ("draft", drafting.as_str())],
            "draft",
        ),
        (vec![("scope", "everything")], "scope"),
        (vec![("scope", "all"), ("locale", "fr")], "locale"),
    ] {
        let mut all = vec![("email", "reader@example.com")];
        all.extend(fields.clone());
        let res = post(&app, &csrf, &all, None).await;
        assert_eq!(res.status.as_u16(), 422, "{fields:?}");
        let html = res.text();
        assert!(
            html.contains(&format!(r#"<p class="error" id="f-{field}-error">"#)),
            "{fields:?}: {html}"
        );
        assert!(html.contains(&format!(r##"<a href="#f-{field}">"##)));
        assert!(html.contains(r#"value="reader@example.com""#), "input kept");
    }
    assert!(stored(&app).is_empty());
    assert!(confirmations(&app).is_empty());
    assert_eq!(requests(&app), 0);
}

async fn the_draft_page_and_the_home_page_carry_a_short_form(app: TestApp) {
    let now = app.now();
    let open = insert_draft(&app, DraftSpec::open(now));
    let concluded = insert_draft(
        &app,
        DraftSpec {
            state: "concluded",
            ..DraftSpec::closed(now)
        },
    );
    let (csrf, html) = form_on(&app, &format!("/drafts/{open}")).await;
    let form = &html[html.find(r#"<section id="subscribe""#).expect("the form")..];
    let form = &form[..form.find("</section>").unwrap()];
    for s in [
        r#"<form class="subscribe-short" method="post" action="/subscribe""#,
        r#"<input type="hidden" name="scope" value="draft">"#,
        &format!(r#"<input type="hidden" name="draft" value="{open}">"#),
        r#"<input type="hidden" name="locale" value="zh-CN">"#,
        r#"<label for="s-email">"#,
        &format!(r#"href="/subscribe?draft={open}""#),
    ] {
        assert!(form.contains(s), "{s} in {form}");
    }
    // The draft page's short form, as a browser sends it.
    taken(
        &post(
            &app,
            &csrf,
            &[
                ("scope", "draft"),
                ("draft", open.as_str()),
                ("locale", "zh-CN"),
                ("email", "follower@example.com"),
            ],
            None,
        )
        .await,
    );
    // A concluded draft has nothing left to announce: no form.
    let html = page(&app, &format!("/drafts/{concluded}"), None)
        .await
        .text();
    assert!(!html.contains(r#"action="/subscribe""#));

    let (csrf, html) = form_on(&app, "/?lang=en").await;
    let form = &html[html.find(r#"<section id="subscribe""#).expect("the form")..];
    for s in [
        r#"<input type="hidden" name="scope" value="all">"#,
        r#"<input type="hidden" name="locale" value="en">"#,
        "Notify me",
        r#"href="/subscribe""#,
    ] {
        assert!(form.contains(s), "{s} in {form}");
    }
    assert!(!form.contains(r#"name="draft""#));
    taken(
        &post(
            &app,
            &csrf,
            &[
                ("scope", "all"),
                ("locale", "en"),
                ("email", "everything@example.com"),
            ],
            None,
        )
        .await,
    );
    let got: Vec<(String, String, String, String)> = stored(&app)
        .into_iter()
        .map(|(e, k, v, l, _)| (e, k, v, l))
        .collect();
    assert_eq!(
        got,
        [
            (
                "follower@example.com".into(),
                "draft".into(),
                open.clone(),
                "zh-CN".into()
            ),
            (
                "everything@example.com".into(),
                "all".into(),
                String::new(),
                "en".into()
            ),
        ]
    );
    assert_eq!(confirmations(&app).len(), 2);
}

async fn a_form_without_a_valid_csrf_token_is_refused_and_changes_nothing(app: TestApp) {
    let (csrf, _) = form_on(&app, "/subscribe").await;
    let forged = Csrf {
        value: csrf.value.clone(),
        signature: "forged".into(),
    };
    let fields = [("email", "reader@example.com"), ("scope", "all")];
    let res = post(&app, &forged, &fields, None).await;
    assert_eq!(res.status.as_u16(), 403);
    assert!(res.text().contains("订阅未提交"), "{}", res.text());
    // No cookie at all.
    let res = app
        .call(
            TestRequest::post()
                .uri("/subscribe")
                .insert_header(("Accept", "text/html"))
                .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
                .set_payload(format!(
                    "csrf_token={}&csrf_signature={}&email=reader%40example.com&scope=all",
                    csrf.value, csrf.signature
                )),
        )
        .await;
    assert_eq!(res.status.as_u16(), 403);
    assert!(stored(&app).is_empty());
    assert!(confirmations(&app).is_empty());
}

async fn the_per_address_limit_of_the_api_applies_to_the_form(app: TestApp) {
    let (csrf, _) = form_on(&app, "/subscribe").await;
    let fields = [
        ("email", "busy@example.com"),
        ("scope", "all"),
        ("locale", "zh-CN"),
    ];
    taken(&post(&app, &csrf, &fields, None).await);
    // The API counts against the same address.
    app.post(
        "/api/v1/subscriptions",
        None,
        serde_json::json!({"email": "Busy@example.com", "scope": {"kind": "all"}}),
    )
    .await
    .ok(202);
    let res = post(&app, &csrf, &fields, None).await;
    assert_eq!(res.status.as_u16(), 429);
    let retry: i64 = res.header("retry-after").unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 3600);
    assert!(res.text().contains("订阅请求过多"), "{}", res.text());
    assert_eq!(confirmations(&app).len(), 2, "no third mail");
    // Another address is not held up; an hour later this one is served again.
    let other = [("email", "calm@example.com"), ("scope", "all")];
    taken(&post(&app, &csrf, &other, None).await);
    app.clock().advance(chrono::TimeDelta::minutes(61));
    taken(&post(&app, &csrf, &fields, None).await);
}

// ---------------------------------------------------------------------------------------
// The real browser: `consult serve --demo`, Chromium at 390 px, axe-core.

#[test]
fn browser_subscribe_page_works_at_390_px_and_passes_axe() {
    let Some(browser) = chromium() else { return };
    let Some(axe) = axe_core() else { return };
    let Some(mut driver) = WebDriver::start_at(&browser, 390) else {
        return;
    };
    let server = serve_demo();
    let base = &server.base;
    let mut problems = Vec::new();
    let width = |driver: &mut WebDriver| {
        let v = driver.eval("return [document.documentElement.scrollWidth, window.innerWidth]");
        (v[0].as_i64().unwrap(), v[1].as_i64().unwrap())
    };
    for (lang, elder) in [("zh-CN", "0"), ("en", "0"), ("zh-CN", "1")] {
        driver.go(&format!("{base}/subscribe?lang={lang}&elder={elder}"));
        let (scroll, inner) = width(&mut driver);
        assert_eq!(inner, 390, "the phone viewport");
        assert!(
            scroll <= inner,
            "/subscribe ({lang}, elder={elder}) scrolls sideways"
        );
        problems.extend(driver.axe(&axe));
    }
    // A wrong address, sent from the keyboard-usable form: the error beside the field.
    driver.go(&format!("{base}/subscribe?lang=zh-CN&elder=0"));
    driver.type_into("#f-email", "not-an-address");
    driver.click("#f-scope-agency");
    driver.select("#f-agency", "龙岭县司法局");
    driver.click("form.subscribe button[type=submit]");
    let html = driver.wait_for(r#"id="f-email-error""#);
    assert!(html.contains(r#"value="not-an-address""#));
    let (scroll, inner) = width(&mut driver);
    assert!(scroll <= inner, "the refused form scrolls sideways");
    problems.extend(driver.axe(&axe));
    // Corrected: the page that says to check the mailbox.
    driver.type_into("#f-email", "reader@example.com");
    driver.click("form.subscribe button[type=submit]");
    driver.wait_for("请查收邮件");
    assert!(driver.current_url().ends_with("/subscribe?sent=1"));
    problems.extend(driver.axe(&axe));
    // The draft page's short form at the same width.
    let list: serde_json::Value = ureq::get(&format!("{base}/api/v1/drafts?phase=open"))
        .call()
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap();
    let id = list["items"][0]["id"].as_str().unwrap();
    driver.go(&format!("{base}/drafts/{id}"));
    let (scroll, inner) = width(&mut driver);
    assert!(scroll <= inner, "the draft page scrolls sideways");
    driver.type_into("#s-email", "follower@example.com");
    driver.click("form.subscribe-short button[type=submit]");
    driver.wait_for("请查收邮件");
    assert!(
        problems.is_empty(),
        "accessibility problems:\n{}",
        problems.join("\n")
    );
}
