//! The rotate / shift test: a test image rotated and scaled about its centre (OpenCV's
//! `getRotationMatrix2D`, as in training augmentation) and then shifted, and a model's accuracy on
//! test images all transformed alike (accuracy against the rotation angle).

use ndarray::IxDyn;
use serde::{Deserialize, Serialize};

use crate::data::augment::{rotation_matrix, warp_affine};
use crate::data::dataset::Dataset;
use crate::error::{ConvlabError, Result};
use crate::layers::Mode;
use crate::metrics::correct_count;
use crate::model::Sequential;
use crate::rng::Rng;
use crate::tensor::Tensor;

/// A rotation by `angle` degrees (counter-clockwise on screen) and a zoom by `scale` about the
/// image centre, then a shift by `(shift_x, shift_y)` pixels (right and down).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImageTransform {
    /// Degrees, counter-clockwise.
    pub angle: f32,
    /// 1 keeps the size.
    pub scale: f32,
    /// Pixels to the right.
    pub shift_x: f32,
    /// Pixels down.
    pub shift_y: f32,
}

impl Default for ImageTransform {
    fn default() -> Self {
        ImageTransform {
            angle: 0.0,
            scale: 1.0,
            shift_x: 0.0,
            shift_y: 0.0,
        }
    }
}

impl ImageTransform {
    /// The 2×3 affine matrix for a `height × width` image: `cv2.getRotationMatrix2D(((w − 1)/2,
    /// (h − 1)/2), angle, scale)` with the shift added to its last column.
    pub fn matrix(&self, height: usize, width: usize) -> [[f32; 3]; 2] {
        let center = ((width as f32 - 1.0) / 2.0, (height as f32 - 1.0) / 2.0);
        let mut matrix = rotation_matrix(center, self.angle, self.scale);
        matrix[0][2] += self.shift_x;
        matrix[1][2] += self.shift_y;
        matrix
    }

    /// The matrix as the 3×3 homogeneous matrix a learner reads (last row `0 0 1`).
    pub fn matrix_3x3(&self, height: usize, width: usize) -> [[f32; 3]; 3] {
        let [first, second] = self.matrix(height, width);
        [first, second, [0.0, 0.0, 1.0]]
    }

    /// `image` (`height × width × channels`, HWC) transformed (`cv2.warpAffine`, bilinear,
    /// black outside). The identity transform returns the image unchanged, bit for bit.
    pub fn apply(&self, image: &[f32], height: usize, width: usize, channels: usize) -> Vec<f32> {
        let mut out = vec![0.0; image.len()];
        warp_affine(
            image,
            height,
            width,
            channels,
            &self.matrix(height, width),
            &mut out,
        );
        out
    }

    /// Checks the settings; the error names the field.
    pub fn validate(&self) -> Result<()> {
        for (field, value) in [
            ("angle", self.angle),
            ("shift_x", self.shift_x),
            ("shift_y", self.shift_y),
        ] {
            if !value.is_finite() {
                return Err(ConvlabError::setting(field, "must be a number, e.g. 0"));
            }
        }
        if !(self.scale.is_finite() && self.scale > 0.0) {
            return Err(ConvlabError::setting(
                "scale",
                format!(
                    "{} is not allowed; use a factor above 0, e.g. 1",
                    self.scale
                ),
            ));
        }
        Ok(())
    }
}

/// The accuracy of `model` on `data` with every image transformed by `transform`, `batch_size`
/// images at a time.
pub fn accuracy_under(
    model: &mut Sequential,
    data: &Dataset,
    transform: &ImageTransform,
    batch_size: usize,
) -> Result<f32> {
    transform.validate()?;
    if data.is_empty() {
        return Err(ConvlabError::setting(
            "data",
            "there are no images to test on",
        ));
    }
    let [height, width, channels] = data.image_shape();
    let image_len = height * width * channels;
    let indices: Vec<usize> = (0..data.len()).collect();
    let (mut images, mut targets) = (Tensor::zeros(IxDyn(&[0])), Tensor::zeros(IxDyn(&[0])));
    let mut rng = Rng::new(0);
    let mut correct = 0;
    for chunk in indices.chunks(batch_size.max(1)) {
        data.fill_images(chunk, &mut images);
        data.fill_sparse_targets(chunk, &mut targets);
        let values = images
            .as_slice_mut()
            .expect("fill_images writes a standard layout");
        for image in values.chunks_exact_mut(image_len) {
            let transformed = transform.apply(image, height, width, channels);
            image.copy_from_slice(&transformed);
        }
        correct += correct_count(model.forward(&images, Mode::Infer, &mut rng), &targets);
    }
    Ok(correct as f32 / data.len() as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_identity_leaves_the_image_unchanged_bit_for_bit() {
        let image: Vec<f32> = (0..28 * 28).map(|i| (i % 255) as f32 / 255.0).collect();
        assert_eq!(ImageTransform::default().apply(&image, 28, 28, 1), image);
    }

    #[test]
    fn the_matrix_is_opencvs_rotation_about_the_centre_plus_the_shift() {
        let transform = ImageTransform {
            angle: 90.0,
            scale: 1.0,
            shift_x: 2.0,
            shift_y: -1.0,
        };
        let [first, second, last] = transform.matrix_3x3(28, 28);
        // α = cos 90° = 0, β = sin 90° = 1: [[0, 1, 13.5 − 13.5 + 2], [−1, 0, 13.5 + 13.5 − 1]]
        let close = |a: f32, b: f32| (a - b).abs() < 1e-5;
        assert!(
            close(first[0], 0.0) && close(first[1], 1.0) && close(first[2], 2.0),
            "{first:?}"
        );
        assert!(
            close(second[0], -1.0) && close(second[1], 0.0) && close(second[2], 26.0),
            "{second:?}"
        );
        assert_eq!(last, [0.0, 0.0, 1.0]);
    }

    #[test]
    fn a_shift_moves_the_pixels() {
        let mut image = vec![0.0; 25];
        image[2 * 5 + 2] = 1.0;
        let shift = ImageTransform {
            shift_x: 1.0,
            shift_y: 2.0,
            ..ImageTransform::default()
        };
        let moved = shift.apply(&image, 5, 5, 1);
        assert_eq!(moved[4 * 5 + 3], 1.0);
        assert_eq!(moved.iter().sum::<f32>(), 1.0);
    }

    #[test]
    fn a_zero_scale_is_refused() {
        let zero = ImageTransform {
            scale: 0.0,
            ..ImageTransform::default()
        };
        assert_eq!(
            zero.validate().unwrap_err().to_string(),
            "scale: 0 is not allowed; use a factor above 0, e.g. 1"
        );
    }
}
