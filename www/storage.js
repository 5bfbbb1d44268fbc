// Saved work: the setup, the run list and the last trained model, kept in the browser's
// IndexedDB so a reload loses nothing. Storage is a convenience: when the browser refuses it
// (private mode, a full disk, a blocked database), every method still resolves, and the error is
// handed to `onError` for the page to report; the page keeps working without it.

/** The database and its one object store (values by key). */
const DATABASE = 'convlab';
const STORE = 'saved';
const VERSION = 1;

/** The keys of the saved records. */
export const SAVED = {
  /** The setup, as a link carries it (see share-link.js). */
  setup: 'setup',
  /** The finished runs: `[{finished, dataset, setup, curves, test, reason}]`, oldest first. */
  runs: 'runs',
  /** The last trained or opened model: `{key, dataset, modelJson, weights, curves, test}`. */
  model: 'model',
};

/** The runs kept; older ones are dropped. */
export const MAX_RUNS = 20;

/** `{kind, message}` for a storage failure: `quota` when the storage is full, `unavailable` when
 * the browser offers no storage here, else `failed`. */
function describe(error, opening) {
  const name = error && error.name;
  const message = (error && error.message) || String(error);
  if (name === 'QuotaExceededError') return { kind: 'quota', message };
  if (opening || name === 'SecurityError' || name === 'InvalidStateError') return { kind: 'unavailable', message };
  return { kind: 'failed', message };
}

/** The page's saved work in IndexedDB. */
export class SavedWork {
  /** @param {(problem: {kind, message}) => void} onError called on every storage failure */
  constructor(onError) {
    this.onError = onError;
    this.database = null;
    this.opening = null;
  }

  /** Opens the database once; resolves with it, or with null when storage is unavailable. */
  open() {
    if (!this.opening) {
      this.opening = new Promise((resolve) => {
        let request;
        try {
          request = indexedDB.open(DATABASE, VERSION);
        } catch (error) {
          this.onError(describe(error, true));
          resolve(null);
          return;
        }
        request.onupgradeneeded = () => request.result.createObjectStore(STORE);
        request.onsuccess = () => {
          this.database = request.result;
          resolve(this.database);
        };
        request.onerror = () => {
          this.onError(describe(request.error, true));
          resolve(null);
        };
        request.onblocked = () => {
          this.onError({ kind: 'unavailable', message: 'the database is blocked by another tab' });
          resolve(null);
        };
      });
    }
    return this.opening;
  }

  /** Runs `action(store)` in one transaction; resolves with its request's result, or with
   * `fallback` after reporting a failure. */
  async transaction(mode, action, fallback) {
    const database = await this.open();
    if (!database) return fallback;
    return new Promise((resolve) => {
      let request;
      const fail = (error) => {
        this.onError(describe(error, false));
        resolve(fallback);
      };
      try {
        const transaction = database.transaction(STORE, mode);
        request = action(transaction.objectStore(STORE));
        transaction.oncomplete = () => resolve(request ? request.result : undefined);
        transaction.onerror = () => fail(transaction.error || (request && request.error));
        transaction.onabort = () => fail(transaction.error || new Error('the transaction was aborted'));
      } catch (error) {
        fail(error);
      }
    });
  }

  /** The record saved under `key`, or undefined (also when storage fails). */
  get(key) {
    return this.transaction('readonly', (store) => store.get(key), undefined);
  }

  /** Saves `value` under `key`; resolves with true when it was saved. */
  async put(key, value) {
    const saved = await this.transaction('readwrite', (store) => store.put(value, key), false);
    return saved !== false;
  }

  /** Forgets everything saved; resolves with true when it was cleared. */
  async clear() {
    const cleared = await this.transaction('readwrite', (store) => store.clear(), false);
    return cleared !== false;
  }
}
