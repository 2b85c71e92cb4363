// The engine's options, turned into the settings of its parts: skill loading, lifecycle sources
// and downloads, and the dependency manager.
import os from 'node:os';
import path from 'node:path';

import type { DependencySettings } from '../dependencies/load-hook.js';
import type { SourceSettings } from '../lifecycle/source-prep.js';
import { effectiveStateDirName, type SkillLoadOptions } from '../skills/load.js';
import { SkillConfigError } from '../vulcan/config-errors.js';
import type { SkillConfigLocation } from '../vulcan/config-types.js';
import type { ResolvedHostPaths } from './host-options.js';
import type { LuaSkillsEngineOptions } from './options.js';

/** The state folder name the engine uses in every root (`runtimeRoot` decides it when set). */
export function stateDirNameOf(o: LuaSkillsEngineOptions, p: ResolvedHostPaths): string {
  return effectiveStateDirName(o.runtimeRoot !== undefined ? { runtimeRoot: o.runtimeRoot } : { stateDirName: p.stateDirName });
}

export function loadOptionsOf(o: LuaSkillsEngineOptions, p: ResolvedHostPaths): SkillLoadOptions {
  const out: SkillLoadOptions = { stateDirName: p.stateDirName };
  if (o.ignoredSkillIds) out.ignoredSkillIds = o.ignoredSkillIds;
  if (o.reservedEntryNames) out.reservedEntryNames = o.reservedEntryNames;
  if (o.runtimeRoot) out.runtimeRoot = o.runtimeRoot;
  return out;
}

/** Where lifecycle operations download from and cache to. */
export function sourceSettingsOf(o: LuaSkillsEngineOptions, p: ResolvedHostPaths): SourceSettings {
  const settings: SourceSettings = {
    cacheDir: p.downloadCacheRoot ?? path.join(os.tmpdir(), 'luaskills-downloads'),
    allowNetworkDownload: o.allowNetworkDownload === true,
  };
  if (o.githubApiBaseUrl !== undefined) settings.githubApiBaseUrl = o.githubApiBaseUrl;
  if (o.githubBaseUrl !== undefined) settings.githubBaseUrl = o.githubBaseUrl;
  if (o.officialSkillHubBaseUrl !== undefined) settings.officialSkillHubBaseUrl = o.officialSkillHubBaseUrl;
  if (o.enablePrivateUrlSkillInstall !== undefined) settings.enablePrivateUrlSkillInstall = o.enablePrivateUrlSkillInstall;
  if (o.privateSkillSourceAllowlist !== undefined) settings.privateSkillSourceAllowlist = o.privateSkillSourceAllowlist;
  return settings;
}

/** Host options of the dependency manager (each skill's dependencies.yaml, at load). */
export function dependencySettingsOf(o: LuaSkillsEngineOptions, p: ResolvedHostPaths, log: DependencySettings['log']): DependencySettings {
  const settings: DependencySettings = {
    dependencyDirName: p.dependencyDirName,
    hostProvidedToolRoot: p.hostProvidedToolRoot,
    hostProvidedLuaRoot: p.hostProvidedLuaRoot,
    hostProvidedFfiRoot: p.hostProvidedFfiRoot,
    luaPackagesDir: p.luaPackagesDir,
    downloadCacheRoot: p.downloadCacheRoot,
    allowNetworkDownload: o.allowNetworkDownload === true,
    log,
  };
  if (o.githubApiBaseUrl !== undefined) settings.githubApiBaseUrl = o.githubApiBaseUrl;
  if (o.githubBaseUrl !== undefined) settings.githubBaseUrl = o.githubBaseUrl;
  return settings;
}

/**
 * Where the skill config stores are: `skillConfigRoot` (explicit, or `<runtimeRoot>/config`), else
 * the legacy single file, else `<common parent of the loaded skill roots>/config` as the root.
 */
export function configLocationOf(p: ResolvedHostPaths, rootParents: readonly string[]): SkillConfigLocation {
  if (p.skillConfigRoot !== null) return { root: path.resolve(p.skillConfigRoot) };
  if (p.skillConfigFilePath !== null) return { file: path.resolve(p.skillConfigFilePath) };
  if (rootParents.length === 1) return { root: path.join(rootParents[0] as string, 'config') };
  if (rootParents.length === 0) {
    throw new SkillConfigError('config_path_unavailable', 'CONFIG_PATH_UNAVAILABLE: no skill config store: set skillConfigRoot or runtimeRoot, or load skill roots first');
  }
  throw new SkillConfigError('config_path_unavailable', 'CONFIG_PATH_UNAVAILABLE: multiple runtime roots map to different parents; set host_options.skill_config_root explicitly');
}
