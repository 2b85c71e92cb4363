// The whole acquisition half of an install or update in one call: resolve the request, fetch
// the archive, stage the package in a fresh folder. What is left for the lifecycle manager is the
// part upstream does after `extracting_archive`: validate skill.yaml, move into the root, reload,
// commit the record.
import { extractSkillZip, type ArchiveLimits, type ExtractedSkill } from './archive.js';
import { fetchSkillArchive } from './fetch-archive.js';
import { emitProgress, type SkillAcquisitionListener } from './progress.js';
import { copySkillDir } from './stage-dir.js';
import { resolveSkillSource, type ResolvedSkillSource, type SkillInstallRequest, type SkillSourceConfig } from './sources.js';

/** Options of {@link prepareSkillPackage}. */
export interface PrepareSkillPackageOptions {
  /** Download cache folder. */
  cacheDir: string;
  /** Staging folder (e.g. `<state>/install_tmp/<id>-<ms>`); the package lands in `<stagingDir>/<id>/`. */
  stagingDir: string;
  signal?: AbortSignal;
  onProgress?: SkillAcquisitionListener;
  /** Archive limits (entries, unpacked bytes, ratio). */
  limits?: ArchiveLimits;
  /** Cap of the archive download. */
  maxDownloadBytes?: number;
}

/** A staged package and where it came from. */
export interface PreparedSkillPackage extends ExtractedSkill {
  source: ResolvedSkillSource;
  /** True when the archive came from the download cache. */
  cached: boolean;
  /** SHA-256 of the archive (absent for `local_dir`). */
  archiveSha256?: string;
}

/**
 * Resolves `request`, fetches its archive and stages the package under `stagingDir`, reporting
 * `resolving_source`, `fetching_manifest`, `source_resolved`, `downloading_archive` and
 * `extracting_archive` through `onProgress`. The staged package is not validated beyond the
 * archive rules (layout, `skill.yaml` present): reading skill.yaml and comparing id/version is
 * the manager's step (`validating_skill_manifest`).
 * @throws {LifecycleError} any code of `resolveSkillSource`, `fetchSkillArchive`, `extractSkillZip`.
 */
export async function prepareSkillPackage(
  request: SkillInstallRequest,
  config: SkillSourceConfig,
  options: PrepareSkillPackageOptions,
): Promise<PreparedSkillPackage> {
  emitProgress(options.onProgress, {
    phase: 'resolving_source',
    status: 'started',
    ...(request.skill_id ? { skill_id: request.skill_id.trim() } : {}),
    source_type: request.source_type ?? 'github',
    ...(request.source ? { source_locator: request.source } : {}),
    message: 'resolving skill install source',
  });
  const source = await resolveSkillSource(request, config, options.signal, options.onProgress);
  const fetched = await fetchSkillArchive(source, {
    cacheDir: options.cacheDir,
    allowNetworkDownload: config.allowNetworkDownload,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.maxDownloadBytes !== undefined ? { maxBytes: options.maxDownloadBytes } : {}),
  });
  emitProgress(options.onProgress, {
    phase: 'extracting_archive',
    status: 'started',
    skill_id: source.skill_id,
    source_type: source.source_type,
    source_locator: source.locator,
    message: fetched.kind === 'zip' ? 'extracting skill archive' : 'copying skill folder',
  });
  if (fetched.kind === 'dir') {
    const staged = await copySkillDir(fetched.dir, options.stagingDir, source.skill_id, options.limits, options.signal);
    return { ...staged, source, cached: false };
  }
  const staged = await extractSkillZip(fetched.zipPath, options.stagingDir, source.skill_id, options.limits, options.signal);
  return { ...staged, source, cached: fetched.cached, archiveSha256: fetched.sha256 };
}
