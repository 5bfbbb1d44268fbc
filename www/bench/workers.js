// Data-parallel training as the playground runs it: the page's engine worker (www/worker.js) as
// the lead, with `workers − 1` helpers (www/train-helper.js) sharing each batch, on real MNIST.
// The bench page runs this on its main thread, as the playground's page does, once with one
// worker and once with two, so the ratio of the two figures is what the split gains.

import { EngineClient } from '../engine-client.js';

/** Images of MNIST to train on: more than a run of the measurement needs, so no epoch ends. */
const TRAIN_SIZE = 60000;

/** Seconds of training before the measurement: engine start-up, helpers, wasm tier-up. */
const WARMUP_SECONDS = 5;

/**
 * Trains `preset` with batches of `batch` on `workers` workers for `seconds` after a warm-up
 * and resolves with the images per second, counted from the lead worker's `steps` news.
 */
export async function dataParallelRate(preset, batch, workers, seconds) {
  const client = new EngineClient(new URL('../worker.js', import.meta.url));
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
    let started = null;
    let images = 0;
    let last = 0;
    const measured = new Promise((resolve, reject) => {
      client.on('steps', ({ steps }) => {
        const now = performance.now();
        if (started === null) {
          // The first news: the run (and its helpers) is up; the warm-up starts here.
          started = now + WARMUP_SECONDS * 1000;
          last = now;
          return;
        }
        if (now < started) {
          last = now;
          return;
        }
        images += steps.reduce((sum, step) => sum + step.batch.size, 0);
        if (now - started >= seconds * 1000) resolve((images * 1000) / (now - last));
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
