//! Stage three of the grouping: lexical groups that say the same thing in other words or in
//! another language join by the cosine of their central letters' sentence vectors.
//!
//! Sentence vectors of comments on one draft all sit close together (they share its topic
//! and, within a language, its language), so each vector is first centred on the mean of the
//! round's vectors in its script (`Centre`) and normalised again; the cosine of centred
//! vectors separates one request from another, in one language or across two. Across two
//! languages the cosines stay lower than within one, even centred: on the tuning set the same
//! request in English and Chinese scores 0.25–0.47 (median 0.34) and a letter across that asks
//! something else at most 0.39, while within one language different requests reach 0.55 and
//! more. So a pair across two scripts is weighed by its cosine scaled up by
//! `meaning / meaning_across`. Joins are single-link over the pairs weighed at or
//! above `GroupingParams::meaning`, taken best first in a fixed order, with two checks before
//! each join: the two sides' heaviest lexical groups must be close too (the guard
//! against chaining), and no letter on one side may conflict with one on the other (another
//! article or quantity, or the opposite stance). Vectors cannot see stance: a letter that
//! argues against a campaign reads as close to it as a paraphrase does, so the veto stays
//! lexical.
//!
//! Up to `EXACT` groups every pair is compared; above, candidate pairs come from random
//! hyperplane buckets (`TABLES` tables of `BITS` bits), which find a pair with probability
//! about 0.78 at the default threshold (centred cosine 0.60), 0.98 at 0.80 and above, and
//! about 0.49 for a pair across two scripts at its threshold (centred cosine 0.42).

use std::collections::HashMap;

use super::{Lexical, UnionFind, components, conflicts, mix, opposed, parallel_map};

/// Up to this many vectors every pair is compared.
const EXACT: usize = 3_000;
const TABLES: usize = 24;
const BITS: usize = 8;
/// IDF-weighted cosine at which two letters count as variants of one letter.
const SAME_LETTER: f64 = 0.5;
/// How many lexical groups of each side the conflict veto reads (the heaviest).
const VETO_SAMPLE: usize = 32;

/// The outcome: final groups as lists of lexical group indexes, and the centred vectors.
pub(super) struct SemanticJoin {
    pub groups: Vec<Vec<usize>>,
    weighed: Weighed,
}

impl SemanticJoin {
    /// The cosine of two lexical groups' centred vectors, as the join weighed it.
    pub fn cosine(&self, a: usize, b: usize) -> f32 {
        self.weighed.cosine(a, b)
    }
}

/// Each lexical group's centred vector and script, and how a pair is weighed: by the cosine
/// of their centred vectors, scaled up across two scripts (cosines across two languages stay
/// lower than within one, even centred; see `GroupingParams::meaning_across`).
struct Weighed {
    unit: Vec<Option<Vec<f32>>>,
    /// Whether each lexical group's central letter is written in letters.
    latin: Vec<bool>,
    /// What a cosine across two scripts is multiplied by.
    across: f32,
}

impl Weighed {
    fn vector(&self, i: usize) -> &[f32] {
        self.unit[i].as_deref().unwrap_or(&[])
    }

    /// The weighed cosine of two lexical groups; 0 when either has no vector.
    fn cosine(&self, a: usize, b: usize) -> f32 {
        let c = dot(self.vector(a), self.vector(b));
        if self.latin[a] == self.latin[b] {
            c
        } else {
            c * self.across
        }
    }
}

/// Stage three over the lexical groups of `lex`, with one sentence vector for each group's
/// central letter (`None` where there is none).
pub(super) fn stage_three(lex: &Lexical<'_>, vectors: &[Option<Vec<f32>>]) -> SemanticJoin {
    let (groups_in, centrals, docs) = (&lex.groups, &lex.centrals, &lex.docs);
    let (weight, params, idf) = (&lex.letters.weight, &lex.params, &lex.idf);
    let lexical = |a: usize, b: usize| lex.cos(a, b);
    let g = groups_in.len();
    let latin: Vec<bool> = centrals.iter().map(|&c| docs[c].latin).collect();
    let weighed = Weighed {
        unit: centred(vectors, &latin),
        latin,
        across: (params.meaning / params.meaning_across) as f32,
    };
    let unit = &weighed.unit;
    let present: Vec<usize> = (0..g).filter(|&i| unit[i].is_some()).collect();
    let vec_of = |i: usize| weighed.vector(i);
    let threshold = params.meaning as f32;
    let score = |a: usize, b: usize| weighed.cosine(a, b);
    let mut pairs: Vec<(f32, u32, u32)> =
        candidates(&present, &vec_of, |a, b| score(a, b) >= threshold)
            .into_iter()
            .map(|(a, b)| (score(a, b), a as u32, b as u32))
            .collect();
    pairs.sort_by(|x, y| y.0.total_cmp(&x.0).then((x.1, x.2).cmp(&(y.1, y.2))));

    let mass: Vec<usize> = groups_in
        .iter()
        .map(|l| l.iter().map(|&x| weight[x]).sum())
        .collect();
    // Each root's lexical groups, heaviest first.
    let mut parts: Vec<Vec<usize>> = (0..g).map(|i| vec![i]).collect();
    let mut uf = UnionFind::new(g, vec![0; g]);
    for &(_, a, b) in &pairs {
        let (ra, rb) = (uf.find(a as usize), uf.find(b as usize));
        if ra == rb {
            continue;
        }
        let (ha, hb) = (parts[ra][0], parts[rb][0]);
        if (ha, hb) != (a as usize, b as usize)
            && (unit[ha].is_none()
                || unit[hb].is_none()
                || score(ha, hb) < params.meaning_guard as f32)
        {
            continue;
        }
        // Texts that share few words (other words, another language) can still take
        // opposite sides, unseen by `conflicts`: between them `opposed` reads the stance
        // words, and across two scripts a text that refuses never joins one that does not (a
        // long letter against a campaign can refuse in one sentence after a story, under
        // `CENTRAL_REFUSAL`). Between variants of one letter `conflicts` judges.
        let veto = parts[ra].iter().take(VETO_SAMPLE).any(|&x| {
            parts[rb].iter().take(VETO_SAMPLE).any(|&y| {
                let (cx, cy) = (centrals[x], centrals[y]);
                let (dx, dy) = (&docs[cx], &docs[cy]);
                let other_side = if dx.latin != dy.latin {
                    dx.refuses != dy.refuses
                } else {
                    opposed(dx, dy, idf)
                };
                conflicts(dx, dy) || (other_side && lexical(cx, cy) < SAME_LETTER)
            })
        });
        if veto {
            continue;
        }
        uf.union(ra, rb);
        let root = uf.find(ra);
        let mut joined = std::mem::take(&mut parts[ra]);
        joined.append(&mut std::mem::take(&mut parts[rb]));
        joined.sort_by_key(|&x| (std::cmp::Reverse(mass[x]), x));
        parts[root] = joined;
    }
    SemanticJoin {
        groups: components(&mut uf, g),
        weighed,
    }
}

/// How many vectors of one script count as much as the mean of all of them, when the
/// script's own mean is estimated: with few letters in a language, their mean is mostly
/// what they say, not the language (a small draft's Chinese letters are often mostly about one
/// thing; centred on their own mean, a paraphrase of that thing would lose what it shares
/// with the campaign).
const SCRIPT_PRIOR: f64 = 32.0;

/// Where the vectors of one round sit: the mean of all, and for each script (Chinese, or
/// letters) how far its vectors' mean lies from it. A sentence vector carries its language as
/// well as its meaning: centred on one mean, a Chinese letter is closer to an unrelated
/// Chinese letter than to the same request in English. Each vector is centred on its own
/// script's mean, shrunk towards the mean of all by `SCRIPT_PRIOR`.
pub(super) struct Centre {
    all: Vec<f32>,
    /// Indexed by `latin as usize`.
    offset: [Vec<f32>; 2],
}

impl Centre {
    /// The centre of `vectors` (each with whether its text is written in letters), all of
    /// length `dim`; `None` with fewer than two.
    pub fn of<'a>(dim: usize, vectors: impl Iterator<Item = (&'a [f32], bool)>) -> Option<Centre> {
        let mut sum = [vec![0f64; dim], vec![0f64; dim]];
        let mut count = [0usize; 2];
        for (v, latin) in vectors {
            let k = usize::from(latin);
            for (s, x) in sum[k].iter_mut().zip(v) {
                *s += f64::from(*x);
            }
            count[k] += 1;
        }
        let total = count[0] + count[1];
        if total < 2 {
            return None;
        }
        let all: Vec<f64> = (0..dim)
            .map(|d| (sum[0][d] + sum[1][d]) / total as f64)
            .collect();
        let offset = [0, 1].map(|k| {
            if count[k] == 0 {
                return vec![0f32; dim];
            }
            let n = count[k] as f64;
            let shrink = n / (n + SCRIPT_PRIOR);
            (0..dim)
                .map(|d| ((sum[k][d] / n - all[d]) * shrink) as f32)
                .collect()
        });
        Some(Centre {
            all: all.into_iter().map(|m| m as f32).collect(),
            offset,
        })
    }

    /// `v` centred and normalised; `None` for a vector of another length, not finite, or at
    /// the centre.
    pub fn unit(&self, v: &[f32], latin: bool) -> Option<Vec<f32>> {
        if v.len() != self.all.len() || !v.iter().all(|x| x.is_finite()) {
            return None;
        }
        let off = &self.offset[usize::from(latin)];
        let mut c: Vec<f32> = v
            .iter()
            .zip(&self.all)
            .zip(off)
            .map(|((x, m), o)| x - m - o)
            .collect();
        let norm = dot(&c, &c).sqrt();
        if norm < 1e-6 {
            return None;
        }
        c.iter_mut().for_each(|x| *x /= norm);
        Some(c)
    }
}

/// Each vector centred on its script's mean (see `Centre`) and normalised; `None` where there
/// was no vector or it had another length than the first.
fn centred(vectors: &[Option<Vec<f32>>], latin: &[bool]) -> Vec<Option<Vec<f32>>> {
    let Some(dim) = vectors.iter().flatten().map(Vec::len).next() else {
        return vec![None; vectors.len()];
    };
    let usable = |v: &&Vec<f32>| v.len() == dim && v.iter().all(|x| x.is_finite());
    let present = vectors
        .iter()
        .zip(latin)
        .filter_map(|(v, &l)| v.as_ref().filter(usable).map(|v| (v.as_slice(), l)));
    let Some(centre) = Centre::of(dim, present) else {
        return vec![None; vectors.len()];
    };
    vectors
        .iter()
        .zip(latin)
        .map(|(v, &l)| centre.unit(v.as_ref()?, l))
        .collect()
}

pub(super) fn dot(a: &[f32], b: &[f32]) -> f32 {
    // Eight lanes, so the compiler vectorises the sum.
    let mut acc = [0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    let tail: f32 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    acc.iter().sum::<f32>() + tail
}

/// The pairs `(a, b)` that `keep` accepts among those worth comparing: all pairs of a small
/// set, else those that share a random-hyperplane bucket in at least one table.
fn candidates<'v>(
    present: &[usize],
    vec_of: &(impl Fn(usize) -> &'v [f32] + Sync),
    keep: impl Fn(usize, usize) -> bool,
) -> Vec<(usize, usize)> {
    if present.len() <= EXACT {
        let mut out = Vec::new();
        for (k, &a) in present.iter().enumerate() {
            for &b in &present[k + 1..] {
                if keep(a, b) {
                    out.push((a, b));
                }
            }
        }
        return out;
    }
    let dim = vec_of(present[0]).len();
    // ±1 hyperplanes from a fixed seed, so the buckets are the same on every run.
    let planes: Vec<Vec<f32>> = (0..TABLES * BITS)
        .map(|p| {
            (0..dim)
                .map(|d| {
                    if mix((p * 4096 + d) as u64 ^ 0x6a09_e667_f3bc_c908) & 1 == 0 {
                        1.0
                    } else {
                        -1.0
                    }
                })
                .collect()
        })
        .collect();
    let keys: Vec<Vec<u16>> = parallel_map(present, |&i| {
        let v = vec_of(i);
        (0..TABLES)
            .map(|t| {
                (0..BITS).fold(0u16, |k, b| {
                    k << 1 | u16::from(dot(v, &planes[t * BITS + b]) >= 0.0)
                })
            })
            .collect()
    });
    // A pair is taken in the first table where it shares a bucket (no set of pairs seen).
    let mut out = Vec::new();
    for t in 0..TABLES {
        let mut buckets: HashMap<u16, Vec<usize>> = HashMap::new();
        for (k, key) in keys.iter().enumerate() {
            buckets.entry(key[t]).or_default().push(k);
        }
        let mut keys_sorted: Vec<u16> = buckets.keys().copied().collect();
        keys_sorted.sort_unstable();
        for key in keys_sorted {
            let members = &buckets[&key];
            for (n, &x) in members.iter().enumerate() {
                for &y in &members[n + 1..] {
                    let earlier = (0..t).any(|u| keys[x][u] == keys[y][u]);
                    let (a, b) = (present[x], present[y]);
                    if !earlier && keep(a, b) {
                        out.push((a, b));
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn centring_removes_the_shared_direction() {
        let v = |x: f32, y: f32| Some(vec![1.0, x, y]);
        let out = centred(&[v(0.1, 0.0), v(-0.1, 0.0), v(0.0, 0.1), None], &[false; 4]);
        let a = out[0].as_ref().unwrap();
        assert!(a[0].abs() < 1e-6, "{a:?}");
        assert!((dot(a, a) - 1.0).abs() < 1e-5);
        assert!(out[3].is_none());
    }

    #[test]
    fn each_script_is_centred_on_its_own_mean() {
        // Two requests (x, y), each written in Chinese and in English; the language adds its
        // own direction (z), as it does to a real sentence vector. Ten letters of each, so
        // that each script's mean is its own.
        let v = |x: f32, y: f32, z: f32| Some(vec![x, y, z, 1.0]);
        let vectors: Vec<Option<Vec<f32>>> = [
            v(1.0, 0.0, 0.8),
            v(0.0, 1.0, 0.8),
            v(1.0, 0.0, -0.8),
            v(0.0, 1.0, -0.8),
        ]
        .into_iter()
        .flat_map(|x| std::iter::repeat_n(x, 10))
        .collect();
        let latin: Vec<bool> = (0..40).map(|i| i >= 20).collect();
        let (zh_a, zh_b, en_a, en_b) = (0, 10, 20, 30);
        let cos = |u: &[Option<Vec<f32>>], a: usize, b: usize| {
            dot(u[a].as_ref().unwrap(), u[b].as_ref().unwrap())
        };
        // Centred on one mean, the language still weighs: the same request across the two
        // languages is no closer than another request in the same language.
        let one = centred(&vectors, &[false; 40]);
        assert!(cos(&one, zh_a, en_a) <= cos(&one, zh_a, zh_b), "{one:?}");
        // Each on its own script's mean, the same request is closest whatever the language.
        let own = centred(&vectors, &latin);
        assert!(cos(&own, zh_a, en_a) > cos(&own, zh_a, zh_b) + 0.5);
        assert!(cos(&own, zh_b, en_b) > cos(&own, zh_b, en_a) + 0.5);
    }

    #[test]
    fn a_script_with_few_vectors_leans_on_the_mean_of_all() {
        // One English letter among Chinese ones: centred on its own mean alone it would be
        // nothing; it keeps the direction it has from the mean of all.
        let mut vectors: Vec<Option<Vec<f32>>> = (0..20)
            .map(|i| Some(vec![(i % 3) as f32, (i % 5) as f32, 1.0]))
            .collect();
        vectors.push(Some(vec![2.0, 0.0, 1.0]));
        let mut latin = vec![false; 20];
        latin.push(true);
        let own = centred(&vectors, &latin);
        let one = centred(&vectors, &[false; 21]);
        let lone = own[20]
            .as_ref()
            .expect("the lone English letter keeps a vector");
        assert!(dot(lone, one[20].as_ref().unwrap()) > 0.999, "{lone:?}");
    }

    #[test]
    fn buckets_find_close_pairs_among_many() {
        // 4,000 random unit vectors, and a near copy of the first ten of them.
        let dim = 64;
        let rand = |s: u64| (mix(s) % 2001) as f32 / 1000.0 - 1.0;
        let unit = |mut v: Vec<f32>| {
            let n = dot(&v, &v).sqrt();
            v.iter_mut().for_each(|x| *x /= n);
            v
        };
        let mut vs: Vec<Vec<f32>> = (0..4_000u64)
            .map(|i| unit((0..dim as u64).map(|d| rand(i * 1000 + d)).collect()))
            .collect();
        for i in 0..10 {
            let near: Vec<f32> = vs[i]
                .iter()
                .enumerate()
                .map(|(d, x)| x + 0.1 * rand(99_999 + (i * 100 + d) as u64) / 8.0)
                .collect();
            vs.push(unit(near));
        }
        let present: Vec<usize> = (0..vs.len()).collect();
        let pairs = candidates(&present, &|i| vs[i].as_slice(), |_, _| true);
        for i in 0..10 {
            assert!(pairs.contains(&(i, 4_000 + i)), "pair {i} missed");
        }
        // About a tenth of all pairs are compared (24 tables of 256 buckets).
        assert!(pairs.len() < 4_010 * 4_009 / 2 / 6, "{} pairs", pairs.len());
    }
}
