// Serialises lifecycle operations on one state directory: in this process through a queue, across
// processes through `<state>/lifecycle.lock` created exclusively. A lock whose owner process is
// gone (or that is older than `staleMs`) is taken over, so a crashed process cannot hold it forever.
import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';

import { LifecycleError } from './errors.js';

export interface LockOptions {
  /** Give up after this long (default 30 s). */
  timeoutMs?: number;
  /** A lock older than this is stale whatever its owner (default 10 min). */
  staleMs?: number;
  signal?: AbortSignal;
}

const queues = new Map<string, Promise<unknown>>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function isStale(file: string, staleMs: number): Promise<boolean> {
  try {
    const [text, info] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    if (Date.now() - info.mtimeMs > staleMs) return true;
    const pid = Number((JSON.parse(text) as { pid?: unknown }).pid);
    return !Number.isInteger(pid) || pid <= 0 || !alive(pid);
  } catch {
    return true; // unreadable or half-written by a dead writer
  }
}

async function take(file: string, o: Required<Omit<LockOptions, 'signal'>> & { signal?: AbortSignal }): Promise<void> {
  const deadline = Date.now() + o.timeoutMs;
  await mkdir(path.dirname(file), { recursive: true });
  for (;;) {
    if (o.signal?.aborted) throw new LifecycleError('cancelled', 'the lifecycle operation was cancelled while waiting for the lock');
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(JSON.stringify({ pid: process.pid, created_at_unix_ms: Date.now() }));
      await handle.close();
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new LifecycleError('io_failed', `cannot create the lifecycle lock ${file}: ${(err as Error).message}`, { cause: err });
      }
    }
    if (await isStale(file, o.staleMs)) {
      await rm(file, { force: true });
      continue;
    }
    if (Date.now() >= deadline) throw new LifecycleError('locked', `another lifecycle operation holds ${file}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs `work` while holding the lifecycle lock of `stateDir`. */
export function withLifecycleLock<T>(stateDir: string, work: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const file = path.join(stateDir, 'lifecycle.lock');
  const o = { timeoutMs: options.timeoutMs ?? 30_000, staleMs: options.staleMs ?? 600_000, ...(options.signal ? { signal: options.signal } : {}) };
  const run = async (): Promise<T> => {
    await take(file, o);
    try {
      return await work();
    } finally {
      await rm(file, { force: true });
    }
  };
  const previous = queues.get(file) ?? Promise.resolve();
  const next = previous.then(run, run);
  const tail = next.catch(() => undefined);
  queues.set(file, tail);
  void tail.then(() => {
    if (queues.get(file) === tail) queues.delete(file);
  });
  return next;
}
