//! A drawn digit prepared as MNIST's digits were (LeCun et al.): the ink's bounding box is scaled
//! to fit a 20×20 box keeping its aspect ratio, with anti-aliasing (each output pixel is the mean
//! of the area it covers), then placed in a 28×28 field so that its centre of mass sits at the
//! field's centre. A network trained on MNIST expects exactly this framing.

use crate::data::augment::warp_affine;
use crate::error::{ConvlabError, Result};

/// The side of the box the digit's longer side is scaled to.
pub const DIGIT_BOX: usize = 20;

/// The side of the field the digit is centred in.
pub const FIELD: usize = 28;

/// Ink values at or below this are background (stray anti-aliasing of a canvas).
const INK_THRESHOLD: f32 = 0.01;

/// The largest drawing side read (the page's canvas is 280 pixels).
pub const MAX_DRAWING_SIDE: usize = 4096;

/// `pixels` (`height × width` ink values in `[0, 1]`, row-major, 1 = ink) as a `28 × 28` MNIST
/// image, or `None` when there is no ink. A drawing of another size than it says, larger than
/// `MAX_DRAWING_SIDE` a side, or with a value outside `[0, 1]` (NaN included) is refused, naming
/// the `drawing` field.
pub fn preprocess_digit(pixels: &[f32], height: usize, width: usize) -> Result<Option<Vec<f32>>> {
    if height == 0 || width == 0 || height > MAX_DRAWING_SIDE || width > MAX_DRAWING_SIDE {
        return Err(ConvlabError::setting(
            "drawing",
            format!("a drawing of {height}×{width} pixels cannot be read: each side must be 1 to {MAX_DRAWING_SIDE}"),
        ));
    }
    if pixels.len() != height * width {
        return Err(ConvlabError::setting(
            "drawing",
            format!(
                "{} values are not {height}×{width} pixels: send one ink value a pixel",
                pixels.len()
            ),
        ));
    }
    if let Some(index) = pixels.iter().position(|v| !(0.0..=1.0).contains(v)) {
        return Err(ConvlabError::setting(
            "drawing",
            format!(
                "pixel {index} has ink {}: ink values must be between 0 and 1",
                pixels[index]
            ),
        ));
    }
    Ok(prepare(pixels, height, width))
}

/// `preprocess_digit` of a checked drawing.
fn prepare(pixels: &[f32], height: usize, width: usize) -> Option<Vec<f32>> {
    let (top, bottom, left, right) = ink_box(pixels, height, width)?;
    let (box_height, box_width) = (bottom - top, right - left);
    let scale = DIGIT_BOX as f32 / box_height.max(box_width) as f32;
    let small_height = ((box_height as f32 * scale).round() as usize).clamp(1, DIGIT_BOX);
    let small_width = ((box_width as f32 * scale).round() as usize).clamp(1, DIGIT_BOX);
    let cropped: Vec<f32> = (top..bottom)
        .flat_map(|row| {
            pixels[row * width + left..row * width + right]
                .iter()
                .copied()
        })
        .collect();
    let small = resample_area(&cropped, box_height, box_width, small_height, small_width);

    let mut field = vec![0.0; FIELD * FIELD];
    for row in 0..small_height {
        field[row * FIELD..row * FIELD + small_width]
            .copy_from_slice(&small[row * small_width..(row + 1) * small_width]);
    }
    let (center_y, center_x) = center_of_mass(&field, FIELD, FIELD);
    let middle = (FIELD as f32 - 1.0) / 2.0;
    let shift = [[1.0, 0.0, middle - center_x], [0.0, 1.0, middle - center_y]];
    let mut centred = vec![0.0; FIELD * FIELD];
    warp_affine(&field, FIELD, FIELD, 1, &shift, &mut centred);
    Some(centred)
}

/// The centre of mass `(row, column)` of an image (pixel indices weighted by value); the middle
/// for an empty image.
pub fn center_of_mass(image: &[f32], height: usize, width: usize) -> (f32, f32) {
    let (mut total, mut rows, mut cols) = (0.0f64, 0.0f64, 0.0f64);
    for (i, &v) in image.iter().enumerate() {
        let v = f64::from(v);
        total += v;
        rows += v * (i / width) as f64;
        cols += v * (i % width) as f64;
    }
    if total == 0.0 {
        return ((height as f32 - 1.0) / 2.0, (width as f32 - 1.0) / 2.0);
    }
    ((rows / total) as f32, (cols / total) as f32)
}

/// The smallest box `(top, bottom, left, right)` (end-exclusive) holding every ink pixel.
fn ink_box(pixels: &[f32], height: usize, width: usize) -> Option<(usize, usize, usize, usize)> {
    let (mut top, mut bottom, mut left, mut right) = (height, 0, width, 0);
    for (i, _) in pixels
        .iter()
        .enumerate()
        .filter(|(_, &v)| v > INK_THRESHOLD)
    {
        let (row, col) = (i / width, i % width);
        top = top.min(row);
        bottom = bottom.max(row + 1);
        left = left.min(col);
        right = right.max(col + 1);
    }
    (bottom > top).then_some((top, bottom, left, right))
}

/// Resizes `src` (`height × width`) to `out_height × out_width`, each output pixel the mean of
/// the source area it covers (a box filter with fractional coverage): anti-aliased when
/// shrinking. Rows first, then columns.
fn resample_area(
    src: &[f32],
    height: usize,
    width: usize,
    out_height: usize,
    out_width: usize,
) -> Vec<f32> {
    let columns = area_weights(width, out_width);
    let rows = area_weights(height, out_height);
    let mut narrow = vec![0.0; height * out_width];
    for row in 0..height {
        for (out_col, weights) in columns.iter().enumerate() {
            narrow[row * out_width + out_col] = weights
                .iter()
                .map(|&(col, w)| w * src[row * width + col])
                .sum();
        }
    }
    let mut out = vec![0.0; out_height * out_width];
    for (out_row, weights) in rows.iter().enumerate() {
        for col in 0..out_width {
            out[out_row * out_width + col] = weights
                .iter()
                .map(|&(row, w)| w * narrow[row * out_width + col])
                .sum();
        }
    }
    out
}

/// For each of `outputs` cells along an axis of `inputs` cells: the input cells it overlaps and
/// the overlap's share of the output cell (the shares of one output cell sum to 1).
fn area_weights(inputs: usize, outputs: usize) -> Vec<Vec<(usize, f32)>> {
    let span = inputs as f64 / outputs as f64;
    (0..outputs)
        .map(|out| {
            let (start, end) = (out as f64 * span, (out + 1) as f64 * span);
            (start.floor() as usize..(end.ceil() as usize).min(inputs))
                .map(|cell| {
                    let overlap = end.min(cell as f64 + 1.0) - start.max(cell as f64);
                    (cell, (overlap / span) as f32)
                })
                .filter(|&(_, w)| w > 0.0)
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 280×280 canvas with a filled rectangle of ink.
    fn canvas_with_bar(top: usize, bottom: usize, left: usize, right: usize) -> Vec<f32> {
        let mut pixels = vec![0.0; 280 * 280];
        for row in top..bottom {
            for col in left..right {
                pixels[row * 280 + col] = 1.0;
            }
        }
        pixels
    }

    #[test]
    fn a_bad_drawing_is_refused_naming_the_drawing() {
        let refused = |pixels: &[f32], height, width| match preprocess_digit(pixels, height, width)
        {
            Err(ConvlabError::Setting { field, message }) => format!("{field}: {message}"),
            other => panic!("accepted: {other:?}"),
        };
        assert_eq!(
            refused(&[0.0; 10], 4, 4),
            "drawing: 10 values are not 4×4 pixels: send one ink value a pixel"
        );
        assert_eq!(
            refused(&[], 0, 0),
            "drawing: a drawing of 0×0 pixels cannot be read: each side must be 1 to 4096"
        );
        assert_eq!(
            refused(&[0.0; 4], usize::MAX, 2),
            format!(
                "drawing: a drawing of {}×2 pixels cannot be read: each side must be 1 to 4096",
                usize::MAX
            )
        );
        assert_eq!(
            refused(&[0.0, f32::NAN, 0.0, 0.0], 2, 2),
            "drawing: pixel 1 has ink NaN: ink values must be between 0 and 1"
        );
        assert_eq!(
            refused(&[0.0, 0.0, 0.0, 2.0], 2, 2),
            "drawing: pixel 3 has ink 2: ink values must be between 0 and 1"
        );
    }

    #[test]
    fn a_blank_canvas_is_no_digit() {
        assert_eq!(preprocess_digit(&[0.0; 100], 10, 10).unwrap(), None);
    }

    #[test]
    fn a_tall_bar_fills_20_rows_keeps_its_aspect_and_is_centred() {
        // 200 × 50 ink at the top-left corner → 20 × 5 after scaling by 0.1.
        let image = preprocess_digit(&canvas_with_bar(0, 200, 0, 50), 280, 280)
            .unwrap()
            .unwrap();
        let (row, col) = center_of_mass(&image, FIELD, FIELD);
        assert!(
            (row - 13.5).abs() < 1e-3 && (col - 13.5).abs() < 1e-3,
            "({row}, {col})"
        );
        let ink_rows = (0..FIELD)
            .filter(|r| image[r * FIELD..(r + 1) * FIELD].iter().any(|&v| v > 0.01))
            .count();
        let ink_cols = (0..FIELD)
            .filter(|&c| (0..FIELD).any(|r| image[r * FIELD + c] > 0.01))
            .count();
        // The 5 columns have their centre at 2 and move by 11.5: half-pixel edges, 6 columns.
        assert_eq!((ink_rows, ink_cols), (20, 6));
        let total: f32 = image.iter().sum();
        assert!(
            (total - 100.0).abs() < 1e-3,
            "the ink is conserved: {total}"
        );
    }

    #[test]
    fn shrinking_averages_the_covered_area() {
        // A 4-wide row [1, 0, 1, 1] shrunk to 2: means of (1, 0) and (1, 1).
        assert_eq!(
            resample_area(&[1.0, 0.0, 1.0, 1.0], 1, 4, 1, 2),
            vec![0.5, 1.0]
        );
        // 3 → 2: the middle cell is shared half and half.
        assert_eq!(resample_area(&[0.0, 3.0, 6.0], 1, 3, 1, 2), vec![1.0, 5.0]);
    }

    #[test]
    fn the_digit_is_centred_wherever_it_was_drawn() {
        let image = preprocess_digit(&canvas_with_bar(150, 270, 200, 260), 280, 280)
            .unwrap()
            .unwrap();
        let (row, col) = center_of_mass(&image, FIELD, FIELD);
        assert!(
            (row - 13.5).abs() < 1e-3 && (col - 13.5).abs() < 1e-3,
            "({row}, {col})"
        );
    }
}
