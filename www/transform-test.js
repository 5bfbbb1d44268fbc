// The rotate / shift test: a test image rotated, scaled and shifted with sliders (OpenCV's
// getRotationMatrix2D about the image centre, plus the shift; the 3×3 matrix shown), with the
// model's prediction updating live; and the model's test accuracy against the rotation angle,
// kept per model so that "MLP vs CNN under rotation" is one chart (and one click).

import { t, onLanguageChange, formatNumber, formatPercent } from './i18n.js';
import { element } from './dom.js';
import { LineChart, PALETTE, swatch } from './charts.js';
import { digitCanvas } from './digit-image.js';
import { probabilityBars, verdictLine } from './probability-bars.js';
import { modelName } from './model-description.js';
import { LatestRequest } from './latest-request.js';
import { TEST_IMAGES } from './edition.js';

/** The sliders: engine argument, range, step and the neutral value. */
const SLIDERS = [
  { key: 'angle', min: -180, max: 180, step: 1, neutral: 0, unit: '°' },
  { key: 'shiftX', min: -10, max: 10, step: 0.5, neutral: 0, unit: ' px' },
  { key: 'shiftY', min: -10, max: 10, step: 0.5, neutral: 0, unit: ' px' },
  { key: 'scale', min: 0.5, max: 1.5, step: 0.05, neutral: 1, unit: '×' },
];

/** Test images per angle, and the angle step, of the accuracy chart. */
const CHART_COUNTS = [200, 1000];
const CHART_STEPS = [15, 30];

/** The two lesson presets "MLP vs CNN" trains, in this order. */
const COMPARED_PRESETS = ['seed-mlp', 'seed-cnn'];

/** "MLP vs CNN" keeps the training settings on screen (images, epochs, optimizer) but trains
 * both models without validation, regularisation or augmentation: no rotation seen in training. */
const PLAIN_TRAINING = { validation_split: 0, early_stopping: false, rotation_range: 0, shift_range: 0, l1: 0, l2: 0 };

/** The rotate / shift panel. */
export class TransformTest {
  constructor(root, { client, presets, currentSpec, trainSetup, isTraining }) {
    this.root = root;
    this.client = client;
    this.presets = presets;
    this.currentSpec = currentSpec;
    this.trainSetup = trainSetup;
    this.isTraining = isTraining;
    this.index = 0;
    this.transform = Object.fromEntries(SLIDERS.map((s) => [s.key, s.neutral]));
    this.result = null;
    this.error = null;
    this.request = new LatestRequest(
      () => this.client.call('transformed', { index: this.index, ...this.transform }),
      (result, error) => {
        this.result = result;
        this.error = error;
        this.renderResult();
      });
    this.chartCount = CHART_COUNTS[1];
    this.chartStep = CHART_STEPS[0];
    this.curves = [];
    this.progress = null;
    this.chartError = null;
    client.on('mnist-ready', () => this.refresh());
    client.on('training-ended', () => {
      this.refresh();
      this.renderChartControls();
    });
    client.on('training-error', () => this.renderChartControls());
    this.render();
    onLanguageChange(() => this.render());
  }

  onModelBuilt() {
    this.refresh();
  }

  onRunStarted() {
    this.renderChartControls();
  }

  onShow() {
    this.refresh();
    this.drawChart();
  }

  /** Asks the engine for the transformed image and its prediction (while the panel shows). */
  refresh() {
    if (!this.root.closest('[hidden]')) this.request.run();
  }

  render() {
    const index = element('input', { id: 'transform-index', type: 'number', min: 0, max: TEST_IMAGES - 1, step: 1 });
    index.value = String(this.index);
    index.addEventListener('change', () => {
      const value = Number(index.value);
      if (Number.isInteger(value) && value >= 0 && value < TEST_IMAGES) {
        this.index = value;
        this.refresh();
      }
    });
    const random = element('button', { type: 'button', id: 'transform-random', text: t('maps.random') });
    random.addEventListener('click', () => {
      this.index = Math.floor(Math.random() * TEST_IMAGES);
      index.value = String(this.index);
      this.refresh();
    });
    const sliders = SLIDERS.map((slider) => {
      const id = `transform-${slider.key}`;
      const input = element('input', { id, type: 'range', min: slider.min, max: slider.max, step: slider.step });
      input.value = String(this.transform[slider.key]);
      const shown = element('output', { for: id, text: `${this.transform[slider.key]}${slider.unit}` });
      input.addEventListener('input', () => {
        this.transform[slider.key] = Number(input.value);
        shown.textContent = `${input.value}${slider.unit}`;
        this.refresh();
      });
      return element('div', { class: 'field slider' }, element('label', { for: id, text: t(`transform.${slider.key}`) }), input, shown);
    });
    const reset = element('button', { type: 'button', id: 'transform-reset', text: t('transform.reset') });
    reset.addEventListener('click', () => {
      this.transform = Object.fromEntries(SLIDERS.map((s) => [s.key, s.neutral]));
      this.render();
      this.refresh();
    });
    const picker = element('div', { class: 'lab-controls' },
      element('div', { class: 'field' }, element('label', { for: 'transform-index', text: t('maps.test_image') }), index), random, reset);
    this.resultBox = element('div', { class: 'lab-row transform-result' });
    this.chartControls = element('div', { class: 'lab-controls' });
    this.chartCanvas = element('canvas', { class: 'lab-chart', id: 'rotation-chart', role: 'img', 'aria-label': t('transform.chart_title') });
    this.chart = new LineChart(this.chartCanvas, { xMin: -180, xMax: 180, yMin: 0, yMax: 1 });
    this.legend = element('ul', { class: 'legend', id: 'rotation-legend' });
    this.root.replaceChildren(picker, element('div', { class: 'lab-controls sliders' }, ...sliders), this.resultBox,
      element('section', { class: 'lab-figure' }, element('h3', { text: t('transform.chart_title') }),
        this.chartControls, this.legend, this.chartCanvas));
    this.renderResult();
    this.renderChartControls();
    this.drawChart();
  }

  renderResult() {
    if (!this.resultBox) return;
    const result = this.result;
    if (!result) {
      this.resultBox.replaceChildren(element('p', { class: this.error ? 'error' : 'hint', text: this.error ? this.error.message : t('transform.waiting') }));
      return;
    }
    const original = element('figure', { class: 'lab-figure' }, element('figcaption', { text: t('transform.original', { index: result.index }) }),
      digitCanvas(result.original, { label: t('maps.input_label', { index: result.index, label: result.label }), className: 'digit-image large' }));
    const transformed = element('figure', { class: 'lab-figure' }, element('figcaption', { text: t('transform.transformed') }),
      digitCanvas(result.image, { label: t('transform.transformed'), className: 'digit-image large' }));
    // Rounding error below the shown digits (cos 90° = 6e-17) would print as "-0.000".
    const shown = (v) => (Math.abs(v) < 0.0005 ? 0 : v).toFixed(3);
    const rows = result.matrix.map((row) => element('tr', {}, ...row.map((v) => element('td', { text: shown(v) }))));
    const matrix = element('figure', { class: 'lab-figure' },
      element('figcaption', { text: t('transform.matrix_caption') }),
      element('table', { class: 'matrix mono', id: 'transform-matrix' }, element('tbody', {}, ...rows)),
      element('p', { class: 'hint', text: t('transform.matrix_hint') }));
    const prediction = element('div', { class: 'transform-prediction' },
      verdictLine(result.probabilities, result.label, 'transform-verdict'),
      probabilityBars(result.probabilities, { label: t('prediction.bars'), truth: result.label, id: 'transform-bars' }));
    this.resultBox.replaceChildren(original, transformed, matrix, prediction);
  }

  renderChartControls() {
    if (!this.chartControls) return;
    const select = (id, values, current, format, onChange) => {
      const input = element('select', { id }, ...values.map((v) => element('option', { value: String(v), text: format(v) })));
      input.value = String(current);
      input.addEventListener('change', () => onChange(Number(input.value)));
      return input;
    };
    const count = select('rotation-count', CHART_COUNTS, this.chartCount, formatNumber, (v) => { this.chartCount = v; });
    const step = select('rotation-step', CHART_STEPS, this.chartStep, (v) => `${v}°`, (v) => { this.chartStep = v; });
    const blocked = Boolean(this.progress) || this.isTraining();
    const run = element('button', { type: 'button', id: 'rotation-run', class: 'primary', text: t('transform.chart_run') });
    run.disabled = blocked;
    run.addEventListener('click', () => this.chartCurrentModel());
    const compare = element('button', { type: 'button', id: 'rotation-compare', text: t('transform.compare'), title: t('transform.compare_help') });
    compare.disabled = blocked;
    compare.addEventListener('click', () => this.compareMlpAndCnn());
    const clear = element('button', { type: 'button', id: 'rotation-clear', text: t('transform.clear') });
    clear.disabled = blocked || this.curves.length === 0;
    clear.addEventListener('click', () => {
      this.curves = [];
      this.renderChartControls();
      this.drawChart();
    });
    let message = '';
    if (this.progress) message = t(this.progress.key, this.progress.params);
    else if (this.chartError) message = this.chartError.message;
    const status = element('p', { class: this.chartError && !this.progress ? 'error' : 'hint', id: 'rotation-status', role: 'status', text: message });
    this.chartControls.replaceChildren(
      element('div', { class: 'field' }, element('label', { for: 'rotation-count', text: t('transform.chart_count') }), count),
      element('div', { class: 'field' }, element('label', { for: 'rotation-step', text: t('transform.chart_step') }), step),
      run, compare, clear, status);
  }

  /** Adds the current model's accuracy-vs-angle curve (one engine request per angle, so the
   * worker stays responsive between them). */
  async chartCurrentModel(name = modelName(this.currentSpec(), this.presets)) {
    const angles = [];
    for (let angle = -180; angle <= 180; angle += this.chartStep) angles.push(angle);
    const curve = { name, count: this.chartCount, points: [] };
    this.curves = this.curves.filter((c) => c.name !== name);
    this.curves.push(curve);
    this.chartError = null;
    try {
      for (const [i, angle] of angles.entries()) {
        this.progress = { key: 'transform.progress', params: { angle, done: i, total: angles.length, count: formatNumber(this.chartCount) } };
        this.renderChartControls();
        curve.points.push([angle, await this.client.call('rotationAccuracy', { angle, count: this.chartCount })]);
        this.drawChart();
      }
    } catch (error) {
      this.chartError = error;
    }
    this.progress = null;
    this.renderChartControls();
    this.drawChart();
  }

  /** Trains the Lesson MLP and the Lesson CNN with the current settings, one after the other,
   * and charts both under rotation. */
  async compareMlpAndCnn() {
    for (const name of COMPARED_PRESETS) {
      const preset = this.presets.find((p) => p.name === name);
      const title = t(`preset.${name}`, {}, preset.title);
      this.progress = { key: 'transform.training', params: { name: title } };
      this.renderChartControls();
      const ended = await this.trainSetup({ spec: preset.spec, values: PLAIN_TRAINING });
      if (!ended) break;
      await this.chartCurrentModel(title);
    }
    this.progress = null;
    this.renderChartControls();
  }

  drawChart() {
    if (!this.chart || this.root.closest('[hidden]')) return;
    this.chart.setSeries(this.curves.map((curve, i) => ({ points: curve.points, color: PALETTE[i % PALETTE.length], width: 3, dots: true })));
    this.chart.setOptions({ xLabel: t('transform.chart_x'), emptyText: t('transform.chart_empty') });
    this.chart.draw();
    this.legend.replaceChildren(...this.curves.map((curve, i) => {
      const at = (angle) => curve.points.find((p) => p[0] === angle);
      const upright = at(0);
      const flipped = at(180);
      const detail = upright && flipped
        ? t('transform.legend_detail', { upright: formatPercent(upright[1]), flipped: formatPercent(flipped[1]) }) : '';
      return element('li', { 'data-curve': curve.name }, swatch(PALETTE[i % PALETTE.length]), element('span', { text: `${curve.name} ${detail}` }));
    }));
  }
}
