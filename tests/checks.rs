//! The order of checks on a request with a body, through the real app on SQLite and
//! PostgreSQL: the caller (401, 403) before anything of the body is read; then the content type
//! (415), the size while streaming (413), the syntax (400) and the shape (422 naming the
//! field). Each staff JSON route of `API_ROUTES` is tried, so a route added later is covered.

use crate::common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::dev::Payload;
use actix_web::test::{self, TestRequest};
use actix_web::{App, web};
use common::fixtures::{DraftSpec, insert_draft};
use common::session::{Browser, signed_in};
use common::{Resp, TestApp};
use consult::domain::roles::Role;
use futures_util::Stream;
use serde_json::json;

both!(
    a_wrong_bearer_token_is_401_whatever_the_body,
    a_caller_without_the_role_is_403_whatever_the_body,
    no_body_is_read_for_a_refused_caller,
    an_oversized_body_is_413_while_streaming_never_buffered,
    syntax_is_400_shape_is_422_type_is_415,
    an_empty_body_reads_as_an_empty_object,
    a_staff_form_checks_role_before_reading_and_size_while_reading,
    public_forms_refuse_oversized_bodies_while_streaming,
);

/// Routes anyone may call with a body (no caller check to come first).
const PUBLIC_WRITES: &[(&str, &str)] = &[
    ("post", "/api/v1/drafts/{id}/comments"),
    ("post", "/api/v1/auth/token"),
    ("post", "/api/v1/subscriptions"),
    ("post", "/api/v1/subscriptions/unsubscribe"),
];

/// Every staff route of the API that takes a body (all but GET), with its path filled in.
fn staff_writes() -> Vec<(&'static str, String)> {
    consult::http::API_ROUTES
        .iter()
        .filter(|(m, _)| *m != "get")
        .filter(|r| !PUBLIC_WRITES.contains(r))
        .map(|(m, p)| {
            (
                *m,
                p.replace("{id}", "01J0000000000000000000000")
                    .replace("{tracking_number}", "X"),
            )
        })
        .collect()
}

fn request(method: &str, path: &str) -> TestRequest {
    match method {
        "post" => TestRequest::post(),
        "put" => TestRequest::put(),
        "patch" => TestRequest::patch(),
        "delete" => TestRequest::delete(),
        other => panic!("method {other}"),
    }
    .uri(path)
}

/// Bodies that would each earn a 400, 413, 415 or 422 if they were looked at.
fn bad_bodies() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("application/json", br#"{"body": 1,"#.to_vec()),
        ("application/json", br#"{"body": 1}"#.to_vec()),
        ("application/json", br#"{"no_such_field": true}"#.to_vec()),
        ("application/json", b"[1,2,3]".to_vec()),
        ("application/json", vec![b'"', 0xff, 0xfe, b'"']),
        ("text/plain", b"hello".to_vec()),
        ("application/json", vec![b' '; 200 * 1024]),
    ]
}

async fn a_wrong_bearer_token_is_401_whatever_the_body(app: TestApp) {
    let real = app.staff("real-drafter", &[Role::Drafter]);
    let mut tampered = real.clone().into_bytes();
    tampered[3] = if tampered[3] == b'a' { b'b' } else { b'a' };
    tampered[10] = if tampered[10] == b'a' { b'b' } else { b'a' };
    let tampered = String::from_utf8(tampered).unwrap();
    let authorizations = [
        Some("Bearer null".to_string()),
        Some("Bearer undefined".to_string()),
        Some(format!("Bearer {tampered}")),
        Some("Basic dXNlcjpwYXNz".to_string()),
        None,
    ];
    for (method, path) in staff_writes() {
        for auth in &authorizations {
            for (content_type, body) in bad_bodies() {
                let mut req = request(method, &path)
                    .insert_header(("Content-Type", content_type))
                    .set_payload(body);
                if let Some(a) = auth {
                    req = req.insert_header(("Authorization", a.clone()));
                }
                let res = app.call(req).await;
                assert_eq!(
                    res.status.as_u16(),
                    401,
                    "{method} {path} with {auth:?} and a {content_type} body: {}",
                    res.text()
                );
                res.problem(401);
            }
        }
    }
}

/// A token of someone who holds none of the roles the route needs.
fn outsider_for(path: &str, moderator: &str, drafter: &str) -> String {
    if path.ends_with("/moderation") || path.ends_with("/erasure") {
        drafter.to_string()
    } else {
        moderator.to_string()
    }
}

async fn a_caller_without_the_role_is_403_whatever_the_body(app: TestApp) {
    let moderator = app.staff("only-moderator", &[Role::Moderator]);
    let drafter = app.staff("only-drafter", &[Role::Drafter]);
    for (method, path) in staff_writes() {
        if path == "/api/v1/auth/token" {
            continue; // signing out needs no role
        }
        let token = outsider_for(&path, &moderator, &drafter);
        for (content_type, body) in bad_bodies() {
            let req = request(method, &path)
                .insert_header(("Authorization", format!("Bearer {token}")))
                .insert_header(("Content-Type", content_type))
                .set_payload(body);
            let res = app.call(req).await;
            assert_eq!(
                res.status.as_u16(),
                403,
                "{method} {path} with a {content_type} body: {}",
                res.text()
            );
            res.problem(403);
        }
    }
}

/// A body of `total` bytes that counts what has been pulled from it.
fn counted_body(
    total: usize,
    chunk: usize,
    pulled: Arc<AtomicUsize>,
) -> impl Stream<Item = Result<web::Bytes, actix_web::error::PayloadError>> + 'static {
    let chunks = total.div_ceil(chunk);
    futures_util::stream::iter((0..chunks).map(move |_| {
        pulled.fetch_add(chunk, Ordering::SeqCst);
        Ok(web::Bytes::from(vec![b' '; chunk]))
    }))
}

/// Sends `req` with a streamed body of `total` bytes (no `Content-Length`); returns the answer
/// and how many bytes the app pulled from the body.
async fn call_streamed(app: &TestApp, req: TestRequest, total: usize) -> (Resp, usize) {
    let service = test::init_service(
        App::new()
            .app_data(app.state.clone())
            .configure(consult::http::configure)
            .wrap_fn(consult::http::middleware::observe),
    )
    .await;
    let pulled = Arc::new(AtomicUsize::new(0));
    let stream = counted_body(total, 16 * 1024, pulled.clone());
    let boxed: std::pin::Pin<
        Box<dyn Stream<Item = Result<web::Bytes, actix_web::error::PayloadError>>>,
    > = Box::pin(stream);
    let (req, _) = req.to_request().replace_payload(Payload::from(boxed));
    let res = test::call_service(&service, req).await;
    let status = res.status();
    let headers = res.headers().clone();
    let body = test::read_body(res).await;
    (
        Resp {
            status,
            headers,
            body,
        },
        pulled.load(Ordering::SeqCst),
    )
}

const HUGE: usize = 64 * 1024 * 1024;

async fn no_body_is_read_for_a_refused_caller(app: TestApp) {
    let moderator = app.staff("a-moderator", &[Role::Moderator]);
    for (auth, status) in [
        (Some("Bearer null".to_string()), 401),
        (None, 401),
        (Some(format!("Bearer {moderator}")), 403),
    ] {
        let mut req = TestRequest::post()
            .uri("/api/v1/drafts")
            .insert_header(("Content-Type", "application/json"));
        if let Some(a) = auth {
            req = req.insert_header(("Authorization", a));
        }
        let (res, pulled) = call_streamed(&app, req, HUGE).await;
        res.problem(status);
        assert_eq!(pulled, 0, "not one byte of the body is read for a {status}");
    }
}

async fn an_oversized_body_is_413_while_streaming_never_buffered(app: TestApp) {
    let limit = app.state.config.limits.max_body_bytes;
    let drafter = app.staff("big-drafter", &[Role::Drafter]);
    // Streamed without a length: refused once the bytes pass the limit.
    let req = TestRequest::post()
        .uri("/api/v1/drafts")
        .insert_header(("Authorization", format!("Bearer {drafter}")))
        .insert_header(("Content-Type", "application/json"));
    let (res, pulled) = call_streamed(&app, req, HUGE).await;
    res.problem(413);
    assert!(
        pulled <= limit + 16 * 1024,
        "read {pulled} bytes of a 64 MiB body for a limit of {limit}"
    );
    // A declared length above the limit: refused before reading.
    let req = TestRequest::post()
        .uri("/api/v1/drafts")
        .insert_header(("Authorization", format!("Bearer {drafter}")))
        .insert_header(("Content-Type", "application/json"))
        .insert_header(("Content-Length", HUGE.to_string()));
    let (res, pulled) = call_streamed(&app, req, HUGE).await;
    res.problem(413);
    assert_eq!(pulled, 0, "a declared oversize is refused unread");
    // The public comment route too.
    let draft = insert_draft(&app, DraftSpec::open(app.now()));
    let req = TestRequest::post()
        .uri(&format!("/api/v1/drafts/{draft}/comments"))
        .insert_header(("Content-Type", "application/json"));
    let (res, pulled) = call_streamed(&app, req, HUGE).await;
    res.problem(413);
    assert!(pulled <= limit + 16 * 1024, "read {pulled}");
}

async fn syntax_is_400_shape_is_422_type_is_415(app: TestApp) {
    let drafter = app.staff("shape-drafter", &[Role::Drafter]);
    let send = |ct: &'static str, body: Vec<u8>| {
        TestRequest::post()
            .uri("/api/v1/drafts")
            .insert_header(("Authorization", format!("Bearer {drafter}")))
            .insert_header(("Content-Type", ct))
            .set_payload(body)
    };
    let mut deep = "[".repeat(10_000);
    deep.push_str(&"]".repeat(10_000));
    for body in [
        br#"{"body": 1,"#.to_vec(),
        br#"{"title": "x""#.to_vec(),
        b"not json".to_vec(),
        b"{'title': 'x'}".to_vec(),
        br#"{"title": "x"} trailing"#.to_vec(),
        vec![b'{', b'"', b't', b'"', b':', b'"', 0xc3, 0x28, b'"', b'}'],
        deep.into_bytes(),
    ] {
        let res = app.call(send("application/json", body.clone())).await;
        let doc = res.problem(400);
        assert!(
            doc["errors"].is_null(),
            "a syntax error names no field: {doc}"
        );
    }
    let res = app
        .call(send("application/json", br#"{"title": 1}"#.to_vec()))
        .await;
    let doc = res.problem(422);
    assert!(doc["errors"]["title"].is_array(), "{doc}");
    // A patch's fields are all optional, so a misspelt one is the only thing wrong.
    let res = app
        .call(
            TestRequest::patch()
                .uri("/api/v1/drafts/01J0000000000000000000000")
                .insert_header(("Authorization", format!("Bearer {drafter}")))
                .insert_header(("Content-Type", "application/json"))
                .set_payload(r#"{"titel": "x"}"#),
        )
        .await;
    let doc = res.problem(422);
    assert!(doc["errors"]["titel"].is_array(), "{doc}");
    for ct in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "text/html",
    ] {
        let res = app.call(send(ct, br#"{"title": "x"}"#.to_vec())).await;
        res.problem(415);
    }
}

async fn an_empty_body_reads_as_an_empty_object(app: TestApp) {
    let drafter = app.staff("empty-drafter", &[Role::Drafter]);
    let created = app
        .post(
            "/api/v1/drafts",
            Some(&drafter),
            json!({
                "title": "龙岭县行政执法公示办法（征求意见稿）",
                "agency": "龙岭县司法局",
                "category": "部门文件",
                "kind": "normative_document",
                "summary": "为推行行政执法公示制度，制定本办法。",
                "articles": [{"text": "本办法自发布之日起施行。"}],
                "comment_period": {"opens_on": "2026-03-10", "closes_on": "2026-04-10"}
            }),
        )
        .await
        .ok(201);
    let id = created["id"].as_str().unwrap();
    // A patch whose every field is optional: no body, no content type, is `{}`.
    let res = app
        .call(
            TestRequest::patch()
                .uri(&format!("/api/v1/drafts/{id}"))
                .insert_header(("Authorization", format!("Bearer {drafter}"))),
        )
        .await;
    assert_eq!(res.status.as_u16(), 200, "{}", res.text());
    // A body with required fields: no body names what is missing.
    let res = app
        .call(
            TestRequest::post()
                .uri("/api/v1/drafts")
                .insert_header(("Authorization", format!("Bearer {drafter}"))),
        )
        .await;
    let doc = res.problem(422);
    assert!(doc["errors"]["title"].is_array(), "{doc}");
}

async fn a_staff_form_checks_role_before_reading_and_size_while_reading(app: TestApp) {
    let limit = app.state.config.limits.max_body_bytes;
    let draft = insert_draft(&app, DraftSpec::open(app.now()));
    let moderator: Browser = signed_in(&app, "form-moderator", &[Role::Moderator]).await;
    // A moderator may not make groups: 403 before a byte of the form is read.
    let req = moderator.with_cookies(
        TestRequest::post()
            .uri(&format!("/staff/drafts/{draft}/groups"))
            .insert_header(("Content-Type", "application/x-www-form-urlencoded")),
    );
    let (res, pulled) = call_streamed(&app, req, HUGE).await;
    assert_eq!(res.status.as_u16(), 403, "{}", res.text());
    assert_eq!(pulled, 0);
    // Without a session the form is not read either (sent to sign in).
    let req = TestRequest::post()
        .uri(&format!("/staff/drafts/{draft}/groups"))
        .insert_header(("Content-Type", "application/x-www-form-urlencoded"));
    let (res, pulled) = call_streamed(&app, req, HUGE).await;
    assert_eq!(res.status.as_u16(), 303, "{}", res.text());
    assert_eq!(pulled, 0);
    // The right role, an oversized form: 413 once the limit is passed.
    let drafter = signed_in(&app, "form-drafter", &[Role::Drafter]).await;
    let req = drafter.with_cookies(
        TestRequest::post()
            .uri(&format!("/staff/drafts/{draft}/groups"))
            .insert_header(("Content-Type", "application/x-www-form-urlencoded")),
    );
    let (res, pulled) = call_streamed(&app, req, HUGE).await;
    assert_eq!(res.status.as_u16(), 413, "{}", res.text());
    assert!(pulled <= limit + 16 * 1024, "read {pulled}");
    // And a forged CSRF token is refused before any field is used.
    let res = drafter
        .app
        .call(
            drafter.with_cookies(
                TestRequest::post()
                    .uri(&format!("/staff/drafts/{draft}/groups"))
                    .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
                    .set_payload("csrf_token=forged&title=x"),
            ),
        )
        .await;
    assert_eq!(res.status.as_u16(), 403, "{}", res.text());
}

async fn public_forms_refuse_oversized_bodies_while_streaming(app: TestApp) {
    let limit = app.state.config.limits.max_body_bytes;
    let draft = insert_draft(&app, DraftSpec::open(app.now()));
    for path in [
        format!("/drafts/{draft}/comments"),
        "/subscribe".to_string(),
    ] {
        let req = TestRequest::post()
            .uri(&path)
            .insert_header(("Accept", "text/html"))
            .insert_header(("Content-Type", "application/x-www-form-urlencoded"));
        let (res, pulled) = call_streamed(&app, req, HUGE).await;
        assert_eq!(res.status.as_u16(), 413, "{path}: {}", res.text());
        assert!(pulled <= limit + 16 * 1024, "{path}: read {pulled}");
        let req = TestRequest::post()
            .uri(&path)
            .insert_header(("Accept", "text/html"))
            .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
            .insert_header(("Content-Length", HUGE.to_string()));
        let (res, pulled) = call_streamed(&app, req, HUGE).await;
        assert_eq!(res.status.as_u16(), 413, "{path}: {}", res.text());
        assert_eq!(pulled, 0, "{path}");
    }
}
