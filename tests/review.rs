//! Opinion groups, dispositions and the adoption report (R16–R20) on both databases.

use crate::common;

use actix_web::test::TestRequest;
use common::TestApp;
use common::fixtures::{CommentSpec, DraftSpec, insert_comment, insert_draft};
use consult::db::schema::{audit_log, drafts, materials, outbox};
use consult::domain::roles::Role;
use diesel::prelude::*;
use serde_json::{Value, json};

both!(
    suggestion_groups_campaigns_apart_from_distinct_opinions_and_keeps_officer_edits,
    disposition_needs_a_reason_except_adopted_and_a_member_overrides_its_group,
    report_waits_for_the_closed_window_and_every_disposition,
    report_totals_order_groups_and_needs_approval_by_another_person,
    published_report_is_frozen_and_corrected_by_a_new_version,
    report_csv_has_a_bom_every_comment_and_no_personal_data,
    published_report_is_linked_from_draft_page_json_and_home_and_links_back,
);

const CAMPAIGN: &str = "我认为第五条规定的公开征求意见期限过短，十五天不足以让基层群众充分了解草案内容，建议将征求意见期限延长至三十日，并在村（社区）公告栏同步张贴，方便不上网的老年人参与。";
const CAMPAIGN_EN: &str = "Article 9 would force small businesses to file quarterly compliance reports, which costs time and money we do not have. Please exempt firms with fewer than 20 employees.";
const OTHER: &str =
    "第五条规定的十五天征求意见期限是合理的，不宜延长，否则会拖慢文件出台，影响工作效率。";
const OTHER_EN: &str = "Article 9 is fine as drafted; quarterly reporting helps regulators spot problems early and should apply to all firms.";

fn campaign_copies() -> Vec<String> {
    vec![
        CAMPAIGN.to_string(),
        format!("尊敬的领导：{CAMPAIGN}此致敬礼！市民王某"),
        format!("您好！{}谢谢！", CAMPAIGN.replace("过短", "太短")),
        CAMPAIGN.replace("，并在村（社区）公告栏同步张贴", ""),
        format!("县司法局：{}", CAMPAIGN.replace("三十日", "三十天")),
        format!("{CAMPAIGN}——城关镇居民李先生"),
    ]
}

fn comment(app: &TestApp, draft: &str, body: &str) -> String {
    insert_comment(app, draft, CommentSpec::new(body)).0
}

fn audit_actions(app: &TestApp, draft: &str) -> Vec<String> {
    audit_log::table
        .filter(audit_log::draft_id.eq(draft))
        .order(audit_log::seq.asc())
        .select(audit_log::action)
        .load(&mut *app.conn())
        .unwrap()
}

fn group_of<'a>(groups: &'a Value, comment_id: &str) -> Option<&'a Value> {
    groups["items"].as_array().unwrap().iter().find(|g| {
        g["comment_ids"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == comment_id)
    })
}

async fn suggestion_groups_campaigns_apart_from_distinct_opinions_and_keeps_officer_edits(
    app: TestApp,
) {
    let draft = insert_draft(&app, DraftSpec::closed(app.now()));
    let officer = app.staff("officer", &[Role::Drafter]);
    let reviewer = app.staff("reviewer", &[Role::Reviewer]);
    let campaign: Vec<String> = campaign_copies()
        .iter()
        .map(|b| comment(&app, &draft, b))
        .collect();
    let english: Vec<String> = [
        CAMPAIGN_EN.to_string(),
        format!("Dear Sir or Madam, {CAMPAIGN_EN} Sincerely, John Smith"),
        CAMPAIGN_EN.replace("small businesses", "small firms"),
    ]
    .iter()
    .map(|b| comment(&app, &draft, b))
    .collect();
    let other = comment(&app, &draft, OTHER);
    let other_en = comment(&app, &draft, OTHER_EN);
    // Hidden and withheld texts never become a (public) group title.
    let spam: Vec<String> = ["hidden", "pending"]
        .iter()
        .map(|status| {
            insert_comment(
                &app,
                &draft,
                CommentSpec {
                    status,
                    withhold: *status == "pending",
                    ..CommentSpec::new("出售各类发票，联系微信 fp8888，诚信经营，价格优惠。")
                },
            )
            .0
        })
        .collect();

    let path = format!("/api/v1/drafts/{draft}/groups/suggest");
    app.post(&path, Some(&reviewer), json!({}))
        .await
        .problem(403);
    let groups = app.post(&path, Some(&officer), json!({})).await.ok(200);
    // R16: the campaign (greetings, signatures, a changed word, a dropped clause) is one group.
    let g = group_of(&groups, &campaign[0]).expect("campaign grouped");
    assert_eq!(g["size"], 6, "{groups}");
    assert_eq!(g["concentrated"], true);
    assert!(!g["title"].as_str().unwrap().starts_with("尊敬的"));
    let g_en = group_of(&groups, &english[0]).expect("English campaign grouped");
    assert_eq!(g_en["size"], 3);
    assert_eq!(g_en["concentrated"], false);
    let g_spam = group_of(&groups, &spam[0]).expect("copies grouped");
    assert_eq!(g_spam["size"], 2);
    assert!(
        !g_spam["title"].as_str().unwrap().contains("发票"),
        "{g_spam}"
    );
    assert!(!g_spam.to_string().contains("fp8888"));
    // Distinct opinions on the same articles stay apart.
    assert!(group_of(&groups, &other).is_none(), "{groups}");
    assert!(group_of(&groups, &other_en).is_none(), "{groups}");

    // Officer edits: take one copy out, make an own group of the dissent.
    let gid = g["id"].as_str().unwrap().to_string();
    let res = app
        .patch(
            &format!("/api/v1/groups/{gid}"),
            Some(&officer),
            json!({"title": "延长征求意见期限", "remove": [campaign[5]]}),
        )
        .await
        .ok(200);
    assert_eq!(res["size"], 5);
    let own = app
        .post(
            &format!("/api/v1/drafts/{draft}/groups"),
            Some(&officer),
            json!({"title": "维持十五天", "comment_ids": [other]}),
        )
        .await
        .ok(201);
    // A later suggestion never undoes them.
    let again = app.post(&path, Some(&officer), json!({})).await.ok(200);
    let g = group_of(&again, &campaign[0]).unwrap();
    assert_eq!(g["id"], gid.as_str());
    assert_eq!(g["title"], "延长征求意见期限");
    assert_eq!(g["size"], 5);
    assert!(
        group_of(&again, &campaign[5]).is_none(),
        "removed stays out"
    );
    assert_eq!(group_of(&again, &other).unwrap()["id"], own["id"]);
    // Reviewers may read the groups.
    let listed = app
        .get(&format!("/api/v1/drafts/{draft}/groups"), Some(&reviewer))
        .await
        .ok(200);
    assert_eq!(listed["items"].as_array().unwrap().len(), 4);
    // Unknown comments are refused by name.
    let doc = app
        .patch(
            &format!("/api/v1/groups/{gid}"),
            Some(&officer),
            json!({"add": ["nope"]}),
        )
        .await
        .problem(422);
    assert!(doc["errors"]["add"].is_array());
    let actions = audit_actions(&app, &draft);
    for a in ["groups.suggested", "group.updated", "group.created"] {
        assert!(actions.iter().any(|x| x == a), "{a} audited: {actions:?}");
    }
}

async fn disposition_needs_a_reason_except_adopted_and_a_member_overrides_its_group(app: TestApp) {
    let draft = insert_draft(&app, DraftSpec::closed(app.now()));
    let officer = app.staff("officer", &[Role::Drafter]);
    let a = comment(&app, &draft, CAMPAIGN);
    let b = comment(&app, &draft, OTHER);
    let group = app
        .post(
            &format!("/api/v1/drafts/{draft}/groups"),
            Some(&officer),
            json!({"title": "期限", "comment_ids": [a, b]}),
        )
        .await
        .ok(201);
    let gid = group["id"].as_str().unwrap();
    let path = format!("/api/v1/groups/{gid}/disposition");
    for outcome in ["partially_adopted", "not_adopted", "noted"] {
        let doc = app
            .put(
                &path,
                Some(&officer),
                json!({"outcome": outcome, "reason": "  "}),
            )
            .await
            .problem(422);
        assert!(doc["errors"]["reason"].is_array(), "{outcome}: {doc}");
    }
    let doc = app
        .put(&path, Some(&officer), json!({"outcome": "rejected"}))
        .await
        .problem(422);
    assert!(doc["errors"]["outcome"].is_array());
    let g = app
        .put(
            &path,
            Some(&officer),
            json!({"outcome": "not_adopted", "reason": "上位法已规定十五日"}),
        )
        .await
        .ok(200);
    assert_eq!(g["disposition"]["outcome"], "not_adopted");
    assert_eq!(g["disposition"]["disposed_by"], app.user_id("officer"));
    assert!(g["disposition"]["disposed_at"].is_string());

    // adopted needs no reason; the member's own disposition overrides the group's.
    let c = app
        .put(
            &format!("/api/v1/comments/{b}/disposition"),
            Some(&officer),
            json!({"outcome": "adopted"}),
        )
        .await
        .ok(200);
    assert_eq!(c["effective"]["outcome"], "adopted");
    assert_eq!(c["effective"]["source"], "comment");
    assert_eq!(c["disposition"]["disposed_by"], app.user_id("officer"));
    let plain = app
        .put(
            &format!("/api/v1/comments/{a}/disposition"),
            Some(&officer),
            json!({"outcome": "noted"}),
        )
        .await
        .problem(422);
    assert!(plain["errors"]["reason"].is_array());
    let actions = audit_actions(&app, &draft);
    assert!(actions.iter().any(|x| x == "group.disposed"));
    assert!(actions.iter().any(|x| x == "comment.disposed"));
}

async fn report_waits_for_the_closed_window_and_every_disposition(app: TestApp) {
    let officer = app.staff("officer", &[Role::Drafter]);
    let open = insert_draft(&app, DraftSpec::open(app.now()));
    let c = comment(&app, &open, CAMPAIGN);
    app.put(
        &format!("/api/v1/comments/{c}/disposition"),
        Some(&officer),
        json!({"outcome": "adopted"}),
    )
    .await
    .ok(200);
    app.post(
        &format!("/api/v1/drafts/{open}/report"),
        Some(&officer),
        json!({}),
    )
    .await
    .problem(409);

    let draft = insert_draft(&app, DraftSpec::closed(app.now()));
    let online = comment(&app, &draft, CAMPAIGN);
    let hidden = insert_comment(
        &app,
        &draft,
        CommentSpec {
            status: "hidden",
            ..CommentSpec::new("广告内容")
        },
    )
    .0;
    let letter = insert_comment(
        &app,
        &draft,
        CommentSpec {
            channel: "letter",
            ..CommentSpec::new(OTHER)
        },
    )
    .0;
    app.put(
        &format!("/api/v1/comments/{online}/disposition"),
        Some(&officer),
        json!({"outcome": "adopted"}),
    )
    .await
    .ok(200);
    let path = format!("/api/v1/drafts/{draft}/report");
    let doc = app
        .post(&path, Some(&officer), json!({}))
        .await
        .problem(409);
    let missing: Vec<&str> = doc["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["comment_id"].as_str().unwrap())
        .collect();
    assert_eq!(missing.len(), 2, "{doc}");
    assert!(missing.contains(&hidden.as_str()) && missing.contains(&letter.as_str()));
    assert!(!missing.contains(&online.as_str()));
    assert_eq!(doc["missing_total"], 2);

    for id in [&hidden, &letter] {
        app.put(
            &format!("/api/v1/comments/{id}/disposition"),
            Some(&officer),
            json!({"outcome": "noted", "reason": "与本草案无关"}),
        )
        .await
        .ok(200);
    }
    let report = app.post(&path, Some(&officer), json!({})).await.ok(201);
    assert_eq!(report["state"], "draft");
    assert_eq!(report["totals"]["comments"], 3);
}

/// Disposes of every comment of `draft` (campaign group not adopted; others noted).
async fn prepare(app: &TestApp, draft: &str, officer: &str) -> Value {
    let groups = app
        .post(
            &format!("/api/v1/drafts/{draft}/groups/suggest"),
            Some(officer),
            json!({}),
        )
        .await
        .ok(200);
    for g in groups["items"].as_array().unwrap() {
        app.put(
            &format!("/api/v1/groups/{}/disposition", g["id"].as_str().unwrap()),
            Some(officer),
            json!({"outcome": "not_adopted", "reason": "上位法规定征求意见期限不少于十五日"}),
        )
        .await
        .ok(200);
    }
    let ids: Vec<String> = consult::db::schema::comments::table
        .filter(consult::db::schema::comments::draft_id.eq(draft))
        .filter(consult::db::schema::comments::group_id.is_null())
        .select(consult::db::schema::comments::id)
        .load(&mut *app.conn())
        .unwrap();
    for id in ids {
        app.put(
            &format!("/api/v1/comments/{id}/disposition"),
            Some(officer),
            json!({"outcome": "adopted"}),
        )
        .await
        .ok(200);
    }
    app.post(
        &format!("/api/v1/drafts/{draft}/report"),
        Some(officer),
        json!({}),
    )
    .await
    .ok(201)
}

async fn report_totals_order_groups_and_needs_approval_by_another_person(app: TestApp) {
    let spec = DraftSpec {
        enterprise_related: true,
        ..DraftSpec::closed(app.now())
    };
    let draft = insert_draft(&app, spec);
    // The officer drafted this draft and may also approve others' reports.
    let officer = app.staff("officer", &[Role::Drafter, Role::Approver]);
    diesel::update(drafts::table.find(&draft))
        .set(drafts::drafter_id.eq(app.user_id("officer")))
        .execute(&mut *app.conn())
        .unwrap();
    let approver = app.staff("approver", &[Role::Approver]);
    for body in campaign_copies() {
        comment(&app, &draft, &body);
    }
    for (i, body) in [CAMPAIGN_EN, OTHER_EN].iter().enumerate() {
        insert_comment(
            &app,
            &draft,
            CommentSpec {
                stakeholder_type: "enterprise",
                organization: Some("龙岭建材有限公司".into()),
                channel: if i == 0 { "email" } else { "online" },
                article: Some(2),
                ..CommentSpec::new(body)
            },
        );
    }
    let report = prepare(&app, &draft, &officer).await;
    let totals = &report["totals"];
    assert_eq!(totals["comments"], 8);
    assert_eq!(totals["by_channel"]["online"], 7);
    assert_eq!(totals["by_channel"]["email"], 1);
    assert_eq!(totals["by_stakeholder_type"]["individual"], 6);
    assert_eq!(totals["by_stakeholder_type"]["enterprise"], 2);
    assert_eq!(totals["by_article"]["2"], 2);
    assert_eq!(totals["by_outcome"]["not_adopted"], 6);
    assert_eq!(totals["by_outcome"]["adopted"], 2);
    assert_eq!(totals["market_entities"]["comments"], 2);
    let first = &report["groups"][0];
    assert_eq!(first["concentrated"], true);
    assert_eq!(first["outcome"], "not_adopted");
    assert_eq!(first["size"], 6);
    assert!(first["reason"].is_string());

    // Not public before publication.
    let path = format!("/api/v1/drafts/{draft}/report");
    app.get(&path, None).await.problem(404);
    let actions = format!("{path}/actions");
    app.post(&actions, Some(&approver), json!({"action": "submit"}))
        .await
        .problem(403);
    let submitted = app
        .post(&actions, Some(&officer), json!({"action": "submit"}))
        .await
        .ok(200);
    assert_eq!(submitted["state"], "awaiting_approval");
    // The drafter may not approve their own report, even holding the approver role.
    app.post(&actions, Some(&officer), json!({"action": "approve"}))
        .await
        .problem(403);
    app.post(&actions, Some(&approver), json!({"action": "return"}))
        .await
        .problem(422);
    let returned = app
        .post(
            &actions,
            Some(&approver),
            json!({"action": "return", "note": "请补充理由"}),
        )
        .await
        .ok(200);
    assert_eq!(returned["state"], "draft");
    app.post(&actions, Some(&officer), json!({"action": "submit"}))
        .await
        .ok(200);
    let published = app
        .post(&actions, Some(&approver), json!({"action": "approve"}))
        .await
        .ok(200);
    assert_eq!(published["state"], "published");
    assert!(published["published_at"].is_string());
    // R22: the commenters hear of it, through the outbox, once per address.
    let mails: Vec<(String, String, String)> = outbox::table
        .filter(outbox::kind.eq("report_published"))
        .filter(outbox::draft_id.eq(&draft))
        .select((outbox::recipient, outbox::status, outbox::payload))
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0].0, "zhangsan@example.com");
    assert_eq!(mails[0].1, "queued");
    assert!(mails[0].2.contains(&draft));
    let state: String = drafts::table
        .find(&draft)
        .select(drafts::state)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(state, "concluded");
    let public = app.get(&path, None).await.ok(200);
    assert_eq!(public["state"], "published");
    assert_eq!(public["comments"].as_array().unwrap().len(), 8);
    assert!(!public.to_string().contains("zhangsan@example.com"));
    let paged = app
        .get(&format!("{path}?per_page=3&page=3"), None)
        .await
        .ok(200);
    assert_eq!(paged["comments"].as_array().unwrap().len(), 2);
    let actions_logged = audit_actions(&app, &draft);
    for a in [
        "report.prepared",
        "report.submitted",
        "report.returned",
        "report.published",
    ] {
        assert!(
            actions_logged.iter().any(|x| x == a),
            "{a}: {actions_logged:?}"
        );
    }
}

async fn published_report_is_frozen_and_corrected_by_a_new_version(app: TestApp) {
    let draft = insert_draft(&app, DraftSpec::closed(app.now()));
    let officer = app.staff("officer", &[Role::Drafter]);
    let approver = app.staff("approver", &[Role::Approver]);
    for body in campaign_copies() {
        comment(&app, &draft, &body);
    }
    prepare(&app, &draft, &officer).await;
    let path = format!("/api/v1/drafts/{draft}/report");
    app.post(
        &format!("{path}/actions"),
        Some(&officer),
        json!({"action": "submit"}),
    )
    .await
    .ok(200);
    app.post(
        &format!("{path}/actions"),
        Some(&approver),
        json!({"action": "approve"}),
    )
    .await
    .ok(200);
    let v1 = app.get(&path, None).await.ok(200);

    // The draft is concluded: dispositions no longer change, and a correction needs a note.
    let gid = v1["groups"][0]["id"].as_str().unwrap().to_string();
    app.put(
        &format!("/api/v1/groups/{gid}/disposition"),
        Some(&officer),
        json!({"outcome": "adopted"}),
    )
    .await
    .problem(409);
    let doc = app
        .post(&path, Some(&officer), json!({}))
        .await
        .problem(422);
    assert!(doc["errors"]["note"].is_array());
    let v2 = app
        .post(&path, Some(&officer), json!({"note": "更正第五条统计口径"}))
        .await
        .ok(201);
    assert_eq!(v2["version"], 2);
    assert_eq!(v2["note"], "更正第五条统计口径");
    // The public still sees version 1 until version 2 is approved.
    assert_eq!(app.get(&path, None).await.ok(200)["version"], 1);
    app.post(
        &format!("{path}/actions"),
        Some(&officer),
        json!({"action": "submit"}),
    )
    .await
    .ok(200);
    app.post(
        &format!("{path}/actions"),
        Some(&approver),
        json!({"action": "approve"}),
    )
    .await
    .ok(200);
    assert_eq!(app.get(&path, None).await.ok(200)["version"], 2);
    let old = app.get(&format!("{path}?version=1"), None).await.ok(200);
    assert_eq!(old, v1, "an old version stays readable and unchanged");
}

async fn report_csv_has_a_bom_every_comment_and_no_personal_data(app: TestApp) {
    let draft = insert_draft(&app, DraftSpec::closed(app.now()));
    let officer = app.staff("officer", &[Role::Drafter]);
    let approver = app.staff("approver", &[Role::Approver]);
    for body in campaign_copies() {
        comment(&app, &draft, &body);
    }
    insert_comment(
        &app,
        &draft,
        CommentSpec {
            channel: "hearing",
            status: "hidden",
            name: Some("李四".into()),
            ..CommentSpec::new(OTHER)
        },
    );
    prepare(&app, &draft, &officer).await;
    let path = format!("/api/v1/drafts/{draft}/report");
    app.get(&format!("{path}?format=csv"), None)
        .await
        .problem(404);
    app.post(
        &format!("{path}/actions"),
        Some(&officer),
        json!({"action": "submit"}),
    )
    .await
    .ok(200);
    app.post(
        &format!("{path}/actions"),
        Some(&approver),
        json!({"action": "approve"}),
    )
    .await
    .ok(200);
    let res = app.get(&format!("{path}?format=csv"), None).await;
    assert_eq!(res.status, 200);
    assert!(res.header("content-type").unwrap().starts_with("text/csv"));
    assert!(
        res.body.starts_with("\u{feff}".as_bytes()),
        "UTF-8 BOM for Excel"
    );
    let text = res.text();
    let lines: Vec<&str> = text.trim_end().split("\r\n").collect();
    assert_eq!(
        lines[0].trim_start_matches('\u{feff}'),
        "tracking_number,article,stakeholder_type,channel,group,outcome,reason,round"
    );
    assert!(lines[1..].iter().all(|l| l.ends_with(",1")), "{text}");
    assert_eq!(lines.len(), 1 + 7, "one row per comment, hidden ones too");
    assert!(text.contains("hearing"));
    assert!(text.contains("上位法规定"));
    for personal in [
        "张三",
        "李四",
        "zhangsan@example.com",
        "138-0000-0000",
        "城关镇",
    ] {
        assert!(!text.contains(personal), "{personal} leaked into the CSV");
    }
    app.get(&format!("{path}?format=xml"), None)
        .await
        .problem(422);
}

/// A page as a browser asks for it: its status and text.
async fn page(app: &TestApp, path: &str) -> (u16, String) {
    let res = app
        .call(
            TestRequest::get()
                .uri(path)
                .insert_header(("Accept", "text/html")),
        )
        .await;
    (res.status.as_u16(), res.text())
}

async fn published_report_is_linked_from_draft_page_json_and_home_and_links_back(app: TestApp) {
    let draft = insert_draft(&app, DraftSpec::closed(app.now()));
    let officer = app.staff("officer", &[Role::Drafter]);
    let approver = app.staff("approver", &[Role::Approver]);
    let mid = consult::db::ids::new_id(app.now());
    diesel::insert_into(materials::table)
        .values((
            materials::id.eq(&mid),
            materials::draft_id.eq(&draft),
            materials::kind.eq("interpretation"),
            materials::title.eq("政策解读"),
            materials::body.eq("解读正文"),
            materials::position.eq(1),
            materials::created_by.eq(app.user_id("officer")),
            materials::created_at.eq(app.now().naive_utc()),
            materials::updated_at.eq(app.now().naive_utc()),
        ))
        .execute(&mut *app.conn())
        .unwrap();
    for body in campaign_copies() {
        comment(&app, &draft, &body);
    }
    prepare(&app, &draft, &officer).await;
    let actions = format!("/api/v1/drafts/{draft}/report/actions");
    app.post(&actions, Some(&officer), json!({"action": "submit"}))
        .await
        .ok(200);
    let report_href = format!(r#"href="/drafts/{draft}/report""#);
    // A concluded draft without a published report (as data may hold) links to none either.
    let bare = insert_draft(
        &app,
        DraftSpec {
            state: "concluded",
            ..DraftSpec::closed(app.now())
        },
    );
    let json = app
        .get(&format!("/api/v1/drafts/{bare}"), None)
        .await
        .ok(200);
    assert!(json["links"].get("report").is_none(), "{json}");
    let (_, text) = page(&app, &format!("/drafts/{bare}")).await;
    assert!(!text.contains(&format!("/drafts/{bare}/report")), "{text}");

    // Prepared and submitted but not yet approved: nothing points to it, and it is no page.
    let (status, text) = page(&app, &format!("/drafts/{draft}")).await;
    assert_eq!(status, 200);
    assert!(!text.contains(&report_href), "{text}");
    let json = app
        .get(&format!("/api/v1/drafts/{draft}"), None)
        .await
        .ok(200);
    assert!(json["links"].get("report").is_none(), "{json}");
    let list = app.get("/api/v1/drafts", None).await.ok(200);
    assert!(
        !list
            .to_string()
            .contains(&format!("/drafts/{draft}/report"))
    );
    let (_, home) = page(&app, "/").await;
    assert!(!home.contains(&report_href), "{home}");
    assert_eq!(page(&app, &format!("/drafts/{draft}/report")).await.0, 404);

    app.post(&actions, Some(&approver), json!({"action": "approve"}))
        .await
        .ok(200);

    // R20: the draft page links to the report, prominently, in both languages.
    let (_, text) = page(&app, &format!("/drafts/{draft}")).await;
    assert!(
        text.contains(&format!(
            r#"<a class="button" href="/drafts/{draft}/report">意见采纳情况报告</a>"#
        )),
        "{text}"
    );
    let (_, text) = page(&app, &format!("/drafts/{draft}?lang=en")).await;
    assert!(
        text.contains(&format!(
            r#"href="/drafts/{draft}/report">Adoption report</a>"#
        )),
        "{text}"
    );
    // `links.report` once a report is published, on the draft and in the list.
    let json = app
        .get(&format!("/api/v1/drafts/{draft}"), None)
        .await
        .ok(200);
    assert_eq!(
        json["links"]["report"],
        format!("/api/v1/drafts/{draft}/report")
    );
    let list = app.get("/api/v1/drafts", None).await.ok(200);
    let item = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == draft.as_str())
        .unwrap();
    assert_eq!(
        item["links"]["report"],
        format!("/api/v1/drafts/{draft}/report")
    );
    // R27: the home page lists recent reports.
    let (_, home) = page(&app, "/").await;
    assert!(home.contains("最新意见采纳情况报告"), "{home}");
    assert!(home.contains(&report_href), "{home}");

    // R19: the report page links to the draft's page and its materials' pages (not the API),
    // keeps its downloads, and wears the site's layout with the language and elder switches.
    let (status, text) = page(&app, &format!("/drafts/{draft}/report")).await;
    assert_eq!(status, 200, "{text}");
    assert!(
        text.contains(&format!(r#"href="/drafts/{draft}""#)),
        "{text}"
    );
    assert!(text.contains(&format!(r#"href="/materials/{mid}">政策解读</a>"#)));
    assert!(!text.contains(&format!(r#"href="/api/v1/drafts/{draft}""#)));
    assert!(text.contains(&format!(
        r#"href="/api/v1/drafts/{draft}/report?format=csv&amp;version=1""#
    )));
    assert!(text.contains(&format!(
        r#"href="/api/v1/drafts/{draft}/report?version=1""#
    )));
    assert!(text.contains(r#"href="/assets/site.css""#));
    assert!(text.contains("@media print"));
    assert!(text.contains(r#"lang="zh-CN""#) && text.contains(">English</a>"));
    let (_, en) = page(&app, &format!("/drafts/{draft}/report?lang=en&elder=1")).await;
    assert!(en.contains(r#"<html lang="en" class="elder">"#), "{en}");
    assert!(en.contains("Adoption report") && en.contains("The draft and its materials"));
}
