//! MNIST, the handwritten digits of every first CNN: 60,000 training and 10,000 test images of
//! 28×28 grey pixels, from the four original gzipped idx files that ship in `www/data/mnist/`.

#[cfg(not(target_arch = "wasm32"))]
use std::path::Path;

use crate::data::dataset::Dataset;
use crate::data::idx::parse_idx;
use crate::error::{ConvlabError, Result};

/// The training images file.
pub const TRAIN_IMAGES: &str = "train-images-idx3-ubyte.gz";
/// The training labels file.
pub const TRAIN_LABELS: &str = "train-labels-idx1-ubyte.gz";
/// The test images file.
pub const TEST_IMAGES: &str = "t10k-images-idx3-ubyte.gz";
/// The test labels file.
pub const TEST_LABELS: &str = "t10k-labels-idx1-ubyte.gz";

/// Where the repository keeps the four files, relative to its root.
pub const DEFAULT_DIR: &str = "www/data/mnist";

/// MNIST's training and test sets.
#[derive(Clone, Debug)]
pub struct Mnist {
    /// The 60,000 training images (split further into training and validation by `fit`).
    pub train: Dataset,
    /// The 10,000 test images.
    pub test: Dataset,
}

/// MNIST from the contents of its four files (gzipped or plain idx). The browser fetches the bytes;
/// this does the rest.
pub fn from_gz_bytes(
    train_images: &[u8],
    train_labels: &[u8],
    test_images: &[u8],
    test_labels: &[u8],
) -> Result<Mnist> {
    let train = dataset((TRAIN_IMAGES, train_images), (TRAIN_LABELS, train_labels))?;
    let test = dataset((TEST_IMAGES, test_images), (TEST_LABELS, test_labels))?;
    if train.image_shape() != test.image_shape() {
        return Err(ConvlabError::Data(format!(
            "{TRAIN_IMAGES} has images of {:?} but {TEST_IMAGES} has {:?}; \
             use the four files of one dataset",
            train.image_shape(),
            test.image_shape()
        )));
    }
    Ok(Mnist { train, test })
}

/// One dataset from a named image file and a named label file; errors name the file.
fn dataset(images: (&str, &[u8]), labels: (&str, &[u8])) -> Result<Dataset> {
    let parse =
        |(name, bytes): (&str, &[u8])| parse_idx(bytes).map_err(|error| in_file(name, error));
    Dataset::from_idx(parse(images)?, parse(labels)?)
        .map_err(|error| in_file(&format!("{} with {}", images.0, labels.0), error))
}

/// Prefixes a data error's message with the file it is about.
fn in_file(name: &str, error: ConvlabError) -> ConvlabError {
    match error {
        ConvlabError::Data(message) => ConvlabError::Data(format!("{name}: {message}")),
        other => other,
    }
}

/// MNIST from the four standard files in `dir` (natively; the browser uses [`from_gz_bytes`]).
#[cfg(not(target_arch = "wasm32"))]
pub fn load_dir(dir: &Path) -> Result<Mnist> {
    let read = |name: &str| {
        let path = dir.join(name);
        std::fs::read(&path).map_err(|error| {
            ConvlabError::Io(format!(
                "cannot read the MNIST file {} ({error}); the directory must hold \
                 {TRAIN_IMAGES}, {TRAIN_LABELS}, {TEST_IMAGES} and {TEST_LABELS}, \
                 which the repository ships in {DEFAULT_DIR}/",
                path.display()
            ))
        })
    };
    from_gz_bytes(
        &read(TRAIN_IMAGES)?,
        &read(TRAIN_LABELS)?,
        &read(TEST_IMAGES)?,
        &read(TEST_LABELS)?,
    )
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn repository_mnist_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_DIR)
    }

    #[test]
    fn real_mnist_matches_its_published_statistics() {
        let mnist = load_dir(&repository_mnist_dir()).unwrap();
        assert_eq!(mnist.train.len(), 60_000);
        assert_eq!(mnist.test.len(), 10_000);
        assert_eq!(mnist.train.image_shape(), [28, 28, 1]);
        assert_eq!(mnist.train.classes(), 10);
        assert_eq!(&mnist.train.labels()[..10], &[5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
        assert_eq!(&mnist.test.labels()[..10], &[7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
        let mut counts = [0usize; 10];
        for &label in mnist.train.labels() {
            counts[usize::from(label)] += 1;
        }
        assert_eq!(
            counts,
            [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
        );
        let pixel_sum: u64 = (0..mnist.train.len())
            .flat_map(|i| mnist.train.image(i))
            .map(|&pixel| u64::from(pixel))
            .sum();
        let mean = pixel_sum as f64 / (60_000.0 * 784.0) / 255.0;
        assert!((mean - 33.3184 / 255.0).abs() < 1e-4, "mean {mean}");
    }

    #[test]
    fn missing_file_names_the_file_and_the_expected_place() {
        let dir = repository_mnist_dir().join("no-such-dir");
        let message = load_dir(&dir).unwrap_err().to_string();
        let expected_start = format!(
            "I/O: cannot read the MNIST file {} (",
            dir.join(TRAIN_IMAGES).display()
        );
        assert!(message.starts_with(&expected_start), "{message}");
        assert!(
            message.ends_with(
                "); the directory must hold train-images-idx3-ubyte.gz, \
                 train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and \
                 t10k-labels-idx1-ubyte.gz, which the repository ships in www/data/mnist/"
            ),
            "{message}"
        );
    }

    #[test]
    fn swapped_files_name_the_file_at_fault() {
        let images = [0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 9];
        let labels = [0, 0, 8, 1, 0, 0, 0, 1, 3];
        let error = from_gz_bytes(&labels, &images, &images, &labels).unwrap_err();
        assert_eq!(
            error.to_string(),
            "Data: train-images-idx3-ubyte.gz with train-labels-idx1-ubyte.gz: an idx image file \
             has 3 dimensions (count, height, width), this one has 1"
        );
        let error = from_gz_bytes(&images, &labels, &images, &[0, 0, 8]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "Data: t10k-labels-idx1-ubyte.gz: the idx file ends inside its header \
             (the file is empty or truncated)"
        );
    }
}
