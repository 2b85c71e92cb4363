// Staging of a `local_dir` source: the folder is copied into `<stagingDir>/<id>/` under the same
// rules as a zip (no links or special files, entry and size limits, a skill.yaml at the top), so
// the manager can treat both sources alike and never installs a folder the user keeps editing.
import { constants as fsConstants } from 'node:fs';
import { copyFile, lstat, mkdir, readdir, rm, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';

import { checkExpectedSkillId, effectiveLimits, type ArchiveLimits, type ExtractedSkill } from './archive.js';
import { LifecycleError } from './errors.js';

interface PlannedItem {
  relative: string[];
  directory: boolean;
}

function cancelledError(): LifecycleError {
  return new LifecycleError('cancelled', 'skill folder staging was cancelled');
}

async function planTree(sourceDir: string, limits: { maxEntries: number; maxUnpackedBytes: number }, signal?: AbortSignal): Promise<PlannedItem[]> {
  const planned: PlannedItem[] = [];
  let bytes = 0;
  const walk = async (relative: string[]): Promise<void> => {
    const names = (await readdir(path.join(sourceDir, ...relative))).sort();
    for (const name of names) {
      if (signal?.aborted) throw cancelledError();
      const itemPath = [...relative, name];
      const shown = itemPath.join('/');
      const info = await lstat(path.join(sourceDir, ...itemPath));
      if (info.isSymbolicLink()) throw new LifecycleError('archive_invalid', `'${shown}' is a symbolic link; links are not allowed in skill packages`);
      if (!info.isDirectory() && !info.isFile()) throw new LifecycleError('archive_invalid', `'${shown}' is not a regular file or folder`);
      if (planned.length >= limits.maxEntries) {
        throw new LifecycleError('archive_invalid', `'${shown}' exceeds the limit of ${limits.maxEntries} entries per skill package`);
      }
      planned.push({ relative: itemPath, directory: info.isDirectory() });
      if (info.isDirectory()) {
        await walk(itemPath);
      } else {
        bytes += info.size;
        if (bytes > limits.maxUnpackedBytes) {
          throw new LifecycleError('archive_invalid', `'${shown}' takes the package over the limit of ${limits.maxUnpackedBytes} unpacked bytes`);
        }
      }
    }
  };
  await walk([]);
  return planned;
}

/**
 * Copies the skill folder `sourceDir` to `<stagingDir>/<expectedSkillId>/`. Symbolic links and
 * special files are refused (`archive_invalid`, naming the item), as are more than `maxEntries`
 * items or `maxUnpackedBytes` bytes, and a folder without a top-level `skill.yaml`. On failure
 * what was copied is removed, and `stagingDir` too if this call created it.
 * @throws {LifecycleError} `invalid_request`, `source_unresolved`, `archive_invalid`, `cancelled`, `io_failed`.
 */
export async function copySkillDir(
  sourceDir: string,
  stagingDir: string,
  expectedSkillId: string,
  limits: ArchiveLimits = {},
  signal?: AbortSignal,
): Promise<ExtractedSkill> {
  checkExpectedSkillId(expectedSkillId);
  const source = path.resolve(sourceDir);
  const manifest = await stat(path.join(source, 'skill.yaml')).catch(() => undefined);
  if (!manifest?.isFile()) throw new LifecycleError('source_unresolved', `local skill folder ${source} does not contain skill.yaml`);
  const effective = effectiveLimits(limits);
  let planned: PlannedItem[];
  try {
    planned = await planTree(source, effective, signal);
  } catch (error) {
    if (error instanceof LifecycleError) throw error;
    throw new LifecycleError('io_failed', `Failed to read ${source}: ${(error as Error).message}`, { cause: error });
  }
  const stagingRoot = path.resolve(stagingDir);
  const skillDir = path.join(stagingRoot, expectedSkillId);
  if (skillDir === source || source.startsWith(`${skillDir}${path.sep}`) || skillDir.startsWith(`${source}${path.sep}`)) {
    throw new LifecycleError('invalid_request', `staging folder ${skillDir} overlaps the source ${source}`);
  }
  if (await stat(skillDir).then(() => true, () => false)) {
    throw new LifecycleError('invalid_request', `staging target ${skillDir} already exists`);
  }
  const createdStaging = !(await stat(stagingRoot).then(() => true, () => false));
  let madeSkillDir = false;
  try {
    await mkdir(stagingRoot, { recursive: true });
    await mkdir(skillDir);
    madeSkillDir = true;
    let files = 0;
    let bytes = 0;
    for (const item of planned) {
      if (signal?.aborted) throw cancelledError();
      const target = path.join(skillDir, ...item.relative);
      if (item.directory) {
        await mkdir(target, { recursive: true });
        continue;
      }
      await mkdir(path.dirname(target), { recursive: true });
      const from = path.join(source, ...item.relative);
      // Re-check: the folder may have changed since it was planned.
      const info = await lstat(from);
      if (!info.isFile()) throw new LifecycleError('archive_invalid', `'${item.relative.join('/')}' changed while it was being staged`);
      await copyFile(from, target, fsConstants.COPYFILE_EXCL);
      files += 1;
      bytes += info.size;
      if (bytes > effective.maxUnpackedBytes) {
        throw new LifecycleError('archive_invalid', `'${item.relative.join('/')}' takes the package over the limit of ${effective.maxUnpackedBytes} unpacked bytes`);
      }
    }
    return { skillDir, files, bytes };
  } catch (error) {
    if (madeSkillDir) await rm(skillDir, { recursive: true, force: true }).catch(() => undefined);
    if (createdStaging) await rmdir(stagingRoot).catch(() => undefined);
    if (error instanceof LifecycleError) throw error;
    throw new LifecycleError('io_failed', `Failed to stage ${source}: ${(error as Error).message}`, { cause: error });
  }
}
