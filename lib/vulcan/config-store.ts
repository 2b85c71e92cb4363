// The skill config store (upstream 0.4.6 string config): one JSON file
// `{"skills": {"<skill_id>": {"<key>": "<value>"}}}` shared by every skill of an engine, each
// skill seeing only its own namespace. Writes are read-modify-write under a per-file lock, to a
// temp file that is fsynced and renamed over the old one: a crash at any point leaves either the
// old or the new document, never a torn one. A corrupt file is reported and never overwritten.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

import { identifierError } from '../skills/identifiers.js';
import { SkillConfigError } from './config-errors.js';

/** One stored value. */
export interface SkillConfigEntry {
  skill_id: string;
  key: string;
  value: string;
}

type Document = { skills: Record<string, Record<string, string>> };

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

export class SkillConfigStore {
  readonly #resolveFile: () => string;

  /** `resolveFile` names the store file; it throws `config_path_unavailable` when it cannot. */
  constructor(resolveFile: () => string) {
    this.#resolveFile = resolveFile;
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
      for (const key of Object.keys(values).sort()) out.push({ skill_id: id, key, value: values[key] as string });
    }
    return out;
  }

  /** One skill's values as an object. */
  async values(skillId: string): Promise<Record<string, string>> {
    const id = checkSkillId(skillId);
    const doc = await this.#read(this.filePath);
    return { ...(doc.skills[id] ?? {}) };
  }

  async get(skillId: string, key: string): Promise<{ found: boolean; skill_id: string; key: string; value?: string }> {
    const id = checkSkillId(skillId);
    const k = checkKey(key);
    const doc = await this.#read(this.filePath);
    const value = doc.skills[id]?.[k];
    return value === undefined ? { found: false, skill_id: id, key: k } : { found: true, skill_id: id, key: k, value };
  }

  async set(skillId: string, key: string, value: string): Promise<{ action: 'set'; skill_id: string; key: string; value: string }> {
    const id = checkSkillId(skillId);
    const k = checkKey(key);
    if (typeof value !== 'string') throw new SkillConfigError('invalid_value', 'skill config value must be a string');
    await this.#update((doc) => {
      (doc.skills[id] ??= {})[k] = value;
      return true;
    });
    return { action: 'set', skill_id: id, key: k, value };
  }

  /** Removes one key (and the skill's namespace once empty); `deleted` says whether it was there. */
  async delete(skillId: string, key: string): Promise<{ action: 'delete'; skill_id: string; key: string; deleted: boolean }> {
    const id = checkSkillId(skillId);
    const k = checkKey(key);
    let deleted = false;
    await this.#update((doc) => {
      const values = doc.skills[id];
      if (!values || !(k in values)) return false;
      delete values[k];
      if (Object.keys(values).length === 0) delete doc.skills[id];
      deleted = true;
      return true;
    });
    return { action: 'delete', skill_id: id, key: k, deleted };
  }

  async #read(file: string): Promise<Document> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { skills: {} };
      throw new SkillConfigError('config_io', `cannot read skill config file ${file}: ${(err as Error).message}`, { cause: err });
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw new SkillConfigError('config_corrupt', `skill config file ${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
    }
    if (!isPlainObject(doc)) throw new SkillConfigError('config_corrupt', `skill config file ${file} must hold a JSON object`);
    const skills = doc.skills ?? {};
    if (!isPlainObject(skills)) throw new SkillConfigError('config_corrupt', `skill config file ${file}: "skills" must be an object`);
    for (const [id, values] of Object.entries(skills)) {
      if (!isPlainObject(values) || Object.values(values).some((v) => typeof v !== 'string')) {
        throw new SkillConfigError('config_corrupt', `skill config file ${file}: skills.${id} must map keys to strings`);
      }
    }
    return { skills: skills as Document['skills'] };
  }

  // Read, change, write back atomically; `change` returns false when there is nothing to write.
  #update(change: (doc: Document) => boolean): Promise<void> {
    const file = this.filePath;
    return serialized(file, async () => {
      const doc = await this.#read(file);
      if (!change(doc)) return;
      await writeAtomically(file, JSON.stringify(doc, null, 2));
    });
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
