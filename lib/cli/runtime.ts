// The runtime root of the CLI: where it is (flag, env variable, default), the directory layout
// created on first use (the upstream SDK's `RuntimeRoots.standard` + `ensureLayout`), and the
// engine every command works on, loaded from the three standard skill roots.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

import { LuaSkillsEngine } from '../engine/engine.js';
import type { LuaSkillsEngineOptions } from '../engine/options.js';
import type { SkillLoadReport } from '../skills/load.js';
import type { RuntimeSkillRoot } from '../skills/roots.js';
import type { LuaLogSink } from '../vulcan/log.js';

/** The environment variable naming the runtime root when `--runtime-root` is absent. */
export const RUNTIME_ROOT_ENV = 'LUASKILLS_RUNTIME_ROOT';
/** Set to `1`/`true` to permit network downloads without `--allow-network`. */
export const ALLOW_NETWORK_ENV = 'LUASKILLS_ALLOW_NETWORK';
/** The runtime root when neither the flag nor the env variable is given (relative to the cwd). */
export const DEFAULT_RUNTIME_ROOT = 'luaskills-runtime';

/** The skill root directories of the standard layout, in chain order. */
export const STANDARD_SKILL_DIRS = [
  { name: 'ROOT', dir: 'root_skills' },
  { name: 'PROJECT', dir: 'project_skills' },
  { name: 'USER', dir: 'user_skills' },
] as const;

/** The other directories `ensureLayout` creates. */
export const LAYOUT_DIRS = [
  'temp',
  path.join('temp', 'downloads'),
  'resources',
  'lua_packages',
  'bin',
  'libs',
  'dependencies',
  'state',
  'databases',
  'config',
  'system_lua_lib',
] as const;

/** The absolute runtime root: the flag, else `$LUASKILLS_RUNTIME_ROOT`, else `./luaskills-runtime`. */
export function resolveRuntimeRoot(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env[RUNTIME_ROOT_ENV]?.trim();
  return path.resolve(flag ?? (fromEnv ? fromEnv : DEFAULT_RUNTIME_ROOT));
}

/** The ROOT → PROJECT → USER chain of a runtime root. */
export function standardRoots(runtimeRoot: string): RuntimeSkillRoot[] {
  return STANDARD_SKILL_DIRS.map(({ name, dir }) => ({ name, skills_dir: path.join(runtimeRoot, dir) }));
}

/** Creates every layout directory that is missing (idempotent). */
export async function ensureLayout(runtimeRoot: string): Promise<void> {
  const dirs = [...LAYOUT_DIRS, ...STANDARD_SKILL_DIRS.map((d) => d.dir)];
  for (const dir of dirs) await mkdir(path.join(runtimeRoot, dir), { recursive: true });
}

/** What the commands may set on the engine. */
export interface EngineSettings {
  allowNetwork?: boolean;
  githubApiBaseUrl?: string;
  githubBaseUrl?: string;
  hubBaseUrl?: string;
  enablePrivateUrlInstall?: boolean;
  privateAllowlist?: string[];
  logSink?: LuaLogSink;
}

/** True when the env variable permits network downloads. */
export function networkAllowedByEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env[ALLOW_NETWORK_ENV]?.trim().toLowerCase();
  return v === '1' || v === 'true' || v === 'yes';
}

/** An engine on the runtime root (layout created first) with the standard roots loaded. */
export async function openEngine(runtimeRoot: string, settings: EngineSettings = {}): Promise<{ engine: LuaSkillsEngine; report: SkillLoadReport }> {
  await ensureLayout(runtimeRoot);
  const options: LuaSkillsEngineOptions = {
    runtimeRoot,
    // A CLI process makes a few calls and exits: a small pool is enough.
    pool: { minSize: 0, maxSize: 2 },
    allowNetworkDownload: settings.allowNetwork === true || networkAllowedByEnv(),
  };
  if (settings.githubApiBaseUrl !== undefined) options.githubApiBaseUrl = settings.githubApiBaseUrl;
  if (settings.githubBaseUrl !== undefined) options.githubBaseUrl = settings.githubBaseUrl;
  if (settings.hubBaseUrl !== undefined) options.officialSkillHubBaseUrl = settings.hubBaseUrl;
  if (settings.enablePrivateUrlInstall !== undefined) options.enablePrivateUrlSkillInstall = settings.enablePrivateUrlInstall;
  if (settings.privateAllowlist !== undefined) options.privateSkillSourceAllowlist = settings.privateAllowlist;
  if (settings.logSink !== undefined) options.logSink = settings.logSink;
  const engine = new LuaSkillsEngine(options);
  try {
    const report = await engine.loadFromRoots(standardRoots(runtimeRoot));
    return { engine, report };
  } catch (err) {
    await engine.close();
    throw err;
  }
}
