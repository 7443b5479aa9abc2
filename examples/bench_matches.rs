//! Benchmark for the desk's "possible matches" (R16): one group's members against every
//! distinct text outside it, by wording alone and with a stored sentence vector for each text,
//! as on the group page of a large draft.
//!
//! Run: `cargo run --release --example bench_matches [-- OUTSIDE [DISTINCT]]`. OUTSIDE (default
//! 60000) is how many distinct texts lie outside the group; DISTINCT (default 24) is how many of
//! the group's 24 sampled members point in their own direction (the rest are copies of the
//! first, as in a campaign). The texts are synthetic (characters drawn from a draft's
//! vocabulary) and the vectors random unit vectors: the work done per text is the same as with
//! real ones.

use std::time::Instant;

use consult::domain::grouping::{MatchVectors, closest_to_group_with};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const VOCABULARY: &str = "建议将征求意见期限由十五日延长至三十日方便群众充分表达意见第九条法律援助申请材料太多\
     简化希望公布采纳情况夜市应当在晚上十一点前收摊小型餐饮单位整改宽限期补贴比例不低于设备购置安装费用";
const DIM: usize = 384;

fn text(rng: &mut StdRng, chars: &[char]) -> String {
    let len = rng.gen_range(20..90);
    (0..len)
        .map(|_| chars[rng.gen_range(0..chars.len())])
        .collect()
}

fn unit(rng: &mut StdRng) -> Vec<f32> {
    let v: Vec<f32> = (0..DIM).map(|_| rng.gen_range(-1.0f32..1.0)).collect();
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.into_iter().map(|x| x / n).collect()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let outside: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(60_000);
    let distinct: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(24)
        .clamp(1, 24);
    let mut rng = StdRng::seed_from_u64(7);
    let chars: Vec<char> = VOCABULARY.chars().collect();
    let members: Vec<String> = (0..24).map(|_| text(&mut rng, &chars)).collect();
    let others: Vec<String> = (0..outside).map(|_| text(&mut rng, &chars)).collect();
    let mut member_vectors: Vec<Vec<f32>> = (0..24).map(|_| unit(&mut rng)).collect();
    for k in distinct..24 {
        member_vectors[k] = member_vectors[0].clone();
    }
    let other_vectors: Vec<Option<Vec<f32>>> = (0..outside).map(|_| Some(unit(&mut rng))).collect();
    let m: Vec<&str> = members.iter().map(String::as_str).collect();
    let o: Vec<&str> = others.iter().map(String::as_str).collect();
    for round in 1..=3 {
        let t = Instant::now();
        let (close, _) = closest_to_group_with(&m, &o, 10, 0.1, None);
        let lexical = t.elapsed();
        let t = Instant::now();
        let (with, _) = closest_to_group_with(
            &m,
            &o,
            10,
            0.1,
            Some(MatchVectors {
                members: &member_vectors,
                others: &other_vectors,
            }),
        );
        let meaning = t.elapsed();
        println!(
            "round {round}: {outside} texts outside, {distinct} distinct member directions: \
             wording only {:.0} ms ({} listed), with vectors {:.0} ms ({} listed)",
            lexical.as_secs_f64() * 1e3,
            close.len(),
            meaning.as_secs_f64() * 1e3,
            with.len()
        );
    }
}
