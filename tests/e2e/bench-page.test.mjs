// The bench page's `workers` group (www/bench/workers.js), which `cargo xtask bench` runs but CI
// does not: trained briefly (`?smoke`) through the playground's own engine worker with one, then
// two workers, it reports two positive rates and no error. A check that it runs, not a figure.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, openPage } from './helpers.mjs';

let server;
let browser;
let page;
const errors = [];

describe('the bench page', () => {
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    page = await openPage(browser, `${server.url}www/bench/?only=workers&smoke`, errors);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('trains the lesson CNN on the page with one and two workers and reports both rates', async () => {
    await page.locator('#status', { hasText: 'Done.' }).waitFor({ timeout: 120000 });
    const rows = await page.$$eval('#results tr', (trs) => trs.map((tr) => [...tr.cells].map((cell) => cell.textContent)));
    assert.deepEqual(rows.map(([label]) => label), ['seed-cnn train-page, batch 128', 'seed-cnn train, batch 128'], JSON.stringify(rows));
    for (const [, value] of rows) {
      const [, number] = value.match(/^(\d+) images\/s$/) ?? [];
      assert.ok(Number(number) > 0, value);
    }
  });

  it('no page errors', () => {
    assert.deepEqual(errors, []);
  });
});
