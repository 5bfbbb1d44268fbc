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
import { Lab } from './lab.js';
import { t, getLanguage, setLanguage, onLanguageChange, translateStatic, formatNumber, formatPercent } from './i18n.js';

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

const client = new EngineClient();
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
  building: null,
  training: false,
  run: null,
  curves: { batches: [], epochs: [], best: null, end: 0 },
  inspectBusy: false,
  inspectAgain: false,
};

/** Read by the end-to-end tests (timings and the last run's figures). */
window.convlab = { state, timings: {}, lastRun: null };
/** The tests also reach the engine and the lab's panels. */
window.convlab.client = client;

let builder;
let summary;
let panel;
let maps;
let prediction;
let lossChart;
let accuracyChart;
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
  if (state.mnistError) {
    bar.hidden = true;
    text.textContent = t('data.failed', { message: state.mnistError.message });
    return;
  }
  if (state.mnist) {
    bar.hidden = true;
    document.getElementById('data-progress-label').hidden = true;
    text.textContent = t('data.ready', { train: formatNumber(state.mnist.train), test: formatNumber(state.mnist.test) });
    return;
  }
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
  if (view) {
    scheduleRebuild();
    if (wasInvalid && modelKey() === state.builtKey) refreshInspection();
  } else {
    maps.setEnabled(false);
    maps.showMessage('maps.none');
    prediction.showMessage('prediction.invalid');
  }
}

let rebuildTimer = null;

/** After an edit, the worker builds the edited model (fresh weights) so the feature maps and the
 * prediction always belong to the model on screen. */
function scheduleRebuild() {
  clearTimeout(rebuildTimer);
  rebuildTimer = setTimeout(() => {
    if (!state.training && state.view && !panel.unreadable() && modelKey() !== state.builtKey) {
      ensureModel().catch(showFailure);
    }
  }, REBUILD_DELAY_MS);
}

/** Builds the model unless the worker already holds this one; then clears the old run's views. */
async function ensureModel({ fresh = false } = {}) {
  const key = modelKey();
  if (!fresh && key === state.builtKey) return;
  clearTimeout(rebuildTimer);
  await client.build(effectiveSpec(), panel.seed());
  state.builtKey = key;
  lab.modelBuilt();
  state.curves = { batches: [], epochs: [], best: null, end: 0 };
  prediction.showTest(null);
  scheduleRender('charts');
  refreshInspection();
}

// ---- training ---------------------------------------------------------------------------------------

function updateTrainButton() {
  if (!panel || !builder) return;
  let reason = '';
  if (!state.engineReady) reason = t('reason.loading_engine');
  else if (state.specError) reason = t('reason.invalid_model');
  else if (!state.mnist) reason = t('reason.loading_data');
  else if (panel.unreadable()) reason = t('reason.unreadable', { setting: panel.unreadable() });
  // While a check is on its way (a few milliseconds) Train waits without a message.
  const waiting = state.checking || !state.view;
  panel.setState({ training: state.training, canTrain: !reason && !waiting, reason });
  builder.setLocked(state.training);
}

/** Trains the model on screen (with fresh weights when `fresh`, else continuing from the weights
 * it has); `tag` (`{key, params}`) names the run in the lab's run list. Resolves with whether the
 * run started. */
async function train({ fresh = false, tag = null } = {}) {
  panel.showError(null);
  state.training = true;
  updateTrainButton();
  status.say('status.starting');
  // Without a rebuild the run goes on from the weights the last run left.
  const continued = !fresh && modelKey() === state.builtKey && state.curves.end > 0;
  try {
    await ensureModel({ fresh });
    const config = panel.config();
    const info = await client.train(config, panel.trainSize());
    state.run = {
      epochs: config.epochs,
      batchesPerEpoch: info.batches_per_epoch,
      offset: state.curves.end,
      batches: 0,
      progress: null,
    };
    prediction.showTest(null);
    lab.runStarted({ builderSpec: builder.spec(), spec: effectiveSpec(), values: { ...panel.values }, config, continued, tag });
    return true;
  } catch (error) {
    state.training = false;
    updateTrainButton();
    panel.showError(error);
    status.say('status.idle');
    return false;
  }
}

/** Puts `spec` in the builder and `values` in the training panel, then trains with fresh weights
 * (the lab's race and overfitting setups); resolves with the run's `training-ended` news, or
 * null when it could not start. */
async function trainSetup({ spec, values, tag = null }) {
  if (state.training) return null;
  builder.loadSpec(spec);
  panel.setValues(values);
  await checkModel();
  if (state.specError) return null;
  const ended = new Promise((resolve) => client.once('training-ended', resolve));
  return (await train({ fresh: true, tag })) ? ended : null;
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
  state.training = false;
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
  status.say(`status.ended.${data.reason}`, params);
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
  status.say('status.failed', { message: error && error.message ? error.message : String(error) });
}

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

client.on('mnist-progress', ({ loaded, total, unpacking }) => {
  state.progress = { loaded, total };
  if (unpacking) status.say('status.unpacking');
  else if (!state.training) status.say('status.loading_data', { percent: total ? formatPercent(Math.min(1, loaded / total), 0) : '' });
  scheduleRender('progress');
});
client.on('mnist-ready', (sizes) => {
  state.mnist = sizes;
  window.convlab.timings.mnistReady = performance.now();
  scheduleRender('progress');
  status.say('status.idle');
  updateTrainButton();
  refreshInspection();
});
client.on('mnist-error', (error) => {
  state.mnistError = error;
  scheduleRender('progress');
});
client.on('steps', onSteps);
client.on('training-ended', onTrainingEnded);
client.on('training-error', (error) => {
  state.training = false;
  state.run = null;
  panel.showError(error);
  updateTrainButton();
});
client.on('evaluating', ({ images }) => prediction.showTest({ state: 'evaluating', images }));
client.on('test-result', (result) => {
  if (result.error) prediction.showTest(null);
  else prediction.showTest({ state: 'done', images: 10000, ...result });
});
client.on('fatal', showFailure);

translateStatic();
setUpLanguageToggle();
scheduleRender('progress');

client.ready.then(({ presets, default_training_config: defaults, wasm_ms: wasmMs }) => {
  state.engineReady = true;
  window.convlab.timings.engineReady = performance.now();
  window.convlab.timings.wasmMs = wasmMs;
  if (!state.mnist) status.say('status.loading_data', { percent: '' });
  summary = new SummaryView(document.getElementById('summary'));
  prediction = new PredictionView(document.getElementById('prediction'));
  maps = new FeatureMapsView(document.getElementById('feature-maps'), { onPick: () => refreshInspection() });
  lossChart = new LineChart(document.getElementById('loss-chart'));
  accuracyChart = new LineChart(document.getElementById('accuracy-chart'), { yMin: 0, yMax: 1 });
  panel = new TrainingPanel(document.getElementById('training'), document.getElementById('training-controls'), {
    defaults,
    onTrain: train,
    onStop: () => client.stop(),
    onReset: () => ensureModel({ fresh: true }).then(() => status.say(state.mnist ? 'status.idle' : 'status.loading_data', { percent: '' }), showFailure),
    onChange: () => {
      checkModel();
      updateTrainButton();
    },
  });
  lab = new Lab(document.getElementById('lab'), {
    client,
    presets,
    loadSpec: (spec) => builder.loadSpec(spec),
    currentSpec: () => builder.spec(),
    currentValues: () => ({ ...panel.values }),
    trainSetup,
    isTraining: () => state.training,
  });
  window.convlab.lab = lab;
  builder = new Builder(document.getElementById('builder'), { presets, onChange: checkModel });
  builder.loadPreset(FIRST_PRESET);
  new ResizeObserver(() => scheduleRender('charts')).observe(document.getElementById('loss-chart'));
  scheduleRender('charts');
});
