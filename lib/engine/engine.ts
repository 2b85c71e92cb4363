import { RuntimeLeaseClient, type LeaseHost } from '../leases/client.js';
import { systemClock } from '../leases/clock.js';
import type { LeaseVm } from '../leases/lease-vm.js';
import { RuntimeLeaseManager } from '../leases/manager.js';
import type { LeasePathContext } from '../leases/paths.js';
import { EventEmitter } from 'node:events';
import os from 'node:os';

import type { SkillLoadReport } from '../skills/load.js';
import type { RuntimeSkillRoot } from '../skills/roots.js';
import type { LuaValue } from '../vm/lua-vm.js';
import { SkillsRuntime, type InvocationContext, type SkillCallOptions } from './skills-runtime.js';
import { createSkillLeaseVm } from './skill-lease-vm.js';
import { engineOptionsFromJson, resolveHostPaths, type ResolvedHostPaths } from './host-options.js';
import type { InvocationResult } from './tool-output.js';
import { LuaSkillsEngineError } from './errors.js';
import { SkillConfigError } from '../vulcan/config-errors.js';
import type { SkillConfigStore } from '../vulcan/config-store.js';
import { SkillConfigJson } from '../vulcan/config-json.js';
import type { EmbedHandler, HostToolHandler, LlmHandler } from '../vulcan/host-bridge.js';
import type { SkillManagementHandler } from '../vulcan/skill-management.js';
import type { VulcanServices } from '../vulcan/services.js';
import { engineDatabasesOf } from '../vulcan/database-host-functions.js';
import type { DatabaseProvider, DatabaseProviderKind } from '../vulcan/database-provider.js';
import { parseLuaExecJson, parseLuaExecRequest, type LuaExecError, type LuaExecRequest } from './luaexec.js';
import { SkillLifecycle } from './lifecycle-api.js';
import type { SkillApplyResult } from '../lifecycle/apply-ops.js';
import type { LifecycleOptions } from '../lifecycle/context.js';
import type { SkillInstallRequest } from '../lifecycle/source-prep.js';
import type { SkillStateResult, SkillUninstallResult, UninstallOptions } from '../lifecycle/state-ops.js';
import { describeInstalledConfig, type InstalledSkillConfigDescriptor } from '../skills/installed-config.js';
import { validateSkillRootChain } from '../skills/roots.js';
import { checkEngineOptions, resolveSystemLuaLibDir, type LuaSkillsEngineOptions } from './options.js';
import { dependencySettingsOf, loadOptionsOf, sourceSettingsOf, stateDirNameOf } from './engine-settings.js';
import { connectServicesToSkills, createEngineServices, dependencyLogOf } from './engine-services.js';
import { LoadedSkillRoots } from './loaded-skill-roots.js';
import { renderSkillHelpFlow } from './skill-help-detail.js';

/**
 * One luaskills engine. This release holds the runtime leases (persistent Lua VMs a host leases
 * by `sid`); skill loading joins it next. JSON surfaces take and return JSON text; the ones that
 * run Lua or create VMs return promises.
 */
export class LuaSkillsEngine extends EventEmitter implements AsyncDisposable {
  /** Leases of the `public` profile. */
  readonly leases: RuntimeLeaseClient;
  /** Leases of the `system_lua_lib` profile. */
  readonly systemLeases: RuntimeLeaseClient;
  /** Where `system_lua_lib` leases live. */
  readonly systemLuaLibDir: string;
  /** The host directories after the runtime-root layout was applied. */
  readonly hostPaths: ResolvedHostPaths;
  /**
   * Skill lifecycle: `install`, `update`, `uninstall`, `enable`, `disable` on the loaded root
   * chain, and upstream's JSON surfaces (`installSkillJson`, `systemInstallSkillJson`, …). Events:
   * `'skill-progress'` (SkillOperationProgressEvent) and `'skill-lifecycle'` (SkillLifecycleEvent).
   */
  readonly lifecycle: SkillLifecycle;
  readonly #loaded: LoadedSkillRoots;
  readonly #manager: RuntimeLeaseManager;
  readonly #skills: SkillsRuntime;
  readonly #options: LuaSkillsEngineOptions;
  readonly #running = new Set<Promise<unknown>>();
  readonly #services: VulcanServices;
  #closed = false;

  constructor(options: LuaSkillsEngineOptions = {}) {
    super();
    const o = checkEngineOptions(options);
    this.#options = o;
    this.systemLuaLibDir = resolveSystemLuaLibDir(o);
    this.hostPaths = resolveHostPaths(o);
    this.#services = createEngineServices(o, this.hostPaths, () => this.#loaded.parents, (record) => this.emit('log', record));
    this.#skills = new SkillsRuntime(
      {
        minSize: o.pool?.minSize ?? 1,
        maxSize: o.pool?.maxSize ?? Math.max(2, os.availableParallelism()),
        idleTtlSec: o.pool?.idleTtlSec ?? 300,
      },
      o.callTimeoutMs ?? 60_000,
      this.#services,
      { managedIoCompat: o.enableManagedIoCompat !== false },
    );
    connectServicesToSkills(this.#services, this.#skills);
    const depLog = dependencyLogOf(this.#services);
    this.#loaded = new LoadedSkillRoots(
      {
        skills: this.#skills,
        services: this.#services,
        loadOptions: () => loadOptionsOf(o, this.hostPaths),
        dependencySettings: () => dependencySettingsOf(o, this.hostPaths, depLog),
        emit: (event, payload) => this.emit(event, payload),
        isClosed: () => this.#closed,
        track: (work) => this.#track(work),
      },
      o.watch === true ? (o.watchDebounceMs ?? 200) : null,
    );
    this.#manager = new RuntimeLeaseManager(o.clock ?? systemClock);
    const host: LeaseHost = {
      leaseManager: this.#manager,
      systemLuaLibDir: this.systemLuaLibDir,
      createLeaseVm: (paths) => this.createLeaseVm(paths),
      assertOpen: () => this.#assertOpen(),
      track: (work) => this.#track(work),
    };
    this.lifecycle = new SkillLifecycle(
      {
        roots: () => validateSkillRootChain(this.#loaded.required()),
        stateDirName: stateDirNameOf(o, this.hostPaths),
        databaseDirName: this.hostPaths.databaseDirName,
        dependencyDirName: this.hostPaths.dependencyDirName,
        warn: (message) => depLog('warn', message, null),
        reload: () => this.reloadFromRoots(this.#loaded.required()),
        emitProgress: (event) => this.emit('skill-progress', event),
        sourceSettings: () => sourceSettingsOf(o, this.hostPaths),
        emitLifecycle: (event) => this.emit('skill-lifecycle', event),
      },
      (roots) => this.#loaded.use(roots),
    );
    this.leases = new RuntimeLeaseClient(host, 'public');
    this.systemLeases = new RuntimeLeaseClient(host, 'system_lua_lib');
  }

  /** An engine from upstream's JSON options (`pool_config`, `host_options` with snake_case names). */
  static fromJsonOptions(json: string): LuaSkillsEngine {
    return new LuaSkillsEngine(engineOptionsFromJson(json) as LuaSkillsEngineOptions);
  }

  /**
   * The skill config store: `list(skillId?)`, `get`, `set` (one key or a batch), `delete`, and for
   * loaded skills `describe` / `validate`. A loaded skill that declares `config:` (upstream 0.5.5)
   * gets typed, validated values; other skills keep upstream 0.4.6 string values. The file is `skillConfigFilePath`, else `<runtime root>/config/skill_config.json`
   * where the runtime root is the common parent of the loaded skill roots.
   */
  get config(): SkillConfigStore {
    return this.#services.config;
  }

  /**
   * Upstream's skill-config JSON surfaces over {@link config}: `listJson`, `describeJson`,
   * `validateJson`, `getJson`, `setJson` (0.5.5 batch or 0.4.6 single value), `deleteJson`,
   * `refreshJson`; `{ok, result}` / `{ok:false, error}` envelopes.
   */
  get configJson(): SkillConfigJson {
    return new SkillConfigJson(this.#services.config, (skillId, rootName) =>
      this.describeInstalledConfig({ ...(skillId !== undefined ? { skillId } : {}), ...(rootName !== undefined ? { rootName } : {}) }),
    );
  }

  /**
   * Upstream's `describe` in `installed` mode: every skill package on disk in the loaded roots
   * (loaded or not: shadowed, disabled, broken) with its config declarations, `effective` for
   * the one the engine loads. Needs loaded roots (`config_path_unavailable` otherwise).
   */
  async describeInstalledConfig(options: { skillId?: string; rootName?: string } = {}): Promise<InstalledSkillConfigDescriptor[]> {
    this.#assertOpen();
    const roots = this.#loaded.roots;
    if (roots === null) throw new SkillConfigError('config_path_unavailable', 'CONFIG_PATH_UNAVAILABLE: no skill roots are loaded');
    return describeInstalledConfig(roots, { ...options, stateDirName: stateDirNameOf(this.#options, this.hostPaths) });
  }

  /**
   * Answers `vulcan.host.list/has/call` for this engine's skills (null removes it). Sync or
   * async; it runs on the JS thread while the calling Lua thread waits (the call's timeout
   * still applies).
   */
  setHostToolHandler(handler: HostToolHandler | null): void {
    if (handler !== null && typeof handler !== 'function') throw new TypeError('setHostToolHandler: expected a function or null');
    this.#services.hostTool = handler;
  }

  /** Answers `vulcan.models.embed` / `vulcan.models.llm` (null or absent: `model_unavailable`). */
  setModelHandlers(handlers: { embed?: EmbedHandler | null; llm?: LlmHandler | null }): void {
    for (const key of ['embed', 'llm'] as const) {
      const h = handlers[key];
      if (h !== undefined && h !== null && typeof h !== 'function') throw new TypeError(`setModelHandlers: ${key} must be a function or null`);
    }
    if (handlers.embed !== undefined) this.#services.embed = handlers.embed;
    if (handlers.llm !== undefined) this.#services.llm = handlers.llm;
  }

  /**
   * Performs `vulcan.runtime.skills.install/update/uninstall/enable/disable` for Lua when the
   * engine was created with `enableSkillManagementBridge: true` (null removes it). It gets
   * `{ action, authority: 'delegated_tool', input }`; what it returns goes back to Lua, a throw
   * becomes `vulcan.runtime.skills.<action>: <message>`.
   */
  setSkillManagementHandler(handler: SkillManagementHandler | null): void {
    if (handler !== null && typeof handler !== 'function') throw new TypeError('setSkillManagementHandler: expected a function or null');
    this.#services.skillManagement = handler;
  }

  /**
   * Plugs a host database provider for `vulcan.sqlite` or `vulcan.lancedb` (upstream's
   * `host_callback` mode): it receives `{action, binding, input}` and its value (sync or async)
   * is the Lua method's result. `null` returns to the default provider (better-sqlite3 /
   * @lancedb/lancedb on `<skills_dir>/../databases`).
   */
  setDatabaseProvider(kind: DatabaseProviderKind, provider: DatabaseProvider | null): void {
    engineDatabasesOf(this.#services).setProvider(kind, provider);
  }

  /** True once {@link close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Active leases of both profiles (the limit is 8). */
  get activeLeaseCount(): number {
    return this.#manager.activeCount;
  }

  /**
   * Loads skills from the root chain (ROOT, then PROJECT, then USER; first root wins). A broken
   * skill is skipped and reported in {@link loadReport}; bad root arguments throw and change
   * nothing.
   */
  async loadFromRoots(roots: readonly RuntimeSkillRoot[]): Promise<SkillLoadReport> {
    this.#assertOpen();
    return this.#loaded.load(roots);
  }

  /** Reloads atomically: on failure the previous skills stay. Emits `registry-delta` when entries changed. */
  reloadFromRoots(roots: readonly RuntimeSkillRoot[]): Promise<SkillLoadReport> {
    return this.loadFromRoots(roots);
  }

  /** What the last load found: loaded, skipped (with why) and failed (with the error) skills. */
  loadReport(): SkillLoadReport | null {
    return this.#skills.set?.report ?? null;
  }

  /** Entry descriptors visible to `authority` (`system` sees all, `delegated_tool` not ROOT). */
  listEntries(authority: 'system' | 'delegated_tool' = 'system') {
    return this.#skills.set?.registry.listEntries(authority) ?? [];
  }

  /** True when `name` is a canonical entry name visible to `authority`. */
  isSkill(name: string, authority: 'system' | 'delegated_tool' = 'system'): boolean {
    return this.#skills.set?.registry.isSkill(name, authority) ?? false;
  }

  /** The skill id of a canonical entry name, or null. */
  skillNameForTool(name: string, authority: 'system' | 'delegated_tool' = 'system'): string | null {
    return this.#skills.set?.registry.skillNameForTool(name, authority) ?? null;
  }

  /** Help descriptors of the loaded skills, sorted by skill id. */
  listSkillHelp(authority: 'system' | 'delegated_tool' = 'system') {
    return this.#skills.set?.registry.listSkillHelp(authority) ?? [];
  }

  /**
   * One help flow with its content: `.md` (any non-`.lua` file) verbatim, `.lua` executed in a
   * pooled VM with the skill's context. Null when the skill is unknown.
   */
  async renderSkillHelpDetail(skillId: string, flowName: string, ctx?: InvocationContext) {
    this.#assertOpen();
    return renderSkillHelpFlow(this.#skills, skillId, flowName, ctx);
  }

  /** Calls a skill entry by canonical name (`{skill_id}-{entry}`) on the pool. */
  callSkill(name: string, args: unknown = {}, ctx?: InvocationContext, options?: SkillCallOptions): Promise<InvocationResult> {
    return this.#track(this.#skills.callSkill(name, args, ctx, options));
  }

  /** Runs one-shot Lua on the skill pool (`args` is the local `args`); resolves with the first result. */
  runLua(code: string, args?: unknown, ctx?: InvocationContext, options?: SkillCallOptions): Promise<LuaValue> {
    return this.#track(this.#skills.runLua(code, args, ctx, options));
  }

  /**
   * luaexec (upstream `vulcan.runtime.lua.exec`): runs `code` or `file` in a VM of the luaexec
   * pool with print captured and a timeout (`timeout_ms`, default 60000), and resolves with
   * upstream's Markdown — also when the code fails. A malformed request rejects with
   * {@link LuaExecError} (or a TypeError naming the field).
   */
  luaExec(request: LuaExecRequest): Promise<string> {
    return this.#runLuaExec(() => parseLuaExecRequest(request));
  }

  /** `execute_runlua_request_json_inline`: {@link luaExec} from JSON text. */
  executeLuaExecJson(json: string): Promise<string> {
    return this.#runLuaExec(() => parseLuaExecJson(json));
  }

  // A request `parse` refuses rejects the call; nothing runs.
  #runLuaExec(parse: () => LuaExecRequest): Promise<string> {
    let request: LuaExecRequest;
    try {
      request = parse();
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#track(this.#skills.luaExec(request));
  }

  /** Installs a skill (`lifecycle.install`); resolves with upstream's SkillApplyResult. */
  installSkill(request: SkillInstallRequest, options?: LifecycleOptions): Promise<SkillApplyResult> {
    return this.#track(this.lifecycle.install(request, options));
  }
  /** Updates a managed install (`lifecycle.update`). */
  updateSkill(request: SkillInstallRequest, options?: LifecycleOptions): Promise<SkillApplyResult> {
    return this.#track(this.lifecycle.update(request, options));
  }
  /** Removes a skill; databases stay unless `removeSqlite` / `removeLancedb`. */
  uninstallSkill(skillId: string, options?: UninstallOptions): Promise<SkillUninstallResult> {
    return this.#track(this.lifecycle.uninstall(skillId, options));
  }
  /** Enables a disabled skill. */
  enableSkill(skillId: string, options?: LifecycleOptions): Promise<SkillStateResult> {
    return this.#track(this.lifecycle.enable(skillId, options));
  }
  /** Disables a skill (a record in its root's state folder), with an optional reason. */
  disableSkill(skillId: string, reason?: string, options?: LifecycleOptions): Promise<SkillStateResult> {
    return this.#track(this.lifecycle.disable(skillId, reason, options));
  }

  /** Counters of the skill VM pool (null before the first load). */
  poolStats() {
    return this.#skills.poolStats;
  }

  /** `runtime_lease_create_json`: opens a public lease. */
  createRuntimeLeaseJson(json: string): Promise<string> {
    return this.leases.createJson(json);
  }

  /** `runtime_lease_eval_json`: runs code in a public lease. */
  evalRuntimeLeaseJson(json: string): Promise<string> {
    return this.leases.evalJson(json);
  }

  /** `runtime_lease_status_json`. */
  runtimeLeaseStatusJson(json: string): string {
    return this.leases.statusJson(json);
  }

  /** `runtime_lease_list_json`. */
  listRuntimeLeasesJson(json: string): string {
    return this.leases.listJson(json);
  }

  /** `runtime_lease_close_json`. */
  closeRuntimeLeaseJson(json: string): string {
    return this.leases.closeJson(json);
  }

  /** `system_runtime_lease_create_json`: opens a `system_lua_lib` lease. */
  createSystemRuntimeLeaseJson(json: string): Promise<string> {
    return this.systemLeases.createJson(json);
  }

  /** `system_runtime_lease_eval_json`. */
  evalSystemRuntimeLeaseJson(json: string): Promise<string> {
    return this.systemLeases.evalJson(json);
  }

  /** `system_runtime_lease_status_json`. */
  systemRuntimeLeaseStatusJson(json: string): string {
    return this.systemLeases.statusJson(json);
  }

  /** `system_runtime_lease_list_json`. */
  listSystemRuntimeLeasesJson(json: string): string {
    return this.systemLeases.listJson(json);
  }

  /** `system_runtime_lease_close_json`. */
  closeSystemRuntimeLeaseJson(json: string): string {
    return this.systemLeases.closeJson(json);
  }

  /**
   * Closes every lease VM (running evals end with `eval_failed`), waits for work in flight to
   * settle, and refuses further calls with `engine_closed`. Idempotent.
   */
  async close(): Promise<void> {
    this.#closed = true;
    this.#loaded.close();
    this.#services.config.close();
    this.#manager.closeAll();
    this.#skills.close();
    // A create waiting on its directory resumes, sees the engine closed and makes no VM.
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
    engineDatabasesOf(this.#services).close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * The VM of a new lease: with the loaded skills reachable through `vulcan.call`, as the seed's
   * `create_runlua_vm` gives them (a lease keeps the skills it was created with).
   */
  protected createLeaseVm(paths: LeasePathContext): LeaseVm {
    return createSkillLeaseVm(paths, this.#skills.entries ?? {}, this.#services, this.#options.enableManagedIoCompat !== false);
  }

  #assertOpen(): void {
    if (this.#closed) throw new LuaSkillsEngineError('engine_closed', 'the LuaSkillsEngine is closed');
  }

  #track<T>(work: Promise<T>): Promise<T> {
    this.#running.add(work);
    const done = (): void => {
      this.#running.delete(work);
    };
    work.then(done, done);
    return work;
  }
}
