// A model in one line, for run lists and chart legends: `Conv2D(32, 3×3, same, relu) →
// MaxPooling2D(2) → Flatten → Dense(10, softmax)`, or the lesson preset's name when it is one.

import { t } from './i18n.js';

/** One layer in a few characters, with its Keras class name and main arguments. */
function describeLayer({ class_name: name, config }) {
  const size = (pair) => (Array.isArray(pair) ? pair[0] : pair);
  switch (name) {
    case 'Conv2D': {
      const stride = size(config.strides || 1);
      const extras = [`${size(config.kernel_size)}×${size(config.kernel_size)}`];
      if (stride > 1) extras.push(`stride ${stride}`);
      if (config.padding === 'same') extras.push('same');
      return `Conv2D(${config.filters}, ${extras.join(', ')}, ${config.activation || 'linear'})`;
    }
    case 'MaxPooling2D':
    case 'AveragePooling2D':
      return `${name}(${size(config.pool_size || 2)})`;
    case 'Dense':
      return `Dense(${config.units}, ${config.activation || 'linear'})`;
    case 'Dropout':
      return `Dropout(${config.rate})`;
    case 'Activation':
      return `Activation(${config.activation})`;
    default:
      return name;
  }
}

/** The layers of a Keras `modelTopology` spec in one line; a repeated run of layers is written
 * once with its count (`5 × Dense(64, sigmoid)`). */
export function describeModel(spec) {
  const parts = [];
  for (const text of spec.config.layers.map(describeLayer)) {
    const last = parts[parts.length - 1];
    if (last && last.text === text) last.count += 1;
    else parts.push({ text, count: 1 });
  }
  return parts.map(({ text, count }) => (count > 1 ? `${count} × ${text}` : text)).join(' → ');
}

/** The lesson preset's name when `spec` has exactly its layers, else the one-line description. */
export function modelName(spec, presets) {
  const description = describeModel(spec);
  const preset = presets.find((p) => describeModel(p.spec) === description);
  return preset ? t(`preset.${preset.name}`, {}, preset.title) : description;
}
