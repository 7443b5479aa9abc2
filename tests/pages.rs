//! R27 (public part), R28: the server-rendered draft pages through the real app on SQLite and
//! PostgreSQL — home, list, draft and material pages, the 404 page, the English switch, the
//! elder-friendly mode, privacy of comments and view counts — and one check in a real
//! headless browser (Chromium) against the real `consult serve` binary.

use crate::common;

use std::process::Command;

use actix_web::cookie::Cookie;
use actix_web::test::TestRequest;
use chrono::TimeDelta;
use common::browser::{CHROMIUM_FLAGS, WebDriver, axe_core, chromium, serve_demo};
use common::fixtures::{CommentSpec, DraftSpec, insert_comment, insert_draft};
use common::{Resp, TestApp};
use consult::db::ids::new_id;
use consult::db::schema::{articles, drafts, material_files, materials, period_extensions};
use diesel::prelude::*;
use serde_json::{Value, json};

both!(
    home_lists_closing_soon_open_and_recently_closed_drafts,
    draft_list_searches_filters_and_pages_like_the_api,
    draft_page_shows_metadata_period_countdown_articles_and_materials,
    draft_page_shows_published_comments_with_public_fields_only,
    personal_data_of_comments_never_appears_on_any_page,
    material_page_links_back_to_its_draft_and_offers_its_file,
    pages_are_chinese_by_default_and_english_is_complete_and_kept,
    elder_mode_is_kept_across_pages_by_a_cookie,
    unpublished_drafts_and_unknown_pages_are_404_pages,
    draft_page_views_are_counted_for_the_public,
);

/// A page as a browser asks for it.
async fn page(app: &TestApp, path: &str) -> Resp {
    app.call(
        TestRequest::get()
            .uri(path)
            .insert_header(("Accept", "text/html")),
    )
    .await
}

/// A page that must render (200, HTML); its text.
#[track_caller]
fn html(res: &Resp) -> String {
    assert_eq!(res.status.as_u16(), 200, "body: {}", res.text());
    assert!(
        res.header("content-type")
            .is_some_and(|c| c.starts_with("text/html")),
        "an HTML page"
    );
    res.text()
}

async fn get_html(app: &TestApp, path: &str) -> String {
    html(&page(app, path).await)
}

/// The part of a page between two markers.
fn between<'a>(text: &'a str, from: &str, to: &str) -> &'a str {
    let start = text
        .find(from)
        .unwrap_or_else(|| panic!("{from} not in page"));
    let rest = &text[start..];
    let end = rest.find(to).unwrap_or(rest.len());
    &rest[..end]
}

fn titled(app: &TestApp, title: &str, spec: impl FnOnce(DraftSpec) -> DraftSpec) -> String {
    let base = DraftSpec {
        title: title.into(),
        ..DraftSpec::open(app.now())
    };
    insert_draft(app, spec(base))
}

async fn home_lists_closing_soon_open_and_recently_closed_drafts(app: TestApp) {
    let now = app.now();
    titled(&app, "二十日后截止的办法", |s| DraftSpec {
        closes_at: now + TimeDelta::days(20),
        ..s
    });
    titled(&app, "两日后截止的办法", |s| DraftSpec {
        closes_at: now + TimeDelta::days(2),
        ..s
    });
    titled(&app, "昨日截止的办法", |s| DraftSpec {
        opens_at: now - TimeDelta::days(21),
        closes_at: now - TimeDelta::days(1),
        ..s
    });
    titled(&app, "尚未开始的办法", |s| DraftSpec {
        opens_at: now + TimeDelta::days(3),
        closes_at: now + TimeDelta::days(23),
        ..s
    });
    titled(&app, "仍在起草的办法", |s| DraftSpec {
        state: "drafting",
        ..s
    });
    let text = get_html(&app, "/").await;
    // The intro text stays.
    assert!(text.contains("政策文件草案公开征求意见"));
    assert!(text.contains("征求意见期一般不少于 15 日"));
    let soon = between(&text, r#"id="soon-h""#, r#"id="open-h""#);
    assert!(soon.contains("3 日内截止"), "window.closing_soon_days");
    assert!(soon.contains("两日后截止的办法") && soon.contains("还剩 2 天"));
    assert!(!soon.contains("二十日后截止的办法"));
    let open = between(&text, r#"id="open-h""#, r#"id="closed-h""#);
    assert!(
        open.contains("正在征求意见（2 件）"),
        "both open drafts counted"
    );
    assert!(open.contains("二十日后截止的办法") && open.contains("还剩 20 天"));
    let closed = between(&text, r#"id="closed-h""#, "</main>");
    assert!(closed.contains("昨日截止的办法"));
    assert!(
        !text.contains("尚未开始的办法"),
        "scheduled drafts are not on the home page"
    );
    assert!(
        !text.contains("仍在起草的办法"),
        "unpublished drafts never appear"
    );

    // closing_soon_days comes from the configuration.
    let wide = TestApp::start_with(app.db.kind, |c| c.window.closing_soon_days = 30)
        .await
        .unwrap();
    let id = insert_draft(&wide, DraftSpec::open(wide.now()));
    let text = get_html(&wide, "/").await;
    let soon = between(&text, r#"id="soon-h""#, r#"id="open-h""#);
    assert!(soon.contains("30 日内截止") && soon.contains(&format!("/drafts/{id}")));
}

async fn draft_list_searches_filters_and_pages_like_the_api(app: TestApp) {
    let now = app.now();
    titled(&app, "龙岭县行政执法公示办法", |s| s);
    titled(&app, "龙岭县法律援助实施细则", |s| DraftSpec {
        agency: "龙岭县人民政府办公室".into(),
        category: "政府文件".into(),
        ..s
    });
    titled(&app, "龙岭县人民调解办法", |s| DraftSpec {
        opens_at: now - TimeDelta::days(21),
        closes_at: now - TimeDelta::days(1),
        ..s
    });
    titled(&app, "龙岭县内部草稿", |s| DraftSpec {
        state: "awaiting_approval",
        ..s
    });
    let text = get_html(&app, "/drafts").await;
    assert!(text.contains("共找到 3 件草案"), "published drafts only");
    assert!(!text.contains("龙岭县内部草稿"));
    // The form works without JavaScript: a GET form with labelled fields.
    assert!(text.contains(r#"<form class="search" method="get" action="/drafts""#));
    for field in ["q", "phase", "agency", "category"] {
        assert!(
            text.contains(&format!(r#"<label for="{field}">"#)),
            "{field}"
        );
        assert!(
            text.contains(&format!(r#"id="{field}" name="{field}""#)),
            "{field}"
        );
    }
    // The filter choices are the agencies and categories of public drafts.
    assert!(text.contains(r#"<option value="龙岭县人民政府办公室">"#));
    assert!(text.contains(r#"<option value="政府文件">"#));

    // Chinese substring search, as in the API.
    let text = get_html(&app, "/drafts?q=%E6%B3%95%E5%BE%8B%E6%8F%B4%E5%8A%A9").await;
    assert!(text.contains("共找到 1 件草案") && text.contains("龙岭县法律援助实施细则"));
    assert!(
        text.contains(r#"value="法律援助""#),
        "the search box keeps the words"
    );
    let text = get_html(&app, "/drafts?phase=closed").await;
    assert!(text.contains("共找到 1 件草案") && text.contains("龙岭县人民调解办法"));
    assert!(text.contains(r#"<option value="closed" selected>"#));
    let agency = "/drafts?agency=%E9%BE%99%E5%B2%AD%E5%8E%BF%E4%BA%BA%E6%B0%91%E6%94%BF%E5%BA%9C%E5%8A%9E%E5%85%AC%E5%AE%A4";
    let text = get_html(&app, agency).await;
    assert!(text.contains("共找到 1 件草案") && text.contains("龙岭县法律援助实施细则"));
    let text = get_html(
        &app,
        "/drafts?category=%E6%94%BF%E5%BA%9C%E6%96%87%E4%BB%B6&phase=open",
    )
    .await;
    assert!(text.contains("共找到 1 件草案"));
    let text = get_html(&app, "/drafts?q=%E6%97%A0%E6%AD%A4%E8%8D%89%E6%A1%88").await;
    assert!(text.contains("共找到 0 件草案") && text.contains("没有符合条件的草案"));
    // Nonsense in the address gives the nearest sensible list, not an error.
    let text = get_html(&app, "/drafts?phase=soon&page=-3").await;
    assert!(text.contains("共找到 3 件草案"));

    // Paging: 20 a page, links keep the filters.
    for i in 0..20 {
        titled(&app, &format!("分页测试办法{i:02}"), |s| s);
    }
    let text = get_html(&app, "/drafts?q=%E5%88%86%E9%A1%B5").await;
    assert!(text.contains("共找到 20 件草案") && !text.contains("下一页"));
    let text = get_html(&app, "/drafts?phase=open").await;
    assert!(text.contains("共找到 22 件草案") && text.contains("第 1 页，共 2 页"));
    assert!(text.contains(r#"href="/drafts?phase=open&#38;page=2" rel="next""#));
    let second = get_html(&app, "/drafts?phase=open&page=2").await;
    assert_eq!(second.matches(r#"<li class="card"#).count(), 2);
    assert!(second.contains("上一页"));
}

async fn draft_page_shows_metadata_period_countdown_articles_and_materials(app: TestApp) {
    // 09:00 on 1 March 2026 in Shanghai.
    let id = insert_draft(&app, DraftSpec::open(app.now()));
    diesel::update(drafts::table.find(&id))
        .set((
            drafts::doc_number.eq(Some("龙司发〔2026〕3号")),
            drafts::enterprise_related.eq(true),
        ))
        .execute(&mut *app.conn())
        .unwrap();
    let (index_no, drafter): (String, String) = drafts::table
        .find(&id)
        .select((drafts::index_no, drafts::drafter_id))
        .first(&mut *app.conn())
        .unwrap();
    diesel::insert_into(period_extensions::table)
        .values((
            period_extensions::id.eq(new_id(app.now())),
            period_extensions::draft_id.eq(&id),
            period_extensions::at.eq(app.now().naive_utc()),
            period_extensions::actor_id.eq(&drafter),
            period_extensions::previous_closes_on
                .eq(chrono::NaiveDate::from_ymd_opt(2026, 3, 12).unwrap()),
            period_extensions::new_closes_on
                .eq(chrono::NaiveDate::from_ymd_opt(2026, 3, 19).unwrap()),
            period_extensions::reason.eq("应基层要求延长七日"),
        ))
        .execute(&mut *app.conn())
        .unwrap();
    let text = get_html(&app, &format!("/drafts/{id}")).await;
    assert!(
        text.contains("<h1 id=\"draft-title\">龙岭县行政规范性文件管理办法（征求意见稿）</h1>")
    );
    for (label, value) in [
        ("索引号", index_no.as_str()),
        ("文号", "龙司发〔2026〕3号"),
        ("发布机构", "龙岭县司法局"),
        ("公开目录", "规范性文件"),
        ("文件类型", "行政规范性文件"),
        ("涉企", "是（涉及市场主体）"),
    ] {
        assert!(
            text.contains(&format!("<dt>{label}</dt><dd>{value}</dd>")),
            "{label}: {value}"
        );
    }
    assert!(text.contains("<li>司法行政</li>") && text.contains("<li>规范性文件</li>"));
    assert!(text.contains("正在征求意见"));
    // R4, R5: dates in the site's zone, the end at 24:00, a countdown from the clock.
    assert!(text.contains("开始时间： 2026年2月27日 09:00"), "{text}");
    assert!(text.contains("截止时间： 2026年3月19日 24:00"));
    assert!(text.contains("北京时间"));
    assert!(text.contains("还剩 18 天"));
    assert!(
        text.contains("2026年3月12日 延长至 2026年3月19日") && text.contains("应基层要求延长七日")
    );
    app.clock().advance(TimeDelta::days(13));
    assert!(
        get_html(&app, &format!("/drafts/{id}"))
            .await
            .contains("还剩 5 天")
    );
    app.clock()
        .advance(TimeDelta::days(5) - TimeDelta::hours(3));
    assert!(
        get_html(&app, &format!("/drafts/{id}"))
            .await
            .contains("还剩 3 小时")
    );
    app.clock().advance(TimeDelta::hours(4));
    let text = get_html(&app, &format!("/drafts/{id}")).await;
    assert!(text.contains("征求意见已结束") && !text.contains("还剩"));
    assert!(text.contains("意见征集已于") && text.contains("截止，不再接受意见"));

    // Articles in order, each with an anchor.
    let text = get_html(&app, &format!("/drafts/{id}")).await;
    let mut last = 0;
    for n in 1..=5 {
        let at = text
            .find(&format!(
                r##"<li id="article-{n}"><a class="article-no" href="#article-{n}">第{n}条</a>"##
            ))
            .unwrap_or_else(|| panic!("article {n}"));
        assert!(at > last, "articles in order");
        last = at;
    }
    // A heading that is not the article's number is shown beside it.
    diesel::update(
        articles::table
            .filter(articles::draft_id.eq(&id))
            .filter(articles::number.eq(1)),
    )
    .set(articles::heading.eq(Some("总则")))
    .execute(&mut *app.conn())
    .unwrap();
    // Behind the app's back: say that the public view changed, as its own writes do.
    consult::db::drafts::touch(&mut app.conn(), &id).unwrap();
    assert!(
        get_html(&app, &format!("/drafts/{id}")).await.contains(
            r##"<a class="article-no" href="#article-1">第1条</a><strong>总则</strong>"##
        )
    );
    // Materials link to their pages.
    let ids: Vec<(String, String)> = materials::table
        .filter(materials::draft_id.eq(&id))
        .order(materials::position.asc())
        .select((materials::id, materials::title))
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(ids.len(), 2);
    for (mid, title) in &ids {
        assert!(text.contains(&format!(r#"<a href="/materials/{mid}">{title}</a>"#)));
    }
    assert!(text.contains("起草说明") && text.contains("决策依据"));
    // The marked place for the comment form.
    assert!(text.contains(r#"<section id="comment-form""#));

    // A scheduled draft counts down to its opening; a withdrawn one says why.
    let now = app.now();
    let later = titled(&app, "下月开始的办法", |s| DraftSpec {
        opens_at: now + TimeDelta::days(4),
        closes_at: now + TimeDelta::days(30),
        ..s
    });
    let text = get_html(&app, &format!("/drafts/{later}")).await;
    assert!(text.contains("即将开始") && text.contains("4 天后开始"));
    assert!(text.contains("起可以提出意见"));
    let gone = titled(&app, "撤回的办法", |s| DraftSpec {
        state: "withdrawn",
        ..s
    });
    diesel::update(drafts::table.find(&gone))
        .set(drafts::withdraw_reason.eq(Some("上位法已修改")))
        .execute(&mut *app.conn())
        .unwrap();
    let text = get_html(&app, &format!("/drafts/{gone}")).await;
    assert!(text.contains("已撤回") && text.contains("撤回理由：上位法已修改"));
    assert!(!text.contains("还剩"));
}

/// Comments whose personal data must never be shown: (email, phone, region, hidden name).
fn seed_comments(app: &TestApp, draft: &str) -> Vec<String> {
    let mut secrets = Vec::new();
    let mut add = |spec: CommentSpec, tag: &str| {
        let spec = CommentSpec {
            email: Some(format!("{tag}@secret-mail.example")),
            phone: Some(format!("+86 139 {tag}")),
            region: Some(format!("秘密地区{tag}")),
            ..spec
        };
        secrets.push(format!("{tag}@secret-mail.example"));
        secrets.push(format!("+86 139 {tag}"));
        secrets.push(format!("秘密地区{tag}"));
        insert_comment(app, draft, spec)
    };
    // Published, name not to be published.
    add(
        CommentSpec {
            name: Some("隐名者甲".into()),
            article: Some(2),
            ..CommentSpec::new("第二条应当明确公示期限。")
        },
        "1001",
    );
    // Published, name to be published, from an enterprise.
    add(
        CommentSpec {
            name: Some("公开者乙".into()),
            publish_name: true,
            stakeholder_type: "enterprise",
            organization: Some("龙岭县某某建材有限公司".into()),
            ..CommentSpec::new("建议减少企业报送材料。")
        },
        "1002",
    );
    // Published but withheld text.
    add(
        CommentSpec {
            name: Some("隐名者丙".into()),
            withhold: true,
            ..CommentSpec::new("这段文字提交人要求不公开。")
        },
        "1003",
    );
    // Pending and hidden: never shown.
    add(
        CommentSpec {
            name: Some("隐名者丁".into()),
            status: "pending",
            ..CommentSpec::new("尚未审核的意见内容。")
        },
        "1004",
    );
    add(
        CommentSpec {
            name: Some("隐名者戊".into()),
            publish_name: true,
            status: "hidden",
            ..CommentSpec::new("已被屏蔽的意见内容。")
        },
        "1005",
    );
    secrets.extend(
        [
            "隐名者甲",
            "隐名者丙",
            "隐名者丁",
            "隐名者戊",
            "这段文字提交人要求不公开",
            "尚未审核的意见内容",
            "已被屏蔽的意见内容",
        ]
        .map(String::from),
    );
    secrets
}

async fn draft_page_shows_published_comments_with_public_fields_only(app: TestApp) {
    let id = insert_draft(&app, DraftSpec::open(app.now()));
    seed_comments(&app, &id);
    let tracking: Vec<(String, String)> = consult::db::schema::comments::table
        .filter(consult::db::schema::comments::draft_id.eq(&id))
        .select((
            consult::db::schema::comments::tracking_number,
            consult::db::schema::comments::status,
        ))
        .load(&mut *app.conn())
        .unwrap();
    let text = get_html(&app, &format!("/drafts/{id}")).await;
    let section = between(&text, r#"id="comments-h""#, "</section>");
    assert!(section.contains("已公开的意见（3 条）"));
    for (t, status) in &tracking {
        assert_eq!(
            section.contains(t.as_str()),
            status == "published",
            "{t} {status}"
        );
    }
    assert!(section.contains("第二条应当明确公示期限。"));
    assert!(section.contains(r##"<a href="#article-2">针对第2条</a>"##));
    assert!(section.contains("企业 · 龙岭县某某建材有限公司 · 公开者乙"));
    assert!(section.contains("建议减少企业报送材料。"));
    assert!(
        section.contains("提交人要求不公开意见内容"),
        "a withheld text is marked, not shown"
    );
    assert!(
        section.contains("2026年3月1日 09:00"),
        "submitted_at in the site's zone"
    );
}

async fn personal_data_of_comments_never_appears_on_any_page(app: TestApp) {
    let id = insert_draft(&app, DraftSpec::open(app.now()));
    let closed = insert_draft(&app, DraftSpec::closed(app.now()));
    let mut secrets = seed_comments(&app, &id);
    secrets.extend(seed_comments(&app, &closed));
    let material: String = materials::table
        .filter(materials::draft_id.eq(&id))
        .select(materials::id)
        .first(&mut *app.conn())
        .unwrap();
    let mut pages = Vec::new();
    for lang in ["zh-CN", "en"] {
        for path in [
            "/".to_string(),
            "/drafts".into(),
            "/drafts?phase=closed".into(),
            format!("/drafts/{id}"),
            format!("/drafts/{closed}"),
            format!("/materials/{material}"),
        ] {
            let sep = if path.contains('?') { '&' } else { '?' };
            pages.push(get_html(&app, &format!("{path}{sep}lang={lang}")).await);
        }
    }
    for text in &pages {
        for secret in &secrets {
            assert!(!text.contains(secret.as_str()), "{secret} leaked");
        }
        assert!(!text.contains("secret-mail"), "no email address");
    }
    assert!(
        pages.iter().any(|p| p.contains("公开者乙")),
        "a name its author chose to publish"
    );
}

async fn material_page_links_back_to_its_draft_and_offers_its_file(app: TestApp) {
    let id = insert_draft(&app, DraftSpec::open(app.now()));
    let mid = new_id(app.now());
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();
    let drafter: String = drafts::table
        .find(&id)
        .select(drafts::drafter_id)
        .first(&mut *app.conn())
        .unwrap();
    diesel::insert_into(materials::table)
        .values((
            materials::id.eq(&mid),
            materials::draft_id.eq(&id),
            materials::kind.eq("interpretation"),
            materials::title.eq("政策解读：办法怎么用"),
            materials::body.eq("第一段解读。\n\n第二段<b>解读</b>。"),
            materials::position.eq(5),
            materials::file_name.eq(Some("解读.pdf")),
            materials::file_content_type.eq(Some("application/pdf")),
            materials::file_size.eq(Some(pdf.len() as i64)),
            materials::created_by.eq(&drafter),
            materials::created_at.eq(app.now().naive_utc()),
            materials::updated_at.eq(app.now().naive_utc()),
        ))
        .execute(&mut *app.conn())
        .unwrap();
    diesel::insert_into(material_files::table)
        .values((
            material_files::material_id.eq(&mid),
            material_files::data.eq(&pdf),
        ))
        .execute(&mut *app.conn())
        .unwrap();
    // R2: the draft page links to the interpretation, and the interpretation back.
    let draft = get_html(&app, &format!("/drafts/{id}")).await;
    assert!(draft.contains(&format!(
        r#"<a href="/materials/{mid}">政策解读：办法怎么用</a>"#
    )));
    assert!(draft.contains("政策解读"));
    let text = get_html(&app, &format!("/materials/{mid}")).await;
    assert!(text.contains(r#"<h1 id="material-title">政策解读：办法怎么用</h1>"#));
    assert!(text.contains(&format!(r#"<a href="/drafts/{id}">返回草案："#)));
    assert!(text.contains("<dt>材料类型</dt><dd>政策解读</dd>"));
    assert!(
        text.contains("第二段&#60;b&#62;解读&#60;/b&#62;")
            || text.contains("第二段&lt;b&gt;解读&lt;/b&gt;"),
        "bodies are escaped"
    );
    let href = format!("/api/v1/materials/{mid}/file");
    assert!(text.contains(&format!(r#"<a href="{href}" download>下载 解读.pdf</a>"#)));
    let file = app.get(&href, None).await;
    assert_eq!(file.status.as_u16(), 200);
    assert_eq!(file.body.as_ref(), pdf.as_slice());
    // The draft's other materials are listed too.
    assert!(text.contains("本草案的其他材料") && text.contains("起草说明"));

    // The API's links to pages resolve to these pages.
    let draft = app.get(&format!("/api/v1/drafts/{id}"), None).await.ok(200);
    let html_link = draft["links"]["html"].as_str().unwrap();
    assert!(get_html(&app, html_link).await.contains("draft-title"));
    for m in draft["materials"].as_array().unwrap() {
        assert!(
            get_html(&app, m["links"]["html"].as_str().unwrap())
                .await
                .contains("material-title")
        );
        assert_eq!(m["links"]["draft_html"].as_str().unwrap(), html_link);
    }
}

/// Text outside tags, with the language link to Chinese (which must stay Chinese) removed.
fn visible_text(html: &str) -> String {
    // The name of the language in the language switch and the mail language choice.
    let html = html
        .replace(r#"lang="zh-CN" hreflang="zh-CN">中文</a>"#, ">")
        .replace(r#"lang="zh-CN">中文</label>"#, ">");
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

fn has_chinese(s: &str) -> Option<char> {
    s.chars()
        .find(|c| ('\u{3000}'..='\u{9fff}').contains(c) || ('\u{ff00}'..='\u{ffef}').contains(c))
}

async fn pages_are_chinese_by_default_and_english_is_complete_and_kept(app: TestApp) {
    // An English draft (data in English), so that any Chinese left on the page is ours.
    let now = app.now();
    let id = insert_draft(
        &app,
        DraftSpec {
            title: "Measures on Legal Aid (Draft)".into(),
            agency: "Longling County Justice Bureau".into(),
            category: "Department documents".into(),
            ..DraftSpec::open(now)
        },
    );
    let closed = insert_draft(
        &app,
        DraftSpec {
            title: "Rules on Mediation (Draft)".into(),
            agency: "Longling County Justice Bureau".into(),
            category: "Department documents".into(),
            ..DraftSpec::closed(now)
        },
    );
    {
        let mut conn = app.conn();
        for d in [&id, &closed] {
            diesel::update(drafts::table.find(d))
                .set((
                    drafts::summary.eq("These measures govern legal aid."),
                    drafts::subject_terms.eq(r#"["legal aid"]"#),
                    drafts::doc_number.eq(Some("LJ 2026 No. 3")),
                ))
                .execute(&mut *conn)
                .unwrap();
            diesel::update(articles::table.filter(articles::draft_id.eq(d)))
                .set((
                    articles::heading.eq(None::<String>),
                    articles::text.eq("Text of the article."),
                ))
                .execute(&mut *conn)
                .unwrap();
            diesel::update(materials::table.filter(materials::draft_id.eq(d)))
                .set((
                    materials::title.eq("Explanation"),
                    materials::body.eq("Why."),
                ))
                .execute(&mut *conn)
                .unwrap();
        }
    }
    insert_comment(
        &app,
        &id,
        CommentSpec {
            stakeholder_type: "industry_association",
            organization: Some("Bar association".into()),
            article: Some(1),
            ..CommentSpec::new("Please say who pays.")
        },
    );
    insert_comment(
        &app,
        &id,
        CommentSpec {
            withhold: true,
            ..CommentSpec::new("Withheld text.")
        },
    );
    let material: String = materials::table
        .filter(materials::draft_id.eq(&id))
        .select(materials::id)
        .first(&mut *app.conn())
        .unwrap();
    let paths = [
        "/".to_string(),
        "/drafts".into(),
        "/drafts?q=nothing-like-this".into(),
        format!("/drafts/{id}"),
        format!("/drafts/{closed}"),
        format!("/materials/{material}"),
        "/drafts/no-such-draft".into(),
        "/subscribe".into(),
        format!("/subscribe?draft={id}"),
    ];

    // Chinese by default, even for a browser that prefers nothing in particular.
    let zh = page(&app, "/").await;
    assert!(zh.text().contains(r#"<html lang="zh-CN""#));
    assert!(zh.text().contains("正在征求意见"));
    // No preference cookie without a choice (the home page's subscribe form has its CSRF
    // cookie).
    assert!(
        zh.headers
            .get_all("set-cookie")
            .filter_map(|v| v.to_str().ok())
            .all(|c| c.starts_with("csrf=")),
        "no cookie without a choice"
    );

    // ?lang=en switches every visible string and keeps the choice in a cookie.
    let res = page(&app, "/?lang=en").await;
    let cookie = res.header("set-cookie").expect("lang cookie");
    assert!(
        cookie.starts_with("lang=en;") && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert!(
        cookie.contains("Max-Age="),
        "kept beyond the session: {cookie}"
    );
    for path in &paths {
        let res = app
            .call(
                TestRequest::get()
                    .uri(path)
                    .insert_header(("Accept", "text/html"))
                    .cookie(Cookie::new("lang", "en")),
            )
            .await;
        let text = res.text();
        assert!(text.contains(r#"<html lang="en""#), "{path}");
        let visible = visible_text(&text);
        if let Some(c) = has_chinese(&visible) {
            panic!("Chinese ({c}) left on the English page {path}:\n{visible}");
        }
    }
    let text = visible_text(&get_html(&app, &format!("/drafts/{id}?lang=en")).await);
    for s in [
        "Index number",
        "Document number",
        "Issuing agency",
        "Normative document",
        "Open for comment",
        "18 days left",
        "Article 1",
        "Drafting explanation",
        "Industry association",
        "on Article 1",
        "Beijing time",
    ] {
        assert!(text.contains(s), "{s}");
    }
    assert!(
        text.contains("Public consultation on draft policies"),
        "site.name_en"
    );
    // The switch links keep the page and its parameters.
    let text = get_html(&app, "/drafts?q=legal&lang=en").await;
    assert!(text.contains(r#"href="/drafts?q=legal&#38;lang=zh-CN""#));
    // Back to Chinese by the link; the cookie follows.
    let res = app
        .call(
            TestRequest::get()
                .uri("/?lang=zh-CN")
                .cookie(Cookie::new("lang", "en")),
        )
        .await;
    assert!(res.text().contains(r#"<html lang="zh-CN""#));
    assert!(res.header("set-cookie").unwrap().starts_with("lang=zh-CN;"));
}

async fn elder_mode_is_kept_across_pages_by_a_cookie(app: TestApp) {
    let id = insert_draft(&app, DraftSpec::open(app.now()));
    let text = get_html(&app, "/").await;
    assert!(
        text.contains(r#"<html lang="zh-CN">"#),
        "standard mode by default"
    );
    assert!(text.contains(r#"<a class="elder-toggle" href="/?elder=1">"#));
    let res = page(&app, "/?elder=1").await;
    assert!(res.text().contains(r#"<html lang="zh-CN" class="elder">"#));
    // No script anywhere: the switch is a plain link, and the policy forbids scripts.
    assert!(!res.text().contains("<script"));
    let policy = res.header("content-security-policy").unwrap();
    assert!(policy.starts_with("default-src 'none';") && !policy.contains("script-src"));
    let cookie = res.header("set-cookie").expect("elder cookie");
    assert!(
        cookie.starts_with("elder=1;") && cookie.contains("Path=/"),
        "{cookie}"
    );
    // Later pages, with the cookie, stay in elder mode and offer the way back.
    for path in ["/drafts".to_string(), format!("/drafts/{id}")] {
        let res = app
            .call(
                TestRequest::get()
                    .uri(&path)
                    .cookie(Cookie::new("elder", "1")),
            )
            .await;
        let text = html(&res);
        assert!(text.contains(r#"class="elder""#), "{path}");
        assert!(text.contains("关闭长者模式") && text.contains("elder=0"));
    }
    // The stylesheet has the mode: larger type.
    let css = app.get("/assets/site.css", None).await;
    assert_eq!(css.status.as_u16(), 200);
    assert!(css.header("content-type").unwrap().starts_with("text/css"));
    assert!(css.text().contains("html.elder body { font-size: 22px"));
    // Turning it off removes the cookie.
    let res = app
        .call(
            TestRequest::get()
                .uri("/drafts?elder=0")
                .cookie(Cookie::new("elder", "1")),
        )
        .await;
    assert!(!res.text().contains(r#"class="elder""#));
    let cookie = res.header("set-cookie").unwrap();
    assert!(
        cookie.starts_with("elder=;") && cookie.contains("Max-Age=0"),
        "{cookie}"
    );
}

async fn unpublished_drafts_and_unknown_pages_are_404_pages(app: TestApp) {
    for state in [
        "drafting",
        "awaiting_initial_review",
        "awaiting_re_review",
        "awaiting_approval",
    ] {
        let id = titled(&app, &format!("未公开草案{state}"), |s| DraftSpec {
            state,
            ..s
        });
        let res = page(&app, &format!("/drafts/{id}")).await;
        assert_eq!(res.status.as_u16(), 404, "{state}");
        assert!(res.header("content-type").unwrap().starts_with("text/html"));
        let text = res.text();
        assert!(
            text.contains("未找到") && !text.contains("未公开草案"),
            "{state}"
        );
        let material: String = materials::table
            .filter(materials::draft_id.eq(&id))
            .select(materials::id)
            .first(&mut *app.conn())
            .unwrap();
        let res = page(&app, &format!("/materials/{material}")).await;
        assert_eq!(res.status.as_u16(), 404, "material of a {state} draft");
        assert!(!res.text().contains("起草说明正文"));
    }
    let res = page(&app, "/drafts/no-such-draft?lang=en").await;
    assert_eq!(res.status.as_u16(), 404);
    assert!(res.text().contains("Not found"));
    assert_eq!(page(&app, "/materials/nothing").await.status.as_u16(), 404);
    // A browser that follows a wrong link gets the page; the API keeps problem documents.
    let res = page(&app, "/no/such/page").await;
    assert_eq!(res.status.as_u16(), 404);
    assert!(res.text().contains("<html"));
    app.get("/no/such/page", None).await.problem(404);
    app.get("/api/v1/drafts/no-such-draft", None)
        .await
        .problem(404);
    let res = app
        .call(
            TestRequest::get()
                .uri("/api/v1/nothing")
                .insert_header(("Accept", "text/html")),
        )
        .await;
    res.problem(404);
}

async fn draft_page_views_are_counted_for_the_public(app: TestApp) {
    let id = insert_draft(&app, DraftSpec::open(app.now()));
    let hidden = titled(&app, "未公开", |s| DraftSpec {
        state: "drafting",
        ..s
    });
    for _ in 0..3 {
        get_html(&app, &format!("/drafts/{id}")).await;
    }
    page(&app, &format!("/drafts/{hidden}")).await;
    let stored = |d: &str| -> i64 {
        drafts::table
            .find(d)
            .select(drafts::view_count)
            .first(&mut *app.conn())
            .unwrap()
    };
    assert_eq!(stored(&id), 0, "no write per view");
    consult::jobs::flush_views(&app.state.pool, &app.state.views);
    assert_eq!(stored(&id), 3);
    assert_eq!(stored(&hidden), 0, "a 404 is not a view");
    // Lists and material pages are not views of the draft.
    get_html(&app, "/").await;
    get_html(&app, "/drafts").await;
    consult::jobs::flush_views(&app.state.pool, &app.state.views);
    assert_eq!(stored(&id), 3);
    let text = get_html(&app, &format!("/drafts/{id}")).await;
    assert!(text.contains("<dt>浏览次数</dt><dd>3</dd>"));
}

// ---------------------------------------------------------------------------------------
// The real browser: `consult serve --demo` on a free port, Chromium headless at phone width.

/// R20: the path of the adoption report the demo publishes for its closed draft, so that
/// the browser checks cover the report page.
fn demo_report(base: &str) -> String {
    let closed: Value = ureq::get(&format!("{base}/api/v1/drafts?phase=closed"))
        .call()
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap();
    let id = closed["items"][0]["id"].as_str().unwrap();
    format!("/drafts/{id}/report")
}

/// R8: the path of the demo's second-round draft showing what changed since its first round,
/// each change with the opinions behind it.
fn demo_second_round(base: &str) -> String {
    let list: Value = ureq::get(&format!("{base}/api/v1/drafts?per_page=100"))
        .call()
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap();
    let id = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["round"] == 2)
        .expect("the demo has a draft in its second round")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/drafts/{id}?changes=1");
    let page = ureq::get(&format!("{base}{path}"))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    assert!(
        page.contains("<ins>") && page.contains("<del>"),
        "the changes shown"
    );
    assert!(
        page.contains("根据3条意见修改"),
        "the opinions behind a change"
    );
    path
}

/// Chromium's DOM of a page after it loaded, at 360 px wide, preferring Chinese.
fn dump_dom(browser: &str, url: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(browser)
        .args(CHROMIUM_FLAGS)
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args([
            "--window-size=360,800",
            "--accept-lang=zh-CN",
            "--dump-dom",
            url,
        ])
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn screenshot(browser: &str, url: &str, file: &std::path::Path) {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(browser)
        .args(CHROMIUM_FLAGS)
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(["--window-size=360,800", "--accept-lang=zh-CN"])
        .arg(format!("--screenshot={}", file.display()))
        .arg(url)
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn browser_shows_the_pages_on_a_phone_screen() {
    let Some(browser) = chromium() else { return };
    let server = serve_demo();
    let base = &server.base;
    let list: Value = ureq::get(&format!("{base}/api/v1/drafts?phase=open"))
        .call()
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap();
    let draft = &list["items"][0];
    let id = draft["id"].as_str().unwrap();
    let title = draft["title"].as_str().unwrap();

    // Home: Chinese, the open draft linked, the skip link first, the landmarks there.
    let dom = dump_dom(&browser, &format!("{base}/"));
    assert!(dom.contains(r#"<html lang="zh-CN""#), "{dom}");
    assert!(dom.contains("正在征求意见") && dom.contains(&format!(r#"href="/drafts/{id}""#)));
    let body = &dom[dom.find("<body").unwrap()..];
    let first_link = body.find("<a ").unwrap();
    assert!(
        body[first_link..].starts_with(r##"<a class="skip" href="#main">"##),
        "skip link first"
    );
    for landmark in ["<header", "<nav", r#"<main id="main""#, "<footer"] {
        assert!(dom.contains(landmark), "{landmark}");
    }

    // The draft page in English, reached through the switch link's address.
    let dom = dump_dom(&browser, &format!("{base}/drafts/{id}?lang=en"));
    assert!(dom.contains(r#"<html lang="en""#));
    assert!(dom.contains(title) || dom.contains(&title.replace('&', "&amp;")));
    for s in [
        "Index number",
        "Comment period",
        "Text of the draft",
        r#"id="article-1""#,
        r#"id="comment-form""#,
    ] {
        assert!(dom.contains(s), "{s}");
    }
    assert!(dom.contains("left</span>"), "a countdown");
    let full: Value = ureq::get(&format!("{base}/api/v1/drafts/{id}"))
        .call()
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap();
    let mid = full["materials"][0]["id"].as_str().unwrap();
    let dom = dump_dom(&browser, &format!("{base}/materials/{mid}"));
    assert!(
        dom.contains(&format!(r#"href="/drafts/{id}""#)),
        "material links back"
    );

    // The 404 page renders as a page in the browser.
    let dom = dump_dom(&browser, &format!("{base}/drafts/no-such-draft"));
    assert!(dom.contains("未找到"));

    // Screenshots at phone width, for a person to look at (kept when asked for).
    let shots = match std::env::var("CONSULT_SCREENSHOT_DIR") {
        Ok(d) => std::path::PathBuf::from(d),
        Err(_) => std::env::temp_dir().join(format!("consult-shots-{}", std::process::id())),
    };
    std::fs::create_dir_all(&shots).unwrap();
    for (name, path) in [
        ("home", "/".to_string()),
        ("draft", format!("/drafts/{id}")),
        ("elder", format!("/drafts/{id}?elder=1")),
    ] {
        let file = shots.join(format!("{name}-360.png"));
        screenshot(&browser, &format!("{base}{path}"), &file);
        let png = std::fs::read(&file).unwrap();
        assert!(png.starts_with(b"\x89PNG"), "{name} screenshot");
    }
    eprintln!("screenshots in {}", shots.display());
}

#[test]
fn browser_needs_no_horizontal_scroll_at_360_px_and_keeps_elder_mode() {
    let Some(browser) = chromium() else { return };
    let Some(mut driver) = WebDriver::start(&browser) else {
        return;
    };
    let server = serve_demo();
    let base = &server.base;
    let report = demo_report(base);
    let second_round = demo_second_round(base);
    let list: Value = ureq::get(&format!("{base}/api/v1/drafts"))
        .call()
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap();
    let mut paths = vec![
        "/".to_string(),
        "/drafts".into(),
        "/drafts?lang=en".into(),
        "/receipts".into(),
        receipt_page(base),
        report,
        second_round,
    ];
    for d in list["items"].as_array().unwrap() {
        paths.push(format!("/drafts/{}", d["id"].as_str().unwrap()));
        if let Some(m) = d["materials"].as_array().and_then(|m| m.first()) {
            paths.push(format!("/materials/{}", m["id"].as_str().unwrap()));
        }
    }
    let full: Value = ureq::get(&format!(
        "{base}/api/v1/drafts/{}",
        list["items"][0]["id"].as_str().unwrap()
    ))
    .call()
    .unwrap()
    .body_mut()
    .read_json()
    .unwrap();
    paths.push(format!(
        "/materials/{}",
        full["materials"][0]["id"].as_str().unwrap()
    ));
    for elder in ["0", "1"] {
        for path in &paths {
            let sep = if path.contains('?') { '&' } else { '?' };
            driver.go(&format!("{base}{path}{sep}elder={elder}"));
            let widths = driver.eval(
                "return [document.documentElement.scrollWidth, window.innerWidth, \
                 getComputedStyle(document.body).fontSize]",
            );
            let (scroll, inner) = (widths[0].as_i64().unwrap(), widths[1].as_i64().unwrap());
            assert_eq!(inner, 360, "the phone viewport");
            assert!(
                scroll <= inner,
                "{path} (elder={elder}) scrolls sideways: {scroll} > {inner}"
            );
        }
    }
    // Elder mode set on one page stays on the next, through the cookie; the CSS applies it.
    driver.go(&format!("{base}/?elder=1"));
    driver.go(&format!("{base}/drafts"));
    let v = driver.eval(
        "return [document.documentElement.className, getComputedStyle(document.body).fontSize]",
    );
    assert_eq!(v[0], "elder");
    assert_eq!(v[1], "20px", "larger type on a phone in elder mode");
    driver.go(&format!("{base}/drafts?elder=0"));
    let v = driver.eval(
        "return [document.documentElement.className, getComputedStyle(document.body).fontSize]",
    );
    assert_eq!(v[0], "");
    assert_eq!(v[1], "16px");
    // Keyboard: the first Tab reaches the skip link, and it shows a focus outline.
    driver.tab();
    let v = driver.eval(
        "const a = document.activeElement; \
         return [a.className, getComputedStyle(a).outlineStyle, getComputedStyle(a).left]",
    );
    assert_eq!(v[0], "skip");
    assert_eq!(v[1], "solid", "visible focus");
}

/// The receipt page of a new comment on the demo's first open draft (R14).
fn receipt_page(base: &str) -> String {
    let list: Value = ureq::get(&format!("{base}/api/v1/drafts?phase=open"))
        .call()
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap();
    let id = list["items"][0]["id"].as_str().unwrap();
    let receipt: Value = ureq::post(&format!("{base}/api/v1/drafts/{id}/comments"))
        .send_json(json!({
            "body": "建议明确第二条的适用范围。",
            "stakeholder_type": "individual",
            "consent": true,
        }))
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap();
    format!(
        "/receipts/{}?token={}",
        receipt["tracking_number"].as_str().unwrap(),
        receipt["receipt_token"].as_str().unwrap()
    )
}

#[test]
fn browser_finds_no_wcag_2_1_aa_violations_with_axe() {
    let Some(browser) = chromium() else { return };
    let Some(axe) = axe_core() else { return };
    let Some(mut driver) = WebDriver::start(&browser) else {
        return;
    };
    let server = serve_demo();
    let base = &server.base;
    let report = demo_report(base);
    let second_round = demo_second_round(base);
    let list: Value = ureq::get(&format!("{base}/api/v1/drafts"))
        .call()
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap();
    let id = list["items"][0]["id"].as_str().unwrap().to_string();
    let full: Value = ureq::get(&format!("{base}/api/v1/drafts/{id}"))
        .call()
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap();
    let mid = full["materials"][0]["id"].as_str().unwrap();
    let mut paths = vec![
        "/".to_string(),
        "/drafts?q=%E5%8F%B8%E6%B3%95".into(),
        "/drafts/no-such-draft".into(),
        format!("/materials/{mid}"),
        "/receipts".into(),
        receipt_page(base),
        report,
        second_round,
    ];
    for d in list["items"].as_array().unwrap() {
        paths.push(format!("/drafts/{}", d["id"].as_str().unwrap()));
    }
    let mut problems = Vec::new();
    for (lang, elder) in [("zh-CN", "0"), ("en", "0"), ("zh-CN", "1")] {
        for path in &paths {
            let sep = if path.contains('?') { '&' } else { '?' };
            let url = format!("{base}{path}{sep}lang={lang}&elder={elder}");
            driver.go(&url);
            problems.extend(driver.axe(&axe));
        }
    }
    assert!(
        problems.is_empty(),
        "accessibility problems:\n{}",
        problems.join("\n")
    );
}
