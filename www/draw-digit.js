// Draw a digit: white strokes on a black canvas, as MNIST's digits are. The engine prepares the
// drawing the way MNIST was prepared (fit into 20×20 keeping the aspect ratio, anti-aliased, centre
// of mass at the centre of 28×28); the panel shows that 28×28 image, the live prediction and the
// feature maps of the drawing.

import { t, onLanguageChange, formatPercent } from './i18n.js';
import { element } from './dom.js';
import { paintChannel } from './feature-maps.js';
import { digitCanvas } from './digit-image.js';
import { probabilityBars, argmax } from './probability-bars.js';
import { LatestRequest } from './latest-request.js';

/** The drawing canvas's side in pixels (10 × MNIST's 28). */
const SIDE = 280;

/** The brush width: MNIST's strokes are about 2–3 pixels of 28. */
const BRUSH = 20;

/** While a stroke goes on, the prediction updates at most this often. */
const LIVE_EVERY_MS = 120;

/** Channels shown per feature-map layer. */
const CHANNELS_SHOWN = 8;

/** The draw-a-digit panel. */
export class DrawDigit {
  constructor(root, { client }) {
    this.root = root;
    this.client = client;
    this.result = null;
    this.error = null;
    this.drawing = false;
    this.lastSent = 0;
    this.request = new LatestRequest(() => this.send(), (result, error) => {
      if (!error) this.result = result.image ? result : null;
      this.error = error;
      this.renderResult();
    });
    this.render();
    onLanguageChange(() => {
      const pixels = this.context.getImageData(0, 0, SIDE, SIDE);
      this.render();
      this.context.putImageData(pixels, 0, 0);
    });
  }

  /** A new model: predict the drawing again. */
  onModelBuilt() {
    if (this.result) this.predict();
  }

  render() {
    this.canvas = element('canvas', { id: 'draw-canvas', class: 'draw-canvas', width: SIDE, height: SIDE, role: 'img',
      'aria-label': t('draw.canvas_label') });
    this.context = this.canvas.getContext('2d', { willReadFrequently: true });
    this.clear(false);
    this.canvas.addEventListener('pointerdown', (event) => this.start(event));
    this.canvas.addEventListener('pointermove', (event) => this.move(event));
    for (const type of ['pointerup', 'pointercancel', 'pointerleave']) this.canvas.addEventListener(type, () => this.end());
    const clear = element('button', { type: 'button', id: 'draw-clear', text: t('draw.clear') });
    clear.addEventListener('click', () => this.clear(true));
    this.output = element('div', { class: 'lab-row draw-output' });
    this.root.replaceChildren(element('div', { class: 'lab-row' },
      element('figure', { class: 'lab-figure' }, element('figcaption', { text: t('draw.canvas_caption') }), this.canvas,
        element('div', { class: 'lab-controls' }, clear)),
      this.output));
    this.renderResult();
  }

  clear(predict) {
    this.context.fillStyle = '#000';
    this.context.fillRect(0, 0, SIDE, SIDE);
    this.context.strokeStyle = '#fff';
    this.context.lineWidth = BRUSH;
    this.context.lineCap = 'round';
    this.context.lineJoin = 'round';
    if (predict) {
      this.result = null;
      this.renderResult();
    }
  }

  /** The pointer's position in canvas pixels. */
  point(event) {
    const box = this.canvas.getBoundingClientRect();
    return [(event.clientX - box.left) * (SIDE / box.width), (event.clientY - box.top) * (SIDE / box.height)];
  }

  start(event) {
    this.drawing = true;
    this.canvas.setPointerCapture?.(event.pointerId);
    const [x, y] = this.point(event);
    // A dot where the pointer went down (a canvas draws no zero-length stroke), then the stroke.
    this.context.fillStyle = '#fff';
    this.context.beginPath();
    this.context.arc(x, y, BRUSH / 2, 0, 2 * Math.PI);
    this.context.fill();
    this.context.beginPath();
    this.context.moveTo(x, y);
  }

  move(event) {
    if (!this.drawing) return;
    const [x, y] = this.point(event);
    this.context.lineTo(x, y);
    this.context.stroke();
    if (performance.now() - this.lastSent > LIVE_EVERY_MS) this.predict();
  }

  end() {
    if (!this.drawing) return;
    this.drawing = false;
    this.predict();
  }

  predict() {
    this.request.run();
  }

  /** Sends the drawing's ink (the red channel, 0–1) to the engine. */
  send() {
    this.lastSent = performance.now();
    const { data } = this.context.getImageData(0, 0, SIDE, SIDE);
    const pixels = new Float32Array(SIDE * SIDE);
    for (let i = 0; i < pixels.length; i += 1) pixels[i] = data[i * 4] / 255;
    return this.client.call('drawDigit', { pixels, height: SIDE, width: SIDE });
  }

  renderResult() {
    const result = this.result;
    if (!result) {
      this.output.replaceChildren(element('p', { class: this.error ? 'error' : 'hint', id: 'draw-hint',
        text: this.error ? this.error.message : t('draw.hint') }));
      return;
    }
    const prepared = element('figure', { class: 'lab-figure' },
      element('figcaption', { text: t('draw.prepared') }),
      element('div', { class: 'prepared' },
        digitCanvas(result.image, { label: t('draw.prepared'), className: 'digit-image large', size: 28 }),
        element('span', { class: 'centre-mark', 'aria-hidden': 'true' })),
      element('p', { class: 'hint', text: t('draw.prepared_hint') }));
    const predicted = argmax(result.probabilities);
    const prediction = element('div', { class: 'transform-prediction' },
      element('p', { class: 'verdict', id: 'draw-verdict', text: t('prediction.predicted', { digit: predicted, probability: formatPercent(result.probabilities[predicted]) }) }),
      probabilityBars(result.probabilities, { label: t('prediction.bars'), id: 'draw-bars' }));
    const maps = result.maps.map((map) => {
      const [height, width, channels] = map.shape;
      const grid = element('div', { class: 'channel-grid' });
      for (let c = 0; c < Math.min(channels, CHANNELS_SHOWN); c += 1) {
        const canvas = element('canvas', { width, height, role: 'img', 'aria-label': t('maps.channel_label', { name: map.name, channel: c + 1 }) });
        paintChannel(canvas, map.values, channels, c);
        grid.append(canvas);
      }
      return element('section', { class: 'map-layer' }, element('h3', { text: `${map.name} (${map.class_name}) · ${height}×${width}×${channels}` }), grid);
    });
    const mapsBox = element('div', { class: 'draw-maps', id: 'draw-maps' },
      ...(maps.length ? maps : [element('p', { class: 'hint', text: t('maps.no_conv') })]));
    this.output.replaceChildren(prepared, prediction, mapsBox);
  }
}
