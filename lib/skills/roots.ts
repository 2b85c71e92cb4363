// The skill root chain (ROOT -> PROJECT -> USER) and effective resolution: which directory wins
// for each skill id, which directories hide lower layers, and where disabled-state records live.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';

import { Type } from '@sinclair/typebox';
import YAML from 'yaml';

import { isDirectory } from '../fs-checks.js';
import { compileValidator } from '../vm/options.js';
import { SkillRootError } from './errors.js';
import { isValidIdentifier } from './identifiers.js';

/** The three layer labels, highest priority first. */
export const SKILL_ROOT_NAMES = ['ROOT', 'PROJECT', 'USER'] as const;
export type SkillRootName = (typeof SKILL_ROOT_NAMES)[number];

/** One layer as hosts pass it (upstream's `RuntimeSkillRoot` JSON shape). */
export const RuntimeSkillRootSchema = Type.Object(
  {
    /** `ROOT`, `PROJECT` or `USER` (trimmed, case-insensitive). */
    name: Type.String(),
    /** The layer's skills directory; relative paths are taken against the process cwd. */
    skills_dir: Type.String({ minLength: 1 }),
  },
  { additionalProperties: false },
);
export const RuntimeSkillRootsSchema = Type.Array(RuntimeSkillRootSchema);

/** One layer as hosts pass it. */
export interface RuntimeSkillRoot {
  name: string;
  skills_dir: string;
}

/** One checked layer: canonical label and absolute directory. */
export interface ResolvedSkillRoot {
  name: SkillRootName;
  skills_dir: string;
}

/** The directory that wins for one skill id. */
export interface ResolvedSkillInstance {
  skill_id: string;
  root_name: SkillRootName;
  skills_root: string;
  skill_dir: string;
}

/** Why a discovered directory is not loaded (before its manifest is even checked). */
export type SkillResolutionSkipReason = 'invalid_dir_name' | 'empty_dir' | 'manifest_disabled' | 'shadowed';

/** One directory effective resolution set aside. */
export interface SkillResolutionSkip {
  /** The directory name (a skill id unless the reason is `invalid_dir_name`). */
  skill_id: string;
  root_name: SkillRootName;
  skill_dir: string;
  reason: SkillResolutionSkipReason;
  message: string;
}

/** What discovery saw in one layer. */
export interface SkillRootScan {
  root_name: SkillRootName;
  skills_dir: string;
  /** False when the directory is absent (not an error: that layer holds no skills). */
  exists: boolean;
  /** Set when the directory exists but cannot be listed; the layer then contributes nothing. */
  error?: string;
}

/** Outcome of {@link resolveEffectiveSkills}. */
export interface EffectiveSkillResolution {
  instances: ResolvedSkillInstance[];
  skipped: SkillResolutionSkip[];
  roots: SkillRootScan[];
}

const checkRootShapes = compileValidator(RuntimeSkillRootsSchema, 'skill roots');

/**
 * Checks the chain and returns it with canonical labels and absolute directories. Throws a
 * `TypeError` for a wrong shape and {@link SkillRootError} (upstream's texts) for a broken chain:
 * empty or no ROOT, an unknown label, a duplicate label, or layers out of order.
 */
export function validateSkillRootChain(roots: readonly RuntimeSkillRoot[]): ResolvedSkillRoot[] {
  checkRootShapes(roots);
  const rootRequired = 'ROOT skill root is required; pass a ROOT layer before starting LuaSkills';
  if (roots.length === 0) throw new SkillRootError(rootRequired);
  const seen = new Set<SkillRootName>();
  let lastRank = -1;
  const out: ResolvedSkillRoot[] = [];
  for (const root of roots) {
    const label = root.name.trim().toUpperCase();
    const rank = (SKILL_ROOT_NAMES as readonly string[]).indexOf(label);
    if (rank < 0) throw new SkillRootError(`unsupported skill root label '${root.name.trim()}'; expected one of ROOT, PROJECT, USER`);
    const name = label as SkillRootName;
    if (seen.has(name)) throw new SkillRootError(`duplicate skill root label '${name}'; only one ROOT, PROJECT, and USER root is supported`);
    if (rank < lastRank) throw new SkillRootError('skill roots must be ordered by fixed priority ROOT -> PROJECT -> USER');
    seen.add(name);
    lastRank = rank;
    out.push({ name, skills_dir: path.resolve(root.skills_dir) });
  }
  if (!seen.has('ROOT')) throw new SkillRootError(rootRequired);
  return out;
}

interface LayerScan {
  root: ResolvedSkillRoot;
  dirs: Map<string, string>;
}

/** Lists one layer's candidate directories (symlinks to directories count). */
async function scanLayer(root: ResolvedSkillRoot, skipped: SkillResolutionSkip[]): Promise<{ scan: LayerScan; report: SkillRootScan }> {
  const dirs = new Map<string, string>();
  const report: SkillRootScan = { root_name: root.name, skills_dir: root.skills_dir, exists: false };
  if (!(await isDirectory(root.skills_dir))) return { scan: { root, dirs }, report };
  report.exists = true;
  let names: string[];
  try {
    names = await readdir(root.skills_dir);
  } catch (error) {
    report.error = `Failed to read ${root.skills_dir}: ${(error as Error).message}`;
    return { scan: { root, dirs }, report };
  }
  for (const name of names.sort()) {
    const dir = path.join(root.skills_dir, name);
    if (!(await isDirectory(dir))) continue; // plain files are not candidates, silently
    if (!isValidIdentifier(name) || name !== name.trim()) {
      skipped.push({ skill_id: name, root_name: root.name, skill_dir: dir, reason: 'invalid_dir_name', message: `skill directory name '${name}' is not a valid skill id; ignored` });
      continue;
    }
    dirs.set(name, dir);
  }
  return { scan: { root, dirs }, report };
}

/** What a winning directory says about lower layers: hide them, or load this one. */
async function winnerState(dir: string): Promise<'empty' | 'disabled' | 'load'> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 'load'; // unreadable: it still wins, and fails at load with the reason
  }
  if (names.length === 0) return 'empty';
  try {
    const value: unknown = YAML.parse(await readFile(path.join(dir, 'skill.yaml'), 'utf8'));
    if (typeof value === 'object' && value !== null && (value as { enable?: unknown }).enable === false) return 'disabled';
  } catch {
    // Missing or broken skill.yaml: the directory still wins and fails at load, reported there,
    // instead of failing every skill as upstream does.
  }
  return 'load';
}

/**
 * Effective resolution: for every skill id found in any layer (sorted), the first layer holding
 * a directory of that name wins. A winning directory that is empty, or whose skill.yaml says
 * `enable: false`, hides the id entirely: lower layers are not consulted.
 */
export async function resolveEffectiveSkills(roots: readonly ResolvedSkillRoot[]): Promise<EffectiveSkillResolution> {
  const skipped: SkillResolutionSkip[] = [];
  const scans: LayerScan[] = [];
  const reports: SkillRootScan[] = [];
  for (const root of roots) {
    const { scan, report } = await scanLayer(root, skipped);
    scans.push(scan);
    reports.push(report);
  }
  const ids = [...new Set(scans.flatMap((scan) => [...scan.dirs.keys()]))].sort();
  const instances: ResolvedSkillInstance[] = [];
  for (const skillId of ids) {
    const holders = scans.filter((scan) => scan.dirs.has(skillId));
    const [winner, ...lower] = holders;
    if (!winner) continue;
    const dir = winner.dirs.get(skillId)!;
    const state = await winnerState(dir);
    const base = { skill_id: skillId, root_name: winner.root.name, skill_dir: dir };
    if (state === 'empty') {
      skipped.push({ ...base, reason: 'empty_dir', message: `skill '${skillId}' is hidden by the empty directory ${dir}` });
    } else if (state === 'disabled') {
      skipped.push({ ...base, reason: 'manifest_disabled', message: `skill '${skillId}' is disabled by enable: false in ${path.join(dir, 'skill.yaml')}` });
    } else {
      instances.push({ ...base, skills_root: winner.root.skills_dir });
    }
    for (const shadowed of lower) {
      const lowerDir = shadowed.dirs.get(skillId)!;
      skipped.push({
        skill_id: skillId,
        root_name: shadowed.root.name,
        skill_dir: lowerDir,
        reason: 'shadowed',
        message: `skill '${skillId}' in ${shadowed.root.name} is shadowed by ${winner.root.name} (${dir})`,
      });
    }
  }
  return { instances, skipped, roots: reports };
}

/**
 * The disabled-state record of a skill in one layer:
 * `<skills_dir>/../<stateDirName>/skills/disabled/<skill_id>.json`. Its existence disables the
 * skill (its content is not read).
 */
export function disabledRecordPath(skillsRoot: string, stateDirName: string, skillId: string): string {
  return path.join(path.dirname(path.resolve(skillsRoot)), stateDirName, 'skills', 'disabled', `${skillId}.json`);
}
