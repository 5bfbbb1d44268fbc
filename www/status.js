// The status line (role=status): what the engine is doing, and while training the epoch, batch,
// loss, accuracy and images per second.

import { t, onLanguageChange, formatNumber, formatPercent } from './i18n.js';

/** The status line. */
export class StatusLine {
  constructor(element) {
    this.element = element;
    this.message = { key: 'status.loading_engine', params: {} };
    onLanguageChange(() => this.render());
    this.render();
  }

  /** A plain message by i18n key. */
  say(key, params = {}) {
    this.message = { key, params };
    this.render();
  }

  /** The latest batch of a run: `{epoch, epochs, batch, batches, loss, accuracy, imagesPerSecond}`
   * (epoch and batch 1-based; loss and accuracy are the epoch's running means, as Keras shows). */
  training(progress) {
    this.message = {
      key: 'status.training',
      params: {
        epoch: progress.epoch,
        epochs: progress.epochs,
        batch: formatNumber(progress.batch),
        batches: formatNumber(progress.batches),
        loss: progress.loss.toFixed(4),
        accuracy: formatPercent(progress.accuracy),
        speed: formatNumber(Math.round(progress.imagesPerSecond)),
      },
    };
    this.render();
  }

  render() {
    this.element.textContent = t(this.message.key, this.message.params);
  }
}
