// Request fields and SQL parameters of the default SQLite provider (upstream's messages):
// reading input fields, binding `?`, `?N` and named placeholders as SQLite numbers them, and
// turning rows back into values Lua can hold (64-bit integers stay exact).
import { DatabaseError, type DatabaseProviderRequest, type DatabaseValue } from './database-provider.js';

export type Input = DatabaseProviderRequest['input'];

// ---- input fields (upstream messages) --------------------------------------------------------

export function requireString(input: Input, field: string): string {
  const v = input[field];
  if (typeof v !== 'string' || v.trim() === '') throw new DatabaseError('invalid_input', `missing or empty field \`${field}\``);
  if (v.includes('\0')) throw new DatabaseError('invalid_input', `field \`${field}\` contains interior NUL bytes`);
  return v;
}

export function optionalString(input: Input, field: string): string {
  const v = input[field];
  return typeof v === 'string' ? v : '';
}

export function optionalUint(input: Input, field: string, fallback: number): number {
  const v = input[field];
  if (typeof v === 'bigint') return v < 0n ? fallback : Number(v);
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  return fallback;
}

export function requireUint(input: Input, field: string): number {
  const v = input[field];
  if (typeof v === 'bigint' && v >= 0n) return Number(v);
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  throw new DatabaseError('invalid_input', `${field} is required`);
}

// ---- parameters ------------------------------------------------------------------------------

export type Bound = null | bigint | number | string | Buffer;

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

export function singleParams(input: Input): Bound[] {
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

export function batchParams(input: Input): Bound[][] {
  const items = input.items === undefined || input.items === null ? undefined : emptyObjectAsArray(input.items);
  if (!Array.isArray(items)) throw new DatabaseError('invalid_input', 'items must be an array of arrays');
  if (items.length === 0) throw new DatabaseError('invalid_input', 'items must not be empty');
  return items.map((row, r) => {
    const list = row === null ? row : emptyObjectAsArray(row);
    if (!Array.isArray(list)) throw new DatabaseError('invalid_input', `items[${r}] must be an array`);
    return list.map((v, c) => param(v, `items[${r}][${c}]`));
  });
}

// The two SQL scanners below skip the same lexical pieces: quoted strings and identifiers (a
// doubled quote stays inside) and comments.

/** The index just past the quoted text opening at `i` (the end of `sql` when unterminated). */
function quotedEnd(sql: string, i: number): number {
  const q = sql[i];
  let j = i + 1;
  while (j < sql.length) {
    if (sql[j] !== q) j++;
    else if (sql[j + 1] === q) j += 2;
    else return j + 1;
  }
  return sql.length;
}

/** The index just past the `--` or `/* *\/` comment starting at `i`; -1 when none starts there. */
function commentEnd(sql: string, i: number): number {
  if (sql[i] === '-' && sql[i + 1] === '-') {
    const end = sql.indexOf('\n', i);
    return end < 0 ? sql.length : end + 1;
  }
  if (sql[i] === '/' && sql[i + 1] === '*') {
    const end = sql.indexOf('*/', i + 2);
    return end < 0 ? sql.length : end + 2;
  }
  return -1;
}

// SQLite numbers parameters itself (`?` = the largest index so far + 1, `?N` = N, a name = the next
// index at its first use). better-sqlite3 binds bare `?` by position and every other form by name
// (`?3` under the key "3"), so the values are spread the way SQLite numbers them.
interface ParamSlot {
  kind: 'anon' | 'named';
  key: string;
  index: number;
}

export function parameterSlots(sql: string): ParamSlot[] {
  const slots: ParamSlot[] = [];
  const names = new Map<string, number>();
  let max = 0;
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const afterComment = commentEnd(sql, i);
    if (afterComment >= 0) {
      i = afterComment;
      continue;
    }
    const c = sql[i] as string;
    if (c === "'" || c === '"' || c === '`') {
      i = quotedEnd(sql, i);
    } else if (c === '[') {
      const end = sql.indexOf(']', i);
      i = end < 0 ? n : end + 1;
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

export function bindArgs(sql: string, values: Bound[]): unknown[] {
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
export function outValue(v: unknown): DatabaseValue {
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  if (Buffer.isBuffer(v)) return v.toString('base64');
  if (v === undefined) return null;
  return v as DatabaseValue;
}

export function outRow(row: Record<string, unknown>): { [key: string]: DatabaseValue } {
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
    const afterComment = commentEnd(sql, i);
    if (afterComment >= 0) {
      i = afterComment;
      continue;
    }
    const c = sql[i] as string;
    if (c === "'" || c === '"' || c === '`') {
      const end = quotedEnd(sql, i);
      current += sql.slice(i, end);
      i = end;
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
