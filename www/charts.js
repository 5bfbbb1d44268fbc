// A small canvas line chart: a few series of (x, y) points on shared axes and an optional
// vertical marker (the best epoch under early stopping). Drawn at the device's pixel ratio so it
// stays sharp on a projector. The legend is HTML beside the canvas (it wraps, and screen readers
// read it).

import { element } from './dom.js';

/** Colours for several runs or models on one chart (Okabe–Ito: told apart with colour-vision
 * deficiencies too). */
export const PALETTE = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#000000'];

/** A legend's line sample in `color` (the `.swatch` of style.css). */
export function swatch(color) {
  const sample = element('span', { class: 'swatch' });
  sample.style.borderTopColor = color;
  return sample;
}

/** TensorBoard's smoothing: an exponential moving average with its start-up bias removed, so
 * the first points are not pulled towards zero. */
export function smooth(points, weight) {
  const smoothed = [];
  let last = 0;
  let scale = 0;
  for (const [x, y] of points) {
    last = last * weight + (1 - weight) * y;
    scale = scale * weight + (1 - weight);
    smoothed.push([x, last / scale]);
  }
  return smoothed;
}

/** Tick values for [min, max]: about `count` round numbers (1, 2 or 5 times a power of ten). */
function ticks(min, max, count) {
  const span = max - min || 1;
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
  const values = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) values.push(Number(v.toFixed(10)));
  return values;
}

function formatTick(value) {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 1) return String(Number(value.toFixed(2)));
  return String(Number(value.toPrecision(2)));
}

/** A line chart on one canvas. */
export class LineChart {
  /**
   * @param {HTMLCanvasElement} canvas sized by CSS; the chart follows its size
   * @param {{xLabel?: string, emptyText?: string, xMin?: number, xMax?: number, yMin?: number,
   *   yMax?: number, yFormat?: (value: number) => string}} options fixed bounds (accuracy is 0–1,
   *   x starts at 0); free bounds fit the data. `yFormat` writes the y ticks (e.g. powers of ten
   *   for a log scale).
   */
  constructor(canvas, options = {}) {
    this.canvas = canvas;
    this.options = options;
    this.series = [];
    this.marker = null;
  }

  /** `series`: `[{color, points: [[x, y]], width?, dash?, dots?}]`, drawn in order. */
  setSeries(series) {
    this.series = series;
  }

  /** A dashed vertical line at `x` with `label`, or null. */
  setMarker(marker) {
    this.marker = marker;
  }

  setOptions(options) {
    this.options = { ...this.options, ...options };
  }

  draw() {
    const canvas = this.canvas;
    const ratio = window.devicePixelRatio || 1;
    const cssWidth = canvas.clientWidth || 400;
    const cssHeight = canvas.clientHeight || 220;
    if (canvas.width !== Math.round(cssWidth * ratio) || canvas.height !== Math.round(cssHeight * ratio)) {
      canvas.width = Math.round(cssWidth * ratio);
      canvas.height = Math.round(cssHeight * ratio);
    }
    const context = canvas.getContext('2d');
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    const style = getComputedStyle(canvas);
    const ink = style.getPropertyValue('--chart-ink').trim() || '#111';
    const grid = style.getPropertyValue('--chart-grid').trim() || '#ccc';
    const background = style.getPropertyValue('--chart-background').trim() || '#fff';
    const font = `${style.getPropertyValue('--chart-font-size').trim() || '14px'} ${style.fontFamily}`;
    context.fillStyle = background;
    context.fillRect(0, 0, cssWidth, cssHeight);
    context.font = font;

    const visible = this.series.filter((s) => s.points.length > 0);
    const all = visible.flatMap((s) => s.points);
    const plot = { left: 48, right: cssWidth - 14, top: 10, bottom: cssHeight - 44 };
    if (all.length === 0) {
      context.fillStyle = ink;
      context.textAlign = 'center';
      context.fillText(this.options.emptyText || '', cssWidth / 2, cssHeight / 2);
      return;
    }
    let xMin = this.options.xMin ?? 0;
    let xMax = this.options.xMax ?? Math.max(...all.map((p) => p[0]), this.marker ? this.marker.x : 0);
    if (xMax <= xMin) xMax = xMin + 1;
    let yMin = this.options.yMin ?? Math.min(...all.map((p) => p[1]));
    let yMax = this.options.yMax ?? Math.max(...all.map((p) => p[1]));
    if (this.options.yMin === undefined) yMin = Math.min(0, yMin);
    if (yMax <= yMin) yMax = yMin + 1;
    const x = (v) => plot.left + ((v - xMin) / (xMax - xMin)) * (plot.right - plot.left);
    const y = (v) => plot.bottom - ((v - yMin) / (yMax - yMin)) * (plot.bottom - plot.top);

    context.lineWidth = 1;
    context.strokeStyle = grid;
    context.fillStyle = ink;
    context.textAlign = 'right';
    context.textBaseline = 'middle';
    for (const value of ticks(yMin, yMax, 4)) {
      context.beginPath();
      context.moveTo(plot.left, y(value));
      context.lineTo(plot.right, y(value));
      context.stroke();
      context.fillText((this.options.yFormat || formatTick)(value), plot.left - 6, y(value));
    }
    context.textAlign = 'center';
    context.textBaseline = 'top';
    for (const value of ticks(xMin, xMax, 5)) {
      context.fillText(formatTick(value), x(value), plot.bottom + 6);
    }
    context.fillText(this.options.xLabel || '', (plot.left + plot.right) / 2, plot.bottom + 24);
    context.strokeStyle = ink;
    context.beginPath();
    context.moveTo(plot.left, plot.top);
    context.lineTo(plot.left, plot.bottom);
    context.lineTo(plot.right, plot.bottom);
    context.stroke();

    if (this.marker) {
      context.save();
      context.setLineDash([6, 4]);
      context.strokeStyle = this.marker.color || ink;
      context.lineWidth = 2;
      context.beginPath();
      context.moveTo(x(this.marker.x), plot.top);
      context.lineTo(x(this.marker.x), plot.bottom);
      context.stroke();
      context.restore();
      context.fillStyle = this.marker.color || ink;
      context.textAlign = x(this.marker.x) > (plot.left + plot.right) / 2 ? 'right' : 'left';
      context.textBaseline = 'top';
      const offset = context.textAlign === 'right' ? -4 : 4;
      context.fillText(this.marker.label, x(this.marker.x) + offset, plot.top + 2);
    }

    context.save();
    context.beginPath();
    context.rect(plot.left - 6, plot.top - 6, plot.right - plot.left + 12, plot.bottom - plot.top + 12);
    context.clip();
    for (const series of visible) {
      context.strokeStyle = series.color;
      context.fillStyle = series.color;
      context.lineWidth = series.width || 2;
      context.setLineDash(series.dash || []);
      context.beginPath();
      series.points.forEach(([px, py], i) => {
        if (i === 0) context.moveTo(x(px), y(py));
        else context.lineTo(x(px), y(py));
      });
      context.stroke();
      if (series.dots) {
        for (const [px, py] of series.points) {
          context.beginPath();
          context.arc(x(px), y(py), 4, 0, Math.PI * 2);
          context.fill();
        }
      }
    }
    context.restore();
    context.setLineDash([]);
  }
}
