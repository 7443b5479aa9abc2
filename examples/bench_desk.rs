//! Benchmark for the officers' review desk at scale: a published draft with N comments
//! (default 100,000: four campaigns of near-identical letters, the rest distinct texts in
//! Chinese and some English, nine articles and general comments, every stakeholder type and
//! channel, some hidden), grouped by the real suggestion (`service::review::suggest_groups`);
//! then, through the real app (routes, extractors, a signed-in staff session), times each
//! desk page and a bulk disposition of the N/10 comments of one article, with warm-up and
//! repetitions.
//!
//! Run: `scripts/bench-desk [sqlite|postgres]`, or `cargo run --release --example bench_desk
//! [-- N]`; with `CONSULT_BENCH_PG=postgres://user@host:port` it runs on a fresh PostgreSQL
//! database there. `REPS` (default 9) sets the timed repetitions after two warm-up calls.

use std::time::{Duration, Instant};

use actix_web::cookie::Cookie;
use actix_web::dev::ServiceResponse;
use actix_web::test::{self, TestRequest};
use actix_web::{App, web};
use consult::app::AppState;
use consult::clock::Clock;
use consult::config::Config;
use consult::db::{self, DbConn};
use consult::domain::comment::{Channel, StakeholderType};
use consult::domain::roles::{Role, Roles};
use consult::service::Actor;
use diesel::connection::SimpleConnection;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

const DRAFT: &str = "d1";
const PASSWORD: &str = "bench password 123";

/// Campaign letters and each one's share of all comments.
const CAMPAIGNS: [(&str, f64); 4] = [
    (
        "我们认为草案第三条规定的公示期限过短，建议延长至三十日，并在村（社区）公告栏同步张贴，方便老年人参与；同时应当在政府网站公布收到的意见及采纳情况。",
        0.20,
    ),
    (
        "建议在第五条中明确法律援助的申请条件，对经济困难的群众应当免除证明材料，由司法所直接受理，并规定十五个工作日内作出决定。",
        0.12,
    ),
    (
        "Article 7 should protect small businesses: the fee schedule must be published in advance, and the deadline for objections should be extended to 30 days.",
        0.06,
    ),
    (
        "强烈反对第八条关于收费标准的调整，收费应当公开听证，不宜由部门自行决定，更不能把成本转嫁给群众。",
        0.02,
    ),
];
const GREETINGS: [&str; 6] = [
    "",
    "尊敬的领导：",
    "您好！",
    "县司法局：",
    "Dear Sir or Madam, ",
    "",
];
const SIGNATURES: [&str; 6] = ["", "谢谢！", "此致敬礼！市民", "望采纳。", "Thanks.", ""];
const PHRASES: [&str; 32] = [
    "建议第{}条增加听证程序",
    "关于第{}条，应当明确答复期限",
    "希望扩大法律援助的覆盖范围，特别是农民工讨薪案件",
    "公示期限应不少于{}日",
    "专家论证意见应当向社会公开",
    "收费标准过高，小微企业难以承受",
    "建议在网站公布意见采纳情况",
    "执法随意的问题需要规范",
    "村（社区）公告栏也应张贴草案全文",
    "老年人参与渠道不足，建议增加电话和信件方式",
    "法律顾问的作用应当写入草案",
    "备案审查程序不够清楚",
    "统计数据来源应当注明",
    "移动端查看草案很不方便",
    "第{}条与上位法的规定不一致",
    "建议删除第{}条第二款",
    "对困难群众申请法律援助的，应当简化审批",
    "行政处罚的裁量基准应当细化到第{}项",
    "建议设立投诉举报的受理时限",
    "本人从事个体经营{}年，深感审批环节过多",
    "希望草案对残疾人的便利措施作出规定",
    "社区矫正人员的管理应当更加人性化",
    "人民调解员的补贴标准应当提高到每件{}元",
    "公共法律服务中心应当延长开放时间",
    "Article {} should be clearer about the deadline",
    "small businesses need more time to comply",
    "please publish the report with reasons for rejection",
    "the privacy of commenters must be protected",
    "legal aid should cover migrant workers",
    "hearings should be held in the evening",
    "the fee schedule lacks any justification",
    "extend the deadline by {} days",
];
const REGIONS: [&str; 6] = ["城关镇", "东城区", "西城区", "南湖街道", "北山乡", "开发区"];

struct Seed {
    body: String,
    article: Option<i32>,
    stakeholder: &'static str,
    channel: &'static str,
    hidden: bool,
    withhold: bool,
}

fn campaign_copy(rng: &mut StdRng, letter: &str) -> String {
    let mut clauses: Vec<&str> = letter.split_inclusive(['，', '；', ',']).collect();
    if clauses.len() > 3 && rng.gen_bool(0.25) {
        let at = rng.gen_range(1..clauses.len() - 1);
        clauses.remove(at);
    }
    let mut text = String::new();
    text.push_str(GREETINGS.choose(rng).copied().unwrap_or_default());
    if rng.gen_bool(0.15) {
        text.push_str(&format!(
            "我是{}居民。",
            REGIONS.choose(rng).copied().unwrap_or_default()
        ));
    }
    text.extend(clauses);
    text.push_str(SIGNATURES.choose(rng).copied().unwrap_or_default());
    text
}

fn distinct_text(rng: &mut StdRng) -> String {
    let n = rng.gen_range(2..6);
    let mut parts = Vec::with_capacity(n);
    for _ in 0..n {
        let p = PHRASES.choose(rng).copied().unwrap_or_default();
        parts.push(p.replace("{}", &rng.gen_range(1..200).to_string()));
    }
    let english = parts
        .first()
        .is_some_and(|p| p.starts_with(|c: char| c.is_ascii()));
    let mut text = parts.join(if english { ". " } else { "；" });
    text.push_str(if english { "." } else { "。" });
    text
}

fn seeds(n: usize) -> Vec<Seed> {
    let mut rng = StdRng::seed_from_u64(20261130);
    let mut campaign_of: Vec<Option<usize>> = Vec::with_capacity(n);
    for (c, (_, share)) in CAMPAIGNS.iter().enumerate() {
        campaign_of.extend(std::iter::repeat_n(Some(c), (n as f64 * share) as usize));
    }
    campaign_of.resize(n, None);
    campaign_of.shuffle(&mut rng);
    let weights = [70, 8, 3, 3, 6, 4, 3, 3];
    let channels = [85, 5, 5, 2, 1, 2];
    let pick = |rng: &mut StdRng, w: &[u32]| {
        let mut r = rng.gen_range(0..w.iter().sum::<u32>());
        w.iter()
            .position(|&x| {
                if r < x {
                    true
                } else {
                    r -= x;
                    false
                }
            })
            .unwrap_or(0)
    };
    (0..n)
        .map(|i| {
            let body = match campaign_of[i] {
                Some(c) => campaign_copy(&mut rng, CAMPAIGNS[c].0),
                None => distinct_text(&mut rng),
            };
            Seed {
                body,
                // Nine articles with N/10 comments each, and N/10 on the draft as a whole.
                article: match i % 10 {
                    9 => None,
                    k => Some(k as i32 + 1),
                },
                stakeholder: StakeholderType::ALL[pick(&mut rng, &weights)].as_str(),
                channel: Channel::ALL[pick(&mut rng, &channels)].as_str(),
                hidden: rng.gen_bool(0.03),
                withhold: rng.gen_bool(0.05),
            }
        })
        .collect()
}

fn setup(conn: &mut DbConn, n: usize, drafter: &str) -> anyhow::Result<()> {
    let (before, after) = match conn {
        DbConn::Pg(_) => ("SELECT 1;", ""),
        // Seeding only: no fsync per statement.
        DbConn::Sqlite(_) => ("PRAGMA synchronous = OFF;", "PRAGMA synchronous = FULL;"),
    };
    let mut sql = format!(
        "{before}
         INSERT INTO drafts (id, index_no, title, agency, category, subject_terms, kind,
           enterprise_related, summary, state, round, timezone, opens_on, closes_on, opens_at,
           closes_at, drafter_id, search_text, view_count, created_at, updated_at)
         VALUES ('{DRAFT}', 'BENCH-1', '基准草案', '司法局', '规范性文件', '[]',
           'normative_document', TRUE, '', 'published', 1, 'Asia/Shanghai', '2026-01-01',
           '2026-01-31', '2026-01-01 00:00:00', '2026-01-31 16:00:00', '{drafter}', '', 0,
           '2026-01-01 00:00:00', '2026-01-01 00:00:00');"
    );
    for a in 1..=9 {
        sql.push_str(&format!(
            "INSERT INTO articles (draft_id, number, heading, text) VALUES ('{DRAFT}', {a}, NULL, '第{a}条');"
        ));
    }
    conn.batch_execute(&sql)?;
    let start = chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .ok_or_else(|| anyhow::anyhow!("date"))?;
    let all = seeds(n);
    let quote = |s: &str| format!("'{}'", s.replace('\'', "''"));
    conn.batch_execute("BEGIN")?;
    for (chunk_no, chunk) in all.chunks(500).enumerate() {
        let mut sql = String::from(
            "INSERT INTO comments (id, draft_id, round, tracking_number, receipt_token_hash, body,
               article, stakeholder_type, organization, name, email, publish_name, withhold,
               channel, locale, status, submitted_at) VALUES ",
        );
        for (k, s) in chunk.iter().enumerate() {
            let i = chunk_no * 500 + k;
            let at = start + chrono::TimeDelta::seconds(i as i64 * 20);
            let org = if matches!(s.stakeholder, "individual" | "expert") {
                "NULL".to_string()
            } else {
                quote(&format!("机构{}", i % 97))
            };
            if k > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "('c{i:08}', '{DRAFT}', 1, 'ZJ-{t}', 'h', {body}, {article}, '{st}', {org}, '某人',
                  'a@example.com', FALSE, {wh}, '{ch}', 'zh-CN', '{status}', '{at}')",
                t = 10_000_000 + i,
                body = quote(&s.body),
                article = s.article.map_or("NULL".to_string(), |a| a.to_string()),
                st = s.stakeholder,
                wh = if s.withhold { "TRUE" } else { "FALSE" },
                ch = s.channel,
                status = if s.hidden { "hidden" } else { "published" },
                at = at.format("%Y-%m-%d %H:%M:%S"),
            ));
        }
        conn.batch_execute(&sql)?;
    }
    conn.batch_execute("COMMIT")?;
    if !after.is_empty() {
        conn.batch_execute(after)?;
    }
    Ok(())
}

/// The value of the first input named `name`.
fn value_of(html: &str, name: &str) -> anyhow::Result<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let at = html
        .find(&marker)
        .ok_or_else(|| anyhow::anyhow!("no {name} in the page"))?;
    let rest = &html[at + marker.len()..];
    Ok(rest[..rest.find('"').unwrap_or(0)].to_string())
}

/// A signed-in browser: the cookies the app set.
struct Browser {
    cookies: Vec<(String, String)>,
}

impl Browser {
    fn request(&self, req: TestRequest) -> TestRequest {
        let mut req = req.insert_header(("Accept", "text/html"));
        for (k, v) in &self.cookies {
            req = req.cookie(Cookie::new(k.clone(), v.clone()));
        }
        req
    }

    fn absorb<B>(&mut self, res: &ServiceResponse<B>) {
        for v in res.headers().get_all("set-cookie") {
            if let Ok(c) = Cookie::parse(v.to_str().unwrap_or_default().to_string()) {
                self.cookies.retain(|(k, _)| k != c.name());
                self.cookies
                    .push((c.name().to_string(), c.value().to_string()));
            }
        }
    }
}

fn form(pairs: &[(&str, &str)]) -> String {
    let mut body = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        body.append_pair(k, v);
    }
    body.finish()
}

/// One call: status, body length and wall time (the body read to the end).
macro_rules! call {
    ($app:expr, $b:expr, $req:expr $(,)?) => {{
        let t = Instant::now();
        let res = test::call_service($app, $b.request($req).to_request()).await;
        $b.absorb(&res);
        let status = res.status().as_u16();
        let body = test::read_body(res).await;
        (status, body.len(), t.elapsed())
    }};
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let reps: usize = std::env::var("REPS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(9);
    let dir = tempfile::tempdir()?;
    let mut config = Config::default();
    config.database.url = match std::env::var("CONSULT_BENCH_PG") {
        Ok(server) if !server.is_empty() => {
            use diesel::{Connection, PgConnection, RunQueryDsl};
            let server = server.trim_end_matches('/').to_string();
            let name = format!("bench_{}", db::ids::random_code(8).to_lowercase());
            let mut admin = PgConnection::establish(&format!("{server}/postgres"))?;
            diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut admin)?;
            format!("{server}/{name}")
        }
        _ => format!("sqlite://{}", dir.path().join("bench.db").display()),
    };
    println!("database: {}", config.database.url);
    config.server.access_log = false;
    let clock = Clock::controlled("2026-02-05T00:00:00Z".parse()?);
    let state = web::Data::new(AppState::build(config.clone(), clock).await?);
    let now = state.clock.now();
    let (big_group, big_size) = {
        let mut conn = state.pool.get()?;
        let hash = consult::security::hash_password(PASSWORD).map_err(anyhow::Error::msg)?;
        let roles = Roles::new(vec![Role::Drafter]);
        let user = db::users::create(
            &mut conn,
            now,
            "bench",
            &db::users::NewUser {
                username: "officer",
                display_name: "officer",
                email: None,
                password_hash: &hash,
                roles: &roles,
            },
        )?;
        let t = Instant::now();
        setup(&mut conn, n, &user.id)?;
        println!("seeded {n} comments in {:.1} s", t.elapsed().as_secs_f64());
        let t = Instant::now();
        let groups = consult::service::review::suggest_groups(
            &mut conn,
            &config,
            &Actor::new(user.id.clone(), roles),
            now,
            DRAFT,
        )?;
        println!(
            "suggest_groups: {} groups ({} with ≥ 5 members) in {:.1} s",
            groups.len(),
            groups.iter().filter(|g| g.size >= 5).count(),
            t.elapsed().as_secs_f64()
        );
        if let DbConn::Pg(_) = *conn {
            // As autovacuum would after so many new rows.
            conn.batch_execute("ANALYZE")?;
        }
        let big = groups
            .iter()
            .max_by_key(|g| g.size)
            .ok_or_else(|| anyhow::anyhow!("no groups"))?;
        (big.id.clone(), big.size)
    };
    let app = test::init_service(
        App::new()
            .app_data(state.clone())
            .configure(consult::http::configure),
    )
    .await;

    let mut b = Browser {
        cookies: Vec::new(),
    };
    let login = TestRequest::get().uri("/staff/login");
    let res = test::call_service(&app, b.request(login).to_request()).await;
    b.absorb(&res);
    let html = String::from_utf8_lossy(&test::read_body(res).await).to_string();
    let (token, signature) = (
        value_of(&html, "csrf_token")?,
        value_of(&html, "csrf_signature")?,
    );
    let body = form(&[
        ("csrf_token", &token),
        ("csrf_signature", &signature),
        ("username", "officer"),
        ("password", PASSWORD),
        ("next", "/staff"),
    ]);
    let (status, _, _) = call!(
        &app,
        b,
        TestRequest::post()
            .uri("/staff/login")
            .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
            .set_payload(body),
    );
    anyhow::ensure!(status == 303, "sign-in answered {status}");

    let desk = format!("/staff/drafts/{DRAFT}/comments");
    let deep = n as i64 / 50 * 3 / 4;
    let pages: Vec<(String, String)> = vec![
        ("triage, page 1".into(), desk.clone()),
        (
            format!("triage, page {deep}"),
            format!("{desk}?page={deep}"),
        ),
        ("triage, article=5".into(), format!("{desk}?article=5")),
        (
            "triage, disposition=none".into(),
            format!("{desk}?disposition=none"),
        ),
        (
            "triage, q=法律援助".into(),
            format!("{desk}?q=%E6%B3%95%E5%BE%8B%E6%8F%B4%E5%8A%A9"),
        ),
        (
            "triage, q=small businesses".into(),
            format!("{desk}?q=small+businesses"),
        ),
        ("groups".into(), format!("/staff/drafts/{DRAFT}/groups")),
        (
            format!("group of {big_size} (possible matches)"),
            format!("/staff/drafts/{DRAFT}/groups/{big_group}"),
        ),
    ];
    println!("{reps} timed calls after 2 warm-up calls each; milliseconds");
    println!(
        "{:<44} {:>6} {:>9} {:>9} {:>9}",
        "page", "status", "median", "max", "bytes"
    );
    for (name, uri) in &pages {
        let mut times = Vec::with_capacity(reps);
        let mut last = (0, 0);
        for i in 0..reps + 2 {
            let (status, len, d) = call!(&app, b, TestRequest::get().uri(uri));
            anyhow::ensure!(status == 200, "{uri} answered {status}");
            last = (status, len);
            if i >= 2 {
                times.push(d);
            }
        }
        times.sort();
        println!(
            "{:<44} {:>6} {:>9.1} {:>9.1} {:>9}",
            name,
            last.0,
            ms(times[times.len() / 2]),
            ms(times[times.len() - 1]),
            last.1
        );
    }

    // Bulk disposition of every comment on one article (N/10), as "select all N matching".
    let (_, _, _) = call!(&app, b, TestRequest::get().uri(&desk));
    let page = test::call_service(
        &app,
        b.request(TestRequest::get().uri(&format!("{desk}?article=3")))
            .to_request(),
    )
    .await;
    let html = String::from_utf8_lossy(&test::read_body(page).await).to_string();
    let csrf = value_of(&html, "csrf_token")?;
    let back = format!("{desk}?article=3&page=1");
    let mut times = Vec::new();
    let bulk_reps = reps.min(5);
    for i in 0..bulk_reps + 1 {
        let reason = format!("上位法已有规定（第{i}次）");
        let body = form(&[
            ("csrf_token", &csrf),
            ("back", &back),
            ("scope", "matching"),
            ("action", "dispose"),
            ("outcome", "not_adopted"),
            ("reason", &reason),
        ]);
        let (status, _, d) = call!(
            &app,
            b,
            TestRequest::post()
                .uri(&desk)
                .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
                .set_payload(body),
        );
        anyhow::ensure!(status == 303, "bulk disposition answered {status}");
        if i >= 1 {
            times.push(d);
        }
    }
    times.sort();
    let mut conn = state.pool.get()?;
    let disposed: i64 = {
        use diesel::prelude::*;
        use diesel::sql_types::BigInt;
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        diesel::sql_query(format!(
            "SELECT COUNT(*) AS n FROM comments WHERE draft_id = '{DRAFT}' AND reason = '上位法已有规定（第{bulk_reps}次）'"
        ))
        .get_result::<Count>(&mut conn)?
        .n
    };
    println!(
        "{:<44} {:>6} {:>9.1} {:>9.1} {:>9}",
        format!("bulk dispose, scope=matching ({disposed} comments)"),
        303,
        ms(times[times.len() / 2]),
        ms(times[times.len() - 1]),
        format!("×{bulk_reps}")
    );
    Ok(())
}
