// Rapid clicks, in headless Chromium: every button clicked 20 times in one task (no awaits in
// between), Reset and model changes during a run, and dataset switches while one is loading each
// have the outcome www/run-phase.js defines — one worker, one run per Train, batch counters that
// only go up by one, and no page errors.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, openPage, screenshot } from './helpers.mjs';

let server;
let browser;
let page;
const errors = [];

/** Clicks `selector` `times` times in one task of the page: no click waits for the last one's
 * effects. */
function clickFast(selector, times = 20) {
  return page.evaluate(([target, count]) => {
    const button = document.querySelector(target);
    for (let i = 0; i < count; i += 1) button.click();
  }, [selector, times]);
}

/** The page's run bookkeeping: runs started (the lab's run list), runs finished and tested (the
 * saved run list), `training-ended` news heard. */
function counts() {
  return page.evaluate(() => ({
    started: window.convlab.lab.view('runs').runs.length,
    finished: window.convlab.state.runs.length,
    ended: window.__ended.length,
  }));
}

/** The workers alive, by path. */
function workers() {
  return page.workers().map((worker) => new URL(worker.url()).pathname);
}

function waitForBatches(count) {
  return page.waitForFunction((n) => window.convlab.state.run && window.convlab.state.run.batches >= n, count, { timeout: 60000 });
}

function waitForIdle() {
  return page.waitForFunction(() => window.convlab.runPhase.phase === 'idle' && window.convlab.state.builtKey, null, { timeout: 120000 });
}

/** The batch counters of every `steps` news since the page opened, split into runs (a run starts
 * at epoch 0, batch 0); each must go up by exactly one. */
async function assertMonotonicBatches() {
  const batches = await page.evaluate(() => window.__batches);
  const runs = [];
  for (const [epoch, batch, perEpoch] of batches) {
    if (epoch === 0 && batch === 0) runs.push([]);
    assert.ok(runs.length > 0, 'the first batch seen is a run\'s first');
    runs[runs.length - 1].push(epoch * perEpoch + batch);
  }
  for (const run of runs) {
    run.forEach((index, i) => assert.equal(index, i, `batch ${i} of a run is its ${i}th (saw ${run.slice(Math.max(0, i - 2), i + 2)})`));
  }
  return runs.length;
}

before(async () => {
  server = await startServer({ hold: /\/www\/data\/fashion-mnist\// });
  browser = await launchBrowser();
  page = await openPage(browser, server.url, errors);
  await page.waitForFunction(() => window.convlab && window.convlab.lab && window.convlab.state.mnist, null, { timeout: 60000 });
  await page.evaluate(() => {
    window.__batches = [];
    window.__ended = [];
    window.convlab.client.on('steps', ({ steps }) => {
      for (const { batch } of steps) window.__batches.push([batch.epoch, batch.batch, batch.batches]);
    });
    window.convlab.client.on('training-ended', (news) => window.__ended.push(news.reason));
  });
  await page.getByRole('button', { name: 'Lesson MLP' }).click();
  await page.fill('#setting-train_size', '2000');
  await page.fill('#setting-batch_size', '16');
  await page.fill('#setting-epochs', '3');
  await waitForIdle();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

describe('rapid clicks have one defined outcome', () => {
  it('Train ×20 starts one run in one worker; Stop ×20 stops it once', async () => {
    const before = await counts();
    await clickFast('#train');
    await waitForBatches(5);
    assert.deepEqual(workers(), ['/www/worker.js'], 'one worker');
    assert.equal((await counts()).started, before.started + 1, 'one run started');
    await clickFast('#train');
    await clickFast('#stop');
    await waitForIdle();
    const after = await counts();
    assert.deepEqual(after, { started: before.started + 1, finished: before.finished + 1, ended: before.ended + 1 });
    assert.equal(await page.evaluate(() => window.__ended.at(-1)), 'stopped');
    assert.deepEqual(workers(), ['/www/worker.js']);
  });

  it('Reset ×20 during a run stops it (it stays in the run list), then gives fresh weights once', async () => {
    await clickFast('#train');
    await waitForBatches(5);
    const before = await counts();
    await clickFast('#reset');
    assert.ok(await page.locator('#stop').isDisabled(), 'the run is stopping: Stop is off');
    await page.waitForFunction(() => window.convlab.runPhase.phase === 'idle' && window.convlab.state.curves.end === 0, null, { timeout: 60000 });
    const after = await counts();
    assert.deepEqual(after, { started: before.started, finished: before.finished + 1, ended: before.ended + 1 });
    assert.equal(await page.evaluate(() => window.__ended.at(-1)), 'stopped');
    assert.deepEqual(await page.evaluate(() => window.convlab.state.curves.batches.length), 0, 'fresh weights: no curves');
    assert.equal(await page.evaluate(() => window.convlab.state.test), null);
    await page.waitForFunction(() => document.getElementById('status').textContent === 'Ready: press Train.');
  });

  it('Train, Stop and Reset clicked together: one run, stopped, then fresh weights', async () => {
    const before = await counts();
    await page.evaluate(() => {
      for (let i = 0; i < 20; i += 1) {
        for (const id of ['train', 'stop', 'reset']) document.getElementById(id).click();
      }
    });
    await page.waitForFunction((n) => window.__ended.length > n, before.ended, { timeout: 60000 });
    await page.waitForFunction(() => window.convlab.runPhase.phase === 'idle' && window.convlab.state.curves.end === 0, null, { timeout: 60000 });
    const after = await counts();
    assert.deepEqual(after, { started: before.started + 1, finished: before.finished + 1, ended: before.ended + 1 });
    assert.equal(await page.evaluate(() => window.__ended.at(-1)), 'stopped', 'the Stop clicked while the run was starting stopped it');
  });

  it('the model, the data and model files cannot change during a run: refused, with a message', async () => {
    const spec = await page.evaluate(() => JSON.stringify(window.convlab.state.view.spec));
    const hash = await page.evaluate(() => location.hash);
    await clickFast('#train');
    await waitForBatches(3);
    assert.match(await page.locator('#train-reason').textContent(), /A run is in progress: the model, the data and the settings stay as they are/);
    // Disabled controls: clicks do nothing.
    await clickFast('#builder [data-preset="seed-cnn"]');
    await clickFast('#keras-import button');
    assert.ok(await page.locator('#dataset').isDisabled());
    assert.ok(await page.locator('#setting-epochs').isDisabled());
    // What asks anyway is refused with a message: a lab panel's model, a dropped model file.
    await page.evaluate(() => window.convlab.lab.context.loadSpec({ class_name: 'Sequential', config: { name: 'x', layers: [] } }));
    assert.match(await page.locator('#notice-busy').textContent(), /Not now: a run is in progress/);
    await page.evaluate(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File(['{}'], 'model.json', { type: 'application/json' }));
      document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    });
    await page.waitForFunction(() => /Not now: a run is in progress/.test(document.getElementById('share').textContent));
    await screenshot(page, 'clicks-01-locked-during-run');
    assert.equal(await page.evaluate(() => JSON.stringify(window.convlab.state.view.spec)), spec, 'the model is the one training');
    await clickFast('#stop');
    await waitForIdle();
    assert.equal(await page.evaluate(() => JSON.stringify(window.convlab.state.view.spec)), spec);
    assert.equal(await page.evaluate(() => location.hash), hash, 'the setup is unchanged');
    assert.deepEqual(workers(), ['/www/worker.js']);
  });

  it('every run\'s batch counters went up by exactly one, with no news from another run in between', async (t) => {
    const runs = await assertMonotonicBatches();
    t.diagnostic(`${runs} runs checked`);
    assert.equal(runs, await page.evaluate(() => window.convlab.lab.view('runs').runs.length));
  });

  it('switching datasets while one loads: the earlier load is cancelled, the last choice wins', async () => {
    const select = (names) => page.evaluate((choices) => {
      const dataset = document.getElementById('dataset');
      for (const name of choices) {
        dataset.value = name;
        dataset.dispatchEvent(new Event('change'));
      }
    }, names);
    // Fashion-MNIST is held by the server: it is still loading when MNIST is chosen again.
    await select(['fashion-mnist', 'mnist', 'fashion-mnist', 'mnist']);
    await page.waitForFunction(() => window.convlab.state.mnist && window.convlab.state.dataset === 'mnist', null, { timeout: 60000 });
    assert.match(await page.locator('#data-progress-text').textContent(), /^MNIST: 60,000 training/);
    server.releaseHeld();
    await page.waitForTimeout(1000);
    assert.equal(await page.evaluate(() => window.convlab.state.dataset), 'mnist', 'the cancelled load did not take over');
    assert.match(await page.locator('#data-progress-text').textContent(), /^MNIST: 60,000 training/);
    await select(['fashion-mnist', 'mnist', 'fashion-mnist']);
    await page.waitForFunction(() => window.convlab.state.mnist && /^Fashion-MNIST/.test(document.getElementById('data-progress-text').textContent), null, { timeout: 60000 });
    assert.equal(await page.evaluate(() => window.convlab.state.dataset), 'fashion-mnist');
    assert.equal(await page.locator('#dataset').inputValue(), 'fashion-mnist');
    // The worker holds Fashion-MNIST: the prediction panel names its classes.
    await waitForIdle();
    await page.waitForFunction(() => /True label: \S/.test(document.getElementById('prediction').textContent) && !/True label: \d/.test(document.getElementById('prediction').textContent), null, { timeout: 30000 });
    assert.deepEqual(workers(), ['/www/worker.js']);
  });

  it('double-clicks: one run per double-clicked Train; the language toggles twice', async () => {
    const before = await counts();
    await page.dblclick('#train');
    await waitForBatches(3);
    await page.dblclick('#stop');
    await waitForIdle();
    assert.deepEqual(await counts(), { started: before.started + 1, finished: before.finished + 1, ended: before.ended + 1 });
    await page.dblclick('#language');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    await page.dblclick('#reset');
    await waitForIdle();
    await assertMonotonicBatches();
  });

  it('no page errors', () => {
    assert.deepEqual(errors, []);
  });
});
