//! Per-layer statistics of the weights and of their gradients after a training step: the L2 norm
//! and a small histogram of each. Over a run they show gradients vanishing towards the input of a
//! deep sigmoid stack (each sigmoid multiplies the gradient by σ′ ≤ 0.25) and not of a ReLU one.

use serde::Serialize;

use crate::model::Sequential;

/// The L2 norm, range and histogram of a set of values.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ValueStats {
    /// `√Σ v²`.
    pub norm: f32,
    /// The mean of `|v|`.
    pub mean_abs: f32,
    /// The largest `|v|`; the histogram spans `[−limit, limit]`.
    pub limit: f32,
    /// Counts of the values in equal bins over `[−limit, limit]` (all in the middle bin when
    /// every value is 0).
    pub histogram: Vec<u32>,
}

impl ValueStats {
    /// The statistics of `values` with a histogram of `bins` bins (at least 1).
    pub fn of<'a>(values: impl Iterator<Item = &'a f32> + Clone, bins: usize) -> ValueStats {
        let bins = bins.max(1);
        let (mut squares, mut sum_abs, mut limit, mut count) = (0.0f64, 0.0f64, 0.0f32, 0usize);
        for &v in values.clone() {
            squares += f64::from(v) * f64::from(v);
            sum_abs += f64::from(v.abs());
            limit = limit.max(v.abs());
            count += 1;
        }
        let mut histogram = vec![0; bins];
        for &v in values {
            let bin = if limit > 0.0 {
                (((v / limit + 1.0) / 2.0) * bins as f32).floor() as usize
            } else {
                bins / 2
            };
            histogram[bin.min(bins - 1)] += 1;
        }
        ValueStats {
            norm: squares.sqrt() as f32,
            mean_abs: (sum_abs / count.max(1) as f64) as f32,
            limit,
            histogram,
        }
    }
}

/// One layer's trainable weights (kernel and bias together) and their gradients.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LayerGradientStats {
    /// 1-based layer index in the model.
    pub layer: usize,
    /// The layer's name (`dense_1`).
    pub name: String,
    /// The Keras class name.
    pub class_name: &'static str,
    /// Statistics of the weights.
    pub weights: ValueStats,
    /// Statistics of the gradients of the last backward pass.
    pub gradients: ValueStats,
}

/// The statistics of every layer that has trainable weights, input side first. Read it after a
/// training step: the gradients are those of the last batch.
pub fn gradient_stats(model: &Sequential, bins: usize) -> Vec<LayerGradientStats> {
    model
        .layers()
        .iter()
        .zip(&model.architecture().layers)
        .enumerate()
        .filter_map(|(i, (layer, plan))| {
            let params: Vec<_> = layer.params().iter().filter(|p| p.trainable).collect();
            if params.is_empty() {
                return None;
            }
            Some(LayerGradientStats {
                layer: i + 1,
                name: plan.name.clone(),
                class_name: plan.class_name(),
                weights: ValueStats::of(params.iter().flat_map(|p| p.value.iter()), bins),
                gradients: ValueStats::of(params.iter().flat_map(|p| p.grad.iter()), bins),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::dataset::Dataset;
    use crate::spec::{LayerSpec, ModelSpec};
    use crate::training::{Fit, TrainingConfig};

    #[test]
    fn norm_and_histogram_of_a_few_values() {
        // √(9 + 16) = 5; bins over [−4, 4]: −3 → bin 0, 0 → bin 2, 4 → last bin
        let stats = ValueStats::of([-3.0f32, 0.0, 4.0].iter(), 4);
        assert_eq!((stats.norm, stats.limit), (5.0, 4.0));
        assert_eq!(stats.histogram, vec![1, 0, 1, 1]);
        assert!((stats.mean_abs - 7.0 / 3.0).abs() < 1e-6);
    }

    #[test]
    fn all_zero_values_land_in_the_middle_bin() {
        assert_eq!(
            ValueStats::of([0.0f32; 3].iter(), 5).histogram,
            vec![0, 0, 3, 0, 0]
        );
    }

    fn deep_stack(activation: &str) -> ModelSpec {
        let mut layers = vec![LayerSpec::new(
            "Flatten",
            serde_json::json!({"batch_input_shape": [null, 4, 4, 1]}),
        )];
        for _ in 0..5 {
            layers.push(LayerSpec::new(
                "Dense",
                serde_json::json!({"units": 32, "activation": activation}),
            ));
        }
        layers.push(LayerSpec::new(
            "Dense",
            serde_json::json!({"units": 2, "activation": "softmax"}),
        ));
        ModelSpec::sequential(layers)
    }

    /// The first-layer gradient norm over the last-layer one after one step on random data.
    fn gradient_ratio(activation: &str) -> f32 {
        let mut rng = crate::rng::Rng::new(7);
        let images: Vec<u8> = (0..64 * 16).map(|_| rng.below(256) as u8).collect();
        let labels: Vec<u8> = (0..64).map(|i| (i % 2) as u8).collect();
        let data = Dataset::new(images, labels, [4, 4, 1], 2).unwrap();
        let model = crate::model::Sequential::from_spec(&deep_stack(activation), 1).unwrap();
        let config = TrainingConfig {
            batch_size: 64,
            ..TrainingConfig::default()
        };
        let mut fit = Fit::new(model, data, None, config).unwrap();
        fit.step().unwrap();
        let stats = gradient_stats(fit.model(), 8);
        assert_eq!(stats.len(), 6, "one entry per Dense layer");
        assert_eq!((stats[0].layer, stats[0].class_name), (2, "Dense"));
        stats[0].gradients.mean_abs / stats[5].gradients.mean_abs
    }

    #[test]
    fn gradients_vanish_towards_the_input_of_a_sigmoid_stack_but_not_a_relu_one() {
        let sigmoid = gradient_ratio("sigmoid");
        let relu = gradient_ratio("relu");
        assert!(sigmoid < 0.01, "sigmoid: first/last = {sigmoid}");
        assert!(relu > 10.0 * sigmoid, "relu {relu} vs sigmoid {sigmoid}");
    }
}
