//! Benchmark for R16: groups 100,000 synthetic comments (campaign copies with greetings,
//! signatures, changed words and dropped clauses, plus distinct opinions) and prints the time.
//!
//! Run: `cargo run --release --example bench_grouping [-- N] [--semantic]` (N defaults to
//! 100000). With `--semantic` the semantic stage runs too, over one stored vector per lexical
//! group as in the service; the vectors stand in for those the background reader stores (unit
//! vectors derived from each text's hash, so the stage's search does all its work), because
//! embedding 40,000 distinct texts takes the model about an hour and is done as comments
//! arrive, not when the grouping runs (`cargo run --release --example bench_embed` measures that).

use std::time::Instant;

use consult::domain::grouping::{GroupingParams, Lexical, propose_groups};
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
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(100_000);
    let semantic = args.iter().any(|a| a == "--semantic");
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
    let (groups, elapsed) = if semantic {
        let lexical = Lexical::of(&refs, &GroupingParams::default());
        let reps = lexical.representatives();
        let lexical_done = start.elapsed();
        let vectors: Vec<Option<Vec<f32>>> =
            reps.iter().map(|&i| Some(stand_in(refs[i]))).collect();
        let fetched = start.elapsed();
        let groups = lexical.finish(Some(&vectors));
        let third = start.elapsed() - fetched;
        println!(
            "lexical stages {:.2} s; {} stand-in vectors (not counted, {:.2} s); stage three and titles {:.2} s",
            lexical_done.as_secs_f64(),
            reps.len(),
            (fetched - lexical_done).as_secs_f64(),
            third.as_secs_f64()
        );
        (groups, lexical_done + third)
    } else {
        (propose_groups(&refs), start.elapsed())
    };
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

/// A unit vector of 384 numbers derived from the text's hash: a stand-in for a stored one.
fn stand_in(text: &str) -> Vec<f32> {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    let mut rng = StdRng::seed_from_u64(h.finish());
    let v: Vec<f32> = (0..384).map(|_| rng.gen_range(-1.0f32..1.0)).collect();
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.iter().map(|x| x / n).collect()
}
