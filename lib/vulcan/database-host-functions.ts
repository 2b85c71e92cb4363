// The host side of vulcan.sqlite / vulcan.lancedb: per engine, the provider each binding goes to
// (a host provider, else the engine's default one), the status tables, and the operation / slow /
// failure log records; registered on every VM as `__luaskills_db_host.call` / `.status`, which
// lib/lua/vulcan-db.lua takes into locals.
import { performance } from 'node:perf_hooks';

import type { LuaVm } from '../vm/lua-vm.js';
import {
  DatabaseError,
  LANCEDB_ACTIONS,
  SQLITE_ACTIONS,
  type DatabaseProvider,
  type DatabaseProviderInfo,
  type DatabaseProviderKind,
  type DatabaseProviderRequest,
  type EngineDatabaseProvider,
  type SkillDatabaseRuntime,
} from './database-provider.js';
import { LanceDbProvider } from './lancedb-provider.js';
import { logRecord } from './log.js';
import type { VulcanServices } from './services.js';
import { BetterSqliteProvider } from './sqlite-provider.js';

const LABEL: Record<DatabaseProviderKind, string> = { sqlite: 'Sqlite', lancedb: 'LanceDb' };
const ACTIONS: Record<DatabaseProviderKind, readonly string[]> = { sqlite: SQLITE_ACTIONS, lancedb: LANCEDB_ACTIONS };

/** The databases of one engine: host providers, default providers, and what is open. */
export class EngineDatabases {
  readonly #services: VulcanServices;
  readonly #host: Record<DatabaseProviderKind, DatabaseProvider | null> = { sqlite: null, lancedb: null };
  readonly #defaults: Partial<Record<DatabaseProviderKind, EngineDatabaseProvider>> = {};
  readonly #infos: Partial<Record<DatabaseProviderKind, DatabaseProviderInfo>> = {};

  constructor(services: VulcanServices) {
    this.#services = services;
  }

  /** Plugs a host provider for `kind` (upstream `host_callback` mode); null returns to the default. */
  setProvider(kind: DatabaseProviderKind, provider: DatabaseProvider | null): void {
    if (kind !== 'sqlite' && kind !== 'lancedb') throw new TypeError(`setDatabaseProvider: kind must be 'sqlite' or 'lancedb'`);
    if (provider !== null && typeof provider !== 'function') throw new TypeError('setDatabaseProvider: expected a function or null');
    this.#host[kind] = provider;
  }

  /** The host provider of `kind`, or null when the default one answers. */
  provider(kind: DatabaseProviderKind): DatabaseProvider | null {
    return this.#host[kind];
  }

  /** Closes the databases the default providers opened. Later calls reopen them. */
  close(): void {
    for (const p of Object.values(this.#defaults)) p.close();
  }

  #default(kind: DatabaseProviderKind): EngineDatabaseProvider {
    let p = this.#defaults[kind];
    if (!p) {
      p = kind === 'sqlite' ? new BetterSqliteProvider() : new LanceDbProvider();
      this.#defaults[kind] = p;
    }
    return p;
  }

  #info(kind: DatabaseProviderKind): DatabaseProviderInfo {
    if (this.#host[kind]) {
      return { integration_mode: 'host_callback', library_path: '', library_name: 'host_callback', library_version: 'unknown', ffi_stage: 'host_callback', capabilities: [...ACTIONS[kind]] };
    }
    return (this.#infos[kind] ??= this.#default(kind).info());
  }

  /** Upstream's enabled status table (info() adds library_info). */
  status(kind: DatabaseProviderKind, settings: SkillDatabaseRuntime, withLibraryInfo: boolean): Record<string, unknown> {
    const b = settings.binding;
    const info = this.#info(kind);
    const status: Record<string, unknown> = {
      enabled: true,
      initialized: true,
      skill_name: b.skill_id,
      skill_dir_name: b.skill_dir_name,
      database_path: b.default_database_path,
      integration_mode: info.integration_mode,
      library_path: info.library_path,
      library_name: info.library_name,
      library_version: info.library_version,
      ffi_stage: info.ffi_stage,
      capabilities: info.capabilities,
      space_label: b.space_label,
      root_name: b.root_name,
      binding_tag: b.binding_tag,
      space_root: b.space_root,
      default_database_path: b.default_database_path,
      log_level: settings.log_level,
      slow_log_enabled: settings.slow_log_enabled,
      slow_log_threshold_ms: settings.slow_log_threshold_ms,
    };
    if (withLibraryInfo) {
      status.library_info = { name: info.library_name, version: info.library_version, ffi_stage: info.ffi_stage, capabilities: info.capabilities, ...info.extra };
    }
    return status;
  }

  /** One provider request, with upstream's info / slow / warn log records. */
  async call(kind: DatabaseProviderKind, action: string, settings: SkillDatabaseRuntime, input: DatabaseProviderRequest['input'], tool: string | null): Promise<unknown> {
    if (!ACTIONS[kind].includes(action)) throw new DatabaseError('unsupported_action', `unsupported ${kind} action: ${action}`);
    const b = settings.binding;
    const emit = (label: string, tag: string, text: string): void => {
      this.#services.log(logRecord(label, `[${LABEL[kind]}:${tag}] skill=${b.skill_id} db=${b.skill_dir_name} op=${action}${text}`, 'log', tool, b.skill_id));
    };
    if (settings.log_level === 'info') emit('info', 'info', '');
    const request: DatabaseProviderRequest = { action, binding: { ...b }, input: this.#host[kind] ? hostInput(kind, action, input) : input };
    const started = performance.now();
    try {
      const host = this.#host[kind];
      const result = host ? await host(request) : await this.#default(kind).handle(request);
      const elapsed = Math.floor(performance.now() - started);
      if (settings.slow_log_enabled && settings.log_level !== 'off' && elapsed >= settings.slow_log_threshold_ms) {
        emit('info', 'slow', ` elapsed_ms=${elapsed}`);
      }
      return kind === 'lancedb' ? lanceResult(result) : result === undefined ? null : result;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (settings.log_level !== 'off') emit('warn', 'warn', ` message=${message}`);
      throw err instanceof Error ? err : new Error(message);
    }
  }
}

// Upstream hands a host provider the vector_upsert payload also as `data_base64`.
function hostInput(kind: DatabaseProviderKind, action: string, input: DatabaseProviderRequest['input']): DatabaseProviderRequest['input'] {
  if (kind !== 'lancedb' || action !== 'vector_upsert') return input;
  const data = input.data;
  const bytes = Buffer.isBuffer(data) ? data : typeof data === 'string' ? Buffer.from(data, input.input_format === 'arrow_ipc' ? 'latin1' : 'utf8') : null;
  return bytes ? { ...input, data_base64: bytes.toString('base64') } : input;
}

// LanceDB answers `{meta, data}` (or upstream's JSON-callback `{meta, data_base64}`): Lua gets the
// meta fields with the payload as `data` (bytes); vulcan-db.lua turns a JSON payload into data_json.
function lanceResult(result: unknown): unknown {
  if (typeof result !== 'object' || result === null || !('meta' in result)) return result === undefined ? null : result;
  const r = result as { meta?: unknown; data?: unknown; data_base64?: unknown };
  const out: Record<string, unknown> = typeof r.meta === 'object' && r.meta !== null ? { ...(r.meta as Record<string, unknown>) } : {};
  let bytes: Buffer | null = null;
  if (Buffer.isBuffer(r.data)) bytes = r.data;
  else if (r.data instanceof Uint8Array) bytes = Buffer.from(r.data);
  else if (typeof r.data === 'string') bytes = Buffer.from(r.data, 'utf8');
  else if (typeof r.data_base64 === 'string') bytes = Buffer.from(r.data_base64, 'base64');
  if (bytes && bytes.length > 0) out.data = bytes;
  return out;
}

const registry = new WeakMap<VulcanServices, EngineDatabases>();

/** The databases of the engine that owns `services` (made on first use). */
export function engineDatabasesOf(services: VulcanServices): EngineDatabases {
  let dbs = registry.get(services);
  if (!dbs) {
    dbs = new EngineDatabases(services);
    registry.set(services, dbs);
  }
  return dbs;
}

const KINDS = new Set(['sqlite', 'lancedb']);
function kindOf(v: unknown): DatabaseProviderKind {
  if (typeof v !== 'string' || !KINDS.has(v)) throw new Error('database binding kind must be sqlite or lancedb');
  return v as DatabaseProviderKind;
}

/** Registers `__luaskills_db_host.call` / `.status` on `vm` (lib/lua/vulcan-db.lua uses them). */
export function registerDatabaseHostFunctions(vm: LuaVm, services: VulcanServices): void {
  const dbs = engineDatabasesOf(services);
  vm.registerHostFunction('__luaskills_db_host.call', ((kind: unknown, action: unknown, settings: SkillDatabaseRuntime, input: unknown, tool: unknown) =>
    dbs.call(
      kindOf(kind),
      String(action),
      settings,
      (typeof input === 'object' && input !== null && !Array.isArray(input) ? input : {}) as DatabaseProviderRequest['input'],
      typeof tool === 'string' ? tool : null,
    )) as never);
  vm.registerHostFunction('__luaskills_db_host.status', ((kind: unknown, settings: SkillDatabaseRuntime, withInfo: unknown) =>
    dbs.status(kindOf(kind), settings, withInfo === true)) as never);
}
