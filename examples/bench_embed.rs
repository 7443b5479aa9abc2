//! Benchmark of the sentence encoder (crates/semantic): texts per second on one thread, for
//! Chinese comments of 60–200 characters and for English ones, then with one thread per core
//! sharing one `Embedder`.
//!
//! Run: `cargo run --release --example bench_embed [-- N]` (N texts per set, default 200).
//! The model is read from `$CONSULT_MODEL`, else `models/e5-small-q4.bin`
//! (`scripts/fetch-model` fetches it).

use std::time::Instant;

use consult::semantic::{Embedder, default_model_path};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

const ZH: [&str; 16] = [
    "十五天的征求意见时间太短了，请延长到三十天。",
    "建议在第三条中明确“公共场所”的具体范围，避免执法时产生争议。",
    "我反对在居民区附近新建垃圾焚烧厂，空气污染会影响孩子们的健康。",
    "罚款数额过高，与上位法的规定不一致，建议适当降低。",
    "希望增加听证程序，保障利害关系人的知情权和参与权。",
    "实施日期过早，基层执法部门需要时间培训，建议推迟六个月。",
    "支持这项政策，但应当加强对执行情况的监督。",
    "老旧小区加装电梯的补贴标准应当向低收入家庭倾斜。",
    "建议设立独立的第三方评估机构，定期公开评估报告。",
    "收集的个人信息应当严格限定用途，并明确保存期限和销毁程序。",
    "农村地区的情况与城市不同，建议分别作出规定。",
    "公交线路调整后，我们小区的老人出行非常不便，请重新考虑。",
    "夜间施工噪音严重影响休息，建议限制施工时间。",
    "对于小微企业，应当给予一定的过渡期和政策扶持。",
    "草案第十二条的表述含糊不清，容易引起误解。",
    "谢谢！以上意见，供参考。",
];

const EN: [&str; 12] = [
    "The consultation period of fifteen days is far too short; please extend it to thirty days.",
    "I support the new bike lanes on Main Street, but the parking changes need more thought.",
    "Article 3 should define what counts as a public place, or enforcement will be arbitrary.",
    "The proposed fines are out of proportion with the national law and should be lowered.",
    "Please add a public hearing before the rules take effect.",
    "Small businesses need a transition period and some support to comply.",
    "Night-time construction noise keeps the whole street awake; limit the working hours.",
    "Personal data collected under this rule must only be used for its stated purpose.",
    "Rural areas differ from cities and deserve rules of their own.",
    "An independent body should evaluate the policy every year and publish its findings.",
    "The draft's wording in section 12 is vague and open to misreading.",
    "Thank you for the opportunity to comment.",
];

/// Comments made of shuffled sentences, `min..=max` characters long.
fn comments(pool: &[&str], n: usize, min: usize, max: usize, rng: &mut StdRng) -> Vec<String> {
    (0..n)
        .map(|_| {
            let target = rng.gen_range(min..=max);
            let mut text = String::new();
            while text.chars().count() < target {
                let sentence = pool.choose(rng).copied().unwrap_or_default();
                if !text.is_empty() && pool == EN {
                    text.push(' ');
                }
                text.push_str(sentence);
            }
            text.chars().take(max).collect()
        })
        .collect()
}

fn one_thread(embedder: &Embedder, label: &str, texts: &[String]) {
    let chars: usize = texts.iter().map(|t| t.chars().count()).sum();
    let tokens: usize = texts.iter().map(|t| embedder.token_ids(t).len()).sum();
    for text in texts.iter().take(5) {
        std::hint::black_box(embedder.embed(text));
    }
    let start = Instant::now();
    for text in texts {
        std::hint::black_box(embedder.embed(text));
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{label}: {} texts, {:.0} chars and {:.0} tokens each on average: {:.1} texts/s on one thread ({:.1} ms a text)",
        texts.len(),
        chars as f64 / texts.len() as f64,
        tokens as f64 / texts.len() as f64,
        texts.len() as f64 / secs,
        secs * 1000.0 / texts.len() as f64,
    );
}

fn all_threads(embedder: &Embedder, label: &str, texts: &[String], threads: usize) {
    let start = Instant::now();
    std::thread::scope(|s| {
        for part in texts.chunks(texts.len().div_ceil(threads)) {
            s.spawn(move || {
                for text in part {
                    std::hint::black_box(embedder.embed(text));
                }
            });
        }
    });
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{label}: {:.1} texts/s with {threads} threads sharing one Embedder",
        texts.len() as f64 / secs
    );
}

/// The process's resident memory (Linux; `None` elsewhere).
fn resident_mib() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096 / (1 << 20))
}

fn main() -> anyhow::Result<()> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(200);
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    println!("cores: {cores}");

    let path = default_model_path();
    let start = Instant::now();
    let embedder = Embedder::load(&path)?;
    println!(
        "loaded {} ({}, {} dims) in {:.2} s",
        path.display(),
        embedder.model_id(),
        embedder.dim(),
        start.elapsed().as_secs_f64()
    );

    if let Some(mib) = resident_mib() {
        println!("resident memory after loading: {mib} MiB");
    }

    let mut rng = StdRng::seed_from_u64(20240611);
    let zh = comments(&ZH, n, 60, 200, &mut rng);
    let en = comments(&EN, n, 100, 400, &mut rng);
    one_thread(&embedder, "Chinese 60-200 chars", &zh);
    one_thread(&embedder, "English 100-400 chars", &en);
    if cores > 1 {
        all_threads(&embedder, "Chinese 60-200 chars", &zh, cores);
        all_threads(&embedder, "English 100-400 chars", &en, cores);
    }
    Ok(())
}
