//! Rows inserted straight into the database, for tests whose subject is not how the rows
//! came to be (a comments test needs an open draft; it does not test the review chain).
//! String values are the stored forms the application uses:
//! draft `state` ∈ drafting, awaiting_initial_review, awaiting_re_review, awaiting_approval,
//! published, withdrawn, concluded; draft `kind` ∈ normative_document, regulation,
//! major_decision, other; comment `status` ∈ pending, published, hidden; comment `channel` ∈
//! online, letter, email, hearing, symposium, phone.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use consult::db::ids::{hash_secret, new_id, random_code};
use consult::db::schema::{articles, comments, drafts, materials};
use consult::domain::roles::Role;
use diesel::prelude::*;

use super::TestApp;

pub struct DraftSpec {
    pub title: String,
    pub state: &'static str,
    pub kind: &'static str,
    pub agency: String,
    pub category: String,
    pub enterprise_related: bool,
    pub articles: i32,
    /// The window, as instants; `opens_on`/`closes_on` are their dates in Asia/Shanghai.
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
}

impl DraftSpec {
    /// A published normative document whose 20-day window contains `now`.
    pub fn open(now: DateTime<Utc>) -> DraftSpec {
        DraftSpec {
            title: "龙岭县行政规范性文件管理办法（征求意见稿）".into(),
            state: "published",
            kind: "normative_document",
            agency: "龙岭县司法局".into(),
            category: "规范性文件".into(),
            enterprise_related: false,
            articles: 5,
            opens_at: now - TimeDelta::days(2),
            closes_at: now + TimeDelta::days(18),
        }
    }

    /// A published draft whose window ended a day before `now`.
    pub fn closed(now: DateTime<Utc>) -> DraftSpec {
        DraftSpec {
            opens_at: now - TimeDelta::days(21),
            closes_at: now - TimeDelta::days(1),
            ..DraftSpec::open(now)
        }
    }
}

fn local_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&chrono_tz::Asia::Shanghai).date_naive()
}

/// Inserts a draft (with numbered articles and an explanation and a basis) and returns its
/// id. The drafter is a new user `drafter-<random>` holding the drafter role, a member of the
/// draft's agency.
pub fn insert_draft(app: &TestApp, spec: DraftSpec) -> String {
    let drafter = format!("drafter-{}", random_code(6).to_lowercase());
    app.staff_of(Some(&spec.agency), &drafter, &[Role::Drafter]);
    let drafter_id = app.user_id(&drafter);
    let now = app.now();
    let id = new_id(now);
    let agency_code = app.agency(&spec.agency);
    let mut conn = app.conn();
    diesel::insert_into(drafts::table)
        .values((
            drafts::id.eq(&id),
            drafts::index_no.eq(format!("TEST-{}", random_code(10))),
            drafts::title.eq(&spec.title),
            drafts::agency.eq(&spec.agency),
            drafts::agency_code.eq(&agency_code),
            drafts::category.eq(&spec.category),
            drafts::subject_terms.eq(r#"["司法行政","规范性文件"]"#),
            drafts::kind.eq(spec.kind),
            drafts::enterprise_related.eq(spec.enterprise_related),
            drafts::summary.eq("为规范行政规范性文件管理，制定本办法。"),
            drafts::state.eq(spec.state),
            drafts::round.eq(1),
            drafts::timezone.eq("Asia/Shanghai"),
            drafts::opens_on.eq(local_date(spec.opens_at)),
            drafts::closes_on.eq(local_date(spec.closes_at)),
            drafts::opens_at.eq(Some(spec.opens_at.naive_utc())),
            drafts::closes_at.eq(spec.closes_at.naive_utc()),
            drafts::drafter_id.eq(&drafter_id),
            drafts::approved_at.eq(Some(spec.opens_at.naive_utc())),
            drafts::search_text.eq(spec.title.to_lowercase()),
            drafts::created_at.eq(now.naive_utc()),
            drafts::updated_at.eq(now.naive_utc()),
        ))
        .execute(&mut *conn)
        .expect("insert draft");
    for n in 1..=spec.articles {
        diesel::insert_into(articles::table)
            .values((
                articles::draft_id.eq(&id),
                articles::number.eq(n),
                articles::heading.eq(Some(format!("第{n}条"))),
                articles::text.eq(format!("第{n}条的条文内容。")),
            ))
            .execute(&mut *conn)
            .expect("insert article");
    }
    for (pos, (kind, title)) in [("explanation", "起草说明"), ("basis", "决策依据")]
        .iter()
        .enumerate()
    {
        diesel::insert_into(materials::table)
            .values((
                materials::id.eq(new_id(now)),
                materials::draft_id.eq(&id),
                materials::kind.eq(*kind),
                materials::title.eq(*title),
                materials::body.eq(format!("{title}正文。")),
                materials::position.eq(pos as i32),
                materials::created_by.eq(&drafter_id),
                materials::created_at.eq(now.naive_utc()),
                materials::updated_at.eq(now.naive_utc()),
            ))
            .execute(&mut *conn)
            .expect("insert material");
    }
    id
}

pub struct CommentSpec {
    pub body: String,
    pub article: Option<i32>,
    pub stakeholder_type: &'static str,
    pub organization: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub region: Option<String>,
    pub publish_name: bool,
    pub withhold: bool,
    pub channel: &'static str,
    pub status: &'static str,
    pub locale: &'static str,
}

impl CommentSpec {
    pub fn new(body: &str) -> CommentSpec {
        CommentSpec {
            body: body.into(),
            article: None,
            stakeholder_type: "individual",
            organization: None,
            name: Some("张三".into()),
            email: Some("zhangsan@example.com".into()),
            phone: Some("138-0000-0000".into()),
            region: Some("龙岭县城关镇".into()),
            publish_name: false,
            withhold: false,
            channel: "online",
            status: "published",
            locale: "zh-CN",
        }
    }
}

/// Inserts a comment and returns `(id, tracking_number, receipt_token)`.
pub fn insert_comment(
    app: &TestApp,
    draft_id: &str,
    spec: CommentSpec,
) -> (String, String, String) {
    let now = app.now();
    let id = new_id(now);
    let tracking = format!("T-{}", random_code(12));
    let token = random_code(24);
    diesel::insert_into(comments::table)
        .values((
            comments::id.eq(&id),
            comments::draft_id.eq(draft_id),
            comments::round.eq(1),
            comments::tracking_number.eq(&tracking),
            comments::receipt_token_hash.eq(hash_secret(&token)),
            comments::body.eq(&spec.body),
            comments::article.eq(spec.article),
            comments::stakeholder_type.eq(spec.stakeholder_type),
            comments::organization.eq(&spec.organization),
            comments::name.eq(&spec.name),
            comments::email.eq(&spec.email),
            comments::email_normalized.eq(spec.email.as_ref().map(|e| e.to_lowercase())),
            comments::phone.eq(&spec.phone),
            comments::region.eq(&spec.region),
            comments::publish_name.eq(spec.publish_name),
            comments::withhold.eq(spec.withhold),
            comments::channel.eq(spec.channel),
            comments::locale.eq(spec.locale),
            comments::status.eq(spec.status),
            comments::submitted_at.eq(now.naive_utc()),
        ))
        .execute(&mut *app.conn())
        .expect("insert comment");
    if spec.status == "published" {
        // As the application does: the draft's public view changed.
        consult::db::drafts::touch(&mut app.conn(), draft_id).expect("touch draft");
    }
    (id, tracking, token)
}
