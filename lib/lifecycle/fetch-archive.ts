// Turns a resolved source into something on local disk: the verified zip in the download cache
// (remote sources), the zip itself (`local_zip`, checked against a sibling checksums file when
// one is published next to it), or the folder (`local_dir`, nothing to fetch).
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

import { checksumForAsset, sha256File } from './checksums.js';
import { downloadToCache, DEFAULT_MAX_DOWNLOAD_BYTES } from './download.js';
import { LifecycleError } from './errors.js';
import { emitProgress, percentOf, type SkillAcquisitionListener } from './progress.js';
import type { ResolvedSkillSource } from './sources.js';

/** Options of {@link fetchSkillArchive}. */
export interface FetchSkillArchiveOptions {
  /** Download cache folder (`download_cache_root`). */
  cacheDir: string;
  /** The host's `allow_network_download`. */
  allowNetworkDownload: boolean;
  signal?: AbortSignal;
  /** Receives `source_resolved` and `downloading_archive` events. */
  onProgress?: SkillAcquisitionListener;
  /** Cap of the archive download. Default 256 MiB. */
  maxBytes?: number;
}

/** The local result: a zip to extract, or a folder to copy. */
export type FetchedSkillArchive =
  | { kind: 'zip'; zipPath: string; bytes: number; sha256: string; cached: boolean }
  | { kind: 'dir'; dir: string };

/**
 * Verifies a `local_zip` against `<id>-v<version>-checksums.txt` in the same folder when that file
 * exists (a release downloaded by hand); a zip without it is taken as is.
 */
async function checkLocalZip(zipPath: string, signal: AbortSignal | undefined): Promise<{ bytes: number; sha256: string }> {
  const info = await stat(zipPath).catch(() => undefined);
  if (!info?.isFile()) throw new LifecycleError('source_unresolved', `local_zip source ${zipPath} is not a file`);
  const sha256 = await sha256File(zipPath, signal);
  const name = path.basename(zipPath);
  const release = /^(.+)-skill\.zip$/.exec(name);
  if (release) {
    const checksumsPath = path.join(path.dirname(zipPath), `${release[1]}-checksums.txt`);
    const text = await readFile(checksumsPath, 'utf8').catch(() => undefined);
    if (text !== undefined) {
      const expected = checksumForAsset(text, name);
      if (expected !== sha256) {
        throw new LifecycleError('checksum_mismatch', `Checksum mismatch for ${zipPath}: expected ${expected}, got ${sha256}`);
      }
    }
  }
  return { bytes: info.size, sha256 };
}

/**
 * Fetches the archive of `source`. Remote sources are downloaded into `cacheDir` under
 * `archive.cacheKey` and verified against `archive.sha256` (a cached file with the same SHA-256 is
 * reused and reported as `cached`). Emits `source_resolved` (status `completed`), then for
 * downloads `downloading_archive` with `bytes_done`/`bytes_total`/`percent` (status `progress`
 * or `cached`).
 *
 * @throws {LifecycleError} as `downloadToCache`, plus `source_unresolved` (missing local file,
 * remote source without an archive) and `checksum_mismatch`.
 */
export async function fetchSkillArchive(source: ResolvedSkillSource, options: FetchSkillArchiveOptions): Promise<FetchedSkillArchive> {
  const base = { skill_id: source.skill_id, source_type: source.source_type, source_locator: source.locator };
  emitProgress(options.onProgress, {
    ...base,
    phase: 'source_resolved',
    status: 'completed',
    message: source.version !== undefined ? `resolved skill version ${source.version}` : `resolved ${source.source_type} source`,
  });
  if (source.source_type === 'local_dir') {
    if (source.localPath === undefined) throw new LifecycleError('source_unresolved', 'local_dir source has no path');
    return { kind: 'dir', dir: source.localPath };
  }
  if (source.source_type === 'local_zip') {
    if (source.localPath === undefined) throw new LifecycleError('source_unresolved', 'local_zip source has no path');
    const checked = await checkLocalZip(source.localPath, options.signal);
    return { kind: 'zip', zipPath: source.localPath, ...checked, cached: false };
  }
  const archive = source.archive;
  if (!archive) throw new LifecycleError('source_unresolved', `${source.source_type} source for '${source.skill_id}' has no archive`);
  if (archive.sha256 === undefined) {
    throw new LifecycleError('source_unresolved', `${source.source_type} source for '${source.skill_id}' does not expose one SHA-256 checksum for '${archive.assetName}'`);
  }
  const result = await downloadToCache(archive.url, {
    cacheDir: options.cacheDir,
    cacheKey: archive.cacheKey,
    allowNetwork: options.allowNetworkDownload,
    expectedSha256: archive.sha256,
    maxBytes: options.maxBytes ?? DEFAULT_MAX_DOWNLOAD_BYTES,
    ...(archive.allowedUrlPrefixes ? { allowedUrlPrefixes: archive.allowedUrlPrefixes } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    onProgress: (done, total, status) => {
      const percent = percentOf(done, total);
      emitProgress(options.onProgress, {
        ...base,
        phase: 'downloading_archive',
        status,
        bytes_done: done,
        ...(total !== null ? { bytes_total: total } : {}),
        ...(percent !== undefined ? { percent } : {}),
        ...(status === 'cached' ? { message: 'reusing cached skill archive' } : {}),
      });
    },
  });
  return { kind: 'zip', zipPath: result.path, bytes: result.bytes, sha256: result.sha256, cached: result.cached };
}
