// Download + verify + install of one resolved dependency. The payload goes to the download cache
// (`<kind>-<name>-<platform>-<url digest>`, verified against the package's optional `sha256`) through a unique
// temp file and a rename, so two engines sharing the cache never read each other's half-written
// file. Its exports are written into a fresh folder beside the install root, which becomes the
// install root only once complete: a failed install never leaves a half-installed dependency
// behind, and an install that loses a race to another engine keeps the winner's root.
import { createHash, randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';

import { downloadToCache } from '../lifecycle/download.js';
import { installPayload } from './extract.js';
import { exportsPresent } from './probe.js';
import type { DependencyNetworkSettings, ResolvedDependency } from './resolve.js';

/**
 * The cache key of a dependency download: upstream's `<kind>-<name>-<platform>` plus 12 hex of
 * the URL's SHA-256. Skills load concurrently, and two of them may declare the same name with
 * different URLs (versions); with upstream's key one would install the other's payload.
 */
export function dependencyCacheKey(dep: ResolvedDependency, platformKey: string): string {
  const digest = createHash('sha256').update(dep.downloadUrl).digest('hex').slice(0, 12);
  return `${dep.kind}-${dep.name}-${platformKey}-${digest}`;
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

/** A name beside `finalRoot` that no other writer uses (pid + random). */
function siblingName(finalRoot: string, suffix: string): string {
  return path.join(path.dirname(finalRoot), `.${path.basename(finalRoot)}.${process.pid}-${randomBytes(4).toString('hex')}.${suffix}`);
}

const isTaken = (error: unknown): boolean => ['EEXIST', 'ENOTEMPTY', 'EPERM'].includes((error as NodeJS.ErrnoException).code ?? '');

/**
 * Moves an incomplete root out of the way (a rename, so no reader sees it half removed). When the
 * root turns out complete after all (another engine published it meanwhile), it is put back.
 */
async function moveAsideStaleRoot(dep: ResolvedDependency): Promise<void> {
  const aside = siblingName(dep.installRoot, 'stale');
  try {
    await rename(dep.installRoot, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (await exportsPresent({ ...dep, installRoot: aside })) {
    try {
      await rename(aside, dep.installRoot);
      return;
    } catch {
      // Another complete root took the place; this copy is surplus.
    }
  }
  await rm(aside, { recursive: true, force: true });
}

/**
 * Makes `temp` the install root. When a root is already there, one with every export (another
 * engine's finished install) wins and `temp` is dropped; an incomplete one is replaced.
 */
async function publishInstallRoot(temp: string, dep: ResolvedDependency): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      await rename(temp, dep.installRoot);
      return;
    } catch (error) {
      if (!isTaken(error)) throw error;
    }
    if (await exportsPresent(dep)) {
      await rm(temp, { recursive: true, force: true });
      return;
    }
    await moveAsideStaleRoot(dep);
  }
  throw new Error(`Failed to install dependency '${dep.name}' into ${dep.installRoot}: the folder keeps being replaced`);
}

/** Installs the exports of `payload` into `dep.installRoot` through a temp folder and a rename. */
export async function installDependencyPayload(payload: string, dep: ResolvedDependency): Promise<void> {
  const temp = siblingName(dep.installRoot, 'partial');
  try {
    await installPayload(payload, dep.archiveType, temp, dep.exports);
    await publishInstallRoot(temp, dep);
  } catch (error) {
    await rm(temp, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
}

/**
 * Removes a cached payload before the one retry (missing is fine). Unlike upstream the install
 * root is left alone: an install here never leaves a partial root, and the root may be another
 * engine's finished install.
 */
export async function cleanupFailedAttempt(payload: string): Promise<void> {
  await rm(payload, { force: true });
}
