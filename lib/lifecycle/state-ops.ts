// enable / disable / uninstall of a declared skill (upstream mutate_skill_state_and_reload and
// uninstall_skill_and_reload_in_root): guard, change, reload, and on a failed reload undo the
// change and reload again, so roots, records and the registry end as they were.
import { access, rm } from 'node:fs/promises';
import path from 'node:path';

import { identifierError } from '../skills/identifiers.js';
import { disabledRecordPath } from '../skills/roots.js';
import type { ResolvedSkillRoot } from '../skills/roots.js';
import { Operation, type LifecycleHost, type LifecycleOptions } from './context.js';
import { LifecycleError } from './errors.js';
import { withLifecycleLock } from './lock.js';
import { declaredInstances, guardPlane, type DeclaredSkill, type LifecycleAction } from './policy.js';
import { removeDisabledRecord, removeInstallRecord, stateDir, writeDisabledRecord } from './records.js';
import { moveDir, removeQuietly } from './staging.js';
import { cleanupUninstalledSkillDependencies } from '../dependencies/cleanup.js';

/** Result of enable / disable. */
export interface SkillStateResult {
  skill_id: string;
  root_name: string;
  skill_dir: string;
  enabled: boolean;
}

/** Upstream `SkillUninstallResult`. */
export interface SkillUninstallResult {
  skill_id: string;
  skill_removed: boolean;
  sqlite_removed: boolean;
  lancedb_removed: boolean;
  sqlite_retained: boolean;
  lancedb_retained: boolean;
  message: string;
}

export function checkSkillId(skillId: unknown): string {
  if (typeof skillId !== 'string') throw new LifecycleError('invalid_request', 'skill_id must be a string');
  const problem = identifierError(skillId, 'skill_id');
  if (problem) throw new LifecycleError('invalid_request', problem);
  return skillId;
}

// The declaration an operation acts on: the effective one, or the one in the explicit root.
async function declared(host: LifecycleHost, skillId: string, targetRoot: string | undefined): Promise<DeclaredSkill> {
  const all = await declaredInstances(host.roots(), skillId);
  const label = targetRoot?.trim().toUpperCase();
  const found = label === undefined ? all[0] : all.find((d) => d.root.name === label);
  if (!found) throw new LifecycleError('refused', `declared skill instance '${skillId}' not found`);
  return found;
}

function guard(op: Operation, root: ResolvedSkillRoot, action: LifecycleAction): void {
  guardPlane(op.plane, root, action);
  if (op.authority === 'delegated_tool' && root.name === 'ROOT') {
    throw new LifecycleError('refused', `DelegatedTool authority cannot ${action} the system-controlled ROOT skill root`);
  }
}

async function reloadOrUndo(op: Operation, undo: () => Promise<void>): Promise<void> {
  op.progress('reloading_runtime');
  try {
    await op.host.reload();
  } catch (err) {
    await undo();
    await op.host.reload().catch(() => undefined);
    throw new LifecycleError('reload_failed', `reload after ${op.action} failed: ${(err as Error).message}`, { cause: err });
  }
}

/** Enables (removes the disabled record) or disables (writes it) a declared skill, then reloads. */
export async function setSkillEnabled(
  host: LifecycleHost,
  skillId: string,
  enabled: boolean,
  reason: string | undefined,
  options: LifecycleOptions,
): Promise<SkillStateResult> {
  const action: LifecycleAction = enabled ? 'Enable' : 'Disable';
  const op = new Operation(host, action, options);
  let target: DeclaredSkill;
  try {
    op.skillId = checkSkillId(skillId);
    op.progress('validating_request');
    target = await declared(host, skillId, options.targetRoot);
    op.rootName = target.root.name;
    guard(op, target.root, action);
  } catch (err) {
    throw op.fail(err, 'blocked');
  }
  const state = stateDir(target.root.skills_dir, host.stateDirName);
  try {
    await withLifecycleLock(state, async () => {
      const record = disabledRecordPath(target.root.skills_dir, host.stateDirName, skillId);
      const wasDisabled = await access(record).then(() => true, () => false);
      if (enabled) await removeDisabledRecord(target.root.skills_dir, host.stateDirName, skillId);
      else await writeDisabledRecord(target.root.skills_dir, host.stateDirName, skillId, reason);
      await reloadOrUndo(op, async () => {
        if (wasDisabled) await writeDisabledRecord(target.root.skills_dir, host.stateDirName, skillId, undefined);
        else await removeDisabledRecord(target.root.skills_dir, host.stateDirName, skillId);
      });
    }, options.signal ? { signal: options.signal } : {});
  } catch (err) {
    throw op.fail(err);
  }
  op.progress('completed', 'completed');
  op.outcome('completed', undefined, target.skill_dir);
  return { skill_id: skillId, root_name: target.root.name, skill_dir: target.skill_dir, enabled };
}

/** What to do with the skill's databases on uninstall (kept by default). */
export interface UninstallOptions extends LifecycleOptions {
  removeSqlite?: boolean;
  removeLancedb?: boolean;
}

async function removeDatabase(dir: string, requested: boolean): Promise<{ removed: boolean; retained: boolean }> {
  if (!requested) return { removed: false, retained: true };
  if (!(await access(dir).then(() => true, () => false))) return { removed: false, retained: false };
  try {
    await rm(dir, { recursive: true, force: true });
  } catch (err) {
    throw new LifecycleError('io_failed', `failed to remove ${path.basename(path.dirname(dir))} directory ${dir}: ${(err as Error).message}`, { cause: err });
  }
  return { removed: true, retained: false };
}

/** Moves the package to a backup, reloads (undoing on failure), then drops records, backup and (on request) databases. */
export async function uninstallSkill(host: LifecycleHost, skillId: string, options: UninstallOptions): Promise<SkillUninstallResult> {
  const op = new Operation(host, 'Uninstall', options);
  let target: DeclaredSkill;
  try {
    op.skillId = checkSkillId(skillId);
    op.progress('validating_request');
    target = await declared(host, skillId, options.targetRoot);
    op.rootName = target.root.name;
    guard(op, target.root, 'Uninstall');
  } catch (err) {
    throw op.fail(err, 'blocked');
  }
  const state = stateDir(target.root.skills_dir, host.stateDirName);
  const backup = path.join(state, 'uninstall_backup', `${skillId}-${Date.now()}`);
  let result: SkillUninstallResult;
  try {
    result = await withLifecycleLock(state, async () => {
      op.progress('backing_up_current');
      await moveDir(target.skill_dir, backup);
      await reloadOrUndo(op, () => moveDir(backup, target.skill_dir));
      op.progress('committing');
      await removeDisabledRecord(target.root.skills_dir, host.stateDirName, skillId);
      await removeInstallRecord(target.root.skills_dir, host.stateDirName, skillId);
      await removeQuietly(backup);
      const databases = path.join(path.dirname(path.resolve(target.root.skills_dir)), host.databaseDirName);
      const sqlite = await removeDatabase(path.join(databases, 'sqlite', skillId), options.removeSqlite === true);
      const lancedb = await removeDatabase(path.join(databases, 'lancedb', skillId), options.removeLancedb === true);
      // Skill-private dependencies go too; a failure is only a warning, as upstream.
      const warnings = await cleanupUninstalledSkillDependencies(target.root.skills_dir, host.dependencyDirName ?? '', skillId);
      for (const warning of warnings) host.warn?.(warning);
      const suffix = warnings.map((warning) => `; ${warning}`).join('');
      return {
        skill_id: skillId,
        skill_removed: true,
        sqlite_removed: sqlite.removed,
        lancedb_removed: lancedb.removed,
        sqlite_retained: sqlite.retained,
        lancedb_retained: lancedb.retained,
        message: `skill package removed=true sqlite_removed=${sqlite.removed} sqlite_retained=${sqlite.retained} lancedb_removed=${lancedb.removed} lancedb_retained=${lancedb.retained}${suffix}`,
      };
    }, options.signal ? { signal: options.signal } : {});
  } catch (err) {
    throw op.fail(err);
  }
  op.progress('completed', 'completed');
  op.outcome('completed', result.message, target.skill_dir);
  return result;
}
