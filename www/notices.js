// Notices above the panels: what the page says once, about the whole page (a link that could not
// be used, a guided exercise). Each has an id, so saying it again replaces it; Close removes it.

import { t, onLanguageChange } from './i18n.js';
import { element } from './dom.js';

/** The notice area. */
export class Notices {
  constructor(root) {
    this.root = root;
    this.notices = new Map();
    onLanguageChange(() => this.render());
  }

  /** Shows (or replaces) notice `id`: `kind` is `error` or `info`, the text i18n `key`. */
  show(id, kind, key, params = {}) {
    this.notices.set(id, { kind, key, params });
    this.render();
  }

  /** Removes notice `id`. */
  remove(id) {
    this.notices.delete(id);
    this.render();
  }

  render() {
    this.root.replaceChildren(...[...this.notices].map(([id, { kind, key, params }]) => {
      const close = element('button', { type: 'button', text: t('notice.close') });
      close.addEventListener('click', () => this.remove(id));
      return element('p', { class: `notice ${kind}`, id: `notice-${id}`, role: kind === 'error' ? 'alert' : 'status' },
        element('span', { text: t(key, typeof params === 'function' ? params() : params) }), close);
    }));
  }
}
