//! Who may call what: every route of the JSON API and every page of the staff workspace,
//! GET and POST alike, called as each kind of caller, the answer's status held against the
//! matrix in `tests/fixtures/authz.csv` (one row per route, one column per caller). A route
//! without a row, or a row without a route, fails the test, so a new route cannot go
//! unexamined. Runs on SQLite and PostgreSQL.
//!
//! The callers, in the order they are called (the matrix's columns): nobody signed in; the
//! officers of another agency (drafter, reviewer, approver, moderator); the "owner" of every
//! draft, an officer of the draft's agency with the drafter, reviewer and approver roles, the
//! wrong person for every four-eyes step (approving their own draft); the moderator,
//! reviewer, approver and a second drafter of the draft's agency; an administrator of no
//! agency. Each row that changes something runs on a world of its own (the GET rows share
//! one); within a row the callers act in turn, so a 409 after an allowed caller can mean
//! that caller already did it.

use crate::common;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use actix_web::cookie::Cookie;
use actix_web::test::TestRequest;
use common::fixtures::{CommentSpec, DraftSpec, insert_comment, insert_draft};
use common::{Db, TestApp};
use consult::db::schema::{drafts, materials};
use consult::domain::roles::{Role, Roles};
use diesel::prelude::*;
use serde_json::{Value, json};

/// The callers, in the matrix's order.
const CALLERS: [&str; 11] = [
    "anon",
    "other_drafter",
    "other_reviewer",
    "other_approver",
    "other_moderator",
    "owner",
    "moderator",
    "reviewer",
    "approver",
    "drafter",
    "admin",
];

const OTHER: &str = "龙岭县市场监督管理局";

struct World {
    app: TestApp,
    drafting: String,
    approval: String,
    open: String,
    closed: String,
    pending: String,
    comment: String,
    group: String,
    material: String,
    tracking: String,
    tokens: HashMap<&'static str, String>,
    /// `(session cookie, CSRF token)`.
    sessions: HashMap<&'static str, (String, String)>,
    ids: HashMap<&'static str, String>,
}

fn roles_of(caller: &str) -> Vec<Role> {
    match caller.trim_start_matches("other_") {
        "owner" => vec![Role::Drafter, Role::Reviewer, Role::Approver],
        "drafter" => vec![Role::Drafter],
        "reviewer" => vec![Role::Reviewer],
        "approver" => vec![Role::Approver],
        "moderator" => vec![Role::Moderator],
        "admin" => vec![Role::Admin],
        other => panic!("no caller {other}"),
    }
}

async fn world(kind: Db) -> Option<World> {
    let app = TestApp::start(kind).await?;
    let mut tokens = HashMap::new();
    let mut ids = HashMap::new();
    for caller in CALLERS.iter().copied().filter(|c| *c != "anon") {
        let agency = if caller.starts_with("other_") {
            Some(OTHER)
        } else if caller == "admin" {
            None
        } else {
            Some(common::AGENCY)
        };
        let username = caller.replace('_', "-");
        tokens.insert(caller, app.staff_of(agency, &username, &roles_of(caller)));
        ids.insert(caller, app.user_id(&username));
    }
    let owner = ids["owner"].clone();
    let mut spec = DraftSpec::open(app.now());
    spec.state = "drafting";
    let drafting = insert_draft(&app, spec);
    // Approved, it opens in a few days.
    let mut spec = DraftSpec::open(app.now());
    spec.state = "awaiting_approval";
    spec.opens_at = app.now() + chrono::TimeDelta::days(3);
    spec.closes_at = app.now() + chrono::TimeDelta::days(33);
    let approval = insert_draft(&app, spec);
    let open = insert_draft(&app, DraftSpec::open(app.now()));
    let closed = insert_draft(&app, DraftSpec::closed(app.now()));
    diesel::update(drafts::table)
        .set(drafts::drafter_id.eq(&owner))
        .execute(&mut *app.conn())
        .unwrap();
    let mut spec = CommentSpec::new("待审核的意见");
    spec.status = "pending";
    let (pending, _, _) = insert_comment(&app, &open, spec);
    let (grouped, tracking, _) = insert_comment(&app, &closed, CommentSpec::new("建议延长期限"));
    let (comment, _, _) = insert_comment(&app, &closed, CommentSpec::new("建议明确材料清单"));
    let actor = consult::service::Actor::new(
        owner.clone(),
        Roles::new(vec![Role::Drafter, Role::Reviewer, Role::Approver]),
    );
    let group = consult::service::review::create_group(
        &mut app.conn(),
        &app.state.config,
        &actor,
        app.now(),
        &closed,
        consult::service::review::CreateGroup {
            title: "期限".into(),
            comment_ids: vec![grouped],
        },
    )
    .unwrap()
    .id;
    let material: String = materials::table
        .filter(materials::draft_id.eq(&closed))
        .select(materials::id)
        .first(&mut *app.conn())
        .unwrap();
    let mut sessions = HashMap::new();
    for caller in CALLERS.iter().copied().filter(|c| *c != "anon") {
        let user = consult::db::users::by_username(&mut app.conn(), &caller.replace('_', "-"))
            .unwrap()
            .unwrap();
        let s = consult::service::users::start_session(
            &mut app.conn(),
            &app.state.config,
            app.now(),
            &user,
            None,
        )
        .unwrap();
        sessions.insert(caller, (s.token, s.csrf_token));
    }
    Some(World {
        app,
        drafting,
        approval,
        open,
        closed,
        pending,
        comment,
        group,
        material,
        tracking,
        tokens,
        sessions,
        ids,
    })
}

impl World {
    /// The draft a route's `{id}` stands for.
    fn draft_for(&self, method: &str, path: &str) -> &str {
        match (method, path) {
            (_, p) if p.ends_with("/actions") && !p.contains("/report/") => &self.approval,
            ("patch", _) => &self.drafting,
            (_, p) if p.ends_with("/materials") || p.ends_with("/edit") => &self.drafting,
            ("post", p) if p.ends_with("/comments") && p.starts_with("/api/") => &self.open,
            (_, p)
                if p.ends_with("/invitations")
                    || p.ends_with("/offline")
                    || p.ends_with("/offline-comments") =>
            {
                &self.open
            }
            _ => &self.closed,
        }
    }

    /// The route with its parameters filled in.
    fn concrete(&self, method: &str, path: &str) -> String {
        let draft = self.draft_for(method, path).to_string();
        let id = if path.starts_with("/api/v1/materials/") || path.starts_with("/staff/materials/")
        {
            self.material.clone()
        } else if path.starts_with("/api/v1/groups/") {
            self.group.clone()
        } else if path == "/api/v1/comments/{id}/moderation" {
            self.pending.clone()
        } else if path.starts_with("/api/v1/comments/") {
            self.comment.clone()
        } else if path.contains("/outbox/") {
            "no-such-message".into()
        } else if path.starts_with("/staff/users/") {
            self.ids["drafter"].clone()
        } else {
            draft
        };
        path.replace("{id}", &id)
            .replace("{cid}", &self.comment)
            .replace("{gid}", &self.group)
            .replace("{tracking_number}", &self.tracking)
            .replace("{code}", common::AGENCY_CODE)
            .replace("{n}", "1")
            .replace("{username}", "drafter")
    }
}

/// The JSON body each API route is called with: valid, so that what answers is who may.
fn api_body(method: &str, path: &str) -> Option<Value> {
    let future = "2026-04-01T02:00:00Z";
    Some(match (method, path) {
        ("post", "/api/v1/drafts") => json!({
            "title": "龙岭县法律援助办法（征求意见稿）",
            "agency": common::AGENCY_CODE,
            "category": "规范性文件",
            "subject_terms": ["法律援助"],
            "kind": "normative_document",
            "enterprise_related": false,
            "summary": "为规范法律援助，制定本办法。",
            "articles": [{"text": "第一条。"}],
            "comment_period": {"opens_on": "2026-03-10", "closes_on": "2026-04-10"}
        }),
        ("patch", "/api/v1/drafts/{id}") => json!({"title": "新的标题"}),
        ("post", "/api/v1/drafts/{id}/materials") => {
            json!({"kind": "faq", "title": "常见问题", "body": "正文"})
        }
        ("post", "/api/v1/drafts/{id}/actions") => {
            json!({"action": "approve", "attest_no_confidential": true})
        }
        ("post", "/api/v1/drafts/{id}/comments") => json!({
            "body": "我支持这个办法。", "stakeholder_type": "individual", "consent": true
        }),
        ("post", "/api/v1/auth/token") => json!({"username": "nobody", "password": "wrong"}),
        ("post", "/api/v1/subscriptions") => {
            json!({"email": "a@example.com", "scope": {"kind": "all"}})
        }
        ("post", "/api/v1/subscriptions/unsubscribe") => json!({"token": "no-such-token"}),
        ("post", "/api/v1/drafts/{id}/invitations") => json!({
            "emails": ["guest@example.com"],
            "event": {"kind": "hearing", "starts_at": future, "place": "县司法局三楼会议室"}
        }),
        ("post", "/api/v1/drafts/{id}/groups") => json!({"title": "材料", "comment_ids": []}),
        ("post", "/api/v1/drafts/{id}/groups/suggest") => json!({}),
        ("patch", "/api/v1/groups/{id}") => json!({"title": "期限问题"}),
        ("put", "/api/v1/groups/{id}/disposition") => json!({"outcome": "adopted"}),
        ("put", "/api/v1/comments/{id}/disposition") => json!({"outcome": "adopted"}),
        ("put", "/api/v1/groups/{id}/changes") => json!({"articles": []}),
        ("put", "/api/v1/comments/{id}/changes") => json!({"articles": []}),
        ("post", "/api/v1/drafts/{id}/report") => json!({}),
        ("post", "/api/v1/drafts/{id}/rounds") => json!({"articles": [{"text": "第一条。"}]}),
        ("post", "/api/v1/drafts/{id}/report/actions") => json!({"action": "submit"}),
        ("post", "/api/v1/drafts/{id}/offline-comments") => json!({
            "channel": "letter", "body": "来信意见。", "stakeholder_type": "individual",
            "name": "李四", "consent": true
        }),
        ("post", "/api/v1/comments/{id}/moderation") => json!({"decision": "publish"}),
        ("put", "/api/v1/test/clock") => json!({"now": "2026-03-01T01:00:00Z"}),
        ("post", "/api/v1/admin/agencies") => json!({"code": "finance", "name": "龙岭县财政局"}),
        ("patch", "/api/v1/admin/agencies/{code}") => json!({"name": "龙岭县司法局"}),
        ("post", "/api/v1/admin/outbox/{id}/retry") => json!({}),
        _ => return None,
    })
}

/// The form each staff page is sent (the CSRF token is added).
fn staff_form(path: &str, w: &World) -> Vec<(&'static str, String)> {
    let s = |v: &str| v.to_string();
    match path {
        "/staff/login" => vec![("username", s("nobody")), ("password", s("wrong"))],
        "/staff/password" => vec![
            ("token", s("no-such-link")),
            ("password", s("a long new password")),
            ("confirm", s("a long new password")),
        ],
        "/staff/account" => vec![
            ("current", s("wrong")),
            ("password", s("a long new password")),
            ("confirm", s("a long new password")),
        ],
        "/staff/drafts/new" | "/staff/drafts/{id}/edit" => vec![
            ("title", s("龙岭县法律援助办法（征求意见稿）")),
            ("agency", s(common::AGENCY_CODE)),
            ("category", s("规范性文件")),
            ("kind", s("normative_document")),
            ("subject_terms", s("法律援助")),
            ("summary", s("为规范法律援助，制定本办法。")),
            ("comment_period.opens_on", s("2026-03-10")),
            ("comment_period.closes_on", s("2026-04-10")),
            ("articles[0].text", s("第一条。")),
            ("op", s("save")),
        ],
        "/staff/drafts/{id}/materials" => vec![
            ("kind", s("faq")),
            ("title", s("常见问题")),
            ("body", s("正文")),
        ],
        "/staff/drafts/{id}/actions" => vec![
            ("action", s("approve")),
            ("attest_no_confidential", s("true")),
        ],
        "/staff/drafts/{id}/report" => vec![("op", s("prepare"))],
        "/staff/drafts/{id}/invitations" => vec![
            ("emails", s("guest@example.com")),
            ("kind", s("hearing")),
            ("starts_at", s("2026-04-01T10:00")),
            ("place", s("县司法局三楼会议室")),
        ],
        "/staff/drafts/{id}/offline" => vec![
            ("channel", s("letter")),
            ("body", s("来信意见。")),
            ("stakeholder_type", s("individual")),
            ("consent", s("on")),
        ],
        "/staff/drafts/{id}/comments" | "/staff/drafts/{id}/comments/{cid}" => vec![
            ("comment_id", w.comment.clone()),
            ("action", s("dispose")),
            ("outcome", s("adopted")),
        ],
        "/staff/drafts/{id}/groups" => vec![
            ("group_id", w.group.clone()),
            ("action", s("dispose")),
            ("outcome", s("adopted")),
        ],
        "/staff/drafts/{id}/groups/{gid}" => vec![
            ("action", s("edit")),
            ("title", s("期限问题")),
            ("summary", s("意见认为期限过短。")),
        ],
        "/staff/drafts/{id}/changes" => vec![("article", s("1:2")), ("group_id", w.group.clone())],
        "/staff/drafts/{id}/snippets" => {
            vec![("action", s("keep")), ("snippet", s("上位法已有规定。"))]
        }
        "/staff/moderation" => vec![
            ("comment_id", w.pending.clone()),
            ("decision", s("publish")),
        ],
        "/staff/users" => vec![("username", s("new-officer")), ("roles", s("reviewer"))],
        "/staff/users/{id}" => vec![("op", s("roles")), ("roles", s("drafter"))],
        "/staff/agencies" => vec![
            ("op", s("join")),
            ("code", s("justice")),
            ("username", s("admin")),
        ],
        _ => Vec::new(),
    }
}

async fn call(w: &World, caller: &str, method: &str, path: &str) -> u16 {
    let uri = w.concrete(method, path);
    let req = match method {
        "get" => TestRequest::get(),
        "post" => TestRequest::post(),
        "put" => TestRequest::put(),
        "patch" => TestRequest::patch(),
        "delete" => TestRequest::delete(),
        other => panic!("method {other}"),
    }
    .uri(&uri);
    let req = if path.starts_with("/staff") {
        let mut req = req.insert_header(("Accept", "text/html"));
        let mut pairs = staff_form(path, w);
        if let Some((cookie, csrf)) = w.sessions.get(caller) {
            req = req.cookie(Cookie::new("consult_staff", cookie.clone()));
            pairs.push(("csrf_token", csrf.clone()));
        }
        if method == "post" && path.ends_with("/materials") {
            // The material form carries a file, so it is multipart.
            let boundary = "authz-boundary";
            let mut body = String::new();
            for (k, v) in &pairs {
                body.push_str(&format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                ));
            }
            body.push_str(&format!("--{boundary}--\r\n"));
            req = req
                .insert_header((
                    "Content-Type",
                    format!("multipart/form-data; boundary={boundary}"),
                ))
                .set_payload(body);
        } else if method == "post" {
            let mut body = form_urlencoded::Serializer::new(String::new());
            for (k, v) in &pairs {
                body.append_pair(k, v);
            }
            req = req
                .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
                .set_payload(body.finish());
        }
        req
    } else {
        let mut req = req;
        if let Some(token) = w.tokens.get(caller) {
            req = req.insert_header(("Authorization", format!("Bearer {token}")));
        }
        match api_body(method, path) {
            Some(body) => req.set_json(body),
            None => req,
        }
    };
    w.app.call(req).await.status.as_u16()
}

/// The matrix: `(method, path)` → the expected status of each caller.
fn matrix() -> BTreeMap<(String, String), Vec<u16>> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/authz.csv"
    ))
    .unwrap();
    let mut rows = BTreeMap::new();
    let mut header = true;
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        if header {
            let names: Vec<&str> = cells[2..].to_vec();
            assert_eq!(names, CALLERS.to_vec(), "the matrix's columns");
            header = false;
            continue;
        }
        assert_eq!(cells.len(), 2 + CALLERS.len(), "{line}");
        let statuses = cells[2..].iter().map(|c| c.parse().unwrap()).collect();
        let key = (cells[0].to_lowercase(), cells[1].to_string());
        assert!(rows.insert(key, statuses).is_none(), "twice: {line}");
    }
    rows
}

/// Every route the application registers: the API's tables and the workspace's.
fn routes() -> BTreeSet<(String, String)> {
    consult::http::API_ROUTES
        .iter()
        .chain(consult::http::OPS_ROUTES)
        .chain(consult::http::staff::STAFF_ROUTES)
        .map(|(m, p)| (m.to_lowercase(), p.to_string()))
        .collect()
}

#[test]
fn every_route_has_a_row_and_every_row_a_route() {
    let rows: BTreeSet<(String, String)> = matrix().into_keys().collect();
    let routes = routes();
    let missing: Vec<_> = routes.difference(&rows).collect();
    let extra: Vec<_> = rows.difference(&routes).collect();
    assert!(
        missing.is_empty(),
        "routes without a row in tests/fixtures/authz.csv: {missing:?}"
    );
    assert!(extra.is_empty(), "rows of no route: {extra:?}");
}

async fn run(kind: Db) {
    let expected = matrix();
    let mut shared: Option<World> = None;
    let mut faults = Vec::new();
    let mut actual_rows = Vec::new();
    for (method, path) in &routes() {
        let want = expected.get(&(method.clone(), path.clone()));
        let fresh;
        let w = if method == "get" && path != "/api/v1/subscriptions/confirm" {
            if shared.is_none() {
                let Some(w) = world(kind).await else { return };
                shared = Some(w);
            }
            shared.as_ref().unwrap()
        } else {
            let Some(w) = world(kind).await else { return };
            fresh = w;
            &fresh
        };
        let mut got = Vec::new();
        for caller in CALLERS {
            got.push(call(w, caller, method, path).await);
        }
        let line = format!(
            "{},{},{}",
            method.to_uppercase(),
            path,
            got.iter().map(u16::to_string).collect::<Vec<_>>().join(",")
        );
        let Some(want) = want else {
            faults.push(format!("{method} {path}: no row"));
            actual_rows.push(line);
            continue;
        };
        if &got != want {
            let who: Vec<String> = CALLERS
                .iter()
                .zip(got.iter().zip(want))
                .filter(|(_, (g, w))| g != w)
                .map(|(c, (g, w))| format!("{c}: {g} (expected {w})"))
                .collect();
            faults.push(format!("{method} {path}: {}", who.join(", ")));
        }
        actual_rows.push(line);
    }
    assert!(
        faults.is_empty(),
        "answers differ from tests/fixtures/authz.csv:\n{}\n\nwhat was answered:\n{}",
        faults.join("\n"),
        actual_rows.join("\n")
    );
}

#[actix_web::test]
async fn the_matrix_holds_on_sqlite() {
    run(Db::Sqlite).await;
}

#[actix_web::test]
async fn the_matrix_holds_on_postgres() {
    run(Db::Postgres).await;
}
