// Download + verify + install of one resolved dependency. The payload goes to the download cache
// (`<kind>-<name>-<platform>`, verified against the package's optional `sha256`); its exports are
// written into a fresh folder beside the install root, which replaces the install root only once
// complete: a failed install never leaves a half-installed dependency behind.
import { randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';

import { downloadToCache } from '../lifecycle/download.js';
import { installPayload } from './extract.js';
import type { DependencyNetworkSettings, ResolvedDependency } from './resolve.js';

/** Upstream's cache key of a dependency download. */
export function dependencyCacheKey(dep: ResolvedDependency, platformKey: string): string {
  return `${dep.kind}-${dep.name}-${platformKey}`;
}

/** Downloads the payload into the cache; returns its path. */
export async function downloadDependency(
  dep: ResolvedDependency,
  platformKey: string,
  cacheDir: string,
  settings: DependencyNetworkSettings,
): Promise<string> {
  const result = await downloadToCache(dep.downloadUrl, {
    allowNetwork: settings.allowNetworkDownload,
    cacheDir,
    cacheKey: dependencyCacheKey(dep, platformKey),
    ...(dep.sha256 !== null ? { expectedSha256: dep.sha256 } : {}),
  });
  return result.path;
}

/** Installs the exports of `payload` into `dep.installRoot` through a temp folder and a rename. */
export async function installDependencyPayload(payload: string, dep: ResolvedDependency): Promise<void> {
  const finalRoot = dep.installRoot;
  const temp = path.join(path.dirname(finalRoot), `.${path.basename(finalRoot)}.${process.pid}-${randomBytes(4).toString('hex')}.partial`);
  try {
    await installPayload(payload, dep.archiveType, temp, dep.exports);
    await rm(finalRoot, { recursive: true, force: true });
    await rename(temp, finalRoot);
  } catch (error) {
    await rm(temp, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
}

/** Removes a cached payload and an install root before the one retry (missing is fine). */
export async function cleanupFailedAttempt(payload: string, installRoot: string): Promise<void> {
  await rm(payload, { force: true });
  await rm(installRoot, { recursive: true, force: true });
}
