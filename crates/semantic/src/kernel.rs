//! The encoder's matrix products: `out += x · B`, where `B` is packed once into panels of 32
//! columns, each stored row by row, so a product streams its right-hand side from memory
//! once and never repacks it.
//!
//! The weights are packed as they are quantised: their 4-bit values as bytes with one scale
//! per block of 32 rows and column (24 MB for the twelve layers instead of 85 MB of f32s,
//! which matters as much as the arithmetic: the weights do not fit in any cache). Each
//! 128-row block of a panel is turned into f32s (`(q − 8) × scale`, exact) just before it is
//! used, and stays in the L1 cache while all of `x` goes over it.
//!
//! Three implementations of the same arithmetic: AVX-512, AVX2 + FMA, and portable Rust,
//! picked at run time by the CPU's features. Every output element is the fused
//! multiply-add chain `((0 + x₀b₀) + x₁b₁) + …` over `k` in order, added to `out` at the
//! end, in all three, so they give the same bits. (The portable one uses `f32::mul_add`,
//! which is slow on x86-64 CPUs without FMA, that is, from before 2013.)

use super::format::{BLOCK, BLOCK_BYTES, f16_to_f32};

/// Columns per panel.
pub(crate) const NR: usize = 32;

/// Rows of a panel multiplied at a time: 128 × 32 f32s (16 KiB) stay in the L1 cache while
/// every group of rows of `x` goes over them. A multiple of the quantisation block.
const KC: usize = 128;

/// A `k × n` right-hand side, in panels of [`NR`] columns (the last one zero-padded); a
/// panel holds its `k` rows of `NR` values one after another.
pub(crate) struct Panels {
    k: usize,
    n: usize,
    values: Values,
}

enum Values {
    F32(Vec<f32>),
    /// Q4_0 weights: the value at row `r`, column `c` of a panel is
    /// `quants[r][c] × scales[r / 32][c]`.
    Quantised {
        quants: Vec<i8>,
        scales: Vec<f32>,
    },
}

impl Panels {
    pub fn new() -> Panels {
        Panels {
            k: 0,
            n: 0,
            values: Values::F32(Vec::new()),
        }
    }

    /// Packs the `k × n` matrix whose element `(row, col)` is `at(row, col)`.
    #[cfg(test)]
    pub fn pack(k: usize, n: usize, at: impl Fn(usize, usize) -> f32) -> Panels {
        let mut panels = Panels::new();
        panels.repack(k, n, at);
        panels
    }

    /// As [`Panels::pack`], reusing this allocation.
    pub fn repack(&mut self, k: usize, n: usize, at: impl Fn(usize, usize) -> f32) {
        let mut data = match std::mem::replace(&mut self.values, Values::F32(Vec::new())) {
            Values::F32(data) => data,
            Values::Quantised { .. } => Vec::new(),
        };
        data.clear();
        data.reserve(n.div_ceil(NR) * k * NR);
        for first in (0..n).step_by(NR) {
            for row in 0..k {
                for col in first..first + NR {
                    data.push(if col < n { at(row, col) } else { 0.0 });
                }
            }
        }
        *self = Panels {
            k,
            n,
            values: Values::F32(data),
        };
    }

    /// Packs `Wᵀ` for the Q4_0 matrices `W` (`n × k` each, blocks along the rows, as they are
    /// stored) whose rows, one after another, are the `n` columns. `k` must be a multiple of
    /// 32.
    pub fn pack_q4_0_transposed(k: usize, weights: &[&[u8]]) -> Panels {
        assert!(
            k.is_multiple_of(BLOCK),
            "{k} rows are not whole Q4_0 blocks"
        );
        let row_bytes = k / BLOCK * BLOCK_BYTES;
        let rows: Vec<&[u8]> = weights
            .iter()
            .flat_map(|w| w.chunks_exact(row_bytes))
            .collect();
        let n = rows.len();
        let panels = n.div_ceil(NR);
        let mut quants = vec![0i8; panels * k * NR];
        let mut scales = vec![0.0f32; panels * k / BLOCK * NR];
        for (col, row) in rows.iter().enumerate() {
            let (p, c) = (col / NR, col % NR);
            for (b, block) in row.chunks_exact(BLOCK_BYTES).enumerate() {
                scales[(p * k / BLOCK + b) * NR + c] =
                    f16_to_f32(u16::from_le_bytes([block[0], block[1]]));
                for (j, &byte) in block[2..].iter().enumerate() {
                    let r = b * BLOCK + j;
                    quants[(p * k + r) * NR + c] = (byte & 0x0f) as i8 - 8;
                    quants[(p * k + r + BLOCK / 2) * NR + c] = (byte >> 4) as i8 - 8;
                }
            }
        }
        Panels {
            k,
            n,
            values: Values::Quantised { quants, scales },
        }
    }

    pub fn rows(&self) -> usize {
        self.k
    }

    pub fn cols(&self) -> usize {
        self.n
    }
}

/// `out[i·ldo + j] += Σₖ x[i·ldx + k] · B[k][j]` for `i < m` and `j < b.cols()`.
/// `scratch` is working memory, reused between calls.
pub(crate) fn matmul_add(
    x: &[f32],
    ldx: usize,
    m: usize,
    b: &Panels,
    out: &mut [f32],
    ldo: usize,
    scratch: &mut Vec<f32>,
) {
    let (k, n) = (b.k, b.n);
    if m == 0 || n == 0 {
        return;
    }
    assert!(
        k > 0 && ldx >= k && ldo >= n && x.len() >= (m - 1) * ldx + k,
        "matmul_add: x of {m}×{k} (stride {ldx}) in {} values",
        x.len()
    );
    assert!(
        out.len() >= (m - 1) * ldo + n,
        "matmul_add: out of {m}×{n} (stride {ldo}) in {} values",
        out.len()
    );
    let args = Args {
        x,
        ldx,
        m,
        b,
        out,
        ldo,
    };
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512F, all that this function needs.
            unsafe { x86::matmul_avx512(args, scratch) };
            return;
        }
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the CPU has AVX2 and FMA, all that this function needs.
            unsafe { x86::matmul_avx2(args, scratch) };
            return;
        }
    }
    drive::<4>(args, scratch, portable_tile);
}

/// The products one by one, for tests (they must agree to the bit): the portable one, then
/// each SIMD one the CPU has.
#[cfg(test)]
pub(crate) fn matmul_add_each(
    x: &[f32],
    ldx: usize,
    m: usize,
    b: &Panels,
    start: &[f32],
    ldo: usize,
) -> Vec<(&'static str, Vec<f32>)> {
    let run = |f: &dyn Fn(Args<'_>)| {
        let mut out = start.to_vec();
        f(Args {
            x,
            ldx,
            m,
            b,
            out: &mut out,
            ldo,
        });
        out
    };
    let mut results = vec![(
        "portable",
        run(&|args| drive::<4>(args, &mut Vec::new(), portable_tile)),
    )];
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the CPU has AVX2 and FMA.
            let out = run(&|args| unsafe { x86::matmul_avx2(args, &mut Vec::new()) });
            results.push(("avx2", out));
        }
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512F.
            let out = run(&|args| unsafe { x86::matmul_avx512(args, &mut Vec::new()) });
            results.push(("avx512", out));
        }
    }
    results
}

struct Args<'a> {
    x: &'a [f32],
    ldx: usize,
    m: usize,
    b: &'a Panels,
    out: &'a mut [f32],
    ldo: usize,
}

/// The loop around a tile kernel. `x` is copied into groups of `MR` rows, interleaved so a
/// group's column `k` is `MR` consecutive values (rows past `m` are zeros). Then for each
/// panel (outer, so the weights come from memory once), each block of [`KC`] of its rows,
/// and each group, the kernel goes on with the group's `MR × NR` tile of sums; the tiles
/// are added to `out` at the end of the panel. A tile's sums are carried from block to
/// block as they are, so the result does not depend on `KC`.
#[inline(always)]
fn drive<const MR: usize>(
    a: Args<'_>,
    scratch: &mut Vec<f32>,
    tile: impl Fn(&[[f32; MR]], &[[f32; NR]], &mut [[f32; NR]; MR]),
) {
    let (k, n) = (a.b.k, a.b.n);
    let groups = a.m.div_ceil(MR);
    let packed_len = groups * k * MR;
    scratch.clear();
    scratch.resize(packed_len + groups * MR * NR, 0.0);
    let (packed, sums) = scratch.split_at_mut(packed_len);
    for (i, row) in a.x.chunks(a.ldx).take(a.m).enumerate() {
        let (g, r) = (i / MR, i % MR);
        for (kk, &v) in row[..k].iter().enumerate() {
            packed[(g * k + kk) * MR + r] = v;
        }
    }
    let (packed, _) = packed.as_chunks::<MR>();
    let (sums, _) = sums.as_chunks_mut::<NR>();
    let (sums, _) = sums.as_chunks_mut::<MR>();
    let mut unpacked = [[0.0f32; NR]; KC];
    for p in 0..n.div_ceil(NR) {
        sums.iter_mut().for_each(|tile| *tile = [[0.0; NR]; MR]);
        for start in (0..k).step_by(KC) {
            let end = (start + KC).min(k);
            let rows = p * k + start..p * k + end;
            let block: &[[f32; NR]] = match &a.b.values {
                Values::F32(data) => &data.as_chunks::<NR>().0[rows],
                Values::Quantised { quants, scales } => {
                    let quants = &quants.as_chunks::<NR>().0[rows];
                    let scales = &scales.as_chunks::<NR>().0[(p * k + start) / BLOCK..];
                    for ((out, q), s) in unpacked
                        .iter_mut()
                        .zip(quants)
                        .zip(scales.iter().flat_map(|s| std::iter::repeat_n(s, BLOCK)))
                    {
                        for ((out, &q), &s) in out.iter_mut().zip(q).zip(s) {
                            *out = f32::from(q) * s;
                        }
                    }
                    &unpacked[..end - start]
                }
            };
            for (group, tile_sums) in packed.chunks_exact(k).zip(sums.iter_mut()) {
                tile(&group[start..end], block, tile_sums);
            }
        }
        let first = p * NR;
        let cols = (n - first).min(NR);
        for (i, sums) in sums.as_flattened().iter().take(a.m).enumerate() {
            let at = i * a.ldo + first;
            for (o, v) in a.out[at..at + cols].iter_mut().zip(sums) {
                *o += v;
            }
        }
    }
}

/// Goes on with the sums `acc` over the rows of `a` and `b`.
fn portable_tile<const MR: usize>(a: &[[f32; MR]], b: &[[f32; NR]], acc: &mut [[f32; NR]; MR]) {
    for (a, b) in a.iter().zip(b) {
        for (acc, &x) in acc.iter_mut().zip(a) {
            for (acc, &w) in acc.iter_mut().zip(b) {
                *acc = x.mul_add(w, *acc);
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    use super::{Args, NR, drive};

    /// 8 rows × 32 columns: 16 accumulators of 16 lanes.
    #[target_feature(enable = "avx512f")]
    pub(super) fn matmul_avx512(args: Args<'_>, scratch: &mut Vec<f32>) {
        drive::<8>(args, scratch, |a, b, out| tile_avx512(a, b, out));
    }

    #[target_feature(enable = "avx512f")]
    fn tile_avx512(a: &[[f32; 8]], b: &[[f32; NR]], sums: &mut [[f32; NR]; 8]) {
        let mut acc = sums.map(|row| {
            let (row, _) = row.as_chunks::<16>();
            [load16(&row[0]), load16(&row[1])]
        });
        for (a, b) in a.iter().zip(b) {
            let (b, _) = b.as_chunks::<16>();
            let w = [load16(&b[0]), load16(&b[1])];
            for (acc, &x) in acc.iter_mut().zip(a) {
                let x = _mm512_set1_ps(x);
                acc[0] = _mm512_fmadd_ps(x, w[0], acc[0]);
                acc[1] = _mm512_fmadd_ps(x, w[1], acc[1]);
            }
        }
        for (out, acc) in sums.iter_mut().zip(acc) {
            let (out, _) = out.as_chunks_mut::<16>();
            store16(&mut out[0], acc[0]);
            store16(&mut out[1], acc[1]);
        }
    }

    /// 6 rows × 32 columns, in two halves of 16 columns: 12 accumulators of 8 lanes.
    #[target_feature(enable = "avx2,fma")]
    pub(super) fn matmul_avx2(args: Args<'_>, scratch: &mut Vec<f32>) {
        drive::<6>(args, scratch, |a, b, out| tile_avx2(a, b, out));
    }

    #[target_feature(enable = "avx2,fma")]
    fn tile_avx2(a: &[[f32; 6]], b: &[[f32; NR]], sums: &mut [[f32; NR]; 6]) {
        for half in 0..2 {
            let mut acc = sums.map(|row| {
                let (row, _) = row.as_chunks::<8>();
                [load8(&row[2 * half]), load8(&row[2 * half + 1])]
            });
            for (a, b) in a.iter().zip(b) {
                let (b, _) = b.as_chunks::<8>();
                let w = [load8(&b[2 * half]), load8(&b[2 * half + 1])];
                for (acc, &x) in acc.iter_mut().zip(a) {
                    let x = _mm256_set1_ps(x);
                    acc[0] = _mm256_fmadd_ps(x, w[0], acc[0]);
                    acc[1] = _mm256_fmadd_ps(x, w[1], acc[1]);
                }
            }
            for (out, acc) in sums.iter_mut().zip(acc) {
                let (out, _) = out.as_chunks_mut::<8>();
                store8(&mut out[2 * half], acc[0]);
                store8(&mut out[2 * half + 1], acc[1]);
            }
        }
    }

    #[target_feature(enable = "avx512f")]
    fn load16(v: &[f32; 16]) -> __m512 {
        // SAFETY: `v` is 16 readable floats; the load has no alignment requirement.
        unsafe { _mm512_loadu_ps(v.as_ptr()) }
    }

    #[target_feature(enable = "avx512f")]
    fn store16(v: &mut [f32; 16], x: __m512) {
        // SAFETY: `v` is 16 writable floats; the store has no alignment requirement.
        unsafe { _mm512_storeu_ps(v.as_mut_ptr(), x) }
    }

    #[target_feature(enable = "avx")]
    fn load8(v: &[f32; 8]) -> __m256 {
        // SAFETY: `v` is 8 readable floats; the load has no alignment requirement.
        unsafe { _mm256_loadu_ps(v.as_ptr()) }
    }

    #[target_feature(enable = "avx")]
    fn store8(v: &mut [f32; 8], x: __m256) {
        // SAFETY: `v` is 8 writable floats; the store has no alignment requirement.
        unsafe { _mm256_storeu_ps(v.as_mut_ptr(), x) }
    }
}
