//! What the officer is offered beside the proposal: for one group, the texts outside it that
//! come closest (paraphrases to pull in with one click) and those that read alike but take the
//! other side (opposing views, never offered to join); and pairs of groups that may be the
//! same opinion. The same features and IDF-weighted cosine as the grouping's stage two, over
//! a sample of each group, so a campaign of 20,000 copies costs no more than a small group.

use std::collections::HashMap;

use super::meaning::{Centre, dot};
use super::{Doc, IdBuild, Idf, conflicts, core_text, opposed, parallel_map};

/// How many members of a group stand for it.
const SAMPLE: usize = 24;

/// A text outside a group, its closeness to the group (0–1), and whether it opposes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    pub index: usize,
    pub score: f64,
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
/// Lexical closeness only; see `closest_to_group_with` for meaning too.
pub fn closest_to_group(
    members: &[&str],
    others: &[&str],
    limit: usize,
    floor: f64,
) -> (Vec<Match>, Vec<Match>) {
    closest_to_group_with(members, others, limit, floor, None)
}

/// Sentence vectors for `closest_to_group_with`: the group's (its first few members', in
/// order) and, where stored, each outside text's.
pub struct MatchVectors<'a> {
    pub members: &'a [Vec<f32>],
    pub others: &'a [Option<Vec<f32>>],
}

/// As `closest_to_group`, and with vectors a text is also close when it means the same: its
/// score is the better of the lexical closeness and its closeness in meaning, the mean of its
/// vector's cosine to the group's direction and to its nearest member's (each centred on the
/// mean of the vectors in its own script, see `meaning::Centre`), so that a letter in the
/// words of a paraphrase already in the group ranks close too. A
/// text that reads far but takes the other side of most of the group's sampled members (see
/// `opposed`: one refuses what the other says) is an opposing view, not a match.
pub fn closest_to_group_with(
    members: &[&str],
    others: &[&str],
    limit: usize,
    floor: f64,
    vectors: Option<MatchVectors<'_>>,
) -> (Vec<Match>, Vec<Match>) {
    if members.is_empty() || others.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let member_latin: Vec<bool> = members.iter().map(|t| super::latin_script(t)).collect();
    let members = sample(members);
    let group: Vec<Doc> = members.iter().map(|t| Doc::new(core_text(t))).collect();
    let outside = parallel_map(others, |t| Doc::new(core_text(t)));
    let all: Vec<&Doc> = group.iter().chain(outside.iter()).collect();
    let idf = idf_over(&all);
    let group_norms: Vec<f32> = group.iter().map(|d| idf.norm(&d.terms)).collect();
    let other_latin: Vec<bool> = outside.iter().map(|d| d.latin).collect();
    let semantic = vectors.and_then(|v| centred_scores(&v, &member_latin, &other_latin));
    // Each outside text is scored on its own, on every core as its features were.
    let indexes: Vec<usize> = (0..outside.len()).collect();
    let scored: Vec<(f64, bool)> = parallel_map(&indexes, |&i| {
        let d = &outside[i];
        let n = idf.norm(&d.terms);
        let mut best = 0f64;
        let mut against = 0usize;
        for (g, &gn) in group.iter().zip(&group_norms) {
            best = best.max(idf.cosine(&g.terms, gn, &d.terms, n));
            if conflicts(g, d) {
                against += 1;
            }
        }
        let mut opposing = against * 2 > group.len();
        if let Some(sem) = semantic.as_ref().and_then(|s| s[i])
            && f64::from(sem) > best
        {
            best = f64::from(sem);
            // Close in meaning only: the stance words decide.
            opposing |= group.iter().filter(|g| opposed(g, d, &idf)).count() * 2 > group.len();
        }
        (best, opposing)
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

/// Two members' centred vectors closer than this are one direction for the nearest member.
const SAME_DIRECTION: f32 = 0.995;

/// Each outside text's closeness in meaning to the group: the mean of its cosine to the
/// group's direction and its cosine to the nearest member. The centre is that of the group
/// (its members' mean, counted once however many members it has) and the outside texts, and
/// each vector is centred on its own script (`latin` of the members' and of the outside texts,
/// in order); `None` without enough vectors.
fn centred_scores(
    v: &MatchVectors<'_>,
    member_latin: &[bool],
    other_latin: &[bool],
) -> Option<Vec<Option<f32>>> {
    let dim = v.members.first()?.len();
    let members: Vec<(&[f32], bool)> = v
        .members
        .iter()
        .zip(member_latin)
        .filter(|(x, _)| x.len() == dim && x.iter().all(|y| y.is_finite()))
        .map(|(x, &l)| (x.as_slice(), l))
        .collect();
    let others: Vec<(&[f32], bool)> = v
        .others
        .iter()
        .zip(other_latin)
        .filter_map(|(x, &l)| {
            x.as_ref()
                .filter(|x| x.len() == dim)
                .map(|x| (x.as_slice(), l))
        })
        .collect();
    if members.is_empty() || others.len() < 2 {
        return None;
    }
    let mut mean = vec![0f32; dim];
    for (x, _) in &members {
        mean.iter_mut().zip(x.iter()).for_each(|(g, y)| *g += y);
    }
    mean.iter_mut().for_each(|g| *g /= members.len() as f32);
    let group_latin = members.iter().filter(|m| m.1).count() * 2 > members.len();
    let centre = Centre::of(
        dim,
        std::iter::once((mean.as_slice(), group_latin)).chain(others.iter().copied()),
    )?;
    // The group's direction: each member centred on its own script, then their mean.
    let mut group = vec![0f32; dim];
    let mut units: Vec<Vec<f32>> = Vec::new();
    for &(x, l) in &members {
        if let Some(u) = centre.unit(x, l) {
            group.iter_mut().zip(&u).for_each(|(g, y)| *g += y);
            // Copies of one letter embed alike: for the nearest member each direction counts
            // once, which spares most of the comparisons on a campaign's group.
            if !units.iter().any(|m| dot(m, &u) > SAME_DIRECTION) {
                units.push(u);
            }
        }
    }
    let norm = dot(&group, &group).sqrt();
    if norm < 1e-6 {
        return None;
    }
    group.iter_mut().for_each(|g| *g /= norm);
    Some(
        v.others
            .iter()
            .zip(other_latin)
            .map(|(o, &l)| {
                let u = centre.unit(o.as_ref()?, l)?;
                let nearest = units.iter().map(|m| dot(&u, m)).fold(f32::MIN, f32::max);
                Some((dot(&u, &group) + nearest) / 2.0)
            })
            .collect(),
    )
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
                || opposed(&sa[0], &sb[0], &idf)
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

    /// A stand-in sentence vector: the same direction means the same thing.
    fn v(a: f32, b: f32, c: f32) -> Vec<f32> {
        vec![a, b, c, 0.5]
    }

    /// The list for `group` (every member's vector along the first axis) over `others`, whose
    /// vectors are `stored`.
    fn listed(
        group: &[&str],
        others: &[&str],
        stored: &[Option<Vec<f32>>],
    ) -> (Vec<Match>, Vec<Match>) {
        listed_with(group, &vec![v(1.0, 0.0, 0.0); group.len()], others, stored)
    }

    /// As `listed`, with each member's own vector.
    fn listed_with(
        group: &[&str],
        members: &[Vec<f32>],
        others: &[&str],
        stored: &[Option<Vec<f32>>],
    ) -> (Vec<Match>, Vec<Match>) {
        let vectors = Some(MatchVectors {
            members,
            others: stored,
        });
        closest_to_group_with(group, others, 5, 0.2, vectors)
    }

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
    fn across_languages_the_side_is_read_from_what_each_text_refuses_centrally() {
        // A Chinese campaign with a refusal clause beside its request; in English, a paraphrase
        // and a letter against it, both as close in meaning (as in the real vectors).
        let group = [
            "恳请将小型餐饮单位的整改宽限期由6个月延长至12个月，宽限期内以指导帮扶为主，不予罚款。",
            "您好！恳请将小型餐饮单位的整改宽限期由6个月延长至12个月，宽限期内以指导帮扶为主，不予罚款。",
        ];
        let others = [
            "Six months is not enough for tiny eateries to fit a purifier. Please give small \
             shops a full year before enforcement starts.",
            "I oppose extending the grace period for small restaurants to 12 months.",
            "第九条的法律援助申请材料太多，建议简化。",
            "Please publish how each comment was handled.",
        ];
        let stored = [
            Some(v(1.0, 0.0, 0.0)),
            Some(v(1.0, 0.0, 0.0)),
            Some(v(0.0, 1.0, 0.0)),
            Some(v(0.0, 0.0, 1.0)),
        ];
        let (close, opposing) = listed(&group, &others, &stored);
        assert_eq!(close.first().map(|m| m.index), Some(0), "{close:?}");
        assert!(close.iter().all(|m| m.index != 1), "{close:?}");
        assert_eq!(opposing.first().map(|m| m.index), Some(1), "{opposing:?}");
    }

    #[test]
    fn a_refusal_beside_the_request_does_not_hide_a_paraphrase() {
        // The campaign asks for a longer period and, beside it, refuses fines; a paraphrase
        // asks for the longer period in other words and other units. Their vectors agree, so
        // meaning decides closeness and the stance words decide the side.
        let group = [
            "建议将小型餐饮单位的整改宽限期由六个月延长到十二个月，宽限期内不应罚款。",
            "您好！建议将小型餐饮单位的整改宽限期由六个月延长到十二个月，宽限期内不应罚款。",
        ];
        let others = [
            "对我们夫妻店来说半年整改期太短，希望改成一年。",
            "第九条的法律援助申请材料太多，建议简化。",
            "希望公布意见采纳情况。",
        ];
        let stored = [
            Some(v(1.0, 0.0, 0.0)),
            Some(v(0.0, 1.0, 0.0)),
            Some(v(0.0, 0.0, 1.0)),
        ];
        let (close, opposing) = listed(&group, &others, &stored);
        assert_eq!(close.first().map(|m| m.index), Some(0), "{close:?}");
        assert!(opposing.is_empty(), "{opposing:?}");
        // A letter whose refusal bears on what the group asks is the other side.
        let others = [
            "我们觉得没有必要再拖了，不建议延长小型餐饮单位的整改宽限期。",
            "第九条的法律援助申请材料太多，建议简化。",
            "希望公布意见采纳情况。",
        ];
        let asking = ["建议将小型餐饮单位的整改宽限期延长。"];
        let (close, opposing) = listed(&asking, &others, &stored);
        assert!(close.iter().all(|m| m.index != 0), "{close:?}");
        assert_eq!(opposing.first().map(|m| m.index), Some(0), "{opposing:?}");
    }

    #[test]
    fn a_text_close_to_one_member_ranks_above_one_half_close_to_all() {
        // A campaign of three copies that an officer has joined with one paraphrase in other
        // words; a second resident's letter in those words means what that member means, while
        // a letter about another article leans half towards the campaign.
        let group = [
            "建议将征求意见期限由十五日延长至三十日，方便群众充分表达意见。",
            "您好！建议将征求意见期限由十五日延长至三十日，方便群众充分表达意见。",
            "建议将征求意见期限由十五日延长至三十日，方便群众充分表达意见。谢谢！",
            "半个月哪够老百姓看明白，给足一个月吧。",
        ];
        let members = [
            v(1.0, 0.0, 0.0),
            v(1.0, 0.0, 0.0),
            v(1.0, 0.0, 0.0),
            v(0.0, 1.0, 0.0),
        ];
        let others = [
            "只留半个月，老人家根本来不及看，起码一个月。",
            "法律援助的申请材料太多，建议简化。",
            "希望公布意见采纳情况。",
            "夜市应当在晚上十一点前收摊。",
        ];
        let stored = [
            Some(v(0.0, 1.0, 0.0)),
            Some(v(0.6, 0.0, 0.8)),
            Some(v(0.0, 0.0, 1.0)),
            Some(v(-1.0, 0.0, 0.0)),
        ];
        let (close, _) = listed_with(&group, &members, &others, &stored);
        assert_eq!(close.first().map(|m| m.index), Some(0), "{close:?}");
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
