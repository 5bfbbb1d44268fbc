//! Keras/TensorFlow padding and the output-size rule `(N − F + P_before + P_after) / S + 1`.
//!
//! The arithmetic is returned as data ([`OutputSize`]) so the page can show the formula with the
//! learner's numbers filled in, including the floor of an inexact division and TensorFlow's uneven
//! 'same' padding (the extra row/column goes at the bottom/right).

use serde::{Deserialize, Serialize};

/// Keras `padding`: `'valid'` (no padding) or `'same'` (pad so that output = ceil(N / S)).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Padding {
    /// No padding; windows that do not fit are dropped.
    #[default]
    Valid,
    /// Zero padding (for pooling: ignored cells) split evenly, the odd one at the end.
    Same,
}

/// The output-size arithmetic of one spatial axis of a Conv2D or pooling layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputSize {
    /// Input size N along this axis.
    pub input: usize,
    /// Window (kernel or pool) size F.
    pub window: usize,
    /// Stride S.
    pub stride: usize,
    /// Padding added before (top / left).
    pub pad_before: usize,
    /// Padding added after (bottom / right); one more than `pad_before` in TF's uneven case.
    pub pad_after: usize,
    /// The output size: `floor((N − F + P_before + P_after) / S) + 1`.
    pub output: usize,
    /// Whether `(N − F + P_before + P_after)` is not a multiple of S, so the formula floors.
    pub floored: bool,
}

impl OutputSize {
    /// The arithmetic of one axis, or an error message (for a person) when the window does not fit
    /// or the stride is zero. `window` and `stride` must be ≥ 1 for a result.
    pub fn compute(
        input: usize,
        window: usize,
        stride: usize,
        padding: Padding,
    ) -> Result<OutputSize, String> {
        if stride == 0 {
            return Err("stride must be at least 1".to_string());
        }
        if window == 0 {
            return Err("window size must be at least 1".to_string());
        }
        let (pad_before, pad_after) = match padding {
            Padding::Valid => (0, 0),
            Padding::Same => {
                let output = input.div_ceil(stride);
                let needed = (output.max(1) - 1)
                    .checked_mul(stride)
                    .and_then(|span| span.checked_add(window))
                    .ok_or_else(|| {
                        format!("the window {window} with stride {stride} is too large")
                    })?;
                let total = needed.saturating_sub(input);
                (total / 2, total - total / 2)
            }
        };
        let padded = input + pad_before + pad_after;
        if window > padded {
            return Err(format!(
                "the window {window} is larger than the input {input}{}",
                if pad_before + pad_after > 0 {
                    format!(" padded to {padded}")
                } else {
                    String::new()
                }
            ));
        }
        let span = padded - window;
        Ok(OutputSize {
            input,
            window,
            stride,
            pad_before,
            pad_after,
            output: span / stride + 1,
            floored: !span.is_multiple_of(stride),
        })
    }

    /// The formula with the numbers filled in, as the page shows it:
    /// `(28 − 3 + 2·1)/1 + 1 = 28`, `(28 − 3 + 0 + 1)/2 + 1 = 14` for uneven padding, and
    /// `⌊(13 − 3 + 2·0)/2⌋ + 1 = 6` when the division floors.
    pub fn formula(&self) -> String {
        let padding = if self.pad_before == self.pad_after {
            format!("2·{}", self.pad_before)
        } else {
            format!("{} + {}", self.pad_before, self.pad_after)
        };
        let fraction = format!(
            "({} − {} + {})/{}",
            self.input, self.window, padding, self.stride
        );
        if self.floored {
            format!("⌊{fraction}⌋ + 1 = {}", self.output)
        } else {
            format!("{fraction} + 1 = {}", self.output)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_3x3_on_28() {
        // (28 − 3 + 2·0)/1 + 1 = 26
        let size = OutputSize::compute(28, 3, 1, Padding::Valid).unwrap();
        assert_eq!(size.output, 26);
        assert_eq!(size.formula(), "(28 − 3 + 2·0)/1 + 1 = 26");
    }

    #[test]
    fn same_3x3_on_28_pads_one_each_side() {
        let size = OutputSize::compute(28, 3, 1, Padding::Same).unwrap();
        assert_eq!((size.pad_before, size.pad_after, size.output), (1, 1, 28));
        assert_eq!(size.formula(), "(28 − 3 + 2·1)/1 + 1 = 28");
    }

    #[test]
    fn same_stride_2_on_even_input_pads_only_after() {
        // TF: out = ceil(28/2) = 14, total pad = (14−1)·2 + 3 − 28 = 1 → (0, 1)
        let size = OutputSize::compute(28, 3, 2, Padding::Same).unwrap();
        assert_eq!((size.pad_before, size.pad_after, size.output), (0, 1, 14));
        assert_eq!(size.formula(), "(28 − 3 + 0 + 1)/2 + 1 = 14");
    }

    #[test]
    fn same_stride_2_on_odd_input_pads_evenly() {
        // out = ceil(27/2) = 14, total = 13·2 + 3 − 27 = 2 → (1, 1)
        let size = OutputSize::compute(27, 3, 2, Padding::Same).unwrap();
        assert_eq!((size.pad_before, size.pad_after, size.output), (1, 1, 14));
    }

    #[test]
    fn inexact_division_floors() {
        // ⌊(14 − 3 + 0)/2⌋ + 1 = 6
        let size = OutputSize::compute(14, 3, 2, Padding::Valid).unwrap();
        assert!(size.floored);
        assert_eq!(size.formula(), "⌊(14 − 3 + 2·0)/2⌋ + 1 = 6");
    }

    #[test]
    fn pooling_2_on_odd_input_drops_the_last_row() {
        let size = OutputSize::compute(7, 2, 2, Padding::Valid).unwrap();
        assert_eq!(size.output, 3);
        let same = OutputSize::compute(7, 2, 2, Padding::Same).unwrap();
        assert_eq!((same.pad_before, same.pad_after, same.output), (0, 1, 4));
    }

    #[test]
    fn window_larger_than_input_is_an_error() {
        let message = OutputSize::compute(2, 3, 1, Padding::Valid).unwrap_err();
        assert_eq!(message, "the window 3 is larger than the input 2");
        assert!(OutputSize::compute(5, 3, 0, Padding::Valid).is_err());
    }

    #[test]
    fn same_never_fails_for_a_large_window() {
        // Keras allows 'same' with a kernel larger than the input: it pads enough.
        let size = OutputSize::compute(2, 5, 1, Padding::Same).unwrap();
        assert_eq!((size.pad_before, size.pad_after, size.output), (2, 2, 2));
    }
}
