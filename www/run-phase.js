// The page's phase around the engine, and what every button does in each phase: one table, so
// that fast, repeated or badly timed clicks always have one defined outcome and never interleave
// two runs, or a rebuilt model with a run.
//
//   phase       what is going on                        Train    Stop        Reset                     model, data, files
//   idle        no run (the data may still be loading)  starts   off         fresh weights             allowed
//   training    a run is starting or in progress        off      → stopping  → stopping; fresh weights  refused, with a message
//                                                                            once the run is over
//   stopping    Stop was sent; the batch finishes       off      off         as in training            refused
//   testing     the run ended; the test set is scored   off      off         fresh weights once idle    refused
//   restarting  the engine crashed; a new one starts    off      off         off                       refused
//
// "off" is a disabled button; a call that arrives anyway (a second click in the same task, a lab
// panel) is a no-op. Train twice starts one run; Stop twice sends one Stop; a Stop clicked while
// the run is still starting reaches the worker as soon as it has started. Model edits,
// dataset switches and model files wait for idle: the builder and the Keras import are locked,
// and what asks anyway is told why. Switching datasets while one loads needs no phase: the
// worker cancels the earlier download and the last choice wins.

/** The moves the table allows, from each phase. */
const TRANSITIONS = {
  idle: ['training', 'restarting'],
  training: ['stopping', 'testing', 'idle', 'restarting'],
  stopping: ['testing', 'idle', 'restarting'],
  testing: ['idle', 'restarting'],
  restarting: ['idle'],
};

/** The current phase, with its allowed moves checked. */
export class RunPhase {
  constructor() {
    this.phase = 'idle';
    this.idleWaiters = [];
  }

  /** Moves to `next`; a move the table does not allow is a bug in the page and throws. */
  to(next) {
    if (!TRANSITIONS[this.phase].includes(next)) throw new Error(`run phase: no move from ${this.phase} to ${next}`);
    this.phase = next;
    if (next === 'idle') for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** True while a run exists (starting, in progress, stopping or being tested). */
  get running() {
    return this.phase === 'training' || this.phase === 'stopping' || this.phase === 'testing';
  }

  /** True in every phase but idle: the model, the data and the files are locked. */
  get busy() {
    return this.phase !== 'idle';
  }

  /** Resolves when the phase is idle (at once if it is). */
  whenIdle() {
    if (this.phase === 'idle') return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
