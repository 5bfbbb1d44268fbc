// The convolution animator: a small input grid with its padding drawn where TensorFlow puts it
// (uneven 'same' padding: the extra row and column at the bottom and right), the window sliding
// with the layer's kernel size and stride, each output cell lit as it is computed with its
// arithmetic (`Σ x·w + b`, or the max / mean of the window), and the output-size formula with the
// same numbers. The padding and the formula come from the engine (`check` of a one-layer model);
// when the last cell is done, the engine's own Conv2D / pooling layer runs on the same numbers and
// the panel says whether the grids agree.

import { t, onLanguageChange } from './i18n.js';
import { element } from './dom.js';

/** The layer classes the animator shows. */
const KINDS = ['Conv2D', 'MaxPooling2D', 'AveragePooling2D'];

/** Speeds of the animation: milliseconds per output cell. */
const SPEEDS = { slow: 1400, normal: 700, fast: 250 };

/** The input grid's side the animator opens with: small enough to read every number. */
const DEFAULT_SIZE = 7;

/** A seeded generator of small integers (mulberry32), so "new numbers" is reproducible. */
function integers(seed) {
  let state = seed >>> 0;
  return (low, high) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    const unit = ((x ^ (x >>> 14)) >>> 0) / 4294967296;
    return low + Math.floor(unit * (high - low + 1));
  };
}

/** Numbers as the grid shows them: integers as they are, fractions with two decimals. */
function formatValue(value) {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

/** A term of the arithmetic line: negative numbers in brackets. */
function term(value) {
  return value < 0 ? `(${formatValue(value)})` : formatValue(value);
}

/** The convolution animator panel. */
export class ConvAnimator {
  /**
   * @param {HTMLElement} root
   * @param {{client: import('./engine-client.js').EngineClient}} context
   */
  constructor(root, { client }) {
    this.root = root;
    this.client = client;
    this.view = null;
    this.source = 'custom';
    this.settings = { kind: 'Conv2D', kernel: 3, stride: 2, padding: 'same', size: DEFAULT_SIZE };
    this.seed = 1;
    this.speed = 'normal';
    this.plan = null;
    this.error = null;
    this.step = 0;
    this.timer = null;
    this.checkSequence = 0;
    this.verdict = null;
    this.render();
    this.update();
    onLanguageChange(() => {
      this.render();
      this.draw();
    });
  }

  /** The builder's model changed: refreshes the layer list and follows the chosen layer. */
  onModelChecked(view) {
    this.view = view;
    const layers = this.layers();
    if (this.source !== 'custom' && !layers.some((layer) => String(layer.index) === this.source)) this.source = 'custom';
    if (this.source !== 'custom') this.settings = { ...this.settings, ...this.layerSettings(Number(this.source)) };
    this.render();
    this.update();
  }

  /** The Conv2D and pooling layers of the checked model: `[{index, name, class_name}]`. */
  layers() {
    if (!this.view) return [];
    return this.view.layers.filter((layer) => KINDS.includes(layer.class_name));
  }

  /** Kind, window, stride and padding of layer `index` (1-based) as the builder has them. */
  layerSettings(index) {
    const layer = this.view.layers[index - 1];
    const config = this.view.spec.config.layers[index - 1].config;
    const window = layer.class_name === 'Conv2D' ? config.kernel_size : config.pool_size;
    const strides = config.strides || window;
    return { kind: layer.class_name, kernel: window[0], stride: strides[0], padding: config.padding || 'valid' };
  }

  /** The one-layer model of `settings`: the layer on a `size × size × 1` input. */
  spec(settings) {
    const { kind, kernel, stride, padding, size } = settings;
    const config = kind === 'Conv2D'
      ? { filters: 1, kernel_size: [kernel, kernel], strides: [stride, stride], padding, activation: 'linear' }
      : { pool_size: [kernel, kernel], strides: [stride, stride], padding };
    config.batch_input_shape = [null, size, size, 1];
    return { class_name: 'Sequential', config: { name: 'animator', layers: [{ class_name: kind, config }] } };
  }

  /** New numbers for the input, kernel and bias (small integers, so every sum is exact). */
  numbers(settings) {
    const { kind, kernel, size } = settings;
    const next = integers(this.seed * 7919 + size * 31 + kernel);
    const input = Array.from({ length: size * size }, () => next(0, 9));
    const weights = kind === 'Conv2D' ? Array.from({ length: kernel * kernel }, () => next(-1, 1)) : [];
    const bias = kind === 'Conv2D' ? next(0, 2) : 0;
    return { input, weights, bias };
  }

  /** Asks the engine for the padding and output size of the current settings, then restarts. */
  async update() {
    this.pause();
    const sequence = ++this.checkSequence;
    const settings = { ...this.settings };
    let plan = null;
    let error = null;
    try {
      const view = await this.client.check(this.spec(settings));
      plan = view.layers[0].output_size[0];
    } catch (engineError) {
      error = engineError;
    }
    if (sequence !== this.checkSequence) return;
    this.plan = plan;
    this.error = error;
    this.shown = settings;
    this.values = this.numbers(settings);
    this.output = plan ? this.compute() : [];
    this.step = 0;
    this.verdict = null;
    this.draw();
  }

  /** The cell `(row, col)` of the padded grid: its input value, or null in the padding. */
  paddedValue(row, col) {
    const { size } = this.shown;
    const r = row - this.plan.pad_before;
    const c = col - this.plan.pad_before;
    if (r < 0 || c < 0 || r >= size || c >= size) return null;
    return this.values.input[r * size + c];
  }

  /** The padded cells `[{row, col, value, weight}]` of the window of output cell `index`. */
  window(index) {
    const { kernel, stride } = this.shown;
    const out = this.plan.output;
    const top = Math.floor(index / out) * stride;
    const left = (index % out) * stride;
    const cells = [];
    for (let i = 0; i < kernel; i += 1) {
      for (let j = 0; j < kernel; j += 1) {
        cells.push({ row: top + i, col: left + j, value: this.paddedValue(top + i, left + j),
          weight: this.values.weights[i * kernel + j] });
      }
    }
    return cells;
  }

  /** Output cell `index` and the arithmetic that makes it: Conv2D sums `x·w` over the window
   * (padding counts as 0) and adds the bias; pooling ignores padded cells (TensorFlow). */
  cell(index) {
    const cells = this.window(index);
    const out = this.plan.output;
    const where = `y[${Math.floor(index / out)},${index % out}]`;
    if (this.shown.kind === 'Conv2D') {
      const value = cells.reduce((sum, c) => sum + (c.value ?? 0) * c.weight, 0) + this.values.bias;
      const terms = cells.map((c) => `${term(c.value ?? 0)}·${term(c.weight)}`).join(' + ');
      return { value, text: `${where} = ${terms} + ${term(this.values.bias)} = ${formatValue(value)}` };
    }
    const inside = cells.filter((c) => c.value !== null).map((c) => c.value);
    if (this.shown.kind === 'MaxPooling2D') {
      const value = Math.max(...inside);
      return { value, text: `${where} = max(${inside.join(', ')}) = ${formatValue(value)}` };
    }
    const value = inside.reduce((a, b) => a + b, 0) / inside.length;
    return { value, text: `${where} = (${inside.join(' + ')}) / ${inside.length} = ${formatValue(value)}` };
  }

  /** Every output value, computed cell by cell as the animation shows them. */
  compute() {
    const count = this.plan.output * this.plan.output;
    return Array.from({ length: count }, (_, index) => this.cell(index).value);
  }

  cellCount() {
    return this.plan ? this.plan.output * this.plan.output : 0;
  }

  play() {
    if (!this.plan || this.timer) return;
    if (this.step >= this.cellCount()) this.step = 0;
    this.timer = setInterval(() => this.advance(), SPEEDS[this.speed]);
    this.draw();
  }

  pause() {
    clearInterval(this.timer);
    this.timer = null;
    if (this.playButton) this.draw();
  }

  /** Computes one more output cell; the engine check runs after the last. */
  advance() {
    if (!this.plan || this.step >= this.cellCount()) {
      this.pause();
      return;
    }
    this.step += 1;
    if (this.step >= this.cellCount()) {
      this.pause();
      this.verify();
    }
    this.draw();
  }

  /** Shows every output cell at once. */
  finish() {
    if (!this.plan) return;
    this.pause();
    this.step = this.cellCount();
    this.draw();
    this.verify();
  }

  restart() {
    this.pause();
    this.step = 0;
    this.verdict = null;
    this.draw();
  }

  /** Runs the engine's layer on the same numbers and compares it with the animator's grid. */
  async verify() {
    const sequence = this.checkSequence;
    const { kind } = this.shown;
    const weights = kind === 'Conv2D' ? [...this.values.weights, this.values.bias] : [];
    try {
      const engine = await this.client.call('forwardWithWeights', {
        spec: JSON.stringify(this.spec(this.shown)), weights, input: this.values.input, batch: 1 });
      if (sequence !== this.checkSequence) return;
      const same = engine.length === this.output.length
        && this.output.every((value, i) => Math.abs(value - engine[i]) <= 1e-5 * Math.max(1, Math.abs(value)));
      this.verdict = { same, kind };
    } catch (error) {
      this.verdict = { same: false, message: error.message };
    }
    this.draw();
  }

  /** Sets one setting from a control; the layer choice becomes "custom". */
  set(key, value) {
    if (this.settings[key] === value) return;
    this.settings = { ...this.settings, [key]: value };
    this.source = 'custom';
    this.sourceSelect.value = 'custom';
    this.update();
  }

  render() {
    this.sourceSelect = element('select', { id: 'conv-source' },
      element('option', { value: 'custom', text: t('conv.custom') }),
      ...this.layers().map((layer) => element('option', { value: String(layer.index),
        text: t('conv.layer_option', { index: layer.index, name: layer.name, class_name: layer.class_name }) })));
    this.sourceSelect.value = this.source;
    this.sourceSelect.addEventListener('change', () => {
      this.source = this.sourceSelect.value;
      if (this.source !== 'custom') this.settings = { ...this.settings, ...this.layerSettings(Number(this.source)) };
      this.render();
      this.update();
    });

    const number = (key, min, max) => {
      const input = element('input', { id: `conv-${key}`, type: 'number', min, max, step: 1, inputmode: 'numeric' });
      input.value = String(this.settings[key]);
      input.addEventListener('change', () => {
        const value = Number(input.value);
        if (Number.isInteger(value) && value >= min && value <= max) this.set(key, value);
        else input.value = String(this.settings[key]);
      });
      return input;
    };
    const select = (key, options) => {
      const input = element('select', { id: `conv-${key}` },
        ...options.map((option) => element('option', { value: option, text: option })));
      input.value = this.settings[key];
      input.addEventListener('change', () => this.set(key, input.value));
      return input;
    };
    const field = (id, key, control) => element('div', { class: 'field' }, element('label', { for: id, text: t(key) }), control);
    const fresh = element('button', { type: 'button', id: 'conv-new-numbers', text: t('conv.new_numbers') });
    fresh.addEventListener('click', () => {
      this.seed += 1;
      this.update();
    });
    const settings = element('div', { class: 'lab-controls' },
      field('conv-source', 'conv.source', this.sourceSelect),
      field('conv-kind', 'conv.kind', select('kind', KINDS)),
      field('conv-kernel', 'conv.kernel', number('kernel', 1, 7)),
      field('conv-stride', 'conv.stride', number('stride', 1, 4)),
      field('conv-padding', 'conv.padding', select('padding', ['valid', 'same'])),
      field('conv-size', 'conv.size', number('size', 2, 12)),
      fresh);

    this.playButton = element('button', { type: 'button', id: 'conv-play', class: 'primary' });
    this.playButton.addEventListener('click', () => (this.timer ? this.pause() : this.play()));
    const stepButton = element('button', { type: 'button', id: 'conv-step', text: t('conv.step') });
    stepButton.addEventListener('click', () => {
      this.pause();
      this.advance();
    });
    const restart = element('button', { type: 'button', id: 'conv-restart', text: t('conv.restart') });
    restart.addEventListener('click', () => this.restart());
    const toEnd = element('button', { type: 'button', id: 'conv-finish', text: t('conv.finish') });
    toEnd.addEventListener('click', () => this.finish());
    const speed = element('select', { id: 'conv-speed' },
      ...Object.keys(SPEEDS).map((name) => element('option', { value: name, text: t(`conv.speed.${name}`) })));
    speed.value = this.speed;
    speed.addEventListener('change', () => {
      this.speed = speed.value;
      if (this.timer) {
        this.pause();
        this.play();
      }
    });
    const transport = element('div', { class: 'lab-controls transport' },
      this.playButton, stepButton, restart, toEnd, field('conv-speed', 'conv.speed', speed));
    this.transportButtons = [this.playButton, stepButton, restart, toEnd];

    this.stage = element('div', { class: 'conv-stage' });
    this.arithmetic = element('p', { class: 'conv-arithmetic', id: 'conv-arithmetic', 'aria-live': 'polite' });
    this.formula = element('p', { class: 'conv-formula', id: 'conv-formula' });
    this.modelFormula = element('p', { class: 'hint', id: 'conv-model-formula' });
    this.check = element('p', { class: 'conv-check', id: 'conv-check', role: 'status' });
    this.root.replaceChildren(settings, transport, this.stage, this.arithmetic, this.formula, this.modelFormula, this.check);
  }

  /** A square grid of cells; `cell(row, col)` returns `{text, value, classes, label}`. */
  grid(id, side, cell, caption) {
    const grid = element('div', { class: 'conv-grid', id, role: 'table', 'aria-label': caption });
    grid.style.gridTemplateColumns = `repeat(${side}, var(--conv-cell))`;
    for (let row = 0; row < side; row += 1) {
      for (let col = 0; col < side; col += 1) {
        const { text, value, classes = [], label } = cell(row, col);
        grid.append(element('div', { class: ['conv-cell', ...classes].join(' '), role: 'cell', 'aria-label': label,
          'data-row': String(row), 'data-col': String(col), 'data-value': value === undefined ? null : String(value), text }));
      }
    }
    return element('figure', { class: 'conv-figure' }, element('figcaption', { text: caption }), grid);
  }

  draw() {
    const playing = Boolean(this.timer);
    this.playButton.textContent = playing ? t('conv.pause') : t('conv.play');
    this.playButton.setAttribute('aria-pressed', String(playing));
    for (const button of this.transportButtons) button.disabled = !this.plan;
    if (!this.plan) {
      this.stage.replaceChildren(element('p', { class: 'error', role: 'alert', id: 'conv-error',
        text: this.error ? this.error.message : t('conv.checking') }));
      this.arithmetic.textContent = '';
      this.formula.textContent = '';
      this.modelFormula.textContent = '';
      this.check.textContent = '';
      return;
    }
    const { kind, kernel, stride, padding, size } = this.shown;
    const { pad_before: before, pad_after: after, output } = this.plan;
    const padded = size + before + after;
    const current = this.step > 0 ? this.step - 1 : -1;
    const inWindow = new Set(current >= 0 ? this.window(current).map((c) => `${c.row},${c.col}`) : []);
    const pooling = kind !== 'Conv2D';

    const input = this.grid('conv-input', padded, (row, col) => {
      const value = this.paddedValue(row, col);
      const classes = [];
      if (value === null) classes.push('pad');
      if (inWindow.has(`${row},${col}`)) classes.push('in-window');
      const text = value === null ? (pooling ? '·' : '0') : String(value);
      return { text, value: value === null ? undefined : value, classes,
        label: value === null ? t('conv.pad_cell') : String(value) };
    }, t('conv.input_caption', { size, top: before, bottom: after, left: before, right: after }));

    const parts = [input];
    if (kind === 'Conv2D') {
      parts.push(this.grid('conv-kernel', kernel, (row, col) => {
        const w = this.values.weights[row * kernel + col];
        return { text: formatValue(w), value: w, classes: ['weight'], label: String(w) };
      }, t('conv.kernel_caption', { size: kernel, bias: this.values.bias })));
    } else {
      parts.push(element('p', { class: 'conv-window-note', text: t(`conv.window.${kind}`, { size: kernel }) }));
    }
    parts.push(this.grid('conv-output', output, (row, col) => {
      const index = row * output + col;
      const done = index < this.step;
      const classes = [];
      if (done) classes.push('done');
      if (index === current) classes.push('current');
      return { text: done ? formatValue(this.output[index]) : '', value: done ? this.output[index] : undefined,
        classes, label: done ? formatValue(this.output[index]) : t('conv.not_yet') };
    }, t('conv.output_caption', { size: output })));
    this.stage.replaceChildren(...parts);
    this.stage.dataset.settings = `${kind} ${kernel} ${stride} ${padding} ${size}`;
    this.stage.dataset.bias = String(this.values.bias);
    this.stage.style.setProperty('--conv-cell', padded > 10 ? '1.9rem' : '2.3rem');

    this.arithmetic.textContent = current >= 0 ? this.cell(current).text : t('conv.press_play');
    this.formula.textContent = t('conv.formula', { formula: this.plan.formula });
    const layer = this.source !== 'custom' && this.view ? this.view.layers[Number(this.source) - 1] : null;
    this.modelFormula.textContent = layer && layer.output_size
      ? t('conv.model_formula', { name: layer.name, formula: layer.output_size[0].formula }) : '';
    if (this.verdict) {
      this.check.className = `conv-check ${this.verdict.same ? 'same' : 'differs'}`;
      this.check.textContent = this.verdict.message
        ? this.verdict.message
        : t(this.verdict.same ? 'conv.same' : 'conv.differs', { kind: this.verdict.kind });
    } else {
      this.check.className = 'conv-check';
      this.check.textContent = '';
    }
  }
}
