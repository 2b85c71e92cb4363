// vulcan.process figures: the latency of process.exec("true") (fork/exec through sh, pipes,
// poll loop, reap, result table) and of a program spawned without a shell, inside one VM,
// against Node's child_process.spawnSync. `--only process` runs these.
import { spawnSync } from 'node:child_process';

import { LuaVm } from '../dist/index.js';
import { microsPerCall, printFigureTable } from './lib/timing.mjs';

export function measureProcess() {
  const vm = new LuaVm();
  vm.execSync('process = require("luaskills.process")');
  const loop = (call) => vm.execSync(`for _ = 1, 10 do ${call} end`);
  const rows = [
    ['process.exec("true") (sh -c)', 'µs', (microsPerCall(() => loop('process.exec("true")'), 5, 4) / 10).toFixed(0)],
    ['process.exec({ program = "true" })', 'µs', (microsPerCall(() => loop('process.exec({ program = "true" })'), 5, 4) / 10).toFixed(0)],
    ['child_process.spawnSync("true") (Node)', 'µs', microsPerCall(() => spawnSync('true'), 5, 40).toFixed(0)],
  ];
  vm.close();
  return rows;
}

export function printProcessTable(rows) {
  printFigureTable('vulcan.process', 'figure', rows);
}
