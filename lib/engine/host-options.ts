// Upstream's host options (`LuaRuntimeHostOptions` + `LuaVmPoolConfig`), camelCase in the TS API
// and snake_case in JSON, with the runtime-root layout: when `runtimeRoot` is set, every derived
// directory comes from it (upstream overwrites them). Options that later parts of the engine use
// (temp, resources, packages, dependency roots, downloads) are validated and resolved here already.
import path from 'node:path';

import { Type, type Static } from '@sinclair/typebox';

import { compileValidator } from '../vm/options.js';

const optionalPath = Type.Optional(Type.String({ minLength: 1 }));

/** The JSON form (snake_case), as upstream's `LuaEngineOptions`. */
export const EngineOptionsJsonSchema = Type.Object(
  {
    pool_config: Type.Optional(
      Type.Object(
        {
          min_size: Type.Integer({ minimum: 0, maximum: 64 }),
          max_size: Type.Integer({ minimum: 1, maximum: 64 }),
          idle_ttl_secs: Type.Integer({ minimum: 0 }),
        },
        { additionalProperties: false },
      ),
    ),
    /** vulcan.cache limits (upstream `cache_config`); per engine here, not first-engine-wins. */
    cache_config: Type.Optional(
      Type.Object(
        {
          max_entries: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
          default_ttl_secs: Type.Optional(Type.Integer({ minimum: 1 })),
          max_ttl_secs: Type.Optional(Type.Integer({ minimum: 1 })),
        },
        { additionalProperties: false },
      ),
    ),
    host_options: Type.Optional(
      Type.Object(
        {
          runtime_root: optionalPath,
          temp_dir: optionalPath,
          resources_dir: optionalPath,
          lua_packages_dir: optionalPath,
          host_provided_tool_root: optionalPath,
          host_provided_lua_root: optionalPath,
          host_provided_ffi_root: optionalPath,
          system_lua_lib_dir: optionalPath,
          download_cache_root: optionalPath,
          dependency_dir_name: Type.Optional(Type.String()),
          state_dir_name: Type.Optional(Type.String()),
          database_dir_name: Type.Optional(Type.String()),
          skill_config_file_path: optionalPath,
          skill_config_root: optionalPath,
          allow_network_download: Type.Optional(Type.Boolean()),
          github_api_base_url: Type.Optional(Type.String({ minLength: 1 })),
          github_base_url: Type.Optional(Type.String({ minLength: 1 })),
          official_skill_hub_base_url: Type.Optional(Type.String({ minLength: 1 })),
          enable_private_url_skill_install: Type.Optional(Type.Boolean()),
          private_skill_source_allowlist: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
          reserved_entry_names: Type.Optional(Type.Array(Type.String())),
          ignored_skill_ids: Type.Optional(Type.Array(Type.String())),
          call_timeout_ms: Type.Optional(Type.Number({ minimum: 1, maximum: 1e12 })),
          capabilities: Type.Optional(
            Type.Object(
              { enable_managed_io_compat: Type.Optional(Type.Boolean()), enable_skill_management_bridge: Type.Optional(Type.Boolean()) },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type EngineOptionsJson = Static<typeof EngineOptionsJsonSchema>;

/** Directories and names the engine works with, after the runtime-root layout was applied. */
export interface ResolvedHostPaths {
  runtimeRoot: string | null;
  tempDir: string | null;
  resourcesDir: string | null;
  luaPackagesDir: string | null;
  hostProvidedToolRoot: string | null;
  hostProvidedLuaRoot: string | null;
  hostProvidedFfiRoot: string | null;
  systemLuaLibDir: string | null;
  downloadCacheRoot: string | null;
  /** Legacy single config file (0.4.6); used only when no `skillConfigRoot` applies. */
  skillConfigFilePath: string | null;
  /** 0.5.5 config root: `<root>/skills/config.json` and `<root>/system-skills/config.json`. */
  skillConfigRoot: string | null;
  /** Sibling directory names under each skill root's parent (layout: dependencies/state/databases). */
  dependencyDirName: string;
  stateDirName: string;
  databaseDirName: string;
}

/** The path-valued host options in camelCase (see {@link ResolvedHostPaths}). */
export interface HostPathOptions {
  runtimeRoot?: string;
  tempDir?: string;
  resourcesDir?: string;
  luaPackagesDir?: string;
  hostProvidedToolRoot?: string;
  hostProvidedLuaRoot?: string;
  hostProvidedFfiRoot?: string;
  systemLuaLibDir?: string;
  downloadCacheRoot?: string;
  skillConfigFilePath?: string;
  skillConfigRoot?: string;
  dependencyDirName?: string;
  stateDirName?: string;
  databaseDirName?: string;
}

/** Applies upstream's `LuaRuntimeLayout`: a runtime root overwrites every derived directory. */
export function resolveHostPaths(o: HostPathOptions): ResolvedHostPaths {
  const root = o.runtimeRoot ?? null;
  if (root !== null) {
    const under = (...parts: string[]): string => path.join(root, ...parts);
    return {
      runtimeRoot: root,
      tempDir: under('temp'),
      resourcesDir: under('resources'),
      luaPackagesDir: under('lua_packages'),
      hostProvidedToolRoot: under('bin'),
      hostProvidedLuaRoot: under('lua_packages'),
      hostProvidedFfiRoot: under('libs'),
      systemLuaLibDir: under('system_lua_lib'),
      downloadCacheRoot: under('temp', 'downloads'),
      skillConfigFilePath: null,
      // An explicit config root is kept: it is where the host wants its users' settings.
      skillConfigRoot: o.skillConfigRoot ?? under('config'),
      dependencyDirName: 'dependencies',
      stateDirName: 'state',
      databaseDirName: 'databases',
    };
  }
  return {
    runtimeRoot: null,
    tempDir: o.tempDir ?? null,
    resourcesDir: o.resourcesDir ?? null,
    luaPackagesDir: o.luaPackagesDir ?? null,
    hostProvidedToolRoot: o.hostProvidedToolRoot ?? null,
    hostProvidedLuaRoot: o.hostProvidedLuaRoot ?? null,
    hostProvidedFfiRoot: o.hostProvidedFfiRoot ?? null,
    systemLuaLibDir: o.systemLuaLibDir ?? null,
    downloadCacheRoot: o.downloadCacheRoot ?? null,
    skillConfigFilePath: o.skillConfigFilePath ?? null,
    skillConfigRoot: o.skillConfigRoot ?? null,
    dependencyDirName: o.dependencyDirName ?? '',
    stateDirName: o.stateDirName ?? '',
    databaseDirName: o.databaseDirName ?? '',
  };
}

const validateJson = compileValidator(EngineOptionsJsonSchema, 'engine options JSON');

const CAMEL_OF: Record<string, string> = {
  runtime_root: 'runtimeRoot',
  temp_dir: 'tempDir',
  resources_dir: 'resourcesDir',
  lua_packages_dir: 'luaPackagesDir',
  host_provided_tool_root: 'hostProvidedToolRoot',
  host_provided_lua_root: 'hostProvidedLuaRoot',
  host_provided_ffi_root: 'hostProvidedFfiRoot',
  system_lua_lib_dir: 'systemLuaLibDir',
  download_cache_root: 'downloadCacheRoot',
  dependency_dir_name: 'dependencyDirName',
  state_dir_name: 'stateDirName',
  database_dir_name: 'databaseDirName',
  skill_config_file_path: 'skillConfigFilePath',
  skill_config_root: 'skillConfigRoot',
  allow_network_download: 'allowNetworkDownload',
  github_api_base_url: 'githubApiBaseUrl',
  github_base_url: 'githubBaseUrl',
  official_skill_hub_base_url: 'officialSkillHubBaseUrl',
  enable_private_url_skill_install: 'enablePrivateUrlSkillInstall',
  private_skill_source_allowlist: 'privateSkillSourceAllowlist',
  reserved_entry_names: 'reservedEntryNames',
  ignored_skill_ids: 'ignoredSkillIds',
  call_timeout_ms: 'callTimeoutMs',
};

/**
 * Turns the JSON options (upstream field names) into the camelCase options object of
 * {@link LuaSkillsEngine}. Malformed JSON or a wrong field throws a TypeError naming it.
 */
export function engineOptionsFromJson(json: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (err) {
    throw new TypeError(`Invalid engine options JSON: ${(err as Error).message}`);
  }
  const o = validateJson(parsed);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(o.host_options ?? {})) {
    const camel = CAMEL_OF[key];
    if (camel !== undefined && value !== undefined) out[camel] = value;
  }
  const managedIo = o.host_options?.capabilities?.enable_managed_io_compat;
  if (managedIo !== undefined) out.enableManagedIoCompat = managedIo;
  const bridge = o.host_options?.capabilities?.enable_skill_management_bridge;
  if (bridge !== undefined) out.enableSkillManagementBridge = bridge;
  if (o.pool_config) {
    out.pool = { minSize: o.pool_config.min_size, maxSize: o.pool_config.max_size, idleTtlSec: o.pool_config.idle_ttl_secs };
  }
  if (o.cache_config) {
    const cache: Record<string, number> = {};
    if (o.cache_config.max_entries !== undefined) cache.capacity = o.cache_config.max_entries;
    if (o.cache_config.default_ttl_secs !== undefined) cache.defaultTtlSec = o.cache_config.default_ttl_secs;
    if (o.cache_config.max_ttl_secs !== undefined) cache.maxTtlSec = o.cache_config.max_ttl_secs;
    out.cache = cache;
  }
  return out;
}
