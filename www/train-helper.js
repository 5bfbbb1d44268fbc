// A helper of data-parallel training. The lead worker (worker.js) starts one per extra core; each
// holds its own wasm engine with the same data, model weights and settings as the lead, computes
// the gradients of its shard of every batch, and applies the combined gradients the lead sends
// back — so every copy of the model stays identical without SharedArrayBuffer.
//
// Messages from the lead: {type: 'start', mnist, spec, weights, config, trainSize} → {type: 'started'};
// {type: 'compute', shard, shards} → {type: 'computed', stats, grads}; {type: 'apply', grads, stats}.
// Any failure answers {type: 'error', error} (a crash of this helper's engine: its crash report).

import init, { Playground } from '../pkg/convlab.js';
import { engineWasm } from './engine-files.js';
import { crashReport } from './engine-crash.js';

let playground = null;

/** Engine errors are plain objects `{code, message}`; anything else becomes one. */
function asEngineError(error) {
  if (error && typeof error === 'object' && 'message' in error && 'code' in error) return error;
  return { code: 'internal', message: String(error && error.message ? error.message : error), layer: null, field: null };
}

const handlers = {
  async start({ mnist, spec, weights, config, trainSize }) {
    await init({ module_or_path: engineWasm() });
    playground = new Playground();
    playground.loadMnist(...mnist);
    playground.buildModel(spec, 0n);
    playground.setWeightsFlat(weights);
    playground.startTraining(config, trainSize);
    self.postMessage({ type: 'started' });
  },

  compute({ shard, shards }) {
    const stats = playground.computeGradients(shard, shards);
    const grads = playground.readGradients(stats.size);
    self.postMessage({ type: 'computed', stats, grads }, [grads.buffer]);
  },

  apply({ grads, stats }) {
    playground.applyGradients(grads, stats);
  },
};

self.onmessage = async ({ data }) => {
  try {
    await handlers[data.type](data);
  } catch (error) {
    // A trap kills this helper's engine: the lead ends the run with the helper's crash report.
    self.postMessage({ type: 'error', error: crashReport(error) || asEngineError(error) });
  }
};
