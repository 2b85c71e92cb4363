import { RuntimeLeaseClient, type LeaseHost } from '../leases/client.js';
import { systemClock } from '../leases/clock.js';
import type { LeaseVm } from '../leases/lease-vm.js';
import { LuaLeaseVm } from '../leases/lua-lease-vm.js';
import { RuntimeLeaseManager } from '../leases/manager.js';
import type { LeasePathContext } from '../leases/paths.js';
import { LuaVm } from '../vm/lua-vm.js';
import { LuaSkillsEngineError } from './errors.js';
import { checkEngineOptions, resolveSystemLuaLibDir, type LuaSkillsEngineOptions } from './options.js';

/**
 * One luaskills engine. This release holds the runtime leases (persistent Lua VMs a host leases
 * by `sid`); skill loading joins it next. JSON surfaces take and return JSON text; the ones that
 * run Lua or create VMs return promises.
 */
export class LuaSkillsEngine implements AsyncDisposable {
  /** Leases of the `public` profile. */
  readonly leases: RuntimeLeaseClient;
  /** Leases of the `system_lua_lib` profile. */
  readonly systemLeases: RuntimeLeaseClient;
  /** Where `system_lua_lib` leases live. */
  readonly systemLuaLibDir: string;
  readonly #manager: RuntimeLeaseManager;
  readonly #running = new Set<Promise<unknown>>();
  #closed = false;

  constructor(options: LuaSkillsEngineOptions = {}) {
    const o = checkEngineOptions(options);
    this.systemLuaLibDir = resolveSystemLuaLibDir(o);
    this.#manager = new RuntimeLeaseManager(o.clock ?? systemClock);
    const host: LeaseHost = {
      leaseManager: this.#manager,
      systemLuaLibDir: this.systemLuaLibDir,
      createLeaseVm: (paths) => this.createLeaseVm(paths),
      assertOpen: () => this.#assertOpen(),
      track: (work) => this.#track(work),
    };
    this.leases = new RuntimeLeaseClient(host, 'public');
    this.systemLeases = new RuntimeLeaseClient(host, 'system_lua_lib');
  }

  /** True once {@link close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Active leases of both profiles (the limit is 8). */
  get activeLeaseCount(): number {
    return this.#manager.activeCount;
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
    this.#manager.closeAll();
    // A create waiting on its directory resumes, sees the engine closed and makes no VM.
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * The VM of a new lease. The skills engine overrides this to give lease VMs the loaded skills
   * (`vulcan.call`), as the seed's `create_runlua_vm` does.
   */
  protected createLeaseVm(paths: LeasePathContext): LeaseVm {
    return new LuaLeaseVm(new LuaVm(), paths);
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
