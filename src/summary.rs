//! Keras-style `model.summary()` text and shape formatting.

/// A per-sample shape as Keras prints a batch shape: `[28, 28, 32]` → `(None, 28, 28, 32)`.
pub fn format_shape(sample_shape: &[usize]) -> String {
    let mut text = String::from("(None");
    for dim in sample_shape {
        text.push_str(&format!(", {dim}"));
    }
    text.push(')');
    text
}
