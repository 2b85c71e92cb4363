// What the config store has seen of each store file, turned into ordered events: every document
// read is compared with the last one seen for that file, so an edit by another process or engine
// becomes `external_reload` events whenever it is noticed (a read, a write, a refresh, the
// watcher), this engine's own writes become `local_write` events, and a file that stops parsing
// becomes one `skill_config_reload_failed` event until it changes again.
import type { DeclaredConfigItem } from '../skills/config-declaration.js';
import { SkillConfigError } from './config-errors.js';
import {
  ConfigFileWatcher,
  SkillConfigEventLog,
  checkAfterSequence,
  checkPollLimit,
  type SkillConfigEvent,
  type SkillConfigEventBatch,
  type SkillConfigStoreScope,
} from './config-events.js';
import type { ConfigDocument } from './config-file.js';
import { declaredComplete } from './config-items.js';

/** Same revision and the same stored strings. */
export function sameDocument(a: ConfigDocument, b: ConfigDocument): boolean {
  if (a === b) return true;
  if (a.revision !== b.revision) return false;
  const ids = Object.keys(a.skills);
  if (ids.length !== Object.keys(b.skills).length) return false;
  return ids.every((id) => {
    const x = a.skills[id] ?? {};
    const y = b.skills[id];
    return y !== undefined && Object.keys(x).length === Object.keys(y).length && Object.keys(x).every((k) => x[k] === y[k]);
  });
}

export class ConfigChangeTracker {
  readonly #seen = new Map<string, ConfigDocument>();
  readonly #failure = new Map<string, string>();
  readonly #log = new SkillConfigEventLog();
  readonly #watcher: ConfigFileWatcher;
  readonly #declared: (skillId: string) => readonly DeclaredConfigItem[] | null;
  #closed = false;

  /** `onFileChanged` runs (debounced) when a watched file may have changed on disk. */
  constructor(debounceMs: number, declared: (skillId: string) => readonly DeclaredConfigItem[] | null, onFileChanged: (file: string) => void) {
    this.#declared = declared;
    this.#watcher = new ConfigFileWatcher(debounceMs, (file) => {
      if (!this.#closed) onFileChanged(file);
    });
  }

  /** The last document seen of `file`, if any. */
  seen(file: string): ConfigDocument | undefined {
    return this.#seen.get(file);
  }

  /** A document just read: reports what changed since the last one seen (none the first time). */
  observe(file: string, scope: SkillConfigStoreScope, doc: ConfigDocument): void {
    this.#failure.delete(file);
    const seen = this.#seen.get(file);
    this.#seen.set(file, doc);
    if (seen === undefined || seen === doc) return;
    this.#emitDiff(scope, seen, doc, 'external_reload');
  }

  /** This engine wrote `after` over `before`: `local_write` events for skill `id`. */
  wrote(file: string, scope: SkillConfigStoreScope, before: ConfigDocument, after: ConfigDocument, id: string): void {
    this.#seen.set(file, after);
    this.#emitDiff(scope, before, after, 'local_write', id);
  }

  /** A read or write failed: a corrupt or unreadable file is reported once until its error changes. */
  failed(file: string, scope: SkillConfigStoreScope, err: unknown): void {
    if (!(err instanceof SkillConfigError) || (err.code !== 'config_corrupt' && err.code !== 'config_io')) return;
    if (this.#failure.get(file) === err.message) return;
    this.#failure.set(file, err.message);
    this.#log.append({
      type: 'skill_config_reload_failed',
      store_scope: scope,
      revision: String(this.#seen.get(file)?.revision ?? 0n),
      source: 'external_reload',
      error: { code: err.code, message: err.message },
    });
  }

  /** Watches `file` (idempotent); `baseline` reads it once so the first change has something to compare with. */
  watch(file: string, baseline: () => Promise<ConfigDocument>): void {
    if (this.#closed) return;
    if (!this.#seen.has(file)) {
      void baseline().then((doc) => {
        if (!this.#seen.has(file)) this.#seen.set(file, doc); // never over a newer read
      }, () => undefined);
    }
    this.#watcher.watch(file);
  }

  /** Events after `afterSequence` (decimal string; none: from the oldest kept), at most `limit` (1..1000). */
  poll(afterSequence: string | undefined, limit: number): SkillConfigEventBatch {
    return this.#log.poll(checkAfterSequence(afterSequence), checkPollLimit(limit));
  }

  /** The next non-empty batch after the cursor, or an empty one after `timeoutMs`, an abort or close. */
  wait(afterSequence: string | undefined, options: { timeoutMs?: number; limit?: number; signal?: AbortSignal }): Promise<SkillConfigEventBatch> {
    const after = checkAfterSequence(afterSequence);
    const limit = checkPollLimit(options.limit ?? 100);
    const timeoutMs = options.timeoutMs ?? 30_000;
    if (typeof timeoutMs !== 'number' || !(timeoutMs >= 0) || timeoutMs > 2_147_483_647) {
      throw new SkillConfigError('invalid_value', 'timeoutMs must be a number of milliseconds between 0 and 2147483647');
    }
    return this.#log.wait(after, limit, timeoutMs, options.signal);
  }

  /** Delivers every event after the cursor to `handler`, in order, until the returned function is called. */
  subscribe(
    handler: (event: SkillConfigEvent) => void | Promise<void>,
    options: { afterSequence?: string; limit?: number; onError?: (error: unknown) => void },
  ): () => void {
    let cursor = checkAfterSequence(options.afterSequence);
    const limit = checkPollLimit(options.limit ?? 100);
    const stop = new AbortController();
    const loop = async (): Promise<void> => {
      while (!stop.signal.aborted && !this.#closed) {
        const batch = await this.#log.wait(cursor, limit, 2_147_483_647, stop.signal);
        for (const event of batch.events) {
          if (stop.signal.aborted) return;
          cursor = BigInt(event.sequence);
          try {
            await handler(event);
          } catch (err) {
            options.onError?.(err);
          }
        }
      }
    };
    void loop();
    return () => stop.abort();
  }

  close(): void {
    this.#closed = true;
    this.#watcher.close();
    this.#log.close();
  }

  // One event per skill whose stored strings differ; a revision change alone is a store-level event.
  #emitDiff(scope: SkillConfigStoreScope, before: ConfigDocument, after: ConfigDocument, source: SkillConfigEvent['source'], onlySkill?: string): void {
    let any = false;
    const ids = onlySkill !== undefined ? [onlySkill] : [...new Set([...Object.keys(before.skills), ...Object.keys(after.skills)])].sort();
    for (const id of ids) {
      const a = before.skills[id] ?? {};
      const b = after.skills[id] ?? {};
      const changed = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== b[k]).sort();
      if (changed.length === 0) continue;
      any = true;
      const event: Omit<SkillConfigEvent, 'sequence'> = { type: 'skill_config_changed', store_scope: scope, skill_id: id, revision: String(after.revision), changed_keys: changed, source };
      const declared = this.#declared(id);
      if (declared) {
        event.restart_required_keys = declared.filter((item) => item.restart_required && changed.includes(item.key)).map((item) => item.key);
        event.complete = declaredComplete(declared, b);
      }
      this.#log.append(event);
    }
    if (!any && before.revision !== after.revision) {
      this.#log.append({ type: 'skill_config_changed', store_scope: scope, revision: String(after.revision), source });
    }
  }
}
