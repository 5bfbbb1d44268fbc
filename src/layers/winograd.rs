//! Winograd's minimal filtering F(2×2, 3×3) (Lavin & Gray, "Fast Algorithms for Convolutional
//! Neural Networks", 2016): Conv2D's forward pass for 3×3 kernels at stride 1 with 16
//! multiplications per 2×2 block of output pixels instead of 36, 2.25× fewer.
//!
//! The output is cut into 2×2 tiles; tile `(ty, tx)` is computed from the 4×4 input block `d`
//! whose top-left cell is `(2·ty − pad, 2·tx − pad)` (blocks overlap by 2; cells outside the
//! image are zeros, which is also 'same' padding), and for one input channel and one filter `g`
//! it is `Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A`. Summed over the input channels, the element-wise
//! product at each of the 16 positions `ξ` of the 4×4 transforms is a matrix product
//! `M_ξ = V_ξ · U_ξ`: `V_ξ` `[tiles, in]` holds the transformed input blocks, `U_ξ` `[in, out]` the
//! transformed filters. The 16 products run through the packed GEMM; the output transform then
//! adds the bias and applies ReLU. An odd output size leaves the last tile row or column half
//! outside the output: it is computed and its outer half dropped.
//!
//! Tiles are taken a chunk at a time so that `V` and `M` stay in cache between the transforms
//! and the products; the buffers only grow, so batches of one size reuse them.
//!
//! The same pass computes the input gradient of such a layer ([`InputGradient`]): at stride 1 it
//! is a 3×3 correlation of the output gradient `δ` with the kernel rotated by 180° and its
//! channel axes swapped, which replaces the product `δ · kernelᵀ` and its col2im.

use std::array::from_fn;

use super::conv2d::WindowGrid;
use crate::gemm::{gemm, Epilogue, MatRef, SLIVER_ROWS};
use crate::padding::OutputSize;
use crate::simd::{F32x4, Lanes};
use crate::tensor::ensure_len;

/// Input channels from which Winograd is used: with few channels the transforms cost more than
/// the multiplications they save (8 is a guess; the lesson's 32 channels pay, 2–7 are not
/// measured, and one channel takes the direct path).
pub(crate) const MIN_CHANNELS: usize = 8;

/// Positions of a 4×4 transformed tile: one matrix product each.
const POSITIONS: usize = 16;

/// Values of `V` and `M` together in one chunk of tiles (a budget for the L2 cache).
const CHUNK_VALUES: usize = 64 * 1024;

/// Whether a 3×3 correlation with this kernel, stride and input channel count (the products'
/// reduction dimension) runs through Winograd F(2×2, 3×3): 3×3 kernels at stride 1 with enough
/// channels to pay. For a Conv2D's forward pass the channels are its input channels; for its
/// input gradient, its filters.
pub(crate) fn applies(kernel: [usize; 2], strides: [usize; 2], channels: usize) -> bool {
    kernel == [3, 3] && strides == [1, 1] && channels >= MIN_CHANNELS
}

/// The transformed filters and the per-chunk buffers of a Conv2D's Winograd passes.
#[derive(Default)]
pub(crate) struct Winograd {
    /// `U`: the 16 matrices `G g Gᵀ`, each `[in, out]`, recomputed from the kernel every pass
    /// (cheap next to the products, and never stale after an optimizer step).
    filters: Vec<f32>,
    /// `V` of one chunk: the 16 matrices `[tiles, in]` of transformed input blocks.
    inputs: Vec<f32>,
    /// `M` of one chunk: the 16 products `[tiles, out]`.
    products: Vec<f32>,
}

/// The input transform `Bᵀ x`.
fn input_1d<T: Lanes>([x0, x1, x2, x3]: [T; 4]) -> [T; 4] {
    [x0 - x2, x1 + x2, x2 - x1, x1 - x3]
}

/// The filter transform `G g`.
fn filter_1d<T: Lanes>([g0, g1, g2]: [T; 3]) -> [T; 4] {
    [g0, (g0 + g1 + g2) * 0.5, (g0 - g1 + g2) * 0.5, g2]
}

/// The output transform `Aᵀ m`.
fn output_1d<T: Lanes>([m0, m1, m2, m3]: [T; 4]) -> [T; 2] {
    [m0 + m1 + m2, m1 - m2 - m3]
}

/// `T x Tᵀ` for the one-dimensional transform `x ↦ T x`: `transform` applied to every column of
/// the `N × N` block, then to every row of the result.
fn transform_2d<T: Lanes, const N: usize, const M: usize>(
    block: [[T; N]; N],
    transform: impl Fn([T; N]) -> [T; M],
) -> [[T; M]; M] {
    let columns: [[T; M]; N] = from_fn(|j| transform(from_fn(|i| block[i][j])));
    from_fn(|i| transform(from_fn(|j| columns[j][i])))
}

/// Where one chunk's matrices lie in their buffer: matrix `ξ` of `V` (or `M`) holds `rows` rows
/// of `cols` values from `ξ·rows·cols`.
#[derive(Clone, Copy)]
struct Stack {
    rows: usize,
    cols: usize,
}

impl Stack {
    /// Flat index of `(row, col)` of matrix `position`.
    fn at(self, position: usize, row: usize, col: usize) -> usize {
        (position * self.rows + row) * self.cols + col
    }

    /// Matrix `position`, row-major.
    fn matrix(self, values: &[f32], position: usize) -> MatRef<'_> {
        let len = self.rows * self.cols;
        MatRef::row_major(&values[position * len..][..len], self.rows, self.cols)
    }
}

/// Transforms channels `c..c + T::LANES` of the input block whose 16 cells start at `cells`
/// (`None`: outside the image) into row `row` of the 16 matrices of `inputs`.
fn transform_input<T: Lanes>(
    input: &[f32],
    cells: &[Option<usize>; POSITIONS],
    c: usize,
    inputs: &mut [f32],
    stack: Stack,
    row: usize,
) {
    let block: [[T; 4]; 4] = from_fn(|i| {
        from_fn(|j| cells[i * 4 + j].map_or(T::zero(), |start| T::load(&input[start + c..])))
    });
    for (position, value) in transform_2d(block, input_1d)
        .as_flattened()
        .iter()
        .enumerate()
    {
        value.store(&mut inputs[stack.at(position, row, c)..]);
    }
}

/// Transforms filters `k..k + T::LANES` of row `row` of the 16 products back into the 2×2 output
/// tile whose pixels start at `cells` (`None`: outside the output), adding the bias and applying
/// ReLU.
#[allow(clippy::too_many_arguments)]
fn transform_output<T: Lanes>(
    products: &[f32],
    stack: Stack,
    row: usize,
    k: usize,
    bias: Option<&[f32]>,
    relu: bool,
    cells: &[Option<usize>; 4],
    output: &mut [f32],
) {
    let block: [[T; 4]; 4] =
        from_fn(|i| from_fn(|j| T::load(&products[stack.at(i * 4 + j, row, k)..])));
    let bias = bias.map_or(T::zero(), |bias| T::load(&bias[k..]));
    for (&value, cell) in transform_2d(block, output_1d)
        .as_flattened()
        .iter()
        .zip(cells)
    {
        if let Some(start) = cell {
            let value = value + bias;
            let value = if relu { value.relu() } else { value };
            value.store(&mut output[start + k..]);
        }
    }
}

/// Runs `$run` with `$c` at each block of four lanes of `0..$count` and `$T` = [`F32x4`], then at
/// each value left over with `$T` = `f32`: the SIMD body and its remainder from one source.
macro_rules! in_lanes {
    ($count:expr, |$c:ident, $T:ident| $run:expr) => {{
        let count = $count;
        let full = count - count % F32x4::LANES;
        for $c in (0..full).step_by(F32x4::LANES) {
            type $T = F32x4;
            $run;
        }
        for $c in full..count {
            type $T = f32;
            $run;
        }
    }};
}

impl Winograd {
    /// `output = relu?(conv(input, kernel) + bias)` for a 3×3, stride-1 convolution over the
    /// `batch` NHWC images of `input` with the padding and sizes of `grid`; `kernel` is
    /// `[3, 3, in, out]` and `output` `[batch, oh, ow, out]`, both row-major. Every output value
    /// is written. Only `grid`'s image size, `pad_before` and output size are read, so any
    /// padding works, including more than the kernel's 'same' padding.
    #[allow(clippy::too_many_arguments)]
    pub fn forward(
        &mut self,
        grid: &WindowGrid,
        batch: usize,
        input: &[f32],
        kernel: &[f32],
        bias: Option<&[f32]>,
        relu: bool,
        output: &mut [f32],
    ) {
        let [height, width, channels] = grid.image;
        let [vertical, horizontal] = &grid.size;
        let filters = kernel.len() / (9 * channels);
        let (out_height, out_width) = (vertical.output, horizontal.output);
        let (tile_rows, tile_cols) = (out_height.div_ceil(2), out_width.div_ceil(2));
        let tiles = batch * tile_rows * tile_cols;
        // Tile `tile` (in NHWC order) as `(sample, ty, tx)`.
        let locate = |tile: usize| {
            (
                tile / (tile_rows * tile_cols),
                tile / tile_cols % tile_rows,
                tile % tile_cols,
            )
        };
        self.transform_filters(kernel, channels * filters);

        let chunk = (CHUNK_VALUES / (POSITIONS * (channels + filters)))
            .next_multiple_of(SLIVER_ROWS)
            .min(tiles);
        ensure_len(&mut self.inputs, POSITIONS * chunk * channels);
        ensure_len(&mut self.products, POSITIONS * chunk * filters);
        for first in (0..tiles).step_by(chunk.max(1)) {
            let rows = chunk.min(tiles - first);
            let (v, m) = (
                Stack {
                    rows,
                    cols: channels,
                },
                Stack {
                    rows,
                    cols: filters,
                },
            );
            for row in 0..rows {
                let (sample, ty, tx) = locate(first + row);
                let top = (2 * ty) as isize - vertical.pad_before as isize;
                let left = (2 * tx) as isize - horizontal.pad_before as isize;
                let cells: [Option<usize>; POSITIONS] = from_fn(|p| {
                    let (y, x) = (top + (p / 4) as isize, left + (p % 4) as isize);
                    let inside = y >= 0 && x >= 0 && (y as usize) < height && (x as usize) < width;
                    inside.then(|| ((sample * height + y as usize) * width + x as usize) * channels)
                });
                in_lanes!(channels, |c, T| transform_input::<T>(
                    input,
                    &cells,
                    c,
                    &mut self.inputs,
                    v,
                    row
                ));
            }
            for position in 0..POSITIONS {
                let len = rows * filters;
                gemm(
                    v.matrix(&self.inputs, position),
                    MatRef::row_major(
                        &self.filters[position * channels * filters..][..channels * filters],
                        channels,
                        filters,
                    ),
                    &mut self.products[position * len..][..len],
                    Epilogue::default(),
                );
            }
            for row in 0..rows {
                let (sample, ty, tx) = locate(first + row);
                let cells: [Option<usize>; 4] = from_fn(|p| {
                    let (y, x) = (2 * ty + p / 2, 2 * tx + p % 2);
                    (y < out_height && x < out_width)
                        .then(|| ((sample * out_height + y) * out_width + x) * filters)
                });
                in_lanes!(filters, |k, T| transform_output::<T>(
                    &self.products,
                    m,
                    row,
                    k,
                    bias,
                    relu,
                    &cells,
                    output
                ));
            }
        }
    }

    /// `U_ξ = (G g Gᵀ)_ξ` for each of the `len = in·out` filters of `kernel` `[3, 3, in, out]`.
    fn transform_filters(&mut self, kernel: &[f32], len: usize) {
        ensure_len(&mut self.filters, POSITIONS * len);
        for index in 0..len {
            let g: [[f32; 3]; 3] = from_fn(|ky| from_fn(|kx| kernel[(ky * 3 + kx) * len + index]));
            for (position, &value) in transform_2d(g, filter_1d).as_flattened().iter().enumerate() {
                self.filters[position * len + index] = value;
            }
        }
    }
}

/// A Conv2D's input gradient through Winograd F(2×2, 3×3), for a 3×3 kernel at stride 1:
/// `dx[y, x, c] = Σ_{ky, kx, k} δ[y + p − ky, x + p − kx, k] · K[ky, kx, c, k]` (`p` the layer's
/// padding before), the 'full' correlation of `δ` with the rotated kernel
/// `K'[ky, kx, k, c] = K[2 − ky, 2 − kx, c, k]`. [`Winograd::forward`] computes it over `δ`
/// padded by `2 − p` before (see [`InputGradient::new`]), without bias or activation.
pub(crate) struct InputGradient {
    /// The correlation's windows: `δ` `[oh, ow, out]` in, `[h, w, in]` out.
    grid: WindowGrid,
    /// `K'` `[3, 3, out, in]`, rewritten from the kernel every backward pass; kept so that a
    /// training step allocates nothing.
    kernel: Vec<f32>,
    /// Buffers of its own, for a layer whose forward pass has none to lend (empty otherwise).
    buffers: Winograd,
}

impl InputGradient {
    /// The input gradient of a stride-1, 3×3 Conv2D over `grid` with `filters` output channels.
    pub fn new(grid: &WindowGrid, filters: usize) -> Self {
        let [vertical, horizontal] = &grid.size;
        InputGradient {
            grid: WindowGrid::new(
                [vertical.output, horizontal.output, filters],
                [transposed(vertical), transposed(horizontal)],
            ),
            kernel: Vec::new(),
            buffers: Winograd::default(),
        }
    }

    /// Writes `dL/dinput` `[batch, h, w, in]` into `grad_input` from `delta` `[batch, oh, ow, out]`
    /// and the layer's `kernel` `[3, 3, in, out]`, with the buffers of the layer's Winograd
    /// forward pass when it has one (`forward`), else its own.
    pub fn compute(
        &mut self,
        forward: Option<&mut Winograd>,
        batch: usize,
        delta: &[f32],
        kernel: &[f32],
        grad_input: &mut [f32],
    ) {
        let filters = self.grid.image[2];
        let channels = kernel.len() / (9 * filters);
        self.kernel.resize(kernel.len(), 0.0);
        // Cell `(ky, kx)` of `K'` is cell `(2 − ky, 2 − kx)` of `K`, the same 9 cells in reverse
        // order, with its `[in, out]` matrix transposed.
        let cell = channels * filters;
        for (rotated, original) in self
            .kernel
            .chunks_exact_mut(cell)
            .zip(kernel.chunks_exact(cell).rev())
        {
            for (c, row) in original.chunks_exact(filters).enumerate() {
                for (k, &value) in row.iter().enumerate() {
                    rotated[k * channels + c] = value;
                }
            }
        }
        forward.unwrap_or(&mut self.buffers).forward(
            &self.grid,
            batch,
            delta,
            &self.kernel,
            None,
            false,
            grad_input,
        );
    }
}

/// The axis of a stride-1 window grid seen from its output: a window of `F` cells over the `N'`
/// outputs padded by `F − 1 − P_before` before and `F − 1 − P_after` after gives back the `N`
/// inputs, `N' + 2(F − 1) − P_before − P_after − F + 1 = N`.
fn transposed(axis: &OutputSize) -> OutputSize {
    debug_assert_eq!(axis.stride, 1);
    OutputSize {
        input: axis.output,
        window: axis.window,
        stride: 1,
        pad_before: axis.window - 1 - axis.pad_before,
        pad_after: axis.window - 1 - axis.pad_after,
        output: axis.input,
        floored: false,
    }
}
