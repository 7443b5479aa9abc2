//! R8 on both databases: a draft's second round, opened after the first round's report is
//! published, taken through the whole review chain again; the first round stays public as it
//! ended while the second is prepared; comments, reports and the redline per round.

use crate::common;

use common::TestApp;
use common::session::{Browser, location};
use consult::db::schema::outbox;
use consult::domain::roles::Role;
use diesel::prelude::*;
use serde_json::{Value, json};

both!(
    a_second_round_goes_out_with_a_redline_and_keeps_the_first_public,
    every_change_says_which_adopted_opinions_caused_it,
);

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

/// Round 1 of the draft, with its explanation and basis, through the chain (R1–R7): published,
/// open on 2 March until 22 March. Its id.
async fn round_one(app: &TestApp, t: &Team) -> String {
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
    review_chain(app, t, &id).await;
    id
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
    approve_report(app, t, id).await;
}

/// The report prepared, submitted and approved (R19, R20).
async fn approve_report(app: &TestApp, t: &Team, id: &str) {
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
    let id = round_one(&app, &t).await;
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
    let list = app.get("/drafts", None).await.text();
    assert!(
        list.contains(r#"<span class="badge round">第二轮征求意见</span>"#),
        "the round on the list's card: {list}"
    );
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
    // It links straight to the redline.
    let row: consult::db::outbox::OutboxMessage = outbox::table
        .filter(outbox::draft_id.eq(&id))
        .filter(outbox::kind.eq("draft_opened"))
        .filter(outbox::recipient.eq("wang@example.com"))
        .select(consult::db::outbox::OutboxMessage::as_select())
        .first(&mut *app.conn())
        .unwrap();
    let ctx = consult::mail::render::RenderContext::new(&app.state.config, &app.state.secret);
    let letter = consult::mail::render::render_message(&ctx, &mut app.conn(), &row)
        .unwrap()
        .unwrap();
    assert!(
        letter.text.contains(&format!("/drafts/{id}?changes=1")),
        "{}",
        letter.text
    );
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

/// A comment's id by its tracking number (the staff list).
async fn comment_ids(app: &TestApp, t: &Team, id: &str) -> Vec<(String, String)> {
    let listed = app
        .get(&format!("/api/v1/drafts/{id}/comments"), Some(&t.drafter))
        .await
        .ok(200);
    listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["tracking_number"].as_str().unwrap().to_string(),
                c["id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

async fn signed_in_as<'a>(app: &'a TestApp, username: &str) -> Browser<'a> {
    let mut b = Browser::new(app);
    let res = b.sign_in(username, common::PASSWORD).await;
    assert_eq!(location(&res), "/staff");
    b
}

async fn every_change_says_which_adopted_opinions_caused_it(app: TestApp) {
    let t = Team {
        drafter: app.staff("drafter", &[Role::Drafter]),
        r1: app.staff("reviewer1", &[Role::Reviewer]),
        r2: app.staff("reviewer2", &[Role::Reviewer]),
        approver: app.staff("approver", &[Role::Approver]),
        moderator: app.staff("moderator", &[Role::Moderator]),
    };
    let id = round_one(&app, &t).await;
    app.set_now("2026-03-05T02:00:00Z");
    // Two asking for thirty days, one against the fee, one for the notice board, one off topic.
    let mut receipts = Vec::new();
    for (body, article) in [
        ("建议将征求意见期限延长至三十日。", Some(2)),
        ("十五天太短，请改为三十日。", Some(2)),
        ("法律咨询不应收费。", Some(3)),
        ("建议在村务公开栏同时公布征求意见稿。", None),
        ("建议增加关于电子政务的规定。", None),
    ] {
        let v = app
            .post(
                &format!("/api/v1/drafts/{id}/comments"),
                None,
                json!({"body": body, "article": article, "stakeholder_type": "individual", "consent": true}),
            )
            .await
            .ok(201);
        receipts.push((
            v["tracking_number"].as_str().unwrap().to_string(),
            v["receipt_token"].as_str().unwrap().to_string(),
        ));
    }
    moderate(&app, &t, &id).await;
    app.set_now("2026-03-23T02:00:00Z");
    let ids = comment_ids(&app, &t, &id).await;
    let id_of = |i: usize| {
        ids.iter()
            .find(|(tn, _)| *tn == receipts[i].0)
            .unwrap()
            .1
            .clone()
    };
    let group = app
        .post(
            &format!("/api/v1/drafts/{id}/groups"),
            Some(&t.drafter),
            json!({"title": "延长征求意见期限", "comment_ids": [id_of(0), id_of(1)]}),
        )
        .await
        .ok(201);
    let gid = group["id"].as_str().unwrap().to_string();
    let group_changes = format!("/api/v1/groups/{gid}/changes");
    let c_changes = |i: usize| format!("/api/v1/comments/{}/changes", id_of(i));

    // Not before the group is adopted; then "adopted → changed article 2".
    let early = app
        .put(
            &group_changes,
            Some(&t.drafter),
            json!({"articles": [{"round": 1, "number": 2}]}),
        )
        .await
        .problem(422);
    assert!(early["errors"]["articles"].is_array(), "{early}");
    app.put(
        &format!("/api/v1/groups/{gid}/disposition"),
        Some(&t.drafter),
        json!({"outcome": "adopted", "reason": "期限延长至三十日"}),
    )
    .await
    .ok(200);
    for (i, outcome) in [(2, "adopted"), (3, "partially_adopted"), (4, "not_adopted")] {
        app.put(
            &format!("/api/v1/comments/{}/disposition", id_of(i)),
            Some(&t.drafter),
            json!({"outcome": outcome, "reason": "经研究"}),
        )
        .await
        .ok(200);
    }
    // An article the round does not have, or of a round not yet open, is refused.
    for bad in [
        json!({"round": 1, "number": 9}),
        json!({"round": 2, "number": 1}),
    ] {
        let refused = app
            .put(&group_changes, Some(&t.drafter), json!({"articles": [bad]}))
            .await
            .problem(422);
        assert!(refused["errors"]["articles"].is_array(), "{refused}");
    }
    // Reviewers read the links but do not make them; a not-adopted comment has none.
    app.put(
        &group_changes,
        Some(&t.r1),
        json!({"articles": [{"round": 1, "number": 2}]}),
    )
    .await
    .problem(403);
    app.put(
        &c_changes(4),
        Some(&t.drafter),
        json!({"articles": [{"round": 1, "number": 3}]}),
    )
    .await
    .problem(422);
    let linked = app
        .put(
            &group_changes,
            Some(&t.drafter),
            json!({"articles": [{"round": 1, "number": 2}, {"round": 1, "number": 2}]}),
        )
        .await
        .ok(200);
    assert_eq!(linked["articles"], json!([{"round": 1, "number": 2}]));
    let read = app.get(&group_changes, Some(&t.r1)).await.ok(200);
    assert_eq!(read["articles"], linked["articles"]);
    assert_eq!(read["round"], 1);

    // The single comment against the fee, linked from the group page's form in the workspace.
    let mut desk = signed_in_as(&app, "drafter").await;
    let ungrouped = app
        .post(
            &format!("/api/v1/drafts/{id}/groups"),
            Some(&t.drafter),
            json!({"title": "删去收费规定", "comment_ids": [id_of(2)]}),
        )
        .await
        .ok(201);
    let fee = ungrouped["id"].as_str().unwrap().to_string();
    app.put(
        &format!("/api/v1/groups/{fee}/disposition"),
        Some(&t.drafter),
        json!({"outcome": "adopted", "reason": "删去收费规定"}),
    )
    .await
    .ok(200);
    let fee_page = format!("/staff/drafts/{id}/groups/{fee}");
    let form = desk.get(&fee_page).await;
    assert_eq!(form.status, 200);
    assert!(
        form.text().contains(r#"name="article" value="1:3""#),
        "{}",
        form.text()
    );
    let res = desk
        .submit(
            &fee_page,
            &fee_page,
            &[("action", "changes"), ("article", "1:3")],
        )
        .await;
    assert_eq!(location(&res), fee_page);
    let page = desk.get(&fee_page).await.text();
    assert!(page.contains("已关联：第3条"), "{page}");
    assert!(page.contains(r#"value="1:3" checked"#));
    let refused = desk
        .submit(
            &fee_page,
            &fee_page,
            &[("action", "changes"), ("article", "x")],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.text().contains(r#"id="articles-error""#));

    // A single comment's page on the desk offers the same, once the comment is adopted.
    let board_page = format!("/staff/drafts/{id}/comments/{}", id_of(3));
    let res = desk
        .submit(
            &board_page,
            &board_page,
            &[("action", "changes"), ("article", "1:4")],
        )
        .await;
    assert_eq!(location(&res), board_page);
    assert!(desk.get(&board_page).await.text().contains("已关联：第4条"));
    let off_page = format!("/staff/drafts/{id}/comments/{}", id_of(4));
    let page = desk.get(&off_page).await.text();
    assert!(
        page.contains("本意见处理为“采纳”或“部分采纳”后") && !page.contains(r#"name="article""#)
    );
    let refused = desk
        .submit(
            &off_page,
            &off_page,
            &[("action", "changes"), ("article", "1:4")],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.text().contains(r#"id="articles-error""#),
        "{}",
        refused.text()
    );

    // The report lists what each adopted group changed.
    approve_report(&app, &t, &id).await;
    let report = app
        .get(&format!("/api/v1/drafts/{id}/report"), None)
        .await
        .ok(200);
    let changed_by = |title: &str| {
        report["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["title"] == title)
            .unwrap()["changed_articles"]
            .clone()
    };
    assert_eq!(
        changed_by("延长征求意见期限"),
        json!([{"round": 1, "number": 2}])
    );
    assert_eq!(
        changed_by("删去收费规定"),
        json!([{"round": 1, "number": 3}])
    );
    let report_page = app.get(&format!("/drafts/{id}/report"), None).await.text();
    assert!(report_page.contains("已修改：第2条"), "{report_page}");

    // Round 2 opened from the workspace: the summary and the period; the text is revised after.
    let draft_page = desk.get(&format!("/staff/drafts/{id}")).await.text();
    assert!(draft_page.contains("开启第二轮征求意见"), "{draft_page}");
    let new_round = format!("/staff/drafts/{id}/rounds/new");
    let short = desk
        .submit(
            &new_round,
            &new_round,
            &[
                ("summary", "修改说明"),
                ("opens_on", "2026-03-24"),
                ("closes_on", "2026-03-30"),
            ],
        )
        .await;
    assert_eq!(short.status, 422);
    assert!(
        short.text().contains(r#"id="closes_on-error""#),
        "{}",
        short.text()
    );
    let res = desk
        .submit(
            &new_round,
            &new_round,
            &[(
                "summary",
                "根据第一轮意见延长期限、删去收费规定、增加公开方式。",
            )],
        )
        .await;
    assert_eq!(location(&res), format!("/staff/drafts/{id}/edit"));
    let staff_now = app
        .get(&format!("/api/v1/drafts/{id}"), Some(&t.drafter))
        .await
        .ok(200);
    assert_eq!(staff_now["round"], 2);
    assert_eq!(
        texts(&staff_now),
        ROUND_ONE,
        "the new round starts from the last text"
    );
    let staff_list = desk.get("/staff/drafts").await.text();
    assert!(
        staff_list.contains("<strong>第二轮征求意见</strong>"),
        "{staff_list}"
    );
    app.patch(
        &format!("/api/v1/drafts/{id}"),
        Some(&t.drafter),
        json!({"articles": articles(&ROUND_TWO)}),
    )
    .await
    .ok(200);
    // The notice-board opinion is linked to the article the revision added (round 2's third).
    app.put(
        &c_changes(3),
        Some(&t.drafter),
        json!({"articles": [{"round": 2, "number": 3}]}),
    )
    .await
    .ok(200);

    // The officers' page: each article beside round 1's opinions on it, and the links.
    let changes_page = format!("/staff/drafts/{id}/changes");
    let page = desk.get(&changes_page).await;
    assert_eq!(page.status, 200);
    let page = page.text();
    assert!(page.contains("第一轮对原第2条的意见：2 条"), "{page}");
    assert!(page.contains("延长征求意见期限（采纳）：2 条"), "{page}");
    assert!(page.contains("已有 3 / 3 处修改关联了意见"), "{page}");
    // Unlinked there, then linked again.
    let res = desk
        .submit(
            &changes_page,
            &changes_page,
            &[("article", "1:2"), ("article", "2:2")],
        )
        .await;
    assert!(location(&res).starts_with(&changes_page));
    assert!(
        desk.get(&changes_page)
            .await
            .text()
            .contains("已有 2 / 3 处修改关联了意见")
    );
    let res = desk
        .submit(
            &changes_page,
            &changes_page,
            &[("article", "1:2"), ("article", "2:2"), ("group_id", &gid)],
        )
        .await;
    assert!(location(&res).starts_with(&changes_page));
    assert_eq!(
        app.get(&group_changes, Some(&t.r1)).await.ok(200)["articles"],
        json!([{"round": 1, "number": 2}])
    );

    // R3 in a later round: not without an explanation of the round's own (409).
    let refused = app
        .post(
            &format!("/api/v1/drafts/{id}/actions"),
            Some(&t.drafter),
            json!({"action": "submit"}),
        )
        .await
        .problem(409);
    assert_eq!(refused["missing"], json!(["explanation"]), "{refused}");
    app.post(
        &format!("/api/v1/drafts/{id}/materials"),
        Some(&t.drafter),
        json!({"kind": "explanation", "title": "第二轮修改说明", "body": "延长期限，删去收费规定，增加公开方式。"}),
    )
    .await
    .ok(201);
    review_chain(&app, &t, &id).await;

    // The public redline says, beside each change, which opinions caused it.
    let diff = app
        .get(&format!("/api/v1/drafts/{id}/rounds/2/diff"), None)
        .await
        .ok(200);
    let why: Vec<Value> = diff["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["in_response_to"].clone())
        .collect();
    assert_eq!(why[0], Value::Null);
    assert_eq!(why[1]["opinions"], 2, "{diff}");
    assert_eq!(why[1]["groups"][0]["title"], "延长征求意见期限");
    assert_eq!(why[2]["opinions"], 1, "the deleted fee article: {diff}");
    assert_eq!(
        why[3]["opinions"], 1,
        "the new notice-board article: {diff}"
    );
    assert_eq!(why[3]["groups"], json!([]));
    assert_eq!(why[4], Value::Null);
    let red = app
        .get(&format!("/drafts/{id}?changes=1"), None)
        .await
        .text();
    assert!(red.contains("根据2条意见修改"), "{red}");
    assert!(red.contains("<li>延长征求意见期限</li>"));
    let red_en = app
        .get(&format!("/drafts/{id}?changes=1&lang=en"), None)
        .await
        .text();
    assert!(red_en.contains("Changed in response to 2 opinions"));
    assert!(red_en.contains("Changed in response to 1 opinion<"));

    // Each commenter's receipt shows the change their opinion led to, with the redline.
    let receipt = |i: usize| format!("/api/v1/receipts/{}?token={}", receipts[i].0, receipts[i].1);
    let mine = app.get(&receipt(1), None).await.ok(200);
    assert_eq!(mine["round"], 1);
    assert_eq!(mine["changed_articles"], json!([{"round": 1, "number": 2}]));
    assert_eq!(
        mine["redline"],
        format!("/drafts/{id}?changes=1#articles-h")
    );
    let board = app.get(&receipt(3), None).await.ok(200);
    assert_eq!(
        board["changed_articles"],
        json!([{"round": 2, "number": 3}])
    );
    let off_topic = app.get(&receipt(4), None).await.ok(200);
    assert!(off_topic.get("changed_articles").is_none(), "{off_topic}");
    let page = app
        .get(
            &format!("/receipts/{}?token={}", receipts[1].0, receipts[1].1),
            None,
        )
        .await
        .text();
    assert!(page.contains("您的意见促成的条文修改"), "{page}");
    assert!(page.contains("第2条"));
    assert!(page.contains(&format!(r#"href="/drafts/{id}?changes=1#articles-h""#)));
    let page = app
        .get(
            &format!("/receipts/{}?token={}", receipts[3].0, receipts[3].1),
            None,
        )
        .await
        .text();
    assert!(page.contains("第二轮第3条"), "{page}");

    // Audited.
    let audit = app
        .get(&format!("/api/v1/drafts/{id}/audit"), Some(&t.drafter))
        .await
        .ok(200);
    let linked = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "changes.linked")
        .count();
    assert!(linked >= 5, "{audit}");
}
