// The prediction for the picked test image: the softmax probabilities as bars, the argmax and
// the true label; and the test accuracy once a run has ended.

import { t, onLanguageChange, formatPercent, formatNumber } from './i18n.js';
import { element } from './dom.js';
import { DEFAULT_DATASET, className, hasClassNames } from './datasets.js';
import { probabilityBars, verdictLine } from './probability-bars.js';

/** The prediction panel. */
export class PredictionView {
  constructor(root) {
    this.root = root;
    this.result = null;
    this.message = null;
    this.test = null;
    this.dataset = DEFAULT_DATASET;
    onLanguageChange(() => this.render());
    this.render();
  }

  /** Shows the worker's `inspect` result (probabilities, label). */
  show(result) {
    this.result = result;
    this.message = null;
    this.render();
  }

  /** The dataset whose class names label the bars (`mnist`: the digits). */
  setDataset(name) {
    this.dataset = name;
    this.render();
  }

  /** Replaces the prediction with a message (i18n key), e.g. while the model is invalid. */
  showMessage(key) {
    this.result = null;
    this.message = key;
    this.render();
  }

  /** `{state: 'none'|'evaluating'|'done', loss, accuracy, images}`: the test-set evaluation. */
  showTest(test) {
    this.test = test;
    this.render();
  }

  render() {
    const parts = [];
    const result = this.result;
    if (result) {
      const probabilities = Array.from(result.probabilities);
      const name = (index) => className(this.dataset, index);
      const named = hasClassNames(this.dataset);
      parts.push(verdictLine(probabilities, result.label, 'prediction-verdict', name));
      parts.push(probabilityBars(probabilities, {
        label: t(named ? 'prediction.bars_named' : 'prediction.bars'), truth: result.label, name, named }));
    } else {
      parts.push(element('p', { class: 'hint', text: t(this.message || 'prediction.none') }));
    }
    const test = this.test;
    let testText = t('prediction.test_none');
    if (test && test.state === 'evaluating') testText = t('prediction.test_evaluating', { images: formatNumber(test.images) });
    if (test && test.state === 'done') {
      testText = t('prediction.test_done', { accuracy: formatPercent(test.accuracy, 2), loss: test.loss.toFixed(4), images: formatNumber(test.images) });
    }
    parts.push(element('p', { class: 'test-accuracy', id: 'test-accuracy', text: testText }));
    this.root.replaceChildren(...parts);
  }
}
