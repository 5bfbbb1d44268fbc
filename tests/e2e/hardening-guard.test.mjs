// Hardening, in headless Chromium: bad values in the builder and the training panel are refused
// beside the control with a message and leave the built model alone; the summary shows the size
// guard's time and memory estimate; a learning rate of 10 (SGD, then Adam) on the lesson CNN stops
// within a few batches with the runaway message, keeps the curves and the run, and the model
// still predicts finite probabilities.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, openPage, screenshot } from './helpers.mjs';

let server;
let browser;
let page;
const errors = [];

/** The bad values a learner can put in a number box, as typed. */
const BAD_VALUES = ['0', '-3', '1e9', 'NaN', '', 'abc'];

async function settled() {
  await page.waitForFunction(() => !window.convlab.state.checking);
}

/** Types `text` into the box `selector` as a learner would (select all, type; the browser's
 * number box decides what a letter does). */
async function typeInto(selector, text) {
  await page.click(selector, { clickCount: 3 });
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Backspace');
  if (text) await page.keyboard.type(text);
  await settled();
  await page.waitForTimeout(50);
  await settled();
}

/** The built model's identity and one prediction: what must not change on a rejection. */
function modelState() {
  return page.evaluate(async () => {
    const probabilities = await window.convlab.client.call('inspect', { index: 0 }).then((r) => [...r.probabilities]);
    return { key: window.convlab.state.builtKey, probabilities };
  });
}

describe('hardening: bad input and runaway training', () => {
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    page = await openPage(browser, server.url, errors);
    await page.waitForFunction(() => window.convlab.state.mnist && window.convlab.state.builtKey, null, { timeout: 60000 });
    await settled();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('the summary shows a time and memory estimate for the model', async () => {
    const line = page.locator('#summary-estimate .estimate-line');
    await line.waitFor();
    const text = await line.textContent();
    assert.match(text, /^≈ \d+ s per epoch \(10,000 images, batch size 32\) · memory ≈ [\d.]+ MB of 512 MB$/);
    const seconds = Number(await line.getAttribute('data-seconds'));
    assert.ok(seconds > 1 && seconds < 600, `${seconds} s`);
  });

  it('bad builder values are refused beside the control and the built model stays', async () => {
    const fields = [
      { layer: 1, key: 'filters' },
      { layer: 1, key: 'kernel_size' },
      { layer: 6, key: 'units' },
    ];
    const report = [];
    const start = await modelState();
    for (const { layer, key } of fields) {
      const selector = `#layer-${layer}-${key}`;
      const original = await page.inputValue(selector);
      for (const bad of BAD_VALUES) {
        await typeInto(selector, bad);
        const error = page.locator(`#layer-${layer}-error`);
        assert.ok(await error.isVisible(), `${key} = '${bad}': no message beside the layer`);
        const message = await error.textContent();
        assert.match(message, new RegExp(`Layer ${layer} .*: (${key}|params|input_shape|output_shape)`), `${key} = '${bad}': ${message}`);
        assert.match(message, /use |choose |e\.g\./, `${key} = '${bad}': no fix in: ${message}`);
        assert.equal(await page.getAttribute(selector, 'aria-describedby'), `layer-${layer}-error`);
        assert.ok(await page.isDisabled('#train'), `${key} = '${bad}': Train should be off`);
        report.push(`${key} '${bad}' → ${message}`);
      }
      await typeInto(selector, original);
      assert.ok(!(await page.locator(`#layer-${layer}-error`).isVisible()), `${key}: the message stays after the fix`);
    }
    const end = await modelState();
    assert.equal(end.key, start.key, 'the built model changed');
    assert.deepEqual(end.probabilities, start.probabilities, 'the prediction changed');
    console.log(`builder: ${report.length} bad values refused\n  ${report.join('\n  ')}`);
  });

  it('bad training settings are refused beside the control without starting a run', async () => {
    const report = [];
    const start = await modelState();
    for (const key of ['learning_rate', 'batch_size', 'epochs']) {
      const selector = `#setting-${key}`;
      const original = await page.inputValue(selector);
      // A learning rate of 1e9 is allowed (Keras takes it): the runaway guard's case, below.
      for (const bad of BAD_VALUES.filter((value) => key !== 'learning_rate' || value !== '1e9')) {
        await typeInto(selector, bad);
        let refusal;
        if (await page.isDisabled('#train')) {
          refusal = await page.locator('#train-reason').textContent();
        } else {
          await page.click('#train');
          await page.locator('#training-error').waitFor({ state: 'visible', timeout: 10000 });
          refusal = await page.locator('#training-error').textContent();
          assert.equal(await page.getAttribute(selector, 'aria-invalid'), 'true', `${key} = '${bad}' not marked`);
        }
        assert.ok(refusal.length > 10, `${key} = '${bad}': no message`);
        assert.equal(await page.evaluate(() => window.convlab.state.builtKey), start.key, `${key} = '${bad}' rebuilt the model`);
        assert.equal(await page.evaluate(() => window.convlab.state.training), false, `${key} = '${bad}' started a run`);
        report.push(`${key} '${bad}' → ${refusal}`);
      }
      await typeInto(selector, original);
    }
    console.log(`settings: ${report.length} bad values refused\n  ${report.join('\n  ')}`);
  });

  for (const optimizer of ['sgd', 'adam']) {
    it(`a learning rate of 10 with ${optimizer} stops within a few batches and keeps the model`, async () => {
      await page.selectOption('#setting-optimizer', optimizer);
      await typeInto('#setting-learning_rate', '10');
      await typeInto('#setting-epochs', '1');
      const runsBefore = await page.evaluate(() => window.convlab.state.runs.length);
      const curvesBefore = await page.evaluate(() => window.convlab.state.curves.batches.length);
      await page.evaluate(() => { window.convlab.lastRun = null; });
      await page.click('#train');
      await page.waitForFunction(() => window.convlab.lastRun, null, { timeout: 60000 });
      const run = await page.evaluate(() => window.convlab.lastRun);
      assert.equal(run.reason, 'diverged');
      assert.ok(run.diverged.batch <= 3, `stopped at batch ${run.diverged.batch}`);
      assert.equal(run.diverged.code, 'training.diverged');
      assert.equal(run.diverged.field, 'learning_rate');
      const status = await page.locator('#status').textContent();
      assert.match(status, new RegExp(`^Training diverged at epoch 1, batch ${run.diverged.batch} and was stopped.*Lower the learning rate`));
      const message = await page.locator('#training-error').textContent();
      assert.match(message, /lower the learning rate \(now 10;/);
      assert.equal(await page.getAttribute('#setting-learning_rate', 'aria-invalid'), 'true');
      // The curves keep the good batches; the run goes into the run list after the test set.
      const curves = await page.evaluate(() => window.convlab.state.curves.batches.length);
      assert.equal(curves - curvesBefore, run.diverged.batch - 1);
      await page.waitForFunction((n) => window.convlab.state.runs.length === n + 1, runsBefore, { timeout: 60000 });
      // The page answers and the model predicts with the last good weights.
      const started = Date.now();
      const { probabilities } = await modelState();
      assert.ok(Date.now() - started < 5000, 'the page is slow to answer');
      assert.equal(probabilities.length, 10);
      assert.ok(probabilities.every(Number.isFinite), `predictions ${probabilities}`);
      assert.ok(Math.abs(probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-4);
      await page.click('#language');
      assert.match(await page.locator('#status').textContent(), /학습이 발산하여 멈췄습니다/);
      await page.click('#language');
      await screenshot(page, `hardening-diverged-${optimizer}`);
    });
  }

  it('no page errors', () => {
    assert.deepEqual(errors, []);
  });
});
