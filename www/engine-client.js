// The page's only link to the engine's Web Worker (worker.js): requests as promises, and the
// worker's unprompted news (`ready`, `mnist-progress`, `steps`, `training-ended`, …) as events.
//
// When the engine crashes (a Rust panic or out of memory: the worker's `crashed` news), the
// client terminates that worker — its data-parallel helpers end with it —, rejects the requests
// in flight with the crash report, tells its listeners (`crashed`) and starts a new worker,
// announced as `restarted` once its engine is ready. The listeners stay: the page keeps its
// state and rebuilds the engine's from it. Only one worker is ever alive, and news from a
// terminated one is dropped.

/** Crashes in a row, each before the new worker had loaded its data, after which the client
 * stops restarting (the engine would crash again) and reports a `fatal` error instead. */
const MAX_EARLY_CRASHES = 2;

/** A promise/event API over the worker's postMessage protocol. */
export class EngineClient {
  /** `startWorker()`: starts the engine worker (engine-files.js's `startEngineWorker` on the
   * page's current dataset); called again for each restart after a crash. */
  constructor(startWorker) {
    this.startWorker = startWorker;
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = new Map();
    /** Workers started after a crash (read by the tests). */
    this.restarts = 0;
    this.earlyCrashes = 0;
    this.start();
  }

  /** Starts a worker; `ready` resolves with its `ready` news. */
  start() {
    const worker = this.startWorker();
    this.worker = worker;
    this.dataLoaded = false;
    this.ready = new Promise((resolve) => this.once('ready', resolve));
    worker.onmessage = ({ data }) => {
      if (worker === this.worker) this.receive(data);
    };
    worker.onerror = (event) => {
      if (worker !== this.worker) return;
      this.emit('fatal', { code: 'internal', message: event.message || 'the engine worker failed to start' });
    };
  }

  /** Replaces the crashed worker (see the top of this file). */
  restartAfterCrash(report) {
    this.worker.terminate();
    const requests = [...this.pending.values()];
    this.pending.clear();
    for (const request of requests) request.reject(report);
    this.earlyCrashes = this.dataLoaded ? 0 : this.earlyCrashes + 1;
    this.emit('crashed', report);
    if (this.earlyCrashes >= MAX_EARLY_CRASHES) {
      this.emit('fatal', report);
      return;
    }
    this.restarts += 1;
    this.start();
    this.ready.then((data) => this.emit('restarted', data));
  }

  /** Routes one message from the worker: an event to its listeners, a reply to its request. */
  receive(message) {
    if (message.event === 'crashed') {
      this.restartAfterCrash(message.data);
      return;
    }
    if (message.event === 'mnist-ready') this.dataLoaded = true;
    if (message.event) {
      this.emit(message.event, message.data);
      return;
    }
    const request = this.pending.get(message.id);
    if (!request) return;
    this.pending.delete(message.id);
    if ('error' in message) request.reject(message.error);
    else request.resolve(message.result);
  }

  /** Calls `method` in the worker once the engine is loaded; rejects with the engine's error
   * object `{code, message, layer, field}`. */
  async call(method, args = {}) {
    await this.ready;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, method, args });
    });
  }

  /** Calls `listener(data)` on every `event` from the worker. */
  on(event, listener) {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event).add(listener);
  }

  /** Calls `listener(data)` on the next `event` only. */
  once(event, listener) {
    const wrapper = (data) => {
      this.listeners.get(event).delete(wrapper);
      listener(data);
    };
    this.on(event, wrapper);
  }

  /** Calls the listeners of `event`. */
  emit(event, data) {
    for (const listener of [...(this.listeners.get(event) || [])]) listener(data);
  }

  /** Checks a model spec: the architecture view (shapes, params, formulas, summary text). */
  check(spec) {
    return this.call('check', { spec: JSON.stringify(spec) });
  }

  /** The size guard's estimate for training `spec` with `config` on `trainImages` images:
   * `{total_bytes, total_text, budget_text, seconds_per_epoch, layers, error, …}`. */
  estimate(spec, config, trainImages) {
    return this.call('estimate', { spec: JSON.stringify(spec), config, trainImages });
  }

  /** Builds the model with fresh weights from `seed`. */
  build(spec, seed) {
    return this.call('build', { spec: JSON.stringify(spec), seed });
  }

  /** Starts training the built model; resolves with `{batches_per_epoch}` once it has begun. */
  train(config, trainSize, workers = 1) {
    return this.call('train', { config, trainSize, workers });
  }

  /** Asks the run to stop after the batch in progress. */
  stop() {
    return this.call('stop', { clickedAt: performance.timeOrigin + performance.now() });
  }

  /** Prediction, feature maps and kernels for test image `index`. */
  inspect(index) {
    return this.call('inspect', { index });
  }

  /** The model `spec` with the training settings `config` as tf.keras Python in `style`
   * (`functional` or `sequential`), loading `dataset`. */
  exportKeras(spec, config, style, dataset) {
    return this.call('exportKeras', { spec: JSON.stringify(spec), training: config, style, dataset });
  }

  /** The architecture view of the model pasted Keras code defines; rejects with
   * `{code: 'keras.parse', line, column, message}`. */
  importKeras(source) {
    return this.call('importKeras', { source });
  }

  /** Replaces the model with a TensorFlow.js model: model.json text and `shards` (manifest
   * path → Uint8Array); resolves with its architecture view. */
  loadModel(modelJson, shards, seed) {
    return this.call('loadModel', { modelJson, shards, seed });
  }

  /** The model as TensorFlow.js files: `{modelJson, weights}` (weights a Uint8Array). */
  saveModel() {
    return this.call('saveModel');
  }

  /** `{loss, accuracy}` of the model on the test set. */
  evaluate(loss) {
    return this.call('evaluate', { loss });
  }

  /** Switches the data to `name` (`mnist`, `fashion-mnist`); progress and readiness arrive as
   * the `mnist-progress` and `mnist-ready` events. */
  loadDataset(name) {
    return this.call('loadDataset', { name });
  }
}
