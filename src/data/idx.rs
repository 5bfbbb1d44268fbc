//! The idx file format of MNIST: a big-endian header, then the raw array.
//!
//! ```text
//! 0x00 0x00 <type> <ndim>      magic: two zero bytes, the data type (0x08 = unsigned byte), rank
//! <dim 0> ... <dim ndim-1>     one big-endian u32 per dimension
//! <data>                       dim 0 × ... × dim ndim-1 values, row-major
//! ```
//!
//! Files are usually distributed gzipped; [`parse_idx`] inflates them on the fly. The header is
//! checked before anything large is allocated, so a damaged or hostile file costs an error message,
//! never a crash or gigabytes of memory.

use std::io::{ErrorKind, Read};

use flate2::read::GzDecoder;

use crate::error::{ConvlabError, Result};

/// The two bytes every gzip stream starts with.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// The idx data-type code of unsigned bytes, the only type convlab reads (MNIST's pixels and labels).
const UNSIGNED_BYTE: u8 = 0x08;

/// The largest array convlab accepts (1 GiB; MNIST's training images take 47 MB). It bounds the
/// memory a lying header or a gzip bomb can claim.
const MAX_DATA_BYTES: usize = 1 << 30;

/// An n-dimensional array of bytes read from an idx file (`[60000, 28, 28]` for MNIST's images).
#[derive(Clone, Debug, PartialEq)]
pub struct IdxArray {
    /// The size of each dimension, outermost first.
    pub dims: Vec<usize>,
    /// The values in row-major order; `data.len()` is the product of `dims`.
    pub data: Vec<u8>,
}

/// Parses an idx file of unsigned bytes, gunzipping it first when it starts with the gzip magic.
///
/// Every malformed input (short header, wrong magic, unsupported data type, data length that
/// disagrees with the header, truncated or corrupt gzip) is a [`ConvlabError::Data`].
pub fn parse_idx(bytes: &[u8]) -> Result<IdxArray> {
    if bytes.starts_with(&GZIP_MAGIC) {
        read_idx(&mut GzDecoder::new(bytes), "the gzip-compressed idx file")
    } else {
        read_idx(&mut &bytes[..], "the idx file")
    }
}

/// Reads header and data from `reader`; `source` names the input in messages.
fn read_idx(reader: &mut impl Read, source: &str) -> Result<IdxArray> {
    let mut magic = [0u8; 4];
    read_header_bytes(reader, &mut magic, source)?;
    let [zero_1, zero_2, data_type, rank] = magic;
    if zero_1 != 0 || zero_2 != 0 {
        return Err(ConvlabError::Data(format!(
            "{source} does not start with the idx magic 00 00 08 <ndim> \
             (found {zero_1:02x} {zero_2:02x} {data_type:02x} {rank:02x}); \
             is it an MNIST idx file?"
        )));
    }
    if data_type != UNSIGNED_BYTE {
        return Err(ConvlabError::Data(format!(
            "{source} holds idx data type 0x{data_type:02x} ({}); convlab reads only unsigned-byte \
             (0x08) idx files such as MNIST's",
            data_type_name(data_type)
        )));
    }
    if rank == 0 {
        return Err(ConvlabError::Data(format!(
            "{source} declares 0 dimensions; an idx array needs at least one"
        )));
    }

    let mut dim_bytes = vec![0u8; 4 * usize::from(rank)];
    read_header_bytes(reader, &mut dim_bytes, source)?;
    let dims: Vec<usize> = dim_bytes
        .chunks_exact(4)
        .map(|be| u32::from_be_bytes([be[0], be[1], be[2], be[3]]) as usize)
        .collect();
    let dims_text = dims
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(" × ");
    let expected = dims
        .iter()
        .try_fold(1usize, |product, &dim| product.checked_mul(dim))
        .filter(|&product| product <= MAX_DATA_BYTES)
        .ok_or_else(|| {
            ConvlabError::Data(format!(
                "{source} declares dimensions {dims_text}, more than the {} MiB convlab accepts; \
                 the header is damaged",
                MAX_DATA_BYTES >> 20
            ))
        })?;

    // Read at most one byte more than announced: enough to notice extra data, and the buffer only
    // grows as real bytes arrive, so a header that lies about its size cannot reserve memory.
    let mut data = Vec::new();
    reader
        .take(expected as u64 + 1)
        .read_to_end(&mut data)
        .map_err(|error| corrupt(source, &error))?;
    if data.len() != expected {
        let found = if data.len() > expected {
            format!("more than {expected}")
        } else {
            data.len().to_string()
        };
        return Err(ConvlabError::Data(format!(
            "{source} declares {dims_text} = {expected} bytes of data but holds {found}; \
             the file is truncated or not the one its header describes"
        )));
    }
    Ok(IdxArray { dims, data })
}

/// Fills `buffer` from the header part of `reader`, explaining a file that ends too early.
fn read_header_bytes(reader: &mut impl Read, buffer: &mut [u8], source: &str) -> Result<()> {
    reader.read_exact(buffer).map_err(|error| {
        if error.kind() == ErrorKind::UnexpectedEof {
            ConvlabError::Data(format!(
                "{source} ends inside its header (the file is empty or truncated)"
            ))
        } else {
            corrupt(source, &error)
        }
    })
}

/// The error of a stream that cannot be decoded (a truncated or damaged gzip file).
fn corrupt(source: &str, error: &std::io::Error) -> ConvlabError {
    ConvlabError::Data(format!(
        "{source} cannot be decompressed ({error}); the download is truncated or damaged"
    ))
}

/// The idx name of a data-type code, for messages.
fn data_type_name(code: u8) -> &'static str {
    match code {
        0x09 => "signed byte",
        0x0b => "16-bit integer",
        0x0c => "32-bit integer",
        0x0d => "32-bit float",
        0x0e => "64-bit float",
        _ => "not an idx type",
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use flate2::write::GzEncoder;
    use flate2::Compression;

    use super::*;

    /// An idx file of unsigned bytes with `dims` and `data`.
    fn idx_bytes(dims: &[u32], data: impl IntoIterator<Item = u8>) -> Vec<u8> {
        let mut bytes = vec![0, 0, 0x08, dims.len() as u8];
        for dim in dims {
            bytes.extend(dim.to_be_bytes());
        }
        bytes.extend(data);
        bytes
    }

    /// Three 2×2 images with pixels 0..12.
    fn three_images() -> Vec<u8> {
        idx_bytes(&[3, 2, 2], 0..12)
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    fn data_error(bytes: &[u8]) -> String {
        match parse_idx(bytes) {
            Err(ConvlabError::Data(message)) => message,
            other => panic!("expected a data error, got {other:?}"),
        }
    }

    #[test]
    fn plain_three_images_of_2x2() {
        let array = parse_idx(&three_images()).unwrap();
        assert_eq!(array.dims, vec![3, 2, 2]);
        assert_eq!(array.data, (0..12).collect::<Vec<u8>>());
    }

    #[test]
    fn gzipped_equals_plain() {
        let plain = parse_idx(&three_images()).unwrap();
        assert_eq!(parse_idx(&gzip(&three_images())).unwrap(), plain);
    }

    #[test]
    fn labels_have_one_dimension() {
        let array = parse_idx(&idx_bytes(&[2], [7, 9])).unwrap();
        assert_eq!(array.dims, vec![2]);
        assert_eq!(array.data, vec![7, 9]);
    }

    #[test]
    fn empty_file_is_a_short_header() {
        assert_eq!(
            data_error(&[]),
            "the idx file ends inside its header (the file is empty or truncated)"
        );
    }

    #[test]
    fn missing_dimension_is_a_short_header() {
        assert_eq!(
            data_error(&[0, 0, 8, 3, 0, 0, 0, 3, 0, 0]),
            "the idx file ends inside its header (the file is empty or truncated)"
        );
    }

    #[test]
    fn wrong_magic_shows_the_bytes_found() {
        assert_eq!(
            data_error(b"PK\x03\x04 zip file"),
            "the idx file does not start with the idx magic 00 00 08 <ndim> (found 50 4b 03 04); \
             is it an MNIST idx file?"
        );
    }

    #[test]
    fn float_data_type_is_not_supported() {
        assert_eq!(
            data_error(&[0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0]),
            "the idx file holds idx data type 0x0d (32-bit float); convlab reads only \
             unsigned-byte (0x08) idx files such as MNIST's"
        );
    }

    #[test]
    fn zero_dimensions_is_an_error() {
        assert_eq!(
            data_error(&[0, 0, 8, 0]),
            "the idx file declares 0 dimensions; an idx array needs at least one"
        );
    }

    #[test]
    fn data_shorter_than_dims_product() {
        let mut bytes = three_images();
        bytes.pop();
        assert_eq!(
            data_error(&bytes),
            "the idx file declares 3 × 2 × 2 = 12 bytes of data but holds 11; \
             the file is truncated or not the one its header describes"
        );
    }

    #[test]
    fn data_longer_than_dims_product() {
        let mut bytes = three_images();
        bytes.push(99);
        assert_eq!(
            data_error(&bytes),
            "the idx file declares 3 × 2 × 2 = 12 bytes of data but holds more than 12; \
             the file is truncated or not the one its header describes"
        );
    }

    #[test]
    fn gzipped_data_shorter_than_dims_product() {
        let mut bytes = three_images();
        bytes.pop();
        assert_eq!(
            data_error(&gzip(&bytes)),
            "the gzip-compressed idx file declares 3 × 2 × 2 = 12 bytes of data but holds 11; \
             the file is truncated or not the one its header describes"
        );
    }

    #[test]
    fn truncated_gzip_is_an_error() {
        // 2000 images of 2×2: half zeros, half a byte ramp, so the deflate stream is long.
        let pixels = std::iter::repeat_n(0u8, 4000).chain((0..=255).cycle().take(4000));
        let image_bytes = idx_bytes(&[2000, 2, 2], pixels);
        assert_eq!(parse_idx(&gzip(&image_bytes)).unwrap().data.len(), 8000);
        let compressed = gzip(&image_bytes);
        for cut in [compressed.len() - 4, compressed.len() / 2] {
            let message = data_error(&compressed[..cut]);
            assert!(
                message.starts_with("the gzip-compressed idx file cannot be decompressed (")
                    && message.ends_with("); the download is truncated or damaged"),
                "cut at {cut}: {message}"
            );
        }
        assert_eq!(
            data_error(&compressed[..12]),
            "the gzip-compressed idx file ends inside its header (the file is empty or truncated)"
        );
    }

    #[test]
    fn absurd_dims_overflow_without_allocating() {
        assert_eq!(
            data_error(&idx_bytes(&[u32::MAX; 3], [])),
            "the idx file declares dimensions 4294967295 × 4294967295 × 4294967295, more than \
             the 1024 MiB convlab accepts; the header is damaged"
        );
    }

    #[test]
    fn lying_header_in_tiny_gzip_is_a_length_error() {
        // Claims 1000 × 1000 × 1000 bytes (under the 1 GiB limit) but holds 12.
        let bytes = idx_bytes(&[1000, 1000, 1000], 0..12);
        assert_eq!(
            data_error(&gzip(&bytes)),
            "the gzip-compressed idx file declares 1000 × 1000 × 1000 = 1000000000 bytes of data \
             but holds 12; the file is truncated or not the one its header describes"
        );
    }
}
