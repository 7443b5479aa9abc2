//! R10: an acknowledged comment is durable. The real server binary takes comments
//! from several client threads, is killed with SIGKILL mid-load, and after a restart every
//! tracking number it acknowledged is there, and `consult audit verify` finds the audit chain
//! intact.

use crate::common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use chrono::{TimeDelta, Utc};
use common::TestApp;
use common::fixtures::{DraftSpec, insert_draft};
use consult::db::schema::comments;
use diesel::prelude::*;
use serde_json::{Value, json};

both!(killed_server_loses_no_acknowledged_comment);

async fn killed_server_loses_no_acknowledged_comment(app: TestApp) {
    // The real server runs on the system clock: open the window around the real now.
    let now = Utc::now();
    let draft = insert_draft(
        &app,
        DraftSpec {
            opens_at: now - TimeDelta::days(2),
            closes_at: now + TimeDelta::days(18),
            ..DraftSpec::open(now)
        },
    );
    let dir = app.db.dir.path();
    let (config, port) = common::server_config(
        &app,
        "server",
        &format!(
            r#"[mail]
file_dir = "{mail}"

[limits]
comment_per_ip_per_hour = 1000000
comments_per_email_per_draft = 1000000
"#,
            mail = dir.join("mail").display(),
        ),
    );

    let mut server = common::start_server(&config, "durability");
    let url = format!("http://127.0.0.1:{port}/api/v1/drafts/{draft}/comments");
    let stop = Arc::new(AtomicBool::new(false));
    let (acked_tx, acked_rx) = mpsc::channel::<(String, String)>();
    let clients: Vec<_> = (0..8)
        .map(|t| {
            let (url, stop, acked) = (url.clone(), stop.clone(), acked_tx.clone());
            std::thread::spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .timeout_global(Some(std::time::Duration::from_secs(10)))
                    .build()
                    .into();
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    let body = json!({
                        "body": format!("客户端 {t} 的第 {i} 条意见"),
                        "stakeholder_type": "individual",
                        "email": format!("c{t}-{i}@example.com"),
                        "consent": true,
                    });
                    let Ok(mut res) = agent.post(&url).send_json(&body) else {
                        break; // the server is gone
                    };
                    if res.status().as_u16() == 201 {
                        let Ok(v) = res.body_mut().read_json::<Value>() else {
                            break;
                        };
                        let pair = (
                            v["tracking_number"].as_str().unwrap().to_string(),
                            v["receipt_token"].as_str().unwrap().to_string(),
                        );
                        if acked.send(pair).is_err() {
                            break;
                        }
                    }
                }
            })
        })
        .collect();
    drop(acked_tx);

    // Kill the server in the middle of the load, once it has acknowledged a few hundred.
    let mut acked = Vec::new();
    while acked.len() < 300 {
        acked.push(
            acked_rx
                .recv_timeout(std::time::Duration::from_secs(60))
                .expect("the server stopped acknowledging"),
        );
    }
    server.kill().expect("SIGKILL"); // std sends SIGKILL on Unix
    server.wait().unwrap();
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.join().unwrap();
    }
    acked.extend(acked_rx.try_iter());

    // Restart on the same database: every acknowledged comment is there.
    let mut server = common::start_server(&config, "durability");
    let stored: std::collections::HashSet<String> = comments::table
        .filter(comments::draft_id.eq(&draft))
        .select(comments::tracking_number)
        .load::<String>(&mut *app.conn())
        .unwrap()
        .into_iter()
        .collect();
    let lost: Vec<_> = acked.iter().filter(|(t, _)| !stored.contains(t)).collect();
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged comments lost",
        lost.len(),
        acked.len()
    );
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let (tracking, token) = acked.last().unwrap();
    let mut res = agent
        .get(format!(
            "http://127.0.0.1:{port}/api/v1/receipts/{tracking}?token={token}"
        ))
        .call()
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(
        res.body_mut().read_json::<Value>().unwrap()["status"],
        "pending"
    );
    server.kill().unwrap();
    server.wait().unwrap();
    common::assert_audit_intact(&config);
}
