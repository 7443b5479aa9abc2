//! The hostile-input corpus (`tests/fixtures/hostile.json`) replayed against the API and the
//! public and staff forms, on SQLite and PostgreSQL. For every case: the status is one the case
//! expects (a problem document for the API), no row is added to or removed from comments,
//! drafts, outbox, audit_log, users or subscriptions (unless the case names the table: a
//! legitimate request that stores, or a refusal that is audited by design, such as a failed
//! sign-in), and `<script` never comes back raw.
//!
//! A case is `{id, method, path, as, content_type?, body? | body_hex? | generate?, headers?,
//! expect: [status…], answer: problem | page | accepted, stores?: [table…], note?}`. In paths and
//! bodies `{open}` is an open draft, `{drafting}` a draft being written by the drafter,
//! `{comment}` a comment on the open draft, `{csrf_value}`/`{csrf_signature}` a sound public
//! form token, `{form_issued}` the comment form's issue time from the same page (the fill time
//! has passed when the cases run, as for a person). `as` is `anonymous`, `drafter`, `moderator`, `admin`, `token:expired`,
//! `token:tampered`, `bearer:<literal>`, `basic`, `public` (the public form's CSRF cookie),
//! `public:other-cookie` (another browser's cookie), `session:all` (a signed-in user holding
//! every role) or `session:tampered`.

use crate::common;

use std::collections::BTreeMap;

use actix_web::cookie::Cookie;
use actix_web::test::TestRequest;
use common::fixtures::{CommentSpec, DraftSpec, insert_comment, insert_draft};
use common::session::{Browser, signed_in, value_of};
use common::{Resp, TestApp};
use consult::db::schema::{audit_log, comments, drafts, outbox, subscriptions, users};
use consult::domain::roles::Role;
use diesel::prelude::*;
use serde::Deserialize;
use serde_json::json;

both!(every_hostile_case_is_refused_or_taken_as_its_expectation_says);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    id: String,
    method: String,
    path: String,
    #[serde(rename = "as")]
    caller: String,
    content_type: Option<String>,
    body: Option<String>,
    body_hex: Option<String>,
    generate: Option<Generate>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    expect: Vec<u16>,
    answer: Answer,
    #[serde(default)]
    stores: Vec<String>,
    #[allow(dead_code)]
    note: Option<String>,
}

/// A body too big or too deep to write out: `prefix`, `unit` × `count`, `suffix`; or `open` ×
/// `count` then `close` × `count`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Generate {
    #[serde(default)]
    prefix: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    suffix: String,
    #[serde(default)]
    open: String,
    #[serde(default)]
    close: String,
    count: usize,
}

#[derive(Debug, Deserialize, PartialEq, Eq, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum Answer {
    /// An RFC 9457 problem document.
    Problem,
    /// A page (a form shown again, a message, a redirect).
    Page,
    /// A legitimate request: taken, and what it shows is escaped.
    Accepted,
}

fn corpus() -> Vec<Case> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/hostile.json");
    let text = std::fs::read_to_string(path).expect("the corpus");
    serde_json::from_str(&text).expect("the corpus parses")
}

#[test]
fn the_corpus_is_large_and_its_ids_unique() {
    let cases = corpus();
    assert!(cases.len() >= 200, "{} cases", cases.len());
    let mut ids = std::collections::BTreeSet::new();
    for c in &cases {
        assert!(ids.insert(c.id.clone()), "duplicate id {}", c.id);
        assert!(!c.expect.is_empty(), "{}: no expectation", c.id);
        let refused = c.expect.iter().all(|s| (400..500).contains(s));
        match c.answer {
            Answer::Problem => assert!(refused, "{}: a problem is a 4xx", c.id),
            Answer::Accepted => assert!(!refused, "{}: accepted is not a 4xx", c.id),
            Answer::Page => {}
        }
        assert!(
            c.answer == Answer::Accepted || c.stores.iter().all(|t| t == "audit_log"),
            "{}: a refusal may write nothing but its audit entry",
            c.id
        );
    }
}

struct World<'a> {
    app: &'a TestApp,
    tokens: BTreeMap<&'static str, String>,
    vars: BTreeMap<&'static str, String>,
    public_cookie: String,
    session: Browser<'a>,
}

impl World<'_> {
    fn fill(&self, s: &str) -> String {
        let mut out = s.to_string();
        for (k, v) in &self.vars {
            out = out.replace(&format!("{{{k}}}"), v);
        }
        out
    }

    fn body(&self, c: &Case) -> Vec<u8> {
        if let Some(b) = &c.body {
            return self.fill(b).into_bytes();
        }
        if let Some(h) = &c.body_hex {
            return (0..h.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
                .collect();
        }
        if let Some(g) = &c.generate {
            let mut s = self.fill(&g.prefix);
            s.push_str(&g.unit.repeat(g.count));
            s.push_str(&g.open.repeat(g.count));
            s.push_str(&g.close.repeat(g.count));
            s.push_str(&self.fill(&g.suffix));
            return s.into_bytes();
        }
        Vec::new()
    }

    fn request(&self, c: &Case) -> TestRequest {
        let path = self.fill(&c.path);
        let mut req = match c.method.as_str() {
            "GET" => TestRequest::get(),
            "POST" => TestRequest::post(),
            "PUT" => TestRequest::put(),
            "PATCH" => TestRequest::patch(),
            "DELETE" => TestRequest::delete(),
            m => panic!("{}: method {m}", c.id),
        }
        .uri(&path);
        let bearer = |t: &str| ("Authorization", format!("Bearer {t}"));
        req = match c.caller.as_str() {
            "anonymous" => req,
            "drafter" | "moderator" | "admin" | "token:expired" | "token:tampered" => {
                req.insert_header(bearer(&self.tokens[c.caller.as_str()]))
            }
            "basic" => req.insert_header(("Authorization", "Basic dXNlcjpwYXNz")),
            "public" => req.cookie(Cookie::new("csrf", self.public_cookie.clone())),
            "public:other-cookie" => req.cookie(Cookie::new(
                "csrf",
                "AnotherBrowsersValue0123456789abcdef".to_string(),
            )),
            "session:all" => self.session.with_cookies(req),
            "session:tampered" => req.cookie(Cookie::new(
                "consult_staff",
                format!("{}x", self.session.cookies["consult_staff"]),
            )),
            other => match other.strip_prefix("bearer:") {
                Some(literal) => req.insert_header(("Authorization", format!("Bearer {literal}"))),
                None => panic!("{}: caller {other}", c.id),
            },
        };
        if let Some(ct) = &c.content_type {
            req = req.insert_header(("Content-Type", ct.clone()));
        }
        let body = self.body(c);
        if !body.is_empty() || c.method != "GET" {
            req = req.set_payload(body);
        }
        for (k, v) in &c.headers {
            if k == "Content-Length-Override" {
                req = req.insert_header(("Content-Length", v.clone()));
            } else {
                req = req.insert_header((k.clone(), v.clone()));
            }
        }
        req
    }
}

type Counts = BTreeMap<&'static str, i64>;

fn counts(app: &TestApp) -> Counts {
    let mut conn = app.conn();
    let mut c = Counts::new();
    c.insert(
        "comments",
        comments::table.count().get_result(&mut *conn).unwrap(),
    );
    c.insert(
        "drafts",
        drafts::table.count().get_result(&mut *conn).unwrap(),
    );
    c.insert(
        "outbox",
        outbox::table.count().get_result(&mut *conn).unwrap(),
    );
    c.insert(
        "audit_log",
        audit_log::table.count().get_result(&mut *conn).unwrap(),
    );
    c.insert(
        "users",
        users::table.count().get_result(&mut *conn).unwrap(),
    );
    c.insert(
        "subscriptions",
        subscriptions::table.count().get_result(&mut *conn).unwrap(),
    );
    c
}

fn check(c: &Case, res: &Resp) -> Result<(), String> {
    let status = res.status.as_u16();
    if !c.expect.contains(&status) {
        return Err(format!(
            "status {status}, expected {:?}: {}",
            c.expect,
            res.text().chars().take(400).collect::<String>()
        ));
    }
    if c.answer == Answer::Problem {
        if res.header("content-type").as_deref() != Some("application/problem+json") {
            return Err(format!(
                "not a problem document: {:?}",
                res.header("content-type")
            ));
        }
        let doc: serde_json::Value =
            serde_json::from_slice(&res.body).map_err(|e| format!("problem not JSON: {e}"))?;
        for field in ["type", "title", "detail"] {
            if !doc[field].is_string() {
                return Err(format!("problem without {field}: {doc}"));
            }
        }
        if doc["status"] != status {
            return Err(format!("problem status {} vs {status}", doc["status"]));
        }
    }
    if status >= 500 {
        return Err(format!("server error {status}"));
    }
    let lower = res.text().to_lowercase();
    if lower.contains("<script") || lower.contains("<img src=x") {
        return Err("user-supplied markup came back raw".into());
    }
    Ok(())
}

async fn every_hostile_case_is_refused_or_taken_as_its_expectation_says(app: TestApp) {
    let drafter = app.staff("h-drafter", &[Role::Drafter]);
    let moderator = app.staff("h-moderator", &[Role::Moderator]);
    let admin = app.staff("h-admin", &[Role::Admin]);
    // An expired token: issued ten days ago for one day.
    let expired = {
        let id = app.user_id("h-drafter");
        let token = consult::db::ids::random_token(32);
        consult::db::users::issue_token(
            &mut app.conn(),
            app.now() - chrono::TimeDelta::days(10),
            &id,
            &token,
            chrono::TimeDelta::days(1),
        )
        .unwrap();
        token
    };
    let tampered = {
        let mut t = drafter.clone().into_bytes();
        for i in [2, 9] {
            t[i] = if t[i] == b'a' { b'b' } else { b'a' };
        }
        String::from_utf8(t).unwrap()
    };
    let open = insert_draft(&app, DraftSpec::open(app.now()));
    let (comment, _, _) = insert_comment(&app, &open, CommentSpec::new("一条意见。"));
    let drafting = app
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
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    // The public form's token, as a browser gets it from the draft page.
    let page = app
        .call(
            TestRequest::get()
                .uri(&format!("/drafts/{open}"))
                .insert_header(("Accept", "text/html")),
        )
        .await;
    let html = page.text();
    let csrf_value = value_of(&html, "csrf_token");
    let csrf_signature = value_of(&html, "csrf_signature");
    let form_issued = value_of(&html, "form_issued");
    app.clock().advance(chrono::TimeDelta::seconds(60));
    let session = signed_in(
        &app,
        "h-all",
        &[
            Role::Admin,
            Role::Drafter,
            Role::Reviewer,
            Role::Approver,
            Role::Moderator,
        ],
    )
    .await;
    let world = World {
        app: &app,
        tokens: BTreeMap::from([
            ("drafter", drafter),
            ("moderator", moderator),
            ("admin", admin),
            ("token:expired", expired),
            ("token:tampered", tampered),
        ]),
        vars: BTreeMap::from([
            ("open", open),
            ("drafting", drafting),
            ("comment", comment),
            ("csrf_value", csrf_value.clone()),
            ("csrf_signature", csrf_signature),
            ("form_issued", form_issued),
        ]),
        public_cookie: csrf_value,
        session,
    };

    let mut failures = Vec::new();
    let cases = corpus();
    for c in &cases {
        let before = counts(world.app);
        let res = world.app.call(world.request(c)).await;
        let after = counts(world.app);
        let mut result = check(c, &res);
        if result.is_ok() {
            for (table, n) in &before {
                if !c.stores.iter().any(|s| s == table) && after[table] != *n {
                    result = Err(format!("{table}: {n} rows before, {} after", after[table]));
                }
            }
        }
        if let Err(why) = result {
            failures.push(format!("{} ({} {}): {why}", c.id, c.method, c.path));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} hostile cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
