// The datasets the page trains on. Both are 28×28 grey images in ten classes, 60,000 for training
// and 10,000 for testing, in the idx format the engine reads; the worker downloads only the one
// chosen (from `www/data/<name>/`).

import { t } from './i18n.js';

/** Each dataset by the name the page, the links and the engine's Keras export use. */
export const DATASETS = {
  mnist: { title: 'MNIST', named: false },
  'fashion-mnist': { title: 'Fashion-MNIST', named: true },
};

/** The dataset the page opens with. */
export const DEFAULT_DATASET = 'mnist';

/** Whether `name` is a dataset the page has. */
export function isDataset(name) {
  return Object.hasOwn(DATASETS, name);
}

/** The dataset's title as shown (`Fashion-MNIST`): a name, the same in every language. */
export function datasetTitle(name) {
  return DATASETS[name].title;
}

/** Whether the classes have names (Fashion-MNIST's clothing) rather than being digits. */
export function hasClassNames(name) {
  return DATASETS[name].named;
}

/** The name of class `index` (0-9) in the current language: the digit for MNIST, the kind of
 * clothing for Fashion-MNIST. */
export function className(name, index) {
  return hasClassNames(name) ? t(`class.${name}.${index}`) : String(index);
}
