//! The optimizer playground's 2-D loss surface: a gentle bowl with a deep, narrow, elongated
//! global well and a shallow round local well,
//!
//! ```text
//! L(x, y) = 0.06·(x² + y²) − 2·exp(−(x − 2)²/(2·1.6²) − (y − 1)²/(2·0.45²))
//!                          − 0.9·exp(−((x + 1.6)² + (y + 1.2)²)/(2·0.55²))
//! ```
//!
//! and the paths the real optimizers (`src/optimizers`, Keras's update rules) take on it, one
//! step per iteration on the exact gradient. The narrow global well makes SGD with a large
//! learning rate zig-zag across it; the local well traps plain SGD, which momentum can roll out of.

use ndarray::{arr1, IxDyn};
use serde::Serialize;

use crate::optimizers::OptimizerConfig;
use crate::tensor::Tensor;

/// The square the surface is drawn on: `x` and `y` in `[−BOUND, BOUND]`.
pub const BOUND: f32 = 4.0;

/// The largest number of steps one path may take.
pub const MAX_STEPS: usize = 2000;

/// A path that leaves `[−ESCAPE, ESCAPE]²` has diverged and stops there.
const ESCAPE: f32 = 1000.0;

/// A Gaussian well: `depth · exp(−(x − cx)²/(2σx²) − (y − cy)²/(2σy²))` is subtracted.
struct Well {
    center: [f32; 2],
    sigma: [f32; 2],
    depth: f32,
}

const BOWL: f32 = 0.06;
const GLOBAL: Well = Well {
    center: [2.0, 1.0],
    sigma: [1.6, 0.45],
    depth: 2.0,
};
const LOCAL: Well = Well {
    center: [-1.6, -1.2],
    sigma: [0.55, 0.55],
    depth: 0.9,
};

impl Well {
    /// `exp(…)` at `(x, y)`, without the depth.
    fn shape(&self, [x, y]: [f32; 2]) -> f32 {
        let dx = (x - self.center[0]) / self.sigma[0];
        let dy = (y - self.center[1]) / self.sigma[1];
        (-(dx * dx + dy * dy) / 2.0).exp()
    }
}

/// The loss at `point`.
pub fn loss(point: [f32; 2]) -> f32 {
    let [x, y] = point;
    BOWL * (x * x + y * y) - GLOBAL.depth * GLOBAL.shape(point) - LOCAL.depth * LOCAL.shape(point)
}

/// The gradient `[∂L/∂x, ∂L/∂y]` at `point`.
pub fn gradient(point: [f32; 2]) -> [f32; 2] {
    let mut grad = [2.0 * BOWL * point[0], 2.0 * BOWL * point[1]];
    for well in [&GLOBAL, &LOCAL] {
        let pull = well.depth * well.shape(point);
        for axis in 0..2 {
            grad[axis] +=
                pull * (point[axis] - well.center[axis]) / (well.sigma[axis] * well.sigma[axis]);
        }
    }
    grad
}

/// The loss on an `n × n` grid over `[−BOUND, BOUND]²`, row by row from `y = −BOUND` up, each row
/// from `x = −BOUND` to the right (for the page's contours).
pub fn grid(n: usize) -> Vec<f32> {
    let coordinate = |i: usize| -BOUND + 2.0 * BOUND * i as f32 / (n.max(2) - 1) as f32;
    (0..n)
        .flat_map(|row| (0..n).map(move |col| loss([coordinate(col), coordinate(row)])))
        .collect()
}

/// A minimum of the surface, for the page's markers.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Minimum {
    /// `global` or `local`.
    pub kind: &'static str,
    /// Where it is.
    pub point: [f32; 2],
    /// The loss there.
    pub loss: f32,
}

/// The two minima, found by gradient descent from each well's centre (the bowl moves them a
/// little towards the origin).
pub fn minima() -> [Minimum; 2] {
    let settle = |kind, well: &Well| {
        let mut point = well.center;
        for _ in 0..5000 {
            let grad = gradient(point);
            point = [point[0] - 0.02 * grad[0], point[1] - 0.02 * grad[1]];
        }
        Minimum {
            kind,
            point,
            loss: loss(point),
        }
    };
    [settle("global", &GLOBAL), settle("local", &LOCAL)]
}

/// The points an optimizer visits from `start` in `steps` steps (the start first), with Keras's
/// update rule for `config` applied to the two coordinates as one weight. Stops early when the
/// point leaves `[−1000, 1000]²` or stops being finite (a learning rate too large diverges).
pub fn descend(config: &OptimizerConfig, start: [f32; 2], steps: usize) -> Vec<[f32; 2]> {
    let mut optimizer = config.build();
    let mut point: Tensor = arr1(&start).into_dyn();
    let mut grad = Tensor::zeros(IxDyn(&[2]));
    let mut path = vec![start];
    for _ in 0..steps.min(MAX_STEPS) {
        let [gx, gy] = gradient([point[0], point[1]]);
        grad[0] = gx;
        grad[1] = gy;
        optimizer.begin_step();
        optimizer.update(0, &mut point, &grad);
        let next = [point[0], point[1]];
        if !next.iter().all(|v| v.is_finite() && v.abs() < ESCAPE) {
            break;
        }
        path.push(next);
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimizers::{AdamConfig, SgdConfig};

    fn sgd(learning_rate: f32, momentum: f64) -> OptimizerConfig {
        OptimizerConfig::Sgd(SgdConfig {
            learning_rate,
            momentum,
            ..SgdConfig::default()
        })
    }

    fn distance(a: [f32; 2], b: [f32; 2]) -> f32 {
        ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
    }

    #[test]
    fn the_gradient_matches_finite_differences() {
        for point in [[0.3, -0.7], [1.9, 1.2], [-1.5, -1.0], [3.0, 3.5]] {
            let grad = gradient(point);
            let h = 1e-2;
            let dx = (loss([point[0] + h, point[1]]) - loss([point[0] - h, point[1]])) / (2.0 * h);
            let dy = (loss([point[0], point[1] + h]) - loss([point[0], point[1] - h])) / (2.0 * h);
            assert!(
                (grad[0] - dx).abs() < 2e-3 && (grad[1] - dy).abs() < 2e-3,
                "{point:?}: {grad:?} vs ({dx}, {dy})"
            );
        }
    }

    #[test]
    fn the_global_minimum_is_deeper_than_the_local_one() {
        let [global, local] = minima();
        assert!(global.loss < local.loss - 0.5, "{global:?} {local:?}");
        for minimum in [global, local] {
            let [gx, gy] = gradient(minimum.point);
            assert!(
                gx.abs() < 1e-4 && gy.abs() < 1e-4,
                "{minimum:?} is a stationary point"
            );
        }
    }

    #[test]
    fn from_the_default_start_sgd_gets_stuck_and_momentum_reaches_the_global_minimum() {
        let [global, local] = minima();
        let start = [-3.0, -2.5];
        let plain = descend(&sgd(0.1, 0.0), start, 300);
        let momentum = descend(&sgd(0.1, 0.9), start, 300);
        assert!(
            distance(*plain.last().unwrap(), local.point) < 0.05,
            "{:?}",
            plain.last()
        );
        assert!(
            distance(*momentum.last().unwrap(), global.point) < 0.05,
            "{:?}",
            momentum.last()
        );
    }

    #[test]
    fn sgd_with_a_large_step_zig_zags_across_the_narrow_well() {
        let path = descend(&sgd(0.18, 0.0), [-0.5, 2.5], 100);
        let turns = path
            .windows(3)
            .filter(|w| (w[2][1] - w[1][1]) * (w[1][1] - w[0][1]) < 0.0)
            .count();
        assert!(turns >= 10, "{turns} turns");
    }

    #[test]
    fn a_path_that_diverges_stops() {
        let path = descend(&sgd(1000.0, 0.0), [3.0, 3.0], 100);
        assert!(path.len() < 100 && path.iter().all(|p| p[0].abs() < 1000.0));
        let adam = OptimizerConfig::Adam(AdamConfig::default());
        assert_eq!(descend(&adam, [0.0, 0.0], 10).len(), 11);
    }
}
