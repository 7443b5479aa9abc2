//! The one matrix product the encoder needs, `C ← α·A·B + β·C` on strided views of slices,
//! as a safe wrapper around `matrixmultiply::sgemm` (the only `unsafe` in the module).
//!
//! `matrixmultiply` is single-threaded here (its threading feature is off), picks its SIMD
//! kernel once per process from the CPU's features, and sums in a fixed order for given
//! shapes: the same inputs give bit-identical outputs on a given machine.

/// Where a matrix lies in a slice: element `(i, j)` is at `offset + i·row_stride + j·col_stride`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct View {
    pub offset: usize,
    pub rows: usize,
    pub cols: usize,
    pub row_stride: usize,
    pub col_stride: usize,
}

impl View {
    /// A dense row-major `rows × cols` matrix at the start of its slice.
    pub fn dense(rows: usize, cols: usize) -> View {
        View {
            offset: 0,
            rows,
            cols,
            row_stride: cols,
            col_stride: 1,
        }
    }

    /// The index one past the last element, `None` on overflow; `offset` when empty.
    fn end(&self) -> Option<usize> {
        if self.rows == 0 || self.cols == 0 {
            return Some(self.offset);
        }
        let last_row = (self.rows - 1).checked_mul(self.row_stride)?;
        let last_col = (self.cols - 1).checked_mul(self.col_stride)?;
        self.offset
            .checked_add(last_row)?
            .checked_add(last_col)?
            .checked_add(1)
    }

    fn check(&self, len: usize, which: &str) {
        let end = self.end();
        assert!(
            end.is_some_and(|end| end <= len)
                && isize::try_from(self.row_stride).is_ok()
                && isize::try_from(self.col_stride).is_ok(),
            "gemm: {which} {self:?} does not fit a slice of {len}"
        );
    }
}

/// `c ← alpha·a·b + beta·c` (with `beta == 0`, `c` is only written).
///
/// Panics when the shapes disagree or a view reaches past its slice.
#[allow(clippy::too_many_arguments)]
pub(crate) fn gemm(
    alpha: f32,
    a: &[f32],
    va: View,
    b: &[f32],
    vb: View,
    beta: f32,
    c: &mut [f32],
    vc: View,
) {
    assert!(
        va.cols == vb.rows && va.rows == vc.rows && vb.cols == vc.cols,
        "gemm: shapes {va:?} · {vb:?} → {vc:?}"
    );
    va.check(a.len(), "A");
    vb.check(b.len(), "B");
    vc.check(c.len(), "C");
    if vc.rows == 0 || vc.cols == 0 {
        return;
    }
    // Strides fit isize (checked above), so these casts are exact.
    let stride = |s: usize| s as isize;
    // SAFETY: every element sgemm reads through the A and B pointers, and every element it
    // writes through the C pointer, lies inside its slice (checked above: the offset plus
    // the last row and column stay below the length, without overflow). When k = 0 sgemm
    // reads nothing of A and B. C is borrowed mutably, so it cannot overlap A or B.
    unsafe {
        matrixmultiply::sgemm(
            va.rows,
            va.cols,
            vb.cols,
            alpha,
            a.as_ptr().add(va.offset.min(a.len())),
            stride(va.row_stride),
            stride(va.col_stride),
            b.as_ptr().add(vb.offset.min(b.len())),
            stride(vb.row_stride),
            stride(vb.col_stride),
            beta,
            c.as_mut_ptr().add(vc.offset),
            stride(vc.row_stride),
            stride(vc.col_stride),
        );
    }
}
