// install / update (upstream apply flow): resolve the target root under every guard, stage the
// package, validate its manifest as loading would, move it into place, reload, commit the install
// record. Any failure — including a progress listener that throws, which is how tests simulate a
// crash between steps — rolls everything back: roots, records and registry end as they were, and
// no staging or backup folder is left behind.
import path from 'node:path';

import { pathExists } from '../fs-checks.js';
import { loadSkillPackage } from '../skills/manifest.js';
import type { ResolvedSkillRoot } from '../skills/roots.js';
import { Operation, type LifecycleHost, type LifecycleOptions } from './context.js';
import { LifecycleError } from './errors.js';
import { withLifecycleLock } from './lock.js';
import { declaredInstances, ensureNotRootOwned, ensureNotShadowed, resolveTargetRoot } from './policy.js';
import { readInstallRecord, stateDir, writeInstallRecord } from './records.js';
import { prepareSource, requestedSkillId, type SkillInstallRequest } from './source-prep.js';
import { checkSkillId } from './state-ops.js';
import { moveDir, removeQuietly } from './staging.js';
import { cleanupUpdatedSkillDependencies, readManifestForCleanup } from '../dependencies/cleanup.js';

/** Upstream `SkillApplyResult`. */
export interface SkillApplyResult {
  skill_id: string;
  status: 'installed' | 'already_installed' | 'updated' | 'up_to_date' | 'missing_skill';
  message: string;
  version?: string;
  source_type?: string;
  source_locator?: string;
}


function requestedId(request: SkillInstallRequest): string {
  return checkSkillId(requestedSkillId(request));
}

// Stages and validates the package; returns its directory in staging and its manifest version.
async function stageAndValidate(op: Operation, request: SkillInstallRequest, skillId: string, target: ResolvedSkillRoot, staging: string) {
  const staged = await prepareSource(op, request, skillId, staging);
  op.progress('validating_skill_manifest');
  let version: string;
  try {
    version = (await loadSkillPackage(staged.dir, { root_name: target.name, skills_root: target.skills_dir })).version;
  } catch (err) {
    throw new LifecycleError('manifest_invalid', `skill package '${skillId}' is invalid: ${(err as Error).message}`, { cause: err });
  }
  if (staged.version !== undefined && staged.version !== version) {
    throw new LifecycleError('manifest_invalid', `skill '${skillId}' manifest version '${version}' does not match the resolved version '${staged.version}'`);
  }
  return { ...staged, version };
}

// The reload must also load the new package: one that fails to load (an entry with a syntax
// error, say) is rolled back rather than left installed and broken.
async function reloadAndCheck(op: Operation, skillId: string): Promise<void> {
  op.progress('reloading_runtime');
  let report;
  try {
    report = await op.host.reload();
  } catch (err) {
    throw new LifecycleError('reload_failed', `reload after ${op.action} failed: ${(err as Error).message}`, { cause: err });
  }
  const failed = report.failed.find((f) => f.skill_id === skillId);
  if (failed) throw new LifecycleError('manifest_invalid', `skill '${skillId}' does not load: ${failed.message}`);
}

function applied(op: Operation, result: SkillApplyResult): SkillApplyResult {
  op.progress('completed', 'completed');
  op.outcome(result.status, result.message);
  return result;
}

export async function installSkill(host: LifecycleHost, request: SkillInstallRequest, options: LifecycleOptions): Promise<SkillApplyResult> {
  const op = new Operation(host, 'Install', options);
  let skillId: string;
  let target: ResolvedSkillRoot;
  try {
    op.progress('validating_request');
    skillId = requestedId(request);
    op.skillId = skillId;
    const roots = host.roots();
    target = resolveTargetRoot(roots, op.plane, op.authority, 'Install', options.targetRoot);
    op.rootName = target.name;
    await ensureNotRootOwned(roots, target, skillId, 'Install');
    if (options.targetRoot !== undefined) await ensureNotShadowed(roots, target, skillId);
    const declared = await declaredInstances(roots, skillId);
    if (declared.length > 0) {
      return applied(op, { skill_id: skillId, status: 'already_installed', message: `skill '${skillId}' is already installed in root '${declared[0]!.root.name}' at ${declared[0]!.skill_dir}` });
    }
  } catch (err) {
    throw op.fail(err, 'blocked');
  }
  const state = stateDir(target.skills_dir, host.stateDirName);
  const staging = path.join(state, 'install_tmp', `${skillId}-${Date.now()}`);
  const dest = path.join(target.skills_dir, skillId);
  try {
    return await withLifecycleLock(state, async () => {
      let moved = false;
      try {
        const staged = await stageAndValidate(op, request, skillId, target, staging);
        op.progress('staging_install');
        if (await pathExists(dest)) throw new LifecycleError('refused', `target skill directory already exists: ${dest}`);
        await moveDir(staged.dir, dest);
        moved = true;
        await reloadAndCheck(op, skillId);
        op.progress('committing');
        const source: { source_type: string; locator: string; tag?: string } = { source_type: staged.sourceType, locator: staged.locator };
        if (staged.tag !== undefined) source.tag = staged.tag;
        await writeInstallRecord(target.skills_dir, host.stateDirName, { skill_id: skillId, version: staged.version, managed: true, source, installed_at_unix_ms: Date.now() });
        await removeQuietly(staging);
        return applied(op, {
          skill_id: skillId,
          status: 'installed',
          message: `skill '${skillId}' ${staged.version} installed into root '${target.name}'`,
          version: staged.version,
          source_type: staged.sourceType,
          source_locator: staged.locator,
        });
      } catch (err) {
        await removeQuietly(staging);
        if (moved) {
          await removeQuietly(dest);
          await host.reload().catch(() => undefined);
        }
        throw err;
      }
    }, options.signal ? { signal: options.signal } : {});
  } catch (err) {
    throw op.fail(err);
  }
}

export async function updateSkill(host: LifecycleHost, request: SkillInstallRequest, options: LifecycleOptions): Promise<SkillApplyResult> {
  const op = new Operation(host, 'Update', options);
  let skillId: string;
  let target: ResolvedSkillRoot;
  let recordVersion: string;
  let effectiveRequest: SkillInstallRequest;
  try {
    op.progress('validating_request');
    skillId = requestedId(request);
    op.skillId = skillId;
    const roots = host.roots();
    const declared = await declaredInstances(roots, skillId);
    const label = options.targetRoot?.trim().toUpperCase();
    const current = label === undefined ? declared[0] : declared.find((d) => d.root.name === label);
    if (!current) return applied(op, { skill_id: skillId, status: 'missing_skill', message: `skill '${skillId}' is not installed` });
    target = resolveTargetRoot(roots, op.plane, op.authority, 'Update', current.root.name);
    op.rootName = target.name;
    await ensureNotRootOwned(roots, target, skillId, 'Update');
    await ensureNotShadowed(roots, target, skillId);
    const record = await readInstallRecord(target.skills_dir, host.stateDirName, skillId);
    if (!record) throw new LifecycleError('refused', `skill '${skillId}' is not managed by the install workflow; automatic update is unavailable`);
    recordVersion = record.version;
    effectiveRequest = {
      skill_id: skillId,
      source: request.source ?? record.source.locator,
      source_type: request.source_type ?? (record.source.source_type as SkillInstallRequest['source_type']),
    };
  } catch (err) {
    throw op.fail(err, 'blocked');
  }
  const state = stateDir(target.skills_dir, host.stateDirName);
  const staging = path.join(state, 'update_tmp', `${skillId}-${Date.now()}`);
  const backup = path.join(state, 'update_backup', `${skillId}-${Date.now()}`);
  const dest = path.join(target.skills_dir, skillId);
  try {
    return await withLifecycleLock(state, async () => {
      let backedUp = false;
      let swapped = false;
      try {
        const staged = await stageAndValidate(op, effectiveRequest, skillId, target, staging);
        if (staged.version === recordVersion) {
          await removeQuietly(staging);
          return applied(op, { skill_id: skillId, status: 'up_to_date', message: `skill '${skillId}' is already at version ${recordVersion}`, version: recordVersion, source_type: staged.sourceType, source_locator: staged.locator });
        }
        const previousDependencies = await readManifestForCleanup(dest);
        op.progress('backing_up_current');
        await moveDir(dest, backup);
        backedUp = true;
        op.progress('staging_update');
        await moveDir(staged.dir, dest);
        swapped = true;
        await reloadAndCheck(op, skillId);
        op.progress('committing');
        const source: { source_type: string; locator: string; tag?: string } = { source_type: staged.sourceType, locator: staged.locator };
        if (staged.tag !== undefined) source.tag = staged.tag;
        await writeInstallRecord(target.skills_dir, host.stateDirName, { skill_id: skillId, version: staged.version, managed: true, source, installed_at_unix_ms: Date.now() });
        await removeQuietly(backup);
        await removeQuietly(staging);
        // Diff-clean: dependency versions the new manifest no longer declares (warnings only).
        const cleanup = await cleanupUpdatedSkillDependencies(target.skills_dir, host.dependencyDirName ?? '', skillId, previousDependencies, await readManifestForCleanup(dest));
        for (const warning of cleanup) host.warn?.(warning);
        return applied(op, {
          skill_id: skillId,
          status: 'updated',
          message: `skill '${skillId}' updated from ${recordVersion} to ${staged.version} in root '${target.name}'`,
          version: staged.version,
          source_type: staged.sourceType,
          source_locator: staged.locator,
        });
      } catch (err) {
        await removeQuietly(staging);
        if (swapped) await removeQuietly(dest);
        if (backedUp) await moveDir(backup, dest).catch(() => undefined);
        if (swapped) await host.reload().catch(() => undefined);
        await removeQuietly(backup);
        throw err;
      }
    }, options.signal ? { signal: options.signal } : {});
  } catch (err) {
    throw op.fail(err);
  }
}
