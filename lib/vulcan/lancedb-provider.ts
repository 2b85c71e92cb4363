// The engine's default LanceDB provider, on @lancedb/lancedb (an optional dependency, loaded on
// first use): one connection per skill directory `<databases>/lancedb/<skill_id>`. Inputs follow
// vldb-lancedb (`table_name`, `columns`, `input_format`/`data`, `key_columns`, `vector`,
// `limit`, `filter`, `vector_column`, `output_format`, `condition`); results are upstream's
// `{meta, data}` for vector_search and plain objects otherwise.
import { createRequire } from 'node:module';
import path from 'node:path';

import { DatabaseError, LANCEDB_ACTIONS, type DatabaseProviderInfo, type DatabaseProviderRequest, type DatabaseValue, type EngineDatabaseProvider } from './database-provider.js';

// The parts of @lancedb/lancedb and apache-arrow used here.
interface LanceTable {
  add(data: unknown, options?: { mode?: string }): Promise<{ version?: number } | undefined>;
  mergeInsert(on: string | string[]): {
    whenMatchedUpdateAll(): { whenNotMatchedInsertAll(): { execute(data: unknown): Promise<MergeResult | undefined> } };
  };
  vectorSearch(vector: number[]): LanceQuery;
  delete(predicate: string): Promise<unknown>;
  countRows(filter?: string): Promise<number>;
  version(): Promise<number>;
  close(): void;
}
interface MergeResult {
  version?: number;
  numInsertedRows?: number;
  numUpdatedRows?: number;
  numDeletedRows?: number;
}
interface LanceQuery {
  limit(n: number): LanceQuery;
  where(filter: string): LanceQuery;
  column(name: string): LanceQuery;
  toArray(): Promise<Record<string, unknown>[]>;
}
interface LanceConnection {
  openTable(name: string): Promise<LanceTable>;
  createEmptyTable(name: string, schema: unknown, options?: { mode?: string; existOk?: boolean }): Promise<LanceTable>;
  dropTable(name: string): Promise<void>;
  tableNames(): Promise<string[]>;
  close(): void;
}
interface LanceModule {
  connect(uri: string): Promise<LanceConnection>;
}
type ArrowCtor = new (...args: unknown[]) => unknown;
interface ArrowModule {
  Schema: ArrowCtor;
  Field: ArrowCtor;
  Utf8: ArrowCtor;
  Int64: ArrowCtor;
  Int32: ArrowCtor;
  Uint64: ArrowCtor;
  Uint32: ArrowCtor;
  Float64: ArrowCtor;
  Float32: ArrowCtor;
  Bool: ArrowCtor;
  FixedSizeList: ArrowCtor;
  tableFromIPC(bytes: Uint8Array): unknown;
}

const require = createRequire(import.meta.url);
let modules: Promise<{ lance: LanceModule; arrow: ArrowModule; version: string; path: string }> | null = null;
function loadModules(): Promise<{ lance: LanceModule; arrow: ArrowModule; version: string; path: string }> {
  modules ??= (async () => {
    try {
      const lance = (await import('@lancedb/lancedb' as string)) as LanceModule;
      const arrow = (await import('apache-arrow' as string)) as ArrowModule;
      let version = 'unknown';
      let dir = '';
      try {
        const pkg = require.resolve('@lancedb/lancedb/package.json');
        version = (require(pkg) as { version: string }).version;
        dir = path.dirname(pkg);
      } catch {
        /* version unknown */
      }
      return { lance, arrow, version, path: dir };
    } catch (err) {
      modules = null;
      throw new DatabaseError('provider_unavailable', `@lancedb/lancedb is not available: ${(err as Error).message}`);
    }
  })();
  return modules;
}

type Input = DatabaseProviderRequest['input'];

function requireString(input: Input, field: string): string {
  const v = input[field];
  if (typeof v !== 'string' || v.trim() === '') throw new DatabaseError('invalid_input', `missing or empty field \`${field}\``);
  return v;
}

function uint(v: DatabaseValue | undefined, fallback: number): number {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  return fallback;
}

function arrowType(arrow: ArrowModule, column: { [key: string]: DatabaseValue }, field: string): unknown {
  const type = typeof column.column_type === 'string' ? column.column_type.trim().toLowerCase() : '';
  switch (type) {
    case 'string':
    case 'utf8':
      return new arrow.Utf8();
    case 'int64':
      return new arrow.Int64();
    case 'int32':
      return new arrow.Int32();
    case 'uint64':
      return new arrow.Uint64();
    case 'uint32':
      return new arrow.Uint32();
    case 'float64':
      return new arrow.Float64();
    case 'float32':
      return new arrow.Float32();
    case 'bool':
      return new arrow.Bool();
    case 'vector_float32':
    case 'vector': {
      const dim = uint(column.vector_dim, 0);
      if (dim <= 0) throw new DatabaseError('invalid_input', `${field}.vector_dim must be greater than 0`);
      return new arrow.FixedSizeList(dim, new arrow.Field('item', new arrow.Float32(), true));
    }
    default:
      throw new DatabaseError('invalid_input', `${field}.column_type=${type || '(missing)'} is unsupported`);
  }
}

// JSON rows for LanceDB: 64-bit integers arrive as numbers (or BigInt beyond 2^53).
function rowsOf(input: Input): unknown {
  const format = typeof input.input_format === 'string' ? input.input_format.trim().toLowerCase() : 'json';
  const data = input.data;
  if (format === 'arrow_ipc' || format === 'arrow') {
    const bytes = Buffer.isBuffer(data) ? data : typeof data === 'string' ? Buffer.from(data, 'latin1') : null;
    if (!bytes) throw new DatabaseError('invalid_input', 'data must be the Arrow IPC bytes');
    return { ipc: bytes };
  }
  if (format !== 'json' && format !== 'json_rows') throw new DatabaseError('invalid_input', `unsupported input_format: ${format}`);
  let rows: unknown;
  try {
    rows = typeof data === 'string' ? JSON.parse(data) : Buffer.isBuffer(data) ? JSON.parse(data.toString('utf8')) : data;
  } catch (err) {
    throw new DatabaseError('invalid_input', `data must be a JSON array of rows: ${(err as Error).message}`);
  }
  if (!Array.isArray(rows)) throw new DatabaseError('invalid_input', 'data must be a JSON array of rows');
  return rows;
}

function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>, (x) => plain(x));
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') {
    const o = v as { toJSON?: () => unknown; toArray?: () => unknown };
    if (typeof o.toJSON === 'function' && !(v instanceof Date)) return plain(o.toJSON());
    if (typeof o.toArray === 'function') return plain(o.toArray());
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = plain(x);
    return out;
  }
  return v;
}

/** @lancedb/lancedb's provider for `<databases>/lancedb/<skill_id>`. */
export class LanceDbProvider implements EngineDatabaseProvider {
  readonly #connections = new Map<string, Promise<LanceConnection>>();
  #version = 'unknown';
  #path = '';

  info(): DatabaseProviderInfo {
    void loadModules().then(
      (m) => {
        this.#version = m.version;
        this.#path = m.path;
      },
      () => undefined,
    );
    return {
      integration_mode: 'dynamic_library',
      library_path: this.#path,
      library_name: '@lancedb/lancedb',
      library_version: this.#version,
      ffi_stage: 'node_addon',
      capabilities: [...LANCEDB_ACTIONS],
    };
  }

  async handle(request: DatabaseProviderRequest): Promise<unknown> {
    const { lance, arrow } = await loadModules();
    const dir = request.binding.default_database_path;
    let conn = this.#connections.get(dir);
    if (!conn) {
      conn = lance.connect(dir);
      this.#connections.set(dir, conn);
    }
    const db = await conn;
    const input = request.input;
    try {
      switch (request.action) {
        case 'create_table':
          return await this.#createTable(db, arrow, input);
        case 'vector_upsert':
          return await this.#upsert(db, arrow, input);
        case 'vector_search':
          return await this.#search(db, input);
        case 'delete': {
          const name = requireString(input, 'table_name');
          const condition = requireString(input, 'condition');
          const table = await db.openTable(name);
          const before = await table.countRows();
          await table.delete(condition);
          const after = await table.countRows();
          const version = await table.version();
          table.close();
          return { message: 'rows deleted', version, deleted_rows: before - after };
        }
        case 'drop_table': {
          const name = requireString(input, 'table_name');
          await db.dropTable(name);
          return { message: `table ${name} dropped` };
        }
        default:
          throw new DatabaseError('unsupported_action', `unsupported lancedb action: ${request.action}`);
      }
    } catch (err) {
      if (err instanceof DatabaseError) throw err;
      throw new DatabaseError('lancedb_error', (err as Error).message);
    }
  }

  close(): void {
    for (const conn of this.#connections.values()) {
      conn.then(
        (c) => c.close(),
        () => undefined,
      );
    }
    this.#connections.clear();
  }

  async #createTable(db: LanceConnection, arrow: ArrowModule, input: Input) {
    const name = requireString(input, 'table_name');
    const columns = input.columns;
    if (!Array.isArray(columns) || columns.length === 0) throw new DatabaseError('invalid_input', 'columns must be a non-empty array');
    const fields = columns.map((c, i) => {
      if (typeof c !== 'object' || c === null || Array.isArray(c) || Buffer.isBuffer(c)) throw new DatabaseError('invalid_input', `columns[${i}] must be an object`);
      const colName = typeof c.name === 'string' ? c.name.trim() : '';
      if (!colName) throw new DatabaseError('invalid_input', `columns[${i}].name must not be empty`);
      return new arrow.Field(colName, arrowType(arrow, c, `columns[${i}]`), c.nullable !== false);
    });
    const overwrite = input.overwrite_if_exists === true;
    const table = await db.createEmptyTable(name, new arrow.Schema(fields), overwrite ? { mode: 'overwrite' } : { mode: 'create', existOk: true });
    table.close();
    return { message: `table ${name} ready` };
  }

  async #upsert(db: LanceConnection, arrow: ArrowModule, input: Input) {
    const name = requireString(input, 'table_name');
    const rows = rowsOf(input);
    const data = typeof rows === 'object' && rows !== null && 'ipc' in rows ? arrow.tableFromIPC((rows as { ipc: Buffer }).ipc) : rows;
    const count = Array.isArray(data) ? data.length : Number((data as { numRows?: number }).numRows ?? 0);
    const keys = Array.isArray(input.key_columns) ? input.key_columns.filter((k): k is string => typeof k === 'string' && k !== '') : [];
    const table = await db.openTable(name);
    try {
      if (keys.length > 0) {
        const r = await table.mergeInsert(keys).whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(data);
        const version = r?.version ?? (await table.version());
        return { message: 'rows upserted', version, input_rows: count, inserted_rows: r?.numInsertedRows ?? 0, updated_rows: r?.numUpdatedRows ?? 0, deleted_rows: r?.numDeletedRows ?? 0 };
      }
      await table.add(data);
      return { message: 'rows added', version: await table.version(), input_rows: count, inserted_rows: count, updated_rows: 0, deleted_rows: 0 };
    } finally {
      table.close();
    }
  }

  async #search(db: LanceConnection, input: Input) {
    const name = requireString(input, 'table_name');
    const vector = input.vector;
    if (!Array.isArray(vector) || vector.length === 0 || !vector.every((x) => typeof x === 'number')) {
      throw new DatabaseError('invalid_input', 'vector must be a non-empty array of numbers');
    }
    const format = typeof input.output_format === 'string' ? input.output_format.trim().toLowerCase() : 'json';
    if (format !== 'json' && format !== 'json_rows') throw new DatabaseError('invalid_input', `unsupported output_format: ${format} (this provider returns json)`);
    const table = await db.openTable(name);
    try {
      let q = table.vectorSearch(vector as number[]).limit(uint(input.limit, 10) || 10);
      if (typeof input.vector_column === 'string' && input.vector_column !== '') q = q.column(input.vector_column);
      if (typeof input.filter === 'string' && input.filter.trim() !== '') q = q.where(input.filter);
      const rows = (await q.toArray()).map(plain);
      return { meta: { message: 'search completed', format: 'json', rows: rows.length }, data: Buffer.from(JSON.stringify(rows), 'utf8') };
    } finally {
      table.close();
    }
  }
}
