// Where dependencies live, with upstream's rules: skill scope under
// `<skills_dir>/../<dependency_dir_name>/{tools|lua|ffi}/<skill_id>/<name>/<version|unversioned>/<platform>/`,
// host scope under `<host root>/<name>/<version>/<platform>/`, every component sanitised to
// `[A-Za-z0-9._-]`; plus the version/tag candidates a local probe tries and the export templates.
import path from 'node:path';

import type { DependencyExport, DependencyKind } from './manifest.js';

const KIND_DIRS: Record<DependencyKind, string> = { tool: 'tools', lua: 'lua', ffi: 'ffi' };

/** Host options that place dependency roots (camelCase host paths; null when not set). */
export interface DependencyPathOptions {
  /** Sibling folder of each skills dir; `''` falls back to `dependencies` (see docs). */
  dependencyDirName: string;
  hostProvidedToolRoot: string | null;
  hostProvidedLuaRoot: string | null;
  hostProvidedFfiRoot: string | null;
  luaPackagesDir: string | null;
  downloadCacheRoot: string | null;
}

/** The roots of one skill root's dependency manager (upstream `DependencyManagerConfig`). */
export interface DependencyRoots {
  /** Skill-scope roots: `<deps>/tools`, `<deps>/lua`, `<deps>/ffi`. */
  skill: Record<DependencyKind, string>;
  /** Host-scope probe roots. */
  host: Record<DependencyKind, string>;
  downloadCacheRoot: string;
}

/** `<skills_dir>/../<dependency_dir_name>` (`dependencies` when the name is empty). */
export function dependencyBaseDir(skillsRoot: string, dependencyDirName: string): string {
  return path.join(path.dirname(path.resolve(skillsRoot)), dependencyDirName.trim() === '' ? 'dependencies' : dependencyDirName);
}

/** `<dependency base>/{tools|lua|ffi}/<skill_id>`: what `vulcan.deps.*_path` shows a skill. */
export function skillDependencyDir(skillsRoot: string, dependencyDirName: string, kind: DependencyKind, skillId: string): string {
  return path.join(dependencyBaseDir(skillsRoot, dependencyDirName), KIND_DIRS[kind], skillId);
}

/**
 * Upstream's roots for one skill root: host roots default to `<parent>/bin/tools`,
 * `<parent>/lua_packages` (or `lua_packages_dir`), `<parent>/libs`; the download cache to
 * `<parent>/temp/downloads`.
 */
export function dependencyRootsFor(skillsRoot: string, options: DependencyPathOptions): DependencyRoots {
  const parent = path.dirname(path.resolve(skillsRoot));
  const base = dependencyBaseDir(skillsRoot, options.dependencyDirName);
  return {
    skill: { tool: path.join(base, 'tools'), lua: path.join(base, 'lua'), ffi: path.join(base, 'ffi') },
    host: {
      tool: options.hostProvidedToolRoot ?? path.join(parent, 'bin', 'tools'),
      lua: options.hostProvidedLuaRoot ?? options.luaPackagesDir ?? path.join(parent, 'lua_packages'),
      ffi: options.hostProvidedFfiRoot ?? path.join(parent, 'libs'),
    },
    downloadCacheRoot: options.downloadCacheRoot ?? path.join(parent, 'temp', 'downloads'),
  };
}

/** Upstream's `normalize_dependency_path_component`: other characters become `_`; empty is `unnamed`. */
export function sanitizePathComponent(raw: string): string {
  const out = raw.replace(/[^A-Za-z0-9._-]/g, '_');
  return out === '' ? 'unnamed' : out;
}

/** The root a dependency of `kind` and `scope` is installed in or probed under. */
export function kindRoot(roots: DependencyRoots, kind: DependencyKind, scope: 'skill' | 'host'): string {
  return scope === 'host' ? roots.host[kind] : roots.skill[kind];
}

/** `<root>[/<skill_id>]/<name>`: the folder holding the version folders. */
export function dependencyNameDir(root: string, scope: 'skill' | 'host', skillId: string, name: string): string {
  const normalized = sanitizePathComponent(name);
  return scope === 'host' ? path.join(root, normalized) : path.join(root, skillId, normalized);
}

/** Upstream's `build_dependency_install_root`. */
export function dependencyInstallRoot(
  root: string,
  scope: 'skill' | 'host',
  skillId: string,
  name: string,
  version: string | null,
  platformKey: string,
): string {
  return path.join(dependencyNameDir(root, scope, skillId, name), sanitizePathComponent(version ?? 'unversioned'), sanitizePathComponent(platformKey));
}

function pushUnique(list: (string | null)[], value: string | null): void {
  if (!list.includes(value)) list.push(value);
}

/** Version folders a probe tries: the declared version trimmed, then without leading `v`s. */
export function localVersionCandidates(version: string | null): (string | null)[] {
  if (version === null) return [null];
  const trimmed = version.trim();
  const bare = trimmed.replace(/^v+/, '');
  const out: (string | null)[] = [trimmed];
  if (bare !== trimmed) pushUnique(out, bare);
  return out;
}

/** Tags a probe renders `{tag}` with: the version, without `v`s, and `v`-prefixed. */
export function localTagCandidates(version: string | null): (string | null)[] {
  if (version === null) return [null];
  const trimmed = version.trim();
  const bare = trimmed.replace(/^v+/, '');
  const out: (string | null)[] = [trimmed];
  if (bare !== trimmed) pushUnique(out, bare);
  if (bare !== '') pushUnique(out, `v${bare}`);
  return out;
}

/** Replaces `{version}` and `{tag}` where a value is known (unknown placeholders stay). */
export function renderTemplate(raw: string, version: string | null, tag: string | null): string {
  let out = raw;
  if (version !== null) out = out.replaceAll('{version}', version);
  if (tag !== null) out = out.replaceAll('{tag}', tag);
  return out;
}

/** The exports with both paths rendered. */
export function renderExports(exports: readonly DependencyExport[], version: string | null, tag: string | null): DependencyExport[] {
  return exports.map((item) => ({
    ...item,
    archive_path: renderTemplate(item.archive_path, version, tag),
    target_path: renderTemplate(item.target_path, version, tag),
  }));
}

/**
 * `target_path` joined under `installRoot`. Ours (upstream joins blindly): a path that is
 * absolute or climbs out with `..` is refused.
 * @throws {Error} `dependency export target '<t>' must stay inside the dependency root`.
 */
export function exportTargetPath(installRoot: string, targetPath: string): string {
  const normalized = targetPath.replaceAll('\\', '/');
  const segments = normalized.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (normalized.startsWith('/') || /^[A-Za-z]:/.test(normalized) || segments.includes('..') || segments.length === 0) {
    throw new Error(`dependency export target '${targetPath}' must stay inside the dependency root`);
  }
  return path.join(installRoot, ...segments);
}
