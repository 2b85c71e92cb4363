// The engine's default SQLite provider, on better-sqlite3: one connection per database file,
// opened on first use (WAL, busy timeout 5 s, foreign keys on, integers as BigInt so 64-bit values
// stay exact), closed by close(). Request and result shapes follow upstream's SQLite binding and
// its vldb-sqlite backend; the deviations are listed in docs/host-guide.md ("Databases").
//
// better-sqlite3 is synchronous: each request runs to completion on the JS thread (the calling
// Lua thread waits meanwhile), so requests on one engine never interleave.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import {
  DatabaseError,
  SQLITE_ACTIONS,
  type DatabaseProviderInfo,
  type DatabaseProviderRequest,
  type DatabaseValue,
  type EngineDatabaseProvider,
} from './database-provider.js';

// The part of better-sqlite3's API used here (the package ships no types).
interface RunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}
interface Statement {
  readonly reader: boolean;
  run(...params: unknown[]): RunResult;
  all(...params: unknown[]): Record<string, unknown>[];
  iterate(...params: unknown[]): IterableIterator<Record<string, unknown>>;
  get(...params: unknown[]): Record<string, unknown> | undefined;
  pluck(toggle?: boolean): Statement;
}
interface Database {
  prepare(sql: string): Statement;
  exec(sql: string): Database;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  defaultSafeIntegers(toggle?: boolean): Database;
  close(): Database;
  readonly open: boolean;
  readonly inTransaction: boolean;
}
type DatabaseConstructor = new (file: string, options?: Record<string, unknown>) => Database;

const require = createRequire(import.meta.url);
let driver: { ctor: DatabaseConstructor; version: string; path: string } | null = null;
function loadDriver(): { ctor: DatabaseConstructor; version: string; path: string } {
  if (driver) return driver;
  try {
    const ctor = require('better-sqlite3') as DatabaseConstructor;
    const pkgPath = require.resolve('better-sqlite3/package.json');
    const version = (require(pkgPath) as { version: string }).version;
    driver = { ctor, version, path: path.dirname(pkgPath) };
    return driver;
  } catch (err) {
    throw new DatabaseError('provider_unavailable', `better-sqlite3 is not available: ${(err as Error).message}`);
  }
}

type Input = DatabaseProviderRequest['input'];

// ---- input fields (upstream messages) --------------------------------------------------------

function requireString(input: Input, field: string): string {
  const v = input[field];
  if (typeof v !== 'string' || v.trim() === '') throw new DatabaseError('invalid_input', `missing or empty field \`${field}\``);
  if (v.includes('\0')) throw new DatabaseError('invalid_input', `field \`${field}\` contains interior NUL bytes`);
  return v;
}

function optionalString(input: Input, field: string): string {
  const v = input[field];
  return typeof v === 'string' ? v : '';
}

function optionalUint(input: Input, field: string, fallback: number): number {
  const v = input[field];
  if (typeof v === 'bigint') return v < 0n ? fallback : Number(v);
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  return fallback;
}

function requireUint(input: Input, field: string): number {
  const v = input[field];
  if (typeof v === 'bigint' && v >= 0n) return Number(v);
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  throw new DatabaseError('invalid_input', `${field} is required`);
}

// ---- parameters ------------------------------------------------------------------------------

type Bound = null | bigint | number | string | Buffer;

function scalarParam(v: DatabaseValue, field: string): Bound {
  if (v === null) return null;
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return Number.isInteger(v) && Number.isSafeInteger(v) ? BigInt(v) : v;
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v;
  throw new DatabaseError('invalid_input', `${field} must contain only scalar values`);
}

function typedParam(o: { [key: string]: DatabaseValue }, field: string): Bound {
  const kind = o.kind;
  if (typeof kind !== 'string') throw new DatabaseError('invalid_input', `${field}.kind is required for typed parameters`);
  const value = o.value;
  switch (kind.trim().toLowerCase()) {
    case 'null':
      return null;
    case 'bool':
      if (typeof value !== 'boolean') throw new DatabaseError('invalid_input', `${field}.value must be a bool`);
      return value ? 1n : 0n;
    case 'int64':
      if (typeof value === 'bigint') return value;
      if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
      throw new DatabaseError('invalid_input', `${field}.value must be an int64`);
    case 'float64':
      if (typeof value === 'number') return value;
      if (typeof value === 'bigint') return Number(value);
      throw new DatabaseError('invalid_input', `${field}.value must be a float64`);
    case 'string':
      if (typeof value !== 'string') throw new DatabaseError('invalid_input', `${field}.value must be a string`);
      return value;
    case 'bytes': {
      if (typeof o.base64 === 'string') return Buffer.from(o.base64, 'base64');
      if (Buffer.isBuffer(value)) return value;
      if (!Array.isArray(value)) throw new DatabaseError('invalid_input', `${field}.value must be a byte array or provide base64`);
      return Buffer.from(
        value.map((b, i) => {
          const n = typeof b === 'bigint' ? Number(b) : b;
          if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new DatabaseError('invalid_input', `${field}.value[${i}] must be an unsigned integer`);
          if (n > 255) throw new DatabaseError('invalid_input', `${field}.value[${i}] exceeds u8`);
          return n;
        }),
      );
    }
    default:
      throw new DatabaseError('invalid_input', `${field}.kind=${kind.trim().toLowerCase()} is unsupported`);
  }
}

function param(v: DatabaseValue, field: string): Bound {
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v) && 'kind' in v) return typedParam(v, field);
  return scalarParam(v, field);
}

function singleParams(input: Input): Bound[] {
  const paramsJson = typeof input.params_json === 'string' ? input.params_json : '';
  if (input.params !== undefined && input.params !== null) {
    if (paramsJson.trim() !== '') throw new DatabaseError('invalid_input', 'provide either params or params_json, but not both');
    const list = emptyObjectAsArray(input.params);
    if (!Array.isArray(list)) throw new DatabaseError('invalid_input', 'params must be an array');
    return list.map((v, i) => param(v, `params[${i}]`));
  }
  if (paramsJson.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(paramsJson);
  } catch (err) {
    throw new DatabaseError('invalid_input', `params_json must be a JSON array of scalar values: ${(err as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new DatabaseError('invalid_input', 'params_json must be a JSON array of scalar values');
  return parsed.map((v, i) => scalarParam(v as DatabaseValue, `params_json[${i}]`));
}

// An empty Lua table marked as an object ({} from JSON) still means "no values".
function emptyObjectAsArray(v: DatabaseValue): DatabaseValue {
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v) && Object.keys(v).length === 0) return [];
  return v;
}

function batchParams(input: Input): Bound[][] {
  const items = input.items === undefined || input.items === null ? undefined : emptyObjectAsArray(input.items);
  if (!Array.isArray(items)) throw new DatabaseError('invalid_input', 'items must be an array of arrays');
  if (items.length === 0) throw new DatabaseError('invalid_input', 'items must not be empty');
  return items.map((row, r) => {
    const list = row === null ? row : emptyObjectAsArray(row);
    if (!Array.isArray(list)) throw new DatabaseError('invalid_input', `items[${r}] must be an array`);
    return list.map((v, c) => param(v, `items[${r}][${c}]`));
  });
}

// SQLite numbers parameters itself (`?` = the largest index so far + 1, `?N` = N, a name = the next
// index at its first use). better-sqlite3 binds bare `?` by position and every other form by name
// (`?3` under the key "3"), so the values are spread the way SQLite numbers them.
interface ParamSlot {
  kind: 'anon' | 'named';
  key: string;
  index: number;
}

function parameterSlots(sql: string): ParamSlot[] {
  const slots: ParamSlot[] = [];
  const names = new Map<string, number>();
  let max = 0;
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i] as string;
    if (c === "'" || c === '"' || c === '`') {
      const q = c;
      i++;
      while (i < n) {
        if (sql[i] === q) {
          if (sql[i + 1] === q) i += 2;
          else break;
        } else i++;
      }
      i++;
    } else if (c === '[') {
      const end = sql.indexOf(']', i);
      i = end < 0 ? n : end + 1;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === '?') {
      let j = i + 1;
      while (j < n && /[0-9]/.test(sql[j] as string)) j++;
      if (j === i + 1) {
        max++;
        slots.push({ kind: 'anon', key: '', index: max });
      } else {
        const num = Number(sql.slice(i + 1, j));
        const key = String(num);
        if (!names.has(`?${key}`)) {
          names.set(`?${key}`, num);
          slots.push({ kind: 'named', key, index: num });
        }
        if (num > max) max = num;
      }
      i = j;
    } else if ((c === ':' || c === '@' || c === '$') && /[A-Za-z0-9_]/.test(sql[i + 1] ?? '')) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_]/.test(sql[j] as string)) j++;
      const name = sql.slice(i + 1, j);
      if (!names.has(name)) {
        max++;
        names.set(name, max);
        slots.push({ kind: 'named', key: name, index: max });
      }
      i = j;
    } else i++;
  }
  return slots;
}

function bindArgs(sql: string, values: Bound[]): unknown[] {
  const slots = parameterSlots(sql);
  const count = slots.reduce((m, s) => Math.max(m, s.index), 0);
  if (values.length !== count) {
    throw new DatabaseError('invalid_input', `wrong number of parameters: the statement takes ${count}, ${values.length} given`);
  }
  if (count === 0) return [];
  const anon: Bound[] = [];
  const named: Record<string, Bound> = {};
  let hasNamed = false;
  for (const s of slots) {
    const v = values[s.index - 1] ?? null;
    if (s.kind === 'anon') anon.push(v);
    else {
      named[s.key] = v;
      hasNamed = true;
    }
  }
  return hasNamed ? [...anon, named] : anon;
}

// ---- values out ------------------------------------------------------------------------------

/** A column value for Lua: integers exact (BigInt beyond 2^53), blobs as base64 text. */
function outValue(v: unknown): DatabaseValue {
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  if (Buffer.isBuffer(v)) return v.toString('base64');
  if (v === undefined) return null;
  return v as DatabaseValue;
}

function outRow(row: Record<string, unknown>): { [key: string]: DatabaseValue } {
  const out: { [key: string]: DatabaseValue } = {};
  for (const [k, v] of Object.entries(row)) out[k] = outValue(v);
  return out;
}

/** JSON text that keeps 64-bit integers exact. */
export function jsonText(v: DatabaseValue): string {
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return `[${v.map(jsonText).join(',')}]`;
  if (Buffer.isBuffer(v)) return JSON.stringify(v.toString('base64'));
  if (typeof v === 'object' && v !== null) {
    return `{${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)}:${jsonText(x)}`)
      .join(',')}}`;
  }
  if (typeof v === 'number' && !Number.isFinite(v)) return 'null';
  return JSON.stringify(v);
}

// Statements in a script, for statements_executed: `;` outside quotes and comments ends one (a
// CREATE TRIGGER body ends at its END).
export function countStatements(sql: string): number {
  let count = 0;
  let current = '';
  let i = 0;
  const n = sql.length;
  const flush = (): void => {
    if (current.trim() !== '') count++;
    current = '';
  };
  while (i < n) {
    const c = sql[i] as string;
    if (c === "'" || c === '"' || c === '`') {
      const start = i;
      i++;
      while (i < n && !(sql[i] === c && sql[i + 1] !== c)) i += sql[i] === c ? 2 : 1;
      current += sql.slice(start, i + 1);
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === ';') {
      if (/^\s*create\s+(temp\s+|temporary\s+)?trigger\b/i.test(current) && !/\bend\s*$/i.test(current)) current += c;
      else flush();
      i++;
    } else {
      current += c;
      i++;
    }
  }
  flush();
  return count;
}

// ---- tokenizer (offline stand-in for upstream's jieba) ----------------------------------------

type TokenizerMode = 'none' | 'jieba';

function tokenizerMode(input: Input): TokenizerMode {
  const raw = input.tokenizer_mode ?? input.mode;
  const text = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
  if (text === '' || text === 'none') return 'none';
  if (text === 'jieba') return 'jieba';
  throw new DatabaseError('invalid_input', `unsupported sqlite tokenizer mode: ${text}`);
}

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const ASCII_PUNCT = /[!-/:-@[-`{-~]/;

function normalizeText(text: string): string {
  return text.split(/\s+/u).filter(Boolean).join(' ');
}

function plainTokens(text: string): string[] {
  if (text === '') return [];
  const parts: string[] = [];
  let cur = '';
  for (const ch of text) {
    if (/\s/u.test(ch) || ASCII_PUNCT.test(ch)) {
      if (cur) parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur) parts.push(cur);
  return parts.length > 0 ? parts : [text];
}

// "jieba" mode without jieba: CJK runs are cut by forward maximum matching against the custom
// words of the database (longest first), other CJK characters become one token each; text
// outside CJK runs is cut as in "none" mode.
function cjkTokens(text: string, words: string[]): string[] {
  const tokens: string[] = [];
  const chars = [...text];
  let i = 0;
  let plain = '';
  const flushPlain = (): void => {
    if (plain) tokens.push(...plainTokens(plain).filter((t) => t.trim() !== ''));
    plain = '';
  };
  while (i < chars.length) {
    const rest = chars.slice(i).join('');
    const word = words.find((w) => rest.startsWith(w));
    if (word !== undefined && (CJK.test(word) || CJK.test(chars[i] as string))) {
      flushPlain();
      tokens.push(word);
      i += [...word].length;
    } else if (CJK.test(chars[i] as string)) {
      flushPlain();
      tokens.push(chars[i] as string);
      i++;
    } else {
      plain += chars[i];
      i++;
    }
  }
  flushPlain();
  return tokens;
}

// The FTS index of a "jieba" index holds CJK text one character per token (spaces between
// them), so a phrase of characters matches any substring; the spaces are taken out again on
// the way back.
function spaceCjk(text: string): string {
  let out = '';
  let prevCjk = false;
  for (const ch of text) {
    const cjk = CJK.test(ch);
    if ((cjk || prevCjk) && out !== '' && !/\s$/u.test(out) && !/\s/u.test(ch)) out += ' ';
    out += ch;
    prevCjk = cjk;
  }
  return out;
}

const CJK_CLASS = '[\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}]';
const UNSPACE = new RegExp(`(?<=${CJK_CLASS}(?:</?mark>)?) (?=(?:</?mark>)?${CJK_CLASS})|(?<=${CJK_CLASS}(?:</?mark>)?) (?=(?:</?mark>)?[^\\s])|(?<=[^\\s](?:</?mark>)?) (?=(?:</?mark>)?${CJK_CLASS})`, 'gu');
function unspaceCjk(text: string): string {
  return text.replace(UNSPACE, '');
}

function ftsQuery(tokens: string[], searchMode: boolean, mode: TokenizerMode): string {
  return tokens
    .filter((t) => t !== '')
    .map((t) => `"${(mode === 'jieba' ? spaceCjk(t) : t).replace(/"/g, '""')}"`)
    .join(searchMode ? ' OR ' : ' ');
}

// ---- FTS helpers -----------------------------------------------------------------------------

function indexName(raw: string): string {
  const name = raw.trim();
  if (name === '') throw new Error('index_name must not be empty');
  if (!/^[A-Za-z_]/.test(name)) throw new Error('index_name must start with [A-Za-z_]');
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error('index_name only supports [A-Za-z0-9_]');
  if (name.startsWith('_vulcan_')) throw new Error('reserved index_name prefix');
  return name;
}

const quoteId = (id: string): string => `"${id.replace(/"/g, '""')}"`;

const DICT_TABLE = '_vulcan_dict';
const DEFAULT_CHUNK_BYTES = 64 * 1024;

interface QueryStream {
  chunks: Buffer[];
  rowCount: number;
  totalBytes: number;
}

interface OpenDatabase {
  db: Database;
  streams: Map<number, QueryStream>;
  nextStreamId: number;
}

/** better-sqlite3's provider: `handle({action, binding, input})` for the default database path. */
export class BetterSqliteProvider implements EngineDatabaseProvider {
  readonly #open = new Map<string, OpenDatabase>();

  info(): DatabaseProviderInfo {
    let version = 'unknown';
    let libraryPath = '';
    let sqliteVersion = 'unknown';
    try {
      const d = loadDriver();
      version = d.version;
      libraryPath = d.path;
      const mem = new d.ctor(':memory:');
      sqliteVersion = String(mem.prepare('select sqlite_version()').pluck().get());
      mem.close();
    } catch {
      /* reported as unknown */
    }
    return {
      integration_mode: 'dynamic_library',
      library_path: libraryPath,
      library_name: 'better-sqlite3',
      library_version: version,
      ffi_stage: 'node_addon',
      capabilities: [...SQLITE_ACTIONS],
      extra: { sqlite_version: sqliteVersion },
    };
  }

  handle(request: DatabaseProviderRequest): unknown {
    const input = request.input;
    const file = request.binding.default_database_path;
    switch (request.action) {
      case 'execute_script':
        return this.#executeScript(this.#db(file), input);
      case 'execute_batch':
        return this.#executeBatch(this.#db(file), input);
      case 'query_json':
        return this.#queryJson(this.#db(file), input);
      case 'query_stream':
        return this.#queryStream(this.#entry(file), input);
      case 'query_stream_wait_metrics':
        return this.#streamMetrics(this.#entry(file), input);
      case 'query_stream_chunk':
        return this.#streamChunk(this.#entry(file), input);
      case 'query_stream_close':
        return this.#streamClose(this.#entry(file), input);
      case 'tokenize_text':
        return this.#tokenize(this.#db(file), input);
      case 'upsert_custom_word':
        return this.#upsertWord(this.#db(file), input);
      case 'remove_custom_word':
        return this.#removeWord(this.#db(file), input);
      case 'list_custom_words':
        return this.#listWords(this.#db(file));
      case 'ensure_fts_index':
        return this.#ensureIndex(this.#db(file), input);
      case 'rebuild_fts_index':
        return this.#rebuildIndex(this.#db(file), input);
      case 'upsert_fts_document':
        return this.#upsertDocument(this.#db(file), input);
      case 'delete_fts_document':
        return this.#deleteDocument(this.#db(file), input);
      case 'search_fts':
        return this.#search(this.#db(file), input);
      default:
        throw new DatabaseError('unsupported_action', `unsupported sqlite action: ${request.action}`);
    }
  }

  /** Closes every open database (streams are dropped). */
  close(): void {
    for (const entry of this.#open.values()) {
      entry.streams.clear();
      try {
        if (entry.db.open) entry.db.close();
      } catch {
        /* already closed */
      }
    }
    this.#open.clear();
  }

  /** Paths of the databases open now. */
  get openPaths(): string[] {
    return [...this.#open.keys()];
  }

  #entry(file: string): OpenDatabase {
    let entry = this.#open.get(file);
    if (entry && entry.db.open) return entry;
    const { ctor } = loadDriver();
    mkdirSync(path.dirname(file), { recursive: true });
    let db: Database;
    try {
      db = new ctor(file);
      db.pragma('journal_mode = WAL');
      db.pragma('busy_timeout = 5000');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      db.defaultSafeIntegers(true);
    } catch (err) {
      throw new DatabaseError('sqlite_error', `failed to open SQLite database ${file}: ${(err as Error).message}`);
    }
    entry = { db, streams: new Map(), nextStreamId: 1 };
    this.#open.set(file, entry);
    return entry;
  }

  #db(file: string): Database {
    return this.#entry(file).db;
  }

  #sql<T>(work: () => T): T {
    try {
      return work();
    } catch (err) {
      if (err instanceof DatabaseError) throw err;
      throw new DatabaseError('sqlite_error', (err as Error).message);
    }
  }

  #executeScript(db: Database, input: Input) {
    const sql = requireString(input, 'sql');
    const params = singleParams(input);
    return this.#sql(() => {
      if (params.length > 0 || parameterSlots(sql).length > 0) {
        const info = db.prepare(sql).run(...bindArgs(sql, params));
        return { success: true, message: 'statement executed', rows_changed: info.changes, last_insert_rowid: outValue(info.lastInsertRowid), statements_executed: 1 };
      }
      const before = Number(db.prepare('select total_changes()').pluck().get());
      db.exec(sql);
      const changed = Number(db.prepare('select total_changes()').pluck().get()) - before;
      const rowid = db.prepare('select last_insert_rowid()').pluck().get();
      return { success: true, message: 'script executed', rows_changed: changed, last_insert_rowid: outValue(rowid), statements_executed: countStatements(sql) };
    });
  }

  // One prepared statement per item inside one transaction: any failure rolls the batch back.
  #executeBatch(db: Database, input: Input) {
    const sql = requireString(input, 'sql');
    const rows = batchParams(input);
    return this.#sql(() => {
      const stmt = db.prepare(sql);
      let changed = 0;
      let rowid: number | bigint = 0;
      db.exec('BEGIN IMMEDIATE');
      try {
        for (const row of rows) {
          const info = stmt.run(...bindArgs(sql, row));
          changed += info.changes;
          rowid = info.lastInsertRowid;
        }
        db.exec('COMMIT');
      } catch (err) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw err;
      }
      return { success: true, message: 'batch executed', rows_changed: changed, last_insert_rowid: outValue(rowid), statements_executed: rows.length };
    });
  }

  #rows(db: Database, sql: string, params: Bound[]): { [key: string]: DatabaseValue }[] {
    const stmt = db.prepare(sql);
    const args = bindArgs(sql, params);
    if (!stmt.reader) {
      stmt.run(...args);
      return [];
    }
    return stmt.all(...args).map(outRow);
  }

  #queryJson(db: Database, input: Input) {
    const sql = requireString(input, 'sql');
    const params = singleParams(input);
    return this.#sql(() => {
      const rows = this.#rows(db, sql, params);
      return { success: true, row_count: rows.length, json_data: jsonText(rows), rows };
    });
  }

  // The result is read at once and kept as chunks of NDJSON (one JSON object per row and line),
  // each at most chunk_bytes long unless one row is longer.
  #queryStream(entry: OpenDatabase, input: Input) {
    const sql = requireString(input, 'sql');
    const params = singleParams(input);
    const chunkBytes = optionalUint(input, 'chunk_bytes', optionalUint(input, 'chunk_size', 0)) || DEFAULT_CHUNK_BYTES;
    const stream = this.#sql(() => {
      const chunks: Buffer[] = [];
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      let rowCount = 0;
      let totalBytes = 0;
      for (const row of this.#rows(entry.db, sql, params)) {
        const line = Buffer.from(jsonText(row) + '\n', 'utf8');
        if (pendingBytes > 0 && pendingBytes + line.length > chunkBytes) {
          chunks.push(Buffer.concat(pending));
          pending = [];
          pendingBytes = 0;
        }
        pending.push(line);
        pendingBytes += line.length;
        rowCount++;
        totalBytes += line.length;
      }
      if (pendingBytes > 0) chunks.push(Buffer.concat(pending));
      return { chunks, rowCount, totalBytes };
    });
    const id = entry.nextStreamId++;
    entry.streams.set(id, stream);
    return { success: true, stream_id: id, metrics_ready: false };
  }

  #stream(entry: OpenDatabase, input: Input): { id: number; stream: QueryStream } {
    const id = requireUint(input, 'stream_id');
    const stream = entry.streams.get(id);
    if (!stream) throw new DatabaseError('stream_not_found', `query stream handle not found: ${id}`);
    return { id, stream };
  }

  #streamMetrics(entry: OpenDatabase, input: Input) {
    const { id, stream } = this.#stream(entry, input);
    return { success: true, stream_id: id, metrics_ready: true, row_count: stream.rowCount, chunk_count: stream.chunks.length, total_bytes: stream.totalBytes };
  }

  #streamChunk(entry: OpenDatabase, input: Input) {
    const { id, stream } = this.#stream(entry, input);
    const index = requireUint(input, 'index');
    const chunk = stream.chunks[index];
    if (!chunk) throw new DatabaseError('invalid_input', `query stream chunk index out of range: ${index} (chunk_count=${stream.chunks.length})`);
    return { success: true, stream_id: id, index, byte_count: chunk.length, chunk_base64: chunk.toString('base64') };
  }

  #streamClose(entry: OpenDatabase, input: Input) {
    const { id } = this.#stream(entry, input);
    entry.streams.delete(id);
    return { success: true, stream_id: id, message: `query_stream handle ${id} closed successfully` };
  }

  #ensureDict(db: Database): void {
    db.exec(`CREATE TABLE IF NOT EXISTS ${DICT_TABLE} (
      word TEXT PRIMARY KEY,
      weight INTEGER NOT NULL DEFAULT 1,
      enabled INTEGER NOT NULL DEFAULT 1,
      created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
      updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    )`);
  }

  #customWords(db: Database): { word: string; weight: number }[] {
    this.#ensureDict(db);
    return db
      .prepare(`SELECT word, weight FROM ${DICT_TABLE} WHERE enabled = 1 ORDER BY word ASC`)
      .all()
      .map((r) => ({ word: String(r.word), weight: Math.max(1, Number(r.weight)) }));
  }

  #tokens(db: Database, mode: TokenizerMode, text: string): string[] {
    if (mode === 'none') return plainTokens(text);
    const words = this.#customWords(db)
      .map((w) => w.word)
      .sort((a, b) => [...b].length - [...a].length);
    return cjkTokens(text, words);
  }

  #tokenize(db: Database, input: Input) {
    const mode = tokenizerMode(input);
    const text = requireString(input, 'text');
    const searchMode = input.search_mode === true;
    return this.#sql(() => {
      const normalized = normalizeText(text);
      const tokens = this.#tokens(db, mode, normalized);
      return { success: true, tokenizer_mode: mode, normalized_text: normalized, fts_query: ftsQuery(tokens, searchMode, mode), tokens };
    });
  }

  #failed<T>(op: string, work: () => T): T {
    try {
      return work();
    } catch (err) {
      throw new DatabaseError(err instanceof DatabaseError ? err.code : 'sqlite_error', `${op} failed: ${(err as Error).message}`);
    }
  }

  #upsertWord(db: Database, input: Input) {
    const word = requireString(input, 'word');
    const weight = optionalUint(input, 'weight', 1);
    return this.#failed('upsert_custom_word', () => {
      this.#ensureDict(db);
      const info = db
        .prepare(
          `INSERT INTO ${DICT_TABLE} (word, weight, enabled, created_at, updated_at)
           VALUES (?, ?, 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
           ON CONFLICT(word) DO UPDATE SET weight = excluded.weight, enabled = 1, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`,
        )
        .run(word.trim(), BigInt(weight));
      return { success: true, affected_rows: info.changes, word, weight };
    });
  }

  #removeWord(db: Database, input: Input) {
    const word = requireString(input, 'word');
    return this.#failed('remove_custom_word', () => {
      this.#ensureDict(db);
      const info = db.prepare(`DELETE FROM ${DICT_TABLE} WHERE word = ?`).run(word.trim());
      return { success: true, affected_rows: info.changes, word };
    });
  }

  #listWords(db: Database) {
    return this.#failed('list_custom_words', () => {
      const words = this.#customWords(db);
      return { success: true, total: words.length, words };
    });
  }

  #ensure(db: Database, name: string, mode: TokenizerMode): string {
    const index = indexName(name);
    // "jieba" indexes hold pre-spaced CJK text (see spaceCjk), tokenized like "none" ones.
    db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS ${quoteId(index)} USING fts5(
      id UNINDEXED, file_path UNINDEXED, title, content, tokenize='unicode61 remove_diacritics 2')`);
    if (mode === 'jieba') this.#ensureDict(db);
    return index;
  }

  #ensureIndex(db: Database, input: Input) {
    const name = requireString(input, 'index_name');
    const mode = tokenizerMode(input);
    return this.#failed('ensure_fts_index', () => ({ success: true, index_name: this.#ensure(db, name, mode), tokenizer_mode: mode }));
  }

  #writeDocument(db: Database, index: string, mode: TokenizerMode, doc: { id: string; file_path: string; title: string; content: string }): number {
    const q = quoteId(index);
    let affected = db.prepare(`DELETE FROM ${q} WHERE id = ?`).run(doc.id).changes;
    const title = mode === 'jieba' ? spaceCjk(doc.title) : doc.title;
    const content = mode === 'jieba' ? spaceCjk(doc.content) : doc.content;
    affected += db.prepare(`INSERT INTO ${q} (id, file_path, title, content) VALUES (?, ?, ?, ?)`).run(doc.id, doc.file_path, title, content).changes;
    return affected;
  }

  #rebuildIndex(db: Database, input: Input) {
    const name = requireString(input, 'index_name');
    const mode = tokenizerMode(input);
    return this.#failed('rebuild_fts_index', () => {
      const index = indexName(name);
      const exists = Number(db.prepare("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?").pluck().get(index));
      if (exists === 0) return { success: true, index_name: this.#ensure(db, index, mode), tokenizer_mode: mode, reindexed_rows: 0 };
      const docs = db
        .prepare(`SELECT id, file_path, title, content FROM ${quoteId(index)} ORDER BY rowid ASC`)
        .all()
        .map((r) => ({
          id: String(r.id ?? ''),
          file_path: String(r.file_path ?? ''),
          title: unspaceCjk(String(r.title ?? '')),
          content: unspaceCjk(String(r.content ?? '')),
        }));
      db.exec('BEGIN IMMEDIATE');
      try {
        db.exec(`DROP TABLE IF EXISTS ${quoteId(index)}`);
        this.#ensure(db, index, mode);
        for (const doc of docs) this.#writeDocument(db, index, mode, doc);
        db.exec('COMMIT');
      } catch (err) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw err;
      }
      return { success: true, index_name: index, tokenizer_mode: mode, reindexed_rows: docs.length };
    });
  }

  #upsertDocument(db: Database, input: Input) {
    const name = requireString(input, 'index_name');
    const mode = tokenizerMode(input);
    const id = requireString(input, 'id');
    const filePath = requireString(input, 'file_path');
    const title = optionalString(input, 'title');
    const content = optionalString(input, 'content');
    return this.#failed('upsert_fts_document', () => {
      const index = this.#ensure(db, name, mode);
      const affected = this.#writeDocument(db, index, mode, { id, file_path: filePath, title, content });
      return { success: true, affected_rows: affected, index_name: index, id };
    });
  }

  #deleteDocument(db: Database, input: Input) {
    const name = requireString(input, 'index_name');
    const id = requireString(input, 'id');
    return this.#failed('delete_fts_document', () => {
      const index = indexName(name);
      const affected = db.prepare(`DELETE FROM ${quoteId(index)} WHERE id = ?`).run(id).changes;
      return { success: true, affected_rows: affected, index_name: index, id };
    });
  }

  #search(db: Database, input: Input) {
    const name = requireString(input, 'index_name');
    const mode = tokenizerMode(input);
    const query = requireString(input, 'query');
    const limit = Math.min(200, Math.max(1, optionalUint(input, 'limit', 10)));
    const offset = optionalUint(input, 'offset', 0);
    return this.#failed('search_fts', () => {
      const index = this.#ensure(db, name, mode);
      const q = quoteId(index);
      const match = ftsQuery(this.#tokens(db, mode, normalizeText(query)), true, mode);
      const total = Number(db.prepare(`SELECT COUNT(*) FROM ${q} WHERE ${q} MATCH ?`).pluck().get(match));
      const rows = db
        .prepare(
          `SELECT id, file_path, title,
             highlight(${q}, 2, '<mark>', '</mark>') AS title_highlight,
             snippet(${q}, 3, '<mark>', '</mark>', '...', 12) AS content_snippet,
             bm25(${q}, 2.0, 1.0) AS raw_score
           FROM ${q} WHERE ${q} MATCH ?
           ORDER BY raw_score ASC, file_path ASC, id ASC
           LIMIT ? OFFSET ?`,
        )
        .all(match, BigInt(limit), BigInt(offset));
      const fix = mode === 'jieba' ? unspaceCjk : (s: string): string => s;
      const hits = rows.map((r, i) => {
        const raw = Number(r.raw_score);
        return {
          id: String(r.id ?? ''),
          file_path: String(r.file_path ?? ''),
          title: fix(String(r.title ?? '')),
          title_highlight: fix(String(r.title_highlight ?? '')),
          content_snippet: fix(String(r.content_snippet ?? '')),
          score: -raw,
          rank: offset + i + 1,
          raw_score: raw,
        };
      });
      return { success: true, index_name: index, tokenizer_mode: mode, source: 'sqlite_fts', query_mode: 'fts', total, hits };
    });
  }
}
