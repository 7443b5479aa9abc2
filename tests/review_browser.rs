//! R16–R20 in a real headless Chromium: after a comment period with a campaign, a paraphrase
//! of it, an opposing letter and distinct opinions, a drafter works through the review desk
//! (filter to an article, propose groups, merge two, pull a possible match into a group,
//! dispose of every group in one action and of what is left in another) until every comment
//! is disposed, prepares and submits the adoption report, and an approver publishes it; the
//! public report shows its charts. Then the draft's second round (R8), in the browser too: the
//! drafter links the adopted group to the article it changes, opens the next round, revises
//! the article, sees the change beside the opinions that caused it, and the chain passes it
//! again; the public reads the redline with the opinions behind the change, comments, and the
//! second round's report is published as well. axe-core checks the desk's pages at desktop and
//! phone width, in Chinese, English and elder mode, and screenshots are taken
//! (`CONSULT_SCREENSHOT_DIR` keeps them; `docs/screenshots/` holds a set).

use crate::common;

use std::path::PathBuf;

use common::browser::{WebDriver, axe_core, chromium, serve_demo_with};
use serde_json::{Value, json};

const PASSWORD: &str = "demo-password-for-tests";

/// The campaign letter on article 2, copied with greetings, sign-offs and a changed word.
const CAMPAIGN: &str = "第二条把经济困难标准定为本县最低生活保障标准的二倍，标准过低，很多低收入家庭请不起律师却拿不到法律援助，建议提高到最低生活保障标准的三倍，并把残疾人家庭和老年人家庭直接认定为经济困难。";
const CAMPAIGN_COPIES: [(&str, &str); 10] = [
    ("", ""),
    ("尊敬的领导：", "谢谢！"),
    ("您好！", "一名普通市民"),
    ("县司法局：", "此致敬礼！"),
    ("", "市民王某"),
    ("各位领导好，", "以上意见，望采纳。"),
    ("", "联系电话：13800001111"),
    ("我是城关镇居民。", ""),
    ("你好，", "谢谢！"),
    ("", "此致敬礼！一名退休教师"),
];
/// Article 2 as round 2 revises it after the campaign.
const ROUND_TWO_ARTICLE_2: &str =
    "经济困难标准按照本县最低生活保障标准的二倍确定；残疾人家庭和老年人家庭直接认定为经济困难。";
/// A shorter letter asking the same, sent three times: a group of its own, close to the
/// campaign's.
const SHORT_CAMPAIGN: &str =
    "第二条定的经济困难标准太低了，很多低收入家庭拿不到法律援助，建议改为三倍低保标准。";
/// A letter on article 3, sent three times.
const ON_ARTICLE_3: &str = "建议自公布之日起三十日后施行，给乡镇司法所留出培训和准备的时间。";
/// The campaign's request in other words: no group's member, but a possible match.
const PARAPHRASE: &str = "把经济困难的线卡在低保的两倍，门槛太严，不少收入不高的家庭请不起律师也得不到援助；希望放宽到低保标准的三倍，残疾人和老年人家庭也应直接算作经济困难。";
/// A letter arguing the other side.
const OPPOSING: &str = "第二条以最低生活保障标准的二倍认定经济困难是合适的，不应提高到三倍，标准过宽会挤占有限的法律援助资源，让真正困难的群众排长队。";
/// Opinions like no other, with their article.
const DISTINCT: [(Option<i32>, &str); 11] = [
    (
        Some(1),
        "第一条建议写明本规定的上位法依据，即《中华人民共和国法律援助法》第三十四条。",
    ),
    (
        Some(3),
        "第三条建议给出过渡期，已经受理的申请按原标准审查，避免同一时期标准不一。",
    ),
    (
        None,
        "建议在县政务服务中心设置法律援助窗口，方便群众现场申请。",
    ),
    (
        Some(1),
        "第一条中的“经济困难”建议与民政部门的低收入人口认定衔接，避免重复提交材料。",
    ),
    (
        None,
        "希望公布法律援助律师名单和联系方式，并每年公开援助案件数量。",
    ),
    (
        Some(3),
        "第三条施行日期之前提出但尚未审结的申请，建议明确适用更有利于申请人的标准。",
    ),
    (
        None,
        "对农民工讨薪案件建议免予经济困难审查，直接给予法律援助。",
    ),
    (
        Some(1),
        "建议在第一条增加保障弱势群体合法权益的立法目的表述。",
    ),
    (
        None,
        "申请材料建议允许以个人书面承诺代替收入证明，减少群众跑腿。",
    ),
    (
        None,
        "建议在村（社区）公告栏张贴本规定的简明解读，方便不上网的老年人了解。",
    ),
    (
        Some(3),
        "第三条建议改为“本规定自2026年7月1日起施行”，给出明确日期。",
    ),
];

/// The JSON API as a client sees it: status and body, whatever the status.
struct Api {
    base: String,
    agent: ureq::Agent,
}

impl Api {
    fn new(base: &str) -> Api {
        Api {
            base: base.to_string(),
            agent: ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build()
                .into(),
        }
    }

    fn call(&self, method: &str, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
        let url = format!("{}/api/v1{path}", self.base);
        let auth = token.map(|t| format!("Bearer {t}"));
        let res = match (method, auth) {
            ("GET", None) => self.agent.get(&url).call(),
            ("GET", Some(auth)) => self.agent.get(&url).header("Authorization", &auth).call(),
            ("PUT", None) => self.agent.put(&url).send_json(body),
            ("PUT", Some(auth)) => self
                .agent
                .put(&url)
                .header("Authorization", &auth)
                .send_json(body),
            (_, None) => self.agent.post(&url).send_json(body),
            (_, Some(auth)) => self
                .agent
                .post(&url)
                .header("Authorization", &auth)
                .send_json(body),
        };
        let mut res = res.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = res.status().as_u16();
        (status, res.body_mut().read_json().unwrap_or(Value::Null))
    }

    #[track_caller]
    fn ok(&self, method: &str, path: &str, token: Option<&str>, body: Value) -> Value {
        let (status, v) = self.call(method, path, token, body);
        assert!(
            (200..300).contains(&status),
            "{method} {path}: {status} {v}"
        );
        v
    }

    fn token(&self, username: &str) -> String {
        let v = self.ok(
            "POST",
            "/auth/token",
            None,
            json!({"username": username, "password": PASSWORD}),
        );
        v["token"].as_str().unwrap().to_string()
    }
}

/// A draft with three articles, published through the review chain with a 30-day comment
/// period from today; its comments (the campaign, its short form, the paraphrase and the
/// distinct opinions online, the opposing one as a letter), all published; then the server's
/// clock is moved past the period's end. The draft's id and its number of comments.
fn closed_draft_with_comments(api: &Api) -> (String, i64) {
    let drafter = api.token("demo-drafter");
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    let closes = today + chrono::TimeDelta::days(30);
    let draft = api.ok(
        "POST",
        "/drafts",
        Some(&drafter),
        json!({
            "title": "龙岭县法律援助经济困难标准规定（征求意见稿）",
            "agency": "龙岭县司法局",
            "category": "行政规范性文件",
            "subject_terms": ["法律援助", "经济困难"],
            "kind": "normative_document",
            "summary": "为明确法律援助经济困难标准，制定本规定。",
            "articles": [
                {"heading": "第一条", "text": "为了明确法律援助经济困难标准，制定本规定。"},
                {"heading": "第二条", "text": "经济困难标准按照本县最低生活保障标准的二倍确定。"},
                {"heading": "第三条", "text": "本规定自公布之日起施行。"}
            ],
            "comment_period": {"opens_on": today.to_string(), "closes_on": closes.to_string()}
        }),
    );
    let id = draft["id"].as_str().unwrap().to_string();
    for kind in ["explanation", "basis"] {
        api.ok(
            "POST",
            &format!("/drafts/{id}/materials"),
            Some(&drafter),
            json!({"kind": kind, "title": format!("{kind} 材料"), "body": "正文。"}),
        );
    }
    let actions = format!("/drafts/{id}/actions");
    api.ok(
        "POST",
        &actions,
        Some(&drafter),
        json!({"action": "submit"}),
    );
    for (user, action) in [
        ("demo-reviewer", "pass_initial_review"),
        ("demo-rereviewer", "pass_re_review"),
        ("demo-approver", "approve"),
    ] {
        let token = api.token(user);
        api.ok(
            "POST",
            &actions,
            Some(&token),
            json!({"action": action, "attest_no_confidential": true}),
        );
    }

    let mut online: Vec<(Option<i32>, String)> = CAMPAIGN_COPIES
        .iter()
        .map(|(hello, bye)| (Some(2), format!("{hello}{CAMPAIGN}{bye}")))
        .collect();
    online.extend(
        ["", "您好！", "一名市民"]
            .iter()
            .map(|extra| (Some(2), format!("{SHORT_CAMPAIGN}{extra}"))),
    );
    online.extend(
        ["", "您好！", "一名司法所工作人员"]
            .iter()
            .map(|extra| (Some(3), format!("{ON_ARTICLE_3}{extra}"))),
    );
    online.push((Some(2), PARAPHRASE.to_string()));
    online.extend(DISTINCT.iter().map(|(a, t)| (*a, t.to_string())));
    for (article, body) in &online {
        api.ok(
            "POST",
            &format!("/drafts/{id}/comments"),
            None,
            json!({"body": body, "article": article, "stakeholder_type": "individual",
                   "consent": true}),
        );
    }
    api.ok(
        "POST",
        &format!("/drafts/{id}/offline-comments"),
        Some(&drafter),
        json!({"channel": "letter", "body": OPPOSING, "article": 2,
               "stakeholder_type": "industry_association", "organization": "龙岭县律师协会"}),
    );
    let total = online.len() as i64 + 1;

    publish_every_comment(api, &id, total);

    // The period ends: the next morning after its last day.
    let admin = api.token("demo-admin");
    api.ok(
        "PUT",
        "/test/clock",
        Some(&admin),
        json!({"now": format!("{}T09:00:00+08:00", closes + chrono::TimeDelta::days(1))}),
    );
    (id, total)
}

/// The moderator publishes every pending comment of the draft until the public list holds
/// `total` (the writer may take a moment to store them).
fn publish_every_comment(api: &Api, id: &str, total: i64) {
    let moderator = api.token("demo-moderator");
    let mut published = 0;
    for _ in 0..100 {
        let queue = api.ok(
            "GET",
            &format!("/moderation?draft_id={id}&per_page=500"),
            Some(&moderator),
            Value::Null,
        );
        for c in queue["items"].as_array().unwrap() {
            api.ok(
                "POST",
                &format!("/comments/{}/moderation", c["id"].as_str().unwrap()),
                Some(&moderator),
                json!({"decision": "publish"}),
            );
        }
        let public = api.ok("GET", &format!("/drafts/{id}/comments"), None, Value::Null);
        published = public["total"].as_i64().unwrap();
        if published == total {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(published, total, "every comment published");
}

fn shots_dir() -> PathBuf {
    let dir = match std::env::var("CONSULT_SCREENSHOT_DIR") {
        Ok(d) => PathBuf::from(d),
        Err(_) => std::env::temp_dir().join(format!("consult-desk-shots-{}", std::process::id())),
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

fn sign_in(d: &mut WebDriver, base: &str, username: &str) {
    d.go(&format!("{base}/staff/login"));
    d.type_into("#username", username);
    d.type_into("#password", PASSWORD);
    d.click_and_load("form[action=\"/staff/login\"] button[type=submit]");
    d.wait_for("/staff/logout");
}

/// The desk's progress bar: `[disposed, total]`.
fn progress(d: &mut WebDriver) -> (i64, i64) {
    let v = d.eval(
        "const p = document.getElementById('desk-progress'); \
         return [Number(p.getAttribute('value')), Number(p.getAttribute('max'))];",
    );
    (v[0].as_i64().unwrap(), v[1].as_i64().unwrap())
}

/// Clicks `css` (a submit button), then waits for the page after the redirect: its flash.
fn submit(d: &mut WebDriver, css: &str) -> String {
    d.click_and_load(css);
    d.wait_for("class=\"flash")
}

/// The id of the checkbox in the item of `list` (a `ul`) that holds `text`.
fn checkbox_for(d: &mut WebDriver, list: &str, text: &str) -> String {
    let v = d.eval(&format!(
        "const li = Array.from(document.querySelectorAll({})) \
           .find(li => li.textContent.includes({})); \
         return li ? li.querySelector('input[type=checkbox]').id : null;",
        json!(format!("{list} > li")),
        json!(text)
    ));
    v.as_str()
        .unwrap_or_else(|| panic!("no item with {text} in {list}:\n{}", d.source()))
        .to_string()
}

/// No sideways scroll at this width.
fn fits(d: &mut WebDriver, what: &str) {
    let v = d.eval("return [document.documentElement.scrollWidth, window.innerWidth];");
    assert!(
        v[0].as_i64() <= v[1].as_i64(),
        "{what} scrolls sideways: {v}"
    );
}

#[test]
fn a_drafter_disposes_every_comment_at_the_desk_and_the_report_is_published() {
    let Some(browser) = chromium() else { return };
    let Some(axe) = axe_core() else { return };
    let Some(mut desk) = WebDriver::start_at(&browser, 1280) else {
        return;
    };
    let server = serve_demo_with(&[
        ("CONSULT__TESTING__CLOCK_CONTROL", "true"),
        ("CONSULT__LIMITS__COMMENT_PER_IP_PER_HOUR", "1000"),
    ]);
    let base = server.base.clone();
    let api = Api::new(&base);
    let (id, total) = closed_draft_with_comments(&api);
    let staff = format!("{base}/staff/drafts/{id}");
    let mut problems = Vec::new();
    let axe_at = |d: &mut WebDriver, url: &str, problems: &mut Vec<String>| {
        for prefs in [
            "lang=zh-CN&elder=0",
            "lang=en&elder=0",
            "lang=zh-CN&elder=1",
        ] {
            let sep = if url.contains('?') { '&' } else { '?' };
            d.go(&format!("{url}{sep}{prefs}"));
            problems.extend(d.axe(&axe));
        }
        let sep = if url.contains('?') { '&' } else { '?' };
        d.go(&format!("{url}{sep}lang=zh-CN&elder=0"));
    };

    // The drafter opens the draft's comments: nothing disposed yet.
    sign_in(&mut desk, &base, "demo-drafter");
    desk.go(&format!("{staff}/comments"));
    assert_eq!(progress(&mut desk), (0, total));
    axe_at(&mut desk, &format!("{staff}/comments"), &mut problems);

    // Filtered to article 2: the two campaigns, the paraphrase and the opposing letter.
    desk.select("#f-article", "2");
    desk.click_and_load("form.filters button[type=submit]");
    desk.wait_for("article=2");
    assert!(desk.current_url().contains("article=2"));
    let on_2 = desk
        .eval("return document.querySelectorAll('ul.triage input[name=comment_id]').length;")
        .as_i64()
        .unwrap();
    assert_eq!(on_2, 10 + 3 + 1 + 1, "article 2's comments");
    assert!(
        desk.source().contains(&OPPOSING[..30]),
        "the letter on article 2"
    );
    shot(&mut desk, "desk-triage-desktop");

    // Groups proposed: the campaign and its short form, the merge of the two offered.
    desk.go(&format!("{staff}/groups"));
    submit(
        &mut desk,
        "form[action$=\"/groups/suggest\"] button[type=submit]",
    );
    let groups = desk.source();
    assert!(
        groups.contains("id=\"pairs-h\""),
        "a pair offered:\n{groups}"
    );
    axe_at(&mut desk, &format!("{staff}/groups"), &mut problems);
    let before = desk
        .eval("return document.querySelectorAll('ul.groups > li').length;")
        .as_i64()
        .unwrap();
    submit(&mut desk, "ul.pairs form button[name=action][value=merge]");
    let after = desk
        .eval("return document.querySelectorAll('ul.groups > li').length;")
        .as_i64()
        .unwrap();
    assert_eq!(after, before - 1, "two groups merged into one");
    shot(&mut desk, "desk-groups-desktop");

    // The campaign's group: the paraphrase is a possible match, pulled in; the opposing
    // letter stands apart.
    desk.click_and_load("ul.groups > li h3 a");
    desk.wait_for("id=\"matches-h\"");
    let group = desk.current_url();
    let page = desk.source();
    assert!(
        page.contains(&PARAPHRASE[..30]),
        "the paraphrase offered:\n{page}"
    );
    assert!(page.contains(&OPPOSING[..30]), "the opposing letter shown");
    axe_at(&mut desk, &group, &mut problems);
    shot(&mut desk, "desk-group-desktop");
    let check = checkbox_for(&mut desk, "ul.matches", &PARAPHRASE[..30]);
    desk.click(&format!("#{check}"));
    let page = submit(&mut desk, "button[name=action][value=pull]");
    let members: String = serde_json::from_value(desk.eval(
        "return Array.from(document.querySelectorAll('#members-h ~ form ul.triage > li')) \
           .map(li => li.textContent).join('\\n');",
    ))
    .unwrap();
    assert!(members.contains(&PARAPHRASE[..30]), "pulled in:\n{page}");
    assert_eq!(
        desk.eval("return document.querySelectorAll('#members-h ~ form ul.triage > li').length;"),
        json!(10 + 3 + 1),
        "the campaigns and the paraphrase"
    );

    // At phone width, with the work still open, the desk's pages fit and pass axe too.
    let mut phone = WebDriver::start_at(&browser, 360).unwrap();
    sign_in(&mut phone, &base, "demo-drafter");
    let phone_pages = [
        format!("/staff/drafts/{id}/comments"),
        format!("/staff/drafts/{id}/groups"),
        group.trim_start_matches(&base).to_string(),
    ];
    for path in &phone_pages {
        phone.go(&format!("{base}{path}"));
        fits(&mut phone, path);
        problems.extend(phone.axe(&axe));
    }
    phone.go(&format!("{staff}/comments?article=2"));
    shot(&mut phone, "desk-triage-phone");

    // Every group disposed in one action: check all, outcome and reason.
    desk.go(&format!("{staff}/groups"));
    desk.click_and_load("a[href$=\"check=all\"]");
    desk.wait_for("check=all");
    let unchecked = desk.eval(
        "return document.querySelectorAll('input[name=group_id][type=checkbox]:not(:checked)').length;",
    );
    assert_eq!(unchecked, 0, "all groups checked");
    desk.select("#outcome", "partially_adopted");
    desk.type_into(
        "#reason",
        "将在第二条增加残疾人家庭的规定，标准倍数维持不变。",
    );
    submit(
        &mut desk,
        ".bulk-actions button[name=action][value=dispose]",
    );
    let (done, of) = progress(&mut desk);
    assert!(done > 0 && done < total && of == total, "{done} of {of}");

    // What is left, disposed through "all N matching" on the undisposed filter.
    desk.go(&format!("{staff}/comments?disposition=none"));
    let left = desk
        .eval("return document.querySelectorAll('ul.triage input[name=comment_id]').length;")
        .as_i64()
        .unwrap();
    assert_eq!(left, total - done);
    desk.click("#scope-matching");
    desk.select("#outcome", "noted");
    desk.type_into("#reason", "已转有关部门研究。");
    submit(&mut desk, "button[name=action][value=dispose]");
    desk.go(&format!("{staff}/comments"));
    assert_eq!(
        progress(&mut desk),
        (total, total),
        "every comment disposed"
    );

    // R8: the campaign's group changes article 2, linked from the group's page.
    desk.go(&group);
    desk.click("#article-1-2");
    let page = submit(&mut desk, "button[name=action][value=changes]");
    assert!(page.contains("已关联：第2条"), "{page}");

    // The report: prepared and submitted by the drafter …
    desk.go(&format!("{staff}/report"));
    submit(&mut desk, "#report-prepare button[type=submit]");
    axe_at(&mut desk, &format!("{staff}/report"), &mut problems);
    shot(&mut desk, "desk-report-desktop");
    phone.go(&format!("{staff}/report"));
    fits(&mut phone, "the report room");
    problems.extend(phone.axe(&axe));
    submit(&mut desk, "#report-submit button[type=submit]");

    // … and approved by another officer.
    let mut approver = WebDriver::start_at(&browser, 1280).unwrap();
    sign_in(&mut approver, &base, "demo-approver");
    approver.go(&format!("{staff}/report"));
    submit(&mut approver, "#report-approve button[type=submit]");
    let report = api.ok("GET", &format!("/drafts/{id}/report"), None, Value::Null);
    assert_eq!(report["state"], "published", "{report}");

    // The public report shows its charts, each a figure with its drawing and its table.
    desk.go(&format!("{base}/drafts/{id}/report"));
    let charts = desk.eval(
        "return Array.from(document.querySelectorAll('figure.chart')) \
           .filter(f => f.querySelector('svg') && f.querySelector('table')).length;",
    );
    assert!(
        charts.as_i64().unwrap() > 0,
        "charts on the public report:\n{}",
        desk.source()
    );

    // R8: the second round. The drafter opens it from the draft's page …
    desk.go(&staff);
    desk.click_and_load("a[href$=\"/rounds/new\"]");
    desk.wait_for("id=\"summary\"");
    axe_at(&mut desk, &format!("{staff}/rounds/new"), &mut problems);
    desk.eval("document.getElementById('summary').value = ''; return null;");
    desk.type_into(
        "#summary",
        "根据第一轮意见，第二条增加残疾人家庭和老年人家庭的规定。",
    );
    submit(
        &mut desk,
        "form[action$=\"/rounds/new\"] button[type=submit]",
    );
    assert!(
        desk.current_url().contains("/edit"),
        "{}",
        desk.current_url()
    );
    // … revises article 2 in the editor …
    desk.eval(&format!(
        "document.getElementById('articles-1-text').value = {}; return null;",
        json!(ROUND_TWO_ARTICLE_2)
    ));
    desk.click_and_load("p > button[name=op][value=save]");
    desk.wait_for("class=\"flash");
    // … adds the round's own explanation (R3 in a later round) …
    desk.select("#material_kind", "explanation");
    desk.type_into("#material_title", "第二轮修改说明");
    desk.type_into(
        "#material_body",
        "根据第一轮意见，第二条增加残疾人家庭和老年人家庭直接认定为经济困难的规定。",
    );
    desk.click_and_load("form[enctype=\"multipart/form-data\"] button[type=submit]");
    desk.wait_for("class=\"flash");
    // … and sees the change beside round 1's opinions on the article and the group behind it.
    desk.go(&format!("{staff}/changes"));
    let page = desk.source();
    assert!(page.contains("第一轮对原第2条的意见"), "{page}");
    assert!(page.contains("已有 1 / 1 处修改关联了意见"), "{page}");
    axe_at(&mut desk, &format!("{staff}/changes"), &mut problems);
    shot(&mut desk, "desk-changes-desktop");
    phone.go(&format!("{staff}/changes"));
    fits(&mut phone, "the changes page");
    problems.extend(phone.axe(&axe));
    shot(&mut phone, "desk-changes-phone");

    // The whole chain again (R7), each officer in the browser.
    desk.go(&staff);
    submit(&mut desk, "#action-submit button[type=submit]");
    for (user, action) in [
        ("demo-reviewer", "pass_initial_review"),
        ("demo-rereviewer", "pass_re_review"),
        ("demo-approver", "approve"),
    ] {
        let mut d = WebDriver::start_at(&browser, 1280).unwrap();
        sign_in(&mut d, &base, user);
        d.go(&staff);
        d.click(&format!("#{action}-attest"));
        submit(&mut d, &format!("#action-{action} button[type=submit]"));
    }
    let second = api.ok("GET", &format!("/drafts/{id}"), None, Value::Null);
    assert_eq!(
        (second["round"].as_i64(), second["state"].as_str()),
        (Some(2), Some("published"))
    );

    // The public reads the redline with the opinions behind the change.
    let redline = format!("{base}/drafts/{id}?changes=1");
    desk.go(&redline);
    let page = desk.source();
    assert!(
        page.contains("第二轮征求意见") && page.contains("<ins>"),
        "{page}"
    );
    assert!(
        page.contains("条意见修改"),
        "the opinions behind the change:\n{page}"
    );
    axe_at(&mut desk, &redline, &mut problems);
    shot(&mut desk, "redline-desktop");
    phone.go(&redline);
    fits(&mut phone, "the redline");
    problems.extend(phone.axe(&axe));
    shot(&mut phone, "redline-phone");

    // Round 2 takes its own comment, and closes.
    let admin = api.token("demo-admin");
    let period = &second["comment_period"];
    let on = |date: &Value, days: i64| {
        let d: chrono::NaiveDate = date.as_str().unwrap().parse().unwrap();
        json!({"now": format!("{}T09:00:00+08:00", d + chrono::TimeDelta::days(days))})
    };
    api.ok(
        "PUT",
        "/test/clock",
        Some(&admin),
        on(&period["opens_on"], 1),
    );
    api.ok(
        "POST",
        &format!("/drafts/{id}/comments"),
        None,
        json!({"body": "赞成第二条的修改。", "article": 2, "stakeholder_type": "individual",
               "consent": true}),
    );
    // Round 2's comment alone: round 1's are not in its list.
    publish_every_comment(&api, &id, 1);
    // A token lives for hours, not for the weeks the clock jumps.
    let admin = api.token("demo-admin");
    api.ok(
        "PUT",
        "/test/clock",
        Some(&admin),
        on(&period["closes_on"], 1),
    );

    // Its review and report, in the browser again (signed in afresh: the clock moved weeks).
    sign_in(&mut desk, &base, "demo-drafter");
    sign_in(&mut approver, &base, "demo-approver");
    desk.go(&format!("{staff}/comments"));
    assert_eq!(
        progress(&mut desk),
        (0, 1),
        "round 2's desk holds round 2's comment"
    );
    desk.go(&format!("{staff}/comments?disposition=none"));
    desk.click("#scope-matching");
    desk.select("#outcome", "noted");
    desk.type_into("#reason", "感谢支持。");
    submit(&mut desk, "button[name=action][value=dispose]");
    desk.go(&format!("{staff}/report"));
    submit(&mut desk, "#report-prepare button[type=submit]");
    submit(&mut desk, "#report-submit button[type=submit]");
    approver.go(&format!("{staff}/report"));
    submit(&mut approver, "#report-approve button[type=submit]");
    let first = api.ok(
        "GET",
        &format!("/drafts/{id}/report?round=1"),
        None,
        Value::Null,
    );
    let last = api.ok("GET", &format!("/drafts/{id}/report"), None, Value::Null);
    assert_eq!(
        (first["round"].as_i64(), first["state"].as_str()),
        (Some(1), Some("published"))
    );
    assert_eq!(
        (last["round"].as_i64(), last["state"].as_str()),
        (Some(2), Some("published"))
    );
    assert!(
        first["groups"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["changed_articles"] == json!([{"round": 1, "number": 2}])),
        "{first}"
    );

    assert!(
        problems.is_empty(),
        "accessibility problems:\n{}",
        problems.join("\n")
    );
}
