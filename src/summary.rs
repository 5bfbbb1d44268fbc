//! Keras-style `model.summary()`: the same table, numbers and totals that Keras 3 prints.

use crate::spec::{group_thousands, Architecture};

/// Content widths of the three columns, as Keras 3 prints them at its default line length (88).
const WIDTHS: [usize; 3] = [36, 27, 15];

/// A per-sample shape as Keras prints a batch shape: `[28, 28, 32]` → `(None, 28, 28, 32)`.
pub fn format_shape(sample_shape: &[usize]) -> String {
    let mut text = String::from("(None");
    for dim in sample_shape {
        text.push_str(&format!(", {dim}"));
    }
    text.push(')');
    text
}

/// Bytes as Keras's `readable_memory_size` writes them: `167464` → `163.54 KB`.
pub fn readable_memory_size(bytes: usize) -> String {
    let mut size = bytes as f64;
    for unit in ["B", "KB", "MB", "GB"] {
        if size / 1024.0 < 1.0 {
            return format!("{size:.2} {unit}");
        }
        size /= 1024.0;
    }
    format!("{size:.2} TB")
}

/// Splits `text` into lines of at most `width` characters at spaces (a word longer than `width`
/// stays whole), as Keras's table wraps `batch_normalization (BatchNormalization)`.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split(' ') {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

fn rule(left: char, middle: char, right: char, fill: char) -> String {
    let mut line = String::new();
    line.push(left);
    for (i, width) in WIDTHS.iter().enumerate() {
        line.extend(std::iter::repeat_n(fill, width + 2));
        line.push(if i + 1 < WIDTHS.len() { middle } else { right });
    }
    line
}

fn row(cells: [&str; 3], border: char) -> String {
    let mut line = String::new();
    line.push(border);
    for (i, (cell, width)) in cells.iter().zip(WIDTHS).enumerate() {
        if i == 2 {
            line.push_str(&format!(" {cell:>width$} "));
        } else {
            line.push_str(&format!(" {cell:<width$} "));
        }
        line.push(border);
    }
    line
}

/// The text of Keras 3's `model.summary()` for `architecture`: layer (type), output shape,
/// param #, then total / trainable / non-trainable parameters with their size in float32.
pub fn summary(architecture: &Architecture) -> String {
    let mut lines = vec![format!("Model: \"{}\"", architecture.name)];
    lines.push(rule('┏', '┳', '┓', '━'));
    lines.push(row(["Layer (type)", "Output Shape", "Param #"], '┃'));
    lines.push(rule('┡', '╇', '┩', '━'));
    for (i, layer) in architecture.layers.iter().enumerate() {
        if i > 0 {
            lines.push(rule('├', '┼', '┤', '─'));
        }
        let names = wrap(
            &format!("{} ({})", layer.name, layer.class_name()),
            WIDTHS[0],
        );
        let shape = format_shape(&layer.output_shape);
        let params = group_thousands(layer.params.total());
        for (j, name) in names.iter().enumerate() {
            let (shape, params) = if j == 0 {
                (shape.as_str(), params.as_str())
            } else {
                ("", "")
            };
            lines.push(row([name, shape, params], '│'));
        }
    }
    lines.push(rule('└', '┴', '┘', '─'));
    let params = architecture.params();
    for (label, count) in [
        ("Total params", params.total()),
        ("Trainable params", params.trainable),
        ("Non-trainable params", params.non_trainable),
    ] {
        lines.push(format!(
            " {label}: {} ({})",
            group_thousands(count),
            readable_memory_size(count * 4)
        ));
    }
    lines.join("\n") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_print_like_keras() {
        assert_eq!(format_shape(&[28, 28, 32]), "(None, 28, 28, 32)");
        assert_eq!(format_shape(&[10]), "(None, 10)");
    }

    #[test]
    fn memory_sizes_print_like_keras() {
        assert_eq!(readable_memory_size(41_866 * 4), "163.54 KB");
        assert_eq!(readable_memory_size(0), "0.00 B");
        assert_eq!(readable_memory_size(64), "64.00 B");
        assert_eq!(readable_memory_size(669_706 * 4), "2.55 MB");
    }

    #[test]
    fn long_names_wrap_at_spaces() {
        assert_eq!(
            wrap("batch_normalization (BatchNormalization)", 36),
            vec![
                "batch_normalization".to_string(),
                "(BatchNormalization)".to_string()
            ]
        );
        assert_eq!(
            wrap("conv2d (Conv2D)", 36),
            vec!["conv2d (Conv2D)".to_string()]
        );
    }
}
