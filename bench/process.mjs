// vulcan.process figures: the latency of process.exec("true") (fork/exec through sh, pipes,
// poll loop, reap, result table) and of a program spawned without a shell, inside one VM,
// against Node's child_process.spawnSync. `--only process` runs these.
import { spawnSync } from 'node:child_process';

import { LuaVm } from '../dist/index.js';
import { msSince, now } from './lib/timing.mjs';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Median over rounds of the mean µs per call.
function timeIt(fn, rounds = 5, inner = 40) {
  fn();
  const samples = [];
  for (let r = 0; r < rounds; r++) {
    const t = now();
    for (let i = 0; i < inner; i++) fn();
    samples.push((msSince(t) * 1000) / inner);
  }
  return median(samples);
}

export function measureProcess() {
  const vm = new LuaVm();
  vm.execSync('process = require("luaskills.process")');
  const loop = (call) => vm.execSync(`for _ = 1, 10 do ${call} end`);
  const rows = [
    ['process.exec("true") (sh -c)', 'µs', (timeIt(() => loop('process.exec("true")'), 5, 4) / 10).toFixed(0)],
    ['process.exec({ program = "true" })', 'µs', (timeIt(() => loop('process.exec({ program = "true" })'), 5, 4) / 10).toFixed(0)],
    ['child_process.spawnSync("true") (Node)', 'µs', timeIt(() => spawnSync('true')).toFixed(0)],
  ];
  vm.close();
  return rows;
}

export function printProcessTable(rows) {
  const lines = ['| vulcan.process | figure |', '| --- | ---: |'];
  for (const [label, unit, value] of rows) lines.push(`| ${label} (${unit}) | ${value} |`);
  process.stdout.write(`\n${lines.join('\n')}\n`);
}
