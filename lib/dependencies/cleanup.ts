// Removing skill-private dependencies: all of a skill's folders on uninstall
// (`<deps>/{tools,lua,ffi}/<skill_id>`), and on update the install roots the old manifest
// declared for this platform that the new one no longer does (upstream's diff-clean). Host-scope
// dependencies are never touched. Failures come back as warnings, never as errors.
import { lstat, rm } from 'node:fs/promises';
import path from 'node:path';

import { allDependencies, readDependencyManifest, type DependencyManifest } from './manifest.js';
import { dependencyInstallRoot, skillDependencyDir, dependencyRootsFor, type DependencyPathOptions } from './paths.js';
import { currentPlatformKey } from './platform.js';
import { DEPENDENCY_KINDS } from './manifest.js';

async function removeDir(dir: string, what: string): Promise<string | null> {
  let info;
  try {
    info = await lstat(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return `Failed to inspect ${what} ${dir}: ${(error as Error).message}`;
  }
  if (!info.isDirectory()) return `${what} is not a directory: ${dir}`;
  try {
    await rm(dir, { recursive: true, force: true });
    return null;
  } catch (error) {
    return `Failed to remove ${what} ${dir}: ${(error as Error).message}`;
  }
}

/** Removes `<deps>/{tools,lua,ffi}/<skill_id>` of the skill root; returns warnings. */
export async function cleanupUninstalledSkillDependencies(skillsRoot: string, dependencyDirName: string, skillId: string): Promise<string[]> {
  const warnings: string[] = [];
  for (const kind of DEPENDENCY_KINDS) {
    const problem = await removeDir(skillDependencyDir(skillsRoot, dependencyDirName, kind, skillId), 'skill-private dependency root');
    if (problem !== null) warnings.push(problem);
  }
  return warnings;
}

function skillLocalRoots(manifest: DependencyManifest | null, skillsRoot: string, dependencyDirName: string, skillId: string, platformKey: string): Set<string> {
  const out = new Set<string>();
  if (manifest === null) return out;
  const options: DependencyPathOptions = {
    dependencyDirName,
    hostProvidedToolRoot: null,
    hostProvidedLuaRoot: null,
    hostProvidedFfiRoot: null,
    luaPackagesDir: null,
    downloadCacheRoot: null,
  };
  const roots = dependencyRootsFor(skillsRoot, options);
  for (const spec of allDependencies(manifest)) {
    if (spec.scope !== 'skill' || spec.packages[platformKey] === undefined) continue;
    out.add(dependencyInstallRoot(roots.skill[spec.kind], 'skill', skillId, spec.name, spec.version, platformKey));
  }
  return out;
}

/** Reads a skill's dependencies.yaml for cleanup; a broken or missing file is null. */
export async function readManifestForCleanup(skillDir: string): Promise<DependencyManifest | null> {
  try {
    return await readDependencyManifest(path.join(skillDir, 'dependencies.yaml'));
  } catch {
    return null;
  }
}

/**
 * Removes the install roots `previous` declared (skill scope, this platform, declared version or
 * `unversioned`) that `current` does not; returns warnings.
 */
export async function cleanupUpdatedSkillDependencies(
  skillsRoot: string,
  dependencyDirName: string,
  skillId: string,
  previous: DependencyManifest | null,
  current: DependencyManifest | null,
): Promise<string[]> {
  const platformKey = currentPlatformKey();
  if (platformKey === 'unknown') return [];
  const before = skillLocalRoots(previous, skillsRoot, dependencyDirName, skillId, platformKey);
  const after = skillLocalRoots(current, skillsRoot, dependencyDirName, skillId, platformKey);
  const warnings: string[] = [];
  for (const stale of before) {
    if (after.has(stale)) continue;
    const problem = await removeDir(stale, 'stale dependency root');
    if (problem !== null) warnings.push(problem);
  }
  return warnings;
}
