// Shared by the end-to-end tests: a static server for the repository root on a free loopback
// port (the MIME types of xtask's server), and the system Chromium driven by playwright-core.

import http from 'node:http';
import { readFile, stat, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

/** The repository root: what `cargo xtask serve` serves. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Screenshots of key states go here (gitignored). */
export const OUTPUT = path.join(ROOT, 'test-output');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.gz': 'application/gzip',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/**
 * Serves ROOT on 127.0.0.1 on a free port; resolves with `{url, close, releaseHeld}`. Requests
 * whose path matches `hold` wait until `releaseHeld()` (to see the page before MNIST arrives).
 */
export function startServer({ hold = null } = {}) {
  let release;
  const gate = new Promise((resolve) => { release = resolve; });
  if (!hold) release();
  const server = http.createServer(async (request, response) => {
    try {
      if (hold && hold.test(request.url)) await gate;
      const pathname = decodeURIComponent(new URL(request.url, 'http://localhost').pathname);
      let file = path.join(ROOT, path.normalize(pathname));
      if (!file.startsWith(ROOT)) throw new Error('outside the root');
      if ((await stat(file)).isDirectory()) file = path.join(file, 'index.html');
      const body = await readFile(file);
      response.writeHead(200, {
        'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream',
        'Content-Length': body.length,
        'Cache-Control': 'no-store',
      });
      response.end(request.method === 'HEAD' ? undefined : body);
    } catch {
      response.writeHead(404, { 'Content-Type': 'text/plain' });
      response.end('not found');
    }
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        url: `http://127.0.0.1:${port}/`,
        releaseHeld: release,
        close: () => new Promise((done) => {
          server.closeAllConnections();
          server.close(done);
        }),
      });
    });
  });
}

/** Debian's Chromium, headless, with no network features of its own. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A page at 1280×800 in English; page errors and console errors are collected in `errors`.
 * Main-thread long tasks are recorded from the start in `window.longTasks` (`{start, duration}`),
 * and long animation frames with the scripts that ran in them in `window.longFrames` (to say
 * what a long task was). */
export async function openPage(browser, url, errors) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  await context.addInitScript(() => {
    window.longTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.longTasks.push({ start: entry.startTime, duration: entry.duration });
    }).observe({ type: 'longtask', buffered: true });
    window.longFrames = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        window.longFrames.push({
          start: entry.startTime,
          duration: entry.duration,
          scripts: entry.scripts.map((script) => `${script.invoker} ${script.sourceFunctionName} ${script.duration.toFixed(0)} ms`),
        });
      }
    }).observe({ type: 'long-animation-frame', buffered: true });
  });
  const page = await context.newPage();
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  await page.goto(url);
  return page;
}

/** Resolves once the feature-map panel has painted every canvas of its last refresh (it paints
 * a few per animation frame) and shows at least one matching `canvasSelector`. */
export function mapsPainted(page, canvasSelector) {
  return page.waitForFunction((selector) => document.querySelector('#feature-maps .maps')?.dataset.painted === 'true'
    && document.querySelectorAll(selector).length > 0, canvasSelector);
}

/** Saves a full-page screenshot as test-output/NAME.png. */
export async function screenshot(page, name) {
  await mkdir(OUTPUT, { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(OUTPUT, `${name}.png`), fullPage: true });
}

/** Pixels of the canvas `selector` on `page` whose colour is within 60 (summed over R, G, B) of
 * `rgb`: how much of a series' colour a chart shows. */
export function pixelsNear(page, selector, [r, g, b]) {
  return page.$eval(selector, (canvas, [r, g, b]) => {
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let count = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) < 60) count += 1;
    }
    return count;
  }, [r, g, b]);
}
