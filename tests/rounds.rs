//! R8 on both databases: a draft's second round, opened after the first round's report is
//! published, taken through the whole review chain again; the first round stays public as it
//! ended while the second is prepared; comments, reports and the redline per round.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use common::TestApp;
use consult::db::schema::outbox;
use consult::domain::roles::Role;
use diesel::prelude::*;
use serde_json::{Value, json};

both!(a_second_round_goes_out_with_a_redline_and_keeps_the_first_public);

// The test clock starts at 2026-03-01T01:00:00Z, 09:00 on 1 March in Asia/Shanghai.

const ROUND_ONE: [&str; 4] = [
    "为了规范行政规范性文件管理，制定本办法。",
    "起草部门应当公开征求意见，期限不少于十五日。",
    "法律顾问可以为村民提供法律咨询服务，并收取服务费。",
    "本办法自发布之日起施行。",
];

const ROUND_TWO: [&str; 4] = [
    "为了规范行政规范性文件管理，制定本办法。",
    "起草部门应当公开征求意见，期限不少于三十日。",
    "征求意见应当通过政府网站和村务公开栏同时发布。",
    "本办法自发布之日起施行。",
];

fn articles(texts: &[&str]) -> Value {
    Value::Array(texts.iter().map(|t| json!({ "text": t })).collect())
}

struct Team {
    drafter: String,
    r1: String,
    r2: String,
    approver: String,
    moderator: String,
}

async fn act(app: &TestApp, token: &str, id: &str, body: Value) -> Value {
    app.post(&format!("/api/v1/drafts/{id}/actions"), Some(token), body)
        .await
        .ok(200)
}

/// Submit, two reviews and the approval (R7).
async fn review_chain(app: &TestApp, t: &Team, id: &str) -> Value {
    act(app, &t.drafter, id, json!({"action": "submit"})).await;
    let attested = |action: &str| json!({"action": action, "attest_no_confidential": true});
    act(app, &t.r1, id, attested("pass_initial_review")).await;
    act(app, &t.r2, id, attested("pass_re_review")).await;
    act(app, &t.approver, id, attested("approve")).await
}

async fn comment(app: &TestApp, id: &str, body: &str, email: Option<&str>) -> String {
    let v = app
        .post(
            &format!("/api/v1/drafts/{id}/comments"),
            None,
            json!({"body": body, "stakeholder_type": "individual", "consent": true, "email": email}),
        )
        .await
        .ok(201);
    v["tracking_number"].as_str().unwrap().to_string()
}

/// The moderator publishes every pending comment of the current round (R12).
async fn moderate(app: &TestApp, t: &Team, id: &str) {
    let pending = app
        .get(
            &format!("/api/v1/drafts/{id}/comments?status=pending"),
            Some(&t.drafter),
        )
        .await
        .ok(200);
    for c in pending["items"].as_array().unwrap() {
        app.post(
            &format!("/api/v1/comments/{}/moderation", c["id"].as_str().unwrap()),
            Some(&t.moderator),
            json!({"decision": "publish"}),
        )
        .await
        .ok(200);
    }
}

/// Every comment disposed of, the report prepared, submitted and approved (R17–R20).
async fn publish_report(app: &TestApp, t: &Team, id: &str) {
    let listed = app
        .get(&format!("/api/v1/drafts/{id}/comments"), Some(&t.drafter))
        .await
        .ok(200);
    for c in listed["items"].as_array().unwrap() {
        app.put(
            &format!("/api/v1/comments/{}/disposition", c["id"].as_str().unwrap()),
            Some(&t.drafter),
            json!({"outcome": "not_adopted", "reason": "上位法另有规定"}),
        )
        .await
        .ok(200);
    }
    app.post(
        &format!("/api/v1/drafts/{id}/report"),
        Some(&t.drafter),
        json!({}),
    )
    .await
    .ok(201);
    let actions = format!("/api/v1/drafts/{id}/report/actions");
    app.post(&actions, Some(&t.drafter), json!({"action": "submit"}))
        .await
        .ok(200);
    app.post(&actions, Some(&t.approver), json!({"action": "approve"}))
        .await
        .ok(200);
}

fn texts(draft: &Value) -> Vec<String> {
    draft["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["text"].as_str().unwrap().to_string())
        .collect()
}

async fn a_second_round_goes_out_with_a_redline_and_keeps_the_first_public(app: TestApp) {
    let t = Team {
        drafter: app.staff("drafter", &[Role::Drafter]),
        r1: app.staff("reviewer1", &[Role::Reviewer]),
        r2: app.staff("reviewer2", &[Role::Reviewer]),
        approver: app.staff("approver", &[Role::Approver]),
        moderator: app.staff("moderator", &[Role::Moderator]),
    };
    let colleague = app.staff("colleague", &[Role::Drafter]);

    // Round 1: created, materials, the chain, comments, the report.
    let created = app
        .post(
            "/api/v1/drafts",
            Some(&t.drafter),
            json!({
                "title": "龙岭县行政规范性文件管理办法（征求意见稿）",
                "agency": "龙岭县司法局",
                "category": "规范性文件",
                "kind": "normative_document",
                "summary": "为规范行政规范性文件管理，制定本办法。",
                "articles": articles(&ROUND_ONE),
                "comment_period": {"opens_on": "2026-03-02", "closes_on": "2026-03-22"}
            }),
        )
        .await
        .ok(201);
    let id = created["id"].as_str().unwrap().to_string();
    for kind in ["explanation", "basis"] {
        app.post(
            &format!("/api/v1/drafts/{id}/materials"),
            Some(&t.drafter),
            json!({"kind": kind, "title": format!("第一轮{kind}"), "body": "正文。"}),
        )
        .await
        .ok(201);
    }
    review_chain(&app, &t, &id).await;
    app.set_now("2026-03-05T02:00:00Z");
    let first = [
        comment(
            &app,
            &id,
            "建议将征求意见期限延长至三十日。",
            Some("wang@example.com"),
        )
        .await,
        comment(&app, &id, "法律咨询不应收费。", None).await,
    ];
    moderate(&app, &t, &id).await;
    app.set_now("2026-03-23T02:00:00Z");

    let next = json!({
        "articles": articles(&ROUND_TWO),
        "summary": "根据第一轮意见，延长征求意见期限，删去收费规定，增加公开方式。"
    });
    let rounds = format!("/api/v1/drafts/{id}/rounds");
    // Not before the first round's report is published (409), and only by its drafter.
    let early = app
        .post(&rounds, Some(&t.drafter), next.clone())
        .await
        .problem(409);
    assert_eq!(early["round"], 1, "{early}");
    publish_report(&app, &t, &id).await;
    app.post(&rounds, Some(&colleague), next.clone())
        .await
        .problem(403);
    app.post(&rounds, Some(&t.r1), next.clone())
        .await
        .problem(403);
    // A round too short for R4 is refused beside its field, and changes nothing.
    let short = app
        .post(
            &rounds,
            Some(&t.drafter),
            json!({"articles": articles(&ROUND_TWO), "opens_on": "2026-03-24", "closes_on": "2026-03-30"}),
        )
        .await
        .problem(422);
    assert!(short["errors"]["closes_on"].is_array(), "{short}");
    app.post(&rounds, Some(&t.drafter), json!({"articles": []}))
        .await
        .problem(422);

    // Round 2 opens in drafting: tomorrow, for the minimum period, with the new text.
    let opened = app
        .post(&rounds, Some(&t.drafter), next.clone())
        .await
        .ok(201);
    assert_eq!(opened["round"], 2);
    assert_eq!(opened["state"], "drafting");
    assert_eq!(opened["comment_period"]["opens_on"], "2026-03-24");
    assert_eq!(texts(&opened), ROUND_TWO);
    assert!(opened["approver_id"].is_null() && opened["initial_reviewer_id"].is_null());
    // Only one round at a time.
    app.post(&rounds, Some(&t.drafter), next.clone())
        .await
        .problem(409);

    // While it is prepared the public reads round 1 as it ended: text, comments, report.
    let public = app.get(&format!("/api/v1/drafts/{id}"), None).await.ok(200);
    assert_eq!(public["round"], 1);
    assert_eq!(public["state"], "concluded");
    assert_eq!(texts(&public), ROUND_ONE);
    assert!(!public.to_string().contains(ROUND_TWO[2]), "{public}");
    app.get(&format!("/api/v1/drafts/{id}?round=2"), None)
        .await
        .problem(404);
    let page = app.get(&format!("/drafts/{id}"), None).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains(ROUND_ONE[2]));
    assert!(
        !page.text().contains(ROUND_TWO[2]),
        "unpublished text on the public page"
    );
    let listed = app.get("/api/v1/drafts?per_page=100", None).await.ok(200);
    let item = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == id.as_str())
        .expect("still listed");
    assert_eq!(item["round"], 1);
    let public_comments = app
        .get(&format!("/api/v1/drafts/{id}/comments"), None)
        .await
        .ok(200);
    assert_eq!(public_comments["total"], 2);
    assert!(
        public_comments["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["round"] == 1)
    );
    app.get(&format!("/api/v1/drafts/{id}/comments?round=2"), None)
        .await
        .problem(404);
    let report = app
        .get(&format!("/api/v1/drafts/{id}/report"), None)
        .await
        .ok(200);
    assert_eq!(report["round"], 1);
    // The redline of a round not yet published is not public either.
    app.get(&format!("/api/v1/drafts/{id}/rounds/2/diff"), None)
        .await
        .problem(404);

    // The officer sees both rounds.
    let staff_now = app
        .get(&format!("/api/v1/drafts/{id}"), Some(&t.drafter))
        .await
        .ok(200);
    assert_eq!(texts(&staff_now), ROUND_TWO);
    let staff_then = app
        .get(&format!("/api/v1/drafts/{id}?round=1"), Some(&t.drafter))
        .await
        .ok(200);
    assert_eq!(texts(&staff_then), ROUND_ONE);
    assert_eq!(staff_then["state"], "concluded");

    // A revised explanation for round 2; then the whole chain again (R7), steps per round.
    app.post(
        &format!("/api/v1/drafts/{id}/materials"),
        Some(&t.drafter),
        json!({"kind": "explanation", "title": "第二轮起草说明", "body": "修改了第二条和第三条。"}),
    )
    .await
    .ok(201);
    let published = review_chain(&app, &t, &id).await;
    assert_eq!(published["state"], "published");
    assert_eq!(published["round"], 2);
    let steps = published["review_steps"].as_array().unwrap();
    assert_eq!(steps.len(), 8);
    assert!(steps[4..].iter().all(|s| s["round"] == 2), "{steps:?}");

    // Published: round 2 is what the public reads, with its own materials; round 1 stays.
    let public = app.get(&format!("/api/v1/drafts/{id}"), None).await.ok(200);
    assert_eq!(public["round"], 2);
    assert_eq!(texts(&public), ROUND_TWO);
    assert_eq!(public["materials"].as_array().unwrap().len(), 3);
    let then = app
        .get(&format!("/api/v1/drafts/{id}?round=1"), None)
        .await
        .ok(200);
    assert_eq!(texts(&then), ROUND_ONE);
    assert_eq!(then["materials"].as_array().unwrap().len(), 2);
    let page = app.get(&format!("/drafts/{id}"), None).await;
    assert!(
        page.text().contains("第二轮征求意见"),
        "the round on the page"
    );
    assert!(page.text().contains(ROUND_TWO[2]));
    let page = app.get(&format!("/drafts/{id}?lang=en"), None).await;
    assert!(page.text().contains("Round 2 of consultation"));
    // The page's switch: the clean text by default, the changes since round 1 on request.
    let clean = app.get(&format!("/drafts/{id}"), None).await.text();
    assert!(clean.contains("?changes=1"), "the switch");
    assert!(!clean.contains("<del>") && !clean.contains("<ins>"));
    let red = app.get(&format!("/drafts/{id}?changes=1"), None).await;
    assert_eq!(red.status, 200);
    let red = red.text();
    assert!(
        red.contains(r#"aria-current="page">与第一轮相比的修改"#),
        "the switch says where it is"
    );
    assert!(
        red.contains(r#"期限不少于<del><span class="visually-hidden">[删去：]</span>十五</del><ins><span class="visually-hidden">[新增：]</span>三十</ins>日。"#),
        "the changed words, labelled for screen readers"
    );
    assert!(red.contains("删除条文") && red.contains("新增条文"));
    assert!(
        red.contains(ROUND_ONE[2]),
        "the deleted article where it stood"
    );
    let red_en = app
        .get(&format!("/drafts/{id}?changes=1&lang=en"), None)
        .await
        .text();
    assert!(red_en.contains("Changes since round 1") && red_en.contains("New article"));

    // Round 2's comments are its own.
    app.set_now("2026-03-25T02:00:00Z");
    // The round's opening notice reaches the last round's commenter who gave an address.
    consult::jobs::notifications::run(&app.state.pool, &app.state.config, app.now()).unwrap();
    consult::mail::outbox::deliver_due(&app.state.mail_worker(), app.now()).unwrap();
    let notices: Vec<(String, Option<String>, String)> = outbox::table
        .filter(outbox::draft_id.eq(&id))
        .filter(outbox::kind.eq("draft_opened"))
        .select((outbox::recipient, outbox::subject, outbox::payload))
        .load(&mut *app.conn())
        .unwrap();
    let to_wang: Vec<_> = notices
        .iter()
        .filter(|(to, _, _)| to == "wang@example.com")
        .collect();
    assert_eq!(to_wang.len(), 1, "{notices:?}");
    let subject = to_wang[0].1.as_deref().unwrap_or_default();
    assert!(subject.starts_with("第二轮征求意见："), "{subject}");
    assert!(to_wang[0].2.contains(r#""round":2"#), "{}", to_wang[0].2);
    let second = comment(&app, &id, "赞成延长期限。", None).await;
    moderate(&app, &t, &id).await;
    let now_list = app
        .get(&format!("/api/v1/drafts/{id}/comments"), None)
        .await
        .ok(200);
    let numbers: Vec<&str> = now_list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["tracking_number"].as_str().unwrap())
        .collect();
    assert_eq!(numbers, [second.as_str()]);
    assert_eq!(now_list["items"][0]["round"], 2);
    let then_list = app
        .get(&format!("/api/v1/drafts/{id}/comments?round=1"), None)
        .await
        .ok(200);
    let mut then_numbers: Vec<String> = then_list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["tracking_number"].as_str().unwrap().to_string())
        .collect();
    then_numbers.sort();
    let mut expected = first.to_vec();
    expected.sort();
    assert_eq!(then_numbers, expected);
    let staff_list = app
        .get(&format!("/api/v1/drafts/{id}/comments"), Some(&t.drafter))
        .await
        .ok(200);
    assert_eq!(staff_list["total"], 1);
    assert_eq!(staff_list["items"][0]["round"], 2);

    // The redline, public now: article 2 edited inside ("十五" → "三十"), article 3 replaced.
    let diff = app
        .get(&format!("/api/v1/drafts/{id}/rounds/2/diff"), None)
        .await
        .ok(200);
    assert_eq!(
        (diff["round"].as_i64(), diff["against"].as_i64()),
        (Some(2), Some(1))
    );
    let changes = diff["articles"].as_array().unwrap();
    let kinds: Vec<&str> = changes
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["unchanged", "edited", "deleted", "inserted", "unchanged"]
    );
    assert_eq!(
        changes[1]["text"],
        json!([
            {"op": "same", "text": "起草部门应当公开征求意见，期限不少于"},
            {"op": "deleted", "text": "十五"},
            {"op": "inserted", "text": "三十"},
            {"op": "same", "text": "日。"}
        ])
    );
    let same = app
        .get(
            &format!("/api/v1/drafts/{id}/rounds/1/diff?against=1"),
            None,
        )
        .await
        .problem(422);
    assert!(same["errors"]["against"].is_array());
    app.get(&format!("/api/v1/drafts/{id}/rounds/3/diff"), None)
        .await
        .problem(404);

    // Audited.
    let audit = app
        .get(&format!("/api/v1/drafts/{id}/audit"), Some(&t.drafter))
        .await
        .ok(200);
    assert!(
        audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "draft.round_opened" && e["details"]["round"] == 2),
        "{audit}"
    );
}
