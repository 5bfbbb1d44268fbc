// Live views (a slider, a drawing, a dragged point) ask the engine far more often than it answers.
// A LatestRequest sends one request at a time: calls made while one is in flight collapse into one
// more, sent with the state of that moment, and only the last answer is shown.

/** One live request to the engine. */
export class LatestRequest {
  /**
   * @param {() => Promise<any>} send asks the engine (reading the view's state when called)
   * @param {(value: any, error: object|null) => void} show draws the answer, or the engine's error
   */
  constructor(send, show) {
    this.send = send;
    this.show = show;
    /** Whether a request is in flight (the tests wait for it to settle). */
    this.busy = false;
    this.again = false;
  }

  async run() {
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    let value = null;
    let error = null;
    try {
      value = await this.send();
    } catch (engineError) {
      error = engineError;
    }
    this.busy = false;
    if (this.again) {
      this.again = false;
      this.run();
      return;
    }
    this.show(value, error);
  }
}
