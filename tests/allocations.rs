//! The steady-state training step allocates nothing: once the first batches have sized every
//! buffer (layer outputs and gradients, im2col columns, pack buffers, optimizer state), a batch
//! reuses them. A counting global allocator checks it, counting only the test's own thread.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use convlab::data::dataset::Dataset;
use convlab::layers::Mode;
use convlab::loss::Loss;
use convlab::model::Sequential;
use convlab::presets::{lesson_cnn, lesson_mlp};
use convlab::rng::Rng;
use convlab::spec::{LayerSpec, ModelSpec};
use convlab::training::{Fit, TrainingConfig};
use convlab::Tensor;
use serde_json::json;

/// The system allocator, counting the allocations (and reallocations) of each thread.
struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every call is forwarded to `System` unchanged; the counter is a const thread-local.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|count| count.set(count.get() + 1));
        System.alloc(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|count| count.set(count.get() + 1));
        System.alloc_zeroed(layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|count| count.set(count.get() + 1));
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Allocations made on this thread while `run` runs.
fn allocations_during(run: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    run();
    ALLOCATIONS.with(Cell::get) - before
}

/// `count` 28×28 grey images of noise with labels 0–9 in turn.
fn synthetic_images(count: usize) -> Dataset {
    let mut rng = Rng::new(5);
    let pixels = (0..count * 784)
        .map(|_| (rng.uniform() * 255.0) as u8)
        .collect();
    let labels = (0..count).map(|i| (i % 10) as u8).collect();
    Dataset::new(pixels, labels, [28, 28, 1], 10).unwrap()
}

/// Trains `spec` on 10 batches of 32: 3 warm-up steps, then counts the allocations of the next 6
/// (all inside the first epoch's steady state).
fn steady_state_allocations(spec: ModelSpec, loss: Loss) -> usize {
    let config = TrainingConfig {
        batch_size: 32,
        epochs: 2,
        loss,
        ..TrainingConfig::default()
    };
    let model = Sequential::from_spec(&spec, 1).unwrap();
    let mut fit = Fit::new(model, synthetic_images(320), None, config).unwrap();
    for _ in 0..3 {
        fit.step().unwrap();
    }
    allocations_during(|| {
        for _ in 0..6 {
            fit.step().unwrap();
        }
    })
}

/// Every layer kind with a buffer of its own: batch norm, dropout, average pooling, global
/// pooling, and a non-ReLU activation.
fn every_layer_kind() -> ModelSpec {
    ModelSpec::sequential(vec![
        LayerSpec::new(
            "Conv2D",
            json!({"filters": 4, "kernel_size": 3, "padding": "same", "activation": "tanh",
                   "batch_input_shape": [null, 28, 28, 1]}),
        ),
        LayerSpec::new("BatchNormalization", json!({})),
        LayerSpec::new("AveragePooling2D", json!({"pool_size": 2})),
        LayerSpec::new("Dropout", json!({"rate": 0.25})),
        LayerSpec::new(
            "Conv2D",
            json!({"filters": 8, "kernel_size": 3, "strides": 2}),
        ),
        LayerSpec::new("Activation", json!({"activation": "sigmoid"})),
        LayerSpec::new("GlobalAveragePooling2D", json!({})),
        LayerSpec::new("Dense", json!({"units": 10, "activation": "softmax"})),
    ])
}

#[test]
fn lesson_cnn_steady_state_training_step_allocates_nothing() {
    assert_eq!(
        steady_state_allocations(lesson_cnn(), Loss::CategoricalCrossentropy),
        0
    );
}

#[test]
fn lesson_mlp_steady_state_training_step_allocates_nothing() {
    assert_eq!(
        steady_state_allocations(lesson_mlp(), Loss::CategoricalCrossentropy),
        0
    );
}

#[test]
fn sparse_labels_steady_state_training_step_allocates_nothing() {
    assert_eq!(
        steady_state_allocations(lesson_mlp(), Loss::SparseCategoricalCrossentropy),
        0
    );
}

#[test]
fn every_layer_kind_steady_state_training_step_allocates_nothing() {
    assert_eq!(
        steady_state_allocations(every_layer_kind(), Loss::CategoricalCrossentropy),
        0
    );
}

#[test]
fn steady_state_inference_allocates_nothing() {
    let mut model = Sequential::from_spec(&lesson_cnn(), 1).unwrap();
    let images = Tensor::zeros(ndarray::IxDyn(&[32, 28, 28, 1]));
    let mut rng = Rng::new(0);
    model.forward(&images, Mode::Infer, &mut rng);
    let count = allocations_during(|| {
        for _ in 0..3 {
            model.forward(&images, Mode::Infer, &mut rng);
        }
    });
    assert_eq!(count, 0);
}
