// The skill-loading side: a `checkPackage` step that prepares a skill's dependencies before it
// joins the registry. A failure fails that skill alone, as `dependency_failed` in the load report
// (upstream logs `Failed to prepare dependencies for <id>: <error>` and skips the skill).
import path from 'node:path';

import { SkillPackageError } from '../skills/errors.js';
import type { SkillPackage } from '../skills/manifest.js';
import { ensureSkillDependencies, type DependencyLog } from './ensure.js';
import { readDependencyManifest } from './manifest.js';
import { dependencyRootsFor, type DependencyPathOptions } from './paths.js';
import type { DependencyNetworkSettings } from './resolve.js';

/** What the engine passes: host paths, network policy, and where log lines go. */
export interface DependencySettings extends DependencyPathOptions, DependencyNetworkSettings {
  /** Receives each line with the skill it concerns. */
  log?: (level: 'info' | 'warn', message: string, skillId: string) => void;
}

/**
 * Reads `<skill_dir>/dependencies.yaml` (none: nothing to do) and ensures every dependency.
 * @throws {SkillPackageError} `dependency_failed`: `Failed to prepare dependencies for <id>: <error>`.
 */
export async function prepareSkillDependencies(pkg: SkillPackage, settings: DependencySettings): Promise<void> {
  try {
    const manifest = await readDependencyManifest(path.join(pkg.skill_dir, 'dependencies.yaml'));
    if (manifest === null) return;
    const log: DependencyLog | undefined = settings.log ? (level, message) => settings.log?.(level, message, pkg.skill_id) : undefined;
    await ensureSkillDependencies(manifest, {
      skillId: pkg.skill_id,
      roots: dependencyRootsFor(pkg.skills_root, settings),
      network: settings,
      ...(log ? { log } : {}),
    });
  } catch (error) {
    throw new SkillPackageError('dependency_failed', `Failed to prepare dependencies for ${pkg.skill_id}: ${(error as Error).message}`, { cause: error });
  }
}
