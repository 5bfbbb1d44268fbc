// Keras's `model.summary()` as a table (layer (type), output shape, param #, with the totals),
// plus the output-size formula of every Conv2D and pooling layer, with the learner's numbers
// filled in. Everything shown comes from the engine's `checkModel` view: the formulas are the
// engine's strings, and the totals are the lines of the engine's summary text.

import { t, onLanguageChange, formatNumber, formatShape, engineMessage } from './i18n.js';
import { element } from './dom.js';

/** The `Total params: 41,866 (163.54 KB)` lines of the engine's summary text, by label. */
function totalsFromSummary(summary) {
  const totals = {};
  for (const line of summary.split('\n')) {
    const match = line.match(/^\s*(Total params|Trainable params|Non-trainable params): (.*)$/);
    if (match) totals[match[1]] = match[2].trim();
  }
  return totals;
}

/** The formula cell of one layer: one line when both axes agree, else `H: …` and `W: …`. */
function formulaLines(outputSize) {
  if (!outputSize) return [];
  const [height, width] = outputSize;
  if (height.formula === width.formula) return [height.formula];
  return [`${t('summary.height')}: ${height.formula}`, `${t('summary.width')}: ${width.formula}`];
}

/** The summary panel. */
export class SummaryView {
  constructor(root) {
    this.root = root;
    this.view = null;
    this.error = null;
    this.estimate = null;
    this.estimateBox = element('div', { class: 'estimate', id: 'summary-estimate' });
    onLanguageChange(() => this.render());
  }

  /** Shows the size guard's estimate (`estimateTraining`): time per epoch and memory, or why
   * training it would be refused (null hides it). */
  showEstimate(estimate) {
    this.estimate = estimate;
    this.renderEstimate();
  }

  renderEstimate() {
    const estimate = this.estimate;
    if (!estimate || this.error) {
      this.estimateBox.replaceChildren();
      return;
    }
    const seconds = estimate.seconds_per_epoch;
    const time = seconds < 90 ? t('unit.seconds', { n: formatNumber(Math.max(1, Math.round(seconds))) })
      : t('unit.minutes', { n: formatNumber(Math.round(seconds / 60)) });
    const line = element('p', { class: 'estimate-line', 'data-seconds': String(seconds),
      text: t('summary.estimate', { time, images: formatNumber(estimate.train_images), batch: estimate.batch_size,
        memory: estimate.total_text, budget: estimate.budget_text }) });
    const basis = element('p', { class: 'hint',
      text: t(`summary.estimate_basis.${estimate.rate_measured ? 'measured' : 'default'}`) });
    const parts = [line, basis];
    if (estimate.error) {
      parts.push(element('p', { class: 'error', role: 'alert', id: 'size-error' },
        element('strong', { text: `${t('summary.too_big')} ` }), engineMessage(estimate.error.message)));
    }
    this.estimateBox.replaceChildren(...parts);
  }

  /** Shows an architecture view (from `checkModel`), or the error that prevents one. */
  show(view, error) {
    this.view = view;
    this.error = error;
    this.render();
  }

  render() {
    if (this.error) {
      const where = this.error.layer ? t('summary.fix_layer', { index: this.error.layer }) : t('summary.fix_model');
      this.root.replaceChildren(
        element('p', { class: 'summary-blocked', text: where }),
        element('p', { class: 'error', text: engineMessage(this.error.message) }));
      return;
    }
    if (!this.view) {
      this.root.replaceChildren(element('p', { class: 'hint', text: t('summary.waiting') }));
      return;
    }
    const view = this.view;
    const head = element('thead', {}, element('tr', {},
      element('th', { scope: 'col', text: t('summary.layer_type') }),
      element('th', { scope: 'col', text: t('summary.output_shape') }),
      element('th', { scope: 'col', class: 'number', text: t('summary.params') })));
    const body = element('tbody');
    for (const layer of view.layers) {
      const lines = formulaLines(layer.output_size);
      body.append(element('tr', { class: lines.length ? 'has-formula' : '', 'data-layer': String(layer.index) },
        element('td', { text: `${layer.name} (${layer.class_name})` }),
        element('td', { class: 'shape', text: formatShape(layer.output_shape) }),
        element('td', { class: 'number', text: formatNumber(layer.params) })));
      if (lines.length) {
        const cell = element('td', { colspan: 3, class: 'formula', 'data-formula': String(layer.index) },
          element('span', { class: 'formula-label', text: t('summary.output_size') }));
        for (const line of lines) cell.append(element('span', { class: 'formula-line', text: line }));
        body.append(element('tr', { class: 'formula-row' }, cell));
      }
    }
    const totals = totalsFromSummary(view.summary);
    const foot = element('dl', { class: 'totals' });
    for (const [label, key] of [['Total params', 'summary.total'], ['Trainable params', 'summary.trainable'],
      ['Non-trainable params', 'summary.non_trainable']]) {
      foot.append(element('dt', { text: t(key) }), element('dd', { 'data-total': label, text: totals[label] ?? '' }));
    }
    const text = element('details', { class: 'summary-text' },
      element('summary', { text: t('summary.keras_text') }),
      element('pre', { text: view.summary }));
    const caption = element('caption', { text: t('summary.caption', { name: view.name }) });
    this.root.replaceChildren(element('table', { class: 'summary-table' }, caption, head, body), foot,
      this.estimateBox, element('p', { class: 'hint', text: t('summary.formula_hint') }), text);
    this.renderEstimate();
  }
}
