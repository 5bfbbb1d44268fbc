// The playground page end to end, in headless Chromium, on one page in order: load (before and
// after MNIST arrives), the Lesson CNN's summary and formulas, live edits, an invalid layer, the
// builder's add/move/remove, a short training run, Stop, the language toggle, and the acceptance
// run (Lesson CNN, 10,000 images, one epoch, ≥ 95% test accuracy).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, openPage, screenshot, pixelsNear, mapsPainted } from './helpers.mjs';

let server;
let browser;
let page;
const errors = [];

const layer = (index) => page.locator(`.layer-card[data-layer="${index}"]`);
const summaryRow = (index) => page.locator(`#summary tr[data-layer="${index}"]`);
const formula = (index) => page.locator(`#summary [data-formula="${index}"]`);
const total = () => page.locator('#summary [data-total="Total params"]');
const status = () => page.locator('#status');

/** Waits until the page shows the engine's verdict on the current spec. */
async function settled() {
  await page.waitForFunction(() => !window.convlab.state.checking);
}

/** Distinct colours on each canvas matching `selector` (1 = blank). */
function canvasColours(selector) {
  return page.$$eval(selector, (canvases) => canvases.map((canvas) => {
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    const colours = new Set();
    for (let i = 0; i < data.length; i += 4) colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    return colours.size;
  }));
}

/** Pixels of a chart canvas close to `rgb` (the series colours of style.css). */
function pixelsOf(selector, rgb) {
  return pixelsNear(page, selector, rgb);
}
const TRAIN_BLUE = [11, 87, 208];
const VALIDATION_ORANGE = [194, 65, 12];
const BEST_GREEN = [21, 128, 61];

/** Trains with the panel as it stands; resolves with the run's figures and the status lines seen
 * while it ran. */
async function trainAndWait({ timeout = 120000, onRunning } = {}) {
  await page.evaluate(() => { window.convlab.lastRun = null; });
  const startedAt = await page.evaluate(() => performance.now());
  await page.click('#train');
  const lines = new Set();
  const deadline = Date.now() + timeout;
  let running = false;
  for (;;) {
    const [done, text, batches] = await page.evaluate(() => [
      Boolean(window.convlab.lastRun), document.getElementById('status').textContent,
      window.convlab.state.run ? window.convlab.state.run.batches : 0]);
    lines.add(text);
    if (!running && batches > 0 && onRunning) {
      running = true;
      await onRunning(batches);
    }
    if (done) break;
    assert.ok(Date.now() < deadline, 'training did not finish in time');
    await page.waitForTimeout(150);
  }
  const endedAt = await page.evaluate(() => performance.now());
  const run = await page.evaluate(() => window.convlab.lastRun);
  return { run, lines: [...lines], startedAt, endedAt };
}

async function testAccuracy() {
  await page.waitForFunction(() => /Test accuracy: [\d.]+%/.test(document.getElementById('test-accuracy').textContent),
    null, { timeout: 120000 });
  const text = await page.locator('#test-accuracy').textContent();
  return Number(text.match(/Test accuracy: ([\d.]+)%/)[1]) / 100;
}

async function setSetting(key, value) {
  await page.fill(`#setting-${key}`, String(value));
}

before(async () => {
  server = await startServer({ hold: /\/www\/data\/mnist\/.*\.gz$/ });
  browser = await launchBrowser();
  page = await openPage(browser, server.url, errors);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

describe('the playground page', () => {
  it('loads: builder, summary and formulas work before MNIST arrives, with a progress indicator', async (t) => {
    await page.locator('#summary [data-total="Total params"]').waitFor();
    const timings = await page.evaluate(() => window.convlab.timings);
    t.diagnostic(`navigation → interactive builder: ${timings.builderReady.toFixed(0)} ms (engine ready at ${timings.engineReady.toFixed(0)} ms, wasm init ${timings.wasmMs.toFixed(0)} ms)`);
    assert.equal(await page.evaluate(() => window.convlab.state.mnist), null, 'MNIST is still held back');
    assert.ok(await page.locator('#data-progress').isVisible());
    assert.ok(await page.locator('#train').isDisabled());
    assert.match(await page.locator('#train-reason').textContent(), /until MNIST has arrived/);
    assert.equal(await page.locator('.layer-card[data-layer]').count(), 6);
    await screenshot(page, '01-before-mnist');

    server.releaseHeld();
    await page.waitForFunction(() => window.convlab.state.mnist, null, { timeout: 60000 });
    const mnist = await page.evaluate(() => window.convlab.state.mnist);
    assert.deepEqual(mnist, { train: 60000, test: 10000 });
    await page.locator('#train:not([disabled])').waitFor();
    assert.match(await page.locator('#data-progress-text').textContent(), /60,000 training and 10,000 test images/);
    assert.match(await status().textContent(), /Ready/);
  });

  it('Lesson CNN preset: Keras summary with 41,866 parameters and the output-size formulas', async () => {
    await page.getByRole('button', { name: 'Lesson MLP' }).click();
    await settled();
    assert.equal(await total().textContent(), '669,706 (2.55 MB)');
    await page.getByRole('button', { name: 'Lesson CNN' }).click();
    await settled();
    assert.equal(await total().textContent(), '41,866 (163.54 KB)');
    assert.equal(await page.locator('#summary [data-total="Trainable params"]').textContent(), '41,866 (163.54 KB)');
    assert.equal(await page.locator('#summary [data-total="Non-trainable params"]').textContent(), '0 (0.00 B)');
    const rows = await page.$$eval('#summary tr[data-layer]', (trs) => trs.map((tr) => [...tr.cells].map((td) => td.textContent)));
    assert.deepEqual(rows, [
      ['conv2d (Conv2D)', '(None, 28, 28, 32)', '320'],
      ['max_pooling2d (MaxPooling2D)', '(None, 14, 14, 32)', '0'],
      ['conv2d_1 (Conv2D)', '(None, 12, 12, 64)', '18,496'],
      ['max_pooling2d_1 (MaxPooling2D)', '(None, 6, 6, 64)', '0'],
      ['flatten (Flatten)', '(None, 2304)', '0'],
      ['dense (Dense)', '(None, 10)', '23,050'],
    ]);
    assert.match(await formula(1).textContent(), /\(28 − 3 \+ 2·1\)\/1 \+ 1 = 28/);
    assert.match(await formula(3).textContent(), /\(14 − 3 \+ 2·0\)\/1 \+ 1 = 12/);
    assert.equal(await formula(5).count(), 0, 'Flatten has no formula');
    await screenshot(page, '02-lesson-cnn');
  });

  it('stride 2 on the first Conv2D changes the shapes and shows the uneven "same" padding', async () => {
    await layer(1).getByLabel('Stride').fill('2');
    await page.waitForFunction(() => document.querySelector('#summary [data-formula="1"]')?.textContent.includes('= 14'));
    assert.match(await formula(1).textContent(), /\(28 − 3 \+ 0 \+ 1\)\/2 \+ 1 = 14/);
    assert.equal(await summaryRow(1).locator('td').nth(1).textContent(), '(None, 14, 14, 32)');
    assert.equal(await summaryRow(3).locator('td').nth(1).textContent(), '(None, 5, 5, 64)');
    assert.match(await formula(3).textContent(), /\(7 − 3 \+ 2·0\)\/1 \+ 1 = 5/);
    assert.match(await formula(4).textContent(), /⌊\(5 − 2 \+ 2·0\)\/2⌋ \+ 1 = 2/, 'the floor is shown');
    assert.equal(await total().textContent(), '21,386 (83.54 KB)');
    assert.match(await layer(1).locator('.layer-shape').textContent(), /\(None, 14, 14, 32\)/);
    await screenshot(page, '03-stride-2');
    await layer(1).getByLabel('Stride').fill('1');
    await page.waitForFunction(() => document.querySelector('#summary [data-total="Total params"]')?.textContent.startsWith('41,866'));
  });

  it('an invalid layer shows the engine message next to it and disables Train', async () => {
    const kernel = layer(3).getByLabel('Kernel size');
    await kernel.fill('30');
    const message = layer(3).locator('.error');
    await message.waitFor();
    assert.match(await message.textContent(), /^Layer 3 'conv2d_1' \(Conv2D\): kernel_size: .*30.*14/);
    assert.equal(await kernel.getAttribute('aria-invalid'), 'true');
    assert.ok(await page.locator('#train').isDisabled());
    assert.match(await page.locator('#train-reason').textContent(), /fix the model/);
    assert.equal(await page.locator('.layer-card .error:not([hidden])').count(), 1, 'only the offending layer');
    await screenshot(page, '04-invalid-layer');
    await kernel.fill('3');
    await page.locator('#train:not([disabled])').waitFor();
    assert.equal(await layer(3).locator('.error').isVisible(), false);
    assert.equal(await total().textContent(), '41,866 (163.54 KB)');
  });

  it('layers can be added, moved and removed, with every control labelled', async () => {
    await page.selectOption('#add-layer-class', 'Dropout');
    await page.click('#add-layer');
    await settled();
    assert.equal(await layer(7).getAttribute('data-class-name'), 'Dropout');
    await layer(7).getByLabel('Rate').fill('0.5');
    await page.getByRole('button', { name: 'Move layer 7 up' }).click();
    await settled();
    assert.equal(await layer(6).getAttribute('data-class-name'), 'Dropout');
    assert.equal(await summaryRow(6).locator('td').first().textContent(), 'dropout (Dropout)');
    assert.equal(await summaryRow(7).locator('td').first().textContent(), 'dense (Dense)');
    await page.selectOption('#add-layer-class', 'MaxPooling2D');
    await page.click('#add-layer');
    await settled();
    for (const label of ['Pool size', 'Stride', 'Padding']) assert.equal(await layer(8).getByLabel(label).count(), 1, label);
    for (const label of ['Filters', 'Kernel size', 'Stride', 'Padding', 'Activation']) assert.equal(await layer(1).getByLabel(label).count(), 1, label);
    assert.equal(await layer(7).getByLabel('Units').count(), 1);
    assert.match(await layer(8).locator('.error').textContent(), /Layer 8/, 'pooling after Dense is refused at layer 8');
    await screenshot(page, '05-builder-edits');
    await page.getByRole('button', { name: 'Remove layer 8' }).click();
    await page.getByRole('button', { name: 'Remove layer 6' }).click();
    await settled();
    assert.equal(await page.locator('.layer-card[data-layer]').count(), 6);
    assert.equal(await total().textContent(), '41,866 (163.54 KB)');
    assert.ok(await page.locator('#train').isEnabled());
  });

  it('training a small subset: the loss falls, curves and feature maps are drawn, the status line updates, no long task', async (t) => {
    await setSetting('train_size', 1920);
    const { run, lines, startedAt, endedAt } = await trainAndWait();
    assert.equal(run.reason, 'completed');
    assert.equal(run.batches, 60);
    const losses = await page.evaluate(() => window.convlab.state.curves.batches.map((b) => b.loss));
    const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
    const first = mean(losses.slice(0, 10));
    const last = mean(losses.slice(-10));
    t.diagnostic(`mean loss of batches 1–10: ${first.toFixed(3)}, of batches 51–60: ${last.toFixed(3)}`);
    assert.ok(last < first * 0.6, `the loss falls (${first} → ${last})`);

    const trainingLines = lines.filter((line) => /^Epoch 1\/1 · batch \d+\/60 · loss [\d.]+ · accuracy [\d.]+% · [\d,]+ images\/s$/.test(line));
    assert.ok(trainingLines.length >= 2, `the status line updated while training: ${JSON.stringify(lines)}`);
    assert.match(await status().textContent(), /^Done: 1 epoch\(s\) in [\d.]+ s · [\d,]+ images\/s/);

    await page.waitForTimeout(300);
    assert.ok(await pixelsOf('#loss-chart', TRAIN_BLUE) > 200, 'the loss curve is drawn');
    assert.ok(await pixelsOf('#accuracy-chart', TRAIN_BLUE) > 200, 'the accuracy curve is drawn');
    await mapsPainted(page, '.channel-grid:not(.kernels) canvas');
    const maps = await canvasColours('.channel-grid:not(.kernels) canvas');
    assert.ok(maps.filter((n) => n > 1).length >= maps.length / 2, `most feature maps are not blank (${maps})`);
    const kernels = await canvasColours('.channel-grid.kernels canvas');
    assert.ok(kernels.every((n) => n > 1), 'every filter is drawn');
    assert.ok((await canvasColours('.input-image'))[0] > 1, 'the input image is drawn');
    assert.equal(await page.locator('.bars .bar').count(), 10);

    const longTasks = await page.evaluate(([from, to]) => window.longTasks.filter((task) => task.start >= from && task.start <= to), [startedAt, endedAt]);
    const longest = Math.max(0, ...longTasks.map((task) => task.duration));
    t.diagnostic(`main-thread long tasks while training: ${longTasks.length}, longest ${longest.toFixed(0)} ms`);
    if (longest > 200) {
      const frames = await page.evaluate(([from, to]) => window.longFrames.filter((f) => f.start >= from - 500 && f.start <= to && f.duration > 150), [startedAt, endedAt]);
      t.diagnostic(`long animation frames: ${JSON.stringify(frames.map((f) => ({ ...f, start: f.start - startedAt })))}; long tasks: ${JSON.stringify(longTasks.map((task) => ({ ...task, start: task.start - startedAt })))}`);
    }
    assert.ok(longest <= 200, `no main-thread task over 200 ms (longest ${longest} ms)`);
    await testAccuracy();
    await screenshot(page, '06-small-run');
  });

  it('early stopping with a validation split: validation curves and the best epoch marked', async (t) => {
    await page.click('#reset');
    await setSetting('train_size', 960);
    await setSetting('epochs', 3);
    await setSetting('validation_split', 0.2);
    await page.check('#setting-early_stopping');
    await setSetting('patience', 1);
    const { run } = await trainAndWait();
    t.diagnostic(`${run.reason}; best epoch ${run.best_epoch + 1}, stopped epoch ${run.stopped_epoch === null ? '–' : run.stopped_epoch + 1}`);
    assert.ok(run.best_epoch !== null, 'the engine reports the best epoch');
    const epochs = await page.evaluate(() => window.convlab.state.curves.epochs);
    assert.ok(epochs.length >= 2 && epochs.every((e) => e.val_loss !== null), 'every epoch has validation figures');
    await page.waitForTimeout(300);
    assert.ok(await pixelsOf('#loss-chart', VALIDATION_ORANGE) > 50, 'the validation curve is drawn');
    assert.ok(await pixelsOf('#loss-chart', BEST_GREEN) > 50, 'the best epoch is marked');
    await testAccuracy();
    await screenshot(page, '07-early-stopping');
  });

  it('Stop ends the run within one batch', async (t) => {
    await page.click('#reset');
    await setSetting('train_size', 10000);
    let clickedAt = 0;
    const { run } = await trainAndWait({
      onRunning: async () => {
        await page.waitForFunction(() => window.convlab.state.run && window.convlab.state.run.batches >= 10);
        clickedAt = Date.now();
        await page.click('#stop');
      },
    });
    assert.ok(clickedAt > 0);
    assert.equal(run.reason, 'stopped');
    t.diagnostic(`after ${run.batches} batches: ${run.batches_after_stop} batch(es) finished after the click; run ended ${run.stop_latency_ms.toFixed(0)} ms after it`);
    assert.ok(run.batches_after_stop <= 1, `at most the batch in progress finishes (${run.batches_after_stop})`);
    assert.ok(run.batches < 313, 'the epoch did not run to its end');
    assert.match(await status().textContent(), /^Stopped after \d+ batches/);
    await page.locator('#train:not([disabled])').waitFor();
    assert.ok(await page.locator('#stop').isDisabled());
    await testAccuracy();
    await screenshot(page, '08-stopped');
  });

  it('every visible string switches to Korean and back', async () => {
    await page.click('#language');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'ko');
    assert.equal(await layer(1).getByLabel('필터 수').count(), 1);
    assert.equal(await page.locator('#train').textContent(), '학습');
    assert.equal(await page.locator('#builder-title').textContent(), '모델');
    await screenshot(page, '09-korean');
    await page.click('#language');
    assert.equal(await layer(1).getByLabel('Filters').count(), 1);
    assert.equal(await page.locator('#train').textContent(), 'Train');
  });

  it('acceptance: the Lesson CNN on 10,000 images trains one epoch to ≥ 95% test accuracy', async (t) => {
    // A fresh browser profile: a reload would restore the setup and the runs above (saved work).
    await page.context().close();
    page = await openPage(browser, server.url, errors);
    await page.waitForFunction(() => window.convlab.state.mnist && window.convlab.state.builtKey, null, { timeout: 60000 });
    assert.equal(await total().textContent(), '41,866 (163.54 KB)', 'the page opens with the Lesson CNN');
    const settings = await page.$$eval('#training input', (inputs) => Object.fromEntries(inputs.map((i) => [i.id, i.type === 'checkbox' ? i.checked : i.value])));
    t.diagnostic(`default settings: ${JSON.stringify(settings)}`);
    assert.equal(settings['setting-train_size'], '10000');
    assert.equal(settings['setting-epochs'], '1');
    const { run, lines } = await trainAndWait({ timeout: 170000 });
    assert.equal(run.reason, 'completed');
    assert.equal(run.batches, 313);
    const shown = lines.map((line) => line.match(/· ([\d,]+) images\/s$/)).filter(Boolean).map((m) => Number(m[1].replace(/,/g, '')));
    const accuracy = await testAccuracy();
    t.diagnostic(`one epoch of 10,000 images in ${run.seconds.toFixed(1)} s, ${Math.round(run.images_per_second)} images/s overall; status showed ${Math.min(...shown)}–${Math.max(...shown)} images/s; test accuracy ${(accuracy * 100).toFixed(2)}%`);
    await screenshot(page, '10-acceptance');
    assert.ok(accuracy >= 0.95, `test accuracy ${accuracy}`);
  });

  it('no page errors and no console errors', () => {
    assert.deepEqual(errors, []);
  });
});
