// The engine benchmark. On the page, this module starts itself as a module Web Worker (where the
// playground trains, too), shows each figure the worker reports, and, when the page was opened
// with `?report`, POSTs them as JSON lines to `/bench-results` for `cargo xtask bench`.
// In the worker, it runs the benchmarks of `src/benchmark.rs` through `pkg/convlab.js`; the
// `workers` group then trains on the page as the playground does, with one and two workers.

import { dataParallelRate } from './workers.js';

const BATCH = 128;
const PRESETS = ['seed-cnn', 'seed-mlp'];
const GEMM_SHAPES = [[512, 512, 512], [784, 288, 64]];
/** Seconds each figure is measured over, after its warm-up. */
const SECONDS = 3;

/** Seconds of a warm-up window. V8 first runs wasm from its baseline compiler (Liftoff) and
 * swaps in optimized code (TurboFan), compiled in the background, on a later call: on a busy
 * machine that can take seconds, so the warm-up lasts until two windows agree. */
const WARMUP_WINDOW_SECONDS = 0.5;
/** The warm-up's limit, in windows. */
const WARMUP_WINDOWS = 12;

/** Calls `run(1)` for at least `seconds` (and twice) and returns calls per second. */
function callsPerSecond(run, seconds) {
  let calls = 0;
  const start = performance.now();
  let now = start;
  while (calls < 2 || now - start < seconds * 1000) {
    run(1);
    calls += 1;
    now = performance.now();
  }
  return (calls * 1000) / (now - start);
}

/**
 * Warms `run` up (until two consecutive windows agree within 10 %), then calls `run(1)` for
 * `seconds` and returns units per second, `unitsPerCall` being the work of one call.
 */
function rate(run, unitsPerCall, seconds = SECONDS) {
  let previous = callsPerSecond(run, WARMUP_WINDOW_SECONDS);
  for (let window = 1; window < WARMUP_WINDOWS; window++) {
    const current = callsPerSecond(run, WARMUP_WINDOW_SECONDS);
    if (Math.abs(current - previous) <= 0.1 * previous) break;
    previous = current;
  }
  return callsPerSecond(run, seconds) * unitsPerCall;
}

/** The groups to run: all, or those named in the page's `?only=train,gemm` parameter. */
function groups(search) {
  const only = new URLSearchParams(search).get('only');
  const all = ['train', 'infer', 'gemm', 'profile', 'workers'];
  return only ? all.filter((group) => only.split(',').includes(group)) : all;
}

async function runInWorker(selected) {
  const engine = await import('../../pkg/convlab.js');
  await engine.default();
  const report = (figure) => postMessage({ figure });
  for (const model of selected.includes('train') ? PRESETS : []) {
    const bench = new engine.TrainingBench(model, BATCH);
    const imagesPerSecond = rate((n) => bench.steps(n), BATCH);
    bench.free();
    report({ where: 'browser', model, mode: 'train', batch: BATCH, workers: 1,
             images_per_second: Math.round(imagesPerSecond) });
  }
  for (const model of selected.includes('infer') ? PRESETS : []) {
    const bench = new engine.InferenceBench(model, BATCH);
    const imagesPerSecond = rate((n) => bench.runs(n), BATCH);
    bench.free();
    report({ where: 'browser', model, mode: 'infer', batch: BATCH, workers: 1,
             images_per_second: Math.round(imagesPerSecond) });
  }
  if (selected.includes('gemm')) {
    const error = engine.convMaxError();
    if (!(error < 1e-4)) throw new Error(`conv2d's products are wrong: relative error ${error}`);
  }
  for (const [m, k, n] of selected.includes('gemm') ? GEMM_SHAPES : []) {
    const bench = new engine.GemmBench(m, k, n);
    const flopsPerSecond = rate((count) => bench.runs(count), bench.flops());
    const error = bench.maxError();
    bench.free();
    if (!(error < 1e-4)) throw new Error(`gemm ${m}x${k}x${n} is wrong: relative error ${error}`);
    report({ where: 'browser', kernel: 'gemm', shape: `${m}x${k}x${n}`,
             gflops: Math.round(flopsPerSecond / 1e8) / 10 });
  }
  if (selected.includes('profile')) profileStep(engine, report);
  postMessage({ done: true });
}

/** Reports where one training step of the lesson CNN spends its time, part by part. */
function profileStep(engine, report) {
  const profile = new engine.StepProfile('seed-cnn', BATCH);
  const parts = [];
  profile.layerNames().forEach((name, i) => {
    parts.push([`${name} forward`, (n) => profile.forward(i, n)]);
  });
  profile.layerNames().forEach((name, i) => {
    parts.push([`${name} backward`, (n) => profile.backward(i, n)]);
  });
  parts.reverse();
  parts.push(['adam update', (n) => profile.update(n)]);
  for (const [part, run] of parts) {
    const ms = 1000 / rate(run, 1, 1);
    report({ where: 'browser', model: 'seed-cnn', mode: 'train-profile', batch: BATCH, part,
             ms: Math.round(ms * 100) / 100 });
  }
  profile.free();
}

function describe(figure) {
  if (figure.kernel) return [`${figure.kernel} ${figure.shape}`, `${figure.gflops} GFLOP/s`];
  if (figure.part) return [`${figure.model} step: ${figure.part}`, `${figure.ms} ms`];
  return [`${figure.model} ${figure.mode}, batch ${figure.batch}`,
          `${figure.images_per_second} images/s`];
}

/** Seconds of a `?smoke` run's measurement (after one warm-up window): the page's check that
 * the group works (tests/e2e/bench-page.test.mjs), not a figure to read. */
const SMOKE_SECONDS = 0.5;

/** The playground's data-parallel training of the lesson CNN with one, then two workers: the
 * figure with one worker is `train-page` (the same path, for the ratio), with two `train`.
 * `smoke`: measure briefly, to check that it runs. */
async function measureWorkers(report, smoke) {
  for (const workers of [1, 2]) {
    const rate = smoke
      ? await dataParallelRate('seed-cnn', BATCH, workers, SMOKE_SECONDS, 1)
      : await dataParallelRate('seed-cnn', BATCH, workers, 2 * SECONDS);
    report({ where: 'browser', model: 'seed-cnn', mode: workers === 1 ? 'train-page' : 'train',
             batch: BATCH, workers, images_per_second: Math.round(rate) });
  }
}

function runOnPage() {
  const status = document.getElementById('status');
  const rows = document.getElementById('results');
  const selected = groups(location.search);
  const figures = [];
  const show = (figure) => {
    figures.push(figure);
    const row = rows.insertRow();
    const [label, value] = figure.error ? ['error', figure.error] : describe(figure);
    row.insertCell().textContent = label;
    const cell = row.insertCell();
    cell.textContent = value;
    cell.className = 'number';
  };
  const finish = async () => {
    if (selected.includes('workers')) {
      status.textContent = 'Training on the page with one, then two workers…';
      await measureWorkers(show, new URLSearchParams(location.search).has('smoke')).catch((error) => show({ where: 'browser', error: String(error) }));
    }
    status.textContent = 'Done.';
    if (new URLSearchParams(location.search).has('report')) {
      const lines = figures.map((figure) => JSON.stringify(figure)).join('\n');
      await fetch('/bench-results', { method: 'POST', body: `${lines}\n` });
    }
  };
  const inWorker = selected.filter((group) => group !== 'workers');
  if (inWorker.length === 0) {
    finish();
    return;
  }
  const worker = new Worker(new URL(import.meta.url), { type: 'module' });
  worker.postMessage(inWorker);
  status.textContent = 'Running (about two minutes)…';
  worker.onerror = (event) => {
    status.textContent = `The benchmark failed: ${event.message}`;
  };
  worker.onmessage = ({ data }) => {
    if (data.figure) {
      show(data.figure);
      return;
    }
    worker.terminate();
    finish();
  };
}

if (typeof document === 'undefined') {
  onmessage = ({ data }) => {
    runInWorker(data).catch((error) => {
      postMessage({ figure: { where: 'browser', error: String(error) } });
      postMessage({ done: true });
    });
  };
} else {
  runOnPage();
}
