//! Mail on both databases: the outbox worker (R23) over the file transport and a
//! real SMTP listener on loopback (scripts/smtp-sink.py), templates in the recipient's
//! language (R24), subscriptions (R21) and the events that send mail (R22).

use crate::common;

use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use chrono::{NaiveDate, TimeDelta};
use common::fixtures::{CommentSpec, DraftSpec, insert_comment, insert_draft};
use common::{Db, TestApp};
use consult::config::{MailTransport, SmtpTls};
use consult::db::outbox::{NewMail, OutboxMessage};
use consult::db::schema::{audit_log, drafts, mail_events, outbox};
use consult::domain::roles::Role;
use consult::mail::outbox::{deliver_due, deliver_due_as};
use diesel::prelude::*;
use serde_json::{Value, json};

both!(
    a_queued_mail_is_sent_once_as_an_eml_file_with_its_own_message_id,
    two_workers_never_claim_the_same_message_until_the_lease_expires,
    concurrent_workers_drain_the_outbox_without_sending_twice,
    a_bad_address_fails_permanently_and_is_audited,
    admin_sees_the_outbox_masked_and_retries_a_failed_message,
    comment_receipts_written_by_intake_are_rendered_and_sent,
    subscribing_answers_202_alike_and_mails_a_confirmation_link,
    confirmation_links_are_signed_and_expire,
    subscriptions_are_rate_limited_per_address,
    subscription_requests_are_validated,
    only_confirmed_subscribers_hear_that_a_scheduled_draft_opened_and_only_once,
    closing_soon_is_announced_once_within_the_configured_days,
    one_click_and_page_unsubscribe_stop_the_mail,
    an_extension_mails_the_subscribers_in_their_language,
    a_published_report_reaches_subscribers_and_commenters_each_address_once,
    invitations_go_to_listed_addresses_or_to_a_scope,
    staff_are_reminded_of_an_unpublished_report_before_and_after_it_is_due,
    sent_mails_leave_the_outbox_after_the_configured_days_and_failed_ones_stay,
);

/// Like `both!`, for tests that configure their own app (SMTP settings).
macro_rules! both_configured {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[actix_web::test]
                async fn sqlite() {
                    super::$name($crate::common::Db::Sqlite).await
                }
                #[actix_web::test]
                async fn postgres() {
                    super::$name($crate::common::Db::Postgres).await
                }
            }
        )*
    };
}

both_configured!(
    transient_failures_back_off_on_the_clock_then_fail_after_max_attempts,
    smtp_with_starttls_and_auth_delivers_to_a_real_listener,
    a_permanent_smtp_refusal_fails_the_message_and_audits_it,
    an_smtp_outage_delays_mail_and_it_is_delivered_exactly_once_when_the_listener_returns,
);

// ---------------------------------------------------------------------------------------
// Helpers

/// A real SMTP listener: `scripts/smtp-sink.py` under Debian's python3-aiosmtpd. Without
/// aiosmtpd the test says loudly that it was skipped, unless `CONSULT_REQUIRE_SMTP=1`, which
/// makes that a failure; a listener that is installed but does not start is a failure.
struct SmtpSink {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

const PYTHON: &str = "/usr/bin/python3";

impl SmtpSink {
    fn available() -> bool {
        let ok = Command::new(PYTHON)
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            if std::env::var("CONSULT_REQUIRE_SMTP").as_deref() == Ok("1") {
                panic!(
                    "CONSULT_REQUIRE_SMTP=1 but {PYTHON} cannot import aiosmtpd: apt-get install -y python3-aiosmtpd"
                );
            }
            consult::testing::skipped(&format!(
                "the SMTP check: no SMTP listener ({PYTHON} cannot import aiosmtpd; apt-get install -y python3-aiosmtpd, .ci/run does)"
            ));
        }
        ok
    }

    /// Starts the listener on `port`; `secure` adds STARTTLS and AUTH (user `consult`,
    /// password `sink-secret`).
    fn start(port: u16, secure: bool) -> SmtpSink {
        let dir = tempfile::tempdir().unwrap();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/smtp-sink.py");
        let mut cmd = Command::new(PYTHON);
        cmd.arg(script)
            .args(["--port", &port.to_string()])
            .args(["--dir", &dir.path().display().to_string()]);
        if secure {
            cmd.args(["--starttls", "--auth", "consult:sink-secret"]);
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {PYTHON} {script}: {e}"));
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let _ = tx.send(line);
            }
        });
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(line) if line.starts_with("READY") => SmtpSink { child, port, dir },
            other => {
                let _ = child.kill();
                let out = child.wait_with_output().ok();
                let err = out
                    .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
                    .unwrap_or_default();
                panic!(
                    "the SMTP listener (scripts/smtp-sink.py) did not start on port {port}: {other:?}\n{err}"
                );
            }
        }
    }

    /// The messages received so far, in arrival order.
    fn messages(&self) -> Vec<String> {
        let mut files: Vec<_> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|p| unfold(&std::fs::read_to_string(p).unwrap()))
            .collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Header lines joined (RFC 5322 folding removed).
fn unfold(s: &str) -> String {
    s.replace("\r\n ", " ").replace("\r\n\t", " ")
}

fn header<'a>(mail: &'a str, name: &str) -> Option<&'a str> {
    let head = mail.split("\r\n\r\n").next().unwrap_or("");
    head.split("\r\n").find_map(|line| {
        let (k, v) = line.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

async fn smtp_app(kind: Db, port: u16, secure: bool, max_attempts: u32) -> Option<TestApp> {
    TestApp::start_with(kind, |c| {
        c.mail.transport = MailTransport::Smtp;
        c.mail.max_attempts = max_attempts;
        c.mail.smtp.host = "127.0.0.1".into();
        c.mail.smtp.port = port;
        c.mail.smtp.timeout_s = 5;
        if secure {
            c.mail.smtp.tls = SmtpTls::Starttls;
            c.mail.smtp.username = Some("consult".into());
            c.mail.smtp.password = Some("sink-secret".into());
            c.mail.smtp.accept_invalid_certs = true;
        } else {
            c.mail.smtp.tls = SmtpTls::None;
        }
    })
    .await
}

/// The outbox rows, oldest first. A sent row keeps no rendered body (its links are personal):
/// for those, the parts and list headers are read back from the `.eml` the file transport
/// wrote, so the tests check what was actually sent.
fn rows(app: &TestApp) -> Vec<OutboxMessage> {
    let mut rows: Vec<OutboxMessage> = outbox::table
        .order(outbox::created_at.asc())
        .select(OutboxMessage::as_select())
        .load(&mut *app.conn())
        .unwrap();
    let dir = std::path::Path::new(&app.state.config.mail.file_dir);
    for m in rows.iter_mut().filter(|m| m.status == "sent") {
        assert!(
            m.body_text.is_none() && m.body_html.is_none() && m.headers.is_none(),
            "a sent row keeps no rendered mail"
        );
        let Ok(eml) = std::fs::read_to_string(dir.join(format!("{}.eml", m.id))) else {
            continue;
        };
        m.body_text = part_of(&eml, "text/plain");
        m.body_html = part_of(&eml, "text/html");
        let head = unfold(&eml);
        let list: Vec<Value> = ["List-Unsubscribe", "List-Unsubscribe-Post"]
            .iter()
            .filter_map(|h| header(&head, h).map(|v| json!([h, v])))
            .collect();
        m.headers = Some(Value::Array(list).to_string());
    }
    rows
}

/// The decoded body of the MIME part of `content_type` in a formatted message.
fn part_of(eml: &str, content_type: &str) -> Option<String> {
    use base64::Engine;
    let at = eml.find(&format!("Content-Type: {content_type}"))?;
    let part = &eml[eml[..at].rfind("\r\n--")? + 2..];
    let boundary = format!("\r\n{}", part.lines().next()?.trim_end());
    let (head, rest) = part.split_once("\r\n\r\n")?;
    let body = &rest[..rest.find(&boundary).unwrap_or(rest.len())];
    let encoding = header(head, "Content-Transfer-Encoding")
        .unwrap_or("7bit")
        .to_ascii_lowercase();
    let bytes = match encoding.as_str() {
        "base64" => base64::engine::general_purpose::STANDARD
            .decode(body.replace("\r\n", ""))
            .unwrap(),
        "quoted-printable" => {
            let joined = body.replace("=\r\n", "");
            let mut out = Vec::new();
            let b = joined.as_bytes();
            let mut i = 0;
            while i < b.len() {
                if b[i] == b'=' && i + 2 < b.len() {
                    out.push(u8::from_str_radix(&joined[i + 1..i + 3], 16).unwrap());
                    i += 3;
                } else {
                    out.push(b[i]);
                    i += 1;
                }
            }
            out
        }
        _ => body.as_bytes().to_vec(),
    };
    Some(String::from_utf8(bytes).unwrap().replace("\r\n", "\n"))
}

fn rows_of(app: &TestApp, kind: &str) -> Vec<OutboxMessage> {
    rows(app).into_iter().filter(|m| m.kind == kind).collect()
}

fn recipients_of(app: &TestApp, kind: &str) -> Vec<String> {
    let mut r: Vec<String> = rows_of(app, kind)
        .into_iter()
        .map(|m| m.recipient)
        .collect();
    r.sort();
    r
}

fn enqueue(
    app: &TestApp,
    kind: &str,
    recipient: &str,
    payload: Value,
    draft: Option<&str>,
) -> String {
    let now = app.now();
    consult::db::outbox::enqueue(
        &mut app.conn(),
        now,
        &NewMail {
            kind,
            recipient,
            locale: "zh-CN",
            payload,
            draft_id: draft,
            dedupe_key: None,
        },
    )
    .unwrap()
    .unwrap()
}

fn deliver(app: &TestApp) -> consult::mail::outbox::Pass {
    deliver_due(&app.state.mail_worker(), app.now()).unwrap()
}

fn scan(app: &TestApp) {
    consult::jobs::notifications::run(&app.state.pool, &app.state.config, app.now()).unwrap();
}

fn audit_actions(app: &TestApp) -> Vec<(String, String)> {
    audit_log::table
        .order(audit_log::seq.asc())
        .select((audit_log::action, audit_log::details))
        .load(&mut *app.conn())
        .unwrap()
}

fn mail_files(app: &TestApp) -> Vec<std::path::PathBuf> {
    let dir = std::path::Path::new(&app.state.config.mail.file_dir);
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|x| x == "eml"));
    files.sort();
    files
}

/// The token of the first link in `text` that contains `marker`.
fn token_after(text: &str, marker: &str) -> String {
    let start = text
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker} in:\n{text}"))
        + marker.len();
    text[start..]
        .split(|c: char| c.is_whitespace() || c == '"' || c == '<' || c == '>')
        .next()
        .unwrap()
        .to_string()
}

/// Subscribes and confirms through the API and the confirmation mail.
async fn subscribe_confirmed(
    app: &TestApp,
    email: &str,
    kind: &str,
    value: Option<&str>,
    locale: &str,
) {
    app.post(
        "/api/v1/subscriptions",
        None,
        json!({"email": email, "scope": {"kind": kind, "value": value}, "locale": locale}),
    )
    .await
    .ok(202);
    deliver(app);
    let confirm = rows_of(app, "subscription_confirm")
        .into_iter()
        .rev()
        .find(|m| m.recipient == email)
        .expect("a confirmation mail");
    let token = token_after(confirm.body_text.as_deref().unwrap(), "confirm?token=");
    let body = app
        .get(
            &format!("/api/v1/subscriptions/confirm?token={token}"),
            None,
        )
        .await
        .ok(200);
    assert_eq!(body["status"], "confirmed");
}

// ---------------------------------------------------------------------------------------
// R23: outbox and transports

async fn a_queued_mail_is_sent_once_as_an_eml_file_with_its_own_message_id(app: TestApp) {
    let draft = insert_draft(&app, DraftSpec::open(app.now()));
    let a = enqueue(
        &app,
        "draft_opened",
        "a@example.com",
        json!({}),
        Some(&draft),
    );
    let b = enqueue(
        &app,
        "draft_opened",
        "b@example.com",
        json!({}),
        Some(&draft),
    );
    let pass = deliver(&app);
    assert_eq!(pass.sent, 2);
    let files = mail_files(&app);
    assert_eq!(files.len(), 2, "one .eml per message");
    let mut ids = Vec::new();
    for id in [&a, &b] {
        let eml = unfold(
            &std::fs::read_to_string(
                std::path::Path::new(&app.state.config.mail.file_dir).join(format!("{id}.eml")),
            )
            .unwrap(),
        );
        let mid = header(&eml, "Message-ID").unwrap().to_string();
        assert_eq!(mid, format!("<{id}@consult>"));
        ids.push(mid);
        assert!(eml.contains("multipart/alternative"));
        assert!(eml.contains("text/plain") && eml.contains("text/html"));
        assert!(header(&eml, "List-Unsubscribe").is_some());
    }
    assert_ne!(ids[0], ids[1]);
    let stored = rows(&app);
    assert!(
        stored
            .iter()
            .all(|m| m.status == "sent" && m.sent_at.is_some())
    );
    assert!(
        stored
            .iter()
            .all(|m| m.subject.is_some() && m.body_html.is_some())
    );
    // Nothing is due any more: a second pass sends nothing.
    app.clock().advance(TimeDelta::hours(1));
    assert_eq!(deliver(&app).sent, 0);
    assert_eq!(mail_files(&app).len(), 2);
}

async fn two_workers_never_claim_the_same_message_until_the_lease_expires(app: TestApp) {
    for i in 0..20 {
        enqueue(
            &app,
            "draft_opened",
            &format!("p{i}@example.com"),
            json!({}),
            None,
        );
    }
    let now = app.now();
    let mut conn = app.conn();
    let a = consult::db::outbox::claim_due(&mut conn, now, "node-a", 12).unwrap();
    let b = consult::db::outbox::claim_due(&mut conn, now, "node-b", 50).unwrap();
    assert_eq!(a.len(), 12);
    assert_eq!(b.len(), 8);
    let mut all: Vec<_> = a.iter().chain(b.iter()).map(|m| m.id.clone()).collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 20, "no message is claimed twice");
    assert!(
        consult::db::outbox::claim_due(&mut conn, now, "node-c", 50)
            .unwrap()
            .is_empty()
    );
    // A claim older than the lease (a node that died between send and mark) is free again:
    // the one documented way a mail is sent twice.
    let later = now + consult::domain::mail::claim_lease() + TimeDelta::seconds(1);
    let c = consult::db::outbox::claim_due(&mut conn, later, "node-c", 50).unwrap();
    assert_eq!(c.len(), 20);
    drop(conn);
    // While node-c holds the claims, no other node sends those messages.
    let pass = deliver_due_as(&app.state.mail_worker(), later, "node-a").unwrap();
    assert_eq!(pass.sent, 0);
}

async fn concurrent_workers_drain_the_outbox_without_sending_twice(app: TestApp) {
    for i in 0..60 {
        enqueue(
            &app,
            "draft_opened",
            &format!("p{i}@example.com"),
            json!({}),
            None,
        );
    }
    let now = app.now();
    let claimed: Vec<String> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..4)
            .map(|w| {
                let pool = app.state.pool.clone();
                s.spawn(move || {
                    let mut conn = pool.get().unwrap();
                    let mut mine = Vec::new();
                    loop {
                        let batch =
                            consult::db::outbox::claim_due(&mut conn, now, &format!("node-{w}"), 4)
                                .unwrap();
                        if batch.is_empty() {
                            break mine;
                        }
                        mine.extend(batch.into_iter().map(|m| m.id));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let mut unique = claimed.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(claimed.len(), 60, "every message claimed once");
    assert_eq!(unique.len(), 60);
}

#[test]
fn production_refuses_file_and_log_transports_unless_allowed() {
    let mut c = consult::config::Config::default();
    c.server.profile = consult::config::Profile::Production;
    c.security.session_key = Some("k".repeat(40));
    for t in [MailTransport::File, MailTransport::Log] {
        c.mail.transport = t;
        c.mail.allow_non_smtp_in_production = false;
        assert_eq!(c.validate().unwrap_err().key, "mail.transport");
        c.mail.allow_non_smtp_in_production = true;
        c.validate().unwrap();
    }
    c.mail.transport = MailTransport::Smtp;
    c.mail.allow_non_smtp_in_production = false;
    c.validate().unwrap();
    // The default is the file transport, so a newcomer sees mails on disk.
    assert_eq!(
        consult::config::Config::default().mail.transport,
        MailTransport::File
    );
}

async fn transient_failures_back_off_on_the_clock_then_fail_after_max_attempts(kind: Db) {
    // Nothing listens on this port: every attempt is refused (a transient failure).
    let port = common::free_port();
    let Some(app) = smtp_app(kind, port, false, 3).await else {
        return;
    };
    let id = enqueue(&app, "draft_opened", "a@example.com", json!({}), None);
    let draft = insert_draft(&app, DraftSpec::open(app.now()));
    diesel::update(outbox::table.find(&id))
        .set(outbox::draft_id.eq(Some(&draft)))
        .execute(&mut *app.conn())
        .unwrap();
    let t0 = app.now();
    assert_eq!(deliver(&app).retrying, 1);
    let m = &rows(&app)[0];
    assert_eq!((m.status.as_str(), m.attempts), ("queued", 1));
    let wait = m.next_attempt_at.and_utc() - t0;
    assert!(
        wait >= TimeDelta::seconds(29) && wait <= TimeDelta::seconds(31),
        "{wait}"
    );
    assert!(m.last_error.is_some() && m.claimed_by.is_none());
    // Not due yet: nothing is attempted.
    assert_eq!(deliver(&app), Default::default());
    app.clock().advance(TimeDelta::seconds(31));
    assert_eq!(deliver(&app).retrying, 1);
    let m = &rows(&app)[0];
    assert_eq!(m.attempts, 2);
    let wait = m.next_attempt_at.and_utc() - app.now();
    assert!(
        wait > TimeDelta::seconds(55) && wait <= TimeDelta::seconds(61),
        "doubled: {wait}"
    );
    app.clock().advance(TimeDelta::seconds(61));
    assert_eq!(deliver(&app).failed, 1);
    let m = &rows(&app)[0];
    assert_eq!((m.status.as_str(), m.attempts), ("failed", 3));
    let audits = audit_actions(&app);
    let failed: Vec<_> = audits.iter().filter(|(a, _)| a == "mail.failed").collect();
    assert_eq!(failed.len(), 1, "R26: a permanent failure is audited");
    assert!(
        !failed[0].1.contains("a@example.com"),
        "the audit masks the address"
    );
}

async fn a_bad_address_fails_permanently_and_is_audited(app: TestApp) {
    let draft = insert_draft(&app, DraftSpec::open(app.now()));
    enqueue(
        &app,
        "draft_opened",
        "not an address",
        json!({}),
        Some(&draft),
    );
    assert_eq!(deliver(&app).failed, 1);
    let m = &rows(&app)[0];
    assert_eq!((m.status.as_str(), m.attempts), ("failed", 1));
    assert!(audit_actions(&app).iter().any(|(a, _)| a == "mail.failed"));
    assert!(mail_files(&app).is_empty());
}

async fn admin_sees_the_outbox_masked_and_retries_a_failed_message(app: TestApp) {
    let admin = app.staff("admin", &[Role::Admin]);
    let drafter = app.staff("drafter", &[Role::Drafter]);
    let draft = insert_draft(&app, DraftSpec::open(app.now()));
    let id = enqueue(
        &app,
        "draft_opened",
        "zhangsan@example.com",
        json!({}),
        Some(&draft),
    );
    enqueue(
        &app,
        "draft_opened",
        "lisi@example.com",
        json!({}),
        Some(&draft),
    );
    diesel::update(outbox::table.find(&id))
        .set((
            outbox::status.eq("failed"),
            outbox::last_error.eq(Some("550 no such user")),
        ))
        .execute(&mut *app.conn())
        .unwrap();
    app.get("/api/v1/admin/outbox", Some(&drafter))
        .await
        .problem(403);
    app.get("/api/v1/admin/outbox", None).await.problem(401);
    app.get("/api/v1/admin/outbox?status=lost", Some(&admin))
        .await
        .problem(422);
    let all = app.get("/api/v1/admin/outbox", Some(&admin)).await;
    let doc = all.ok(200);
    assert_eq!(doc["total"], 2);
    assert!(
        !all.text().contains("zhangsan@") && !all.text().contains("lisi@"),
        "R13: masked"
    );
    let failed = app
        .get("/api/v1/admin/outbox?status=failed", Some(&admin))
        .await
        .ok(200);
    assert_eq!(failed["total"], 1);
    assert_eq!(failed["items"][0]["recipient"], "z***@example.com");
    assert_eq!(failed["items"][0]["id"], id.as_str());
    let path = format!("/api/v1/admin/outbox/{id}/retry");
    app.post(&path, Some(&drafter), json!({}))
        .await
        .problem(403);
    let retried = app.post(&path, Some(&admin), json!({})).await.ok(200);
    assert_eq!(retried["status"], "queued");
    assert_eq!(retried["attempts"], 0);
    app.post(&path, Some(&admin), json!({})).await.problem(409);
    app.post("/api/v1/admin/outbox/NOPE/retry", Some(&admin), json!({}))
        .await
        .problem(404);
    assert!(audit_actions(&app).iter().any(|(a, _)| a == "mail.retry"));
    assert_eq!(deliver(&app).sent, 2);
}

async fn comment_receipts_written_by_intake_are_rendered_and_sent(app: TestApp) {
    let draft = insert_draft(&app, DraftSpec::open(app.now()));
    // The row as comment intake writes it.
    let id = enqueue(
        &app,
        "comment_receipt",
        "zhangsan@example.com",
        json!({
            "tracking_number": "C-2026-00042",
            "receipt_token": "secret-receipt-token",
            "draft_id": draft,
            "draft_title": "龙岭县行政规范性文件管理办法（征求意见稿）",
            "lookup_url": "http://127.0.0.1:8080/receipts/C-2026-00042?token=secret-receipt-token",
        }),
        Some(&draft),
    );
    assert_eq!(deliver(&app).sent, 1);
    let m = rows(&app).into_iter().find(|m| m.id == id).unwrap();
    let text = m.body_text.unwrap();
    assert!(text.contains("C-2026-00042"));
    assert!(text.contains("/receipts/C-2026-00042?token=secret-receipt-token"));
    assert!(m.subject.unwrap().contains("龙岭县行政规范性文件管理办法"));
    assert!(
        !m.headers.unwrap().contains("List-Unsubscribe"),
        "a receipt is not list mail"
    );
}

// ---------------------------------------------------------------------------------------
// R23 over a real SMTP listener

async fn smtp_with_starttls_and_auth_delivers_to_a_real_listener(kind: Db) {
    if !SmtpSink::available() {
        return;
    }
    let sink = SmtpSink::start(common::free_port(), true);
    let Some(app) = smtp_app(kind, sink.port, true, 8).await else {
        return;
    };
    let draft = insert_draft(&app, DraftSpec::open(app.now()));
    let id = enqueue(
        &app,
        "draft_opened",
        "reader@example.com",
        json!({}),
        Some(&draft),
    );
    let pass = deliver(&app);
    assert_eq!(pass.sent, 1, "{:?}", rows(&app)[0].last_error);
    let got = sink.messages();
    assert_eq!(got.len(), 1);
    let mail = &got[0];
    assert_eq!(header(mail, "X-Sink-Tls"), Some("yes"), "STARTTLS was used");
    assert_eq!(header(mail, "X-Sink-Auth"), Some("yes"), "AUTH was used");
    assert_eq!(header(mail, "X-Sink-Rcpt"), Some("reader@example.com"));
    assert_eq!(
        header(mail, "Message-ID"),
        Some(format!("<{id}@consult>").as_str())
    );
    let lu = header(mail, "List-Unsubscribe").unwrap();
    assert!(lu.starts_with("<http://127.0.0.1:8080/api/v1/subscriptions/unsubscribe?token="));
    assert_eq!(
        header(mail, "List-Unsubscribe-Post"),
        Some("List-Unsubscribe=One-Click")
    );
    assert!(mail.contains("text/plain") && mail.contains("text/html"));
}

async fn a_permanent_smtp_refusal_fails_the_message_and_audits_it(kind: Db) {
    if !SmtpSink::available() {
        return;
    }
    let sink = SmtpSink::start(common::free_port(), false);
    let Some(app) = smtp_app(kind, sink.port, false, 8).await else {
        return;
    };
    let draft = insert_draft(&app, DraftSpec::open(app.now()));
    enqueue(
        &app,
        "draft_opened",
        "reject-me@example.com",
        json!({}),
        Some(&draft),
    );
    enqueue(
        &app,
        "draft_opened",
        "fine@example.com",
        json!({}),
        Some(&draft),
    );
    let pass = deliver(&app);
    assert_eq!((pass.sent, pass.failed, pass.retrying), (1, 1, 0));
    let failed: Vec<_> = rows(&app)
        .into_iter()
        .filter(|m| m.status == "failed")
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].recipient, "reject-me@example.com");
    assert!(failed[0].last_error.as_deref().unwrap().contains("550"));
    assert!(audit_actions(&app).iter().any(|(a, _)| a == "mail.failed"));
    assert_eq!(sink.messages().len(), 1);
}

async fn an_smtp_outage_delays_mail_and_it_is_delivered_exactly_once_when_the_listener_returns(
    kind: Db,
) {
    if !SmtpSink::available() {
        return;
    }
    let port = common::free_port();
    let Some(app) = smtp_app(kind, port, false, 8).await else {
        return;
    };
    // The listener is down. Requests that queue mail are not affected.
    let started = std::time::Instant::now();
    for who in ["one", "two", "three"] {
        app.post(
            "/api/v1/subscriptions",
            None,
            json!({"email": format!("{who}@example.com"), "scope": {"kind": "all"}, "locale": "en"}),
        )
        .await
        .ok(202);
    }
    assert!(started.elapsed() < Duration::from_secs(5));
    // The first message finds the server down; the rest of the pass waits as long, without
    // spending an attempt. Nothing fails.
    let pass = deliver(&app);
    assert_eq!(
        (pass.sent, pass.retrying, pass.deferred, pass.failed),
        (0, 1, 2, 0)
    );
    let mut attempts: Vec<i32> = rows(&app).iter().map(|m| m.attempts).collect();
    attempts.sort();
    assert_eq!(attempts, vec![0, 0, 1]);
    assert!(
        rows(&app)
            .iter()
            .all(|m| m.status == "queued" && m.claimed_by.is_none())
    );
    assert!(
        rows(&app)
            .iter()
            .all(|m| m.next_attempt_at.and_utc() > app.now() + TimeDelta::seconds(25))
    );
    // The listener comes back; the retry waits for its time on the clock.
    let sink = SmtpSink::start(port, false);
    assert_eq!(deliver(&app), Default::default());
    app.clock().advance(TimeDelta::seconds(31));
    assert_eq!(deliver(&app).sent, 3);
    for _ in 0..3 {
        app.clock().advance(TimeDelta::minutes(30));
        assert_eq!(deliver(&app), Default::default());
    }
    let got = sink.messages();
    assert_eq!(got.len(), 3, "each delivered exactly once");
    let mut ids: Vec<&str> = got
        .iter()
        .map(|m| header(m, "Message-ID").unwrap())
        .collect();
    ids.sort();
    let mut expected: Vec<String> = rows(&app).into_iter().map(|m| m.message_id).collect();
    expected.sort();
    assert_eq!(ids, expected);
    assert!(rows(&app).iter().all(|m| m.status == "sent"));
}

// ---------------------------------------------------------------------------------------
// R21: subscriptions

async fn subscribing_answers_202_alike_and_mails_a_confirmation_link(app: TestApp) {
    let body = json!({"email": "Reader@Example.com", "scope": {"kind": "all"}, "locale": "en"});
    let first = app.post("/api/v1/subscriptions", None, body.clone()).await;
    let first_doc = first.ok(202);
    assert_eq!(rows_of(&app, "subscription_confirm").len(), 1);
    deliver(&app);
    let confirm = &rows_of(&app, "subscription_confirm")[0];
    assert_eq!(confirm.locale, "en");
    assert!(confirm.subject.as_deref().unwrap().contains("confirm"));
    let token = token_after(confirm.body_text.as_deref().unwrap(), "confirm?token=");
    // Pending: the same answer, and a fresh confirmation.
    let again = app.post("/api/v1/subscriptions", None, body.clone()).await;
    assert_eq!(again.ok(202), first_doc);
    assert_eq!(rows_of(&app, "subscription_confirm").len(), 2);
    app.get(
        &format!("/api/v1/subscriptions/confirm?token={token}"),
        None,
    )
    .await
    .ok(200);
    // Confirmed: still the same answer, and nothing more is sent.
    let known = app.post("/api/v1/subscriptions", None, body).await;
    assert_eq!(known.ok(202), first_doc);
    assert_eq!(rows_of(&app, "subscription_confirm").len(), 2);
    // Confirming twice is harmless.
    let twice = app
        .get(
            &format!("/api/v1/subscriptions/confirm?token={token}"),
            None,
        )
        .await
        .ok(200);
    assert_eq!(twice["status"], "confirmed");
    // The confirmation page works too.
    let page = app
        .get(
            &format!("/subscriptions/confirm?token={token}&lang=en"),
            None,
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Subscription confirmed"));
}

async fn confirmation_links_are_signed_and_expire(app: TestApp) {
    app.post(
        "/api/v1/subscriptions",
        None,
        json!({"email": "a@example.com", "scope": {"kind": "all"}}),
    )
    .await
    .ok(202);
    deliver(&app);
    let confirm = &rows_of(&app, "subscription_confirm")[0];
    assert_eq!(confirm.locale, "zh-CN", "the site's default locale");
    let token = token_after(confirm.body_text.as_deref().unwrap(), "confirm?token=");
    let mut forged = token.clone();
    forged.pop();
    forged.push(if token.ends_with('A') { 'B' } else { 'A' });
    app.get(
        &format!("/api/v1/subscriptions/confirm?token={forged}"),
        None,
    )
    .await
    .problem(404);
    app.clock().advance(TimeDelta::days(8));
    app.get(
        &format!("/api/v1/subscriptions/confirm?token={token}"),
        None,
    )
    .await
    .problem(409);
    // Still pending: an event finds no confirmed subscriber.
    insert_draft(&app, DraftSpec::open(app.now()));
    scan(&app);
    assert!(rows_of(&app, "draft_opened").is_empty());
}

async fn subscriptions_are_rate_limited_per_address(app: TestApp) {
    let limit = app.state.config.limits.subscriptions_per_email_per_hour;
    let body = |email: &str| json!({"email": email, "scope": {"kind": "all"}});
    for _ in 0..limit {
        app.post("/api/v1/subscriptions", None, body("a@example.com"))
            .await
            .ok(202);
    }
    let res = app
        .post("/api/v1/subscriptions", None, body("A@example.com"))
        .await;
    res.problem(429);
    let retry: i64 = res.header("retry-after").unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 3600);
    assert_eq!(rows_of(&app, "subscription_confirm").len(), limit as usize);
    app.post("/api/v1/subscriptions", None, body("b@example.com"))
        .await
        .ok(202);
    app.clock().advance(TimeDelta::minutes(61));
    app.post("/api/v1/subscriptions", None, body("a@example.com"))
        .await
        .ok(202);
}

async fn subscription_requests_are_validated(app: TestApp) {
    let post = |body: Value| app.post("/api/v1/subscriptions", None, body);
    let doc = post(json!({"email": "a@example.com", "scope": {"kind": "everything"}}))
        .await
        .problem(422);
    assert!(doc["errors"]["scope.kind"].is_array());
    let doc = post(json!({"email": "a@example.com", "scope": {"kind": "agency"}}))
        .await
        .problem(422);
    assert!(doc["errors"]["scope.value"].is_array());
    let doc = post(json!({"email": "not-mail", "scope": {"kind": "all"}}))
        .await
        .problem(422);
    assert!(doc["errors"]["email"].is_array());
    let doc = post(json!({"email": "a@example.com", "scope": {"kind": "draft", "value": "NOPE"}}))
        .await
        .problem(422);
    assert!(doc["errors"]["scope.value"].is_array());
    let doc = post(json!({"email": "a@example.com", "scope": {"kind": "all"}, "locale": "fr"}))
        .await
        .problem(422);
    assert!(doc["errors"]["locale"].is_array());
    let doc = post(json!({"email": "a@example.com", "scope": {"kind": "all"}, "lcoale": "en"}))
        .await
        .problem(422);
    assert!(doc["errors"]["lcoale"].is_array());
    assert!(rows(&app).is_empty(), "bad input changes nothing");
}

async fn one_click_and_page_unsubscribe_stop_the_mail(app: TestApp) {
    subscribe_confirmed(&app, "one@example.com", "all", None, "en").await;
    subscribe_confirmed(&app, "two@example.com", "all", None, "zh-CN").await;
    let first = insert_draft(&app, DraftSpec::open(app.now()));
    scan(&app);
    deliver(&app);
    let opened = rows_of(&app, "draft_opened");
    assert_eq!(opened.len(), 2);
    let url_of = |m: &OutboxMessage| {
        let headers: Vec<(String, String)> =
            serde_json::from_str(m.headers.as_deref().unwrap()).unwrap();
        let lu = headers
            .iter()
            .find(|(k, _)| k == "List-Unsubscribe")
            .unwrap()
            .1
            .clone();
        let url = lu.trim_matches(|c| c == '<' || c == '>').to_string();
        url.strip_prefix("http://127.0.0.1:8080")
            .unwrap()
            .to_string()
    };
    let one = opened
        .iter()
        .find(|m| m.recipient == "one@example.com")
        .unwrap();
    let two = opened
        .iter()
        .find(|m| m.recipient == "two@example.com")
        .unwrap();
    // RFC 8058: the mail client POSTs a form body to the List-Unsubscribe URL.
    let res = app
        .call(
            actix_web::test::TestRequest::post()
                .uri(&url_of(one))
                .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
                .set_payload("List-Unsubscribe=One-Click"),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    // The link in the text part opens a page; GET alone changes nothing, its button does.
    let page_path = format!(
        "/subscriptions/unsubscribe?token={}",
        token_after(two.body_text.as_deref().unwrap(), "unsubscribe?token=")
    );
    let page = app.get(&page_path, None).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("<form method=\"post\""));
    let done = app.post(&page_path, None, json!({})).await;
    assert_eq!(done.status, 200);
    app.get("/subscriptions/unsubscribe?token=s.X.bad", None)
        .await
        .problem(404);
    app.post(
        "/api/v1/subscriptions/unsubscribe?token=s.X.bad",
        None,
        json!({}),
    )
    .await
    .problem(404);
    // Neither hears of the next draft.
    let _ = first;
    insert_draft(&app, DraftSpec::open(app.now()));
    scan(&app);
    assert_eq!(
        rows_of(&app, "draft_opened").len(),
        2,
        "no new mail after unsubscribing"
    );
}

// ---------------------------------------------------------------------------------------
// R22: events

async fn only_confirmed_subscribers_hear_that_a_scheduled_draft_opened_and_only_once(app: TestApp) {
    let mut spec = DraftSpec::open(app.now());
    spec.opens_at = app.now() + TimeDelta::days(2);
    spec.closes_at = app.now() + TimeDelta::days(22);
    let draft = insert_draft(&app, spec);
    subscribe_confirmed(&app, "all@example.com", "all", None, "zh-CN").await;
    subscribe_confirmed(
        &app,
        "agency@example.com",
        "agency",
        Some("龙岭县司法局"),
        "en",
    )
    .await;
    subscribe_confirmed(
        &app,
        "category@example.com",
        "category",
        Some("规范性文件"),
        "zh-CN",
    )
    .await;
    subscribe_confirmed(&app, "draft@example.com", "draft", Some(&draft), "en").await;
    subscribe_confirmed(
        &app,
        "other@example.com",
        "agency",
        Some("另一个局"),
        "zh-CN",
    )
    .await;
    // Subscribed twice (all and agency): one mail.
    subscribe_confirmed(&app, "twice@example.com", "all", None, "zh-CN").await;
    subscribe_confirmed(
        &app,
        "twice@example.com",
        "agency",
        Some("龙岭县司法局"),
        "zh-CN",
    )
    .await;
    app.post(
        "/api/v1/subscriptions",
        None,
        json!({"email": "pending@example.com", "scope": {"kind": "all"}}),
    )
    .await
    .ok(202);
    // Scheduled: nothing yet.
    scan(&app);
    assert!(rows_of(&app, "draft_opened").is_empty());
    app.clock()
        .advance(TimeDelta::days(2) + TimeDelta::minutes(1));
    // Several nodes scanning at once: the events key lets one of them win.
    scan(&app);
    scan(&app);
    consult::jobs::tick(&app.state.job_context());
    assert_eq!(
        recipients_of(&app, "draft_opened"),
        vec![
            "agency@example.com",
            "all@example.com",
            "category@example.com",
            "draft@example.com",
            "twice@example.com",
        ]
    );
    let events: i64 = mail_events::table
        .filter(mail_events::draft_id.eq(&draft))
        .filter(mail_events::kind.eq("opened"))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(events, 1);
    deliver(&app);
    let en = rows_of(&app, "draft_opened")
        .into_iter()
        .find(|m| m.recipient == "agency@example.com")
        .unwrap();
    assert!(
        en.subject.unwrap().starts_with("Open for comment"),
        "R24: recipient's locale"
    );
    let zh = rows_of(&app, "draft_opened")
        .into_iter()
        .find(|m| m.recipient == "all@example.com")
        .unwrap();
    assert!(zh.subject.unwrap().starts_with("开始征求意见"));
}

async fn closing_soon_is_announced_once_within_the_configured_days(app: TestApp) {
    subscribe_confirmed(&app, "a@example.com", "all", None, "zh-CN").await;
    let spec = DraftSpec::open(app.now()); // closes in 18 days
    let closes = spec.closes_at;
    insert_draft(&app, spec);
    scan(&app);
    assert_eq!(rows_of(&app, "draft_opened").len(), 1);
    assert!(rows_of(&app, "draft_closing_soon").is_empty());
    let days = i64::from(app.state.config.window.closing_soon_days);
    app.set_now(&(closes - TimeDelta::days(days) - TimeDelta::hours(1)).to_rfc3339());
    scan(&app);
    assert!(rows_of(&app, "draft_closing_soon").is_empty(), "not yet");
    app.set_now(&(closes - TimeDelta::days(days) + TimeDelta::hours(1)).to_rfc3339());
    scan(&app);
    scan(&app);
    app.clock().advance(TimeDelta::days(1));
    scan(&app);
    assert_eq!(
        recipients_of(&app, "draft_closing_soon"),
        vec!["a@example.com"]
    );
    deliver(&app);
    let m = &rows_of(&app, "draft_closing_soon")[0];
    assert!(m.body_text.as_deref().unwrap().contains("24时结束"));
}

async fn an_extension_mails_the_subscribers_in_their_language(app: TestApp) {
    let draft = insert_draft(&app, DraftSpec::open(app.now()));
    subscribe_confirmed(&app, "en@example.com", "draft", Some(&draft), "en").await;
    subscribe_confirmed(&app, "zh@example.com", "all", None, "zh-CN").await;
    let now = app.now();
    let n = consult::db::write_tx(&mut app.conn(), |conn| {
        consult::mail::events::draft_extended(
            conn,
            now,
            &draft,
            NaiveDate::from_ymd_opt(2026, 3, 19).unwrap(),
            NaiveDate::from_ymd_opt(2026, 3, 29).unwrap(),
            "收到较多意见，延长征求意见期",
        )
    })
    .unwrap();
    assert_eq!(n, 2);
    deliver(&app);
    let en = rows_of(&app, "draft_extended")
        .into_iter()
        .find(|m| m.recipient == "en@example.com")
        .unwrap();
    let text = en.body_text.unwrap();
    assert!(
        text.contains("extended from 19 March 2026 to 29 March 2026"),
        "{text}"
    );
    assert!(text.contains("收到较多意见"));
    let zh = rows_of(&app, "draft_extended")
        .into_iter()
        .find(|m| m.recipient == "zh@example.com")
        .unwrap();
    assert!(zh.body_text.unwrap().contains("延长至2026年3月29日"));
}

async fn a_published_report_reaches_subscribers_and_commenters_each_address_once(app: TestApp) {
    let draft = insert_draft(&app, DraftSpec::closed(app.now()));
    let other = insert_draft(&app, DraftSpec::closed(app.now()));
    subscribe_confirmed(&app, "sub@example.com", "all", None, "zh-CN").await;
    subscribe_confirmed(&app, "both@example.com", "draft", Some(&draft), "en").await;
    let comment = |email: Option<&str>, locale: &'static str| {
        let mut c = CommentSpec::new("意见");
        c.email = email.map(str::to_string);
        c.locale = locale;
        c
    };
    insert_comment(&app, &draft, comment(Some("BOTH@example.com"), "zh-CN"));
    insert_comment(&app, &draft, comment(Some("commenter@example.com"), "en"));
    insert_comment(&app, &draft, comment(Some("commenter@example.com"), "en"));
    insert_comment(&app, &draft, comment(None, "zh-CN"));
    insert_comment(&app, &draft, comment(Some("quiet@example.com"), "zh-CN"));
    insert_comment(
        &app,
        &other,
        comment(Some("elsewhere@example.com"), "zh-CN"),
    );
    // quiet@ said "no more mail" through a one-click link of an earlier mail.
    let token = consult::mail::links::unsubscribe_token(
        &app.state.secret,
        &consult::mail::links::Unsubscribe::Address("quiet@example.com".into()),
    );
    app.post(
        &format!("/api/v1/subscriptions/unsubscribe?token={token}"),
        None,
        json!({}),
    )
    .await
    .ok(200);
    let now = app.now();
    let publish = |app: &TestApp| {
        consult::db::write_tx(&mut app.conn(), |conn| {
            consult::mail::events::report_published(conn, now, &draft)
        })
        .unwrap()
    };
    assert_eq!(publish(&app), 3);
    assert_eq!(
        recipients_of(&app, "report_published"),
        vec![
            "both@example.com",
            "commenter@example.com",
            "sub@example.com"
        ]
    );
    // Called twice (a retried transaction): nothing more.
    assert_eq!(publish(&app), 0);
    deliver(&app);
    let commenter = rows_of(&app, "report_published")
        .into_iter()
        .find(|m| m.recipient == "commenter@example.com")
        .unwrap();
    assert_eq!(commenter.locale, "en");
    let text = commenter.body_text.unwrap();
    assert!(text.contains(&format!("/drafts/{draft}/report")));
    assert!(text.contains("you commented on this draft"));
    assert!(commenter.headers.unwrap().contains("List-Unsubscribe-Post"));
}

async fn invitations_go_to_listed_addresses_or_to_a_scope(app: TestApp) {
    let drafter = app.staff("drafter", &[Role::Drafter]);
    let moderator = app.staff("moderator", &[Role::Moderator]);
    let draft = insert_draft(&app, DraftSpec::open(app.now()));
    subscribe_confirmed(
        &app,
        "sub@example.com",
        "agency",
        Some("龙岭县司法局"),
        "en",
    )
    .await;
    let starts = (app.now() + TimeDelta::days(5)).to_rfc3339();
    let path = format!("/api/v1/drafts/{draft}/invitations");
    let event = json!({"kind": "hearing", "starts_at": starts, "place": "县政府三楼会议室"});
    app.post(
        &path,
        Some(&moderator),
        json!({"emails": ["a@example.com"], "event": event}),
    )
    .await
    .problem(403);
    app.post(
        "/api/v1/drafts/NOPE/invitations",
        Some(&drafter),
        json!({"emails": ["a@example.com"], "event": event}),
    )
    .await
    .problem(404);
    let doc = app
        .post(
            &path,
            Some(&drafter),
            json!({"emails": ["a@example.com"], "scope": {"kind": "all"}, "event": event}),
        )
        .await
        .problem(422);
    assert!(doc["errors"]["emails"].is_array());
    let past = json!({"kind": "symposium", "starts_at": "2020-01-01T00:00:00Z", "place": "x"});
    let doc = app
        .post(
            &path,
            Some(&drafter),
            json!({"emails": ["bad", "a@example.com"], "event": past}),
        )
        .await
        .problem(422);
    assert!(doc["errors"]["event.starts_at"].is_array() && doc["errors"]["emails[0]"].is_array());
    assert!(rows_of(&app, "invitation").is_empty());

    let res = app
        .post(
            &path,
            Some(&drafter),
            json!({"emails": ["a@example.com", "B@example.com", "a@example.com"], "event": event}),
        )
        .await
        .ok(202);
    assert_eq!(res["queued"], 2);
    let res = app
        .post(
            &path,
            Some(&drafter),
            json!({"scope": {"kind": "agency", "value": "龙岭县司法局"},
                   "event": {"kind": "symposium", "starts_at": starts, "place": "座谈会议室"}}),
        )
        .await
        .ok(202);
    assert_eq!(res["queued"], 1);
    assert_eq!(
        recipients_of(&app, "invitation"),
        vec!["B@example.com", "a@example.com", "sub@example.com"]
    );
    assert!(
        audit_actions(&app)
            .iter()
            .any(|(a, _)| a == "draft.invitations")
    );
    deliver(&app);
    let sub = rows_of(&app, "invitation")
        .into_iter()
        .find(|m| m.recipient == "sub@example.com")
        .unwrap();
    assert!(
        sub.subject
            .unwrap()
            .starts_with("Invitation to a symposium")
    );
    assert!(sub.body_text.unwrap().contains("座谈会议室"));
}

async fn staff_are_reminded_of_an_unpublished_report_before_and_after_it_is_due(app: TestApp) {
    let spec = DraftSpec::closed(app.now());
    let closes = spec.closes_at;
    let draft = insert_draft(&app, spec);
    // A concluded draft (its report is out) gets no reminders.
    let mut done = DraftSpec::closed(app.now());
    done.state = "concluded";
    insert_draft(&app, done);
    let due = closes + TimeDelta::days(i64::from(app.state.config.review.report_due_days));
    let reminders = |app: &TestApp| {
        rows_of(app, "report_reminder")
            .into_iter()
            .map(|m| {
                (
                    m.recipient,
                    serde_json::from_str::<Value>(&m.payload).unwrap()["stage"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                )
            })
            .collect::<Vec<_>>()
    };
    scan(&app);
    assert!(reminders(&app).is_empty());
    app.set_now(&(due - TimeDelta::weeks(4) + TimeDelta::minutes(1)).to_rfc3339());
    scan(&app);
    scan(&app);
    let got = reminders(&app);
    assert_eq!(got.len(), 1);
    assert!(got[0].0.starts_with("drafter-") && got[0].0.ends_with("@example.gov.cn"));
    assert_eq!(got[0].1, "report_due_4w");
    app.set_now(&(due - TimeDelta::weeks(1) + TimeDelta::minutes(1)).to_rfc3339());
    scan(&app);
    app.set_now(&(due + TimeDelta::days(1)).to_rfc3339());
    scan(&app);
    scan(&app);
    let stages: Vec<String> = reminders(&app).into_iter().map(|(_, s)| s).collect();
    assert_eq!(
        stages,
        vec!["report_due_4w", "report_due_1w", "report_overdue"]
    );
    deliver(&app);
    let overdue = rows_of(&app, "report_reminder").pop().unwrap();
    assert!(overdue.subject.unwrap().contains("逾期"));
    // Once the report is out (the draft concluded) nothing more comes.
    diesel::update(drafts::table.find(&draft))
        .set(drafts::state.eq("concluded"))
        .execute(&mut *app.conn())
        .unwrap();
    app.clock().advance(TimeDelta::days(30));
    scan(&app);
    assert_eq!(reminders(&app).len(), 3);
}

async fn sent_mails_leave_the_outbox_after_the_configured_days_and_failed_ones_stay(app: TestApp) {
    let ids: Vec<String> = (0..4)
        .map(|i| {
            enqueue(
                &app,
                "draft_opened",
                &format!("p{i}@example.com"),
                json!({}),
                None,
            )
        })
        .collect();
    deliver(&app);
    let now = app.now();
    let at = |days: i64| Some((now - TimeDelta::days(days)).naive_utc());
    // Sent 100 and 80 days ago, failed 100 days ago, and one still waiting.
    for (id, status, sent_at) in [
        (&ids[0], "sent", at(100)),
        (&ids[1], "sent", at(80)),
        (&ids[2], "failed", None),
        (&ids[3], "queued", None),
    ] {
        diesel::update(outbox::table.find(id))
            .set((outbox::status.eq(status), outbox::sent_at.eq(sent_at)))
            .execute(&mut *app.conn())
            .unwrap();
    }
    let left = |app: &TestApp| -> Vec<String> {
        outbox::table
            .order(outbox::id)
            .select(outbox::id)
            .load(&mut *app.conn())
            .unwrap()
    };
    let mut keep = app.state.config.as_ref().clone();
    keep.mail.keep_sent_days = 0;
    consult::jobs::housekeeping::run(&app.state.pool, &keep, now).unwrap();
    assert_eq!(left(&app).len(), 4, "0 keeps every mail");
    assert_eq!(app.state.config.mail.keep_sent_days, 90);
    consult::jobs::housekeeping::run(&app.state.pool, &app.state.config, now).unwrap();
    let mut expected = ids[1..].to_vec();
    expected.sort();
    assert_eq!(
        left(&app),
        expected,
        "only the mail sent more than 90 days ago went"
    );
}
