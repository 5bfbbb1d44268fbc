//! Direct convolution for a Conv2D over one input channel (a grey image, the first layer of the
//! lesson CNN), vectorised over the output channels.
//!
//! With one channel a patch is only `kh·kw` values (9 for 3×3), so the im2col product packs a
//! patch matrix as large as its output for a dot product of 9: packing and storing tiles cost
//! more than the multiplications. Here each output pixel's `kh·kw` input values are splatted
//! straight from the image, which is copied once into a zero-padded buffer so that every window
//! lies inside it, and multiplied into `F32x4` sums: a block is 4 pixels × 8 filters, the GEMM
//! kernel's tile (8 pixels × 4 filters took 6.2 ms in Node against 5.6 ms for the lesson's first
//! layer), then blocks of 4 and single filters for the rest.

use super::conv2d::WindowGrid;
use crate::simd::{F32x4, Lanes};
use crate::tensor::ensure_len;

/// Output pixels computed together: with two weight vectors, eight sums, a splat and a product
/// fit in V8's x64 registers.
const PIXELS: usize = 4;

/// Whether a Conv2D with these strides over `channels` input channels runs its forward pass
/// directly (one channel, stride 1) instead of through the im2col product.
pub(crate) fn applies(strides: [usize; 2], channels: usize) -> bool {
    strides == [1, 1] && channels == 1
}

/// A Conv2D's filters as the direct loops read them: the kernel `[kh, kw, 1, out]`, its bias and
/// whether ReLU follows (applied at the store).
#[derive(Clone, Copy)]
pub(crate) struct Filters<'a> {
    /// `[kh, kw]`.
    pub kernel_size: [usize; 2],
    /// The kernel, `[kh, kw, 1, out]` row-major.
    pub weights: &'a [f32],
    /// The bias `[out]`, if the layer has one.
    pub bias: Option<&'a [f32]>,
    /// Whether ReLU is applied as the values are stored.
    pub relu: bool,
}

/// `(height, width)` of a padded image of `grid`.
fn padded_size(grid: &WindowGrid) -> (usize, usize) {
    let [vertical, horizontal] = &grid.size;
    (
        vertical.input + vertical.pad_before + vertical.pad_after,
        horizontal.input + horizontal.pad_before + horizontal.pad_after,
    )
}

/// The zero-padded copy of a batch of one-channel images, kept between batches.
#[derive(Default)]
pub(crate) struct DirectConv {
    /// `[batch, h + pad, w + pad]`: the images with their padding written as zeros.
    padded: Vec<f32>,
}

/// Computes `V·T::LANES` filters from `f` of the `P` output pixels whose windows are `windows`
/// (each from its top-left cell to its bottom-right one in `padded`, whose rows are
/// `padded_width` long), then adds the bias, applies ReLU and stores them in `out` (`P` rows of
/// `filters` values).
fn filter_block<T: Lanes, const V: usize, const P: usize>(
    windows: &[&[f32]; P],
    padded_width: usize,
    filters: Filters,
    f: usize,
    out: &mut [f32],
) {
    let Filters {
        kernel_size,
        weights,
        bias,
        relu,
    } = filters;
    let filters = weights.len() / (kernel_size[0] * kernel_size[1]);
    let [height, width] = kernel_size;
    assert!(windows
        .iter()
        .all(|window| window.len() == (height - 1) * padded_width + width));
    let mut sums = [[T::zero(); V]; P];
    for ky in 0..height {
        for kx in 0..width {
            let at = (ky * width + kx) * filters + f;
            let weight: [T; V] = std::array::from_fn(|v| T::load(&weights[at + v * T::LANES..]));
            let offset = ky * padded_width + kx;
            for (sum, window) in sums.iter_mut().zip(windows) {
                // SAFETY: offset ≤ (height − 1)·padded_width + width − 1 < window.len(), as
                // asserted above (a checked index here costs as much as the multiply-add).
                let x = unsafe { *window.get_unchecked(offset) };
                for (sum, &weight) in sum.iter_mut().zip(&weight) {
                    *sum = *sum + weight * x;
                }
            }
        }
    }
    for v in 0..V {
        let f = f + v * T::LANES;
        let bias = bias.map_or(T::zero(), |bias| T::load(&bias[f..]));
        for (r, sum) in sums.iter().enumerate() {
            let value = sum[v] + bias;
            let value = if relu { value.relu() } else { value };
            value.store(&mut out[r * filters + f..]);
        }
    }
}

/// All filters of the `P` output pixels from `first` (in NHWC order), whose output rows start
/// at `out`.
fn pixel_block<const P: usize>(
    padded: &[f32],
    grid: &WindowGrid,
    first: usize,
    filters: Filters,
    out: &mut [f32],
) {
    let [vertical, horizontal] = &grid.size;
    let (padded_height, padded_width) = padded_size(grid);
    let per_sample = vertical.output * horizontal.output;
    let span = (filters.kernel_size[0] - 1) * padded_width + filters.kernel_size[1];
    let windows: [&[f32]; P] = std::array::from_fn(|r| {
        let pixel = first + r;
        let (sample, position) = (pixel / per_sample, pixel % per_sample);
        let (oy, ox) = (position / horizontal.output, position % horizontal.output);
        &padded[(sample * padded_height + oy) * padded_width + ox..][..span]
    });
    let count = out.len() / P;
    let pairs = count - count % (2 * F32x4::LANES);
    for f in (0..pairs).step_by(2 * F32x4::LANES) {
        filter_block::<F32x4, 2, P>(&windows, padded_width, filters, f, out);
    }
    let full = count - count % F32x4::LANES;
    for f in (pairs..full).step_by(F32x4::LANES) {
        filter_block::<F32x4, 1, P>(&windows, padded_width, filters, f, out);
    }
    for f in full..count {
        filter_block::<f32, 1, P>(&windows, padded_width, filters, f, out);
    }
}

impl DirectConv {
    /// `output = relu?(conv(input, kernel) + bias)` at stride 1 over the `batch` one-channel
    /// images of `input` with the padding and sizes of `grid`; `output` is `[batch, oh, ow, out]`,
    /// row-major.
    pub fn forward(
        &mut self,
        grid: &WindowGrid,
        batch: usize,
        input: &[f32],
        filters: Filters,
        output: &mut [f32],
    ) {
        self.pad(grid, batch, input);
        let count = filters.weights.len() / (filters.kernel_size[0] * filters.kernel_size[1]);
        let pixels = batch * grid.positions_per_sample();
        let full = pixels - pixels % PIXELS;
        for first in (0..full).step_by(PIXELS) {
            let out = &mut output[first * count..][..PIXELS * count];
            pixel_block::<PIXELS>(&self.padded, grid, first, filters, out);
        }
        for first in full..pixels {
            let out = &mut output[first * count..][..count];
            pixel_block::<1>(&self.padded, grid, first, filters, out);
        }
    }

    /// Copies the images into `padded`, zeros around them.
    fn pad(&mut self, grid: &WindowGrid, batch: usize, input: &[f32]) {
        let [vertical, horizontal] = &grid.size;
        let (height, width) = (vertical.input, horizontal.input);
        let (padded_height, padded_width) = padded_size(grid);
        let len = batch * padded_height * padded_width;
        ensure_len(&mut self.padded, len);
        let padded = &mut self.padded[..len];
        padded.fill(0.0);
        for (image, out) in input
            .chunks_exact(height * width)
            .zip(padded.chunks_exact_mut(padded_height * padded_width))
        {
            for (row, out) in image
                .chunks_exact(width)
                .zip(out.chunks_exact_mut(padded_width).skip(vertical.pad_before))
            {
                out[horizontal.pad_before..][..width].copy_from_slice(row);
            }
        }
    }
}
