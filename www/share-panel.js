// The "Save, open and share" panel: the model as TensorFlow.js files (download, open), the link
// for the class with the teacher's choices of panels and hidden controls, and the work saved in
// this browser (its state, and a control to clear it).

import { t, onLanguageChange } from './i18n.js';
import { element } from './dom.js';
import { PANELS, HIDEABLE } from './share-link.js';
import { SINGLE_FILE } from './edition.js';

/** The label of a hideable control: `setting.<key>` uses the setting's own label. */
function hideableLabel(name) {
  if (name.startsWith('setting.')) return t('hide.setting', { label: t(name) });
  return t(`hide.${name}`);
}

/** The share panel. */
export class SharePanel {
  /**
   * @param {HTMLElement} root
   * @param {{onDownload: () => void, onOpenFiles: (files) => void, onTeacherChange: () => void,
   *   onClear: () => void}} handlers
   */
  constructor(root, handlers) {
    this.root = root;
    this.handlers = handlers;
    this.link = '';
    this.teacher = { panels: Object.keys(PANELS), hide: [] };
    this.files = null;
    this.linkNote = null;
    this.storage = null;
    this.canDownload = false;
    this.locked = false;
    this.render();
    onLanguageChange(() => this.render());
  }

  /** The panels a link shows and the controls it hides, as the teacher ticked them. */
  teacherOptions() {
    return { panels: [...this.teacher.panels], hide: [...this.teacher.hide] };
  }

  /** Ticks the boxes as a restored setup says. */
  setTeacherOptions({ panels, hide }) {
    this.teacher = { panels: [...panels], hide: [...hide] };
    this.render();
  }

  /** The link to the current setup (a full URL). */
  setLink(url) {
    this.link = url;
    if (this.linkBox) this.linkBox.value = url;
  }

  /** The result of a download or an open: `{kind: 'good'|'error', key, params}` or null. */
  showFiles(message) {
    this.files = message;
    this.renderMessages();
  }

  /** The state of the saved work: `{kind: 'good'|'error'|'hint', key, params}`. */
  showStorage(message) {
    this.storage = message;
    this.renderMessages();
  }

  /** Download needs a built model; opening waits while training runs. */
  setState({ canDownload, locked }) {
    this.canDownload = canDownload;
    this.locked = locked;
    this.updateButtons();
  }

  render() {
    const download = element('button', { type: 'button', id: 'model-download', text: t('files.download') });
    download.addEventListener('click', () => this.handlers.onDownload());
    const open = element('input', { type: 'file', id: 'model-open', class: 'visually-hidden', multiple: true, accept: '.json,.bin,application/json,application/octet-stream' });
    open.addEventListener('change', () => {
      if (open.files.length) this.handlers.onOpenFiles(open.files);
      open.value = '';
    });
    this.downloadButton = download;
    this.openInput = open;
    this.filesMessage = element('p', { id: 'files-message', role: 'status' });
    const files = element('div', { class: 'share-block' },
      element('h3', { text: t('files.title') }),
      element('div', { class: 'buttons' }, download),
      // The label is the button: the browser's own file-input text is in the browser's language.
      element('div', { class: 'field', id: 'model-open-row' }, open, element('label', { for: 'model-open', class: 'file-button', text: t('files.open') })),
      element('p', { class: 'hint', text: t('files.hint') }),
      this.filesMessage);

    this.linkBox = element('input', { type: 'text', id: 'share-link', readonly: true, 'aria-describedby': 'share-link-hint' });
    this.linkBox.value = this.link;
    this.linkBox.addEventListener('focus', () => this.linkBox.select());
    const copy = element('button', { type: 'button', id: 'copy-link', text: t('link.copy') });
    copy.addEventListener('click', () => this.copyLink());
    this.linkMessage = element('span', { class: 'hint', id: 'link-message', role: 'status' });
    const checkboxes = (names, selected, label, group) => names.map((name) => {
      const id = `${group}-${name.replace(/\./g, '-')}`;
      const box = element('input', { type: 'checkbox', id, dataset: { name } });
      box.checked = selected.includes(name);
      box.addEventListener('change', () => {
        const list = this.teacher[group];
        const at = list.indexOf(name);
        if (box.checked && at < 0) list.push(name);
        if (!box.checked && at >= 0) list.splice(at, 1);
        this.handlers.onTeacherChange();
      });
      return element('div', { class: 'field checkbox' }, box, element('label', { for: id, text: label(name) }));
    });
    const teacher = element('details', { class: 'teacher', id: 'teacher-mode' },
      element('summary', { text: t('link.teacher') }),
      element('p', { class: 'hint', text: t('link.teacher_hint') }),
      element('fieldset', { class: 'choices' }, element('legend', { text: t('link.panels') }),
        ...checkboxes(Object.keys(PANELS), this.teacher.panels, (name) => t(`panel.${name}`), 'panels')),
      element('fieldset', { class: 'choices' }, element('legend', { text: t('link.hide') }),
        ...checkboxes(Object.keys(HIDEABLE), this.teacher.hide, hideableLabel, 'hide')));
    if (this.teacherOpen) teacher.open = true;
    teacher.addEventListener('toggle', () => { this.teacherOpen = teacher.open; });
    // Opened from a file, the link is a file address: say where it works.
    const fileLinkHint = SINGLE_FILE ? [element('p', { class: 'hint', id: 'share-link-file', text: t('link.hint_file') })] : [];
    const link = element('div', { class: 'share-block' },
      element('h3', {}, element('label', { for: 'share-link', text: t('link.title') })),
      element('div', { class: 'link-row' }, this.linkBox, copy),
      this.linkMessage,
      element('p', { class: 'hint', id: 'share-link-hint', text: t('link.hint') }),
      ...fileLinkHint,
      teacher);

    const clear = element('button', { type: 'button', id: 'clear-saved', text: t('storage.clear') });
    clear.addEventListener('click', () => this.handlers.onClear());
    this.storageMessage = element('p', { id: 'storage-message', role: 'status' });
    const saved = element('div', { class: 'share-block' },
      element('h3', { text: t('storage.title') }),
      element('p', { class: 'hint', text: t('storage.hint') }),
      this.storageMessage,
      element('div', { class: 'buttons' }, clear));

    this.root.replaceChildren(files, link, saved);
    this.renderMessages();
    this.updateButtons();
  }

  renderMessages() {
    const show = (node, message) => {
      node.textContent = message ? t(message.key, message.params) : '';
      node.className = message ? message.kind : '';
      node.hidden = !message;
    };
    show(this.filesMessage, this.files);
    show(this.storageMessage, this.storage);
    this.linkMessage.textContent = this.linkNote ? t(this.linkNote) : '';
  }

  updateButtons() {
    this.downloadButton.disabled = !this.canDownload || this.locked;
    this.openInput.disabled = this.locked;
  }

  async copyLink() {
    try {
      await navigator.clipboard.writeText(this.link);
      this.linkNote = 'link.copied';
    } catch {
      this.linkBox.focus();
      this.linkBox.select();
      this.linkNote = document.execCommand('copy') ? 'link.copied' : 'link.copy_by_hand';
    }
    this.renderMessages();
  }
}
