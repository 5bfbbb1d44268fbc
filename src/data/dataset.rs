//! A labelled image dataset kept as bytes, and the batch tensors the model reads from it.
//!
//! Pixels stay `u8` until a batch is filled: MNIST's 60,000 training images take 47 MB this way
//! instead of 188 MB as `f32`, which matters in a browser tab. Scaling to `[0, 1]` (`x / 255`, as in
//! every Keras MNIST tutorial) happens in [`Dataset::fill_images`].

use std::fmt;

use ndarray::IxDyn;

use crate::data::idx::IdxArray;
use crate::error::{ConvlabError, Result};
use crate::rng::Rng;
use crate::tensor::{batch_shape, ensure_batch_shape, Tensor};

/// The number of classes of the idx datasets (MNIST, Fashion-MNIST, KMNIST): their label files do
/// not say, and all of them have ten.
pub const IDX_CLASSES: usize = 10;

/// The [`Rng::derive`] stream of the validation split, so that the split depends only on the seed.
pub const VALIDATION_SPLIT_STREAM: u64 = 3;

/// Images (`[height, width, channels]` bytes each, back to back) with one class label per image.
#[derive(Clone, PartialEq)]
pub struct Dataset {
    images: Vec<u8>,
    labels: Vec<u8>,
    image_shape: [usize; 3],
    classes: usize,
}

impl Dataset {
    /// A dataset of `labels.len()` images of `image_shape` (`[height, width, channels]`).
    ///
    /// Checks that `images` holds exactly one image per label and that every label is a class
    /// index below `classes`.
    pub fn new(
        images: Vec<u8>,
        labels: Vec<u8>,
        image_shape: [usize; 3],
        classes: usize,
    ) -> Result<Self> {
        let [height, width, channels] = image_shape;
        let image_len = match height
            .checked_mul(width)
            .and_then(|pixels| pixels.checked_mul(channels))
        {
            Some(0) => {
                return Err(ConvlabError::Data(format!(
                    "image shape {height}×{width}×{channels} has no pixels"
                )))
            }
            Some(image_len) => image_len,
            None => {
                return Err(ConvlabError::Data(format!(
                    "image shape {height}×{width}×{channels} is too large to count; the file's header is damaged"
                )))
            }
        };
        if !(1..=256).contains(&classes) {
            return Err(ConvlabError::Data(format!(
                "{classes} classes: labels are bytes, so a dataset has 1 to 256 classes"
            )));
        }
        let needed = labels.len().checked_mul(image_len);
        if needed != Some(images.len()) {
            return Err(ConvlabError::Data(format!(
                "{} labels need {} bytes of {height}×{width}×{channels} images, but there are {} \
                 bytes ({} images); images and labels must come from the same dataset",
                labels.len(),
                needed.map_or("more".to_string(), |n| n.to_string()),
                images.len(),
                images.len() as f64 / image_len as f64
            )));
        }
        if let Some((index, label)) = labels
            .iter()
            .enumerate()
            .find(|&(_, &label)| usize::from(label) >= classes)
        {
            return Err(ConvlabError::Data(format!(
                "label {label} of image {index} is not a class index 0..{}",
                classes - 1
            )));
        }
        Ok(Dataset {
            images,
            labels,
            image_shape,
            classes,
        })
    }

    /// The dataset of an idx image file (`[n, height, width]`, or `[n, height, width, channels]`)
    /// and its idx label file (`[n]`), with [`IDX_CLASSES`] classes. MNIST: 28×28 → `[28, 28, 1]`.
    ///
    /// Takes the arrays by value so that their bytes move into the dataset: a copy would double
    /// the peak memory of loading MNIST, and wasm memory never shrinks.
    pub fn from_idx(images: IdxArray, labels: IdxArray) -> Result<Self> {
        let image_shape = match images.dims[..] {
            [_, height, width] => [height, width, 1],
            [_, height, width, channels] => [height, width, channels],
            _ => {
                return Err(ConvlabError::Data(format!(
                    "an idx image file has 3 dimensions (count, height, width), this one has {}",
                    images.dims.len()
                )))
            }
        };
        if labels.dims.len() != 1 {
            return Err(ConvlabError::Data(format!(
                "an idx label file has 1 dimension (count), this one has {}; \
                 are the image and label files swapped?",
                labels.dims.len()
            )));
        }
        Dataset::new(images.data, labels.data, image_shape, IDX_CLASSES)
    }

    /// The number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no images (a validation split of 0 gives an empty validation set).
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// `[height, width, channels]` of every image.
    pub fn image_shape(&self) -> [usize; 3] {
        self.image_shape
    }

    /// The number of classes; labels are `0..classes`.
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// The class of image `index` (which must be below [`Dataset::len`]).
    pub fn label(&self, index: usize) -> usize {
        usize::from(self.labels[index])
    }

    /// All labels, in image order.
    pub fn labels(&self) -> &[u8] {
        &self.labels
    }

    /// The pixels of image `index` (below [`Dataset::len`]), `height × width × channels` bytes in
    /// HWC order.
    pub fn image(&self, index: usize) -> &[u8] {
        let image_len = self.image_len();
        &self.images[index * image_len..(index + 1) * image_len]
    }

    /// The bytes of one image.
    fn image_len(&self) -> usize {
        self.image_shape.iter().product()
    }

    /// A new dataset of the images at `indices`, in that order.
    ///
    /// # Panics
    /// If an index is out of range (indices come from this dataset's own orderings).
    pub fn subset(&self, indices: &[usize]) -> Dataset {
        let mut images = Vec::with_capacity(indices.len() * self.image_len());
        for &index in indices {
            images.extend_from_slice(self.image(index));
        }
        Dataset {
            images,
            labels: indices.iter().map(|&index| self.labels[index]).collect(),
            image_shape: self.image_shape,
            classes: self.classes,
        }
    }

    /// The first `n` images (all of them when `n` exceeds the length), for a quick run on part of
    /// the data.
    pub fn take(&self, n: usize) -> Dataset {
        let n = n.min(self.len());
        Dataset {
            images: self.images[..n * self.image_len()].to_vec(),
            labels: self.labels[..n].to_vec(),
            image_shape: self.image_shape,
            classes: self.classes,
        }
    }

    /// Splits into `(training, validation)` with `round(validation_fraction · count)` images of
    /// every class in the validation set, chosen at random from `seed`.
    ///
    /// Unlike Keras's `validation_split`, which takes the last images unshuffled, each class keeps
    /// its share, so a small split still sees every digit. Both parts keep the original order.
    pub fn stratified_split(
        &self,
        validation_fraction: f32,
        seed: u64,
    ) -> Result<(Dataset, Dataset)> {
        if !(0.0..1.0).contains(&validation_fraction) {
            return Err(ConvlabError::setting(
                "validation_split",
                format!(
                    "{validation_fraction} is not a fraction in [0, 1); use e.g. 0.1 to hold out \
                     10% of the training images, or 0 for no validation"
                ),
            ));
        }
        let mut by_class = vec![Vec::new(); self.classes];
        for (index, &label) in self.labels.iter().enumerate() {
            by_class[usize::from(label)].push(index);
        }
        let mut rng = Rng::derive(seed, VALIDATION_SPLIT_STREAM);
        let mut training = Vec::with_capacity(self.len());
        let mut validation = Vec::new();
        for mut members in by_class {
            rng.shuffle(&mut members);
            let validation_count = (validation_fraction * members.len() as f32).round() as usize;
            validation.extend_from_slice(&members[..validation_count]);
            training.extend_from_slice(&members[validation_count..]);
        }
        training.sort_unstable();
        validation.sort_unstable();
        Ok((self.subset(&training), self.subset(&validation)))
    }

    /// Writes the images at `indices` into `out` as `[indices.len(), height, width, channels]`,
    /// scaled to `[0, 1]` by `x / 255`. Reuses `out` when its shape already fits.
    pub fn fill_images(&self, indices: &[usize], out: &mut Tensor) {
        let values = contiguous(out, indices.len(), &self.image_shape);
        for (slot, &index) in values.chunks_exact_mut(self.image_len()).zip(indices) {
            for (value, &pixel) in slot.iter_mut().zip(self.image(index)) {
                *value = f32::from(pixel) / 255.0;
            }
        }
    }

    /// Writes the labels at `indices` into `out` as `[indices.len()]` class indices, the targets
    /// of `sparse_categorical_crossentropy`.
    pub fn fill_sparse_targets(&self, indices: &[usize], out: &mut Tensor) {
        let values = contiguous(out, indices.len(), &[]);
        for (value, &index) in values.iter_mut().zip(indices) {
            *value = f32::from(self.labels[index]);
        }
    }

    /// Writes the labels at `indices` into `out` as `[indices.len(), classes]` one-hot rows, the
    /// targets of `categorical_crossentropy`.
    pub fn fill_one_hot_targets(&self, indices: &[usize], out: &mut Tensor) {
        let values = contiguous(out, indices.len(), &[self.classes]);
        values.fill(0.0);
        for (row, &index) in values.chunks_exact_mut(self.classes).zip(indices) {
            row[self.label(index)] = 1.0;
        }
    }
}

/// Gives `out` the shape `[batch, sample_shape…]` (reusing it when it already has it) and returns
/// its elements as one row-major slice.
fn contiguous<'a>(out: &'a mut Tensor, batch: usize, sample_shape: &[usize]) -> &'a mut [f32] {
    ensure_batch_shape(out, batch, sample_shape);
    if !out.is_standard_layout() {
        *out = Tensor::zeros(IxDyn(&batch_shape(batch, sample_shape)));
    }
    out.as_slice_mut()
        .expect("a standard-layout tensor is one contiguous slice")
}

/// A summary, not the megabytes of pixels.
impl fmt::Debug for Dataset {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [height, width, channels] = self.image_shape;
        write!(
            formatter,
            "Dataset({} images of {height}×{width}×{channels}, {} classes)",
            self.len(),
            self.classes
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `count` 2×1 images; image `i` has pixels `[i, 255 - i]` and label `i % classes`.
    fn striped(count: usize, classes: usize) -> Dataset {
        let images = (0..count).flat_map(|i| [i as u8, 255 - i as u8]).collect();
        let labels = (0..count).map(|i| (i % classes) as u8).collect();
        Dataset::new(images, labels, [2, 1, 1], classes).unwrap()
    }

    fn data_error(result: Result<Dataset>) -> String {
        match result {
            Err(ConvlabError::Data(message)) => message,
            other => panic!("expected a data error, got {other:?}"),
        }
    }

    #[test]
    fn new_rejects_images_that_do_not_match_the_labels() {
        assert_eq!(
            data_error(Dataset::new(vec![0; 7], vec![0, 1], [2, 2, 1], 10)),
            "2 labels need 8 bytes of 2×2×1 images, but there are 7 bytes (1.75 images); \
             images and labels must come from the same dataset"
        );
    }

    #[test]
    fn new_rejects_a_label_outside_the_classes() {
        assert_eq!(
            data_error(Dataset::new(vec![0; 3], vec![1, 0, 10], [1, 1, 1], 10)),
            "label 10 of image 2 is not a class index 0..9"
        );
    }

    #[test]
    fn new_rejects_empty_images_and_zero_classes() {
        assert_eq!(
            data_error(Dataset::new(vec![], vec![], [28, 0, 1], 10)),
            "image shape 28×0×1 has no pixels"
        );
        assert_eq!(
            data_error(Dataset::new(vec![], vec![], [1, 1, 1], 0)),
            "0 classes: labels are bytes, so a dataset has 1 to 256 classes"
        );
    }

    #[test]
    fn from_idx_gives_grayscale_images_and_ten_classes() {
        let images = IdxArray {
            dims: vec![3, 2, 2],
            data: (0..12).collect(),
        };
        let labels = IdxArray {
            dims: vec![3],
            data: vec![4, 0, 9],
        };
        let dataset = Dataset::from_idx(images.clone(), labels.clone()).unwrap();
        assert_eq!(dataset.len(), 3);
        assert_eq!(dataset.image_shape(), [2, 2, 1]);
        assert_eq!(dataset.classes(), 10);
        assert_eq!(dataset.image(1), &[4, 5, 6, 7]);
        assert_eq!(dataset.label(2), 9);
        assert_eq!(
            data_error(Dataset::from_idx(labels, images)),
            "an idx image file has 3 dimensions (count, height, width), this one has 1"
        );
    }

    #[test]
    fn subset_and_take_copy_the_chosen_images() {
        let dataset = striped(5, 3);
        let subset = dataset.subset(&[4, 1]);
        assert_eq!(subset.len(), 2);
        assert_eq!(subset.image(0), &[4, 251]);
        assert_eq!(subset.labels(), &[1, 1]);
        let first = dataset.take(2);
        assert_eq!(first.labels(), &[0, 1]);
        assert_eq!(first.image(1), &[1, 254]);
        assert_eq!(dataset.take(99).len(), 5);
    }

    #[test]
    fn stratified_split_keeps_each_class_share() {
        // Class c has 10 + 7c images, so the shares differ from class to class.
        let labels: Vec<u8> = (0..10u8)
            .flat_map(|class| std::iter::repeat_n(class, 10 + 7 * usize::from(class)))
            .collect();
        let dataset = Dataset::new(vec![0; labels.len()], labels, [1, 1, 1], 10).unwrap();
        let (training, validation) = dataset.stratified_split(0.15, 42).unwrap();
        assert_eq!(training.len() + validation.len(), dataset.len());
        for class in 0..10u8 {
            let count = |d: &Dataset| d.labels().iter().filter(|&&l| l == class).count();
            let expected = 0.15 * count(&dataset) as f32;
            assert!(
                (count(&validation) as f32 - expected).abs() <= 1.0,
                "class {class}: {} of {}",
                count(&validation),
                count(&dataset)
            );
        }
    }

    #[test]
    fn stratified_split_depends_only_on_the_seed() {
        let dataset = striped(200, 4);
        let (training_a, validation_a) = dataset.stratified_split(0.25, 7).unwrap();
        let (training_b, validation_b) = dataset.stratified_split(0.25, 7).unwrap();
        assert_eq!(training_a, training_b);
        assert_eq!(validation_a, validation_b);
        let (_, validation_c) = dataset.stratified_split(0.25, 8).unwrap();
        assert_eq!(validation_c.len(), validation_a.len());
        assert_ne!(validation_c, validation_a);
    }

    #[test]
    fn stratified_split_of_zero_has_no_validation() {
        let dataset = striped(20, 3);
        let (training, validation) = dataset.stratified_split(0.0, 1).unwrap();
        assert!(validation.is_empty());
        assert_eq!(training, dataset);
    }

    #[test]
    fn stratified_split_rejects_one_and_nan() {
        let dataset = striped(20, 3);
        for fraction in [1.0, f32::NAN, -0.1] {
            let error = dataset.stratified_split(fraction, 1).unwrap_err();
            assert_eq!(
                error.to_string(),
                format!(
                    "validation_split: {fraction} is not a fraction in [0, 1); use e.g. 0.1 to \
                     hold out 10% of the training images, or 0 for no validation"
                )
            );
        }
    }

    #[test]
    fn fill_images_scales_to_unit_range() {
        let dataset = striped(4, 2);
        let mut batch = Tensor::zeros(IxDyn(&[0]));
        dataset.fill_images(&[3, 0], &mut batch);
        assert_eq!(batch.shape(), &[2, 2, 1, 1]);
        let expected = [3.0 / 255.0, 252.0 / 255.0, 0.0, 1.0];
        assert_eq!(batch.iter().copied().collect::<Vec<f32>>(), expected);
    }

    #[test]
    fn fill_images_reuses_a_buffer_of_the_right_shape() {
        let dataset = striped(4, 2);
        let mut batch = Tensor::zeros(IxDyn(&[2, 2, 1, 1]));
        let address = batch.as_ptr();
        dataset.fill_images(&[1, 2], &mut batch);
        assert_eq!(batch.as_ptr(), address);
        assert_eq!(batch[[1, 0, 0, 0]], 2.0 / 255.0);
    }

    #[test]
    fn one_hot_and_sparse_targets_agree() {
        let dataset = striped(10, 4);
        let indices = [9, 2, 3, 4, 0];
        let mut sparse = Tensor::zeros(IxDyn(&[0]));
        let mut one_hot = Tensor::from_elem(IxDyn(&[5, 4]), 7.0);
        dataset.fill_sparse_targets(&indices, &mut sparse);
        dataset.fill_one_hot_targets(&indices, &mut one_hot);
        assert_eq!(sparse.as_slice().unwrap(), &[1.0, 2.0, 3.0, 0.0, 0.0]);
        for (row, &class) in one_hot.outer_iter().zip(sparse.iter()) {
            let expected: Vec<f32> = (0..4).map(|c| f32::from(c as f32 == class)).collect();
            assert_eq!(row.iter().copied().collect::<Vec<f32>>(), expected);
        }
    }
}
