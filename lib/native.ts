// Finds and loads the compiled addon. It is loaded with RTLD_GLOBAL so that Lua C modules
// required later (cjson, lfs, socket.core) resolve the lua_* symbols it exports.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { encodeTape } from './vm/tape.js';

/** Internal shape of the native LuaVm; never part of the public types. */
export interface NativeLuaVm {
  execSync(code: string, chunkName: string | undefined, timeoutMs: number, allResults: boolean, hasArgs: boolean, args: unknown): unknown;
  exec(code: string, chunkName: string | undefined, timeoutMs: number, allResults: boolean, hasArgs: boolean, args: unknown): Promise<unknown>;
  /** target: a global path, or a reference from refFunction. */
  callSync(target: string | number, timeoutMs: number, allResults: boolean, ...args: unknown[]): unknown;
  call(target: string | number, timeoutMs: number, allResults: boolean, ...args: unknown[]): Promise<unknown>;
  refFunction(path: string): number;
  unref(ref: number): void;
  bindRef(ref: number): (...args: unknown[]) => unknown;
  setGlobal(path: string, value: unknown): void;
  getGlobal(path: string): unknown;
  registerHostFunction(path: string, fn: (...args: unknown[]) => unknown): void;
  close(): void;
  interrupt(reason: 'cancelled' | 'timeout'): void;
  memoryUsed(): number;
  gc(): number;
  readonly closed: boolean;
  readonly busy: boolean;
}

export interface NativeAddon {
  LuaVm: new (
    memoryLimitBytes: number,
    hookInterval: number,
    bigintForLargeIntegers: boolean,
    bufferForInvalidUtf8: boolean,
    safeLibraries: boolean,
  ) => NativeLuaVm;
  nativeBaseline(kind: 'newstate' | 'openlibs', iterations: number): number;
  luaVersion: string;
  setBuilders(
    makeArray: (...items: unknown[]) => unknown[],
    appendItems: (arr: unknown[], ...items: unknown[]) => void,
    makeObject: (...kv: unknown[]) => object,
    appendProps: (obj: object, ...kv: unknown[]) => void,
    encodeTape: (value: object, depth: number) => Uint8Array,
  ): void;
}

// Builders for Lua -> JS conversion: one call builds a whole array or object, which costs less
// than one N-API call per element. '__proto__' is defined as an own property, never a setter.
function setProps(obj: Record<string, unknown>, kv: ArrayLike<unknown>, from: number): void {
  for (let i = from; i < kv.length; i += 2) {
    const key = kv[i] as string;
    if (key === '__proto__') {
      Object.defineProperty(obj, key, { value: kv[i + 1], enumerable: true, writable: true, configurable: true });
    } else {
      obj[key] = kv[i + 1];
    }
  }
}
const makeArray = (...items: unknown[]): unknown[] => items;
const appendItems = (arr: unknown[], ...items: unknown[]): void => {
  for (const item of items) arr.push(item);
};
function makeObject(...kv: unknown[]): object {
  const obj: Record<string, unknown> = {};
  setProps(obj, kv, 0);
  return obj;
}
function appendProps(obj: object, ...kv: unknown[]): void {
  setProps(obj as Record<string, unknown>, kv, 0);
}

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const require = createRequire(import.meta.url);

function candidates(): string[] {
  const list: string[] = [];
  if (process.env.LUASKILLS_NATIVE) list.push(path.resolve(process.env.LUASKILLS_NATIVE));
  // node-gyp-build's lookup: build/Release, then prebuilds/<platform>-<arch>/ with napi/libc tags.
  try {
    list.push((require('node-gyp-build') as { path(dir: string): string }).path(packageRoot));
  } catch {
    /* nothing fits: the fallbacks below name what was tried */
  }
  list.push(path.join(packageRoot, 'build', 'Release', 'luaskills.node'));
  list.push(path.join(packageRoot, 'build-cmake', 'Release', 'luaskills.node'));
  list.push(path.join(packageRoot, 'build', 'Debug', 'luaskills.node'));
  return list;
}

function load(): NativeAddon {
  const tried = candidates();
  const file = tried.find((f) => fs.existsSync(f));
  if (!file) {
    throw new Error(
      `luaskills: the native addon was not found. Looked in:\n  ${tried.join('\n  ')}\n` +
        'Build it with `npm install` (or `npm run build`) in the luaskills package directory.',
    );
  }
  const mod = { exports: {} as NativeAddon };
  const flags = os.constants.dlopen.RTLD_NOW | (os.constants.dlopen.RTLD_GLOBAL ?? 0);
  process.dlopen(mod, file, flags);
  mod.exports.setBuilders(makeArray, appendItems, makeObject, appendProps, encodeTape);
  return mod.exports;
}

export const native: NativeAddon = load();
