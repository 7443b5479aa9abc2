//! The XLM-RoBERTa SentencePiece unigram tokeniser, as the model file describes it.
//!
//! 1. Normalise: each character goes through the file's character table (full-width forms
//!    to ASCII, control characters dropped, the many Unicode spaces to U+0020, …); runs of
//!    spaces become one; a space becomes "▁" (U+2581), and the text starts with one "▁".
//! 2. Segment: the split of the normalised text into vocabulary pieces whose scores
//!    (log-probabilities) add up highest, found by dynamic programming over character
//!    positions. A character that no piece covers is `<unk>`, scored 10 below the lowest
//!    piece. Ties go to the split found first (the earliest start position).
//! 3. Frame: `<s>`, the first `max_tokens - 2` pieces, `</s>`.

use std::collections::HashMap;

use super::format::{CharMap, Vocab};

/// SentencePiece's word-boundary mark, which stands for a space.
pub(crate) const METASPACE: char = '\u{2581}';

/// How far below the lowest piece score an unknown character scores.
const UNKNOWN_PENALTY: f32 = 10.0;

pub(crate) struct Tokenizer {
    /// Piece bytes → id, every piece but `<unk>` (which only stands for what no piece covers).
    ids: HashMap<Box<[u8]>, u32>,
    scores: Vec<f32>,
    unknown_score: f32,
    /// The longest piece, in bytes: no match is tried beyond it.
    longest_piece: usize,
    char_map: CharMap,
    bos: u32,
    eos: u32,
    unk: u32,
    max_tokens: usize,
}

/// The best segmentation of the text up to a character position: its score, where its last
/// piece starts (a character position) and which piece that is (`None`: one unknown char).
#[derive(Clone, Copy)]
struct Best {
    score: f32,
    from: usize,
    piece: Option<u32>,
}

impl Tokenizer {
    /// `max_tokens` counts `<s>` and `</s>` (the model's position count).
    pub fn new(vocab: Vocab, char_map: CharMap, max_tokens: usize) -> Tokenizer {
        let lowest = vocab.scores.iter().copied().fold(f32::INFINITY, f32::min);
        let longest_piece = vocab.pieces.iter().map(|p| p.len()).max().unwrap_or(1);
        let ids = vocab
            .pieces
            .into_iter()
            .enumerate()
            .filter(|(id, piece)| *id as u32 != vocab.unk && !piece.is_empty())
            .map(|(id, piece)| (piece, id as u32))
            .collect();
        Tokenizer {
            ids,
            scores: vocab.scores,
            unknown_score: lowest - UNKNOWN_PENALTY,
            longest_piece,
            char_map,
            bos: vocab.bos,
            eos: vocab.eos,
            unk: vocab.unk,
            max_tokens: max_tokens.max(2),
        }
    }

    /// Step 1: the text as the segmenter sees it, with "▁" for spaces and at the start.
    #[cfg(test)]
    pub fn normalize(&self, text: &str) -> String {
        self.normalize_prefix(text, usize::MAX)
    }

    /// Step 1 for the start of `text`: the text as the segmenter sees it, with "▁" for
    /// spaces and at the start, up to the character that reaches `limit` bytes.
    fn normalize_prefix(&self, text: &str, limit: usize) -> String {
        let mut out = String::with_capacity(text.len().min(limit) + METASPACE.len_utf8());
        out.push(METASPACE);
        // The leading mark stands for a space, so a space right after it is part of a run.
        let mut after_space = true;
        for c in text.chars() {
            if out.len() >= limit {
                break;
            }
            let itself = [c];
            let replacement = self.char_map.get(&u32::from(c));
            for &c in replacement.map_or(&itself[..], |r| &r[..]) {
                if c == ' ' {
                    if !after_space {
                        out.push(METASPACE);
                    }
                    after_space = true;
                } else {
                    out.push(c);
                    after_space = false;
                }
            }
        }
        out
    }

    /// Step 2: the highest-scoring split of normalised text into piece ids.
    pub fn segment(&self, normalized: &str) -> Vec<u32> {
        let bytes = normalized.as_bytes();
        let bounds: Vec<usize> = normalized
            .char_indices()
            .map(|(at, _)| at)
            .chain([bytes.len()])
            .collect();
        let chars = bounds.len() - 1;
        let unreached = Best {
            score: f32::NEG_INFINITY,
            from: 0,
            piece: None,
        };
        let mut best = vec![unreached; chars + 1];
        best[0].score = 0.0;
        for from in 0..chars {
            let base = best[from].score;
            let start = bounds[from];
            for to in from + 1..=chars {
                let piece = &bytes[start..bounds[to]];
                if piece.len() > self.longest_piece {
                    break;
                }
                if let Some(&id) = self.ids.get(piece) {
                    let score = base + self.scores[id as usize];
                    if score > best[to].score {
                        best[to] = Best {
                            score,
                            from,
                            piece: Some(id),
                        };
                    }
                }
            }
            // Every character can at least be an unknown one, so every position is reached.
            let score = base + self.unknown_score;
            if score > best[from + 1].score {
                best[from + 1] = Best {
                    score,
                    from,
                    piece: None,
                };
            }
        }
        let mut ids = Vec::new();
        let mut at = chars;
        while at > 0 {
            let step = best[at];
            ids.push(step.piece.unwrap_or(self.unk));
            at = step.from;
        }
        ids.reverse();
        ids
    }

    /// Steps 1–3: the ids the model reads for `text`.
    ///
    /// The model reads no more than `max_tokens − 2` pieces, which lie within the first
    /// `reach` bytes of the normalised text (no piece is longer than `longest_piece`), so
    /// text past twice that is not segmented: a huge input costs no more than a long
    /// comment. When the text is cut, it is cut before a "▁" past `reach` when there is one,
    /// and then the pieces are exactly those of the whole text (no piece has a "▁" inside,
    /// so every split of the whole text splits there too). Comments are far shorter than
    /// the limit (about 49 KB for this model).
    pub fn encode(&self, text: &str) -> Vec<u32> {
        let reach = (self.max_tokens - 2) * self.longest_piece;
        let mut normalized = self.normalize_prefix(text, 2 * reach);
        if normalized.len() >= 2 * reach
            && let Some(cut) = normalized.rfind(METASPACE).filter(|&at| at >= reach)
        {
            normalized.truncate(cut);
        }
        let mut pieces = self.segment(&normalized);
        pieces.truncate(self.max_tokens - 2);
        let mut ids = Vec::with_capacity(pieces.len() + 2);
        ids.push(self.bos);
        ids.extend(pieces);
        ids.push(self.eos);
        ids
    }
}
