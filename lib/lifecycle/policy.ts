// Who may change which skill root (upstream engine.rs / manager.rs guards, with their texts):
// operation planes, authorities, default target roots, ROOT ownership and shadowing.
import path from 'node:path';

import { pathExists } from '../fs-checks.js';
import type { ResolvedSkillRoot, SkillRootName } from '../skills/roots.js';
import { LifecycleError } from './errors.js';

/** `skills`: the ordinary plane (PROJECT / USER); `system`: the host's own plane (ROOT by default). */
export type OperationPlane = 'skills' | 'system';
export type ManagementAuthority = 'system' | 'delegated_tool';
/** Upstream `SkillLifecycleAction`, PascalCase as its messages print it. */
export type LifecycleAction = 'Install' | 'Update' | 'Reload' | 'Uninstall' | 'Enable' | 'Disable';

/** Where a skill id is declared (its directory holds a skill.yaml), first root first. */
export interface DeclaredSkill {
  root: ResolvedSkillRoot;
  skill_dir: string;
}


/** Every root that declares `skillId`, in chain order (ROOT first). */
export async function declaredInstances(roots: readonly ResolvedSkillRoot[], skillId: string): Promise<DeclaredSkill[]> {
  const out: DeclaredSkill[] = [];
  for (const root of roots) {
    const dir = path.join(root.skills_dir, skillId);
    if (await pathExists(path.join(dir, 'skill.yaml'))) out.push({ root, skill_dir: dir });
  }
  return out;
}

function findRoot(roots: readonly ResolvedSkillRoot[], name: SkillRootName): ResolvedSkillRoot | undefined {
  return roots.find((r) => r.name === name);
}

/** The root an install/update/uninstall writes to, after every guard. */
export function resolveTargetRoot(
  roots: readonly ResolvedSkillRoot[],
  plane: OperationPlane,
  authority: ManagementAuthority,
  action: LifecycleAction,
  explicit: string | undefined,
): ResolvedSkillRoot {
  let target: ResolvedSkillRoot | undefined;
  if (explicit !== undefined) {
    const label = explicit.trim().toUpperCase();
    target = roots.find((r) => r.name === label);
    if (!target) throw new LifecycleError('refused', `target root '${explicit.trim()}' is not part of the full runtime root chain`);
  } else if (plane === 'skills') {
    target = findRoot(roots, 'USER') ?? findRoot(roots, 'PROJECT');
    if (!target) throw new LifecycleError('refused', 'ordinary skills plane requires a PROJECT or USER skill root; ROOT is system-controlled');
  } else {
    target = findRoot(roots, 'ROOT');
    if (!target) throw new LifecycleError('refused', 'system install requires a configured ROOT skill root; pass a ROOT layer to the runtime root chain');
  }
  if (plane === 'skills' && target.name === 'ROOT') {
    throw new LifecycleError('refused', `ordinary skills plane cannot ${action} the system-controlled ROOT skill root`);
  }
  if (authority === 'delegated_tool' && target.name === 'ROOT') {
    throw new LifecycleError('refused', `DelegatedTool authority cannot ${action} the system-controlled ROOT skill root`);
  }
  return target;
}

/** Install/update into PROJECT or USER is refused while ROOT declares the same id. */
export async function ensureNotRootOwned(roots: readonly ResolvedSkillRoot[], target: ResolvedSkillRoot, skillId: string, action: LifecycleAction): Promise<void> {
  if ((action !== 'Install' && action !== 'Update') || target.name === 'ROOT') return;
  const root = findRoot(roots, 'ROOT');
  if (!root) return;
  const declared = await declaredInstances([root], skillId);
  if (declared.length > 0) {
    throw new LifecycleError(
      'refused',
      `skill '${skillId}' is managed by the ROOT system layer at ${declared[0]!.skill_dir}; ${action} in '${target.name}' is not allowed until the ROOT skill is removed`,
    );
  }
}

/** An explicit target must stay the effective one: a higher-priority declaration shadows it. */
export async function ensureNotShadowed(roots: readonly ResolvedSkillRoot[], target: ResolvedSkillRoot, skillId: string): Promise<void> {
  const declared = await declaredInstances(roots, skillId);
  const winner = declared[0];
  if (!winner) return;
  if (roots.indexOf(winner.root) < roots.indexOf(target)) {
    throw new LifecycleError(
      'refused',
      `skill '${skillId}' in target root '${target.name}' is shadowed by higher-priority root '${winner.root.name}'; update the higher-priority layer or remove that override before changing this fallback root`,
    );
  }
}

/** Enable / disable / uninstall through the skills plane never touch ROOT. */
export function guardPlane(plane: OperationPlane, root: ResolvedSkillRoot, action: LifecycleAction): void {
  if (plane === 'skills' && root.name === 'ROOT') {
    throw new LifecycleError('refused', `ROOT skill root is system-controlled and cannot be processed through the skills plane for action ${action}`);
  }
}
