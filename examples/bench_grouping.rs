//! Benchmark for R16: groups 100,000 synthetic comments (campaign copies with greetings,
//! signatures, changed words and dropped clauses, plus distinct opinions) and prints the time.
//!
//! Run: `cargo run --release --example bench_grouping [-- N]` (N defaults to 100000).

use std::time::Instant;

use consult::domain::grouping::propose_groups;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

#[derive(serde::Deserialize)]
struct Labelled {
    label: String,
    text: String,
}

const GREETINGS: [&str; 6] = [
    "",
    "尊敬的领导：",
    "您好！",
    "Dear Sir or Madam, ",
    "Hello, ",
    "县司法局：",
];
const SIGNATURES: [&str; 6] = [
    "",
    "谢谢！",
    "此致敬礼！市民",
    "Sincerely, a resident",
    "望采纳。",
    "Thanks.",
];
const FRAGMENTS: [&str; 24] = [
    "建议第{}条增加",
    "关于第{}条，",
    "Article {} should",
    "公示期限",
    "听证会",
    "专家论证",
    "收费标准",
    "小微企业",
    "网站公布",
    "答复期限",
    "应当明确",
    "不宜",
    "small businesses",
    "privacy of commenters",
    "publish the report",
    "extend the deadline",
    "村（社区）公告栏",
    "老年人参与",
    "法律顾问",
    "备案审查",
    "统计数据",
    "reasons for rejection",
    "移动端查看",
    "执法随意",
];

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let fixtures: Vec<Labelled> =
        serde_json::from_str(include_str!("../tests/fixtures/grouping/labelled.json"))
            .unwrap_or_default();
    let bases: Vec<&str> = {
        let mut seen = std::collections::HashSet::new();
        fixtures
            .iter()
            .filter(|f| !f.label.starts_with("neg") && seen.insert(f.label.clone()))
            .map(|f| f.text.as_str())
            .collect()
    };
    let mut rng = StdRng::seed_from_u64(5);
    let mut texts: Vec<String> = Vec::with_capacity(n);
    // 60 % campaign copies of a few bases, 40 % distinct opinions.
    while texts.len() < n {
        if rng.gen_bool(0.6) && !bases.is_empty() {
            let base = bases[rng.gen_range(0..bases.len())];
            let mut chars: Vec<char> = base.chars().collect();
            if rng.gen_bool(0.3) && chars.len() > 20 {
                let at = rng.gen_range(5..chars.len() - 10);
                chars.drain(at..at + 6);
            }
            let body: String = chars.into_iter().collect();
            texts.push(format!(
                "{}{}{}",
                GREETINGS.choose(&mut rng).copied().unwrap_or(""),
                body,
                SIGNATURES.choose(&mut rng).copied().unwrap_or("")
            ));
        } else {
            let k = rng.gen_range(4..12);
            let mut t = String::new();
            for _ in 0..k {
                let f = FRAGMENTS.choose(&mut rng).copied().unwrap_or("");
                t.push_str(&f.replace("{}", &rng.gen_range(1..40).to_string()));
                t.push_str(if rng.gen_bool(0.5) { "，" } else { " " });
            }
            t.push_str(&format!("编号{}。", rng.gen_range(0..1_000_000)));
            texts.push(t);
        }
    }
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let chars: usize = refs.iter().map(|t| t.chars().count()).sum();
    let start = Instant::now();
    let groups = propose_groups(&refs);
    let elapsed = start.elapsed();
    let big = groups.iter().filter(|g| g.members.len() >= 5).count();
    println!(
        "grouped {} comments ({} chars) into {} groups ({} with ≥ 5 members) in {:.2} s",
        refs.len(),
        chars,
        groups.len(),
        big,
        elapsed.as_secs_f64()
    );
}
