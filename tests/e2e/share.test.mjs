// Share and carry on, end to end in headless Chromium: links for the class (random setups restored
// exactly, tampered links refused with a message and the default model, teacher mode), the Keras
// code panel (export, copy, download, import with positioned errors), saved work across reloads
// (setup, run list, trained weights; clear; storage refused), Fashion-MNIST (downloaded only when
// chosen, class names in both languages) and the Korean UI (no English left in the main panels).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { startServer, launchBrowser, openPage, screenshot } from './helpers.mjs';

let server;
let browser;
let page;
const errors = [];
const requests = [];

/** A small seeded generator (mulberry32), so a failing setup can be made again. */
function random(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = (list) => list[int(0, list.length - 1)];
  const round = (value, digits) => Number(value.toFixed(digits));
  return { next, int, pick, round };
}

const PANELS = ['builder', 'keras', 'summary', 'training', 'curves', 'prediction', 'share', 'maps'];
const SETTINGS = ['optimizer', 'learning_rate', 'momentum', 'batch_size', 'epochs', 'train_size', 'validation_split',
  'seed', 'l1', 'l2', 'early_stopping', 'patience', 'rotation_range', 'shift_range'];
const HIDEABLE = ['dataset', 'presets', 'layer-tools', 'keras-import', 'model-open', 'reset', ...SETTINGS.map((k) => `setting.${k}`)];

/** A random setup the page can build, in the form builder.spec() and the panel produce. */
function randomSetup(seed) {
  const r = random(seed);
  const activations = ['relu', 'sigmoid', 'tanh', 'linear'];
  const layers = [];
  for (let i = r.int(0, 2); i > 0; i -= 1) {
    const kernel = r.pick([1, 3, 5]);
    const stride = r.int(1, 2);
    layers.push({ class_name: 'Conv2D', config: { filters: r.int(1, 12), kernel_size: [kernel, kernel],
      strides: [stride, stride], padding: 'same', activation: r.pick(activations) } });
    if (r.next() < 0.5) layers.push({ class_name: r.pick(['MaxPooling2D', 'AveragePooling2D']), config: { pool_size: [2, 2], strides: null, padding: r.pick(['valid', 'same']) } });
    if (r.next() < 0.3) layers.push({ class_name: 'BatchNormalization', config: {} });
  }
  layers.push({ class_name: 'Flatten', config: {} });
  if (r.next() < 0.5) layers.push({ class_name: 'Dense', config: { units: r.int(1, 64), activation: r.pick(activations) } });
  if (r.next() < 0.5) layers.push({ class_name: 'Dropout', config: { rate: r.round(r.next() * 0.9, 2) } });
  layers.push({ class_name: 'Dense', config: { units: 10, activation: 'softmax' } });
  layers[0].config.batch_input_shape = [null, 28, 28, 1];
  const training = {
    optimizer: r.pick(['sgd', 'sgd_momentum', 'rmsprop', 'adagrad', 'adam']),
    learning_rate: r.round(r.next() * 0.1, 5),
    momentum: r.round(r.next() * 0.99, 2),
    batch_size: r.int(1, 512),
    epochs: r.int(1, 30),
    train_size: r.int(1, 60000),
    validation_split: r.round(r.next() * 0.9, 2),
    seed: r.int(0, 2 ** 31),
    l1: r.round(r.next() * 0.01, 4),
    l2: r.pick([0, r.round(r.next() * 0.01, 4)]),
    early_stopping: r.next() < 0.5,
    patience: r.int(0, 10),
    rotation_range: r.int(0, 180),
    shift_range: r.round(r.next() * 0.9, 2),
  };
  const panels = PANELS.filter(() => r.next() < 0.8);
  const hide = HIDEABLE.filter(() => r.next() < 0.2);
  return { dataset: r.pick(['mnist', 'fashion-mnist']), model: { class_name: 'Sequential', config: { name: 'sequential', layers } }, training, panels, hide };
}

/** Runs `encodeSetup` of the page's own share-link.js on `setup`. */
function encode(setup) {
  return page.evaluate(async (s) => (await import('/www/share-link.js')).encodeSetup(s), setup);
}

/** Opens `hash` as a fresh page load and waits until the page has restored and saved it. */
async function openLink(hash, target = page) {
  await target.goto('about:blank');
  await target.goto(`${server.url}${hash}`);
  await target.waitForFunction(() => window.convlab.state.restored && window.convlab.state.saves.setup > 0, null, { timeout: 30000 });
}

const total = () => page.locator('#summary [data-total="Total params"]').textContent();

/** The setup of a fresh page (the Lesson CNN, Keras's defaults), read from its address. */
let defaults;

before(async () => {
  server = await startServer({ hold: /\/www\/data\/.*\.gz$/ });
  browser = await launchBrowser();
  page = await openPage(browser, server.url, errors);
  page.on('request', (request) => requests.push(request.url()));
  await page.waitForFunction(() => window.convlab.state.restored && window.convlab.state.saves.setup > 0);
  defaults = await page.evaluate(async () => (await import('/www/share-link.js')).decodeSetup(location.hash));
  assert.equal(defaults.model.config.layers.length, 6);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

describe('links for the class', () => {
  it('300 random setups survive encodeSetup → decodeSetup unchanged', async () => {
    const setups = Array.from({ length: 300 }, (_, i) => randomSetup(1000 + i));
    const failures = await page.evaluate(async (list) => {
      const { encodeSetup, decodeSetup, canonicalSetup } = await import('/www/share-link.js');
      return list.filter((setup) => {
        const hash = encodeSetup(setup);
        const back = decodeSetup(hash);
        return !hash.startsWith('#v1=') || JSON.stringify(canonicalSetup(back)) !== JSON.stringify(canonicalSetup(setup))
          || encodeSetup(back) !== hash;
      }).length;
    }, setups);
    assert.equal(failures, 0);
  });

  it('tampered, cut and foreign links are refused with the reason', async () => {
    const good = await encode(randomSetup(7));
    const cases = await page.evaluate(async (valid) => {
      const { decodeSetup } = await import('/www/share-link.js');
      const json = (value) => `#v1=${btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`;
      const setup = decodeSetup(valid);
      const changed = (change) => {
        const copy = structuredClone(setup);
        change(copy);
        return json(copy);
      };
      const links = {
        'another version': '#v2=eyJ9',
        'not base64url': '#v1=abc$def',
        'cut short': valid.slice(0, valid.length - 9),
        'not JSON': json('x').slice(0, 4) + btoa('{"dataset":').replace(/=+$/, ''),
        'unknown dataset': changed((s) => { s.dataset = 'cifar10'; }),
        'learning rate below 0': changed((s) => { s.training.learning_rate = -1; }),
        'batch size not whole': changed((s) => { s.training.batch_size = 2.5; }),
        'a setting missing': changed((s) => { delete s.training.seed; }),
        'an extra setting': changed((s) => { s.training.workers = 8; }),
        'an unknown panel': changed((s) => { s.panels = ['builder', 'secret']; }),
        'a control that cannot be hidden': changed((s) => { s.hide = ['train']; }),
        'an extra field': changed((s) => { s.script = 'alert(1)'; }),
        'a prototype key': json({ ...setup, model: { class_name: 'Sequential', config: { layers: [{ class_name: 'Dense', config: JSON.parse('{"__proto__": {"units": 1}}') }] } } }),
        'a layer class with markup': changed((s) => { s.model.config.layers[0].class_name = '<img src=x onerror=alert(1)>'; }),
        'no layers': changed((s) => { s.model.config.layers = []; }),
      };
      return Object.fromEntries(Object.entries(links).map(([name, hash]) => {
        try {
          decodeSetup(hash);
          return [name, 'accepted'];
        } catch (error) {
          return [name, error.constructor.name === 'LinkError' ? error.reason : `threw ${error}`];
        }
      }));
    }, good);
    assert.deepEqual(cases, {
      'another version': 'version',
      'not base64url': 'encoding',
      'cut short': 'encoding',
      'not JSON': 'encoding',
      'unknown dataset': 'content',
      'learning rate below 0': 'content',
      'batch size not whole': 'content',
      'a setting missing': 'content',
      'an extra setting': 'content',
      'an unknown panel': 'content',
      'a control that cannot be hidden': 'content',
      'an extra field': 'content',
      'a prototype key': 'content',
      'a layer class with markup': 'content',
      'no layers': 'content',
    });
  });

  it('opening a link restores its setup exactly (random setups, both datasets, hidden panels)', async (t) => {
    for (const seed of [12, 17, 20]) {
      const setup = randomSetup(seed);
      const hash = await encode(setup);
      await openLink(hash);
      assert.equal(new URL(page.url()).hash, hash, `setup ${seed} is restored exactly`);
      assert.equal(await page.locator('#dataset').inputValue(), setup.dataset);
      const layerCount = setup.model.config.layers.length;
      assert.equal(await page.evaluate(() => window.convlab.state.view && window.convlab.state.view.layers.length), layerCount);
      for (const name of PANELS) {
        const id = { builder: '#builder-panel', keras: '#keras-panel', share: '#share-panel' }[name] || `section[aria-labelledby="${name}-title"]`;
        assert.equal(await page.locator(id).isVisible(), setup.panels.includes(name), `panel ${name} of setup ${seed}`);
      }
      if (setup.panels.includes('training')) {
        assert.equal(await page.locator('#setting-learning_rate').inputValue(), String(setup.training.learning_rate));
      }
      const guided = setup.panels.length < PANELS.length || setup.hide.length > 0;
      assert.equal(await page.locator('#notice-guided').isVisible(), guided);
      t.diagnostic(`setup ${seed}: ${setup.model.config.layers.map((l) => l.class_name).join(' → ')}, ${setup.dataset}, ${setup.training.optimizer}, panels ${setup.panels.join('+')}, hidden ${setup.hide.join(', ') || 'none'} (${hash.length} characters)`);
    }
    await screenshot(page, '31-link-restored');
  });

  it('an unusable link shows why and opens the saved setup, or the default model when none is saved', async () => {
    const broken = await encode({ ...randomSetup(5), model: { class_name: 'Sequential', config: { name: 'sequential', layers: [
      { class_name: 'Conv2D', config: { filters: 8, kernel_size: [40, 40], strides: [1, 1], padding: 'valid', activation: 'relu', batch_input_shape: [null, 28, 28, 1] } },
      { class_name: 'Flatten', config: {} }, { class_name: 'Dense', config: { units: 10, activation: 'softmax' } }] } } });
    // Nothing saved for the first link: the default model; then the default setup it saved.
    await page.evaluate(() => window.convlab.savedWork.clear());
    const links = [
      ['#v1=eyJkYXRhc2V0IjoibW5pc3Qi', /could not be used \(it is damaged or cut short\); the default model is shown instead/],
      ['#v9=e30', /made by another version of convlab.*; your saved setup is shown instead/],
      [broken, /its model cannot be built: Layer 1 'conv2d' \(Conv2D\): kernel_size.*; your saved setup is shown instead/],
    ];
    for (const [hash, message] of links) {
      await openLink(hash);
      assert.match(await page.locator('#notice-link').textContent(), message);
      assert.equal(await total(), '41,866 (163.54 KB)', 'the Lesson CNN');
      assert.notEqual(new URL(page.url()).hash, hash, 'the address now holds the default setup');
    }
    await screenshot(page, '32-link-refused');
  });

  it('teacher mode: the link hides the chosen panels and controls', async () => {
    await openLink(await encode({ ...randomSetup(3), panels: PANELS, hide: [] }));
    await page.click('#teacher-mode summary');
    await page.uncheck('#panels-maps');
    await page.check('#hide-presets');
    await page.check('#hide-setting-learning_rate');
    await page.waitForFunction(() => document.getElementById('share-link').value.length > 0 && window.convlab.state.saves.setup > 1);
    await screenshot(page, '33-teacher-mode');
    const link = await page.locator('#share-link').inputValue();
    const student = await openPage(browser, link, errors);
    await student.waitForFunction(() => window.convlab.state.restored && window.convlab.state.view);
    assert.equal(await student.locator('section[aria-labelledby="maps-title"]').isVisible(), false);
    assert.equal(await student.locator('#builder .preset-row').isVisible(), false);
    assert.equal(await student.locator('.field[data-setting="learning_rate"]').isVisible(), false);
    assert.equal(await student.locator('.field[data-setting="batch_size"]').isVisible(), true);
    assert.match(await student.locator('#notice-guided').textContent(), /Guided exercise/);
    await screenshot(student, '34-student-view');
    await student.context().close();
  });
});

describe('Keras code panel', () => {
  it('exports the model in both styles, copies and downloads it', async () => {
    await openLink(await encode(defaults));
    await page.waitForFunction(() => document.getElementById('keras-code').textContent.includes('tf.keras.Model(inputs=input_Layer'));
    const functional = await page.locator('#keras-code').textContent();
    assert.match(functional, /x = tf\.keras\.layers\.Conv2D\(32, \(3, 3\), strides=1, activation='relu', padding='same'\)\(input_Layer\)/);
    assert.match(functional, /tf\.keras\.datasets\.mnist\.load_data\(\)/);
    await page.check('#keras-style-sequential');
    await page.waitForFunction(() => document.getElementById('keras-code').textContent.includes('model.add('));
    assert.match(await page.locator('#keras-code').textContent(), /model = tf\.keras\.Sequential\(\)/);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    await page.click('#keras-copy');
    await page.locator('#keras-copy-note', { hasText: 'Copied.' }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), await page.locator('#keras-code').textContent());
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#keras-download')]);
    assert.equal(download.suggestedFilename(), 'convlab_model.py');
    assert.equal(await readFile(await download.path(), 'utf8'), await page.locator('#keras-code').textContent());
  });

  it('pasted code goes into the builder; what the parser does not understand is pointed at', async () => {
    await page.fill('#keras-source', `# the lesson's MLP, pasted
from tensorflow.keras import layers
model = tf.keras.Sequential()
model.add(layers.Flatten(input_shape=(28, 28, 1)))
model.add(layers.Dense(128, activation='relu'))
model.add(layers.Dropout(0.2))
model.add(layers.Dense(10, activation='softmax'))
model.compile(loss='categorical_crossentropy', optimizer='adam')`);
    await page.click('#keras-import-button');
    await page.locator('#keras-import-result', { hasText: 'Loaded 4 layers into the builder.' }).waitFor();
    await page.waitForFunction(() => document.querySelector('#summary [data-total="Total params"]')?.textContent.startsWith('101,770'));
    assert.equal(await page.locator('#layer-3-rate').inputValue(), '0.2');

    await page.fill('#keras-source', `model = Sequential()
model.add(Conv2D(32, (3, 3), activation='relu', input_shape=(28, 28, 1)))
model.add(Conv2D(64, (3, 3), activation=relu_of(2)))`);
    await page.click('#keras-import-button');
    const error = page.locator('#keras-import-error');
    await error.waitFor();
    assert.match(await error.textContent(), /^Line 3, column \d+: /);
    const column = Number((await error.textContent()).match(/column (\d+)/)[1]);
    const context = await page.locator('#keras-import-result pre').textContent();
    assert.equal(context.split('\n')[1].indexOf('^') + 1, column, 'the caret is under the column');
    const selection = await page.$eval('#keras-source', (area, at) => [area.selectionStart, area.value.split('\n').slice(0, 2).join('\n').length + at], column);
    assert.equal(selection[0], selection[1], 'the cursor is put at the error');
    assert.equal(await page.locator('.layer-card[data-layer]').count(), 4, 'the builder keeps its model');
    await screenshot(page, '35-keras-import-error');

    await page.fill('#keras-source', "model = Sequential([Dense(10, activation='softmax', input_shape=(784,))])");
    await page.click('#keras-import-button');
    await page.locator('#keras-import-result', { hasText: 'This page trains on 28×28×1 images, but the model expects (None, 784)' }).waitFor();
    assert.equal(await page.locator('.layer-card[data-layer]').count(), 4);
  });
});

describe('saved work, Fashion-MNIST and the Korean UI', () => {
  it('Fashion-MNIST is downloaded only when chosen, with class names', async () => {
    server.releaseHeld();
    await openLink(await encode(defaults));
    await page.waitForFunction(() => window.convlab.state.mnist);
    requests.length = 0;
    await page.selectOption('#dataset', 'fashion-mnist');
    await page.waitForFunction(() => window.convlab.state.mnist && document.getElementById('data-progress-text').textContent.startsWith('Fashion'), null, { timeout: 60000 });
    assert.equal(await page.locator('#data-progress-text').textContent(), 'Fashion-MNIST: 60,000 training and 10,000 test images');
    const fetched = requests.filter((url) => url.includes('/www/data/')).map((url) => url.split('/www/data/')[1]).sort();
    assert.deepEqual(fetched, ['fashion-mnist/t10k-images-idx3-ubyte.gz', 'fashion-mnist/t10k-labels-idx1-ubyte.gz',
      'fashion-mnist/train-images-idx3-ubyte.gz', 'fashion-mnist/train-labels-idx1-ubyte.gz']);
    await page.locator('#prediction-verdict', { hasText: 'True label: Ankle boot' }).waitFor();
    assert.equal(await page.locator('.bars .bar[data-digit="0"] .digit').textContent(), 'T-shirt/top');
    await page.waitForFunction(() => document.getElementById('keras-code').textContent.includes('tf.keras.datasets.fashion_mnist.load_data()'));
  });

  it('reload keeps the setup, the run list and the trained weights', async (t) => {
    await page.fill('#setting-train_size', '960');
    await page.fill('#setting-batch_size', '64');
    await page.locator('#train:not([disabled])').waitFor();
    await page.click('#train');
    await page.waitForFunction(() => window.convlab.state.saves.model > 0 && window.convlab.state.runs.length === 1, null, { timeout: 120000 });
    const before = await page.evaluate(async () => ({
      probabilities: Array.from((await window.convlab.client.inspect(3)).probabilities),
      batches: window.convlab.state.curves.batches.length,
      test: document.getElementById('test-accuracy').textContent,
      hash: location.hash,
    }));
    t.diagnostic(`before reload: ${before.batches} batches on the curves; ${before.test}`);
    for (const how of ['reload (link in the address)', 'the plain address (saved setup)']) {
      if (how.startsWith('reload')) await page.reload();
      else await page.goto(server.url);
      await page.waitForFunction(() => window.convlab.state.restored && window.convlab.state.builtKey && window.convlab.state.mnist, null, { timeout: 60000 });
      const after = await page.evaluate(async () => ({
        probabilities: Array.from((await window.convlab.client.inspect(3)).probabilities),
        batches: window.convlab.state.curves.batches.length,
        test: document.getElementById('test-accuracy').textContent,
        hash: location.hash,
        runs: window.convlab.state.runs.length,
      }));
      assert.deepEqual(after, { ...before, runs: 1 }, how);
      assert.match(await page.locator('#storage-message').textContent(), /Restored the saved setup, 1 run\(s\) and the last trained model/);
      assert.equal(await page.locator('#dataset').inputValue(), 'fashion-mnist');
      assert.equal(await page.locator('#setting-batch_size').inputValue(), '64');
    }
    await screenshot(page, '36-restored-after-reload');
  });

  it('Korean mode leaves no English in the main panels, and the choice is remembered', async () => {
    await page.click('#language');
    await page.reload();
    await page.waitForFunction(() => window.convlab.state.restored && window.convlab.state.mnist && window.convlab.state.test);
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'ko', 'remembered across a reload');
    await page.click('#teacher-mode summary');
    const english = await page.evaluate(() => {
      // Names and notation that stay as they are in Korean: datasets, Keras's identifiers and
      // arguments, file names, and the layer names Keras gives.
      const allowed = new Set(['convlab', 'MNIST', 'Fashion', 'Keras', 'TensorFlow', 'js', 'Layers', 'json', 'bin', 'py',
        'Conv2D', 'MaxPooling2D', 'AveragePooling2D', 'GlobalAveragePooling2D', 'Flatten', 'Dense', 'Dropout',
        'BatchNormalization', 'Activation', 'Input', 'Model', 'Sequential', 'Functional', 'add', 'compile', 'fit', 'import',
        'relu', 'sigmoid', 'tanh', 'softmax', 'linear', 'valid', 'same', 'None', 'SGD', 'RMSprop', 'Adagrad', 'Adam',
        'L1', 'L2', 'val_loss', 'loss', 'conv2d', 'conv2d_1', 'max_pooling2d', 'max_pooling2d_1', 'flatten', 'dense',
        'sequential', 'model', 'CNN', 'MLP', 'B', 'KB', 'MB']);
      const words = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const parent = node.parentElement;
        // The language toggle names the other language in that language (lang="en").
        if (parent.closest('pre, code, textarea, script, style, option, [lang="en"]') || !parent.checkVisibility()) continue;
        const text = node.textContent.replace(/\b[\w-]+\.(json|bin|py)\b/g, '');
        for (const word of text.match(/[A-Za-z][A-Za-z0-9_]*/g) || []) {
          if (!allowed.has(word) && !/^[A-Za-z]$/.test(word)) words.push(`${word} (in “${node.textContent.trim().slice(0, 60)}”)`);
        }
      }
      for (const input of document.querySelectorAll('button, input[type="button"]')) {
        if (input.checkVisibility() && /[A-Za-z]{3,}/.test(input.value || '') && !input.closest('pre')) words.push(input.value);
      }
      return words;
    });
    assert.deepEqual(english, []);
    assert.match(await page.locator('.bars .bar[data-digit="9"] .digit').textContent(), /앵클부츠/);
    await screenshot(page, '37-korean');
    await page.click('#language');
  });

  it('Clear saved work forgets it: the plain address opens the default setup', async () => {
    await page.click('#clear-saved');
    await page.locator('#storage-message', { hasText: 'Saved work cleared' }).waitFor();
    await page.goto('about:blank');
    await page.goto(server.url);
    await page.waitForFunction(() => window.convlab.state.restored && window.convlab.state.view);
    assert.equal(await total(), '41,866 (163.54 KB)');
    assert.equal(await page.locator('#dataset').inputValue(), 'mnist');
    assert.equal(await page.locator('#setting-batch_size').inputValue(), '32');
    assert.equal(await page.evaluate(() => window.convlab.state.runs.length), 0);
  });

  it('storage refused by the browser is reported and nothing else breaks', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    await context.addInitScript(() => {
      IDBFactory.prototype.open = () => {
        throw new DOMException('The user denied permission to access the database.', 'SecurityError');
      };
    });
    const denied = await context.newPage();
    const pageErrors = [];
    denied.on('pageerror', (error) => pageErrors.push(error.message));
    await denied.goto(server.url);
    await denied.locator('#storage-message', { hasText: 'Saving is off' }).waitFor({ timeout: 30000 });
    await denied.waitForFunction(() => window.convlab.state.view && window.convlab.state.mnist, null, { timeout: 60000 });
    assert.equal(await denied.locator('#summary [data-total="Total params"]').textContent(), '41,866 (163.54 KB)');
    assert.ok(await denied.locator('#train').isEnabled());
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  it('no page errors and no console errors', () => {
    assert.deepEqual(errors, []);
  });
});
