// Our own Lua files (lib/lua/): read once, compiled once per process, and loaded as bytecode into
// each new VM — parsing them costs about half a millisecond per VM, loading their bytecode a tenth
// of that. Host and skill code never goes this way: it always loads as text.
import { readFileSync } from 'node:fs';

import type { LuaVm } from './vm/lua-vm.js';

const luaTexts = new Map<string, string>();
/** The text of lib/lua/<name>. */
export function luaText(name: string): string {
  let text = luaTexts.get(name);
  if (text === undefined) {
    text = readFileSync(new URL(`../lib/lua/${name}`, import.meta.url), 'utf8');
    luaTexts.set(name, text);
  }
  return text;
}

const bytecode = new Map<string, Uint8Array>();
const DUMP = 'local f = assert(load(args.src, args.name, "t")) return string.dump(f)';
const RUN = 'return assert(load(args.bc, args.name, "b"))(args.args)';

/** Runs lib/lua/<name> in `vm` with `args` as its `...`. */
export function runLuaFile(vm: LuaVm, name: string, args: unknown): void {
  const chunkName = `@luaskills/${name}`;
  let bc = bytecode.get(name);
  if (bc === undefined) {
    bc = vm.execSync(DUMP, { chunkName: '=luaskills', args: { src: luaText(name), name: chunkName } }) as Uint8Array;
    bytecode.set(name, bc);
  }
  vm.execSync(RUN, { chunkName: '=luaskills', args: { bc, name: chunkName, args } });
}

