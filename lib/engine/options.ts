import path from 'node:path';

import { Type } from '@sinclair/typebox';

import type { LeaseClock } from '../leases/clock.js';
import { compileValidator } from '../vm/options.js';
import type { RuntimeCacheConfig } from '../vulcan/cache.js';
import type { LuaLogSink } from '../vulcan/log.js';
import type { HostPathOptions } from './host-options.js';

export const LuaSkillsEngineOptionsSchema = Type.Object(
  {
    /** Canonical runtime root; when set, `system_lua_lib` leases live in `<runtimeRoot>/system_lua_lib`. */
    runtimeRoot: Type.Optional(Type.String({ minLength: 1 })),
    /** Directory of `system_lua_lib` leases when no runtime root is given. Default `skills` (relative to the process cwd, as upstream). */
    systemLuaLibDir: Type.Optional(Type.String({ minLength: 1 })),
    /** Clocks for lease expiry; checked to have `monotonicMs()` and `unixMs()`. */
    clock: Type.Optional(Type.Unknown()),
    /** The skill VM pool. */
    pool: Type.Optional(
      Type.Object(
        {
          minSize: Type.Optional(Type.Integer({ minimum: 0, maximum: 64 })),
          maxSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 64 })),
          idleTtlSec: Type.Optional(Type.Number({ minimum: 0 })),
        },
        { additionalProperties: false },
      ),
    ),
    /** Timeout of callSkill / runLua / help renders when the call gives none. Default 60000. */
    callTimeoutMs: Type.Optional(Type.Number({ minimum: 1, maximum: 1e12 })),
    tempDir: Type.Optional(Type.String({ minLength: 1 })),
    resourcesDir: Type.Optional(Type.String({ minLength: 1 })),
    luaPackagesDir: Type.Optional(Type.String({ minLength: 1 })),
    hostProvidedToolRoot: Type.Optional(Type.String({ minLength: 1 })),
    hostProvidedLuaRoot: Type.Optional(Type.String({ minLength: 1 })),
    hostProvidedFfiRoot: Type.Optional(Type.String({ minLength: 1 })),
    downloadCacheRoot: Type.Optional(Type.String({ minLength: 1 })),
    /** Legacy (0.4.6) single skill config file for every skill; ignored when `skillConfigRoot` or `runtimeRoot` is set. */
    skillConfigFilePath: Type.Optional(Type.String({ minLength: 1 })),
    /** Upstream 0.5.5 config root: `<root>/skills/config.json` and `<root>/system-skills/config.json` (ROOT skills). */
    skillConfigRoot: Type.Optional(Type.String({ minLength: 1 })),
    dependencyDirName: Type.Optional(Type.String()),
    stateDirName: Type.Optional(Type.String()),
    databaseDirName: Type.Optional(Type.String()),
    allowNetworkDownload: Type.Optional(Type.Boolean()),
    githubApiBaseUrl: Type.Optional(Type.String({ minLength: 1 })),
    githubBaseUrl: Type.Optional(Type.String({ minLength: 1 })),
    officialSkillHubBaseUrl: Type.Optional(Type.String({ minLength: 1 })),
    enablePrivateUrlSkillInstall: Type.Optional(Type.Boolean()),
    privateSkillSourceAllowlist: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    /** Managed `io` compatibility layer in lease and luaexec VMs (upstream `capabilities.enable_managed_io_compat`, default true). */
    enableManagedIoCompat: Type.Optional(Type.Boolean()),
    /** vulcan.runtime.skills.* (upstream `capabilities.enable_skill_management_bridge`, default false). */
    enableSkillManagementBridge: Type.Optional(Type.Boolean()),
    /** Skill ids never loaded (upstream `ignored_skill_ids`). */
    ignoredSkillIds: Type.Optional(Type.Array(Type.String())),
    /** Canonical names entries may not take (they get `-2`, `-3` …). */
    reservedEntryNames: Type.Optional(Type.Array(Type.String())),
    /** Live reload of the skill roots. */
    watch: Type.Optional(Type.Boolean()),
    watchDebounceMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 60_000 })),
    /** Receives every log line of Lua code; checked to be a function. */
    logSink: Type.Optional(Type.Unknown()),
    /** vulcan.cache limits (upstream `cache_config`). */
    cache: Type.Optional(
      Type.Object(
        {
          defaultTtlSec: Type.Optional(Type.Integer({ minimum: 1 })),
          maxTtlSec: Type.Optional(Type.Integer({ minimum: 1 })),
          capacity: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

/** Options of {@link LuaSkillsEngine}. */
export interface LuaSkillsEngineOptions extends HostPathOptions {
  runtimeRoot?: string;
  systemLuaLibDir?: string;
  /** Inject clocks (tests); default `performance.now()` / `Date.now()`. */
  clock?: LeaseClock;
  /** Skill VM pool: `minSize` (default 1), `maxSize` (default: CPU cores, at least 2), `idleTtlSec` (default 300). */
  pool?: { minSize?: number; maxSize?: number; idleTtlSec?: number };
  /** Default timeout of skill calls, run_lua and help renders, in ms (default 60000). */
  callTimeoutMs?: number;
  ignoredSkillIds?: string[];
  reservedEntryNames?: string[];
  /**
   * Upstream `capabilities.enable_managed_io_compat`: lease and luaexec VMs get the managed `io`
   * table (over `vulcan.io`) instead of Lua's native `io`; its `io.write` without an output
   * becomes a Lua log record (`label: 'stdout'`). Default true, as upstream; skill VMs always
   * keep the native `io`.
   */
  enableManagedIoCompat?: boolean;
  /**
   * Upstream `capabilities.enable_skill_management_bridge`: lets Lua ask the host to install,
   * update, uninstall, enable or disable skills through `vulcan.runtime.skills.*` (handled by
   * {@link LuaSkillsEngine.setSkillManagementHandler}). Default false.
   */
  enableSkillManagementBridge?: boolean;
  /** Permit dependency and skill downloads (used by the lifecycle layer). Default false. */
  allowNetworkDownload?: boolean;
  /** GitHub REST API base for `github` sources (default `https://api.github.com`). */
  githubApiBaseUrl?: string;
  /** Rewrites `https://github.com/...` download URLs to this mirror. */
  githubBaseUrl?: string;
  /** Base URL of the skill hub for `official_hub` sources. */
  officialSkillHubBaseUrl?: string;
  /** Opt-in for `private_url_manifest` installs (system plane only). */
  enablePrivateUrlSkillInstall?: boolean;
  /** URL prefixes private manifests and their archives must start with. */
  privateSkillSourceAllowlist?: string[];
  /**
   * Live reload: watch the skills directories of the loaded roots and reload (atomically, calls in
   * flight unaffected) when something changes, `watchDebounceMs` (default 200) after the last
   * change. Emits `'registry-delta'` when entries changed and `'reload-error'` when a reload failed.
   */
  watch?: boolean;
  watchDebounceMs?: number;
  /** Receives `print(...)` and `vulcan.runtime.log` lines (the engine also emits them as `'log'`). */
  logSink?: LuaLogSink;
  /** vulcan.cache limits: `defaultTtlSec` and `maxTtlSec` (1800), `capacity` (1000 entries). */
  cache?: RuntimeCacheConfig;
}

const validate = compileValidator(LuaSkillsEngineOptionsSchema, 'LuaSkillsEngine options');

/** Validates engine options; the clock must carry both functions. */
export function checkEngineOptions(options: LuaSkillsEngineOptions): LuaSkillsEngineOptions {
  validate(options);
  const clock = options.clock as Partial<LeaseClock> | undefined;
  if (clock !== undefined && (typeof clock.monotonicMs !== 'function' || typeof clock.unixMs !== 'function')) {
    throw new TypeError('Invalid LuaSkillsEngine options.clock: expected { monotonicMs(), unixMs() }');
  }
  if (options.logSink !== undefined && typeof options.logSink !== 'function') {
    throw new TypeError('Invalid LuaSkillsEngine options.logSink: expected a function');
  }
  if (options.skillConfigRoot !== undefined && !path.isAbsolute(options.skillConfigRoot)) {
    throw new TypeError('Invalid LuaSkillsEngine options.skillConfigRoot: expected an absolute path');
  }
  return options;
}

/**
 * The `system_lua_lib` directory as upstream resolves it: the runtime root's layout wins, then
 * the explicit directory, then `skills`. Joined without normalising, as Rust's `Path::join`.
 */
export function resolveSystemLuaLibDir(options: LuaSkillsEngineOptions): string {
  const sep = process.platform === 'win32' ? '\\' : '/';
  const root = options.runtimeRoot;
  if (root !== undefined) return root.endsWith('/') || root.endsWith(sep) ? `${root}system_lua_lib` : `${root}${sep}system_lua_lib`;
  return options.systemLuaLibDir ?? 'skills';
}
