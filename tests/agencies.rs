//! Agencies and ownership through the real app on SQLite and PostgreSQL: officers act only on
//! the drafts of their agencies, the personal fields of comments and the audit trail are read
//! only by those who need them, and administrators manage agencies and their members.

use crate::common;

use common::fixtures::{CommentSpec, DraftSpec, insert_comment, insert_draft};
use common::session::signed_in;
use common::{AGENCY, TestApp};
use consult::db::schema::{audit_log, comments, drafts, opinion_groups, reports};
use consult::domain::roles::Role;
use diesel::prelude::*;
use serde_json::json;

both!(
    another_agencys_drafter_cannot_group_dispose_or_report,
    personal_fields_and_the_audit_trail_are_for_the_drafts_agency,
    drafts_are_created_only_for_an_agency_of_the_drafter,
    the_moderation_queue_holds_the_moderators_agencies_only,
    administrators_manage_agencies_and_members,
    the_migration_gives_every_draft_an_agency,
);

const OTHER: &str = "龙岭县市场监督管理局";

fn groups(app: &TestApp) -> i64 {
    opinion_groups::table
        .count()
        .get_result(&mut *app.conn())
        .unwrap()
}

fn report_count(app: &TestApp) -> i64 {
    reports::table.count().get_result(&mut *app.conn()).unwrap()
}

async fn another_agencys_drafter_cannot_group_dispose_or_report(app: TestApp) {
    let draft = insert_draft(&app, DraftSpec::closed(app.now()));
    let (c, _, _) = insert_comment(&app, &draft, CommentSpec::new("建议延长期限。"));
    let outsider = app.staff_of(Some(OTHER), "outsider", &[Role::Drafter]);
    let groups_before = groups(&app);

    let res = app
        .post(
            &format!("/api/v1/drafts/{draft}/groups"),
            Some(&outsider),
            json!({"title": "期限", "comment_ids": [c]}),
        )
        .await;
    res.problem(403);
    assert_eq!(groups(&app), groups_before);

    let res = app
        .put(
            &format!("/api/v1/comments/{c}/disposition"),
            Some(&outsider),
            json!({"outcome": "adopted"}),
        )
        .await;
    res.problem(403);
    let outcome: Option<String> = comments::table
        .find(&c)
        .select(comments::outcome)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(outcome, None, "nothing changed");

    let res = app
        .post(
            &format!("/api/v1/drafts/{draft}/report"),
            Some(&outsider),
            json!({}),
        )
        .await;
    res.problem(403);
    assert_eq!(report_count(&app), 0);
    let res = app
        .get(&format!("/api/v1/drafts/{draft}/groups"), Some(&outsider))
        .await;
    res.problem(403);

    // A drafter of the draft's agency may.
    let insider = app.staff("insider", &[Role::Drafter]);
    app.post(
        &format!("/api/v1/drafts/{draft}/groups"),
        Some(&insider),
        json!({"title": "期限", "comment_ids": [c]}),
    )
    .await
    .ok(201);
    app.put(
        &format!("/api/v1/comments/{c}/disposition"),
        Some(&insider),
        json!({"outcome": "adopted"}),
    )
    .await
    .ok(200);

    // The staff pages answer the same.
    let mut b = signed_in(&app, "outsider-page", &[Role::Drafter]).await;
    diesel::delete(consult::db::schema::agency_members::table)
        .filter(consult::db::schema::agency_members::user_id.eq(app.user_id("outsider-page")))
        .execute(&mut *app.conn())
        .unwrap();
    let res = b.get(&format!("/staff/drafts/{draft}/comments")).await;
    assert_eq!(res.status.as_u16(), 403);
    let res = b.get(&format!("/staff/drafts/{draft}/groups")).await;
    assert_eq!(res.status.as_u16(), 403);
}

async fn personal_fields_and_the_audit_trail_are_for_the_drafts_agency(app: TestApp) {
    let draft = insert_draft(&app, DraftSpec::open(app.now()));
    let (c, _, _) = insert_comment(&app, &draft, CommentSpec::new("意见正文。"));
    let moderator = app.staff("moderator", &[Role::Moderator]);
    let reviewer = app.staff("reviewer", &[Role::Reviewer]);
    let other_moderator = app.staff_of(Some(OTHER), "other-moderator", &[Role::Moderator]);
    let other_reviewer = app.staff_of(Some(OTHER), "other-reviewer", &[Role::Reviewer]);
    let admin = app.staff_of(None, "root", &[Role::Admin]);
    let list = format!("/api/v1/drafts/{draft}/comments");
    let item = |doc: serde_json::Value| {
        doc["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == json!(c) || i["tracking_number"].is_string())
            .cloned()
            .unwrap()
    };
    // The moderator of the agency sees the contact fields (an administrator reads them in
    // the export; in this list one without a comment-handling role gets the public view).
    let it = item(app.get(&list, Some(&moderator)).await.ok(200));
    assert_eq!(it["email"], "zhangsan@example.com", "{it}");
    assert_eq!(it["phone"], "138-0000-0000");
    // A reviewer of the agency sees every comment but no contact field.
    let it = item(app.get(&list, Some(&reviewer)).await.ok(200));
    assert_eq!(it["status"], "published", "the staff view");
    for field in ["name", "email", "phone", "region"] {
        assert!(it[field].is_null(), "{field}: {it}");
    }
    // Another agency's officers see what the public sees.
    for token in [&other_moderator, &other_reviewer] {
        let res = app.get(&list, Some(token)).await;
        let text = res.text();
        assert_eq!(res.status.as_u16(), 200);
        assert!(!text.contains("zhangsan"), "{text}");
        assert!(!text.contains("138-0000"), "{text}");
        assert!(!text.contains("\"status\""), "{text}");
    }
    // The audit trail: officers of the agency and administrators.
    let audit = format!("/api/v1/drafts/{draft}/audit");
    app.get(&audit, Some(&reviewer)).await.ok(200);
    app.get(&audit, Some(&admin)).await.ok(200);
    app.get(&audit, Some(&other_reviewer)).await.problem(403);
    app.get(&audit, Some(&other_moderator)).await.problem(403);
    app.get("/api/v1/drafts/nope/audit", Some(&reviewer))
        .await
        .problem(404);

    // The desk page of a comment shows the contact fields to a drafter, not to a reviewer.
    let page = format!("/staff/drafts/{draft}/comments/{c}");
    let mut d = signed_in(&app, "page-drafter", &[Role::Drafter]).await;
    assert!(d.get(&page).await.text().contains("zhangsan@example.com"));
    let mut r = signed_in(&app, "page-reviewer", &[Role::Reviewer]).await;
    let html = r.get(&page).await.text();
    assert!(html.contains("意见正文"), "the comment is shown");
    assert!(!html.contains("zhangsan@example.com"), "{html}");
    assert!(!html.contains("138-0000-0000"));
}

async fn drafts_are_created_only_for_an_agency_of_the_drafter(app: TestApp) {
    let token = app.staff("wang", &[Role::Drafter]);
    let other = app.agency(OTHER);
    let body = |agency: &str| {
        json!({
            "title": "龙岭县法律援助办法（征求意见稿）",
            "agency": agency,
            "category": "规范性文件",
            "subject_terms": ["法律援助"],
            "kind": "normative_document",
            "enterprise_related": false,
            "summary": "为规范法律援助，制定本办法。",
            "articles": [{"text": "第一条。"}],
            "comment_period": {"opens_on": "2026-03-10", "closes_on": "2026-04-10"}
        })
    };
    let before: i64 = drafts::table.count().get_result(&mut *app.conn()).unwrap();
    app.post("/api/v1/drafts", Some(&token), body(OTHER))
        .await
        .problem(403);
    app.post("/api/v1/drafts", Some(&token), body(&other))
        .await
        .problem(403);
    let doc = app
        .post("/api/v1/drafts", Some(&token), body("no-such-agency"))
        .await
        .problem(422);
    assert!(doc["errors"]["agency"].is_array(), "{doc}");
    let after: i64 = drafts::table.count().get_result(&mut *app.conn()).unwrap();
    assert_eq!(before, after, "nothing was created");
    // By its code or by its name; the draft carries both.
    for key in [common::AGENCY_CODE, AGENCY] {
        let doc = app
            .post("/api/v1/drafts", Some(&token), body(key))
            .await
            .ok(201);
        assert_eq!(doc["agency"], AGENCY);
        let code: String = drafts::table
            .find(doc["id"].as_str().unwrap())
            .select(drafts::agency_code)
            .first(&mut *app.conn())
            .unwrap();
        assert_eq!(code, common::AGENCY_CODE);
    }
    // Moving a draft to an agency the drafter is not in is refused too.
    let id = app
        .post("/api/v1/drafts", Some(&token), body(AGENCY))
        .await
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.patch(
        &format!("/api/v1/drafts/{id}"),
        Some(&token),
        json!({"agency": OTHER}),
    )
    .await
    .problem(403);
}

async fn the_moderation_queue_holds_the_moderators_agencies_only(app: TestApp) {
    let ours = insert_draft(&app, DraftSpec::open(app.now()));
    let mut spec = DraftSpec::open(app.now());
    spec.agency = OTHER.into();
    let theirs = insert_draft(&app, spec);
    let pending = |body: &str| {
        let mut s = CommentSpec::new(body);
        s.status = "pending";
        s
    };
    let (mine, _, _) = insert_comment(&app, &ours, pending("我们的意见"));
    let (not_mine, _, _) = insert_comment(&app, &theirs, pending("他们的意见"));
    let moderator = app.staff("moderator", &[Role::Moderator]);
    let doc = app
        .get("/api/v1/moderation", Some(&moderator))
        .await
        .ok(200);
    let ids: Vec<&str> = doc["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![mine.as_str()]);
    app.post(
        &format!("/api/v1/comments/{not_mine}/moderation"),
        Some(&moderator),
        json!({"decision": "publish"}),
    )
    .await
    .problem(403);
    let status: String = comments::table
        .find(&not_mine)
        .select(comments::status)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(status, "pending");
    let mut m = signed_in(&app, "page-moderator", &[Role::Moderator]).await;
    let html = m.get("/staff/moderation").await.text();
    assert!(html.contains("我们的意见") && !html.contains("他们的意见"));
}

async fn administrators_manage_agencies_and_members(app: TestApp) {
    let admin = app.staff_of(None, "root", &[Role::Admin]);
    let drafter = app.staff_of(None, "li", &[Role::Drafter]);
    app.post(
        "/api/v1/admin/agencies",
        Some(&drafter),
        json!({"code": "finance", "name": "龙岭县财政局"}),
    )
    .await
    .problem(403);
    let doc = app
        .post(
            "/api/v1/admin/agencies",
            Some(&admin),
            json!({"code": "finance", "name": "龙岭县财政局"}),
        )
        .await
        .ok(201);
    assert_eq!(doc["members"], json!([]));
    app.post(
        "/api/v1/admin/agencies",
        Some(&admin),
        json!({"code": "finance", "name": "另一个"}),
    )
    .await
    .problem(422);
    app.post(
        "/api/v1/admin/agencies",
        Some(&admin),
        json!({"code": "Bad Code", "name": "x"}),
    )
    .await
    .problem(422);
    let doc = app
        .put(
            "/api/v1/admin/agencies/finance/members/li",
            Some(&admin),
            json!(null),
        )
        .await
        .ok(200);
    assert_eq!(doc["members"], json!(["li"]));
    app.put(
        "/api/v1/admin/agencies/finance/members/nobody",
        Some(&admin),
        json!(null),
    )
    .await
    .problem(404);
    let doc = app
        .patch(
            "/api/v1/admin/agencies/finance",
            Some(&admin),
            json!({"name": "龙岭县财政局（新）"}),
        )
        .await
        .ok(200);
    assert_eq!(doc["name"], "龙岭县财政局（新）");
    let list = app
        .get("/api/v1/admin/agencies", Some(&admin))
        .await
        .ok(200);
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|a| a["code"] == "finance")
    );
    let doc = app
        .delete("/api/v1/admin/agencies/finance/members/li", Some(&admin))
        .await
        .ok(200);
    assert_eq!(doc["members"], json!([]));
    let actions: Vec<String> = audit_log::table
        .filter(audit_log::object_type.eq("agency"))
        .order(audit_log::seq.asc())
        .select(audit_log::action)
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(
        actions,
        vec![
            "agency.created",
            "agency.member_added",
            "agency.renamed",
            "agency.member_removed"
        ]
    );

    // The staff page does the same.
    let mut b = signed_in(&app, "page-admin", &[Role::Admin]).await;
    let res = b
        .submit(
            "/staff/agencies",
            "/staff/agencies",
            &[
                ("op", "create"),
                ("code", "water"),
                ("name", "龙岭县水利局"),
            ],
        )
        .await;
    assert_eq!(res.status.as_u16(), 303);
    let res = b
        .submit(
            "/staff/agencies",
            "/staff/agencies",
            &[("op", "join"), ("code", "water"), ("username", "li")],
        )
        .await;
    assert_eq!(res.status.as_u16(), 303);
    let html = b.get("/staff/agencies").await.text();
    assert!(html.contains("龙岭县水利局") && html.contains("water"));
    let codes = consult::db::agencies::codes_of(&mut app.conn(), &app.user_id("li")).unwrap();
    assert_eq!(codes, vec!["water".to_string()]);
    let res = b
        .submit(
            "/staff/agencies",
            "/staff/agencies",
            &[("op", "create"), ("code", ""), ("name", "")],
        )
        .await;
    assert_eq!(res.status.as_u16(), 422);
    let mut d = signed_in(&app, "page-drafter", &[Role::Drafter]).await;
    assert_eq!(d.get("/staff/agencies").await.status.as_u16(), 403);
}

/// The migration turns the agency names of existing drafts into agencies and gives every
/// active officer the membership of each, so nobody loses what they could do.
async fn the_migration_gives_every_draft_an_agency(app: TestApp) {
    use consult::db::schema::{agencies, agency_members};
    let mut conn = app.conn();
    // Back to before the migration: drafts with names only, no agencies.
    let draft = insert_draft(&app, DraftSpec::open(app.now()));
    let mut spec = DraftSpec::open(app.now());
    spec.agency = OTHER.into();
    insert_draft(&app, spec);
    app.staff_of(None, "old-officer", &[Role::Drafter]);
    let sql = |backend_dir: &str, file: &str| {
        std::fs::read_to_string(format!(
            "{}/migrations/{backend_dir}/2026-12-04-000081_agencies/{file}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    };
    let dir = match app.db.kind {
        common::Db::Sqlite => "sqlite",
        common::Db::Postgres => "postgres",
    };
    let batch = |conn: &mut consult::db::DbConn, text: &str| match conn {
        consult::db::DbConn::Sqlite(c) => {
            diesel::connection::SimpleConnection::batch_execute(c, text)
        }
        consult::db::DbConn::Pg(c) => diesel::connection::SimpleConnection::batch_execute(c, text),
    };
    batch(&mut conn, &sql(dir, "down.sql")).unwrap();
    batch(&mut conn, &sql(dir, "up.sql")).unwrap();
    let names: Vec<String> = agencies::table
        .select(agencies::name)
        .order(agencies::name.asc())
        .load(&mut *conn)
        .unwrap();
    assert_eq!(names, vec![AGENCY.to_string(), OTHER.to_string()]);
    let (name, code): (String, String) = drafts::table
        .find(&draft)
        .select((drafts::agency, drafts::agency_code))
        .first(&mut *conn)
        .unwrap();
    assert_eq!(name, AGENCY, "the name the draft was published under stays");
    let agency_name: String = agencies::table
        .find(&code)
        .select(agencies::name)
        .first(&mut *conn)
        .unwrap();
    assert_eq!(agency_name, AGENCY);
    let old = app.user_id("old-officer");
    let memberships: i64 = agency_members::table
        .filter(agency_members::user_id.eq(&old))
        .count()
        .get_result(&mut *conn)
        .unwrap();
    assert_eq!(memberships, 2, "in every agency");
}
