// The Keras code panel: the model on the page and its training settings as runnable tf.keras
// Python (Functional or Sequential style, written by the engine), with Copy and Download; and an
// import box where pasted Keras code is read by the engine's parser (never run) into the builder,
// or refused with the line and column of what it does not understand.

import { t, onLanguageChange, engineMessage } from './i18n.js';
import { element } from './dom.js';
import { downloadFile } from './model-files.js';

/** The two ways the engine writes a model, by the names it takes. */
const STYLES = ['functional', 'sequential'];

/** The downloaded script's name. */
const SCRIPT_NAME = 'convlab_model.py';

/** `{line, column}` (1-based, columns in characters) → the offset in `text` (UTF-16 units). */
function offsetOf(text, line, column) {
  const lines = text.split('\n');
  let offset = 0;
  for (let i = 0; i < Math.min(line - 1, lines.length); i += 1) offset += lines[i].length + 1;
  const current = Array.from(lines[Math.min(line - 1, lines.length - 1)] || '');
  return offset + current.slice(0, Math.max(0, column - 1)).join('').length;
}

/** The Keras code panel. */
export class KerasCodePanel {
  /**
   * @param {HTMLElement} root
   * @param {{onStyle: (style) => void, onImport: (source) => void}} options `onStyle` asks for
   *   the code in the other style; `onImport` hands pasted code to the page
   */
  constructor(root, { onStyle, onImport }) {
    this.root = root;
    this.handlers = { onStyle, onImport };
    this.currentStyle = STYLES[0];
    this.code = null;
    this.exportMessage = 'keras.export_waiting';
    this.importState = null;
    this.copyState = null;
    this.render();
    onLanguageChange(() => this.render());
  }

  /** `functional` or `sequential`. */
  style() {
    return this.currentStyle;
  }

  /** Shows the exported script, or (code null) the i18n message `messageKey`. */
  showCode(code, messageKey = 'keras.export_invalid') {
    this.code = code;
    this.exportMessage = messageKey;
    this.copyState = null;
    this.renderExport();
  }

  /** The result of an import: null (clear), `{ok: layers}`, `{error: {line, column, message}}`
   * from the engine, or `{problem: key, params}` from the page. */
  showImport(result) {
    this.importState = result;
    this.renderImportResult();
    if (result && result.error && result.error.line) {
      const offset = offsetOf(this.source.value, result.error.line, result.error.column);
      this.source.focus();
      this.source.setSelectionRange(offset, Math.min(this.source.value.length, offset + 1));
    }
  }

  /** Locks the import while training runs (the model cannot change then). */
  setLocked(locked) {
    this.locked = locked;
    if (this.importButton) this.importButton.disabled = locked;
  }

  render() {
    const styleGroup = element('fieldset', { class: 'keras-style' },
      element('legend', { text: t('keras.style') }),
      ...STYLES.map((style) => {
        const input = element('input', { type: 'radio', name: 'keras-style', id: `keras-style-${style}`, value: style });
        input.checked = style === this.currentStyle;
        input.addEventListener('change', () => {
          this.currentStyle = style;
          this.handlers.onStyle(style);
        });
        return element('label', { for: `keras-style-${style}`, class: 'radio' }, input, t(`keras.${style}`));
      }));
    this.copyButton = element('button', { type: 'button', id: 'keras-copy', text: t('keras.copy') });
    this.copyButton.addEventListener('click', () => this.copy());
    this.downloadButton = element('button', { type: 'button', id: 'keras-download', text: t('keras.download') });
    this.downloadButton.addEventListener('click', () => downloadFile(SCRIPT_NAME, this.code, 'text/x-python'));
    this.copyNote = element('span', { class: 'hint', id: 'keras-copy-note', role: 'status' });
    this.codeBlock = element('pre', { class: 'code', id: 'keras-code', tabindex: '0', 'aria-label': t('keras.code_label') });
    this.exportHint = element('p', { class: 'hint', text: t('keras.export_hint') });
    const exportPart = element('div', { class: 'keras-export' },
      element('div', { class: 'keras-toolbar' }, styleGroup, this.copyButton, this.downloadButton, this.copyNote),
      this.exportHint, this.codeBlock);

    this.source = element('textarea', { id: 'keras-source', rows: 8, spellcheck: 'false', autocomplete: 'off',
      placeholder: t('keras.import_placeholder'), 'aria-describedby': 'keras-import-hint keras-import-result' });
    if (this.sourceText) this.source.value = this.sourceText;
    this.source.addEventListener('input', () => { this.sourceText = this.source.value; });
    this.importButton = element('button', { type: 'button', id: 'keras-import-button', text: t('keras.import') });
    this.importButton.addEventListener('click', () => this.handlers.onImport(this.source.value));
    this.importResult = element('div', { id: 'keras-import-result', role: 'alert' });
    const importPart = element('div', { class: 'keras-import', id: 'keras-import' },
      element('h3', {}, element('label', { for: 'keras-source', text: t('keras.import_title') })),
      element('p', { class: 'hint', id: 'keras-import-hint', text: t('keras.import_hint') }),
      this.source, element('div', { class: 'buttons' }, this.importButton), this.importResult);

    this.root.replaceChildren(exportPart, importPart);
    this.renderExport();
    this.renderImportResult();
    this.setLocked(Boolean(this.locked));
  }

  renderExport() {
    const ready = this.code !== null;
    this.codeBlock.textContent = ready ? this.code : t(this.exportMessage);
    this.codeBlock.classList.toggle('waiting', !ready);
    this.copyButton.disabled = !ready;
    this.downloadButton.disabled = !ready;
    this.copyNote.textContent = this.copyState ? t(`keras.${this.copyState}`) : '';
  }

  renderImportResult() {
    const state = this.importState;
    if (!state) {
      this.importResult.replaceChildren();
      return;
    }
    if (state.ok !== undefined) {
      this.importResult.replaceChildren(element('p', { class: 'good', text: t('keras.imported', { layers: state.ok }) }));
      return;
    }
    if (state.problem) {
      this.importResult.replaceChildren(element('p', { class: 'error', text: t(state.problem, state.params) }));
      return;
    }
    const { line, column, message } = state.error;
    const parts = [];
    if (line) {
      parts.push(element('p', { class: 'error', id: 'keras-import-error',
        text: t('keras.import_error', { line, column, message: engineMessage(message) }) }));
      const text = this.source.value.split('\n')[line - 1];
      if (text !== undefined) {
        // The offending line with a caret under the column, as Python prints a SyntaxError.
        const indent = Array.from(text).slice(0, Math.max(0, column - 1)).map((c) => (c === '\t' ? '\t' : ' ')).join('');
        const caret = `${indent}^`;
        parts.push(element('pre', { class: 'code error-context', 'aria-hidden': 'true', text: `${text}\n${caret}` }));
      }
    } else {
      parts.push(element('p', { class: 'error', id: 'keras-import-error', text: engineMessage(message) }));
    }
    this.importResult.replaceChildren(...parts);
  }

  /** Copies the code to the clipboard; falls back to selecting it for a manual copy. */
  async copy() {
    try {
      await navigator.clipboard.writeText(this.code);
      this.copyState = 'copied';
    } catch {
      const range = document.createRange();
      range.selectNodeContents(this.codeBlock);
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      this.copyState = document.execCommand('copy') ? 'copied' : 'copy_failed';
    }
    this.renderExport();
  }
}
