// Finding a dependency that is already installed, before anything is resolved or downloaded
// (upstream `find_existing_local_dependency_request`): every version candidate × tag candidate,
// and when no version is declared, every version folder already present.
import { lstat, readdir, stat } from 'node:fs/promises';
import path from 'node:path';

import type { DependencyExport, DependencyKind, DependencyPackage } from './manifest.js';
import {
  dependencyInstallRoot,
  dependencyNameDir,
  exportTargetPath,
  localTagCandidates,
  localVersionCandidates,
  renderExports,
  sanitizePathComponent,
} from './paths.js';

/** A concrete place a dependency is (or will be) installed, with its exports rendered. */
export interface DependencyInstallTarget {
  kind: DependencyKind;
  name: string;
  scope: 'skill' | 'host';
  version: string | null;
  installRoot: string;
  exports: DependencyExport[];
}

/**
 * Whether every export of `target` exists (files, folders or links alike, as upstream's
 * `try_exists`).
 * @throws {Error} `dependency '<n>' must declare at least one export`, or a probe failure other than "missing".
 */
export async function exportsPresent(target: DependencyInstallTarget): Promise<boolean> {
  if (target.exports.length === 0) throw new Error(`dependency '${target.name}' must declare at least one export`);
  for (const item of target.exports) {
    const file = exportTargetPath(target.installRoot, item.target_path);
    try {
      await stat(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return false;
      throw new Error(`Failed to inspect dependency export target '${target.name}' at ${file}: ${(error as Error).message}`);
    }
  }
  return true;
}

function variants(
  kind: DependencyKind,
  name: string,
  scope: 'skill' | 'host',
  version: string | null,
  installRoot: string,
  pkg: DependencyPackage,
): DependencyInstallTarget[] {
  return localTagCandidates(version).map((tag) => ({ kind, name, scope, version, installRoot, exports: renderExports(pkg.exports, version, tag) }));
}

/** Every local candidate, in upstream's order. */
export async function localProbeTargets(
  kind: DependencyKind,
  skillId: string,
  name: string,
  version: string | null,
  scope: 'skill' | 'host',
  pkg: DependencyPackage,
  platformKey: string,
  root: string,
): Promise<DependencyInstallTarget[]> {
  const out: DependencyInstallTarget[] = [];
  for (const candidate of localVersionCandidates(version)) {
    out.push(...variants(kind, name, scope, candidate, dependencyInstallRoot(root, scope, skillId, name, candidate, platformKey), pkg));
  }
  if (version === null) {
    const nameDir = dependencyNameDir(root, scope, skillId, name);
    let entries: string[];
    try {
      entries = (await readdir(nameDir, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
    } catch {
      entries = [];
    }
    for (const versionDir of entries.sort()) {
      const candidateRoot = path.join(nameDir, versionDir, sanitizePathComponent(platformKey));
      const isDir = await lstat(candidateRoot).then((info) => info.isDirectory(), () => false);
      if (isDir) out.push(...variants(kind, name, scope, versionDir, candidateRoot, pkg));
    }
  }
  return out;
}

/** The first local candidate whose exports all exist, or null (also when no package is declared). */
export async function findExistingInstall(
  kind: DependencyKind,
  skillId: string,
  name: string,
  version: string | null,
  scope: 'skill' | 'host',
  pkg: DependencyPackage | undefined,
  platformKey: string,
  root: string,
): Promise<DependencyInstallTarget | null> {
  if (pkg === undefined) return null;
  for (const target of await localProbeTargets(kind, skillId, name, version, scope, pkg, platformKey, root)) {
    if (await exportsPresent(target)) return target;
  }
  return null;
}
