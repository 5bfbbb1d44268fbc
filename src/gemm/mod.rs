//! `C = A·B`, the product behind Conv2D (im2col) and Dense: a packed, cache-blocked GEMM with a
//! SIMD micro-kernel (wasm `simd128`, x86-64 AVX2 + FMA, or portable Rust), written for this
//! engine's shapes and for a training step that allocates nothing.
//!
//! The layout is GotoBLAS's: `B` is cut into `KC × NC` blocks and `A` into `MC × KC` blocks, each
//! copied ("packed") into thin slivers (`NR` columns of `B`, `MR` rows of `A`) that the
//! micro-kernel streams through while it keeps an `MR × NR` tile of `C` in registers. Transposes
//! are views ([`MatRef::t`] swaps the strides); packing reads any strides, so `Aᵀ·B` and `A·Bᵀ`
//! never materialise a transposed copy. The pack buffers live in a thread-local and are sized once.
//!
//! The [`Epilogue`] runs on each tile of `C` while it is still in registers, after the last
//! block of the dot products: accumulate onto `C`, add a per-column bias, apply ReLU. Sums are
//! in the order `((a₀b₀ + a₁b₁) + …) + bias`, a float rounding away from any other order.

mod kernel;

use std::cell::RefCell;

use kernel::{Tile, KC, MC, MR, NC, NR};

/// A read-only `rows × cols` matrix over a slice, with any row and column stride: element
/// `(i, j)` is `data[i·row_stride + j·col_stride]`. A transpose is a view, never a copy.
#[derive(Clone, Copy, Debug)]
pub struct MatRef<'a> {
    data: &'a [f32],
    rows: usize,
    cols: usize,
    row_stride: usize,
    col_stride: usize,
}

impl<'a> MatRef<'a> {
    /// The row-major `rows × cols` matrix stored in `data` (element `(i, j)` at `i·cols + j`).
    ///
    /// # Panics
    /// If `data` does not hold exactly `rows·cols` values.
    pub fn row_major(data: &'a [f32], rows: usize, cols: usize) -> Self {
        assert_eq!(
            data.len(),
            rows * cols,
            "a {rows}×{cols} matrix needs {} values",
            rows * cols
        );
        MatRef {
            data,
            rows,
            cols,
            row_stride: cols,
            col_stride: 1,
        }
    }

    /// The transpose, as a view of the same values.
    pub fn t(self) -> Self {
        MatRef {
            rows: self.cols,
            cols: self.rows,
            row_stride: self.col_stride,
            col_stride: self.row_stride,
            ..self
        }
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }
}

/// Rows of `A` in one packed sliver: the micro-kernel's tile height.
pub const SLIVER_ROWS: usize = MR;

pub use kernel::interleave_rows;

/// A left operand `A` that copies its own slivers into the packed layout. A [`MatRef`] is one;
/// so is a matrix that is never stored, such as Conv2D's patch matrix, packed straight from the
/// image (implicit im2col): the product then reads the image instead of writing and re-reading
/// a matrix nine times its size.
pub trait PackRows {
    /// Rows of `A`.
    fn rows(&self) -> usize;
    /// Columns of `A`.
    fn cols(&self) -> usize;
    /// Writes rows `row0..row0 + SLIVER_ROWS`, columns `pc..pc + kc` of `A` into `out` as
    /// `out[p·SLIVER_ROWS + r] = A[row0 + r][pc + p]`, with zeros for rows past the last.
    fn pack_sliver(&self, row0: usize, pc: usize, kc: usize, out: &mut [f32]);
}

/// What happens to each element of `C` once its dot product is complete.
#[derive(Clone, Copy, Debug, Default)]
pub struct Epilogue<'a> {
    /// Add the product to the values already in `C` (`C += A·B`) instead of overwriting them.
    pub accumulate: bool,
    /// One value per column of `C`, added to every row: a layer's bias.
    pub bias: Option<&'a [f32]>,
    /// Apply ReLU, `max(x, 0)`, last.
    pub relu: bool,
}

/// The pack buffers, sized for the largest blocks once, so that no product allocates after the
/// first.
struct Packs {
    a: Vec<f32>,
    b: Vec<f32>,
}

thread_local! {
    static PACKS: RefCell<Packs> = const { RefCell::new(Packs { a: Vec::new(), b: Vec::new() }) };
}

/// `C = A·B`, then `epilogue`, with `C` the row-major `a.rows() × b.cols()` matrix in `c`.
///
/// # Panics
/// If the inner dimensions differ, `c` has the wrong length, or the bias is not `b.cols()` long.
pub fn gemm(a: MatRef<'_>, b: MatRef<'_>, c: &mut [f32], epilogue: Epilogue<'_>) {
    check_bounds(&a);
    gemm_rows(&a, b, c, epilogue);
}

/// `C = A·B`, then `epilogue`, for any `A` that packs itself (see [`PackRows`]).
///
/// # Panics
/// As [`gemm`].
pub fn gemm_rows(a: &impl PackRows, b: MatRef<'_>, c: &mut [f32], epilogue: Epilogue<'_>) {
    let (m, k, n) = (a.rows(), a.cols(), b.cols);
    assert_eq!(
        k, b.rows,
        "A·B needs A's columns ({k}) to equal B's rows ({})",
        b.rows
    );
    assert_eq!(c.len(), m * n, "C must hold {m}×{n} values");
    if let Some(bias) = epilogue.bias {
        assert_eq!(bias.len(), n, "the bias needs one value per column of C");
    }
    check_bounds(&b);
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        apply_to_empty_product(c, n, epilogue);
        return;
    }
    PACKS.with_borrow_mut(|packs| {
        if packs.a.is_empty() {
            packs.a = vec![0.0; MC * KC];
            packs.b = vec![0.0; KC * NC];
        }
        for jc in (0..n).step_by(NC) {
            let nc = NC.min(n - jc);
            // Blocks of equal depth (at most KC): a thin last block would spend more on storing
            // C than on multiplying.
            let depth = k.div_ceil(k.div_ceil(KC));
            for pc in (0..k).step_by(depth) {
                let kc = depth.min(k - pc);
                pack_b(&b, pc, kc, jc, nc, &mut packs.b);
                let block = Epilogue {
                    accumulate: epilogue.accumulate || pc > 0,
                    bias: epilogue.bias.filter(|_| pc + kc == k),
                    relu: epilogue.relu && pc + kc == k,
                };
                for ic in (0..m).step_by(MC) {
                    let mc = MC.min(m - ic);
                    pack_a(a, ic, mc, pc, kc, &mut packs.a);
                    macro_kernel(
                        &packs.a,
                        &packs.b,
                        [mc, nc, kc],
                        &mut c[ic * n + jc..],
                        n,
                        block,
                        jc,
                    );
                }
            }
        }
    });
}

/// Panics unless every element of `matrix` lies inside its slice (so packing may skip checks).
fn check_bounds(matrix: &MatRef<'_>) {
    if matrix.rows > 0 && matrix.cols > 0 {
        let last = (matrix.rows - 1) * matrix.row_stride + (matrix.cols - 1) * matrix.col_stride;
        assert!(
            last < matrix.data.len(),
            "a {}×{} view with strides ({}, {}) reaches past its {} values",
            matrix.rows,
            matrix.cols,
            matrix.row_stride,
            matrix.col_stride,
            matrix.data.len()
        );
    }
}

/// The epilogue when `A·B` is all zeros (an empty inner dimension).
fn apply_to_empty_product(c: &mut [f32], n: usize, epilogue: Epilogue<'_>) {
    for row in c.chunks_exact_mut(n) {
        for (j, value) in row.iter_mut().enumerate() {
            let mut x = if epilogue.accumulate { *value } else { 0.0 };
            if let Some(bias) = epilogue.bias {
                x += bias[j];
            }
            *value = if epilogue.relu { x.max(0.0) } else { x };
        }
    }
}

/// Copies rows `ic..ic+mc`, columns `pc..pc+kc` of `a` into `MR`-row slivers: sliver `s` holds,
/// for each `p`, the `MR` values `a[ic + s·MR + r][pc + p]` (zeros past the last row).
fn pack_a(a: &impl PackRows, ic: usize, mc: usize, pc: usize, kc: usize, out: &mut [f32]) {
    for (s, sliver) in out[..mc.div_ceil(MR) * MR * kc]
        .chunks_exact_mut(MR * kc)
        .enumerate()
    {
        a.pack_sliver(ic + s * MR, pc, kc, sliver);
    }
}

impl PackRows for MatRef<'_> {
    fn rows(&self) -> usize {
        self.rows
    }

    fn cols(&self) -> usize {
        self.cols
    }

    fn pack_sliver(&self, row0: usize, pc: usize, kc: usize, sliver: &mut [f32]) {
        let a = self;
        let rows = MR.min(a.rows.saturating_sub(row0));
        if a.col_stride == 1 && rows == MR {
            // Row-major A: interleave MR rows (a transpose, in SIMD where there is a kernel for it).
            let rows: [&[f32]; MR] = std::array::from_fn(|r| {
                let start = (row0 + r) * a.row_stride + pc;
                &a.data[start..start + kc]
            });
            kernel::interleave_rows(&rows, kc, sliver);
        } else if a.row_stride == 1 && rows == MR {
            // Column-major A (a transposed row-major matrix): MR contiguous values per column.
            for (p, out) in sliver[..kc * MR].chunks_exact_mut(MR).enumerate() {
                let start = (pc + p) * a.col_stride + row0;
                let column: &[f32; MR] = a.data[start..start + MR].try_into().expect("MR values");
                out.copy_from_slice(column);
            }
        } else if a.col_stride == 1 {
            for r in 0..rows {
                let start = (row0 + r) * a.row_stride + pc;
                for (p, &value) in a.data[start..start + kc].iter().enumerate() {
                    sliver[p * MR + r] = value;
                }
            }
        } else {
            for p in 0..kc {
                let column = (pc + p) * a.col_stride;
                let out = &mut sliver[p * MR..][..MR];
                for (r, value) in out[..rows].iter_mut().enumerate() {
                    *value = a.data[column + (row0 + r) * a.row_stride];
                }
            }
        }
        if rows < MR {
            for p in 0..kc {
                sliver[p * MR + rows..(p + 1) * MR].fill(0.0);
            }
        }
    }
}

/// Copies rows `pc..pc+kc`, columns `jc..jc+nc` of `b` into `NR`-column slivers: sliver `s`
/// holds, for each `p`, the `NR` values `b[pc + p][jc + s·NR + j]` (zeros past the last column).
fn pack_b(b: &MatRef<'_>, pc: usize, kc: usize, jc: usize, nc: usize, out: &mut [f32]) {
    for (s, sliver) in out[..nc.div_ceil(NR) * NR * kc]
        .chunks_exact_mut(NR * kc)
        .enumerate()
    {
        let col0 = jc + s * NR;
        let cols = NR.min(jc + nc - col0);
        if b.col_stride == 1 {
            for (p, out) in sliver.chunks_exact_mut(NR).enumerate() {
                let start = (pc + p) * b.row_stride + col0;
                if cols == NR {
                    // A fixed-length copy: a few vector moves rather than a memcpy call.
                    let row: &[f32; NR] = b.data[start..start + NR].try_into().expect("NR values");
                    out.copy_from_slice(row);
                } else {
                    out[..cols].copy_from_slice(&b.data[start..start + cols]);
                    out[cols..].fill(0.0);
                }
            }
        } else {
            for j in 0..cols {
                let column = (col0 + j) * b.col_stride;
                for p in 0..kc {
                    sliver[p * NR + j] = b.data[column + (pc + p) * b.row_stride];
                }
            }
            if cols < NR {
                for out in sliver.chunks_exact_mut(NR) {
                    out[cols..].fill(0.0);
                }
            }
        }
    }
}

/// Multiplies a packed `mc × kc` block of `A` by a packed `kc × nc` block of `B` into the block
/// of `C` that starts at `c[0]` (row stride `ldc`); `jc` is the block's first column in `C` (for
/// the bias).
fn macro_kernel(
    packed_a: &[f32],
    packed_b: &[f32],
    [mc, nc, kc]: [usize; 3],
    c: &mut [f32],
    ldc: usize,
    epilogue: Epilogue<'_>,
    jc: usize,
) {
    for (js, b_sliver) in packed_b[..nc.div_ceil(NR) * NR * kc]
        .chunks_exact(NR * kc)
        .enumerate()
    {
        let col0 = js * NR;
        let cols = NR.min(nc - col0);
        let bias = epilogue.bias.map(|bias| &bias[jc + col0..jc + col0 + cols]);
        for (is, a_sliver) in packed_a[..mc.div_ceil(MR) * MR * kc]
            .chunks_exact(MR * kc)
            .enumerate()
        {
            let row0 = is * MR;
            let rows = MR.min(mc - row0);
            let tile = Tile {
                accumulate: epilogue.accumulate,
                bias,
                relu: epilogue.relu,
            };
            let c_tile = &mut c[row0 * ldc + col0..];
            if rows == MR && cols == NR {
                kernel::run(kc, a_sliver, b_sliver, c_tile, ldc, tile);
            } else {
                // An edge tile: compute the full MR × NR tile on a copy, keep the part inside C.
                let mut local = [0.0f32; MR * NR];
                let mut local_bias = [0.0f32; NR];
                if epilogue.accumulate {
                    for r in 0..rows {
                        local[r * NR..r * NR + cols].copy_from_slice(&c_tile[r * ldc..][..cols]);
                    }
                }
                let tile = Tile {
                    bias: bias.map(|bias| {
                        local_bias[..cols].copy_from_slice(bias);
                        &local_bias[..]
                    }),
                    ..tile
                };
                kernel::run(kc, a_sliver, b_sliver, &mut local, NR, tile);
                for r in 0..rows {
                    c_tile[r * ldc..][..cols].copy_from_slice(&local[r * NR..r * NR + cols]);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The textbook triple loop, in f64, then the epilogue.
    fn naive(a: &MatRef<'_>, b: &MatRef<'_>, c: &mut [f32], epilogue: Epilogue<'_>) {
        let at = |m: &MatRef<'_>, i: usize, j: usize| m.data[i * m.row_stride + j * m.col_stride];
        for i in 0..a.rows {
            for j in 0..b.cols {
                let dot: f64 = (0..a.cols)
                    .map(|p| at(a, i, p) as f64 * at(b, p, j) as f64)
                    .sum();
                let mut x = dot as f32;
                if epilogue.accumulate {
                    x += c[i * b.cols + j];
                }
                if let Some(bias) = epilogue.bias {
                    x += bias[j];
                }
                c[i * b.cols + j] = if epilogue.relu { x.max(0.0) } else { x };
            }
        }
    }

    /// Values in [−1, 1) from a small linear congruential generator.
    fn values(count: usize, seed: u32) -> Vec<f32> {
        let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
        (0..count)
            .map(|_| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (state >> 8) as f32 / (1u32 << 23) as f32 - 1.0
            })
            .collect()
    }

    /// Checks `op(A)·op(B)` for an `m × k` by `k × n` product, with A and/or B stored transposed,
    /// against the naive product, for every epilogue.
    fn agrees_with_naive(m: usize, k: usize, n: usize) {
        let a_data = values(m * k, 1);
        let b_data = values(k * n, 2);
        let bias = values(n, 3);
        let start = values(m * n, 4);
        for (a_transposed, b_transposed) in
            [(false, false), (true, false), (false, true), (true, true)]
        {
            let a = if a_transposed {
                MatRef::row_major(&a_data, k, m).t()
            } else {
                MatRef::row_major(&a_data, m, k)
            };
            let b = if b_transposed {
                MatRef::row_major(&b_data, n, k).t()
            } else {
                MatRef::row_major(&b_data, k, n)
            };
            for epilogue in [
                Epilogue::default(),
                Epilogue {
                    accumulate: true,
                    ..Epilogue::default()
                },
                Epilogue {
                    bias: Some(&bias),
                    relu: true,
                    ..Epilogue::default()
                },
                Epilogue {
                    accumulate: true,
                    bias: Some(&bias),
                    relu: false,
                },
            ] {
                let mut expected = start.clone();
                naive(&a, &b, &mut expected, epilogue);
                let mut actual = start.clone();
                gemm(a, b, &mut actual, epilogue);
                for (index, (x, e)) in actual.iter().zip(&expected).enumerate() {
                    assert!(
                        (x - e).abs() <= 1e-5 * (1.0 + k as f32).sqrt() * (1.0 + e.abs()),
                        "{m}×{k}×{n} (Aᵀ {a_transposed}, Bᵀ {b_transposed}, {epilogue:?}): \
                         element {index}: {x} vs {e}"
                    );
                }
            }
        }
    }

    #[test]
    fn one_by_one() {
        agrees_with_naive(1, 1, 1);
    }

    #[test]
    fn a_single_row_times_a_wide_matrix() {
        agrees_with_naive(1, 37, 300);
    }

    #[test]
    fn a_tall_matrix_times_a_single_column() {
        agrees_with_naive(301, 19, 1);
    }

    #[test]
    fn odd_sizes_smaller_than_one_tile() {
        agrees_with_naive(3, 5, 7);
    }

    #[test]
    fn odd_sizes_across_every_block_edge() {
        // Past MC, KC and NR boundaries with ragged remainders on every axis.
        agrees_with_naive(MC + MR + 1, KC + 3, 2 * NR + 5);
    }

    #[test]
    fn wider_than_one_column_block() {
        agrees_with_naive(MR + 1, 7, NC + NR + 3);
    }

    #[test]
    fn the_conv_shape_with_a_short_inner_dimension() {
        // Conv2D(32, 3×3) on one channel: patches of 9 values.
        agrees_with_naive(200, 9, 32);
    }

    #[test]
    fn empty_inner_dimension_applies_only_the_epilogue() {
        let bias = [1.0, -2.0];
        let mut c = vec![5.0; 4];
        gemm(
            MatRef::row_major(&[], 2, 0),
            MatRef::row_major(&[], 0, 2),
            &mut c,
            Epilogue {
                accumulate: true,
                bias: Some(&bias),
                relu: true,
            },
        );
        assert_eq!(c, [6.0, 3.0, 6.0, 3.0]);
    }

    #[test]
    fn exact_small_integers() {
        // [1 2; 3 4]·[5 6; 7 8] = [19 22; 43 50]
        let mut c = vec![0.0; 4];
        gemm(
            MatRef::row_major(&[1.0, 2.0, 3.0, 4.0], 2, 2),
            MatRef::row_major(&[5.0, 6.0, 7.0, 8.0], 2, 2),
            &mut c,
            Epilogue::default(),
        );
        assert_eq!(c, [19.0, 22.0, 43.0, 50.0]);
    }

    #[test]
    #[should_panic(expected = "A's columns (3) to equal B's rows (2)")]
    fn mismatched_inner_dimensions_are_refused() {
        let mut c = vec![0.0; 4];
        gemm(
            MatRef::row_major(&[0.0; 6], 2, 3),
            MatRef::row_major(&[0.0; 4], 2, 2),
            &mut c,
            Epilogue::default(),
        );
    }
}
