//! Drafts, materials, the comment period and the review chain (R1–R7), through the
//! real app on SQLite and PostgreSQL.

use crate::common;

use base64::Engine;
use common::TestApp;
use common::fixtures::{CommentSpec, DraftSpec, insert_comment, insert_draft};
use consult::db::schema::{drafts, period_extensions, workflow_steps};
use consult::domain::roles::Role;
use diesel::prelude::*;
use serde_json::{Value, json};

both!(
    r1_create_generates_a_stable_index_number_and_numbers_articles,
    r1_only_its_drafter_edits_and_only_while_drafting,
    r1_public_sees_only_published_drafts_staff_see_their_work,
    r1_list_filters_by_phase_agency_category_and_chinese_search,
    r1_public_views_are_counted_in_batches,
    r2_materials_carry_checked_files_and_link_to_their_draft,
    r2_oversized_uploads_are_413,
    r3_submission_needs_an_explanation_and_a_basis,
    r4_a_short_period_is_refused_with_the_earliest_closing_date,
    r4_opens_on_before_the_approval_date_is_refused_at_approval,
    r4_the_window_opens_at_approval_when_that_is_later,
    r5_phase_follows_the_clock,
    r6_extensions_move_closes_on_later_only_with_a_reason,
    r7_every_step_is_recorded_in_steps_and_audit,
    r7_four_eyes_roles_states_and_attestation,
    r7_return_and_withdraw,
    audit_of_a_draft_is_for_staff_only,
    unknown_fields_and_actions_are_422,
    demo_loads_drafts_in_every_phase_once,
);

// The test clock starts at 2026-03-01T01:00:00Z, 09:00 on 1 March in Asia/Shanghai.

fn body(opens_on: &str, closes_on: &str) -> Value {
    json!({
        "title": "龙岭县行政执法公示办法（征求意见稿）",
        "doc_number": "龙司发〔2026〕3号",
        "agency": "龙岭县司法局",
        "category": "部门文件",
        "subject_terms": ["司法", "行政执法"],
        "kind": "normative_document",
        "enterprise_related": true,
        "summary": "为推行行政执法公示制度，制定本办法。",
        "articles": [
            {"heading": "第一条", "text": "为推行行政执法公示制度，制定本办法。"},
            {"text": "行政执法机关应当公示执法主体、人员、职责、权限。"},
            {"heading": "第三条", "text": "本办法自发布之日起施行。"}
        ],
        "comment_period": {"opens_on": opens_on, "closes_on": closes_on}
    })
}

async fn create(app: &TestApp, token: &str, opens_on: &str, closes_on: &str) -> Value {
    app.post("/api/v1/drafts", Some(token), body(opens_on, closes_on))
        .await
        .ok(201)
}

async fn material(app: &TestApp, token: &str, id: &str, kind: &str) -> Value {
    app.post(
        &format!("/api/v1/drafts/{id}/materials"),
        Some(token),
        json!({"kind": kind, "title": format!("{kind} 材料"), "body": "正文。"}),
    )
    .await
    .ok(201)
}

async fn act(app: &TestApp, token: &str, id: &str, body: Value) -> common::Resp {
    app.post(&format!("/api/v1/drafts/{id}/actions"), Some(token), body)
        .await
}

/// The review team: a drafter, two reviewers and an approver.
struct Team {
    drafter: String,
    r1: String,
    r2: String,
    approver: String,
}

fn team(app: &TestApp) -> Team {
    Team {
        drafter: app.staff("drafter", &[Role::Drafter]),
        r1: app.staff("reviewer1", &[Role::Reviewer]),
        r2: app.staff("reviewer2", &[Role::Reviewer]),
        approver: app.staff("approver", &[Role::Approver]),
    }
}

/// A draft with its materials taken up to `awaiting_approval`.
async fn up_to_approval(app: &TestApp, t: &Team, opens_on: &str, closes_on: &str) -> String {
    let d = create(app, &t.drafter, opens_on, closes_on).await;
    let id = d["id"].as_str().unwrap().to_string();
    material(app, &t.drafter, &id, "explanation").await;
    material(app, &t.drafter, &id, "basis").await;
    act(app, &t.drafter, &id, json!({"action": "submit"}))
        .await
        .ok(200);
    act(
        app,
        &t.r1,
        &id,
        json!({"action": "pass_initial_review", "attest_no_confidential": true}),
    )
    .await
    .ok(200);
    act(
        app,
        &t.r2,
        &id,
        json!({"action": "pass_re_review", "attest_no_confidential": true}),
    )
    .await
    .ok(200);
    id
}

async fn publish(app: &TestApp, t: &Team, opens_on: &str, closes_on: &str) -> String {
    let id = up_to_approval(app, t, opens_on, closes_on).await;
    act(
        app,
        &t.approver,
        &id,
        json!({"action": "approve", "attest_no_confidential": true}),
    )
    .await
    .ok(200);
    id
}

async fn r1_create_generates_a_stable_index_number_and_numbers_articles(app: TestApp) {
    let token = app.staff("drafter", &[Role::Drafter]);
    let a = create(&app, &token, "2026-03-05", "2026-03-25").await;
    let b = create(&app, &token, "2026-03-05", "2026-03-25").await;
    assert_eq!(a["index_no"], "CONSULT-2026-00001");
    assert_eq!(b["index_no"], "CONSULT-2026-00002");
    assert_eq!(a["state"], "drafting");
    assert_eq!(a["phase"], Value::Null);
    assert_eq!(a["subject_terms"], json!(["司法", "行政执法"]));
    assert_eq!(a["enterprise_related"], true);
    assert_eq!(a["doc_number"], "龙司发〔2026〕3号");
    let numbers: Vec<i64> = a["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["number"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, vec![1, 2, 3]);
    assert_eq!(a["articles"][1]["heading"], Value::Null);
    let id = a["id"].as_str().unwrap();
    assert_eq!(a["links"]["html"], format!("/drafts/{id}"));
    assert_eq!(a["materials"], json!([]));
    assert_eq!(a["published_comment_count"], 0);
    let cp = &a["comment_period"];
    assert_eq!(cp["opens_on"], "2026-03-05");
    assert_eq!(cp["closes_on"], "2026-03-25");
    assert_eq!(cp["opens_at"], "2026-03-04T16:00:00Z");
    assert_eq!(cp["closes_at"], "2026-03-25T16:00:00Z");
    assert_eq!(cp["timezone"], "Asia/Shanghai");
    assert_eq!(cp["extensions"], json!([]));
    // Editing keeps the index number; new articles are renumbered.
    let patched = app
        .patch(
            &format!("/api/v1/drafts/{id}"),
            Some(&token),
            json!({"title": "新标题", "articles": [{"text": "唯一一条。"}]}),
        )
        .await
        .ok(200);
    assert_eq!(patched["index_no"], "CONSULT-2026-00001");
    assert_eq!(patched["title"], "新标题");
    assert_eq!(
        patched["articles"],
        json!([{"number": 1, "heading": null, "text": "唯一一条。"}])
    );
    // Subject terms and the document number are searched too (the title has neither).
    let by_index = app
        .get("/api/v1/drafts?q=consult-2026-00002", Some(&token))
        .await
        .ok(200);
    assert_eq!(by_index["total"], 1);
    assert_eq!(by_index["items"][0]["id"], b["id"]);
    for q in ["司法", "龙司发〔2026〕"] {
        let q = form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>();
        let found = app
            .get(&format!("/api/v1/drafts?q={q}"), Some(&token))
            .await
            .ok(200);
        assert_eq!(found["total"], 2, "{q}");
    }
    let fetched = app
        .get(&format!("/api/v1/drafts/{id}"), Some(&token))
        .await
        .ok(200);
    assert_eq!(fetched["index_no"], "CONSULT-2026-00001");
}

async fn r1_only_its_drafter_edits_and_only_while_drafting(app: TestApp) {
    let t = team(&app);
    let other = app.staff("other", &[Role::Drafter]);
    let d = create(&app, &t.drafter, "2026-03-05", "2026-03-25").await;
    let id = d["id"].as_str().unwrap();
    let path = format!("/api/v1/drafts/{id}");
    app.patch(&path, Some(&other), json!({"title": "x"}))
        .await
        .problem(403);
    app.patch(&path, Some(&t.r1), json!({"title": "x"}))
        .await
        .problem(403);
    app.patch(&path, None, json!({"title": "x"}))
        .await
        .problem(401);
    material(&app, &t.drafter, id, "explanation").await;
    material(&app, &t.drafter, id, "basis").await;
    act(&app, &t.drafter, id, json!({"action": "submit"}))
        .await
        .ok(200);
    let doc = app
        .patch(&path, Some(&t.drafter), json!({"title": "x"}))
        .await
        .problem(409);
    assert_eq!(doc["type"], "/problems/wrong-state");
    let unchanged = app.get(&path, Some(&t.drafter)).await.ok(200);
    assert_eq!(unchanged["title"], "龙岭县行政执法公示办法（征求意见稿）");
}

async fn r1_public_sees_only_published_drafts_staff_see_their_work(app: TestApp) {
    let t = team(&app);
    let other = app.staff("other", &[Role::Drafter]);
    let d = create(&app, &t.drafter, "2026-03-05", "2026-03-25").await;
    let id = d["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/drafts/{id}");
    app.get(&path, None).await.problem(404);
    app.get(&path, Some(&other)).await.problem(404);
    app.get(&path, Some(&t.r1)).await.problem(404);
    app.get(&path, Some(&t.drafter)).await.ok(200);
    let public_list = app.get("/api/v1/drafts", None).await.ok(200);
    assert_eq!(public_list["total"], 0);
    let own = app.get("/api/v1/drafts", Some(&t.drafter)).await.ok(200);
    assert_eq!(own["total"], 1);
    assert_eq!(
        app.get("/api/v1/drafts", Some(&other)).await.ok(200)["total"],
        0
    );
    // Reviewers see what awaits their step; the approver not yet.
    material(&app, &t.drafter, &id, "explanation").await;
    material(&app, &t.drafter, &id, "basis").await;
    act(&app, &t.drafter, &id, json!({"action": "submit"}))
        .await
        .ok(200);
    app.get(&path, Some(&t.r1)).await.ok(200);
    app.get(&path, Some(&t.approver)).await.problem(404);
    assert_eq!(
        app.get("/api/v1/drafts", Some(&t.r1)).await.ok(200)["total"],
        1
    );
    // Published ones are public.
    let published = insert_draft(&app, DraftSpec::open(app.now()));
    let p = app
        .get(&format!("/api/v1/drafts/{published}"), None)
        .await
        .ok(200);
    assert_eq!(p["state"], "published");
    assert!(p.get("drafter_id").is_none(), "public JSON names no staff");
    let list = app.get("/api/v1/drafts", None).await.ok(200);
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], published.as_str());
}

async fn r1_list_filters_by_phase_agency_category_and_chinese_search(app: TestApp) {
    let now = app.now();
    let open = insert_draft(
        &app,
        DraftSpec {
            title: "龙岭县人民调解工作规定（征求意见稿）".into(),
            agency: "龙岭县司法局".into(),
            category: "部门文件".into(),
            ..DraftSpec::open(now)
        },
    );
    let closed = insert_draft(
        &app,
        DraftSpec {
            title: "Longling County Legal Aid Measures (draft)".into(),
            agency: "龙岭县人民政府".into(),
            category: "规范性文件".into(),
            ..DraftSpec::closed(now)
        },
    );
    let scheduled = insert_draft(
        &app,
        DraftSpec {
            title: "龙岭县法律援助实施细则".into(),
            opens_at: now + chrono::TimeDelta::days(2),
            closes_at: now + chrono::TimeDelta::days(30),
            ..DraftSpec::open(now)
        },
    );
    let ids = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["id"].as_str().unwrap().to_string())
            .collect()
    };
    let get = |q: &'static str| {
        let app = &app;
        async move { app.get(&format!("/api/v1/drafts?{q}"), None).await.ok(200) }
    };
    assert_eq!(ids(&get("phase=open").await), vec![open.clone()]);
    assert_eq!(ids(&get("phase=closed").await), vec![closed.clone()]);
    assert_eq!(ids(&get("phase=scheduled").await), vec![scheduled.clone()]);
    // Chinese substrings match, as do English words in any case.
    let q = form_urlencoded::byte_serialize("人民调解".as_bytes()).collect::<String>();
    assert_eq!(
        ids(&app
            .get(&format!("/api/v1/drafts?q={q}"), None)
            .await
            .ok(200)),
        vec![open.clone()]
    );
    let q = form_urlencoded::byte_serialize("龙岭县".as_bytes()).collect::<String>();
    assert_eq!(
        app.get(&format!("/api/v1/drafts?q={q}"), None)
            .await
            .ok(200)["total"],
        2
    );
    assert_eq!(ids(&get("q=LEGAL%20aid").await), vec![closed.clone()]);
    assert_eq!(
        get("q=100%25").await["total"],
        0,
        "LIKE wildcards are escaped"
    );
    let agency = form_urlencoded::byte_serialize("龙岭县人民政府".as_bytes()).collect::<String>();
    assert_eq!(
        ids(&app
            .get(&format!("/api/v1/drafts?agency={agency}"), None)
            .await
            .ok(200)),
        vec![closed.clone()]
    );
    let cat = form_urlencoded::byte_serialize("部门文件".as_bytes()).collect::<String>();
    assert_eq!(
        ids(&app
            .get(&format!("/api/v1/drafts?category={cat}"), None)
            .await
            .ok(200)),
        vec![open.clone()]
    );
    // Paging.
    let page = get("per_page=2&page=2").await;
    assert_eq!(page["total"], 3);
    assert_eq!(page["page"], 2);
    assert_eq!(page["per_page"], 2);
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    app.get("/api/v1/drafts?phase=soon", None)
        .await
        .problem(422);
    app.get("/api/v1/drafts?per_page=501", None)
        .await
        .problem(422);
}

async fn r1_public_views_are_counted_in_batches(app: TestApp) {
    let staff = app.staff("drafter", &[Role::Drafter]);
    let id = insert_draft(&app, DraftSpec::open(app.now()));
    let path = format!("/api/v1/drafts/{id}");
    for _ in 0..3 {
        app.get(&path, None).await.ok(200);
    }
    app.get(&path, Some(&staff)).await.ok(200);
    let stored = |app: &TestApp| -> i64 {
        drafts::table
            .find(&id)
            .select(drafts::view_count)
            .first(&mut *app.conn())
            .unwrap()
    };
    assert_eq!(stored(&app), 0, "no write per view on the hot path");
    consult::jobs::flush_views(&app.state.pool, &app.state.views);
    assert_eq!(stored(&app), 3, "public views only");
    consult::jobs::flush_views(&app.state.pool, &app.state.views);
    assert_eq!(stored(&app), 3, "a flush adds each view once");
    assert_eq!(app.get(&path, None).await.ok(200)["view_count"], 3);
}

fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

async fn r2_materials_carry_checked_files_and_link_to_their_draft(app: TestApp) {
    let t = team(&app);
    let d = create(&app, &t.drafter, "2026-03-05", "2026-03-25").await;
    let id = d["id"].as_str().unwrap();
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
    let path = format!("/api/v1/drafts/{id}/materials");
    let m = app
        .post(
            &path,
            Some(&t.drafter),
            json!({"kind": "interpretation", "title": "政策解读", "body": "解读正文。",
                   "file": {"name": "../政策 解读\".pdf", "content_base64": b64(pdf)}}),
        )
        .await
        .ok(201);
    assert_eq!(m["draft_id"], id);
    assert_eq!(m["kind"], "interpretation");
    assert_eq!(m["links"]["draft"], format!("/api/v1/drafts/{id}"));
    assert_eq!(m["file"]["content_type"], "application/pdf");
    assert_eq!(m["file"]["size"], pdf.len());
    let mid = m["id"].as_str().unwrap();
    // The draft lists it; the material links back.
    let draft = app
        .get(&format!("/api/v1/drafts/{id}"), Some(&t.drafter))
        .await
        .ok(200);
    assert_eq!(draft["materials"][0]["id"], mid);
    let got = app
        .get(&format!("/api/v1/materials/{mid}"), Some(&t.drafter))
        .await
        .ok(200);
    assert_eq!(got["draft_id"], id);
    assert_eq!(got["links"]["draft"], format!("/api/v1/drafts/{id}"));
    // Not public before publication.
    app.get(&format!("/api/v1/materials/{mid}"), None)
        .await
        .problem(404);
    app.get(&format!("/api/v1/materials/{mid}/file"), None)
        .await
        .problem(404);
    let file = app
        .get(&format!("/api/v1/materials/{mid}/file"), Some(&t.drafter))
        .await;
    assert_eq!(file.status, 200);
    assert_eq!(&file.body[..], &pdf[..]);
    assert_eq!(
        file.header("content-type").as_deref(),
        Some("application/pdf")
    );
    let disposition = file.header("content-disposition").unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\""),
        "{disposition}"
    );
    assert!(
        !disposition.contains("..") && !disposition.contains('/'),
        "{disposition}"
    );
    assert_eq!(
        file.header("x-content-type-options").as_deref(),
        Some("nosniff")
    );
    // The content decides, not the name.
    let doc = app
        .post(
            &path,
            Some(&t.drafter),
            json!({"kind": "attachment", "title": "附件", "body": "",
                   "file": {"name": "evil.pdf", "content_base64": b64(b"<html><script>alert(1)</script>")}}),
        )
        .await
        .problem(415);
    assert_eq!(doc["type"], "/problems/unsupported-media-type");
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    app.post(
        &path,
        Some(&t.drafter),
        json!({"kind": "attachment", "title": "示意图", "file": {"name": "map.png", "content_base64": b64(png)}}),
    )
    .await
    .ok(201);
    app.post(
        &path,
        Some(&t.drafter),
        json!({"kind": "memo", "title": "x", "body": "y"}),
    )
    .await
    .problem(422);
    app.post(
        &path,
        Some(&t.drafter),
        json!({"kind": "faq", "title": "x", "body": " "}),
    )
    .await
    .problem(422);
    let other = app.staff("other", &[Role::Drafter]);
    app.post(
        &path,
        Some(&other),
        json!({"kind": "faq", "title": "x", "body": "y"}),
    )
    .await
    .problem(403);
    // Published drafts show their materials to everyone.
    let public = insert_draft(&app, DraftSpec::open(app.now()));
    let p = app
        .get(&format!("/api/v1/drafts/{public}"), None)
        .await
        .ok(200);
    let kinds: Vec<&str> = p["materials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["explanation", "basis"]);
    let first = p["materials"][0]["id"].as_str().unwrap();
    app.get(&format!("/api/v1/materials/{first}"), None)
        .await
        .ok(200);
}

async fn r2_oversized_uploads_are_413(app: TestApp) {
    let app = TestApp::start_with(app.db.kind, |c| c.limits.max_upload_bytes = 1000)
        .await
        .unwrap();
    let token = app.staff("drafter", &[Role::Drafter]);
    let d = create(&app, &token, "2026-03-05", "2026-03-25").await;
    let id = d["id"].as_str().unwrap();
    let mut big = b"%PDF-1.4\n".to_vec();
    big.resize(1001, b'a');
    let doc = app
        .post(
            &format!("/api/v1/drafts/{id}/materials"),
            Some(&token),
            json!({"kind": "attachment", "title": "big", "file": {"name": "big.pdf", "content_base64": b64(&big)}}),
        )
        .await
        .problem(413);
    assert_eq!(doc["type"], "/problems/payload-too-large");
    let mut ok = big.clone();
    ok.truncate(1000);
    app.post(
        &format!("/api/v1/drafts/{id}/materials"),
        Some(&token),
        json!({"kind": "attachment", "title": "ok", "file": {"name": "ok.pdf", "content_base64": b64(&ok)}}),
    )
    .await
    .ok(201);
}

async fn r3_submission_needs_an_explanation_and_a_basis(app: TestApp) {
    let t = team(&app);
    let d = create(&app, &t.drafter, "2026-03-05", "2026-03-25").await;
    let id = d["id"].as_str().unwrap();
    let doc = act(&app, &t.drafter, id, json!({"action": "submit"}))
        .await
        .problem(409);
    assert_eq!(doc["type"], "/problems/missing-materials");
    assert_eq!(doc["missing"], json!(["explanation", "basis"]));
    material(&app, &t.drafter, id, "explanation").await;
    material(&app, &t.drafter, id, "faq").await;
    let doc = act(&app, &t.drafter, id, json!({"action": "submit"}))
        .await
        .problem(409);
    assert_eq!(doc["missing"], json!(["basis"]));
    assert!(doc["detail"].as_str().unwrap().contains("决策依据"));
    material(&app, &t.drafter, id, "basis").await;
    let ok = act(&app, &t.drafter, id, json!({"action": "submit"}))
        .await
        .ok(200);
    assert_eq!(ok["state"], "awaiting_initial_review");
}

async fn r4_a_short_period_is_refused_with_the_earliest_closing_date(app: TestApp) {
    let token = app.staff("drafter", &[Role::Drafter]);
    // 5 March to 18 March is 14 days.
    let doc = app
        .post(
            "/api/v1/drafts",
            Some(&token),
            body("2026-03-05", "2026-03-18"),
        )
        .await
        .problem(422);
    assert_eq!(doc["earliest_closes_on"], "2026-03-19");
    assert!(
        doc["errors"]["comment_period.closes_on"][0]
            .as_str()
            .unwrap()
            .contains("2026-03-19")
    );
    app.post(
        "/api/v1/drafts",
        Some(&token),
        body("2026-03-05", "2026-03-19"),
    )
    .await
    .ok(201);
    // Major decisions need 30 days.
    let mut major = body("2026-03-05", "2026-03-19");
    major["kind"] = json!("major_decision");
    let doc = app
        .post("/api/v1/drafts", Some(&token), major.clone())
        .await
        .problem(422);
    assert_eq!(doc["earliest_closes_on"], "2026-04-03");
    major["comment_period"]["closes_on"] = json!("2026-04-03");
    let created = app
        .post("/api/v1/drafts", Some(&token), major)
        .await
        .ok(201);
    // A patch cannot shorten it below the minimum either.
    let id = created["id"].as_str().unwrap();
    let doc = app
        .patch(
            &format!("/api/v1/drafts/{id}"),
            Some(&token),
            json!({"comment_period": {"opens_on": "2026-03-05", "closes_on": "2026-03-30"}}),
        )
        .await
        .problem(422);
    assert_eq!(doc["earliest_closes_on"], "2026-04-03");
    // A configured minimum applies.
    let app = TestApp::start_with(app.db.kind, |c| c.window.min_days = 20)
        .await
        .unwrap();
    let token = app.staff("drafter", &[Role::Drafter]);
    let doc = app
        .post(
            "/api/v1/drafts",
            Some(&token),
            body("2026-03-05", "2026-03-19"),
        )
        .await
        .problem(422);
    assert_eq!(doc["earliest_closes_on"], "2026-03-24");
}

async fn r4_opens_on_before_the_approval_date_is_refused_at_approval(app: TestApp) {
    let t = team(&app);
    let id = up_to_approval(&app, &t, "2026-03-02", "2026-04-30").await;
    app.set_now("2026-03-03T02:00:00Z");
    let doc = act(
        &app,
        &t.approver,
        &id,
        json!({"action": "approve", "attest_no_confidential": true}),
    )
    .await
    .problem(409);
    assert_eq!(doc["type"], "/problems/invalid-period");
    assert_eq!(doc["approval_date"], "2026-03-03");
    let d = app
        .get(&format!("/api/v1/drafts/{id}"), Some(&t.approver))
        .await
        .ok(200);
    assert_eq!(d["state"], "awaiting_approval");
    // Approval late on the opening day that leaves less than 15 days is refused too.
    let id = up_to_approval(&app, &t, "2026-03-04", "2026-03-18").await;
    app.set_now("2026-03-04T08:00:00Z");
    let doc = act(
        &app,
        &t.approver,
        &id,
        json!({"action": "approve", "attest_no_confidential": true}),
    )
    .await
    .problem(409);
    assert_eq!(doc["earliest_closes_on"], "2026-03-19");
}

async fn r4_the_window_opens_at_approval_when_that_is_later(app: TestApp) {
    let t = team(&app);
    let id = up_to_approval(&app, &t, "2026-03-01", "2026-03-20").await;
    let approved = app.now();
    let d = act(
        &app,
        &t.approver,
        &id,
        json!({"action": "approve", "attest_no_confidential": true}),
    )
    .await
    .ok(200);
    assert_eq!(d["state"], "published");
    assert_eq!(d["phase"], "open");
    let opens_at: chrono::DateTime<chrono::Utc> = d["comment_period"]["opens_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(opens_at >= approved && opens_at < approved + chrono::TimeDelta::seconds(5));
    assert_eq!(d["comment_period"]["closes_at"], "2026-03-20T16:00:00Z");
    assert_eq!(d["approver_id"], app.user_id("approver"));
}

async fn r5_phase_follows_the_clock(app: TestApp) {
    let t = team(&app);
    let id = publish(&app, &t, "2026-03-03", "2026-03-20").await;
    let path = format!("/api/v1/drafts/{id}");
    assert_eq!(app.get(&path, None).await.ok(200)["phase"], "scheduled");
    assert_eq!(
        app.get("/api/v1/drafts?phase=scheduled", None)
            .await
            .ok(200)["total"],
        1
    );
    app.set_now("2026-03-02T16:00:00Z"); // 00:00 on 3 March in Shanghai
    assert_eq!(app.get(&path, None).await.ok(200)["phase"], "open");
    assert_eq!(
        app.get("/api/v1/drafts?phase=open", None).await.ok(200)["total"],
        1
    );
    app.set_now("2026-03-20T15:59:59Z");
    assert_eq!(app.get(&path, None).await.ok(200)["phase"], "open");
    app.set_now("2026-03-20T16:00:00Z"); // 24:00 at the end of 20 March
    assert_eq!(app.get(&path, None).await.ok(200)["phase"], "closed");
    assert_eq!(
        app.get("/api/v1/drafts?phase=closed", None).await.ok(200)["total"],
        1
    );
    // Nothing stored it: the state is still `published`.
    let state: String = drafts::table
        .find(&id)
        .select(drafts::state)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(state, "published");
}

async fn r6_extensions_move_closes_on_later_only_with_a_reason(app: TestApp) {
    let t = team(&app);
    let id = publish(&app, &t, "2026-03-01", "2026-03-20").await;
    let doc = act(
        &app,
        &t.approver,
        &id,
        json!({"action": "extend", "closes_on": "2026-03-19", "reason": "x"}),
    )
    .await
    .problem(422);
    assert_eq!(doc["current_closes_on"], "2026-03-20");
    act(
        &app,
        &t.approver,
        &id,
        json!({"action": "extend", "closes_on": "2026-03-20", "reason": "x"}),
    )
    .await
    .problem(422);
    act(
        &app,
        &t.approver,
        &id,
        json!({"action": "extend", "closes_on": "2026-03-30"}),
    )
    .await
    .problem(422);
    act(
        &app,
        &t.r1,
        &id,
        json!({"action": "extend", "closes_on": "2026-03-30", "reason": "x"}),
    )
    .await
    .problem(403);
    let other = app.staff("other", &[Role::Drafter]);
    act(
        &app,
        &other,
        &id,
        json!({"action": "extend", "closes_on": "2026-03-30", "reason": "x"}),
    )
    .await
    .problem(403);
    // A confirmed subscriber to every draft hears of the extension (R6: announced).
    {
        use consult::db::schema::subscriptions;
        diesel::insert_into(subscriptions::table)
            .values((
                subscriptions::id.eq("sub-ext"),
                subscriptions::email.eq("watcher@example.com"),
                subscriptions::email_normalized.eq("watcher@example.com"),
                subscriptions::scope_kind.eq("all"),
                subscriptions::scope_value.eq(""),
                subscriptions::locale.eq("zh-CN"),
                subscriptions::status.eq("confirmed"),
                subscriptions::created_at.eq(app.now().naive_utc()),
                subscriptions::confirmed_at.eq(Some(app.now().naive_utc())),
            ))
            .execute(&mut *app.conn())
            .unwrap();
    }
    let d = act(
        &app,
        &t.drafter,
        &id,
        json!({"action": "extend", "closes_on": "2026-03-30", "reason": "应企业要求延长"}),
    )
    .await
    .ok(200);
    {
        use consult::db::schema::outbox;
        let announced: Vec<String> = outbox::table
            .filter(outbox::kind.eq("draft_extended"))
            .filter(outbox::draft_id.eq(&id))
            .select(outbox::recipient)
            .load(&mut *app.conn())
            .unwrap();
        assert_eq!(announced, vec!["watcher@example.com".to_string()]);
    }
    assert_eq!(d["comment_period"]["closes_on"], "2026-03-30");
    assert_eq!(d["comment_period"]["closes_at"], "2026-03-30T16:00:00Z");
    let ext = &d["comment_period"]["extensions"];
    assert_eq!(ext.as_array().unwrap().len(), 1);
    assert_eq!(ext[0]["previous_closes_on"], "2026-03-20");
    assert_eq!(ext[0]["closes_on"], "2026-03-30");
    assert_eq!(ext[0]["reason"], "应企业要求延长");
    let public = app.get(&format!("/api/v1/drafts/{id}"), None).await.ok(200);
    assert_eq!(public["comment_period"]["extensions"], *ext);
    let rows: i64 = period_extensions::table
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(rows, 1);
    // Still open past the old end; closed after the new one, and no more extensions then.
    app.set_now("2026-03-25T00:00:00Z");
    assert_eq!(
        app.get(&format!("/api/v1/drafts/{id}"), None).await.ok(200)["phase"],
        "open"
    );
    app.set_now("2026-03-31T00:00:00Z");
    let doc = act(
        &app,
        &t.approver,
        &id,
        json!({"action": "extend", "closes_on": "2026-04-10", "reason": "x"}),
    )
    .await
    .problem(409);
    assert_eq!(doc["type"], "/problems/phase-closed");
}

async fn r7_every_step_is_recorded_in_steps_and_audit(app: TestApp) {
    let t = team(&app);
    let id = publish(&app, &t, "2026-03-02", "2026-03-20").await;
    let steps: Vec<(String, String, String, bool)> = workflow_steps::table
        .filter(workflow_steps::draft_id.eq(&id))
        .order(workflow_steps::at.asc())
        .select((
            workflow_steps::action,
            workflow_steps::actor_id,
            workflow_steps::to_state,
            workflow_steps::attested,
        ))
        .load(&mut *app.conn())
        .unwrap();
    let actions: Vec<&str> = steps.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(
        actions,
        vec!["submit", "pass_initial_review", "pass_re_review", "approve"]
    );
    assert_eq!(steps[1].1, app.user_id("reviewer1"));
    assert_eq!(steps[2].1, app.user_id("reviewer2"));
    assert_eq!(steps[3].2, "published");
    assert!(!steps[0].3 && steps[1].3 && steps[2].3 && steps[3].3);
    let audit = app
        .get(&format!("/api/v1/drafts/{id}/audit"), Some(&t.r1))
        .await
        .ok(200);
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        vec![
            "draft.created",
            "material.created",
            "material.created",
            "draft.submit",
            "draft.pass_initial_review",
            "draft.pass_re_review",
            "draft.approve"
        ]
    );
    assert_eq!(audit["items"][4]["actor"], app.user_id("reviewer1"));
    assert_eq!(audit["items"][4]["details"]["attested"], true);
    // Staff see the review record on the draft; the public does not.
    let d = app
        .get(&format!("/api/v1/drafts/{id}"), Some(&t.drafter))
        .await
        .ok(200);
    assert_eq!(d["review_steps"].as_array().unwrap().len(), 4);
    assert!(
        app.get(&format!("/api/v1/drafts/{id}"), None)
            .await
            .ok(200)
            .get("review_steps")
            .is_none()
    );
    let verified = consult::db::audit::verify(&mut app.conn()).unwrap();
    assert!(verified.is_ok());
}

async fn r7_four_eyes_roles_states_and_attestation(app: TestApp) {
    let t = team(&app);
    let both_roles = app.staff(
        "drafter-reviewer",
        &[Role::Drafter, Role::Reviewer, Role::Approver],
    );
    // A drafter who is also a reviewer may not review their own draft.
    let d = create(&app, &both_roles, "2026-03-05", "2026-03-25").await;
    let own = d["id"].as_str().unwrap().to_string();
    material(&app, &both_roles, &own, "explanation").await;
    material(&app, &both_roles, &own, "basis").await;
    act(&app, &t.drafter, &own, json!({"action": "submit"}))
        .await
        .problem(403);
    act(&app, &both_roles, &own, json!({"action": "submit"}))
        .await
        .ok(200);
    let doc = act(
        &app,
        &both_roles,
        &own,
        json!({"action": "pass_initial_review", "attest_no_confidential": true}),
    )
    .await
    .problem(403);
    assert_eq!(doc["type"], "/problems/forbidden");
    // Wrong role: a drafter cannot review; an approver cannot pass a review step.
    act(
        &app,
        &t.drafter,
        &own,
        json!({"action": "pass_initial_review", "attest_no_confidential": true}),
    )
    .await
    .problem(403);
    act(
        &app,
        &t.approver,
        &own,
        json!({"action": "pass_initial_review", "attest_no_confidential": true}),
    )
    .await
    .problem(403);
    // Wrong state: approval before the reviews.
    act(
        &app,
        &t.approver,
        &own,
        json!({"action": "approve", "attest_no_confidential": true}),
    )
    .await
    .problem(409);
    // The attestation is required on every review step.
    for attest in [json!(null), json!(false)] {
        let doc = act(
            &app,
            &t.r1,
            &own,
            json!({"action": "pass_initial_review", "attest_no_confidential": attest}),
        )
        .await
        .problem(422);
        assert!(doc["errors"]["attest_no_confidential"].is_array());
    }
    act(
        &app,
        &t.r1,
        &own,
        json!({"action": "pass_initial_review", "attest_no_confidential": true}),
    )
    .await
    .ok(200);
    // The re-reviewer must differ from the initial reviewer.
    act(
        &app,
        &t.r1,
        &own,
        json!({"action": "pass_re_review", "attest_no_confidential": true}),
    )
    .await
    .problem(403);
    act(&app, &t.r2, &own, json!({"action": "pass_re_review"}))
        .await
        .problem(422);
    act(
        &app,
        &t.r2,
        &own,
        json!({"action": "pass_re_review", "attest_no_confidential": true}),
    )
    .await
    .ok(200);
    // The drafter may not approve their own draft, even holding the approver role.
    act(
        &app,
        &both_roles,
        &own,
        json!({"action": "approve", "attest_no_confidential": true}),
    )
    .await
    .problem(403);
    act(&app, &t.approver, &own, json!({"action": "approve"}))
        .await
        .problem(422);
    let d = act(
        &app,
        &t.approver,
        &own,
        json!({"action": "approve", "attest_no_confidential": true}),
    )
    .await
    .ok(200);
    assert_eq!(d["state"], "published");
    // Published drafts cannot be submitted or approved again.
    act(
        &app,
        &t.approver,
        &own,
        json!({"action": "approve", "attest_no_confidential": true}),
    )
    .await
    .problem(409);
    app.get("/api/v1/drafts", None).await.ok(200);
    act(&app, &t.r1, &own, json!({"action": "submit"}))
        .await
        .problem(403);
    let nobody = app
        .post(
            "/api/v1/drafts/nope/actions",
            Some(&t.r1),
            json!({"action": "submit"}),
        )
        .await;
    nobody.problem(404);
}

async fn r7_return_and_withdraw(app: TestApp) {
    let t = team(&app);
    let id = up_to_approval(&app, &t, "2026-03-05", "2026-03-25").await;
    // Returning from approval is the approver's; a note is required.
    act(&app, &t.r1, &id, json!({"action": "return", "note": "x"}))
        .await
        .problem(403);
    act(&app, &t.approver, &id, json!({"action": "return"}))
        .await
        .problem(422);
    let d = act(
        &app,
        &t.approver,
        &id,
        json!({"action": "return", "note": "第二条须删去个人电话"}),
    )
    .await
    .ok(200);
    assert_eq!(d["state"], "drafting");
    assert_eq!(d["initial_reviewer_id"], Value::Null);
    // The drafter can edit again and resubmit; the chain starts afresh.
    app.patch(
        &format!("/api/v1/drafts/{id}"),
        Some(&t.drafter),
        json!({"summary": "已修改"}),
    )
    .await
    .ok(200);
    act(&app, &t.drafter, &id, json!({"action": "submit"}))
        .await
        .ok(200);
    let d = act(
        &app,
        &t.r2,
        &id,
        json!({"action": "return", "note": "请补充依据"}),
    )
    .await
    .ok(200);
    assert_eq!(d["state"], "drafting");
    let last = d["review_steps"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["action"], "return");
    assert_eq!(last["note"], "请补充依据");
    // Withdrawal: approver only, with a reason; the record stays public.
    let published = publish(&app, &t, "2026-03-05", "2026-03-25").await;
    act(
        &app,
        &t.drafter,
        &published,
        json!({"action": "withdraw", "reason": "x"}),
    )
    .await
    .problem(403);
    act(&app, &t.approver, &published, json!({"action": "withdraw"}))
        .await
        .problem(422);
    let d = act(
        &app,
        &t.approver,
        &published,
        json!({"action": "withdraw", "reason": "上位法已修改"}),
    )
    .await
    .ok(200);
    assert_eq!(d["state"], "withdrawn");
    assert_eq!(d["withdraw_reason"], "上位法已修改");
    let p = app
        .get(&format!("/api/v1/drafts/{published}"), None)
        .await
        .ok(200);
    assert_eq!(p["phase"], "closed");
    act(
        &app,
        &t.approver,
        &published,
        json!({"action": "withdraw", "reason": "again"}),
    )
    .await
    .problem(409);
}

async fn audit_of_a_draft_is_for_staff_only(app: TestApp) {
    let id = insert_draft(&app, DraftSpec::open(app.now()));
    insert_comment(&app, &id, CommentSpec::new("赞成。"));
    let mut hidden = CommentSpec::new("待审。");
    hidden.status = "pending";
    insert_comment(&app, &id, hidden);
    let d = app.get(&format!("/api/v1/drafts/{id}"), None).await.ok(200);
    assert_eq!(d["published_comment_count"], 1);
    app.get(&format!("/api/v1/drafts/{id}/audit"), None)
        .await
        .problem(401);
    let staff = app.staff("moderator", &[Role::Moderator]);
    let audit = app
        .get(&format!("/api/v1/drafts/{id}/audit"), Some(&staff))
        .await
        .ok(200);
    assert!(audit["items"].is_array());
    app.get("/api/v1/drafts/nope/audit", Some(&staff))
        .await
        .problem(404);
}

async fn unknown_fields_and_actions_are_422(app: TestApp) {
    let t = team(&app);
    let mut b = body("2026-03-05", "2026-03-25");
    b["titel"] = json!("typo");
    let doc = app
        .post("/api/v1/drafts", Some(&t.drafter), b)
        .await
        .problem(422);
    assert!(doc["errors"]["titel"].is_array());
    let mut b = body("2026-03-05", "2026-03-25");
    b["kind"] = json!("law");
    app.post("/api/v1/drafts", Some(&t.drafter), b)
        .await
        .problem(422);
    let mut b = body("2026-03-05", "2026-03-25");
    b["title"] = json!("   ");
    let doc = app
        .post("/api/v1/drafts", Some(&t.drafter), b)
        .await
        .problem(422);
    assert!(doc["errors"]["title"].is_array());
    app.post(
        "/api/v1/drafts",
        Some(&t.r1),
        body("2026-03-05", "2026-03-25"),
    )
    .await
    .problem(403);
    app.post("/api/v1/drafts", None, body("2026-03-05", "2026-03-25"))
        .await
        .problem(401);
    let d = create(&app, &t.drafter, "2026-03-05", "2026-03-25").await;
    let id = d["id"].as_str().unwrap();
    let doc = act(&app, &t.drafter, id, json!({"action": "publish_now"}))
        .await
        .problem(422);
    assert!(doc["errors"]["action"].is_array());
    act(
        &app,
        &t.drafter,
        id,
        json!({"action": "submit", "extra": 1}),
    )
    .await
    .problem(422);
    let r = app
        .call(actix_web::test::TestRequest::put().uri(&format!("/api/v1/drafts/{id}")))
        .await;
    assert_eq!(r.status, 405);
}

async fn demo_loads_drafts_in_every_phase_once(app: TestApp) {
    let config = app.state.config.clone();
    let now = app.now();
    let first = consult::demo::load(&mut app.conn(), &config, now, "demo-password-1").unwrap();
    assert!(matches!(
        first,
        consult::demo::Outcome::Loaded { drafts: 7, .. }
    ));
    let again = consult::demo::load(&mut app.conn(), &config, now, "demo-password-1").unwrap();
    assert!(matches!(again, consult::demo::Outcome::AlreadyLoaded));
    let again = consult::demo::load_if_empty(&mut app.conn(), &config, now, "x").unwrap();
    assert!(matches!(again, consult::demo::Outcome::AlreadyLoaded));
    let total: i64 = drafts::table.count().get_result(&mut *app.conn()).unwrap();
    assert_eq!(total, 7, "loading twice never duplicates");
    // The public sees the published ones, in every phase, one in English, with materials.
    let list = app.get("/api/v1/drafts", None).await.ok(200);
    assert_eq!(list["total"], 5);
    let items = list["items"].as_array().unwrap();
    let phases: std::collections::BTreeSet<&str> =
        items.iter().map(|d| d["phase"].as_str().unwrap()).collect();
    assert_eq!(
        phases,
        ["closed", "open", "scheduled"].into_iter().collect()
    );
    // One is in its second round, open, each change linked to the opinions behind it (R8).
    let second = items
        .iter()
        .find(|d| d["round"] == 2)
        .expect("a draft in its second round");
    assert_eq!(second["phase"], "open");
    let second_id = second["id"].as_str().unwrap();
    let diff = app
        .get(&format!("/api/v1/drafts/{second_id}/rounds/2/diff"), None)
        .await
        .ok(200);
    let linked: Vec<i64> = diff["articles"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["in_response_to"]["opinions"].as_i64())
        .collect();
    assert_eq!(linked, [3, 3, 1], "{diff}");
    let first = app
        .get(&format!("/api/v1/drafts/{second_id}/report?round=1"), None)
        .await
        .ok(200);
    assert_eq!(first["state"], "published");
    assert!(
        first["groups"]
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["changed_articles"]
                .as_array()
                .is_some_and(|a| !a.is_empty())),
        "{first}"
    );
    assert!(
        items
            .iter()
            .any(|d| d["title"].as_str().unwrap().starts_with("Longling County"))
    );
    assert!(
        items
            .iter()
            .any(|d| d["published_comment_count"].as_i64().unwrap() > 0)
    );
    for d in items {
        let full = app
            .get(d["links"]["self"].as_str().unwrap(), None)
            .await
            .ok(200);
        assert!(full["materials"].as_array().unwrap().len() >= 2);
    }
    let extended = items
        .iter()
        .find(|d| d["title"].as_str().unwrap().contains("人民调解"))
        .unwrap();
    let full = app
        .get(extended["links"]["self"].as_str().unwrap(), None)
        .await
        .ok(200);
    assert_eq!(
        full["comment_period"]["extensions"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // R16–R20: the closed draft went through the whole cycle: its comments grouped and
    // answered with reasons, the report prepared and submitted by the drafter and approved
    // by another person, so that it is published and the draft concluded.
    let closed = app.get("/api/v1/drafts?phase=closed", None).await.ok(200);
    assert_eq!(closed["total"], 1);
    let closed_id = closed["items"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(
        drafts::table
            .find(&closed_id)
            .select(drafts::state)
            .first::<String>(&mut *app.conn())
            .unwrap(),
        "concluded"
    );
    let report = app
        .get(&format!("/api/v1/drafts/{closed_id}/report"), None)
        .await
        .ok(200);
    assert_eq!(report["state"], "published");
    let rows = report["comments"].as_array().unwrap();
    assert_eq!(rows.len(), 8, "every comment of the draft is in the report");
    assert!(rows.iter().all(|r| r["outcome"].is_string()), "{rows:?}");
    assert!(
        rows.iter()
            .filter(|r| r["outcome"] != "adopted")
            .all(|r| r["reason"].is_string()),
        "a reason for every outcome but adopted"
    );
    assert_eq!(
        rows.iter().filter(|r| r["group"].is_string()).count(),
        5,
        "the opinions on Article 4 form one group"
    );
    let html = app
        .call(
            actix_web::test::TestRequest::get()
                .uri(&format!("/drafts/{closed_id}/report"))
                .insert_header(("Accept", "text/html")),
        )
        .await;
    assert_eq!(html.status, 200);
    let html = html.text();
    for s in [
        "上位法已有规定",
        "超出本文件调整范围",
        "关于第四条审核期限的意见",
    ] {
        assert!(html.contains(s), "{s} on the public report page");
    }
    let home = app
        .call(
            actix_web::test::TestRequest::get()
                .uri("/")
                .insert_header(("Accept", "text/html")),
        )
        .await
        .text();
    assert!(
        home.contains(&format!("/drafts/{closed_id}/report")),
        "the home page links it"
    );
    let approval: (String, String) = consult::db::schema::reports::table
        .filter(consult::db::schema::reports::draft_id.eq(&closed_id))
        .select((
            consult::db::schema::reports::prepared_by,
            consult::db::schema::reports::approved_by.assume_not_null(),
        ))
        .first(&mut *app.conn())
        .unwrap();
    assert_ne!(approval.0, approval.1, "approved by another person");
    assert_eq!(approval.1, app.user_id("demo-approver"));
    // The printed password signs the demo staff in; the drafter sees all their drafts.
    let token = app
        .post(
            "/api/v1/auth/token",
            None,
            json!({"username": "demo-drafter", "password": "demo-password-1"}),
        )
        .await
        .ok(200)["token"]
        .as_str()
        .unwrap()
        .to_string();
    let own = app.get("/api/v1/drafts", Some(&token)).await.ok(200);
    assert_eq!(own["total"], 7);
    assert!(consult::db::audit::verify(&mut app.conn()).unwrap().is_ok());
    // `serve --demo` never loads into a database that already has drafts.
    let other = TestApp::start(app.db.kind).await.unwrap();
    insert_draft(&other, DraftSpec::open(other.now()));
    let outcome =
        consult::demo::load_if_empty(&mut other.conn(), &config, other.now(), "x").unwrap();
    assert!(matches!(outcome, consult::demo::Outcome::NotEmpty));
}
