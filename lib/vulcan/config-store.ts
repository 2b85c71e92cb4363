// The skill config store (upstream 0.4.6 string config): one JSON file
// `{"skills": {"<skill_id>": {"<key>": "<value>"}}}` shared by every skill of an engine, each
// skill seeing only its own namespace. Writes are read-modify-write under a per-file lock, to a
// temp file that is fsynced and renamed over the old one: a crash at any point leaves either the
// old or the new document, never a torn one. A corrupt file is reported and never overwritten.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';

import { CONFIG_LIMITS, ConfigValueIssue, checkConfigValue, type DeclaredConfigItem, type SkillConfigValue } from '../skills/config-declaration.js';
import { identifierError } from '../skills/identifiers.js';
import { SkillConfigError, type SkillConfigErrorCode } from './config-errors.js';

/** One stored value, as persisted (a string). */
export interface SkillConfigEntry {
  skill_id: string;
  key: string;
  /** The stored string; {@link SENSITIVE_CONFIG_MASK} for a value declared `sensitive`. */
  value: string;
  /** Present (true) when the value is declared sensitive and therefore masked. */
  sensitive?: true;
}

/** What list/describe output shows instead of a sensitive value. */
export const SENSITIVE_CONFIG_MASK = '********';

/** The declared config of a skill: `undefined` when the skill is not loaded, `[]` when it declares none. */
export type SkillConfigDeclarationSource = (skillId: string) => readonly DeclaredConfigItem[] | undefined;

export interface SkillConfigGetResult {
  found: boolean;
  skill_id: string;
  key: string;
  /** Typed for a declared key (the stored value, else the declared default); a string otherwise. */
  value?: SkillConfigValue;
  /** Declared keys only: where the value comes from. */
  state?: 'configured' | 'default';
}

export interface SkillConfigSetResult {
  action: 'set';
  skill_id: string;
  /** The store revision after the write (unchanged when nothing changed). */
  revision: string;
  /** Single-key form only. */
  key?: string;
  value?: SkillConfigValue;
  /** Whether the file changed (false when every value was already stored as given). */
  changed: boolean;
  /** The written values, normalized (typed for declared keys). */
  values: Record<string, SkillConfigValue>;
  changed_keys: string[];
}

/** One declared item with its state: upstream's single `state` plus `satisfied`. */
export interface SkillConfigItemDescription extends DeclaredConfigItem {
  state: 'unset' | 'missing' | 'default' | 'configured' | 'invalid';
  satisfied: boolean;
  /** With `includeValues`: the effective value, never for a sensitive item. */
  value?: SkillConfigValue;
  /** With `includeValues`: true when the item is sensitive and has a value that is withheld. */
  masked?: boolean;
  /** For `invalid`: why the stored value no longer fits the declaration (never the value). */
  issue?: SkillConfigIssue;
}

export interface SkillConfigIssue {
  key: string;
  code: string;
  message: string;
}

export interface SkillConfigDescription {
  skill_id: string;
  /** False when the skill declares no `config:` (0.4.6 string config applies). */
  declared: boolean;
  complete: boolean;
  /** The store revision the description was read at. */
  revision: string;
  store_scope: 'skills';
  missing_count: number;
  invalid_count: number;
  orphaned_count: number;
  items: SkillConfigItemDescription[];
  /** Stored keys the package no longer declares. */
  orphaned: string[];
}

export interface SkillConfigValidation {
  skill_id: string;
  declared: boolean;
  complete: boolean;
  revision: string;
  store_scope: 'skills';
  missing: string[];
  invalid: SkillConfigIssue[];
  orphaned: string[];
}

// On disk: `{format_version: 1, revision: "<decimal>", skills}` (0.5.5); a 0.4.6 `{skills}` file
// reads as revision "0" and gains the two fields on its next write.
type Document = { revision: bigint; skills: Record<string, Record<string, string>> };

/** Options of a write: compare-and-swap on the store revision (a decimal string, as upstream). */
export interface SkillConfigWriteOptions {
  expectedRevision?: string;
}

export interface SkillConfigStoreOptions {
  /** How long a write waits for the cross-process `.lock` file (default 5000 ms, at most 60000). */
  lockTimeoutMs?: number;
}

const REVISION_TEXT = /^(0|[1-9][0-9]{0,19})$/;
const MAX_REVISION = 18446744073709551615n;

function checkExpectedRevision(options: SkillConfigWriteOptions | undefined): bigint | undefined {
  const expected = options?.expectedRevision;
  if (expected === undefined) return undefined;
  if (typeof expected !== 'string' || !REVISION_TEXT.test(expected) || BigInt(expected) > MAX_REVISION) {
    throw new SkillConfigError('config_revision_invalid', 'CONFIG_REVISION_INVALID: expectedRevision must be a decimal string of an unsigned 64-bit integer');
  }
  return BigInt(expected);
}

// Per-file write queues. This is the one piece of state shared between engines, on purpose: two
// engines of one process that share a config file must not interleave their read-modify-writes.
const fileQueues = new Map<string, Promise<unknown>>();

function serialized<T>(file: string, work: () => Promise<T>): Promise<T> {
  const previous = fileQueues.get(file) ?? Promise.resolve();
  const next = previous.then(work, work);
  const tail = next.catch(() => undefined);
  fileQueues.set(file, tail);
  void tail.then(() => {
    if (fileQueues.get(file) === tail) fileQueues.delete(file);
  });
  return next;
}

function checkSkillId(skillId: unknown): string {
  if (typeof skillId !== 'string') throw new SkillConfigError('invalid_skill_id', `invalid skill config skill_id: ${String(skillId)}`);
  const problem = identifierError(skillId, 'skill_id');
  if (problem) throw new SkillConfigError('invalid_skill_id', `invalid skill config skill_id: ${problem}`);
  return skillId;
}

function checkKey(key: unknown): string {
  if (typeof key !== 'string') throw new SkillConfigError('invalid_key', 'skill config key must be a string');
  const trimmed = key.trim();
  if (!trimmed) throw new SkillConfigError('invalid_key', 'skill config key must not be empty');
  if (trimmed.includes('\0')) throw new SkillConfigError('invalid_key', 'skill config key must not contain NUL bytes');
  return trimmed;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function declaredKey(skillId: string, items: readonly DeclaredConfigItem[], key: unknown): DeclaredConfigItem {
  if (typeof key !== 'string') throw new SkillConfigError('invalid_key', 'skill config key must be a string');
  const item = items.find((i) => i.key === key);
  if (!item) {
    const shown = key.length > 128 ? `${key.slice(0, 128)}...` : key;
    throw new SkillConfigError('config_key_undeclared', `CONFIG_KEY_UNDECLARED: skill '${skillId}' does not declare config key '${shown}'`);
  }
  return item;
}

// The state of one declared item given its stored string (upstream's five states).
function itemState(item: DeclaredConfigItem, stored: string | undefined): { state: SkillConfigItemDescription['state']; value?: SkillConfigValue; issue?: SkillConfigIssue } {
  if (stored !== undefined) {
    try {
      return { state: 'configured', value: checkConfigValue(item, stored).value };
    } catch (err) {
      if (!(err instanceof ConfigValueIssue)) throw err;
      return { state: 'invalid', issue: { key: item.key, code: err.problem, message: err.message } };
    }
  }
  if (item.default !== null) return { state: 'default', value: item.default };
  return { state: item.required ? 'missing' : 'unset' };
}

const issueCode = (issue: ConfigValueIssue): SkillConfigErrorCode => issue.problem.toLowerCase() as SkillConfigErrorCode;

function checkDeclaredValue(item: DeclaredConfigItem, value: unknown): { value: SkillConfigValue; stored: string } {
  try {
    return checkConfigValue(item, value);
  } catch (err) {
    if (err instanceof ConfigValueIssue) throw new SkillConfigError(issueCode(err), err.message);
    throw err;
  }
}

export class SkillConfigStore {
  readonly #resolveFile: () => string;
  /**
   * Where the 0.5.5 declarations come from (the engine sets it to its loaded skills). A skill that
   * declares `config:` gets typed, validated values; any other skill keeps the 0.4.6 string store.
   */
  declarations: SkillConfigDeclarationSource | null = null;

  /** `resolveFile` names the store file; it throws `config_path_unavailable` when it cannot. */
  readonly #lockTimeoutMs: number;

  constructor(resolveFile: () => string, options: SkillConfigStoreOptions = {}) {
    this.#resolveFile = resolveFile;
    this.#lockTimeoutMs = Math.min(Math.max(options.lockTimeoutMs ?? 5000, 0), 60_000);
  }

  /** The current store revision (a decimal string; "0" for a missing or 0.4.6 file). */
  async revision(): Promise<string> {
    return String((await this.#read(this.filePath)).revision);
  }

  /** The store file (absolute). */
  get filePath(): string {
    return this.#resolveFile();
  }

  /** Every value, or one skill's, sorted by skill id then key. */
  async list(skillId?: string): Promise<SkillConfigEntry[]> {
    const only = skillId === undefined ? undefined : checkSkillId(skillId);
    const doc = await this.#read(this.filePath);
    const out: SkillConfigEntry[] = [];
    for (const id of Object.keys(doc.skills).sort()) {
      if (only !== undefined && id !== only) continue;
      const values = doc.skills[id] ?? {};
      const declared = this.declaredItems(id);
      for (const key of Object.keys(values).sort()) {
        if (declared?.find((item) => item.key === key)?.sensitive) out.push({ skill_id: id, key, value: SENSITIVE_CONFIG_MASK, sensitive: true });
        else out.push({ skill_id: id, key, value: values[key] as string });
      }
    }
    return out;
  }

  /** The declarations of a loaded skill that declares `config:`, else `null`. */
  declaredItems(skillId: string): readonly DeclaredConfigItem[] | null {
    const items = this.declarations?.(skillId);
    return items && items.length > 0 ? items : null;
  }

  /**
   * One skill's values as an object. For a declared skill: the effective typed value of every
   * declared key (stored, else default), without sensitive keys and without stored values that no
   * longer fit their declaration.
   */
  async values(skillId: string): Promise<Record<string, SkillConfigValue>> {
    const id = checkSkillId(skillId);
    const doc = await this.#read(this.filePath);
    const stored = doc.skills[id] ?? {};
    const declared = this.declaredItems(id);
    if (!declared) return { ...stored };
    const out: Record<string, SkillConfigValue> = {};
    for (const item of declared) {
      if (item.sensitive) continue;
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
    const doc = await this.#read(this.filePath);
    const stored = doc.skills[id]?.[k];
    if (declared) {
      const item = declaredKey(id, declared, k);
      const state = itemState(item, stored);
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
    const value = single ? valueOrOptions : undefined;
    const expected = checkExpectedRevision(single ? maybeOptions : (valueOrOptions as SkillConfigWriteOptions | undefined));
    let patch: [string, unknown][];
    if (single) patch = [[keyOrValues, value]];
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
    const changedKeys: string[] = [];
    const revision = await this.#update(expected, (doc) => {
      const current = (doc.skills[id] ??= {});
      for (const [k, v] of Object.entries(strings)) {
        if (current[k] === v) continue;
        current[k] = v;
        changedKeys.push(k);
      }
      if (Object.keys(current).length === 0) delete doc.skills[id];
      return changedKeys.length > 0;
    });
    const result: SkillConfigSetResult = {
      action: 'set',
      skill_id: id,
      revision,
      changed: changedKeys.length > 0,
      values: typed,
      changed_keys: changedKeys.sort(),
    };
    if (single) {
      const only = Object.keys(typed)[0] as string;
      result.key = only;
      result.value = typed[only] as SkillConfigValue;
    }
    return result;
  }

  /**
   * The declared config of a loaded skill with each item's state; with `includeValues` also the
   * effective values, except sensitive ones (`masked: true` instead). `config_package_not_found`
   * when the skill is not loaded.
   */
  async describe(skillId: string, options: { includeValues?: boolean } = {}): Promise<SkillConfigDescription> {
    const id = checkSkillId(skillId);
    const items = this.declarations?.(id);
    if (items === undefined) throw new SkillConfigError('config_package_not_found', `CONFIG_PACKAGE_NOT_FOUND: skill '${id}' is not loaded`);
    const doc = await this.#read(this.filePath);
    const stored = doc.skills[id] ?? {};
    const described = items.map((item): SkillConfigItemDescription => {
      const state = itemState(item, stored[item.key]);
      const out: SkillConfigItemDescription = { ...item, constraints: { ...item.constraints }, options: item.options.map((o) => ({ ...o })), state: state.state, satisfied: state.state !== 'missing' && state.state !== 'invalid' };
      if (state.issue) out.issue = state.issue;
      if (options.includeValues && state.value !== undefined) {
        if (item.sensitive) out.masked = true;
        else out.value = state.value;
      }
      return out;
    });
    const orphaned = Object.keys(stored).filter((k) => !items.some((item) => item.key === k)).sort();
    const missing = described.filter((i) => i.state === 'missing').length;
    const invalid = described.filter((i) => i.state === 'invalid').length;
    return {
      skill_id: id,
      declared: items.length > 0,
      complete: missing === 0 && invalid === 0,
      revision: String(doc.revision),
      store_scope: 'skills',
      missing_count: missing,
      invalid_count: invalid,
      orphaned_count: items.length > 0 ? orphaned.length : 0,
      items: described,
      orphaned: items.length > 0 ? orphaned : [],
    };
  }

  /** Whether a loaded skill's config is complete: required keys without value, stored values that no longer fit. */
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
      orphaned: d.orphaned,
    };
  }

  /** Removes one key (and the skill's namespace once empty); `deleted` says whether it was there. */
  async delete(
    skillId: string,
    key: string,
    options?: SkillConfigWriteOptions,
  ): Promise<{ action: 'delete'; skill_id: string; key: string; deleted: boolean; revision: string }> {
    const id = checkSkillId(skillId);
    const k = checkKey(key);
    const expected = checkExpectedRevision(options);
    let deleted = false;
    const revision = await this.#update(expected, (doc) => {
      const values = doc.skills[id];
      if (!values || !(k in values)) return false;
      delete values[k];
      if (Object.keys(values).length === 0) delete doc.skills[id];
      deleted = true;
      return true;
    });
    return { action: 'delete', skill_id: id, key: k, deleted, revision };
  }

  async #read(file: string): Promise<Document> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { revision: 0n, skills: {} };
      throw new SkillConfigError('config_io', `cannot read skill config file ${file}: ${(err as Error).message}`, { cause: err });
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw new SkillConfigError('config_corrupt', `skill config file ${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
    }
    if (!isPlainObject(doc)) throw new SkillConfigError('config_corrupt', `skill config file ${file} must hold a JSON object`);
    if (doc.format_version !== undefined && doc.format_version !== 1) {
      throw new SkillConfigError('config_corrupt', `skill config file ${file}: CONFIG_FORMAT_VERSION_UNSUPPORTED: format_version must be 1`);
    }
    let revision = 0n;
    if (doc.revision !== undefined) {
      if (typeof doc.revision !== 'string' || !REVISION_TEXT.test(doc.revision) || BigInt(doc.revision) > MAX_REVISION) {
        throw new SkillConfigError('config_corrupt', `skill config file ${file}: CONFIG_REVISION_INVALID: revision must be a decimal string`);
      }
      revision = BigInt(doc.revision);
    }
    const skills = doc.skills ?? {};
    if (!isPlainObject(skills)) throw new SkillConfigError('config_corrupt', `skill config file ${file}: "skills" must be an object`);
    for (const [id, values] of Object.entries(skills)) {
      if (!isPlainObject(values) || Object.values(values).some((v) => typeof v !== 'string')) {
        throw new SkillConfigError('config_corrupt', `skill config file ${file}: skills.${id} must map keys to strings`);
      }
    }
    return { revision, skills: skills as Document['skills'] };
  }

  // Read, change, write back atomically, holding the in-process queue and the cross-process
  // `.lock` file; `change` returns false when there is nothing to write. Returns the revision after.
  #update(expected: bigint | undefined, change: (doc: Document) => boolean): Promise<string> {
    const file = this.filePath;
    return serialized(file, () =>
      withFileLock(`${file}.lock`, this.#lockTimeoutMs, async () => {
        const doc = await this.#read(file);
        if (expected !== undefined && expected !== doc.revision) {
          throw new SkillConfigError(
            'config_revision_conflict',
            `CONFIG_REVISION_CONFLICT: expected revision ${expected}, the store is at revision ${doc.revision}`,
          );
        }
        if (!change(doc)) return String(doc.revision);
        if (doc.revision >= MAX_REVISION) throw new SkillConfigError('config_revision_exhausted', 'CONFIG_REVISION_EXHAUSTED: the store revision cannot grow any further');
        const revision = doc.revision + 1n;
        const out = { format_version: 1, revision: String(revision), skills: doc.skills };
        await writeAtomically(file, JSON.stringify(out, null, 2));
        return String(revision);
      }),
    );
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// A lock is stale when its process (on this host) is gone, or when it stayed empty for 10 s (its
// creator died between creating and writing it). Locks of other hosts are never taken over.
async function isStaleLock(lockFile: string, holder: string): Promise<boolean> {
  const [pid, host] = holder.split(' ');
  if (host === hostname() && pid !== undefined && /^[0-9]+$/.test(pid)) return !processAlive(Number(pid));
  if (holder !== '') return false;
  const info = await stat(lockFile).catch(() => null);
  return info !== null && Date.now() - info.mtimeMs > 10_000;
}

/**
 * Runs `work` holding `lockFile`, created exclusively (O_EXCL) with `<pid> <hostname>` inside and
 * removed afterwards. A lock whose process on this host is gone is taken over; otherwise the
 * writer retries until `timeoutMs` and then fails with CONFIG_LOCK_TIMEOUT.
 */
async function withFileLock<T>(lockFile: string, timeoutMs: number, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  const owner = `${process.pid} ${hostname()}`;
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    try {
      await mkdir(path.dirname(lockFile), { recursive: true });
      const handle = await open(lockFile, 'wx', 0o644);
      try {
        await handle.writeFile(owner, 'utf8');
      } finally {
        await handle.close();
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new SkillConfigError('config_lock_failed', `CONFIG_LOCK_FAILED: cannot create ${lockFile}: ${(err as Error).message}`, { cause: err });
      }
    }
    const holder = await readFile(lockFile, 'utf8').catch(() => '');
    if (await isStaleLock(lockFile, holder)) {
      // The holder died while writing: its temp file (if any) never replaced the store. Re-read
      // just before removing, so a lock another writer has just taken over is left alone.
      if ((await readFile(lockFile, 'utf8').catch(() => null)) === holder) await unlink(lockFile).catch(() => undefined);
      continue;
    }
    if (Date.now() >= deadline) {
      throw new SkillConfigError('config_lock_timeout', `CONFIG_LOCK_TIMEOUT: ${lockFile} is held by another writer (${holder.trim() || 'unknown'})`);
    }
    await sleep(delay);
  }
  try {
    return await work();
  } finally {
    await unlink(lockFile).catch(() => undefined);
  }
}

/** Writes `text` to a fresh temp file beside `file`, fsyncs it, renames it over `file`, fsyncs the directory. */
export async function writeAtomically(file: string, text: string): Promise<void> {
  const dir = path.dirname(file);
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await mkdir(dir, { recursive: true });
    const handle = await open(temp, 'wx', 0o644);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw new SkillConfigError('config_io', `cannot write skill config file ${file}: ${(err as Error).message}`, { cause: err });
  }
  // The rename is durable once the directory entry is: best effort (not every platform can).
  try {
    const handle = await open(dir, 'r');
    await handle.sync().finally(() => handle.close());
  } catch {
    /* directories cannot be fsynced everywhere */
  }
}
