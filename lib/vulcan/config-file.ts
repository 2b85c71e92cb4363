// One skill config store file on disk: `{format_version: 1, revision: "<decimal>", skills}`
// (upstream 0.5.5; a 0.4.6 `{skills}` file reads as revision "0" and gains the two fields on its
// next write). Reads are cached by the file's identity (inode, size, mtime in ns): every write
// here is a rename, which changes the inode, so an edit by any process is seen on the next read
// without re-parsing an unchanged file on every `vulcan.config.get`. Writes are read-modify-write
// under a per-file queue (this process) and a `.lock` file (other processes), to a temp file that
// is fsynced and renamed: a crash leaves the old or the new document, never a torn one.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';

import { SkillConfigError } from './config-errors.js';

/** The parsed store: the revision and every skill's stored strings. */
export interface ConfigDocument {
  revision: bigint;
  skills: Record<string, Record<string, string>>;
}

export const EMPTY_DOCUMENT: ConfigDocument = Object.freeze({ revision: 0n, skills: Object.freeze({}) as ConfigDocument['skills'] });

const REVISION_TEXT = /^(0|[1-9][0-9]{0,19})$/;
const MAX_REVISION = 18446744073709551615n;

/** Parses a decimal u64 text (revisions, event sequences); undefined when it is not one. */
export function parseU64(text: unknown): bigint | undefined {
  if (typeof text !== 'string' || !REVISION_TEXT.test(text)) return undefined;
  const value = BigInt(text);
  return value > MAX_REVISION ? undefined : value;
}

/** `expectedRevision` of a write: a decimal string of an unsigned 64-bit integer. */
export function checkExpectedRevision(expected: unknown): bigint | undefined {
  if (expected === undefined) return undefined;
  const value = parseU64(expected);
  if (value === undefined) {
    throw new SkillConfigError('config_revision_invalid', 'CONFIG_REVISION_INVALID: expectedRevision must be a decimal string of an unsigned 64-bit integer');
  }
  return value;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses and checks a store document; `config_corrupt` names the file and what is wrong. */
export function parseConfigDocument(file: string, text: string): ConfigDocument {
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
    const parsed = parseU64(doc.revision);
    if (parsed === undefined) throw new SkillConfigError('config_corrupt', `skill config file ${file}: CONFIG_REVISION_INVALID: revision must be a decimal string`);
    revision = parsed;
  }
  const skills = doc.skills ?? {};
  if (!isPlainObject(skills)) throw new SkillConfigError('config_corrupt', `skill config file ${file}: "skills" must be an object`);
  for (const [id, values] of Object.entries(skills)) {
    if (!isPlainObject(values) || Object.values(values).some((v) => typeof v !== 'string')) {
      throw new SkillConfigError('config_corrupt', `skill config file ${file}: skills.${id} must map keys to strings`);
    }
  }
  return { revision, skills: skills as ConfigDocument['skills'] };
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

type Stamp = string;

/** A store file with its read cache. Documents it returns are frozen: never mutate them. */
export class ConfigFile {
  readonly path: string;
  readonly #lockTimeoutMs: number;
  #cache: { stamp: Stamp; doc: ConfigDocument } | null = null;

  constructor(file: string, lockTimeoutMs: number) {
    this.path = file;
    this.#lockTimeoutMs = lockTimeoutMs;
  }

  /** The current document (a missing file is revision 0 with no skills). */
  async read(): Promise<ConfigDocument> {
    let stamp: Stamp;
    try {
      const info = await stat(this.path, { bigint: true });
      stamp = `${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY_DOCUMENT;
      throw new SkillConfigError('config_io', `cannot read skill config file ${this.path}: ${(err as Error).message}`, { cause: err });
    }
    if (this.#cache?.stamp === stamp) return this.#cache.doc;
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY_DOCUMENT;
      throw new SkillConfigError('config_io', `cannot read skill config file ${this.path}: ${(err as Error).message}`, { cause: err });
    }
    const doc = freeze(parseConfigDocument(this.path, text));
    this.#cache = { stamp, doc };
    return doc;
  }

  /**
   * Read, change, write back atomically, holding the in-process queue and the cross-process
   * `.lock` file. `change` gets a mutable copy and returns false when there is nothing to write.
   * `onRead` sees the document as found under the lock (before the change). Returns the
   * document after the write (or as found, when nothing changed).
   */
  update(
    expected: bigint | undefined,
    change: (doc: ConfigDocument) => boolean,
    onRead?: (doc: ConfigDocument) => void,
  ): Promise<{ before: ConfigDocument; after: ConfigDocument }> {
    return serialized(this.path, () =>
      withFileLock(`${this.path}.lock`, this.#lockTimeoutMs, async () => {
        const before = await this.read();
        onRead?.(before);
        if (expected !== undefined && expected !== before.revision) {
          throw new SkillConfigError(
            'config_revision_conflict',
            `CONFIG_REVISION_CONFLICT: expected revision ${expected}, the store is at revision ${before.revision}`,
          );
        }
        const doc: ConfigDocument = { revision: before.revision, skills: Object.fromEntries(Object.entries(before.skills).map(([id, v]) => [id, { ...v }])) };
        if (!change(doc)) return { before, after: before };
        if (doc.revision >= MAX_REVISION) throw new SkillConfigError('config_revision_exhausted', 'CONFIG_REVISION_EXHAUSTED: the store revision cannot grow any further');
        doc.revision += 1n;
        await writeAtomically(this.path, JSON.stringify({ format_version: 1, revision: String(doc.revision), skills: doc.skills }, null, 2));
        return { before, after: freeze(doc) };
      }),
    );
  }
}

function freeze(doc: ConfigDocument): ConfigDocument {
  for (const values of Object.values(doc.skills)) Object.freeze(values);
  Object.freeze(doc.skills);
  return Object.freeze(doc);
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
