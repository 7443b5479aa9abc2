//! R8: what changed between two rounds of a draft, article by article and inside each article
//! word by word, for Chinese text as well as English.
//!
//! Articles are paired by their text, not by their number: inserting an article renumbers every
//! one after it, and a renumbered article that reads the same is not a change of substance. The
//! pairing takes identical texts first, then the most similar remaining pairs (character-bigram
//! overlap); what stays unpaired was inserted or deleted. Of the pairs, those outside the longest
//! run kept in the same order were moved. Inside a pair, the text is cut into tokens — one per
//! Chinese, Japanese or Korean character (they are written without spaces between words), one
//! per run of letters or digits of other scripts, one per space or punctuation mark — and the
//! token lists are compared with the patience algorithm of the `similar` crate.
//!
//! Whatever the inputs, the old text is the concatenation of an article's `Same` and `Deleted`
//! spans and the new text that of its `Same` and `Inserted` spans (property-tested below).

use std::collections::{HashMap, HashSet, VecDeque};

use serde::Serialize;
use similar::{Algorithm, DiffTag};

/// One article of one round, as the comparison reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleText {
    pub number: i32,
    pub heading: Option<String>,
    pub text: String,
}

/// A piece of an article's text: kept, taken out, or put in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "op", content = "text", rename_all = "snake_case")]
pub enum Span {
    Same(String),
    Deleted(String),
    Inserted(String),
}

/// What became of one article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// The same text (possibly under another number: see `renumbered`).
    Unchanged,
    /// The same article with changed words.
    Edited,
    /// New in the later round.
    Inserted,
    /// Gone in the later round.
    Deleted,
}

/// One article in the comparison, in the later round's order (deleted articles where they
/// stood).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ArticleChange {
    pub kind: ChangeKind,
    /// Its number in the earlier round (absent for an inserted article).
    pub old_number: Option<i32>,
    /// Its number in the later round (absent for a deleted article).
    pub new_number: Option<i32>,
    /// Kept, but in another place among the other kept articles.
    pub moved: bool,
    /// Kept under another number.
    pub renumbered: bool,
    /// The heading's changes; absent when neither round has a heading.
    pub heading: Option<Vec<Span>>,
    /// The text's changes: one `Same` span when it did not change, one `Inserted` or
    /// `Deleted` span for an inserted or deleted article.
    pub text: Vec<Span>,
}

impl ArticleChange {
    /// Anything a reader should see: changed words, a move, a new number, or the whole article.
    pub fn is_change(&self) -> bool {
        self.kind != ChangeKind::Unchanged || self.moved || self.renumbered
    }
}

/// Two texts of one article with less in common than this are an article deleted and another
/// inserted, not one edited.
const PAIRING_THRESHOLD: f64 = 0.4;

/// Compares the articles of an earlier round (`old`) with a later one (`new`).
pub fn compare(old: &[ArticleText], new: &[ArticleText]) -> Vec<ArticleChange> {
    let pairs = pair_articles(old, new);
    let moved = moved_pairs(&pairs);
    let mut old_to_new: HashMap<usize, usize> = HashMap::new();
    for &(o, n) in &pairs {
        old_to_new.insert(o, n);
    }
    let new_to_old: HashMap<usize, usize> = pairs.iter().map(|&(o, n)| (n, o)).collect();

    // Each entry is sorted by (slot, tie): a later-round article at its own index, a deleted one
    // just after the later-round place of the nearest kept (and not moved) article before it.
    let mut entries: Vec<((i64, usize), ArticleChange)> = Vec::new();
    for (n, article) in new.iter().enumerate() {
        let change = match new_to_old.get(&n) {
            Some(&o) => kept(&old[o], article, moved.contains(&(o, n))),
            None => ArticleChange {
                kind: ChangeKind::Inserted,
                old_number: None,
                new_number: Some(article.number),
                moved: false,
                renumbered: false,
                heading: article
                    .heading
                    .as_ref()
                    .map(|h| vec![Span::Inserted(h.clone())]),
                text: vec![Span::Inserted(article.text.clone())],
            },
        };
        entries.push(((n as i64, 0), change));
    }
    let mut anchor: i64 = -1;
    for (o, article) in old.iter().enumerate() {
        match old_to_new.get(&o) {
            Some(&n) if !moved.contains(&(o, n)) => anchor = n as i64,
            Some(_) => {}
            None => entries.push((
                (anchor, 1 + o),
                ArticleChange {
                    kind: ChangeKind::Deleted,
                    old_number: Some(article.number),
                    new_number: None,
                    moved: false,
                    renumbered: false,
                    heading: article
                        .heading
                        .as_ref()
                        .map(|h| vec![Span::Deleted(h.clone())]),
                    text: vec![Span::Deleted(article.text.clone())],
                },
            )),
        }
    }
    entries.sort_by_key(|(key, _)| *key);
    entries.into_iter().map(|(_, change)| change).collect()
}

fn kept(old: &ArticleText, new: &ArticleText, moved: bool) -> ArticleChange {
    let text = diff_text(&old.text, &new.text);
    let heading = match (&old.heading, &new.heading) {
        (None, None) => None,
        (a, b) => Some(diff_text(
            a.as_deref().unwrap_or(""),
            b.as_deref().unwrap_or(""),
        )),
    };
    let edited = text
        .iter()
        .chain(heading.iter().flatten())
        .any(|s| !matches!(s, Span::Same(_)));
    ArticleChange {
        kind: if edited {
            ChangeKind::Edited
        } else {
            ChangeKind::Unchanged
        },
        old_number: Some(old.number),
        new_number: Some(new.number),
        moved,
        renumbered: old.number != new.number,
        heading,
        text,
    }
}

/// Pairs (old index, new index): identical texts first, in order, then the most similar of
/// the rest, best first.
fn pair_articles(old: &[ArticleText], new: &[ArticleText]) -> Vec<(usize, usize)> {
    let key = |a: &ArticleText| -> String {
        let mut k: String = a.heading.as_deref().unwrap_or("").to_owned();
        k.push('\u{1f}');
        k.extend(
            a.text
                .split_whitespace()
                .flat_map(|w| w.chars().chain([' '])),
        );
        k
    };
    let mut by_text: HashMap<String, VecDeque<usize>> = HashMap::new();
    for (o, a) in old.iter().enumerate() {
        by_text.entry(key(a)).or_default().push_back(o);
    }
    let mut pairs = Vec::new();
    let (mut old_taken, mut new_taken) = (vec![false; old.len()], vec![false; new.len()]);
    for (n, a) in new.iter().enumerate() {
        if let Some(o) = by_text.get_mut(&key(a)).and_then(VecDeque::pop_front) {
            pairs.push((o, n));
            old_taken[o] = true;
            new_taken[n] = true;
        }
    }

    let grams_old: Vec<Option<HashSet<(char, char)>>> = old
        .iter()
        .zip(&old_taken)
        .map(|(a, &taken)| (!taken).then(|| bigrams(&a.text)))
        .collect();
    let grams_new: Vec<Option<HashSet<(char, char)>>> = new
        .iter()
        .zip(&new_taken)
        .map(|(a, &taken)| (!taken).then(|| bigrams(&a.text)))
        .collect();
    let mut candidates: Vec<(f64, usize, usize)> = Vec::new();
    for (o, go) in grams_old.iter().enumerate() {
        let Some(go) = go else { continue };
        for (n, gn) in grams_new.iter().enumerate() {
            let Some(gn) = gn else { continue };
            let score = dice(go, gn);
            if score >= PAIRING_THRESHOLD {
                candidates.push((score, o, n));
            }
        }
    }
    // Best first; between equals, the pair whose places are closest, then the earliest.
    candidates.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then_with(|| a.1.abs_diff(a.2).cmp(&b.1.abs_diff(b.2)))
            .then_with(|| (a.1, a.2).cmp(&(b.1, b.2)))
    });
    for (_, o, n) in candidates {
        if !old_taken[o] && !new_taken[n] {
            old_taken[o] = true;
            new_taken[n] = true;
            pairs.push((o, n));
        }
    }
    pairs.sort_by_key(|&(_, n)| n);
    pairs
}

fn bigrams(text: &str) -> HashSet<(char, char)> {
    let chars: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
    match chars.len() {
        0 => HashSet::new(),
        1 => HashSet::from([(chars[0], '\0')]),
        _ => chars.windows(2).map(|w| (w[0], w[1])).collect(),
    }
}

fn dice(a: &HashSet<(char, char)>, b: &HashSet<(char, char)>) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    2.0 * a.intersection(b).count() as f64 / (a.len() + b.len()) as f64
}

/// The pairs outside the longest run whose earlier-round order is kept in the later round.
/// `pairs` are in later-round order.
fn moved_pairs(pairs: &[(usize, usize)]) -> HashSet<(usize, usize)> {
    // Longest increasing subsequence of the earlier-round indices, O(n log n).
    let mut tails: Vec<usize> = Vec::new(); // index into `pairs` of the tail of each length
    let mut before: Vec<Option<usize>> = vec![None; pairs.len()];
    for (i, &(o, _)) in pairs.iter().enumerate() {
        let len = tails.partition_point(|&t| pairs[t].0 < o);
        before[i] = len.checked_sub(1).map(|l| tails[l]);
        if len == tails.len() {
            tails.push(i);
        } else {
            tails[len] = i;
        }
    }
    let mut stay = HashSet::new();
    let mut at = tails.last().copied();
    while let Some(i) = at {
        stay.insert(i);
        at = before[i];
    }
    pairs
        .iter()
        .enumerate()
        .filter(|(i, _)| !stay.contains(i))
        .map(|(_, &p)| p)
        .collect()
}

/// The changes from `old` to `new`, token by token, with a changed region's small islands of
/// equal text (one or two characters, or spaces only) folded into it so that "十五日" → "三十日"
/// reads as 十五 → 三十 rather than four alternating pieces.
pub fn diff_text(old: &str, new: &str) -> Vec<Span> {
    if old == new {
        return if old.is_empty() {
            Vec::new()
        } else {
            vec![Span::Same(old.to_owned())]
        };
    }
    let (a, b) = (tokens(old), tokens(new));
    let ops = similar::capture_diff_slices(Algorithm::Patience, &a, &b);
    let mut raw: Vec<Span> = Vec::new();
    for op in ops {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        let old_part = a[old_range].concat();
        let new_part = b[new_range].concat();
        match tag {
            DiffTag::Equal => raw.push(Span::Same(old_part)),
            DiffTag::Delete => raw.push(Span::Deleted(old_part)),
            DiffTag::Insert => raw.push(Span::Inserted(new_part)),
            DiffTag::Replace => {
                raw.push(Span::Deleted(old_part));
                raw.push(Span::Inserted(new_part));
            }
        }
    }
    fold_small_islands(raw)
}

/// Gathers each run of changes (with the small equal islands inside it) into at most one
/// deleted and one inserted span, in that order; keeps the equal spans between runs.
fn fold_small_islands(raw: Vec<Span>) -> Vec<Span> {
    let is_island = |i: usize| -> bool {
        let Span::Same(s) = &raw[i] else { return false };
        let small = s.chars().count() <= 2 || s.chars().all(char::is_whitespace);
        let changed = |j: usize| !matches!(raw[j], Span::Same(_));
        small && i > 0 && i + 1 < raw.len() && changed(i - 1) && changed(i + 1)
    };
    let mut out: Vec<Span> = Vec::new();
    let (mut deleted, mut inserted) = (String::new(), String::new());
    let flush = |out: &mut Vec<Span>, deleted: &mut String, inserted: &mut String| {
        if !deleted.is_empty() {
            out.push(Span::Deleted(std::mem::take(deleted)));
        }
        if !inserted.is_empty() {
            out.push(Span::Inserted(std::mem::take(inserted)));
        }
    };
    for (i, span) in raw.iter().enumerate() {
        match span {
            Span::Same(s) if is_island(i) => {
                deleted.push_str(s);
                inserted.push_str(s);
            }
            Span::Same(s) => {
                flush(&mut out, &mut deleted, &mut inserted);
                match out.last_mut() {
                    Some(Span::Same(last)) => last.push_str(s),
                    _ => out.push(Span::Same(s.clone())),
                }
            }
            Span::Deleted(s) => deleted.push_str(s),
            Span::Inserted(s) => inserted.push_str(s),
        }
    }
    flush(&mut out, &mut deleted, &mut inserted);
    out
}

/// Chinese, Japanese and Korean characters one by one, runs of other letters and digits as
/// words, everything else (spaces, punctuation) one character at a time.
fn tokens(text: &str) -> Vec<&str> {
    let word = |c: char| c.is_alphanumeric() && !is_cjk(c);
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        if word(c) {
            start.get_or_insert(i);
            continue;
        }
        if let Some(s) = start.take() {
            out.push(&text[s..i]);
        }
        out.push(&text[i..i + c.len_utf8()]);
    }
    if let Some(s) = start {
        out.push(&text[s..]);
    }
    out
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FDF     // radicals
        | 0x3005..=0x3007   // 々 〆 〇
        | 0x3040..=0x30FF   // kana
        | 0x3400..=0x4DBF   // extension A
        | 0x4E00..=0x9FFF   // unified ideographs
        | 0xAC00..=0xD7AF   // Hangul syllables
        | 0xF900..=0xFAFF   // compatibility ideographs
        | 0x20000..=0x3134F // extensions B–G
    )
}

#[cfg(test)]
mod tests;
