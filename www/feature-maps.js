// Feature maps: for one test image, the input, the output of every Conv2D and pooling layer (one
// small canvas per channel, the first CHANNEL_CAP unless "show all"), and the Conv2D filters.
// Each canvas holds the map at its own resolution; CSS scales it up without smoothing.

import { t, onLanguageChange } from './i18n.js';
import { element } from './dom.js';
import { DEFAULT_DATASET, className, hasClassNames } from './datasets.js';
import { TEST_IMAGES } from './edition.js';

/** Channels shown per layer before "show all". */
export const CHANNEL_CAP = 16;

/** Canvases painted per animation frame. Without a GPU, Chromium allocates a compositor resource
 * for each newly painted canvas at the next few commits (≈ 1 ms each, more on a busy machine):
 * the Lesson CNN's ~100 canvases painted in one frame gave main-thread tasks of 92–207 ms in the
 * playground test, 24 per frame 108–136 ms, 8 per frame 62–92 ms (13 frames, ≈ 0.2 s). */
const CANVASES_PER_FRAME = 8;

/** Paints every pixel of `canvas` with `color(i) → [r, g, b]` (i in row-major order). */
function paint(canvas, color) {
  const { width, height } = canvas;
  const context = canvas.getContext('2d');
  const image = context.createImageData(width, height);
  for (let i = 0; i < width * height; i += 1) {
    const [r, g, b] = color(i);
    image.data[i * 4] = r;
    image.data[i * 4 + 1] = g;
    image.data[i * 4 + 2] = b;
    image.data[i * 4 + 3] = 255;
  }
  context.putImageData(image, 0, 0);
}

/** Grey levels for one channel of an HWC array, stretched to its own min..max (a constant
 * channel, e.g. a dead ReLU, is black). */
export function paintChannel(canvas, values, channels, channel) {
  const pixels = canvas.width * canvas.height;
  let min = Infinity;
  let max = -Infinity;
  for (let p = 0; p < pixels; p += 1) {
    const v = values[p * channels + channel];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const range = max - min;
  paint(canvas, (p) => {
    const level = range > 0 ? Math.round(((values[p * channels + channel] - min) / range) * 255) : 0;
    return [level, level, level];
  });
}

/** One kernel slice in a diverging palette: negative blue, zero white, positive red, scaled by
 * `scale` (the largest |weight| of the layer so filters compare). */
function paintKernel(canvas, values, shape, inputChannel, filter, scale) {
  const [, , inputs, filters] = shape;
  paint(canvas, (p) => {
    const v = values[(p * inputs + inputChannel) * filters + filter] / (scale || 1);
    const fade = Math.round(255 * (1 - Math.min(1, Math.abs(v))));
    return v >= 0 ? [255, fade, fade] : [fade, fade, 255];
  });
}

/** The feature-map panel. */
export class FeatureMapsView {
  /**
   * @param {HTMLElement} root
   * @param {{onPick: (index: number) => void}} options called when the learner picks an image
   *   or asks for a refresh
   */
  constructor(root, { onPick }) {
    this.root = root;
    this.onPick = onPick;
    this.index = 0;
    this.result = null;
    this.message = null;
    this.enabled = false;
    this.showAll = new Set();
    this.canvases = new Map();
    this.painting = null;
    this.dataset = DEFAULT_DATASET;
    this.render();
    onLanguageChange(() => this.render());
  }

  /** The test image the learner picked. */
  imageIndex() {
    return this.index;
  }

  /** The dataset of the test images (their class names label the input). */
  setDataset(name) {
    this.dataset = name;
  }

  /** Enables the picker once MNIST has arrived and a model exists. */
  setEnabled(enabled) {
    this.enabled = enabled;
    for (const control of this.root.querySelectorAll('.picker input, .picker button')) control.disabled = !enabled;
  }

  /** Shows the worker's `inspect` result. */
  show(result) {
    this.result = result;
    this.message = null;
    this.renderMaps();
  }

  /** Replaces the maps with a message (i18n key), e.g. while the model is invalid. */
  showMessage(key) {
    this.result = null;
    this.message = key;
    this.renderMaps();
  }

  pick(index) {
    this.index = Math.max(0, Math.min(TEST_IMAGES - 1, index));
    this.indexInput.value = String(this.index);
    this.onPick(this.index);
  }

  render() {
    this.indexInput = element('input', { id: 'test-image', type: 'number', min: 0, max: TEST_IMAGES - 1, step: 1 });
    this.indexInput.value = String(this.index);
    this.indexInput.addEventListener('change', () => {
      const value = Number(this.indexInput.value);
      if (Number.isInteger(value)) this.pick(value);
    });
    const random = element('button', { type: 'button', id: 'random-image', text: t('maps.random') });
    random.addEventListener('click', () => this.pick(Math.floor(Math.random() * TEST_IMAGES)));
    const refresh = element('button', { type: 'button', id: 'refresh-maps', text: t('maps.refresh') });
    refresh.addEventListener('click', () => this.pick(this.index));
    const picker = element('div', { class: 'picker' },
      element('label', { for: 'test-image', text: t('maps.test_image') }), this.indexInput, random, refresh);
    this.maps = element('div', { class: 'maps' });
    this.root.replaceChildren(picker, this.maps);
    this.setEnabled(this.enabled);
    this.renderMaps();
  }

  /** The canvas called `key`, reused from the last drawing when its size is unchanged: a
   * refresh after every epoch then repaints pixels instead of building a hundred canvases. */
  canvas(key, width, height, label) {
    let canvas = this.canvases.get(key);
    if (!canvas || canvas.width !== width || canvas.height !== height) {
      canvas = element('canvas', { width, height, role: 'img' });
      this.canvases.set(key, canvas);
    }
    canvas.setAttribute('aria-label', label);
    return canvas;
  }

  renderMaps() {
    const result = this.result;
    const paints = [];
    if (!result) {
      this.maps.replaceChildren(element('p', { class: 'hint', text: t(this.message || 'maps.waiting') }));
      this.paintInFrames(paints);
      return;
    }
    const label = className(this.dataset, result.label);
    const input = this.canvas('input', 28, 28, t(hasClassNames(this.dataset) ? 'maps.input_label_named' : 'maps.input_label', { index: result.index, label }));
    paints.push(() => paintChannel(input, result.image, 1, 0));
    input.classList.add('input-image');
    const rows = [element('section', { class: 'map-layer' },
      element('h3', { text: t('maps.input', { index: result.index }) }), input)];
    for (const map of result.maps) rows.push(this.renderLayer(map, paints));
    for (const kernel of result.kernels) rows.push(this.renderKernel(kernel, paints));
    if (result.maps.length === 0) rows.push(element('p', { class: 'hint', text: t('maps.no_conv') }));
    this.maps.replaceChildren(...rows);
    this.paintInFrames(paints);
  }

  /** Runs `paints` (one canvas each) CANVASES_PER_FRAME per animation frame, dropping what is
   * left of an earlier refresh; `data-painted` on the maps says when all are done. */
  paintInFrames(paints) {
    if (this.painting !== null) cancelAnimationFrame(this.painting);
    let next = 0;
    const paintSome = () => {
      for (const end = Math.min(paints.length, next + CANVASES_PER_FRAME); next < end; next += 1) paints[next]();
      this.maps.dataset.painted = String(next === paints.length);
      this.painting = next < paints.length ? requestAnimationFrame(paintSome) : null;
    };
    paintSome();
  }

  /** One layer's output channels; their paintings are queued on `paints`. */
  renderLayer(map, paints) {
    const [height, width, channels] = map.shape;
    const all = this.showAll.has(map.layer);
    const shown = all ? channels : Math.min(channels, CHANNEL_CAP);
    const grid = element('div', { class: 'channel-grid', 'data-layer': String(map.layer) });
    for (let c = 0; c < shown; c += 1) {
      const canvas = this.canvas(`map ${map.layer} ${c}`, width, height, t('maps.channel_label', { name: map.name, channel: c + 1 }));
      paints.push(() => paintChannel(canvas, map.values, channels, c));
      grid.append(canvas);
    }
    const heading = element('h3', { text: `${map.name} (${map.class_name}) · ${height}×${width}×${channels}` });
    const section = element('section', { class: 'map-layer' }, heading, grid);
    if (channels > CHANNEL_CAP) section.append(this.toggle(map.layer, all, channels));
    return section;
  }

  /** One Conv2D's filters (first input channel); their paintings are queued on `paints`. */
  renderKernel(kernel, paints) {
    const [kh, kw, inputs, filters] = kernel.shape;
    const all = this.showAll.has(`k${kernel.layer}`);
    const shown = all ? filters : Math.min(filters, CHANNEL_CAP);
    let scale = 0;
    for (const v of kernel.values) scale = Math.max(scale, Math.abs(v));
    const grid = element('div', { class: 'channel-grid kernels', 'data-kernel': String(kernel.layer) });
    for (let f = 0; f < shown; f += 1) {
      const canvas = this.canvas(`kernel ${kernel.layer} ${f}`, kw, kh, t('maps.filter_label', { name: kernel.name, filter: f + 1 }));
      paints.push(() => paintKernel(canvas, kernel.values, kernel.shape, 0, f, scale));
      grid.append(canvas);
    }
    const note = inputs > 1 ? t('maps.filters_slice', { inputs }) : '';
    const section = element('section', { class: 'map-layer' },
      element('h3', { text: t('maps.filters', { name: kernel.name, size: `${kh}×${kw}`, filters }) }),
      note ? element('p', { class: 'hint', text: note }) : '', grid);
    if (filters > CHANNEL_CAP) section.append(this.toggle(`k${kernel.layer}`, all, filters));
    return section;
  }

  toggle(key, all, count) {
    const button = element('button', { type: 'button', class: 'show-all', 'aria-pressed': String(all),
      text: all ? t('maps.show_fewer', { count: CHANNEL_CAP }) : t('maps.show_all', { count }) });
    button.addEventListener('click', () => {
      if (this.showAll.has(key)) this.showAll.delete(key);
      else this.showAll.add(key);
      this.renderMaps();
    });
    return button;
  }
}
