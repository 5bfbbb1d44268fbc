//! The MNIST subset inside the single-file playground: stratified, the first
//! [`TRAIN_PER_DIGIT`] training and [`TEST_PER_DIGIT`] test images of each digit, in the order of
//! the original files, written as gzipped idx files (the format the engine reads) from the
//! repository's `www/data/mnist/`.

use std::io::Read;
use std::path::Path;

use flate2::read::GzDecoder;

use super::gzip;

/// Training images of each digit in the subset (12,000 in all, of MNIST's 60,000).
pub const TRAIN_PER_DIGIT: usize = 1200;
/// Test images of each digit in the subset (2,000 in all, of MNIST's 10,000).
pub const TEST_PER_DIGIT: usize = 200;

/// The subset: the four files in `Playground.loadMnist`'s order and its sizes.
pub struct Subset {
    /// Training images, training labels, test images, test labels: gzipped idx.
    pub files: [Vec<u8>; 4],
    /// Training images in the subset.
    pub train: usize,
    /// Test images in the subset.
    pub test: usize,
}

/// An idx array of unsigned bytes: its dimensions and its values.
struct Idx {
    dims: Vec<usize>,
    data: Vec<u8>,
}

/// The stratified subset of the MNIST files in `dir`.
pub fn stratified_subset(dir: &Path) -> Result<Subset, String> {
    let read = |name: &str| read_idx_gz(&dir.join(name));
    let (train_images, train_labels) = pick(
        read("train-images-idx3-ubyte.gz")?,
        read("train-labels-idx1-ubyte.gz")?,
        TRAIN_PER_DIGIT,
    )?;
    let (test_images, test_labels) = pick(
        read("t10k-images-idx3-ubyte.gz")?,
        read("t10k-labels-idx1-ubyte.gz")?,
        TEST_PER_DIGIT,
    )?;
    Ok(Subset {
        train: train_labels.dims[0],
        test: test_labels.dims[0],
        files: [
            write_idx_gz(&train_images),
            write_idx_gz(&train_labels),
            write_idx_gz(&test_images),
            write_idx_gz(&test_labels),
        ],
    })
}

/// The first `per_digit` images of each of the ten digits, in file order; fails when a digit has
/// fewer.
fn pick(images: Idx, labels: Idx, per_digit: usize) -> Result<(Idx, Idx), String> {
    let count = labels.data.len();
    if images.dims.first() != Some(&count) {
        return Err(format!(
            "MNIST has {count} labels for {:?} images",
            images.dims.first()
        ));
    }
    let image_len = images.data.len() / count.max(1);
    let mut taken = [0usize; 10];
    let mut subset_images = Vec::with_capacity(10 * per_digit * image_len);
    let mut subset_labels = Vec::with_capacity(10 * per_digit);
    for (index, &label) in labels.data.iter().enumerate() {
        let digit = usize::from(label);
        if digit >= 10 {
            return Err(format!("MNIST label {label} at {index} is not a digit"));
        }
        if taken[digit] < per_digit {
            taken[digit] += 1;
            subset_labels.push(label);
            subset_images
                .extend_from_slice(&images.data[index * image_len..(index + 1) * image_len]);
        }
    }
    if let Some(digit) = taken.iter().position(|&n| n < per_digit) {
        return Err(format!(
            "MNIST has only {} images of the digit {digit}, fewer than the {per_digit} the subset takes",
            taken[digit]
        ));
    }
    let mut image_dims = images.dims;
    image_dims[0] = subset_labels.len();
    Ok((
        Idx {
            dims: image_dims,
            data: subset_images,
        },
        Idx {
            dims: vec![subset_labels.len()],
            data: subset_labels,
        },
    ))
}

/// Reads a gzipped idx file of unsigned bytes (the repository's own MNIST files).
fn read_idx_gz(path: &Path) -> Result<Idx, String> {
    let fail = |what: String| format!("{}: {what}", path.display());
    let gz = std::fs::read(path).map_err(|e| fail(format!("cannot read it ({e})")))?;
    let mut bytes = Vec::new();
    GzDecoder::new(&gz[..])
        .read_to_end(&mut bytes)
        .map_err(|e| fail(format!("is not gzip ({e})")))?;
    let (magic, rest) = bytes
        .split_at_checked(4)
        .ok_or_else(|| fail("too short".into()))?;
    if magic[..3] != [0, 0, 0x08] {
        return Err(fail("is not an idx file of unsigned bytes".into()));
    }
    let rank = usize::from(magic[3]);
    let (header, data) = rest
        .split_at_checked(4 * rank)
        .ok_or_else(|| fail("has a short header".into()))?;
    let dims: Vec<usize> = header
        .chunks(4)
        .map(|d| u32::from_be_bytes([d[0], d[1], d[2], d[3]]) as usize)
        .collect();
    if dims.iter().product::<usize>() != data.len() {
        return Err(fail(format!("holds {} bytes, not {dims:?}", data.len())));
    }
    Ok(Idx {
        dims,
        data: data.to_vec(),
    })
}

/// `idx` as a gzipped idx file.
fn write_idx_gz(idx: &Idx) -> Vec<u8> {
    let mut raw = vec![0, 0, 0x08, idx.dims.len() as u8];
    for &dim in &idx.dims {
        raw.extend_from_slice(&(dim as u32).to_be_bytes());
    }
    raw.extend_from_slice(&idx.data);
    gzip(&raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_subset_has_the_first_images_of_each_digit() {
        let dir = crate::root().join("www/data/mnist");
        let subset = stratified_subset(&dir).unwrap();
        assert_eq!((subset.train, subset.test), (12_000, 2_000));
        let labels = |i: usize| {
            let mut bytes = Vec::new();
            GzDecoder::new(&subset.files[i][..])
                .read_to_end(&mut bytes)
                .unwrap();
            bytes
        };
        let train_labels = labels(1);
        assert_eq!(&train_labels[..8], &[0, 0, 8, 1, 0, 0, 0x2e, 0xe0]);
        // MNIST's first training labels are 5 0 4 1 9 2 1 3 1 4: all within every quota.
        assert_eq!(&train_labels[8..18], &[5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
        for digit in 0..10u8 {
            assert_eq!(
                train_labels[8..].iter().filter(|&&l| l == digit).count(),
                1200
            );
        }
        let test_images = labels(2);
        assert_eq!(test_images.len(), 16 + 2000 * 784);
        // The first test image (a 7) is the original's first, byte for byte.
        let original = read_idx_gz(&dir.join("t10k-images-idx3-ubyte.gz")).unwrap();
        assert_eq!(&test_images[16..16 + 784], &original.data[..784]);
    }
}
