// Resolution of an install/update request to a concrete source: which skill id, which version,
// which archive URL and SHA-256, following upstream's rules and refusal texts for `github`,
// `official_hub`, `url` and `private_url_manifest`, plus two local sources of ours (`local_dir`,
// `local_zip`) so hosts and tests can install without a network. Network reads here are small
// (release metadata, checksums, manifests); the archive itself is fetched by fetch-archive.ts.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

import { identifierError } from '../skills/identifiers.js';
import { checksumForAsset } from './checksums.js';
import { fetchText, urlMatchesPrefixes } from './download.js';
import { LifecycleError } from './errors.js';
import { emitProgress, type SkillAcquisitionListener } from './progress.js';
import { parseSkillSourceManifest, validateSourceManifestFor, type SkillSourceManifest } from './source-manifest.js';

/** Upstream's four source types and our two local ones. */
export const SKILL_SOURCE_TYPES = ['github', 'official_hub', 'url', 'private_url_manifest', 'local_dir', 'local_zip'] as const;
export type SkillSourceType = (typeof SKILL_SOURCE_TYPES)[number];

/** Upstream's `SkillInstallRequest`; `source_type` defaults to `github`. */
export interface SkillInstallRequest {
  skill_id?: string | null;
  source?: string | null;
  source_type?: SkillSourceType;
}

/** The host options that decide how sources resolve. */
export interface SkillSourceConfig {
  /** The operation plane; `private_url_manifest` needs `system`. Upstream's `Skills`/`System` are accepted too. */
  plane: 'skills' | 'system' | 'Skills' | 'System';
  /** `allow_network_download`: `false` refuses every download (`network_disabled`). */
  allowNetworkDownload: boolean;
  /** Default `https://api.github.com`. */
  githubApiBaseUrl?: string;
  /** Rewrites `https://github.com/...` download URLs to `<githubBaseUrl>/...` (a mirror). */
  githubBaseUrl?: string;
  /** Required by `official_hub`. */
  officialSkillHubBaseUrl?: string;
  /** Opt-in for `private_url_manifest`. */
  enablePrivateUrlSkillInstall?: boolean;
  /** URL prefixes allowed for private manifests and their archives. */
  privateSkillSourceAllowlist?: readonly string[];
}

/** The archive a remote source resolved to. */
export interface ResolvedArchive {
  url: string;
  /** Expected SHA-256 (always set for remote sources: checksums file or manifest). */
  sha256?: string;
  /** Where the checksum came from, for GitHub releases. */
  checksumsUrl?: string;
  assetName: string;
  /** Download cache key, `skill-<id>-<version>`. */
  cacheKey: string;
  /** When set, the archive's final URL after redirects must match one of these prefixes. */
  allowedUrlPrefixes?: string[];
}

/** A request resolved to something that can be fetched. `locator` + `tag` are what an install record keeps. */
export interface ResolvedSkillSource {
  skill_id: string;
  /** Known for remote sources and release-named local zips; otherwise read from skill.yaml later. */
  version?: string;
  source_type: SkillSourceType;
  /** `owner/repo`, the hub skill id, the manifest URL, or an absolute local path. */
  locator: string;
  tag?: string;
  archive?: ResolvedArchive;
  /** Absolute path of a `local_dir` folder or `local_zip` file. */
  localPath?: string;
}

const RELEASE_ZIP = /^([a-z][a-z0-9-]*)-v(.+)-skill\.zip$/;

function trimmed(value: string | null | undefined): string | undefined {
  const out = value?.trim();
  return out === undefined || out === '' ? undefined : out;
}

function requestError(message: string): LifecycleError {
  return new LifecycleError('invalid_request', message);
}

function sourceTypeOf(request: SkillInstallRequest): SkillSourceType {
  const type = request.source_type ?? 'github';
  if (!(SKILL_SOURCE_TYPES as readonly string[]).includes(type)) {
    throw requestError(`unknown source_type '${String(type)}'; expected one of ${SKILL_SOURCE_TYPES.join(', ')}`);
  }
  return type;
}

/**
 * Normalizes a GitHub locator (`owner/repo`, `https://github.com/owner/repo`, trailing slash
 * tolerated) to `owner/repo`.
 * @throws {LifecycleError} `invalid_request`: `github source '<s>' must be one repository locator in owner/repo form`.
 */
export function normalizeGithubRepoLocator(source: string): string {
  const normalized = source.trim().replace(/^https?:\/\/github\.com\//, '').replace(/^\/+|\/+$/g, '');
  const parts = normalized.split('/').map((part) => part.trim());
  if (parts.length !== 2 || parts.some((part) => part === '')) {
    throw requestError(`github source '${source}' must be one repository locator in owner/repo form`);
  }
  return parts.join('/');
}

function githubRepoSkillId(repo: string): string {
  const id = (repo.split('/')[1] ?? '').trim();
  const problem = identifierError(id, 'derived github skill_id');
  if (problem) throw requestError(problem);
  return id;
}

function localSkillIdOf(type: 'local_dir' | 'local_zip', source: string): string | undefined {
  const base = path.basename(source.replace(/[\\/]+$/, ''));
  if (type === 'local_dir') return base;
  const release = RELEASE_ZIP.exec(base);
  if (release) return release[1];
  return base.toLowerCase().endsWith('.zip') ? base.slice(0, -4) : undefined;
}

/**
 * Upstream's `resolve_requested_skill_id`: the explicit `skill_id`, else one derived from the
 * source (GitHub repo name, hub id; for ours the folder name or the zip's name), checked
 * against the identifier rule.
 * @throws {LifecycleError} `invalid_request`: `install/update request requires skill_id or one source that can derive it`.
 */
export function resolveRequestedSkillId(request: SkillInstallRequest): string {
  const type = sourceTypeOf(request);
  const source = trimmed(request.source);
  let derived: string | undefined;
  if (source !== undefined) {
    if (type === 'github') derived = githubRepoSkillId(normalizeGithubRepoLocator(source));
    else if (type === 'official_hub') derived = source;
    else if (type === 'local_dir' || type === 'local_zip') derived = localSkillIdOf(type, source);
  }
  const id = trimmed(request.skill_id) ?? derived;
  if (id === undefined) throw requestError('install/update request requires skill_id or one source that can derive it');
  const problem = identifierError(id, 'skill_id');
  if (problem) throw requestError(problem);
  return id;
}

/** Upstream's GitHub site rewrite: `https://github.com/<rest>` → `<githubBaseUrl>/<rest>`. */
export function rewriteGithubDownloadUrl(url: string, githubBaseUrl: string | undefined): string {
  const base = githubBaseUrl?.trim().replace(/\/+$/, '');
  if (!base) return url;
  const match = /^https?:\/\/github\.com\//.exec(url);
  return match ? `${base}/${url.slice(match[0].length)}` : url;
}

const GithubRelease = TypeCompiler.Compile(
  Type.Object({
    tag_name: Type.String(),
    assets: Type.Optional(Type.Array(Type.Object({ name: Type.String(), browser_download_url: Type.String() }))),
  }),
);

async function resolveGithub(
  id: string,
  request: SkillInstallRequest,
  config: SkillSourceConfig,
  signal: AbortSignal | undefined,
  onProgress: SkillAcquisitionListener | undefined,
): Promise<ResolvedSkillSource> {
  const source = trimmed(request.source);
  if (source === undefined) throw requestError('github install requires source repository');
  const repo = normalizeGithubRepoLocator(source);
  const repoId = githubRepoSkillId(repo);
  if (repoId !== id) throw requestError(`github repository '${repo}' resolves to skill_id '${repoId}' but the request targets '${id}'`);
  const apiBase = (trimmed(config.githubApiBaseUrl) ?? 'https://api.github.com').replace(/\/+$/, '');
  const apiUrl = `${apiBase}/repos/${repo}/releases/latest`;
  const fetchOptions = { allowNetwork: config.allowNetworkDownload, ...(signal ? { signal } : {}) };
  emitProgress(onProgress, {
    phase: 'fetching_manifest', status: 'started', skill_id: id, source_type: 'github', source_locator: apiUrl,
    message: 'fetching GitHub release metadata',
  });
  const text = await fetchText(apiUrl, { ...fetchOptions, headers: { accept: 'application/vnd.github+json' } });
  let release: unknown;
  try {
    release = JSON.parse(text);
  } catch (error) {
    throw new LifecycleError('source_unresolved', `Failed to parse ${apiUrl}: ${(error as Error).message}`);
  }
  if (!GithubRelease.Check(release)) {
    const first = GithubRelease.Errors(release).First();
    const field = first ? first.path.split('/').slice(1).join('.') || 'response' : 'response';
    throw new LifecycleError('source_unresolved', `Failed to parse ${apiUrl}: ${field}: ${first?.message ?? 'invalid release'}`);
  }
  const tag = release.tag_name;
  const version = tag.trim().replace(/^v+/, '');
  const assets = release.assets ?? [];
  const assetName = `${id}-v${version}-skill.zip`;
  const asset = assets.find((item) => item.name === assetName);
  if (!asset) throw new LifecycleError('source_unresolved', `GitHub release ${tag} does not contain asset '${assetName}'`);
  const checksumsName = `${id}-v${version}-checksums.txt`;
  const checksums = assets.find((item) => item.name === checksumsName);
  if (!checksums) throw new LifecycleError('source_unresolved', `GitHub release ${tag} does not contain checksum asset '${checksumsName}'`);
  const checksumsUrl = rewriteGithubDownloadUrl(checksums.browser_download_url, config.githubBaseUrl);
  const sha256 = checksumForAsset(await fetchText(checksumsUrl, fetchOptions), assetName);
  return {
    skill_id: id,
    version,
    source_type: 'github',
    locator: repo,
    tag,
    archive: {
      url: rewriteGithubDownloadUrl(asset.browser_download_url, config.githubBaseUrl),
      sha256,
      checksumsUrl,
      assetName,
      cacheKey: `skill-${id}-${version}`,
    },
  };
}

function fromManifest(
  id: string,
  manifest: SkillSourceManifest,
  type: 'official_hub' | 'private_url_manifest',
  locator: string,
  allowedUrlPrefixes?: string[],
): ResolvedSkillSource {
  const sha256 = validateSourceManifestFor(manifest, id);
  let assetName = `${id}-v${manifest.version}-skill.zip`;
  try {
    assetName = path.posix.basename(new URL(manifest.archive.url).pathname) || assetName;
  } catch {
    throw new LifecycleError('manifest_invalid', `source manifest archive.url '${manifest.archive.url}' is not a valid URL`);
  }
  const resolved: ResolvedSkillSource = {
    skill_id: id,
    version: manifest.version.trim(),
    source_type: type,
    locator,
    archive: { url: manifest.archive.url.trim(), sha256, assetName, cacheKey: `skill-${id}-${manifest.version.trim()}` },
  };
  if (allowedUrlPrefixes && resolved.archive) resolved.archive.allowedUrlPrefixes = allowedUrlPrefixes;
  // Upstream keeps the manifest's tag only when its update source is the same type.
  if (manifest.update?.source_type === type && manifest.update.tag !== undefined) resolved.tag = manifest.update.tag;
  return resolved;
}

async function resolveHub(
  id: string,
  request: SkillInstallRequest,
  config: SkillSourceConfig,
  signal: AbortSignal | undefined,
  onProgress: SkillAcquisitionListener | undefined,
): Promise<ResolvedSkillSource> {
  const locator = trimmed(request.source) ?? id;
  const problem = identifierError(locator, 'official hub source skill_id');
  if (problem) throw requestError(problem);
  if (locator !== id) throw requestError(`official_hub source '${locator}' does not match requested skill_id '${id}'`);
  const base = trimmed(config.officialSkillHubBaseUrl);
  if (base === undefined) throw new LifecycleError('refused', 'official_hub install requires host option official_skill_hub_base_url');
  const resolveUrl = `${base.replace(/\/+$/, '')}/api/v1/skills/${locator}/resolve?version=latest`;
  emitProgress(onProgress, {
    phase: 'fetching_manifest', status: 'started', skill_id: id, source_type: 'official_hub', source_locator: resolveUrl,
    message: 'fetching official Hub resolve manifest',
  });
  const text = await fetchText(resolveUrl, { allowNetwork: config.allowNetworkDownload, ...(signal ? { signal } : {}) });
  return fromManifest(id, parseSkillSourceManifest(text, resolveUrl), 'official_hub', locator);
}

async function resolvePrivate(
  id: string,
  request: SkillInstallRequest,
  config: SkillSourceConfig,
  signal: AbortSignal | undefined,
  onProgress: SkillAcquisitionListener | undefined,
): Promise<ResolvedSkillSource> {
  const manifestUrl = trimmed(request.source);
  if (manifestUrl === undefined) throw requestError('private_url_manifest install requires one manifest URL');
  if (config.plane.toLowerCase() !== 'system') {
    throw new LifecycleError('refused', 'private_url_manifest install is restricted to host system authority');
  }
  if (config.enablePrivateUrlSkillInstall !== true) {
    throw new LifecycleError('refused', 'private_url_manifest install is disabled by host source policy');
  }
  const allowlist = [...(config.privateSkillSourceAllowlist ?? [])];
  if (!urlMatchesPrefixes(manifestUrl, allowlist)) {
    throw new LifecycleError('refused', `private_url_manifest source '${manifestUrl}' is not allowed by host source policy`);
  }
  emitProgress(onProgress, {
    phase: 'fetching_manifest', status: 'started', source_type: 'private_url_manifest', source_locator: manifestUrl,
    message: 'fetching private URL skill manifest',
  });
  const text = await fetchText(manifestUrl, {
    allowNetwork: config.allowNetworkDownload,
    allowedUrlPrefixes: allowlist,
    ...(signal ? { signal } : {}),
  });
  const manifest = parseSkillSourceManifest(text, manifestUrl);
  if (!urlMatchesPrefixes(manifest.archive.url, allowlist)) {
    throw new LifecycleError('refused', `private_url_manifest archive '${manifest.archive.url}' is not allowed by host source policy`);
  }
  return fromManifest(id, manifest, 'private_url_manifest', manifestUrl, allowlist);
}

async function resolveLocal(id: string, type: 'local_dir' | 'local_zip', request: SkillInstallRequest): Promise<ResolvedSkillSource> {
  const source = trimmed(request.source);
  if (source === undefined) throw requestError(`${type} install requires source path`);
  const localPath = path.resolve(source);
  let kind: 'dir' | 'file' | 'other';
  try {
    const info = await stat(localPath);
    kind = info.isDirectory() ? 'dir' : info.isFile() ? 'file' : 'other';
  } catch {
    throw new LifecycleError('source_unresolved', `${type} source ${localPath} does not exist`);
  }
  const resolved: ResolvedSkillSource = { skill_id: id, source_type: type, locator: localPath, localPath };
  if (type === 'local_dir') {
    if (kind !== 'dir') throw new LifecycleError('source_unresolved', `local_dir source ${localPath} is not a directory`);
    return resolved;
  }
  if (kind !== 'file') throw new LifecycleError('source_unresolved', `local_zip source ${localPath} is not a file`);
  const release = RELEASE_ZIP.exec(path.basename(localPath));
  if (release) {
    if (release[1] !== id) {
      throw requestError(`local_zip '${path.basename(localPath)}' resolves to skill_id '${release[1]}' but the request targets '${id}'`);
    }
    resolved.version = release[2];
  }
  return resolved;
}

/**
 * Resolves `request` under `config`: the skill id (explicit or derived), and for remote sources
 * the version, archive URL, expected SHA-256 and cache key, fetching GitHub release metadata and
 * checksums, a Hub resolve manifest (`<base>/api/v1/skills/<id>/resolve?version=latest`) or a
 * private manifest. `url` is always refused with upstream's text. `fetching_manifest` is reported
 * through `onProgress` before each metadata fetch.
 *
 * @throws {LifecycleError} `invalid_request`, `refused` (url, plane/opt-in/allow-list, no hub
 * base URL), `network_disabled`, `download_failed`, `source_unresolved`, `manifest_invalid`, `cancelled`.
 */
export async function resolveSkillSource(
  request: SkillInstallRequest,
  config: SkillSourceConfig,
  signal?: AbortSignal,
  onProgress?: SkillAcquisitionListener,
): Promise<ResolvedSkillSource> {
  const type = sourceTypeOf(request);
  const id = resolveRequestedSkillId(request);
  switch (type) {
    case 'github':
      return resolveGithub(id, request, config, signal, onProgress);
    case 'official_hub':
      return resolveHub(id, request, config, signal, onProgress);
    case 'url':
      throw new LifecycleError(
        'refused',
        'public URL skill install is disabled by source policy; use github, official_hub, or a host-private system manifest',
      );
    case 'private_url_manifest':
      return resolvePrivate(id, request, config, signal, onProgress);
    case 'local_dir':
    case 'local_zip':
      return resolveLocal(id, type, request);
  }
}
