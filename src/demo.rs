//! `consult demo` and `consult serve --demo`: a small, realistic world to look at. A county
//! justice bureau's drafts in every phase (closed, open, scheduled, in review, drafting), in
//! Chinese and one in English, with their materials, a review record, an extension and
//! comments; the closed one with its comments grouped and answered and its adoption report
//! published; one in its second round, revised after the first round's opinions, each change
//! linked to the opinions that caused it; all through the service operations; and staff users
//! sharing one printed password. Loading twice never duplicates anything: a marker row says the
//! data is there.

use anyhow::Context;
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use diesel::prelude::*;

use crate::config::Config;

use crate::db::ids::{hash_secret, new_id, random_code, random_token};
use crate::db::schema::{app_secrets, comments, drafts};
use crate::db::{self, DbConn, users};
use crate::domain::period;
use crate::domain::roles::{Role, Roles};
use crate::domain::workflow::{Action, DraftKind, MaterialKind};
use crate::service::drafts::{ArticleInput, DraftInput, NewMaterial, PeriodInput};
use crate::service::reports::{PrepareReport, ReportAction};
use crate::service::review::{CreateGroup, SetDisposition};
use crate::service::workflow::ActionInput;
use crate::service::{self, Actor};

/// The `app_secrets` row that marks a loaded demonstration.
const MARKER: &str = "demo_loaded";

/// What a load did.
#[derive(Debug)]
pub enum Outcome {
    Loaded {
        users: Vec<(String, String)>,
        drafts: usize,
        comments: usize,
    },
    AlreadyLoaded,
    /// `serve --demo` leaves a database that already holds drafts alone.
    NotEmpty,
}

struct Person {
    username: &'static str,
    display: &'static str,
    roles: &'static [Role],
}

const PEOPLE: [Person; 7] = [
    Person {
        username: "demo-drafter",
        display: "李明（法制股起草人）",
        roles: &[Role::Drafter],
    },
    Person {
        username: "demo-reviewer",
        display: "王芳（保密初审）",
        roles: &[Role::Reviewer],
    },
    Person {
        username: "demo-rereviewer",
        display: "赵强（合法性复审）",
        roles: &[Role::Reviewer],
    },
    Person {
        username: "demo-approver",
        display: "陈局长（审批）",
        roles: &[Role::Approver],
    },
    Person {
        username: "demo-moderator",
        display: "周敏（留言审核）",
        roles: &[Role::Moderator],
    },
    Person {
        username: "demo-admin",
        display: "系统管理员",
        roles: &[Role::Admin],
    },
    Person {
        username: "demo-market-drafter",
        display: "孙丽（市场监管局起草人）",
        roles: &[Role::Drafter],
    },
];

/// The demonstration's agencies, `(code, name)`: every officer above belongs to the first,
/// except the last, who belongs to the second (and so sees the first's drafts but cannot act
/// on them).
const AGENCIES: [(&str, &str); 2] = [("justice", AGENCY), ("market", "龙岭县市场监督管理局")];

/// Whether the demonstration data is already there.
pub fn is_loaded(conn: &mut DbConn) -> QueryResult<bool> {
    let marker: i64 = app_secrets::table
        .filter(app_secrets::name.eq(MARKER))
        .count()
        .get_result(conn)?;
    if marker > 0 {
        return Ok(true);
    }
    Ok(users::by_username(conn, PEOPLE[0].username)?.is_some())
}

/// Loads into an empty database only (`serve --demo`).
pub fn load_if_empty(
    conn: &mut DbConn,
    config: &Config,
    now: DateTime<Utc>,
    password: &str,
) -> anyhow::Result<Outcome> {
    if is_loaded(conn)? {
        return Ok(Outcome::AlreadyLoaded);
    }
    let existing: i64 = drafts::table.count().get_result(conn)?;
    if existing > 0 {
        return Ok(Outcome::NotEmpty);
    }
    load(conn, config, now, password)
}

struct Seed {
    title: &'static str,
    doc_number: Option<&'static str>,
    category: &'static str,
    terms: &'static [&'static str],
    kind: &'static str,
    enterprise_related: bool,
    summary: &'static str,
    articles: &'static [(&'static str, &'static str)],
    materials: &'static [(&'static str, &'static str, &'static str)],
}

/// Loads the dataset; `AlreadyLoaded` when it is there.
pub fn load(
    conn: &mut DbConn,
    config: &Config,
    now: DateTime<Utc>,
    password: &str,
) -> anyhow::Result<Outcome> {
    if is_loaded(conn)? {
        return Ok(Outcome::AlreadyLoaded);
    }
    let loader = Actor::new("demo", Roles::new(vec![Role::Admin]));
    let mut ids = Vec::new();
    for p in &PEOPLE {
        let input = crate::service::users::UserInput {
            username: p.username.to_string(),
            display_name: Some(p.display.to_string()),
            email: Some(format!("{}@longling.example.gov.cn", p.username)),
            roles: p.roles.to_vec(),
        };
        let at = now - TimeDelta::days(60);
        let added = service::users::add_user(conn, config, &loader, at, input, Some(password))
            .map_err(|e| anyhow::anyhow!("creating demo user {}: {e}", p.username))?;
        ids.push((added.user.id, Roles::new(p.roles.to_vec())));
    }
    let at = now - TimeDelta::days(60);
    let mut codes = Vec::new();
    for (code, name) in AGENCIES {
        // An agency of that name may be there already (one that had drafts before agencies
        // had a table of their own).
        if let Some(a) = crate::db::agencies::by_name(conn, name)? {
            codes.push(a.code);
            continue;
        }
        let input = crate::service::agencies::AgencyInput {
            code: code.into(),
            name: name.into(),
        };
        service::agencies::create(conn, &loader, at, &input)
            .map_err(|e| anyhow::anyhow!("creating demo agency {code}: {e}"))?;
        codes.push(code.to_string());
    }
    for (i, p) in PEOPLE.iter().enumerate() {
        let code = &codes[usize::from(i + 1 == PEOPLE.len())];
        service::agencies::set_member(conn, &loader, at, code, p.username, true)
            .map_err(|e| anyhow::anyhow!("demo membership of {}: {e}", p.username))?;
    }
    let tz = config.timezone();
    let today = period::local_date(tz, now);
    let staff = Staff { ids };
    let mut comment_count = 0;

    // 1. Closed: the comment period ended about three weeks ago; its report was published a
    //    fortnight ago.
    let t = now - TimeDelta::days(45);
    let closed = staff.draft(
        conn,
        config,
        t,
        &LEGALITY_REVIEW,
        period::local_date(tz, now - TimeDelta::days(40)),
        19,
    )?;
    staff.review_and_approve(
        conn,
        config,
        &closed,
        t + TimeDelta::days(1),
        now - TimeDelta::days(40),
    )?;
    comment_count += insert_comments(
        conn,
        tz,
        &closed,
        1,
        now - TimeDelta::days(35),
        LEGALITY_COMMENTS,
    )?;
    // Its review after the period and the published adoption report (R16–R19).
    staff.publish_report(conn, config, &closed, now - TimeDelta::days(20))?;

    // 2. Open, Chinese, with an extension.
    let t = now - TimeDelta::days(12);
    let mediation = staff.draft(
        conn,
        config,
        t,
        &MEDIATION,
        period::local_date(tz, now - TimeDelta::days(5)),
        20,
    )?;
    staff.review_and_approve(
        conn,
        config,
        &mediation,
        t + TimeDelta::days(1),
        now - TimeDelta::days(5),
    )?;
    comment_count += insert_comments(
        conn,
        tz,
        &mediation,
        1,
        now - TimeDelta::days(4),
        MEDIATION_COMMENTS,
    )?;

    // 3. Open, English, enterprise-related.
    let t = now - TimeDelta::days(4);
    let english = staff.draft(
        conn,
        config,
        t,
        &ENTERPRISE_EN,
        period::local_date(tz, now - TimeDelta::days(2)),
        20,
    )?;
    staff.review_and_approve(
        conn,
        config,
        &english,
        t + TimeDelta::hours(6),
        now - TimeDelta::days(2),
    )?;
    comment_count += insert_comments(
        conn,
        tz,
        &english,
        1,
        now - TimeDelta::days(1),
        ENGLISH_COMMENTS,
    )?;

    let extension_at = now - TimeDelta::hours(20);
    let current: NaiveDate = drafts::table
        .find(&mediation)
        .select(drafts::closes_on)
        .first(conn)?;
    staff.act(
        conn,
        config,
        3,
        &mediation,
        extension_at,
        ActionInput {
            action: Action::Extend,
            note: None,
            attest_no_confidential: None,
            closes_on: Some(current + TimeDelta::days(7)),
            reason: Some("应各乡镇人民调解委员会要求，延长征求意见期七日。".into()),
        },
    )?;

    // 4. Scheduled major decision: approved, opens in three days, 35 days long.
    let t = now - TimeDelta::hours(30);
    let plan = staff.draft(
        conn,
        config,
        t,
        &LEGAL_SERVICES_PLAN,
        today + TimeDelta::days(3),
        34,
    )?;
    staff.review_and_approve(
        conn,
        config,
        &plan,
        t + TimeDelta::hours(2),
        now - TimeDelta::hours(1),
    )?;

    // 5. In review: the initial review passed, the re-review is pending.
    let t = now - TimeDelta::minutes(50);
    let enforcement = staff.draft(
        conn,
        config,
        t,
        &ENFORCEMENT_DISCLOSURE,
        today + TimeDelta::days(10),
        20,
    )?;
    staff.act(
        conn,
        config,
        0,
        &enforcement,
        t + TimeDelta::minutes(5),
        step(Action::Submit),
    )?;
    staff.act(
        conn,
        config,
        1,
        &enforcement,
        t + TimeDelta::minutes(20),
        attested(Action::PassInitialReview),
    )?;

    // 6. Still drafting, without its basis yet.
    let t = now - TimeDelta::minutes(20);
    staff.draft(conn, config, t, &LEGAL_AID, today + TimeDelta::days(20), 20)?;

    // 7. In its second round (R8): the first closed seven weeks ago and its report was
    //    published; the revised text, linked to the opinions behind each change, has been open
    //    for five days.
    let t = now - TimeDelta::days(80);
    let advisers = staff.draft(
        conn,
        config,
        t,
        &VILLAGE_ADVISERS,
        period::local_date(tz, now - TimeDelta::days(75)),
        20,
    )?;
    staff.review_and_approve(
        conn,
        config,
        &advisers,
        t + TimeDelta::days(1),
        now - TimeDelta::days(75),
    )?;
    comment_count += insert_comments(
        conn,
        tz,
        &advisers,
        1,
        now - TimeDelta::days(70),
        ADVISERS_COMMENTS,
    )?;
    staff.second_round(conn, config, &advisers, now, today)?;
    comment_count += insert_comments(
        conn,
        tz,
        &advisers,
        2,
        now - TimeDelta::days(3),
        ADVISERS_ROUND_TWO_COMMENTS,
    )?;

    db::write_tx(conn, |conn| {
        diesel::insert_into(app_secrets::table)
            .values((
                app_secrets::name.eq(MARKER),
                app_secrets::value.eq(now.to_rfc3339()),
                app_secrets::created_at.eq(now.naive_utc()),
            ))
            .execute(conn)
    })?;
    Ok(Outcome::Loaded {
        users: PEOPLE
            .iter()
            .map(|p| {
                (
                    p.username.to_string(),
                    Roles::new(p.roles.to_vec()).to_stored(),
                )
            })
            .collect(),
        drafts: 7,
        comments: comment_count,
    })
}

fn step(action: Action) -> ActionInput {
    ActionInput {
        action,
        note: None,
        attest_no_confidential: None,
        closes_on: None,
        reason: None,
    }
}

fn attested(action: Action) -> ActionInput {
    ActionInput {
        attest_no_confidential: Some(true),
        note: Some("经审查，文本不含国家秘密、个人信息和商业秘密。".into()),
        ..step(action)
    }
}

/// The demo staff, in the order of `PEOPLE`.
struct Staff {
    ids: Vec<(String, Roles)>,
}

impl Staff {
    fn act(
        &self,
        conn: &mut DbConn,
        config: &Config,
        who: usize,
        id: &str,
        at: DateTime<Utc>,
        input: ActionInput,
    ) -> anyhow::Result<()> {
        let (actor, roles) = &self.ids[who];
        let actor = Actor::new(actor.clone(), roles.clone());
        service::workflow::act(conn, config, &actor, at, id, &input)
            .map_err(|e| anyhow::anyhow!("demo step {:?} refused: {e}", input.action))
    }

    fn actor(&self, who: usize) -> Actor {
        let (id, roles) = &self.ids[who];
        Actor::new(id.clone(), roles.clone())
    }

    /// The whole cycle after a comment period, through the same operations as the staff's:
    /// the moderator decides on the last pending comment (R12); the drafter groups the
    /// comments on the review period, gives every group and comment its outcome with a
    /// reason (R16, R17), prepares and submits the report (R18); the approver, another
    /// person, publishes it (R19), which concludes the draft.
    fn publish_report(
        &self,
        conn: &mut DbConn,
        config: &Config,
        id: &str,
        from: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let refused = |what: &str, e: crate::error::AppError| {
            anyhow::anyhow!("demo review step {what} refused: {e}")
        };
        let list: Vec<(String, String, String)> = comments::table
            .filter(comments::draft_id.eq(id))
            .order(comments::submitted_at.asc())
            .select((comments::id, comments::body, comments::status))
            .load(conn)?;
        let comment = |start: &str| -> anyhow::Result<String> {
            list.iter()
                .find(|(_, body, _)| body.starts_with(start))
                .map(|(id, _, _)| id.clone())
                .with_context(|| format!("demo comment {start}"))
        };
        let pending: Vec<String> = list
            .iter()
            .filter(|(_, _, status)| status == "pending")
            .map(|(id, _, _)| id.clone())
            .collect();
        if !pending.is_empty() {
            service::moderation::moderate_many(
                conn,
                &self.actor(4),
                from - TimeDelta::days(1),
                &pending,
                service::moderation::Decision::Publish,
            )
            .map_err(|e| refused("moderation", e))?;
        }
        let drafter = self.actor(0);
        let disposition = |outcome: &str, reason: &str| SetDisposition {
            outcome: outcome.into(),
            reason: Some(reason.into()).filter(|r: &String| !r.is_empty()),
            snippet_id: None,
        };
        // The opinions on Article 4's time limit, one group with one answer.
        let period = [
            "建议将第四条",
            "第四条审核期限太短",
            "第四条审核期限过短",
            "审核期限（第四条）",
            "建议第四条审核期限",
        ]
        .iter()
        .map(|s| comment(s))
        .collect::<anyhow::Result<Vec<_>>>()?;
        let group = service::review::create_group(
            conn,
            config,
            &drafter,
            from,
            id,
            CreateGroup {
                title: "关于第四条审核期限的意见".into(),
                comment_ids: period.clone(),
            },
        )
        .map_err(|e| refused("group", e))?;
        service::review::set_group_disposition(
            conn,
            config,
            &drafter,
            from + TimeDelta::hours(2),
            &group.id,
            &disposition(
                "partially_adopted",
                "采纳延长审核期限的意见，第四条修改为“一般不少于七个工作日，最长不超过二十个工作日”；                 一律不少于十个工作日会影响急需出台文件的时效，未予采纳。",
            ),
        )
        .map_err(|e| refused("group disposition", e))?;
        // One member of the group asked for something else as well: its own answer (R17).
        let own = [
            (
                period[0].clone(),
                disposition(
                    "adopted",
                    "第四条已明确按工作日计算，并增加“情况复杂的，经审核机构负责人批准可延长一次”。",
                ),
            ),
            (
                comment("建议增加一条")?,
                disposition(
                    "not_adopted",
                    "上位法已有规定：国务院办公厅指导意见已要求审核机构出具书面审核意见并存档，本办法不再重复规定。",
                ),
            ),
            (
                comment("建议在本办法中")?,
                disposition(
                    "not_adopted",
                    "超出本文件调整范围：行政执法公示另由《龙岭县行政执法公示办法》规定，我局已将该意见转交起草组。",
                ),
            ),
            (
                comment("办法很好")?,
                disposition("noted", "感谢支持，本意见不涉及具体条文的修改。"),
            ),
        ];
        for (i, (comment_id, input)) in own.iter().enumerate() {
            let at = from + TimeDelta::hours(3 + i as i64);
            service::review::set_comment_disposition(conn, &drafter, at, comment_id, input)
                .map_err(|e| refused("comment disposition", e))?;
        }
        // The reasons this agency gives often, kept for its officers' next review.
        for reason in [
            "上位法已有规定，本办法不再重复规定。",
            "超出本文件调整范围，已转交相关单位研究。",
            "感谢支持，本意见不涉及具体条文的修改。",
        ] {
            service::desk::keep_reason(conn, &drafter, from + TimeDelta::hours(3), AGENCY, reason)
                .map_err(|e| refused("kept reason", e))?;
        }
        self.prepare_and_publish_report(conn, config, id, from + TimeDelta::days(4))
    }

    /// R8 on the village legal advisers' draft: its first round reviewed (two groups and two
    /// single opinions adopted, each linked to the article it changes, the rest answered), the
    /// report published; the second round opened with the revised text and explanation, the
    /// opinion that asked for a new article linked to it, and the whole chain again.
    fn second_round(
        &self,
        conn: &mut DbConn,
        config: &Config,
        id: &str,
        now: DateTime<Utc>,
        today: NaiveDate,
    ) -> anyhow::Result<()> {
        let refused = |what: &str, e: crate::error::AppError| {
            anyhow::anyhow!("demo second round: {what} refused: {e}")
        };
        let list: Vec<(String, String)> = comments::table
            .filter(comments::draft_id.eq(id))
            .select((comments::id, comments::body))
            .load(conn)?;
        let comment = |start: &str| -> anyhow::Result<String> {
            list.iter()
                .find(|(_, body)| body.starts_with(start))
                .map(|(id, _)| id.clone())
                .with_context(|| format!("demo comment {start}"))
        };
        let drafter = self.actor(0);
        let disposition = |outcome: &str, reason: &str| SetDisposition {
            outcome: outcome.into(),
            reason: Some(reason.into()),
            snippet_id: None,
        };
        let link = |article: (i32, i32)| service::changes::SetChanges {
            articles: vec![service::changes::ArticleRef {
                round: article.0,
                number: article.1,
            }],
        };
        let mut at = now - TimeDelta::days(52);
        let groups = [
            (
                "建议取消法律咨询服务费",
                ["建议取消第三条", "法律顾问服务是政府购买", "第三条收费规定"],
                disposition(
                    "adopted",
                    "采纳。法律顾问服务由县财政购买，第三条修改为不得向村（居）民收取任何费用。",
                ),
                (1, 3),
            ),
            (
                "增加法律顾问到村服务次数",
                ["每月一次太少", "建议第二条增加", "建议法律顾问每周驻村"],
                disposition(
                    "partially_adopted",
                    "采纳增加服务次数和随时解答的意见，第二条修改为每月不少于两次，并可通过电话、微信等方式解答；每周驻村一天受全县律师人数限制，暂不采纳。",
                ),
                (1, 2),
            ),
        ];
        for (title, members, answer, article) in groups {
            let members = members
                .iter()
                .map(|m| comment(m))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let group = service::review::create_group(
                conn,
                config,
                &drafter,
                at,
                id,
                CreateGroup {
                    title: title.into(),
                    comment_ids: members,
                },
            )
            .map_err(|e| refused("group", e))?;
            at += TimeDelta::hours(1);
            service::review::set_group_disposition(conn, config, &drafter, at, &group.id, &answer)
                .map_err(|e| refused("group disposition", e))?;
            service::changes::set_changes(
                conn,
                &drafter,
                at,
                service::changes::LinkFrom::Group(&group.id),
                &link(article),
            )
            .map_err(|e| refused("link", e))?;
        }
        let notice_board = comment("建议把法律顾问的联系电话")?;
        for (start, answer) in [
            (
                "建议把法律顾问的联系电话",
                disposition(
                    "adopted",
                    "采纳。增加一条，要求在村务公开栏公示法律顾问的姓名、联系电话和到村服务时间。",
                ),
            ),
            (
                "办法很实用",
                disposition("noted", "感谢支持，本意见不涉及具体条文的修改。"),
            ),
            (
                "建议县里统一为每个村",
                disposition(
                    "not_adopted",
                    "超出本办法调整范围：专职律师的配备由县人民政府统筹研究，本办法不作规定。",
                ),
            ),
        ] {
            at += TimeDelta::hours(1);
            service::review::set_comment_disposition(conn, &drafter, at, &comment(start)?, &answer)
                .map_err(|e| refused("comment disposition", e))?;
        }
        self.prepare_and_publish_report(conn, config, id, now - TimeDelta::days(50))?;

        // Round 2: the revised text, its own explanation and period, linked and approved.
        let opened = now - TimeDelta::days(40);
        let opens_on = today - TimeDelta::days(5);
        service::drafts::open_round(
            conn,
            config,
            &drafter,
            opened,
            id,
            service::drafts::RoundInput {
                articles: articles(VILLAGE_ADVISERS_ROUND_TWO),
                summary: Some(VILLAGE_ADVISERS_ROUND_TWO_SUMMARY.into()),
                opens_on: Some(opens_on),
                closes_on: Some(opens_on + TimeDelta::days(20)),
            },
        )
        .map_err(|e| refused("open round", e))?;
        let explanation = NewMaterial {
            kind: MaterialKind::Explanation,
            title: "关于第二轮征求意见稿修改情况的说明".into(),
            body: "第一轮征求意见共收到意见9条。根据意见：一、删去第三条中收取服务费的规定；二、将到村服务次数由每月一次增加为两次，并增加随时解答的要求；三、增加第四条，在村务公开栏公示法律顾问信息。其余意见的处理情况见第一轮采纳情况报告。".into(),
            file: None,
        };
        service::drafts::add_material(conn, config, &drafter, opened, id, explanation)
            .map_err(|e| refused("explanation", e))?;
        service::changes::set_changes(
            conn,
            &drafter,
            opened + TimeDelta::hours(1),
            service::changes::LinkFrom::Comment(&notice_board),
            &link((2, 4)),
        )
        .map_err(|e| refused("link to the new article", e))?;
        self.review_and_approve(
            conn,
            config,
            id,
            opened + TimeDelta::days(1),
            now - TimeDelta::days(6),
        )
    }

    /// R18–R19: the drafter prepares the report at `prepared` and submits it an hour later;
    /// the approver, another person, publishes it two days after.
    fn prepare_and_publish_report(
        &self,
        conn: &mut DbConn,
        config: &Config,
        id: &str,
        prepared: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let refused =
            |what: &str, e: crate::error::AppError| anyhow::anyhow!("demo {what} refused: {e}");
        let drafter = self.actor(0);
        service::reports::prepare_report(
            conn,
            config,
            &drafter,
            prepared,
            id,
            &PrepareReport::default(),
        )
        .map_err(|e| refused("prepare report", e))?;
        let step = |action: &str| ReportAction {
            action: action.into(),
            note: None,
        };
        service::reports::act_on_report(
            conn,
            &drafter,
            prepared + TimeDelta::hours(1),
            id,
            &step("submit"),
        )
        .map_err(|e| refused("submit report", e))?;
        service::reports::act_on_report(
            conn,
            &self.actor(3),
            prepared + TimeDelta::days(2),
            id,
            &step("approve"),
        )
        .map_err(|e| refused("approve report", e))?;
        Ok(())
    }

    fn review_and_approve(
        &self,
        conn: &mut DbConn,
        config: &Config,
        id: &str,
        from: DateTime<Utc>,
        approve_at: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        self.act(conn, config, 0, id, from, step(Action::Submit))?;
        self.act(
            conn,
            config,
            1,
            id,
            from + TimeDelta::hours(3),
            attested(Action::PassInitialReview),
        )?;
        self.act(
            conn,
            config,
            2,
            id,
            from + TimeDelta::hours(5),
            attested(Action::PassReReview),
        )?;
        self.act(conn, config, 3, id, approve_at, attested(Action::Approve))
    }

    /// Creates a draft with its articles and materials at `at`.
    fn draft(
        &self,
        conn: &mut DbConn,
        config: &Config,
        at: DateTime<Utc>,
        seed: &Seed,
        opens_on: NaiveDate,
        days: i64,
    ) -> anyhow::Result<String> {
        let (drafter, roles) = &self.ids[0];
        let actor = Actor::new(drafter.clone(), roles.clone());
        let input = DraftInput {
            title: seed.title.into(),
            doc_number: seed.doc_number.map(String::from),
            agency: AGENCY.into(),
            category: seed.category.into(),
            subject_terms: seed.terms.iter().map(|s| s.to_string()).collect(),
            kind: DraftKind::parse(seed.kind).context("demo draft kind")?,
            enterprise_related: seed.enterprise_related,
            summary: seed.summary.into(),
            articles: articles(seed.articles),
            comment_period: PeriodInput {
                opens_on,
                closes_on: opens_on + TimeDelta::days(days),
            },
        };
        let id = service::drafts::create_draft(conn, config, &actor, at, input)
            .map_err(|e| anyhow::anyhow!("demo draft refused: {e}"))?;
        for (kind, title, body) in seed.materials {
            let material = NewMaterial {
                kind: MaterialKind::parse(kind).context("demo material kind")?,
                title: title.to_string(),
                body: body.to_string(),
                file: None,
            };
            service::drafts::add_material(conn, config, &actor, at, &id, material)
                .map_err(|e| anyhow::anyhow!("demo material refused: {e}"))?;
        }
        Ok(id)
    }
}

/// Articles as the service takes them, from `(heading, text)` (an empty heading is none).
fn articles(list: &[(&str, &str)]) -> Vec<ArticleInput> {
    list.iter()
        .map(|(h, t)| ArticleInput {
            heading: Some(h.to_string()).filter(|h| !h.is_empty()),
            text: t.to_string(),
        })
        .collect()
}

/// `(body, article, stakeholder_type, organization, status, channel)`.
type CommentSeed = (
    &'static str,
    Option<i32>,
    &'static str,
    Option<&'static str>,
    &'static str,
    &'static str,
);

fn insert_comments(
    conn: &mut DbConn,
    tz: chrono_tz::Tz,
    draft_id: &str,
    round: i32,
    from: DateTime<Utc>,
    list: &[CommentSeed],
) -> anyhow::Result<usize> {
    db::write_tx(conn, |conn| {
        for (i, (body, article, stakeholder, org, status, channel)) in list.iter().enumerate() {
            let at = from + TimeDelta::minutes(97 * i as i64);
            let tracking = format!(
                "{}-{}",
                period::local_date(tz, at).format("%Y%m%d"),
                random_code(8)
            );
            let english = body.is_ascii();
            diesel::insert_into(comments::table)
                .values((
                    comments::id.eq(new_id(at)),
                    comments::draft_id.eq(draft_id),
                    comments::round.eq(round),
                    comments::tracking_number.eq(&tracking),
                    comments::receipt_token_hash.eq(hash_secret(&random_token(24))),
                    comments::body.eq(*body),
                    comments::article.eq(*article),
                    comments::stakeholder_type.eq(*stakeholder),
                    comments::organization.eq(*org),
                    comments::name.eq(None::<String>),
                    comments::publish_name.eq(false),
                    comments::withhold.eq(false),
                    comments::channel.eq(*channel),
                    comments::locale.eq(if english { "en" } else { "zh-CN" }),
                    comments::status.eq(*status),
                    comments::submitted_at.eq(at.naive_utc()),
                ))
                .execute(conn)?;
        }
        Ok::<_, diesel::result::Error>(list.len())
    })
    .map_err(anyhow::Error::from)
}

const AGENCY: &str = "龙岭县司法局";

const LEGALITY_REVIEW: Seed = Seed {
    title: "龙岭县行政规范性文件合法性审核办法（征求意见稿）",
    doc_number: Some("龙司发〔2026〕2号"),
    category: "部门文件",
    terms: &["司法", "合法性审核", "规范性文件"],
    kind: "normative_document",
    enterprise_related: false,
    summary: "为加强行政规范性文件合法性审核，防止违法文件出台，根据有关规定，结合本县实际，制定本办法。",
    articles: &[
        (
            "第一条　目的依据",
            "为规范行政规范性文件合法性审核工作，保障公民、法人和其他组织的合法权益，根据国务院办公厅有关规定，制定本办法。",
        ),
        (
            "第二条　适用范围",
            "县人民政府及其工作部门、各乡（镇）人民政府制发行政规范性文件前的合法性审核，适用本办法。",
        ),
        (
            "第三条　审核机构",
            "县司法局负责县人民政府行政规范性文件的合法性审核；部门文件由本部门法制机构审核。",
        ),
        (
            "第四条　审核期限",
            "合法性审核一般不少于五个工作日，最长不超过十五个工作日。",
        ),
        (
            "第五条　公开",
            "未经合法性审核或者经审核不合法的，不得提交集体审议，不得发布施行。",
        ),
    ],
    materials: &[
        (
            "explanation",
            "关于《龙岭县行政规范性文件合法性审核办法（征求意见稿）》的起草说明",
            "一、起草背景。近年来，本县行政规范性文件数量增加，个别文件存在增设义务、减损权利等问题。二、起草过程。我局在梳理近三年文件的基础上，征求了县直各部门意见。三、主要内容。办法共五条，明确了审核主体、范围、期限和责任。",
        ),
        (
            "basis",
            "决策依据",
            "《国务院办公厅关于全面推行行政规范性文件合法性审核机制的指导意见》；《重大行政决策程序暂行规定》（国务院令第713号）。",
        ),
        (
            "interpretation",
            "一图读懂合法性审核办法",
            "谁起草、谁解读：本办法由县司法局起草并负责解读。文件未经审核不得发布，群众可通过本平台查阅审核情况。",
        ),
        (
            "hearing_record",
            "座谈会记录（县直部门法制员）",
            "2026年2月召开座谈会，12个部门法制员参加，主要意见集中在审核期限与材料要求。",
        ),
    ],
};

const LEGALITY_COMMENTS: &[CommentSeed] = &[
    (
        "建议将第四条的审核期限明确为工作日，并规定特殊情况可延长一次。",
        Some(4),
        "government_body",
        Some("龙岭县市场监督管理局"),
        "published",
        "online",
    ),
    (
        "第四条审核期限太短，建议不少于十个工作日，否则审核流于形式。",
        Some(4),
        "expert",
        None,
        "published",
        "online",
    ),
    (
        "第四条审核期限过短，建议延长到十个工作日以上，确保审核质量。",
        Some(4),
        "individual",
        None,
        "published",
        "online",
    ),
    (
        "审核期限（第四条）太短了，建议至少十个工作日。",
        Some(4),
        "individual",
        None,
        "published",
        "letter",
    ),
    (
        "建议第四条审核期限不少于十个工作日，以保证审核质量。",
        Some(4),
        "social_organization",
        Some("龙岭县律师协会"),
        "published",
        "symposium",
    ),
    (
        "建议增加一条：审核意见应当书面出具并存档备查。",
        None,
        "individual",
        None,
        "published",
        "online",
    ),
    (
        "建议在本办法中一并规定乡镇行政执法公示的具体要求。",
        None,
        "individual",
        None,
        "published",
        "online",
    ),
    (
        "办法很好，希望尽快实施。",
        None,
        "individual",
        None,
        "pending",
        "online",
    ),
];

const MEDIATION: Seed = Seed {
    title: "龙岭县人民调解工作实施办法（征求意见稿）",
    doc_number: Some("龙司发〔2026〕5号"),
    category: "部门文件",
    terms: &["司法", "人民调解", "矛盾纠纷化解"],
    kind: "normative_document",
    enterprise_related: false,
    summary: "为规范人民调解工作，及时化解矛盾纠纷，维护社会和谐稳定，结合本县实际，制定本办法。",
    articles: &[
        (
            "第一条",
            "为规范人民调解工作，根据《中华人民共和国人民调解法》，制定本办法。",
        ),
        (
            "第二条",
            "村（居）民委员会设立人民调解委员会，乡（镇）设立人民调解委员会，县司法局负责指导。",
        ),
        (
            "第三条",
            "人民调解员应当由公道正派、热心调解工作并具有一定文化水平、政策水平和法律知识的成年公民担任。",
        ),
        ("第四条", "人民调解委员会调解民间纠纷，不收取任何费用。"),
        (
            "第五条",
            "经人民调解委员会调解达成的调解协议，具有法律约束力，当事人应当按照约定履行。",
        ),
        (
            "第六条",
            "县财政对人民调解员给予适当补贴，补贴标准由县司法局会同县财政局另行制定。",
        ),
    ],
    materials: &[
        (
            "explanation",
            "起草说明",
            "为落实“枫桥经验”，推动矛盾纠纷就地化解，我局起草了本办法。起草过程中走访了八个乡镇调解委员会。",
        ),
        (
            "basis",
            "决策依据",
            "《中华人民共和国人民调解法》；《云南省人民调解条例》。",
        ),
        (
            "interpretation",
            "政策解读：人民调解怎么找、花不花钱",
            "人民调解不收费；调解协议有法律约束力；可向所在村（居）调解委员会申请。",
        ),
        (
            "faq",
            "常见问题",
            "问：调解不成怎么办？答：可以依法申请仲裁或者向人民法院起诉。",
        ),
    ],
};

const MEDIATION_COMMENTS: &[CommentSeed] = &[
    (
        "第六条的补贴标准应当在办法中明确，不宜另行制定，否则难以落实。",
        Some(6),
        "individual",
        None,
        "published",
        "online",
    ),
    (
        "建议明确调解员培训制度，每年至少培训一次。",
        Some(3),
        "public_institution",
        Some("城关镇司法所"),
        "published",
        "online",
    ),
    (
        "希望增加线上调解方式，方便外出务工人员。",
        None,
        "individual",
        None,
        "published",
        "online",
    ),
    (
        "第五条应写明调解协议可以申请司法确认。",
        Some(5),
        "expert",
        None,
        "pending",
        "online",
    ),
];

const ENTERPRISE_EN: Seed = Seed {
    title: "Longling County Measures on Public Legal Services for Enterprises (Draft for Comment)",
    doc_number: None,
    category: "Normative documents",
    terms: &["legal services", "enterprises", "business environment"],
    kind: "regulation",
    enterprise_related: true,
    summary: "These measures set out free legal check-ups, contract review and dispute mediation that the county offers to small and medium-sized enterprises.",
    articles: &[
        (
            "Article 1",
            "These measures are made to improve the business environment and to provide enterprises with accessible public legal services.",
        ),
        (
            "Article 2",
            "The County Justice Bureau organises a free annual legal check-up for small and medium-sized enterprises that ask for one.",
        ),
        (
            "Article 3",
            "Enterprises may ask the public legal service centre to review standard contracts free of charge, within ten working days.",
        ),
        (
            "Article 4",
            "Commercial disputes may be brought to the commercial mediation committee; mediation is voluntary and free.",
        ),
    ],
    materials: &[
        (
            "explanation",
            "Drafting explanation",
            "The measures respond to the 2020 disclosure plan's call to hear market entities before making rules that affect them. The bureau met twenty enterprises in drafting them.",
        ),
        (
            "basis",
            "Basis for the decision",
            "Regulations on Optimizing the Business Environment (State Council Order No. 722); Interim Regulations on Major Administrative Decision-making Procedures (State Council Order No. 713).",
        ),
        (
            "interpretation",
            "Policy interpretation",
            "Who drafts, interprets: the County Justice Bureau explains what enterprises can ask for and how to apply.",
        ),
    ],
};

const ENGLISH_COMMENTS: &[CommentSeed] = &[
    (
        "Article 3 should allow urgent contract reviews within three working days for time-critical deals.",
        Some(3),
        "enterprise",
        Some("Longling Tea Export Co., Ltd."),
        "published",
        "online",
    ),
    (
        "Please publish the list of mediators in the commercial mediation committee (Article 4).",
        Some(4),
        "industry_association",
        Some("Longling Chamber of Commerce"),
        "published",
        "online",
    ),
    (
        "Will individual businesses (getihu) also be covered by the legal check-up?",
        Some(2),
        "individual",
        None,
        "pending",
        "online",
    ),
];

const LEGAL_SERVICES_PLAN: Seed = Seed {
    title: "龙岭县公共法律服务体系建设三年行动方案（2027—2029年）（征求意见稿）",
    doc_number: None,
    category: "重大行政决策",
    terms: &["司法", "公共法律服务", "重大行政决策"],
    kind: "major_decision",
    enterprise_related: true,
    summary: "到2029年，建成覆盖城乡、便捷高效、均等普惠的现代公共法律服务体系。",
    articles: &[
        (
            "一、总体目标",
            "到2029年，县、乡、村三级公共法律服务实体平台全覆盖，群众获取法律服务更加便捷。",
        ),
        (
            "二、重点任务",
            "推进法律援助扩面、村（居）法律顾问全覆盖、涉企法律服务专项行动。",
        ),
        (
            "三、保障措施",
            "将公共法律服务经费纳入县级财政预算，建立考核评价机制。",
        ),
    ],
    materials: &[
        (
            "explanation",
            "起草说明",
            "本方案属于重大行政决策事项，依照《重大行政决策程序暂行规定》公开征求意见，期限不少于三十日。",
        ),
        (
            "basis",
            "决策依据",
            "《重大行政决策程序暂行规定》；《关于加快推进公共法律服务体系建设的意见》。",
        ),
    ],
};

const ENFORCEMENT_DISCLOSURE: Seed = Seed {
    title: "龙岭县行政执法公示办法（草案）",
    doc_number: None,
    category: "部门文件",
    terms: &["司法", "行政执法", "三项制度"],
    kind: "normative_document",
    enterprise_related: true,
    summary: "全面推行行政执法公示制度、执法全过程记录制度、重大执法决定法制审核制度。",
    articles: &[
        (
            "第一条",
            "行政执法机关应当在事前公开执法主体、人员、职责、权限、依据、程序和监督方式。",
        ),
        (
            "第二条",
            "行政处罚、行政许可决定应当自作出之日起七个工作日内公开。",
        ),
    ],
    materials: &[
        (
            "explanation",
            "起草说明",
            "落实行政执法“三项制度”，做到执法全过程留痕、可回溯。",
        ),
        (
            "basis",
            "决策依据",
            "《国务院办公厅关于全面推行行政执法公示制度执法全过程记录制度重大执法决定法制审核制度的指导意见》。",
        ),
    ],
};

const LEGAL_AID: Seed = Seed {
    title: "龙岭县法律援助便民服务规定（草稿）",
    doc_number: None,
    category: "部门文件",
    terms: &["司法", "法律援助"],
    kind: "other",
    enterprise_related: false,
    summary: "简化法律援助申请程序，推行“最多跑一次”。",
    articles: &[("第一条", "法律援助申请人可以通过线上平台提交申请材料。")],
    materials: &[(
        "explanation",
        "起草说明（初稿）",
        "拟简化经济困难证明材料。决策依据待补充。",
    )],
};

const VILLAGE_ADVISERS: Seed = Seed {
    title: "龙岭县村（社区）法律顾问工作管理办法（征求意见稿）",
    doc_number: Some("龙司发〔2026〕5号"),
    category: "部门文件",
    terms: &["司法", "法律顾问", "公共法律服务"],
    kind: "normative_document",
    enterprise_related: false,
    summary: "为规范村（社区）法律顾问工作，推进基层依法治理，制定本办法。",
    articles: &[
        (
            "目的依据",
            "为规范村（社区）法律顾问工作，推进基层依法治理，根据有关规定，制定本办法。",
        ),
        (
            "服务频次",
            "村（社区）法律顾问每月到所联系的村（社区）现场服务不少于一次。",
        ),
        (
            "服务内容",
            "法律顾问为村（居）民提供法律咨询服务，可以收取适当服务费，收费标准由县司法局另行制定。",
        ),
        ("施行日期", "本办法自发布之日起施行。"),
    ],
    materials: &[
        (
            "explanation",
            "关于《龙岭县村（社区）法律顾问工作管理办法（征求意见稿）》的起草说明",
            "全县已实现村（社区）法律顾问全覆盖，但服务频次和内容不统一。办法共四条，明确服务频次、服务内容和收费。",
        ),
        (
            "basis",
            "决策依据",
            "《关于加快推进公共法律服务体系建设的意见》；《龙岭县公共法律服务体系建设实施方案》。",
        ),
    ],
};

const VILLAGE_ADVISERS_ROUND_TWO: &[(&str, &str)] = &[
    (
        "目的依据",
        "为规范村（社区）法律顾问工作，推进基层依法治理，根据有关规定，制定本办法。",
    ),
    (
        "服务频次",
        "村（社区）法律顾问每月到所联系的村（社区）现场服务不少于两次，并通过电话、微信等方式随时解答村（居）民的法律问题。",
    ),
    (
        "服务内容",
        "法律顾问为村（居）民提供法律咨询服务，不得收取任何费用。",
    ),
    (
        "公示",
        "村（居）民委员会应当在村务公开栏公示法律顾问的姓名、联系电话和到村服务时间。",
    ),
    ("施行日期", "本办法自发布之日起施行。"),
];

const VILLAGE_ADVISERS_ROUND_TWO_SUMMARY: &str =
    "根据第一轮征求意见，删去收费规定，增加到村服务次数，增加法律顾问信息公示。";

const ADVISERS_COMMENTS: &[CommentSeed] = &[
    (
        "建议取消第三条中法律咨询收费的规定，村民找律师咨询本来就难，再收费就没人去问了。",
        Some(3),
        "individual",
        None,
        "published",
        "online",
    ),
    (
        "法律顾问服务是政府购买的公共服务，不应再向村民收费，建议删去收费的内容。",
        Some(3),
        "individual",
        None,
        "published",
        "online",
    ),
    (
        "第三条收费规定与公共法律服务均等化的要求不符，建议取消。",
        Some(3),
        "public_institution",
        Some("石门乡司法所"),
        "published",
        "online",
    ),
    (
        "每月一次太少，村里老人有事等不到，建议每月至少两次。",
        Some(2),
        "individual",
        None,
        "published",
        "online",
    ),
    (
        "建议第二条增加法律顾问通过电话或者微信随时解答问题的要求。",
        Some(2),
        "individual",
        None,
        "published",
        "letter",
    ),
    (
        "建议法律顾问每周驻村一天。",
        Some(2),
        "individual",
        None,
        "published",
        "online",
    ),
    (
        "建议把法律顾问的联系电话贴在村务公开栏里，方便大家找到。",
        None,
        "individual",
        None,
        "published",
        "online",
    ),
    (
        "办法很实用，支持尽快出台。",
        None,
        "individual",
        None,
        "published",
        "online",
    ),
    (
        "建议县里统一为每个村配一名专职律师。",
        None,
        "enterprise",
        Some("龙岭县明正律师事务所"),
        "published",
        "online",
    ),
];

const ADVISERS_ROUND_TWO_COMMENTS: &[CommentSeed] = &[
    (
        "第四条公示的内容建议增加法律顾问所在的律师事务所。",
        Some(4),
        "individual",
        None,
        "published",
        "online",
    ),
    (
        "赞成取消收费，修改后的第二条很好。",
        Some(3),
        "individual",
        None,
        "published",
        "online",
    ),
];
