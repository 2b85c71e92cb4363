// The ordered skill-config event log of one engine (upstream 0.5.5 `skill_config_events_poll`):
// every change the engine sees — its own writes and edits found on disk — gets an engine-local
// decimal `sequence`. Hosts read it with a cursor (`pollEvents`), wait for the next batch
// (`waitForEvents`, woken by the append itself, not by polling), or subscribe (`watchEvents`).
// Events carry keys, never values, so sensitive values cannot leak through them.
import { mkdirSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';

import { DebouncedCall } from '../debounced-call.js';
import { SkillConfigError } from './config-errors.js';
import { parseU64 } from './config-file.js';

/** `skills` for PROJECT/USER (and unknown) skills, `system-skills` for ROOT skills. */
export type SkillConfigStoreScope = 'skills' | 'system-skills';

/** One ordered configuration change (upstream's field names). */
export interface SkillConfigEvent {
  /** Engine-local decimal sequence, starting at "1". */
  sequence: string;
  type: 'skill_config_changed' | 'skill_config_reload_failed';
  store_scope: SkillConfigStoreScope;
  /** The skill whose values changed; absent for store-level events. */
  skill_id?: string;
  /** The store revision after the change (for a failed reload: the last valid one). */
  revision: string;
  /** Sorted keys whose stored value was added, changed or removed. */
  changed_keys?: string[];
  /** `local_write`: a set/delete of this engine; `external_reload`: found on disk. */
  source: 'local_write' | 'external_reload';
  /** Changed keys declared `restart_required`. */
  restart_required_keys?: string[];
  /** For a skill that declares `config:`: whether its required values are all present and valid. */
  complete?: boolean;
  /** For `skill_config_reload_failed`: why the file could not be read (no values). */
  error?: { code: string; message: string };
}

/** A batch after a cursor; `next_sequence` is the highest sequence seen so far ("0": none yet). */
export interface SkillConfigEventBatch {
  events: SkillConfigEvent[];
  next_sequence: string;
}

export const MAX_EVENT_POLL_LIMIT = 1000;
/** How many events the log keeps; older ones are dropped (a cursor behind them just skips them). */
export const EVENT_LOG_CAPACITY = 4096;

export function checkPollLimit(limit: unknown): number {
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1 || limit > MAX_EVENT_POLL_LIMIT) {
    throw new SkillConfigError('config_event_limit_invalid', `event poll limit must be an integer between 1 and ${MAX_EVENT_POLL_LIMIT}`);
  }
  return limit;
}

export function checkAfterSequence(after: unknown): bigint {
  if (after === undefined || after === null) return 0n;
  const value = parseU64(after);
  if (value === undefined) throw new SkillConfigError('config_event_sequence_invalid', 'afterSequence must be a decimal string of an unsigned 64-bit integer');
  return value;
}

type Waiter = () => void;

export class SkillConfigEventLog {
  #next = 1n;
  readonly #events: { seq: bigint; event: SkillConfigEvent }[] = [];
  readonly #waiters = new Set<Waiter>();
  #closed = false;

  /** Appends an event (its sequence is assigned here) and wakes every waiter. */
  append(event: Omit<SkillConfigEvent, 'sequence'>): SkillConfigEvent {
    const seq = this.#next++;
    const full = { sequence: String(seq), ...event } as SkillConfigEvent;
    this.#events.push({ seq, event: full });
    if (this.#events.length > EVENT_LOG_CAPACITY) this.#events.splice(0, this.#events.length - EVENT_LOG_CAPACITY);
    for (const wake of [...this.#waiters]) wake();
    return full;
  }

  /** Events with a sequence above `after`, oldest first, at most `limit`. */
  poll(after: bigint, limit: number): SkillConfigEventBatch {
    const events: SkillConfigEvent[] = [];
    for (const item of this.#events) {
      if (item.seq <= after) continue;
      if (events.length >= limit) break;
      events.push(item.event);
    }
    return { events, next_sequence: String(this.#next - 1n) };
  }

  /**
   * Resolves with the first non-empty batch after `after`, or an empty batch when `timeoutMs`
   * passes, the signal aborts, or the log closes.
   */
  wait(after: bigint, limit: number, timeoutMs: number, signal?: AbortSignal): Promise<SkillConfigEventBatch> {
    const now = this.poll(after, limit);
    if (now.events.length > 0 || this.#closed || timeoutMs <= 0 || signal?.aborted) return Promise.resolve(now);
    return new Promise((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        signal?.removeEventListener('abort', finish);
        resolve(this.poll(after, limit));
      };
      const waiter: Waiter = () => {
        if (this.#closed || this.poll(after, 1).events.length > 0) finish();
      };
      const timer = setTimeout(finish, timeoutMs);
      this.#waiters.add(waiter);
      signal?.addEventListener('abort', finish, { once: true });
    });
  }

  /** Ends every wait (with what is there) and makes new waits return at once. */
  close(): void {
    this.#closed = true;
    for (const wake of [...this.#waiters]) wake();
  }
}

/**
 * Watches the folders of the store files and calls `onChange(file)` once the folder has been
 * quiet for `debounceMs` after a change that may concern the file. The folder is watched rather
 * than the file because writers replace the file by rename. Watchers never keep the process
 * alive; a folder that cannot be watched is retried on the next `watch` call.
 */
export class ConfigFileWatcher {
  readonly #debounceMs: number;
  readonly #onChange: (file: string) => void;
  readonly #watchers = new Map<string, { watcher: FSWatcher; settled: DebouncedCall }>();

  constructor(debounceMs: number, onChange: (file: string) => void) {
    this.#debounceMs = debounceMs;
    this.#onChange = onChange;
  }

  /** Starts watching `file` (idempotent); creates its folder so there is something to watch. */
  watch(file: string): void {
    if (this.#watchers.has(file)) return;
    const base = path.basename(file);
    const settled = new DebouncedCall(this.#debounceMs, () => this.#onChange(file));
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      const watcher = watch(path.dirname(file), { persistent: false }, (_event, name) => {
        // Ignore our temp and lock files; a null name (some platforms) may be the file.
        if (name === null || name === base) settled.poke();
      });
      watcher.on('error', () => this.#drop(file));
      this.#watchers.set(file, { watcher, settled });
    } catch {
      /* not watchable now (e.g. permissions); explicit refresh still works */
    }
  }

  #drop(file: string): void {
    const entry = this.#watchers.get(file);
    if (!entry) return;
    entry.settled.cancel();
    entry.watcher.close();
    this.#watchers.delete(file);
  }

  close(): void {
    for (const file of [...this.#watchers.keys()]) this.#drop(file);
  }
}
