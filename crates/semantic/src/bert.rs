//! The BERT encoder of multilingual-e5-small, in f32 on the CPU, one text at a time.
//!
//! Embeddings (token row + position row + token-type row 0, then layer norm), then per layer:
//! self-attention (one fused Q/K/V product, softmax(QKᵀ/√d)·V per head, an output product,
//! residual, layer norm) and a GELU feed-forward block (up, GELU, down, residual, layer
//! norm). The sentence vector is the mean of the last layer over every token (`<s>` and
//! `</s>` included), scaled to length 1.
//!
//! The transformer's weights are packed once, at load, for the products (`kernel`), which
//! turn them into f32 block by block as they go; the 250k-row token-embedding table stays in
//! Q4_0 and only the rows a text uses are dequantised. Activations are f32 throughout.

use super::format::{self, BLOCK, BLOCK_BYTES, Header, ModelFile, Problem};
use super::kernel::{Panels, matmul_add};

struct LayerNorm {
    gain: Vec<f32>,
    bias: Vec<f32>,
}

/// `y = x·Wᵀ + b` for `W` of `outputs × inputs`, kept as `Wᵀ` (`inputs × outputs`) packed.
struct Linear {
    weight_t: Panels,
    bias: Vec<f32>,
}

struct Layer {
    /// Q, K and V side by side: `hidden → 3·hidden`.
    qkv: Linear,
    attn_out: Linear,
    attn_norm: LayerNorm,
    ffn_up: Linear,
    ffn_down: Linear,
    ffn_norm: LayerNorm,
}

pub(crate) struct Encoder {
    hidden: usize,
    heads: usize,
    ffn: usize,
    eps: f32,
    max_positions: usize,
    /// Q4_0 rows of the token-embedding table.
    word: Vec<u8>,
    word_rows: usize,
    position: Vec<f32>,
    token_type: Vec<f32>,
    embed_norm: LayerNorm,
    layers: Vec<Layer>,
}

impl Encoder {
    pub fn load(file: &ModelFile<'_>) -> Result<Encoder, Problem> {
        let Header {
            hidden,
            layers,
            ffn,
            vocab_rows,
            max_positions,
            type_vocab,
            ..
        } = file.header;
        let norm = |prefix: &str| -> Result<LayerNorm, Problem> {
            Ok(LayerNorm {
                gain: file.f32_tensor(&format!("{prefix}.w"), hidden)?,
                bias: file.f32_tensor(&format!("{prefix}.b"), hidden)?,
            })
        };
        let linear = |prefix: &str, inputs: usize, outputs: usize| -> Result<Linear, Problem> {
            let w = file.q4_tensor(&format!("{prefix}.w"), outputs, inputs)?;
            Ok(Linear {
                weight_t: Panels::pack_q4_0_transposed(inputs, &[w]),
                bias: file.f32_tensor(&format!("{prefix}.b"), outputs)?,
            })
        };

        let mut stack = Vec::with_capacity(layers);
        for l in 0..layers {
            let p = |part: &str| format!("l{l}.{part}");
            // The three projections read the same input: one product of `hidden × 3·hidden`.
            let weight_t = Panels::pack_q4_0_transposed(
                hidden,
                &[
                    file.q4_tensor(&p("q.w"), hidden, hidden)?,
                    file.q4_tensor(&p("k.w"), hidden, hidden)?,
                    file.q4_tensor(&p("v.w"), hidden, hidden)?,
                ],
            );
            let mut bias = file.f32_tensor(&p("q.b"), hidden)?;
            bias.extend(file.f32_tensor(&p("k.b"), hidden)?);
            bias.extend(file.f32_tensor(&p("v.b"), hidden)?);
            stack.push(Layer {
                qkv: Linear { weight_t, bias },
                attn_out: linear(&p("ao"), hidden, hidden)?,
                attn_norm: norm(&p("aln"))?,
                ffn_up: linear(&p("fi"), hidden, ffn)?,
                ffn_down: linear(&p("fo"), ffn, hidden)?,
                ffn_norm: norm(&p("oln"))?,
            });
        }

        let mut token_type = file.f32_tensor("emb.type", type_vocab * hidden)?;
        token_type.truncate(hidden);
        Ok(Encoder {
            hidden,
            heads: file.header.heads,
            ffn,
            eps: file.header.layer_norm_eps,
            max_positions,
            word: file.q4_tensor("emb.word", vocab_rows, hidden)?.to_vec(),
            word_rows: vocab_rows,
            position: file.f32_tensor("emb.pos", max_positions * hidden)?,
            token_type,
            embed_norm: norm("emb.ln")?,
            layers: stack,
        })
    }

    pub fn hidden(&self) -> usize {
        self.hidden
    }

    /// The L2-normalised mean of the last layer for `ids` (`<s>` … `</s>`, at most the
    /// position count; every id below the table's row count).
    pub fn embed(&self, ids: &[u32]) -> Vec<f32> {
        let (h, n) = (self.hidden, ids.len());
        assert!(
            n > 0 && n <= self.max_positions,
            "{n} tokens (the model reads 1 to {})",
            self.max_positions
        );
        let mut x = vec![0.0; n * h];
        let row_bytes = h / BLOCK * BLOCK_BYTES;
        for (t, (&id, row)) in ids.iter().zip(x.chunks_exact_mut(h)).enumerate() {
            let id = id as usize;
            assert!(id < self.word_rows, "token id {id} is outside the table");
            format::dequantize_q4_0(&self.word[id * row_bytes..(id + 1) * row_bytes], row);
            let position = &self.position[t * h..(t + 1) * h];
            for ((v, p), ty) in row.iter_mut().zip(position).zip(&self.token_type) {
                *v += p + ty;
            }
        }
        layer_norm(&mut x, &self.embed_norm, self.eps);

        let mut scratch = Scratch::new(n, h, self.ffn);
        for layer in &self.layers {
            self.layer(layer, &mut x, &mut scratch);
        }

        let mut pooled = vec![0.0f32; h];
        for row in x.chunks_exact(h) {
            for (p, v) in pooled.iter_mut().zip(row) {
                *p += v;
            }
        }
        let inv_n = 1.0 / n as f32;
        pooled.iter_mut().for_each(|p| *p *= inv_n);
        let norm = pooled.iter().map(|p| p * p).sum::<f32>().max(1e-12).sqrt();
        pooled.iter_mut().for_each(|p| *p /= norm);
        pooled
    }

    fn layer(&self, layer: &Layer, x: &mut Vec<f32>, s: &mut Scratch) {
        let (h, n) = (self.hidden, x.len() / self.hidden);
        let head = h / self.heads;

        // Self-attention: Q, K, V for every token, then per head softmax(QKᵀ/√d)·V.
        linear(&layer.qkv, x, n, &mut s.qkv, Init::Bias, &mut s.packed);
        let qkv = &s.qkv;
        let scale = 1.0 / (head as f32).sqrt();
        s.ctx.fill(0.0);
        for hd in 0..self.heads {
            let (q, k, v) = (hd * head, h + hd * head, 2 * h + hd * head);
            // Kᵀ (head × n), then the scores Q·Kᵀ (n × n).
            s.panels.repack(head, n, |e, t| qkv[t * 3 * h + k + e]);
            s.probs.fill(0.0);
            matmul_add(
                &qkv[q..],
                3 * h,
                n,
                &s.panels,
                &mut s.probs,
                n,
                &mut s.packed,
            );
            for row in s.probs.chunks_exact_mut(n) {
                softmax(row, scale);
            }
            // V (n × head), then this head's part of the context, probs·V.
            s.panels.repack(n, head, |t, e| qkv[t * 3 * h + v + e]);
            matmul_add(&s.probs, n, n, &s.panels, &mut s.ctx[q..], h, &mut s.packed);
        }
        // x ← LayerNorm(x + ctx·Woᵀ + bo)
        s.next.copy_from_slice(x);
        linear(
            &layer.attn_out,
            &s.ctx,
            n,
            &mut s.next,
            Init::AddBias,
            &mut s.packed,
        );
        layer_norm(&mut s.next, &layer.attn_norm, self.eps);
        std::mem::swap(x, &mut s.next);

        // Feed-forward: x ← LayerNorm(x + GELU(x·W1ᵀ + b1)·W2ᵀ + b2)
        linear(&layer.ffn_up, x, n, &mut s.mid, Init::Bias, &mut s.packed);
        s.mid.iter_mut().for_each(|v| *v = gelu(*v));
        s.next.copy_from_slice(x);
        linear(
            &layer.ffn_down,
            &s.mid,
            n,
            &mut s.next,
            Init::AddBias,
            &mut s.packed,
        );
        layer_norm(&mut s.next, &layer.ffn_norm, self.eps);
        std::mem::swap(x, &mut s.next);
    }
}

/// Per-text working memory.
struct Scratch {
    qkv: Vec<f32>,
    probs: Vec<f32>,
    ctx: Vec<f32>,
    mid: Vec<f32>,
    next: Vec<f32>,
    /// A head's keys or values, packed.
    panels: Panels,
    /// The products' copy of their left-hand side.
    packed: Vec<f32>,
}

impl Scratch {
    fn new(n: usize, h: usize, ffn: usize) -> Scratch {
        Scratch {
            qkv: vec![0.0; n * 3 * h],
            probs: vec![0.0; n * n],
            ctx: vec![0.0; n * h],
            mid: vec![0.0; n * ffn],
            next: vec![0.0; n * h],
            panels: Panels::new(),
            packed: Vec::new(),
        }
    }
}

/// What `linear` does with what `out` holds before the product is added.
enum Init {
    /// Overwrite it with the bias.
    Bias,
    /// Add the bias to it (a residual connection).
    AddBias,
}

/// `out ← x·Wᵀ + b` (or `out + x·Wᵀ + b`) for the `n` rows of `x`.
fn linear(lin: &Linear, x: &[f32], n: usize, out: &mut [f32], init: Init, scratch: &mut Vec<f32>) {
    let outputs = lin.weight_t.cols();
    for row in out.chunks_exact_mut(outputs) {
        match init {
            Init::Bias => row.copy_from_slice(&lin.bias),
            Init::AddBias => row.iter_mut().zip(&lin.bias).for_each(|(o, b)| *o += b),
        }
    }
    let inputs = lin.weight_t.rows();
    matmul_add(x, inputs, n, &lin.weight_t, out, outputs, scratch);
}

/// Each row ← (row − mean) / √(variance + eps) · gain + bias.
fn layer_norm(x: &mut [f32], norm: &LayerNorm, eps: f32) {
    let h = norm.gain.len();
    for row in x.chunks_exact_mut(h) {
        let mean = row.iter().sum::<f32>() / h as f32;
        let variance = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / h as f32;
        let inv = 1.0 / (variance + eps).sqrt();
        for ((v, g), b) in row.iter_mut().zip(&norm.gain).zip(&norm.bias) {
            *v = (*v - mean) * inv * g + b;
        }
    }
}

/// In place: softmax(scale·v) = exp(scale·v − max) / Σ exp(scale·v − max).
fn softmax(row: &mut [f32], scale: f32) {
    row.iter_mut().for_each(|v| *v *= scale);
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in row.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    let inv = 1.0 / sum;
    row.iter_mut().for_each(|v| *v *= inv);
}

/// The erf form of GELU, x·Φ(x) = x·(1 + erf(x/√2))/2.
pub(crate) fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2))
}

/// erf as the odd rational function x·P(x²)/Q(x²) on [−4, 4] (beyond, erf is ±1 in f32),
/// with the coefficients XLA and Eigen use for f32: within 4e-7 of erf everywhere (a few
/// units in the last place, near ±1) when evaluated in f32. No
/// branches and no calls, so a loop of it vectorises (the GELU of every feed-forward
/// activation is a fifth of the encoder's time with a libm-style erf).
pub(crate) fn erf(x: f32) -> f32 {
    const P: [f32; 7] = [
        -2.726_142_4e-10,
        2.770_681_5e-8,
        -2.101_024e-6,
        -5.692_506_2e-5,
        -7.349_906_4e-4,
        -2.954_6e-3,
        -1.609_603_3e-2,
    ];
    const Q: [f32; 5] = [
        -1.456_607_15e-5,
        -2.133_740_5e-4,
        -1.682_827e-3,
        -7.373_329_3e-3,
        -1.426_473_9e-2,
    ];
    let x = x.clamp(-4.0, 4.0);
    let x2 = x * x;
    let p = P.iter().fold(0.0, |acc, &c| acc * x2 + c);
    let q = Q.iter().fold(0.0, |acc, &c| acc * x2 + c);
    x * p / q
}
