// The teaching lab end to end, in headless Chromium, on one page in order: the convolution
// animator against the engine's layers, then the panels that need a trained model.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { startServer, launchBrowser, openPage, pixelsNear, OUTPUT } from './helpers.mjs';

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
function pixelsOf(selector, rgb) {
  return pixelsNear(page, selector, rgb);
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
    await page.waitForFunction(() => !window.convlab.lab.view('draw').request.busy);
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
    // The ticked runs take the first two colours.
    const sgdBlue = [0, 114, 178];
    const adamOrange = [213, 94, 0];
    assert.ok(await pixelsOf('#runs-loss', sgdBlue) > 100, 'run 2 (SGD) is drawn');
    assert.ok(await pixelsOf('#runs-loss', adamOrange) > 100, 'run 3 (Adam) is drawn');
    assert.ok(await pixelsOf('#runs-accuracy', adamOrange) > 100);
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
      tag: document.querySelector(`#runs-table tr[data-run="${run.id}"] label`).textContent, optimizer: run.values.optimizer, seed: run.values.seed, size: run.values.train_size, status: run.status, continues: run.continues })));
    t.diagnostic(`race of 2 runs in ${Date.now() - started} ms: ${JSON.stringify(raced)}`);
    assert.deepEqual(raced.map((r) => r.optimizer), ['sgd', 'adam']);
    assert.ok(raced.every((r) => r.seed === raced[0].seed && r.size === 1000 && r.status === 'completed' && r.continues === null));
    assert.deepEqual(raced.map((r) => r.tag), ['Run 4 · again as run 2', 'Run 5 · again as run 3']);
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
    assert.ok(history >= 3, 'snapshots while training');
    assert.ok(means[0] * 10 < means[5], 'the first layer gets a tenth of the last layer’s gradient or less');
    assert.equal(await page.locator('#gradients-table tbody tr').count(), 6);
    assert.equal(await page.locator('#gradients-legend li').count(), 6);
    for (const [r, g, b] of [[0, 114, 178], [86, 180, 233]]) {
      assert.ok(await pixelsOf('#gradients-chart', [r, g, b]) > 50, `the line of colour ${[r, g, b]} is drawn`);
    }
    await labScreenshot('lab-06-gradient-flow');
  });

  it('optimizer playground: SGD stays in the local minimum, momentum reaches the global one; the start can be dragged', async (t) => {
    await openTab('optimizers');
    await page.waitForFunction(() => window.convlab.lab.view('optimizers').paths.length === 4);
    const reached = () => page.$$eval('#optimizer-legend tbody tr', (rows) => Object.fromEntries(rows.map((r) => [r.dataset.optimizer, r.dataset.reached])));
    const first = await reached();
    t.diagnostic(`from (-3, -2.5): ${JSON.stringify(first)}`);
    assert.equal(first.sgd, 'local');
    assert.equal(first.sgd_momentum, 'global');
    // Paths running together are drawn widest first, so each shows at least at its edges.
    const drawn = [];
    for (const color of [[0, 114, 178], [213, 94, 0], [0, 158, 115], [204, 121, 167]]) drawn.push(await pixelsOf('#optimizer-canvas', color));
    t.diagnostic(`pixels of the SGD, momentum, RMSprop and Adam paths: ${drawn}`);
    assert.ok(drawn.every((count) => count > 20), 'every path is drawn');
    // Drag the start point into the narrow global valley's side: every path starts there.
    const canvas = page.locator('#optimizer-canvas');
    await canvas.scrollIntoViewIfNeeded();
    const box = await canvas.boundingBox();
    const toPixel = ([x, y]) => [box.x + ((x + 4) / 8) * box.width, box.y + ((4 - y) / 8) * box.height];
    await page.mouse.move(...toPixel([-3, -2.5]));
    await page.mouse.down();
    await page.mouse.move(...toPixel([-1, 1]), { steps: 5 });
    await page.mouse.move(...toPixel([-0.5, 2.5]), { steps: 5 });
    await page.mouse.up();
    await page.waitForFunction(() => {
      const view = window.convlab.lab.view('optimizers');
      return !view.request.busy && view.paths.every((p) => Math.abs(p.points[0][0] + 0.5) < 0.05 && Math.abs(p.points[0][1] - 2.5) < 0.05);
    });
    assert.equal(await page.inputValue('#optimizer-start-y'), String(await page.evaluate(() => window.convlab.lab.view('optimizers').start[1])));
    // A large SGD step zig-zags across the narrow valley.
    await page.fill('#optimizer-lr-sgd', '0.19');
    await page.waitForFunction(() => {
      const view = window.convlab.lab.view('optimizers');
      return !view.request.busy && document.querySelector('#optimizer-lr-sgd').value === '0.19';
    });
    await page.waitForTimeout(200);
    const turns = await page.evaluate(() => {
      const sgd = window.convlab.lab.view('optimizers').paths.find((p) => p.name === 'sgd').points;
      let count = 0;
      for (let i = 2; i < sgd.length; i += 1) if ((sgd[i][1] - sgd[i - 1][1]) * (sgd[i - 1][1] - sgd[i - 2][1]) < 0) count += 1;
      return count;
    });
    t.diagnostic(`SGD (0.19) from (-0.5, 2.5): ${turns} turns; ${JSON.stringify(await reached())}`);
    assert.ok(turns >= 10, `zig-zag: ${turns} turns`);
    await labScreenshot('lab-07-optimizers');
  });

  it('overfitting lab: the one-click setup overfits visibly; a cure joins the run list beside it', async (t) => {
    await openTab('overfitting');
    const started = Date.now();
    await page.click('#overfit-train');
    await page.waitForFunction(() => !window.convlab.lab.view('overfitting').training, null, { timeout: 120000 });
    const settings = await page.$$eval('#training input, #training select', (inputs) => Object.fromEntries(inputs.map((i) => [i.id, i.type === 'checkbox' ? i.checked : i.value])));
    assert.equal(settings['setting-train_size'], '500');
    assert.equal(settings['setting-validation_split'], '0.2');
    assert.equal(settings['setting-l2'], '0');
    assert.equal(settings['setting-early_stopping'], false);
    const overfit = await page.evaluate(() => {
      const view = window.convlab.lab.view('runs');
      return view.runs[view.runs.length - 1].epochs;
    });
    const last = overfit[overfit.length - 1];
    const lowest = overfit.reduce((a, e) => (a.val_loss <= e.val_loss ? a : e));
    t.diagnostic(`no cure, ${overfit.length} epochs in ${Date.now() - started} ms: training ${(last.accuracy * 100).toFixed(1)}% vs validation ${(last.val_accuracy * 100).toFixed(1)}%; val_loss lowest at epoch ${lowest.epoch + 1} (${lowest.val_loss.toFixed(3)}), last ${last.val_loss.toFixed(3)}`);
    assert.equal(overfit.length, 30);
    assert.ok(last.accuracy - last.val_accuracy > 0.1, 'training accuracy well above validation accuracy');
    assert.ok(lowest.epoch < 20 && last.val_loss > lowest.val_loss * 1.05, 'validation loss rises after its lowest point');

    await page.check('#overfit-dropout');
    await page.check('#overfit-early_stopping');
    await page.click('#overfit-train');
    await page.waitForFunction(() => !window.convlab.lab.view('overfitting').training, null, { timeout: 120000 });
    const layers = await page.$$eval('.layer-card[data-layer]', (cards) => cards.map((c) => c.dataset.className));
    assert.deepEqual(layers, ['Flatten', 'Dense', 'Dropout', 'Dense', 'Dropout', 'Dense']);
    await page.waitForFunction(() => document.querySelectorAll('#overfit-table tbody tr').length === 2 && window.convlab.lab.view('runs').runs.slice(-1)[0].test);
    const rows = await page.$$eval('#overfit-table tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
    t.diagnostic(`overfitting table: ${JSON.stringify(rows)}`);
    assert.equal(rows[1][1], 'overfitting: Dropout + Early stopping');
    await labScreenshot('lab-08-overfitting');
    await page.click('#overfit-compare');
    await page.waitForFunction(() => !document.getElementById('lab-panel-runs').hidden);
    assert.equal(await page.locator('#runs-diff tbody tr[data-setting="runs.model"]').count(), 1, 'the diff names the model change (Dropout)');
    assert.equal(await page.locator('#runs-diff tbody tr[data-setting="setting.early_stopping"]').count(), 1);
    await labScreenshot('lab-09-overfitting-compared');
  });

  it('rotate / shift: “MLP vs CNN” trains both presets and charts both under rotation', async (t) => {
    await openTab('transform');
    await page.fill('#setting-train_size', '1000');
    await page.fill('#setting-epochs', '1');
    await page.click('#rotation-clear');
    const started = Date.now();
    await page.click('#rotation-compare');
    await page.waitForFunction(() => {
      const view = window.convlab.lab.view('transform');
      return view.curves.length === 2 && view.curves.every((c) => c.points.length === 13) && !view.progress;
    }, null, { timeout: 120000 });
    const legend = await page.$$eval('#rotation-legend li', (items) => items.map((li) => li.textContent));
    t.diagnostic(`MLP vs CNN in ${Date.now() - started} ms: ${legend.join(' | ')}`);
    assert.equal(legend.length, 2);
    assert.match(legend[0], /^Lesson MLP \(upright/);
    assert.match(legend[1], /^Lesson CNN \(upright/);
    const last = await page.evaluate(() => window.convlab.lab.view('runs').runs.slice(-2).map((run) => run.values));
    assert.ok(last.every((v) => v.validation_split === 0 && v.rotation_range === 0 && v.train_size === 1000));
    assert.ok(await pixelsOf('#rotation-chart', [213, 94, 0]) > 100, 'the second curve is drawn');
    await labScreenshot('lab-03b-mlp-vs-cnn');
  });

  it('every lab panel switches to Korean and back', async () => {
    await page.click('#language');
    const tabs = await page.$$eval('.lab-tabs [role="tab"]', (buttons) => buttons.map((b) => b.textContent));
    assert.deepEqual(tabs, ['합성곱', '평가', '회전 / 이동', '숫자 그리기', '실행 비교', '기울기 흐름', '옵티마이저', '과적합 실험실']);
    for (const id of ['conv', 'evaluation', 'transform', 'draw', 'runs', 'gradients', 'optimizers', 'overfitting']) {
      await page.click(`#lab-tab-${id}`);
      const text = await page.locator(`#lab-panel-${id}`).innerText();
      assert.match(text, /[가-힣]/, `${id} is in Korean`);
      // Every label of a control in the panel is Korean or a Keras name.
      const labels = await page.$$eval(`#lab-panel-${id} label`, (nodes) => nodes.map((n) => n.textContent));
      for (const label of labels) assert.match(label, /[가-힣]|^(L2|SGD|RMSprop|Adam|\d+번 실행.*)$/, `${id}: "${label}"`);
    }
    await page.click('#lab-tab-overfitting');
    await labScreenshot('lab-10-korean');
    await page.click('#language');
    assert.equal(await page.locator('#lab-tab-conv').textContent(), 'Convolution');
  });

  it('no page errors and no console errors', () => {
    assert.deepEqual(errors, []);
  });
});
