// The overfitting lab: one click sets up a model that overfits visibly (a tiny training subset,
// two large Dense layers, no regularisation, many epochs); toggles add the cures — Dropout, L2,
// augmentation, batch normalisation, early stopping — and each setup trained joins the run list,
// where its curves can be compared with the overfitting one.

import { t, onLanguageChange, formatPercent } from './i18n.js';
import { element } from './dom.js';
import { tagText } from './run-compare.js';

/** The overfitting setup: few images, a validation split to watch, many epochs. */
const BASE_VALUES = {
  train_size: 500, validation_split: 0.2, epochs: 30, batch_size: 32, optimizer: 'adam', learning_rate: 0.001,
  l1: 0, l2: 0, rotation_range: 0, shift_range: 0, early_stopping: false,
};

/** Units of the two hidden Dense layers: far more weights than 400 images can pin down. */
const HIDDEN_UNITS = 256;

/** The cures, in the order they are offered: what each changes in the model or the settings. */
const CURES = [
  { name: 'dropout', layerAfterHidden: { class_name: 'Dropout', config: { rate: 0.5 } } },
  { name: 'l2', values: { l2: 0.001 } },
  { name: 'augmentation', values: { rotation_range: 10, shift_range: 0.1 } },
  { name: 'batch_norm', layerAfterHidden: { class_name: 'BatchNormalization', config: {} } },
  { name: 'early_stopping', values: { early_stopping: true, patience: 3 } },
];

/** The model and settings with the cures `chosen` (a set of cure names). */
export function overfittingSetup(chosen) {
  const cures = CURES.filter((cure) => chosen.has(cure.name));
  const layers = [{ class_name: 'Flatten', config: { batch_input_shape: [null, 28, 28, 1] } }];
  for (let i = 0; i < 2; i += 1) {
    layers.push({ class_name: 'Dense', config: { units: HIDDEN_UNITS, activation: 'relu' } });
    for (const cure of cures) if (cure.layerAfterHidden) layers.push(structuredClone(cure.layerAfterHidden));
  }
  layers.push({ class_name: 'Dense', config: { units: 10, activation: 'softmax' } });
  const values = Object.assign({}, BASE_VALUES, ...cures.map((cure) => cure.values || {}));
  const tag = { key: 'overfit.tag', params: { cures: cures.length ? cures.map((cure) => `overfit.cure.${cure.name}`) : ['overfit.no_cure'] } };
  return { spec: { class_name: 'Sequential', config: { name: 'sequential', layers } }, values, tag };
}

/** The overfitting lab panel. */
export class OverfittingLab {
  constructor(root, { client, trainSetup, isTraining, lab }) {
    this.root = root;
    this.trainSetup = trainSetup;
    this.isTraining = isTraining;
    this.lab = lab;
    this.chosen = new Set();
    this.runIds = [];
    this.training = false;
    for (const event of ['training-ended', 'training-error', 'test-result', 'steps']) client.on(event, () => this.scheduleRender());
    this.render();
    onLanguageChange(() => this.render());
  }

  onRunStarted() {
    this.scheduleRender();
  }

  onShow() {
    this.render();
  }

  scheduleRender() {
    if (this.frame || this.root.closest('[hidden]')) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = null;
      this.renderResults();
    });
  }

  /** Trains the setup with the ticked cures; its run joins the run list. */
  async train() {
    this.training = true;
    this.render();
    const runs = this.lab.view('runs');
    const before = runs.runs.length;
    const ended = await this.trainSetup(overfittingSetup(this.chosen));
    if (runs.runs.length > before) this.runIds.push(runs.runs[before].id);
    this.training = false;
    this.render();
    return ended;
  }

  render() {
    const toggles = CURES.map((cure) => {
      const id = `overfit-${cure.name}`;
      const box = element('input', { type: 'checkbox', id });
      box.checked = this.chosen.has(cure.name);
      box.addEventListener('change', () => {
        if (box.checked) this.chosen.add(cure.name);
        else this.chosen.delete(cure.name);
      });
      return element('div', { class: 'field checkbox' }, box,
        element('label', { for: id, text: t(`overfit.cure.${cure.name}`) }),
        element('span', { class: 'help', text: t(`overfit.cure_help.${cure.name}`) }));
    });
    const train = element('button', { type: 'button', id: 'overfit-train', class: 'primary', text: t('overfit.train') });
    train.disabled = this.training || this.isTraining();
    train.addEventListener('click', () => this.train());
    const compare = element('button', { type: 'button', id: 'overfit-compare', text: t('overfit.compare') });
    compare.disabled = this.runIds.length === 0;
    compare.addEventListener('click', () => {
      const runs = this.lab.view('runs');
      runs.selected = new Set(this.runIds);
      this.lab.select('runs');
      runs.render();
    });
    this.results = element('div', { id: 'overfit-results' });
    this.root.replaceChildren(
      element('p', { class: 'hint', text: t('overfit.setup', { size: BASE_VALUES.train_size, units: HIDDEN_UNITS, epochs: BASE_VALUES.epochs }) }),
      element('fieldset', { class: 'settings overfit-cures' }, element('legend', { text: t('overfit.cures') }), ...toggles),
      element('div', { class: 'lab-controls' }, train, compare),
      this.results);
    this.renderResults();
  }

  /** Each setup's final training and validation accuracy, the gap between them, and the epoch
   * of the lowest validation loss. */
  renderResults() {
    const runs = this.lab.view('runs');
    const mine = runs ? runs.runs.filter((run) => this.runIds.includes(run.id) || (run === runs.current && this.training)) : [];
    if (mine.length === 0) {
      this.results.replaceChildren(element('p', { class: 'hint', text: t('overfit.none') }));
      return;
    }
    const head = element('tr', {}, ...['runs.run', 'overfit.setup_column', 'overfit.train_accuracy', 'overfit.val_accuracy', 'overfit.gap', 'overfit.best_epoch', 'runs.test']
      .map((key) => element('th', { scope: 'col', text: t(key) })));
    const rows = mine.map((run) => {
      const last = run.epochs[run.epochs.length - 1];
      const best = run.epochs.reduce((a, e) => (a && a.val_loss <= e.val_loss ? a : e), null);
      const gap = last ? last.accuracy - last.val_accuracy : null;
      return element('tr', { 'data-run': String(run.id) },
        element('td', { text: String(run.id) }),
        element('td', { text: run.tag ? tagText(run.tag) : '' }),
        element('td', { class: 'number', text: last ? formatPercent(last.accuracy) : '–' }),
        element('td', { class: 'number', text: last ? formatPercent(last.val_accuracy) : '–' }),
        element('td', { class: 'number gap', text: gap === null ? '–' : formatPercent(gap) }),
        element('td', { class: 'number', text: best ? t('overfit.epoch_of', { epoch: best.epoch + 1, epochs: run.epochs.length }) : '–' }),
        element('td', { class: 'number', text: run.test ? formatPercent(run.test.accuracy, 2) : '–' }));
    });
    this.results.replaceChildren(element('table', { class: 'runs-table', id: 'overfit-table' },
      element('caption', { text: t('overfit.results') }), element('thead', {}, head), element('tbody', {}, ...rows)));
  }
}
