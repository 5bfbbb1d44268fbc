// Gradient flow: while a model trains, the norm of each layer's gradients over the run (log scale,
// one line per layer, input side first) and, for the latest batch, each layer's weight and
// gradient norms with small histograms. A deep sigmoid stack shows its gradients shrinking layer
// by layer towards the input; a ReLU stack does not.

import { t, onLanguageChange } from './i18n.js';
import { element } from './dom.js';
import { LineChart, PALETTE, swatch } from './charts.js';

/** Hidden layers and units of the deep stacks the panel offers. */
const DEEP_LAYERS = 5;
const DEEP_UNITS = 64;

/** Superscript digits for powers of ten on the log axis. */
const SUPERSCRIPT = { '-': '⁻', 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹' };

/** `-3` → `10⁻³`; no label between powers. */
function powerOfTen(value) {
  if (!Number.isInteger(value)) return '';
  return `10${String(value).split('').map((c) => SUPERSCRIPT[c]).join('')}`;
}

/** A norm as a learner reads it: `3.2e-5`. */
function formatNorm(value) {
  return value === 0 ? '0' : value.toExponential(1);
}

/** Flatten → DEEP_LAYERS × Dense(DEEP_UNITS, activation) → Dense(10, softmax). */
export function deepStack(activation) {
  const layers = [{ class_name: 'Flatten', config: { batch_input_shape: [null, 28, 28, 1] } }];
  for (let i = 0; i < DEEP_LAYERS; i += 1) layers.push({ class_name: 'Dense', config: { units: DEEP_UNITS, activation } });
  layers.push({ class_name: 'Dense', config: { units: 10, activation: 'softmax' } });
  return { class_name: 'Sequential', config: { name: 'sequential', layers } };
}

/** Paints a histogram's bars (heights by the square root of the counts, so small bins show). */
function paintHistogram(canvas, histogram, color) {
  const context = canvas.getContext('2d');
  const { width, height } = canvas;
  context.fillStyle = '#fff';
  context.fillRect(0, 0, width, height);
  const top = Math.sqrt(Math.max(1, ...histogram));
  const bar = width / histogram.length;
  context.fillStyle = color;
  histogram.forEach((count, i) => {
    const h = (Math.sqrt(count) / top) * (height - 2);
    context.fillRect(i * bar + 0.5, height - h, Math.max(1, bar - 1), h);
  });
  context.fillStyle = '#9ca3af';
  context.fillRect(width / 2, 0, 1, height);
}

/** The gradient-flow panel. */
export class GradientFlow {
  constructor(root, { client, loadSpec }) {
    this.root = root;
    this.loadSpec = loadSpec;
    this.history = [];
    this.latest = null;
    client.on('gradient-stats', (stats) => this.onStats(stats));
    this.render();
    onLanguageChange(() => this.render());
  }

  onRunStarted() {
    this.history = [];
    this.latest = null;
    this.draw();
  }

  onShow() {
    this.draw();
  }

  onStats({ batch, layers }) {
    this.latest = layers;
    this.history.push({ x: batch.epoch + (batch.batch + 1) / batch.batches, layers });
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = null;
      this.draw();
    });
  }

  render() {
    const buttons = ['sigmoid', 'relu'].map((activation) => {
      const button = element('button', { type: 'button', id: `gradients-load-${activation}`,
        text: t('gradients.load', { activation, layers: DEEP_LAYERS, units: DEEP_UNITS }) });
      button.addEventListener('click', () => this.loadSpec(deepStack(activation)));
      return button;
    });
    this.canvas = element('canvas', { class: 'lab-chart', id: 'gradients-chart', role: 'img', 'aria-label': t('gradients.chart_caption') });
    this.chart = new LineChart(this.canvas, { yFormat: powerOfTen });
    this.legend = element('ul', { class: 'legend', id: 'gradients-legend' });
    this.table = element('div', { id: 'gradients-table' });
    this.root.replaceChildren(
      element('div', { class: 'lab-controls' }, ...buttons, element('span', { class: 'hint', text: t('gradients.then_train') })),
      element('figure', { class: 'lab-figure' }, element('figcaption', { text: t('gradients.chart_caption') }), this.legend, this.canvas),
      this.table);
    this.draw();
  }

  /** One colour per layer, the input side first. */
  layerColor(i) {
    return PALETTE[i % PALETTE.length];
  }

  draw() {
    if (this.root.closest('[hidden]')) return;
    const layers = this.latest || [];
    this.chart.setSeries(layers.map((layer, i) => ({
      points: this.history.map(({ x, layers: all }) => [x, Math.log10(Math.max(all[i].gradients.norm, 1e-12))]),
      color: this.layerColor(i), width: 2 })));
    this.chart.setOptions({ xLabel: t('chart.x'), emptyText: t('gradients.empty') });
    this.chart.draw();
    this.legend.replaceChildren(...layers.map((layer, i) => {
      return element('li', {}, swatch(this.layerColor(i)), element('span', { text: `${layer.name} (${layer.class_name})` }));
    }));
    this.renderTable(layers);
  }

  renderTable(layers) {
    if (layers.length === 0) {
      this.table.replaceChildren();
      return;
    }
    const head = element('tr', {}, ...['gradients.layer', 'gradients.weight_norm', 'gradients.gradient_norm', 'gradients.mean_gradient',
      'gradients.weight_histogram', 'gradients.gradient_histogram'].map((key) => element('th', { scope: 'col', text: t(key) })));
    const rows = layers.map((layer) => {
      const histogram = (values, color, key) => {
        const canvas = element('canvas', { width: 126, height: 36, class: 'histogram', role: 'img',
          'aria-label': t(key, { name: layer.name, limit: formatNorm(values.limit) }) });
        paintHistogram(canvas, values.histogram, color);
        return element('td', {}, canvas, element('span', { class: 'range', text: `±${formatNorm(values.limit)}` }));
      };
      return element('tr', { 'data-layer': String(layer.layer) },
        element('th', { scope: 'row', text: `${layer.name} (${layer.class_name})` }),
        element('td', { class: 'number', text: formatNorm(layer.weights.norm) }),
        element('td', { class: 'number', text: formatNorm(layer.gradients.norm) }),
        element('td', { class: 'number', text: formatNorm(layer.gradients.mean_abs) }),
        histogram(layer.weights, '#6b7280', 'gradients.weight_histogram_label'),
        histogram(layer.gradients, '#0b57d0', 'gradients.gradient_histogram_label'));
    });
    this.table.replaceChildren(element('table', { class: 'runs-table gradients-table' },
      element('caption', { text: t('gradients.table_caption') }), element('thead', {}, head), element('tbody', {}, ...rows)));
  }
}
