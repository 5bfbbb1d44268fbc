// The teaching lab end to end, in headless Chromium, on one page in order: the convolution
// animator against the engine's layers, then the panels that need a trained model.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { startServer, launchBrowser, openPage, OUTPUT } from './helpers.mjs';

let server;
let browser;
let page;
const errors = [];

/** Sets a lab control as a learner would (value, then the change event). */
async function setControl(selector, value) {
  await page.$eval(selector, (control, value) => {
    control.value = String(value);
    control.dispatchEvent(new Event('change', { bubbles: true }));
  }, value);
}

/** Clicks Train and waits for the run's end and the page's test-set evaluation after it. */
async function trainAndWait() {
  await page.evaluate(() => { window.convlab.lastRun = null; });
  await page.locator('#train:not([disabled])').waitFor();
  await page.click('#train');
  await page.waitForFunction(() => window.convlab.lastRun, null, { timeout: 90000 });
  await page.waitForFunction(() => /Test accuracy: [\d.]+%/.test(document.getElementById('test-accuracy').textContent), null, { timeout: 60000 });
  return page.evaluate(() => window.convlab.lastRun);
}

/** Pixels of a canvas close to `rgb`. */
function pixelsOf(selector, [r, g, b]) {
  return page.$eval(selector, (canvas, [r, g, b]) => {
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let count = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) < 60) count += 1;
    }
    return count;
  }, [r, g, b]);
}

/** Shows the lab's tab `id` and scrolls it into view. */
async function openTab(id) {
  await page.click(`#lab-tab-${id}`);
  await page.locator(`#lab-panel-${id}`).scrollIntoViewIfNeeded();
}

/** Saves a screenshot of the lab section alone (the sticky control bar let go, so that it does
 * not cover the top of the lab). */
async function labScreenshot(name) {
  await mkdir(OUTPUT, { recursive: true });
  await page.evaluate(() => { document.querySelector('.control-bar').style.position = 'static'; });
  await page.locator('#lab').screenshot({ path: path.join(OUTPUT, `${name}.png`) });
  await page.evaluate(() => { document.querySelector('.control-bar').style.position = ''; });
}

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  page = await openPage(browser, server.url, errors);
  await page.waitForFunction(() => window.convlab.state.mnist && window.convlab.state.builtKey && window.convlab.lab, null, { timeout: 60000 });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

describe('the teaching lab', () => {
  it('convolution animator: every cell equals the engine’s Conv2D / pooling output, uneven same included', async (t) => {
    await openTab('conv');
    const cases = [];
    for (const size of [5, 6, 7, 8]) {
      for (const kernel of [1, 2, 3, 5]) {
        for (const stride of [1, 2, 3]) {
          for (const padding of ['valid', 'same']) cases.push({ kind: 'Conv2D', kernel, stride, padding, size });
        }
      }
    }
    for (const kind of ['MaxPooling2D', 'AveragePooling2D']) {
      for (const size of [5, 6]) {
        for (const kernel of [2, 3]) {
          for (const stride of [1, 2]) {
            for (const padding of ['valid', 'same']) cases.push({ kind, kernel, stride, padding, size });
          }
        }
      }
    }
    // Each case drives the animator's controls in the page (one round trip for all of them):
    // set the five controls, wait for the engine's padding, show every cell, then run the engine's
    // own layer on the numbers the grids show.
    const results = await page.evaluate(async (cases) => {
      const settle = (test) => new Promise((resolve) => {
        const poll = () => (test() ? resolve() : setTimeout(poll, 5));
        poll();
      });
      const cells = (id) => [...document.querySelectorAll(`#${id} .conv-cell`)];
      const out = [];
      for (const c of cases) {
        const { kind, kernel, stride, padding, size } = c;
        for (const [id, value] of [['kind', kind], ['kernel', kernel], ['stride', stride], ['padding', padding], ['size', size]]) {
          const control = document.getElementById(`conv-${id}`);
          control.value = String(value);
          control.dispatchEvent(new Event('change', { bubbles: true }));
        }
        const key = `${kind} ${kernel} ${stride} ${padding} ${size}`;
        await settle(() => document.querySelector('.conv-stage')?.dataset.settings === key);
        document.getElementById('conv-finish').click();
        await settle(() => document.getElementById('conv-check').textContent !== '');
        const input = cells('conv-input').filter((cell) => !cell.classList.contains('pad')).map((cell) => Number(cell.dataset.value));
        const padded = Math.round(Math.sqrt(cells('conv-input').length));
        const padRow = (row) => cells('conv-input').filter((cell) => Number(cell.dataset.row) === row).every((cell) => cell.classList.contains('pad'));
        let top = 0;
        while (top < padded && padRow(top)) top += 1;
        let bottom = 0;
        while (bottom < padded && padRow(padded - 1 - bottom)) bottom += 1;
        const weights = kind === 'Conv2D'
          ? [...cells('conv-kernel').map((cell) => Number(cell.dataset.value)), Number(document.querySelector('.conv-stage').dataset.bias)]
          : [];
        const output = cells('conv-output').map((cell) => Number(cell.dataset.value));
        const config = kind === 'Conv2D'
          ? { filters: 1, kernel_size: [kernel, kernel], strides: [stride, stride], padding }
          : { pool_size: [kernel, kernel], strides: [stride, stride], padding };
        config.batch_input_shape = [null, size, size, 1];
        const spec = JSON.stringify({ class_name: 'Sequential', config: { layers: [{ class_name: kind, config }] } });
        const engine = await window.convlab.client.call('forwardWithWeights', { spec, weights, input, batch: 1 });
        out.push({ ...c, key, inputCount: input.length, top, bottom, output, engine: Array.from(engine),
          check: document.getElementById('conv-check').textContent });
      }
      return out;
    }, cases);
    let uneven = 0;
    for (const result of results) {
      const { key } = result;
      assert.equal(result.inputCount, result.size * result.size, key);
      assert.equal(result.output.length, result.engine.length, `${key}: output size`);
      result.output.forEach((value, i) => {
        assert.ok(Math.abs(value - result.engine[i]) <= 1e-5 * Math.max(1, Math.abs(value)), `${key}: cell ${i}: ${value} vs engine ${result.engine[i]}`);
      });
      assert.match(result.check, /^✓/, key);
      if (result.padding === 'same') {
        // TensorFlow: total = max((out − 1)·S + F − N, 0), top = ⌊total/2⌋, bottom = the rest.
        const out = Math.ceil(result.size / result.stride);
        const total = Math.max((out - 1) * result.stride + result.kernel - result.size, 0);
        assert.deepEqual([result.top, result.bottom], [Math.floor(total / 2), total - Math.floor(total / 2)], `${key}: padding drawn`);
        if (result.top !== result.bottom) uneven += 1;
      } else {
        assert.deepEqual([result.top, result.bottom], [0, 0], `${key}: no padding`);
      }
    }
    t.diagnostic(`${cases.length} settings, ${uneven} of them with uneven 'same' padding`);
    assert.ok(uneven >= 10);

    // The animation itself: step through the cells of 'same' with stride 2 on an even input.
    await setControl('#conv-source', 'custom');
    await setControl('#conv-kind', 'Conv2D');
    await setControl('#conv-kernel', 3);
    await setControl('#conv-stride', 2);
    await setControl('#conv-padding', 'same');
    await setControl('#conv-size', 6);
    await page.waitForFunction(() => document.querySelector('.conv-stage')?.dataset.settings === 'Conv2D 3 2 same 6');
    assert.equal(await page.locator('#conv-formula').textContent(), 'Output size (height and width): (6 − 3 + 0 + 1)/2 + 1 = 3');
    await page.click('#conv-step');
    await page.click('#conv-step');
    assert.equal(await page.locator('#conv-output .conv-cell.done').count(), 2);
    assert.equal(await page.locator('#conv-input .conv-cell.in-window').count(), 9);
    assert.match(await page.locator('#conv-arithmetic').textContent(), /^y\[0,1\] = .*·.* \+ -?\d+ = -?\d+$/);
    await page.click('#conv-play');
    await page.waitForFunction(() => document.querySelectorAll('#conv-output .conv-cell.done').length >= 3);
    await page.click('#conv-play');
    assert.equal(await page.locator('#conv-play').getAttribute('aria-pressed'), 'false');
    await labScreenshot('lab-01-convolution');
  });

  it('a small CNN trains for the panels that need a trained model', async (t) => {
    await page.fill('#setting-train_size', '2000');
    const started = Date.now();
    const run = await trainAndWait();
    assert.equal(run.reason, 'completed');
    t.diagnostic(`Lesson CNN, 2,000 images, 1 epoch: ${run.seconds.toFixed(1)} s of training; ${Date.now() - started} ms with the page's evaluation on 10,000 test images`);
  });

  it('evaluation: the confusion matrix sums to the test images and a cell lists exactly its images', async (t) => {
    await openTab('evaluation');
    const started = Date.now();
    await page.click('#evaluation-run');
    await page.locator('#confusion-matrix').waitFor();
    t.diagnostic(`confusion matrix of 1,000 test images in ${Date.now() - started} ms`);
    const cells = await page.$$eval('.confusion-cell', (buttons) => buttons.map((b) => ({
      label: Number(b.dataset.label), predicted: Number(b.dataset.predicted), count: Number(b.dataset.count) })));
    assert.equal(cells.length, 100);
    assert.equal(cells.reduce((sum, c) => sum + c.count, 0), 1000, 'the cells sum to the 1,000 test images');
    const correct = cells.filter((c) => c.label === c.predicted).reduce((sum, c) => sum + c.count, 0);
    const summary = await page.locator('#evaluation-summary').textContent();
    assert.equal(summary, `Accuracy ${(correct / 10).toFixed(2)}% on 1,000 test images`);
    t.diagnostic(summary);
    const wrong = cells.filter((c) => c.label !== c.predicted).sort((a, b) => b.count - a.count)[0];
    await page.click(`.confusion-cell[data-label="${wrong.label}"][data-predicted="${wrong.predicted}"]`);
    await page.locator('#evaluation-cell').waitFor();
    t.diagnostic(`cell listed after ${Date.now() - started} ms`);
    const listed = await page.$$eval('#evaluation-cell-images .thumb', (thumbs) => thumbs.map((f) => ({
      index: Number(f.dataset.index), label: Number(f.dataset.label), predicted: Number(f.dataset.predicted) })));
    assert.equal(listed.length, wrong.count, 'as many images as the cell counts');
    assert.ok(listed.every((image) => image.label === wrong.label && image.predicted === wrong.predicted));
    assert.equal(new Set(listed.map((image) => image.index)).size, listed.length, 'no image twice');
    // The model itself, asked image by image, gives each listed image the cell's label and prediction.
    const verdicts = await page.evaluate(async (indices) => Promise.all(indices.map(async (index) => {
      const { label, probabilities } = await window.convlab.client.call('inspect', { index });
      return { label, predicted: Array.from(probabilities).indexOf(Math.max(...probabilities)) };
    })), listed.map((image) => image.index));
    assert.ok(verdicts.every((v) => v.label === wrong.label && v.predicted === wrong.predicted));
    t.diagnostic(`${listed.length} images checked one by one after ${Date.now() - started} ms`);
    assert.equal(await page.locator('#per-class .bar').count(), 10);
    assert.ok(await page.locator('#evaluation-wrong .thumb').count() > 0);
    await labScreenshot('lab-02-evaluation');
  });

  it('rotate / shift: 0° gives exactly the engine’s prediction; the accuracy-vs-angle chart renders', async (t) => {
    await openTab('transform');
    await setControl('#transform-index', 7);
    await page.waitForFunction(() => window.convlab.lab.view('transform').result?.index === 7);
    const { shown, engine } = await page.evaluate(async () => {
      const result = window.convlab.lab.view('transform').result;
      const inspected = await window.convlab.client.call('inspect', { index: 7 });
      return {
        shown: { probabilities: Array.from(result.probabilities), image: Array.from(result.image), original: Array.from(result.original) },
        engine: { probabilities: Array.from(inspected.probabilities), image: Array.from(inspected.image) },
      };
    });
    assert.deepEqual(shown.probabilities, engine.probabilities, 'the same probabilities, bit for bit');
    assert.deepEqual(shown.image, engine.image, 'the model saw the original image');
    assert.deepEqual(shown.original, engine.image);
    const matrix = await page.$$eval('#transform-matrix tr', (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
    assert.deepEqual(matrix, [['1.000', '0.000', '0.000'], ['0.000', '1.000', '0.000'], ['0.000', '0.000', '1.000']]);

    // 90° counter-clockwise about (13.5, 13.5): [[cos, sin, …], [−sin, cos, …]].
    await page.$eval('#transform-angle', (slider) => {
      slider.value = '90';
      slider.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await page.waitForFunction(() => document.querySelector('#transform-matrix td')?.textContent === '0.000');
    const rotated = await page.$$eval('#transform-matrix tr', (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
    assert.deepEqual(rotated, [['0.000', '1.000', '0.000'], ['-1.000', '0.000', '27.000'], ['0.000', '0.000', '1.000']]);
    assert.notDeepEqual(await page.evaluate(() => Array.from(window.convlab.lab.view('transform').result.image)), engine.image);
    assert.match(await page.locator('#transform-verdict').textContent(), /Prediction: \d/);

    await setControl('#rotation-count', 200);
    await setControl('#rotation-step', 30);
    const started = Date.now();
    await page.click('#rotation-run');
    await page.waitForFunction(() => {
      const view = window.convlab.lab.view('transform');
      return view.curves.length === 1 && view.curves[0].points.length === 13 && !view.progress;
    }, null, { timeout: 60000 });
    const points = await page.evaluate(() => window.convlab.lab.view('transform').curves[0].points);
    t.diagnostic(`accuracy vs angle (200 images, every 30°) in ${Date.now() - started} ms: ${points.map(([a, v]) => `${a}°:${(v * 100).toFixed(0)}%`).join(' ')}`);
    const upright = points.find(([angle]) => angle === 0)[1];
    const flipped = points.find(([angle]) => angle === 180)[1];
    assert.ok(upright > flipped + 0.2, `upright ${upright} beats upside down ${flipped}`);
    assert.ok(await pixelsOf('#rotation-chart', [0, 114, 178]) > 100, 'the curve is drawn');
    assert.match(await page.locator('#rotation-legend li').textContent(), /Lesson CNN \(upright \d+\.\d%, upside down \d+\.\d%\)/);
    await labScreenshot('lab-03-rotate-shift');
  });

  it('draw a digit: a mouse stroke becomes a 28×28 MNIST image centred by its mass, with a prediction', async (t) => {
    await openTab('draw');
    const canvas = page.locator('#draw-canvas');
    await canvas.scrollIntoViewIfNeeded();
    const box = await canvas.boundingBox();
    // A "7": a bar along the top, then a slanted stroke down, drawn off-centre on purpose.
    const stroke = [[60, 40], [170, 40], [150, 90], [125, 150], [105, 210]];
    await page.mouse.move(box.x + stroke[0][0], box.y + stroke[0][1]);
    await page.mouse.down();
    for (const [x, y] of stroke.slice(1)) await page.mouse.move(box.x + x, box.y + y, { steps: 8 });
    await page.mouse.up();
    await page.locator('#draw-verdict').waitFor();
    await page.waitForFunction(() => !window.convlab.lab.view('draw').busy);
    const image = await page.evaluate(() => Array.from(window.convlab.lab.view('draw').result.image));
    assert.equal(image.length, 784);
    let total = 0;
    let rows = 0;
    let cols = 0;
    image.forEach((v, i) => {
      total += v;
      rows += v * Math.floor(i / 28);
      cols += v * (i % 28);
    });
    const centre = [rows / total, cols / total];
    t.diagnostic(`centre of mass (${centre[0].toFixed(3)}, ${centre[1].toFixed(3)}); ${await page.locator('#draw-verdict').textContent()}`);
    assert.ok(Math.abs(centre[0] - 13.5) <= 1 && Math.abs(centre[1] - 13.5) <= 1, `centre of mass ${centre}`);
    // The digit fills the 20×20 box: its taller side spans 20 pixels (21 when centring puts an
    // edge half-way into a pixel).
    const inked = (line) => line.some((v) => v > 0.05);
    const inkRows = Array.from({ length: 28 }, (_, r) => inked(image.slice(r * 28, r * 28 + 28))).filter(Boolean).length;
    assert.ok(inkRows >= 20 && inkRows <= 22, `${inkRows} rows of ink`);
    assert.match(await page.locator('#draw-verdict').textContent(), /^Prediction: \d \(\d+\.\d%\)$/);
    assert.equal(await page.locator('#draw-bars .bar').count(), 10);
    assert.ok(await page.locator('#draw-maps canvas').count() > 0, 'feature maps of the drawing');
    await labScreenshot('lab-04-draw-digit');
    await page.click('#draw-clear');
    await page.locator('#draw-hint').waitFor();
  });

  it('compare runs: SGD and Adam runs overlay two curves with a settings diff naming the optimizer; a race repeats them', async (t) => {
    await openTab('runs');
    await page.getByRole('button', { name: 'Lesson MLP' }).click();
    await page.waitForFunction(() => !window.convlab.state.checking);
    await page.fill('#setting-train_size', '1000');
    for (const optimizer of ['sgd', 'adam']) {
      await page.selectOption('#setting-optimizer', optimizer);
      await page.click('#reset');
      await trainAndWait();
    }
    const runs = await page.$$eval('#runs-table tbody tr', (rows) => rows.map((row) => row.dataset.run));
    assert.deepEqual(runs, ['1', '2', '3'], 'the CNN run and the two new ones are listed');
    await page.uncheck('#run-select-1');
    await page.waitForTimeout(100);
    const sgdOrange = [213, 94, 0];
    const adamGreen = [0, 158, 115];
    assert.ok(await pixelsOf('#runs-loss', sgdOrange) > 100, 'run 2 (SGD) is drawn');
    assert.ok(await pixelsOf('#runs-loss', adamGreen) > 100, 'run 3 (Adam) is drawn');
    assert.ok(await pixelsOf('#runs-accuracy', adamGreen) > 100);
    const diff = await page.$$eval('#runs-diff tbody tr', (rows) => rows.map((row) => [row.dataset.setting, ...[...row.cells].slice(1).map((c) => c.textContent)]));
    t.diagnostic(`settings diff: ${JSON.stringify(diff)}`);
    assert.deepEqual(diff.find((row) => row[0] === 'setting.optimizer'), ['setting.optimizer', 'SGD', 'Adam']);
    assert.equal(await page.locator('#runs-diff tbody tr[data-setting="setting.optimizer"] th').textContent(), 'Optimizer');
    assert.ok(!diff.some((row) => row[0] === 'setting.seed'), 'same seed: not a difference');
    await labScreenshot('lab-05-compare-runs');

    const started = Date.now();
    await page.click('#runs-race');
    await page.waitForFunction(() => {
      const view = window.convlab.lab.view('runs');
      return !view.race && view.runs.length === 5 && view.runs[4].test;
    }, null, { timeout: 90000 });
    const raced = await page.evaluate(() => window.convlab.lab.view('runs').runs.slice(3).map((run) => ({
      tag: run.tag, optimizer: run.values.optimizer, seed: run.values.seed, size: run.values.train_size, status: run.status, continues: run.continues })));
    t.diagnostic(`race of 2 runs in ${Date.now() - started} ms: ${JSON.stringify(raced)}`);
    assert.deepEqual(raced.map((r) => r.optimizer), ['sgd', 'adam']);
    assert.ok(raced.every((r) => r.seed === raced[0].seed && r.size === 1000 && r.status === 'completed' && r.continues === null));
    assert.deepEqual(raced.map((r) => r.tag), ['again as run 2', 'again as run 3']);
  });

  it('gradient flow: in a deep sigmoid stack the gradients shrink towards the input', async (t) => {
    await openTab('gradients');
    await page.click('#gradients-load-sigmoid');
    await page.waitForFunction(() => !window.convlab.state.checking && window.convlab.state.view?.layers.length === 7);
    await page.fill('#setting-train_size', '3000');
    await page.fill('#setting-epochs', '2');
    await trainAndWait();
    await page.fill('#setting-epochs', '1');
    await page.waitForTimeout(200);
    const layers = await page.evaluate(() => window.convlab.lab.view('gradients').latest);
    const history = await page.evaluate(() => window.convlab.lab.view('gradients').history.length);
    const means = layers.map((layer) => layer.gradients.mean_abs);
    t.diagnostic(`${history} snapshots; mean |gradient| from input to output: ${means.map((m) => m.toExponential(1)).join(', ')}`);
    assert.equal(layers.length, 6, 'five hidden Dense layers and the output layer');
    assert.ok(history >= 5, 'snapshots while training');
    assert.ok(means[0] * 10 < means[5], 'the first layer gets a tenth of the last layer’s gradient or less');
    assert.equal(await page.locator('#gradients-table tbody tr').count(), 6);
    assert.equal(await page.locator('#gradients-legend li').count(), 6);
    for (const [r, g, b] of [[0, 114, 178], [86, 180, 233]]) {
      assert.ok(await pixelsOf('#gradients-chart', [r, g, b]) > 50, `the line of colour ${[r, g, b]} is drawn`);
    }
    await labScreenshot('lab-06-gradient-flow');
  });

  it('no page errors and no console errors', () => {
    assert.deepEqual(errors, []);
  });
});
