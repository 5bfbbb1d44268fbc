// The softmax probabilities of the ten digits as labelled bars: the predicted digit's bar in the
// accent colour, the true digit (when known) outlined; and the verdict line above them.

import { t, formatPercent } from './i18n.js';
import { element } from './dom.js';

/** The index of the largest probability (the first on ties, as argmax). */
export function argmax(probabilities) {
  let best = 0;
  for (let i = 1; i < probabilities.length; i += 1) if (probabilities[i] > probabilities[best]) best = i;
  return best;
}

/** An `<ol class="bars">` of `probabilities`, labelled `label`; `truth` marks the true class;
 * `name(index)` labels each bar (the digit by default; `named` widens the labels for class
 * names such as Fashion-MNIST's). */
export function probabilityBars(probabilities, { label, truth = null, id, name = String, named = false } = {}) {
  const predicted = argmax(probabilities);
  const bars = element('ol', { class: named ? 'bars named' : 'bars', 'aria-label': label, id });
  Array.from(probabilities).forEach((p, digit) => {
    const fill = element('span', { class: 'fill' });
    fill.style.width = `${(p * 100).toFixed(1)}%`;
    const classes = ['bar'];
    if (digit === predicted) classes.push('predicted');
    if (digit === truth) classes.push('truth');
    bars.append(element('li', { class: classes.join(' '), 'data-digit': String(digit) },
      element('span', { class: 'digit', text: name(digit) }),
      element('span', { class: 'track' }, fill),
      element('span', { class: 'value', text: formatPercent(p) })));
  });
  return bars;
}

/** "Prediction: 7 (98.4%) · True label: 7 · ✓ correct", as a `<p class="verdict">`; `name(index)`
 * names the classes (the digit by default). */
export function verdictLine(probabilities, label, id, name = String) {
  const predicted = argmax(probabilities);
  const correct = predicted === label;
  return element('p', { class: `verdict ${correct ? 'correct' : 'wrong'}`, id },
    element('span', { text: t('prediction.predicted', { digit: name(predicted), probability: formatPercent(probabilities[predicted]) }) }),
    element('span', { text: t('prediction.true_label', { digit: name(label) }) }),
    element('span', { class: 'mark', text: correct ? t('prediction.correct') : t('prediction.wrong') }));
}
