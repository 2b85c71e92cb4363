// vulcan.fs figures: reading a 1 MB file from Lua with vulcan.fs.read (and read_bytes), against
// Lua's own io.open():read("a") in the same VM and Node's readFileSync. `--only fs` runs these.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { LuaVm } from '../dist/index.js';
import { microsPerCall, printFigureTable } from './lib/timing.mjs';

export function measureFs() {
  const dir = mkdtempSync(path.join(tmpdir(), 'luaskills-bench-fs-'));
  const file = path.join(dir, 'one-mb.txt');
  writeFileSync(file, 'abcdefghij\n'.repeat(Math.ceil((1024 * 1024) / 11)).slice(0, 1024 * 1024));
  const vm = new LuaVm();
  vm.execSync('fs = require("luaskills.fs") file = args', { args: file });
  const loop = (code) => vm.execSync(`for i = 1, 10 do ${code} end`);
  const perCall = (code) => microsPerCall(() => loop(code), 7, 1) / 10;
  const rows = [
    ['vulcan.fs.read 1 MB (in Lua)', 'µs', perCall('local s = fs.read(file)').toFixed(0)],
    ['vulcan.fs.read_bytes 1 MB (base64)', 'µs', perCall('local s = fs.read_bytes(file)').toFixed(0)],
    ['io.open():read("a") 1 MB (same VM)', 'µs', perCall('local f = io.open(file, "rb") local s = f:read("a") f:close()').toFixed(0)],
    ['fs.readFileSync utf8 1 MB (Node)', 'µs', microsPerCall(() => readFileSync(file, 'utf8'), 7, 20).toFixed(0)],
    ['vulcan.fs.stat (in Lua)', 'µs', (microsPerCall(() => vm.execSync('for i = 1, 1000 do fs.stat(file) end'), 7, 1) / 1000).toFixed(2)],
  ];
  vm.close();
  rmSync(dir, { recursive: true, force: true });
  return rows;
}

export function printFsTable(rows) {
  printFigureTable('vulcan.fs', 'figure', rows);
}
