// A small canvas showing one grey image (a test digit, a drawing, a transformed digit), drawn at
// its own resolution and scaled up by CSS without smoothing.

import { element } from './dom.js';
import { paintChannel } from './feature-maps.js';

/** A canvas with `values` (`height × width`, one channel, any range) painted on it. */
export function digitCanvas(values, { label, size = 28, className = 'digit-image' } = {}) {
  const canvas = element('canvas', { width: size, height: size, role: 'img', 'aria-label': label, class: className });
  paintChannel(canvas, values, 1, 0);
  return canvas;
}
