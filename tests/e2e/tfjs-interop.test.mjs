// Models as files, against the real TensorFlow.js (`@tensorflow/tfjs` in node, CPU backend):
// a model trained on the page and downloaded loads with tf.loadLayersModel and predicts the same
// probabilities on the first 100 MNIST test images (max abs diff ≤ 1e-4); a model built in
// TensorFlow.js and saved with tf.io.withSaveHandler opens on the page (file picker) with the
// same predictions; a downloaded model dropped on the page opens too.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import { startServer, launchBrowser, openPage, screenshot, ROOT, OUTPUT } from './helpers.mjs';

/** Test images compared. */
const IMAGES = 100;
/** The largest difference allowed between two probabilities. */
const TOLERANCE = 1e-4;
const FILES = path.join(OUTPUT, 'tfjs-interop');

let server;
let browser;
let page;
const errors = [];

/** The first `count` images of an MNIST idx file (gzipped) as floats in [0, 1], NHWC. */
function mnistImages(file, count) {
  const bytes = gunzipSync(readFileSync(path.join(ROOT, 'www/data/mnist', file)));
  return tf.tensor4d(Float32Array.from(bytes.subarray(16, 16 + count * 784), (v) => v / 255), [count, 28, 28, 1]);
}

/** The page's probabilities for test images 0…count-1, from its engine worker. */
function pagePredictions(count) {
  return page.evaluate(async (n) => {
    const rows = [];
    for (let i = 0; i < n; i += 1) rows.push(Array.from((await window.convlab.client.inspect(i)).probabilities));
    return rows;
  }, count);
}

/** The largest |a − b| over two tables of probabilities. */
function maxAbsDiff(a, b) {
  assert.equal(a.length, b.length);
  let max = 0;
  a.forEach((row, i) => {
    assert.equal(row.length, b[i].length);
    row.forEach((v, j) => { max = Math.max(max, Math.abs(v - b[i][j])); });
  });
  return max;
}

/** A TensorFlow.js IO handler reading model.json and the weights files beside it (what
 * tf.loadLayersModel('file://…') does in tfjs-node). */
function fileHandler(modelJsonPath) {
  return {
    async load() {
      const json = JSON.parse(await readFile(modelJsonPath, 'utf8'));
      const group = json.weightsManifest[0];
      const parts = await Promise.all(group.paths.map((p) => readFile(path.join(path.dirname(modelJsonPath), p))));
      const bytes = Buffer.concat(parts);
      return {
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
        weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
      };
    },
  };
}

/** Opens a model on the page by its file picker and waits until it is loaded (the page says
 * `opened`) and tested. */
async function openWithPicker(files, opened) {
  await page.setInputFiles('#model-open', files);
  await page.waitForFunction((text) => document.getElementById('files-message').textContent.startsWith(text), opened, { timeout: 30000 });
  await page.waitForFunction(() => /Test accuracy: [\d.]+%/.test(document.getElementById('test-accuracy').textContent), null, { timeout: 60000 });
}

before(async () => {
  await mkdir(FILES, { recursive: true });
  server = await startServer();
  browser = await launchBrowser();
  page = await openPage(browser, server.url, errors);
  await page.waitForFunction(() => window.convlab.state.mnist && window.convlab.state.builtKey, null, { timeout: 60000 });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

describe('TensorFlow.js interoperability', () => {
  const testImages = () => mnistImages('t10k-images-idx3-ubyte.gz', IMAGES);

  it('a model trained on the page and downloaded gives the same predictions in TensorFlow.js', async (t) => {
    // Every layer type the builder has, entered as Keras code.
    await page.fill('#keras-source', `model = Sequential()
model.add(Conv2D(8, (3, 3), activation='relu', padding='same', input_shape=(28, 28, 1)))
model.add(BatchNormalization())
model.add(MaxPooling2D((2, 2)))
model.add(Conv2D(16, (3, 3), strides=2, padding='valid'))
model.add(Activation('relu'))
model.add(AveragePooling2D(pool_size=(2, 2), strides=1))
model.add(Dropout(0.25))
model.add(Flatten())
model.add(Dense(32, activation='tanh'))
model.add(Dense(10, activation='softmax'))`);
    await page.click('#keras-import-button');
    await page.locator('#keras-import-result .good').waitFor();
    await page.fill('#setting-train_size', '1920');
    await page.waitForFunction(() => !window.convlab.state.checking && window.convlab.state.view);
    await page.locator('#train:not([disabled])').waitFor();
    await page.evaluate(() => { window.convlab.lastRun = null; });
    await page.click('#train');
    await page.waitForFunction(() => window.convlab.lastRun && window.convlab.state.test, null, { timeout: 120000 });

    const downloads = [];
    page.on('download', (download) => downloads.push(download));
    await page.click('#model-download');
    for (let tries = 0; downloads.length < 2 && tries < 100; tries += 1) await page.waitForTimeout(100);
    assert.deepEqual(downloads.map((d) => d.suggestedFilename()).sort(), ['group1-shard1of1.bin', 'model.json']);
    for (const download of downloads) await download.saveAs(path.join(FILES, 'convlab', download.suggestedFilename()));
    await screenshot(page, '21-model-downloaded');

    const expected = await pagePredictions(IMAGES);
    const model = await tf.loadLayersModel(fileHandler(path.join(FILES, 'convlab', 'model.json')));
    assert.equal(model.layers.length, 10);
    const actual = await model.predict(testImages()).array();
    const diff = maxAbsDiff(actual, expected);
    t.diagnostic(`convlab → TensorFlow.js: max |Δp| over ${IMAGES} test images: ${diff.toExponential(2)}`);
    assert.ok(diff <= TOLERANCE, `max abs diff ${diff}`);
    const argmaxAgree = actual.filter((row, i) => row.indexOf(Math.max(...row)) === expected[i].indexOf(Math.max(...expected[i]))).length;
    assert.equal(argmaxAgree, IMAGES);
  });

  it('the downloaded files dropped on the page open the same model again', async () => {
    const before = await pagePredictions(5);
    await page.click('#reset');
    await page.waitForFunction(() => !window.convlab.state.test);
    const json = await readFile(path.join(FILES, 'convlab', 'model.json'), 'utf8');
    const bin = [...await readFile(path.join(FILES, 'convlab', 'group1-shard1of1.bin'))];
    await page.evaluate(([text, bytes]) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([text], 'model.json', { type: 'application/json' }));
      transfer.items.add(new File([new Uint8Array(bytes)], 'group1-shard1of1 (1).bin'));
      for (const type of ['dragenter', 'dragover', 'drop']) {
        document.body.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
      }
    }, [json, bin]);
    await page.waitForFunction(() => document.getElementById('files-message').textContent.startsWith('Opened model.json: 10 layers'), null, { timeout: 30000 });
    assert.deepEqual(await pagePredictions(5), before);
  });

  it('a model built in TensorFlow.js and saved with tf.io.withSaveHandler opens on the page with the same predictions, and is tested without training', async (t) => {
    // Seeded, broad initializers instead of training (the pure-JS backend needs about a minute
    // per thousand images): the probabilities are far from uniform, so every layer's arithmetic
    // shows in them.
    const init = (seed, stddev) => tf.initializers.randomNormal({ mean: 0, stddev, seed });
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 6, kernelSize: 5, padding: 'same', activation: 'relu', kernelInitializer: init(1, 0.4), biasInitializer: init(2, 0.1) }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.batchNormalization(),
        tf.layers.conv2d({ filters: 12, kernelSize: 3, strides: 2, activation: 'relu', kernelInitializer: init(3, 0.4) }),
        tf.layers.averagePooling2d({ poolSize: 2, strides: 1, padding: 'same' }),
        tf.layers.flatten(),
        tf.layers.dropout({ rate: 0.2 }),
        tf.layers.dense({ units: 24, activation: 'sigmoid', kernelInitializer: init(4, 0.3) }),
        tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: init(5, 1.5), biasInitializer: init(6, 0.5) }),
      ],
    });
    // Inference-mode BatchNormalization with all four of its weights away from 1, 0, 0, 1.
    const norm = model.layers[2];
    norm.setWeights([tf.randomUniform([6], 0.5, 1.5, 'float32', 7), tf.randomUniform([6], -0.5, 0.5, 'float32', 8),
      tf.randomUniform([6], 0, 0.5, 'float32', 9), tf.randomUniform([6], 0.5, 2, 'float32', 10)]);

    const weightsPath = './tfjs-model.weights.bin';
    await model.save(tf.io.withSaveHandler(async (artifacts) => {
      const dir = path.join(FILES, 'tfjs');
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, 'model.json'), JSON.stringify({
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: [weightsPath], weights: artifacts.weightSpecs }],
      }));
      await writeFile(path.join(dir, 'tfjs-model.weights.bin'), Buffer.from(artifacts.weightData));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const expected = await model.predict(testImages()).array();
    const meanTop = expected.reduce((sum, row) => sum + Math.max(...row), 0) / IMAGES;
    assert.ok(meanTop > 0.4, `the probabilities are far from uniform (mean top probability ${meanTop.toFixed(2)})`);

    await openWithPicker([path.join(FILES, 'tfjs', 'model.json'), path.join(FILES, 'tfjs', 'tfjs-model.weights.bin')], 'Opened model.json: 9 layers');
    assert.equal(await page.locator('.layer-card[data-layer]').count(), 9);
    assert.equal(await page.locator('#summary [data-total="Total params"]').textContent().then((s) => s.split(' ')[0]),
      model.countParams().toLocaleString('en-US'));
    const actual = await pagePredictions(IMAGES);
    const diff = maxAbsDiff(actual, expected);
    t.diagnostic(`TensorFlow.js → convlab: max |Δp| over ${IMAGES} test images: ${diff.toExponential(2)} (mean top probability ${meanTop.toFixed(2)}); ${await page.locator('#test-accuracy').textContent()}`);
    assert.ok(diff <= TOLERANCE, `max abs diff ${diff}`);
    await screenshot(page, '22-tfjs-model-opened');
  });

  it('files that are not a model are refused with a message', async () => {
    await page.setInputFiles('#model-open', { name: 'model.json', mimeType: 'application/json', buffer: Buffer.from('{"modelTopology": ') });
    await page.locator('#files-message.error').waitFor();
    assert.match(await page.locator('#files-message').textContent(), /model\.json is not JSON/);
    await page.setInputFiles('#model-open', [path.join(FILES, 'tfjs', 'model.json')]);
    await page.waitForFunction(() => /weights file tfjs-model\.weights\.bin/.test(document.getElementById('files-message').textContent));
  });

  it('no page errors and no console errors', () => {
    assert.deepEqual(errors, []);
  });
});
