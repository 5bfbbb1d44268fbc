// Untrusted text never becomes HTML, in headless Chromium: markup and script payloads go in
// through every way text from outside reaches the page — the link (`#v1=`: layer and model names,
// the dataset, setting names, teacher options, a damaged link), an opened model.json (model,
// layer and weight names, the file name), pasted Keras code (layer names, a line the parser
// quotes back), the saved work in IndexedDB (setup and run list) — and nothing runs: no
// `window.__xss`, no dialog, no element with an event-handler attribute, no `<img src=x>`. The
// page's Content-Security-Policy is checked to be there and to block inline script, inline
// handlers and eval, and every CSP violation seen while probing is reported (there must be none).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { startServer, launchBrowser, openPage, ROOT } from './helpers.mjs';

let server;
let browser;
let page;
const errors = [];
const dialogs = [];

/** What an attacker would type; each sets `window.__xss` if it ever runs. */
const PAYLOADS = [
  '<img src=x onerror="window.__xss=1">',
  '"><svg onload="window.__xss=2">',
  'javascript:window.__xss=3',
  '</textarea><script>window.__xss=4</script>',
  '\'><iframe srcdoc="<script>parent.__xss=5</script>"></iframe>',
];

/** The policy index.html must carry. */
const CSP = "default-src 'self'; script-src 'self'; worker-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'";

/** Fails when anything from a probe ran or became markup; `where` names the probe. */
async function assertNothingRan(where) {
  const found = await page.evaluate(() => {
    const handlers = [];
    for (const node of document.querySelectorAll('*')) {
      for (const attribute of node.attributes) {
        if (/^on/i.test(attribute.name)) handlers.push(`${node.tagName} ${attribute.name}`);
      }
    }
    return {
      xss: window.__xss,
      handlers,
      images: document.querySelectorAll('img[src="x"], iframe, script:not([src]), svg[onload]').length,
      violations: window.cspViolations,
    };
  });
  assert.equal(found.xss, undefined, `${where}: a payload ran`);
  assert.deepEqual(found.handlers, [], `${where}: no element has an event-handler attribute`);
  assert.equal(found.images, 0, `${where}: no payload element exists`);
  assert.deepEqual(found.violations, [], `${where}: CSP violations`);
  assert.deepEqual(dialogs, [], `${where}: no dialog opened`);
}

/** Opens the page at `hash` as a fresh load and waits until it has restored its setup. */
async function openAt(hash = '') {
  await page.goto('about:blank');
  await page.goto(`${server.url}${hash}`);
  await page.waitForFunction(() => window.convlab && window.convlab.state.restored && !window.convlab.state.checking, null, { timeout: 60000 });
}

/** The `#v1=` hash of `setup` (share-link.js's own encoder, without its canonical form, so
 * unexpected keys survive). */
function hashOf(setup) {
  const bytes = new TextEncoder().encode(JSON.stringify(setup));
  return `#v1=${Buffer.from(bytes).toString('base64url')}`;
}

/** A Lesson MLP setup whose model and layer names are `payload`. */
function namedSetup(payload) {
  return {
    dataset: 'mnist',
    model: { class_name: 'Sequential', config: { name: payload, layers: [
      { class_name: 'Flatten', config: { name: payload, batch_input_shape: [null, 28, 28, 1] } },
      { class_name: 'Dense', config: { name: `${payload}2`, units: 10, activation: 'softmax' } },
    ] } },
    training: { epochs: 1 },
  };
}

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  page = await openPage(browser, server.url, errors);
  await page.context().addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (event) => {
      window.cspViolations.push({ directive: event.violatedDirective, blocked: event.blockedURI, sample: event.sample });
    });
  });
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    dialog.dismiss();
  });
  await openAt();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

describe('untrusted text never becomes HTML', () => {
  it('index.html and the bench page carry the Content-Security-Policy', async () => {
    assert.equal(await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content'), CSP);
    const bench = await page.context().newPage();
    await bench.goto(`${server.url}www/bench/`);
    assert.equal(await bench.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content'), CSP);
    assert.equal(await bench.evaluate(() => getComputedStyle(document.body).maxWidth), '832px', 'the bench page\'s own stylesheet applies');
    await bench.close();
    for (const file of ['index.html', 'www/bench/index.html']) {
      const html = await readFile(path.join(ROOT, file), 'utf8');
      assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=|javascript:/i, `${file} has no inline script, style or handler`);
    }
  });

  it('the policy blocks an inline script, an inline handler and eval (and reports them)', async () => {
    const errorsBefore = errors.length;
    await page.addScriptTag({ url: '/tests/e2e/fixtures/csp-eval-probe.js' });
    const outcome = await page.evaluate(async () => {
      const script = document.createElement('script');
      script.textContent = 'window.__cspProbe = "inline script"';
      document.body.append(script);
      const image = document.createElement('img');
      image.setAttribute('onerror', 'window.__cspProbe = "inline handler"');
      image.src = 'data:,not-an-image';
      document.body.append(image);
      await new Promise((resolve) => setTimeout(resolve, 300));
      script.remove();
      image.remove();
      const violations = window.cspViolations.splice(0);
      return { probe: window.__cspProbe, evalOutcome: window.cspEvalProbe, directives: violations.map((v) => v.directive).sort() };
    });
    assert.equal(outcome.probe, undefined);
    assert.equal(outcome.evalOutcome, 'EvalError');
    assert.deepEqual(outcome.directives, ['script-src', 'script-src-attr', 'script-src-elem']);
    // The browser logs the blocked script and handler as console errors (the refused eval is an
    // EvalError and a violation event): expected here, and taken out of the page's errors.
    const logged = errors.splice(errorsBefore);
    assert.ok(logged.length >= 2, logged.join('\n'));
    assert.ok(logged.every((line) => /Content Security Policy/.test(line)), logged.join('\n'));
  });

  it('the link: names, dataset, setting names and values, teacher options, unknown keys, damaged links', async () => {
    // A link is refused at its first bad field, so each payload gets the names (accepted), one
    // of the refused fields in turn, an unknown key (which the notice names, as text) and a
    // damaged link.
    const refused = [
      ['dataset', (payload) => ({ ...namedSetup('x'), dataset: payload })],
      ['setting name', (payload) => ({ ...namedSetup('x'), training: { [payload]: 1 } })],
      ['setting value', (payload) => ({ ...namedSetup('x'), training: { optimizer: payload } })],
      ['teacher options', (payload) => ({ ...namedSetup('x'), panels: [payload], hide: [payload] })],
    ];
    for (const [i, payload] of PAYLOADS.entries()) {
      const [field, setup] = refused[i % refused.length];
      for (const [name, hash] of [['model and layer names', hashOf(namedSetup(payload))], [field, hashOf(setup(payload))],
        ['unknown key', hashOf({ ...namedSetup('x'), [payload]: 1 })], ['damaged', `#v1=${encodeURIComponent(payload)}`]]) {
        await openAt(hash);
        await assertNothingRan(`link: ${name}: ${payload}`);
        if (name === 'unknown key') assert.ok((await page.locator('#notice-link').textContent()).includes(payload), 'the notice shows the key as text');
      }
    }
    assert.match(await page.locator('#notice-link').textContent(), /This link could not be used \(it is damaged or cut short\)/);
  });

  it('an opened model.json: model, layer and weight names and the file name', async () => {
    await openAt();
    // The Lesson MLP: each model opened is tested on the test set, which is quick for an MLP.
    await page.getByRole('button', { name: 'Lesson MLP' }).click();
    await page.waitForFunction(() => window.convlab.state.mnist && window.convlab.state.builtKey
      && JSON.parse(window.convlab.state.builtKey).spec.config.layers[0].class_name === 'Flatten', null, { timeout: 60000 });
    // The weights come over as base64: an array of 2.7 million numbers takes seconds to copy.
    const saved = await page.evaluate(async () => {
      const { modelJson, weights } = await window.convlab.client.saveModel();
      let binary = '';
      for (let i = 0; i < weights.length; i += 0x8000) binary += String.fromCharCode(...weights.subarray(i, i + 0x8000));
      return { modelJson, weights: btoa(binary) };
    });
    for (const payload of PAYLOADS) {
      const model = JSON.parse(saved.modelJson);
      model.modelTopology.config.name = payload;
      const renamed = new Map();
      model.modelTopology.config.layers.forEach((layer, i) => {
        renamed.set(layer.config.name, `${payload}${i}`);
        layer.config.name = `${payload}${i}`;
      });
      for (const weight of model.weightsManifest[0].weights) {
        const [layer, ...rest] = weight.name.split('/');
        weight.name = [renamed.get(layer), ...rest].join('/');
      }
      const file = (name, text) => ({ name, mimeType: 'application/json', buffer: Buffer.from(text) });
      // A well-formed file with hostile names, a damaged one, and one whose weights file is missing.
      const attempts = [
        [file('model.json', JSON.stringify(model)), { name: 'weights.bin', mimeType: 'application/octet-stream', buffer: Buffer.from(saved.weights, 'base64') }],
        [file(`${payload}.json`, `{"modelTopology": ${JSON.stringify(payload)}`)],
        [file('model.json', JSON.stringify({ ...model, weightsManifest: [{ paths: [`${payload}.bin`, `${payload}2.bin`], weights: [] }] }))],
      ];
      for (const [i, files] of attempts.entries()) {
        const previous = await page.locator('#files-message').textContent();
        await page.setInputFiles('#model-open', files);
        await page.waitForFunction((last) => {
          const text = document.getElementById('files-message').textContent;
          return text !== last && !text.startsWith('Opening');
        }, previous, { timeout: 60000 });
        const message = await page.locator('#files-message').textContent();
        if (i === 0) assert.match(message, /^Opened/, message);
        else assert.ok(message.includes(`${payload}.${i === 1 ? 'json' : 'bin'}`.split('/').pop()), `the name is shown as text: ${message}`);
        await assertNothingRan(`model file ${payload}`);
      }
    }
  });

  it('pasted Keras code: layer names, and a line the parser quotes back', async () => {
    for (const payload of PAYLOADS) {
      const quoted = JSON.stringify(payload);
      const sources = [
        `model = keras.Sequential([\n  layers.Flatten(input_shape=(28, 28, 1), name=${quoted}),\n  layers.Dense(10, activation="softmax", name=${quoted}),\n])`,
        `model = keras.Sequential([\n  layers.Dense(10, activation=${quoted}),\n])`,
        `model.add(${payload})`,
        payload,
      ];
      for (const source of sources) {
        await page.fill('#keras-source', source);
        await page.click('#keras-import-button');
        await page.waitForFunction(() => document.getElementById('keras-import-result').textContent !== '');
        await assertNothingRan(`Keras code ${source}`);
      }
    }
    // A refused line is shown back as text, markup and all.
    await page.fill('#keras-source', `model.add(${PAYLOADS[0]})`);
    await page.click('#keras-import-button');
    await page.waitForFunction((text) => document.getElementById('keras-import-result').textContent.includes(text), PAYLOADS[0]);
  });

  it('the saved work in IndexedDB: setup and run list', async () => {
    // The saved setup's names carry one payload per load; the run list carries them all.
    for (const payload of PAYLOADS.slice(0, 2)) {
      await page.evaluate(async ([named, payloads]) => {
        const { SAVED } = await import('/www/storage.js');
        const { savedWork } = window.convlab;
        await savedWork.put(SAVED.setup, JSON.parse(named));
        await savedWork.put(SAVED.runs, payloads.map((text) => ({ finished: text, dataset: text, reason: text,
          test: { accuracy: text, loss: text }, setup: JSON.parse(named), curves: { batches: [], epochs: [], best: null, end: 0 } })));
      }, [JSON.stringify(namedSetup(payload)), PAYLOADS]);
      await openAt();
      await assertNothingRan(`saved work: ${payload}`);
      await page.evaluate(async () => window.convlab.savedWork.clear());
    }
  });

  it('no page errors', () => {
    assert.deepEqual(errors, []);
  });
});
