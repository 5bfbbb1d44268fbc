// Wiring: connects the panels to the engine worker. The main thread only renders: every
// request goes to the worker through EngineClient, and drawing waits for the next animation
// frame, so a burst of training news costs one redraw.

import { EngineClient } from './engine-client.js';
import { Builder } from './builder.js';
import { SummaryView } from './summary.js';
import { TrainingPanel, withKernelRegularizer } from './training-panel.js';
import { LineChart, smooth } from './charts.js';
import { FeatureMapsView } from './feature-maps.js';
import { PredictionView } from './prediction.js';
import { StatusLine } from './status.js';
import { t, getLanguage, setLanguage, onLanguageChange, translateStatic, formatNumber, formatPercent, formatShape, engineMessage } from './i18n.js';
import { KerasCodePanel } from './keras-code.js';
import { SharePanel } from './share-panel.js';
import { Notices } from './notices.js';
import { readModelFiles, downloadModel, acceptDroppedFiles } from './model-files.js';
import { encodeSetup, decodeSetup, checkSetup, canonicalSetup, hidingCss } from './share-link.js';
import { SavedWork, SAVED, MAX_RUNS } from './storage.js';
import { DEFAULT_DATASET, datasetTitle } from './datasets.js';
import { Lab } from './lab.js';
import { startEngineWorker } from './engine-files.js';
import { SINGLE_FILE, DATASETS_HERE, TRAIN_IMAGES, TEST_IMAGES } from './edition.js';
import { RunPhase } from './run-phase.js';

/** Weight of TensorBoard-style smoothing of the per-batch curves. */
const SMOOTHING = 0.9;
/** A model edit waits this long for the next keystroke before the worker rebuilds the model. */
const REBUILD_DELAY_MS = 250;
/** The preset the page opens with. */
const FIRST_PRESET = 'seed-cnn';

/** The series colours, from style.css (the HTML legend uses the same variables). */
function seriesColors() {
  const style = getComputedStyle(document.documentElement);
  const color = (name) => style.getPropertyValue(name).trim();
  return { train: color('--series-train'), trainRaw: color('--series-train-raw'),
    validation: color('--series-validation'), best: color('--series-best') };
}

/** The setup in the URL when the page opened: `{setup}` (null when there is none) or `{error}`
 * (a LinkError) for a link that cannot be used. */
const openingLink = (() => {
  try {
    return { setup: decodeSetup(location.hash) };
  } catch (error) {
    return { error };
  }
})();

/** The worker starts on the dataset of the link, so a Fashion-MNIST link downloads no MNIST (a
 * dataset this copy does not hold is refused with a notice when the link's setup is applied). */
const firstDataset = openingLink.setup && DATASETS_HERE.includes(openingLink.setup.dataset)
  ? openingLink.setup.dataset : DEFAULT_DATASET;

/** Starts the engine worker on the page's dataset (after a crash, the one chosen then). A page
 * opened with `?test-hooks` gives its worker the crash test's hook. */
function startWorker() {
  return startEngineWorker(state.dataset, new URLSearchParams(location.search).has('test-hooks'));
}

/** What the page is doing with the engine, and so what each button does (run-phase.js). */
const runPhase = new RunPhase();
const status = new StatusLine(document.getElementById('status'));

/** Everything the page knows; the views are redrawn from it. */
const state = {
  engineReady: false,
  mnist: null,
  mnistError: null,
  progress: { loaded: 0, total: 0 },
  spec: null,
  view: null,
  specError: null,
  checking: false,
  checkSequence: 0,
  builtKey: null,
  /** True while a run exists: starting, in progress, stopping or being tested (run-phase.js). */
  get training() {
    return runPhase.running;
  },
  /** A Reset clicked during a run: fresh weights once the run is over. */
  resetQueued: false,
  run: null,
  curves: { batches: [], epochs: [], best: null, end: 0 },
  inspectBusy: false,
  inspectAgain: false,
  /** The dataset chosen (`mnist`, `fashion-mnist`); `mnist` holds its sizes once loaded. The
   * worker's data news names its dataset: news about another one is stale and dropped. */
  dataset: firstDataset,
  /** The finished runs (saved in the browser): `[{finished, dataset, setup, curves, test, reason}]`. */
  runs: [],
  /** The test-set result of the model on screen, once evaluated. */
  test: null,
  /** False until the saved work or the link has been restored; nothing is saved before. */
  restored: false,
  /** Successful saves of each record since the page opened (read by the tests). */
  saves: { setup: 0, model: 0, runs: 0 },
};

/** Read by the end-to-end tests (timings, the last run's figures, and the engine client to ask
 * for predictions). */
const client = new EngineClient(startWorker);
window.convlab = { state, timings: {}, lastRun: null, client, runPhase, crashes: [] };

let builder;
let summary;
let panel;
let maps;
let prediction;
let lossChart;
let accuracyChart;
let keras;
let share;
const notices = new Notices(document.getElementById('notices'));
let lab;

// ---- rendering, once per animation frame ------------------------------------------------------

const dirty = new Set();
let frameRequested = false;

function scheduleRender(...parts) {
  for (const part of parts) dirty.add(part);
  if (frameRequested) return;
  frameRequested = true;
  requestAnimationFrame(() => {
    frameRequested = false;
    const parts = new Set(dirty);
    dirty.clear();
    if (parts.has('charts')) drawCharts();
    if (parts.has('progress')) drawProgress();
    if (parts.has('status')) drawStatus();
  });
}

function drawProgress() {
  const bar = document.getElementById('data-progress');
  const text = document.getElementById('data-progress-text');
  const { loaded, total } = state.progress;
  const label = document.getElementById('data-progress-label');
  if (state.mnistError) {
    bar.hidden = true;
    text.textContent = t('data.failed', dataParams({ message: engineMessage(state.mnistError.message) }));
    return;
  }
  if (state.mnist) {
    bar.hidden = true;
    label.hidden = true;
    text.textContent = t('data.ready', dataParams({ train: formatNumber(state.mnist.train), test: formatNumber(state.mnist.test) }));
    return;
  }
  bar.hidden = false;
  label.hidden = false;
  // A host that compresses on the fly can deliver more bytes than its Content-Length says.
  const fraction = total ? Math.min(1, loaded / total) : 0;
  bar.max = 1;
  bar.value = fraction;
  text.textContent = total ? formatPercent(fraction, 0) : '';
}

function drawStatus() {
  if (state.training && state.run && state.run.progress) {
    status.training(state.run.progress);
  }
}

function drawCharts() {
  const { batches, epochs, best } = state.curves;
  const colors = seriesColors();
  for (const [chart, key] of [[lossChart, 'loss'], [accuracyChart, 'accuracy']]) {
    const raw = batches.map((b) => [b.x, b[key]]);
    chart.setSeries([
      { points: raw, color: colors.trainRaw, width: 1 },
      { points: smooth(raw, SMOOTHING), color: colors.train, width: 2 },
      { points: epochs.map((e) => [e.x, e[key]]), color: colors.train, width: 3, dots: true },
      { points: epochs.filter((e) => e[`val_${key}`] != null).map((e) => [e.x, e[`val_${key}`]]),
        color: colors.validation, width: 3, dots: true, dash: [8, 5] },
    ]);
    chart.setMarker(best ? { x: best.x, label: t('chart.best', { epoch: best.epoch }), color: colors.best } : null);
    chart.setOptions({ xLabel: t('chart.x'), emptyText: t('chart.empty') });
    chart.draw();
  }
}

// ---- model checks and builds ----------------------------------------------------------------------

/** The spec the engine gets: the builder's layers with the panel's L1/L2 regularizer. */
function effectiveSpec() {
  return withKernelRegularizer(builder.spec(), panel.regularization());
}

/** Identifies the model the worker holds: a different key means fresh weights are needed. */
function modelKey() {
  return JSON.stringify({ spec: effectiveSpec(), seed: panel.seed() });
}

async function checkModel() {
  const sequence = ++state.checkSequence;
  state.checking = true;
  updateTrainButton();
  let view = null;
  let error = null;
  try {
    view = await client.check(effectiveSpec());
  } catch (engineError) {
    error = engineError;
  }
  if (sequence !== state.checkSequence) return;
  const wasInvalid = Boolean(state.specError);
  state.checking = false;
  state.view = view;
  state.specError = error;
  builder.showCheck(view, error);
  summary.show(view, error);
  lab.modelChecked(view);
  updateTrainButton();
  if (!window.convlab.timings.builderReady) {
    window.convlab.timings.builderReady = performance.now();
  }
  refreshKerasCode();
  refreshEstimate();
  if (view) {
    scheduleRebuild();
    if (wasInvalid && modelKey() === state.builtKey) refreshInspection();
  } else {
    maps.setEnabled(false);
    maps.showMessage('maps.none');
    prediction.showMessage('prediction.invalid');
  }
}

let estimateSequence = 0;

/** Asks the engine's size guard how long an epoch of the model on screen takes and how much
 * memory training it needs, for the summary panel. */
async function refreshEstimate() {
  const sequence = ++estimateSequence;
  let estimate = null;
  if (state.view && !panel.unreadable()) {
    try {
      estimate = await client.estimate(effectiveSpec(), panel.config(), panel.trainSize());
    } catch {
      // A setting the engine cannot read: the training panel says which when Train is pressed.
    }
  }
  if (sequence === estimateSequence) summary.showEstimate(estimate);
}

let rebuildTimer = null;

/** After an edit, the worker builds the edited model (fresh weights) so the feature maps and the
 * prediction always belong to the model on screen. */
function scheduleRebuild() {
  clearTimeout(rebuildTimer);
  rebuildTimer = setTimeout(() => {
    if (!runPhase.busy && state.view && !panel.unreadable() && modelKey() !== state.builtKey) {
      ensureModel().catch(showFailure);
    }
  }, REBUILD_DELAY_MS);
}

/** The model builds in flight, one after another: a Reset's build and a Train's check of the
 * built key never interleave. */
let modelWork = Promise.resolve();

/** Builds the model unless the worker already holds this one; then clears the old run's views.
 * Resolves with whether it built. */
function ensureModel({ fresh = false } = {}) {
  const build = async () => {
    const key = modelKey();
    if (!fresh && key === state.builtKey) return false;
    clearTimeout(rebuildTimer);
    await client.build(effectiveSpec(), panel.seed());
    state.builtKey = key;
    lab.modelBuilt();
    showNewModel();
    return true;
  };
  const done = modelWork.then(build, build);
  modelWork = done.catch(() => {});
  return done;
}

/** The worker holds a model it did not hold before (built or opened): the curves and the test
 * result were another model's, so they go, and the views show the new one. */
function showNewModel() {
  state.curves = { batches: [], epochs: [], best: null, end: 0 };
  state.test = null;
  prediction.showTest(null);
  scheduleRender('charts');
  refreshInspection();
  updateTrainButton();
}

/** Reset: fresh weights now, or, during a run, Stop now and fresh weights once it is over. */
function reset() {
  if (runPhase.phase === 'restarting') return;
  if (runPhase.running) {
    state.resetQueued = true;
    stop();
    return;
  }
  ensureModel({ fresh: true }).then(() => status.say(state.mnist ? 'status.idle' : 'status.loading_data', dataParams({ percent: '' })), showFailure);
}

/** Stop: asks the run to end after the batch in progress (once, however often it is clicked). */
function stop() {
  if (runPhase.phase !== 'training') return;
  runPhase.to('stopping');
  updateTrainButton();
  client.stop();
}

/** The run is over (tested, failed or could not start): back to idle, then a queued Reset. */
function runOver() {
  runPhase.to('idle');
  updateTrainButton();
  if (state.resetQueued) {
    state.resetQueued = false;
    reset();
  }
}

// ---- training ---------------------------------------------------------------------------------------

function updateTrainButton() {
  if (!panel || !builder) return;
  let reason = '';
  if (runPhase.running) reason = t('reason.run_locks');
  else if (!state.engineReady) reason = t('reason.loading_engine');
  else if (state.specError) reason = t('reason.invalid_model');
  else if (!state.mnist) reason = t('reason.loading_data', dataParams());
  else if (panel.unreadable()) reason = t('reason.unreadable', { setting: panel.unreadable() });
  // While a check is on its way (a few milliseconds) Train waits without a message.
  const waiting = state.checking || !state.view;
  const busy = runPhase.busy;
  panel.setState({ training: busy, canTrain: !busy && !reason && !waiting, canStop: runPhase.phase === 'training',
    canReset: runPhase.phase !== 'restarting', reason });
  builder.setLocked(busy);
  keras.setLocked(busy);
  share.setState({ canDownload: Boolean(state.builtKey), locked: busy });
  document.getElementById('dataset').disabled = busy;
}

/** Trains the model on screen (with fresh weights when `fresh`, else continuing from the weights
 * it has); `tag` (`{key, params}`) names the run in the lab's run list. Resolves with whether the
 * run started. */
async function train({ fresh = false, tag = null } = {}) {
  // Train while anything else is going on is a no-op (the button is off; run-phase.js).
  if (runPhase.phase !== 'idle') return false;
  runPhase.to('training');
  panel.showError(null);
  updateTrainButton();
  status.say('status.starting');
  try {
    // Without a rebuild the run goes on from the weights the last run left.
    const continued = !(await ensureModel({ fresh })) && state.curves.end > 0;
    const config = panel.config();
    const info = await client.train(config, panel.trainSize(), panel.workers());
    state.run = {
      epochs: config.epochs,
      batchesPerEpoch: info.batches_per_epoch,
      offset: state.curves.end,
      batches: 0,
      progress: null,
    };
    // A Stop clicked while the run was starting found no run in the worker: it has one now.
    if (runPhase.phase === 'stopping') client.stop();
    prediction.showTest(null);
    lab.runStarted({ builderSpec: builder.spec(), spec: effectiveSpec(), values: { ...panel.values }, config, continued, tag });
    return true;
  } catch (error) {
    // A crash while starting: the restart puts the page right (onEngineCrashed).
    if (runPhase.phase === 'restarting') return false;
    panel.showError(error);
    status.say('status.idle');
    runOver();
    return false;
  }
}

/** Puts `spec` in the builder and `values` in the training panel, then trains with fresh weights
 * (the lab's race and overfitting setups); resolves, once the run is over and tested, with its
 * `training-ended` news, or null when it could not start or failed. */
async function trainSetup({ spec, values, tag = null }) {
  // A run being tested is over for the lab: its next run queues behind the test.
  if (runPhase.phase === 'testing') await runPhase.whenIdle();
  if (runPhase.busy) return null;
  builder.loadSpec(spec);
  panel.setValues(values);
  await checkModel();
  if (state.specError) return null;
  let ended = null;
  client.once('training-ended', (news) => { ended = news; });
  if (!(await train({ fresh: true, tag }))) return null;
  await runPhase.whenIdle();
  return ended;
}

/** A lab panel's model for the builder; refused with a notice during a run (run-phase.js). */
function loadLabSpec(spec) {
  if (runPhase.busy) {
    notices.show('busy', 'info', 'busy.model');
    return;
  }
  builder.loadSpec(spec);
}

function onSteps({ steps, images_per_second: speed }) {
  const run = state.run;
  if (!run) return;
  let epochEnded = false;
  for (const { batch, epoch } of steps) {
    const x = run.offset + batch.epoch + (batch.batch + 1) / batch.batches;
    state.curves.batches.push({ x, loss: batch.loss, accuracy: batch.accuracy });
    state.curves.end = x;
    run.batches += 1;
    run.progress = {
      epoch: batch.epoch + 1,
      epochs: run.epochs,
      batch: batch.batch + 1,
      batches: batch.batches,
      loss: batch.epoch_loss,
      accuracy: batch.epoch_accuracy,
      imagesPerSecond: speed,
    };
    if (epoch) {
      state.curves.epochs.push({ x: run.offset + epoch.epoch + 1, ...epoch });
      epochEnded = true;
    }
  }
  if (epochEnded) refreshInspection();
  scheduleRender('charts', 'status');
}

function onTrainingEnded(data) {
  const run = state.run;
  runPhase.to('testing');
  state.run = null;
  window.convlab.lastRun = { ...data, batches: run ? run.batches : 0, progress: run ? run.progress : null };
  if (run && data.best_epoch != null) {
    state.curves.best = { x: run.offset + data.best_epoch + 1, epoch: data.best_epoch + 1 };
  }
  const progress = run && run.progress;
  const params = {
    epochs: progress ? progress.epoch : 0,
    batches: formatNumber(run ? run.batches : 0),
    seconds: data.seconds.toFixed(1),
    speed: formatNumber(Math.round(data.images_per_second)),
    loss: progress ? progress.loss.toFixed(4) : '–',
    accuracy: progress ? formatPercent(progress.accuracy) : '–',
    stopped: data.stopped_epoch != null ? data.stopped_epoch + 1 : '–',
    best: data.best_epoch != null ? data.best_epoch + 1 : '–',
  };
  if (data.diverged) {
    params.epoch = data.diverged.epoch;
    params.batch = data.diverged.batch;
    panel.showError(data.diverged);
  }
  status.say(`status.ended.${data.reason}`, params);
  refreshEstimate();
  updateTrainButton();
  refreshInspection();
  scheduleRender('charts');
}

// ---- feature maps and prediction -------------------------------------------------------------------

/** Asks the worker for the picked image's prediction and feature maps; requests made while one
 * is in flight collapse into one more. */
async function refreshInspection() {
  if (!state.mnist || !state.builtKey) return;
  if (state.inspectBusy) {
    state.inspectAgain = true;
    return;
  }
  state.inspectBusy = true;
  try {
    const result = await client.inspect(maps.imageIndex());
    requestAnimationFrame(() => {
      maps.show(result);
      prediction.show(result);
    });
  } catch (error) {
    showFailure(error);
  } finally {
    state.inspectBusy = false;
    if (state.inspectAgain) {
      state.inspectAgain = false;
      refreshInspection();
    }
  }
  maps.setEnabled(true);
}

function showFailure(error) {
  // A request the crash cut short: the crash notice says what happened.
  if (error && error.code === 'crashed') return;
  status.say('status.failed', { message: engineMessage(error && error.message ? error.message : String(error)) });
}

// ---- Keras code -------------------------------------------------------------------------------------

let kerasSequence = 0;

/** Asks the engine for the current model and settings as Keras code (in the panel's style). */
async function refreshKerasCode() {
  if (!keras) return;
  const sequence = ++kerasSequence;
  if (!state.view || panel.unreadable()) {
    keras.showCode(null, state.specError || panel.unreadable() ? 'keras.export_invalid' : 'keras.export_waiting');
    return;
  }
  try {
    const code = await client.exportKeras(effectiveSpec(), panel.config(), keras.style(), state.dataset);
    if (sequence === kerasSequence) keras.showCode(code);
  } catch {
    if (sequence === kerasSequence) keras.showCode(null, 'keras.export_invalid');
  }
}

/** Why the page cannot take a model (`{problem, params}`), or null: it trains on 28×28×1
 * images in 10 classes. */
function pageProblem(view) {
  if (view.input_shape.join() !== '28,28,1') return { problem: 'model.input_shape', params: { shape: formatShape(view.input_shape) } };
  const last = view.layers[view.layers.length - 1];
  if (last.output_shape.join() !== '10') return { problem: 'model.output_shape', params: { shape: formatShape(last.output_shape) } };
  return null;
}

/** `value` with every float the engine sent as float32 (`0.200000002980232`) written as the
 * shortest decimal with the same float32 value (`0.2`), as the learner would type it. */
function tidyFloats(value) {
  if (Array.isArray(value)) return value.map(tidyFloats);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, tidyFloats(v)]));
  if (typeof value !== 'number' || Number.isInteger(value)) return value;
  for (let digits = 1; digits < 17; digits += 1) {
    const short = Number(value.toPrecision(digits));
    if (Math.fround(short) === Math.fround(value)) return short;
  }
  return value;
}

/** Reads pasted Keras code with the engine's parser and puts the model into the builder. */
async function importKerasCode(source) {
  if (runPhase.busy) {
    keras.showImport({ problem: 'busy.model' });
    return;
  }
  if (!source.trim()) {
    keras.showImport({ problem: 'keras.import_empty' });
    return;
  }
  let view;
  try {
    view = await client.importKeras(source);
  } catch (error) {
    keras.showImport({ error });
    return;
  }
  const problem = pageProblem(view);
  if (problem) {
    keras.showImport(problem);
    return;
  }
  builder.loadSpec(tidyFloats(view.spec));
  keras.showImport({ ok: view.layers.length });
}

// ---- models as files ---------------------------------------------------------------------------------

/** Downloads the model the worker holds as model.json and its weights file. */
async function downloadCurrentModel() {
  try {
    const weights = downloadModel(await client.saveModel());
    share.showFiles({ kind: 'good', key: 'files.saved', params: { weights } });
  } catch (error) {
    share.showFiles({ kind: 'error', key: 'files.failed', params: { message: engineMessage(error.message) } });
  }
}

/** Opens a TensorFlow.js model from chosen or dropped files: the builder shows its layers, the
 * worker holds its weights, and it is tested on the test set without training. */
async function openModelFiles(files) {
  const failed = (key, params) => share.showFiles({ kind: 'error', key, params });
  if (runPhase.busy) {
    failed('busy.model');
    return;
  }
  let model;
  try {
    model = await readModelFiles(files);
  } catch (error) {
    if (error.key) failed(error.key, error.params);
    else failed('files.failed', { message: engineMessage(error.message) });
    return;
  }
  share.showFiles({ kind: 'hint', key: 'files.opening', params: { name: model.name } });
  let view;
  try {
    view = await client.check(model.topology);
  } catch (error) {
    failed('files.failed', { message: engineMessage(error.message) });
    return;
  }
  const problem = pageProblem(view);
  if (problem) {
    failed(problem.problem, problem.params);
    return;
  }
  if (!(await loadWeights(model.modelJson, model.shards, failed, tidyFloats(view.spec)))) return;
  share.showFiles({ kind: 'good', key: 'files.loaded',
    params: { name: model.name, layers: view.layers.length, params: formatNumber(view.total_params) } });
  evaluateModel();
  saveModelRecord();
}

/** Loads a TensorFlow.js model into the worker; with `spec`, the builder then shows it (only
 * once the weights are in: refused files leave the builder and the worker's model as they were),
 * without, it is the model of the builder's current spec. No rebuild with fresh weights follows;
 * the curves are cleared. Resolves with whether it worked. */
async function loadWeights(modelJson, shards, failed, spec = null) {
  clearTimeout(rebuildTimer);
  const heldKey = state.builtKey;
  if (!spec) state.builtKey = modelKey();
  try {
    await client.loadModel(modelJson, shards, panel.seed());
  } catch (error) {
    state.builtKey = spec ? heldKey : null;
    failed('files.failed', { message: engineMessage(error.message) });
    scheduleRebuild();
    return false;
  }
  if (spec) {
    builder.loadSpec(spec);
    state.builtKey = modelKey();
  }
  showNewModel();
  return true;
}

/** The test-set loss and accuracy of the model the worker holds (once the data is there). */
async function evaluateModel() {
  if (!state.mnist) {
    state.evaluateWhenReady = true;
    return;
  }
  state.evaluateWhenReady = false;
  prediction.showTest({ state: 'evaluating', images: TEST_IMAGES });
  try {
    state.test = await client.evaluate(panel.config().loss);
    prediction.showTest({ state: 'done', images: TEST_IMAGES, ...state.test });
    saveModelRecord();
  } catch (error) {
    prediction.showTest(null);
    showFailure(error);
  }
}

// ---- the setup: links and saved work ------------------------------------------------------------

const savedWork = new SavedWork((problem) => {
  share.showStorage({ kind: 'error', key: `storage.${problem.kind}`, params: { message: engineMessage(problem.message) } });
});
window.convlab.savedWork = savedWork;

/** The whole setup, as a link carries it. */
function currentSetup() {
  return canonicalSetup({ dataset: state.dataset, model: builder.spec(), training: panel.settings(), ...share.teacherOptions() });
}

/** The hash this page last wrote (a different one means the learner opened another link). */
let writtenHash = location.hash;

function showSaved() {
  share.showStorage({ kind: 'good', key: 'storage.saved',
    params: { time: new Date().toLocaleTimeString(getLanguage() === 'ko' ? 'ko-KR' : 'en-GB'), runs: state.runs.length } });
}

let saveTimer = null;

/** After a change: the setup goes into the URL hash (so the address is always the link to what
 * is on screen) and into the saved work. */
function scheduleSave() {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(async () => {
    if (!state.restored || panel.unreadable()) return;
    const setup = currentSetup();
    writtenHash = encodeSetup(setup);
    history.replaceState(null, '', writtenHash);
    share.setLink(location.href);
    // Saved quietly: the panel reports saved models and runs, and every failure.
    if (await savedWork.put(SAVED.setup, setup)) state.saves.setup += 1;
  }, REBUILD_DELAY_MS);
}

/** Saves the model the worker holds (weights and all) with its curves and test result. */
async function saveModelRecord() {
  if (!state.builtKey) return;
  const key = state.builtKey;
  let files;
  try {
    files = await client.saveModel();
  } catch {
    return;
  }
  const record = { key, dataset: state.dataset, modelJson: files.modelJson, weights: files.weights, curves: state.curves, test: state.test };
  if (await savedWork.put(SAVED.model, record)) {
    state.saves.model += 1;
    showSaved();
  }
}

/** Adds the run that just ended to the run list and saves it with the trained model. */
async function saveRun(test) {
  const last = window.convlab.lastRun;
  state.runs.push({ finished: new Date().toISOString(), dataset: state.dataset, setup: currentSetup(),
    curves: structuredClone(state.curves), test, reason: last ? last.reason : null });
  state.runs.splice(0, Math.max(0, state.runs.length - MAX_RUNS));
  if (await savedWork.put(SAVED.runs, state.runs)) state.saves.runs += 1;
  await saveModelRecord();
}

async function clearSavedWork() {
  clearTimeout(saveTimer);
  if (await savedWork.clear()) {
    state.runs = [];
    share.showStorage({ kind: 'good', key: 'storage.cleared' });
  }
}

/** The sheet that hides what a teacher's link hides (built from share-link.js's tables only). */
const hidingSheet = new CSSStyleSheet();
document.adoptedStyleSheets = [...document.adoptedStyleSheets, hidingSheet];

/** Puts a checked setup on the page; resolves with null, or with why its model cannot be built
 * here (`{reason: 'model', message}`, nothing changed then). */
async function applySetup(setup) {
  let view;
  try {
    view = await client.check(setup.model);
  } catch (error) {
    return { reason: 'model', message: engineMessage(error.message) };
  }
  const problem = pageProblem(view);
  if (problem) return { reason: 'model', message: t(problem.problem, problem.params) };
  panel.restore(setup.training);
  share.setTeacherOptions(setup);
  const css = hidingCss(setup);
  hidingSheet.replaceSync(css);
  if (css) notices.show('guided', 'info', 'link.guided');
  await switchDataset(setup.dataset);
  builder.loadSpec(setup.model);
  return null;
}

/** Says why the opening link could not be used and what is shown instead (`key`: the default
 * model, or the learner's saved setup). */
function showLinkProblem(key, { reason, ...params }) {
  notices.show('link', 'error', key, () => ({ reason: t(`link.reason.${reason}`, params) }));
}

/** The setup saved by an earlier visit, or null (none, or one from an older page that no longer
 * checks). */
async function savedSetup() {
  try {
    const saved = await savedWork.get(SAVED.setup);
    return saved ? checkSetup(saved) : null;
  } catch {
    return null;
  }
}

/** On opening: the link's setup; else (no link, or one that cannot be used) the saved setup;
 * then the saved run list, and the saved model's weights when they belong to the model on screen.
 * A bad link never hides saved work: the page says why and opens the saved setup. */
async function restoreSavedWork() {
  const runs = await savedWork.get(SAVED.runs);
  if (Array.isArray(runs)) state.runs = runs.slice(-MAX_RUNS);
  let linkProblem = openingLink.error
    ? { reason: openingLink.error.reason, field: openingLink.error.field } : null;
  if (openingLink.setup) {
    linkProblem = await applySetup(openingLink.setup);
    if (!linkProblem) {
      await restoreModelAndSay();
      return;
    }
  }
  const saved = await savedSetup();
  const usedSaved = Boolean(saved) && !(await applySetup(saved));
  if (linkProblem) showLinkProblem(usedSaved ? 'link.invalid_saved' : 'link.invalid', linkProblem);
  if (usedSaved) await restoreModelAndSay();
}

/** Restores the saved model when it belongs to the setup on screen, and says so. */
async function restoreModelAndSay() {
  if (await restoreSavedModel()) share.showStorage({ kind: 'good', key: 'storage.restored', params: { runs: state.runs.length } });
}

/** Loads the saved model (weights, curves, test result) into the worker when it is the model on
 * screen; resolves with whether it did. */
async function restoreSavedModel() {
  const record = await savedWork.get(SAVED.model);
  if (!record || record.key !== modelKey() || record.dataset !== state.dataset) return false;
  const path = JSON.parse(record.modelJson).weightsManifest[0].paths[0];
  if (!(await loadWeights(record.modelJson, { [path]: record.weights }, () => {}))) return false;
  state.curves = record.curves;
  scheduleRender('charts');
  if (record.test) {
    state.test = record.test;
    prediction.showTest({ state: 'done', images: TEST_IMAGES, ...record.test });
  }
  return true;
}

// ---- crashes ---------------------------------------------------------------------------------------

/** The engine crashed (a panic or out of memory) and the client is starting a new worker. The
 * run in progress is lost; the builder's model, the settings, the run list and the saved work
 * live on the page and stay. The learner is told, in the notices and the status line. */
function onEngineCrashed(report) {
  runPhase.to('restarting');
  window.convlab.crashes.push(report);
  state.engineReady = false;
  state.run = null;
  state.resetQueued = false;
  state.mnist = null;
  state.mnistError = null;
  state.progress = { loaded: 0, total: 0 };
  state.builtKey = null;
  state.test = null;
  prediction.showTest(null);
  const megabytes = formatNumber(Math.round(report.bytes / 2 ** 20));
  notices.show('crash', 'error', report.kind === 'out_of_memory' ? 'crash.out_of_memory' : 'crash.panic',
    () => ({ message: report.message, megabytes }));
  status.say('status.restarting');
  updateTrainButton();
  scheduleRender('progress');
}

/** The new engine is ready: it loads the page's dataset by itself; the model on screen is built
 * again, with the saved weights when they belong to it. */
async function onEngineRestarted() {
  state.engineReady = true;
  runPhase.to('idle');
  status.say('status.loading_data', dataParams({ percent: '' }));
  updateTrainButton();
  if (!state.view || panel.unreadable()) return;
  if (!(await restoreSavedModel())) await ensureModel({ fresh: true });
}

// ---- datasets ------------------------------------------------------------------------------------------

/** The i18n parameters naming the dataset, with `extra`. */
function dataParams(extra = {}) {
  return { dataset: datasetTitle(state.dataset), ...extra };
}

/** Marks the datasets this copy does not hold (the single file has MNIST only) as such. */
function labelDatasetChoices() {
  for (const option of document.getElementById('dataset').options) {
    if (DATASETS_HERE.includes(option.value)) continue;
    option.disabled = true;
    option.textContent = t('edition.not_here', { dataset: datasetTitle(option.value) });
  }
}

function setUpDatasetChoice() {
  const select = document.getElementById('dataset');
  labelDatasetChoices();
  onLanguageChange(labelDatasetChoices);
  select.value = state.dataset;
  select.addEventListener('change', () => {
    switchDataset(select.value).then(scheduleSave, showFailure);
  });
}

/** Switches the data to `name`: the worker downloads it (only now), the views name its classes. */
async function switchDataset(name) {
  if (name === state.dataset) return;
  if (!DATASETS_HERE.includes(name)) {
    document.getElementById('dataset').value = state.dataset;
    notices.show('dataset-missing', 'error', 'edition.dataset_missing', { dataset: datasetTitle(name) });
    return;
  }
  if (runPhase.busy) {
    document.getElementById('dataset').value = state.dataset;
    notices.show('busy', 'info', 'busy.model');
    return;
  }
  state.dataset = name;
  document.getElementById('dataset').value = name;
  state.mnist = null;
  state.mnistError = null;
  state.progress = { loaded: 0, total: 0 };
  state.test = null;
  prediction.setDataset(name);
  prediction.showTest(null);
  maps.setDataset(name);
  status.say('status.loading_data', dataParams({ percent: '' }));
  updateTrainButton();
  scheduleRender('progress');
  refreshKerasCode();
  await client.loadDataset(name);
}

// Another link pasted into this tab changes only the hash: open it as a page of its own.
window.addEventListener('hashchange', () => {
  if (location.hash !== writtenHash) location.reload();
});

// ---- start ------------------------------------------------------------------------------------------

function setUpLanguageToggle() {
  const toggle = document.getElementById('language');
  const other = () => (getLanguage() === 'en' ? 'ko' : 'en');
  toggle.lang = other();
  toggle.addEventListener('click', () => setLanguage(other()));
  onLanguageChange(() => {
    toggle.lang = other();
    scheduleRender('charts', 'progress', 'status');
    updateTrainButton();
  });
}

client.on('mnist-progress', ({ dataset, loaded, total, unpacking }) => {
  if (dataset !== state.dataset) return;
  state.progress = { loaded, total };
  if (unpacking) status.say('status.unpacking', dataParams());
  else if (!state.training) status.say('status.loading_data', dataParams({ percent: total ? formatPercent(Math.min(1, loaded / total), 0) : '' }));
  scheduleRender('progress');
});
client.on('mnist-ready', ({ dataset, ...sizes }) => {
  if (dataset !== state.dataset) return;
  state.mnist = sizes;
  window.convlab.timings.mnistReady = performance.now();
  scheduleRender('progress');
  status.say('status.idle');
  updateTrainButton();
  refreshInspection();
  if (state.evaluateWhenReady) evaluateModel();
});
client.on('mnist-error', (error) => {
  if (error.dataset !== state.dataset) return;
  state.mnistError = error;
  scheduleRender('progress');
});
client.on('steps', onSteps);
client.on('training-ended', onTrainingEnded);
client.on('training-error', (error) => {
  state.run = null;
  panel.showError(error);
  runOver();
});
client.on('evaluating', ({ images }) => prediction.showTest({ state: 'evaluating', images }));
client.on('test-result', (result) => {
  if (result.error) prediction.showTest(null);
  else prediction.showTest({ state: 'done', images: TEST_IMAGES, ...result });
  state.test = result.error ? null : result;
  saveRun(state.test);
  runOver();
});
client.on('fatal', (error) => showFailure({ ...error, code: 'fatal' }));
client.on('crashed', onEngineCrashed);
client.on('restarted', () => onEngineRestarted().catch(showFailure));

translateStatic();
setUpLanguageToggle();
if (SINGLE_FILE) {
  notices.show('single-file', 'info', 'edition.single_file', { train: formatNumber(TRAIN_IMAGES), test: formatNumber(TEST_IMAGES) });
}
scheduleRender('progress');

client.ready.then(({ presets, default_training_config: defaults, wasm_ms: wasmMs }) => {
  state.engineReady = true;
  window.convlab.timings.engineReady = performance.now();
  window.convlab.timings.wasmMs = wasmMs;
  if (!state.mnist) status.say('status.loading_data', dataParams({ percent: '' }));
  summary = new SummaryView(document.getElementById('summary'));
  prediction = new PredictionView(document.getElementById('prediction'));
  maps = new FeatureMapsView(document.getElementById('feature-maps'), { onPick: () => refreshInspection() });
  lossChart = new LineChart(document.getElementById('loss-chart'));
  accuracyChart = new LineChart(document.getElementById('accuracy-chart'), { yMin: 0, yMax: 1 });
  panel = new TrainingPanel(document.getElementById('training'), document.getElementById('training-controls'), {
    defaults,
    onTrain: train,
    onStop: stop,
    onReset: reset,
    onChange: () => {
      checkModel();
      updateTrainButton();
      scheduleSave();
    },
  });
  lab = new Lab(document.getElementById('lab'), {
    client,
    presets,
    loadSpec: loadLabSpec,
    currentSpec: () => builder.spec(),
    currentValues: () => ({ ...panel.values }),
    trainSetup,
    // The lab's buttons wait while a run trains or stops and while the engine restarts; a run
    // being tested is over for them (their requests queue behind the test in the worker).
    isTraining: () => runPhase.busy && runPhase.phase !== 'testing',
  });
  window.convlab.lab = lab;
  builder = new Builder(document.getElementById('builder'), {
    presets,
    onChange: () => {
      checkModel();
      scheduleSave();
    },
  });
  keras = new KerasCodePanel(document.getElementById('keras-code-panel'), { onStyle: refreshKerasCode, onImport: importKerasCode });
  share = new SharePanel(document.getElementById('share'), {
    onDownload: downloadCurrentModel,
    onOpenFiles: openModelFiles,
    onTeacherChange: scheduleSave,
    onClear: clearSavedWork,
  });
  share.setLink(location.href);
  prediction.setDataset(state.dataset);
  maps.setDataset(state.dataset);
  setUpDatasetChoice();
  acceptDroppedFiles(openModelFiles, (dragging) => {
    document.body.dataset.dropText = t('files.drop');
    document.body.classList.toggle('dragging-files', dragging && !runPhase.busy);
  });
  builder.loadPreset(FIRST_PRESET);
  restoreSavedWork().catch(showFailure).finally(() => {
    state.restored = true;
    scheduleSave();
  });
  new ResizeObserver(() => scheduleRender('charts')).observe(document.getElementById('loss-chart'));
  scheduleRender('charts');
});
