//! What the teaching lab shows about a model, computed by the engine so that the page only draws:
//! a model run with given weights (the convolution animator's check), the confusion matrix,
//! accuracy under rotation and shift, MNIST-style preprocessing of a drawn digit, per-layer weight
//! and gradient statistics, and optimizer paths on a 2-D loss surface.

pub mod confusion;
pub mod digit_preprocess;
pub mod gradient_stats;
pub mod loss_surface;
pub mod probe;
pub mod transform;
