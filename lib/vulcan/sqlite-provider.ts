// The engine's default SQLite provider, on better-sqlite3: one connection per database file,
// opened on first use (see openDatabaseFile), closed by close(). Request and result shapes follow
// upstream's SQLite binding and its vldb-sqlite backend; the deviations are listed in
// docs/host-guide.md ("Databases"). The actions live in sqlite-statements.ts,
// sqlite-query-stream.ts, sqlite-dictionary.ts and sqlite-fts.ts; this file opens databases and
// routes requests.
//
// better-sqlite3 is synchronous: each request runs to completion on the JS thread (the calling
// Lua thread waits meanwhile), so requests on one engine never interleave.
import { DatabaseError, SQLITE_ACTIONS, type DatabaseProviderInfo, type DatabaseProviderRequest, type EngineDatabaseProvider } from './database-provider.js';
import { listCustomWords, removeCustomWord, tokenizeText, upsertCustomWord } from './sqlite-dictionary.js';
import { loadDriver, openDatabaseFile, type Database } from './sqlite-driver.js';
import { deleteFtsDocument, ensureFtsIndex, rebuildFtsIndex, searchFts, upsertFtsDocument } from './sqlite-fts.js';
import { QueryStreams } from './sqlite-query-stream.js';
import { executeBatch, executeScript, queryJson } from './sqlite-statements.js';

interface OpenDatabase {
  db: Database;
  streams: QueryStreams;
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
        return executeScript(this.#db(file), input);
      case 'execute_batch':
        return executeBatch(this.#db(file), input);
      case 'query_json':
        return queryJson(this.#db(file), input);
      case 'query_stream': {
        const entry = this.#entry(file);
        return entry.streams.open(entry.db, input);
      }
      case 'query_stream_wait_metrics':
        return this.#entry(file).streams.metrics(input);
      case 'query_stream_chunk':
        return this.#entry(file).streams.chunk(input);
      case 'query_stream_close':
        return this.#entry(file).streams.close(input);
      case 'tokenize_text':
        return tokenizeText(this.#db(file), input);
      case 'upsert_custom_word':
        return upsertCustomWord(this.#db(file), input);
      case 'remove_custom_word':
        return removeCustomWord(this.#db(file), input);
      case 'list_custom_words':
        return listCustomWords(this.#db(file));
      case 'ensure_fts_index':
        return ensureFtsIndex(this.#db(file), input);
      case 'rebuild_fts_index':
        return rebuildFtsIndex(this.#db(file), input);
      case 'upsert_fts_document':
        return upsertFtsDocument(this.#db(file), input);
      case 'delete_fts_document':
        return deleteFtsDocument(this.#db(file), input);
      case 'search_fts':
        return searchFts(this.#db(file), input);
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

  // A database closed behind our back is opened again, with no streams.
  #entry(file: string): OpenDatabase {
    let entry = this.#open.get(file);
    if (entry && entry.db.open) return entry;
    entry = { db: openDatabaseFile(file), streams: new QueryStreams() };
    this.#open.set(file, entry);
    return entry;
  }

  #db(file: string): Database {
    return this.#entry(file).db;
  }
}
