// A dead engine, in words. On wasm32 a Rust panic or a failed allocation aborts: the instance
// traps (`WebAssembly.RuntimeError`) and is unusable from then on. The engine keeps the panic's
// message and the size of the failed allocation (src/wasm_crash.rs); this turns a trap into the
// report the page shows before it replaces the worker. Used by worker.js and train-helper.js.

import { panicMessage, failedAllocationBytes } from '../pkg/convlab.js';

/** `{code: 'crashed', kind, message, bytes}` when `error` is the engine's trap (`kind`:
 * `panic`, `out_of_memory`, or `trap` when the engine left no word), else null. */
export function crashReport(error) {
  if (!(error instanceof WebAssembly.RuntimeError)) return null;
  let panic;
  let bytes = 0;
  try {
    panic = panicMessage();
    bytes = failedAllocationBytes();
  } catch {
    // The trap left nothing readable: the report says what JavaScript saw.
  }
  const report = { code: 'crashed', layer: null, field: null, bytes };
  if (panic) return { ...report, kind: 'panic', message: panic };
  if (bytes > 0) return { ...report, kind: 'out_of_memory', message: `out of memory: ${bytes} bytes could not be allocated` };
  return { ...report, kind: 'trap', message: String(error.message) };
}
