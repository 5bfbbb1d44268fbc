// Models as files, in the TensorFlow.js Layers format: `model.json` (the Keras topology and a
// weights manifest) and the weights file(s) it names. The page downloads them as the engine
// writes them, and opens them from a file picker or a drop; the engine checks and loads them.

/** Why files could not be opened: an i18n key (`files.*`) and its parameters. */
export class ModelFilesError extends Error {
  constructor(key, params = {}) {
    super(key);
    this.key = key;
    this.params = params;
  }
}

/** The largest model.json read: a Keras topology takes kilobytes, so anything near this is not one. */
export const MAX_MODEL_JSON_BYTES = 10 * 1024 * 1024;

/** The most weights read (all files together): 128 MB is 32 million float32 parameters, about as
 * many as training with Adam can hold (weights, gradients and two moments: 16 bytes a parameter)
 * in the engine's 512 MB memory budget. Checked from the file sizes, before anything is read. */
export const MAX_WEIGHTS_BYTES = 128 * 1024 * 1024;

/** Bytes as megabytes with one decimal, for messages. */
function megabytes(bytes) {
  return (bytes / (1024 * 1024)).toFixed(1);
}

/** `./sub/group1-shard1of1.bin` → `group1-shard1of1.bin`. */
function baseName(path) {
  return path.split('/').pop();
}

/**
 * Reads the chosen or dropped files: exactly one `.json` and the weights files its manifest
 * names. A weights file is found by its name; when one named file is missing and exactly one
 * other file was given (a download renamed `model (1).bin`), that file is taken.
 * Resolves with `{name, modelJson, topology, shards}`, `shards` mapping each manifest path to its
 * bytes; rejects with a ModelFilesError.
 */
export async function readModelFiles(fileList) {
  const files = [...fileList];
  const jsons = files.filter((file) => file.name.toLowerCase().endsWith('.json'));
  if (jsons.length !== 1) throw new ModelFilesError(jsons.length ? 'files.two_json' : 'files.no_json');
  const [jsonFile] = jsons;
  if (jsonFile.size > MAX_MODEL_JSON_BYTES) {
    throw new ModelFilesError('files.json_too_big', { name: jsonFile.name, size: megabytes(jsonFile.size), limit: megabytes(MAX_MODEL_JSON_BYTES) });
  }
  const modelJson = await jsonFile.text();
  let parsed;
  try {
    parsed = JSON.parse(modelJson);
  } catch (error) {
    throw new ModelFilesError('files.bad_json', { name: jsonFile.name, message: error.message });
  }
  if (typeof parsed !== 'object' || parsed === null || typeof parsed.modelTopology !== 'object' || parsed.modelTopology === null) {
    throw new ModelFilesError('files.not_layers_model', { name: jsonFile.name });
  }
  const groups = Array.isArray(parsed.weightsManifest) ? parsed.weightsManifest : [];
  const paths = groups.flatMap((group) => (Array.isArray(group && group.paths) ? group.paths : []))
    .filter((path) => typeof path === 'string');
  const others = files.filter((file) => file !== jsonFile);
  const chosen = new Map();
  for (const path of paths) {
    const file = others.find((f) => f.name === baseName(path));
    if (file) chosen.set(path, file);
  }
  const missing = paths.filter((path) => !chosen.has(path));
  const unused = others.filter((file) => ![...chosen.values()].includes(file));
  if (missing.length === 1 && unused.length === 1) {
    chosen.set(missing.pop(), unused[0]);
  }
  if (missing.length > 0) throw new ModelFilesError('files.missing_weights', { names: missing.map(baseName).join(', ') });
  const weightsBytes = [...chosen.values()].reduce((sum, file) => sum + file.size, 0);
  if (weightsBytes > MAX_WEIGHTS_BYTES) {
    throw new ModelFilesError('files.weights_too_big', { size: megabytes(weightsBytes), limit: megabytes(MAX_WEIGHTS_BYTES), params: MAX_WEIGHTS_BYTES / 4 / 2 ** 20 });
  }
  const shards = {};
  for (const [path, file] of chosen) shards[path] = new Uint8Array(await file.arrayBuffer());
  return { name: jsonFile.name, modelJson, topology: parsed.modelTopology, shards };
}

/** Offers `bytes` (a string or Uint8Array) to the browser as a download called `name`. */
export function downloadFile(name, bytes, type) {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** Downloads a model as the engine wrote it: `model.json` and the weights file its manifest
 * names (one, for a model convlab saved). */
export function downloadModel({ modelJson, weights }) {
  const path = JSON.parse(modelJson).weightsManifest[0].paths[0];
  downloadFile('model.json', modelJson, 'application/json');
  downloadFile(baseName(path), weights, 'application/octet-stream');
  return baseName(path);
}

/** Calls `onFiles(files)` when files are dropped anywhere on the page; `onDragging(bool)` says
 * when a drag with files is over the page. */
export function acceptDroppedFiles(onFiles, onDragging) {
  let depth = 0;
  const hasFiles = (event) => event.dataTransfer && [...event.dataTransfer.types].includes('Files');
  document.addEventListener('dragenter', (event) => {
    if (!hasFiles(event)) return;
    depth += 1;
    onDragging(true);
  });
  document.addEventListener('dragleave', (event) => {
    if (!hasFiles(event)) return;
    depth = Math.max(0, depth - 1);
    if (depth === 0) onDragging(false);
  });
  document.addEventListener('dragover', (event) => {
    if (hasFiles(event)) event.preventDefault();
  });
  document.addEventListener('drop', (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    depth = 0;
    onDragging(false);
    onFiles(event.dataTransfer.files);
  });
}
