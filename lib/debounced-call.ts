// A call that runs once things have been quiet for a while: every poke restarts the wait. The
// timer never keeps the process alive. Used by the folder watchers (skill roots, config stores).

export class DebouncedCall {
  readonly #delayMs: number;
  readonly #fn: () => void;
  #timer: NodeJS.Timeout | undefined;

  constructor(delayMs: number, fn: () => void) {
    this.#delayMs = delayMs;
    this.#fn = fn;
  }

  /** (Re)starts the wait; `fn` runs `delayMs` after the last poke. */
  poke(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#fn();
    }, this.#delayMs);
    this.#timer.unref();
  }

  /** Drops a pending run. */
  cancel(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
