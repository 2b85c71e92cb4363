// File moves of the lifecycle transactions: copy a package into staging, move directories
// (rename, or copy and remove across file systems), and remove leftovers quietly.
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

/** Copies a package directory into `stagingDir/<skillId>`; links inside are refused. */
export async function stageDirectory(source: string, stagingDir: string, skillId: string): Promise<string> {
  const target = path.join(stagingDir, skillId);
  await mkdir(stagingDir, { recursive: true });
  try {
    await cp(source, target, {
      recursive: true,
      errorOnExist: true,
      force: false,
      filter: async (src) => {
        const { lstat } = await import('node:fs/promises');
        if ((await lstat(src)).isSymbolicLink()) throw new LifecycleError('archive_invalid', `symbolic links are not allowed in a skill package: ${src}`);
        return true;
      },
    });
  } catch (err) {
    if (err instanceof LifecycleError) throw err;
    throw new LifecycleError('io_failed', `cannot stage ${source}: ${(err as Error).message}`, { cause: err });
  }
  return target;
}

export async function removeQuietly(dir: string | undefined): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
}
