// loadSkillSet: roots -> effective instances -> host filters -> packages -> registry, with a
// report of everything that was not loaded and why. One broken package never stops the others.

import { Type } from '@sinclair/typebox';

import { pathExists } from '../fs-checks.js';
import { compileValidator } from '../vm/options.js';
import { SkillPackageError, type SkillPackageErrorCode } from './errors.js';
import { loadSkillPackage, type SkillPackage } from './manifest.js';
import { SkillRegistry } from './registry.js';
import {
  disabledRecordPath,
  resolveEffectiveSkills,
  validateSkillRootChain,
  type ResolvedSkillRoot,
  type RuntimeSkillRoot,
  type SkillResolutionSkipReason,
  type SkillRootName,
  type SkillRootScan,
} from './roots.js';

/** Options of {@link loadSkillSet}: the host options that change what loads. */
export const SkillLoadOptionsSchema = Type.Object(
  {
    /** Skill ids skipped before anything else is checked (compared trimmed). */
    ignoredSkillIds: Type.Optional(Type.Array(Type.String())),
    /** Canonical names the registry must not assign. */
    reservedEntryNames: Type.Optional(Type.Array(Type.String())),
    /** When set, the runtime-root layout applies: the state directory name is `state`. */
    runtimeRoot: Type.Optional(Type.String({ minLength: 1 })),
    /** Sibling directory (of each skills dir) holding `skills/disabled/<id>.json`. Default `''`, as upstream without a runtime root. */
    stateDirName: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

/** Options of {@link loadSkillSet}. */
export interface SkillLoadOptions {
  ignoredSkillIds?: readonly string[];
  reservedEntryNames?: readonly string[];
  runtimeRoot?: string;
  stateDirName?: string;
}

/**
 * Extra checks the engine runs on each package after its manifest passed (e.g. compiling the
 * entry scripts). A throw fails that skill only; throw a SkillPackageError to name the code.
 */
export interface SkillLoadChecks {
  checkPackage?: (pkg: SkillPackage) => Promise<void> | void;
}

/** Why a skill directory was not loaded although nothing is wrong with it. */
export type SkillSkipReason = SkillResolutionSkipReason | 'ignored' | 'disabled_state';

/** One skill directory set aside on purpose. */
export interface SkippedSkill {
  skill_id: string;
  root_name: SkillRootName;
  skill_dir: string;
  reason: SkillSkipReason;
  message: string;
}

/** One skill that should have loaded and did not. */
export interface FailedSkill {
  skill_id: string;
  root_name: SkillRootName;
  skill_dir: string;
  code: SkillPackageErrorCode;
  message: string;
}

/** Everything a load decided, for logs and host UIs. */
export interface SkillLoadReport {
  /** Per layer: its directory, whether it exists, and a listing error if any. */
  roots: SkillRootScan[];
  /** Loaded skill ids, sorted. */
  loaded: string[];
  skipped: SkippedSkill[];
  failed: FailedSkill[];
}

/** Outcome of {@link loadSkillSet}. */
export interface SkillSet {
  roots: ResolvedSkillRoot[];
  /** Loaded packages, sorted by skill id. */
  packages: SkillPackage[];
  registry: SkillRegistry;
  report: SkillLoadReport;
}

const checkOptions = compileValidator(SkillLoadOptionsSchema, 'skill load options');

/** The state directory name the runtime-root layout implies (`state`), else the explicit one. */
export function effectiveStateDirName(options: SkillLoadOptions): string {
  return options.runtimeRoot !== undefined ? 'state' : (options.stateDirName ?? '');
}

const LOAD_CONCURRENCY = 16;

/** Runs fn over items with at most `limit` in flight; results in input order. */
async function mapConcurrently<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Loads every effective skill of a root chain. Throws only for arguments no load can start from
 * (a `TypeError` for wrong shapes, `SkillRootError` with upstream's text for a broken chain); a
 * bad package is reported in `report.failed` and the rest load.
 */
export async function loadSkillSet(
  roots: readonly RuntimeSkillRoot[],
  options: SkillLoadOptions = {},
  checks: SkillLoadChecks = {},
): Promise<SkillSet> {
  checkOptions(options);
  const chain = validateSkillRootChain(roots);
  const ignored = new Set((options.ignoredSkillIds ?? []).map((id) => id.trim()));
  const stateDirName = effectiveStateDirName(options);
  const resolution = await resolveEffectiveSkills(chain);
  const skipped: SkippedSkill[] = [...resolution.skipped];
  const failed: FailedSkill[] = [];
  const packages: SkillPackage[] = [];

  // Packages load concurrently: a load is mostly waiting on the file system, one skill at a time
  // it would take one round trip per file. Results keep the resolution order.
  const outcomes = await mapConcurrently(resolution.instances, LOAD_CONCURRENCY, async (instance) => {
    const where = { skill_id: instance.skill_id, root_name: instance.root_name, skill_dir: instance.skill_dir };
    if (ignored.has(instance.skill_id)) {
      return { kind: 'skipped' as const, skipped: { ...where, reason: 'ignored' as const, message: `Skipped host-ignored skill '${instance.skill_id}'` } };
    }
    const record = disabledRecordPath(instance.skills_root, stateDirName, instance.skill_id);
    if (await pathExists(record)) {
      return { kind: 'skipped' as const, skipped: { ...where, reason: 'disabled_state' as const, message: `Skipped disabled skill '${instance.skill_id}' (${record})` } };
    }
    try {
      const pkg = await loadSkillPackage(instance.skill_dir, { root_name: instance.root_name, skills_root: instance.skills_root });
      if (checks.checkPackage) await checks.checkPackage(pkg);
      return { kind: 'loaded' as const, pkg };
    } catch (error) {
      // Anything else is an I/O surprise (a directory vanishing mid-load): still only this skill's problem.
      const code = error instanceof SkillPackageError ? error.code : 'skill_dir_unreadable';
      return { kind: 'failed' as const, failed: { ...where, code, message: (error as Error).message } };
    }
  });
  for (const outcome of outcomes) {
    if (outcome.kind === 'loaded') packages.push(outcome.pkg);
    else if (outcome.kind === 'failed') failed.push(outcome.failed);
    else skipped.push(outcome.skipped);
  }

  const registry = new SkillRegistry(packages, { reservedEntryNames: options.reservedEntryNames ?? [] });
  return {
    roots: chain,
    packages: registry.skills,
    registry,
    report: { roots: resolution.roots, loaded: registry.skills.map((skill) => skill.skill_id), skipped, failed },
  };
}
