// Finds and loads the compiled addon. It is loaded with RTLD_GLOBAL so that Lua C modules
// required later (cjson, lfs, socket.core) resolve the lua_* symbols it exports.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Internal shape of the native LuaVm; never part of the public types. */
export interface NativeLuaVm {
  execSync(code: string, chunkName: string, timeoutMs: number, allResults: boolean, hasArgs: boolean, args: unknown): unknown;
  exec(code: string, chunkName: string, timeoutMs: number, allResults: boolean, hasArgs: boolean, args: unknown): Promise<unknown>;
  callSync(name: string, args: unknown[], timeoutMs: number, allResults: boolean): unknown;
  call(name: string, args: unknown[], timeoutMs: number, allResults: boolean): Promise<unknown>;
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
  LuaVm: new (memoryLimitBytes: number, hookInterval: number, bigintForLargeIntegers: boolean, bufferForInvalidUtf8: boolean) => NativeLuaVm;
  nativeBaseline(kind: 'newstate' | 'openlibs', iterations: number): number;
  luaVersion: string;
}

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function candidates(): string[] {
  const list: string[] = [];
  if (process.env.LUASKILLS_NATIVE) list.push(path.resolve(process.env.LUASKILLS_NATIVE));
  const tag = `${process.platform}-${process.arch}`;
  list.push(path.join(packageRoot, 'prebuilds', tag, 'luaskills.node'));
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
  return mod.exports;
}

export const native: NativeAddon = load();
