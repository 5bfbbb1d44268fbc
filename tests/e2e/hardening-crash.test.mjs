// Crash containment, in headless Chromium: a Rust panic and an out-of-memory abort in the engine's
// worker, each forced in the middle of a training run through the test hook (pages opened with
// `?test-hooks`; `crashForTest` in src/wasm_crash.rs and www/worker.js), are reported to the
// learner with their message, the worker is replaced by a new one that answers, the setup (model,
// settings: the link) and the run list are as they were, and training starts again.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, openPage, screenshot } from './helpers.mjs';

let server;
let browser;
let page;
const errors = [];

/** The panic hook writes the panic to the worker's console, and a trap is logged there too:
 * those lines are the crash itself, expected here. */
const EXPECTED_CONSOLE = /crash test: a panic forced by crashForTest|RuntimeError: unreachable|panicked at/;

/** The page's state that a crash must leave alone: the setup (the link) and the run list. */
function keptState() {
  return page.evaluate(() => ({
    hash: location.hash,
    runs: JSON.stringify(window.convlab.state.runs),
    labRuns: window.convlab.lab.view('runs').runs.length,
  }));
}

/** Waits until the link in the address bar has training setting `key` at `value` (the page
 * writes it a moment after an edit). */
function linkSays(key, value) {
  return page.waitForFunction(([name, wanted]) => {
    const base64 = location.hash.slice('#v1='.length).replace(/-/g, '+').replace(/_/g, '/');
    try {
      return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)))).training[name] === wanted;
    } catch {
      return false;
    }
  }, [key, value]);
}

/** Waits until the page is idle with an engine, its data and a built model. */
async function idleWithModel() {
  await page.waitForFunction(() => {
    const { state, runPhase } = window.convlab;
    return state.engineReady && state.mnist && state.builtKey && runPhase.phase === 'idle';
  }, null, { timeout: 60000 });
}

/** Clicks Train and waits until the run has trained `batches` batches. */
async function startRun(batches) {
  await page.locator('#train:not([disabled])').waitFor();
  await page.click('#train');
  await page.waitForFunction((count) => window.convlab.state.run && window.convlab.state.run.batches >= count, batches, { timeout: 60000 });
}

/** Trains to the end and waits for its test result. */
async function trainToEnd() {
  const runs = await page.evaluate(() => window.convlab.state.runs.length);
  await page.locator('#train:not([disabled])').waitFor();
  await page.click('#train');
  await page.waitForFunction((count) => window.convlab.state.runs.length === count + 1 && window.convlab.runPhase.phase === 'idle', runs, { timeout: 120000 });
}

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  page = await openPage(browser, `${server.url}?test-hooks`, errors);
  await page.waitForFunction(() => window.convlab && window.convlab.lab, null, { timeout: 60000 });
  await page.getByRole('button', { name: 'Lesson MLP' }).click();
  await page.fill('#setting-train_size', '2000');
  await page.fill('#setting-batch_size', '16');
  await idleWithModel();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

describe('a crashed engine costs the learner only the run in progress', () => {
  it('a finished run is in the run list before the crashes', async () => {
    await trainToEnd();
    assert.equal(await page.evaluate(() => window.convlab.state.runs.length), 1);
  });

  // The out-of-memory run is data-parallel: the lead worker's training helper ends with it.
  for (const [number, kind, workers] of [[1, 'panic', 1], [2, 'out_of_memory', 2]]) {
    it(`a forced ${kind} during training (${workers} worker(s)): reported, the worker restarted, setup and runs intact, training works again`, async (t) => {
      await page.fill('#setting-workers', String(workers));
      await page.fill('#setting-epochs', '5');
      await idleWithModel();
      await linkSays('epochs', 5);
      const before = await keptState();
      await startRun(3);
      t.diagnostic(`workers while training: ${page.workers().map((w) => new URL(w.url()).pathname).join(', ')}`);
      await page.evaluate((crash) => window.convlab.client.call('crashForTest', { kind: crash }), kind);
      await page.waitForFunction((count) => window.convlab.crashes.length === count, number, { timeout: 60000 });
      const report = await page.evaluate(() => window.convlab.crashes[window.convlab.crashes.length - 1]);
      t.diagnostic(`crash report: ${JSON.stringify(report)}`);
      assert.equal(report.code, 'crashed');
      assert.equal(report.kind, kind);
      if (kind === 'panic') {
        assert.match(report.message, /crash test: a panic forced by crashForTest/);
        assert.match(await page.locator('#notice-crash').textContent(), /The engine crashed \(panicked at .*crash test: a panic forced by crashForTest\)\. It was restarted/s);
      } else {
        assert.ok(report.bytes >= 2 ** 20, `the failed allocation is named (${report.bytes} bytes)`);
        assert.match(await page.locator('#notice-crash').textContent(), /The engine ran out of memory \(\d+ MB more were needed\)\. It was restarted/);
      }
      // The run in progress ended as failed in the run comparison, with the crash's message.
      const training = page.locator('#training-error');
      assert.match(await training.textContent(), kind === 'panic' ? /crash test/ : /out of memory/);

      await idleWithModel();
      assert.equal(await page.evaluate(() => window.convlab.client.restarts), number);
      // terminate() returns before Chromium has torn the crashed worker down (an out-of-memory one
      // takes longest); it leaves page.workers() then.
      for (const deadline = Date.now() + 10000; page.workers().length > 1 && Date.now() < deadline;) await page.waitForTimeout(50);
      const alive = page.workers().map((worker) => new URL(worker.url()).pathname);
      t.diagnostic(`workers after the restart: ${alive.join(', ')}`);
      assert.deepEqual(alive, ['/www/worker.js'], 'one engine worker, no helper left over');
      // The new worker answers.
      const view = await page.evaluate(() => window.convlab.client.check(window.convlab.state.view.spec));
      assert.deepEqual(view.layers.map((layer) => layer.output_shape),
        await page.evaluate(() => window.convlab.state.view.layers.map((layer) => layer.output_shape)));
      const after = await keptState();
      assert.equal(after.hash, before.hash, 'the setup (model and settings) is as it was');
      assert.equal(after.runs, before.runs, 'the run list is as it was');
      assert.equal(await page.evaluate(() => window.convlab.state.runs.length), number);
      assert.match(await page.locator('#status').textContent(), /^(Ready: press Train\.|MNIST)/);

      if (kind === 'panic') {
        await page.click('#language');
        assert.match(await page.locator('#notice-crash').textContent(), /엔진이 멈췄습니다 \(panicked at/);
        await page.click('#language');
        await screenshot(page, 'crash-01-after-panic');
      }
      // Training starts again and its run joins the list.
      await page.fill('#setting-epochs', '1');
      await trainToEnd();
      assert.equal(await page.evaluate(() => window.convlab.state.runs.length), number + 1);
    });
  }

  it('no page errors beyond the crashes themselves', () => {
    const unexpected = errors.filter((error) => !EXPECTED_CONSOLE.test(error));
    assert.deepEqual(unexpected, []);
  });
});
