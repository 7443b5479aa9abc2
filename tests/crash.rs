//! Crash safety (R10, R19, R23, R26). A real `consult serve` is killed with SIGKILL while it
//! sends a few hundred mails, and while it publishes a report; after a restart nothing queued
//! is lost, a mail goes out twice only if the killed process had claimed it and not yet marked
//! it sent (the documented window), a report is published all or nothing, and `consult audit
//! verify` finds the chain intact. On SQLite, every acknowledged comment is in a copy of the
//! database files taken when the WAL's fsync was called, which is what a power cut at that
//! moment would keep at least; on PostgreSQL the comment writer's commits wait for the flush.
//! (The SIGKILL under comment load is in tests/comments_durability.rs.)

use crate::common;

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::Child;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use common::fixtures::{CommentSpec, DraftSpec, insert_comment, insert_draft};
use common::{Db, TestApp};
use consult::db::outbox::NewMail;
use consult::db::schema::{audit_log, drafts, mail_events, outbox, reports, subscriptions};
use consult::domain::roles::Role;
use diesel::prelude::*;
use serde_json::{Value, json};

both!(
    a_server_killed_while_sending_resends_only_the_mails_it_had_claimed,
    a_server_killed_while_publishing_a_report_publishes_nothing_and_the_retry_publishes_once,
);

/// A real `consult serve` on the test's database, with a settable clock.
struct Server {
    child: Child,
    base: String,
    config: PathBuf,
    name: String,
}

impl Server {
    /// Writes `{name}.toml` (the given `[mail]` lines) and starts the server with `env`.
    fn start(app: &TestApp, name: &str, mail: &str, env: &[(&str, &str)]) -> Server {
        let (config, port) = common::server_config(
            app,
            name,
            &format!(
                r#"[review]
semantic_model = ""

[testing]
clock_control = true

[mail]
{mail}"#
            ),
        );
        let child = common::start_server_with_env(&config, name, env);
        Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
            config,
            name: name.to_string(),
        }
    }

    /// The name its mail worker claims under (`HOSTNAME:pid:…`).
    fn worker_prefix(&self) -> String {
        format!("{}:{}:", self.name, self.child.id())
    }

    fn kill(&mut self) {
        self.child.kill().expect("SIGKILL"); // std sends SIGKILL on Unix
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .into()
}

/// A JSON call with a bearer token: status and body, or the transport error.
fn call(method: &str, url: &str, token: &str, body: Value) -> Result<(u16, Value), ureq::Error> {
    let auth = format!("Bearer {token}");
    let mut res = match method {
        "POST" => agent()
            .post(url)
            .header("Authorization", &auth)
            .send_json(body)?,
        "PUT" => agent()
            .put(url)
            .header("Authorization", &auth)
            .send_json(body)?,
        other => panic!("method {other}"),
    };
    let status = res.status().as_u16();
    let text = res.body_mut().read_to_string().unwrap_or_default();
    Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
}

/// Sets a server's clock (it runs on from there).
fn set_clock(server: &Server, admin: &str, at: DateTime<Utc>) {
    let (status, v) = call(
        "PUT",
        &format!("{}/api/v1/test/clock", server.base),
        admin,
        json!({ "now": at.to_rfc3339() }),
    )
    .unwrap();
    assert_eq!(status, 200, "{v}");
}

/// Polls `check` every 50 ms until it holds, or fails after `secs`.
#[track_caller]
fn wait_until(secs: u64, what: &str, mut check: impl FnMut() -> bool) {
    let until = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < until {
        if check() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{what}: not within {secs} s");
}

/// An SMTP server that accepts every message, pausing `pause` before each answer (so that a
/// batch takes a while to send), and records the `Message-ID` of each message it accepted,
/// repeats included.
struct SmtpListener {
    port: u16,
    received: Arc<Mutex<Vec<String>>>,
}

impl SmtpListener {
    fn start(pause: Duration) -> SmtpListener {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = received.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let log = log.clone();
                std::thread::spawn(move || serve_smtp(conn, &log, pause));
            }
        });
        SmtpListener { port, received }
    }

    fn received(&self) -> Vec<String> {
        self.received.lock().unwrap().clone()
    }
}

fn serve_smtp(stream: TcpStream, log: &Mutex<Vec<String>>, pause: Duration) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut out = stream;
    let read_line = |reader: &mut BufReader<TcpStream>| -> Option<String> {
        quick_ack(reader.get_ref());
        let mut line = Vec::new();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(String::from_utf8_lossy(&line).into_owned()),
        }
    };
    if out.write_all(b"220 crash-test ESMTP\r\n").is_err() {
        return;
    }
    while let Some(line) = read_line(&mut reader) {
        let command = line.trim_end().to_ascii_uppercase();
        let reply: &[u8] = if command.starts_with("EHLO") || command.starts_with("HELO") {
            b"250-crash-test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
        } else if command == "DATA" {
            if out.write_all(b"354 end with .\r\n").is_err() {
                return;
            }
            let (mut id, mut in_head) = (None, true);
            loop {
                let Some(l) = read_line(&mut reader) else {
                    return; // the sender died mid-message: not accepted
                };
                if l == ".\r\n" {
                    break;
                }
                if l == "\r\n" {
                    in_head = false;
                } else if in_head
                    && let Some((k, v)) = l.split_once(':')
                    && k.eq_ignore_ascii_case("message-id")
                {
                    id = Some(v.trim().to_string());
                }
            }
            std::thread::sleep(pause);
            log.lock().unwrap().push(id.unwrap_or_default());
            b"250 accepted\r\n"
        } else if command == "QUIT" {
            let _ = out.write_all(b"221 bye\r\n");
            return;
        } else {
            b"250 ok\r\n"
        };
        if out.write_all(reply).is_err() {
            return;
        }
    }
}

/// Acknowledges what arrives at once instead of after the delayed-ACK timer (Linux), which
/// the client's Nagle algorithm would otherwise wait for at the end of every message.
fn quick_ack(stream: &TcpStream) {
    use std::os::fd::AsRawFd;
    let on: libc::c_int = 1;
    // SAFETY: a valid socket descriptor and an int option of the right size.
    unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_QUICKACK,
            (&on as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        );
    }
}

fn unsent(app: &TestApp) -> i64 {
    outbox::table
        .filter(outbox::status.ne("sent"))
        .count()
        .get_result(&mut *app.conn())
        .unwrap()
}

/// How many mails of this size the worker claims in one pass (`mail::outbox`'s batch).
const BATCH: usize = 50;

/// R23: SIGKILL in the middle of an outbox run. Three hundred mails are queued; the server
/// sends them to a real SMTP listener and is killed after some, not all, were accepted. The
/// rows it had claimed and not marked sent are read from the database right after the kill:
/// that is the documented window in which a mail may go out twice. After a restart (its
/// clock moved past the claims' lease) the outbox drains: every row was delivered, none was
/// lost, only rows of that window were delivered twice, and the audit chain is intact.
async fn a_server_killed_while_sending_resends_only_the_mails_it_had_claimed(app: TestApp) {
    let start = Utc::now();
    app.clock().set(start);
    let admin = app.staff("crash-admin", &[Role::Admin]);
    let draft = insert_draft(&app, DraftSpec::open(start));
    let queued: HashSet<String> = consult::db::write_tx(&mut app.conn(), |conn| {
        (0..300)
            .map(|i| {
                consult::db::outbox::enqueue(
                    conn,
                    start,
                    &NewMail {
                        kind: "draft_opened",
                        recipient: &format!("reader{i}@example.com"),
                        locale: "zh-CN",
                        payload: json!({}),
                        draft_id: Some(&draft),
                        dedupe_key: None,
                    },
                )
                .map(Option::unwrap)
            })
            .collect::<QueryResult<HashSet<String>>>()
    })
    .unwrap();
    assert_eq!(queued.len(), 300);

    // 15 ms per message: a pass of 50 takes most of a second, so the kill lands inside one.
    let smtp = SmtpListener::start(Duration::from_millis(15));
    let mail = format!(
        "transport = \"smtp\"\n[mail.smtp]\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\ntimeout_s = 10\n",
        smtp.port
    );
    let mut first = Server::start(&app, "sender-1", &mail, &[]);
    let prefix = first.worker_prefix();
    // Kill it inside its second pass: the first pass's fifty are marked sent by then.
    wait_until(30, "some mails delivered", || {
        smtp.received().len() >= BATCH + BATCH / 2
    });
    first.kill();
    let before_restart = smtp.received();
    assert!(
        before_restart.len() < queued.len(),
        "killed before it sent everything"
    );

    // The window: rows the killed worker had claimed and not marked sent.
    let window: HashSet<String> = outbox::table
        .filter(outbox::status.ne("sent"))
        .filter(outbox::claimed_by.like(format!("{prefix}%")))
        .select(outbox::message_id)
        .load::<String>(&mut *app.conn())
        .unwrap()
        .into_iter()
        .collect();
    assert!(
        !window.is_empty(),
        "killed between two passes: the test missed the window it is about"
    );
    assert!(
        window.len() <= BATCH,
        "{} rows claimed at the kill, more than one pass claims",
        window.len()
    );
    // Nothing is marked sent that the listener did not accept.
    let marked: Vec<String> = outbox::table
        .filter(outbox::status.eq("sent"))
        .select(outbox::message_id)
        .load(&mut *app.conn())
        .unwrap();
    let accepted: HashSet<&String> = before_restart.iter().collect();
    assert!(
        marked.iter().all(|m| accepted.contains(m)),
        "a row marked sent that was never delivered"
    );

    // Restart; past the lease the abandoned claims are taken again.
    let second = Server::start(&app, "sender-2", &mail, &[]);
    set_clock(
        &second,
        &admin,
        Utc::now() + consult::domain::mail::claim_lease() + TimeDelta::minutes(5),
    );
    wait_until(30, "the outbox drained after the restart", || {
        unsent(&app) == 0
    });

    let rows: HashMap<String, (String, String)> = outbox::table
        .select((outbox::message_id, outbox::id, outbox::status))
        .load::<(String, String, String)>(&mut *app.conn())
        .unwrap()
        .into_iter()
        .map(|(m, id, status)| (m, (id, status)))
        .collect();
    let ids: HashSet<String> = rows.values().map(|(id, _)| id.clone()).collect();
    assert!(ids.is_superset(&queued), "a queued mail row was lost");
    assert!(
        rows.values().all(|(_, status)| status == "sent"),
        "every row sent"
    );
    let mut deliveries: HashMap<String, usize> = HashMap::new();
    for m in smtp.received() {
        assert!(rows.contains_key(&m), "a mail without an outbox row: {m}");
        *deliveries.entry(m).or_insert(0) += 1;
    }
    let never: Vec<_> = rows
        .keys()
        .filter(|m| !deliveries.contains_key(*m))
        .collect();
    assert!(never.is_empty(), "never delivered: {never:?}");
    let twice: HashSet<String> = deliveries
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(m, _)| m.clone())
        .collect();
    assert!(
        deliveries.values().all(|n| *n <= 2),
        "a mail delivered more than twice"
    );
    let outside: Vec<_> = twice.difference(&window).collect();
    assert!(
        outside.is_empty(),
        "sent twice outside the claimed-and-unmarked window: {outside:?}"
    );
    common::assert_audit_intact(&second.config);
    eprintln!(
        "outbox crash: {} of {} delivered before the kill, {} claimed and unmarked at the kill, {} delivered twice",
        before_restart.len(),
        queued.len(),
        window.len(),
        twice.len()
    );
}

/// Everything a report's publication changes, as one comparable value.
#[derive(Debug, PartialEq)]
struct Publication {
    /// id, state, approver, publication time, last change
    reports: Vec<ReportState>,
    /// state, concluded at, public version
    draft: (String, Option<NaiveDateTime>, i64),
    published_mails: Vec<String>,
    mail_events: i64,
    audit_actions: Vec<String>,
}

type ReportState = (
    String,
    String,
    Option<String>,
    Option<NaiveDateTime>,
    NaiveDateTime,
);

fn publication(app: &TestApp, draft: &str) -> Publication {
    let mut conn = app.conn();
    let mut published_mails: Vec<String> = outbox::table
        .filter(outbox::kind.eq("report_published"))
        .select(outbox::recipient)
        .load(&mut *conn)
        .unwrap();
    published_mails.sort();
    Publication {
        reports: reports::table
            .filter(reports::draft_id.eq(draft))
            .order(reports::version.asc())
            .select((
                reports::id,
                reports::state,
                reports::approved_by,
                reports::published_at,
                reports::updated_at,
            ))
            .load(&mut *conn)
            .unwrap(),
        draft: drafts::table
            .find(draft)
            .select((drafts::state, drafts::concluded_at, drafts::public_version))
            .first(&mut *conn)
            .unwrap(),
        published_mails,
        mail_events: mail_events::table
            .filter(mail_events::draft_id.eq(draft))
            .count()
            .get_result(&mut *conn)
            .unwrap(),
        audit_actions: audit_log::table
            .order(audit_log::seq.asc())
            .select(audit_log::action)
            .load(&mut *conn)
            .unwrap(),
    }
}

/// R19/R22/R26: SIGKILL inside the transaction that publishes an approved report. The server
/// runs with `CONSULT_CRASH_POINT=report-publish`, which kills it just before that COMMIT
/// with every row of the publication written. After the kill nothing of it is there (the
/// report still awaits approval, the draft is not concluded, no mail is queued, no audit
/// entry); after a restart the approval succeeds once, its mail is queued once per
/// recipient, a second approval is refused, and the audit chain is intact.
async fn a_server_killed_while_publishing_a_report_publishes_nothing_and_the_retry_publishes_once(
    app: TestApp,
) {
    let start = Utc::now();
    app.clock().set(start);
    let officer = app.staff("crash-officer", &[Role::Drafter, Role::Moderator]);
    let approver = app.staff("crash-approver", &[Role::Approver]);
    let draft = insert_draft(&app, DraftSpec::closed(start));
    diesel::update(drafts::table.find(&draft))
        .set(drafts::drafter_id.eq(app.user_id("crash-officer")))
        .execute(&mut *app.conn())
        .unwrap();
    let now = start.naive_utc();
    diesel::insert_into(subscriptions::table)
        .values((
            subscriptions::id.eq("sub-crash"),
            subscriptions::email.eq("reader@example.com"),
            subscriptions::email_normalized.eq("reader@example.com"),
            subscriptions::scope_kind.eq("all"),
            subscriptions::scope_value.eq(""),
            subscriptions::locale.eq("zh-CN"),
            subscriptions::status.eq("confirmed"),
            subscriptions::created_at.eq(now),
            subscriptions::confirmed_at.eq(Some(now)),
        ))
        .execute(&mut *app.conn())
        .unwrap();
    for who in ["one@example.com", "two@example.com"] {
        let mut spec = CommentSpec::new("建议明确第三条的适用范围。");
        spec.email = Some(who.into());
        let (id, _, _) = insert_comment(&app, &draft, spec);
        app.put(
            &format!("/api/v1/comments/{id}/disposition"),
            Some(&officer),
            json!({"outcome": "adopted"}),
        )
        .await
        .ok(200);
    }
    let report = format!("/api/v1/drafts/{draft}/report");
    app.post(&report, Some(&officer), json!({})).await.ok(201);
    let submitted = app
        .post(
            &format!("{report}/actions"),
            Some(&officer),
            json!({"action": "submit"}),
        )
        .await
        .ok(200);
    assert_eq!(submitted["state"], "awaiting_approval", "{submitted}");
    let before = publication(&app, &draft);

    // The approval reaches a server armed to die inside the publishing transaction.
    let files = format!(
        "transport = \"file\"\nfile_dir = \"{}\"\n",
        app.db.dir.path().join("mail").display()
    );
    let mut armed = Server::start(
        &app,
        "publisher-1",
        &files,
        &[("CONSULT_CRASH_POINT", "report-publish")],
    );
    let actions = |s: &Server| format!("{}{report}/actions", s.base);
    let answer = call(
        "POST",
        &actions(&armed),
        &approver,
        json!({"action": "approve"}),
    );
    assert!(answer.is_err(), "answered instead of dying: {answer:?}");
    let status = armed.child.wait().unwrap();
    assert_eq!(status.signal(), Some(9), "killed by SIGKILL: {status:?}");
    let after_kill = publication(&app, &draft);
    assert_eq!(
        after_kill, before,
        "the killed publication left part of itself behind"
    );

    // Restarted without the crash point: the approval publishes, once.
    let server = Server::start(&app, "publisher-2", &files, &[]);
    let (status, published) = call(
        "POST",
        &actions(&server),
        &approver,
        json!({"action": "approve"}),
    )
    .unwrap();
    assert_eq!(status, 200, "{published}");
    assert_eq!(published["state"], "published");
    let (status, again) = call(
        "POST",
        &actions(&server),
        &approver,
        json!({"action": "approve"}),
    )
    .unwrap();
    assert_eq!(status, 409, "approved twice: {again}");
    let after = publication(&app, &draft);
    assert_eq!(
        after.published_mails,
        vec!["one@example.com", "reader@example.com", "two@example.com"],
        "the publication mail, once per recipient"
    );
    assert_eq!(after.draft.0, "concluded", "the draft concluded");
    assert_eq!(
        after
            .audit_actions
            .iter()
            .filter(|a| a.as_str() == "report.published")
            .count(),
        1,
        "{:?}",
        after.audit_actions
    );
    common::assert_audit_intact(&server.config);
}

// ---- SQLite: an acknowledgement only after the fsync ----

/// The power-cut copies the wrapped fsync takes: the newest one, and how many were taken.
#[derive(Default)]
struct PowerCuts {
    latest: Mutex<Option<Arc<tempfile::TempDir>>>,
    taken: std::sync::atomic::AtomicUsize,
}

impl PowerCuts {
    /// Copies the database file and its WAL as they are now (everything written before the
    /// fsync is called: what a power cut right after it would keep at least), then makes it
    /// the newest copy.
    fn take(&self, wal: &Path) -> std::io::Result<()> {
        let name = wal.file_name().unwrap().to_string_lossy();
        let db = wal.with_file_name(name.strip_suffix("-wal").unwrap());
        let dir = tempfile::tempdir()?;
        std::fs::copy(&db, dir.path().join("cut.db"))?;
        std::fs::copy(wal, dir.path().join("cut.db-wal"))?;
        *self.latest.lock().unwrap() = Some(Arc::new(dir));
        self.taken
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }

    fn newest(&self) -> Option<Arc<tempfile::TempDir>> {
        self.latest.lock().unwrap().clone()
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// Whether the copy holds the comment: opened, WAL and all, as SQLite would after the power
/// came back (in a directory of its own, so the copy itself stays as it was).
fn copy_holds(cut: &Path, tracking: &str) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("after-power-cut.db");
    std::fs::copy(cut.join("cut.db"), &db).unwrap();
    std::fs::copy(
        cut.join("cut.db-wal"),
        dir.path().join("after-power-cut.db-wal"),
    )
    .unwrap();
    let mut conn = SqliteConnection::establish(&db.display().to_string()).unwrap();
    diesel::sql_query("SELECT COUNT(*) AS n FROM comments WHERE tracking_number = ?")
        .bind::<diesel::sql_types::Text, _>(tracking)
        .get_result::<Count>(&mut conn)
        .unwrap()
        .n
        == 1
}

fn sha256_of(path: &Path) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(std::fs::read(path).unwrap()).to_vec()
}

/// R10 on SQLite: the writer commits without waiting for the disk and a second thread fsyncs
/// the WAL before anyone is answered. Here that fsync is wrapped: each call first copies the
/// database file and the WAL (a lower bound of what a power cut would leave once the fsync
/// returns), then syncs. Comments come in from several clients at once; whenever one is
/// acknowledged, its tracking number must be in the newest copy. A writer that answered
/// before the fsync, or skipped it, fails this: the copy would be older than the comment.
///
/// A read transaction opened on an empty WAL is held for the whole test, so that no
/// checkpoint copies frames into the database file and the WAL only grows: any later copy
/// holds everything an earlier one did, and a copy is never torn between the two files.
#[actix_web::test]
async fn sqlite_acknowledges_only_comments_a_power_cut_at_the_fsync_would_keep() {
    use consult::jobs::comment_writer::CommentIntake;
    use diesel::connection::SimpleConnection;
    use std::sync::atomic::Ordering;

    let cuts = Arc::new(PowerCuts::default());
    let hook = cuts.clone();
    let app = TestApp::start_adjusted(
        Db::Sqlite,
        |c| {
            c.limits.comment_per_ip_per_hour = 1_000_000;
            c.limits.comments_per_email_per_draft = 1_000_000;
        },
        move |state| {
            state.comments = CommentIntake::start_with_wal_sync(
                state.pool.clone(),
                state.backend,
                state.secret.clone(),
                state.metrics.comment_batch.clone(),
                Arc::new(move |wal| {
                    hook.take(wal)?;
                    consult::jobs::durable_ack::sync_wal(wal)
                }),
            );
        },
    )
    .await
    .unwrap();
    let draft = insert_draft(&app, DraftSpec::open(app.now()));

    // Empty the WAL into the database file, then hold a read transaction on it.
    let db_file = app.db.dir.path().join("consult.db");
    let mut pin = SqliteConnection::establish(&db_file.display().to_string()).unwrap();
    pin.batch_execute("PRAGMA busy_timeout = 5000").unwrap();
    #[derive(QueryableByName)]
    struct Checkpoint {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        busy: i32,
    }
    let until = Instant::now() + Duration::from_secs(10);
    while diesel::sql_query("PRAGMA wal_checkpoint(TRUNCATE)")
        .get_result::<Checkpoint>(&mut pin)
        .unwrap()
        .busy
        != 0
    {
        assert!(Instant::now() < until, "the WAL could not be emptied");
        std::thread::sleep(Duration::from_millis(20));
    }
    pin.batch_execute("BEGIN; SELECT COUNT(*) FROM comments;")
        .unwrap();
    let db_before = sha256_of(&db_file);

    let url = format!("/api/v1/drafts/{draft}/comments");
    let clients = (0..8).map(|t| {
        let (app, url, cuts) = (&app, url.clone(), cuts.clone());
        async move {
            let mut missed = Vec::new();
            for i in 0..20 {
                let body = json!({
                    "body": format!("客户端 {t} 的第 {i} 条意见"),
                    "stakeholder_type": "individual",
                    "email": format!("c{t}-{i}@example.com"),
                    "consent": true,
                });
                let v = app.post(&url, None, body).await.ok(201);
                // The newest copy at the moment of the acknowledgement.
                let cut = cuts.newest();
                let tracking = v["tracking_number"].as_str().unwrap().to_string();
                match cut {
                    Some(cut) if copy_holds(cut.path(), &tracking) => {}
                    _ => missed.push(tracking),
                }
            }
            missed
        }
    });
    let missed: Vec<String> = futures_util::future::join_all(clients)
        .await
        .into_iter()
        .flatten()
        .collect();
    let taken = cuts.taken.load(Ordering::Relaxed);
    assert!(
        missed.is_empty(),
        "{} of 160 acknowledged comments were not in the copy taken at the last fsync before their answer ({taken} fsyncs): {:?}",
        missed.len(),
        &missed[..missed.len().min(5)]
    );
    assert!(taken > 0 && taken <= 160, "{taken} fsyncs");
    assert_eq!(
        sha256_of(&db_file),
        db_before,
        "a checkpoint wrote the database file during the test"
    );
    pin.batch_execute("COMMIT").unwrap();
    eprintln!("power cut: 160 comments acknowledged after {taken} fsyncs, each in its copy");
}

/// R10 on PostgreSQL: the comment writer's COMMIT waits for the WAL flush. The test cluster
/// runs with `synchronous_commit = off` (scripts/services.sh, for speed), which a production
/// server could be given too: the writer's own setting turns it back on for its connections.
/// (The writer's connections are its own; this applies the same setting to a connection of
/// the same pool.)
#[actix_web::test]
async fn postgres_comment_writer_commits_wait_for_the_flush() {
    let Some(app) = common::TestApp::start(Db::Postgres).await else {
        return; // said loudly by the harness (a failure under CONSULT_REQUIRE_POSTGRES=1)
    };
    #[derive(QueryableByName)]
    struct Setting {
        #[diesel(sql_type = diesel::sql_types::Text)]
        synchronous_commit: String,
    }
    let mut conn = app.conn();
    let consult::db::DbConn::Pg(pg) = &mut *conn else {
        panic!("a PostgreSQL connection");
    };
    let show = |pg: &mut PgConnection| {
        diesel::sql_query("SHOW synchronous_commit")
            .get_result::<Setting>(pg)
            .unwrap()
            .synchronous_commit
    };
    let server_default = show(pg);
    consult::jobs::comment_writer::commit_durably(pg).unwrap();
    let writer = show(pg);
    assert!(
        ["on", "local", "remote_write", "remote_apply"].contains(&writer.as_str()),
        "the writer's commits would not wait for the flush: synchronous_commit = {writer} (server: {server_default})"
    );
    if server_default != "off" {
        assert_eq!(writer, server_default, "a durable setting is kept");
    }
    diesel::sql_query("RESET synchronous_commit")
        .execute(pg)
        .unwrap();
}
