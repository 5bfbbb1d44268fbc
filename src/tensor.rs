//! The tensor type every layer reads and writes, and the buffer helper that keeps the training
//! loop free of allocations once shapes are stable.

use ndarray::{ArrayD, IxDyn};

/// An `f32` array of any rank: batch first, images NHWC (`[batch, height, width, channels]`).
pub type Tensor = ArrayD<f32>;

/// Makes `buffer` have `shape`, reallocating only when the shape differs.
///
/// Layers write every element of their outputs, so the contents after a reshape are unspecified
/// (zeros in practice). Buffers are reused batch after batch; only the last, smaller batch of an
/// epoch (or a new batch size) costs an allocation.
pub fn ensure_shape(buffer: &mut Tensor, shape: &[usize]) {
    if buffer.shape() != shape {
        *buffer = Tensor::zeros(IxDyn(shape));
    }
}

/// Makes the scratch buffer `buffer` at least `len` values long. It only grows, so a buffer that
/// serves batch after batch allocates only for a larger batch than before.
pub fn ensure_len(buffer: &mut Vec<f32>, len: usize) {
    if buffer.len() < len {
        buffer.resize(len, 0.0);
    }
}

/// Makes `buffer` have the shape `[batch, sample_shape…]`, like [`ensure_shape`] but without
/// building the shape (so the steady-state training step allocates nothing).
pub fn ensure_batch_shape(buffer: &mut Tensor, batch: usize, sample_shape: &[usize]) {
    let shape = buffer.shape();
    if shape.first() != Some(&batch) || shape[1..] != *sample_shape {
        *buffer = Tensor::zeros(IxDyn(&batch_shape(batch, sample_shape)));
    }
}

/// The shape of a batch: `batch` followed by the per-sample shape.
pub fn batch_shape(batch: usize, sample_shape: &[usize]) -> Vec<usize> {
    let mut shape = Vec::with_capacity(sample_shape.len() + 1);
    shape.push(batch);
    shape.extend_from_slice(sample_shape);
    shape
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ensure_shape_keeps_the_buffer_when_the_shape_matches() {
        let mut buffer = Tensor::zeros(IxDyn(&[2, 3]));
        buffer[[1, 2]] = 7.0;
        ensure_shape(&mut buffer, &[2, 3]);
        assert_eq!(buffer[[1, 2]], 7.0);
        ensure_shape(&mut buffer, &[4, 3]);
        assert_eq!(buffer.shape(), &[4, 3]);
    }

    #[test]
    fn ensure_batch_shape_keeps_a_buffer_of_that_batch_shape() {
        let mut buffer = Tensor::zeros(IxDyn(&[2, 3, 1]));
        buffer[[1, 2, 0]] = 7.0;
        ensure_batch_shape(&mut buffer, 2, &[3, 1]);
        assert_eq!(buffer[[1, 2, 0]], 7.0);
        ensure_batch_shape(&mut buffer, 2, &[3]);
        assert_eq!(buffer.shape(), &[2, 3]);
        ensure_batch_shape(&mut buffer, 5, &[3]);
        assert_eq!(buffer.shape(), &[5, 3]);
        let mut empty = Tensor::zeros(IxDyn(&[]));
        ensure_batch_shape(&mut empty, 1, &[]);
        assert_eq!(empty.shape(), &[1]);
    }

    #[test]
    fn batch_shape_prepends_the_batch() {
        assert_eq!(batch_shape(128, &[28, 28, 1]), vec![128, 28, 28, 1]);
    }
}
