//! Keras losses: `categorical_crossentropy`, `sparse_categorical_crossentropy` and `mse`, each the
//! mean over the batch (Keras's `sum_over_batch_size` reduction).
//!
//! The cross-entropies follow the TensorFlow backend formula by formula, because their values
//! differ when the predictions do not sum to one (a sigmoid output) or hit the clip:
//! - categorical: `−Σ y · ln(clip(p / Σp))`, normalising first, then clipping to [1e-7, 1 − 1e-7];
//! - sparse: `ln Σ clip(p) − ln clip(p_label)` (Keras clips, takes the log and feeds it to
//!   `sparse_softmax_cross_entropy_with_logits`, which renormalises the clipped values).
//!
//! When the model's last activation is softmax, Keras (in `fit`/`evaluate`) takes the softmax's
//! input and computes the cross-entropy from logits; [`Loss::from_logits`] is that fused path.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::activation::{softmax_last_axis_in_place, Activation};
use crate::error::ConvlabError;
use crate::tensor::{ensure_shape, Tensor};

/// `keras.backend.epsilon()`: the clip applied to probabilities before the logarithm.
const EPSILON: f32 = 1e-7;

/// A Keras loss by its Keras name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Loss {
    /// `categorical_crossentropy`: one-hot targets `[batch, classes]`.
    CategoricalCrossentropy,
    /// `sparse_categorical_crossentropy`: class indices `[batch]` (as f32).
    SparseCategoricalCrossentropy,
    /// `mse` (`mean_squared_error`): targets shaped like the predictions.
    #[serde(alias = "mean_squared_error")]
    Mse,
}

impl Loss {
    /// All losses, in the order the page lists them.
    pub const ALL: [Loss; 3] = [
        Loss::SparseCategoricalCrossentropy,
        Loss::CategoricalCrossentropy,
        Loss::Mse,
    ];

    /// The Keras name (`sparse_categorical_crossentropy`).
    pub fn name(self) -> &'static str {
        match self {
            Loss::CategoricalCrossentropy => "categorical_crossentropy",
            Loss::SparseCategoricalCrossentropy => "sparse_categorical_crossentropy",
            Loss::Mse => "mse",
        }
    }

    /// The loss with Keras name `name` (`mean_squared_error` is accepted for `mse`).
    pub fn from_name(name: &str) -> Option<Loss> {
        match name {
            "mean_squared_error" => Some(Loss::Mse),
            _ => Loss::ALL.into_iter().find(|loss| loss.name() == name),
        }
    }

    /// Whether a final softmax should be fused with this loss ([`Loss::from_logits`]), as Keras
    /// does for both cross-entropies.
    pub fn fuses_with_softmax(&self) -> bool {
        matches!(
            self,
            Loss::CategoricalCrossentropy | Loss::SparseCategoricalCrossentropy
        )
    }

    /// Checks that `targets` (the whole label tensor, batch first) suit this loss and a model with
    /// `classes` output units; the message says what to change.
    pub fn validate_targets(&self, targets: &Tensor, classes: usize) -> Result<(), ConvlabError> {
        let shape = targets.shape();
        let error =
            |message: String| Err(ConvlabError::Shape(format!("{}: {message}", self.name())));
        match self {
            Loss::CategoricalCrossentropy => match shape {
                [_, width] if *width == classes => {}
                [_] | [_, 1] => {
                    return error(format!(
                        "expects one-hot targets of shape (batch, {classes}) but the labels are class indices of shape {}; use sparse_categorical_crossentropy for integer labels (or one-hot encode them)",
                        python_shape(shape)
                    ))
                }
                [_, width] => {
                    return error(format!(
                        "the one-hot targets have {width} columns but the output layer has {classes} units; give the last Dense layer {width} units (use sparse_categorical_crossentropy for integer labels)"
                    ))
                }
                _ => {
                    return error(format!(
                        "expects one-hot targets of shape (batch, {classes}) but they have shape {}",
                        python_shape(shape)
                    ))
                }
            },
            Loss::SparseCategoricalCrossentropy => {
                match shape {
                    [_] | [_, 1] => {}
                    [_, width] if *width == classes => {
                        return error(format!(
                            "expects class indices of shape (batch,) but the targets look one-hot ({width} columns); use categorical_crossentropy for one-hot labels"
                        ))
                    }
                    _ => {
                        return error(format!(
                            "expects class indices of shape (batch,) but the targets have shape {}",
                            python_shape(shape)
                        ))
                    }
                }
                let not_a_class = |label: f32| {
                    !(label >= 0.0 && label.fract() == 0.0 && (label as usize) < classes)
                };
                if let Some((sample, &label)) =
                    targets.iter().enumerate().find(|(_, &l)| not_a_class(l))
                {
                    let fix = if label >= 0.0 && label.fract() == 0.0 {
                        format!(
                            "give the last Dense layer {} units, or check the labels",
                            label as usize + 1
                        )
                    } else {
                        "labels must be whole numbers 0, 1, 2, …".to_string()
                    };
                    return error(format!(
                        "label {label} (sample {sample}) is not a class index 0–{}: the output layer has {classes} units; {fix}",
                        classes.saturating_sub(1)
                    ));
                }
            }
            Loss::Mse => {
                let fits = match shape {
                    [_, width] => *width == classes,
                    [_] => classes == 1,
                    _ => false,
                };
                if !fits {
                    return error(format!(
                        "needs targets shaped like the output (batch, {classes}) but they have shape {}; one-hot encode class labels, or use sparse_categorical_crossentropy for integer labels",
                        python_shape(shape)
                    ));
                }
            }
        }
        match targets.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            Some((index, value)) => error(format!(
                "target {value} (element {index}) is not a finite number; check the labels"
            )),
            None => Ok(()),
        }
    }

    /// The mean loss over the batch of `predictions` (probabilities for the cross-entropies).
    /// `targets` must have passed [`Loss::validate_targets`].
    pub fn compute(&self, predictions: &Tensor, targets: &Tensor) -> f32 {
        if *self == Loss::Mse {
            let squares: f64 = predictions
                .iter()
                .zip(targets.iter())
                .map(|(&p, &y)| ((p - y) as f64).powi(2))
                .sum();
            return (squares / predictions.len().max(1) as f64) as f32;
        }
        let targets = self.one_hot(predictions, targets);
        let total: f64 = predictions
            .rows()
            .into_iter()
            .zip(targets.rows())
            .map(|(p, y)| {
                let row_loss = if *self == Loss::CategoricalCrossentropy {
                    let sum = p.sum();
                    -p.iter()
                        .zip(y)
                        .map(|(&p, &y)| y * clip(p / sum).ln())
                        .sum::<f32>()
                } else {
                    let clipped_sum: f32 = p.iter().map(|&p| clip(p)).sum();
                    clipped_sum.ln()
                        - p.iter()
                            .zip(y)
                            .map(|(&p, &y)| y * clip(p).ln())
                            .sum::<f32>()
                };
                row_loss as f64
            })
            .sum();
        (total / rows(predictions).max(1) as f64) as f32
    }

    /// Writes into `grad` dLoss/dPredictions of [`Loss::compute`] (the gradient of the clip is
    /// zero outside [1e-7, 1 − 1e-7], as in TensorFlow).
    pub fn gradient(&self, predictions: &Tensor, targets: &Tensor, grad: &mut Tensor) {
        ensure_shape(grad, predictions.shape());
        if *self == Loss::Mse {
            let scale = 2.0 / predictions.len().max(1) as f32;
            grad.iter_mut()
                .zip(predictions.iter().zip(targets.iter()))
                .for_each(|(g, (&p, &y))| *g = scale * (p - y));
            return;
        }
        let targets = self.one_hot(predictions, targets);
        let per_row = 1.0 / rows(predictions).max(1) as f32;
        for ((p, y), mut g) in predictions
            .rows()
            .into_iter()
            .zip(targets.rows())
            .zip(grad.rows_mut())
        {
            if *self == Loss::CategoricalCrossentropy {
                // q = p / Σp, dL/dq_j = −y_j / q_j (inside the clip), and
                // dL/dp_k = (dL/dq_k − Σ_j dL/dq_j · q_j) / Σp.
                let sum = p.sum();
                g.iter_mut().zip(p).zip(y).for_each(|((g, &p), &y)| {
                    let q = p / sum;
                    *g = if inside_clip(q) { -y / q } else { 0.0 };
                });
                let dot: f32 = g.iter().zip(p).map(|(&g, &p)| g * p / sum).sum();
                g.mapv_inplace(|g| (g - dot) / sum * per_row);
            } else {
                // L = ln Σ c − Σ y ln c with c = clip(p): dL/dc_k = 1/Σc − y_k/c_k.
                let clipped_sum: f32 = p.iter().map(|&p| clip(p)).sum();
                g.iter_mut().zip(p).zip(y).for_each(|((g, &p), &y)| {
                    *g = if inside_clip(p) {
                        (1.0 / clipped_sum - y / clip(p)) * per_row
                    } else {
                        0.0
                    };
                });
            }
        }
    }

    /// The fused softmax + loss of a model whose last activation is softmax: from `logits`, writes
    /// the softmax `probabilities` and dLoss/dLogits into `grad_logits`, and returns the mean loss.
    ///
    /// For the cross-entropies this is log-sum-exp (`L = lse(z) − z_label`, gradient
    /// `(softmax(z) − y) / batch`), finite even for logits like ±1000 where the probabilities
    /// underflow to 0. For `mse` it is softmax followed by [`Loss::compute`] and its chain rule.
    pub fn from_logits(
        &self,
        logits: &Tensor,
        targets: &Tensor,
        probabilities: &mut Tensor,
        grad_logits: &mut Tensor,
    ) -> f32 {
        ensure_shape(probabilities, logits.shape());
        ensure_shape(grad_logits, logits.shape());
        if !self.fuses_with_softmax() {
            probabilities.assign(logits);
            softmax_last_axis_in_place(probabilities);
            self.gradient(probabilities, targets, grad_logits);
            Activation::Softmax.backward_in_place(probabilities, grad_logits);
            return self.compute(probabilities, targets);
        }
        let classes = logits.shape().last().copied().unwrap_or(1);
        let targets = targets.as_standard_layout();
        let targets = targets.as_slice().expect("standard layout");
        let sparse = *self == Loss::SparseCategoricalCrossentropy;
        let per_row = 1.0 / rows(logits).max(1) as f32;
        let mut total = 0.0f64;
        for (row, ((z, mut p), mut g)) in logits
            .rows()
            .into_iter()
            .zip(probabilities.rows_mut())
            .zip(grad_logits.rows_mut())
            .enumerate()
        {
            // The target row: one-hot (or soft) probabilities, or a class index.
            let target = |class: usize| match sparse {
                true => f32::from(targets[row] as usize == class),
                false => targets[row * classes + class],
            };
            let max = z.fold(f32::NEG_INFINITY, |m, &v| m.max(v));
            let log_sum_exp = max + z.iter().map(|&v| (v - max).exp()).sum::<f32>().ln();
            // TF's softmax_cross_entropy_with_logits: Σ_j y_j (lse − z_j), gradient p·Σy − y.
            let target_sum = (0..classes).map(target).sum::<f32>();
            let mut row_loss = 0.0f32;
            for (class, ((p, g), &z)) in p.iter_mut().zip(g.iter_mut()).zip(z).enumerate() {
                let y = target(class);
                *p = (z - log_sum_exp).exp();
                *g = (*p * target_sum - y) * per_row;
                row_loss += y * (log_sum_exp - z);
            }
            total += row_loss as f64;
        }
        (total / rows(logits).max(1) as f64) as f32
    }

    /// The cross-entropy targets as rows of probabilities: one-hot targets as they are, class
    /// indices expanded to one-hot rows of the predictions' width (so both losses share one loop).
    fn one_hot<'a>(&self, predictions: &Tensor, targets: &'a Tensor) -> Cow<'a, Tensor> {
        if *self != Loss::SparseCategoricalCrossentropy {
            return Cow::Borrowed(targets);
        }
        let mut one_hot = Tensor::zeros(predictions.raw_dim());
        for (mut row, &label) in one_hot.rows_mut().into_iter().zip(targets.iter()) {
            if let Some(hot) = row.get_mut(label as usize) {
                *hot = 1.0;
            }
        }
        Cow::Owned(one_hot)
    }
}

/// Number of samples: rows along the last (class) axis.
fn rows(predictions: &Tensor) -> usize {
    predictions.len() / predictions.shape().last().copied().unwrap_or(1).max(1)
}

/// Keras's clip of probabilities before the logarithm.
fn clip(p: f32) -> f32 {
    p.clamp(EPSILON, 1.0 - EPSILON)
}

/// Where the clip passes its gradient (TensorFlow's `clip_by_value` keeps the bounds).
fn inside_clip(p: f32) -> bool {
    (EPSILON..=1.0 - EPSILON).contains(&p)
}

/// A shape as Python prints a tuple: `(32,)`, `(32, 10)`.
fn python_shape(shape: &[usize]) -> String {
    match shape {
        [n] => format!("({n},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::gradient_check::test_input;
    use ndarray::{array, IxDyn};

    const CROSS_ENTROPIES: [Loss; 2] = [
        Loss::CategoricalCrossentropy,
        Loss::SparseCategoricalCrossentropy,
    ];

    fn labels(values: &[f32]) -> Tensor {
        Tensor::from_shape_vec(IxDyn(&[values.len()]), values.to_vec()).unwrap()
    }

    fn one_hot(labels: &[usize], classes: usize) -> Tensor {
        Tensor::from_shape_fn(IxDyn(&[labels.len(), classes]), |i| {
            (labels[i[0]] == i[1]) as u8 as f32
        })
    }

    fn targets_for(loss: Loss, classes: &[usize], width: usize) -> Tensor {
        match loss {
            Loss::SparseCategoricalCrossentropy => {
                labels(&classes.iter().map(|&c| c as f32).collect::<Vec<_>>())
            }
            _ => one_hot(classes, width),
        }
    }

    /// Central differences of `f` at `x` against `analytic`, relative to max(1, |gradient|).
    fn assert_matches_finite_differences(
        f: impl Fn(&Tensor) -> f32,
        x: &Tensor,
        analytic: &Tensor,
        eps: f32,
        tolerance: f32,
    ) {
        for i in 0..x.len() {
            let mut plus = x.clone();
            plus.as_slice_mut().unwrap()[i] += eps;
            let mut minus = x.clone();
            minus.as_slice_mut().unwrap()[i] -= eps;
            let numeric = (f(&plus) - f(&minus)) / (2.0 * eps);
            let analytic = analytic.as_slice().unwrap()[i];
            assert!(
                (numeric - analytic).abs() <= tolerance * 1f32.max(numeric.abs()),
                "element {i}: numeric {numeric} vs analytic {analytic}"
            );
        }
    }

    #[test]
    fn cross_entropy_of_0_7_is_minus_ln_0_7() {
        let p = array![[0.7f32, 0.2, 0.1]].into_dyn();
        for loss in CROSS_ENTROPIES {
            let value = loss.compute(&p, &targets_for(loss, &[0], 3));
            assert!((value - -(0.7f32.ln())).abs() < 1e-6, "{loss:?}: {value}");
        }
    }

    #[test]
    fn cross_entropy_is_the_mean_over_the_batch() {
        // Keras docstring example: per-sample [0.10536, 0.11653, 0.06188].
        let p = array![[0.9f32, 0.05, 0.05], [0.05, 0.89, 0.06], [0.05, 0.01, 0.94]].into_dyn();
        let expected = (0.10536 + 0.11653 + 0.06188) / 3.0;
        for loss in CROSS_ENTROPIES {
            let value = loss.compute(&p, &targets_for(loss, &[0, 1, 2], 3));
            assert!((value - expected).abs() < 1e-5, "{loss:?}: {value}");
        }
    }

    #[test]
    fn sparse_and_categorical_agree_on_softmax_outputs() {
        let mut p = test_input(&[4, 5], 3);
        softmax_last_axis_in_place(&mut p);
        let classes = [4, 0, 2, 2];
        let (sparse, categorical) = (
            Loss::SparseCategoricalCrossentropy,
            Loss::CategoricalCrossentropy,
        );
        let a = sparse.compute(&p, &targets_for(sparse, &classes, 5));
        let b = categorical.compute(&p, &targets_for(categorical, &classes, 5));
        assert!((a - b).abs() < 1e-6, "{a} vs {b}");
        let (mut ga, mut gb) = (Tensor::zeros(IxDyn(&[0])), Tensor::zeros(IxDyn(&[0])));
        sparse.gradient(&p, &targets_for(sparse, &classes, 5), &mut ga);
        categorical.gradient(&p, &targets_for(categorical, &classes, 5), &mut gb);
        for (a, b) in ga.iter().zip(&gb) {
            assert!((a - b).abs() < 1e-4 * b.abs().max(1.0), "{ga} vs {gb}");
        }
    }

    #[test]
    fn probabilities_are_clipped_like_keras() {
        // p_label = 0 is clipped to 1e-7: −ln(1e-7) ≈ 16.118.
        let p = array![[0.0f32, 1.0]].into_dyn();
        let value = Loss::CategoricalCrossentropy.compute(&p, &one_hot(&[0], 2));
        assert!((value - 16.118_095).abs() < 1e-3, "{value}");
        assert!(value.is_finite());
    }

    #[test]
    fn categorical_normalises_before_clipping_and_sparse_after() {
        // Outputs that are not probabilities: [2.0, 0.5] with label 0.
        let p = array![[2.0f32, 0.5]].into_dyn();
        // categorical: p / Σp = [0.8, 0.2] → −ln 0.8
        let categorical = Loss::CategoricalCrossentropy.compute(&p, &one_hot(&[0], 2));
        assert!((categorical - -(0.8f32.ln())).abs() < 1e-6, "{categorical}");
        // sparse: clip → [1 − 1e-7, 0.5], renormalised: ln 1.5 − ln(1 − 1e-7)
        let sparse = Loss::SparseCategoricalCrossentropy.compute(&p, &labels(&[0.0]));
        assert!((sparse - 1.5f32.ln()).abs() < 1e-6, "{sparse}");
    }

    #[test]
    fn cross_entropy_gradients_match_finite_differences() {
        // Positive, not normalised (like sigmoid outputs), away from the clip.
        let p = test_input(&[3, 4], 4).mapv(|v| 0.3 + 0.25 * v);
        for loss in CROSS_ENTROPIES {
            let targets = targets_for(loss, &[1, 3, 0], 4);
            let mut grad = Tensor::zeros(IxDyn(&[0]));
            loss.gradient(&p, &targets, &mut grad);
            assert_matches_finite_differences(|x| loss.compute(x, &targets), &p, &grad, 1e-3, 2e-2);
        }
    }

    #[test]
    fn mse_value_and_gradient() {
        let p = array![[1.0f32, 2.0], [0.0, -1.0]].into_dyn();
        let y = array![[0.0f32, 2.0], [2.0, 0.0]].into_dyn();
        // (1 + 0 + 4 + 1) / 4
        assert_eq!(Loss::Mse.compute(&p, &y), 1.5);
        let mut grad = Tensor::zeros(IxDyn(&[0]));
        Loss::Mse.gradient(&p, &y, &mut grad);
        // 2 (p − y) / 4
        assert_eq!(grad, array![[0.5f32, 0.0], [-1.0, -0.5]].into_dyn());
        assert_matches_finite_differences(|x| Loss::Mse.compute(x, &y), &p, &grad, 1e-2, 1e-3);
    }

    #[test]
    fn from_logits_agrees_with_softmax_then_compute() {
        let logits = test_input(&[4, 6], 5).mapv(|v| 3.0 * v);
        let mut softmax = logits.clone();
        softmax_last_axis_in_place(&mut softmax);
        for loss in Loss::ALL {
            let targets = targets_for(loss, &[5, 0, 3, 3], 6);
            let (mut p, mut g) = (Tensor::zeros(IxDyn(&[0])), Tensor::zeros(IxDyn(&[0])));
            let fused = loss.from_logits(&logits, &targets, &mut p, &mut g);
            let separate = loss.compute(&softmax, &targets);
            assert!(
                (fused - separate).abs() < 1e-5,
                "{loss:?}: {fused} vs {separate}"
            );
            for (a, b) in p.iter().zip(&softmax) {
                assert!((a - b).abs() < 1e-6);
            }
        }
    }

    #[test]
    fn from_logits_gradient_is_softmax_minus_target_over_batch() {
        let logits = array![[1.0f32, 2.0, 3.0], [0.0, 0.0, 0.0]].into_dyn();
        let (mut p, mut g) = (Tensor::zeros(IxDyn(&[0])), Tensor::zeros(IxDyn(&[0])));
        let targets = labels(&[2.0, 0.0]);
        let value =
            Loss::SparseCategoricalCrossentropy.from_logits(&logits, &targets, &mut p, &mut g);
        let lse = (1f32.exp() + 2f32.exp() + 3f32.exp()).ln();
        // ((lse − 3) + ln 3) / 2
        assert!((value - ((lse - 3.0) + 3f32.ln()) / 2.0).abs() < 1e-6);
        assert!((g[[1, 0]] - (1.0 / 3.0 - 1.0) / 2.0).abs() < 1e-6);
        assert!((g[[1, 1]] - (1.0 / 3.0) / 2.0).abs() < 1e-6);
        assert!((g[[0, 2]] - ((3.0 - lse).exp() - 1.0) / 2.0).abs() < 1e-6);
    }

    #[test]
    fn from_logits_gradients_match_finite_differences() {
        let logits = test_input(&[3, 4], 6).mapv(|v| 2.0 * v);
        for loss in Loss::ALL {
            let targets = targets_for(loss, &[2, 0, 3], 4);
            let (mut p, mut g) = (Tensor::zeros(IxDyn(&[0])), Tensor::zeros(IxDyn(&[0])));
            loss.from_logits(&logits, &targets, &mut p, &mut g);
            let value = |z: &Tensor| {
                let (mut p, mut g) = (Tensor::zeros(IxDyn(&[0])), Tensor::zeros(IxDyn(&[0])));
                loss.from_logits(z, &targets, &mut p, &mut g)
            };
            assert_matches_finite_differences(value, &logits, &g, 1e-2, 1e-2);
        }
    }

    #[test]
    fn from_logits_stays_finite_for_huge_logits() {
        let logits = array![[1000.0f32, -1000.0, 0.0], [-1000.0, 1000.0, 1000.0]].into_dyn();
        for loss in CROSS_ENTROPIES {
            let targets = targets_for(loss, &[1, 0], 3);
            let (mut p, mut g) = (Tensor::zeros(IxDyn(&[0])), Tensor::zeros(IxDyn(&[0])));
            let value = loss.from_logits(&logits, &targets, &mut p, &mut g);
            // Sample 0: 1000 − (−1000) = 2000; sample 1: 1000 + ln 2 − (−1000).
            let expected = (2000.0 + 2000.0 + 2f32.ln()) / 2.0;
            assert!((value - expected).abs() < 1e-2, "{loss:?}: {value}");
            assert!(p.iter().chain(g.iter()).all(|v| v.is_finite()));
            assert_eq!(g[[0, 0]], 0.5);
            assert_eq!(g[[0, 1]], -0.5);
        }
    }

    #[test]
    fn names_round_trip_and_accept_mean_squared_error() {
        for loss in Loss::ALL {
            assert_eq!(Loss::from_name(loss.name()), Some(loss));
            let json = serde_json::to_string(&loss).unwrap();
            assert_eq!(json, format!("\"{}\"", loss.name()));
        }
        assert_eq!(Loss::from_name("mean_squared_error"), Some(Loss::Mse));
        assert_eq!(
            serde_json::from_str::<Loss>("\"mean_squared_error\"").unwrap(),
            Loss::Mse
        );
        assert_eq!(Loss::from_name("hinge"), None);
        assert!(Loss::CategoricalCrossentropy.fuses_with_softmax());
        assert!(!Loss::Mse.fuses_with_softmax());
    }

    #[test]
    fn sparse_label_out_of_range_is_reported() {
        let error = Loss::SparseCategoricalCrossentropy
            .validate_targets(&labels(&[3.0, 12.0]), 10)
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "Shape: sparse_categorical_crossentropy: label 12 (sample 1) is not a class index 0–9: the output layer has 10 units; give the last Dense layer 13 units, or check the labels"
        );
        let error = Loss::SparseCategoricalCrossentropy
            .validate_targets(&labels(&[1.5]), 10)
            .unwrap_err()
            .to_string();
        assert!(error.contains("whole numbers"), "{error}");
    }

    #[test]
    fn integer_labels_with_categorical_suggest_sparse() {
        let error = Loss::CategoricalCrossentropy
            .validate_targets(&labels(&[3.0, 1.0]), 10)
            .unwrap_err()
            .to_string();
        assert!(error.contains("shape (2,)"), "{error}");
        assert!(error.contains("use sparse_categorical_crossentropy for integer labels"));
        let error = Loss::CategoricalCrossentropy
            .validate_targets(&one_hot(&[3], 5), 10)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("have 5 columns but the output layer has 10 units"),
            "{error}"
        );
    }

    #[test]
    fn one_hot_labels_with_sparse_suggest_categorical() {
        let error = Loss::SparseCategoricalCrossentropy
            .validate_targets(&one_hot(&[3, 1], 10), 10)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("use categorical_crossentropy for one-hot labels"),
            "{error}"
        );
    }

    #[test]
    fn valid_targets_pass_and_mse_needs_the_output_shape() {
        assert!(Loss::SparseCategoricalCrossentropy
            .validate_targets(&labels(&[0.0, 9.0]), 10)
            .is_ok());
        assert!(Loss::CategoricalCrossentropy
            .validate_targets(&one_hot(&[0, 9], 10), 10)
            .is_ok());
        assert!(Loss::Mse
            .validate_targets(&one_hot(&[0, 9], 10), 10)
            .is_ok());
        assert!(Loss::Mse.validate_targets(&labels(&[0.5]), 1).is_ok());
        let error = Loss::Mse
            .validate_targets(&labels(&[1.0, 2.0]), 10)
            .unwrap_err()
            .to_string();
        assert!(error.contains("one-hot encode"), "{error}");
        let nan = array![[f32::NAN, 1.0]].into_dyn();
        assert!(Loss::Mse.validate_targets(&nan, 2).is_err());
    }
}
