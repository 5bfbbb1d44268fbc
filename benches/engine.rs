//! Native benchmarks of the engine, on one thread: the lesson CNN and MLP training and predicting
//! batches of 128 (throughput in images/s), the GEMM at 512³ and at the lesson CNN's conv shape
//! (throughput in FLOP/s), and one CNN training step taken apart by layer.
//!
//! `cargo bench --bench engine` (or `cargo xtask bench`, which also runs the browser benchmarks
//! and prints one JSON line per figure).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use convlab::benchmark::{GemmBench, InferenceBench, StepProfile, TrainingBench};

/// The batch size of every model benchmark (the issue's).
const BATCH: usize = 128;

fn training(c: &mut Criterion) {
    let mut group = c.benchmark_group("train");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.sample_size(20);
    for preset in ["seed-cnn", "seed-mlp"] {
        let mut bench = TrainingBench::new(preset, BATCH).unwrap();
        group.bench_function(preset, |b| b.iter(|| bench.step()));
    }
    group.finish();
}

fn inference(c: &mut Criterion) {
    let mut group = c.benchmark_group("infer");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.sample_size(20);
    for preset in ["seed-cnn", "seed-mlp"] {
        let mut bench = InferenceBench::new(preset, BATCH).unwrap();
        group.bench_function(preset, |b| b.iter(|| bench.run()));
    }
    group.finish();
}

fn gemm(c: &mut Criterion) {
    let mut group = c.benchmark_group("gemm");
    // m × k × n: a square product, and the lesson CNN's second Conv2D on one 28×28 image's worth
    // of rows (784 patches of 3·3·32 values, 64 filters).
    for [m, k, n] in [[512, 512, 512], [784, 288, 64]] {
        let mut bench = GemmBench::new(m, k, n);
        bench.run();
        assert!(bench.max_error() < 1e-4, "the {m}x{k}x{n} product is wrong");
        group.throughput(Throughput::Elements(bench.flops() as u64));
        group.bench_function(format!("{m}x{k}x{n}"), |b| b.iter(|| bench.run()));
    }
    group.finish();
}

fn step_profile(c: &mut Criterion) {
    let mut group = c.benchmark_group("cnn-step-profile");
    group.sample_size(20);
    let mut profile = StepProfile::new("seed-cnn", BATCH).unwrap();
    let names = profile.layer_names().to_vec();
    for (i, name) in names.iter().enumerate() {
        group.bench_function(format!("{i} {name} forward"), |b| {
            b.iter(|| profile.forward(i))
        });
    }
    for (i, name) in names.iter().enumerate().rev() {
        group.bench_function(format!("{i} {name} backward"), |b| {
            b.iter(|| profile.backward(i))
        });
    }
    group.bench_function("adam update", |b| b.iter(|| profile.update()));
    group.finish();
}

criterion_group!(benches, training, inference, gemm, step_profile);
criterion_main!(benches);
