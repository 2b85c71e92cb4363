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
import {
  batchParams,
  bindArgs,
  countStatements,
  jsonText,
  optionalString,
  optionalUint,
  outRow,
  outValue,
  parameterSlots,
  requireString,
  requireUint,
  singleParams,
  type Bound,
  type Input,
} from './sqlite-params.js';
import {
  CJK,
  cjkTokens,
  ftsQuery,
  indexName,
  normalizeText,
  plainTokens,
  quoteId,
  spaceCjk,
  tokenizerMode,
  unspaceCjk,
  type TokenizerMode,
} from './sqlite-text.js';

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
