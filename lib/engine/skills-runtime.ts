// The loaded skills of an engine and the pool their calls run on: load / reload (atomic),
// callSkill with upstream's result contract, runLua, and help rendering. A reload builds the new
// set and pool first and swaps them in only when loading succeeded; calls already running finish
// on the old pool, which closes once they are done.
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { loadSkillSet, type SkillLoadOptions, type SkillSet } from '../skills/load.js';
import type { RuntimeSkillRoot } from '../skills/roots.js';
import type { SkillPackage } from '../skills/manifest.js';
import { LuaError } from '../vm/errors.js';
import { LuaVm, type LuaValue } from '../vm/lua-vm.js';
import { SkillPackageError } from '../skills/errors.js';
import { hostResultView, resolveHostResultCapability, type HostResultCapability } from './host-result.js';
import { SkillCallError } from './skill-errors.js';
import { SkillVm, type SkillEntryRuntime, type SkillScope } from './skill-vm.js';
import { parseToolOutput, type InvocationResult } from './tool-output.js';
import { VmPool, type VmPoolConfig } from './vm-pool.js';
import type { VulcanServices } from '../vulcan/services.js';
import { entryDatabaseFields } from '../vulcan/database-provider.js';
import { LUAEXEC_DEFAULT_TIMEOUT_MS, LuaExecError, LuaExecVm, resolveLuaExecSource, type LuaExecRequest } from './luaexec.js';
import { prepareSkillDependencies, type DependencySettings } from '../dependencies/load-hook.js';
import { skillDependencyDir } from '../dependencies/paths.js';
import { packageSearchPrefixes, type PackageSearchPrefixes } from '../dependencies/package-paths.js';

/** What a host passes with a call (upstream `LuaInvocationContext`). */
export interface InvocationContext {
  request_context?: Record<string, unknown> | null;
  client_budget?: unknown;
  tool_config?: unknown;
}

/** Per-call options: upstream has neither a timeout nor cancellation. */
export interface SkillCallOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

// Upstream's RuntimeRequestContext: unknown fields are dropped.
const REQUEST_FIELDS = ['request_id', 'client_name', 'transport_name', 'session_id', 'client_info', 'client_capabilities'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The `vulcan.context` values of one call, and the host-result capability they were built from. */
export function callScopeOf(ctx: InvocationContext | undefined): { scope: SkillScope; capability: HostResultCapability } {
  const request: Record<string, unknown> = {};
  const raw = ctx?.request_context;
  if (isObject(raw)) {
    for (const field of REQUEST_FIELDS) if (raw[field] !== undefined && raw[field] !== null) request[field] = raw[field];
  }
  const capability = resolveHostResultCapability(raw);
  const scope: SkillScope = {
    request,
    client_capabilities: isObject(request.client_capabilities) ? request.client_capabilities : {},
    client_budget: isObject(ctx?.client_budget) ? ctx.client_budget : {},
    tool_config: isObject(ctx?.tool_config) ? ctx.tool_config : {},
    host_result: hostResultView(capability),
  };
  if (isObject(request.client_info)) scope.client_info = request.client_info;
  return { scope, capability };
}

/** The `vulcan.context` values of one call. */
export function scopeOf(ctx: InvocationContext | undefined): SkillScope {
  return callScopeOf(ctx).scope;
}

async function checkEntrySyntax(vm: LuaVm, pkg: SkillPackage): Promise<void> {
  for (const entry of pkg.entries) {
    const source = await readFile(entry.lua_entry_path, 'utf8');
    const problem = vm.execSync('local _, err = load(args.source, args.name, "t") return err', {
      args: { source, name: entry.lua_module },
    });
    if (typeof problem === 'string') {
      throw new SkillPackageError('entry_syntax', `skill ${pkg.skill_id} entry ${entry.name}: ${problem}`);
    }
  }
}

/** What the prelude needs for every canonical entry of a skill set. */
export function entryTable(set: SkillSet, dependencyDirName = ''): Record<string, SkillEntryRuntime> {
  const table: Record<string, SkillEntryRuntime> = {};
  for (const descriptor of set.registry.listEntries('system')) {
    const resolved = set.registry.resolve(descriptor.canonical_name);
    if (!resolved) continue;
    const { skill, entry } = resolved;
    table[descriptor.canonical_name] = {
      skill_id: skill.skill_id,
      entry_name: entry.name,
      lua_module: entry.lua_module,
      entry_file: entry.lua_entry_path,
      entry_dir: path.dirname(entry.lua_entry_path),
      skill_dir: skill.skill_dir,
      root_name: skill.root_name,
      tools_path: skillDependencyDir(skill.skills_root, dependencyDirName, 'tool', skill.skill_id),
      lua_path: skillDependencyDir(skill.skills_root, dependencyDirName, 'lua', skill.skill_id),
      ffi_path: skillDependencyDir(skill.skills_root, dependencyDirName, 'ffi', skill.skill_id),
      ...entryDatabaseFields(skill),
    };
  }
  return table;
}

interface Generation {
  set: SkillSet;
  entries: Record<string, SkillEntryRuntime>;
  /** What every VM of this generation prepends to `package.path` / `package.cpath`. */
  packagePaths: PackageSearchPrefixes;
  pool: VmPool<SkillVm>;
  /** The luaexec pool, made on first use (upstream `runlua_pool_config`: max 4, idle 60 s). */
  luaexec: VmPool<LuaExecVm> | null;
  running: number;
  retired: boolean;
}

const NO_PREFIXES: PackageSearchPrefixes = { path: '', cpath: '' };

const LUAEXEC_POOL: VmPoolConfig = { minSize: 0, maxSize: 4, idleTtlSec: 60 };

// Help files run through this fixed chunk: a help file may return a string or a function that
// returns one.
const HELP_RUNNER = `local chunk = assert(load(args.source, args.chunk, "t"))
local r = chunk()
if type(r) == "function" then r = r() end
if type(r) ~= "string" then
  error(string.format("Help %s must return a plain string, actual_type='%s'", args.path, type(r)), 0)
end
return r`;

export class SkillsRuntime {
  readonly #poolConfig: VmPoolConfig;
  readonly #defaultTimeoutMs: number;
  #current: Generation | null = null;
  #closed = false;

  readonly #services: VulcanServices;
  readonly #managedIoCompat: boolean;

  constructor(poolConfig: VmPoolConfig, defaultTimeoutMs: number, services: VulcanServices, options: { managedIoCompat?: boolean } = {}) {
    this.#poolConfig = poolConfig;
    this.#defaultTimeoutMs = defaultTimeoutMs;
    this.#services = services;
    this.#managedIoCompat = options.managedIoCompat === true;
  }

  get set(): SkillSet | null {
    return this.#current?.set ?? null;
  }

  /** The entry table of the loaded skills (for lease VMs), or null before the first load. */
  get entries(): Record<string, SkillEntryRuntime> | null {
    return this.#current?.entries ?? null;
  }

  get poolStats() {
    return this.#current?.pool.stats ?? null;
  }

  /**
   * Loads the roots and swaps the new skill set in. Bad roots throw and leave the old set. With
   * `dependencies`, each skill's dependencies.yaml is ensured after its entries compile; a
   * failure fails that skill only (`dependency_failed`).
   */
  async load(roots: readonly RuntimeSkillRoot[], options: SkillLoadOptions, dependencies?: DependencySettings): Promise<SkillSet> {
    // Entry scripts are compiled (not run) once at load, so a syntax error fails its skill here
    // instead of at the first call; VMs still compile handlers lazily.
    const checker = new LuaVm();
    let set: SkillSet;
    try {
      set = await loadSkillSet(roots, options, {
        checkPackage: async (pkg) => {
          await checkEntrySyntax(checker, pkg);
          if (dependencies) await prepareSkillDependencies(pkg, dependencies);
        },
      });
    } finally {
      checker.close();
    }
    const packagePaths = dependencies ? await packageSearchPrefixes(roots.map((root) => root.skills_dir), dependencies) : NO_PREFIXES;
    if (this.#closed) throw new SkillCallError('engine_closed', 'the engine is closed');
    const entries = entryTable(set, dependencies?.dependencyDirName ?? '');
    const pool = new VmPool<SkillVm>(this.#poolConfig, () => new SkillVm(entries, { services: this.#services, luaExec: true, packagePaths }));
    pool.prewarm();
    const previous = this.#current;
    this.#current = { set, entries, packagePaths, pool, luaexec: null, running: 0, retired: false };
    if (previous) this.#retire(previous);
    return set;
  }

  /** Calls one entry by canonical name and returns the invocation result. */
  async callSkill(name: string, args: unknown, ctx?: InvocationContext, options: SkillCallOptions = {}): Promise<InvocationResult> {
    const gen = this.#require();
    const resolved = gen.set.registry.resolve(name);
    if (!resolved) throw new SkillCallError('skill_not_found', `Lua skill '${name}' not found`);
    let call: { scope: SkillScope; capability: HostResultCapability };
    try {
      call = callScopeOf(ctx);
    } catch (err) {
      throw new SkillCallError('invalid_context', (err as Error).message);
    }
    const { scope, capability } = call;
    const returned = await this.#withVm(gen, options.signal, (vm) =>
      vm.invoke(name, args, scope, { recompile: resolved.skill.debug, ...this.#run(options) }),
    ).catch((err: unknown) => {
      throw this.#callFailure(`Lua skill '${name}' error: `, err);
    });
    try {
      return parseToolOutput(name, returned, capability);
    } catch (err) {
      throw new SkillCallError('invalid_result', (err as Error).message);
    }
  }

  /** Runs one-shot Lua on the skill pool; resolves with the first result. */
  async runLua(code: string, args: unknown, ctx?: InvocationContext, options: SkillCallOptions = {}): Promise<LuaValue> {
    const gen = this.#require();
    const scope = scopeOf(ctx);
    return this.#withVm(gen, options.signal, (vm) =>
      vm.execInScope(code, scope, { args: args ?? {}, chunkName: '=run_lua', ...this.#run(options) }),
    ).catch((err: unknown) => {
      throw this.#callFailure('Lua run_lua error: ', err);
    });
  }

  /** Renders one help flow: markdown verbatim, `.lua` executed with the skill's context. */
  async renderHelp(skill: SkillPackage, filePath: string, relPath: string, ctx?: InvocationContext): Promise<string> {
    if (!filePath.toLowerCase().endsWith('.lua')) return readFile(filePath, 'utf8');
    const gen = this.#require();
    const source = await readFile(filePath, 'utf8');
    const marker: SkillEntryRuntime = {
      skill_id: skill.skill_id,
      entry_name: relPath,
      lua_module: relPath,
      entry_file: filePath,
      entry_dir: path.dirname(filePath),
      skill_dir: skill.skill_dir,
      root_name: skill.root_name,
      ...entryDatabaseFields(skill),
    };
    const scope = scopeOf({ request_context: ctx?.request_context ?? null });
    const out = await this.#withVm(gen, undefined, (vm) =>
      vm.execInScope(HELP_RUNNER, scope, {
        args: { source, chunk: `${skill.skill_id}-${relPath}`, path: relPath },
        chunkName: '=help',
        timeoutMs: this.#defaultTimeoutMs,
        marker: { name: 'vulcan-help', entry: marker },
      }),
    ).catch((err: unknown) => {
      throw this.#callFailure('', err);
    });
    return out as string;
  }

  /**
   * Runs a luaexec request on the luaexec pool and returns upstream's Markdown (also when the
   * code fails or times out). Refusals before any Lua runs throw {@link LuaExecError}.
   */
  async luaExec(request: LuaExecRequest): Promise<string> {
    const gen = this.#require();
    const timeoutMs = request.timeout_ms ?? LUAEXEC_DEFAULT_TIMEOUT_MS;
    if (timeoutMs === 0) throw new LuaExecError('invalid_request', 'luaexec timeout_ms must be greater than 0');
    const source = await resolveLuaExecSource(request);
    const pool = (gen.luaexec ??= new VmPool<LuaExecVm>(LUAEXEC_POOL, () => new LuaExecVm(gen.entries, this.#services, this.#managedIoCompat, gen.packagePaths)));
    gen.running++;
    let vm: LuaExecVm | undefined;
    let discard = false;
    try {
      vm = await pool.acquire();
      const caller = request.caller_tool_name?.trim() || undefined;
      const out = await vm.run(request.task ?? '', source, request.args, caller, timeoutMs);
      // A stopped job may have been cut off anywhere: that VM is not reused.
      discard = out.failed instanceof LuaError && out.failed.code !== 'lua_runtime' && out.failed.code !== 'lua_syntax';
      return out.markdown;
    } finally {
      if (vm) pool.release(vm, discard);
      gen.running--;
      if (gen.retired && gen.running === 0) this.#closePools(gen);
    }
  }

  /** Closes the pools; calls in flight finish first. */
  close(): void {
    this.#closed = true;
    if (this.#current) this.#retire(this.#current);
    this.#current = null;
  }

  #run(options: SkillCallOptions): { timeoutMs: number; signal?: AbortSignal } {
    const run: { timeoutMs: number; signal?: AbortSignal } = { timeoutMs: options.timeoutMs ?? this.#defaultTimeoutMs };
    if (options.signal) run.signal = options.signal;
    return run;
  }

  #require(): Generation {
    if (this.#closed) throw new SkillCallError('engine_closed', 'the engine is closed');
    if (!this.#current) throw new SkillCallError('not_loaded', 'no skills are loaded: call loadFromRoots first');
    return this.#current;
  }

  // One pooled VM for the job. A job that was stopped (timeout, cancel) may have been cut off
  // inside the scope reset, so its VM is discarded rather than reused.
  async #withVm<T>(gen: Generation, signal: AbortSignal | undefined, job: (vm: SkillVm) => Promise<T>): Promise<T> {
    gen.running++;
    let vm: SkillVm | undefined;
    let discard = false;
    try {
      vm = await gen.pool.acquire(signal);
      return await job(vm);
    } catch (err) {
      discard = err instanceof LuaError && err.code !== 'lua_runtime' && err.code !== 'lua_syntax' && err.code !== 'conversion';
      throw err;
    } finally {
      if (vm) gen.pool.release(vm, discard);
      gen.running--;
      if (gen.retired && gen.running === 0) this.#closePools(gen);
    }
  }

  #retire(gen: Generation): void {
    gen.retired = true;
    if (gen.running === 0) this.#closePools(gen);
  }

  #closePools(gen: Generation): void {
    gen.pool.close();
    gen.luaexec?.close();
  }

  #callFailure(prefix: string, err: unknown): SkillCallError {
    if (err instanceof SkillCallError) return err;
    if (err instanceof LuaError) {
      const code = err.code === 'timeout' || err.code === 'cancelled' ? err.code : 'skill_error';
      return new SkillCallError(code, prefix + err.message, err);
    }
    if (err instanceof Error && 'code' in err && (err as { code: unknown }).code === 'cancelled') {
      return new SkillCallError('cancelled', prefix + err.message, err);
    }
    if (err instanceof Error && 'code' in err && (err as { code: unknown }).code === 'pool_closed') {
      return new SkillCallError('engine_closed', 'the engine is closed', err);
    }
    return new SkillCallError('skill_error', prefix + (err instanceof Error ? err.message : String(err)), err);
  }
}
