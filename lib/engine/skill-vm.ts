// One pooled skill VM: a LuaVm with the skill prelude (lib/lua/skill-prelude.lua) and the entry
// table of the loaded skills. Handlers compile lazily, per VM, on first call.
import type { PackageSearchPrefixes } from '../dependencies/package-paths.js';
import { runLuaFile } from '../lua-files.js';
import type { AsyncCallOptions } from '../vm/options.js';
import { LuaVm, type LuaFunction, type LuaValue } from '../vm/lua-vm.js';
import type { SkillDatabaseRuntime } from '../vulcan/database-provider.js';
import { registerVulcanHostFunctions } from '../vulcan/host-functions.js';
import { VulcanServices } from '../vulcan/services.js';
import type { ReturnedValue } from './tool-output.js';

/** What the VM needs to know about one entry (canonical name → this). */
export interface SkillEntryRuntime {
  skill_id: string;
  entry_name: string;
  lua_module: string;
  /** Absolute path of the entry script. */
  entry_file: string;
  entry_dir: string;
  skill_dir: string;
  root_name: string;
  tools_path?: string;
  lua_path?: string;
  ffi_path?: string;
  /** The skill's `sqlite:` / `lancedb:` settings with their binding context. */
  sqlite?: SkillDatabaseRuntime;
  lancedb?: SkillDatabaseRuntime;
}

/** The request scope a call runs in (`vulcan.context`); objects as the host resolved them. */
export interface SkillScope {
  request?: Record<string, unknown>;
  client_info?: Record<string, unknown>;
  client_capabilities?: Record<string, unknown>;
  client_budget?: Record<string, unknown>;
  tool_config?: Record<string, unknown>;
  host_result?: Record<string, unknown>;
}

/**
 * Installs the skill prelude into `vm`: the entry table, lazy handlers, `vulcan.call`, and the
 * engine-side surfaces (log, print, cache, config) bound to `services`. Lease VMs get it too, so
 * lease code reaches the loaded skills as the seed's `create_runlua_vm` gives them.
 */
export function installSkillPrelude(
  vm: LuaVm,
  entries: Record<string, SkillEntryRuntime>,
  services: VulcanServices,
  options: { luaExec?: boolean } = {},
): void {
  registerVulcanHostFunctions(vm, services);
  runLuaFile(vm, 'vulcan-bridge.lua', {
    temp_dir: services.tempDir ?? undefined,
    resources_dir: services.resourcesDir ?? undefined,
    lua_exec: options.luaExec === true,
    skills_enabled: services.skillManagementEnabled,
  });
  runLuaFile(vm, 'vulcan-db.lua', undefined);
  runLuaFile(vm, 'skill-prelude.lua', { entries });
}

/** Upstream: an object becomes a table with string keys, an array a sequence, anything else {}. */
export function entryArgs(args: unknown): object {
  return typeof args === 'object' && args !== null ? args : {};
}

export class SkillVm {
  readonly vm: LuaVm;
  readonly #invoke: LuaFunction;
  readonly #enter: LuaFunction;
  readonly #leave: LuaFunction;

  constructor(
    entries: Record<string, SkillEntryRuntime>,
    options: { memoryLimitBytes?: number; services?: VulcanServices; luaExec?: boolean; packagePaths?: PackageSearchPrefixes } = {},
  ) {
    this.vm = new LuaVm(options.memoryLimitBytes ? { memoryLimitBytes: options.memoryLimitBytes } : {});
    try {
      const prefixes = options.packagePaths;
      if (prefixes && (prefixes.path !== '' || prefixes.cpath !== '')) {
        this.vm.execSync('package.path = args.path .. package.path package.cpath = args.cpath .. package.cpath', { args: prefixes });
      }
      installSkillPrelude(this.vm, entries, options.services ?? new VulcanServices(), { luaExec: options.luaExec === true });
      // Held by reference, then unnamed: skill code cannot replace the host's entry points.
      this.#invoke = this.vm.getFunction('__luaskills_invoke');
      this.#enter = this.vm.getFunction('__luaskills_enter');
      this.#leave = this.vm.getFunction('__luaskills_leave');
      for (const name of ['__luaskills_invoke', '__luaskills_enter', '__luaskills_leave']) this.vm.setGlobal(name, undefined);
    } catch (err) {
      this.vm.close();
      throw err;
    }
  }

  /** Calls entry `name` with `args` in `scope`; every returned value with its Lua type. */
  async invoke(
    name: string,
    args: unknown,
    scope: SkillScope,
    options: AsyncCallOptions & { recompile?: boolean } = {},
  ): Promise<ReturnedValue[]> {
    const { recompile = false, ...run } = options;
    const out = (await this.#invoke.callWith([name, entryArgs(args), scope, recompile], { ...run, allResults: true })) as LuaValue[];
    const count = out[0] as number;
    const kinds = (out[1] ?? []) as string[];
    const returned: ReturnedValue[] = [];
    for (let i = 0; i < count; i++) returned.push({ luaType: kinds[i] ?? 'nil', value: out[i + 2] });
    return returned;
  }

  /**
   * Runs `code` as a chunk (first result) in `scope`; with `marker`, as that skill entry would
   * see itself (help files). The scope is reset afterwards whatever happens.
   */
  async execInScope(
    code: string,
    scope: SkillScope,
    options: { args?: unknown; chunkName: string; timeoutMs?: number; signal?: AbortSignal; marker?: { name: string; entry: SkillEntryRuntime } },
  ): Promise<LuaValue> {
    this.#enter.callSync(scope, options.marker?.name, options.marker?.entry);
    try {
      const run: { chunkName: string; timeoutMs?: number; signal?: AbortSignal; args?: unknown } = { chunkName: options.chunkName };
      if (options.timeoutMs !== undefined) run.timeoutMs = options.timeoutMs;
      if (options.signal !== undefined) run.signal = options.signal;
      if ('args' in options) run.args = options.args;
      return await this.vm.exec(code, run);
    } finally {
      if (!this.vm.closed) this.#leave.callSync();
    }
  }

  /** Resets the request scope and applies `scope` (for jobs that run their own functions). */
  enterScope(scope: SkillScope): void {
    this.#enter.callSync(scope);
  }

  /** Resets the request scope after such a job. */
  leaveScope(): void {
    if (!this.vm.closed) this.#leave.callSync();
  }

  close(): void {
    this.vm.close();
  }
}
