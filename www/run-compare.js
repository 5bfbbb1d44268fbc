// Compare runs: every training run is kept with its settings and history. Tick several to overlay
// their loss and accuracy curves and to list the settings that differ between them; "race" trains
// the ticked configurations again, one after another, on the same data and seed.

import { t, onLanguageChange, formatNumber, formatPercent } from './i18n.js';
import { element } from './dom.js';
import { LineChart, PALETTE, smooth, swatch } from './charts.js';
import { modelName } from './model-description.js';

/** Smoothing of the per-batch curves, as on the main learning curves. */
const SMOOTHING = 0.9;

/** The settings a diff compares: label key and how to read the value from a run. */
const DIFF_SETTINGS = [
  { key: 'runs.model', value: (run, presets) => modelName(run.builderSpec, presets) },
  { key: 'setting.optimizer', value: (run) => t(`optimizer.${run.values.optimizer}`) },
  { key: 'setting.learning_rate', value: (run) => run.values.learning_rate },
  { key: 'setting.momentum', value: (run) => (run.values.optimizer === 'sgd_momentum' ? run.values.momentum : '–') },
  { key: 'setting.batch_size', value: (run) => run.values.batch_size },
  { key: 'setting.epochs', value: (run) => run.values.epochs },
  { key: 'setting.train_size', value: (run) => formatNumber(run.values.train_size) },
  { key: 'setting.validation_split', value: (run) => run.values.validation_split },
  { key: 'setting.seed', value: (run) => run.values.seed },
  { key: 'setting.l1', value: (run) => run.values.l1 },
  { key: 'setting.l2', value: (run) => run.values.l2 },
  { key: 'setting.early_stopping', value: (run) => (run.values.early_stopping ? t('runs.on_patience', { patience: run.values.patience }) : t('runs.off')) },
  { key: 'setting.rotation_range', value: (run) => run.values.rotation_range },
  { key: 'setting.shift_range', value: (run) => run.values.shift_range },
  { key: 'runs.start', value: (run) => (run.continues ? t('runs.continues', { run: run.continues }) : t('runs.fresh')) },
];

/** The optimizers of the "SGD vs momentum vs Adam" race, with their Keras default rates. */
const OPTIMIZER_RACE = [
  { optimizer: 'sgd', learning_rate: 0.01 },
  { optimizer: 'sgd_momentum', learning_rate: 0.01, momentum: 0.9 },
  { optimizer: 'adam', learning_rate: 0.001 },
];

/** A run's tag (`{key, params}`) in the current language; a list in `params` is of i18n keys,
 * joined with " + ". */
export function tagText({ key, params = {} }) {
  const shown = Object.fromEntries(Object.entries(params).map(([name, value]) => [name,
    Array.isArray(value) ? value.map((item) => t(item)).join(' + ') : value]));
  return t(key, shown);
}

/** The run list and its comparison. */
export class RunCompare {
  constructor(root, { client, presets, trainSetup, currentSpec, currentValues, isTraining }) {
    this.root = root;
    this.presets = presets;
    this.trainSetup = trainSetup;
    this.currentSpec = currentSpec;
    this.currentValues = currentValues;
    this.isTraining = isTraining;
    this.runs = [];
    this.selected = new Set();
    this.current = null;
    this.lastEnded = null;
    this.race = null;
    client.on('steps', ({ steps }) => this.onSteps(steps));
    client.on('training-ended', (data) => this.onEnded(data));
    client.on('training-error', (error) => this.onEnded({ reason: 'failed', message: error.message }));
    client.on('test-result', (result) => this.onTest(result));
    this.render();
    onLanguageChange(() => this.render());
  }

  /** A run began: it joins the list (and the comparison). */
  onRunStarted(run) {
    const number = this.runs.length + 1;
    const previous = this.runs[this.runs.length - 1];
    this.current = { ...run, id: number, status: 'training', batches: [], epochs: [], test: null,
      continues: run.continued && previous ? previous.id : null };
    this.runs.push(this.current);
    this.selected.add(number);
    this.render();
  }

  onSteps(steps) {
    const run = this.current;
    if (!run) return;
    for (const { batch, epoch } of steps) {
      run.batches.push({ x: batch.epoch + (batch.batch + 1) / batch.batches, loss: batch.loss, accuracy: batch.accuracy });
      run.last = batch;
      if (epoch) run.epochs.push({ x: epoch.epoch + 1, ...epoch });
    }
    this.scheduleDraw();
  }

  onEnded(data) {
    const run = this.current;
    if (!run) return;
    run.status = data.reason;
    this.current = null;
    this.lastEnded = data.reason === 'failed' ? null : run;
    this.render();
  }

  onTest(result) {
    if (!this.lastEnded || result.error) return;
    this.lastEnded.test = result;
    this.lastEnded = null;
    this.render();
  }

  /** One redraw per animation frame however many batches arrive. */
  scheduleDraw() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = null;
      this.drawCharts();
      this.renderTable();
    });
  }

  onShow() {
    this.drawCharts();
  }

  /** Trains `configurations` (`[{spec, values, tag}]`) one after another. */
  async runRace(configurations) {
    this.race = { done: 0, total: configurations.length };
    this.selected.clear();
    for (const [i, configuration] of configurations.entries()) {
      this.race = { ...this.race, done: i, tag: configuration.tag };
      this.render();
      const ended = await this.trainSetup(configuration);
      if (!ended) break;
    }
    this.race = null;
    this.render();
  }

  /** Races the ticked runs' configurations on the data and seed of the first ticked one. */
  raceSelected() {
    const runs = this.runs.filter((run) => this.selected.has(run.id));
    const { seed, train_size: trainSize } = runs[0].values;
    return this.runRace(runs.map((run) => ({
      spec: run.builderSpec, values: { ...run.values, seed, train_size: trainSize }, tag: { key: 'runs.race_tag', params: { run: run.id } } })));
  }

  /** SGD, SGD + momentum and Adam on the model and settings on screen. */
  raceOptimizers() {
    const spec = this.currentSpec();
    const values = this.currentValues();
    return this.runRace(OPTIMIZER_RACE.map((optimizer) => ({
      spec, values: { ...values, ...optimizer }, tag: { key: `optimizer.${optimizer.optimizer}` } })));
  }

  /** A ticked run's colour: distinct among the ticked runs (by their order in the list). */
  color(run) {
    const ticked = this.runs.filter((r) => this.selected.has(r.id));
    const index = ticked.indexOf(run);
    return index < 0 ? 'transparent' : PALETTE[index % PALETTE.length];
  }

  render() {
    const busy = Boolean(this.race) || this.isTraining();
    const chosen = this.runs.filter((run) => this.selected.has(run.id));
    const raceSelected = element('button', { type: 'button', id: 'runs-race', class: 'primary', text: t('runs.race') });
    raceSelected.disabled = busy || chosen.length < 2;
    raceSelected.addEventListener('click', () => this.raceSelected());
    const raceOptimizers = element('button', { type: 'button', id: 'runs-race-optimizers', text: t('runs.race_optimizers') });
    raceOptimizers.disabled = busy;
    raceOptimizers.addEventListener('click', () => this.raceOptimizers());
    const clear = element('button', { type: 'button', id: 'runs-clear', text: t('runs.clear') });
    clear.disabled = busy || this.runs.length === 0;
    clear.addEventListener('click', () => {
      this.runs = [];
      this.selected.clear();
      this.render();
    });
    const status = element('p', { class: 'hint', id: 'runs-status', role: 'status',
      text: this.race ? t('runs.racing', { done: this.race.done + 1, total: this.race.total, tag: tagText(this.race.tag) }) : '' });
    this.table = element('div', { class: 'runs-table-box' });
    this.lossCanvas = element('canvas', { class: 'lab-chart', id: 'runs-loss', role: 'img', 'aria-label': t('chart.loss') });
    this.accuracyCanvas = element('canvas', { class: 'lab-chart', id: 'runs-accuracy', role: 'img', 'aria-label': t('chart.accuracy') });
    this.lossChart = new LineChart(this.lossCanvas);
    this.accuracyChart = new LineChart(this.accuracyCanvas, { yMin: 0, yMax: 1 });
    this.diff = element('div', { class: 'runs-diff', id: 'runs-diff' });
    this.root.replaceChildren(
      element('div', { class: 'lab-controls' }, raceSelected, raceOptimizers, clear, status),
      this.table,
      element('div', { class: 'lab-row runs-charts' },
        element('figure', { class: 'lab-figure' }, element('figcaption', { text: t('runs.loss_caption') }), this.lossCanvas),
        element('figure', { class: 'lab-figure' }, element('figcaption', { text: t('runs.accuracy_caption') }), this.accuracyCanvas)),
      this.diff);
    this.renderTable();
    this.renderDiff();
    this.drawCharts();
  }

  renderTable() {
    if (this.runs.length === 0) {
      this.table.replaceChildren(element('p', { class: 'hint', text: t('runs.none') }));
      return;
    }
    const head = element('tr', {}, ...['runs.run', 'runs.model', 'setting.optimizer', 'runs.status', 'runs.train', 'runs.validation', 'runs.test']
      .map((key) => element('th', { scope: 'col', text: t(key) })));
    const rows = this.runs.map((run) => {
      const id = `run-select-${run.id}`;
      const box = element('input', { type: 'checkbox', id });
      box.checked = this.selected.has(run.id);
      box.addEventListener('change', () => {
        if (box.checked) this.selected.add(run.id);
        else this.selected.delete(run.id);
        this.render();
      });
      const lastEpoch = run.epochs[run.epochs.length - 1];
      const train = run.last ? `${run.last.epoch_loss.toFixed(3)} / ${formatPercent(run.last.epoch_accuracy)}` : '–';
      const validation = lastEpoch && lastEpoch.val_loss != null ? `${lastEpoch.val_loss.toFixed(3)} / ${formatPercent(lastEpoch.val_accuracy)}` : '–';
      const test = run.test ? formatPercent(run.test.accuracy, 2) : '–';
      const label = run.tag ? `${run.id} · ${tagText(run.tag)}` : String(run.id);
      return element('tr', { 'data-run': String(run.id) },
        element('td', {}, element('span', { class: 'field checkbox' }, box, swatch(this.color(run)), element('label', { for: id, text: t('runs.run_label', { run: label }) }))),
        element('td', { class: 'model', text: modelName(run.builderSpec, this.presets) }),
        element('td', { text: `${t(`optimizer.${run.values.optimizer}`)} (${run.values.learning_rate})` }),
        element('td', { text: t(`runs.status.${run.status}`) }),
        element('td', { class: 'number', text: train }),
        element('td', { class: 'number', text: validation }),
        element('td', { class: 'number', text: test }));
    });
    this.table.replaceChildren(element('table', { class: 'runs-table', id: 'runs-table' },
      element('caption', { text: t('runs.caption') }),
      element('thead', {}, head), element('tbody', {}, ...rows)));
  }

  /** The settings that differ between the ticked runs. */
  renderDiff() {
    const runs = this.runs.filter((run) => this.selected.has(run.id));
    if (runs.length < 2) {
      this.diff.replaceChildren(element('p', { class: 'hint', text: t('runs.diff_hint') }));
      return;
    }
    const differing = DIFF_SETTINGS.map((setting) => ({ ...setting, values: runs.map((run) => String(setting.value(run, this.presets))) }))
      .filter((setting) => new Set(setting.values).size > 1);
    if (differing.length === 0) {
      this.diff.replaceChildren(element('p', { class: 'hint', text: t('runs.diff_none') }));
      return;
    }
    const head = element('tr', {}, element('th', { scope: 'col', text: t('runs.setting') }),
      ...runs.map((run) => element('th', { scope: 'col', text: t('runs.run_label', { run: run.id }) })));
    const rows = differing.map((setting) => element('tr', { 'data-setting': setting.key },
      element('th', { scope: 'row', text: t(setting.key) }), ...setting.values.map((value) => element('td', { text: value }))));
    this.diff.replaceChildren(element('table', { class: 'runs-table diff' },
      element('caption', { text: t('runs.diff_caption') }), element('thead', {}, head), element('tbody', {}, ...rows)));
  }

  drawCharts() {
    if (!this.lossChart || this.root.closest('[hidden]')) return;
    const runs = this.runs.filter((run) => this.selected.has(run.id));
    for (const [chart, key] of [[this.lossChart, 'loss'], [this.accuracyChart, 'accuracy']]) {
      chart.setSeries(runs.flatMap((run) => [
        { points: smooth(run.batches.map((b) => [b.x, b[key]]), SMOOTHING), color: this.color(run), width: 2 },
        { points: run.epochs.filter((e) => e[`val_${key}`] != null).map((e) => [e.x, e[`val_${key}`]]),
          color: this.color(run), width: 2, dash: [8, 5], dots: true },
      ]));
      chart.setOptions({ xLabel: t('chart.x'), emptyText: t('runs.chart_empty') });
      chart.draw();
    }
  }
}
