// File moves of the lifecycle transactions: move directories (rename, or copy and remove across
// file systems), and remove leftovers quietly.
import { cp, mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';

import { LifecycleError } from './errors.js';

/** Moves `from` to `to` (which must not exist). */
export async function moveDir(from: string, to: string): Promise<void> {
  await mkdir(path.dirname(to), { recursive: true });
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') {
      throw new LifecycleError('io_failed', `cannot move ${from} to ${to}: ${(err as Error).message}`, { cause: err });
    }
    await cp(from, to, { recursive: true, errorOnExist: true, force: false, verbatimSymlinks: true });
    await rm(from, { recursive: true, force: true });
  }
}

export async function removeQuietly(dir: string | undefined): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
}
