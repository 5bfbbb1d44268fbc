// The optimizer playground: a 2-D loss surface with a deep, narrow global minimum and a shallow
// local one (contours), on which SGD, SGD with momentum, RMSprop and Adam start from a draggable
// point with the learner's learning rates and draw their paths. The surface and every step come
// from the engine's optimizers (Keras's update rules); this view draws them.

import { t, onLanguageChange } from './i18n.js';
import { element } from './dom.js';
import { PALETTE, swatch } from './charts.js';
import { LatestRequest } from './latest-request.js';

/** The optimizers: Keras config builder, default learning rate, colour. */
const OPTIMIZERS = [
  { name: 'sgd', learningRate: 0.1, config: (lr) => ({ class_name: 'SGD', config: { learning_rate: lr, momentum: 0 } }) },
  { name: 'sgd_momentum', learningRate: 0.1, config: (lr) => ({ class_name: 'SGD', config: { learning_rate: lr, momentum: 0.9 } }) },
  { name: 'rmsprop', learningRate: 0.05, config: (lr) => ({ class_name: 'RMSprop', config: { learning_rate: lr } }) },
  { name: 'adam', learningRate: 0.1, config: (lr) => ({ class_name: 'Adam', config: { learning_rate: lr } }) },
];

/** The grid the contours are drawn from, and the number of contour levels. */
const GRID = 121;
const LEVELS = 18;

/** Where the paths start until the learner drags the point: in the local minimum's basin. */
const DEFAULT_START = [-3, -2.5];

/** An end point this close to a minimum has reached it. */
const REACHED = 0.1;

/** The canvas's CSS size. */
const SIZE = 480;

/** The light colour ramp of the surface: low loss pale blue, high loss pale sand. */
function surfaceColor(fraction) {
  const low = [214, 228, 247];
  const high = [250, 240, 220];
  return low.map((c, i) => Math.round(c + (high[i] - c) * fraction));
}

/** The optimizer playground panel. */
export class OptimizerPlayground {
  constructor(root, { client }) {
    this.root = root;
    this.client = client;
    this.surface = null;
    this.start = [...DEFAULT_START];
    this.steps = 150;
    this.settings = Object.fromEntries(OPTIMIZERS.map((o) => [o.name, { on: true, learningRate: o.learningRate }]));
    this.paths = [];
    this.request = new LatestRequest(() => this.send(), (paths, error) => {
      if (!error) this.paths = paths;
      this.error = error;
      this.draw();
      this.renderLegend();
    });
    this.dragging = false;
    this.error = null;
    this.render();
    onLanguageChange(() => this.render());
  }

  async onShow() {
    if (!this.surface) {
      this.surface = await this.client.call('lossSurface', { size: GRID });
      this.background = null;
    }
    this.update();
  }

  /** Recomputes every path (once the surface is there). */
  update() {
    if (this.surface) this.request.run();
  }

  /** Asks the engine for the paths of the ticked optimizers from the start point. */
  send() {
    const optimizers = OPTIMIZERS.filter((o) => this.settings[o.name].on)
      .map((o) => ({ name: o.name, config: o.config(this.settings[o.name].learningRate) }));
    return this.client.call('optimizerPaths', { start: this.start, optimizers, steps: this.steps });
  }

  render() {
    const rows = OPTIMIZERS.map((optimizer, i) => {
      const setting = this.settings[optimizer.name];
      const box = element('input', { type: 'checkbox', id: `optimizer-on-${optimizer.name}` });
      box.checked = setting.on;
      box.addEventListener('change', () => {
        setting.on = box.checked;
        this.update();
      });
      const rate = element('input', { type: 'number', id: `optimizer-lr-${optimizer.name}`, min: 0, step: 'any', inputmode: 'decimal' });
      rate.value = String(setting.learningRate);
      rate.addEventListener('input', () => {
        const value = Number(rate.value);
        if (rate.value.trim() !== '' && value > 0 && Number.isFinite(value)) {
          setting.learningRate = value;
          this.update();
        }
      });
      return element('div', { class: 'field optimizer-row' }, box, swatch(PALETTE[i]),
        element('label', { for: `optimizer-on-${optimizer.name}`, text: t(`optimizer.${optimizer.name}`) }),
        element('label', { for: `optimizer-lr-${optimizer.name}`, class: 'rate-label', text: t('setting.learning_rate') }), rate);
    });
    const number = (id, label, value, onChange, attributes) => {
      const input = element('input', { id, type: 'number', ...attributes });
      input.value = String(value);
      input.addEventListener('change', () => {
        const parsed = Number(input.value);
        if (input.value.trim() !== '' && Number.isFinite(parsed)) onChange(parsed);
      });
      return element('div', { class: 'field' }, element('label', { for: id, text: label }), input);
    };
    const steps = number('optimizer-steps', t('optimizers.steps'), this.steps, (value) => {
      this.steps = Math.max(1, Math.min(2000, Math.round(value)));
      this.update();
    }, { min: 1, max: 2000, step: 10 });
    const startX = number('optimizer-start-x', t('optimizers.start_x'), this.start[0], (value) => this.moveStart([value, this.start[1]]), { min: -4, max: 4, step: 0.1 });
    const startY = number('optimizer-start-y', t('optimizers.start_y'), this.start[1], (value) => this.moveStart([this.start[0], value]), { min: -4, max: 4, step: 0.1 });
    const reset = element('button', { type: 'button', id: 'optimizer-reset', text: t('optimizers.reset') });
    reset.addEventListener('click', () => this.moveStart([...DEFAULT_START]));

    this.canvas = element('canvas', { id: 'optimizer-canvas', class: 'optimizer-canvas', tabindex: '0', role: 'img',
      'aria-label': t('optimizers.canvas_label') });
    this.canvas.addEventListener('pointerdown', (event) => {
      this.dragging = true;
      this.canvas.setPointerCapture?.(event.pointerId);
      this.moveStart(this.toSurface(event));
    });
    this.canvas.addEventListener('pointermove', (event) => {
      if (this.dragging) this.moveStart(this.toSurface(event));
    });
    for (const type of ['pointerup', 'pointercancel']) this.canvas.addEventListener(type, () => { this.dragging = false; });
    this.canvas.addEventListener('keydown', (event) => {
      const step = { ArrowLeft: [-0.1, 0], ArrowRight: [0.1, 0], ArrowUp: [0, 0.1], ArrowDown: [0, -0.1] }[event.key];
      if (!step) return;
      event.preventDefault();
      this.moveStart([this.start[0] + step[0], this.start[1] + step[1]]);
    });
    this.legend = element('div', { id: 'optimizer-legend' });
    this.root.replaceChildren(element('div', { class: 'lab-row' },
      element('figure', { class: 'lab-figure' }, element('figcaption', { text: t('optimizers.canvas_caption') }), this.canvas,
        element('p', { class: 'hint', text: t('optimizers.drag_hint') })),
      element('div', { class: 'optimizer-side' },
        element('fieldset', { class: 'settings' }, element('legend', { text: t('optimizers.optimizers') }), ...rows),
        element('div', { class: 'lab-controls' }, steps, startX, startY, reset),
        this.legend)));
    this.background = null;
    this.draw();
    this.renderLegend();
  }

  /** Moves the start point (kept inside the surface) and recomputes the paths. */
  moveStart([x, y]) {
    const bound = this.surface ? this.surface.bound : 4;
    const clamp = (v) => Math.round(Math.max(-bound, Math.min(bound, v)) * 100) / 100;
    this.start = [clamp(x), clamp(y)];
    this.root.querySelector('#optimizer-start-x').value = String(this.start[0]);
    this.root.querySelector('#optimizer-start-y').value = String(this.start[1]);
    this.draw();
    this.update();
  }

  /** Surface coordinates of a pointer event. */
  toSurface(event) {
    const box = this.canvas.getBoundingClientRect();
    const bound = this.surface.bound;
    return [((event.clientX - box.left) / box.width) * 2 * bound - bound, bound - ((event.clientY - box.top) / box.height) * 2 * bound];
  }

  /** The surface's colours and contour lines, drawn once into an offscreen canvas. */
  drawBackground(pixels) {
    const { size, values } = this.surface;
    const min = Math.min(...values);
    const max = Math.max(...values);
    const shades = element('canvas', { width: size, height: size });
    const shadeContext = shades.getContext('2d');
    const image = shadeContext.createImageData(size, size);
    for (let row = 0; row < size; row += 1) {
      for (let col = 0; col < size; col += 1) {
        // Grid rows go up from y = −bound; canvas rows go down.
        const [r, g, b] = surfaceColor(Math.sqrt((values[row * size + col] - min) / (max - min)));
        const at = ((size - 1 - row) * size + col) * 4;
        image.data.set([r, g, b, 255], at);
      }
    }
    shadeContext.putImageData(image, 0, 0);
    const background = element('canvas', { width: pixels, height: pixels });
    const context = background.getContext('2d');
    context.imageSmoothingEnabled = true;
    context.drawImage(shades, 0, 0, pixels, pixels);
    // Contours by marching squares; levels crowd towards the minima (a square-root spacing).
    const cell = pixels / (size - 1);
    const point = (row, col) => [col * cell, pixels - row * cell];
    context.strokeStyle = 'rgba(55, 65, 81, 0.55)';
    context.lineWidth = 1;
    for (let k = 1; k < LEVELS; k += 1) {
      const level = min + (max - min) * (k / LEVELS) ** 2;
      context.beginPath();
      for (let row = 0; row < size - 1; row += 1) {
        for (let col = 0; col < size - 1; col += 1) {
          const corners = [[row, col], [row, col + 1], [row + 1, col + 1], [row + 1, col]];
          const v = corners.map(([r, c]) => values[r * size + c]);
          const crossings = [];
          for (let e = 0; e < 4; e += 1) {
            const a = v[e];
            const b = v[(e + 1) % 4];
            if ((a < level) !== (b < level)) {
              const f = (level - a) / (b - a);
              const [ra, ca] = corners[e];
              const [rb, cb] = corners[(e + 1) % 4];
              crossings.push(point(ra + (rb - ra) * f, ca + (cb - ca) * f));
            }
          }
          for (let i = 0; i + 1 < crossings.length; i += 2) {
            context.moveTo(...crossings[i]);
            context.lineTo(...crossings[i + 1]);
          }
        }
      }
      context.stroke();
    }
    return background;
  }

  draw() {
    const canvas = this.canvas;
    const ratio = window.devicePixelRatio || 1;
    const pixels = Math.round(SIZE * ratio);
    if (canvas.width !== pixels) {
      canvas.width = pixels;
      canvas.height = pixels;
    }
    const context = canvas.getContext('2d');
    context.setTransform(1, 0, 0, 1, 0, 0);
    context.fillStyle = '#fff';
    context.fillRect(0, 0, pixels, pixels);
    if (!this.surface) return;
    if (!this.background || this.background.width !== pixels) this.background = this.drawBackground(pixels);
    context.drawImage(this.background, 0, 0);
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    const bound = this.surface.bound;
    const at = ([x, y]) => [((x + bound) / (2 * bound)) * SIZE, ((bound - y) / (2 * bound)) * SIZE];
    context.font = `600 14px ${getComputedStyle(canvas).fontFamily}`;
    for (const minimum of this.surface.minima) {
      const [px, py] = at(minimum.point);
      context.fillStyle = '#111827';
      context.beginPath();
      context.arc(px, py, 6, 0, Math.PI * 2);
      if (minimum.kind === 'global') context.fill();
      else {
        context.lineWidth = 2;
        context.strokeStyle = '#111827';
        context.stroke();
      }
    }
    // Paths that run together stay visible: the first drawn is the widest.
    for (const path of this.paths) {
      const index = OPTIMIZERS.findIndex((o) => o.name === path.name);
      const color = PALETTE[index];
      context.strokeStyle = color;
      context.fillStyle = color;
      context.lineWidth = 2.5 + 1.5 * (OPTIMIZERS.length - 1 - index);
      context.beginPath();
      path.points.forEach((p, i) => (i === 0 ? context.moveTo(...at(p)) : context.lineTo(...at(p))));
      context.stroke();
      for (const p of path.points) {
        const [px, py] = at(p);
        context.fillRect(px - 1.5, py - 1.5, 3, 3);
      }
      const [ex, ey] = at(path.points[path.points.length - 1]);
      context.beginPath();
      context.arc(ex, ey, 5, 0, Math.PI * 2);
      context.fill();
    }
    // The minima's names last, with a white halo so that no path hides them.
    context.lineJoin = 'round';
    for (const minimum of this.surface.minima) {
      const [px, py] = at(minimum.point);
      const label = t(`optimizers.minimum.${minimum.kind}`);
      const x = Math.min(px + 9, SIZE - context.measureText(label).width - 4);
      context.strokeStyle = '#fff';
      context.lineWidth = 4;
      context.strokeText(label, x, py - 10);
      context.fillStyle = '#111827';
      context.fillText(label, x, py - 10);
    }
    const [sx, sy] = at(this.start);
    context.fillStyle = '#f59e0b';
    context.strokeStyle = '#111827';
    context.lineWidth = 2;
    context.beginPath();
    context.arc(sx, sy, 9, 0, Math.PI * 2);
    context.fill();
    context.stroke();
  }

  /** Each path's end: where it stopped, its loss and which minimum (if any) it reached. */
  renderLegend() {
    if (this.error) {
      this.legend.replaceChildren(element('p', { class: 'error', role: 'alert', text: this.error.message }));
      return;
    }
    if (!this.surface) {
      this.legend.replaceChildren();
      return;
    }
    const rows = this.paths.map((path) => {
      const end = path.points[path.points.length - 1];
      const reached = this.surface.minima.find((m) => Math.hypot(m.point[0] - end[0], m.point[1] - end[1]) < REACHED);
      const diverged = path.points.length < this.steps + 1;
      let verdict = t('optimizers.nowhere');
      if (diverged) verdict = t('optimizers.diverged');
      else if (reached) verdict = t(`optimizers.reached.${reached.kind}`);
      return element('tr', { 'data-optimizer': path.name, 'data-reached': diverged ? 'diverged' : (reached ? reached.kind : 'none') },
        element('th', { scope: 'row' }, swatch(PALETTE[OPTIMIZERS.findIndex((o) => o.name === path.name)]), element('span', { text: ` ${t(`optimizer.${path.name}`)}` })),
        element('td', { class: 'number', text: `(${end[0].toFixed(2)}, ${end[1].toFixed(2)})` }),
        element('td', { class: 'number', text: path.losses[path.losses.length - 1].toFixed(3) }),
        element('td', { text: verdict }));
    });
    const head = element('tr', {}, ...['optimizers.optimizer', 'optimizers.end', 'optimizers.loss', 'optimizers.verdict']
      .map((key) => element('th', { scope: 'col', text: t(key) })));
    this.legend.replaceChildren(element('table', { class: 'runs-table' },
      element('caption', { text: t('optimizers.after', { steps: this.steps }) }), element('thead', {}, head), element('tbody', {}, ...rows)));
  }
}
