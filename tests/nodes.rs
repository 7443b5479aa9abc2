//! Several nodes on one PostgreSQL (R10, R11, R15, R22, R23): two real `consult serve`
//! processes share a database and are driven together. Comments go through both (tracking
//! numbers unique, the per-client limit held across them); the clock's mails are queued once;
//! a staff session and a token made on one node work on the other; a review runs to a
//! published report across both; every mail goes out exactly once. Then one node is killed
//! with SIGKILL in the middle of a load while it holds claimed mails: nothing it acknowledged
//! is lost, and the other node sends its mails once their claim has expired.
//!
//! PostgreSQL only: SQLite is one process's database.

use crate::common;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Child;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use common::fixtures::{DraftSpec, insert_draft};
use common::{Db, PASSWORD, TestApp};
use consult::db::schema::{comments, drafts, mail_events, outbox, subscriptions};
use consult::domain::roles::Role;
use diesel::prelude::*;
use serde_json::{Value, json};

/// Where a node's mail goes.
enum MailTo {
    /// `.eml` files in a directory of its own, one per outbox row.
    Files(PathBuf),
    /// An SMTP server that accepts the connection and never answers: the node claims its
    /// mails and hangs on the first one.
    Silent(u16),
}

struct Node {
    child: Child,
    base: String,
}

impl Node {
    /// Starts `consult serve` on the test's database and returns once it listens.
    fn start(app: &TestApp, name: &str, mail: &MailTo) -> Node {
        let port = common::free_port();
        let dir = app.db.dir.path();
        let mail_config = match mail {
            MailTo::Files(dir) => {
                format!("transport = \"file\"\nfile_dir = \"{}\"\n", dir.display())
            }
            MailTo::Silent(port) => format!(
                "transport = \"smtp\"\n[mail.smtp]\nhost = \"127.0.0.1\"\nport = {port}\ntls = \"none\"\ntimeout_s = 600\n"
            ),
        };
        let config = dir.join(format!("{name}.toml"));
        std::fs::write(
            &config,
            format!(
                r#"
[server]
bind = "127.0.0.1:{port}"
public_url = "http://127.0.0.1:{port}"
workers = 2
access_log = false
trusted_proxies = ["127.0.0.1"]

[database]
url = "{url}"
pool_size = 8

[review]
semantic_model = ""

[testing]
clock_control = true

[mail]
{mail_config}"#,
                url = app.db.url,
            ),
        )
        .unwrap();
        let child = common::start_server(&config, name);
        Node {
            child,
            base: format!("http://127.0.0.1:{port}"),
        }
    }

    /// The name its mail worker claims under (`HOSTNAME:pid:…`).
    fn worker_prefix(&self, name: &str) -> String {
        format!("{name}:{}:", self.child.id())
    }

    fn kill(&mut self) {
        self.child.kill().expect("SIGKILL"); // std sends SIGKILL on Unix
        self.child.wait().unwrap();
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// A JSON call: status and body (`Null` when the body is not JSON).
fn call(method: &str, url: &str, token: Option<&str>, body: Option<Value>) -> (u16, Value) {
    let agent = agent();
    let auth = token.map(|t| format!("Bearer {t}"));
    let res = match (method, body) {
        ("GET", _) => {
            let mut req = agent.get(url);
            if let Some(a) = &auth {
                req = req.header("Authorization", a);
            }
            req.call()
        }
        (_, body) => {
            let mut req = match method {
                "POST" => agent.post(url),
                "PUT" => agent.put(url),
                "PATCH" => agent.patch(url),
                other => panic!("method {other}"),
            };
            if let Some(a) = &auth {
                req = req.header("Authorization", a);
            }
            req.send_json(body.unwrap_or_else(|| json!({})))
        }
    };
    let mut res = res.unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    let status = res.status().as_u16();
    let text = res.body_mut().read_to_string().unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[track_caller]
fn ok(method: &str, url: &str, token: &str, body: Option<Value>) -> Value {
    let (status, v) = call(method, url, Some(token), body);
    assert!((200..300).contains(&status), "{method} {url}: {status} {v}");
    v
}

/// Sets a node's clock (it runs on from there).
fn set_clock(node: &Node, admin: &str, at: DateTime<Utc>) {
    ok(
        "PUT",
        &format!("{}/api/v1/test/clock", node.base),
        admin,
        Some(json!({ "now": at.to_rfc3339() })),
    );
}

/// Polls `check` every 100 ms until it holds, or fails after `secs`.
#[track_caller]
fn wait_until(secs: u64, what: &str, mut check: impl FnMut() -> bool) {
    let until = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < until {
        if check() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{what}: not within {secs} s");
}

fn subscribe(app: &TestApp, email: &str) {
    let now = app.now().naive_utc();
    diesel::insert_into(subscriptions::table)
        .values((
            subscriptions::id.eq(format!("sub-{email}")),
            subscriptions::email.eq(email),
            subscriptions::email_normalized.eq(email),
            subscriptions::scope_kind.eq("all"),
            subscriptions::scope_value.eq(""),
            subscriptions::locale.eq("zh-CN"),
            subscriptions::status.eq("confirmed"),
            subscriptions::created_at.eq(now),
            subscriptions::confirmed_at.eq(Some(now)),
        ))
        .execute(&mut *app.conn())
        .unwrap();
}

/// Outbox rows of `kind`: recipient → how many.
fn queued(app: &TestApp, kind: &str) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for r in outbox::table
        .filter(outbox::kind.eq(kind))
        .select(outbox::recipient)
        .load::<String>(&mut *app.conn())
        .unwrap()
    {
        *out.entry(r).or_insert(0) += 1;
    }
    out
}

fn unsent(app: &TestApp) -> i64 {
    outbox::table
        .filter(outbox::status.ne("sent"))
        .count()
        .get_result(&mut *app.conn())
        .unwrap()
}

/// The outbox ids each mail directory holds a file for.
fn delivered(dirs: &[&Path]) -> Vec<HashSet<String>> {
    dirs.iter()
        .map(|dir| {
            std::fs::read_dir(dir)
                .map(|entries| {
                    entries
                        .filter_map(|e| {
                            let name = e.ok()?.file_name().into_string().ok()?;
                            name.strip_suffix(".eml").map(str::to_string)
                        })
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect()
}

/// Every outbox row was delivered, by exactly one node.
#[track_caller]
fn each_mail_once(app: &TestApp, dirs: &[&Path]) -> usize {
    let ids: HashSet<String> = outbox::table
        .select(outbox::id)
        .load::<String>(&mut *app.conn())
        .unwrap()
        .into_iter()
        .collect();
    let sets = delivered(dirs);
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for set in &sets {
        for id in set {
            *seen.entry(id.as_str()).or_insert(0) += 1;
        }
    }
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "sent by both nodes: {twice:?}");
    let missing: Vec<_> = ids
        .iter()
        .filter(|id| !seen.contains_key(id.as_str()))
        .collect();
    assert!(missing.is_empty(), "never sent: {missing:?}");
    assert_eq!(seen.len(), ids.len(), "files without an outbox row");
    ids.len()
}

/// One comment from `client` (an address behind the trusted proxy): its tracking number,
/// or the refusal's status.
fn comment(
    base: &str,
    draft: &str,
    client: &str,
    text: &str,
    email: Option<&str>,
) -> Result<String, u16> {
    let mut body = json!({"body": text, "stakeholder_type": "individual", "consent": true});
    if let Some(e) = email {
        body["email"] = json!(e);
    }
    let mut res = agent()
        .post(format!("{base}/api/v1/drafts/{draft}/comments"))
        .header("X-Forwarded-For", client)
        .send_json(&body)
        .map_err(|_| 0u16)?;
    let status = res.status().as_u16();
    if status != 201 {
        return Err(status);
    }
    let v: Value = res.body_mut().read_json().map_err(|_| 0u16)?;
    Ok(v["tracking_number"].as_str().unwrap().to_string())
}

/// The `Set-Cookie` pairs of an answer, as a `Cookie` header adds them.
fn cookies_of(res: &ureq::http::Response<ureq::Body>, jar: &mut BTreeMap<String, String>) {
    for v in res.headers().get_all("set-cookie") {
        let v = v.to_str().unwrap();
        let pair = v.split(';').next().unwrap();
        if let Some((k, val)) = pair.split_once('=') {
            jar.insert(k.trim().to_string(), val.trim().to_string());
        }
    }
}

fn cookie_header(jar: &BTreeMap<String, String>) -> String {
    jar.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

fn value_of(html: &str, name: &str) -> String {
    common::session::value_of(html, name)
}

/// Signs in on `on` through the staff login form; returns the cookies.
fn sign_in(on: &Node, username: &str) -> BTreeMap<String, String> {
    let no_redirects: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let mut jar = BTreeMap::new();
    let mut page = no_redirects
        .get(format!("{}/staff/login", on.base))
        .call()
        .unwrap();
    cookies_of(&page, &mut jar);
    let html = page.body_mut().read_to_string().unwrap();
    let form = [
        ("csrf_token", value_of(&html, "csrf_token")),
        ("csrf_signature", value_of(&html, "csrf_signature")),
        ("username", username.to_string()),
        ("password", PASSWORD.to_string()),
        ("next", "/staff".to_string()),
    ];
    let res = no_redirects
        .post(format!("{}/staff/login", on.base))
        .header("Cookie", cookie_header(&jar))
        .send_form(form.iter().map(|(k, v)| (*k, v.as_str())))
        .unwrap();
    assert_eq!(res.status().as_u16(), 303, "signed in");
    cookies_of(&res, &mut jar);
    jar
}

#[actix_web::test]
async fn two_nodes_share_one_database_and_lose_nothing_when_one_is_killed() {
    let Some(app) = TestApp::start(Db::Postgres).await else {
        return; // said loudly by the harness (a failure under CONSULT_REQUIRE_POSTGRES=1)
    };
    // The nodes' clocks start at the real now and run on; the rows are laid out around it.
    let start = Utc::now();
    app.clock().set(start);
    let admin = app.staff("node-admin", &[Role::Admin]);
    let drafter = app.staff("node-drafter", &[Role::Drafter, Role::Moderator]);
    app.staff("node-approver", &[Role::Approver]);
    for who in ["a@example.com", "b@example.com", "c@example.com"] {
        subscribe(&app, who);
    }
    // Open since yesterday, closing in ten days (well outside the closing-soon days).
    let draft = insert_draft(
        &app,
        DraftSpec {
            opens_at: start - TimeDelta::days(1),
            closes_at: start + TimeDelta::days(10),
            ..DraftSpec::open(start)
        },
    );
    diesel::update(drafts::table.find(&draft))
        .set(drafts::drafter_id.eq(app.user_id("node-drafter")))
        .execute(&mut *app.conn())
        .unwrap();
    // Closed ten weeks ago without a report (due 90 days after the close): its drafter is
    // reminded that it falls due within four weeks, once.
    let waiting = insert_draft(
        &app,
        DraftSpec {
            opens_at: start - TimeDelta::days(90),
            closes_at: start - TimeDelta::days(70),
            ..DraftSpec::open(start)
        },
    );
    // Open for two months, for the second half.
    let later = insert_draft(
        &app,
        DraftSpec {
            opens_at: start - TimeDelta::days(1),
            closes_at: start + TimeDelta::days(60),
            ..DraftSpec::open(start)
        },
    );

    let dir_a = app.db.dir.path().join("mail-a");
    let dir_b = app.db.dir.path().join("mail-b");
    let mut a = Node::start(&app, "node-a", &MailTo::Files(dir_a.clone()));
    let b = Node::start(&app, "node-b", &MailTo::Files(dir_b.clone()));

    // ---- The clock's mails: queued once, though both nodes scan every second. ----
    wait_until(20, "the opening notices", || {
        queued(&app, "draft_opened").len() == 3 && !queued(&app, "report_reminder").is_empty()
    });
    std::thread::sleep(Duration::from_secs(3)); // both nodes scan a few more times
    // (Two open drafts: each subscriber hears of each once.)
    let opened: Vec<(String, Option<String>)> = outbox::table
        .filter(outbox::kind.eq("draft_opened"))
        .select((outbox::recipient, outbox::draft_id))
        .load(&mut *app.conn())
        .unwrap();
    let mut per = HashMap::new();
    for (who, d) in &opened {
        *per.entry((who.clone(), d.clone())).or_insert(0) += 1;
    }
    assert!(
        per.values().all(|n| *n == 1),
        "one notice per draft and subscriber: {opened:?}"
    );
    assert_eq!(per.len(), 3 * 2, "{opened:?}");
    assert_eq!(queued(&app, "report_reminder").values().sum::<usize>(), 1);
    let events: i64 = mail_events::table
        .filter(mail_events::draft_id.eq(&waiting))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert!(events >= 1);

    // ---- Comments through both nodes. ----
    let mut tracking = Vec::new();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let (node, draft) = (if t % 2 == 0 { &a } else { &b }, draft.as_str());
                s.spawn(move || {
                    (0..25)
                        .map(|i| {
                            let email = (i % 5 == 0).then(|| format!("c{t}-{i}@example.com"));
                            comment(
                                &node.base,
                                draft,
                                &format!("198.51.100.{}", t * 30 + i),
                                &format!("第{t}组第{i}条：建议明确第三条中“相关部门”的具体范围。"),
                                email.as_deref(),
                            )
                            .expect("a comment stored")
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            tracking.extend(h.join().unwrap());
        }
    });
    let unique: HashSet<&String> = tracking.iter().collect();
    assert_eq!(unique.len(), 100, "tracking numbers unique across nodes");
    // One client through both nodes at once: the hourly limit (30) holds across them.
    let (stored, refused) = std::thread::scope(|s| {
        let handles: Vec<_> = [&a, &b]
            .into_iter()
            .map(|node| {
                let draft = draft.as_str();
                s.spawn(move || {
                    (0..25)
                        .map(|i| {
                            comment(
                                &node.base,
                                draft,
                                "203.0.113.99",
                                &format!("同一地址的第{i}条意见"),
                                None,
                            )
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let all: Vec<_> = handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect();
        (
            all.iter().filter(|r| r.is_ok()).count(),
            all.iter().filter(|r| *r == &Err(429)).count(),
        )
    });
    assert_eq!(
        (stored, refused),
        (30, 20),
        "the per-client limit across two nodes"
    );
    let count: i64 = comments::table
        .filter(comments::draft_id.eq(&draft))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(count, 130);

    // ---- A staff session and a token made on one node work on the other. ----
    let jar = sign_in(&a, "node-drafter");
    let mut res = agent()
        .get(format!("{}/staff", b.base))
        .header("Cookie", cookie_header(&jar))
        .call()
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let html = res.body_mut().read_to_string().unwrap();
    assert!(
        html.contains("/staff/logout"),
        "signed in on the other node"
    );
    let (status, issued) = call(
        "POST",
        &format!("{}/api/v1/auth/token", a.base),
        None,
        Some(json!({"username": "node-approver", "password": PASSWORD})),
    );
    assert_eq!(status, 200, "{issued}");
    let token = issued["token"].as_str().unwrap().to_string();
    let (status, _) = call(
        "GET",
        &format!("{}/api/v1/drafts/{draft}/audit", b.base),
        None,
        None,
    );
    assert_eq!(status, 401);
    ok(
        "GET",
        &format!("{}/api/v1/drafts/{draft}/audit", b.base),
        &token,
        None,
    );

    // ---- The closing-soon notice, then the review to a published report, across both. ----
    let closes = start + TimeDelta::days(10);
    for node in [&a, &b] {
        set_clock(node, &admin, closes - TimeDelta::days(1));
    }
    wait_until(20, "the closing-soon notices", || {
        queued(&app, "draft_closing_soon").len() >= 3
    });
    std::thread::sleep(Duration::from_secs(3));
    let closing: Vec<Option<String>> = outbox::table
        .filter(outbox::kind.eq("draft_closing_soon"))
        .filter(outbox::recipient.eq("a@example.com"))
        .select(outbox::draft_id)
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(closing, vec![Some(draft.clone())], "closing soon, once");
    for node in [&a, &b] {
        set_clock(node, &admin, closes + TimeDelta::hours(1));
    }
    let groups = ok(
        "POST",
        &format!("{}/api/v1/drafts/{draft}/groups/suggest", a.base),
        &drafter,
        Some(json!({})),
    );
    for (i, g) in groups["items"].as_array().unwrap().iter().enumerate() {
        let node = if i % 2 == 0 { &a } else { &b };
        ok(
            "PUT",
            &format!(
                "{}/api/v1/groups/{}/disposition",
                node.base,
                g["id"].as_str().unwrap()
            ),
            &drafter,
            Some(json!({"outcome": "not_adopted", "reason": "上位法已有规定"})),
        );
    }
    let ungrouped: Vec<String> = comments::table
        .filter(comments::draft_id.eq(&draft))
        .filter(comments::group_id.is_null())
        .select(comments::id)
        .load(&mut *app.conn())
        .unwrap();
    for (i, id) in ungrouped.iter().enumerate() {
        let node = if i % 2 == 0 { &b } else { &a };
        ok(
            "PUT",
            &format!("{}/api/v1/comments/{id}/disposition", node.base),
            &drafter,
            Some(json!({"outcome": "adopted"})),
        );
    }
    ok(
        "POST",
        &format!("{}/api/v1/drafts/{draft}/report", b.base),
        &drafter,
        Some(json!({})),
    );
    let actions = |node: &Node| format!("{}/api/v1/drafts/{draft}/report/actions", node.base);
    ok(
        "POST",
        &actions(&a),
        &drafter,
        Some(json!({"action": "submit"})),
    );
    // (The clock moved ten days on: a fresh token, made on the other node again.)
    let (_, issued) = call(
        "POST",
        &format!("{}/api/v1/auth/token", a.base),
        None,
        Some(json!({"username": "node-approver", "password": PASSWORD})),
    );
    let token = issued["token"].as_str().unwrap().to_string();
    let published = ok(
        "POST",
        &actions(&b),
        &token,
        Some(json!({"action": "approve"})),
    );
    assert_eq!(published["state"], "published", "{published}");
    let (status, public) = call(
        "GET",
        &format!("{}/api/v1/drafts/{draft}/report", a.base),
        None,
        None,
    );
    assert_eq!(status, 200);
    assert_eq!(public["totals"]["comments"], 130, "{public}");
    assert!(!queued(&app, "report_published").is_empty());

    // ---- Every mail so far went out, each from one node. ----
    wait_until(60, "the outbox drained", || unsent(&app) == 0);
    let sent = each_mail_once(&app, &[&dir_a, &dir_b]);
    assert!(sent > 20, "{sent} mails");

    // ---- One node killed mid-load while it holds claimed mails. ----
    a.kill();
    // Its replacement's mail server never answers: it claims mails and hangs on them.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_port = silent.local_addr().unwrap().port();
    let held = Arc::new(std::sync::Mutex::new(Vec::new()));
    {
        let held = held.clone();
        std::thread::spawn(move || {
            for conn in silent.incoming().flatten() {
                held.lock().unwrap().push(conn); // open, silent
            }
        });
    }
    let mut a = Node::start(&app, "node-a2", &MailTo::Silent(silent_port));
    let prefix = a.worker_prefix("node-a2");
    // One timeline for both, so a claim is as old on one node as on the other.
    let t2 = closes + TimeDelta::hours(2);
    for node in [&a, &b] {
        set_clock(node, &admin, t2);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let (acked_tx, acked_rx) = mpsc::channel::<String>();
    let load: Vec<_> = (0..4)
        .map(|t| {
            let base = if t % 2 == 0 {
                a.base.clone()
            } else {
                b.base.clone()
            };
            let (stop, acked, later) = (stop.clone(), acked_tx.clone(), later.clone());
            std::thread::spawn(move || {
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    match comment(
                        &base,
                        &later,
                        &format!("192.0.2.{}", (t * 60 + i) % 250 + 1),
                        &format!("负载{t}-{i}：建议增加听证程序。"),
                        Some(&format!("load{t}-{i}@example.com")),
                    ) {
                        Ok(number) => {
                            if acked.send(number).is_err() {
                                break;
                            }
                        }
                        Err(0) => break, // the node is gone
                        Err(_) => {}
                    }
                }
            })
        })
        .collect();
    drop(acked_tx);
    let claimed_by_a = || -> i64 {
        outbox::table
            .filter(outbox::status.ne("sent"))
            .filter(outbox::claimed_by.like(format!("{prefix}%")))
            .count()
            .get_result(&mut *app.conn())
            .unwrap()
    };
    let mut acked = Vec::new();
    let until = Instant::now() + Duration::from_secs(60);
    while (acked.len() < 200 || claimed_by_a() == 0) && Instant::now() < until {
        if let Ok(n) = acked_rx.recv_timeout(Duration::from_millis(200)) {
            acked.push(n);
        }
    }
    let holding = claimed_by_a();
    assert!(holding > 0, "the node claimed mails before it was killed");
    a.kill();
    std::thread::sleep(Duration::from_millis(500));
    stop.store(true, Ordering::Relaxed);
    for t in load {
        t.join().unwrap();
    }
    acked.extend(acked_rx.try_iter());
    let stored: HashSet<String> = comments::table
        .filter(comments::draft_id.eq(&later))
        .select(comments::tracking_number)
        .load::<String>(&mut *app.conn())
        .unwrap()
        .into_iter()
        .collect();
    let lost: Vec<_> = acked.iter().filter(|t| !stored.contains(*t)).collect();
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged comments lost",
        lost.len(),
        acked.len()
    );

    // The claims expire after their lease (ten minutes on the clock): then the other node
    // sends those mails, and nothing goes out twice.
    std::thread::sleep(Duration::from_secs(2));
    assert!(claimed_by_a() > 0, "still held before the lease ends");
    set_clock(&b, &admin, t2 + TimeDelta::minutes(15));
    wait_until(60, "the dead node's mails sent by the other", || {
        unsent(&app) == 0
    });
    let total = each_mail_once(&app, &[&dir_a, &dir_b]);
    assert!(total > sent, "{total} after {sent}");
    let receipts: i64 = outbox::table
        .filter(outbox::kind.eq("comment_receipt"))
        .filter(outbox::draft_id.eq(&later))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(
        receipts as usize,
        stored.len(),
        "one receipt per stored comment"
    );
    eprintln!(
        "two nodes: {} comments acknowledged under load, {holding} mails held by the killed node, {total} mails each sent once",
        acked.len()
    );
}
