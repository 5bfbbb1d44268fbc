// Where the engine and its data come from in the served playground: the files beside the page
// (module workers, pkg/convlab_bg.wasm, the idx.gz files in www/data/<dataset>/), fetched over
// HTTP. The single-file playground (`cargo xtask bundle`) puts www/bundle/engine-files.js, with
// the same exports over the bytes it embeds, in place of this module.
//
// The page calls `startEngineWorker`; the engine worker calls the rest (a helper only
// `engineWasm`).

/** The four files of a dataset in the order `Playground.loadMnist` takes them. */
const DATASET_FILES = [
  'train-images-idx3-ubyte.gz',
  'train-labels-idx1-ubyte.gz',
  't10k-images-idx3-ubyte.gz',
  't10k-labels-idx1-ubyte.gz',
];

/** Page side: the engine's Web Worker (worker.js), told to load `dataset` first; `testHooks`
 * gives it the crash test's hook (pages opened with `?test-hooks`). */
export function startEngineWorker(dataset, testHooks = false) {
  const url = new URL('./worker.js', import.meta.url);
  url.searchParams.set('dataset', dataset);
  if (testHooks) url.searchParams.set('test-hooks', '1');
  return new Worker(url, { type: 'module' });
}

/** Engine worker side: the dataset the page asked for in `startEngineWorker` (null when none). */
export function requestedDataset() {
  return new URL(self.location.href).searchParams.get('dataset');
}

/** Engine worker side: whether the page asked for the crash test's hook. */
export function testHooksRequested() {
  return new URL(self.location.href).searchParams.has('test-hooks');
}

/** Engine worker side: a data-parallel helper (train-helper.js). */
export function startHelperWorker() {
  return new Worker(new URL('./train-helper.js', import.meta.url), { type: 'module' });
}

/** What the wasm-bindgen `init` takes to load the engine: the URL of pkg/convlab_bg.wasm. */
export function engineWasm() {
  return new URL('../pkg/convlab_bg.wasm', import.meta.url);
}

/** Downloads the four files of `dataset` (until `signal` aborts), calling
 * `onProgress(loaded, total)` as bytes arrive; resolves with their bodies (gzipped idx) as
 * Uint8Arrays. */
export async function datasetFiles(dataset, signal, onProgress) {
  const base = new URL(`./data/${dataset}/`, import.meta.url);
  const urls = DATASET_FILES.map((name) => new URL(name, base).href);
  const responses = await Promise.all(urls.map((url) => fetch(url, { signal })));
  for (const [i, response] of responses.entries()) {
    if (!response.ok) throw new Error(`${urls[i]}: HTTP ${response.status}`);
  }
  const totals = responses.map((r) => Number(r.headers.get('Content-Length')) || 0);
  const total = totals.reduce((a, b) => a + b, 0);
  const loaded = urls.map(() => 0);
  return Promise.all(responses.map(async (response, i) => {
    const reader = response.body.getReader();
    const chunks = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      loaded[i] += value.length;
      onProgress(loaded.reduce((a, b) => a + b, 0), total);
    }
    const bytes = new Uint8Array(loaded[i]);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.length;
    }
    return bytes;
  }));
}
