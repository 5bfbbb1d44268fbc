//! The data pipeline, from bytes on disk (or fetched by the browser) to the batch tensors `fit`
//! reads:
//!
//! - [`idx`]: the idx file format of MNIST, gzipped or plain;
//! - [`mnist`]: the four MNIST files as training and test [`Dataset`]s;
//! - [`dataset`]: labelled `u8` images, stratified validation splits, batch filling;
//! - [`batches`]: the shuffled order of an epoch and its mini-batches;
//! - [`augment`]: random rotation, zoom and shift, exactly as OpenCV's `warpAffine`.

pub mod augment;
pub mod batches;
pub mod dataset;
pub mod idx;
pub mod mnist;

pub use augment::{rotation_matrix, warp_affine, Augmentation};
pub use batches::{batch_count, batches, epoch_order};
pub use dataset::Dataset;
pub use idx::{parse_idx, IdxArray};
pub use mnist::Mnist;
