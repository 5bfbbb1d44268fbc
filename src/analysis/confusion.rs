//! The confusion matrix of a classifier on a labelled dataset, and what the evaluation panel
//! builds on it: the images of one cell, per-class accuracy and the most confidently wrong
//! predictions.

use ndarray::IxDyn;
use serde::Serialize;

use crate::data::dataset::Dataset;
use crate::error::{ConvlabError, Result};
use crate::layers::Mode;
use crate::metrics::argmax;
use crate::model::Sequential;
use crate::rng::Rng;
use crate::tensor::Tensor;

/// Every prediction of a model on a dataset: the label, the predicted class (the argmax) and the
/// class probabilities of each image, in dataset order.
#[derive(Clone, Debug, PartialEq)]
pub struct Confusion {
    classes: usize,
    labels: Vec<usize>,
    predicted: Vec<usize>,
    /// `[images · classes]`, row by row.
    probabilities: Vec<f32>,
}

/// One class's share of correct predictions (the diagonal cell over its row).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ClassAccuracy {
    /// The class (the digit).
    pub class: usize,
    /// Images of this class predicted as this class.
    pub correct: usize,
    /// Images of this class.
    pub total: usize,
    /// `correct / total` (0 when the class has no images).
    pub accuracy: f32,
}

/// One image of the dataset with its label and the model's verdict.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ImagePrediction {
    /// The image's index in the dataset.
    pub index: usize,
    /// The true class.
    pub label: usize,
    /// The predicted class.
    pub predicted: usize,
    /// The class probabilities.
    pub probabilities: Vec<f32>,
}

impl Confusion {
    /// Runs `model` (inference mode) over `data`, `batch_size` images at a time.
    pub fn compute(model: &mut Sequential, data: &Dataset, batch_size: usize) -> Result<Confusion> {
        let classes = data.classes();
        if model.architecture().input_shape.as_slice() != data.image_shape().as_slice()
            || model.architecture().output_shape() != [classes]
        {
            return Err(ConvlabError::Shape(format!(
                "the model maps {:?} to {:?} but the data has {:?} images of {classes} classes",
                model.architecture().input_shape,
                model.architecture().output_shape(),
                data.image_shape()
            )));
        }
        let mut images = Tensor::zeros(IxDyn(&[0]));
        let mut rng = Rng::new(0);
        let mut probabilities = Vec::with_capacity(data.len() * classes);
        let indices: Vec<usize> = (0..data.len()).collect();
        for chunk in indices.chunks(batch_size.max(1)) {
            data.fill_images(chunk, &mut images);
            let output = model.forward(&images, Mode::Infer, &mut rng);
            probabilities.extend(output.iter().copied());
        }
        let predicted = probabilities
            .chunks_exact(classes)
            .map(|row| argmax(row.iter()))
            .collect();
        Ok(Confusion {
            classes,
            labels: indices.iter().map(|&i| data.label(i)).collect(),
            predicted,
            probabilities,
        })
    }

    /// Images evaluated.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether no image was evaluated.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Fraction of images predicted correctly.
    pub fn accuracy(&self) -> f32 {
        let correct = self
            .labels
            .iter()
            .zip(&self.predicted)
            .filter(|(l, p)| l == p)
            .count();
        correct as f32 / self.len().max(1) as f32
    }

    /// `matrix[label][predicted]`: how many images of class `label` were predicted as
    /// `predicted`. Rows sum to the class sizes, the whole matrix to [`Confusion::len`].
    pub fn matrix(&self) -> Vec<Vec<usize>> {
        let mut matrix = vec![vec![0; self.classes]; self.classes];
        for (&label, &predicted) in self.labels.iter().zip(&self.predicted) {
            matrix[label][predicted] += 1;
        }
        matrix
    }

    /// The images of one cell, in dataset order.
    pub fn cell(&self, label: usize, predicted: usize) -> Vec<ImagePrediction> {
        (0..self.len())
            .filter(|&i| self.labels[i] == label && self.predicted[i] == predicted)
            .map(|i| self.image(i))
            .collect()
    }

    /// Accuracy of each class.
    pub fn per_class(&self) -> Vec<ClassAccuracy> {
        self.matrix()
            .iter()
            .enumerate()
            .map(|(class, row)| {
                let total: usize = row.iter().sum();
                ClassAccuracy {
                    class,
                    correct: row[class],
                    total,
                    accuracy: if total > 0 {
                        row[class] as f32 / total as f32
                    } else {
                        0.0
                    },
                }
            })
            .collect()
    }

    /// The `count` wrong predictions the model was surest of (highest probability on the
    /// predicted class first; ties in dataset order).
    pub fn most_confidently_wrong(&self, count: usize) -> Vec<ImagePrediction> {
        let mut wrong: Vec<usize> = (0..self.len())
            .filter(|&i| self.labels[i] != self.predicted[i])
            .collect();
        let confidence = |i: usize| self.probabilities[i * self.classes + self.predicted[i]];
        wrong.sort_by(|&a, &b| confidence(b).total_cmp(&confidence(a)));
        wrong
            .into_iter()
            .take(count)
            .map(|i| self.image(i))
            .collect()
    }

    fn image(&self, index: usize) -> ImagePrediction {
        ImagePrediction {
            index,
            label: self.labels[index],
            predicted: self.predicted[index],
            probabilities: self.probabilities[index * self.classes..(index + 1) * self.classes]
                .to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn confusion() -> Confusion {
        // Three classes, five images: labels 0 0 1 2 2, predictions 0 1 1 2 0.
        Confusion {
            classes: 3,
            labels: vec![0, 0, 1, 2, 2],
            predicted: vec![0, 1, 1, 2, 0],
            probabilities: vec![
                0.8, 0.1, 0.1, //
                0.3, 0.6, 0.1, //
                0.1, 0.8, 0.1, //
                0.1, 0.1, 0.8, //
                0.9, 0.05, 0.05,
            ],
        }
    }

    #[test]
    fn the_matrix_counts_label_by_prediction_and_sums_to_the_images() {
        let matrix = confusion().matrix();
        assert_eq!(matrix, vec![vec![1, 1, 0], vec![0, 1, 0], vec![1, 0, 1]]);
        assert_eq!(matrix.iter().flatten().sum::<usize>(), 5);
    }

    #[test]
    fn a_cell_lists_exactly_its_images() {
        let cell = confusion().cell(2, 0);
        assert_eq!(cell.len(), 1);
        assert_eq!((cell[0].index, cell[0].label, cell[0].predicted), (4, 2, 0));
        assert_eq!(cell[0].probabilities, vec![0.9, 0.05, 0.05]);
    }

    #[test]
    fn per_class_accuracy_is_the_diagonal_over_the_row() {
        let accuracies: Vec<f32> = confusion().per_class().iter().map(|c| c.accuracy).collect();
        assert_eq!(accuracies, vec![0.5, 1.0, 0.5]);
        assert_eq!(confusion().accuracy(), 0.6);
    }

    #[test]
    fn most_confidently_wrong_comes_first() {
        let wrong: Vec<usize> = confusion()
            .most_confidently_wrong(5)
            .iter()
            .map(|w| w.index)
            .collect();
        assert_eq!(wrong, vec![4, 1]);
    }
}
