//! Keras's `accuracy` metric, which picks its variant from the shapes, as `compile(metrics=
//! ['accuracy'])` does:
//! - one output unit: binary accuracy (`prediction > 0.5` equals the target);
//! - targets of lower rank than the predictions, or one target column: sparse categorical
//!   accuracy (argmax equals the class index);
//! - otherwise categorical accuracy (argmax of the predictions equals argmax of the one-hot target).
//!
//! Ties go to the first maximum, as `argmax` does.

use crate::tensor::Tensor;

/// The fraction of samples predicted correctly (0 for an empty batch).
pub fn accuracy(predictions: &Tensor, targets: &Tensor) -> f32 {
    let samples = sample_count(predictions);
    if samples == 0 {
        return 0.0;
    }
    correct_count(predictions, targets) as f32 / samples as f32
}

/// The number of samples predicted correctly, for summing an epoch's accuracy batch by batch.
pub fn correct_count(predictions: &Tensor, targets: &Tensor) -> usize {
    let width = predictions.shape().last().copied().unwrap_or(1);
    let target_width = targets.shape().last().copied().unwrap_or(1);
    if width == 1 {
        predictions
            .iter()
            .zip(targets.iter())
            .filter(|(&p, &y)| (p > 0.5) as u8 as f32 == y)
            .count()
    } else if targets.ndim() < predictions.ndim() || target_width == 1 {
        predictions
            .rows()
            .into_iter()
            .zip(targets.iter())
            .filter(|(p, &label)| argmax(p.iter()) as f32 == label)
            .count()
    } else {
        predictions
            .rows()
            .into_iter()
            .zip(targets.rows())
            .filter(|(p, y)| argmax(p.iter()) == argmax(y.iter()))
            .count()
    }
}

/// Number of samples: rows along the last (class) axis.
fn sample_count(predictions: &Tensor) -> usize {
    predictions.len() / predictions.shape().last().copied().unwrap_or(1).max(1)
}

/// Index of the first largest value.
pub(crate) fn argmax<'a>(values: impl Iterator<Item = &'a f32>) -> usize {
    let mut best = (0, f32::NEG_INFINITY);
    for (index, &value) in values.enumerate() {
        if value > best.1 {
            best = (index, value);
        }
    }
    best.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn predictions() -> Tensor {
        array![
            [0.1f32, 0.7, 0.2],
            [0.5, 0.3, 0.2],
            [0.3, 0.3, 0.4],
            [0.4, 0.4, 0.2]
        ]
        .into_dyn()
    }

    #[test]
    fn sparse_accuracy_counts_argmax_matches() {
        // argmax = [1, 0, 2, 0] (the tie in the last row goes to the first)
        let labels = array![1.0f32, 0.0, 1.0, 0.0].into_dyn();
        assert_eq!(correct_count(&predictions(), &labels), 3);
        assert_eq!(accuracy(&predictions(), &labels), 0.75);
    }

    #[test]
    fn one_hot_and_sparse_targets_agree() {
        let labels = array![1.0f32, 2.0, 2.0, 1.0].into_dyn();
        let one_hot = array![
            [0.0f32, 1.0, 0.0],
            [0.0, 0.0, 1.0],
            [0.0, 0.0, 1.0],
            [0.0, 1.0, 0.0]
        ]
        .into_dyn();
        let column = labels
            .clone()
            .into_shape_with_order((4, 1))
            .unwrap()
            .into_dyn();
        assert_eq!(accuracy(&predictions(), &labels), 0.5);
        assert_eq!(accuracy(&predictions(), &one_hot), 0.5);
        assert_eq!(accuracy(&predictions(), &column), 0.5);
    }

    #[test]
    fn one_output_unit_uses_binary_accuracy() {
        let predictions = array![[0.9f32], [0.2], [0.5], [0.51]].into_dyn();
        let targets = array![1.0f32, 0.0, 1.0, 1.0].into_dyn();
        // 0.5 is not > 0.5, so the third is wrong.
        assert_eq!(accuracy(&predictions, &targets), 0.75);
    }

    #[test]
    fn empty_batch_has_zero_accuracy() {
        let predictions = Tensor::zeros(ndarray::IxDyn(&[0, 10]));
        let targets = Tensor::zeros(ndarray::IxDyn(&[0]));
        assert_eq!(accuracy(&predictions, &targets), 0.0);
    }
}
