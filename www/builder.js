// The model builder: presets, a list of layers with add / remove / reorder, and each layer's
// Keras arguments as labelled controls. It produces a Keras `modelTopology` spec and shows, next
// to each layer, what the engine says about it (output shape, or the error at that layer).

import { t, onLanguageChange, formatNumber, formatShape, engineMessage } from './i18n.js';
import { element } from './dom.js';

/** MNIST images: the first layer always carries this input shape. */
const INPUT_SHAPE = [28, 28, 1];

/** The layer classes the engine builds, in the order the "Add layer" menu lists them. */
const LAYER_CLASSES = ['Conv2D', 'MaxPooling2D', 'AveragePooling2D', 'GlobalAveragePooling2D',
  'Flatten', 'Dense', 'Dropout', 'BatchNormalization', 'Activation'];

/** Keras activation names, as the engine accepts them. */
const ACTIVATIONS = ['relu', 'sigmoid', 'tanh', 'softmax', 'linear'];

/**
 * The controls, one per Keras argument: `kind` says how the value is edited and stored.
 * `pair` edits a square `[n, n]`; `optionalPair` allows an empty box for `None` (pooling strides
 * default to the pool size).
 */
const ARGUMENTS = {
  filters: { label: 'arg.filters', kind: 'int', min: 1 },
  kernel_size: { label: 'arg.kernel_size', kind: 'pair', min: 1 },
  strides: { label: 'arg.strides', kind: 'pair', min: 1 },
  pool_strides: { key: 'strides', label: 'arg.strides', kind: 'optionalPair', min: 1, placeholder: 'None', title: 'arg.strides_default' },
  pool_size: { label: 'arg.pool_size', kind: 'pair', min: 1 },
  padding: { label: 'arg.padding', kind: 'select', options: ['valid', 'same'] },
  units: { label: 'arg.units', kind: 'int', min: 1 },
  activation: { label: 'arg.activation', kind: 'select', options: ACTIVATIONS },
  rate: { label: 'arg.rate', kind: 'float', min: 0, max: 0.99, step: 0.05 },
};

/** Which controls each layer class shows, and the Keras arguments of a newly added layer. */
const LAYER_TYPES = {
  Conv2D: {
    controls: ['filters', 'kernel_size', 'strides', 'padding', 'activation'],
    defaults: { filters: 32, kernel_size: [3, 3], strides: [1, 1], padding: 'valid', activation: 'relu' },
  },
  MaxPooling2D: {
    controls: ['pool_size', 'pool_strides', 'padding'],
    defaults: { pool_size: [2, 2], strides: null, padding: 'valid' },
  },
  AveragePooling2D: {
    controls: ['pool_size', 'pool_strides', 'padding'],
    defaults: { pool_size: [2, 2], strides: null, padding: 'valid' },
  },
  GlobalAveragePooling2D: { controls: [], defaults: {} },
  Flatten: { controls: [], defaults: {} },
  Dense: { controls: ['units', 'activation'], defaults: { units: 128, activation: 'relu' } },
  Dropout: { controls: ['rate'], defaults: { rate: 0.25 } },
  BatchNormalization: { controls: [], defaults: {} },
  Activation: { controls: ['activation'], defaults: { activation: 'relu' } },
};

/** Layer-level keys that the builder manages itself rather than as controls. */
const MANAGED_KEYS = ['batch_input_shape', 'input_shape', 'batch_shape', 'name', 'dtype', 'trainable'];

/** The model builder panel. */
export class Builder {
  /**
   * @param {HTMLElement} root the panel's element
   * @param {{presets: Array<{name, title, spec}>, onChange: (spec) => void}} options
   */
  constructor(root, { presets, onChange }) {
    this.root = root;
    this.presets = presets;
    this.onChange = onChange;
    this.layers = [];
    this.cards = [];
    this.check = null;
    this.error = null;
    this.locked = false;
    this.addClass = 'Conv2D';
    this.render();
    onLanguageChange(() => this.render());
  }

  /** Replaces the layers with those of a preset (by its engine name, e.g. `seed-cnn`). */
  loadPreset(name) {
    const preset = this.presets.find((p) => p.name === name);
    if (preset) this.loadSpec(preset.spec);
  }

  /** Replaces the layers with those of a Keras `modelTopology` spec. */
  loadSpec(spec) {
    this.layers = spec.config.layers.map((layer) => {
      const config = {};
      for (const [key, value] of Object.entries(layer.config || {})) {
        if (!MANAGED_KEYS.includes(key)) config[key] = value;
      }
      return { class_name: layer.class_name, config };
    });
    this.check = null;
    this.error = null;
    this.changed();
  }

  /** The Keras `modelTopology` of the layers as they stand. */
  spec() {
    const layers = this.layers.map((layer, i) => {
      const config = { ...layer.config };
      if (i === 0) config.batch_input_shape = [null, ...INPUT_SHAPE];
      return { class_name: layer.class_name, config };
    });
    return { class_name: 'Sequential', config: { name: 'sequential', layers } };
  }

  /** Shows the engine's verdict on the current spec: the architecture view, or an error
   * (`error.layer` is the 1-based layer index) next to the layer and field at fault. */
  showCheck(view, error) {
    this.check = view;
    this.error = error;
    this.updateVerdict();
  }

  /** While training runs the architecture cannot change. */
  setLocked(locked) {
    this.locked = locked;
    for (const control of this.root.querySelectorAll('button, input, select')) control.disabled = locked;
    if (!locked) this.updateMoveButtons();
  }

  changed() {
    this.render();
    this.onChange(this.spec());
  }

  addLayer(className) {
    this.layers.push({ class_name: className, config: structuredClone(LAYER_TYPES[className].defaults) });
    this.changed();
    this.cards[this.cards.length - 1].card.scrollIntoView({ block: 'nearest' });
  }

  removeLayer(index) {
    this.layers.splice(index, 1);
    this.changed();
    const next = this.cards[Math.min(index, this.cards.length - 1)];
    (next ? next.remove : this.root.querySelector('#add-layer')).focus();
  }

  moveLayer(index, offset) {
    const target = index + offset;
    if (target < 0 || target >= this.layers.length) return;
    [this.layers[index], this.layers[target]] = [this.layers[target], this.layers[index]];
    this.changed();
    const card = this.cards[target];
    (offset < 0 ? card.up : card.down).focus();
  }

  /** A control changed: the spec changes but the cards stay (the learner may be typing). */
  setArgument(index, key, value) {
    this.layers[index].config[key] = value;
    this.onChange(this.spec());
  }

  /** Rebuilds the panel (structure changes and language changes only). */
  render() {
    const presetRow = element('div', { class: 'preset-row' },
      element('span', { class: 'row-label', text: t('builder.presets') }),
      ...this.presets.map((preset) => {
        const button = element('button', { type: 'button', class: 'preset', dataset: { preset: preset.name },
          text: t(`preset.${preset.name}`, {}, preset.title) });
        button.addEventListener('click', () => this.loadPreset(preset.name));
        return button;
      }));

    const list = element('ol', { class: 'layer-list', 'aria-label': t('builder.layers') });
    list.append(element('li', { class: 'layer-card input-card' },
      element('div', { class: 'layer-head' },
        element('span', { class: 'layer-title', text: t('builder.input') }),
        element('span', { class: 'layer-shape', text: formatShape(INPUT_SHAPE) }))));
    this.cards = this.layers.map((layer, i) => this.renderLayer(layer, i));
    list.append(...this.cards.map((c) => c.card));

    this.modelError = element('p', { class: 'error', role: 'alert', id: 'model-error', hidden: true });

    const addSelect = element('select', { id: 'add-layer-class' },
      ...LAYER_CLASSES.map((c) => element('option', { value: c, text: c })));
    addSelect.value = this.addClass;
    addSelect.addEventListener('change', () => { this.addClass = addSelect.value; });
    const addButton = element('button', { type: 'button', id: 'add-layer', text: t('builder.add') });
    addButton.addEventListener('click', () => this.addLayer(addSelect.value));
    const addRow = element('div', { class: 'add-row' },
      element('label', { for: 'add-layer-class', text: t('builder.add_label') }), addSelect, addButton);

    this.root.replaceChildren(presetRow, list, this.modelError, addRow);
    this.updateVerdict();
    this.setLocked(this.locked);
  }

  /** Builds one layer's card; returns it with the parts that later checks update. */
  renderLayer(layer, i) {
    const index = i + 1;
    const card = element('li', { class: 'layer-card', dataset: { layer: String(index), className: layer.class_name } });
    const name = element('span', { class: 'layer-name' });
    const shape = element('span', { class: 'layer-shape' });
    const heading = element('div', { class: 'layer-head' },
      element('span', { class: 'layer-index', text: String(index) }),
      element('span', { class: 'layer-title', text: layer.class_name }),
      name, shape);

    const tools = element('div', { class: 'layer-tools' });
    const tool = (symbol, label, action) => {
      const button = element('button', { type: 'button', class: 'icon', title: label, 'aria-label': label, text: symbol });
      button.addEventListener('click', action);
      tools.append(button);
      return button;
    };
    const up = tool('↑', t('builder.move_up', { index }), () => this.moveLayer(i, -1));
    const down = tool('↓', t('builder.move_down', { index }), () => this.moveLayer(i, 1));
    const remove = tool('✕', t('builder.remove', { index }), () => this.removeLayer(i));
    heading.append(tools);
    card.append(heading);

    const type = LAYER_TYPES[layer.class_name];
    const controls = element('div', { class: 'layer-controls' });
    const inputs = (type ? type.controls : []).map((control) => {
      const { field, input } = this.renderControl(layer, i, control);
      controls.append(field);
      return input;
    });
    if (!type || type.controls.length === 0) {
      controls.append(element('span', { class: 'hint', text: t('builder.no_arguments') }));
    }
    const params = element('div', { class: 'layer-params' });
    const error = element('p', { class: 'error', role: 'alert', id: `layer-${index}-error`, hidden: true });
    card.append(controls, params, error);
    return { card, name, shape, params, error, inputs, up, down, remove };
  }

  renderControl(layer, i, control) {
    const argument = ARGUMENTS[control];
    const key = argument.key || control;
    const id = `layer-${i + 1}-${key}`;
    const value = layer.config[key];
    let input;
    if (argument.kind === 'select') {
      input = element('select', { id },
        ...argument.options.map((option) => element('option', { value: option, text: option })));
      input.value = value ?? argument.options[0];
      input.addEventListener('change', () => this.setArgument(i, key, input.value));
    } else {
      const shown = Array.isArray(value) ? value[0] : value;
      input = element('input', {
        id, type: 'number', inputmode: argument.kind === 'float' ? 'decimal' : 'numeric',
        min: argument.min, max: argument.max, step: argument.step ?? 1,
        placeholder: argument.placeholder, title: argument.title ? t(argument.title) : undefined,
      });
      input.value = shown === null || shown === undefined ? '' : String(shown);
      input.addEventListener('input', () => this.setArgument(i, key, readNumber(input, argument.kind)));
    }
    input.dataset.field = key;
    const field = element('div', { class: 'field' }, element('label', { for: id, text: t(argument.label) }), input);
    return { field, input };
  }

  updateMoveButtons() {
    this.cards.forEach((card, i) => {
      card.up.disabled = i === 0;
      card.down.disabled = i === this.cards.length - 1;
    });
  }

  /** Puts the latest check's output shapes, parameter counts and error into the cards. */
  updateVerdict() {
    const error = this.error;
    this.cards.forEach((card, i) => {
      const index = i + 1;
      const plan = !error && this.check ? this.check.layers[i] : null;
      card.name.textContent = plan ? plan.name : '';
      card.shape.textContent = plan ? `→ ${formatShape(plan.output_shape)}` : '';
      card.params.textContent = plan && plan.params > 0 ? t('builder.params', { count: formatNumber(plan.params) }) : '';
      const here = error && error.layer === index;
      card.card.classList.toggle('invalid', Boolean(here));
      card.error.hidden = !here;
      card.error.textContent = here ? engineMessage(error.message) : '';
      for (const input of card.inputs) {
        const key = input.dataset.field;
        const atFault = here && error.field && (error.field === key || error.field.startsWith(`${key}.`)
          || error.field.startsWith(`${key}[`));
        if (atFault) input.setAttribute('aria-invalid', 'true');
        else input.removeAttribute('aria-invalid');
        if (here) input.setAttribute('aria-describedby', card.error.id);
        else input.removeAttribute('aria-describedby');
        input.closest('.field').classList.toggle('invalid', Boolean(atFault));
      }
    });
    if (this.modelError) {
      const general = error && !error.layer;
      this.modelError.hidden = !general;
      this.modelError.textContent = general ? engineMessage(error.message) : '';
    }
  }
}

/**
 * The value a number box sends to the engine: a number, `[n, n]` for square pairs, `null` for an
 * empty optional pair. Anything unreadable is passed on as typed, so the engine's message says
 * what is wrong with it.
 */
function readNumber(input, kind) {
  const text = input.value.trim();
  if (text === '') {
    if (kind === 'optionalPair') return null;
    return input.validity.badInput ? 'not a number' : null;
  }
  const number = Number(text);
  if (!Number.isFinite(number)) return text;
  return kind === 'pair' || kind === 'optionalPair' ? [number, number] : number;
}
