//! R16: proposes opinion groups (意见归类) from comment texts alone, in near-linear time.
//!
//! The method, in order:
//! 1. Take each text's core (leading greetings and trailing sign-offs stripped), normalise it
//!    (NFKC, which also folds full-width forms; lower case; punctuation and white space become
//!    boundaries) and cut it into units: one unit per CJK character, one per Latin word or
//!    number (lightly stemmed). Quantities in context (第五条, 30 日, "Article 9", 5千元,
//!    50%) and polar words (支持/反对, extend/shorten) are noted: texts that differ in them
//!    conflict.
//! 2. Features: unit bigrams (for Chinese these are character bigrams, for English word
//!    pairs) and, for the term set, content unigrams too.
//! 3. MinHash the term sets and band the signatures (LSH): only texts that share a band become
//!    candidate pairs, and inside a bucket each text is paired with the bucket's first and
//!    previous member only, so a campaign of 20,000 copies costs 40,000 checks, not 2·10⁸.
//! 4. Stage one joins near-duplicates (campaign letters: greetings, signatures, a changed word,
//!    a dropped clause) by *containment* of bigram sets, which a form letter wrapped in a
//!    personal greeting or story keeps high while Jaccard drops.
//! 5. Stage two joins close paraphrases between the stage-one groups by an IDF-weighted cosine
//!    over terms, with document frequencies counted once per stage-one group, so that a large
//!    campaign does not make its own words look common.
//! 6. Both stages use union-find with an anti-chaining guard: two groups join only when their
//!    seeds (shortest members, usually the bare letter) are also similar, not merely one
//!    member of each.
//!
//! Each group is titled by the first real sentence (greetings skipped) of its most central
//! member: the one most similar to the others.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use unicode_normalization::UnicodeNormalization;

/// Tuning of the grouping; the defaults are what the tuning sets were measured with.
#[derive(Debug, Clone)]
pub struct GroupingParams {
    /// LSH bands × rows = MinHash signature length.
    pub bands: usize,
    pub rows: usize,
    /// Stage one: length-damped containment of bigram sets at or above this joins.
    pub near_duplicate: f64,
    /// Stage two: IDF-weighted cosine of term sets at or above this joins.
    pub paraphrase: f64,
    /// The guard: the two groups' seeds must reach this fraction of the stage's threshold.
    pub guard: f64,
    /// Stage three: cosine of the lexical groups' sentence vectors (centred on the round's
    /// mean in their script) at or above this joins them.
    pub meaning: f64,
    /// Stage three's guard: the two sides' largest lexical groups must reach this cosine.
    pub meaning_guard: f64,
    /// Stage three between texts in two scripts (Chinese and English): cosines across two
    /// languages stay lower than within one, even centred, so a pair across counts as its
    /// cosine times `meaning / meaning_across` (this cosine across stands for `meaning`
    /// within one script), for the join and its guard alike.
    pub meaning_across: f64,
}

impl Default for GroupingParams {
    fn default() -> Self {
        GroupingParams {
            bands: 24,
            rows: 2,
            near_duplicate: 0.7,
            paraphrase: 0.45,
            guard: 0.75,
            meaning: 0.60,
            meaning_guard: 0.45,
            meaning_across: 0.42,
        }
    }
}

/// Why a comment is in its proposed group, and how sure the proposal is (0–1): the officer
/// checks the uncertain ones first.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Membership {
    pub reason: Reason,
    pub score: f32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// A copy of the group's central letter; the score is the share of its text.
    SameLetter,
    /// The same request in other words, found by shared words (IDF-weighted cosine).
    SameWords,
    /// The same request in other words or another language, found by sentence vectors.
    SameMeaning,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::SameLetter => "same_letter",
            Reason::SameWords => "same_words",
            Reason::SameMeaning => "same_meaning",
        }
    }
}

/// One proposed group: indexes into the input, its most central member, a title, and for
/// each member (in `members` order) why it is there.
#[derive(Debug, Clone, PartialEq)]
pub struct ProposedGroup {
    pub members: Vec<usize>,
    pub central: usize,
    pub title: String,
    pub why: Vec<Membership>,
}

/// The semantic stage's source of sentence vectors: given input indexes (one text standing
/// for each lexical group), a unit vector for each, or `None` where there is none.
pub type Meaning<'a> = &'a (dyn Fn(&[usize]) -> Vec<Option<Vec<f32>>> + Sync);

/// Proposes groups covering every text (a text like no other is a group of one), lexically
/// only. Groups come largest first; members in input order.
pub fn propose_groups(texts: &[&str]) -> Vec<ProposedGroup> {
    propose_groups_with(texts, &GroupingParams::default(), None)
}

/// The proposal, with the semantic stage when `meaning` gives vectors.
///
/// The result depends only on the multiset of texts, never on their order: texts are first
/// reduced to distinct letters (same core after normalisation) and sorted by that core, and
/// every later step runs in that canonical order.
pub fn propose_groups_with(
    texts: &[&str],
    params: &GroupingParams,
    meaning: Option<Meaning>,
) -> Vec<ProposedGroup> {
    let lexical = Lexical::of(texts, params);
    let vectors = meaning.map(|m| m(&lexical.representatives()));
    lexical.finish(vectors.as_deref())
}

/// Stages one and two done: the lexical groups, waiting for the sentence vectors of their
/// representatives (`representatives`) before stage three (`finish`). Callers that must
/// fetch or compute vectors (a database, a model) do so between the two calls.
pub struct Lexical<'t> {
    texts: &'t [&'t str],
    params: GroupingParams,
    letters: Letters,
    docs: Vec<Doc>,
    idf: Idf,
    norms: Vec<f32>,
    /// Each lexical group's letters, in canonical order.
    groups: Vec<Vec<usize>>,
    /// Each lexical group's central letter.
    centrals: Vec<usize>,
}

impl<'t> Lexical<'t> {
    /// Stages one and two over `texts`.
    pub fn of(texts: &'t [&'t str], params: &GroupingParams) -> Lexical<'t> {
        lexical_stages(texts, params)
    }

    /// For each lexical group, the input index of the text that stands for it (its central
    /// letter): what stage three needs a sentence vector of.
    pub fn representatives(&self) -> Vec<usize> {
        self.centrals
            .iter()
            .map(|&c| self.letters.reps[c])
            .collect()
    }

    fn cos(&self, a: usize, b: usize) -> f64 {
        self.idf.cosine(
            &self.docs[a].terms,
            self.norms[a],
            &self.docs[b].terms,
            self.norms[b],
        )
    }

    /// Stage three with `vectors` (one per representative, `None` for lexical grouping only),
    /// then the groups with their titles and why each member is in its group.
    pub fn finish(self, vectors: Option<&[Option<Vec<f32>>]>) -> Vec<ProposedGroup> {
        finish(self, vectors)
    }
}

fn lexical_stages<'t>(texts: &'t [&'t str], params: &GroupingParams) -> Lexical<'t> {
    let letters = Letters::of(texts);
    let m = letters.reps.len();
    let docs = parallel_map(&letters.reps, |&i| Doc::new(core_text(texts[i])));
    let seeds = minhash_seeds(params.bands * params.rows);
    let sigs = parallel_map(&docs, |d| signature(&d.terms, &seeds));
    let edges = lsh_edges(&sigs, params.bands, params.rows);

    // Stage one: near-duplicates. A pair joins when the texts, or either text and the other
    // group's seed, are near-duplicates; the seeds themselves must be close (the guard). The
    // seed is the group's shortest member, usually the bare form letter, so copies wrapped in
    // different personal stories all meet it.
    let lengths: Vec<usize> = docs.iter().map(|d| d.bigrams.len()).collect();
    let mut uf = UnionFind::new(m, lengths);
    let guard1 = params.near_duplicate * params.guard;
    let nd = |x: usize, y: usize| {
        if conflicts(&docs[x], &docs[y]) {
            0.0
        } else {
            near_dup(&docs[x], &docs[y])
        }
    };
    for &(a, b) in &edges {
        let (a, b) = (a as usize, b as usize);
        let (ra, rb) = (uf.find(a), uf.find(b));
        if ra == rb {
            continue;
        }
        let (sa, sb) = (uf.seed[ra], uf.seed[rb]);
        let close = nd(a, b) >= params.near_duplicate
            || (sb != b && nd(a, sb) >= params.near_duplicate)
            || (sa != a && nd(sa, b) >= params.near_duplicate);
        if !close || (sa != a || sb != b) && nd(sa, sb) < guard1 {
            continue;
        }
        uf.union(ra, rb);
    }

    // Stage two: paraphrases, weighted by IDF over stage-one groups.
    let idf = Idf::over_groups(&docs, &mut uf);
    let norms = parallel_map(&docs, |d| idf.norm(&d.terms));
    let guard2 = params.paraphrase * params.guard;
    let cos = |a: usize, b: usize| idf.cosine(&docs[a].terms, norms[a], &docs[b].terms, norms[b]);
    let mut tried: HashMap<(u32, u32), (), IdBuild> = HashMap::default();
    for &(a, b) in &edges {
        let (a, b) = (a as usize, b as usize);
        let (ra, rb) = (uf.find(a), uf.find(b));
        if ra == rb {
            continue;
        }
        let key = (ra.min(rb) as u32, ra.max(rb) as u32);
        if tried.insert(key, ()).is_some() {
            continue;
        }
        if conflicts(&docs[a], &docs[b]) || cos(a, b) < params.paraphrase {
            continue;
        }
        let (sa, sb) = (uf.seed[ra], uf.seed[rb]);
        if (sa, sb) != (a, b) && (conflicts(&docs[sa], &docs[sb]) || cos(sa, sb) < guard2) {
            continue;
        }
        uf.union(ra, rb);
    }

    // The lexical groups, each a list of letters in canonical order, listed by first letter.
    let groups = components(&mut uf, m);
    let centrals: Vec<usize> = groups
        .iter()
        .map(|g| most_central(g, &letters.weight, &cos))
        .collect();
    Lexical {
        texts,
        params: params.clone(),
        letters,
        docs,
        idf,
        norms,
        groups,
        centrals,
    }
}

fn finish(lex: Lexical<'_>, vectors: Option<&[Option<Vec<f32>>]>) -> Vec<ProposedGroup> {
    let (texts, params, letters, docs) = (lex.texts, &lex.params, &lex.letters, &lex.docs);
    let (lexical, centrals) = (&lex.groups, &lex.centrals);
    if texts.is_empty() {
        return Vec::new();
    }
    // Stage three: lexical groups that mean the same (paraphrases in other words, another
    // language) join by their central letters' sentence vectors, never across a conflict.
    let sem = vectors.map(|v| stage_three(&lex, v));
    let finals: Vec<Vec<usize>> = match &sem {
        Some(join) => join.groups.clone(),
        None => (0..lexical.len()).map(|g| vec![g]).collect(),
    };
    let cos = |a: usize, b: usize| lex.cos(a, b);

    // Each final group: its letters, its central letter (that of its heaviest lexical group),
    // and why each letter is in it.
    let mut groups: Vec<ProposedGroup> = finals
        .iter()
        .map(|parts| {
            // A final group is never empty: it has at least the lexical group it started as.
            let heaviest = parts
                .iter()
                .copied()
                .max_by_key(|&g| {
                    let w: usize = lexical[g].iter().map(|&l| letters.weight[l]).sum();
                    (w, std::cmp::Reverse(g))
                })
                .unwrap_or(parts[0]);
            let central = centrals[heaviest];
            let mut members: Vec<(usize, Membership)> = Vec::new();
            for &g in parts {
                for &l in &lexical[g] {
                    let why = if g != heaviest {
                        let score = sem.as_ref().map_or(0.0, |s| s.cosine(g, heaviest));
                        Membership {
                            reason: Reason::SameMeaning,
                            score: score.clamp(0.0, 1.0),
                        }
                    } else if l == central {
                        Membership {
                            reason: Reason::SameLetter,
                            score: 1.0,
                        }
                    } else {
                        let share = near_dup(&docs[l], &docs[central]);
                        if share >= params.near_duplicate {
                            Membership {
                                reason: Reason::SameLetter,
                                score: share as f32,
                            }
                        } else {
                            Membership {
                                reason: Reason::SameWords,
                                score: cos(l, central).clamp(0.0, 1.0) as f32,
                            }
                        }
                    };
                    members.extend(letters.members[l].iter().map(|&i| (i, why)));
                }
            }
            members.sort_unstable_by_key(|&(i, _)| i);
            let central_text = letters.reps[central];
            ProposedGroup {
                title: title_of(texts[central_text]),
                central: central_text,
                members: members.iter().map(|&(i, _)| i).collect(),
                why: members.iter().map(|&(_, w)| w).collect(),
            }
        })
        .collect();
    // Largest first; among equals, by the central text, so the order too is the same for
    // every arrival order.
    groups.sort_by(|a, b| {
        b.members
            .len()
            .cmp(&a.members.len())
            .then_with(|| texts[a.central].cmp(texts[b.central]))
    });
    groups
}

/// Distinct letters: texts whose normalised cores are equal are one letter, stood for by its
/// first text in canonical order (by core, then by whole text). Letters are in canonical
/// order, so nothing downstream sees the arrival order.
struct Letters {
    /// For each letter, the input index that stands for it.
    reps: Vec<usize>,
    /// For each letter, every input index with that core.
    members: Vec<Vec<usize>>,
    /// How many texts each letter stands for.
    weight: Vec<usize>,
}

impl Letters {
    fn of(texts: &[&str]) -> Letters {
        let keys: Vec<String> = parallel_map(texts, |t| letter_key(core_text(t)));
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by(|&a, &b| {
            keys[a]
                .cmp(&keys[b])
                .then_with(|| texts[a].cmp(texts[b]))
                .then(a.cmp(&b))
        });
        let mut members: Vec<Vec<usize>> = Vec::new();
        let mut last: Option<&str> = None;
        for &i in &order {
            // A text with nothing to read (no letter or digit) is a letter of its own.
            let same = !keys[i].is_empty() && last == Some(keys[i].as_str());
            match members.last_mut() {
                Some(m) if same => m.push(i),
                _ => members.push(vec![i]),
            }
            last = Some(keys[i].as_str());
        }
        Letters {
            reps: members.iter().map(|m| m[0]).collect(),
            weight: members.iter().map(Vec::len).collect(),
            members,
        }
    }
}

/// What makes two texts the same letter: the core's letters and digits after NFKC and case
/// folding (punctuation and spacing ignored). Public for `examples/eval_grouping.rs`.
#[doc(hidden)]
pub fn letter_key(core: &str) -> String {
    core.nfkc()
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// The union-find's groups as lists of elements in order, listed by their first element.
fn components(uf: &mut UnionFind, m: usize) -> Vec<Vec<usize>> {
    let mut slot: HashMap<usize, usize> = HashMap::new();
    let mut out: Vec<Vec<usize>> = Vec::new();
    for i in 0..m {
        let r = uf.find(i);
        let s = *slot.entry(r).or_insert_with(|| {
            out.push(Vec::new());
            out.len() - 1
        });
        out[s].push(i);
    }
    out
}

/// The letter with the highest total similarity to the others, each counted as often as it
/// was sent (over the 24 most sent letters, so a huge group costs no more than a small one).
fn most_central(letters: &[usize], weight: &[usize], sim: &impl Fn(usize, usize) -> f64) -> usize {
    if letters.len() <= 2 {
        return letters
            .iter()
            .copied()
            .max_by_key(|&l| (weight[l], std::cmp::Reverse(l)))
            .unwrap_or(letters[0]);
    }
    let mut sample: Vec<usize> = letters.to_vec();
    sample.sort_by_key(|&l| (std::cmp::Reverse(weight[l]), l));
    sample.truncate(24);
    let mut best = (f64::MIN, sample[0]);
    for &a in &sample {
        let total: f64 = sample
            .iter()
            .map(|&b| {
                let w = weight[b] as f64;
                if b == a { w - 1.0 } else { w * sim(a, b) }
            })
            .sum();
        if total > best.0 {
            best = (total, a);
        }
    }
    best.1
}

/// The first sentence after any greeting ("尊敬的领导：", "Dear Sir or Madam,"), cut to 60
/// characters.
pub fn title_of(text: &str) -> String {
    const MAX: usize = 60;
    let rest = without_greeting(text);
    let sentences: Vec<&str> = rest
        .split(['。', '！', '？', '!', '?', '\n', '；', ';'])
        .flat_map(|s| s.split(". "))
        .map(|s| s.trim().trim_end_matches('.').trim())
        .filter(|s| !s.is_empty())
        .collect();
    // "I am writing about Article 9." says nothing of the opinion: take the next sentence.
    let first = match sentences.as_slice() {
        [opener, next, ..] if is_opener(opener) => next,
        [first, ..] => first,
        [] => text.trim(),
    };
    if first.chars().count() > MAX {
        let cut: String = first.chars().take(MAX).collect();
        format!("{}…", cut.trim_end())
    } else {
        first.to_string()
    }
}

/// The sentences of a text that ask or argue for something (建议, 希望, 应当, should, please,
/// oppose …), in order; the whole core when none does. What the semantic stage reads: a
/// personal story around a request says little about which request it is.
pub fn request_of(text: &str) -> String {
    const CUES: [&str; 44] = [
        "建议",
        "希望",
        "应当",
        "应该",
        "不应",
        "请",
        "要求",
        "呼吁",
        "恳请",
        "改为",
        "改成",
        "延长",
        "缩短",
        "增加",
        "减少",
        "取消",
        "删除",
        "保留",
        "提高",
        "降低",
        "明确",
        "不要",
        "不必",
        "反对",
        "支持",
        "赞成",
        "同意",
        "足够",
        "should",
        "please",
        "must",
        "need",
        "urge",
        "recommend",
        "propose",
        "suggest",
        "support",
        "oppose",
        "request",
        "keep",
        "remove",
        "extend",
        "require",
        "enough",
    ];
    let core = core_text(text);
    let lower = core.to_lowercase();
    // Sentence ends, found in the lower-cased copy (whose byte offsets may differ from the
    // original's, so the sentences are cut from it too).
    let mut out = String::new();
    let mut start = 0;
    let ends: Vec<usize> = lower
        .char_indices()
        .filter(|&(i, c)| {
            matches!(c, '。' | '！' | '？' | '!' | '?' | '\n' | '；' | ';')
                || (c == '.' && lower[i + 1..].starts_with(' '))
        })
        .map(|(i, c)| i + c.len_utf8())
        .chain(std::iter::once(lower.len()))
        .collect();
    for end in ends {
        let sentence = lower[start..end].trim();
        start = end;
        if sentence.is_empty() {
            continue;
        }
        if CUES.iter().any(|c| sentence.contains(c)) {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(sentence);
        }
    }
    if out.chars().filter(|c| c.is_alphanumeric()).count() < 4 {
        return lower.trim().to_string();
    }
    out
}

/// The text after any leading greeting clauses.
fn without_greeting(text: &str) -> &str {
    let mut rest = text.trim();
    while let Some((i, c)) = rest
        .char_indices()
        .find(|&(_, c)| matches!(c, ',' | '，' | ':' | '：' | '!' | '！' | '。' | '\n'))
    {
        if !is_greeting(&rest[..i]) {
            break;
        }
        rest = rest[i + c.len_utf8()..].trim_start();
    }
    rest
}

/// The letter without its wrapping: leading greetings and trailing sign-offs (此致敬礼,
/// "Regards, …", a dashed signature, contact details). What is left is what copies of a
/// campaign letter share; if nothing is left, the whole text.
pub fn core_text(text: &str) -> &str {
    let mut core = without_greeting(text).trim_end();
    let starts: Vec<usize> = core
        .char_indices()
        .filter(|&(_, c)| matches!(c, '。' | '！' | '？' | '!' | '?' | '\n' | '；' | '.'))
        .map(|(i, c)| i + c.len_utf8())
        .collect();
    let mut cut = None;
    for &start in starts.iter().rev() {
        let tail = &core[start..];
        if tail.chars().filter(|c| c.is_alphanumeric()).count() >= 40 {
            break;
        }
        if is_signoff(tail) {
            cut = Some(start);
        }
    }
    if let Some(cut) = cut {
        core = &core[..cut];
    }
    if core.chars().any(char::is_alphanumeric) {
        core
    } else {
        text
    }
}

fn is_signoff(segment: &str) -> bool {
    let lower = segment.trim().to_lowercase();
    let visible = lower.chars().filter(|c| c.is_alphanumeric()).count();
    visible < 40
        && [
            "此致",
            "敬礼",
            "谢谢",
            "感谢",
            "顺祝",
            "祝好",
            "——",
            "--",
            "—",
            "联系",
            "电话",
            "thank",
            "regards",
            "best,",
            "best wishes",
            "best regards",
            "sincerely",
            "yours",
            "cheers,",
            "tel:",
            "tel.",
            "sent from",
            "kind regards",
        ]
        .iter()
        .any(|s| lower.starts_with(s))
}

fn is_opener(sentence: &str) -> bool {
    let lower = sentence.to_lowercase();
    [
        "i am writing",
        "i'm writing",
        "i write",
        "i would like to comment",
        "我想就",
        "现就",
        "以下是",
    ]
    .iter()
    .any(|o| lower.starts_with(o))
        && lower.chars().count() < 60
}

fn is_greeting(clause: &str) -> bool {
    let lower = clause.trim().to_lowercase();
    let visible = lower.chars().filter(|c| c.is_alphanumeric()).count();
    visible < 3
        || [
            "尊敬的",
            "您好",
            "你好",
            "各位",
            "领导",
            "dear",
            "hello",
            "hi ",
            "to whom",
            "good morning",
            "good afternoon",
        ]
        .iter()
        .any(|g| lower.starts_with(g) && visible < 30)
        || (lower.ends_with("局") || lower.ends_with("组") || lower.ends_with("办")) && visible < 12
}

// ---------------------------------------------------------------------------------------
// Text → features

/// A text's features: sorted, distinct 64-bit hashes.
struct Doc {
    /// Unit bigrams (stage one).
    bigrams: Vec<u64>,
    /// Bigrams plus content unigrams (stage two and MinHash).
    terms: Vec<u64>,
    /// Quantities in context (article numbers, days, percentages), sorted and distinct.
    numbers: Vec<u64>,
    /// Which of `POLAR` the text uses.
    polar: u128,
    /// Whether the text refuses rather than asks (see `refusals`).
    refuses: bool,
    /// The terms around its refusal words: what it refuses.
    refused: Vec<u64>,
    /// The terms right after a plain negation (不, 别, 没, not, no): what it says no to
    /// without a refusal word ("宽限期内不罚款" beside "不予罚款"). Never a refusal by itself
    /// (不 is everywhere), but a text that negates what another refuses takes its side.
    negated: Vec<u64>,
    /// Whether its refusals govern at least `CENTRAL_REFUSAL` of its terms: refusing is what
    /// the text is about, not a clause beside its request ("宽限期内不予罚款").
    refuses_centrally: bool,
    /// Whether it is written mostly in letters (English) rather than Chinese characters.
    latin: bool,
}

impl Doc {
    fn new(text: &str) -> Doc {
        let norm = normalise(text);
        let (units, mut numbers, starts) = units(&norm);
        numbers.sort_unstable();
        numbers.dedup();
        let polar = polar_words(&norm);
        let bigram = |a: u64, b: u64| mix(a.rotate_left(21) ^ b ^ 0x5851_f42d_4c95_7f2d);
        let unigram = |a: u64| mix(a ^ 0x2545_f491_4f6c_dd1d);
        let mut bigrams: Vec<u64> = units.windows(2).map(|w| bigram(w[0].0, w[1].0)).collect();
        if units.len() == 1 {
            bigrams.push(mix(units[0].0 ^ 0x1405_7b7e_f767_814f));
        }
        let mut terms = bigrams.clone();
        terms.extend(units.iter().filter(|u| u.1).map(|u| unigram(u.0)));
        bigrams.sort_unstable();
        bigrams.dedup();
        terms.sort_unstable();
        terms.dedup();
        // What each refusal governs: the terms of the units after it ("不建议[延长至三十日]"),
        // or before it for the words that judge what precedes them ("[十五日的期限]已经足够").
        let mut refused: Vec<u64> = Vec::new();
        let spans = refusals(&norm);
        for &(from, to, before) in &spans {
            let (lo, hi) = if before {
                let first = starts.partition_point(|&s| s < from);
                (first.saturating_sub(REFUSAL_REACH), first)
            } else {
                let after = starts.partition_point(|&s| s < to);
                (after, (after + REFUSAL_REACH).min(units.len()))
            };
            let window = &units[lo..hi];
            refused.extend(window.windows(2).map(|w| bigram(w[0].0, w[1].0)));
            refused.extend(window.iter().filter(|u| u.1).map(|u| unigram(u.0)));
        }
        refused.sort_unstable();
        refused.dedup();
        let mut negated: Vec<u64> = Vec::new();
        for end in plain_negations(&norm) {
            let after = starts.partition_point(|&s| s < end);
            let window = &units[after..(after + NEGATION_REACH).min(units.len())];
            negated.extend(window.windows(2).map(|w| bigram(w[0].0, w[1].0)));
            negated.extend(window.iter().filter(|u| u.1).map(|u| unigram(u.0)));
        }
        negated.sort_unstable();
        negated.dedup();
        let refuses_centrally = !spans.is_empty() && {
            let inside = terms
                .iter()
                .filter(|t| refused.binary_search(t).is_ok())
                .count();
            inside as f64 >= CENTRAL_REFUSAL * terms.len() as f64
        };
        Doc {
            bigrams,
            terms,
            numbers,
            polar,
            refuses: !spans.is_empty(),
            refused,
            negated,
            refuses_centrally,
            latin: latin_script(&norm),
        }
    }
}

/// Whether a text is written mostly in letters (English, or another alphabet) rather than
/// Chinese characters; a Chinese character carries about as much as a few letters.
fn latin_script(text: &str) -> bool {
    let (mut han, mut latin) = (0usize, 0usize);
    for c in text.chars() {
        if is_cjk(c) {
            han += 1;
        } else if c.is_alphabetic() {
            latin += 1;
        }
    }
    latin > han * 2
}

/// What a text's features are read from: NFKC (full-width letters and digits become
/// ASCII), then lower case. Public, like `units`, for the fuzz targets in `fuzz/`.
#[doc(hidden)]
pub fn normalise(text: &str) -> String {
    text.nfkc().flat_map(char::to_lowercase).collect()
}

/// How many units next to a refusal word it governs.
const REFUSAL_REACH: usize = 5;

/// How many units after a plain negation it governs.
const NEGATION_REACH: usize = 3;

/// Where each plain negation of the normalised text ends (bytes): 不, 别, 没, 未, 勿, and the
/// English words of `NEGATIONS`. One pass over the text.
fn plain_negations(norm: &str) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut word: Option<usize> = None;
    for (at, c) in norm
        .char_indices()
        .chain(std::iter::once((norm.len(), ' ')))
    {
        if (c.is_ascii() && c.is_alphanumeric()) || (c == '\'' && word.is_some()) {
            word.get_or_insert(at);
            continue;
        }
        if let Some(start) = word.take()
            && !c.is_alphanumeric()
            && NEGATIONS.contains(&&norm[start..at])
        {
            ends.push(at);
        }
        if matches!(c, '不' | '别' | '没' | '未' | '勿') {
            ends.push(at + c.len_utf8());
        }
    }
    ends
}

/// English plain negations (see `Doc::negated`).
const NEGATIONS: [&str; 7] = ["not", "no", "never", "don't", "dont", "without", "nor"];

/// The share of a text's terms its refusals must govern for refusing to be what it is about.
/// A campaign letter that asks for a longer period and, in a clause, for no fines meanwhile
/// has 2–6 % of its terms under a refusal; on the tuning set a letter that argues against a
/// request has 9 % or more. A long story can bury a refusal under the share, so joins across
/// two scripts do not rely on it (see `meaning::stage_three`).
const CENTRAL_REFUSAL: f64 = 0.075;

/// Which of `POLAR` the normalised text uses, longest words first: "不支持" is not also
/// "支持", "not enough" is not also "enough".
fn polar_words(norm: &str) -> u128 {
    let mut taken: Vec<(usize, usize)> = Vec::new();
    let mut bits = 0u128;
    let mut order: Vec<usize> = (0..POLAR.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(POLAR[i].len()));
    for i in order {
        let w = POLAR[i];
        for (at, _) in norm.match_indices(w) {
            let end = at + w.len();
            if taken.iter().any(|&(a, b)| at < b && a < end) {
                continue;
            }
            if w.is_ascii() && !stands_alone(norm, at, end) {
                continue;
            }
            // "不建议取消" does not take 取消's side: a refusal right before cancels it.
            let before = &norm[..at];
            if REFUSALS.iter().any(|r| {
                before
                    .strip_suffix(r)
                    .or_else(|| before.strip_suffix(&format!("{r}再")))
                    .is_some()
            }) {
                taken.push((at, end));
                continue;
            }
            taken.push((at, end));
            bits |= 1u128 << i;
        }
    }
    bits
}

/// Whether `norm[at..end]` is a whole Latin word (no letter or digit right before or after).
fn stands_alone(norm: &str, at: usize, end: usize) -> bool {
    !norm[..at]
        .chars()
        .next_back()
        .is_some_and(char::is_alphanumeric)
        && !norm[end..]
            .chars()
            .next()
            .is_some_and(char::is_alphanumeric)
}

/// Words that turn a request into its refusal: 不建议延长 against 建议延长, 取消收费 against
/// 保留收费, "15 days is enough" against "extend the period". Removal (取消, remove) and
/// exemption (免费, free of charge) refuse what follows them.
const REFUSALS: [&str; 65] = [
    "不建议",
    "不应该",
    "不应当",
    "不应",
    "不宜",
    "不必",
    "无需",
    "无须",
    "不需要",
    "没有必要",
    "没必要",
    "不同意",
    "不赞成",
    "不支持",
    "反对",
    "不要",
    "不用",
    "已经足够",
    "已足够",
    "足够了",
    "就够了",
    "取消",
    "删除",
    "删去",
    "删掉",
    "废除",
    "去掉",
    "免除",
    "免收",
    "免费",
    "撤销",
    "should not",
    "shouldn't",
    "should be free",
    "must not",
    "need not",
    "needn't",
    "no need",
    "not necessary",
    "unnecessary",
    "do not support",
    "don't support",
    "do not agree",
    "don't agree",
    "do not think",
    "don't think",
    "disagree",
    "oppose",
    "against",
    "is enough",
    "is sufficient",
    "are enough",
    "are sufficient",
    "remove",
    "delete",
    "abolish",
    "scrap",
    "eliminate",
    "repeal",
    "free of charge",
    "reject",
    "rejected",
    "refuse",
    "拒绝",
    "不予",
];

/// The refusal words of the normalised text that stand: neither cancelled by another right
/// after it (不建议取消 keeps, 反对删除 keeps) nor followed by 只/仅 ("不要只给十五天" asks for
/// more, it refuses nothing). As byte spans.
fn refusals(norm: &str) -> Vec<(usize, usize, bool)> {
    // Every refusal word's span, longest first where they overlap.
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for w in REFUSALS {
        for (at, _) in norm.match_indices(w) {
            // A Latin word must stand alone: "scrap" is not in "scrapbook".
            if w.is_ascii() && !stands_alone(norm, at, at + w.len()) {
                continue;
            }
            spans.push((at, at + w.len()));
        }
    }
    spans.sort_unstable_by_key(|&(a, b)| (a, std::cmp::Reverse(b)));
    let mut kept: Vec<(usize, usize)> = Vec::new();
    for (a, b) in spans {
        if kept.last().is_some_and(|&(_, end)| a < end) {
            continue;
        }
        kept.push((a, b));
    }
    // What stands between two refusal words: "不建议取消" or "不建议再取消" cancel, but not
    // "已经足够，不必" (two refusals of one request).
    let gap = |from: usize, to: usize| {
        let between = &norm[from..to];
        if between
            .chars()
            .any(|c| !c.is_alphanumeric() && !c.is_whitespace())
        {
            usize::MAX
        } else {
            between.chars().filter(|c| c.is_alphanumeric()).count()
        }
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < kept.len() {
        let (start, end) = kept[i];
        // Cancelled by a second refusal right after it.
        if let Some(&(next, _)) = kept.get(i + 1)
            && gap(end, next) <= 1
        {
            i += 2;
            continue;
        }
        let rest = norm[end..].trim_start();
        let only = ["只", "仅", "光", "only", "just"]
            .iter()
            .any(|w| rest.starts_with(w));
        if !only {
            let word = &norm[start..end];
            out.push((start, end, JUDGES_BEFORE.iter().any(|w| word.contains(w))));
        }
        i += 1;
    }
    out
}

/// Refusal words that judge what comes before them ("fifteen days is enough", "late
/// comments should be rejected").
const JUDGES_BEFORE: [&str; 5] = ["足够", "够了", "enough", "sufficient", "rejected"];

/// Words whose opposites turn a near-copy into a different opinion.
const POLAR: [&str; 68] = [
    "支持",
    "反对",
    "赞成",
    "延长",
    "缩短",
    "增加",
    "减少",
    "提高",
    "降低",
    "扩大",
    "缩小",
    "放宽",
    "收紧",
    "保留",
    "删除",
    "support",
    "oppose",
    "extend",
    "shorten",
    "increase",
    "decrease",
    "reduce",
    "raise",
    "lower",
    "keep",
    "remove",
    "过窄",
    "过宽",
    "过长",
    "过短",
    "太长",
    "太短",
    "过高",
    "过低",
    "太高",
    "太低",
    "过多",
    "过少",
    "太多",
    "太少",
    "过严",
    "过松",
    "too long",
    "too short",
    "too high",
    "too low",
    "too narrow",
    "too broad",
    "too many",
    "too few",
    "取消",
    "足够",
    "不够",
    "不足",
    "enough",
    "sufficient",
    "not enough",
    "insufficient",
    "维持",
    "retain",
    "abolish",
    "more time",
    "不支持",
    "不赞成",
    "不同意",
    "同意",
    "do not support",
    "don't support",
];
/// Index pairs into `POLAR` that contradict each other.
const OPPOSITES: [(u8, u8); 54] = [
    (0, 1),
    (2, 1),
    (3, 4),
    (5, 6),
    (5, 14),
    (7, 8),
    (9, 10),
    (11, 12),
    (13, 14),
    (15, 16),
    (17, 18),
    (19, 20),
    (19, 21),
    (22, 23),
    (24, 25),
    (26, 27),
    (28, 29),
    (30, 31),
    (28, 31),
    (30, 29),
    (32, 33),
    (34, 35),
    (36, 37),
    (38, 39),
    (40, 41),
    (42, 43),
    (44, 45),
    (46, 47),
    (48, 49),
    (40, 27),
    (13, 50),
    (58, 50),
    (58, 14),
    (51, 52),
    (51, 53),
    (51, 3),
    (51, 29),
    (51, 31),
    (54, 17),
    (55, 17),
    (54, 43),
    (55, 43),
    (54, 61),
    (59, 25),
    (59, 60),
    (0, 62),
    (2, 62),
    (0, 63),
    (2, 63),
    (65, 64),
    (15, 66),
    (15, 67),
    (54, 56),
    (55, 57),
];

/// Two texts that read alike but name different quantities (另一条、另一期限), take opposite
/// sides (支持/反对, extend/shorten, 保留/取消), or of which one refuses what the other asks
/// (不建议延长 / 建议延长) are different opinions. A text that merely leaves a number out (a
/// dropped clause) does not conflict.
fn conflicts(a: &Doc, b: &Doc) -> bool {
    conflict(a, b).is_some()
}

/// Why two texts are different opinions however alike they read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflict {
    /// Each names a quantity the other does not (another article, another period).
    Quantities,
    /// One refuses what the other asks (不建议延长 / 建议延长, 取消 / 保留).
    Refusal,
    /// They use opposite words (支持 / 反对, extend / shorten).
    Opposites,
}

/// Whether two texts conflict, and why (their cores are compared).
pub fn conflict_between(a: &str, b: &str) -> Option<Conflict> {
    conflict(&Doc::new(core_text(a)), &Doc::new(core_text(b)))
}

fn conflict(a: &Doc, b: &Doc) -> Option<Conflict> {
    let only = |x: &[u64], y: &[u64]| x.iter().any(|n| y.binary_search(n).is_err());
    if only(&a.numbers, &b.numbers) && only(&b.numbers, &a.numbers) {
        return Some(Conflict::Quantities);
    }
    // One refuses what the other asks: its refusal governs words the other uses.
    // (Most of what the refusal governs is in the other text: it asks for what this one
    // refuses. A dropped clause with a refusal in it leaves the other text without it.)
    // A text that says no to the same words with a plain negation is on the refusal's side.
    let refused_by = |x: &Doc, y: &Doc| {
        let shared = x
            .refused
            .iter()
            .filter(|t| y.terms.binary_search(t).is_ok() && y.negated.binary_search(t).is_err())
            .count();
        x.refuses && !y.refuses && !x.refused.is_empty() && shared * 2 >= x.refused.len()
    };
    if refused_by(a, b) || refused_by(b, a) {
        return Some(Conflict::Refusal);
    }
    let has = |d: &Doc, i: u8| d.polar & (1u128 << i) != 0;
    OPPOSITES
        .iter()
        .any(|&(p, q)| {
            (has(a, p) && !has(a, q) && has(b, q) && !has(b, p))
                || (has(a, q) && !has(a, p) && has(b, p) && !has(b, q))
        })
        .then_some(Conflict::Opposites)
}

/// Whether two texts close in meaning take opposite sides: one refuses what the other says.
/// Two texts that both refuse centrally (see `Doc::refuses_centrally`) argue on one side.
/// Where they share words in one script, the shared words decide: those one text's refusal
/// governs (and the other neither refuses nor negates) must weigh, by `idf`, at least
/// `STANCE_SHARE` of the rest. So a refusal in a clause beside the common request
/// ("宽限期内不予罚款") does not make two letters opposites, and "不建议延长宽限期" is the
/// other side of "宽限期延长到十二个月". In two scripts, or with no word in common, a text
/// that refuses centrally is on the other side of one that does not.
fn opposed(a: &Doc, b: &Doc, idf: &Idf) -> bool {
    if a.refuses_centrally && b.refuses_centrally {
        return false;
    }
    let (governed, rest) = stance_weights(a, b, idf);
    if a.latin != b.latin || governed[0] + governed[1] + rest == 0.0 {
        return a.refuses_centrally != b.refuses_centrally;
    }
    governed[0].max(governed[1]) >= STANCE_SHARE * rest
}

/// How much of what two texts close in meaning share must lie under one side's refusal (as a
/// share of the rest, by IDF weight) for them to take opposite sides. Counting each word once,
/// on the tuning set: an opposing letter and a letter it opposes have a third of their common
/// words under its refusal (median, 10 % at the tenth percentile); two letters of one opinion
/// with a refusal clause, 2 % (13 % at the ninetieth).
const STANCE_SHARE: f32 = 0.15;

/// The IDF weight of the terms two texts share that the first text's refusal governs (and the
/// second neither refuses nor negates), of those the second's governs, and of the rest.
fn stance_weights(a: &Doc, b: &Doc, idf: &Idf) -> ([f32; 2], f32) {
    let (mut governed, mut rest) = ([0f32; 2], 0f32);
    let (mut i, mut j) = (0, 0);
    while i < a.terms.len() && j < b.terms.len() {
        match a.terms[i].cmp(&b.terms[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                let t = a.terms[i];
                let w = idf.w(t);
                // Refused by one, and by the other refused or negated: both say no to it.
                let no = |d: &Doc| d.refused.binary_search(&t).is_ok();
                let negates = |d: &Doc| no(d) || d.negated.binary_search(&t).is_ok();
                let (in_a, in_b) = (no(a) && !negates(b), no(b) && !negates(a));
                if in_a {
                    governed[0] += w;
                } else if in_b {
                    governed[1] += w;
                } else {
                    rest += w;
                }
                i += 1;
                j += 1;
            }
        }
    }
    (governed, rest)
}

/// Units of the normalised text: `(hash, is_content)`; a content unit also counts alone. Also
/// the quantities in context: a number after 第 / "article" or before a unit such as 条, 天,
/// 日, "days", "percent", or a share (50%, 百分之五十), not dates, phone numbers or house
/// numbers; an amount counts in full (5千 and 1.5万 as 5,000 and 15,000). Also where each
/// unit starts in `norm`. Public for the fuzz targets in `fuzz/`.
#[doc(hidden)]
pub fn units(norm: &str) -> (Vec<(u64, bool)>, Vec<u64>, Vec<usize>) {
    enum Tok {
        Cjk(char),
        Word(String),
    }
    let mut toks: Vec<Tok> = Vec::with_capacity(norm.len() / 2);
    // Where each token starts in `norm` (bytes).
    let mut starts: Vec<usize> = Vec::with_capacity(norm.len() / 2);
    let mut word = String::new();
    let mut word_start = 0;
    for (at, c) in norm.char_indices() {
        if is_cjk(c) || !c.is_alphanumeric() {
            if !word.is_empty() {
                toks.push(Tok::Word(std::mem::take(&mut word)));
                starts.push(word_start);
            }
            if is_cjk(c) {
                toks.push(Tok::Cjk(c));
                starts.push(at);
            }
        } else {
            if word.is_empty() {
                word_start = at;
            }
            word.push(c);
        }
    }
    if !word.is_empty() {
        toks.push(Tok::Word(word));
        starts.push(word_start);
    }
    let mut numbers = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        // 半个月 and 半年: half a month, half a year (in days, as below).
        if let Tok::Cjk('半') = &toks[i] {
            let half = match (toks.get(i + 1), toks.get(i + 2)) {
                (Some(Tok::Cjk('个')), Some(Tok::Cjk('月'))) => Some(15),
                (Some(Tok::Cjk('年')), _) => Some(180),
                _ => None,
            };
            if let Some(days) = half {
                numbers.push(days);
            }
            i += 1;
            continue;
        }
        let (value, end) = match &toks[i] {
            Tok::Word(w) if w.bytes().all(|b| b.is_ascii_digit()) => {
                // 5千, 3万, 1.5万: digits, with or without a decimal part, and a multiplier.
                let fraction = match toks.get(i + 1) {
                    Some(Tok::Word(f))
                        if f.bytes().all(|b| b.is_ascii_digit())
                            && starts[i + 1] == starts[i] + w.len() + 1
                            && norm[..starts[i + 1]].ends_with('.') =>
                    {
                        Some(f.as_str())
                    }
                    _ => None,
                };
                let at = if fraction.is_some() { i + 2 } else { i + 1 };
                let multiplier = match toks.get(at) {
                    Some(Tok::Cjk(c)) => cjk_multiplier(*c),
                    _ => None,
                };
                match (multiplier, fraction) {
                    (Some(m), f) => (decimal_times(w, f.unwrap_or(""), m), at + 1),
                    // 2.5 is no whole quantity.
                    (None, Some(_)) => (None, at),
                    (None, None) => (w.trim_start_matches('0').parse::<u64>().ok(), at),
                }
            }
            Tok::Cjk(c) if is_cjk_numeral(*c) => {
                let mut j = i;
                let mut digits = String::new();
                while let Some(Tok::Cjk(c)) = toks.get(j) {
                    if !is_cjk_numeral(*c) {
                        break;
                    }
                    digits.push(*c);
                    j += 1;
                }
                (cjk_number(&digits), j)
            }
            _ => (None, i + 1),
        };
        if let Some(v) = value {
            let before = i.checked_sub(1).and_then(|k| toks.get(k));
            let before2 = i.checked_sub(2).and_then(|k| toks.get(k));
            let after = toks.get(end);
            // Where the number ends in `norm`, for a percent sign right after it.
            let tail = match &toks[end - 1] {
                Tok::Word(w) => starts[end - 1] + w.len(),
                Tok::Cjk(c) => starts[end - 1] + c.len_utf8(),
            };
            let percent = norm[tail..].trim_start().starts_with('%')
                || (i >= 3
                    && matches!(
                        (&toks[i - 3], &toks[i - 2], &toks[i - 1]),
                        (Tok::Cjk('百'), Tok::Cjk('分'), Tok::Cjk('之'))
                    ));
            // A period counts in days (a month as 30, a year as 360), so that 一个月 and
            // 三十日, 一年 and 十二个月, 两周 and 14 days name the same quantity.
            const MONTH: u64 = 30;
            let in_context = match (before, after) {
                _ if percent => Some(1),
                (Some(Tok::Cjk('第')), _) => Some(1),
                (Some(Tok::Word(w)), _)
                    if matches!(w.as_str(), "article" | "section" | "clause" | "art") =>
                {
                    Some(1)
                }
                // 六个月, 十二个月: a period in months.
                (_, Some(Tok::Cjk('个'))) => {
                    matches!(toks.get(end + 1), Some(Tok::Cjk('月'))).then_some(MONTH)
                }
                // 三年: a period in years (2026年 is a date).
                (_, Some(Tok::Cjk('年'))) => (v < 1000).then_some(12 * MONTH),
                (_, Some(Tok::Cjk(u))) if "条款项天日倍元周米".contains(*u) => {
                    // 3月1日 is a date, not a period.
                    (!matches!(before, Some(Tok::Cjk('月')))
                        && !matches!(before2, Some(Tok::Cjk('月'))))
                    .then_some(if *u == '周' { 7 } else { 1 })
                }
                (_, Some(Tok::Word(w))) => match w.as_str() {
                    "week" | "weeks" => Some(7),
                    "month" | "months" => Some(MONTH),
                    "year" | "years" => Some(12 * MONTH),
                    "day" | "days" | "percent" | "employees" | "employee" | "hours" | "meters"
                    | "metres" | "yuan" => Some(1),
                    _ => None,
                },
                _ => None,
            };
            if let Some(scale) = in_context {
                numbers.push(v.saturating_mul(scale));
            }
        }
        i = end;
    }
    let units = toks
        .iter()
        .map(|t| match t {
            Tok::Cjk(c) => (mix(u64::from(*c) | 1 << 40), !is_cjk_stop(*c)),
            Tok::Word(w) => {
                let stem = stem(w);
                (mix(fnv(stem.as_bytes())), !is_stopword(stem))
            }
        })
        .collect();
    (units, numbers, starts)
}

fn is_cjk_numeral(c: char) -> bool {
    "零〇一二两三四五六七八九十百千万亿".contains(c)
}

/// What 千, 万 or 亿 after digits multiplies them by (5千 is 5,000; 3万 is 30,000).
fn cjk_multiplier(c: char) -> Option<u64> {
    match c {
        '千' => Some(1_000),
        '万' => Some(10_000),
        '亿' => Some(100_000_000),
        _ => None,
    }
}

/// `whole`.`fraction` (ASCII digits) times `m`, when that is a whole number: 1.5 × 10,000 is
/// 15,000; 1.2345 × 1,000 is none.
fn decimal_times(whole: &str, fraction: &str, m: u64) -> Option<u64> {
    let fraction = fraction.trim_end_matches('0');
    let scale = 10u64.checked_pow(u32::try_from(fraction.len()).ok()?)?;
    if !m.is_multiple_of(scale) {
        return None;
    }
    let whole: u64 = if whole.trim_start_matches('0').is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let part: u64 = if fraction.is_empty() {
        0
    } else {
        fraction.parse().ok()?
    };
    let v = whole
        .checked_mul(m)?
        .checked_add(part.checked_mul(m / scale)?)?;
    (v > 0).then_some(v)
}

/// 十五 → 15, 三十 → 30, 一百二十 → 120, 二〇二六 → 2026, 一万五千 → 15000.
fn cjk_number(s: &str) -> Option<u64> {
    let digit = |c: char| {
        "零一二三四五六七八九"
            .find(c)
            .map(|i| (i / 3) as u64)
            .or(match c {
                '〇' => Some(0),
                '两' => Some(2),
                _ => None,
            })
    };
    if !s.chars().any(|c| "十百千万亿".contains(c)) {
        // A run of more digits than a u64 holds is no quantity.
        return s
            .chars()
            .try_fold(0u64, |acc, c| acc.checked_mul(10)?.checked_add(digit(c)?));
    }
    // `section` is what stands since the last 万 or 亿: 一万五千 is 1 × 10,000 + 5,000, and
    // 三亿五千万 is 3 × 100,000,000 + 5,000 × 10,000.
    let (mut total, mut section, mut current) = (0u64, 0u64, 0u64);
    for c in s.chars() {
        match c {
            '十' | '百' | '千' => {
                let unit = match c {
                    '十' => 10,
                    '百' => 100,
                    _ => 1000,
                };
                section = section.checked_add(current.max(1) * unit)?;
                current = 0;
            }
            '万' => {
                let part = section.checked_add(current)?.max(1);
                total = total.checked_add(part.checked_mul(10_000)?)?;
                (section, current) = (0, 0);
            }
            '亿' => {
                let all = total.checked_add(section)?.checked_add(current)?.max(1);
                total = all.checked_mul(100_000_000)?;
                (section, current) = (0, 0);
            }
            _ => current = digit(c)?,
        }
    }
    total.checked_add(section)?.checked_add(current)
}

fn is_cjk(c: char) -> bool {
    matches!(u32::from(c),
        0x3040..=0x30ff   // kana
        | 0x3400..=0x4dbf // CJK extension A
        | 0x4e00..=0x9fff // CJK unified
        | 0xac00..=0xd7af // Hangul
        | 0xf900..=0xfaff // compatibility ideographs
        | 0x20000..=0x2ffff)
}

fn is_cjk_stop(c: char) -> bool {
    "的了是在和与及或我们你他她它这那有也就都而对为把被将之其于以".contains(c)
}

fn is_stopword(w: &str) -> bool {
    matches!(
        w,
        "the"
            | "a"
            | "an"
            | "of"
            | "to"
            | "and"
            | "in"
            | "is"
            | "for"
            | "on"
            | "that"
            | "this"
            | "be"
            | "it"
            | "i"
            | "we"
            | "my"
            | "our"
            | "with"
            | "as"
            | "are"
            | "by"
            | "at"
            | "or"
            | "should"
            | "would"
            | "will"
            | "which"
            | "from"
            | "have"
            | "has"
            | "not"
            | "very"
            | "please"
    )
}

/// Light English stemming: plural and common verb endings, so "deadlines" meets "deadline".
fn stem(w: &str) -> &str {
    if !w.is_ascii() || w.len() <= 3 {
        return w;
    }
    for suffix in ["ing", "ed", "es", "s"] {
        if let Some(s) = w.strip_suffix(suffix)
            && s.len() >= 3
            && !s.ends_with('s')
        {
            return s;
        }
    }
    w
}

fn fnv(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// splitmix64's finaliser: a cheap, well-mixing 64-bit permutation.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Keys that are already hashes need no more hashing.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8 | u64::from(b)).rotate_left(5) ^ self.0;
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = mix(self.0 ^ x);
    }
    fn write_u32(&mut self, x: u32) {
        self.0 = mix(self.0 ^ u64::from(x));
    }
    fn write_usize(&mut self, x: usize) {
        self.0 = mix(self.0 ^ x as u64);
    }
}

type IdBuild = BuildHasherDefault<IdHasher>;

// ---------------------------------------------------------------------------------------
// Similarities

fn intersection(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// Containment of the smaller bigram set in the larger, damped when the smaller is under 25 %
/// of the larger (so a two-word comment is not "contained" in every letter that uses them);
/// never below the Jaccard index.
fn near_dup(a: &Doc, b: &Doc) -> f64 {
    let (la, lb) = (a.bigrams.len(), b.bigrams.len());
    let (small, large) = (la.min(lb), la.max(lb));
    if small == 0 {
        return if large == 0 { 1.0 } else { 0.0 };
    }
    let inter = intersection(&a.bigrams, &b.bigrams) as f64;
    let containment = inter / small as f64;
    let ratio = small as f64 / large as f64;
    let jaccard = inter / ((la + lb) as f64 - inter);
    (containment * (ratio / 0.25).min(1.0)).max(jaccard)
}

/// Inverse document frequencies, counting each stage-one group once.
struct Idf {
    weight: HashMap<u64, f32, IdBuild>,
    default: f32,
}

impl Idf {
    fn over_groups(docs: &[Doc], uf: &mut UnionFind) -> Idf {
        let mut df: HashMap<u64, u32, IdBuild> = HashMap::default();
        let mut groups = 0u32;
        for i in 0..docs.len() {
            if uf.find(i) == i {
                groups += 1;
                for &t in &docs[uf.seed[i]].terms {
                    *df.entry(t).or_insert(0) += 1;
                }
            }
        }
        let total = f64::from(groups) + 1.0;
        let weight = df
            .into_iter()
            .map(|(t, d)| (t, ((total / (f64::from(d) + 0.5)).ln() + 1.0) as f32))
            .collect();
        Idf {
            weight,
            default: (total / 0.5).ln() as f32 + 1.0,
        }
    }

    fn w(&self, t: u64) -> f32 {
        self.weight.get(&t).copied().unwrap_or(self.default)
    }

    fn norm(&self, terms: &[u64]) -> f32 {
        terms
            .iter()
            .map(|&t| {
                let w = self.w(t);
                w * w
            })
            .sum::<f32>()
            .sqrt()
    }

    fn cosine(&self, a: &[u64], na: f32, b: &[u64], nb: f32) -> f64 {
        if na == 0.0 || nb == 0.0 {
            return 0.0;
        }
        let (mut i, mut j) = (0, 0);
        let mut dot = 0f32;
        while i < a.len() && j < b.len() {
            match a[i].cmp(&b[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    let w = self.w(a[i]);
                    dot += w * w;
                    i += 1;
                    j += 1;
                }
            }
        }
        f64::from(dot / (na * nb))
    }
}

// ---------------------------------------------------------------------------------------
// MinHash and LSH

fn minhash_seeds(k: usize) -> Vec<(u64, u64)> {
    (0..k as u64)
        .map(|i| (mix(i * 2 + 1) | 1, mix(i * 2 + 2)))
        .collect()
}

fn signature(terms: &[u64], seeds: &[(u64, u64)]) -> Vec<u32> {
    let mut sig = vec![u32::MAX; seeds.len()];
    for &t in terms {
        for (s, &(a, b)) in sig.iter_mut().zip(seeds) {
            let h = (t.wrapping_mul(a).wrapping_add(b) >> 32) as u32;
            if h < *s {
                *s = h;
            }
        }
    }
    sig
}

/// Candidate pairs: texts whose signatures agree on a whole band. Within a bucket each text is
/// paired with the bucket's first and previous member.
fn lsh_edges(sigs: &[Vec<u32>], bands: usize, rows: usize) -> Vec<(u32, u32)> {
    let mut edges: Vec<(u32, u32)> = Vec::with_capacity(sigs.len() * 4);
    let mut buckets: HashMap<u64, (u32, u32), IdBuild> = HashMap::default();
    for band in 0..bands {
        buckets.clear();
        for (i, sig) in sigs.iter().enumerate() {
            if sig.first() == Some(&u32::MAX) {
                continue; // an empty text matches nothing
            }
            let mut h = mix(band as u64 + 0x9e37);
            for &v in &sig[band * rows..(band + 1) * rows] {
                h = mix(h ^ u64::from(v));
            }
            let i = i as u32;
            match buckets.get_mut(&h) {
                Some((first, last)) => {
                    edges.push((*first, i));
                    if *last != *first {
                        edges.push((*last, i));
                    }
                    *last = i;
                }
                None => {
                    buckets.insert(h, (i, i));
                }
            }
        }
    }
    edges.sort_unstable();
    edges.dedup();
    edges
}

// ---------------------------------------------------------------------------------------
// Union-find

struct UnionFind {
    parent: Vec<usize>,
    size: Vec<usize>,
    /// The seed (shortest member) of each root's group, for the anti-chaining guard.
    seed: Vec<usize>,
    /// Bigram counts: which member is shortest.
    length: Vec<usize>,
}

impl UnionFind {
    fn new(n: usize, length: Vec<usize>) -> UnionFind {
        UnionFind {
            parent: (0..n).collect(),
            size: vec![1; n],
            seed: (0..n).collect(),
            length,
        }
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    /// Joins two roots; the shorter of the two seeds becomes the seed.
    fn union(&mut self, a: usize, b: usize) {
        let (big, small) = if self.size[a] >= self.size[b] {
            (a, b)
        } else {
            (b, a)
        };
        let (sa, sb) = (self.seed[a], self.seed[b]);
        let seed = if (self.length[sa], sa) <= (self.length[sb], sb) {
            sa
        } else {
            sb
        };
        self.parent[small] = big;
        self.size[big] += self.size[small];
        self.seed[big] = seed;
    }
}

fn parallel_map<T: Sync, U: Send>(items: &[T], f: impl Fn(&T) -> U + Sync) -> Vec<U> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(8);
    if threads <= 1 || items.len() < 2_000 {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<U>>()))
            .collect();
        let mut out = Vec::with_capacity(items.len());
        for h in handles {
            match h.join() {
                Ok(part) => out.extend(part),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        out
    })
}

#[doc(hidden)]
pub mod evaluate;
mod matches;
mod meaning;
pub use matches::{Match, MatchVectors, closest_to_group, closest_to_group_with, similar_groups};
use meaning::stage_three;

#[cfg(test)]
mod tests;
