// Where the engine and its data come from in the single-file playground (`cargo xtask bundle`
// puts this module in place of www/engine-files.js, whose exports it has): everything is inside
// dist/convlab.html, because a page opened from a file may not load module scripts, fetch files
// or start a worker from a file. The page keeps, in non-running <script> elements, the
// wasm-bindgen `no-modules` glue, the linked worker and helper programs, the gzipped wasm and the
// MNIST subset (base64). The engine worker starts from a Blob of the glue, those files and its
// program; it makes its helpers' Blobs itself (a worker may not start a Blob URL the page made).

/** The page's elements holding the files, by what they hold (see xtask/src/bundle/page.rs). */
const ELEMENTS = {
  glue: 'convlab-glue',
  worker: 'convlab-worker',
  helper: 'convlab-helper',
  wasm: 'convlab-wasm',
  mnist: ['convlab-mnist-train-images', 'convlab-mnist-train-labels', 'convlab-mnist-test-images', 'convlab-mnist-test-labels'],
};

/** The text of the page's element `id`. */
function elementText(id) {
  return document.getElementById(id).textContent;
}

/** A Blob URL running the classic script made of `parts`, with `files` as `self.convlabFiles`. */
function scriptUrl(files, parts) {
  const source = [`self.convlabFiles = ${JSON.stringify(files)};\n`, ...parts];
  return URL.createObjectURL(new Blob(source, { type: 'text/javascript' }));
}

/** Page side: the engine's Web Worker, with the engine, the data and the helper's program;
 * `testHooks` gives it the crash test's hook. */
export function startEngineWorker(dataset, testHooks = false) {
  const glue = elementText(ELEMENTS.glue);
  const files = {
    dataset,
    testHooks,
    wasm: elementText(ELEMENTS.wasm),
    mnist: ELEMENTS.mnist.map(elementText),
    helper: `${glue}\n${elementText(ELEMENTS.helper)}`,
  };
  return new Worker(scriptUrl(files, [glue, '\n', elementText(ELEMENTS.worker)]));
}

/** Engine worker side: the dataset the page asked for in `startEngineWorker`. */
export function requestedDataset() {
  return self.convlabFiles.dataset;
}

/** Engine worker side: whether the page asked for the crash test's hook. */
export function testHooksRequested() {
  return self.convlabFiles.testHooks;
}

/** The helpers' Blob URL, made by the first helper. */
let helperUrl = null;

/** Engine worker side: a data-parallel helper, given the engine but no data (the lead sends it). */
export function startHelperWorker() {
  if (!helperUrl) helperUrl = scriptUrl({ wasm: self.convlabFiles.wasm }, [self.convlabFiles.helper]);
  return new Worker(helperUrl);
}

/** The bytes of a base64 text. */
function fromBase64(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** What the wasm-bindgen `init` takes to load the engine: a promise of the wasm's bytes,
 * gunzipped from the page. */
export function engineWasm() {
  const gzipped = new Blob([fromBase64(self.convlabFiles.wasm)]);
  return new Response(gzipped.stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer();
}

/** The four files of `dataset` (gzipped idx) from the page, reported as loaded at once (there is
 * nothing to cancel: `signal` is unused); only MNIST is in the file. */
export async function datasetFiles(dataset, signal, onProgress) {
  if (dataset !== 'mnist') {
    throw new Error(`${dataset} is not in this single-file playground; open the served playground to download it`);
  }
  const files = self.convlabFiles.mnist.map(fromBase64);
  const total = files.reduce((sum, file) => sum + file.length, 0);
  onProgress(total, total);
  return files;
}
