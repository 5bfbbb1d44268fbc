// Links for the class: the whole setup (the builder's model, the training settings with the seed,
// the dataset, which panels are shown and which controls a teacher hides) in the URL hash as
// `#v1=` + base64url(JSON), as tensorflow/playground keeps its state in the hash.
//
// A link is data from outside: it is decoded, parsed as JSON and checked field by field here;
// the engine then checks the model as it checks any edit. Nothing from a link is ever inserted as
// HTML, and hiding uses only the selectors of the tables below, never text from the link.

import { isDataset, DEFAULT_DATASET } from './datasets.js';
import { SHARED_SETTINGS, invalidSetting } from './training-panel.js';

/** The version written in front of the data: a later format gets a new prefix. */
export const LINK_PREFIX = 'v1=';

/** Links longer than this are refused before decoding (a real setup is under 2,000). */
const MAX_HASH_LENGTH = 20000;

/** Layers a link may have (the builder has no limit, a link needs one). */
const MAX_LAYERS = 64;

/** The panels a link can show or hide: name → the CSS selector of the panel. */
export const PANELS = {
  builder: '#builder-panel',
  keras: '#keras-panel',
  summary: 'section[aria-labelledby="summary-title"]',
  training: 'section[aria-labelledby="training-title"]',
  curves: 'section[aria-labelledby="curves-title"]',
  prediction: 'section[aria-labelledby="prediction-title"]',
  share: '#share-panel',
  maps: 'section[aria-labelledby="maps-title"]',
};

/** The controls a teacher's link can hide: name → the CSS selector of the control. Every
 * training setting can be hidden as `setting.<key>`. */
export const HIDEABLE = {
  dataset: '#dataset-row',
  presets: '#builder .preset-row',
  'layer-tools': '#builder .layer-tools, #builder .add-row',
  'keras-import': '#keras-import',
  'model-open': '#model-open-row',
  reset: '#reset',
  ...Object.fromEntries(SHARED_SETTINGS.map((key) => [`setting.${key}`, `#training .field[data-setting="${key}"]`])),
};

/** Why a link was refused: `{reason, field}`; `reason` is `version`, `encoding` or `content`. */
export class LinkError extends Error {
  constructor(reason, field = null) {
    super(field ? `${reason}: ${field}` : reason);
    this.reason = reason;
    this.field = field;
  }
}

/** The setup in its canonical form (fixed key order; `panels` only when some are hidden, `hide`
 * only when not empty), so the same setup always gives the same link. Missing `panels` and `hide`
 * mean all shown and none hidden. */
export function canonicalSetup({ dataset, model, training, panels = Object.keys(PANELS), hide = [] }) {
  const setup = { dataset, model, training };
  const shown = Object.keys(PANELS).filter((name) => panels.includes(name));
  if (shown.length < Object.keys(PANELS).length) setup.panels = shown;
  const hidden = Object.keys(HIDEABLE).filter((name) => hide.includes(name));
  if (hidden.length > 0) setup.hide = hidden;
  return setup;
}

/** `#v1=…` for `setup` (`{dataset, model, training, panels, hide}`). */
export function encodeSetup(setup) {
  const bytes = new TextEncoder().encode(JSON.stringify(canonicalSetup(setup)));
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `#${LINK_PREFIX}${btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`;
}

/**
 * The setup in a URL hash: null when the hash holds no setup (empty, or not a convlab link), the
 * setup `{dataset, model, training, panels, hide}` (`panels` then lists every panel shown),
 * or a thrown LinkError when it is damaged, tampered with or from another version.
 */
export function decodeSetup(hash) {
  const text = hash.startsWith('#') ? hash.slice(1) : hash;
  if (text === '') return null;
  const version = text.match(/^v(\d+)=/);
  if (!version) return null;
  if (text.length > MAX_HASH_LENGTH) throw new LinkError('encoding');
  if (version[0] !== LINK_PREFIX) throw new LinkError('version');
  const data = text.slice(LINK_PREFIX.length);
  if (!/^[A-Za-z0-9_-]*$/.test(data) || data.length % 4 === 1) throw new LinkError('encoding');
  let value;
  try {
    const binary = atob(data.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new LinkError('encoding');
  }
  return checkSetup(value);
}

function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Throws LinkError('content', field) unless `ok`. */
function expect(ok, field) {
  if (!ok) throw new LinkError('content', field);
}

/** Plain JSON data with safe keys only (no `__proto__`, which an assignment would turn into a
 * prototype), at most `depth` levels deep. */
function isPlainData(value, depth) {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (depth === 0) return false;
  if (Array.isArray(value)) return value.every((item) => isPlainData(item, depth - 1));
  return Object.entries(value).every(([key, item]) => /^[A-Za-z0-9_]{1,64}$/.test(key) && key !== '__proto__'
    && isPlainData(item, depth - 1));
}

/** Checks the decoded JSON of a link (or a saved setup), field by field; returns the setup with
 * `panels` and `hide` filled in, or throws a LinkError. */
export function checkSetup(value) {
  expect(isObject(value), 'setup');
  for (const key of Object.keys(value)) expect(['dataset', 'model', 'training', 'panels', 'hide'].includes(key), key);
  expect(typeof value.dataset === 'string' && isDataset(value.dataset), 'dataset');

  const { model } = value;
  expect(isObject(model) && model.class_name === 'Sequential' && isObject(model.config), 'model');
  const { layers } = model.config;
  expect(Array.isArray(layers) && layers.length >= 1 && layers.length <= MAX_LAYERS, 'model.layers');
  layers.forEach((layer, i) => {
    expect(isObject(layer) && typeof layer.class_name === 'string' && /^[A-Za-z0-9]{1,40}$/.test(layer.class_name)
      && isObject(layer.config) && isPlainData(layer.config, 4), `model.layers[${i}]`);
  });
  expect(isPlainData(model, 8), 'model');

  const { training } = value;
  expect(isObject(training), 'training');
  for (const key of SHARED_SETTINGS) expect(key in training, `training.${key}`);
  const bad = invalidSetting(training);
  expect(bad === null, `training.${bad}`);

  const names = (list, table, field) => {
    expect(Array.isArray(list) && list.every((name) => typeof name === 'string' && Object.hasOwn(table, name))
      && new Set(list).size === list.length, field);
    return list;
  };
  const panels = 'panels' in value ? names(value.panels, PANELS, 'panels') : Object.keys(PANELS);
  const hide = 'hide' in value ? names(value.hide, HIDEABLE, 'hide') : [];
  return { dataset: value.dataset, model, training, panels, hide };
}

/** The setup of a fresh page: `model` and `training` as given, MNIST, everything shown. */
export function defaultSetup(model, training) {
  return { dataset: DEFAULT_DATASET, model, training, panels: Object.keys(PANELS), hide: [] };
}

/** The CSS that hides the panels not in `panels` and the controls in `hide`; built only from
 * the selectors of PANELS and HIDEABLE. */
export function hidingCss({ panels, hide }) {
  const selectors = [
    ...Object.entries(PANELS).filter(([name]) => !panels.includes(name)).map(([, selector]) => selector),
    ...hide.map((name) => HIDEABLE[name]),
  ];
  return selectors.length ? `${selectors.join(',\n')} { display: none !important; }` : '';
}
