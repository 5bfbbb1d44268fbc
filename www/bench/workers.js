// Data-parallel training as the playground runs it: the page's engine worker (www/worker.js) as
// the lead, with `workers − 1` helpers (www/train-helper.js) sharing each batch, on real MNIST.
// The bench page runs this on its main thread, as the playground's page does, once with one
// worker and once with two, so the ratio of the two figures is what the split gains.

import { EngineClient } from '../engine-client.js';
import { startEngineWorker } from '../engine-files.js';

/** Images of MNIST to train on: more than a run of the measurement needs, so no epoch ends. */
const TRAIN_SIZE = 60000;

/** Seconds of a warm-up window. The warm-up (engine start-up, helpers, V8's switch from
 * baseline to optimized wasm code, which on a busy machine takes seconds) lasts until two
 * windows agree within 10 %, or WARMUP_WINDOWS windows. */
const WARMUP_WINDOW_SECONDS = 1.5;
const WARMUP_WINDOWS = 12;

/**
 * Trains `preset` on MNIST with batches of `batch` on `workers` workers for `seconds` after a
 * warm-up of at most `warmupWindows` windows and resolves with the images per second, counted
 * from the lead worker's `steps` news.
 */
export async function dataParallelRate(preset, batch, workers, seconds, warmupWindows = WARMUP_WINDOWS) {
  const client = new EngineClient(() => startEngineWorker('mnist'));
  try {
    const mnist = new Promise((resolve, reject) => {
      client.once('mnist-ready', resolve);
      client.once('mnist-error', (error) => reject(new Error(`MNIST: ${error.message}`)));
      client.once('fatal', (error) => reject(new Error(`engine: ${error.message}`)));
    });
    const { presets, default_training_config: defaults } = await client.ready;
    await mnist;
    const spec = presets.find((p) => p.name === preset).spec;
    await client.build(spec, 1);
    // Images trained since `since` (the time of an earlier `steps` news), in the current warm-up
    // window (`warming`) or in the measurement.
    let since = null;
    let images = 0;
    let warming = true;
    let windows = 0;
    let previous = null;
    const measured = new Promise((resolve, reject) => {
      client.on('steps', ({ steps }) => {
        const now = performance.now();
        if (since === null) {
          // The first news: the run (and its helpers) is up; the first window starts here.
          since = now;
          return;
        }
        images += steps.reduce((sum, step) => sum + step.batch.size, 0);
        const elapsed = now - since;
        if (warming && elapsed >= WARMUP_WINDOW_SECONDS * 1000) {
          const rate = (images * 1000) / elapsed;
          windows += 1;
          warming = previous === null || Math.abs(rate - previous) > 0.1 * previous;
          warming = warming && windows < warmupWindows;
          previous = rate;
          since = now;
          images = 0;
        } else if (!warming && elapsed >= seconds * 1000) {
          resolve((images * 1000) / elapsed);
        }
      });
      client.once('training-ended', () => reject(new Error('the run ended before the measurement')));
      client.once('training-error', (error) => reject(new Error(`training: ${error.message}`)));
    });
    await client.train({ ...defaults, batch_size: batch, epochs: 1 }, TRAIN_SIZE, workers);
    const rate = await measured;
    await client.stop();
    return rate;
  } finally {
    client.worker.terminate();
  }
}
