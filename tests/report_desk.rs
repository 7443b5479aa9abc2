//! The report room of the officers' review desk (R18–R20) on SQLite and PostgreSQL: the steps
//! of a report as forms (prepare refused with what is left, prepared, submitted, the four-eyes
//! refusal on the page, approved and published by another person, corrected as a new version
//! with its note), the charts with their figures, and the officers' exports (CSV with a BOM,
//! XLSX), with contact fields, audited, and with no cell that a spreadsheet would run — in the
//! public report CSV neither.

use crate::common;

use std::collections::BTreeMap;
use std::io::Read;

use actix_web::cookie::Cookie;
use actix_web::test::TestRequest;
use common::browser::{WebDriver, axe_core, chromium, serve_demo};
use common::fixtures::{CommentSpec, DraftSpec, insert_comment, insert_draft};
use common::{PASSWORD, Resp, TestApp};
use consult::db::schema::{audit_log, drafts};
use consult::domain::roles::Role;
use diesel::prelude::*;
use serde_json::{Value, json};

both!(
    the_report_room_takes_a_report_from_what_is_left_to_a_correction,
    the_charts_show_the_live_round_and_the_published_report_with_their_figures,
    officers_export_every_comment_with_contact_fields_and_no_formula_runs,
);

/// A browser: keeps the cookies the app sets.
struct Browser<'a> {
    app: &'a TestApp,
    cookies: BTreeMap<String, String>,
}

impl<'a> Browser<'a> {
    async fn signed_in(app: &'a TestApp, username: &str, roles: &[Role]) -> Browser<'a> {
        app.staff(username, roles);
        let mut b = Browser {
            app,
            cookies: BTreeMap::new(),
        };
        let page = b.get("/staff/login?lang=en").await.text();
        let v = value_of(&page, "csrf_token");
        let s = value_of(&page, "csrf_signature");
        let res = b
            .post(
                "/staff/login",
                &[
                    ("csrf_token", &v),
                    ("csrf_signature", &s),
                    ("username", username),
                    ("password", PASSWORD),
                    ("next", "/staff"),
                ],
            )
            .await;
        assert_eq!(res.status.as_u16(), 303, "{}", res.text());
        b
    }

    fn with_cookies(&self, mut req: TestRequest) -> TestRequest {
        for (k, v) in &self.cookies {
            req = req.cookie(Cookie::new(k.clone(), v.clone()));
        }
        req
    }

    fn absorb(&mut self, res: &Resp) {
        for v in res.headers.get_all("set-cookie") {
            let c = Cookie::parse(v.to_str().unwrap().to_string()).unwrap();
            if c.max_age() == Some(actix_web::cookie::time::Duration::ZERO) {
                self.cookies.remove(c.name());
            } else {
                self.cookies
                    .insert(c.name().to_string(), c.value().to_string());
            }
        }
    }

    async fn get(&mut self, path: &str) -> Resp {
        let req = self.with_cookies(
            TestRequest::get()
                .uri(path)
                .insert_header(("Accept", "text/html")),
        );
        let res = self.app.call(req).await;
        self.absorb(&res);
        res
    }

    async fn post(&mut self, path: &str, pairs: &[(&str, &str)]) -> Resp {
        let mut body = form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            body.append_pair(k, v);
        }
        let req = self.with_cookies(
            TestRequest::post()
                .uri(path)
                .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
                .set_payload(body.finish()),
        );
        let res = self.app.call(req).await;
        self.absorb(&res);
        res
    }

    /// Posts a step of the report page with this session's CSRF token.
    async fn step(&mut self, draft: &str, pairs: &[(&str, &str)]) -> Resp {
        let path = format!("/staff/drafts/{draft}/report");
        let page = self.get(&path).await;
        assert_eq!(page.status.as_u16(), 200, "{}", page.text());
        let token = value_of(&page.text(), "csrf_token");
        let mut all = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(pairs);
        self.post(&path, &all).await
    }
}

fn value_of(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let at = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in the page:\n{html}"));
    let rest = &html[at + marker.len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

#[track_caller]
fn see_other(res: &Resp, to: &str) {
    assert_eq!(res.status.as_u16(), 303, "{}", res.text());
    assert_eq!(res.header("location").as_deref(), Some(to));
}

/// A closed draft whose drafter is `username`, with three comments: two online, one letter
/// from an enterprise on article 2. Returns the draft and the comments' ids.
fn closed_draft(app: &TestApp, username: &str) -> (String, Vec<String>) {
    let draft = insert_draft(
        app,
        DraftSpec {
            enterprise_related: true,
            ..DraftSpec::closed(app.now())
        },
    );
    diesel::update(drafts::table.find(&draft))
        .set(drafts::drafter_id.eq(app.user_id(username)))
        .execute(&mut *app.conn())
        .unwrap();
    let ids = vec![
        insert_comment(app, &draft, CommentSpec::new("建议延长征求意见期限。")).0,
        insert_comment(
            app,
            &draft,
            CommentSpec {
                article: Some(2),
                ..CommentSpec::new("第二条的标准过低。")
            },
        )
        .0,
        insert_comment(
            app,
            &draft,
            CommentSpec {
                channel: "letter",
                stakeholder_type: "enterprise",
                organization: Some("龙岭县某某有限公司".into()),
                article: Some(2),
                name: Some("李四".into()),
                email: Some("lisi@example.com".into()),
                ..CommentSpec::new("第二条对小微企业负担过重。")
            },
        )
        .0,
    ];
    (draft, ids)
}

async fn dispose(app: &TestApp, token: &str, comment: &str, outcome: &str, reason: Option<&str>) {
    app.put(
        &format!("/api/v1/comments/{comment}/disposition"),
        Some(token),
        json!({"outcome": outcome, "reason": reason}),
    )
    .await
    .ok(200);
}

async fn the_report_room_takes_a_report_from_what_is_left_to_a_correction(app: TestApp) {
    let mut drafter = Browser::signed_in(&app, "wang", &[Role::Drafter, Role::Approver]).await;
    let token = app.staff("api-drafter", &[Role::Drafter]);
    let (draft, ids) = closed_draft(&app, "wang");
    let room = format!("/staff/drafts/{draft}/report");

    // The draft's page links to the room; the room shows what is left, linked.
    let page = drafter.get(&format!("/staff/drafts/{draft}")).await.text();
    assert!(page.contains(&format!("href=\"{room}\"")), "{page}");
    dispose(&app, &token, &ids[0], "adopted", None).await;
    let page = drafter.get(&room).await;
    assert_eq!(page.status.as_u16(), 200);
    let html = page.text();
    assert!(html.contains("1 of 3 comments disposed"), "{html}");
    assert!(html.contains(&format!(
        "href=\"/staff/drafts/{draft}/comments?disposition=none\""
    )));
    for id in &ids[1..] {
        assert!(
            html.contains(&format!("href=\"/staff/drafts/{draft}/comments/{id}\"")),
            "{id} linked: {html}"
        );
    }
    assert!(!html.contains(&format!("comments?comment={}\"", ids[0])));
    assert!(html.contains("Not prepared yet"));

    // Preparing is refused while comments lack a disposition: the refusal beside the form.
    let res = drafter.step(&draft, &[("op", "prepare")]).await;
    assert_eq!(res.status.as_u16(), 409);
    let html = res.text();
    assert!(
        html.contains("2 comments still lack a disposition"),
        "{html}"
    );
    assert!(
        html.contains("<p class=\"error\" role=\"alert\">"),
        "{html}"
    );

    dispose(
        &app,
        &token,
        &ids[1],
        "not_adopted",
        Some("标准依据上位法确定"),
    )
    .await;
    dispose(
        &app,
        &token,
        &ids[2],
        "partially_adopted",
        Some("对小微企业另作规定"),
    )
    .await;
    see_other(&drafter.step(&draft, &[("op", "prepare")]).await, &room);
    let html = drafter.get(&room).await.text();
    assert!(html.contains("The report was prepared."), "flash: {html}");
    assert!(html.contains("3 of 3 comments disposed"));
    assert!(html.contains("Prepared, not submitted"));
    // The preview is the public report's own partial, without the public downloads.
    assert!(html.contains("id=\"report-title\""), "{html}");
    assert!(html.contains("class=\"report-table stack rows\""));
    assert!(!html.contains("format=csv"));
    assert!(html.contains("<svg class=\"chart-svg\" role=\"img\""));

    see_other(&drafter.step(&draft, &[("op", "submit")]).await, &room);
    // Four eyes: the drafter, an approver too, may not approve; the refusal shows on the page.
    let html = drafter.get(&room).await.text();
    assert!(html.contains("another approver must approve it"), "{html}");
    let res = drafter.step(&draft, &[("op", "approve")]).await;
    assert_eq!(res.status.as_u16(), 403);
    let html = res.text();
    assert!(html.contains("id=\"report-approve\""), "{html}");
    assert!(
        html.contains("The drafter or submitter may not approve or return their own report."),
        "{html}"
    );

    // Another approver returns it (a note is required), then approves it; it is published.
    let mut approver = Browser::signed_in(&app, "zhao", &[Role::Approver]).await;
    let res = approver.step(&draft, &[("op", "return")]).await;
    assert_eq!(res.status.as_u16(), 422);
    assert!(res.text().contains("Say why the report is returned"));
    see_other(
        &approver
            .step(&draft, &[("op", "return"), ("note", "请补充第二条的理由")])
            .await,
        &room,
    );
    // The returned version says why, until it is prepared again from the dispositions.
    let html = drafter.get(&room).await.text();
    assert!(html.contains("Returned: 请补充第二条的理由"), "{html}");
    see_other(&drafter.step(&draft, &[("op", "prepare")]).await, &room);
    see_other(&drafter.step(&draft, &[("op", "submit")]).await, &room);
    see_other(&approver.step(&draft, &[("op", "approve")]).await, &room);
    let html = approver.get(&room).await.text();
    assert!(html.contains("The report was approved and published."));
    assert!(html.contains(&format!("href=\"/drafts/{draft}/report?version=1\"")));
    let public = app
        .call(TestRequest::get().uri(&format!("/drafts/{draft}/report")))
        .await;
    assert_eq!(public.status.as_u16(), 200);

    // A correction needs its note (beside the field) and becomes version 2.
    let res = drafter
        .step(&draft, &[("op", "correct"), ("note", "  ")])
        .await;
    assert_eq!(res.status.as_u16(), 422);
    let html = res.text();
    assert!(html.contains("id=\"correct-note-error\""), "{html}");
    see_other(
        &drafter
            .step(
                &draft,
                &[("op", "correct"), ("note", "更正第二条的统计口径")],
            )
            .await,
        &room,
    );
    let html = drafter.get(&room).await.text();
    assert!(html.contains("更正第二条的统计口径"));
    assert!(html.contains("<td data-label=\"Version\">2</td>"), "{html}");
    let actions: Vec<String> = audit_log::table
        .filter(audit_log::draft_id.eq(&draft))
        .filter(audit_log::action.like("report.%"))
        .order(audit_log::seq.asc())
        .select(audit_log::action)
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(
        actions,
        [
            "report.prepared",
            "report.submitted",
            "report.returned",
            "report.prepared",
            "report.submitted",
            "report.published",
            "report.prepared"
        ]
    );
    // A moderator may not open the room.
    let mut moderator = Browser::signed_in(&app, "mod", &[Role::Moderator]).await;
    assert_eq!(moderator.get(&room).await.status.as_u16(), 403);
}

/// The row of a chart's table: `<th scope="row">label</th><td class="num">n</td>`.
fn figure(label: &str, n: i64) -> String {
    format!("<th scope=\"row\">{label}</th><td class=\"num\">{n}</td>")
}

async fn the_charts_show_the_live_round_and_the_published_report_with_their_figures(app: TestApp) {
    let mut drafter = Browser::signed_in(&app, "wang", &[Role::Drafter]).await;
    let token = app.staff("api-drafter", &[Role::Drafter]);
    let approver = app.staff("approver", &[Role::Approver]);
    let (draft, ids) = closed_draft(&app, "wang");
    dispose(&app, &token, &ids[0], "adopted", None).await;
    let room = format!("/staff/drafts/{draft}/report");
    let html = drafter.get(&room).await.text();
    // Live: every chart is a figure with its caption, an SVG image and the table of figures.
    for id in ["days", "kinds", "market", "articles", "outcomes"] {
        let at = html
            .find(&format!("<figure class=\"chart\" id=\"charts-{id}\""))
            .unwrap_or_else(|| panic!("chart {id}: {html}"));
        let rest = &html[at..html[at..].find("</figure>").unwrap() + at];
        assert!(rest.contains("<figcaption id="), "{id}");
        assert!(
            rest.contains(&format!(
                "role=\"img\" aria-labelledby=\"charts-{id}-svg-title\""
            )),
            "{id}"
        );
        assert!(rest.contains("<table>"), "{id}");
    }
    assert!(html.contains("3 comments in all"));
    assert!(html.contains(&figure("Individual", 2)), "{html}");
    assert!(html.contains(&figure("Enterprise", 1)));
    assert!(html.contains(&figure("Article 2", 2)));
    assert!(html.contains(&figure("No article", 1)));
    assert!(html.contains(&figure("Adopted", 1)));
    assert!(html.contains(&figure("Not yet disposed", 2)));
    assert!(html.contains("period closes"));

    dispose(
        &app,
        &token,
        &ids[1],
        "not_adopted",
        Some("标准依据上位法确定"),
    )
    .await;
    dispose(&app, &token, &ids[2], "not_adopted", Some("另行规定")).await;
    let api = format!("/api/v1/drafts/{draft}/report");
    app.post(&api, Some(&token), json!({})).await.ok(201);
    app.post(
        &format!("{api}/actions"),
        Some(&token),
        json!({"action": "submit"}),
    )
    .await
    .ok(200);
    app.post(
        &format!("{api}/actions"),
        Some(&approver),
        json!({"action": "approve"}),
    )
    .await
    .ok(200);
    // The public report draws the frozen figures; market entities stand apart.
    let res = app
        .call(TestRequest::get().uri(&format!("/drafts/{draft}/report?lang=en")))
        .await;
    let html = res.text();
    assert_eq!(res.status.as_u16(), 200, "{html}");
    assert!(
        html.contains("<figure class=\"chart\" id=\"report-days\""),
        "{html}"
    );
    assert!(html.contains(&figure("Not adopted", 2)));
    assert!(html.contains(&figure("Adopted", 1)));
    assert!(!html.contains("Not yet disposed"));
    let market = &html[html.find("id=\"report-market\"").unwrap()..];
    let market = &market[..market.find("</figure>").unwrap()];
    assert!(market.contains(&figure("Not adopted", 1)), "{market}");
    // The day the comments came in (the test clock's day, in Shanghai) holds all three.
    let day = app
        .now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m-%d")
        .to_string();
    assert!(html.contains(&figure(&day, 3)), "{html}");
    // Personal data never reaches the public page.
    for personal in ["李四", "lisi@example.com", "龙岭县某某有限公司"] {
        assert!(!html.contains(personal), "{personal}");
    }
}

fn cell_in_sheet(xlsx: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).expect("a zip archive");
    let mut sheet = zip
        .by_name("xl/worksheets/sheet1.xml")
        .expect("the first sheet");
    let mut xml = String::new();
    sheet.read_to_string(&mut xml).unwrap();
    xml
}

async fn officers_export_every_comment_with_contact_fields_and_no_formula_runs(app: TestApp) {
    // The contact fields are for the drafters of the draft's agency (docs/security.md).
    let mut exporter = Browser::signed_in(&app, "wang", &[Role::Drafter]).await;
    let token = app.staff("api-drafter", &[Role::Drafter]);
    let approver = app.staff("approver", &[Role::Approver]);
    let (draft, ids) = closed_draft(&app, "wang");
    let formula = "=HYPERLINK(\"http://evil.example\",\"点击\")";
    dispose(&app, &token, &ids[0], "not_adopted", Some(formula)).await;
    dispose(&app, &token, &ids[1], "noted", Some("@SUM(1+1)")).await;

    // CSV: a BOM, a header, a row per comment with contact fields, formulas quoted.
    let res = exporter
        .get(&format!("/staff/drafts/{draft}/export.csv"))
        .await;
    assert_eq!(res.status.as_u16(), 200, "{}", res.text());
    assert!(res.header("content-type").unwrap().starts_with("text/csv"));
    assert!(res.header("content-disposition").unwrap().contains(".csv"));
    assert!(res.body.starts_with("\u{feff}".as_bytes()), "UTF-8 BOM");
    let text = res.text();
    let mut csv = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = csv.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header[0], "tracking_number");
    assert!(header.iter().any(|h| h == "email"));
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let letter = rows
        .iter()
        .find(|r| &r[col("channel")] == "letter")
        .unwrap();
    assert_eq!(&letter[col("name")], "李四");
    assert_eq!(&letter[col("email")], "lisi@example.com");
    assert_eq!(&letter[col("organization")], "龙岭县某某有限公司");
    assert_eq!(&letter[col("article")], "2");
    assert_eq!(&letter[col("outcome")], "");
    let reasons: Vec<&str> = rows.iter().map(|r| &r[col("reason")]).collect();
    assert!(
        reasons.contains(&format!("'{formula}").as_str()),
        "{reasons:?}"
    );
    assert!(reasons.contains(&"'@SUM(1+1)"));
    assert!(!text.contains(",=HYPERLINK"));

    // XLSX: a zip workbook holding the same cells.
    let res = exporter
        .get(&format!("/staff/drafts/{draft}/export.xlsx"))
        .await;
    assert_eq!(res.status.as_u16(), 200, "{}", res.text());
    assert!(res.body.starts_with(b"PK\x03\x04"), "zip magic");
    assert!(
        res.header("content-type")
            .unwrap()
            .contains("spreadsheetml.sheet")
    );
    let xml = cell_in_sheet(&res.body);
    assert!(xml.contains("lisi@example.com"), "{xml}");
    assert!(xml.contains("龙岭县某某有限公司"));
    assert!(
        xml.contains("&apos;=HYPERLINK") || xml.contains("'=HYPERLINK"),
        "{xml}"
    );

    // Audited, once per export; a moderator, a reviewer and a drafter of another agency may
    // not export.
    let exports: Vec<String> = audit_log::table
        .filter(audit_log::action.eq("comments.exported"))
        .select(audit_log::details)
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(exports.len(), 2, "{exports:?}");
    assert!(exports[0].contains("\"csv\"") && exports[1].contains("\"xlsx\""));
    let mut moderator = Browser::signed_in(&app, "mod", &[Role::Moderator]).await;
    let res = moderator
        .get(&format!("/staff/drafts/{draft}/export.csv"))
        .await;
    assert_eq!(res.status.as_u16(), 403);
    let mut reviewer = Browser::signed_in(&app, "li", &[Role::Reviewer]).await;
    let res = reviewer
        .get(&format!("/staff/drafts/{draft}/export.xlsx"))
        .await;
    assert_eq!(res.status.as_u16(), 403);
    let mut outsider = Browser::signed_in(&app, "outsider", &[Role::Drafter]).await;
    diesel::delete(consult::db::schema::agency_members::table)
        .filter(consult::db::schema::agency_members::user_id.eq(app.user_id("outsider")))
        .execute(&mut *app.conn())
        .unwrap();
    let res = outsider
        .get(&format!("/staff/drafts/{draft}/export.csv"))
        .await;
    assert_eq!(res.status.as_u16(), 403);

    // The public report CSV quotes formulas too (and holds no contact field).
    dispose(&app, &token, &ids[2], "adopted", None).await;
    let api = format!("/api/v1/drafts/{draft}/report");
    app.post(&api, Some(&token), json!({})).await.ok(201);
    app.post(
        &format!("{api}/actions"),
        Some(&token),
        json!({"action": "submit"}),
    )
    .await
    .ok(200);
    app.post(
        &format!("{api}/actions"),
        Some(&approver),
        json!({"action": "approve"}),
    )
    .await
    .ok(200);
    let public = app.get(&format!("{api}?format=csv"), None).await.text();
    assert!(public.contains("'=HYPERLINK"), "{public}");
    assert!(public.contains("'@SUM(1+1)"));
    assert!(!public.contains("lisi@example.com") && !public.contains("李四"));
}

/// R20: the adoption report the demo ships with (its closed draft went through the whole
/// review, and a second officer approved the report), so that the browser checks cover the
/// report page; its path.
fn demo_report(base: &str) -> String {
    let closed: Value = ureq::get(&format!("{base}/api/v1/drafts?phase=closed"))
        .call()
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap();
    let id = closed["items"][0]["id"].as_str().unwrap();
    let report = format!("/drafts/{id}/report");
    let published = ureq::get(&format!("{base}/api/v1{report}")).call();
    assert!(published.is_ok(), "the demo's report is published");
    report
}

fn shots_dir() -> std::path::PathBuf {
    let dir = match std::env::var("CONSULT_SCREENSHOT_DIR") {
        Ok(d) => std::path::PathBuf::from(d),
        Err(_) => std::env::temp_dir().join(format!("consult-report-shots-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn shot(d: &mut WebDriver, name: &str) {
    let file = shots_dir().join(format!("{name}.png"));
    d.screenshot(&file, true);
    assert!(
        std::fs::read(&file).unwrap().starts_with(b"\x89PNG"),
        "{name}"
    );
}

/// Nothing scrolls sideways, and no tracking number, outcome or heading is wrapped.
fn assert_laid_out(d: &mut WebDriver, what: &str) {
    let v = d.eval(
        "const wrapped = Array.from(document.querySelectorAll( \
           '.report td.tracking, .report td.nowrap, .report-table thead th')) \
           .filter(el => { const r = document.createRange(); r.selectNodeContents(el); \
             return el.offsetParent !== null && r.getClientRects().length > 1; }) \
           .map(el => el.textContent); \
         return [document.documentElement.scrollWidth, window.innerWidth, wrapped, \
           document.querySelectorAll('.report td.tracking').length];",
    );
    let (scroll, inner) = (v[0].as_i64().unwrap(), v[1].as_i64().unwrap());
    assert!(
        scroll <= inner,
        "{what} scrolls sideways: {scroll} > {inner}"
    );
    assert_eq!(v[2], json!([]), "{what}: wrapped inside a word");
    assert!(v[3].as_i64().unwrap() > 0, "{what}: tracking numbers shown");
}

fn sign_in(d: &mut WebDriver, base: &str, username: &str) {
    d.go(&format!("{base}/staff/login"));
    d.type_into("#username", username);
    d.type_into("#password", "demo-password-for-tests");
    d.click_and_load("form[action=\"/staff/login\"] button[type=submit]");
    d.wait_for("/staff/logout");
}

/// R20, R27, R28 in headless Chromium: the public report reads as a document at phone and
/// desktop width, and it and the staff report room pass axe; screenshots of both.
#[test]
fn the_report_pages_lay_out_at_390_and_1280_px_and_pass_axe() {
    let Some(browser) = chromium() else { return };
    let Some(axe) = axe_core() else { return };
    let Some(mut desk) = WebDriver::start_at(&browser, 1280) else {
        return;
    };
    let Some(mut phone) = WebDriver::start_at(&browser, 390) else {
        return;
    };
    let server = serve_demo();
    let base = server.base.clone();
    let report = demo_report(&base);
    let room = format!("/staff{report}");
    let mut problems = Vec::new();

    for lang in ["zh-CN", "en"] {
        desk.go(&format!("{base}{report}?lang={lang}"));
        assert!(desk.source().contains("class=\"chart-svg\""));
        assert_laid_out(&mut desk, &format!("{report} at 1280 px ({lang})"));
        problems.extend(desk.axe(&axe));
        phone.go(&format!("{base}{report}?lang={lang}"));
        assert_laid_out(&mut phone, &format!("{report} at 390 px ({lang})"));
        problems.extend(phone.axe(&axe));
    }
    desk.go(&format!("{base}{report}?lang=zh-CN&elder=1"));
    problems.extend(desk.axe(&axe));
    desk.go(&format!("{base}{report}?lang=zh-CN&elder=0"));
    shot(&mut desk, "report-public-desktop");
    phone.go(&format!("{base}{report}?lang=zh-CN&elder=0"));
    shot(&mut phone, "report-public-phone");

    // The staff report room, at both widths, in both languages and in elder mode.
    sign_in(&mut desk, &base, "demo-drafter");
    sign_in(&mut phone, &base, "demo-drafter");
    for variant in [
        "lang=zh-CN&elder=0",
        "lang=en&elder=0",
        "lang=zh-CN&elder=1",
    ] {
        desk.go(&format!("{base}{room}?{variant}"));
        assert!(
            desk.source().contains("id=\"report-correct\""),
            "{}",
            desk.source()
        );
        problems.extend(desk.axe(&axe));
        phone.go(&format!("{base}{room}?{variant}"));
        let v = phone.eval("return [document.documentElement.scrollWidth, window.innerWidth];");
        assert!(
            v[0].as_i64() <= v[1].as_i64(),
            "{room} at 390 px ({variant}): {v}"
        );
    }
    desk.go(&format!("{base}{room}?lang=zh-CN&elder=0"));
    shot(&mut desk, "staff-report-desktop");
    phone.go(&format!("{base}{room}?lang=zh-CN&elder=0"));
    shot(&mut phone, "staff-report-phone");
    assert!(
        problems.is_empty(),
        "accessibility problems:\n{}",
        problems.join("\n")
    );
}
