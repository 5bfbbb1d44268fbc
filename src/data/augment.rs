//! Data augmentation: every training image is rotated, zoomed and shifted by its own random affine
//! transform, so the network sees a slightly different digit each epoch.
//!
//! The transform is OpenCV's: [`rotation_matrix`] is `cv2.getRotationMatrix2D` and
//! [`warp_affine`] is `cv2.warpAffine` with bilinear interpolation and a black border, checked
//! against numbers from OpenCV (`tools/make_affine_fixture.py`). The settings carry the names of
//! Keras's `ImageDataGenerator`.

use serde::{Deserialize, Serialize};

use crate::error::{ConvlabError, Result};
use crate::rng::Rng;
use crate::tensor::Tensor;

/// The 2×3 matrix that rotates by `angle_degrees` (counter-clockwise on screen) about `center`
/// (`(x, y)` in pixels) and scales by `scale`, exactly as `cv2.getRotationMatrix2D`:
///
/// ```text
/// α = scale·cos θ, β = scale·sin θ
/// [[ α, β, (1 − α)·cx − β·cy ],
///  [ −β, α, β·cx + (1 − α)·cy ]]
/// ```
pub fn rotation_matrix(center: (f32, f32), angle_degrees: f32, scale: f32) -> [[f32; 3]; 2] {
    let (center_x, center_y) = (f64::from(center.0), f64::from(center.1));
    let angle = f64::from(angle_degrees).to_radians();
    let alpha = f64::from(scale) * angle.cos();
    let beta = f64::from(scale) * angle.sin();
    [
        [
            alpha as f32,
            beta as f32,
            ((1.0 - alpha) * center_x - beta * center_y) as f32,
        ],
        [
            -beta as f32,
            alpha as f32,
            (beta * center_x + (1.0 - alpha) * center_y) as f32,
        ],
    ]
}

/// Maps `src` (`height × width × channels`, HWC) through the affine `matrix` into `dst`, like
/// `cv2.warpAffine(src, matrix, (width, height))`: each output pixel `(x, y)` is the bilinear
/// interpolation of `src` at `matrix⁻¹ · (x, y, 1)`, and pixels outside `src` count as 0.
///
/// # Panics
/// If `src` or `dst` does not hold `height · width · channels` values.
pub fn warp_affine(
    src: &[f32],
    height: usize,
    width: usize,
    channels: usize,
    matrix: &[[f32; 3]; 2],
    dst: &mut [f32],
) {
    let len = height * width * channels;
    assert_eq!(
        src.len(),
        len,
        "warp_affine: src is not height × width × channels"
    );
    assert_eq!(
        dst.len(),
        len,
        "warp_affine: dst is not height × width × channels"
    );
    if len == 0 {
        return;
    }
    let [[xx, xy, x0], [yx, yy, y0]] = invert_affine(matrix);
    let row_len = width * channels;
    // The source value at (row, col), 0 outside the image (BORDER_CONSTANT).
    let source = |row: isize, col: isize, channel: usize| -> f32 {
        if (0..height as isize).contains(&row) && (0..width as isize).contains(&col) {
            src[row as usize * row_len + col as usize * channels + channel]
        } else {
            0.0
        }
    };
    for (y, dst_row) in dst.chunks_exact_mut(row_len).enumerate() {
        let row_x = xy * y as f32 + x0;
        let row_y = yy * y as f32 + y0;
        for (x, dst_pixel) in dst_row.chunks_exact_mut(channels).enumerate() {
            let src_x = xx * x as f32 + row_x;
            let src_y = yx * x as f32 + row_y;
            let (left, top) = (src_x.floor(), src_y.floor());
            let (fx, fy) = (src_x - left, src_y - top);
            let (col, row) = (left as isize, top as isize);
            for (channel, value) in dst_pixel.iter_mut().enumerate() {
                let upper =
                    (1.0 - fx) * source(row, col, channel) + fx * source(row, col + 1, channel);
                let lower = (1.0 - fx) * source(row + 1, col, channel)
                    + fx * source(row + 1, col + 1, channel);
                *value = (1.0 - fy) * upper + fy * lower;
            }
        }
    }
}

/// The inverse of an affine map, computed like `cv2.invertAffineTransform` (in `f64`; a singular
/// matrix gives the zero matrix, as in OpenCV).
fn invert_affine(matrix: &[[f32; 3]; 2]) -> [[f32; 3]; 2] {
    let [[a, b, c], [d, e, f]] = matrix.map(|row| row.map(f64::from));
    let determinant = a * e - b * d;
    let inverse_determinant = if determinant != 0.0 {
        1.0 / determinant
    } else {
        0.0
    };
    let (ia, ib) = (e * inverse_determinant, -b * inverse_determinant);
    let (id, ie) = (-d * inverse_determinant, a * inverse_determinant);
    [
        [ia as f32, ib as f32, (-ia * c - ib * f) as f32],
        [id as f32, ie as f32, (-id * c - ie * f) as f32],
    ]
}

/// The random transform of training images, with the names of Keras's `ImageDataGenerator`.
/// All zeros (the default) means no augmentation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Augmentation {
    /// Rotations are drawn uniformly from `±rotation_range` degrees (0 to 180).
    pub rotation_range: f32,
    /// Horizontal shifts are drawn uniformly from `±width_shift_range · width` (a fraction, < 1).
    pub width_shift_range: f32,
    /// Vertical shifts are drawn uniformly from `±height_shift_range · height` (a fraction, < 1).
    pub height_shift_range: f32,
    /// Zoom factors are drawn uniformly from `[1 − zoom_range, 1 + zoom_range]` (< 1).
    pub zoom_range: f32,
}

impl Augmentation {
    /// Whether every range is zero, so that images pass through untouched.
    pub fn is_none(&self) -> bool {
        *self == Augmentation::default()
    }

    /// Checks each range, naming the field at fault.
    pub fn validate(&self) -> Result<()> {
        let check = |field: &str, value: f32, upper: f32, upper_allowed: bool, meaning: &str| {
            let within = value >= 0.0 && (value < upper || (upper_allowed && value == upper));
            if within {
                Ok(())
            } else {
                let bracket = if upper_allowed { ']' } else { ')' };
                Err(ConvlabError::setting(
                    field,
                    format!("{value} is outside [0, {upper}{bracket}; {meaning}"),
                ))
            }
        };
        check(
            "rotation_range",
            self.rotation_range,
            180.0,
            true,
            "it is the largest rotation in degrees, e.g. 10",
        )?;
        check(
            "width_shift_range",
            self.width_shift_range,
            1.0,
            false,
            "it is a fraction of the image width, e.g. 0.1",
        )?;
        check(
            "height_shift_range",
            self.height_shift_range,
            1.0,
            false,
            "it is a fraction of the image height, e.g. 0.1",
        )?;
        check(
            "zoom_range",
            self.zoom_range,
            1.0,
            false,
            "zoom factors are drawn from [1 - zoom_range, 1 + zoom_range], e.g. 0.1",
        )
    }

    /// Transforms every image of the batch `images` (`[batch, height, width, channels]`) in place
    /// by its own random transform drawn from `rng`; `scratch` holds a copy of one image. Does
    /// nothing, and draws nothing, when [`Augmentation::is_none`].
    ///
    /// # Panics
    /// If `images` is not of rank 4.
    pub fn apply(&self, images: &mut Tensor, rng: &mut Rng, scratch: &mut Vec<f32>) {
        if self.is_none() {
            return;
        }
        let &[_, height, width, channels] = images.shape() else {
            panic!("augmentation needs a [batch, height, width, channels] batch");
        };
        if !images.is_standard_layout() {
            *images = images.as_standard_layout().into_owned();
        }
        let Some(values) = images.as_slice_mut() else {
            unreachable!("a standard-layout tensor is one contiguous slice");
        };
        let image_len = height * width * channels;
        if image_len == 0 {
            return;
        }
        for image in values.chunks_exact_mut(image_len) {
            let matrix = self.random_matrix(height, width, rng);
            scratch.clear();
            scratch.extend_from_slice(image);
            warp_affine(scratch, height, width, channels, &matrix, image);
        }
    }

    /// One random transform: rotation and zoom about the image centre, then a shift.
    fn random_matrix(&self, height: usize, width: usize, rng: &mut Rng) -> [[f32; 3]; 2] {
        let center = ((width as f32 - 1.0) / 2.0, (height as f32 - 1.0) / 2.0);
        let angle = rng.uniform_range(-self.rotation_range, self.rotation_range);
        let scale = rng.uniform_range(1.0 - self.zoom_range, 1.0 + self.zoom_range);
        let shift_x = rng.uniform_range(-self.width_shift_range, self.width_shift_range);
        let shift_y = rng.uniform_range(-self.height_shift_range, self.height_shift_range);
        let mut matrix = rotation_matrix(center, angle, scale);
        matrix[0][2] += shift_x * width as f32;
        matrix[1][2] += shift_y * height as f32;
        matrix
    }
}

#[cfg(test)]
mod tests {
    use ndarray::IxDyn;
    use serde::Deserialize;

    use super::*;

    /// Golden values from OpenCV, written by `tools/make_affine_fixture.py`.
    #[derive(Deserialize)]
    struct Fixture {
        opencv: String,
        rotation_matrix: Vec<RotationCase>,
        warp_affine: Vec<WarpCase>,
    }

    #[derive(Deserialize)]
    struct RotationCase {
        center: (f32, f32),
        angle: f32,
        scale: f32,
        matrix: [[f64; 3]; 2],
    }

    #[derive(Deserialize)]
    struct WarpCase {
        name: String,
        height: usize,
        width: usize,
        channels: usize,
        matrix: [[f32; 3]; 2],
        src: Vec<f32>,
        dst: Vec<f32>,
    }

    fn fixture() -> Fixture {
        serde_json::from_str(include_str!("../../tests/fixtures/warp_affine.json")).unwrap()
    }

    const IDENTITY: [[f32; 3]; 2] = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]];

    /// A 7×5 gradient image with 2 channels.
    fn gradient_image() -> Vec<f32> {
        (0..70).map(|i| i as f32 / 70.0).collect()
    }

    #[test]
    fn rotation_matrix_equals_opencv() {
        let fixture = fixture();
        for case in &fixture.rotation_matrix {
            let matrix = rotation_matrix(case.center, case.angle, case.scale);
            for (row, expected_row) in matrix.iter().zip(&case.matrix) {
                for (&value, &expected) in row.iter().zip(expected_row) {
                    assert!(
                        (f64::from(value) - expected).abs() < 1e-5,
                        "angle {}: {matrix:?} vs OpenCV {:?}",
                        case.angle,
                        case.matrix
                    );
                }
            }
        }
    }

    #[test]
    fn warp_affine_matches_opencv() {
        // OpenCV ≥ 4.11 interpolates at exact float coordinates; older versions rounded them to
        // 1/32 pixel, which would differ by up to ~0.016 here.
        let fixture = fixture();
        for case in &fixture.warp_affine {
            let mut dst = vec![f32::NAN; case.dst.len()];
            warp_affine(
                &case.src,
                case.height,
                case.width,
                case.channels,
                &case.matrix,
                &mut dst,
            );
            let max_error = dst
                .iter()
                .zip(&case.dst)
                .map(|(value, expected)| (value - expected).abs())
                .fold(0.0f32, f32::max);
            eprintln!(
                "{}: max |convlab - OpenCV {}| = {max_error:e}",
                case.name, fixture.opencv
            );
            assert!(max_error < 1e-5, "{}: max error {max_error}", case.name);
        }
    }

    #[test]
    fn identity_matrix_leaves_the_image_unchanged() {
        let src = gradient_image();
        let mut dst = vec![0.0; src.len()];
        warp_affine(&src, 7, 5, 2, &IDENTITY, &mut dst);
        assert_eq!(dst, src);
    }

    #[test]
    fn half_pixel_shift_interpolates_and_fills_the_border_with_zero() {
        // dst(x) = src(x - 0.5): the first column blends the black border with src column 0.
        let src = [0.2, 0.4, 0.8];
        let mut dst = [0.0; 3];
        warp_affine(&src, 1, 3, 1, &[[1.0, 0.0, 0.5], [0.0, 1.0, 0.0]], &mut dst);
        for (value, expected) in dst.iter().zip([0.1, 0.3, 0.6]) {
            assert!((value - expected).abs() < 1e-7, "{dst:?}");
        }
    }

    #[test]
    fn whole_pixel_shift_moves_the_image() {
        let src = gradient_image();
        let mut dst = vec![0.0; src.len()];
        warp_affine(
            &src,
            7,
            5,
            2,
            &[[1.0, 0.0, 2.0], [0.0, 1.0, -1.0]],
            &mut dst,
        );
        // dst(y, x) = src(y + 1, x - 2): 10 values per row, 2 per pixel.
        assert_eq!(dst[0..4], [0.0; 4]);
        assert_eq!(dst[4..10], src[10..16]);
        assert_eq!(dst[60..70], [0.0; 10]);
    }

    #[test]
    fn default_augmentation_is_none_and_a_no_op() {
        let augmentation = Augmentation::default();
        assert!(augmentation.is_none());
        assert!(augmentation.validate().is_ok());
        let mut images = Tensor::from_shape_vec(IxDyn(&[1, 7, 5, 2]), gradient_image()).unwrap();
        let before = images.clone();
        let mut rng = Rng::new(1);
        augmentation.apply(&mut images, &mut rng, &mut Vec::new());
        assert_eq!(images, before);
        assert_eq!(rng.next_u64(), Rng::new(1).next_u64());
    }

    fn lively() -> Augmentation {
        Augmentation {
            rotation_range: 15.0,
            width_shift_range: 0.1,
            height_shift_range: 0.2,
            zoom_range: 0.1,
        }
    }

    #[test]
    fn same_seed_gives_the_same_augmentation() {
        let batch = Tensor::from_shape_fn(IxDyn(&[3, 28, 28, 1]), |index| {
            ((index[1] * 3 + index[2] * 7 + index[0]) % 11) as f32 / 10.0
        });
        let augmented = |seed: u64| {
            let mut images = batch.clone();
            lively().apply(&mut images, &mut Rng::new(seed), &mut Vec::new());
            images
        };
        assert_eq!(augmented(5), augmented(5));
        assert_ne!(augmented(5), augmented(6));
        assert_ne!(augmented(5), batch);
    }

    #[test]
    fn apply_warps_each_image_by_its_own_random_matrix() {
        let batch = Tensor::from_shape_fn(IxDyn(&[2, 7, 5, 2]), |index| {
            (index[0] * 70 + index[1] * 10 + index[2] * 2 + index[3]) as f32 / 140.0
        });
        let mut images = batch.clone();
        lively().apply(&mut images, &mut Rng::new(9), &mut Vec::new());
        let mut rng = Rng::new(9);
        for (image, original) in images.outer_iter().zip(batch.outer_iter()) {
            let matrix = lively().random_matrix(7, 5, &mut rng);
            let mut expected = vec![0.0; 70];
            warp_affine(
                original.as_slice().unwrap(),
                7,
                5,
                2,
                &matrix,
                &mut expected,
            );
            assert_eq!(image.as_slice().unwrap(), &expected[..]);
        }
    }

    #[test]
    fn random_matrix_stays_within_the_ranges() {
        let mut rng = Rng::new(11);
        let augmentation = lively();
        let center = (13.5, 13.5);
        for _ in 0..1000 {
            let [[alpha, beta, tx], [_, _, ty]] = augmentation.random_matrix(28, 28, &mut rng);
            let scale = alpha.hypot(beta);
            let angle = beta.atan2(alpha).to_degrees();
            assert!((0.9..=1.1).contains(&scale), "scale {scale}");
            assert!(angle.abs() <= 15.0, "angle {angle}");
            let centred = rotation_matrix(center, angle, scale);
            assert!((tx - centred[0][2]).abs() <= 0.1 * 28.0 + 1e-4, "shift x");
            assert!((ty - centred[1][2]).abs() <= 0.2 * 28.0 + 1e-4, "shift y");
        }
    }

    #[test]
    fn validate_names_the_field_and_the_range() {
        let cases = [
            (
                Augmentation {
                    rotation_range: 200.0,
                    ..Augmentation::default()
                },
                "rotation_range: 200 is outside [0, 180]; it is the largest rotation in \
                 degrees, e.g. 10",
            ),
            (
                Augmentation {
                    width_shift_range: 1.0,
                    ..Augmentation::default()
                },
                "width_shift_range: 1 is outside [0, 1); it is a fraction of the image width, \
                 e.g. 0.1",
            ),
            (
                Augmentation {
                    height_shift_range: -0.1,
                    ..Augmentation::default()
                },
                "height_shift_range: -0.1 is outside [0, 1); it is a fraction of the image \
                 height, e.g. 0.1",
            ),
            (
                Augmentation {
                    zoom_range: f32::NAN,
                    ..Augmentation::default()
                },
                "zoom_range: NaN is outside [0, 1); zoom factors are drawn from \
                 [1 - zoom_range, 1 + zoom_range], e.g. 0.1",
            ),
        ];
        for (augmentation, message) in cases {
            assert_eq!(augmentation.validate().unwrap_err().to_string(), message);
        }
        assert!(lively().validate().is_ok());
    }

    #[test]
    fn augmentation_reads_keras_names_from_json() {
        let augmentation: Augmentation =
            serde_json::from_str(r#"{"rotation_range": 10, "zoom_range": 0.1}"#).unwrap();
        assert_eq!(
            augmentation,
            Augmentation {
                rotation_range: 10.0,
                zoom_range: 0.1,
                ..Augmentation::default()
            }
        );
    }
}
