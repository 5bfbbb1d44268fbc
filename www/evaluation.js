// Evaluation: the confusion matrix of the model on the test set (rows: the true digit, columns:
// the prediction); a click on a cell lists exactly that cell's images with their probabilities.
// Beside it, the accuracy of each digit and the predictions the model was most sure of and got
// wrong. The engine computes everything; this view draws it.

import { t, onLanguageChange, formatNumber, formatPercent } from './i18n.js';
import { element } from './dom.js';
import { digitCanvas } from './digit-image.js';
import { TEST_IMAGES } from './edition.js';

/** The test-set sizes the learner can evaluate on: a quick 1,000 and the whole test set. */
const COUNTS = [1000, TEST_IMAGES];

/** MNIST image bytes per picture. */
const PIXELS = 784;

/** The evaluation panel. */
export class EvaluationPanel {
  constructor(root, { client, isTraining }) {
    this.root = root;
    this.client = client;
    this.isTraining = isTraining;
    this.count = COUNTS[0];
    this.result = null;
    this.cell = null;
    this.busy = false;
    this.stale = false;
    this.error = null;
    client.on('training-ended', () => this.markStale());
    client.on('training-error', () => this.render());
    client.on('mnist-ready', () => this.render());
    this.render();
    onLanguageChange(() => this.render());
  }

  onModelBuilt() {
    this.markStale();
  }

  onRunStarted() {
    this.render();
  }

  /** The model changed since the last evaluation: its numbers no longer describe it. */
  markStale() {
    if (this.result) this.stale = true;
    this.render();
  }

  async evaluate() {
    this.busy = true;
    this.error = null;
    this.render();
    try {
      this.result = await this.client.call('evaluateConfusion', { count: this.count });
      this.stale = false;
      this.cell = null;
    } catch (error) {
      this.error = error;
    }
    this.busy = false;
    this.render();
  }

  async showCell(label, predicted) {
    try {
      this.cell = await this.client.call('confusionCell', { label, predicted });
    } catch (error) {
      this.error = error;
    }
    this.render();
    this.root.querySelector('#evaluation-cell')?.scrollIntoView({ block: 'nearest' });
  }

  render() {
    const countSelect = element('select', { id: 'evaluation-count' },
      ...COUNTS.map((count) => element('option', { value: String(count), text: formatNumber(count) })));
    countSelect.value = String(this.count);
    countSelect.addEventListener('change', () => { this.count = Number(countSelect.value); });
    const run = element('button', { type: 'button', id: 'evaluation-run', class: 'primary',
      text: this.busy ? t('evaluation.running') : t('evaluation.run') });
    run.disabled = this.busy || this.isTraining();
    run.addEventListener('click', () => this.evaluate());
    const controls = element('div', { class: 'lab-controls' },
      element('div', { class: 'field' }, element('label', { for: 'evaluation-count', text: t('evaluation.count') }), countSelect), run);
    const parts = [controls];
    if (this.error) parts.push(element('p', { class: 'error', role: 'alert', text: this.error.message }));
    const result = this.result;
    if (!result) {
      parts.push(element('p', { class: 'hint', text: t('evaluation.none') }));
      this.root.replaceChildren(...parts);
      return;
    }
    parts.push(element('p', { class: 'evaluation-summary', id: 'evaluation-summary',
      text: t('evaluation.summary', { accuracy: formatPercent(result.accuracy, 2), count: formatNumber(result.count) }) }));
    if (this.stale) parts.push(element('p', { class: 'hint stale', text: t('evaluation.stale') }));
    parts.push(element('div', { class: 'lab-row' }, this.matrix(result), this.perClass(result)));
    if (this.cell) parts.push(this.cellGallery(this.cell));
    parts.push(this.wrongGallery(result));
    this.root.replaceChildren(...parts);
  }

  /** The 10×10 matrix as a table of buttons; shade by the share of the row. */
  matrix(result) {
    const classes = result.matrix.length;
    const head = element('tr', {}, element('th', { scope: 'col', class: 'corner', text: t('evaluation.corner') }),
      ...Array.from({ length: classes }, (_, p) => element('th', { scope: 'col', text: String(p) })));
    const rows = result.matrix.map((row, label) => {
      const total = row.reduce((a, b) => a + b, 0);
      return element('tr', {}, element('th', { scope: 'row', text: String(label) }),
        ...row.map((count, predicted) => {
          const share = total ? count / total : 0;
          const button = element('button', { type: 'button', class: `confusion-cell${label === predicted ? ' diagonal' : ''}`,
            'data-label': String(label), 'data-predicted': String(predicted), 'data-count': String(count),
            'aria-label': t('evaluation.cell_label', { label, predicted, count }), text: String(count) });
          const shade = count ? Math.max(0.08, Math.sqrt(share)) : 0;
          button.style.setProperty('--share', String(shade));
          if (shade > 0.55) button.classList.add('dark');
          if (this.cell && this.cell.label === label && this.cell.predicted === predicted) button.setAttribute('aria-pressed', 'true');
          button.disabled = count === 0;
          button.addEventListener('click', () => this.showCell(label, predicted));
          return element('td', {}, button);
        }));
    });
    return element('figure', { class: 'lab-figure' },
      element('figcaption', { text: t('evaluation.matrix_caption') }),
      element('table', { class: 'confusion', id: 'confusion-matrix' }, element('thead', {}, head), element('tbody', {}, ...rows)));
  }

  perClass(result) {
    const list = element('ol', { class: 'bars per-class', id: 'per-class', 'aria-label': t('evaluation.per_class') });
    for (const { class: digit, accuracy, correct, total } of result.per_class) {
      const fill = element('span', { class: 'fill' });
      fill.style.width = `${(accuracy * 100).toFixed(1)}%`;
      list.append(element('li', { class: 'bar', 'data-digit': String(digit), title: t('evaluation.per_class_title', { correct, total }) },
        element('span', { class: 'digit', text: String(digit) }),
        element('span', { class: 'track' }, fill),
        element('span', { class: 'value', text: formatPercent(accuracy) })));
    }
    return element('figure', { class: 'lab-figure per-class-figure' }, element('figcaption', { text: t('evaluation.per_class') }), list);
  }

  /** One thumbnail with its verdict: `#index`, the prediction and its probability. */
  thumbnail(image, pixels) {
    const probability = image.probabilities[image.predicted];
    const caption = t('evaluation.thumb', { index: image.index, label: image.label, predicted: image.predicted, probability: formatPercent(probability) });
    return element('figure', { class: 'thumb', 'data-index': String(image.index), 'data-label': String(image.label), 'data-predicted': String(image.predicted) },
      digitCanvas(pixels, { label: caption }),
      element('figcaption', { text: caption }));
  }

  cellGallery(cell) {
    const { label, predicted, images, pixels } = cell;
    const gallery = element('div', { class: 'gallery', id: 'evaluation-cell-images' },
      ...images.map((image, i) => this.thumbnail(image, pixels.subarray(i * PIXELS, (i + 1) * PIXELS))));
    return element('section', { class: 'lab-figure', id: 'evaluation-cell' },
      element('h3', { text: t('evaluation.cell_title', { label, predicted, count: formatNumber(images.length) }) }), gallery);
  }

  wrongGallery(result) {
    const images = result.most_confidently_wrong;
    const gallery = element('div', { class: 'gallery', id: 'evaluation-wrong' },
      ...images.map((image, i) => this.thumbnail(image, result.wrong_pixels.subarray(i * PIXELS, (i + 1) * PIXELS))));
    return element('section', { class: 'lab-figure' }, element('h3', { text: t('evaluation.wrong_title') }),
      images.length ? gallery : element('p', { class: 'hint', text: t('evaluation.no_wrong') }));
  }
}
