// JSON text of lease payloads. The seed serialises serde_json values: object keys in byte order,
// 64-bit integers exact. JSON.stringify can do neither (and drops `undefined` members), so the
// writer is our own.
import { compareBytes } from './payloads.js';

function write(value: unknown, out: string[]): void {
  if (value === null || value === undefined) {
    out.push('null');
  } else if (typeof value === 'string') {
    out.push(JSON.stringify(value));
  } else if (typeof value === 'number') {
    // NaN and ±Infinity have no JSON form; serde_json writes them as null too.
    out.push(Number.isFinite(value) ? JSON.stringify(value) : 'null');
  } else if (typeof value === 'bigint') {
    out.push(value.toString());
  } else if (typeof value === 'boolean') {
    out.push(value ? 'true' : 'false');
  } else if (value instanceof Uint8Array) {
    // Lua bytes that are not UTF-8: JSON text can only carry them lossily.
    out.push(JSON.stringify(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8')));
  } else if (Array.isArray(value)) {
    out.push('[');
    value.forEach((item: unknown, i) => {
      if (i > 0) out.push(',');
      write(item, out);
    });
    out.push(']');
  } else if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort(compareBytes);
    out.push('{');
    keys.forEach((key, i) => {
      if (i > 0) out.push(',');
      out.push(JSON.stringify(key), ':');
      write(record[key], out);
    });
    out.push('}');
  } else {
    out.push('null');
  }
}

/** Compact JSON with sorted keys, exact BigInts, `undefined` as null. */
export function toJsonText(value: unknown): string {
  const out: string[] = [];
  write(value, out);
  return out.join('');
}
