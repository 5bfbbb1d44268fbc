// The engine's Web Worker: it owns the wasm instance, the MNIST data and the model, and trains
// one batch per task, so that a Stop (or any other request) is handled between two batches. The
// page never runs the engine on its main thread.
//
// Protocol (see engine-client.js): requests `{id, method, args}` are answered `{id, result}` or
// `{id, error}`; unprompted news is sent as `{event, data}`.

import init, { checkModel, estimateTraining, presets, defaultTrainingConfig, exportKeras, importKeras, crashForTest, Playground } from '../pkg/convlab.js';
import { labMethods, reportGradients } from './lab-worker.js';
import { startHelperWorker, requestedDataset, testHooksRequested, engineWasm, datasetFiles } from './engine-files.js';
import { TEST_IMAGES } from './edition.js';
import { crashReport } from './engine-crash.js';

/** The page hears about trained batches at most this often (one message per batch would be
 * wasted work for fast models). */
const REPORT_EVERY_MS = 50;

/** Images/s is averaged over this much recent wall-clock time. */
const SPEED_WINDOW_MS = 2000;

let playground = null;
let mnistReady = false;
/** The four MNIST files as loaded, kept to start data-parallel helpers without a download. */
let mnistFiles = null;
/** The architecture view of the model built last (kernel shapes for the filters view). */
let builtView = null;
/** The run in progress: `{loss, stopRequested, stopClickedAt, crashForTest}`, or null. */
let run = null;
/** The crash report once the engine has trapped (engine-crash.js), else null. The wasm instance
 * is dead then: every request is refused with it, and the page replaces this worker. */
let crash = null;

/** Pages opened with `?test-hooks` (the crash test) may crash the engine on purpose. */
const TEST_HOOKS = testHooksRequested();
/** The arithmetic rate (FLOP/s) the last run reached, for the time estimates; 0 until a run
 * has ended (the engine then assumes its documented default). */
let measuredFlopsPerSecond = 0;

/** Sends unprompted news to the page. */
function post(event, data) {
  self.postMessage({ event, data });
}

/** Engine errors are plain objects `{code, message, layer, field}`; anything else becomes one. */
function asEngineError(error) {
  if (error && typeof error === 'object' && 'message' in error && 'code' in error) return error;
  return { code: 'internal', message: String(error && error.message ? error.message : error), layer: null, field: null };
}

/** True when `error` is the engine's death (a wasm trap: a panic or out of memory). The first
 * time, the run in progress ends with the crash as its `training-error` and the page hears
 * `crashed`, after which it terminates this worker. */
function engineCrashed(error) {
  if (crash) return true;
  const report = crashReport(error);
  if (!report) return false;
  crash = report;
  if (run) {
    run = null;
    post('training-error', report);
  }
  post('crashed', report);
  return true;
}

// A trap outside every try (a promise chain, a timer) is still a crash to report.
self.addEventListener('error', (event) => {
  if (engineCrashed(event.error)) event.preventDefault();
});
self.addEventListener('unhandledrejection', (event) => {
  if (engineCrashed(event.reason)) event.preventDefault();
});

/** An error of the worker's own, in the engine's shape (`code` as `ConvlabError::code`). */
function workerError(code, message) {
  return { code, message, layer: null, field: null };
}

/** Resolves after the messages already queued for this worker have been handled. A
 * MessageChannel round trip is not clamped like a nested setTimeout. */
function yieldToMessages() {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/** The datasets the page offers (www/datasets.js): each is four idx files (engine-files.js). */
const DATASETS = ['mnist', 'fashion-mnist'];

/** The dataset the page asked for when it started this worker. */
const FIRST_DATASET = DATASETS.find((name) => name === requestedDataset()) || 'mnist';

/** Counts dataset loads, so a load overtaken by a newer choice drops its result. */
let datasetLoads = 0;
/** Cancels the download in progress (a newer choice overtakes it: the last choice wins). */
let cancelLoad = new AbortController();

/** Loads the four files of `dataset` (MNIST's layout) with progress events and hands them to
 * the engine, which gunzips and checks them. The news names the dataset it is about. An
 * overtaken load is cancelled and ends quietly. */
async function loadMnist(dataset = FIRST_DATASET) {
  const load = ++datasetLoads;
  cancelLoad.abort();
  cancelLoad = new AbortController();
  let lastPost = 0;
  let files;
  try {
    files = await datasetFiles(dataset, cancelLoad.signal, (loaded, total) => {
      const now = performance.now();
      if (load !== datasetLoads) return;
      if (now - lastPost > 100 || loaded === total) {
        lastPost = now;
        post('mnist-progress', { dataset, loaded, total });
      }
    });
  } catch (error) {
    if (load !== datasetLoads) return;
    throw error;
  }
  if (load !== datasetLoads) return;
  post('mnist-progress', { dataset, loaded: 1, total: 1, unpacking: true });
  const sizes = playground.loadMnist(...files);
  mnistFiles = files;
  mnistReady = true;
  post('mnist-ready', { ...sizes, dataset });
}

/** Loads `dataset`; a failure is reported as `mnist-error` naming it (a crash as a crash). */
function startLoading(dataset) {
  loadMnist(dataset).catch((error) => {
    if (!engineCrashed(error)) post('mnist-error', { ...asEngineError(error), dataset });
  });
}

/** A reply whose typed arrays move to the page instead of being copied. */
class Transfer {
  constructor(result, buffers) {
    this.result = result;
    this.buffers = buffers;
  }
}

/** Everything the feature-map and prediction views show for test image `index`. */
function inspect(index) {
  const probabilities = playground.predict(index);
  const maps = playground.featureMaps(index).map((map) => ({
    ...map,
    values: playground.layerOutput(map.layer),
  }));
  const kernels = (builtView ? builtView.layers : [])
    .filter((layer) => layer.class_name === 'Conv2D')
    .map((layer) => ({
      layer: layer.index,
      name: layer.name,
      // Keras kernel layout [kernel_height, kernel_width, input_channels, filters].
      shape: [
        layer.output_size[0].window,
        layer.output_size[1].window,
        layer.input_shape[2],
        layer.output_shape[2],
      ],
      values: playground.kernel(layer.index),
    }));
  const result = {
    index,
    image: playground.testImage(index),
    label: playground.testLabel(index),
    probabilities,
    maps,
    kernels,
  };
  return new Transfer(result, [result.image.buffer, probabilities.buffer,
    ...maps.map((m) => m.values.buffer), ...kernels.map((k) => k.values.buffer)]);
}

/** A helper worker with a promise for its next answer (its answers come in request order). */
class Helper {
  constructor() {
    this.worker = startHelperWorker();
    this.waiting = [];
    this.worker.onmessage = ({ data }) => {
      const next = this.waiting.shift();
      if (!next) return;
      if (data.type === 'error') next.reject(data.error);
      else next.resolve(data);
    };
    this.worker.onerror = (event) => {
      event.preventDefault();
      for (const next of this.waiting.splice(0)) next.reject({ code: 'internal', message: `a training helper failed: ${event.message}` });
    };
  }

  /** Sends `message` and resolves with the helper's answer. */
  ask(message, transfer = []) {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.worker.postMessage(message, transfer);
    });
  }

  /** Sends `message` that has no answer (the helper answers only when it fails). */
  tell(message) {
    this.worker.postMessage(message);
  }

  terminate() {
    this.worker.terminate();
  }
}

/** Starts `count` helpers holding copies of the run just started (same data, weights and
 * settings), so they can share its batches. */
async function startHelpers(count, config, trainSize) {
  const start = {
    type: 'start',
    mnist: mnistFiles,
    spec: JSON.stringify(builtView.spec),
    weights: playground.weightsFlat(),
    config: JSON.stringify(config),
    trainSize,
  };
  const helpers = Array.from({ length: count }, () => new Helper());
  try {
    await Promise.all(helpers.map((helper) => helper.ask(start)));
  } catch (error) {
    helpers.forEach((helper) => helper.terminate());
    throw error;
  }
  return helpers;
}

/** One data-parallel step: every worker computes the gradients of its shard of the batch; the
 * sums (each shard's mean gradient weighted by its size) are divided by the batch size and every
 * copy applies the same update. Returns the step as `trainBatches(1)` does. */
async function parallelStep(helpers) {
  const shards = helpers.length + 1;
  const answers = helpers.map((helper, k) => helper.ask({ type: 'compute', shard: k + 1, shards }));
  const total = playground.computeGradients(0, shards);
  const grads = playground.readGradients(total.size);
  for (const { stats, grads: part } of await Promise.all(answers)) {
    for (let i = 0; i < grads.length; i++) grads[i] += part[i];
    total.loss_sum += stats.loss_sum;
    total.correct += stats.correct;
    total.size += stats.size;
  }
  const scale = 1 / total.size;
  for (let i = 0; i < grads.length; i++) grads[i] *= scale;
  for (const helper of helpers) helper.tell({ type: 'apply', grads, stats: total });
  return [playground.applyGradients(grads, total)];
}

/** Trains one batch at a time until the run ends or Stop arrives, handling the messages queued
 * in between, so Stop takes effect after at most the batch in progress. Reports the batches at
 * most every REPORT_EVERY_MS. */
async function trainLoop(currentRun) {
  let helpers = [];
  if (currentRun.workers > 1) {
    try {
      helpers = await startHelpers(currentRun.workers - 1, currentRun.config, currentRun.trainSize);
    } catch (error) {
      if (engineCrashed(error)) return;
      playground.stopTraining();
      run = null;
      post('training-error', asEngineError(error));
      return;
    }
  }
  const started = performance.now();
  const recent = []; // [{start, end, images}] of the batches in the speed window
  let pending = [];
  let lastReport = started;
  let previousEnd = started;
  let imagesTotal = 0;
  const batchEnds = []; // end times of the last batches, to count those after a Stop click
  const report = () => {
    const last = recent[recent.length - 1];
    const windowMs = last.end - recent[0].start;
    const windowImages = recent.reduce((sum, batch) => sum + batch.images, 0);
    post('steps', {
      steps: pending,
      images_per_second: windowMs > 0 ? (windowImages * 1000) / windowMs : 0,
    });
    reportGradients(playground, post, pending[pending.length - 1].batch);
    pending = [];
    lastReport = last.end;
  };
  let diverged = null;
  while (!currentRun.stopRequested) {
    let steps;
    try {
      // The crash test's forced crash happens where a real engine panic would: in a step.
      if (currentRun.crashForTest) crashForTest(currentRun.crashForTest);
      steps = helpers.length > 0 ? await parallelStep(helpers) : playground.trainBatches(1);
    } catch (error) {
      if (error && error.code === 'training.diverged') {
        // The engine stopped the run and kept the last good weights: end it like any other.
        diverged = error;
        break;
      }
      helpers.forEach((helper) => helper.terminate());
      if (engineCrashed(error)) return;
      playground.stopTraining();
      run = null;
      post('training-error', asEngineError(error));
      return;
    }
    const end = performance.now();
    const images = steps.reduce((sum, step) => sum + step.batch.size, 0);
    imagesTotal += images;
    recent.push({ start: previousEnd, end, images });
    previousEnd = end;
    batchEnds.push(end);
    if (batchEnds.length > 1000) batchEnds.shift();
    while (recent.length > 1 && end - recent[0].start > SPEED_WINDOW_MS) recent.shift();
    pending.push(...steps);
    const finished = !playground.isTraining();
    if (finished || end - lastReport >= REPORT_EVERY_MS || steps.some((step) => step.epoch)) report();
    if (finished) break;
    await yieldToMessages();
  }
  if (pending.length > 0) report();
  helpers.forEach((helper) => helper.terminate());
  const stopped = currentRun.stopRequested;
  playground.stopTraining();
  const ended = performance.now();
  const history = playground.history();
  run = null;
  const seconds = (ended - started) / 1000;
  if (seconds > 0.5 && imagesTotal > 0) {
    measuredFlopsPerSecond = (imagesTotal / seconds) * currentRun.trainingFlops;
  }
  post('training-ended', {
    reason: diverged ? 'diverged' : stopped ? 'stopped' : (history && history.stopped_epoch != null ? 'early_stopping' : 'completed'),
    diverged,
    best_epoch: history ? history.best_epoch : null,
    stopped_epoch: history ? history.stopped_epoch : null,
    seconds: (ended - started) / 1000,
    images_per_second: ended > started ? (imagesTotal * 1000) / (ended - started) : 0,
    // From the Stop click to the end of the run, and the batches that finished in between
    // (the one in progress at the click): Stop's promise is "within one batch".
    stop_latency_ms: stopped ? ended - currentRun.stopClickedAt : null,
    batches_after_stop: stopped ? batchEnds.filter((end) => end >= currentRun.stopClickedAt).length : null,
  });
  post('evaluating', { images: TEST_IMAGES });
  await yieldToMessages();
  try {
    post('test-result', playground.evaluateTest(TEST_IMAGES, currentRun.loss));
  } catch (error) {
    if (!engineCrashed(error)) post('test-result', { error: asEngineError(error) });
  }
}

/** The request handlers; each returns its result (a `Transfer` to move typed arrays). */
const methods = {
  check({ spec }) {
    return checkModel(spec);
  },

  /** The size guard's estimate for training `spec` with `config` on `trainImages` images, timed
   * at the rate the last run reached. */
  estimate({ spec, config, trainImages }) {
    return estimateTraining(spec, JSON.stringify(config), trainImages, measuredFlopsPerSecond);
  },

  build({ spec, seed }) {
    if (run) throw workerError('setting.state', 'training is running; press Stop first');
    builtView = playground.buildModel(spec, BigInt(seed));
    return builtView;
  },

  train({ config, trainSize, workers = 1 }) {
    if (run) throw workerError('setting.state', 'training is already running');
    if (!mnistReady) throw workerError('data.missing', 'MNIST is not loaded yet; wait for the download to finish');
    const info = playground.startTraining(JSON.stringify(config), trainSize);
    const trainingFlops = estimateTraining(JSON.stringify(builtView.spec), JSON.stringify(config), trainSize, 0).training_flops;
    run = { trainingFlops, loss: config.loss, config, trainSize, workers: Math.max(1, Math.min(8, Math.floor(workers) || 1)), stopRequested: false, stopClickedAt: 0, crashForTest: null };
    const currentRun = run;
    // Starts after this reply is sent, so the page knows the run began before its first steps.
    setTimeout(() => trainLoop(currentRun), 0);
    return info;
  },

  /** `clickedAt` is the page's `performance.timeOrigin + performance.now()` at the click. */
  stop({ clickedAt }) {
    if (run) {
      run.stopRequested = true;
      run.stopClickedAt = clickedAt ? clickedAt - performance.timeOrigin : performance.now();
    }
    return null;
  },

  inspect({ index }) {
    return inspect(index);
  },

  /** The model and training settings as tf.keras Python (`style`: functional or sequential). */
  exportKeras({ spec, training, style, dataset }) {
    return exportKeras(spec, JSON.stringify(training), style, dataset);
  },

  /** The model that pasted Keras code defines (the engine reads it; nothing is run). */
  importKeras({ source }) {
    return importKeras(source);
  },

  /** Replaces the model with a TensorFlow.js model (`shards`: manifest path → bytes). */
  loadModel({ modelJson, shards, seed }) {
    if (run) throw workerError('setting.state', 'training is running; press Stop first');
    builtView = playground.loadModel(modelJson, shards, BigInt(seed));
    return builtView;
  },

  /** The model as TensorFlow.js files: `{modelJson, weights}`. */
  saveModel() {
    const weights = playground.modelWeights();
    return new Transfer({ modelJson: playground.modelJson(), weights }, [weights.buffer]);
  },

  /** Loss and accuracy of the model on the test set (`loss`: the Keras loss name). */
  evaluate({ loss }) {
    return playground.evaluateTest(TEST_IMAGES, loss);
  },

  /** Replaces the data with `name`'s; answers at once, then sends the download's progress and
   * `mnist-ready` (or `mnist-error`) as for the first dataset. */
  loadDataset({ name }) {
    if (run) throw workerError('setting.state', 'training is running; press Stop first');
    if (!DATASETS.includes(name)) throw workerError('data.missing', `there is no dataset '${name}'`);
    mnistReady = false;
    mnistFiles = null;
    startLoading(name);
    return null;
  },
};

if (TEST_HOOKS) {
  /** The crash test's hook (`kind`: `panic` or `out_of_memory`, src/wasm_crash.rs): during a run
   * the engine crashes in its next step; otherwise at once. */
  methods.crashForTest = ({ kind }) => {
    if (run) run.crashForTest = kind;
    else crashForTest(kind);
    return null;
  };
}

// The teaching lab's requests (lab-worker.js).
Object.assign(methods, labMethods(() => playground));

self.onmessage = ({ data }) => {
  const { id, method, args } = data;
  if (crash) {
    self.postMessage({ id, error: crash });
    return;
  }
  try {
    const value = methods[method](args || {});
    if (value instanceof Transfer) {
      self.postMessage({ id, result: value.result }, value.buffers);
    } else {
      self.postMessage({ id, result: value });
    }
  } catch (error) {
    self.postMessage({ id, error: engineCrashed(error) ? crash : asEngineError(error) });
  }
};

/** Loads the engine, announces it with the presets and defaults, then downloads MNIST. */
async function start() {
  const started = performance.now();
  await init({ module_or_path: engineWasm() });
  playground = new Playground();
  post('ready', {
    presets: presets(),
    default_training_config: defaultTrainingConfig(),
    wasm_ms: performance.now() - started,
  });
  startLoading(FIRST_DATASET);
}

start().catch((error) => post('fatal', asEngineError(error)));
