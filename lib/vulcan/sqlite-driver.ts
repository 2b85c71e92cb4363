// better-sqlite3, the driver under the default SQLite provider: the part of its API used here
// (the package ships no types), loading it on first use, opening a database file with the
// provider's settings, and turning driver failures into DatabaseErrors.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { DatabaseError } from './database-provider.js';

interface RunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}
export interface Statement {
  readonly reader: boolean;
  run(...params: unknown[]): RunResult;
  all(...params: unknown[]): Record<string, unknown>[];
  iterate(...params: unknown[]): IterableIterator<Record<string, unknown>>;
  get(...params: unknown[]): Record<string, unknown> | undefined;
  pluck(toggle?: boolean): Statement;
}
export interface Database {
  prepare(sql: string): Statement;
  exec(sql: string): Database;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  defaultSafeIntegers(toggle?: boolean): Database;
  close(): Database;
  readonly open: boolean;
  readonly inTransaction: boolean;
}
type DatabaseConstructor = new (file: string, options?: Record<string, unknown>) => Database;

/** The loaded driver: its constructor, package version and install folder. */
export interface SqliteDriver {
  ctor: DatabaseConstructor;
  version: string;
  path: string;
}

const require = createRequire(import.meta.url);
let driver: SqliteDriver | null = null;

/** better-sqlite3, loaded once; `provider_unavailable` when it is not installed. */
export function loadDriver(): SqliteDriver {
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

/**
 * Opens (creating its folder) one database file: WAL, busy timeout 5 s, foreign keys on, and
 * integers read as BigInt so 64-bit values stay exact.
 */
export function openDatabaseFile(file: string): Database {
  const { ctor } = loadDriver();
  mkdirSync(path.dirname(file), { recursive: true });
  try {
    const db = new ctor(file);
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.defaultSafeIntegers(true);
    return db;
  } catch (err) {
    throw new DatabaseError('sqlite_error', `failed to open SQLite database ${file}: ${(err as Error).message}`);
  }
}

/** Runs `work`; a driver error becomes `sqlite_error` with the driver's message. */
export function sqliteWork<T>(work: () => T): T {
  try {
    return work();
  } catch (err) {
    if (err instanceof DatabaseError) throw err;
    throw new DatabaseError('sqlite_error', (err as Error).message);
  }
}

/** Runs `work`; any error is reported as `<op> failed: <message>` (upstream's FTS/dictionary wording). */
export function sqliteOperation<T>(op: string, work: () => T): T {
  try {
    return work();
  } catch (err) {
    throw new DatabaseError(err instanceof DatabaseError ? err.code : 'sqlite_error', `${op} failed: ${(err as Error).message}`);
  }
}

/** Runs `work` inside `BEGIN IMMEDIATE` … `COMMIT`, rolling back when it throws. */
export function inTransaction(db: Database, work: () => void): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    work();
    db.exec('COMMIT');
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw err;
  }
}
