// The single-file playground (dist/convlab.html, written by `cargo xtask bundle`, which
// `cargo xtask test` runs first) opened straight from disk in headless Chromium, no server and the
// network off: the time to a ready builder, the Lesson CNN trained for a few dozen batches with
// falling loss and feature maps, data-parallel helpers, saved work, TensorFlow.js files, the lab,
// and what the file does not hold (Fashion-MNIST, the full MNIST) said in English and Korean. Then
// the served page with the network off: no request leaves the page's own server, and once loaded
// it builds and trains offline.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, startServer, launchBrowser, screenshot, mapsPainted } from './helpers.mjs';

/** The bundle `cargo xtask bundle` writes. */
const BUNDLE = path.join(ROOT, 'dist/convlab.html');

/** Batches of the training runs: 40 of 32 images (the Lesson CNN on 1,280 images, one epoch). */
const TRAIN_IMAGES = 1280;
const BATCH_SIZE = 32;

let browser;
const errors = [];
/** The per-batch losses of the Lesson CNN trained from the file, to compare with the served page's. */
let bundleLosses = null;

/** A fresh English page with the network off (`offline` before anything loads) that records
 * every request it or its workers make in `requests`. */
async function offlinePage({ offline, requests }) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  if (offline) await context.setOffline(true);
  // Anything not from the page's own origin (or its Blob URLs) is refused, and remembered.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    requests.push(url);
    return /^(file:|blob:|data:|http:\/\/127\.0\.0\.1:)/.test(url) ? route.continue() : route.abort('internetdisconnected');
  });
  const page = await context.newPage();
  page.on('request', (request) => requests.push(request.url()));
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return { context, page };
}

/** Requests that went anywhere but the file, its Blob URLs or the test's own server. */
function foreign(requests) {
  return requests.filter((url) => !/^(file:|blob:|data:|http:\/\/127\.0\.0\.1:)/.test(url));
}

/** Trains the model on screen with the panel's settings; resolves with the run's figures and the
 * per-batch losses of the curves. */
async function trainAndWait(page, { timeout = 120000 } = {}) {
  await page.locator('#train:not([disabled])').waitFor({ timeout: 30000 });
  await page.evaluate(() => { window.convlab.lastRun = null; });
  await page.click('#train');
  await page.waitForFunction(() => window.convlab.lastRun, null, { timeout });
  return page.evaluate(() => ({
    run: window.convlab.lastRun,
    losses: window.convlab.state.curves.batches.map((batch) => batch.loss),
  }));
}

/** Mean of `values`. */
const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;

/** Distinct colours on each feature-map canvas (1 = blank). */
function featureMapColours(page) {
  return page.$$eval('#feature-maps canvas', (canvases) => canvases.map((canvas) => {
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    const colours = new Set();
    for (let i = 0; i < data.length; i += 4) colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    return colours.size;
  }));
}

/** Asserts that the run trained a few dozen batches with falling loss; returns the figures. */
function assertLearning(run, losses, batches) {
  assert.equal(run.reason, 'completed');
  assert.equal(losses.length, batches);
  const first = mean(losses.slice(0, 10));
  const last = mean(losses.slice(-10));
  assert.ok(last < first - 0.2, `the loss falls: first ten batches ${first.toFixed(3)}, last ten ${last.toFixed(3)}`);
  return { first, last };
}

before(async () => {
  await access(BUNDLE).catch(() => assert.fail(`${BUNDLE} is missing: run \`cargo xtask bundle\` (cargo xtask test does)`));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

describe('the single file, opened from disk with the network off', () => {
  let context;
  let page;
  const requests = [];
  const url = pathToFileURL(BUNDLE).href;

  before(async () => {
    ({ context, page } = await offlinePage({ offline: true, requests }));
  });

  after(async () => {
    await context?.close();
  });

  it('opens to a ready builder, with the MNIST subset loaded, and says what the file holds', async (t) => {
    const opened = Date.now();
    await page.goto(url);
    await page.waitForFunction(() => window.convlab && window.convlab.timings.builderReady, null, { timeout: 60000 });
    const readyWall = Date.now() - opened;
    await page.waitForFunction(() => window.convlab.state.mnist, null, { timeout: 60000 });
    const timings = await page.evaluate(() => window.convlab.timings);
    t.diagnostic(`file opened → ready builder: ${timings.builderReady.toFixed(0)} ms after navigation start `
      + `(${readyWall} ms wall clock from goto); engine ready at ${timings.engineReady.toFixed(0)} ms `
      + `(wasm ${timings.wasmMs.toFixed(0)} ms), MNIST subset at ${timings.mnistReady.toFixed(0)} ms`);
    assert.deepEqual(await page.evaluate(() => window.convlab.state.mnist), { train: 12000, test: 2000 });
    assert.equal(await page.locator('#data-progress-text').textContent(), 'MNIST: 12,000 training and 2,000 test images');
    assert.equal(await page.locator('#summary [data-total="Total params"]').textContent(), '41,866 (163.54 KB)');
    const notice = await page.locator('#notice-single-file').textContent();
    assert.match(notice, /It holds 12,000 training and 2,000 test images of MNIST/);
    assert.match(notice, /Fashion-MNIST need the served playground/);
    assert.match(await page.locator('#setting-train_size-help').textContent(), /^the first N of 12,000$/);
    const fashion = page.locator('#dataset option[value="fashion-mnist"]');
    assert.equal(await fashion.textContent(), 'Fashion-MNIST (not in this file)');
    assert.equal(await fashion.isDisabled(), true);
    assert.match(await page.locator('#share-link-file').textContent(), /points at the file on this computer/);
    assert.equal(await page.locator('#evaluation-count option').allTextContents().then((o) => o.join(' ')), '1,000 2,000');
    // The image pickers go up to the file's last test image.
    assert.equal(await page.getAttribute('#test-image', 'max'), '1999');
    assert.equal(await page.getAttribute('#transform-index', 'max'), '1999');
    await screenshot(page, '50-bundle-ready');
  });

  it('builds the Lesson CNN and trains a few dozen batches: the loss falls and the feature maps show', async (t) => {
    await page.fill('#setting-train_size', String(TRAIN_IMAGES));
    await page.fill('#setting-batch_size', String(BATCH_SIZE));
    const { run, losses } = await trainAndWait(page);
    const { first, last } = assertLearning(run, losses, TRAIN_IMAGES / BATCH_SIZE);
    bundleLosses = losses;
    t.diagnostic(`Lesson CNN from the file: ${losses.length} batches in ${run.seconds.toFixed(1)} s `
      + `(${Math.round(run.images_per_second)} images/s); loss ${losses[0].toFixed(3)} → ${losses.at(-1).toFixed(3)}, `
      + `mean of the first ten ${first.toFixed(3)}, of the last ten ${last.toFixed(3)}`);
    await page.waitForFunction(() => window.convlab.state.test, null, { timeout: 60000 });
    const test = await page.evaluate(() => window.convlab.state.test);
    t.diagnostic(`test accuracy on the file's 2,000 test images: ${(test.accuracy * 100).toFixed(1)}%`);
    assert.match(await page.locator('#test-accuracy').textContent(), /on 2,000 test images/);
    await mapsPainted(page, '#feature-maps canvas');
    const colours = await featureMapColours(page);
    assert.ok(colours.filter((n) => n > 1).length >= 32, `feature maps are drawn (${colours.length} canvases)`);
    await screenshot(page, '51-bundle-trained');
  });

  it('trains with two data-parallel helpers (workers the engine worker starts from its own Blob)', async (t) => {
    await page.fill('#setting-train_size', '320');
    await page.fill('#setting-workers', '2');
    const { run } = await trainAndWait(page);
    assert.equal(run.reason, 'completed');
    assert.equal(run.batches, 10);
    t.diagnostic(`two workers: ${run.batches} batches in ${run.seconds.toFixed(1)} s`);
    await page.fill('#setting-workers', '1');
  });

  it('the lab evaluates on the test images the file holds', async () => {
    await page.click('#lab-tab-evaluation');
    await page.selectOption('#evaluation-count', '2000');
    await page.click('#evaluation-run');
    await page.locator('#evaluation-summary').waitFor({ timeout: 60000 });
    assert.match(await page.locator('#evaluation-summary').textContent(), /^Accuracy [\d.]+% on 2,000 test images$/);
  });

  it('downloads the model as TensorFlow.js files and opens them again', async () => {
    const downloads = [];
    page.on('download', (download) => downloads.push(download));
    await page.click('#model-download');
    for (let tries = 0; downloads.length < 2 && tries < 100; tries += 1) await page.waitForTimeout(100);
    assert.deepEqual(downloads.map((d) => d.suggestedFilename()).sort(), ['group1-shard1of1.bin', 'model.json']);
    const folder = await mkdtemp(path.join(tmpdir(), 'convlab-bundle-'));
    const files = [];
    for (const download of downloads) {
      const file = path.join(folder, download.suggestedFilename());
      await download.saveAs(file);
      files.push(file);
    }
    await page.setInputFiles('#model-open', files);
    await page.waitForFunction(() => document.getElementById('files-message').textContent.startsWith('Opened model.json'), null, { timeout: 30000 });
  });

  it('keeps the setup and the runs in the browser across a reload', async () => {
    await page.waitForFunction(() => window.convlab.state.saves.runs >= 2);
    await page.reload();
    await page.waitForFunction(() => window.convlab.state.restored && window.convlab.state.mnist, null, { timeout: 60000 });
    assert.match(await page.locator('#storage-message').textContent(), /^Restored the saved setup, 2 run\(s\)/);
    assert.equal(await page.inputValue('#setting-train_size'), '320');
  });

  it('a Fashion-MNIST link says the file does not hold it, in English and Korean, and keeps MNIST', async () => {
    const hash = await page.evaluate(() => location.hash);
    const setup = JSON.parse(Buffer.from(hash.slice('#v1='.length), 'base64url').toString());
    setup.dataset = 'fashion-mnist';
    await page.goto('about:blank');
    await page.goto(`${url}#v1=${Buffer.from(JSON.stringify(setup)).toString('base64url')}`);
    await page.waitForFunction(() => window.convlab.state.restored && window.convlab.state.mnist, null, { timeout: 60000 });
    assert.equal(await page.locator('#notice-dataset-missing').textContent(),
      'Fashion-MNIST is not in this single file (only the served playground downloads it); MNIST is used instead.Close');
    assert.equal(await page.evaluate(() => window.convlab.state.dataset), 'mnist');
    await page.click('#language');
    assert.match(await page.locator('#notice-dataset-missing').textContent(), /^Fashion-MNIST는 이 한 파일에 들어 있지 않습니다/);
    assert.equal(await page.locator('#dataset option[value="fashion-mnist"]').textContent(), 'Fashion-MNIST (이 파일에는 없음)');
    assert.match(await page.locator('#notice-single-file').textContent(), /MNIST 학습 이미지 12,000장과 테스트 이미지 2,000장/);
    await screenshot(page, '52-bundle-korean');
    await page.click('#language');
  });

  it('made no request beyond the file and its Blob URLs, and no errors', () => {
    assert.deepEqual(foreign(requests), []);
    assert.ok(page.workers().some((worker) => worker.url().startsWith('blob:')), 'the engine worker runs from a Blob URL');
    assert.deepEqual(errors, []);
  });
});

describe('the served page with the network off', () => {
  let server;
  let context;
  let page;
  const requests = [];

  before(async () => {
    server = await startServer();
    ({ context, page } = await offlinePage({ offline: false, requests }));
  });

  after(async () => {
    await context?.close();
    await server?.close();
  });

  it('loads from its own server only, then builds and trains with the browser offline', async (t) => {
    await page.goto(server.url);
    await page.waitForFunction(() => window.convlab && window.convlab.state.mnist && window.convlab.timings.builderReady, null, { timeout: 60000 });
    await context.setOffline(true);
    await page.fill('#setting-train_size', String(TRAIN_IMAGES));
    await page.fill('#setting-batch_size', String(BATCH_SIZE));
    const { run, losses } = await trainAndWait(page);
    const { first, last } = assertLearning(run, losses, TRAIN_IMAGES / BATCH_SIZE);
    t.diagnostic(`served page, offline after load: ${losses.length} batches in ${run.seconds.toFixed(1)} s; `
      + `loss ${losses[0].toFixed(3)} → ${losses.at(-1).toFixed(3)}, first ten ${first.toFixed(3)}, last ten ${last.toFixed(3)}`);
    // The subset keeps MNIST's order and its first 1,280 images are MNIST's first 1,280 (no digit
    // reaches its 1,200 before), so the same engine, seed and settings give the same run.
    if (bundleLosses) assert.deepEqual(losses, bundleLosses, 'the served page and the file train identically');
    assert.deepEqual(foreign(requests), []);
    assert.deepEqual(errors, []);
  });
});
