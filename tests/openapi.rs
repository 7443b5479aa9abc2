//! The OpenAPI document (`GET /api/v1/openapi.json`): valid 3.1, every route the app registers
//! and nothing else, every problem type described, and real answers of the demonstration data
//! that fit the schemas the document gives them (so a hand-described answer cannot drift).

use crate::common;

use std::collections::BTreeSet;

use actix_web::dev::Service;
use actix_web::test::{self, TestRequest};
use actix_web::{App, http::Method};
use common::{Db, TestApp};
use consult::error::ErrorKind;
use serde_json::Value;

both!(demo_answers_fit_their_schemas);

async fn document(app: &TestApp) -> Value {
    let r = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/json")
    );
    r.json()
}

/// (method, path) of every operation in the document.
fn documented(doc: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in [
            "get", "put", "post", "delete", "options", "head", "patch", "trace",
        ] {
            if item.get(method).is_some() {
                out.insert((method.to_string(), path.clone()));
            }
        }
    }
    out
}

/// A concrete address for a path template.
fn concrete(path: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => in_param = true,
            '}' => {
                in_param = false;
                out.push_str("x1");
            }
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    out
}

#[actix_web::test]
async fn the_document_is_openapi_3_1_and_lists_every_route_both_ways() {
    let app = TestApp::start(Db::Sqlite).await.expect("sqlite app");
    let doc = document(&app).await;
    let version = doc["openapi"].as_str().expect("openapi version");
    assert!(version.starts_with("3.1."), "OpenAPI 3.1, got {version}");
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());

    // The route tables register the routes (`http::configure` builds them from the tables
    // alone), so they are what the app serves.
    let registered: BTreeSet<(String, String)> = consult::http::API_ROUTES
        .iter()
        .chain(consult::http::OPS_ROUTES)
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    let listed = documented(&doc);
    let undocumented: Vec<_> = registered.difference(&listed).collect();
    let unserved: Vec<_> = listed.difference(&registered).collect();
    assert!(
        undocumented.is_empty(),
        "routes missing from the document: {undocumented:?}"
    );
    assert!(
        unserved.is_empty(),
        "the document lists what no route serves: {unserved:?}"
    );

    // Ask the real app too: each documented operation reaches the resource of its path
    // (actix names the matched pattern) and that resource takes its method (no 405).
    let service = test::init_service(
        App::new()
            .app_data(app.state.clone())
            .configure(consult::http::configure),
    )
    .await;
    for (method, path) in &listed {
        let req = TestRequest::default()
            .method(Method::from_bytes(method.to_ascii_uppercase().as_bytes()).unwrap())
            .uri(&concrete(path))
            .to_request();
        let res = service.call(req).await.expect("answer");
        assert_eq!(
            res.request().match_pattern().as_deref(),
            Some(path.as_str()),
            "{method} {path} does not reach its own route"
        );
        assert_ne!(res.status(), 405, "{method} {path} is not served");
    }
    // An address under /api/v1 outside the table reaches no handler: the scope is built from
    // the table alone and actix does not fall through a matched scope.
    let res = service
        .call(TestRequest::get().uri("/api/v1/nothing-here").to_request())
        .await
        .expect("answer");
    assert_eq!(res.status(), 404);
    assert_eq!(res.request().match_pattern(), None);
}

#[actix_web::test]
async fn every_problem_type_is_described() {
    let app = TestApp::start(Db::Sqlite).await.expect("sqlite app");
    let doc = document(&app).await;
    let problem = &doc["components"]["schemas"]["Problem"];
    let types: BTreeSet<&str> = problem["properties"]["type"]["enum"]
        .as_array()
        .expect("problem types")
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let responses = doc["components"]["responses"]
        .as_object()
        .expect("responses");
    for kind in ErrorKind::ALL {
        let t = format!("/problems/{}", kind.code());
        assert!(
            types.contains(t.as_str()),
            "{t} is not in the Problem schema"
        );
        let described = responses.values().any(|r| {
            r["content"]["application/problem+json"]["schema"]["allOf"][1]["properties"]["type"]
                ["enum"]
                .as_array()
                .is_some_and(|e| e.iter().any(|v| v == &Value::String(t.clone())))
                && r["content"]["application/problem+json"]["schema"]["allOf"][1]["properties"]
                    ["status"]["enum"][0]
                    == kind.status()
        });
        assert!(
            described,
            "no problem answer with status {} describes {t}",
            kind.status()
        );
    }
    // Every operation that checks a token says so, and every reference resolves.
    assert!(doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer");
    let text = doc.to_string();
    for part in text.split("\"$ref\":\"").skip(1) {
        let target = part.split('"').next().unwrap();
        let pointer = target.strip_prefix('#').expect("local reference");
        assert!(doc.pointer(pointer).is_some(), "{target} does not resolve");
    }
    for (method, path) in documented(&doc) {
        let op = &doc["paths"][&path][&method];
        let codes: BTreeSet<&str> = op["responses"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        if op["security"].as_array().is_some_and(|s| !s.is_empty()) {
            assert!(
                codes.contains("401"),
                "{method} {path} takes a token but has no 401"
            );
        }
        if op.get("requestBody").is_some() {
            for code in ["400", "413", "415", "422"] {
                assert!(
                    codes.contains(code),
                    "{method} {path} reads a body but has no {code}"
                );
            }
        }
    }
}

#[actix_web::test]
async fn the_api_page_lists_every_operation() {
    let app = TestApp::start(Db::Sqlite).await.expect("sqlite app");
    let doc = document(&app).await;
    let page = app.get("/api/docs", None).await;
    assert_eq!(page.status, 200);
    let html = page.text();
    for (method, path) in documented(&doc) {
        let row = format!("<code>{}</code>", method.to_ascii_uppercase());
        assert!(html.contains(&row));
        assert!(
            html.contains(&format!("<code>{path}</code>")),
            "{path} is not on the page"
        );
    }
    assert!(!html.contains("<script"), "the page needs no script");
}

/// Checks `value` against `schema` (the subset of JSON Schema the document uses); returns
/// where and why it does not fit.
///
/// Stricter than JSON Schema in one way: a described object (one with `properties`) must not
/// carry members it does not name, unless it allows more (`additionalProperties`) or is one
/// part of an `allOf`. That is what catches an answer that grew a field the document lacks.
fn fits(doc: &Value, schema: &Value, value: &Value, at: &str, faults: &mut Vec<String>) {
    fits_part(doc, schema, value, at, faults, true)
}

fn fits_part(
    doc: &Value,
    schema: &Value,
    value: &Value,
    at: &str,
    faults: &mut Vec<String>,
    strict: bool,
) {
    if let Some(target) = schema.get("$ref").and_then(Value::as_str) {
        let resolved = doc
            .pointer(target.trim_start_matches('#'))
            .expect("reference");
        return fits_part(doc, resolved, value, at, faults, strict);
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for s in all {
            fits_part(doc, s, value, at, faults, false);
        }
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(options) = schema.get(key).and_then(Value::as_array) {
            let matching = options
                .iter()
                .filter(|s| {
                    let mut f = Vec::new();
                    fits(doc, s, value, at, &mut f);
                    f.is_empty()
                })
                .count();
            let ok = if key == "oneOf" {
                matching == 1
            } else {
                matching >= 1
            };
            if !ok {
                faults.push(format!("{at}: {matching} of {key} match {value}"));
            }
        }
    }
    if let Some(t) = schema.get("type") {
        let types: Vec<&str> = match t {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let actual = match value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        let ok = types.contains(&actual) || (actual == "integer" && types.contains(&"number"));
        if !ok {
            faults.push(format!("{at}: {actual} where the document says {types:?}"));
            return;
        }
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array)
        && !values.contains(value)
    {
        faults.push(format!("{at}: {value} is not one of {values:?}"));
    }
    if let Value::Object(map) = value {
        for name in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = name.as_str().unwrap();
            if !map.contains_key(name) {
                faults.push(format!("{at}: `{name}` is missing"));
            }
        }
        let props = schema.get("properties").and_then(Value::as_object);
        for (k, v) in map {
            match props.and_then(|p| p.get(k)) {
                Some(s) => fits(doc, s, v, &format!("{at}.{k}"), faults),
                None => match schema.get("additionalProperties") {
                    Some(Value::Bool(false)) => {
                        faults.push(format!("{at}: `{k}` is not in the document"))
                    }
                    Some(s @ Value::Object(_)) => fits(doc, s, v, &format!("{at}.{k}"), faults),
                    Some(_) => {}
                    _ if strict && props.is_some() => {
                        faults.push(format!("{at}: `{k}` is not in the document"))
                    }
                    _ => {}
                },
            }
        }
    }
    if let (Value::Array(items), Some(s)) = (value, schema.get("items")) {
        for (i, item) in items.iter().enumerate() {
            fits(doc, s, item, &format!("{at}[{i}]"), faults);
        }
    }
}

/// Asserts that an answer fits the document's schema for that operation and status.
#[track_caller]
fn assert_fits(doc: &Value, method: &str, path: &str, status: u16, body: &Value) {
    let response = &doc["paths"][path][method]["responses"][status.to_string()];
    let response = match response.get("$ref").and_then(Value::as_str) {
        Some(r) => doc.pointer(r.trim_start_matches('#')).unwrap(),
        None => response,
    };
    let content = response["content"]
        .as_object()
        .unwrap_or_else(|| panic!("{method} {path} documents no body for {status}"));
    let schema = content
        .get("application/json")
        .or_else(|| content.get("application/problem+json"))
        .map(|c| &c["schema"])
        .unwrap_or_else(|| panic!("{method} {path} {status}: no JSON body documented"));
    let mut faults = Vec::new();
    fits(doc, schema, body, "answer", &mut faults);
    assert!(
        faults.is_empty(),
        "{method} {path} {status}:\n{}",
        faults.join("\n")
    );
}

async fn token(app: &TestApp, username: &str) -> String {
    let r = app
        .post(
            "/api/v1/auth/token",
            None,
            serde_json::json!({"username": username, "password": "demo-password-1"}),
        )
        .await
        .ok(200);
    r["token"].as_str().unwrap().to_string()
}

async fn demo_answers_fit_their_schemas(app: TestApp) {
    let config = app.state.config.clone();
    consult::demo::load(&mut app.conn(), &config, app.now(), "demo-password-1").unwrap();
    let doc = document(&app).await;
    let drafter = token(&app, "demo-drafter").await;
    let admin = token(&app, "demo-admin").await;
    let moderator = token(&app, "demo-moderator").await;

    for who in [None, Some(drafter.as_str())] {
        let list = app.get("/api/v1/drafts?per_page=500", who).await.ok(200);
        assert_fits(&doc, "get", "/api/v1/drafts", 200, &list);
        for d in list["items"].as_array().unwrap() {
            let id = d["id"].as_str().unwrap();
            let draft = app.get(&format!("/api/v1/drafts/{id}"), who).await.ok(200);
            assert_fits(&doc, "get", "/api/v1/drafts/{id}", 200, &draft);
            for m in draft["materials"].as_array().unwrap() {
                let mid = m["id"].as_str().unwrap();
                let material = app
                    .get(&format!("/api/v1/materials/{mid}"), who)
                    .await
                    .ok(200);
                assert_fits(&doc, "get", "/api/v1/materials/{id}", 200, &material);
            }
            let comments = app.get(&format!("/api/v1/drafts/{id}/comments"), who).await;
            if comments.status == 200 {
                assert_fits(
                    &doc,
                    "get",
                    "/api/v1/drafts/{id}/comments",
                    200,
                    &comments.json(),
                );
            }
            let report = app.get(&format!("/api/v1/drafts/{id}/report"), who).await;
            if report.status == 200 {
                assert_fits(
                    &doc,
                    "get",
                    "/api/v1/drafts/{id}/report",
                    200,
                    &report.json(),
                );
            }
            if let Some(token) = who {
                let audit = app
                    .get(&format!("/api/v1/drafts/{id}/audit"), Some(token))
                    .await;
                assert_fits(
                    &doc,
                    "get",
                    "/api/v1/drafts/{id}/audit",
                    200,
                    &audit.ok(200),
                );
                let groups = app
                    .get(&format!("/api/v1/drafts/{id}/groups"), Some(token))
                    .await;
                if groups.status == 200 {
                    assert_fits(
                        &doc,
                        "get",
                        "/api/v1/drafts/{id}/groups",
                        200,
                        &groups.json(),
                    );
                }
            }
        }
    }
    let queue = app
        .get("/api/v1/moderation?status=published", Some(&moderator))
        .await
        .ok(200);
    assert_fits(&doc, "get", "/api/v1/moderation", 200, &queue);
    let outbox = app.get("/api/v1/admin/outbox", Some(&admin)).await.ok(200);
    assert_fits(&doc, "get", "/api/v1/admin/outbox", 200, &outbox);
    let clock = app.get("/api/v1/test/clock", Some(&admin)).await.ok(200);
    assert_fits(&doc, "get", "/api/v1/test/clock", 200, &clock);
    let health = app.get("/healthz", None).await.ok(200);
    assert_fits(&doc, "get", "/healthz", 200, &health);
    // Problems fit too.
    let missing = app.get("/api/v1/drafts/no-such-draft", None).await;
    assert_fits(
        &doc,
        "get",
        "/api/v1/drafts/{id}",
        404,
        &missing.problem(404),
    );
    let bad = app.get("/api/v1/drafts?per_page=9999", None).await;
    assert_fits(&doc, "get", "/api/v1/drafts", 422, &bad.problem(422));
}
