// Hardening, in headless Chromium: every untrusted input path of the page refuses bad input with
// a message and loses nothing. After a short training run (a run in the run list, trained weights
// saved), the test feeds broken model files (model.json/.bin), bad pasted Keras code, tampered
// links and bad drawings, and after each checks that the page said why and that the setup, the
// model the worker holds (its identity and its prediction on a test image), the builder and the
// run list are exactly as before.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startServer, launchBrowser, openPage, screenshot } from './helpers.mjs';

let server;
let browser;
let page;
let scratch;
const errors = [];

/** Files for `setInputFiles`: `{name, mimeType, buffer}`. */
function jsonFile(text, name = 'model.json') {
  return { name, mimeType: 'application/json', buffer: Buffer.from(text) };
}
function binFile(bytes, name) {
  return { name, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) };
}

/** A file of `size` bytes of zeros on disk in the scratch folder `folder` (sparse: nothing is
 * written), for the size limits. */
async function bigFile(folder, name, size) {
  await mkdir(path.join(scratch, folder), { recursive: true });
  const file = path.join(scratch, folder, name);
  const handle = await open(file, 'w');
  await handle.truncate(size);
  await handle.close();
  return file;
}

/** `file` (`{name, buffer}`) written to the scratch folder `folder`: a picker is given paths or
 * buffers, not both. */
async function onDisk(folder, { name, buffer }) {
  await mkdir(path.join(scratch, folder), { recursive: true });
  const file = path.join(scratch, folder, name);
  await writeFile(file, buffer);
  return file;
}

/** What no rejection may change: the setup (the link in the address bar), the builder's layers,
 * the model the worker holds and its prediction for test image 0, and the run list. */
function keptState() {
  return page.evaluate(async () => {
    const { state, client } = window.convlab;
    const { probabilities } = await client.call('inspect', { index: 0 });
    return {
      link: location.hash,
      layers: [...document.querySelectorAll('.layer-card[data-layer]')].map((card) => card.textContent).join('|'),
      model: state.builtKey,
      probabilities: [...probabilities].map((p) => p.toFixed(6)).join(','),
      runs: JSON.stringify(state.runs),
    };
  });
}

/** Waits until the page is idle with its engine, data, a built model and no pending check. */
function idle() {
  return page.waitForFunction(() => {
    const { state, runPhase } = window.convlab;
    return state.engineReady && state.mnist && state.builtKey && !state.checking && runPhase.phase === 'idle';
  }, null, { timeout: 60000 });
}

/** Reopens the page at `hash` (same browser context: the saved work stays) and waits until the
 * saved work or the link has been restored. */
async function reopen(hash) {
  await page.goto('about:blank');
  await page.goto(`${server.url}${hash}`);
  await page.waitForFunction(() => window.convlab.state.restored, null, { timeout: 30000 });
  await idle();
  await page.waitForTimeout(300);
}

describe('hardening: bad input on every path is refused and nothing is lost', () => {
  /** The trained model as the page saves it: `{modelJson, weights}`, and its weights file name. */
  let saved;
  let weightsName;
  /** The page's state before the bad inputs. */
  let kept;
  /** Each path's bad inputs, for the table printed at the end. */
  const table = [];

  before(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'convlab-inputs-'));
    server = await startServer();
    browser = await launchBrowser();
    page = await openPage(browser, server.url, errors);
    await page.waitForFunction(() => window.convlab && window.convlab.lab, null, { timeout: 60000 });
    await page.getByRole('button', { name: 'Lesson MLP' }).click();
    await page.fill('#setting-train_size', '2000');
    await idle();
    await page.locator('#train:not([disabled])').waitFor();
    await page.click('#train');
    await page.waitForFunction(() => window.convlab.state.runs.length === 1 && window.convlab.runPhase.phase === 'idle'
      && window.convlab.state.saves.model > 0, null, { timeout: 120000 });
    await idle();
    saved = await page.evaluate(async () => {
      const { modelJson, weights } = await window.convlab.client.saveModel();
      return { modelJson, weights: [...weights] };
    });
    weightsName = JSON.parse(saved.modelJson).weightsManifest[0].paths[0].split('/').pop();
    kept = await keptState();
  });

  after(async () => {
    for (const [pathName, count, outcome] of table) console.log(`# ${pathName}: ${count} bad inputs, ${outcome}`);
    await browser?.close();
    await server?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('model files: broken, mismatched, non-finite and oversized files are refused with the reason', async () => {
    const json = () => JSON.parse(saved.modelJson);
    const good = Uint8Array.from(saved.weights);
    const edited = (change) => {
      const model = json();
      change(model);
      return JSON.stringify(model);
    };
    const withWeights = (text, bytes = good) => [jsonFile(text), binFile(bytes, weightsName)];
    const nan = good.slice();
    new DataView(nan.buffer).setFloat32(400, Number.NaN, true);
    const infinite = good.slice();
    new DataView(infinite.buffer).setFloat32(good.length - 4, Number.POSITIVE_INFINITY, true);
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    const cases = [
      ['a PNG named model.json', [binFile(png, 'model.json'), binFile(good, weightsName)], /model\.json is not JSON/],
      ['JSON that is not a model', [jsonFile('{"hello": "world"}')], /has no modelTopology: it is not a TensorFlow\.js Layers model/],
      ['a graph model', withWeights(edited((m) => { m.format = 'graph-model'; })), /convlab reads Layers models/],
      ['no model.json, only weights', [binFile(good, weightsName)], /Choose a model\.json/],
      ['two model.json files', [jsonFile(saved.modelJson), jsonFile(saved.modelJson, 'other.json'), binFile(good, weightsName)], /one model\.json at a time/],
      ['the weights file missing', [jsonFile(saved.modelJson)], new RegExp(`needs the weights file ${weightsName}`)],
      ['truncated weights', withWeights(saved.modelJson, good.slice(0, good.length / 2)), /the weights file is too short/],
      ['weights with bytes to spare', withWeights(saved.modelJson, Uint8Array.from([...good, 0, 0, 0, 0])), /bytes but the manifest describes \d+; it does not belong to this model\.json/],
      ['a manifest short of a weight', withWeights(edited((m) => { m.weightsManifest[0].weights.pop(); })), /does not belong to this model\.json/],
      ['a weight of another shape', withWeights(edited((m) => { m.weightsManifest[0].weights[0].shape.reverse(); })), /weight 'dense\/kernel' has shape \[784, (\d+)\] in the model but \[\1, 784\] in the file/],
      ['a weight no layer owns', withWeights(edited((m) => { m.weightsManifest[0].weights[0].name = 'dense_9/kernel'; })), /has no 'dense\/kernel', which the model needs/],
      ['quantized weights', withWeights(edited((m) => { m.weightsManifest[0].weights[0].dtype = 'uint8'; })), /convlab reads float32 weights only/],
      ['a NaN weight', withWeights(saved.modelJson, nan), /contains NaN or infinite values .*lower learning rate/],
      ['an infinite weight', withWeights(saved.modelJson, infinite), /contains NaN or infinite values/],
      ['the weights of a wider layer', withWeights(edited((m) => { m.modelTopology.config.layers.find((l) => l.class_name === 'Dense').config.units = 64; })), /weight 'dense\/kernel' has shape \[784, 64\] in the model but \[784, \d+\] in the file/],
      ['a layer convlab does not know', withWeights(edited((m) => { m.modelTopology.config.layers[1].class_name = 'LSTM'; })), /LSTM/],
      ['a layer with a bad value', withWeights(edited((m) => { m.modelTopology.config.layers[1].config.units = -5; })), /units/],
      ['a 300 MB weights file', [await onDisk('big-weights', jsonFile(saved.modelJson)), await bigFile('big-weights', weightsName, 300 * 2 ** 20)], /The weights files are 300\.0 MB together; the playground opens at most 128\.0 MB/],
      ['an 11 MB model.json', [await bigFile('big-json', 'model.json', 11 * 2 ** 20), await onDisk('big-json', binFile(good, weightsName))], /model\.json is 11\.0 MB, but a model\.json takes kilobytes/],
    ];
    const message = page.locator('#files-message');
    for (const [name, files, expected] of cases) {
      await page.setInputFiles('#model-open', files);
      await page.waitForFunction((source) => {
        const element = document.getElementById('files-message');
        return element.classList.contains('error') && new RegExp(source).test(element.textContent);
      }, expected.source, { timeout: 15000 }).catch(async () => {
        assert.fail(`${name}: the message is '${await message.textContent()}', not ${expected}`);
      });
      await idle();
      assert.deepEqual(await keptState(), kept, `${name}: the page's state changed`);
      // The same files twice do not fire a change: the picker is emptied between cases.
      await page.setInputFiles('#model-open', []);
    }
    await screenshot(page, '40-inputs-model-files');
    table.push(['model files (model.json + .bin)', cases.length, 'all refused with the reason, state kept']);
  });

  it('the trained model itself still opens (the checks refuse only bad files)', async () => {
    await page.setInputFiles('#model-open', [jsonFile(saved.modelJson), binFile(Uint8Array.from(saved.weights), weightsName)]);
    await page.locator('#files-message.good').waitFor({ timeout: 15000 });
    await idle();
    const now = await keptState();
    assert.equal(now.probabilities, kept.probabilities, 'the same weights');
    assert.equal(now.layers, kept.layers, 'the same layers');
    kept = now;
  });

  it('pasted Keras code: what cannot be read is refused, pointing at the problem, and the builder keeps its model', async () => {
    const cases = [
      ['a syntax error', 'model = Sequential([Dense(10,]', /^Line 1, column \d+: /],
      ['an unknown layer', "model = Sequential([Flatten(input_shape=(28, 28, 1)), Transformer(8), Dense(10, activation='softmax')])", /Transformer/],
      ['zero filters', "model = Sequential([Conv2D(0, (3, 3), input_shape=(28, 28, 1)), Flatten(), Dense(10, activation='softmax')])", /filters/],
      ['a kernel larger than the image', "model = Sequential([Conv2D(8, (40, 40), input_shape=(28, 28, 1)), Flatten(), Dense(10, activation='softmax')])", /kernel_size/],
      ['another input shape', "model = Sequential([Dense(10, activation='softmax', input_shape=(784,))])", /This page trains on 28×28×1 images, but the model expects \(None, 784\)/],
      ['not a model', "import os\nos.system('rm -rf /')", /./],
      ['the functional API', 'inputs = keras.Input(shape=(28, 28, 1))\nx = layers.Conv2D(32, 3)(inputs)\nmodel = keras.Model(inputs, x)', /./],
      ['only blanks', '   \n\t\n', /Paste/i],
      ['300 KB of noise', 'model.add(('.repeat(30000), /./],
    ];
    for (const [name, source, expected] of cases) {
      // The previous case's message goes, so that the next one is the answer to this case.
      await page.$eval('#keras-import-result', (result) => result.replaceChildren());
      await page.fill('#keras-source', source);
      await page.click('#keras-import-button');
      const error = page.locator('#keras-import-result .error');
      await error.first().waitFor({ timeout: 15000 });
      const text = await error.first().textContent();
      assert.match(text, expected, `${name}: '${text}'`);
      await idle();
      assert.deepEqual(await keptState(), kept, `${name}: the page's state changed`);
    }
    await screenshot(page, '41-inputs-keras-code');
    table.push(['pasted Keras code', cases.length, 'all refused with a message, state kept']);
  });

  it('tampered links: refused with the reason, and the saved setup, weights and runs are opened instead', async () => {
    const link = kept.link;
    const setup = JSON.parse(Buffer.from(link.slice('#v1='.length), 'base64url').toString());
    const encode = (value) => `#v1=${Buffer.from(JSON.stringify(value)).toString('base64url')}`;
    const changed = (change) => {
      const copy = structuredClone(setup);
      change(copy);
      return encode(copy);
    };
    const cases = [
      ['another version', '#v2=eyJ9', /another version of convlab/],
      ['not base64url', '#v1=abc$def', /damaged or cut short/],
      ['cut short', link.slice(0, -12), /damaged or cut short/],
      ['not JSON', `#v1=${Buffer.from('{"dataset":').toString('base64url')}`, /damaged or cut short/],
      ['an unknown dataset', changed((s) => { s.dataset = 'cifar10'; }), /not valid/],
      ['a negative learning rate', changed((s) => { s.training.learning_rate = -1; }), /not valid/],
      ['a batch size of 2.5', changed((s) => { s.training.batch_size = 2.5; }), /not valid/],
      ['a NaN epoch count', changed((s) => { s.training.epochs = 'NaN'; }), /not valid/],
      ['an extra field', changed((s) => { s.script = '<img src=x onerror=alert(1)>'; }), /not valid/],
      ['no layers', changed((s) => { s.model.config.layers = []; }), /not valid/],
      ['a model that cannot be built', changed((s) => { s.model.config.layers[1].config.units = 0; }), /its model cannot be built: .*units/],
      ['a layer with markup for a class', changed((s) => { s.model.config.layers[0].class_name = '<b>x</b>'; }), /not valid/],
    ];
    for (const [name, hash, expected] of cases) {
      await reopen(hash);
      const notice = page.locator('#notice-link');
      await notice.waitFor({ timeout: 15000 });
      const text = await notice.textContent();
      assert.match(text, expected, `${name}: '${text}'`);
      assert.match(text, /your saved setup is shown instead/, `${name}: '${text}'`);
      await page.waitForFunction((wanted) => location.hash === wanted, kept.link, { timeout: 15000 })
        .catch(() => assert.fail(`${name}: the address holds ${page.url()}`));
      assert.deepEqual(await keptState(), kept, `${name}: the saved work was not restored as it was`);
    }
    await screenshot(page, '42-inputs-link');
    table.push(['links (#v1=…)', cases.length, 'all refused with the reason, the saved setup, weights and runs opened']);
  });

  it('drawings: an empty, a one-dot and a full canvas, and malformed drawings sent to the engine', async () => {
    await page.click('#lab-tab-draw');
    const canvas = page.locator('#draw-canvas');
    await canvas.scrollIntoViewIfNeeded();
    const box = await canvas.boundingBox();
    // One click: a dot is a drawing (a tiny one), predicted like any other.
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.locator('#draw-verdict').waitFor();
    // Ink everywhere: zig-zag strokes over the whole canvas.
    await page.mouse.move(box.x + 2, box.y + 2);
    await page.mouse.down();
    for (let y = 2; y < box.height; y += 12) {
      await page.mouse.move(box.x + box.width - 2, box.y + y, { steps: 4 });
      await page.mouse.move(box.x + 2, box.y + y + 6, { steps: 4 });
    }
    await page.mouse.up();
    await page.waitForFunction(() => !window.convlab.lab.view('draw').request.busy);
    const bars = await page.$$eval('#draw-bars .bar', (list) => list.length);
    assert.equal(bars, 10, 'a full canvas still gets ten probabilities');
    const verdict = await page.locator('#draw-verdict').textContent();
    assert.match(verdict, /^Predicted: \d \(\d+(\.\d)?%\)$|\d/, verdict);
    // Cleared: the hint again.
    await page.click('#draw-clear');
    await page.locator('#draw-hint').waitFor();
    // What a tampered page could send: the engine refuses each, naming the drawing.
    const refused = await page.evaluate(async () => {
      const { client } = window.convlab;
      const side = 280;
      const sends = {
        'an empty drawing': { pixels: new Float32Array(side * side), height: side, width: side },
        'fewer values than pixels': { pixels: new Float32Array(10), height: side, width: side },
        'a NaN pixel': { pixels: new Float32Array(side * side).fill(Number.NaN), height: side, width: side },
        'ink of 5': { pixels: new Float32Array(4).fill(5), height: 2, width: 2 },
        'a 0×0 drawing': { pixels: new Float32Array(0), height: 0, width: 0 },
        'a 100,000-pixel side': { pixels: new Float32Array(4), height: 100000, width: 1 },
      };
      const out = {};
      for (const [name, send] of Object.entries(sends)) {
        try {
          const result = await client.call('drawDigit', send);
          out[name] = result.image === null ? 'no ink' : 'accepted';
        } catch (error) {
          out[name] = `${error.code} ${error.field}: ${error.message}`;
        }
      }
      return out;
    });
    assert.equal(refused['an empty drawing'], 'no ink');
    assert.match(refused['fewer values than pixels'], /^setting\.\w+ drawing: .*10 values are not 280×280 pixels/);
    assert.match(refused['a NaN pixel'], /^setting\.\w+ drawing: .*pixel 0 has ink NaN: ink values must be between 0 and 1/);
    assert.match(refused['ink of 5'], /^setting\.\w+ drawing: .*pixel 0 has ink 5/);
    assert.match(refused['a 0×0 drawing'], /^setting\.\w+ drawing: .*each side must be 1 to 4096/);
    assert.match(refused['a 100,000-pixel side'], /^setting\.\w+ drawing: .*each side must be 1 to 4096/);
    assert.deepEqual(await keptState(), kept, 'drawings changed the page\'s state');
    table.push(['drawings', 3 + Object.keys(refused).length, 'drawn ones predicted, malformed ones refused naming the drawing, state kept']);
  });

  it('no page errors', () => {
    assert.deepEqual(errors, []);
  });
});
