// Live reload: watches the skills directories of the loaded roots and calls back, debounced,
// after changes settle. The engine reloads atomically on that call, so calls in flight finish on
// the skills they started with, and a folder caught half-copied is simply loaded again once the
// copy is done (its next change event triggers the next reload).
import { watch, type FSWatcher } from 'node:fs';

import { DebouncedCall } from '../debounced-call.js';

export class SkillRootWatcher {
  readonly #watchers: FSWatcher[] = [];
  readonly #settled: DebouncedCall;
  #closed = false;

  /** Watches every existing directory of `dirs` (recursively); missing ones are skipped. */
  constructor(dirs: readonly string[], debounceMs: number, onChange: () => void) {
    this.#settled = new DebouncedCall(debounceMs, () => {
      if (!this.#closed) onChange();
    });
    for (const dir of dirs) {
      try {
        const w = watch(dir, { recursive: true, persistent: false }, () => this.#poke());
        w.on('error', () => this.#poke()); // a watched root removed: one last reload sorts it out
        this.#watchers.push(w);
      } catch {
        /* a root that does not exist (yet) holds no skills */
      }
    }
  }

  /** Directories actually watched. */
  get size(): number {
    return this.#watchers.length;
  }

  #poke(): void {
    if (!this.#closed) this.#settled.poke();
  }

  close(): void {
    this.#closed = true;
    this.#settled.cancel();
    for (const w of this.#watchers) w.close();
    this.#watchers.length = 0;
  }
}

/** Watches the roots and runs `reload` after changes; reloads never overlap (a change during a reload schedules one more). */
export class LiveReload {
  readonly #reload: () => Promise<void>;
  readonly #onError: (err: unknown) => void;
  readonly #debounceMs: number;
  #watcher: SkillRootWatcher | null = null;
  #running = false;
  #again = false;
  #closed = false;

  constructor(reload: () => Promise<void>, onError: (err: unknown) => void, debounceMs: number) {
    this.#reload = reload;
    this.#onError = onError;
    this.#debounceMs = debounceMs;
  }

  /** (Re)starts watching these directories. */
  watch(dirs: readonly string[]): void {
    this.#watcher?.close();
    this.#watcher = this.#closed ? null : new SkillRootWatcher(dirs, this.#debounceMs, () => this.#run());
  }

  #run(): void {
    if (this.#closed) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = true;
    this.#reload()
      .catch((err: unknown) => this.#onError(err))
      .finally(() => {
        this.#running = false;
        if (this.#again) {
          this.#again = false;
          this.#run();
        }
      });
  }

  close(): void {
    this.#closed = true;
    this.#watcher?.close();
    this.#watcher = null;
  }
}
