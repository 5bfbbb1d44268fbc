//! `Conv2D`: a 2-D convolution (cross-correlation, as in Keras) over NHWC images.
//!
//! Also home of [`WindowGrid`], the sliding-window arithmetic (TensorFlow's padding, the extra
//! row/column of uneven 'same' padding at the bottom/right) that the pooling layers share.

use std::ops::Range;

use ndarray::IxDyn;
use serde::{Deserialize, Serialize};

use super::direct_conv::{self, DirectConv, Filters};
use super::keras_args::{self, one_one, pair, yes};
use super::winograd::{self, InputGradient, Winograd};
use super::{expect_image, window_output_size, Layer, LayerConfig, Mode, Param, ParamCount};
use crate::activation::Activation;
use crate::error::FieldError;
use crate::gemm::{gemm, gemm_rows, interleave_rows, Epilogue, MatRef, PackRows, SLIVER_ROWS};
use crate::initializer::Initializer;
use crate::padding::{OutputSize, Padding};
use crate::regularizer::Regularizer;
use crate::rng::Rng;
use crate::tensor::{ensure_batch_shape, ensure_shape, Tensor};

/// Keras `Conv2D(filters, kernel_size, strides=(1, 1), padding='valid', activation=None,
/// use_bias=True, kernel_initializer='glorot_uniform', bias_initializer='zeros',
/// kernel_regularizer=None)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Conv2dConfig {
    /// Number of output channels.
    pub filters: usize,
    /// Kernel `(height, width)`; `3` means `(3, 3)`.
    #[serde(deserialize_with = "pair")]
    pub kernel_size: [usize; 2],
    /// Step `(height, width)` of the kernel.
    #[serde(default = "one_one", deserialize_with = "pair")]
    pub strides: [usize; 2],
    /// `valid` or `same`.
    #[serde(default)]
    pub padding: Padding,
    /// Applied to the output.
    #[serde(default)]
    pub activation: Activation,
    /// Whether to add a bias per filter.
    #[serde(default = "yes")]
    pub use_bias: bool,
    /// Kernel initializer (Keras default `glorot_uniform`).
    #[serde(default = "keras_args::glorot_uniform")]
    pub kernel_initializer: Initializer,
    /// Bias initializer (Keras default `zeros`).
    #[serde(default = "keras_args::zeros")]
    pub bias_initializer: Initializer,
    /// L1/L2 penalty on the kernel.
    #[serde(default)]
    pub kernel_regularizer: Regularizer,
}

impl Conv2dConfig {
    /// A Conv2D config with Keras defaults (stride 1, 'valid', bias, Glorot uniform kernel) and
    /// the given filters, kernel size and activation.
    pub fn new(filters: usize, kernel_size: [usize; 2], activation: Activation) -> Self {
        Conv2dConfig {
            filters,
            kernel_size,
            strides: one_one(),
            padding: Padding::Valid,
            activation,
            use_bias: true,
            kernel_initializer: Initializer::GlorotUniform,
            bias_initializer: Initializer::Zeros,
            kernel_regularizer: Regularizer::default(),
        }
    }

    /// The height and width arithmetic of the kernel sliding over `input_shape`.
    fn arithmetic(&self, input_shape: &[usize]) -> Result<[OutputSize; 2], FieldError> {
        let image = expect_image(input_shape)?;
        window_output_size(
            image,
            self.kernel_size,
            self.strides,
            self.padding,
            "kernel_size",
        )
    }
}

impl LayerConfig for Conv2dConfig {
    fn class_name(&self) -> &'static str {
        "Conv2D"
    }

    fn output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>, FieldError> {
        if self.filters == 0 {
            return Err(FieldError::new("filters", "must be at least 1, e.g. 32"));
        }
        let [height, width] = self.arithmetic(input_shape)?;
        Ok(vec![height.output, width.output, self.filters])
    }

    fn param_count(&self, input_shape: &[usize]) -> ParamCount {
        let channels = input_shape[2];
        let kernel = [self.kernel_size[1], channels, self.filters]
            .iter()
            .fold(self.kernel_size[0], |product, &n| product.saturating_mul(n));
        let bias = if self.use_bias { self.filters } else { 0 };
        ParamCount {
            trainable: kernel.saturating_add(bias),
            non_trainable: 0,
        }
    }

    fn output_size(&self, input_shape: &[usize]) -> Option<[OutputSize; 2]> {
        self.arithmetic(input_shape).ok()
    }

    fn build(&self, input_shape: &[usize], rng: &mut Rng) -> Box<dyn Layer> {
        Box::new(Conv2d::new(self.clone(), input_shape, rng))
    }
}

/// The windows (Conv2D kernels or pooling windows) that slide over a batch of NHWC images, with
/// TensorFlow's padding: the index arithmetic Conv2D's im2col/col2im and pooling share.
#[derive(Clone, Copy, Debug)]
pub(crate) struct WindowGrid {
    /// Input `[height, width, channels]` of one sample.
    pub image: [usize; 3],
    /// Height and width arithmetic: window, stride, padding before and after, output size.
    pub size: [OutputSize; 2],
}

/// One window position: the output pixel it makes and the image cells it covers.
pub(crate) struct Window {
    /// Output pixel index `(n·oh + oy)·ow + ox`: the row of the im2col matrix.
    pub position: usize,
    /// Flat index of the sample's first input value, `n·h·w·c`.
    pub sample_start: usize,
    /// Image rows the window covers; padded rows are left out.
    pub rows: Range<usize>,
    /// Image columns the window covers; padded columns are left out.
    pub cols: Range<usize>,
    /// How many window rows and columns lie in the top and left padding, before `rows`/`cols`.
    pub skipped: [usize; 2],
}

impl WindowGrid {
    /// The windows over an `image` whose height and width arithmetic is `size`.
    pub fn new(image: [usize; 3], size: [OutputSize; 2]) -> Self {
        WindowGrid { image, size }
    }

    /// Output pixels per sample, `oh·ow`.
    pub fn positions_per_sample(&self) -> usize {
        self.size[0].output * self.size[1].output
    }

    /// Visits every window of a batch of `batch` samples, in output order (NHWC).
    pub fn for_each(&self, batch: usize, mut visit: impl FnMut(&Window)) {
        let [height, width, channels] = self.image;
        let [vertical, horizontal] = &self.size;
        let mut position = 0;
        for sample in 0..batch {
            let sample_start = sample * height * width * channels;
            for oy in 0..vertical.output {
                let (rows, skipped_rows) = covered_cells(vertical, oy);
                for ox in 0..horizontal.output {
                    let (cols, skipped_cols) = covered_cells(horizontal, ox);
                    visit(&Window {
                        position,
                        sample_start,
                        rows: rows.clone(),
                        cols,
                        skipped: [skipped_rows, skipped_cols],
                    });
                    position += 1;
                }
            }
        }
    }

    /// For each image row `window` covers, the flat input range of its covered cells
    /// (`cols.len()·channels` contiguous values, NHWC).
    pub fn input_rows<'a>(&self, window: &'a Window) -> impl Iterator<Item = Range<usize>> + 'a {
        let [_, width, channels] = self.image;
        let len = window.cols.len() * channels;
        window.rows.clone().map(move |row| {
            let start = window.sample_start + (row * width + window.cols.start) * channels;
            start..start + len
        })
    }
}

/// Along one axis: the input cells the window at output index `index` covers, and how many padded
/// cells come before them. TensorFlow's windows start at `index·stride − pad_before`.
fn covered_cells(axis: &OutputSize, index: usize) -> (Range<usize>, usize) {
    let start = index * axis.stride;
    let first = start.max(axis.pad_before);
    let end = (start + axis.window)
        .min(axis.pad_before + axis.input)
        .max(first);
    (
        first - axis.pad_before..end - axis.pad_before,
        first - start,
    )
}

/// A built Keras `Conv2D` with kernel `[kh, kw, in, out]` and bias `[out]`.
///
/// The convolution runs as one matrix product (im2col): each kernel-sized patch of the batch is a
/// row of the patch matrix `[batch·oh·ow, kh·kw·in]`, laid out like the kernel flattened to
/// `[kh·kw·in, out]`, so `patches · kernel` is the output already in NHWC order. The products
/// pack the patches straight from the image (`Patches`, `PatchesT`): the patch matrix, nine
/// times the image for a 3×3 kernel, is never written. Two shapes run their forward pass
/// another way (see [`ForwardPath`]), and a 3×3 kernel at stride 1 over enough filters its
/// input gradient (see `winograd`); the kernel gradient is the same for all.
pub struct Conv2d {
    config: Conv2dConfig,
    grid: WindowGrid,
    output_shape: Vec<usize>,
    params: Vec<Param>,
    /// How `forward` computes the convolution, with that way's buffers.
    forward_path: ForwardPath,
    /// The input gradient through Winograd, when it applies to this layer's shape. It borrows the
    /// forward pass's buffers when there are some: a layer's backward pass never overlaps its own
    /// forward pass, and each pass transforms its filters anew.
    input_gradient: Option<InputGradient>,
    /// The patch gradients `δ · kernelᵀ` of the last `backward`, before col2im adds them onto the
    /// input gradient (the patches themselves are never stored: see `Patches`); left empty when
    /// the input gradient runs through Winograd.
    columns: Tensor,
}

impl Conv2d {
    /// Builds the layer for a per-sample `input_shape` `[h, w, in]`, drawing the kernel from
    /// `config.kernel_initializer` and the bias from `config.bias_initializer`.
    ///
    /// # Panics
    /// If `config.output_shape(input_shape)` is an error: check it first, as every caller of
    /// [`LayerConfig::build`] does.
    pub fn new(config: Conv2dConfig, input_shape: &[usize], rng: &mut Rng) -> Self {
        let (output_shape, size) = match (
            config.output_shape(input_shape),
            config.arithmetic(input_shape),
        ) {
            (Ok(shape), Ok(size)) => (shape, size),
            (Err(error), _) | (_, Err(error)) => panic!(
                "Conv2D cannot be built on input {input_shape:?}: {}: {}",
                error.field, error.message
            ),
        };
        let image = [input_shape[0], input_shape[1], input_shape[2]];
        let [kh, kw] = config.kernel_size;
        let kernel = config
            .kernel_initializer
            .initialize(&[kh, kw, image[2], config.filters], rng);
        let mut params = vec![Param {
            regularizer: config.kernel_regularizer,
            ..Param::trainable("kernel", kernel)
        }];
        if config.use_bias {
            let bias = config.bias_initializer.initialize(&[config.filters], rng);
            params.push(Param::trainable("bias", bias));
        }
        let forward_path = if direct_conv::applies(config.strides, image[2]) {
            ForwardPath::Direct(DirectConv::default())
        } else if winograd::applies(config.kernel_size, config.strides, image[2]) {
            ForwardPath::Winograd(Winograd::default())
        } else {
            ForwardPath::Im2col
        };
        let grid = WindowGrid::new(image, size);
        let input_gradient = winograd::applies(config.kernel_size, config.strides, config.filters)
            .then(|| InputGradient::new(&grid, config.filters));
        Conv2d {
            config,
            grid,
            output_shape,
            params,
            forward_path,
            input_gradient,
            columns: Tensor::zeros(IxDyn(&[0, 0])),
        }
    }

    /// Length of one patch, a row of `columns`: `kh·kw·in`.
    fn patch_len(&self) -> usize {
        self.config.kernel_size[0] * self.config.kernel_size[1] * self.grid.image[2]
    }
}

/// How a Conv2D's forward pass computes the convolution (the fastest way for its shape).
enum ForwardPath {
    /// The product `patches · kernel` (implicit im2col): any shape.
    Im2col,
    /// Winograd F(2×2, 3×3): 3×3 kernels at stride 1 over enough input channels.
    Winograd(Winograd),
    /// Direct loops vectorised over the filters: one input channel, stride 1.
    Direct(DirectConv),
}

/// For each image row a window covers: where its cells go in the window's patch (relative to the
/// patch start) and where they are in the input. Used by col2im.
fn patch_rows<'a>(
    grid: &WindowGrid,
    kernel_width: usize,
    window: &'a Window,
) -> impl Iterator<Item = (Range<usize>, Range<usize>)> + 'a {
    let channels = grid.image[2];
    let row_len = kernel_width * channels;
    let skipped_cols = window.skipped[1] * channels;
    (window.skipped[0]..)
        .zip(grid.input_rows(window))
        .map(move |(kernel_row, input)| {
            let start = kernel_row * row_len + skipped_cols;
            (start..start + input.len(), input)
        })
}

/// col2im: adds every patch gradient in `columns` back onto the input cells it was copied from
/// (overlapping patches add up); padded cells are dropped.
fn scatter_patches(
    grid: &WindowGrid,
    kernel: [usize; 2],
    batch: usize,
    columns: &[f32],
    grad_input: &mut [f32],
) {
    let patch_len = kernel[0] * kernel[1] * grid.image[2];
    grad_input.fill(0.0);
    grid.for_each(batch, |window| {
        let patch = &columns[window.position * patch_len..][..patch_len];
        for (in_patch, in_input) in patch_rows(grid, kernel[1], window) {
            for (grad, &value) in grad_input[in_input].iter_mut().zip(&patch[in_patch]) {
                *grad += value;
            }
        }
    });
}

/// The im2col patch matrix `[batch·oh·ow, kh·kw·in]` of a batch, never stored: the product packs
/// its slivers straight from the NHWC input (implicit im2col). A patch is `kh` runs of `kw·in`
/// values, one per kernel row, each contiguous in the input unless it crosses the padding.
struct Patches<'a> {
    grid: &'a WindowGrid,
    kernel: [usize; 2],
    batch: usize,
    input: &'a [f32],
}

/// Where one window starts: its sample's first input value and its top-left cell, which may lie
/// in the padding (negative, or past the image).
#[derive(Clone, Copy)]
struct WindowOrigin {
    sample_start: usize,
    row: isize,
    col: isize,
}

impl Patches<'_> {
    /// The origin of the window making output pixel `position`.
    fn origin(&self, position: usize) -> WindowOrigin {
        self.origin_at(self.pixel(position))
    }

    /// Output pixel `position` as `[sample, oy, ox]`.
    fn pixel(&self, position: usize) -> [usize; 3] {
        let [vertical, horizontal] = &self.grid.size;
        let per_sample = vertical.output * horizontal.output;
        let (sample, pixel) = (position / per_sample, position % per_sample);
        [sample, pixel / horizontal.output, pixel % horizontal.output]
    }

    /// The next output pixel after `[sample, oy, ox]`, in NHWC order.
    fn next_pixel(&self, [sample, oy, ox]: [usize; 3]) -> [usize; 3] {
        let [vertical, horizontal] = &self.grid.size;
        if ox + 1 < horizontal.output {
            [sample, oy, ox + 1]
        } else if oy + 1 < vertical.output {
            [sample, oy + 1, 0]
        } else {
            [sample + 1, 0, 0]
        }
    }

    /// The origin of the window making output pixel `[sample, oy, ox]`.
    fn origin_at(&self, [sample, oy, ox]: [usize; 3]) -> WindowOrigin {
        let [height, width, channels] = self.grid.image;
        let [vertical, horizontal] = &self.grid.size;
        WindowOrigin {
            sample_start: sample * height * width * channels,
            row: (oy * vertical.stride) as isize - vertical.pad_before as isize,
            col: (ox * horizontal.stride) as isize - horizontal.pad_before as isize,
        }
    }

    /// Whether the whole window at `origin` lies inside the image.
    fn inside(&self, origin: WindowOrigin) -> bool {
        let [height, width, _] = self.grid.image;
        origin.row >= 0
            && origin.col >= 0
            && origin.row as usize + self.kernel[0] <= height
            && origin.col as usize + self.kernel[1] <= width
    }

    /// The values `offset..offset + len` of kernel row `ky` of the window at `origin`, when they
    /// all lie inside the image.
    fn run(&self, origin: WindowOrigin, ky: usize, offset: usize, len: usize) -> Option<&[f32]> {
        let [height, width, channels] = self.grid.image;
        let row = origin.row + ky as isize;
        let inside = row >= 0
            && (row as usize) < height
            && origin.col >= 0
            && origin.col as usize + self.kernel[1] <= width;
        inside.then(|| {
            let start = origin.sample_start
                + (row as usize * width + origin.col as usize) * channels
                + offset;
            &self.input[start..start + len]
        })
    }

    /// Patch value `t` of kernel row `ky` (`t = kx·in + channel`) of the window at `origin`, zero
    /// in the padding.
    fn value(&self, origin: WindowOrigin, ky: usize, t: usize) -> f32 {
        let [height, width, channels] = self.grid.image;
        let (row, col) = (
            origin.row + ky as isize,
            origin.col + (t / channels) as isize,
        );
        if row < 0 || col < 0 || row as usize >= height || col as usize >= width {
            return 0.0;
        }
        self.input
            [origin.sample_start + (row as usize * width + col as usize) * channels + t % channels]
    }
}

impl PackRows for Patches<'_> {
    fn rows(&self) -> usize {
        self.batch * self.grid.positions_per_sample()
    }

    fn cols(&self) -> usize {
        self.kernel[0] * self.kernel[1] * self.grid.image[2]
    }

    fn pack_sliver(&self, row0: usize, pc: usize, kc: usize, out: &mut [f32]) {
        const MR: usize = SLIVER_ROWS;
        let rows = self.rows();
        let origins: [Option<WindowOrigin>; MR] =
            std::array::from_fn(|r| (row0 + r < rows).then(|| self.origin(row0 + r)));
        let run_len = self.kernel[1] * self.grid.image[2];
        let mut p = pc;
        while p < pc + kc {
            // The part of kernel row `ky` inside this block of columns.
            let ky = p / run_len;
            let offset = p - ky * run_len;
            let len = ((ky + 1) * run_len).min(pc + kc) - p;
            let dst = &mut out[(p - pc) * MR..(p - pc + len) * MR];
            let runs = origins.map(|origin| origin.and_then(|o| self.run(o, ky, offset, len)));
            if runs.iter().all(Option::is_some) {
                interleave_rows(&runs.map(|run| run.unwrap_or_default()), len, dst);
            } else {
                for (r, origin) in origins.iter().enumerate() {
                    for (q, value) in dst.iter_mut().skip(r).step_by(MR).enumerate() {
                        *value = origin.map_or(0.0, |o| self.value(o, ky, offset + q));
                    }
                }
            }
            p += len;
        }
    }
}

/// The transposed patch matrix `[kh·kw·in, batch·oh·ow]`, the left operand of the kernel
/// gradient `patchesᵀ · δ`, also packed straight from the image.
struct PatchesT<'a>(Patches<'a>);

impl PackRows for PatchesT<'_> {
    fn rows(&self) -> usize {
        self.0.cols()
    }

    fn cols(&self) -> usize {
        self.0.rows()
    }

    fn pack_sliver(&self, row0: usize, pc: usize, kc: usize, out: &mut [f32]) {
        const MR: usize = SLIVER_ROWS;
        let patches = &self.0;
        let [_, width, channels] = patches.grid.image;
        let run_len = patches.kernel[1] * channels;
        // The sliver's patch values as (kernel row, value in that row), and their offsets from a
        // window's top-left cell.
        let cells: [Option<(usize, usize)>; MR] = std::array::from_fn(|r| {
            let t = row0 + r;
            (t < self.rows()).then(|| (t / run_len, t % run_len))
        });
        let offsets = cells.map(|cell| {
            cell.map_or(0, |(ky, t)| {
                (ky * width + t / channels) * channels + t % channels
            })
        });
        let mut pixel = patches.pixel(pc);
        for dst in out[..kc * MR].chunks_exact_mut(MR) {
            let origin = patches.origin_at(pixel);
            if patches.inside(origin) {
                let start = origin.sample_start
                    + (origin.row as usize * width + origin.col as usize) * channels;
                let window = &patches.input[start..];
                for ((value, &offset), cell) in dst.iter_mut().zip(&offsets).zip(&cells) {
                    *value = if cell.is_some() { window[offset] } else { 0.0 };
                }
            } else {
                for (value, cell) in dst.iter_mut().zip(&cells) {
                    *value = cell.map_or(0.0, |(ky, t)| patches.value(origin, ky, t));
                }
            }
            pixel = patches.next_pixel(pixel);
        }
    }
}

/// The values of an engine tensor (every layer writes standard-layout tensors), row-major.
fn values(tensor: &Tensor) -> &[f32] {
    tensor
        .as_slice()
        .expect("engine tensors are in standard layout")
}

fn values_mut(tensor: &mut Tensor) -> &mut [f32] {
    tensor
        .as_slice_mut()
        .expect("engine tensors are in standard layout")
}

impl Layer for Conv2d {
    fn class_name(&self) -> &'static str {
        self.config.class_name()
    }

    fn output_shape(&self) -> &[usize] {
        &self.output_shape
    }

    /// `output = activation(patches · kernel + bias)`; input `[b, h, w, in]`, output
    /// `[b, oh, ow, out]`. The bias and a ReLU are applied with the last step of the product
    /// (the GEMM's epilogue, Winograd's output transform, the direct loops' store).
    fn forward(&mut self, input: &Tensor, output: &mut Tensor, _mode: Mode, _rng: &mut Rng) {
        let batch = input.shape()[0];
        let input = input.as_standard_layout();
        let input = input.as_slice().expect("standard layout");
        ensure_batch_shape(output, batch, &self.output_shape);
        let relu = self.config.activation == Activation::Relu;
        let kernel = values(&self.params[0].value);
        let bias = self.params.get(1).map(|bias| values(&bias.value));
        match &mut self.forward_path {
            ForwardPath::Winograd(winograd) => winograd.forward(
                &self.grid,
                batch,
                input,
                kernel,
                bias,
                relu,
                values_mut(output),
            ),
            ForwardPath::Direct(direct) => direct.forward(
                &self.grid,
                batch,
                input,
                Filters {
                    kernel_size: self.config.kernel_size,
                    weights: kernel,
                    bias,
                    relu,
                },
                values_mut(output),
            ),
            ForwardPath::Im2col => gemm_rows(
                &Patches {
                    grid: &self.grid,
                    kernel: self.config.kernel_size,
                    batch,
                    input,
                },
                MatRef::row_major(kernel, self.patch_len(), self.config.filters),
                values_mut(output),
                Epilogue {
                    accumulate: false,
                    bias,
                    relu,
                },
            ),
        }
        if !relu {
            self.config.activation.forward_in_place(output);
        }
    }

    /// With `δ = dL/d(pre-activation)` as a `[b·oh·ow, out]` matrix:
    /// `dL/dkernel = patchesᵀ · δ`, `dL/dbias = Σ_rows δ`, `dL/dpatches = δ · kernelᵀ`, and
    /// `dL/dinput` = col2im of `dL/dpatches`, or, where Winograd applies, the correlation of `δ`
    /// with the rotated kernel (see `winograd::InputGradient`).
    fn backward(
        &mut self,
        input: &Tensor,
        output: &Tensor,
        grad_output: &mut Tensor,
        grad_input: Option<&mut Tensor>,
    ) {
        self.config
            .activation
            .backward_in_place(output, grad_output);
        let batch = grad_output.shape()[0];
        let rows = batch * self.grid.positions_per_sample();
        let patch_len = self.patch_len();
        let filters = self.config.filters;
        let delta = grad_output.as_standard_layout();
        let delta = delta.as_slice().expect("standard layout");

        let input = input.as_standard_layout();
        let patches = Patches {
            grid: &self.grid,
            kernel: self.config.kernel_size,
            batch,
            input: input.as_slice().expect("standard layout"),
        };
        gemm_rows(
            &PatchesT(patches),
            MatRef::row_major(delta, rows, filters),
            values_mut(&mut self.params[0].grad),
            Epilogue::default(),
        );

        if let Some(bias) = self.params.get_mut(1) {
            let grad_bias = values_mut(&mut bias.grad);
            grad_bias.fill(0.0);
            for row in delta.chunks_exact(filters) {
                for (grad, &d) in grad_bias.iter_mut().zip(row) {
                    *grad += d;
                }
            }
        }

        let Some(grad_input) = grad_input else {
            return;
        };
        ensure_shape(grad_input, input.shape());
        let kernel = values(&self.params[0].value);
        if let Some(input_gradient) = &mut self.input_gradient {
            let forward = match &mut self.forward_path {
                ForwardPath::Winograd(winograd) => Some(winograd),
                _ => None,
            };
            input_gradient.compute(forward, batch, delta, kernel, values_mut(grad_input));
            return;
        }
        ensure_shape(&mut self.columns, &[rows, patch_len]);
        gemm(
            MatRef::row_major(delta, rows, filters),
            MatRef::row_major(kernel, patch_len, filters).t(),
            values_mut(&mut self.columns),
            Epilogue::default(),
        );
        scatter_patches(
            &self.grid,
            self.config.kernel_size,
            batch,
            values(&self.columns),
            values_mut(grad_input),
        );
    }

    fn params(&self) -> &[Param] {
        &self.params
    }

    fn params_mut(&mut self) -> &mut [Param] {
        &mut self.params
    }

    fn activation_mut(&mut self) -> Option<&mut Activation> {
        Some(&mut self.config.activation)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::gradient_check::{check_gradients, test_input};

    fn tensor(shape: &[usize], values: Vec<f32>) -> Tensor {
        Tensor::from_shape_vec(IxDyn(shape), values).unwrap()
    }

    /// 1, 2, 3, … laid out as a one-channel `[1, side, side, 1]` image.
    fn counting_image(side: usize) -> Tensor {
        tensor(
            &[1, side, side, 1],
            (1..=side * side).map(|v| v as f32).collect(),
        )
    }

    fn config(filters: usize, kernel: usize, strides: usize, padding: Padding) -> Conv2dConfig {
        Conv2dConfig {
            strides: [strides, strides],
            padding,
            ..Conv2dConfig::new(filters, [kernel, kernel], Activation::Linear)
        }
    }

    /// A one-filter layer over a one-channel image with the given 3×3 kernel and zero bias.
    fn single_filter(side: usize, kernel: [f32; 9], strides: usize, padding: Padding) -> Conv2d {
        let mut layer = Conv2d::new(
            config(1, 3, strides, padding),
            &[side, side, 1],
            &mut Rng::new(0),
        );
        layer.params_mut()[0].value = tensor(&[3, 3, 1, 1], kernel.to_vec());
        layer
    }

    fn run(layer: &mut Conv2d, input: &Tensor) -> Tensor {
        let mut output = Tensor::zeros(IxDyn(&[0]));
        layer.forward(input, &mut output, Mode::Infer, &mut Rng::new(0));
        output
    }

    fn values(output: &Tensor) -> Vec<f32> {
        output.iter().copied().collect()
    }

    /// Runs the finite-difference check on a layer with random kernel and bias; returns the
    /// output at the checked input.
    fn gradients_match(config: Conv2dConfig, input_shape: &[usize], seed: u64) -> Tensor {
        let mut layer = Conv2d::new(config, &input_shape[1..], &mut Rng::new(seed));
        if let Some(bias) = layer.params_mut().get_mut(1) {
            bias.value = test_input(bias.value.shape(), seed + 1);
        }
        let input = test_input(input_shape, seed);
        check_gradients(&mut layer, &input, Mode::Train, 1e-2);
        run(&mut layer, &input)
    }

    const ONES: [f32; 9] = [1.0; 9];

    #[test]
    fn shapes_follow_the_keras_arithmetic() {
        // (28 − 3 + 2·1)/1 + 1 = 28
        let same = config(32, 3, 1, Padding::Same);
        assert_eq!(same.output_shape(&[28, 28, 1]).unwrap(), vec![28, 28, 32]);
        // (28 − 3 + 2·0)/1 + 1 = 26
        let valid = config(32, 3, 1, Padding::Valid);
        assert_eq!(valid.output_shape(&[28, 28, 1]).unwrap(), vec![26, 26, 32]);
        // (28 − 3 + 0 + 1)/2 + 1 = 14
        let strided = config(64, 3, 2, Padding::Same);
        assert_eq!(
            strided.output_shape(&[28, 28, 32]).unwrap(),
            vec![14, 14, 64]
        );
        // ⌊(8 − 3 + 2·0)/2⌋ + 1 = 3
        let floored = config(4, 3, 2, Padding::Valid);
        assert_eq!(floored.output_shape(&[8, 8, 2]).unwrap(), vec![3, 3, 4]);

        let layer = Conv2d::new(floored, &[8, 8, 2], &mut Rng::new(0));
        assert_eq!(layer.output_shape(), &[3, 3, 4]);
        assert_eq!(layer.class_name(), "Conv2D");
        assert_eq!(layer.params()[0].value.shape(), &[3, 3, 2, 4]);
        assert_eq!(layer.params()[1].value.shape(), &[4]);
    }

    #[test]
    fn valid_3x3_ones_on_4x4() {
        // Each output is the sum of a 3×3 block of 1..16: 1+2+3+5+6+7+9+10+11 = 54, …
        let mut layer = single_filter(4, ONES, 1, Padding::Valid);
        let output = run(&mut layer, &counting_image(4));
        assert_eq!(output.shape(), &[1, 2, 2, 1]);
        assert_eq!(values(&output), vec![54.0, 63.0, 90.0, 99.0]);
    }

    #[test]
    fn same_3x3_ones_on_4x4_pads_one_each_side() {
        // Corner (0, 0) sums 1+2+5+6 = 14; edge (0, 1) sums 1+2+3+5+6+7 = 24.
        let mut layer = single_filter(4, ONES, 1, Padding::Same);
        let output = run(&mut layer, &counting_image(4));
        assert_eq!(output.shape(), &[1, 4, 4, 1]);
        assert_eq!(
            values(&output),
            vec![
                14.0, 24.0, 30.0, 22.0, //
                33.0, 54.0, 63.0, 45.0, //
                57.0, 90.0, 99.0, 69.0, //
                46.0, 72.0, 78.0, 54.0,
            ]
        );
    }

    #[test]
    fn kernel_is_not_flipped() {
        // Cross-correlation: Σ k[i][j]·x[i][j] = 1·1+2·2+3·3+4·5+5·6+6·7+7·9+8·10+9·11 = 348
        // (a flipped, "true" convolution would give 192).
        let kernel = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0];
        let mut layer = single_filter(4, kernel, 1, Padding::Valid);
        assert_eq!(values(&run(&mut layer, &counting_image(4)))[0], 348.0);
    }

    #[test]
    fn same_padding_stride_2_even_input_pads_only_bottom_right() {
        // 4×4, k3, s2: out = ceil(4/2) = 2, total pad = (2−1)·2 + 3 − 4 = 1 → (top 0, bottom 1).
        // Windows start at rows/cols 0 and 2: 54; 3+4+7+8+11+12 = 45; 9+10+11+13+14+15 = 72;
        // 11+12+15+16 = 54. (Padding at the top/left instead would give 14 first.)
        let mut layer = single_filter(4, ONES, 2, Padding::Same);
        let output = run(&mut layer, &counting_image(4));
        assert_eq!(output.shape(), &[1, 2, 2, 1]);
        assert_eq!(values(&output), vec![54.0, 45.0, 72.0, 54.0]);
    }

    #[test]
    fn same_padding_stride_2_odd_input_pads_evenly() {
        // 5×5, k3, s2: out = 3, total pad = 2·2 + 3 − 5 = 2 → (1, 1); windows cover rows
        // {0,1}, {1,2,3}, {3,4}: e.g. 1+2+6+7 = 16, 2+3+4+7+8+9 = 33, 13·9 = 117.
        let mut layer = single_filter(5, ONES, 2, Padding::Same);
        let output = run(&mut layer, &counting_image(5));
        assert_eq!(output.shape(), &[1, 3, 3, 1]);
        assert_eq!(
            values(&output),
            vec![16.0, 33.0, 28.0, 69.0, 117.0, 87.0, 76.0, 123.0, 88.0]
        );
    }

    #[test]
    fn two_channels_in_and_out_use_the_keras_kernel_layout() {
        // Input 2×2×2: channel 0 = [1 2; 3 4], channel 1 = [10 20; 30 40] (NHWC).
        let input = tensor(
            &[1, 2, 2, 2],
            vec![1.0, 10.0, 2.0, 20.0, 3.0, 30.0, 4.0, 40.0],
        );
        let mut layer = Conv2d::new(
            config(2, 2, 1, Padding::Valid),
            &[2, 2, 2],
            &mut Rng::new(0),
        );
        // Kernel [kh, kw, in, out]: filter 0 sums channel 0; filter 1 takes channel 1 at (0, 0)
        // minus channel 1 at (1, 1).
        #[rustfmt::skip]
        let kernel = vec![
            // (ky, kx) = (0, 0): [in 0 → out 0, in 0 → out 1, in 1 → out 0, in 1 → out 1]
            1.0, 0.0, 0.0, 1.0,
            // (0, 1)
            1.0, 0.0, 0.0, 0.0,
            // (1, 0)
            1.0, 0.0, 0.0, 0.0,
            // (1, 1)
            1.0, 0.0, 0.0, -1.0,
        ];
        layer.params_mut()[0].value = tensor(&[2, 2, 2, 2], kernel);
        layer.params_mut()[1].value = tensor(&[2], vec![0.5, -0.5]);
        // Filter 0: 1+2+3+4 + 0.5 = 10.5; filter 1: 10 − 40 − 0.5 = −30.5.
        assert_eq!(values(&run(&mut layer, &input)), vec![10.5, -30.5]);
    }

    #[test]
    fn relu_is_applied_after_the_bias() {
        let mut layer = Conv2d::new(
            Conv2dConfig::new(2, [1, 1], Activation::Relu),
            &[1, 1, 1],
            &mut Rng::new(0),
        );
        layer.params_mut()[0].value = tensor(&[1, 1, 1, 2], vec![1.0, -1.0]);
        layer.params_mut()[1].value = tensor(&[2], vec![1.0, 1.0]);
        // 3·1 + 1 = 4; relu(3·(−1) + 1) = 0.
        let output = run(&mut layer, &tensor(&[1, 1, 1, 1], vec![3.0]));
        assert_eq!(values(&output), vec![4.0, 0.0]);
    }

    #[test]
    fn kernel_regularizer_is_set_on_the_kernel_only() {
        let regularizer = Regularizer { l1: 0.0, l2: 0.01 };
        let config = Conv2dConfig {
            kernel_regularizer: regularizer,
            ..Conv2dConfig::new(2, [3, 3], Activation::Linear)
        };
        let layer = Conv2d::new(config, &[5, 5, 1], &mut Rng::new(0));
        assert_eq!(layer.params()[0].regularizer, regularizer);
        assert!(layer.params()[1].regularizer.is_none());
    }

    #[test]
    fn gradients_valid_stride_1() {
        gradients_match(config(3, 3, 1, Padding::Valid), &[2, 5, 5, 2], 1);
    }

    #[test]
    fn gradients_valid_stride_2() {
        gradients_match(config(2, 3, 2, Padding::Valid), &[2, 7, 7, 1], 2);
    }

    #[test]
    fn gradients_same_padding_stride_2_even_input() {
        gradients_match(config(2, 3, 2, Padding::Same), &[2, 6, 6, 2], 3);
    }

    #[test]
    fn gradients_same_padding_stride_2_odd_input() {
        gradients_match(config(2, 3, 2, Padding::Same), &[2, 5, 5, 2], 4);
    }

    #[test]
    fn gradients_same_padding_stride_1_even_kernel() {
        // k4 on 6: total pad 3 → (1, 2).
        gradients_match(config(2, 4, 1, Padding::Same), &[1, 6, 6, 2], 5);
    }

    #[test]
    fn gradients_when_the_division_floors() {
        // ⌊(8 − 3 + 0)/2⌋ + 1 = 3: the last input row and column are never used.
        let config = config(2, 3, 2, Padding::Valid);
        assert!(config.output_size(&[8, 8, 1]).unwrap()[0].floored);
        gradients_match(config, &[2, 8, 8, 1], 6);
    }

    #[test]
    fn gradients_multi_channel_in_and_out() {
        gradients_match(config(4, 3, 1, Padding::Same), &[2, 4, 4, 3], 7);
    }

    #[test]
    fn gradients_through_the_winograd_forward() {
        let config = Conv2dConfig {
            activation: Activation::Relu,
            ..config(3, 3, 1, Padding::Same)
        };
        let layer = Conv2d::new(config.clone(), &[5, 5, 8], &mut Rng::new(0));
        assert!(matches!(layer.forward_path, ForwardPath::Winograd(_)));
        gradients_match(config, &[2, 5, 5, 8], 16);
    }

    /// Runs `config` over a batch of three `[height, width, channels]` images (random kernel and
    /// bias) through the forward path it picks, which must be `expected`, and through the
    /// im2col product: the relative differences must be within f32 rounding.
    fn forward_matches_the_im2col_product(
        config: Conv2dConfig,
        [height, width, channels]: [usize; 3],
        seed: u64,
        expected: fn(&ForwardPath) -> bool,
    ) {
        let filters = config.filters;
        let mut layer = Conv2d::new(config, &[height, width, channels], &mut Rng::new(seed));
        assert!(
            expected(&layer.forward_path),
            "seed {seed}: another forward path"
        );
        layer.params_mut()[1].value = test_input(&[filters], seed + 1);
        let input = test_input(&[3, height, width, channels], seed);
        let fast = run(&mut layer, &input);
        layer.forward_path = ForwardPath::Im2col;
        let reference = run(&mut layer, &input);
        assert_close(&fast, &reference, seed);
    }

    /// `fast` has `reference`'s shape and values within f32 rounding (relative to 1 + |value|).
    fn assert_close(fast: &Tensor, reference: &Tensor, seed: u64) {
        assert_eq!(fast.shape(), reference.shape());
        let worst = fast
            .iter()
            .zip(reference)
            .map(|(x, e)| (x - e).abs() / (1.0 + e.abs()))
            .fold(0.0, f32::max);
        assert!(worst < 1e-5, "seed {seed}: relative error {worst}");
    }

    #[test]
    fn gradients_through_the_winograd_input_gradient() {
        for (seed, padding, side) in [(17, Padding::Same, 5), (18, Padding::Valid, 6)] {
            let config = config(8, 3, 1, padding);
            let layer = Conv2d::new(config.clone(), &[side, side, 3], &mut Rng::new(0));
            assert!(layer.input_gradient.is_some());
            assert!(!matches!(layer.forward_path, ForwardPath::Winograd(_)));
            gradients_match(config, &[2, side, side, 3], seed);
        }
    }

    /// Winograd: valid and same padding, odd and even output sizes (a half-filled last tile row
    /// or column), channel counts that do and do not fill the SIMD lanes, several activations.
    #[test]
    fn winograd_forward_matches_the_im2col_product() {
        for (seed, padding, [height, width], channels, filters, activation) in [
            (20, Padding::Valid, [6, 6], 8, 4, Activation::Linear),
            (21, Padding::Valid, [7, 9], 11, 13, Activation::Relu),
            (22, Padding::Same, [7, 5], 16, 9, Activation::Linear),
            (23, Padding::Same, [8, 10], 33, 64, Activation::Relu),
            (24, Padding::Valid, [14, 14], 32, 64, Activation::Relu),
            (25, Padding::Same, [3, 3], 9, 1, Activation::Linear),
            (26, Padding::Valid, [3, 4], 8, 2, Activation::Sigmoid),
        ] {
            let config = Conv2dConfig {
                padding,
                ..Conv2dConfig::new(filters, [3, 3], activation)
            };
            forward_matches_the_im2col_product(config, [height, width, channels], seed, |path| {
                matches!(path, ForwardPath::Winograd(_))
            });
        }
    }

    /// The direct one-channel loops: kernel sizes with even and uneven 'same' padding, filter
    /// counts that do and do not fill the SIMD lanes, pixel counts that do not fill a block.
    #[test]
    fn direct_forward_matches_the_im2col_product() {
        for (seed, padding, kernel, [height, width], filters, activation) in [
            (30, Padding::Same, [3, 3], [28, 28], 32, Activation::Relu),
            (31, Padding::Valid, [3, 3], [7, 5], 6, Activation::Linear),
            (32, Padding::Same, [2, 4], [5, 7], 3, Activation::Relu),
            (33, Padding::Valid, [5, 5], [9, 6], 9, Activation::Tanh),
            (34, Padding::Same, [1, 1], [3, 1], 5, Activation::Linear),
        ] {
            let config = Conv2dConfig {
                padding,
                ..Conv2dConfig::new(filters, kernel, activation)
            };
            forward_matches_the_im2col_product(config, [height, width, 1], seed, |path| {
                matches!(path, ForwardPath::Direct(_))
            });
        }
    }

    #[test]
    fn gradients_through_the_direct_forward() {
        gradients_match(config(3, 3, 1, Padding::Same), &[2, 5, 5, 1], 17);
    }

    /// The Winograd input gradient against `δ · kernelᵀ` and col2im on the same layer, `δ` and
    /// input: valid and same padding, odd and even sizes, channel counts that do and do not fill
    /// the transforms' lanes (the filters are the products' reduction dimension here), a batch
    /// of several images, after a forward pass through Winograd or the im2col product.
    #[test]
    fn winograd_input_gradient_matches_col2im() {
        for (seed, padding, [height, width], channels, filters) in [
            (30, Padding::Valid, [6, 6], 1, 8),
            (31, Padding::Valid, [7, 9], 11, 13),
            (32, Padding::Same, [7, 5], 16, 9),
            (33, Padding::Same, [8, 10], 3, 64),
            (34, Padding::Valid, [14, 14], 32, 64),
            (35, Padding::Same, [3, 3], 9, 8),
            (36, Padding::Valid, [3, 4], 8, 12),
            (37, Padding::Same, [28, 28], 1, 32),
        ] {
            let config = Conv2dConfig {
                padding,
                ..Conv2dConfig::new(filters, [3, 3], Activation::Linear)
            };
            let mut layer = Conv2d::new(config, &[height, width, channels], &mut Rng::new(seed));
            assert!(layer.input_gradient.is_some());
            let input = test_input(&[3, height, width, channels], seed);
            let output = run(&mut layer, &input);
            let delta = test_input(output.shape(), seed + 1);
            let mut fast = Tensor::zeros(IxDyn(&[0]));
            layer.backward(&input, &output, &mut delta.clone(), Some(&mut fast));
            let kernel_grad = layer.params()[0].grad.clone();
            layer.input_gradient = None;
            let mut reference = Tensor::zeros(IxDyn(&[0]));
            layer.backward(&input, &output, &mut delta.clone(), Some(&mut reference));
            assert_eq!(layer.params()[0].grad, kernel_grad);
            assert_eq!(fast.shape(), input.shape());
            assert_close(&fast, &reference, seed);
        }
    }

    #[test]
    fn gradients_with_relu() {
        let config = Conv2dConfig {
            activation: Activation::Relu,
            ..config(3, 3, 1, Padding::Same)
        };
        gradients_match(config, &[2, 5, 5, 2], 15);
    }

    #[test]
    fn gradients_without_bias() {
        let config = Conv2dConfig {
            use_bias: false,
            ..config(3, 3, 2, Padding::Same)
        };
        let layer = Conv2d::new(config.clone(), &[5, 5, 2], &mut Rng::new(0));
        assert_eq!(layer.params().len(), 1);
        gradients_match(config, &[2, 5, 5, 2], 9);
    }

    #[test]
    fn backward_without_grad_input_still_sets_parameter_gradients() {
        let input = test_input(&[2, 5, 5, 2], 10);
        let mut layer = Conv2d::new(
            config(3, 3, 1, Padding::Same),
            &[5, 5, 2],
            &mut Rng::new(10),
        );
        let output = run(&mut layer, &input);
        let mut grad_output = output.mapv(|_| 1.0);
        layer.backward(&input, &output, &mut grad_output.clone(), None);
        let kernel_grad = layer.params()[0].grad.clone();
        let mut grad_input = Tensor::zeros(IxDyn(&[0]));
        run(&mut layer, &input);
        layer.backward(&input, &output, &mut grad_output, Some(&mut grad_input));
        assert_eq!(layer.params()[0].grad, kernel_grad);
        // dL/dbias = number of output positions per filter, 2·5·5 = 50.
        assert_eq!(values(&layer.params()[1].grad), vec![50.0; 3]);
    }

    #[test]
    fn forward_twice_with_different_batch_sizes() {
        let mut layer = Conv2d::new(
            config(3, 3, 2, Padding::Same),
            &[5, 5, 2],
            &mut Rng::new(11),
        );
        let batch = test_input(&[4, 5, 5, 2], 11);
        let first = batch
            .slice(ndarray::s![0..1, .., .., ..])
            .to_owned()
            .into_dyn();
        let big = run(&mut layer, &batch);
        let small = run(&mut layer, &first);
        assert_eq!(small.shape(), &[1, 3, 3, 3]);
        assert_eq!(small, big.slice(ndarray::s![0..1, .., .., ..]).into_dyn());

        let mut grad_input = Tensor::zeros(IxDyn(&[0]));
        layer.backward(&first, &small, &mut small.clone(), Some(&mut grad_input));
        assert_eq!(grad_input.shape(), first.shape());
        assert_eq!(run(&mut layer, &batch), big);
    }
}
