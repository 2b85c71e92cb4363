// Shared workload definitions: Lua sources, sizes, and the object for the round trip.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeObject } from './data.mjs';

export const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const luaDir = path.join(benchDir, 'lua');

/** CPU workloads: each file defines bench_setup(), bench_run(), bench_check(result). */
export const CPU_WORKLOADS = ['fib', 'concat', 'sort'];
export const cpuFile = (name) => path.join(luaDir, `${name}.lua`);
export const cpuSource = (name) => fs.readFileSync(cpuFile(name), 'utf8');

export const INC_SRC = 'function inc(x) return x + 1 end';
export const ID_SRC = 'function id(x) return x end';
export const EVAL_SRC = 'return 1+1';
export const SPIN_SRC = 'while true do end';
export const TIMEOUT_MS = 50;

/** RSS test sizes. */
export const RSS_COUNT = { luaskills: 200, fengari: 200, wasmoon: 200, wasmoonIsolated: 40 };

let cached;
export function roundTripObject() {
  cached ??= makeObject(10 * 1024);
  return cached;
}

/** Waits for the process to settle, then returns RSS after a full GC. */
export async function settledRss() {
  for (let i = 0; i < 3; i++) {
    globalThis.gc?.();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage.rss();
}
