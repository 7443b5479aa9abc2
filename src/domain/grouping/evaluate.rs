//! The proposal and "possible matches" against officers' labels, shared by the quality tests
//! and `examples/eval_grouping.rs`: letters that sit in a group holding the opinion they argue
//! against; and for each proposed group of two or more, every text outside it that carries
//! the group's label (the label of its central letter) is a miss, found when the list ranks
//! it with no more than four wrong letters above it.

use std::collections::HashSet;

use super::{MatchVectors, ProposedGroup, closest_to_group_with, core_text, letter_key};

/// The letters (indexes into the texts) inside a group that holds a letter of the opinion
/// they oppose (`opposes`, by label).
pub fn opposing_inside(
    labels: &[&str],
    opposes: &[Option<&str>],
    groups: &[ProposedGroup],
) -> Vec<usize> {
    groups
        .iter()
        .flat_map(|g| {
            g.members
                .iter()
                .copied()
                .filter(|&m| opposes[m].is_some_and(|o| g.members.iter().any(|&x| labels[x] == o)))
        })
        .collect()
}

/// The outcome over all groups.
#[derive(Debug, Default)]
pub struct MatchReport {
    /// Misses ranked in the top 5.
    pub found: usize,
    /// All misses (a text counts once for each group of two or more that holds its label).
    pub missed: usize,
    /// Letters that argue against a group's opinion, offered among its first five matches:
    /// (group, text).
    pub opposing_offered: Vec<(usize, usize)>,
    /// The misses not found: ranked too low, or taken for an opposing view.
    pub lost: Vec<Lost>,
}

/// A miss the list does not show in its top 5.
#[derive(Debug)]
pub struct Lost {
    pub group: usize,
    pub text: usize,
    pub score: f64,
    /// Listed among the opposing views rather than the matches.
    pub opposing: bool,
    /// The first wrong letters ranked above it (a text of each), with their scores.
    pub above: Vec<(usize, f64)>,
}

/// Scores "possible matches" for `groups` over `texts` with their `labels`, the label each
/// opposing letter argues against (`opposes`), and every text's sentence vector.
pub fn possible_matches(
    texts: &[&str],
    labels: &[&str],
    opposes: &[Option<&str>],
    groups: &[ProposedGroup],
    vectors: &[Vec<f32>],
) -> MatchReport {
    let mut report = MatchReport::default();
    for (gi, g) in groups
        .iter()
        .enumerate()
        .filter(|(_, g)| g.members.len() >= 2)
    {
        let main = labels[g.central];
        let inside: HashSet<usize> = g.members.iter().copied().collect();
        let outside: Vec<usize> = (0..texts.len()).filter(|i| !inside.contains(i)).collect();
        if !outside.iter().any(|&i| labels[i] == main) {
            continue;
        }
        let member_texts: Vec<&str> = g.members.iter().map(|&m| texts[m]).collect();
        let other_texts: Vec<&str> = outside.iter().map(|&i| texts[i]).collect();
        let member_vs: Vec<Vec<f32>> = g
            .members
            .iter()
            .take(24)
            .map(|&m| vectors[m].clone())
            .collect();
        let other_vs: Vec<Option<Vec<f32>>> =
            outside.iter().map(|&i| Some(vectors[i].clone())).collect();
        let (close, opposing) = closest_to_group_with(
            &member_texts,
            &other_texts,
            other_texts.len(),
            0.0,
            Some(MatchVectors {
                members: &member_vs,
                others: &other_vs,
            }),
        );
        report.opposing_offered.extend(
            close
                .iter()
                .take(5)
                .map(|m| outside[m.index])
                .filter(|&i| opposes[i] == Some(main))
                .map(|i| (gi, i)),
        );
        // Copies of one letter are listed once on the desk: each wrong letter counts once.
        let mut wrong: Vec<(String, usize, f64)> = Vec::new();
        for m in &close {
            let i = outside[m.index];
            if labels[i] == main {
                report.missed += 1;
                if wrong.len() < 5 {
                    report.found += 1;
                } else {
                    report.lost.push(Lost {
                        group: gi,
                        text: i,
                        score: m.score,
                        opposing: false,
                        above: wrong.iter().take(6).map(|w| (w.1, w.2)).collect(),
                    });
                }
            } else {
                let key = letter_key(core_text(texts[i]));
                if !wrong.iter().any(|w| w.0 == key) {
                    wrong.push((key, i, m.score));
                }
            }
        }
        for m in opposing.iter().filter(|m| labels[outside[m.index]] == main) {
            report.missed += 1;
            report.lost.push(Lost {
                group: gi,
                text: outside[m.index],
                score: m.score,
                opposing: true,
                above: Vec::new(),
            });
        }
    }
    report
}
