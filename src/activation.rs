//! Keras activations: `relu`, `sigmoid`, `tanh`, `softmax`, `linear`.
//!
//! Each is applied in place to a layer's output, and its derivative is applied in place to the
//! gradient using only the output (every one of these can be differentiated from its output), so a
//! layer needs no extra buffer for its pre-activation values.

use ndarray::Axis;
use serde::{Deserialize, Serialize};

use crate::tensor::Tensor;

/// A Keras activation by its Keras name.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    /// `linear`: the identity (Keras's default for Dense and Conv2D).
    #[default]
    Linear,
    /// `relu`: max(0, x).
    Relu,
    /// `sigmoid`: 1 / (1 + e^−x); saturates, so deep sigmoid stacks show vanishing gradients.
    Sigmoid,
    /// `tanh`.
    Tanh,
    /// `softmax` over the last axis.
    Softmax,
}

impl Activation {
    /// All activations, in the order the page lists them.
    pub const ALL: [Activation; 5] = [
        Activation::Relu,
        Activation::Sigmoid,
        Activation::Tanh,
        Activation::Softmax,
        Activation::Linear,
    ];

    /// The Keras name (`relu`).
    pub fn name(self) -> &'static str {
        match self {
            Activation::Linear => "linear",
            Activation::Relu => "relu",
            Activation::Sigmoid => "sigmoid",
            Activation::Tanh => "tanh",
            Activation::Softmax => "softmax",
        }
    }

    /// The activation with Keras name `name`, if there is one.
    pub fn from_name(name: &str) -> Option<Activation> {
        Activation::ALL.into_iter().find(|a| a.name() == name)
    }

    /// Applies the activation to `values` in place.
    pub fn forward_in_place(self, values: &mut Tensor) {
        match self {
            Activation::Linear => {}
            Activation::Relu => values.mapv_inplace(|x| x.max(0.0)),
            Activation::Sigmoid => values.mapv_inplace(sigmoid),
            Activation::Tanh => values.mapv_inplace(f32::tanh),
            Activation::Softmax => softmax_last_axis_in_place(values),
        }
    }

    /// Turns `grad` (the loss gradient with respect to this activation's `output`) into the
    /// gradient with respect to its input, in place.
    pub fn backward_in_place(self, output: &Tensor, grad: &mut Tensor) {
        match self {
            Activation::Linear => {}
            // A bit mask rather than a branch (which mispredicts on real data), so that the
            // loop vectorizes: g & (y ≤ 0 ? 0 : all ones); a NaN output keeps g, as before.
            Activation::Relu => zip_values(grad, output, |g, y| {
                let keep = ((y <= 0.0) as u32).wrapping_sub(1);
                *g = f32::from_bits(g.to_bits() & keep);
            }),
            Activation::Sigmoid => zip_values(grad, output, |g, y| *g *= y * (1.0 - y)),
            Activation::Tanh => zip_values(grad, output, |g, y| *g *= 1.0 - y * y),
            Activation::Softmax => {
                let last = Axis(output.ndim() - 1);
                for (mut g, y) in grad.lanes_mut(last).into_iter().zip(output.lanes(last)) {
                    let dot: f32 = g.iter().zip(y.iter()).map(|(g, y)| g * y).sum();
                    g.zip_mut_with(&y, |g, &y| *g = y * (*g - dot));
                }
            }
        }
    }
}

/// Calls `f(g, y)` for each pair of elements of `grad` and `output` (same shape): over plain
/// slices when both are in standard layout (the compiler vectorizes that loop; ndarray's
/// `zip_mut_with` on a dynamic-rank array does not), element by element otherwise.
fn zip_values(grad: &mut Tensor, output: &Tensor, f: impl Fn(&mut f32, f32)) {
    match (output.as_slice(), grad.as_slice_mut()) {
        (Some(output), Some(grad)) if output.len() == grad.len() => {
            grad.iter_mut().zip(output).for_each(|(g, &y)| f(g, y))
        }
        _ => grad.zip_mut_with(output, |g, &y| f(g, y)),
    }
}

/// The logistic function, computed without overflow for large |x|.
pub fn sigmoid(x: f32) -> f32 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// Softmax over the last axis, in place, shifted by the maximum for numerical stability.
pub fn softmax_last_axis_in_place(values: &mut Tensor) {
    let last = Axis(values.ndim() - 1);
    for mut lane in values.lanes_mut(last) {
        let max = lane.fold(f32::NEG_INFINITY, |m, &x| m.max(x));
        let mut sum = 0.0;
        lane.mapv_inplace(|x| {
            let e = (x - max).exp();
            sum += e;
            e
        });
        lane.mapv_inplace(|e| e / sum);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{array, IxDyn};

    fn numeric_gradient_matches(activation: Activation, inputs: &Tensor) {
        let weights = inputs.mapv(|x| (x * 3.1).sin() + 0.5);
        let loss = |x: &Tensor| {
            let mut y = x.clone();
            activation.forward_in_place(&mut y);
            (&y * &weights).sum()
        };
        let mut output = inputs.clone();
        activation.forward_in_place(&mut output);
        let mut grad = weights.clone();
        activation.backward_in_place(&output, &mut grad);
        let eps = 1e-2;
        for i in 0..inputs.len() {
            let mut plus = inputs.clone();
            plus.as_slice_mut().unwrap()[i] += eps;
            let mut minus = inputs.clone();
            minus.as_slice_mut().unwrap()[i] -= eps;
            let numeric = (loss(&plus) - loss(&minus)) / (2.0 * eps);
            let analytic = grad.as_slice().unwrap()[i];
            assert!(
                (numeric - analytic).abs() < 2e-3 * (1.0 + numeric.abs()),
                "{activation:?} element {i}: numeric {numeric} analytic {analytic}"
            );
        }
    }

    #[test]
    fn every_activation_passes_a_finite_difference_check() {
        let inputs =
            array![[-1.7f32, -0.4, 0.3, 1.2, 2.5], [0.9, -2.2, 0.05, -0.6, 1.6]].into_dyn();
        for activation in Activation::ALL {
            numeric_gradient_matches(activation, &inputs);
        }
    }

    #[test]
    fn softmax_is_stable_for_huge_logits() {
        let mut logits =
            Tensor::from_shape_vec(IxDyn(&[1, 3]), vec![1000.0, 1000.0, -1000.0]).unwrap();
        Activation::Softmax.forward_in_place(&mut logits);
        assert_eq!(logits.as_slice().unwrap(), &[0.5, 0.5, 0.0]);
    }

    #[test]
    fn sigmoid_does_not_overflow() {
        assert_eq!(sigmoid(-100.0), sigmoid(-100.0));
        assert!(sigmoid(-100.0) >= 0.0 && sigmoid(100.0) == 1.0);
    }

    #[test]
    fn names_round_trip() {
        for activation in Activation::ALL {
            assert_eq!(Activation::from_name(activation.name()), Some(activation));
        }
        assert_eq!(Activation::from_name("gelu"), None);
    }
}
