// Installing a downloaded payload's exports into a folder (upstream `install_downloaded_payload`):
// `raw` copies the one file, `zip` (yauzl) and `tar_gz` (tar) extract only the declared
// `archive_path`s, matched exactly or below one leading folder. Only regular files are exported:
// an exported entry that is a symbolic or hard link is refused by name (upstream would write the
// link's empty body as the file), as are traversal and oversized entries. Entries that are not
// exported are never looked at, links included.
import { chmod, copyFile, mkdir, open, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

import * as tar from 'tar';
import yauzl from 'yauzl';

import { DEFAULT_MAX_UNPACKED_BYTES, entryKind, entryName, entrySegments, zipEntryLink } from '../lifecycle/archive.js';
import type { DependencyExport } from './manifest.js';
import { exportTargetPath } from './paths.js';

/** `a\b/` → `a/b`: upstream's archive-path matching form. */
function matchForm(raw: string): string {
  return raw.replaceAll('\\', '/').replace(/^\/+|\/+$/g, '');
}

/** The path without its first component, or null when nothing would remain. */
function stripOneComponent(normalized: string): string | null {
  const parts = normalized.split('/').filter((part) => part !== '');
  return parts.length < 2 ? null : parts.slice(1).join('/');
}

function matches(entryPath: string, archivePath: string): boolean {
  const entry = matchForm(entryPath);
  const wanted = matchForm(archivePath);
  return entry === wanted || stripOneComponent(entry) === wanted;
}

async function finish(target: string, executable: boolean): Promise<void> {
  await chmod(target, executable ? 0o755 : 0o644);
}

async function installRaw(payload: string, root: string, exports: readonly DependencyExport[]): Promise<void> {
  if (exports.length !== 1) throw new Error('raw dependency payload must declare exactly one export');
  const item = exports[0] as DependencyExport;
  const target = exportTargetPath(root, item.target_path);
  await mkdir(path.dirname(target), { recursive: true });
  await copyFile(payload, target);
  await finish(target, item.executable);
}

async function installZip(payload: string, root: string, exports: readonly DependencyExport[]): Promise<void> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(payload, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true, autoClose: false });
  } catch (error) {
    throw new Error(`Failed to open zip archive: ${(error as Error).message}`);
  }
  try {
    const entries: { name: string; entry: yauzl.Entry }[] = [];
    for await (const entry of zip.eachEntry()) entries.push({ name: entryName(entry), entry });
    let budget = DEFAULT_MAX_UNPACKED_BYTES;
    for (const item of exports) {
      const wanted = matchForm(item.archive_path);
      const found = entries.find((e) => matchForm(e.name) === wanted) ?? entries.find((e) => stripOneComponent(matchForm(e.name)) === wanted);
      if (!found) {
        throw new Error(`Failed to read zip entry '${item.archive_path}' from ${payload}: specified file not found in archive`);
      }
      entrySegments(found.name);
      const link = zipEntryLink(found.entry);
      if (link !== null) throw notRegular('zip', found.name, item.target_path, link);
      const kind = entryKind(found.entry, found.name);
      if (kind.directory) throw notRegular('zip', found.name, item.target_path, 'folder');
      budget -= found.entry.uncompressedSize;
      if (budget < 0) throw new Error(`zip archive ${payload} exports more than ${DEFAULT_MAX_UNPACKED_BYTES} bytes`);
      const target = exportTargetPath(root, item.target_path);
      await mkdir(path.dirname(target), { recursive: true });
      const handle = await open(target, 'w');
      try {
        await pipeline(await zip.openReadStreamPromise(found.entry), handle.createWriteStream());
      } catch (error) {
        throw new Error(`Failed to extract '${item.archive_path}' into ${target}: ${(error as Error).message}`);
      } finally {
        await handle.close().catch(() => undefined);
      }
      await finish(target, item.executable);
    }
  } finally {
    zip.close();
  }
}

const TAR_FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);
const TAR_TYPE_NAMES: Record<string, string> = { SymbolicLink: 'symbolic link', Link: 'hard link', Directory: 'folder' };

/** `<format> entry '<entry>' exported as '<target>' is a <what>; dependency exports must be regular files`. */
function notRegular(format: 'zip' | 'tar.gz', entry: string, target: string, what: string): Error {
  return new Error(`${format} entry '${entry}' exported as '${target}' is a ${what}; dependency exports must be regular files`);
}

async function installTarGz(payload: string, root: string, exports: readonly DependencyExport[]): Promise<void> {
  const found = new Map<DependencyExport, Buffer>();
  let total = 0;
  let problem: Error | null = null;
  const pending: Promise<void>[] = [];
  try {
    await tar.t({
      file: payload,
      strict: true,
      onReadEntry: (entry) => {
        const item = exports.find((candidate) => !found.has(candidate) && matches(entry.path, candidate.archive_path));
        if (item === undefined || problem !== null) return;
        try {
          entrySegments(entry.path);
          if (!TAR_FILE_TYPES.has(entry.type)) throw notRegular('tar.gz', entry.path, item.target_path, TAR_TYPE_NAMES[entry.type] ?? entry.type);
          total += entry.size;
          if (total > DEFAULT_MAX_UNPACKED_BYTES) throw new Error(`tar.gz archive ${payload} exports more than ${DEFAULT_MAX_UNPACKED_BYTES} bytes`);
        } catch (error) {
          problem = error as Error;
          return;
        }
        const chunks: Buffer[] = [];
        found.set(item, Buffer.alloc(0));
        pending.push(
          new Promise<void>((resolve, reject) => {
            entry.on('data', (chunk: Buffer) => chunks.push(chunk));
            entry.on('end', () => {
              found.set(item, Buffer.concat(chunks));
              resolve();
            });
            entry.on('error', reject);
          }),
        );
      },
    });
    await Promise.all(pending);
  } catch (error) {
    throw new Error(`Failed to enumerate tar.gz entries from ${payload}: ${(error as Error).message}`);
  }
  if (problem !== null) throw problem;
  for (const item of exports) {
    const data = found.get(item);
    if (data === undefined) throw new Error(`tar.gz archive ${payload} does not contain required export '${item.archive_path}'`);
    const target = exportTargetPath(root, item.target_path);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, data);
    await finish(target, item.executable);
  }
}

/**
 * Writes the exports of the payload at `payload` under `root` (created when missing).
 * @throws {Error} upstream's texts: `raw dependency payload must declare exactly one export`,
 * `Failed to read zip entry '<p>' from <zip>: specified file not found in archive`,
 * `tar.gz archive <f> does not contain required export '<p>'`; plus ours for unsafe entries.
 */
export async function installPayload(
  payload: string,
  archiveType: 'zip' | 'tar_gz' | 'raw',
  root: string,
  exports: readonly DependencyExport[],
): Promise<void> {
  await mkdir(root, { recursive: true });
  if (archiveType === 'raw') return installRaw(payload, root, exports);
  if (archiveType === 'zip') return installZip(payload, root, exports);
  return installTarGz(payload, root, exports);
}
