//! Tests of the sentence encoder.
//!
//! The pure parts (fp16, Q4_0 blocks, the tokeniser's dynamic programming, the products,
//! erf, the file reader and the encoder's arithmetic) are checked on small hand-made data
//! and a tiny generated model file. The tests of the real model read it from
//! `default_model_path()` and are skipped with a loud line when it is absent, unless
//! `CONSULT_REQUIRE_MODEL=1` (then they fail): `scripts/fetch-model` fetches it.

use std::sync::OnceLock;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::bert::{Encoder, erf, gelu};
use super::format::{self, BLOCK, BLOCK_BYTES, CharMap, ModelFile, Problem, Vocab};
use super::kernel::{Panels, matmul_add, matmul_add_each};
use super::tokenizer::{METASPACE, Tokenizer};
use super::*;

// ---------------------------------------------------------------- fp16 and Q4_0 blocks

/// An fp16 value computed from its definition, in f64.
fn f16_by_definition(h: u16) -> f64 {
    let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exponent = i32::from((h >> 10) & 0x1f);
    let mantissa = f64::from(h & 0x3ff);
    match exponent {
        0 => sign * mantissa * 2f64.powi(-24),
        0x1f if mantissa == 0.0 => sign * f64::INFINITY,
        0x1f => f64::NAN,
        e => sign * (1.0 + mantissa / 1024.0) * 2f64.powi(e - 15),
    }
}

#[test]
fn every_fp16_value_converts_exactly() {
    for h in 0..=u16::MAX {
        let got = format::f16_to_f32(h);
        let want = f16_by_definition(h);
        if want.is_nan() {
            assert!(got.is_nan(), "{h:#06x}");
        } else {
            assert_eq!(f64::from(got), want, "{h:#06x}");
            assert_eq!(got.is_sign_negative(), h & 0x8000 != 0, "{h:#06x}");
        }
    }
    assert_eq!(format::f16_to_f32(0x3c00), 1.0);
    assert_eq!(format::f16_to_f32(0xc000), -2.0);
    assert_eq!(format::f16_to_f32(0x7bff), 65504.0);
    assert_eq!(format::f16_to_f32(0x0001), 2f32.powi(-24));
}

#[test]
fn q4_0_blocks_hold_low_nibbles_first_then_high_nibbles() {
    // Scale 0.5 (fp16 0x3800); byte j holds j in its low nibble and 15 − j in its high one.
    let mut block = vec![0x00, 0x38];
    block.extend((0..16u8).map(|j| j | ((15 - j) << 4)));
    // A second block, scale −2 (0xc000), every nibble 8 (zero) but the last, 0xf (7).
    block.extend([0x00, 0xc0]);
    block.extend([0x88; 15]);
    block.push(0xf8);
    let mut out = vec![f32::NAN; 64];
    format::dequantize_q4_0(&block, &mut out);
    for j in 0..16 {
        assert_eq!(out[j], (j as f32 - 8.0) * 0.5, "weight {j}");
        assert_eq!(out[j + 16], (7.0 - j as f32) * 0.5, "weight {}", j + 16);
    }
    assert!(out[32..63].iter().all(|&w| w == 0.0));
    assert_eq!(out[63], -14.0);
}

// ---------------------------------------------------------------- the tokeniser

/// A vocabulary of `(piece, score)` after the four specials, as the model file has them.
fn tiny_tokenizer(pieces: &[(&str, f32)], char_map: &[(char, &str)], max: usize) -> Tokenizer {
    let mut all = vec![("<s>", 0.0), ("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)];
    all.extend_from_slice(pieces);
    let vocab = Vocab {
        pieces: all.iter().map(|(p, _)| Box::from(p.as_bytes())).collect(),
        scores: all.iter().map(|&(_, s)| s).collect(),
        bos: 0,
        eos: 2,
        unk: 3,
    };
    let char_map: CharMap = char_map
        .iter()
        .map(|&(from, to)| (u32::from(from), to.chars().collect()))
        .collect();
    Tokenizer::new(vocab, char_map, max)
}

#[test]
fn normalising_maps_characters_collapses_spaces_and_marks_them() {
    let t = tiny_tokenizer(
        &[],
        &[
            ('\u{3000}', " "),
            ('Ａ', "A"),
            ('\u{1}', ""),
            ('\t', " "),
            ('ﬁ', "fi"),
        ],
        512,
    );
    let m = METASPACE;
    assert_eq!(t.normalize(""), format!("{m}"));
    assert_eq!(t.normalize("a b"), format!("{m}a{m}b"));
    assert_eq!(t.normalize("  a  \t\u{3000} b "), format!("{m}a{m}b{m}"));
    assert_eq!(t.normalize("Ａ\u{1}ﬁ"), format!("{m}Afi"));
    // A literal "▁" is not a space: it is kept, and no run forms with it.
    assert_eq!(t.normalize("▁ x"), format!("{m}{m}{m}x"));
}

#[test]
fn segmenting_finds_the_best_scoring_split() {
    let t = tiny_tokenizer(
        &[
            ("▁", -2.0),   // 4
            ("a", -3.0),   // 5
            ("b", -3.0),   // 6
            ("▁a", -2.5),  // 7
            ("ab", -1.0),  // 8
            ("▁ab", -4.0), // 9
            ("c", -50.0),  // 10: the lowest score, so an unknown scores -60
        ],
        &[],
        512,
    );
    // "▁ab": ▁ + ab (-3) beats ▁ab (-4), ▁a + b (-5.5) and ▁ + a + b (-8).
    assert_eq!(t.segment("▁ab"), vec![4, 8]);
    // "▁a": ▁a (-2.5) beats ▁ + a (-5).
    assert_eq!(t.segment("▁a"), vec![7]);
    // Unknown characters are one <unk> each, around pieces that still match.
    assert_eq!(t.segment("▁xyab"), vec![4, 3, 3, 8]);
    // A piece, however poor, beats an unknown character.
    assert_eq!(t.segment("▁c"), vec![4, 10]);
    // <unk> itself is never matched as text, but the other specials are.
    assert_eq!(t.segment("<unk>"), vec![3, 3, 3, 3, 3]);
    assert_eq!(t.segment("</s>"), vec![2]);
}

#[test]
fn segmenting_breaks_ties_towards_the_earliest_split() {
    // "▁ab" as ▁a + b and as ▁ + ab score the same (-3): the split found first, from the
    // earliest start of its last piece, is kept: ▁ + ab ends with a piece starting at 1,
    // ▁a + b with one starting at 2, so ▁ + ab wins.
    let t = tiny_tokenizer(
        &[("▁", -1.0), ("▁a", -1.0), ("b", -2.0), ("ab", -2.0)],
        &[],
        512,
    );
    assert_eq!(t.segment("▁ab"), vec![4, 7]);
}

#[test]
fn encoding_frames_and_truncates() {
    let t = tiny_tokenizer(&[("▁", -1.0), ("a", -1.0)], &[], 5);
    assert_eq!(t.encode("a"), vec![0, 4, 5, 2]);
    // Five tokens at most: <s>, three pieces, </s>.
    assert_eq!(t.encode("aaaaaa"), vec![0, 4, 5, 5, 2]);
}

#[test]
fn encoding_a_huge_text_reads_only_what_can_reach_the_model() {
    // Pieces of at most 4 bytes and 4 pieces read: text past 32 bytes is not segmented.
    let t = tiny_tokenizer(
        &[("▁", -1.0), ("a", -1.0), ("▁a", -1.5), ("b", -1.0)],
        &[],
        6,
    );
    for text in [
        "a ".repeat(100_000),
        "ab".repeat(100_000),
        "b aab ".repeat(50_000),
    ] {
        let whole = t.segment(&t.normalize(&text));
        let mut want = vec![0];
        want.extend(&whole[..4]);
        want.push(2);
        assert_eq!(t.encode(&text), want, "{}…", &text[..12]);
    }
}

// ---------------------------------------------------------------- products and erf

fn random_matrix(rng: &mut StdRng, len: usize) -> Vec<f32> {
    (0..len).map(|_| rng.gen_range(-1.0..1.0)).collect()
}

#[test]
fn products_agree_with_the_definition_and_across_implementations() {
    let mut rng = StdRng::seed_from_u64(7);
    for &(m, k, n) in &[
        (1, 1, 1),
        (3, 32, 45),
        (8, 160, 64),
        (13, 384, 96),
        (17, 5, 33),
    ] {
        let (ldx, ldo) = (k + 3, n + 5);
        let x = random_matrix(&mut rng, m * ldx);
        let b = random_matrix(&mut rng, k * n);
        let start = random_matrix(&mut rng, m * ldo);
        let panels = Panels::pack(k, n, |r, c| b[r * n + c]);

        let mut fast = start.clone();
        matmul_add(&x, ldx, m, &panels, &mut fast, ldo, &mut Vec::new());
        let bits = |v: &[f32]| v.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        for (name, out) in matmul_add_each(&x, ldx, m, &panels, &start, ldo) {
            assert_eq!(bits(&out), bits(&fast), "{m}×{k}×{n}: {name} differs");
        }
        for i in 0..m {
            for j in 0..ldo {
                let want = if j < n {
                    f64::from(start[i * ldo + j])
                        + (0..k)
                            .map(|r| f64::from(x[i * ldx + r]) * f64::from(b[r * n + j]))
                            .sum::<f64>()
                } else {
                    f64::from(start[i * ldo + j])
                };
                let got = f64::from(fast[i * ldo + j]);
                assert!((got - want).abs() < 1e-4, "{m}×{k}×{n} at {i},{j}");
            }
        }
    }
}

#[test]
fn quantised_panels_hold_exactly_the_dequantised_weights() {
    let mut rng = StdRng::seed_from_u64(11);
    let (outputs, inputs, m) = (70, 256, 9);
    let q4: Vec<u8> = (0..outputs * inputs / BLOCK)
        .flat_map(|_| {
            let scale: u16 = rng.gen_range(0x2000..0x3400);
            let mut block = scale.to_le_bytes().to_vec();
            block.extend((0..BLOCK / 2).map(|_| rng.r#gen::<u8>()));
            block
        })
        .collect();
    let mut w = vec![0.0; outputs * inputs];
    format::dequantize_q4_0(&q4, &mut w);
    let (first, second) = q4.split_at(30 * inputs / BLOCK * BLOCK_BYTES);
    let quantised = Panels::pack_q4_0_transposed(inputs, &[first, second]);
    let plain = Panels::pack(inputs, outputs, |i, o| w[o * inputs + i]);
    assert_eq!((quantised.rows(), quantised.cols()), (inputs, outputs));

    let x = random_matrix(&mut rng, m * inputs);
    let start = vec![0.5; m * outputs];
    let from_quantised = matmul_add_each(&x, inputs, m, &quantised, &start, outputs);
    let from_plain = matmul_add_each(&x, inputs, m, &plain, &start, outputs);
    for ((name, a), (_, b)) in from_quantised.iter().zip(&from_plain) {
        assert!(
            a.iter().zip(b).all(|(a, b)| a.to_bits() == b.to_bits()),
            "{name}"
        );
    }
}

/// erf by Simpson's rule on 2/√π·e^(−t²), in f64: far more precise than an f32 needs.
fn erf_by_integration(x: f64) -> f64 {
    let steps = 4000;
    let h = x / f64::from(steps);
    let f = |t: f64| (-t * t).exp();
    let mut sum = f(0.0) + f(x);
    for i in 1..steps {
        sum += f(f64::from(i) * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
    }
    sum * h / 3.0 * 2.0 / std::f64::consts::PI.sqrt()
}

#[test]
fn erf_is_within_4e7_everywhere() {
    for i in -8000..=8000 {
        let x = i as f32 / 1000.0;
        let want = erf_by_integration(f64::from(x));
        let got = f64::from(erf(x));
        assert!((got - want).abs() < 4e-7, "erf({x}) = {got}, not {want}");
    }
    assert!((erf(f32::INFINITY) - 1.0).abs() < 1e-7);
    assert!((erf(-100.0) + 1.0).abs() < 1e-7);
    assert_eq!(gelu(0.0), 0.0);
    assert!((gelu(1.0) - 0.841_344_7).abs() < 1e-6);
}

// ---------------------------------------------------------------- a tiny model file

struct TinyShape {
    hidden: usize,
    layers: usize,
    heads: usize,
    ffn: usize,
    max_positions: usize,
}

const TINY: TinyShape = TinyShape {
    hidden: 64,
    layers: 2,
    heads: 4,
    ffn: 96,
    max_positions: 16,
};

const TINY_PIECES: [(&str, f32); 10] = [
    ("<s>", 0.0),
    ("<pad>", 0.0),
    ("</s>", 0.0),
    ("<unk>", 0.0),
    ("▁", -2.0),
    ("▁query", -3.0),
    (":", -3.0),
    ("a", -4.0),
    ("b", -4.0),
    ("ab", -5.0),
];

/// An E5S1 file of the tiny shape with random weights (fixed by `seed`), laid out as the
/// format says: header, vocabulary, normaliser, tensor directory, tensors.
fn tiny_model_file(seed: u64, shape: &TinyShape) -> Vec<u8> {
    let mut rng = StdRng::seed_from_u64(seed);
    let (h, ff) = (shape.hidden, shape.ffn);
    let rows = TINY_PIECES.len() + 3;
    let i32b = |v: usize| (v as i32).to_le_bytes();

    let mut out = b"E5S1".to_vec();
    out.extend(1u32.to_le_bytes());
    for v in [
        h,
        shape.layers,
        shape.heads,
        ff,
        rows,
        shape.max_positions,
        2,
    ] {
        out.extend(i32b(v));
    }
    out.extend(1e-12f32.to_le_bytes());
    out.extend(i32b(BLOCK));

    out.extend(i32b(TINY_PIECES.len()));
    for id in [0, 2, 1, 3] {
        out.extend(i32b(id));
    }
    let blob: Vec<u8> = TINY_PIECES.iter().flat_map(|(p, _)| p.bytes()).collect();
    out.extend((blob.len() as u64).to_le_bytes());
    let mut offset = 0u32;
    out.extend(offset.to_le_bytes());
    for (p, _) in TINY_PIECES {
        offset += p.len() as u32;
        out.extend(offset.to_le_bytes());
    }
    for (_, s) in TINY_PIECES {
        out.extend(s.to_le_bytes());
    }
    out.extend(&blob);

    // The normaliser: a tab is a space, U+0001 is dropped.
    let norm: Vec<u8> = [(9u32, vec![32u32]), (1, vec![])]
        .iter()
        .flat_map(|(from, to)| {
            let mut e = from.to_le_bytes().to_vec();
            e.push(to.len() as u8);
            e.extend(to.iter().flat_map(|c| c.to_le_bytes()));
            e
        })
        .collect();
    out.extend(i32b(2));
    out.extend((norm.len() as u32).to_le_bytes());
    out.extend(&norm);

    // Tensors: name, whether Q4_0 (else fp32), number of values.
    let mut tensors: Vec<(String, bool, usize)> = vec![
        ("emb.word".into(), true, rows * h),
        ("emb.pos".into(), false, shape.max_positions * h),
        ("emb.type".into(), false, 2 * h),
        ("emb.ln.w".into(), false, h),
        ("emb.ln.b".into(), false, h),
    ];
    for l in 0..shape.layers {
        for (part, q4, n) in [
            ("q.w", true, h * h),
            ("q.b", false, h),
            ("k.w", true, h * h),
            ("k.b", false, h),
            ("v.w", true, h * h),
            ("v.b", false, h),
            ("ao.w", true, h * h),
            ("ao.b", false, h),
            ("aln.w", false, h),
            ("aln.b", false, h),
            ("fi.w", true, ff * h),
            ("fi.b", false, ff),
            ("fo.w", true, h * ff),
            ("fo.b", false, h),
            ("oln.w", false, h),
            ("oln.b", false, h),
        ] {
            tensors.push((format!("l{l}.{part}"), q4, n));
        }
    }
    let bytes_of = |q4: bool, n: usize| if q4 { n / BLOCK * BLOCK_BYTES } else { n * 4 };
    let directory_len: usize = 4 + tensors
        .iter()
        .map(|(name, _, _)| 2 + name.len() + 1 + 4 + 8 + 8)
        .sum::<usize>();
    let mut at = out.len() + directory_len;
    out.extend(i32b(tensors.len()));
    for (name, q4, n) in &tensors {
        out.extend((name.len() as u16).to_le_bytes());
        out.extend(name.as_bytes());
        out.push(u8::from(*q4));
        out.extend((*n as u32).to_le_bytes());
        out.extend((at as u64).to_le_bytes());
        out.extend((bytes_of(*q4, *n) as u64).to_le_bytes());
        at += bytes_of(*q4, *n);
    }
    for (name, q4, n) in &tensors {
        if *q4 {
            for _ in 0..n / BLOCK {
                // Scales around 0.05–0.2, so activations stay moderate.
                let scale: u16 = rng.gen_range(0x2a00..0x3200);
                out.extend(scale.to_le_bytes());
                out.extend((0..BLOCK / 2).map(|_| rng.r#gen::<u8>()));
            }
        } else {
            let gain = name.ends_with("ln.w");
            for _ in 0..*n {
                let v: f32 = if gain {
                    rng.gen_range(0.8..1.2)
                } else {
                    rng.gen_range(-0.1..0.1)
                };
                out.extend(v.to_le_bytes());
            }
        }
    }
    out
}

/// The encoder's arithmetic done plainly in f64 from the dequantised weights.
fn naive_embedding(file: &ModelFile<'_>, ids: &[u32]) -> Vec<f64> {
    let hd = &file.header;
    let (h, heads, ff, n) = (hd.hidden, hd.heads, hd.ffn, ids.len());
    let q4 = |name: &str, rows: usize, cols: usize| -> Vec<f64> {
        let mut w = vec![0.0f32; rows * cols];
        format::dequantize_q4_0(file.q4_tensor(name, rows, cols).unwrap(), &mut w);
        w.into_iter().map(f64::from).collect()
    };
    let fp = |name: &str, len: usize| -> Vec<f64> {
        file.f32_tensor(name, len)
            .unwrap()
            .into_iter()
            .map(f64::from)
            .collect()
    };
    let norm = |x: &mut [f64], w: &[f64], b: &[f64]| {
        let mean = x.iter().sum::<f64>() / h as f64;
        let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / h as f64;
        for ((v, w), b) in x.iter_mut().zip(w).zip(b) {
            *v = (*v - mean) / (var + 1e-12).sqrt() * w + b;
        }
    };
    // y = W·x + b for W of outputs × inputs.
    let apply = |w: &[f64], b: &[f64], x: &[f64]| -> Vec<f64> {
        b.iter()
            .enumerate()
            .map(|(o, b)| {
                b + w[o * x.len()..(o + 1) * x.len()]
                    .iter()
                    .zip(x)
                    .map(|(w, x)| w * x)
                    .sum::<f64>()
            })
            .collect()
    };

    let word = q4("emb.word", hd.vocab_rows, h);
    let pos = fp("emb.pos", hd.max_positions * h);
    let ty = fp("emb.type", 2 * h);
    let mut x: Vec<Vec<f64>> = ids
        .iter()
        .enumerate()
        .map(|(t, &id)| {
            let id = id as usize;
            (0..h)
                .map(|i| word[id * h + i] + pos[t * h + i] + ty[i])
                .collect()
        })
        .collect();
    let (lw, lb) = (fp("emb.ln.w", h), fp("emb.ln.b", h));
    x.iter_mut().for_each(|r| norm(r, &lw, &lb));

    let d = h / heads;
    for l in 0..hd.layers {
        let t = |p: &str| format!("l{l}.{p}");
        let proj = |p: &str, x: &[f64]| {
            apply(
                &q4(&t(&format!("{p}.w")), h, h),
                &fp(&t(&format!("{p}.b")), h),
                x,
            )
        };
        let q: Vec<Vec<f64>> = x.iter().map(|r| proj("q", r)).collect();
        let k: Vec<Vec<f64>> = x.iter().map(|r| proj("k", r)).collect();
        let v: Vec<Vec<f64>> = x.iter().map(|r| proj("v", r)).collect();
        let mut ctx = vec![vec![0.0; h]; n];
        for head in 0..heads {
            let r = head * d..(head + 1) * d;
            for i in 0..n {
                let scores: Vec<f64> = (0..n)
                    .map(|j| {
                        q[i][r.clone()]
                            .iter()
                            .zip(&k[j][r.clone()])
                            .map(|(a, b)| a * b)
                            .sum::<f64>()
                            / (d as f64).sqrt()
                    })
                    .collect();
                let max = scores.iter().cloned().fold(f64::MIN, f64::max);
                let e: Vec<f64> = scores.iter().map(|s| (s - max).exp()).collect();
                let sum: f64 = e.iter().sum();
                for (j, e) in e.iter().enumerate() {
                    for c in r.clone() {
                        ctx[i][c] += e / sum * v[j][c];
                    }
                }
            }
        }
        let (aw, ab) = (fp(&t("aln.w"), h), fp(&t("aln.b"), h));
        let (ow, ob) = (fp(&t("oln.w"), h), fp(&t("oln.b"), h));
        let (fiw, fib) = (q4(&t("fi.w"), ff, h), fp(&t("fi.b"), ff));
        let (fow, fob) = (q4(&t("fo.w"), h, ff), fp(&t("fo.b"), h));
        for (x, ctx) in x.iter_mut().zip(&ctx) {
            let attn = proj("ao", ctx);
            x.iter_mut().zip(&attn).for_each(|(x, a)| *x += a);
            norm(x, &aw, &ab);
            let mid: Vec<f64> = apply(&fiw, &fib, x)
                .into_iter()
                .map(|v| 0.5 * v * (1.0 + erf_by_integration(v / 2f64.sqrt())))
                .collect();
            let out = apply(&fow, &fob, &mid);
            x.iter_mut().zip(&out).for_each(|(x, o)| *x += o);
            norm(x, &ow, &ob);
        }
    }
    let mut mean: Vec<f64> = (0..h)
        .map(|i| x.iter().map(|r| r[i]).sum::<f64>() / n as f64)
        .collect();
    let len = mean.iter().map(|v| v * v).sum::<f64>().sqrt();
    mean.iter_mut().for_each(|v| *v /= len);
    mean
}

#[test]
fn the_encoder_computes_what_the_model_defines() {
    let data = tiny_model_file(3, &TINY);
    let file = ModelFile::parse(&data).unwrap();
    let encoder = Encoder::load(&file).unwrap();
    for ids in [
        vec![0, 5, 6, 4, 7, 2],
        vec![0, 12, 3, 9, 8, 8, 7, 4, 4, 6, 1, 2],
        vec![0, 2],
    ] {
        let got = encoder.embed(&ids);
        let want = naive_embedding(&file, &ids);
        assert_eq!(got.len(), TINY.hidden);
        let cos: f64 = got.iter().zip(&want).map(|(a, b)| f64::from(*a) * b).sum();
        let worst = got
            .iter()
            .zip(&want)
            .map(|(a, b)| (f64::from(*a) - b).abs())
            .fold(0.0, f64::max);
        assert!(
            cos > 0.99999 && worst < 1e-4,
            "{ids:?}: cos {cos}, worst {worst}"
        );
        assert_eq!(encoder.embed(&ids), got, "the same ids, the same bits");
    }
}

#[test]
fn the_tiny_file_tokenises_with_its_own_vocabulary() {
    let data = tiny_model_file(3, &TINY);
    let file = ModelFile::parse(&data).unwrap();
    let tokenizer = Tokenizer::new(file.vocab, file.char_map, TINY.max_positions);
    // "▁query" ":" "▁" then "ab" (-5) beats "a"+"b" (-8); U+0001 dropped, tab a space.
    assert_eq!(tokenizer.encode("query: ab"), vec![0, 5, 6, 4, 9, 2]);
    assert_eq!(
        tokenizer.encode("query:\t\u{1}b?"),
        vec![0, 5, 6, 4, 8, 3, 2]
    );
}

// ---------------------------------------------------------------- bad files

fn load_bytes(bytes: &[u8]) -> Result<Embedder, EmbedError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.bin");
    std::fs::write(&path, bytes).unwrap();
    Embedder::load(&path)
}

#[test]
fn a_missing_file_is_an_error_that_says_how_to_fetch_it() {
    let err = Embedder::load(Path::new("/nonexistent/e5-small-q4.bin")).unwrap_err();
    assert!(matches!(err, EmbedError::Read { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains("/nonexistent/e5-small-q4.bin"),
        "{message}"
    );
    assert!(message.contains("scripts/fetch-model"), "{message}");
}

#[test]
fn a_file_of_something_else_is_not_a_model() {
    let err = load_bytes(b"PK\x03\x04 a zip file, say").unwrap_err();
    assert!(
        matches!(err, EmbedError::NotAModel { found, .. } if &found == b"PK\x03\x04"),
        "{err:?}"
    );
    assert!(matches!(
        load_bytes(b"E5"),
        Err(EmbedError::NotAModel { .. })
    ));
    assert!(matches!(load_bytes(b""), Err(EmbedError::NotAModel { .. })));
}

#[test]
fn another_version_is_refused() {
    let mut data = tiny_model_file(1, &TINY);
    data[4] = 2;
    let err = load_bytes(&data).unwrap_err();
    assert!(
        matches!(err, EmbedError::UnsupportedVersion { version: 2, .. }),
        "{err:?}"
    );
}

#[test]
fn a_truncated_file_is_an_error_wherever_it_ends() {
    let data = tiny_model_file(1, &TINY);
    // Every cut inside the header, vocabulary, normaliser and directory (the first 2,000
    // bytes), then some inside the tensors: always an error, never a panic.
    for cut in (4..2_000).chain((2_000..data.len()).step_by(997)) {
        match ModelFile::parse(&data[..cut]).and_then(|f| Encoder::load(&f).map(|_| ())) {
            Err(Problem::Truncated(_)) | Err(Problem::Invalid(_)) => {}
            Err(other) => panic!("cut at {cut}: {other:?}"),
            Ok(()) => panic!("cut at {cut}: loaded"),
        }
    }
    let err = load_bytes(&data[..data.len() - 1]).unwrap_err();
    assert!(matches!(err, EmbedError::Truncated { .. }), "{err:?}");
    assert!(err.to_string().contains("truncated"), "{err}");
}

#[test]
fn a_model_of_another_shape_is_refused() {
    // A well-formed file whose header is not multilingual-e5-small.
    let err = load_bytes(&tiny_model_file(1, &TINY)).unwrap_err();
    assert!(matches!(err, EmbedError::Invalid { .. }), "{err:?}");
    assert!(err.to_string().contains("multilingual-e5-small"), "{err}");

    // A tensor whose size disagrees with the header.
    let shape = TinyShape { ffn: 64, ..TINY };
    let mut data = tiny_model_file(1, &shape);
    // The header's feed-forward size (the fourth count) says 96 instead of 64.
    data[20..24].copy_from_slice(&96i32.to_le_bytes());
    let file = ModelFile::parse(&data).unwrap();
    match Encoder::load(&file) {
        Err(Problem::Invalid(what)) => assert!(what.contains("l0.fi"), "{what}"),
        Err(other) => panic!("{other:?}"),
        Ok(_) => panic!("loaded"),
    }
}

// ---------------------------------------------------------------- the real model

/// The model at `default_model_path()`, loaded once for all these tests; `None` (after a
/// loud line) when it is absent, a failure under `CONSULT_REQUIRE_MODEL=1`.
fn real_model() -> Option<&'static Embedder> {
    static MODEL: OnceLock<Option<Embedder>> = OnceLock::new();
    let model = MODEL.get_or_init(|| {
        let path = default_model_path();
        if path.exists() {
            return Some(Embedder::load(&path).unwrap());
        }
        if std::env::var("CONSULT_REQUIRE_MODEL").as_deref() == Ok("1") {
            panic!(
                "CONSULT_REQUIRE_MODEL=1 but the model is not at {} (scripts/fetch-model fetches it)",
                path.display()
            );
        }
        None
    });
    if model.is_none() {
        skipped(&format!(
            "the real-model check: {} is absent (scripts/fetch-model fetches it, or set CONSULT_MODEL)",
            default_model_path().display()
        ));
    }
    model.as_ref()
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(a, b)| a * b).sum()
}

#[test]
fn the_embedder_can_be_shared_by_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Embedder>();
}

/// Token ids from the package's own C engine, for "query: " + the text.
#[test]
fn token_ids_match_the_reference_tokeniser() {
    let Some(model) = real_model() else { return };
    let cases: [(&str, &[u32]); 8] = [
        ("同意", &[0, 41, 1294, 12, 6, 32814, 2]),
        ("ok", &[0, 41, 1294, 12, 3664, 2]),
        ("", &[0, 41, 1294, 12, 6, 2]),
        (
            "ＡＢＣ１２３，全角字母和数字？",
            &[
                0, 41, 1294, 12, 47457, 48636, 4, 2476, 12514, 196225, 264, 28406, 32, 2,
            ],
        ),
        (
            "这个政策很好👍👍，支持！🎉",
            &[
                0, 41, 1294, 12, 6, 2935, 8204, 29787, 118280, 118280, 4, 7499, 38, 243816, 2,
            ],
        ),
        (
            "  多余的   空格    和\t制表符\n以及换行  ",
            &[
                0, 41, 1294, 12, 6, 1288, 11152, 43, 6, 5841, 6347, 6, 264, 6, 6607, 5873, 53853,
                6, 2961, 19543, 2003, 6, 2,
            ],
        ),
        (
            "𠀀𠀁 rare CJK extension B characters 𪚥",
            &[
                0, 41, 1294, 12, 6, 3, 3, 41207, 313, 63859, 111938, 335, 124850, 6, 3, 2,
            ],
        ),
        (
            "<s> literal special </s> tokens <mask>",
            &[
                0, 41, 1294, 12, 6, 0, 15659, 289, 5361, 6, 2, 47, 84694, 6, 250001, 2,
            ],
        ),
    ];
    for (text, ids) in cases {
        assert_eq!(model.token_ids(text), ids, "{text:?}");
    }
    // Past 512 tokens the text is cut: <s>, 510 pieces, </s>.
    let long = model.token_ids(&"征求意见".repeat(400));
    assert_eq!(long.len(), 512);
    assert_eq!((long[0], long[511]), (0, 2));
}

#[test]
fn embeddings_match_the_reference_engine() {
    let Some(model) = real_model() else { return };
    assert_eq!(
        (model.dim(), model.model_id()),
        (384, "multilingual-e5-small-q4")
    );
    // The first components of the C engine's vectors; it rounds activations to 8 bits
    // before each product, this code does not, so they differ in the third decimal.
    let cases: [(&str, [f32; 12]); 2] = [
        (
            "十五天的征求意见时间太短了，请延长到三十天",
            [
                0.025262, -0.015045, -0.03215, -0.055112, 0.057266, -0.028727, 0.020815, 0.019773,
                0.103384, -0.03279, 0.039138, 0.017352,
            ],
        ),
        (
            "The consultation period of fifteen days is far too short; please extend it to thirty days.",
            [
                0.01694, -0.000037, -0.050904, -0.082442, 0.076764, -0.043687, 0.004265, 0.006676,
                0.125049, 0.002912, 0.044553, -0.003953,
            ],
        ),
    ];
    for (text, start) in cases {
        let v = model.embed(text);
        assert_eq!(v.len(), 384);
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5, "{text}: norm {norm}");
        for (i, (got, want)) in v.iter().zip(start).enumerate() {
            assert!(
                (got - want).abs() < 5e-3,
                "{text}: component {i} is {got}, not {want}"
            );
        }
    }
}

#[test]
fn the_same_text_gets_the_same_bits_whatever_came_before_and_on_any_thread() {
    let Some(model) = real_model() else { return };
    let text = "建议在第三条中明确“公共场所”的具体范围。";
    let first = model.embed(text);
    model.embed("something else entirely, and longer, to leave other sizes in memory");
    assert_eq!(model.embed(text), first);
    let from_threads: Vec<Vec<f32>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..2).map(|_| s.spawn(|| model.embed(text))).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(from_threads.iter().all(|v| *v == first));
}

#[test]
fn texts_of_the_same_meaning_are_closer_than_unrelated_ones() {
    let Some(model) = real_model() else { return };
    let a = model.embed("十五天的征求意见时间太短了，请延长到三十天");
    let b = model.embed("提议将征求意见期限由十五日延长至三十日");
    let unrelated = model.embed("我反对在居民区附近新建垃圾焚烧厂，空气污染会影响孩子们的健康。");
    let english = model.embed("I support the new bike lanes on Main Street.");
    let same = cosine(&a, &b);
    assert!(same > 0.94, "{same}");
    assert!(same > cosine(&a, &unrelated) + 0.05);
    assert!(same > cosine(&a, &english) + 0.05);
}

#[test]
fn a_cut_real_file_is_refused() {
    if real_model().is_none() {
        return;
    }
    let data = std::fs::read(default_model_path()).unwrap();
    let err = load_bytes(&data[..data.len() / 2]).unwrap_err();
    assert!(matches!(err, EmbedError::Truncated { .. }), "{err:?}");
}

/// As `consult::testing::skipped` (this crate cannot depend on consult): a loud line, and one
/// in the file named by `CONSULT_SKIP_LOG`, which `scripts/test` lists at the end of the run.
fn skipped(what: &str) {
    use std::io::Write;
    eprintln!("!!! SKIPPED {what}");
    if let Some(path) = std::env::var_os("CONSULT_SKIP_LOG") {
        // libtest names a test's thread after it; nextest passes the name as an argument.
        let test = match std::thread::current().name() {
            Some(name) if name != "main" => name.to_owned(),
            _ => std::env::args()
                .skip(1)
                .find(|a| !a.starts_with('-'))
                .unwrap_or_else(|| "?".into()),
        };
        let _ = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .and_then(|mut f| writeln!(f, "consult-semantic::{test}\t{what}"));
    }
}
