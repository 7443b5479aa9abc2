//! Duplicate comments of one client on one draft (docs/security.md, "Abuse and privacy"):
//! the same text after normalising (case, spaces and punctuation), or nearly the same by the
//! Jaccard similarity of their character trigrams. Such a comment is flagged for moderators,
//! never refused: people do send a corrected version.

use std::collections::HashSet;

/// The text as compared: lower case, letters and digits only (Chinese characters are letters).
pub fn normalise(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn shingles(normalised: &str) -> HashSet<[char; 3]> {
    let chars: Vec<char> = normalised.chars().collect();
    chars.windows(3).map(|w| [w[0], w[1], w[2]]).collect()
}

/// The Jaccard similarity (0 to 1) of two normalised texts' character trigrams. Texts too
/// short to have a trigram are alike only when equal.
pub fn similarity(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    let (sa, sb) = (shingles(a), shingles(b));
    if sa.is_empty() || sb.is_empty() {
        return 0.0;
    }
    let common = sa.intersection(&sb).count();
    let all = sa.len() + sb.len() - common;
    common as f64 / all as f64
}

/// How a comment repeats an earlier one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The same text once normalised.
    SameText,
    /// At least the configured similarity.
    SimilarText,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::SameText => "same_text",
            Kind::SimilarText => "similar_text",
        }
    }
}

/// The earlier comment a text repeats: its index in `earlier`, the kind and the similarity
/// in percent. Of several, the most alike and then the latest (the last in `earlier`).
pub fn find(text: &str, earlier: &[&str], threshold: f64) -> Option<(usize, Kind, i32)> {
    let text = normalise(text);
    if text.is_empty() {
        return None;
    }
    let mut best: Option<(usize, Kind, f64)> = None;
    for (i, other) in earlier.iter().enumerate() {
        let other = normalise(other);
        let (kind, score) = if other == text {
            (Kind::SameText, 1.0)
        } else {
            let s = similarity(&text, &other);
            if s < threshold {
                continue;
            }
            (Kind::SimilarText, s)
        };
        if best.is_none_or(|(_, _, b)| score >= b) {
            best = Some((i, kind, score));
        }
    }
    best.map(|(i, kind, score)| (i, kind, (score * 100.0).floor() as i32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_text_with_other_spacing_case_or_punctuation_is_the_same() {
        let found = find(
            "建议 延长期限！Please extend.",
            &["无关的意见", "建议延长期限please extend"],
            0.9,
        );
        assert_eq!(found, Some((1, Kind::SameText, 100)));
    }

    #[test]
    fn a_near_copy_is_similar_and_another_text_is_not() {
        let base = "第三条规定的十五日期限过短，建议延长至三十日，以便群众有足够时间准备材料。";
        let near = "第三条规定的十五日期限过短，建议延长至三十日，以便群众有足够时间准备材料啊";
        let other = "第七条的罚款数额过高，建议降低。";
        let (i, kind, pct) = find(near, &[other, base], 0.8).unwrap();
        assert_eq!((i, kind), (1, Kind::SimilarText));
        assert!((80..100).contains(&pct), "{pct}");
        assert_eq!(find(other, &[base], 0.8), None);
        assert_eq!(find("", &[""], 0.8), None);
    }
}
