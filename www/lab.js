// The teaching lab: one tab per panel, each panel a module of its own with a short explanation for
// the learner above it. The lab hears about the model and the runs from main.js (`modelChecked`,
// `modelBuilt`, `runStarted`) and about training from the engine client's events.

import { translateStatic } from './i18n.js';
import { element } from './dom.js';
import { ConvAnimator } from './conv-animator.js';
import { EvaluationPanel } from './evaluation.js';
import { TransformTest } from './transform-test.js';
import { DrawDigit } from './draw-digit.js';
import { RunCompare } from './run-compare.js';
import { GradientFlow } from './gradient-flow.js';
import { OptimizerPlayground } from './optimizer-playground.js';
import { OverfittingLab } from './overfitting-lab.js';

/** The panels in tab order. */
const PANELS = [
  { id: 'conv', View: ConvAnimator },
  { id: 'evaluation', View: EvaluationPanel },
  { id: 'transform', View: TransformTest },
  { id: 'draw', View: DrawDigit },
  { id: 'runs', View: RunCompare },
  { id: 'gradients', View: GradientFlow },
  { id: 'optimizers', View: OptimizerPlayground },
  { id: 'overfitting', View: OverfittingLab },
];

/** The lab section with its tabs. */
export class Lab {
  /**
   * @param {HTMLElement} root the lab's section
   * @param {object} context what the panels may use: `client` (the engine), `getView()` (the
   *   checked architecture), `loadSpec(spec)` (into the builder), `trainSetup({spec, values})`
   *   (load a model and settings, train with fresh weights; resolves with the run's end, or null
   *   when it could not start), `settings()` (the panel's values, spec and config now)
   */
  constructor(root, context) {
    this.root = root;
    this.context = { ...context, lab: this };
    this.selected = PANELS[0].id;
    this.tabs = new Map();
    this.views = new Map();
    const tabList = element('div', { class: 'lab-tabs', role: 'tablist', 'aria-labelledby': 'lab-title' });
    const panels = element('div', { class: 'lab-panels' });
    for (const { id, View } of PANELS) {
      const tab = element('button', { type: 'button', role: 'tab', id: `lab-tab-${id}`, 'aria-controls': `lab-panel-${id}`,
        'data-i18n': `lab.${id}.title` });
      tab.addEventListener('click', () => this.select(id));
      tab.addEventListener('keydown', (event) => this.moveFocus(event, id));
      const body = element('div', { class: 'lab-body' });
      const panel = element('section', { class: 'lab-panel', role: 'tabpanel', id: `lab-panel-${id}`, 'aria-labelledby': `lab-tab-${id}`, tabindex: '0' },
        element('p', { class: 'explain', 'data-i18n': `lab.${id}.explain` }), body);
      tabList.append(tab);
      panels.append(panel);
      this.tabs.set(id, { tab, panel });
      this.views.set(id, new View(body, this.context));
    }
    this.root.append(tabList, panels);
    // Later language switches retranslate these with the rest of the page.
    translateStatic(this.root);
    this.select(this.selected);
  }

  /** Shows panel `id`. */
  select(id) {
    this.selected = id;
    for (const [key, { tab, panel }] of this.tabs) {
      const active = key === id;
      tab.setAttribute('aria-selected', String(active));
      tab.tabIndex = active ? 0 : -1;
      panel.hidden = !active;
    }
    this.views.get(id).onShow?.();
  }

  /** Arrow keys, Home and End move between tabs (the WAI-ARIA tabs pattern). */
  moveFocus(event, id) {
    const ids = PANELS.map((p) => p.id);
    const at = ids.indexOf(id);
    const next = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: ids.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    const target = ids[(next + ids.length) % ids.length];
    this.select(target);
    this.tabs.get(target).tab.focus();
  }

  /** The panel module `id` (for the other panels and the tests). */
  view(id) {
    return this.views.get(id);
  }

  /** The builder's model was checked (`view` is null while it is invalid). */
  modelChecked(view) {
    for (const panel of this.views.values()) panel.onModelChecked?.(view);
  }

  /** The worker built a model with fresh weights: results of the old one are stale. */
  modelBuilt() {
    for (const panel of this.views.values()) panel.onModelBuilt?.();
  }

  /** A training run began with these settings. */
  runStarted(run) {
    for (const panel of this.views.values()) panel.onRunStarted?.(run);
  }
}
