//! The order in which an epoch visits the images, and its mini-batches.
//!
//! As in Keras `fit(shuffle=True)`, the whole training set is reshuffled every epoch and cut into
//! batches of `batch_size`; the last batch holds the remainder and may be smaller.

use std::slice::Chunks;

use crate::error::{ConvlabError, Result};
use crate::rng::Rng;

/// The image indices of one epoch: `0..len`, shuffled when `shuffle` is set.
pub fn epoch_order(len: usize, shuffle: bool, rng: &mut Rng) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    if shuffle {
        rng.shuffle(&mut order);
    }
    order
}

/// The mini-batches of `order`: consecutive runs of `batch_size` indices, the last one shorter
/// when `batch_size` does not divide the length.
pub fn batches(order: &[usize], batch_size: usize) -> Result<Chunks<'_, usize>> {
    if batch_size == 0 {
        return Err(ConvlabError::setting(
            "batch_size",
            "0 images per batch; use a positive batch size such as 32 or 128",
        ));
    }
    Ok(order.chunks(batch_size))
}

/// The number of batches (Keras's steps per epoch) of `len` images: `len / batch_size` rounded up.
pub fn batch_count(len: usize, batch_size: usize) -> usize {
    len.div_ceil(batch_size.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unshuffled_order_is_the_identity() {
        assert_eq!(epoch_order(5, false, &mut Rng::new(1)), vec![0, 1, 2, 3, 4]);
    }

    #[test]
    fn shuffled_order_is_a_seeded_permutation() {
        let order = epoch_order(100, true, &mut Rng::new(3));
        assert_eq!(order, epoch_order(100, true, &mut Rng::new(3)));
        assert_ne!(order, epoch_order(100, true, &mut Rng::new(4)));
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..100).collect::<Vec<_>>());
    }

    #[test]
    fn consecutive_epochs_get_different_orders() {
        let mut rng = Rng::new(5);
        assert_ne!(
            epoch_order(50, true, &mut rng),
            epoch_order(50, true, &mut rng)
        );
    }

    #[test]
    fn last_batch_holds_the_remainder() {
        // 10 images in batches of 4: 4 + 4 + 2, ceil(10 / 4) = 3 steps.
        let order: Vec<usize> = (0..10).collect();
        let sizes: Vec<usize> = batches(&order, 4).unwrap().map(<[usize]>::len).collect();
        assert_eq!(sizes, vec![4, 4, 2]);
        assert_eq!(batch_count(10, 4), 3);
        assert_eq!(batch_count(60_000, 128), 469);
        assert_eq!(batch_count(0, 32), 0);
    }

    #[test]
    fn batch_size_zero_is_an_error() {
        let error = batches(&[0, 1], 0).unwrap_err();
        assert_eq!(
            error.to_string(),
            "batch_size: 0 images per batch; use a positive batch size such as 32 or 128"
        );
    }
}
