// Resolving a dependency to a download (upstream `resolve_dependency_request`): the platform
// package (from the manifest, or from a `skilllist` index), then the URL: a GitHub release asset
// (by `tag_api`, by version tag `<v>` then `v<v>`, or the latest release) or the package's `url`.
// The release answer must be JSON with a string `tag_name`; its `assets` may be absent.
import { Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

import { fetchText, type FetchOptions } from '../lifecycle/download.js';
import { LifecycleError } from '../lifecycle/errors.js';
import { rewriteGithubDownloadUrl } from '../lifecycle/sources.js';
import { parseSkillListIndex, type DependencyPackage, type DependencySpec } from './manifest.js';
import { dependencyInstallRoot, renderExports } from './paths.js';
import type { DependencyInstallTarget } from './probe.js';

/** Network settings of resolution and download. */
export interface DependencyNetworkSettings {
  allowNetworkDownload: boolean;
  /** Default `https://api.github.com`. */
  githubApiBaseUrl?: string;
  /** Rewrites `https://github.com/...` asset URLs (a mirror). */
  githubBaseUrl?: string;
}

/** A dependency ready to download. */
export interface ResolvedDependency extends DependencyInstallTarget {
  downloadUrl: string;
  archiveType: DependencyPackage['archive_type'];
  sha256: string | null;
  tag: string | null;
}

const GithubRelease = TypeCompiler.Compile(
  Type.Object({
    tag_name: Type.String(),
    assets: Type.Optional(Type.Array(Type.Object({ name: Type.String(), browser_download_url: Type.String() }))),
  }),
);
type GithubReleaseBody = { tag_name: string; assets?: { name: string; browser_download_url: string }[] };

function fetchOptions(settings: DependencyNetworkSettings): FetchOptions {
  return { allowNetwork: settings.allowNetworkDownload, headers: { accept: 'application/vnd.github+json' } };
}

function apiBase(settings: DependencyNetworkSettings): string {
  const base = settings.githubApiBaseUrl?.trim();
  return (base === undefined || base === '' ? 'https://api.github.com' : base).replace(/\/+$/, '');
}

function normalizeRepo(repo: string): string {
  return repo.trim().replace(/^https?:\/\/github\.com\//, '').replace(/^\/+|\/+$/g, '');
}

/** A 404 from fetchText (its message carries the status). */
function isNotFound(error: unknown): boolean {
  return error instanceof LifecycleError && error.code === 'download_failed' && /: HTTP 404\b/.test(error.message);
}

async function fetchRelease(url: string, settings: DependencyNetworkSettings): Promise<GithubReleaseBody> {
  let text: string;
  try {
    text = await fetchText(url, fetchOptions(settings));
  } catch (error) {
    if (error instanceof LifecycleError && error.code === 'network_disabled') throw error;
    // fetchText names the URL itself; it is said once here.
    const detail = (error as Error).message.replace(`Failed to download ${url}: `, '');
    throw new Error(`Failed to query ${url}: ${detail}`, { cause: error });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new Error(`Failed to parse ${url}: ${(error as Error).message}`);
  }
  if (!GithubRelease.Check(body)) {
    const first = GithubRelease.Errors(body).First();
    throw new Error(`Failed to parse ${url}: ${first?.path.slice(1) || 'response'}: ${first?.message ?? 'invalid release'}`);
  }
  return body;
}

/**
 * The release API URL a `tag_api` names. Upstream takes it as a full URL; ours also takes a path
 * beginning with `/`, joined to the API base, so a GitHub API mirror applies to it too.
 * @throws {Error} `github tag_api '<t>' must be an http(s) URL or a path beginning with '/'`.
 */
export function tagApiUrl(tagApi: string, settings: DependencyNetworkSettings): string {
  const trimmed = tagApi.trim();
  if (trimmed.startsWith('/') && !trimmed.startsWith('//')) return `${apiBase(settings)}${trimmed}`;
  if (/^https?:\/\/[^/]/i.test(trimmed)) return trimmed;
  throw new Error(`github tag_api '${tagApi}' must be an http(s) URL or a path beginning with '/'`);
}

/**
 * Upstream's `fetch_github_release`: `tag_api` (any failure, 404 included, is final), else tags
 * `<v>` then `v<v>` (404 tries the next), else the latest release.
 */
async function githubRelease(repo: string, tagApi: string | null, version: string | null, settings: DependencyNetworkSettings): Promise<GithubReleaseBody> {
  if (tagApi !== null && tagApi.trim() !== '') return fetchRelease(tagApiUrl(tagApi, settings), settings);
  const normalizedRepo = normalizeRepo(repo);
  const bare = version?.trim().replace(/^v+/, '') ?? '';
  if (bare !== '') {
    const attempted: string[] = [];
    for (const tag of [bare, `v${bare}`]) {
      const url = `${apiBase(settings)}/repos/${normalizedRepo}/releases/tags/${tag}`;
      try {
        return await fetchRelease(url, settings);
      } catch (error) {
        if (!isNotFound((error as Error).cause)) throw error;
        attempted.push(url);
      }
    }
    throw new Error(`Failed to resolve GitHub release for repo '${repo}' and version '${bare}'; attempted tag endpoints: ${attempted.join(', ')}`);
  }
  return fetchRelease(`${apiBase(settings)}/repos/${normalizedRepo}/releases/latest`, settings);
}

async function platformPackage(spec: DependencySpec, platformKey: string, settings: DependencyNetworkSettings): Promise<DependencyPackage> {
  if (spec.source.type !== 'skilllist') {
    const pkg = spec.packages[platformKey];
    if (pkg === undefined) throw new Error(`dependency '${spec.name}' does not declare package metadata for platform '${platformKey}'`);
    return pkg;
  }
  const list = spec.source.skilllist;
  if (list === null) throw new Error(`dependency '${spec.name}' declares skilllist source but misses skilllist config`);
  const index = parseSkillListIndex(await fetchText(list.url, { allowNetwork: settings.allowNetworkDownload }), list.url);
  const entry = index.packages[list.package];
  if (entry === undefined) throw new Error(`dependency '${spec.name}' cannot find package '${list.package}' in skilllist`);
  const pkg = entry.packages[platformKey];
  if (pkg === undefined) {
    throw new Error(`dependency '${spec.name}' skilllist package '${list.package}' does not support platform '${platformKey}'`);
  }
  return pkg;
}

/**
 * Resolves `spec` for `platformKey` into a download and its install target under `root`.
 * Errors carry upstream's texts.
 */
export async function resolveDependency(
  spec: DependencySpec,
  skillId: string,
  platformKey: string,
  root: string,
  settings: DependencyNetworkSettings,
): Promise<ResolvedDependency> {
  const pkg = await platformPackage(spec, platformKey, settings);
  let version = spec.version;
  let tag: string | null = null;
  let downloadUrl: string;
  if (spec.source.type === 'github_release') {
    const github = spec.source.github;
    if (github === null) throw new Error(`dependency '${spec.name}' declares github_release source but misses github config`);
    if (pkg.asset_name === null) throw new Error(`dependency '${spec.name}' github package for platform '${platformKey}' must declare asset_name`);
    const release = await githubRelease(github.repo, github.tag_api, spec.version, settings);
    const expected = spec.version?.trim() ?? '';
    const normalized = expected !== '' ? expected.replace(/^v+/, '') : release.tag_name.trim().replace(/^v+/, '');
    const assetName = pkg.asset_name.replaceAll('{version}', normalized).replaceAll('{tag}', release.tag_name);
    const asset = (release.assets ?? []).find((item) => item.name === assetName);
    if (!asset) throw new Error(`GitHub release ${release.tag_name} does not contain asset '${assetName}'`);
    version = normalized;
    tag = release.tag_name;
    downloadUrl = rewriteGithubDownloadUrl(asset.browser_download_url, settings.githubBaseUrl);
  } else {
    if (pkg.url === null || pkg.url.trim() === '') throw new Error(`dependency '${spec.name}' platform '${platformKey}' must declare url`);
    downloadUrl = pkg.url.trim();
  }
  return {
    kind: spec.kind,
    name: spec.name,
    scope: spec.scope,
    version,
    installRoot: dependencyInstallRoot(root, spec.scope, skillId, spec.name, version, platformKey),
    exports: renderExports(pkg.exports, version, tag),
    downloadUrl,
    archiveType: pkg.archive_type,
    sha256: pkg.sha256,
    tag,
  };
}
