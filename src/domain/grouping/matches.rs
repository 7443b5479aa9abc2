//! What the officer is offered beside the proposal: for one group, the texts outside it that
//! come closest (paraphrases to pull in with one click) and those that read alike but take the
//! other side (opposing views, never offered to join); and pairs of groups that may be the
//! same opinion. The same features and IDF-weighted cosine as the grouping's stage two, over
//! a sample of each group, so a campaign of 20,000 copies costs no more than a small group.

use std::collections::HashMap;

use super::{Doc, IdBuild, Idf, conflicts, core_text, parallel_map};

/// How many members of a group stand for it.
const SAMPLE: usize = 24;

/// A text outside a group, its closeness to the group (0–1), and whether it opposes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    pub index: usize,
    pub score: f64,
}

/// Words that turn a request into its refusal: a text with one of them and a text without,
/// which otherwise read alike, argue opposite sides ("不建议延长" against "建议延长").
const NEGATIONS: [&str; 22] = [
    "不建议",
    "不应",
    "不宜",
    "不必",
    "无需",
    "不需要",
    "没有必要",
    "不同意",
    "不赞成",
    "已经足够",
    "已足够",
    "不要",
    "should not",
    "shouldn't",
    "need not",
    "no need",
    "do not support",
    "don't support",
    "against",
    "disagree",
    "is sufficient",
    "is enough",
];

/// Whether the text refuses rather than asks.
fn negated(text: &str) -> bool {
    let lower = text.to_lowercase();
    NEGATIONS.iter().any(|w| lower.contains(w))
}

/// An even sample of at most `SAMPLE` items.
fn sample<'a>(items: &[&'a str]) -> Vec<&'a str> {
    let step = items.len().div_ceil(SAMPLE).max(1);
    items.iter().copied().step_by(step).collect()
}

/// IDF over a set of documents, each counted once.
fn idf_over(docs: &[&Doc]) -> Idf {
    let mut df: HashMap<u64, u32, IdBuild> = HashMap::default();
    for d in docs {
        for &t in &d.terms {
            *df.entry(t).or_insert(0) += 1;
        }
    }
    let total = docs.len() as f64 + 1.0;
    Idf {
        weight: df
            .into_iter()
            .map(|(t, d)| (t, ((total / (f64::from(d) + 0.5)).ln() + 1.0) as f32))
            .collect(),
        default: (total / 0.5).ln() as f32 + 1.0,
    }
}

/// For a group (its member texts) and the texts outside it: the closest texts at or above
/// `floor`, best first, at most `limit`; and, apart, the texts that read at least as close but
/// conflict with most of the group (the other side of the argument, or another quantity).
pub fn closest_to_group(
    members: &[&str],
    others: &[&str],
    limit: usize,
    floor: f64,
) -> (Vec<Match>, Vec<Match>) {
    if members.is_empty() || others.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let members = sample(members);
    let group: Vec<Doc> = members.iter().map(|t| Doc::new(core_text(t))).collect();
    let group_negated: Vec<bool> = members.iter().map(|t| negated(t)).collect();
    let outside = parallel_map(others, |t| (Doc::new(core_text(t)), negated(t)));
    let all: Vec<&Doc> = group.iter().chain(outside.iter().map(|o| &o.0)).collect();
    let idf = idf_over(&all);
    let group_norms: Vec<f32> = group.iter().map(|d| idf.norm(&d.terms)).collect();
    let scored = parallel_map(&outside, |(d, neg)| {
        let n = idf.norm(&d.terms);
        let mut best = 0f64;
        let mut against = 0usize;
        for ((g, &gn), &gneg) in group.iter().zip(&group_norms).zip(&group_negated) {
            best = best.max(idf.cosine(&g.terms, gn, &d.terms, n));
            if gneg != *neg || conflicts(g, d) {
                against += 1;
            }
        }
        (best, against * 2 > group.len())
    });
    let mut close = Vec::new();
    let mut opposing = Vec::new();
    for (index, &(score, against)) in scored.iter().enumerate() {
        if score < floor {
            continue;
        }
        let m = Match { index, score };
        if against {
            opposing.push(m)
        } else {
            close.push(m)
        }
    }
    let rank = |v: &mut Vec<Match>| {
        v.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.index.cmp(&b.index)));
        v.truncate(limit);
    };
    rank(&mut close);
    rank(&mut opposing);
    (close, opposing)
}

/// Pairs of groups (indexes into `groups`, each given by its member texts) whose members read
/// alike at or above `floor` and take the same side: candidates to merge, best first, at most
/// `limit`.
pub fn similar_groups(groups: &[Vec<&str>], floor: f64, limit: usize) -> Vec<(usize, usize, f64)> {
    let samples: Vec<Vec<Doc>> = groups
        .iter()
        .map(|m| {
            let mut s = sample(m);
            s.truncate(6);
            s.into_iter().map(|t| Doc::new(core_text(t))).collect()
        })
        .collect();
    let all: Vec<&Doc> = samples.iter().flatten().collect();
    let idf = idf_over(&all);
    let norms: Vec<Vec<f32>> = samples
        .iter()
        .map(|s| s.iter().map(|d| idf.norm(&d.terms)).collect())
        .collect();
    let mut pairs = Vec::new();
    for a in 0..samples.len() {
        for b in a + 1..samples.len() {
            let (sa, sb) = (&samples[a], &samples[b]);
            if sa.is_empty()
                || sb.is_empty()
                || conflicts(&sa[0], &sb[0])
                || negated(groups[a][0]) != negated(groups[b][0])
            {
                continue;
            }
            // The mean of each member's best match on the other side: one stray member does
            // not make two groups look the same.
            let mut total = 0f64;
            for (x, nx) in sa.iter().zip(&norms[a]) {
                let best = sb
                    .iter()
                    .zip(&norms[b])
                    .map(|(y, ny)| idf.cosine(&x.terms, *nx, &y.terms, *ny))
                    .fold(0f64, f64::max);
                total += best;
            }
            let score = total / sa.len() as f64;
            if score >= floor {
                pairs.push((a, b, score));
            }
        }
    }
    pairs.sort_by(|x, y| y.2.total_cmp(&x.2).then((x.0, x.1).cmp(&(y.0, y.1))));
    pairs.truncate(limit);
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paraphrase_is_offered_and_the_opposite_view_is_kept_apart() {
        let group = [
            "建议将征求意见期限由十五日延长至三十日，方便群众充分表达意见。",
            "建议将征求意见期限由十五日延长至三十日，让更多群众参与。",
        ];
        let others = [
            "征求意见期限太短，建议延长到三十日，群众来不及表达意见。",
            "我们认为十五日的征求意见期限已经足够，不建议延长至三十日。",
            "第九条的法律援助申请材料太多，建议简化。",
        ];
        let (close, opposing) = closest_to_group(&group, &others, 5, 0.15);
        assert_eq!(close.first().map(|m| m.index), Some(0), "{close:?}");
        assert!(close.iter().all(|m| m.index != 1), "{close:?}");
        assert!(opposing.iter().any(|m| m.index == 1), "{opposing:?}");
        assert!(
            close
                .iter()
                .all(|m| m.index != 2 || m.score < close[0].score)
        );
    }

    #[test]
    fn groups_saying_the_same_pair_up_and_the_order_is_stable() {
        let groups = vec![
            vec!["建议村（社区）配备法律顾问，方便群众咨询。"],
            vec!["第九条的法律援助申请材料太多，建议简化。"],
            vec!["希望每个村都有法律顾问，群众咨询更方便。"],
        ];
        let pairs = similar_groups(&groups, 0.2, 10);
        assert_eq!(pairs.first().map(|p| (p.0, p.1)), Some((0, 2)), "{pairs:?}");
        assert_eq!(pairs, similar_groups(&groups, 0.2, 10));
    }
}
