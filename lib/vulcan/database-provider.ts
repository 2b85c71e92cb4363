// The database side of vulcan.sqlite / vulcan.lancedb: what a provider is, what it is asked, and
// the binding context upstream hands it (`RuntimeDatabaseBindingContext`). A provider answers one
// action of one skill's database; the engine's default providers live in sqlite-provider.ts and
// lancedb-provider.ts, a host may plug its own (upstream's `host_callback` mode).
import path from 'node:path';

import { CodedError } from '../coded-error.js';
import type { SkillDatabaseConfig } from '../skills/manifest.js';

/** Upstream's `RuntimeDatabaseKind` (snake_case as serialized). */
export type DatabaseKind = 'sqlite' | 'lance_db';

/** Which binding a host provider is set for. */
export type DatabaseProviderKind = 'sqlite' | 'lancedb';

/** Upstream's `RuntimeDatabaseBindingContext`: who owns the database a request is for. */
export interface RuntimeDatabaseBindingContext {
  /** The root label (`ROOT`, `PROJECT`, `USER`) of the skill's effective instance. */
  space_label: string;
  skill_id: string;
  /** `<space_label>-<skill_id>`: a stable name a host can route or name databases by. */
  binding_tag: string;
  root_name: string;
  /** `<skills_dir>/../databases`: the sidecar directory the default databases live under. */
  space_root: string;
  skill_dir: string;
  skill_dir_name: string;
  database_kind: DatabaseKind;
  /**
   * Where the default provider keeps the database: `<space_root>/sqlite/<id>/<id>.sqlite3`, or the
   * directory `<space_root>/lancedb/<id>`. A host provider may ignore it.
   */
  default_database_path: string;
}

/** The SQLite provider actions (upstream `RuntimeSqliteProviderAction`). */
export const SQLITE_ACTIONS = [
  'execute_script',
  'execute_batch',
  'query_json',
  'query_stream',
  'query_stream_wait_metrics',
  'query_stream_chunk',
  'query_stream_close',
  'tokenize_text',
  'upsert_custom_word',
  'remove_custom_word',
  'list_custom_words',
  'ensure_fts_index',
  'rebuild_fts_index',
  'upsert_fts_document',
  'delete_fts_document',
  'search_fts',
] as const;
export type SqliteProviderAction = (typeof SQLITE_ACTIONS)[number];

/** The LanceDB provider actions (upstream `RuntimeLanceDbProviderAction`). */
export const LANCEDB_ACTIONS = ['create_table', 'vector_upsert', 'vector_search', 'delete', 'drop_table'] as const;
export type LanceDbProviderAction = (typeof LANCEDB_ACTIONS)[number];

/** JSON-like values as they cross from Lua (integers beyond 2^53 as BigInt, byte strings as Buffer). */
export type DatabaseValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Buffer
  | DatabaseValue[]
  | { [key: string]: DatabaseValue };

/** One request to a provider: upstream's `{action, binding, input}`. */
export interface DatabaseProviderRequest<A extends string = string> {
  action: A;
  binding: RuntimeDatabaseBindingContext;
  /** The Lua input table (an object; `{}` for `list_custom_words`). */
  input: { [key: string]: DatabaseValue };
}

/**
 * A host database provider (upstream `host_callback` mode): answers one request, sync or async.
 * The value returned reaches Lua as the method's result (objects become tables); a throw or a
 * rejection becomes a Lua error with its message. It runs on the JS thread while the calling Lua
 * thread waits.
 */
export type DatabaseProvider = (request: DatabaseProviderRequest) => unknown;

/** What status()/info() report about a provider beyond the binding. */
export interface DatabaseProviderInfo {
  integration_mode: 'dynamic_library' | 'host_callback';
  library_path: string;
  library_name: string;
  library_version: string;
  ffi_stage: string;
  capabilities: string[];
  /** Extra facts for info().library_info (e.g. the SQLite version). */
  extra?: Record<string, string>;
}

/** A default provider owned by the engine: answers requests and holds open databases. */
export interface EngineDatabaseProvider {
  handle(request: DatabaseProviderRequest): unknown;
  info(): DatabaseProviderInfo;
  /** Closes every open database; later requests reopen them. */
  close(): void;
}

/** The codes of {@link DatabaseError}. */
export type DatabaseErrorCode =
  | 'invalid_input'
  | 'sqlite_error'
  | 'stream_not_found'
  | 'unsupported_action'
  | 'provider_unavailable'
  | 'lancedb_error';

/** A database request that failed for a known reason; Lua sees its message. */
export class DatabaseError extends CodedError<DatabaseErrorCode> {
  override readonly name = 'DatabaseError';
}

/** The `sqlite:` / `lancedb:` settings of a skill as the VM sees them, with the binding. */
export interface SkillDatabaseRuntime extends SkillDatabaseConfig {
  binding: RuntimeDatabaseBindingContext;
}

/** The sidecar directory name under each skill root's parent (upstream layout `databases`). */
export const DATABASE_DIR_NAME = 'databases';

/** Upstream's binding plan: the context of one skill's database of `kind`. */
export function databaseBindingOf(
  skill: { skill_id: string; skill_dir: string; root_name: string; skills_root: string },
  kind: DatabaseKind,
): RuntimeDatabaseBindingContext {
  const spaceRoot = path.join(skill.skills_root, '..', DATABASE_DIR_NAME);
  const id = skill.skill_id;
  const storage = path.join(spaceRoot, kind === 'sqlite' ? 'sqlite' : 'lancedb', id);
  return {
    space_label: skill.root_name,
    skill_id: id,
    binding_tag: `${skill.root_name}-${id}`,
    root_name: skill.root_name,
    space_root: spaceRoot,
    skill_dir: skill.skill_dir,
    skill_dir_name: path.basename(skill.skill_dir),
    database_kind: kind,
    default_database_path: kind === 'sqlite' ? path.join(storage, `${id}.sqlite3`) : storage,
  };
}

/** The per-entry database fields of the VM's entry table (`entry.sqlite`, `entry.lancedb`). */
export function entryDatabaseFields(skill: {
  skill_id: string;
  skill_dir: string;
  root_name: string;
  skills_root: string;
  sqlite: SkillDatabaseConfig;
  lancedb: SkillDatabaseConfig;
}): { sqlite: SkillDatabaseRuntime; lancedb: SkillDatabaseRuntime } {
  return {
    sqlite: { ...skill.sqlite, binding: databaseBindingOf(skill, 'sqlite') },
    lancedb: { ...skill.lancedb, binding: databaseBindingOf(skill, 'lance_db') },
  };
}
