// The skill config store. With a `skillConfigRoot` (upstream 0.5.5) there are two stores,
// `<root>/skills/config.json` for PROJECT/USER skills and `<root>/system-skills/config.json` for
// ROOT skills; with a legacy `skillConfigFilePath` (0.4.6) one file holds every skill (scope
// `skills`). A skill sees only its own namespace. A loaded skill that declares `config:` gets
// typed, validated values; any other skill keeps 0.4.6 string values.
//
// Every document the store reads is compared with the last one it saw for that file, so a change
// made by another process or engine becomes `external_reload` events whenever it is noticed: on
// a read, a write, an explicit refresh, or by the folder watcher (200 ms debounce).
import path from 'node:path';

import { CONFIG_LIMITS, type DeclaredConfigItem, type SkillConfigValue } from '../skills/config-declaration.js';
import { SkillConfigError, type SkillConfigErrorCode } from './config-errors.js';
import { ConfigChangeTracker, sameDocument } from './config-changes.js';
import type { SkillConfigEvent, SkillConfigEventBatch, SkillConfigStoreScope } from './config-events.js';
import { ConfigFile, checkExpectedRevision, type ConfigDocument } from './config-file.js';
import { checkDeclaredValue, checkKey, checkSkillId, declaredKey, describeItems, isPlainObject, itemState } from './config-items.js';
import {
  SENSITIVE_CONFIG_MASK,
  type SkillConfigBusinessValidator,
  type SkillConfigDeleteResult,
  type SkillConfigDescription,
  type SkillConfigEntry,
  type SkillConfigGetResult,
  type SkillConfigLocation,
  type SkillConfigPackageSource,
  type SkillConfigSetResult,
  type SkillConfigStoreOptions,
  type SkillConfigStoreRefresh,
  type SkillConfigValidation,
  type SkillConfigWriteOptions,
} from './config-types.js';

export * from './config-types.js';
export type { SkillConfigEvent, SkillConfigEventBatch } from './config-events.js';

const SCOPES: readonly SkillConfigStoreScope[] = ['skills', 'system-skills'];

export class SkillConfigStore {
  readonly #resolve: () => SkillConfigLocation | string;
  readonly #lockTimeoutMs: number;
  readonly #files = new Map<string, ConfigFile>();
  // The last document (or failure) reported per file: what external changes are diffed against.
  readonly #changes: ConfigChangeTracker;
  #closed = false;
  // Set by the first events call: from then on the stores are watched wherever they are.
  #watchWanted = false;

  /** The loaded packages (set by the engine): declarations, root (scope) and version. */
  packages: SkillConfigPackageSource | null = null;
  /** The ids of the loaded skills (set by the engine), for {@link describeAll}. */
  loadedSkillIds: (() => readonly string[]) | null = null;
  /** Runs a package's `config_validator` (set by the engine); null: no business validation. */
  businessValidator: SkillConfigBusinessValidator | null = null;

  /**
   * `resolveLocation` names the stores (a string: one legacy file); it throws
   * `config_path_unavailable` when it cannot.
   */
  constructor(resolveLocation: () => SkillConfigLocation | string, options: SkillConfigStoreOptions = {}) {
    this.#resolve = resolveLocation;
    this.#lockTimeoutMs = Math.min(Math.max(options.lockTimeoutMs ?? 5000, 0), 60_000);
    this.#changes = new ConfigChangeTracker(
      options.watchDebounceMs ?? 200,
      (id) => this.declaredItems(id),
      (file) => {
        void this.#load(this.#scopeOfFile(file)).catch(() => undefined);
      },
    );
  }

  /** The store file of `scope` (absolute; in legacy single-file mode the same for both scopes). */
  storePath(scope: SkillConfigStoreScope = 'skills'): string {
    const location = this.#resolveLocation();
    if ('file' in location) return path.resolve(location.file);
    return path.join(path.resolve(location.root), scope, 'config.json');
  }

  /** The `skills` store file (kept for 0.4.6-era callers). */
  get filePath(): string {
    return this.storePath('skills');
  }

  /** The scope a skill's values live in: `system-skills` for a loaded ROOT skill (root mode only). */
  scopeOf(skillId: string): SkillConfigStoreScope {
    if ('file' in this.#resolveLocation()) return 'skills';
    return this.packages?.(skillId)?.root_name === 'ROOT' ? 'system-skills' : 'skills';
  }

  /** The current revision of a store (a decimal string; "0" for a missing or 0.4.6 file). */
  async revision(scope: SkillConfigStoreScope = 'skills'): Promise<string> {
    return String((await this.#load(scope)).revision);
  }

  /** The declarations of a loaded skill that declares `config:`, else `null`. */
  declaredItems(skillId: string): readonly DeclaredConfigItem[] | null {
    const items = this.packages?.(skillId)?.config;
    return items && items.length > 0 ? items : null;
  }

  /** Every value of both stores, or one skill's, sorted by scope, skill id, key; sensitive values masked. */
  async list(skillId?: string): Promise<SkillConfigEntry[]> {
    const only = skillId === undefined ? undefined : checkSkillId(skillId);
    const out: SkillConfigEntry[] = [];
    for (const scope of only === undefined ? this.#distinctScopes() : [this.scopeOf(only)]) {
      const doc = await this.#load(scope);
      for (const id of Object.keys(doc.skills).sort()) {
        if (only !== undefined && id !== only) continue;
        const values = doc.skills[id] ?? {};
        const declared = this.declaredItems(id);
        for (const key of Object.keys(values).sort()) {
          if (declared?.find((item) => item.key === key)?.sensitive) out.push({ store_scope: scope, skill_id: id, key, value: SENSITIVE_CONFIG_MASK, sensitive: true });
          else out.push({ store_scope: scope, skill_id: id, key, value: values[key] as string });
        }
      }
    }
    return out;
  }

  /**
   * One skill's values as an object. For a declared skill: the effective typed value of every
   * declared key (stored, else default), without sensitive keys and without stored values that no
   * longer fit their declaration.
   */
  async values(skillId: string, options: { includeSensitive?: boolean } = {}): Promise<Record<string, SkillConfigValue>> {
    const id = checkSkillId(skillId);
    const stored = (await this.#load(this.scopeOf(id))).skills[id] ?? {};
    const declared = this.declaredItems(id);
    if (!declared) return { ...stored };
    const out: Record<string, SkillConfigValue> = {};
    for (const item of declared) {
      if (item.sensitive && !options.includeSensitive) continue;
      const state = itemState(item, stored[item.key]);
      if (state.value !== undefined) out[item.key] = state.value;
    }
    return out;
  }

  /** One value; for a declared skill the key must be declared and the value is typed (default when unset). */
  async get(skillId: string, key: string): Promise<SkillConfigGetResult> {
    const id = checkSkillId(skillId);
    const declared = this.declaredItems(id);
    const k = declared ? declaredKey(id, declared, key).key : checkKey(key);
    const stored = (await this.#load(this.scopeOf(id))).skills[id]?.[k];
    if (declared) {
      const state = itemState(declaredKey(id, declared, k), stored);
      if (state.issue) throw new SkillConfigError(state.issue.code.toLowerCase() as SkillConfigErrorCode, `${state.issue.message} (stored value of skill '${id}')`);
      if (state.value === undefined) return { found: false, skill_id: id, key: k };
      return { found: true, skill_id: id, key: k, value: state.value, state: state.state === 'default' ? 'default' : 'configured' };
    }
    return stored === undefined ? { found: false, skill_id: id, key: k } : { found: true, skill_id: id, key: k, value: stored };
  }

  /**
   * Sets one key, or several at once (all or nothing: every value is checked before anything is
   * written). For a declared skill every key must be declared (`CONFIG_KEY_UNDECLARED`) and every
   * value must fit its type and constraints; values are persisted as canonical strings.
   */
  async set(skillId: string, key: string, value: SkillConfigValue, options?: SkillConfigWriteOptions): Promise<SkillConfigSetResult>;
  async set(skillId: string, values: Record<string, SkillConfigValue>, options?: SkillConfigWriteOptions): Promise<SkillConfigSetResult>;
  async set(
    skillId: string,
    keyOrValues: string | Record<string, SkillConfigValue>,
    valueOrOptions?: SkillConfigValue | SkillConfigWriteOptions,
    maybeOptions?: SkillConfigWriteOptions,
  ): Promise<SkillConfigSetResult> {
    const id = checkSkillId(skillId);
    const single = typeof keyOrValues === 'string';
    const expected = checkExpectedRevision((single ? maybeOptions : (valueOrOptions as SkillConfigWriteOptions | undefined))?.expectedRevision);
    let patch: [string, unknown][];
    if (single) patch = [[keyOrValues, valueOrOptions]];
    else if (isPlainObject(keyOrValues)) patch = Object.entries(keyOrValues);
    else throw new SkillConfigError('invalid_value', 'skill config set expects a key and a value, or an object of values');
    if (patch.length === 0) throw new SkillConfigError('config_batch_empty', 'CONFIG_BATCH_EMPTY: a batch set needs at least one value');
    if (patch.length > CONFIG_LIMITS.maxBatchKeys) {
      throw new SkillConfigError('config_batch_too_large', `CONFIG_BATCH_TOO_LARGE: a batch set takes at most ${CONFIG_LIMITS.maxBatchKeys} values`);
    }
    const declared = this.declaredItems(id);
    const typed: Record<string, SkillConfigValue> = {};
    const strings: Record<string, string> = {};
    for (const [rawKey, raw] of patch) {
      if (declared) {
        const item = declaredKey(id, declared, rawKey);
        const checked = checkDeclaredValue(item, raw);
        typed[item.key] = checked.value;
        strings[item.key] = checked.stored;
      } else {
        const k = checkKey(rawKey);
        if (typeof raw !== 'string') throw new SkillConfigError('invalid_value', 'skill config value must be a string');
        typed[k] = strings[k] = raw;
      }
    }
    const scope = this.scopeOf(id);
    const { revision, changedKeys } = await this.#write(scope, id, expected, (current) => {
      for (const [k, v] of Object.entries(strings)) current[k] = v;
    });
    const result: SkillConfigSetResult = { action: 'set', skill_id: id, store_scope: scope, revision, changed: changedKeys.length > 0, values: typed, changed_keys: changedKeys };
    if (single) {
      const only = Object.keys(typed)[0] as string;
      result.key = only;
      result.value = typed[only] as SkillConfigValue;
    }
    return result;
  }

  /** Removes one key (and the skill's namespace once empty); `deleted` says whether it was there. */
  async delete(skillId: string, key: string, options?: SkillConfigWriteOptions): Promise<SkillConfigDeleteResult> {
    const id = checkSkillId(skillId);
    const k = checkKey(key);
    const expected = checkExpectedRevision(options?.expectedRevision);
    const scope = this.scopeOf(id);
    const { revision, changedKeys } = await this.#write(scope, id, expected, (current) => {
      delete current[k];
    });
    return { action: 'delete', skill_id: id, store_scope: scope, key: k, deleted: changedKeys.length > 0, revision };
  }

  /**
   * The declared config of a loaded skill with each item's state and its validator's business
   * issues; with `includeValues` also the effective values, except sensitive ones (`masked: true`
   * instead). `config_package_not_found` when the skill is not loaded.
   */
  async describe(skillId: string, options: { includeValues?: boolean } = {}): Promise<SkillConfigDescription> {
    const id = checkSkillId(skillId);
    const pkg = this.packages?.(id);
    if (pkg === undefined) throw new SkillConfigError('config_package_not_found', `CONFIG_PACKAGE_NOT_FOUND: skill '${id}' is not loaded`);
    const items = pkg.config;
    const scope = this.scopeOf(id);
    const doc = await this.#load(scope);
    const stored = doc.skills[id] ?? {};
    const { items: described, effective } = describeItems(items, stored, options.includeValues === true);
    const orphaned = items.length > 0 ? Object.keys(stored).filter((k) => !items.some((item) => item.key === k)).sort() : [];
    const missing = described.filter((i) => i.state === 'missing').length;
    const invalid = described.filter((i) => i.state === 'invalid').length;
    const business = items.length > 0 ? ((await this.businessValidator?.(id, effective)) ?? []) : [];
    return {
      skill_id: id,
      skill_version: pkg.version,
      declared: items.length > 0,
      complete: missing === 0 && invalid === 0 && business.length === 0,
      revision: String(doc.revision),
      store_scope: scope,
      missing_count: missing,
      invalid_count: invalid,
      business_issue_count: business.length,
      orphaned_count: orphaned.length,
      items: described,
      orphaned,
      business_issues: business,
    };
  }

  /** {@link describe} of every loaded skill, sorted by skill id. */
  async describeAll(options: { includeValues?: boolean } = {}): Promise<SkillConfigDescription[]> {
    const ids = [...(this.loadedSkillIds?.() ?? [])].sort();
    const out: SkillConfigDescription[] = [];
    for (const id of ids) out.push(await this.describe(id, options));
    return out;
  }

  /** Whether a loaded skill's config is complete: missing required keys, invalid stored values, business issues. */
  async validate(skillId: string): Promise<SkillConfigValidation> {
    const d = await this.describe(skillId);
    return {
      skill_id: d.skill_id,
      declared: d.declared,
      complete: d.complete,
      revision: d.revision,
      store_scope: d.store_scope,
      missing: d.items.filter((i) => i.state === 'missing').map((i) => i.key),
      invalid: d.items.flatMap((i) => (i.issue ? [i.issue] : [])),
      business_issues: d.business_issues,
      orphaned: d.orphaned,
      orphaned_count: d.orphaned_count,
    };
  }

  /**
   * Re-reads one store, or both: changes made outside this engine become `external_reload`
   * events, a file that no longer parses a `skill_config_reload_failed` event (and the error).
   */
  async refresh(scope?: SkillConfigStoreScope): Promise<SkillConfigStoreRefresh[]> {
    if (scope !== undefined && !SCOPES.includes(scope)) throw new SkillConfigError('invalid_value', `store_scope must be 'skills' or 'system-skills'`);
    const out: SkillConfigStoreRefresh[] = [];
    for (const s of scope === undefined ? this.#distinctScopes() : [scope]) {
      const file = this.storePath(s);
      const before = this.#changes.seen(file);
      const doc = await this.#load(s);
      out.push({ store_scope: s, revision: String(doc.revision), changed: before !== undefined && !sameDocument(before, doc) });
    }
    return out;
  }

  /**
   * Events after `afterSequence` (a decimal string; none: from the oldest kept), at most `limit`
   * (1..1000, default 100). The first events call also starts the folder watcher.
   */
  pollEvents(afterSequence?: string, limit = 100): SkillConfigEventBatch {
    const batch = this.#changes.poll(afterSequence, limit);
    this.watch();
    return batch;
  }

  /** Resolves with the next non-empty batch after the cursor, or an empty one after `timeoutMs` (default 30 s). */
  async waitForEvents(afterSequence?: string, options: { timeoutMs?: number; limit?: number; signal?: AbortSignal } = {}): Promise<SkillConfigEventBatch> {
    const waiting = this.#changes.wait(afterSequence, options);
    this.watch();
    return waiting;
  }

  /**
   * Calls `handler` for every event after `afterSequence`, in order, until the returned function
   * is called. A handler that throws (or rejects) goes to `onError`; delivery continues.
   */
  watchEvents(
    handler: (event: SkillConfigEvent) => void | Promise<void>,
    options: { afterSequence?: string; limit?: number; onError?: (error: unknown) => void } = {},
  ): () => void {
    const stop = this.#changes.subscribe(handler, options);
    this.watch();
    return stop;
  }

  /** Starts watching the store files for changes made by other processes (idempotent). */
  watch(): void {
    if (this.#closed) return;
    this.#watchWanted = true;
    let files: string[];
    try {
      files = this.#distinctScopes().map((s) => this.storePath(s));
    } catch {
      return; // no location yet (no roots loaded): resumeWatch() after a load starts it
    }
    for (const file of files) this.#changes.watch(file, () => this.#fileFor(file).read());
  }

  /**
   * Called by the engine after skill roots (re)load: once events were asked for, the watcher
   * follows the stores where they are now (it may not have had a location before the load).
   */
  resumeWatch(): void {
    if (this.#watchWanted) this.watch();
  }

  /** Stops the watcher and ends pending waits. */
  close(): void {
    this.#closed = true;
    this.#changes.close();
  }

  #resolveLocation(): SkillConfigLocation {
    const location = this.#resolve();
    return typeof location === 'string' ? { file: location } : location;
  }

  #distinctScopes(): SkillConfigStoreScope[] {
    return 'file' in this.#resolveLocation() ? ['skills'] : [...SCOPES];
  }

  #fileFor(file: string): ConfigFile {
    let f = this.#files.get(file);
    if (!f) {
      f = new ConfigFile(file, this.#lockTimeoutMs);
      this.#files.set(file, f);
    }
    return f;
  }

  #scopeOfFile(file: string): SkillConfigStoreScope {
    return 'file' in this.#resolveLocation() || file === this.storePath('skills') ? 'skills' : 'system-skills';
  }

  // Reads a store, reporting what changed since the engine last looked.
  async #load(scope: SkillConfigStoreScope): Promise<ConfigDocument> {
    const file = this.storePath(scope);
    try {
      const doc = await this.#fileFor(file).read();
      this.#changes.observe(file, scope, doc);
      return doc;
    } catch (err) {
      this.#changes.failed(file, scope, err);
      throw err;
    }
  }

  // A read-modify-write of one skill's namespace; external changes found under the lock are
  // reported first, then this write as `local_write`.
  async #write(scope: SkillConfigStoreScope, id: string, expected: bigint | undefined, change: (values: Record<string, string>) => void): Promise<{ revision: string; changedKeys: string[] }> {
    const file = this.storePath(scope);
    let changedKeys: string[] = [];
    let result: { before: ConfigDocument; after: ConfigDocument };
    try {
      result = await this.#fileFor(file).update(
        expected,
        (doc) => {
          const current = { ...(doc.skills[id] ?? {}) };
          change(current);
          const old = doc.skills[id] ?? {};
          changedKeys = [...new Set([...Object.keys(old), ...Object.keys(current)])].filter((k) => old[k] !== current[k]).sort();
          if (changedKeys.length === 0) return false;
          if (Object.keys(current).length === 0) delete doc.skills[id];
          else doc.skills[id] = current;
          return true;
        },
        (found) => this.#changes.observe(file, scope, found),
      );
    } catch (err) {
      this.#changes.failed(file, scope, err);
      throw err;
    }
    if (result.after !== result.before) {
      this.#changes.wrote(file, scope, result.before, result.after, id);
    }
    return { revision: String(result.after.revision), changedKeys };
  }
}
