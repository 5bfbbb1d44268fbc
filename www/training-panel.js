// The training controls, as one declarative table of settings (as in tensorflow/playground):
// each setting has a label, a control, a default and the engine field it maps to. The panel turns
// them into the engine's `TrainingConfig` JSON and marks the control at fault when the engine
// refuses a setting. The buttons Train, Stop and Reset, why Train is off, and the engine's
// message live in the page's sticky control bar, so they stay in reach while scrolling.

import { t, onLanguageChange, engineMessage, formatNumber } from './i18n.js';
import { element } from './dom.js';
import { TRAIN_IMAGES } from './edition.js';

/** The optimizer choices: Keras class, its Keras default learning rate, and the momentum. */
const OPTIMIZERS = {
  sgd: { class_name: 'SGD', learning_rate: 0.01 },
  sgd_momentum: { class_name: 'SGD', learning_rate: 0.01, momentum: true },
  rmsprop: { class_name: 'RMSprop', learning_rate: 0.001 },
  adagrad: { class_name: 'Adagrad', learning_rate: 0.001 },
  adam: { class_name: 'Adam', learning_rate: 0.001 },
};

/** MNIST's training set: the most `train_size` may ask for (a link made here opens anywhere; a
 * copy with fewer images trains on the ones it has, and its help text says how many). */
const MNIST_TRAIN_IMAGES = 60000;

/** The numbers the settings' help texts show. */
const HELP_PARAMS = { train_images: formatNumber(TRAIN_IMAGES) };

/** Training workers by default. Several workers split each batch between cores; the page starts
 * with one until the benchmark shows the split pays off for the lesson's batch sizes. */
const DEFAULT_WORKERS = 1;

/**
 * Every setting: `kind` is the control, `fields` the engine's names (or codes) of errors about it, `group`
 * the fieldset it sits in. Defaults are Keras's, except `train_size`: 10,000 images, so that one
 * epoch of the Lesson CNN takes seconds in a browser and still reaches ~95% test accuracy.
 */
const SETTINGS = [
  { key: 'optimizer', group: 'optimizer', kind: 'select', options: Object.keys(OPTIMIZERS), fields: ['optimizer'] },
  { key: 'learning_rate', group: 'optimizer', kind: 'number', step: 'any', min: 0, fields: ['learning_rate'] },
  { key: 'momentum', group: 'optimizer', kind: 'number', step: 0.05, min: 0, max: 0.99, default: 0.9, fields: ['momentum'], when: (s) => s.optimizer === 'sgd_momentum' },
  { key: 'batch_size', group: 'data', kind: 'integer', min: 1, fields: ['batch_size', 'size.budget'] },
  { key: 'epochs', group: 'data', kind: 'integer', min: 1, fields: ['epochs'] },
  { key: 'train_size', group: 'data', kind: 'integer', min: 1, max: MNIST_TRAIN_IMAGES, step: 1000, default: 10000, fields: ['training data'] },
  { key: 'validation_split', group: 'data', kind: 'number', min: 0, max: 0.9, step: 0.05, fields: ['validation_split'] },
  { key: 'seed', group: 'data', kind: 'integer', min: 0, fields: ['seed'] },
  { key: 'workers', group: 'data', kind: 'integer', min: 1, max: 8, default: DEFAULT_WORKERS, fields: ['workers'] },
  { key: 'l1', group: 'regularization', kind: 'number', min: 0, step: 0.0001, default: 0, fields: ['kernel_regularizer'] },
  { key: 'l2', group: 'regularization', kind: 'number', min: 0, step: 0.0001, default: 0, fields: ['kernel_regularizer'] },
  { key: 'early_stopping', group: 'regularization', kind: 'checkbox', default: false, fields: ['early_stopping.monitor', 'early_stopping.min_delta'] },
  { key: 'patience', group: 'regularization', kind: 'integer', min: 0, default: 2, fields: ['early_stopping.patience'], when: (s) => s.early_stopping },
  { key: 'rotation_range', group: 'augmentation', kind: 'number', min: 0, max: 180, step: 5, fields: ['rotation_range'] },
  { key: 'shift_range', group: 'augmentation', kind: 'number', min: 0, max: 0.9, step: 0.05, default: 0, fields: ['width_shift_range', 'height_shift_range'] },
];

const GROUPS = ['optimizer', 'data', 'regularization', 'augmentation'];

/** The settings a link or the saved work carries: all but `workers`, which belongs to the
 * machine, not to the exercise. */
export const SHARED_SETTINGS = SETTINGS.map((s) => s.key).filter((key) => key !== 'workers');

/** The key of the first entry of `values` that is not a setting of SHARED_SETTINGS or not a value
 * its control can hold (an option of a select, a boolean, a number within the control's bounds,
 * a whole number where one is needed), or null when all are fine. */
export function invalidSetting(values) {
  for (const [key, value] of Object.entries(values)) {
    const setting = SETTINGS.find((s) => s.key === key);
    if (!setting || !SHARED_SETTINGS.includes(key)) return key;
    const fits = setting.kind === 'select' ? setting.options.includes(value)
      : setting.kind === 'checkbox' ? typeof value === 'boolean'
        : Number.isFinite(value) && (setting.kind !== 'integer' || Number.isInteger(value))
          && !(setting.min !== undefined && value < setting.min) && !(setting.max !== undefined && value > setting.max);
    if (!fits) return key;
  }
  return null;
}

/** `spec` with `kernel_regularizer: L1L2(l1, l2)` on every Dense and Conv2D layer (none when
 * both are 0), as Keras's `kernel_regularizer=regularizers.L1L2(l1, l2)`. */
export function withKernelRegularizer(spec, { l1, l2 }) {
  if (!l1 && !l2) return spec;
  const layers = spec.config.layers.map((layer) => {
    if (layer.class_name !== 'Dense' && layer.class_name !== 'Conv2D') return layer;
    return { ...layer, config: { ...layer.config, kernel_regularizer: { class_name: 'L1L2', config: { l1, l2 } } } };
  });
  return { ...spec, config: { ...spec.config, layers } };
}

/** The training panel. */
export class TrainingPanel {
  /**
   * @param {HTMLElement} root where the settings go
   * @param {HTMLElement} controls where the buttons, the reason and the error go
   * @param {{defaults: object, onTrain: () => void, onStop: () => void, onReset: () => void,
   *   onChange: () => void}} options `defaults` is the engine's `defaultTrainingConfig()`.
   */
  constructor(root, controls, { defaults, onTrain, onStop, onReset, onChange }) {
    this.root = root;
    this.controls = controls;
    this.defaults = defaults;
    this.handlers = { onTrain, onStop, onReset, onChange };
    const optimizer = Object.keys(OPTIMIZERS).find((k) => OPTIMIZERS[k].class_name === defaults.optimizer.class_name) || 'adam';
    this.values = {
      optimizer,
      // The engine's f32 0.001 arrives as 0.0010000000474974513; show it as typed.
      learning_rate: Number(defaults.optimizer.config.learning_rate.toPrecision(6)),
      batch_size: defaults.batch_size,
      epochs: defaults.epochs,
      validation_split: defaults.validation_split,
      seed: defaults.seed,
      rotation_range: defaults.augmentation.rotation_range,
    };
    for (const setting of SETTINGS) {
      if (!(setting.key in this.values)) this.values[setting.key] = setting.default;
    }
    this.state = { training: false, canTrain: false, canStop: false, canReset: true, reason: '' };
    this.error = null;
    this.render();
    onLanguageChange(() => this.render());
  }

  /** The number of training images (the first N of MNIST's training set). */
  trainSize() {
    return this.values.train_size;
  }

  /** How many Web Workers share each batch (data-parallel training). */
  workers() {
    return this.values.workers;
  }

  /** The seed of the weights and of every random choice in training. */
  seed() {
    return this.values.seed;
  }

  /** The settings of SHARED_SETTINGS as they stand, in the table's order. */
  settings() {
    return Object.fromEntries(SHARED_SETTINGS.map((key) => [key, this.values[key]]));
  }

  /** Sets every setting in `values` (checked with `invalidSetting` first) and redraws. */
  restore(values) {
    Object.assign(this.values, values);
    this.error = null;
    this.render();
  }

  /** The L1/L2 factors for the layers' `kernel_regularizer`. */
  regularization() {
    return { l1: this.values.l1, l2: this.values.l2 };
  }

  /** The engine's `TrainingConfig` (Keras names) for the current settings. */
  config() {
    const v = this.values;
    const optimizer = OPTIMIZERS[v.optimizer];
    const optimizerConfig = { learning_rate: v.learning_rate };
    if (optimizer.class_name === 'SGD') optimizerConfig.momentum = optimizer.momentum ? v.momentum : 0;
    return {
      loss: this.defaults.loss,
      optimizer: { class_name: optimizer.class_name, config: optimizerConfig },
      epochs: v.epochs,
      batch_size: v.batch_size,
      validation_split: v.validation_split,
      shuffle: true,
      seed: v.seed,
      augmentation: {
        rotation_range: v.rotation_range,
        width_shift_range: v.shift_range,
        height_shift_range: v.shift_range,
        zoom_range: 0,
      },
      early_stopping: v.early_stopping
        ? { monitor: v.validation_split > 0 ? 'val_loss' : 'loss', min_delta: 0, patience: v.patience, restore_best_weights: true }
        : null,
    };
  }

  /** The label of the first setting whose box does not hold a number (a whole number where
   * one is needed), or null. */
  unreadable() {
    for (const setting of SETTINGS) {
      if (setting.when && !setting.when(this.values)) continue;
      const value = this.values[setting.key];
      if (Number.isNaN(value) || (setting.kind === 'integer' && !Number.isInteger(value))) {
        return t(`setting.${setting.key}`);
      }
    }
    return null;
  }

  /** Replaces some settings (`{epochs: 3, …}`, e.g. a run to repeat) and redraws the controls. */
  setValues(values) {
    this.values = { ...this.values, ...values };
    this.render();
    this.handlers.onChange();
  }

  /** `{training, canTrain, canStop, canReset, reason}`: enables the buttons (the settings are
   * locked while `training`) and says why Train is off. */
  setState(state) {
    this.state = { ...this.state, ...state };
    this.updateButtons();
  }

  /** Shows an engine error about a setting (or null to clear it). */
  showError(error) {
    this.error = error;
    this.updateError();
  }

  set(key, value) {
    const previous = this.values[key];
    this.values[key] = value;
    if (key === 'optimizer' && this.values.learning_rate === OPTIMIZERS[previous].learning_rate) {
      this.values.learning_rate = OPTIMIZERS[value].learning_rate;
      const box = this.root.querySelector('#setting-learning_rate');
      if (box) box.value = String(this.values.learning_rate);
    }
    if (key === 'optimizer' || key === 'early_stopping') this.updateVisibility();
    this.showError(null);
    this.handlers.onChange();
  }

  render() {
    const form = element('form', { class: 'training-form', novalidate: true });
    form.addEventListener('submit', (event) => event.preventDefault());
    for (const group of GROUPS) {
      const fieldset = element('fieldset', { class: `settings settings-${group}` },
        element('legend', { text: t(`group.${group}`) }));
      for (const setting of SETTINGS.filter((s) => s.group === group)) fieldset.append(this.renderSetting(setting));
      form.append(fieldset);
    }
    this.trainButton = element('button', { type: 'button', id: 'train', class: 'primary', text: t('button.train') });
    this.stopButton = element('button', { type: 'button', id: 'stop', text: t('button.stop') });
    this.resetButton = element('button', { type: 'button', id: 'reset', text: t('button.reset') });
    this.trainButton.addEventListener('click', () => this.handlers.onTrain());
    this.stopButton.addEventListener('click', () => this.handlers.onStop());
    this.resetButton.addEventListener('click', () => this.handlers.onReset());
    this.reason = element('p', { class: 'train-reason', id: 'train-reason' });
    this.trainButton.setAttribute('aria-describedby', 'train-reason');
    this.errorBox = element('p', { class: 'error', role: 'alert', id: 'training-error', hidden: true });
    const buttons = element('div', { class: 'buttons' }, this.trainButton, this.stopButton, this.resetButton);
    this.controls.replaceChildren(buttons, this.reason, this.errorBox);
    this.root.replaceChildren(form);
    this.updateVisibility();
    this.updateButtons();
    this.updateError();
  }

  renderSetting(setting) {
    const id = `setting-${setting.key}`;
    const value = this.values[setting.key];
    let input;
    if (setting.kind === 'select') {
      input = element('select', { id },
        ...setting.options.map((option) => element('option', { value: option, text: t(`${setting.key}.${option}`) })));
      input.value = value;
      input.addEventListener('change', () => this.set(setting.key, input.value));
    } else if (setting.kind === 'checkbox') {
      input = element('input', { id, type: 'checkbox' });
      input.checked = Boolean(value);
      input.addEventListener('change', () => this.set(setting.key, input.checked));
    } else {
      input = element('input', { id, type: 'number', min: setting.min, max: setting.max,
        step: setting.step ?? 1, inputmode: setting.kind === 'integer' ? 'numeric' : 'decimal' });
      input.value = String(value);
      input.addEventListener('input', () => {
        const number = input.value.trim() === '' ? NaN : Number(input.value);
        this.set(setting.key, number);
      });
    }
    input.dataset.setting = setting.key;
    const label = element('label', { for: id, text: t(`setting.${setting.key}`) });
    const row = element('div', { class: `field${setting.kind === 'checkbox' ? ' checkbox' : ''}`, dataset: { setting: setting.key } });
    if (setting.kind === 'checkbox') row.append(input, label);
    else row.append(label, input);
    const help = t(`setting.${setting.key}.help`, HELP_PARAMS, '');
    if (help) {
      const helpId = `${id}-help`;
      row.append(element('span', { class: 'help', id: helpId, text: help }));
      input.setAttribute('aria-describedby', helpId);
    }
    return row;
  }

  updateVisibility() {
    for (const setting of SETTINGS) {
      const row = this.root.querySelector(`.field[data-setting="${setting.key}"]`);
      if (row) row.hidden = Boolean(setting.when && !setting.when(this.values));
    }
  }

  updateButtons() {
    if (!this.trainButton) return;
    const { training, canTrain, canStop, canReset, reason } = this.state;
    this.trainButton.disabled = training || !canTrain;
    this.stopButton.disabled = !canStop;
    this.resetButton.disabled = !canReset;
    this.reason.textContent = reason;
    this.reason.hidden = !reason;
    for (const control of this.root.querySelectorAll('form input, form select')) control.disabled = training;
  }

  updateError() {
    if (!this.errorBox) return;
    const error = this.error;
    this.errorBox.hidden = !error;
    this.errorBox.textContent = error ? engineMessage(error.message) : '';
    for (const row of this.root.querySelectorAll('.field[data-setting]')) {
      const setting = SETTINGS.find((s) => s.key === row.dataset.setting);
      const atFault = Boolean(error && (setting.fields.includes(error.field) || setting.fields.includes(error.code)));
      row.classList.toggle('invalid', atFault);
      const input = row.querySelector('input, select');
      if (atFault) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    }
  }
}
