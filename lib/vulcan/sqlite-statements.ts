// The plain SQL actions of the default SQLite provider: execute_script, execute_batch and
// query_json, with upstream's result shapes.
import type { DatabaseValue } from './database-provider.js';
import { inTransaction, sqliteWork, type Database } from './sqlite-driver.js';
import { batchParams, bindArgs, countStatements, jsonText, outRow, outValue, parameterSlots, requireString, singleParams, type Bound, type Input } from './sqlite-params.js';

/** One statement with parameters, or a whole parameterless script. */
export function executeScript(db: Database, input: Input) {
  const sql = requireString(input, 'sql');
  const params = singleParams(input);
  return sqliteWork(() => {
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

/** One prepared statement per item inside one transaction: any failure rolls the batch back. */
export function executeBatch(db: Database, input: Input) {
  const sql = requireString(input, 'sql');
  const rows = batchParams(input);
  return sqliteWork(() => {
    const stmt = db.prepare(sql);
    let changed = 0;
    let rowid: number | bigint = 0;
    inTransaction(db, () => {
      for (const row of rows) {
        const info = stmt.run(...bindArgs(sql, row));
        changed += info.changes;
        rowid = info.lastInsertRowid;
      }
    });
    return { success: true, message: 'batch executed', rows_changed: changed, last_insert_rowid: outValue(rowid), statements_executed: rows.length };
  });
}

/** The rows `sql` reads as Lua-safe values; a statement that reads nothing runs and gives none. */
export function resultRows(db: Database, sql: string, params: Bound[]): { [key: string]: DatabaseValue }[] {
  const stmt = db.prepare(sql);
  const args = bindArgs(sql, params);
  if (!stmt.reader) {
    stmt.run(...args);
    return [];
  }
  return stmt.all(...args).map(outRow);
}

export function queryJson(db: Database, input: Input) {
  const sql = requireString(input, 'sql');
  const params = singleParams(input);
  return sqliteWork(() => {
    const rows = resultRows(db, sql, params);
    return { success: true, row_count: rows.length, json_data: jsonText(rows), rows };
  });
}
