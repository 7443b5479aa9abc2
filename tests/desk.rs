//! R16, R17, R18 (staff side): the review desk through the real app on SQLite and PostgreSQL —
//! triage filters and search (CJK inside a sentence), bulk actions on checked or on all
//! matching comments, groups merged, split and pulled together, dispositions with kept
//! reasons, assignments, internal notes, progress, and who may do what.

use crate::common;

use common::TestApp;
use common::fixtures::{CommentSpec, DraftSpec, insert_comment, insert_draft};
use common::session::{location, signed_in};
use consult::db::schema::{audit_log, comments, opinion_groups, reason_snippets, review_notes};
use consult::domain::roles::Role;
use diesel::prelude::*;

both!(
    triage_lists_every_comment_and_filters_and_searches_chinese_and_english,
    bulk_actions_reach_the_checked_or_every_matching_comment,
    a_refused_bulk_disposition_changes_nothing_and_says_why_beside_the_field,
    groups_are_merged_split_pulled_together_and_disposed_in_bulk,
    kept_reasons_are_chosen_in_a_disposition_and_belong_to_the_agency,
    notes_are_internal_and_audited,
    the_desk_is_for_reviewing_officers,
    progress_counts_what_the_report_still_lacks,
);

/// A closed draft with: three campaign letters on article 2, a paraphrase, an opposing
/// letter, an English comment, a letter and a hidden comment on article 3. Returns the draft
/// and the comments' ids in that order.
fn seeded(app: &TestApp) -> (String, Vec<String>) {
    let draft = insert_draft(app, DraftSpec::closed(app.now()));
    let mut ids = Vec::new();
    let mut add = |body: &str, article: Option<i32>, f: &dyn Fn(&mut CommentSpec)| {
        let mut spec = CommentSpec::new(body);
        spec.article = article;
        f(&mut spec);
        ids.push(insert_comment(app, &draft, spec).0);
    };
    let campaign = "建议将征求意见期限由十五日延长至三十日，方便群众充分表达意见。";
    add(campaign, Some(2), &|_| {});
    add(&format!("尊敬的领导：{campaign}"), Some(2), &|_| {});
    add(&format!("{campaign}谢谢！"), Some(2), &|_| {});
    add(
        "十五天的征求意见时间太短了，请延长到三十日，群众来不及表达意见。",
        Some(2),
        &|_| {},
    );
    add(
        "我们认为十五日的公开征求意见期限已经足够，不建议延长至三十日。",
        Some(2),
        &|s| s.stakeholder_type = "enterprise",
    );
    add(
        "Please make Legal Aid available to every village before the rules take effect.",
        Some(1),
        &|s| s.locale = "en",
    );
    add(
        "第三条应当明确申请法律援助的材料清单，减少群众跑腿。",
        Some(3),
        &|s| s.channel = "letter",
    );
    add("广告：低价代办各类证件", Some(3), &|s| {
        s.status = "hidden"
    });
    (draft, ids)
}

fn has_box(page: &str, id: &str) -> bool {
    page.contains(&format!("value=\"{id}\""))
}

fn audit_actions(app: &TestApp) -> Vec<String> {
    audit_log::table
        .order(audit_log::seq.asc())
        .select(audit_log::action)
        .load(&mut *app.conn())
        .unwrap()
}

fn own_outcomes(app: &TestApp, ids: &[String]) -> Vec<Option<String>> {
    ids.iter()
        .map(|id| {
            comments::table
                .find(id)
                .select(comments::outcome)
                .first(&mut *app.conn())
                .unwrap()
        })
        .collect()
}

fn group_of(app: &TestApp, id: &str) -> Option<String> {
    comments::table
        .find(id)
        .select(comments::group_id)
        .first(&mut *app.conn())
        .unwrap()
}

async fn triage_lists_every_comment_and_filters_and_searches_chinese_and_english(app: TestApp) {
    let (draft, ids) = seeded(&app);
    let mut r = signed_in(&app, "reader", &[Role::Reviewer]).await;
    r.get("/staff?lang=en").await;
    let desk = format!("/staff/drafts/{draft}/comments");
    let page = r.get(&desk).await;
    assert_eq!(page.status.as_u16(), 200);
    let html = page.text();
    for id in &ids {
        assert!(
            html.contains(&format!("/comments/{id}")),
            "every comment is listed"
        );
    }
    assert!(
        html.contains("hidden-comment"),
        "a hidden comment is marked"
    );
    assert!(
        !html.contains("zhangsan@example.com"),
        "no contact fields in the list"
    );
    let listed = |html: &str| -> Vec<usize> {
        (0..ids.len())
            .filter(|&i| html.contains(&format!("/comments/{}\"", ids[i])))
            .collect()
    };
    let get = |q: &str| format!("{desk}?{q}");
    assert_eq!(
        listed(&r.get(&get("article=2")).await.text()),
        vec![0, 1, 2, 3, 4]
    );
    assert_eq!(
        listed(&r.get(&get("stakeholder_type=enterprise")).await.text()),
        vec![4]
    );
    assert_eq!(listed(&r.get(&get("channel=letter")).await.text()), vec![6]);
    assert_eq!(listed(&r.get(&get("status=hidden")).await.text()), vec![7]);
    // CJK text has no spaces: a word inside a sentence is found.
    let q = form_urlencoded::byte_serialize("法律援助".as_bytes()).collect::<String>();
    assert_eq!(
        listed(&r.get(&get(&format!("q={q}"))).await.text()),
        vec![6]
    );
    // English is found whatever its case, and LIKE's wildcards are searched for literally.
    assert_eq!(listed(&r.get(&get("q=legal+aid")).await.text()), vec![5]);
    assert!(listed(&r.get(&get("q=%25")).await.text()).is_empty());
    // A tracking number finds its comment.
    let tracking: String = comments::table
        .find(&ids[3])
        .select(comments::tracking_number)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(
        listed(&r.get(&get(&format!("q={tracking}"))).await.text()),
        vec![3]
    );
    // Filters combine, and the count says how many match.
    let both = r
        .get(&get("article=2&stakeholder_type=individual"))
        .await
        .text();
    assert_eq!(listed(&both), vec![0, 1, 2, 3]);
    assert!(both.contains("4 comments match"), "{both}");
    // A reviewer reads but has no boxes to act with.
    assert!(!has_box(&html, &ids[0]));
    // One comment's page shows its contact fields to the agency's drafters, not to a
    // reviewer (docs/security.md).
    let one = r.get(&format!("{desk}/{}", ids[0])).await.text();
    assert!(one.contains("建议将征求意见期限"), "the comment itself");
    assert!(!one.contains("zhangsan@example.com") && !one.contains("138-0000-0000"));
    let mut d = signed_in(&app, "officer", &[Role::Drafter]).await;
    let one = d.get(&format!("{desk}/{}", ids[0])).await.text();
    assert!(one.contains("zhangsan@example.com") && one.contains("138-0000-0000"));
}

async fn bulk_actions_reach_the_checked_or_every_matching_comment(app: TestApp) {
    let (draft, ids) = seeded(&app);
    app.staff("colleague", &[Role::Reviewer]);
    let colleague = app.user_id("colleague");
    let mut d = signed_in(&app, "officer", &[Role::Drafter]).await;
    let desk = format!("/staff/drafts/{draft}/comments");
    // A new group of the three checked campaign letters.
    let res = d
        .submit(
            &desk,
            &desk,
            &[
                ("back", &desk),
                ("scope", "checked"),
                ("comment_id", &ids[0]),
                ("comment_id", &ids[1]),
                ("comment_id", &ids[2]),
                ("action", "new_group"),
                ("title", "延长征求意见期限"),
            ],
        )
        .await;
    assert_eq!(location(&res), desk);
    let group = group_of(&app, &ids[0]).expect("grouped");
    assert_eq!(group_of(&app, &ids[2]), Some(group.clone()));
    // The paraphrase moves in.
    d.submit(
        &desk,
        &desk,
        &[
            ("back", &desk),
            ("comment_id", &ids[3]),
            ("action", "move"),
            ("group_id", &group),
        ],
    )
    .await;
    assert_eq!(group_of(&app, &ids[3]), Some(group.clone()));
    // Every comment on article 3 (on any page) gets its own disposition at once.
    let filtered = format!("{desk}?article=3");
    let res = d
        .submit(
            &filtered,
            &desk,
            &[
                ("back", &format!("{filtered}&page=1")),
                ("scope", "matching"),
                ("action", "dispose"),
                ("outcome", "not_adopted"),
                ("reason", "上位法已有规定。"),
            ],
        )
        .await;
    assert!(location(&res).starts_with(&filtered));
    assert_eq!(
        own_outcomes(&app, &ids[6..8]),
        vec![Some("not_adopted".into()), Some("not_adopted".into())]
    );
    assert_eq!(
        own_outcomes(&app, &ids[0..1]),
        vec![None],
        "others untouched"
    );
    // Assigned to a colleague, who then finds them as "assigned to me".
    d.submit(
        &desk,
        &desk,
        &[
            ("back", &desk),
            ("comment_id", &ids[5]),
            ("action", "assign"),
            ("assignee", &colleague),
        ],
    )
    .await;
    let mut c = common::session::Browser::new(&app);
    c.sign_in("colleague", common::PASSWORD).await;
    let mine = c.get(&format!("{desk}?assigned=me")).await.text();
    assert!(mine.contains(&format!("/comments/{}\"", ids[5])));
    assert!(!mine.contains(&format!("/comments/{}\"", ids[0])));
    // And on the dashboard, with a link to what is left of their share.
    let dash = c.get("/staff").await.text();
    assert!(
        dash.contains(&format!(
            "/staff/drafts/{draft}/comments?assigned=me&amp;disposition=none"
        )),
        "{dash}"
    );
    // Their own disposition taken away again.
    d.submit(
        &desk,
        &desk,
        &[
            ("back", &desk),
            ("comment_id", &ids[6]),
            ("action", "clear"),
        ],
    )
    .await;
    assert_eq!(own_outcomes(&app, &ids[6..7]), vec![None]);
    // Assigning to someone who may not review is refused beside the field.
    let res = d
        .submit(
            &desk,
            &desk,
            &[
                ("back", &desk),
                ("comment_id", &ids[5]),
                ("action", "assign"),
                ("assignee", "no-such-user"),
            ],
        )
        .await;
    assert_eq!(res.status.as_u16(), 422);
    let actions = audit_actions(&app);
    for a in [
        "group.created",
        "comments.moved",
        "comments.disposed",
        "comments.assigned",
        "comments.disposition_cleared",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
}

async fn a_refused_bulk_disposition_changes_nothing_and_says_why_beside_the_field(app: TestApp) {
    let (draft, ids) = seeded(&app);
    let mut d = signed_in(&app, "officer", &[Role::Drafter]).await;
    let desk = format!("/staff/drafts/{draft}/comments");
    let before = audit_actions(&app).len();
    // "Not adopted" without a reason.
    let res = d
        .submit(
            &desk,
            &desk,
            &[
                ("back", &desk),
                ("comment_id", &ids[0]),
                ("comment_id", &ids[1]),
                ("action", "dispose"),
                ("outcome", "not_adopted"),
                ("reason", "  "),
            ],
        )
        .await;
    assert_eq!(res.status.as_u16(), 422);
    let html = res.text();
    assert!(
        html.contains("id=\"reason-error\""),
        "the error is beside the reason"
    );
    assert!(html.contains("error-summary"));
    assert!(
        html.contains(&format!("value=\"{}\" checked", ids[0])),
        "the checked comments stay checked"
    );
    assert_eq!(own_outcomes(&app, &ids[0..2]), vec![None, None]);
    assert_eq!(audit_actions(&app).len(), before, "nothing was written");
    // Nothing checked.
    let res = d
        .submit(
            &desk,
            &desk,
            &[
                ("back", &desk),
                ("action", "dispose"),
                ("outcome", "adopted"),
            ],
        )
        .await;
    assert_eq!(res.status.as_u16(), 422);
    assert!(res.text().contains("id=\"comment_id\""));
    // A comment of another draft is refused, and the draft's own is not changed either.
    let (other, other_ids) = seeded(&app);
    assert_ne!(other, draft);
    let res = d
        .submit(
            &desk,
            &desk,
            &[
                ("back", &desk),
                ("comment_id", &ids[0]),
                ("comment_id", &other_ids[0]),
                ("action", "dispose"),
                ("outcome", "adopted"),
            ],
        )
        .await;
    assert_eq!(res.status.as_u16(), 422);
    assert_eq!(
        own_outcomes(&app, &[ids[0].clone(), other_ids[0].clone()]),
        vec![None, None]
    );
}

async fn groups_are_merged_split_pulled_together_and_disposed_in_bulk(app: TestApp) {
    let (draft, ids) = seeded(&app);
    // A second copy of the paraphrase, which comes along when the first is pulled in.
    let body: String = comments::table
        .find(&ids[3])
        .select(comments::body)
        .first(&mut *app.conn())
        .unwrap();
    let copy = insert_comment(&app, &draft, CommentSpec::new(&body)).0;
    let mut d = signed_in(&app, "officer", &[Role::Drafter]).await;
    let desk = format!("/staff/drafts/{draft}/comments");
    let groups = format!("/staff/drafts/{draft}/groups");
    // Two officer groups of campaign letters, which read alike.
    for (members, title) in [
        (&ids[0..2], "延长期限（一）"),
        (&ids[2..3], "延长期限（二）"),
    ] {
        let mut pairs: Vec<(&str, &str)> =
            vec![("back", &desk), ("action", "new_group"), ("title", title)];
        for id in members {
            pairs.push(("comment_id", id));
        }
        let res = d.submit(&desk, &desk, &pairs).await;
        assert_eq!(location(&res), desk);
    }
    let (g1, g2) = (
        group_of(&app, &ids[0]).unwrap(),
        group_of(&app, &ids[2]).unwrap(),
    );
    let page = d.get(&groups).await.text();
    assert!(page.contains("延长期限（一）") && page.contains("延长期限（二）"));
    assert!(
        page.contains("groups-pairs") || page.contains("pairs-h"),
        "the two groups are offered as one opinion: {page}"
    );
    // Merge them in bulk: the larger keeps its title.
    let res = d
        .submit(
            &groups,
            &groups,
            &[
                ("back", &groups),
                ("group_id", &g1),
                ("group_id", &g2),
                ("action", "merge"),
            ],
        )
        .await;
    assert_eq!(location(&res), groups);
    assert_eq!(group_of(&app, &ids[2]), Some(g1.clone()));
    let gone: i64 = opinion_groups::table
        .find(&g2)
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(gone, 0, "the emptied group is removed");
    // The group's page offers the paraphrase as a possible match, and the opposing letter
    // apart; pulling the paraphrase in makes it a member.
    let group_page = format!("{groups}/{g1}");
    let html = d.get(&group_page).await.text();
    let matches_at = html.find("matches-h").expect("possible matches section");
    let opposing_at = html.find("opposing").unwrap_or(html.len());
    // The paraphrase and its copy are one text: offered once, by either of them.
    let offered: Vec<&String> = [&ids[3], &copy]
        .into_iter()
        .filter(|id| html.contains(&format!("id=\"pm-{id}\"")))
        .collect();
    assert_eq!(offered.len(), 1, "copies of one letter are offered once");
    let paraphrase_at = html.find(&format!("id=\"pm-{}\"", offered[0])).unwrap();
    assert!(matches_at < paraphrase_at && paraphrase_at < opposing_at);
    assert!(
        !html.contains(&format!("id=\"pm-{}\"", ids[4])),
        "the opposing letter is never offered to join"
    );
    let res = d
        .submit(
            &group_page,
            &group_page,
            &[("comment_id", offered[0]), ("action", "pull")],
        )
        .await;
    assert_eq!(location(&res), group_page);
    assert_eq!(group_of(&app, &ids[3]), Some(g1.clone()));
    assert_eq!(
        group_of(&app, &copy),
        Some(g1.clone()),
        "its copy came along"
    );
    // Rename and summarise.
    d.submit(
        &group_page,
        &group_page,
        &[
            ("action", "edit"),
            ("title", "延长征求意见期限至三十日"),
            ("summary", "多位群众建议将征求意见期限延长至三十日。"),
        ],
    )
    .await;
    let (title, summary): (String, String) = opinion_groups::table
        .find(&g1)
        .select((opinion_groups::title, opinion_groups::summary))
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(title, "延长征求意见期限至三十日");
    assert_eq!(summary, "多位群众建议将征求意见期限延长至三十日。");
    // Split one member off into a new group.
    let res = d
        .submit(
            &group_page,
            &group_page,
            &[
                ("comment_id", &ids[1]),
                ("action", "split"),
                ("split_title", "附带问候的来信"),
            ],
        )
        .await;
    let split = group_of(&app, &ids[1]).unwrap();
    assert_ne!(split, g1);
    assert_eq!(location(&res), format!("{groups}/{split}"));
    // Splitting without a title is refused beside its own field.
    let res = d
        .submit(
            &group_page,
            &group_page,
            &[
                ("comment_id", &ids[2]),
                ("action", "split"),
                ("split_title", ""),
            ],
        )
        .await;
    assert_eq!(res.status.as_u16(), 422);
    assert!(res.text().contains("id=\"split_title-error\""));
    // Both groups disposed with one action.
    let res = d
        .submit(
            &groups,
            &groups,
            &[
                ("back", &groups),
                ("group_id", &g1),
                ("group_id", &split),
                ("action", "dispose"),
                ("outcome", "partially_adopted"),
                ("reason", "征求意见期限调整为二十日。"),
            ],
        )
        .await;
    assert_eq!(location(&res), groups);
    let outcomes: Vec<Option<String>> = opinion_groups::table
        .filter(opinion_groups::id.eq_any([&g1, &split]))
        .select(opinion_groups::outcome)
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(outcomes, vec![Some("partially_adopted".to_string()); 2]);
    // The triage shows the group's outcome for its members.
    let listed = d
        .get(&format!("{desk}?outcome=partially_adopted"))
        .await
        .text();
    for id in &ids[0..4] {
        assert!(listed.contains(&format!("/comments/{id}\"")));
    }
    assert!(!listed.contains(&format!("/comments/{}\"", ids[4])));
}

async fn kept_reasons_are_chosen_in_a_disposition_and_belong_to_the_agency(app: TestApp) {
    let (draft, ids) = seeded(&app);
    let mut d = signed_in(&app, "officer", &[Role::Drafter]).await;
    let desk = format!("/staff/drafts/{draft}/comments");
    let groups = format!("/staff/drafts/{draft}/groups");
    // Kept from the groups page.
    let res = d
        .submit(
            &groups,
            &format!("/staff/drafts/{draft}/snippets"),
            &[("action", "keep"), ("snippet", "上位法已有规定。")],
        )
        .await;
    assert!(location(&res).starts_with(&groups));
    // And by ticking "keep" beside a written reason.
    d.submit(
        &desk,
        &desk,
        &[
            ("back", &desk),
            ("comment_id", &ids[5]),
            ("action", "dispose"),
            ("outcome", "noted"),
            ("reason", "超出本文件调整范围。"),
            ("keep_reason", "1"),
        ],
    )
    .await;
    let kept: Vec<(String, String)> = reason_snippets::table
        .order(reason_snippets::body.asc())
        .select((reason_snippets::id, reason_snippets::body))
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(kept.len(), 2, "{kept:?}");
    let (sid, text) = kept
        .iter()
        .find(|(_, b)| b == "上位法已有规定。")
        .cloned()
        .unwrap();
    // Chosen in a disposition without writing it.
    let res = d
        .submit(
            &desk,
            &desk,
            &[
                ("back", &desk),
                ("comment_id", &ids[6]),
                ("action", "dispose"),
                ("outcome", "not_adopted"),
                ("snippet_id", &sid),
            ],
        )
        .await;
    assert_eq!(location(&res), desk);
    let reason: Option<String> = comments::table
        .find(&ids[6])
        .select(comments::reason)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(reason.as_deref(), Some(text.as_str()));
    // Another agency's draft does not see or use it, even for an officer of both.
    let mut spec = DraftSpec::closed(app.now());
    spec.agency = "龙岭县市场监督管理局".into();
    let other = insert_draft(&app, spec);
    app.join("officer", &app.agency("龙岭县市场监督管理局"));
    let c = insert_comment(&app, &other, CommentSpec::new("另一机关的意见")).0;
    let other_desk = format!("/staff/drafts/{other}/comments");
    assert!(!d.get(&other_desk).await.text().contains("上位法已有规定。"));
    let res = d
        .submit(
            &other_desk,
            &other_desk,
            &[
                ("back", &other_desk),
                ("comment_id", &c),
                ("action", "dispose"),
                ("outcome", "not_adopted"),
                ("snippet_id", &sid),
            ],
        )
        .await;
    assert_eq!(res.status.as_u16(), 422);
    assert_eq!(own_outcomes(&app, &[c]), vec![None]);
    // Removed again.
    d.submit(
        &groups,
        &format!("/staff/drafts/{draft}/snippets"),
        &[("action", "drop"), ("snippet_id", &sid)],
    )
    .await;
    let left: i64 = reason_snippets::table
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(left, 1);
}

async fn notes_are_internal_and_audited(app: TestApp) {
    let (draft, ids) = seeded(&app);
    let mut r = signed_in(&app, "reader", &[Role::Reviewer]).await;
    let page = format!("/staff/drafts/{draft}/comments/{}", ids[0]);
    let res = r
        .submit(
            &page,
            &page,
            &[("action", "note"), ("note", "请与信访办核实来信人身份。")],
        )
        .await;
    assert_eq!(location(&res), page);
    assert!(
        r.get(&page)
            .await
            .text()
            .contains("请与信访办核实来信人身份。")
    );
    let notes: i64 = review_notes::table
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(notes, 1);
    assert!(audit_actions(&app).iter().any(|a| a == "note.added"));
    // An empty note is refused beside the field.
    let res = r
        .submit(&page, &page, &[("action", "note"), ("note", " ")])
        .await;
    assert_eq!(res.status.as_u16(), 422);
    assert!(res.text().contains("id=\"note-error\""));
    // Never public.
    let public = app.get(&format!("/drafts/{draft}"), None).await.text();
    assert!(!public.contains("信访办"));
    let api = app
        .get(&format!("/api/v1/drafts/{draft}/comments"), None)
        .await
        .text();
    assert!(!api.contains("信访办"));
}

async fn the_desk_is_for_reviewing_officers(app: TestApp) {
    let (draft, ids) = seeded(&app);
    let desk = format!("/staff/drafts/{draft}/comments");
    let mut m = signed_in(&app, "mod", &[Role::Moderator]).await;
    for path in [
        desk.clone(),
        format!("/staff/drafts/{draft}/groups"),
        format!("{desk}/{}", ids[0]),
    ] {
        assert_eq!(m.get(&path).await.status.as_u16(), 403, "{path}");
    }
    // A reviewer reads, but a bulk change is a drafter's.
    let mut r = signed_in(&app, "reader", &[Role::Reviewer]).await;
    let res = r
        .submit(
            &desk,
            &desk,
            &[
                ("back", &desk),
                ("comment_id", &ids[0]),
                ("action", "dispose"),
                ("outcome", "adopted"),
            ],
        )
        .await;
    assert_eq!(res.status.as_u16(), 403);
    assert_eq!(own_outcomes(&app, &ids[0..1]), vec![None]);
    // An unknown draft is a 404 page.
    let mut d = signed_in(&app, "officer", &[Role::Drafter]).await;
    assert_eq!(
        d.get("/staff/drafts/no-such-draft/comments")
            .await
            .status
            .as_u16(),
        404
    );
    // A stranger is sent to sign in.
    let res = app.get(&desk, None).await;
    assert_eq!(res.status.as_u16(), 303);
}

async fn progress_counts_what_the_report_still_lacks(app: TestApp) {
    let (draft, ids) = seeded(&app);
    let mut d = signed_in(&app, "officer", &[Role::Drafter]).await;
    d.get("/staff?lang=en").await;
    let desk = format!("/staff/drafts/{draft}/comments");
    let html = d.get(&desk).await.text();
    assert!(html.contains("0 of 8 comments disposed"), "{html}");
    assert!(html.contains("comments?disposition=none"));
    // Everything but the English comment, at once through the "matching" scope.
    d.submit(
        &desk,
        &desk,
        &[
            ("back", &format!("{desk}?article=2")),
            ("scope", "matching"),
            ("action", "dispose"),
            ("outcome", "adopted"),
        ],
    )
    .await;
    d.submit(
        &desk,
        &desk,
        &[
            ("back", &format!("{desk}?article=3")),
            ("scope", "matching"),
            ("action", "dispose"),
            ("outcome", "noted"),
            ("reason", "感谢支持。"),
        ],
    )
    .await;
    let html = d.get(&desk).await.text();
    assert!(html.contains("7 of 8 comments disposed"), "{html}");
    // "What is left" lists exactly the English comment.
    let left = d.get(&format!("{desk}?disposition=none")).await.text();
    assert!(left.contains(&format!("/comments/{}\"", ids[5])));
    assert!(!left.contains(&format!("/comments/{}\"", ids[0])));
    // The dashboard shows the same figure beside the draft whose report is due.
    let dash = d.get("/staff").await.text();
    assert!(dash.contains("7 of 8 comments disposed"), "{dash}");
    d.submit(
        &desk,
        &desk,
        &[
            ("back", &desk),
            ("comment_id", &ids[5]),
            ("action", "dispose"),
            ("outcome", "adopted"),
        ],
    )
    .await;
    assert!(
        d.get(&desk)
            .await
            .text()
            .contains("8 of 8 comments disposed")
    );
}
