//! R7, R12, R25, R27, R28 in a real headless Chromium: officers take a draft from a blank
//! editor to publication, each in their own browser session, a moderator decides comments in
//! bulk, and signing out leaves nothing behind the back button. axe-core checks the
//! workspace's pages (zh-CN, English, elder mode) and screenshots are taken at desktop and
//! phone width (`CONSULT_SCREENSHOT_DIR` keeps them; `docs/screenshots/` holds a set).

use crate::common;

use std::path::{Path, PathBuf};

use common::browser::{WebDriver, axe_core, chromium, serve_demo};
use serde_json::{Value, json};

const PASSWORD: &str = "demo-password-for-tests";

/// A minimal PDF (its magic bytes are what the content check reads).
const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

fn sign_in(d: &mut WebDriver, base: &str, username: &str) {
    d.go(&format!("{base}/staff"));
    assert!(d.current_url().contains("/staff/login"), "sent to sign in");
    d.type_into("#username", username);
    d.type_into("#password", PASSWORD);
    d.click_and_load("form[action=\"/staff/login\"] button[type=submit]");
    d.wait_for("/staff/logout");
    let url = d.current_url();
    assert!(url.ends_with("/staff"), "{username} signed in: {url}");
}

fn shots_dir() -> PathBuf {
    let dir = match std::env::var("CONSULT_SCREENSHOT_DIR") {
        Ok(d) => PathBuf::from(d),
        Err(_) => std::env::temp_dir().join(format!("consult-staff-shots-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn shot(d: &mut WebDriver, dir: &Path, name: &str) {
    let file = dir.join(format!("{name}.png"));
    d.screenshot(&file, true);
    assert!(
        std::fs::read(&file).unwrap().starts_with(b"\x89PNG"),
        "{name}"
    );
}

/// Sets a date field (a date picker's typing depends on the browser's locale).
fn set_value(d: &mut WebDriver, css: &str, value: &str) {
    d.eval(&format!(
        "document.querySelector({}).value = {};",
        json!(css),
        json!(value)
    ));
}

fn api(base: &str, path: &str) -> Value {
    ureq::get(&format!("{base}/api/v1{path}"))
        .call()
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap()
}

/// axe on the page at `url` in Chinese, English and elder mode.
fn checks(d: &mut WebDriver, url: &str, axe: &str, problems: &mut Vec<String>) {
    for variant in [
        "lang=zh-CN&elder=0",
        "lang=en&elder=0",
        "lang=zh-CN&elder=1",
    ] {
        let sep = if url.contains('?') { '&' } else { '?' };
        d.go(&format!("{url}{sep}{variant}"));
        problems.extend(d.axe(axe));
    }
    d.go(&format!(
        "{url}{}lang=zh-CN&elder=0",
        if url.contains('?') { '&' } else { '?' }
    ));
}

#[test]
fn officers_take_a_draft_to_publication_and_moderate_in_the_browser() {
    let Some(browser) = chromium() else { return };
    let Some(axe) = axe_core() else { return };
    let Some(mut officer) = WebDriver::start_at(&browser, 1280) else {
        return;
    };
    let server = serve_demo();
    let base = server.base.clone();
    let shots = shots_dir();
    let files = tempfile::tempdir().unwrap();
    let explanation = files.path().join("drafting-explanation.pdf");
    let basis = files.path().join("basis.pdf");
    std::fs::write(&explanation, PDF).unwrap();
    std::fs::write(&basis, PDF).unwrap();
    let mut problems = Vec::new();

    // The officer signs in and lands on the dashboard.
    sign_in(&mut officer, &base, "demo-drafter");
    assert!(officer.source().contains("我的待办"));
    checks(&mut officer, &format!("{base}/staff"), &axe, &mut problems);
    shot(&mut officer, &shots, "staff-dashboard-desktop");

    // A new draft with three articles (pasted, then split), saved.
    officer.go(&format!("{base}/staff/drafts/new"));
    officer.type_into("#title", "龙岭县法律援助经济困难标准规定（征求意见稿）");
    officer.type_into("#agency", "龙岭县司法局");
    officer.type_into("#category", "行政规范性文件");
    officer.type_into("#subject_terms", "法律援助、经济困难");
    officer.type_into("#summary", "为明确法律援助经济困难标准，制定本规定。");
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    set_value(&mut officer, "#opens_on", &today.to_string());
    set_value(
        &mut officer,
        "#closes_on",
        &(today + chrono::TimeDelta::days(30)).to_string(),
    );
    officer.type_into(
        "#articles_paste",
        "第一条　为了明确法律援助经济困难标准，制定本规定。\n第二条　经济困难标准按照本县最低生活保障标准的二倍确定。\n第三条　本规定自公布之日起施行。",
    );
    officer.click_and_load("button[name=op][value=split]");
    let page = officer.wait_for("name=\"articles[1].text\"");
    assert!(page.contains("name=\"articles[2].text\""), "three articles");
    assert!(!page.contains("name=\"articles[3].text\""));
    officer.click_and_load("p > button[name=op][value=save]");
    officer.wait_for("id=\"material_file\"");
    let edit = officer.current_url();
    assert!(
        edit.contains("/edit"),
        "saved: {edit}\n{}",
        officer.source()
    );
    checks(&mut officer, &edit, &axe, &mut problems);
    shot(&mut officer, &shots, "staff-editor-desktop");
    let id = edit
        .split("/staff/drafts/")
        .nth(1)
        .unwrap()
        .trim_end_matches("/edit")
        .to_string();

    // The drafting explanation and the basis, uploaded as files.
    for (kind, title, file) in [
        ("explanation", "起草说明", &explanation),
        ("basis", "决策依据", &basis),
    ] {
        officer.select("#material_kind", kind);
        officer.type_into("#material_title", title);
        officer.choose_file("#material_file", file);
        officer.click_and_load("form[enctype=\"multipart/form-data\"] button[type=submit]");
        officer.wait_for("class=\"flash\"");
    }

    // Submitted for review from the draft's page.
    officer.go(&format!("{base}/staff/drafts/{id}"));
    officer.click_and_load("#action-submit button[type=submit]");
    officer.wait_for("class=\"flash\"");

    // Two reviewers and an approver, each in a browser of their own.
    for (user, action) in [
        ("demo-reviewer", "pass_initial_review"),
        ("demo-rereviewer", "pass_re_review"),
        ("demo-approver", "approve"),
    ] {
        let mut d = WebDriver::start_at(&browser, 1280).unwrap();
        sign_in(&mut d, &base, user);
        d.go(&format!("{base}/staff/drafts/{id}"));
        if action == "pass_initial_review" {
            // Without the attestation the step is refused beside the checkbox.
            d.click_and_load(&format!("#action-{action} button[type=submit]"));
            d.wait_for("check invalid");
            shot(&mut d, &shots, "staff-review-refused-desktop");
            checks(
                &mut d,
                &format!("{base}/staff/drafts/{id}"),
                &axe,
                &mut problems,
            );
            shot(&mut d, &shots, "staff-review-step-desktop");
        }
        d.click(&format!("#{action}-attest"));
        d.type_into(
            &format!("#{action}-note"),
            "经审查，文本不含国家秘密、个人信息和商业秘密。",
        );
        d.click_and_load(&format!("#action-{action} button[type=submit]"));
        d.wait_for("class=\"flash\"");
    }
    let draft = api(&base, &format!("/drafts/{id}"));
    assert_eq!(draft["state"], "published", "{draft}");

    // Three comments from the public, then a moderator: two published, one hidden, in bulk.
    let mut tracking = Vec::new();
    for body in [
        "建议明确经济困难标准的认定材料。",
        "建议把标准提高到三倍。",
        "广告：低价代写各类文书，联系 13800138000",
    ] {
        let mut res = ureq::post(&format!("{base}/api/v1/drafts/{id}/comments"))
            .send_json(json!({"body": body, "stakeholder_type": "individual", "consent": true}))
            .unwrap();
        let v: Value = res.body_mut().read_json().unwrap();
        tracking.push(v["tracking_number"].as_str().unwrap().to_string());
    }
    let mut m = WebDriver::start_at(&browser, 1280).unwrap();
    sign_in(&mut m, &base, "demo-moderator");
    m.go(&format!("{base}/staff/moderation?draft_id={id}"));
    let page = m.source();
    for t in &tracking {
        assert!(page.contains(t.as_str()), "{t} in the queue");
    }
    checks(
        &mut m,
        &format!("{base}/staff/moderation?draft_id={id}"),
        &axe,
        &mut problems,
    );
    shot(&mut m, &shots, "staff-moderation-desktop");
    let ids: Vec<String> = serde_json::from_value(m.eval(
        "return Array.from(document.querySelectorAll('input[name=comment_id]')).map(e => e.id);",
    ))
    .unwrap();
    assert_eq!(ids.len(), 3);
    m.click(&format!("#{}", ids[0]));
    m.click(&format!("#{}", ids[1]));
    m.select("#decision", "publish");
    m.click_and_load("form.moderation fieldset button[type=submit]");
    m.wait_for("class=\"flash\"");
    m.go(&format!("{base}/staff/moderation?draft_id={id}"));
    let left: Vec<String> = serde_json::from_value(m.eval(
        "return Array.from(document.querySelectorAll('input[name=comment_id]')).map(e => e.id);",
    ))
    .unwrap();
    assert_eq!(left.len(), 1);
    m.click(&format!("#{}", left[0]));
    m.select("#decision", "hide");
    m.select("#reason", "spam");
    m.click_and_load("form.moderation fieldset button[type=submit]");
    m.wait_for("class=\"flash\"");
    let public = api(&base, &format!("/drafts/{id}/comments"));
    assert_eq!(public["total"], 2, "{public}");

    // The administrator's pages, and the offline opinion form.
    let mut admin = WebDriver::start_at(&browser, 1280).unwrap();
    sign_in(&mut admin, &base, "demo-admin");
    for path in [
        "/staff/users",
        "/staff/audit?verify=1",
        "/staff/outbox",
        "/staff/drafts",
        "/staff/account",
    ] {
        checks(&mut admin, &format!("{base}{path}"), &axe, &mut problems);
    }
    admin.go(&format!("{base}/staff/users"));
    shot(&mut admin, &shots, "staff-users-desktop");
    for page in ["offline", "invitations"] {
        checks(
            &mut officer,
            &format!("{base}/staff/drafts/{id}/{page}"),
            &axe,
            &mut problems,
        );
    }

    // Phone width: the same pages fit 360 px.
    let mut phone = WebDriver::start_at(&browser, 360).unwrap();
    phone.go(&format!("{base}/staff/login"));
    shot(&mut phone, &shots, "staff-login-phone");
    sign_in(&mut phone, &base, "demo-drafter");
    for (name, path) in [
        ("staff-dashboard-phone", "/staff".to_string()),
        ("staff-editor-phone", "/staff/drafts/new".to_string()),
        ("staff-draft-phone", format!("/staff/drafts/{id}")),
    ] {
        phone.go(&format!("{base}{path}"));
        let wide =
            phone.eval("return document.documentElement.scrollWidth > window.innerWidth + 1;");
        assert_eq!(wide, false, "{path} scrolls sideways at 360 px");
        shot(&mut phone, &shots, name);
    }
    officer.go(&format!("{base}/staff/login"));
    shot(&mut officer, &shots, "staff-login-desktop");

    // Signing out: the back button shows no staff data.
    officer.go(&format!("{base}/staff/drafts/{id}"));
    assert!(officer.source().contains("龙岭县法律援助经济困难标准规定"));
    officer.click_and_load("form[action=\"/staff/logout\"] button[type=submit]");
    officer.wait_for("name=\"password\"");
    assert!(officer.current_url().contains("/staff/login"));
    officer.back();
    let after = officer.source();
    assert!(
        !after.contains("龙岭县法律援助经济困难标准规定") && !after.contains("审核记录"),
        "no staff data after signing out"
    );
    assert!(officer.current_url().contains("/staff/login"));

    assert!(
        problems.is_empty(),
        "accessibility problems:\n{}",
        problems.join("\n")
    );
    eprintln!("screenshots in {}", shots.display());
}
