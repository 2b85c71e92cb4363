// Upstream 0.5.5 `describe` in `installed` mode: the config declarations of every skill package
// on disk in the root chain, loaded or not, so a host can offer settings for a package before it
// is enabled or while an earlier root shadows it. Read-only; never touches the config store.

import { pathExists } from '../fs-checks.js';
import type { DeclaredConfigItem } from './config-declaration.js';
import { loadSkillPackage } from './manifest.js';
import { disabledRecordPath, resolveEffectiveSkills, validateSkillRootChain, type RuntimeSkillRoot, type SkillRootName } from './roots.js';

/** One physical package and what it declares (upstream `InstalledSkillPackageConfigDescriptor`). */
export interface InstalledSkillConfigDescriptor {
  skill_id: string;
  root_name: SkillRootName;
  absolute_path: string;
  /** False when skill.yaml says `enable: false` or a disabled-state record exists. */
  enabled: boolean;
  /** True when an earlier root holds a directory of the same id. */
  shadowed: boolean;
  /** Whether this is the instance the engine loads (not shadowed, enabled, valid manifest). */
  effective: boolean;
  manifest_valid: boolean;
  manifest_issue?: { code: string; message: string };
  skill_version?: string;
  /** The declarations, when the manifest is valid (empty: 0.4.6 string config). */
  config?: DeclaredConfigItem[];
}

export interface InstalledSkillConfigOptions {
  skillId?: string;
  rootName?: string;
  /** Sibling directory of each skills dir holding disabled-state records. */
  stateDirName: string;
}

/** Every package directory of `roots` (sorted by skill id, then root order), optionally filtered. */
export async function describeInstalledConfig(roots: readonly RuntimeSkillRoot[], options: InstalledSkillConfigOptions): Promise<InstalledSkillConfigDescriptor[]> {
  const chain = validateSkillRootChain(roots);
  if (options.rootName !== undefined && !chain.some((r) => r.name === options.rootName)) {
    throw new TypeError(`unknown root_name '${options.rootName}': the loaded roots are ${chain.map((r) => r.name).join(', ')}`);
  }
  const resolution = await resolveEffectiveSkills(chain);
  const candidates = [
    ...resolution.instances.map((i) => ({ skill_id: i.skill_id, root_name: i.root_name, dir: i.skill_dir, shadowed: false, disabledByManifest: false })),
    ...resolution.skipped
      .filter((s) => s.reason === 'shadowed' || s.reason === 'manifest_disabled')
      .map((s) => ({ skill_id: s.skill_id, root_name: s.root_name, dir: s.skill_dir, shadowed: s.reason === 'shadowed', disabledByManifest: s.reason === 'manifest_disabled' })),
  ];
  const rank = (name: SkillRootName): number => chain.findIndex((r) => r.name === name);
  candidates.sort((a, b) => (a.skill_id === b.skill_id ? rank(a.root_name) - rank(b.root_name) : a.skill_id < b.skill_id ? -1 : 1));
  const out: InstalledSkillConfigDescriptor[] = [];
  for (const c of candidates) {
    if (options.skillId !== undefined && c.skill_id !== options.skillId) continue;
    if (options.rootName !== undefined && c.root_name !== options.rootName) continue;
    const root = chain[rank(c.root_name)]!;
    const disabledRecord = await pathExists(disabledRecordPath(root.skills_dir, options.stateDirName, c.skill_id));
    const d: InstalledSkillConfigDescriptor = {
      skill_id: c.skill_id,
      root_name: c.root_name,
      absolute_path: c.dir,
      enabled: !c.disabledByManifest && !disabledRecord,
      shadowed: c.shadowed,
      effective: false,
      manifest_valid: false,
    };
    try {
      const pkg = await loadSkillPackage(c.dir, { root_name: c.root_name, skills_root: root.skills_dir }, { allowDisabled: true });
      d.manifest_valid = true;
      d.skill_version = pkg.version;
      d.config = pkg.config.map((item) => ({ ...item, constraints: { ...item.constraints }, options: item.options.map((o) => ({ ...o })) }));
    } catch (err) {
      const code = typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : 'manifest_invalid';
      d.manifest_issue = { code, message: (err as Error).message };
    }
    d.effective = d.manifest_valid && d.enabled && !d.shadowed;
    out.push(d);
  }
  return out;
}
