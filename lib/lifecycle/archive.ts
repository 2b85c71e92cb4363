// Safe extraction of one skill package zip into a staging folder. Two passes: the central
// directory is read and every entry is judged (name, type, duplicates, layout, declared sizes)
// before a single byte is written; then the data is streamed out with the limits enforced again on
// the bytes actually inflated, so a lying header cannot get past them. Any failure removes what
// this call wrote. Parsing is yauzl's; only the policy lives here.
import { constants as fsConstants } from 'node:fs';
import { mkdir, open, rm, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';

import { identifierError } from '../skills/identifiers.js';
import { LifecycleError } from './errors.js';

/** Limits applied to one archive. Every limit is checked on declared sizes first, then on the real stream. */
export interface ArchiveLimits {
  /** Most entries (files and folders) in the zip. Default 10 000. */
  maxEntries?: number;
  /** Most bytes once unpacked, all entries together. Default 256 MiB. */
  maxUnpackedBytes?: number;
  /**
   * Highest unpacked/compressed ratio of one entry. Default 100. Checked only for entries that
   * unpack to more than {@link RATIO_CHECK_MIN_BYTES}: small text files legitimately compress far
   * better than 100:1 (a 10 KiB file of spaces is ~300:1) and cannot make a bomb on their own.
   */
  maxRatio?: number;
}

/** What {@link extractSkillZip} wrote. */
export interface ExtractedSkill {
  /** `<stagingDir>/<skill_id>`, the extracted package folder. */
  skillDir: string;
  /** Regular files written. */
  files: number;
  /** Bytes written, all files together. */
  bytes: number;
}

export const DEFAULT_MAX_ENTRIES = 10_000;
export const DEFAULT_MAX_UNPACKED_BYTES = 256 * 1024 * 1024;
export const DEFAULT_MAX_RATIO = 100;
/** Entries unpacking to at most this many bytes are exempt from the ratio check. */
export const RATIO_CHECK_MIN_BYTES = 1024 * 1024;

// Unix file type bits, found in the high 16 bits of the external attributes.
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
// MS-DOS attribute bits, in the low byte.
const DOS_DIRECTORY = 0x10;
const DOS_REPARSE_POINT = 0x400;
// Hosts in "version made by" whose external attributes carry a Unix mode.
const UNIX_HOSTS = new Set([3, 19]); // 3 = Unix, 19 = OS X
// PKWARE Unix extra field: its variable part holds the target of a symbolic or hard link.
const PKWARE_UNIX_EXTRA = 0x000d;
// Characters Windows refuses in names (plus ':' which would open an alternate data stream).
const FORBIDDEN_NAME_CHARS = /[<>:"|?*\u0000-\u001f]/;

interface PlannedEntry {
  entry: yauzl.Entry;
  /** The name as stored, for messages. */
  rawName: string;
  /** Normal components, the first being the skill id. */
  segments: string[];
  directory: boolean;
  executable: boolean;
}

function invalid(message: string): LifecycleError {
  return new LifecycleError('archive_invalid', message);
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new LifecycleError('cancelled', 'skill archive extraction was cancelled');
}

/**
 * Judges one entry name and returns its normal components. Backslashes count as separators on
 * every platform (as upstream does), so `a\..\b` is the traversal it looks like everywhere instead
 * of a harmless name on Linux and an escape on Windows. `.` components and repeated separators are
 * dropped (upstream's Path::components does the same); `..`, a leading separator, a drive letter,
 * NUL/control characters and Windows-forbidden characters are refused.
 */
export function entrySegments(rawName: string): string[] {
  if (rawName === '') throw invalid('Zip entry with an empty name is not allowed');
  const normalized = rawName.replaceAll('\\', '/');
  if (normalized.startsWith('/') || /^[A-Za-z]:/.test(normalized)) {
    throw invalid(`Zip entry '${rawName}' must not use an absolute path`);
  }
  const segments = normalized.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.some((segment) => segment === '..')) {
    throw invalid(`Zip entry '${rawName}' must not contain parent-directory traversal`);
  }
  for (const segment of segments) {
    if (FORBIDDEN_NAME_CHARS.test(segment)) {
      throw invalid(`Zip entry '${rawName}' contains a character that is not allowed in file names`);
    }
  }
  if (segments.length === 0) throw invalid(`Zip entry '${rawName}' does not name a file or folder`);
  return segments;
}

/** The kind of link a zip entry is (from its Unix mode, DOS attributes or PKWARE Unix extra field), or null. */
export function zipEntryLink(entry: yauzl.Entry): 'symbolic link' | 'reparse point (link)' | 'symbolic or hard link' | null {
  const attributes = entry.externalFileAttributes >>> 0;
  if (UNIX_HOSTS.has(entry.versionMadeBy >>> 8) && ((attributes >>> 16) & S_IFMT) === S_IFLNK) return 'symbolic link';
  if ((attributes & DOS_REPARSE_POINT) !== 0) return 'reparse point (link)';
  // The variable part of this field holds a link target; a plain file has none.
  if (entry.extraFields.some((field) => field.id === PKWARE_UNIX_EXTRA && field.data.length > 12)) return 'symbolic or hard link';
  return null;
}

/** Classifies an entry from its name and external attributes; links and special files are refused. */
export function entryKind(entry: yauzl.Entry, rawName: string): { directory: boolean; executable: boolean } {
  const link = zipEntryLink(entry);
  if (link !== null) throw invalid(`Zip entry '${rawName}' is a ${link}; links are not allowed in skill packages`);
  const host = entry.versionMadeBy >>> 8;
  const attributes = entry.externalFileAttributes >>> 0;
  let directory = rawName.endsWith('/') || rawName.endsWith('\\');
  let executable = false;
  if (UNIX_HOSTS.has(host)) {
    const mode = attributes >>> 16;
    const type = mode & S_IFMT;
    if (type !== 0 && type !== S_IFREG && type !== S_IFDIR) {
      throw invalid(`Zip entry '${rawName}' is not a regular file or folder`);
    }
    if (type === S_IFDIR) directory = true;
    executable = type === S_IFREG && (mode & 0o111) !== 0;
  }
  if ((attributes & DOS_DIRECTORY) !== 0) directory = true;
  if (directory && entry.uncompressedSize > 0) throw invalid(`Zip entry '${rawName}' is a folder with data`);
  return { directory, executable };
}

async function readPlan(
  zip: yauzl.ZipFile,
  expectedSkillId: string,
  zipPath: string,
  limits: Required<ArchiveLimits>,
  signal: AbortSignal | undefined,
): Promise<PlannedEntry[]> {
  const planned: PlannedEntry[] = [];
  // Exact duplicates are refused, and so are names equal after case folding: on the
  // case-insensitive file systems of Windows and macOS they would land on one file.
  const seen = new Map<string, { rawName: string; directory: boolean }>();
  // Folders implied by deeper entries, so a later file of the same name is caught too.
  const impliedFolders = new Map<string, string>();
  let declaredBytes = 0;
  let hasManifest = false;
  for await (const entry of zip.eachEntry()) {
    checkAborted(signal);
    if (planned.length >= limits.maxEntries) {
      const name = entryName(entry);
      throw invalid(`Zip entry '${name}' exceeds the limit of ${limits.maxEntries} entries per skill package`);
    }
    const rawName = entryName(entry);
    const segments = entrySegments(rawName);
    const { directory, executable } = entryKind(entry, rawName);
    if (entry.isEncrypted()) throw invalid(`Zip entry '${rawName}' is encrypted`);
    if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
      throw invalid(`Zip entry '${rawName}' uses unsupported compression method ${entry.compressionMethod}`);
    }
    const top = segments[0] ?? '';
    if (top !== expectedSkillId) {
      throw invalid(
        `Skill package ${zipPath} must contain only the top-level directory '${expectedSkillId}', but found '${top}' (zip entry '${rawName}')`,
      );
    }
    if (segments.length === 1 && !directory) {
      throw invalid(`Zip entry '${rawName}' must be the skill folder '${expectedSkillId}/', not a file`);
    }
    const key = segments.join('/').normalize('NFC').toLowerCase();
    const previous = seen.get(key);
    if (previous) {
      throw invalid(`Zip entry '${rawName}' duplicates zip entry '${previous.rawName}'`);
    }
    // A file may not also be a parent folder of another entry, in either order.
    for (let i = 1; i < segments.length; i += 1) {
      const parentKey = segments.slice(0, i).join('/').normalize('NFC').toLowerCase();
      const parent = seen.get(parentKey);
      if (parent && !parent.directory) {
        throw invalid(`Zip entry '${rawName}' is inside '${parent.rawName}', which is a file`);
      }
      if (!impliedFolders.has(parentKey)) impliedFolders.set(parentKey, rawName);
    }
    const child = impliedFolders.get(key);
    if (!directory && child !== undefined) {
      throw invalid(`Zip entry '${rawName}' is a file but zip entry '${child}' uses it as a folder`);
    }
    seen.set(key, { rawName, directory });
    if (!directory) {
      declaredBytes += entry.uncompressedSize;
      if (declaredBytes > limits.maxUnpackedBytes) {
        throw invalid(`Zip entry '${rawName}' takes the package over the limit of ${limits.maxUnpackedBytes} unpacked bytes`);
      }
      checkRatio(rawName, entry.uncompressedSize, entry.compressedSize, limits.maxRatio);
      if (segments.length === 2 && segments[1] === 'skill.yaml') hasManifest = true;
    }
    planned.push({ entry, rawName, segments, directory, executable });
  }
  if (planned.length === 0) throw invalid(`Skill package ${zipPath} is empty`);
  if (!hasManifest) throw invalid(`Skill package ${zipPath} does not contain ${expectedSkillId}/skill.yaml`);
  return planned;
}

export function entryName(entry: yauzl.Entry): string {
  // decodeStrings is off (so yauzl's own name rules do not hide ours): decode like yauzl does,
  // UTF-8 when flagged or given in the Info-ZIP Unicode path field, CP437 otherwise.
  return yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, true);
}

function checkRatio(rawName: string, unpacked: number, compressed: number, maxRatio: number): void {
  if (unpacked <= RATIO_CHECK_MIN_BYTES) return;
  if (compressed <= 0 || unpacked / compressed > maxRatio) {
    throw invalid(`Zip entry '${rawName}' has a compression ratio above ${maxRatio}:1`);
  }
}

/** Counts the inflated bytes of one entry and stops as soon as a limit is crossed. */
class LimitedCounter extends Transform {
  bytes = 0;

  constructor(
    private readonly rawName: string,
    private readonly declared: number,
    private readonly compressed: number,
    private readonly budget: { remaining: number; limit: number },
    private readonly maxRatio: number,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    this.budget.remaining -= chunk.length;
    if (this.bytes > this.declared) {
      callback(invalid(`Zip entry '${this.rawName}' unpacks to more bytes than its header declares`));
      return;
    }
    if (this.budget.remaining < 0) {
      callback(invalid(`Zip entry '${this.rawName}' takes the package over the limit of ${this.budget.limit} unpacked bytes`));
      return;
    }
    try {
      checkRatio(this.rawName, this.bytes, this.compressed, this.maxRatio);
    } catch (error) {
      callback(error as Error);
      return;
    }
    callback(null, chunk);
  }
}

async function writeEntries(
  zip: yauzl.ZipFile,
  planned: PlannedEntry[],
  root: string,
  limits: Required<ArchiveLimits>,
  signal: AbortSignal | undefined,
): Promise<{ files: number; bytes: number }> {
  const budget = { remaining: limits.maxUnpackedBytes, limit: limits.maxUnpackedBytes };
  let files = 0;
  let bytes = 0;
  for (const item of planned) {
    checkAborted(signal);
    const target = path.join(root, ...item.segments);
    // Defence in depth: every target was built from checked components, so this cannot fail.
    if (path.relative(root, target).startsWith('..') || path.isAbsolute(path.relative(root, target))) {
      throw invalid(`Zip entry '${item.rawName}' resolves outside the staging folder`);
    }
    if (item.directory) {
      await mkdir(target, { recursive: true });
      continue;
    }
    await mkdir(path.dirname(target), { recursive: true });
    // O_EXCL + O_NOFOLLOW: never reuse or follow anything already at the target.
    const handle = await open(
      target,
      fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | (fsConstants.O_NOFOLLOW ?? 0),
      item.executable ? 0o755 : 0o644,
    );
    const counter = new LimitedCounter(item.rawName, item.entry.uncompressedSize, item.entry.compressedSize, budget, limits.maxRatio);
    try {
      const source = await zip.openReadStreamPromise(item.entry);
      await pipeline(source, counter, handle.createWriteStream(), signal ? { signal } : {});
    } catch (error) {
      if (signal?.aborted) throw new LifecycleError('cancelled', 'skill archive extraction was cancelled');
      if (error instanceof LifecycleError) throw error;
      throw invalid(`Failed to extract zip entry '${item.rawName}': ${(error as Error).message}`);
    } finally {
      await handle.close().catch(() => undefined);
    }
    files += 1;
    bytes += counter.bytes;
  }
  return { files, bytes };
}

/** Refuses a staging id that is not a skill identifier (`invalid_request`). */
export function checkExpectedSkillId(expectedSkillId: string): void {
  const idProblem = identifierError(expectedSkillId, 'expected_skill_id');
  if (idProblem || expectedSkillId !== expectedSkillId.trim()) {
    throw new LifecycleError('invalid_request', idProblem ?? 'expected_skill_id must not have surrounding whitespace');
  }
}

/** The limits with their defaults filled in. */
export function effectiveLimits(limits: ArchiveLimits): Required<ArchiveLimits> {
  return {
    maxEntries: limits.maxEntries ?? DEFAULT_MAX_ENTRIES,
    maxUnpackedBytes: limits.maxUnpackedBytes ?? DEFAULT_MAX_UNPACKED_BYTES,
    maxRatio: limits.maxRatio ?? DEFAULT_MAX_RATIO,
  };
}

async function exists(target: string): Promise<boolean> {
  try {
    await stat(target);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/**
 * Extracts the skill package zip at `zipPath` into `<stagingDir>/<expectedSkillId>/`.
 *
 * Refused with `archive_invalid` and a message naming the entry: names with `..`, a leading
 * separator or a drive letter (`/abs`, `C:\x`, `C:x`), backslash traversal (`a\..\b`), control or
 * Windows-forbidden characters; symbolic links, hard links, reparse points and special files;
 * duplicate names, also after case folding (`Demo/x` vs `demo/X`) and file/folder clashes;
 * encrypted entries; more than `maxEntries` entries, more than `maxUnpackedBytes` unpacked, or an
 * entry above `maxRatio`:1; any top-level folder other than `expectedSkillId`; no
 * `<id>/skill.yaml`. Everything is judged before anything is written; sizes are enforced again
 * on the inflated bytes. On any failure (including `cancelled` from `signal`) the files this call
 * wrote are removed, and `stagingDir` too if this call created it.
 *
 * @throws {LifecycleError} `invalid_request` (bad id, target exists), `archive_invalid`, `cancelled`, `io_failed`.
 */
export async function extractSkillZip(
  zipPath: string,
  stagingDir: string,
  expectedSkillId: string,
  limits: ArchiveLimits = {},
  signal?: AbortSignal,
): Promise<ExtractedSkill> {
  checkExpectedSkillId(expectedSkillId);
  const effective = effectiveLimits(limits);
  checkAborted(signal);
  const stagingRoot = path.resolve(stagingDir);
  const skillDir = path.join(stagingRoot, expectedSkillId);
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(zipPath, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true, autoClose: false });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
      throw new LifecycleError('io_failed', `Failed to open ${zipPath}: ${(error as Error).message}`);
    }
    throw invalid(`Failed to open zip archive ${zipPath}: ${(error as Error).message}`);
  }
  let createdStaging = false;
  let wroteSkillDir = false;
  try {
    let planned: PlannedEntry[];
    try {
      planned = await readPlan(zip, expectedSkillId, zipPath, effective, signal);
    } catch (error) {
      if (error instanceof LifecycleError) throw error;
      throw invalid(`Failed to read zip archive ${zipPath}: ${(error as Error).message}`);
    }
    if (await exists(skillDir)) {
      throw new LifecycleError('invalid_request', `staging target ${skillDir} already exists`);
    }
    createdStaging = !(await exists(stagingRoot));
    await mkdir(stagingRoot, { recursive: true });
    await mkdir(skillDir);
    wroteSkillDir = true;
    const { files, bytes } = await writeEntries(zip, planned, stagingRoot, effective, signal);
    return { skillDir, files, bytes };
  } catch (error) {
    if (wroteSkillDir) await rm(skillDir, { recursive: true, force: true }).catch(() => undefined);
    if (createdStaging) await rmdir(stagingRoot).catch(() => undefined);
    if (error instanceof LifecycleError) throw error;
    throw new LifecycleError('io_failed', `Failed to extract ${zipPath}: ${(error as Error).message}`, { cause: error });
  } finally {
    zip.close();
  }
}
