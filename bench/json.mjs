// vulcan.json figures: encode / decode of a ~100 KB document in one VM, against Debian's
// lua-cjson in the same VM and JSON.stringify / JSON.parse in Node. `--only json` runs these.
import { LuaVm } from '../dist/index.js';
import { makeObject } from './lib/data.mjs';
import { msSince, now } from './lib/timing.mjs';

const CPATH = `/usr/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu/lua/5.4/?.so`;

function doc() {
  return { items: makeObject(100 * 1024, 7), meta: { title: 'a ~100 KB document' } };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timeIt(fn, reps = 5, inner = 50) {
  fn();
  const samples = [];
  for (let r = 0; r < reps; r++) {
    const t = now();
    for (let i = 0; i < inner; i++) fn();
    samples.push((msSince(t) * 1000) / inner);
  }
  return median(samples);
}

export function measureJson() {
  const value = doc();
  const text = JSON.stringify(value);
  const vm = new LuaVm();
  vm.execSync('package.cpath = args .. ";" .. package.cpath', { args: CPATH });
  vm.execSync('json = require("luaskills.json") doc = json.decode(args) text = args', { args: text });
  let cjson = true;
  try {
    vm.execSync('cjson = require("cjson")');
  } catch {
    cjson = false;
  }
  const loop = (code) => vm.execSync(`for i = 1, 20 do ${code} end`);
  const rows = [
    ['document size', 'KB', (text.length / 1024).toFixed(1)],
    ['vulcan.json.encode (in Lua)', 'µs', (timeIt(() => loop('json.encode(doc)'), 5, 1) / 20).toFixed(0)],
    ['cjson.encode (same VM)', 'µs', cjson ? (timeIt(() => loop('cjson.encode(doc)'), 5, 1) / 20).toFixed(0) : 'n/a'],
    ['JSON.stringify (Node)', 'µs', timeIt(() => JSON.stringify(value)).toFixed(0)],
    ['vulcan.json.decode (in Lua)', 'µs', (timeIt(() => loop('json.decode(text)'), 5, 1) / 20).toFixed(0)],
    ['cjson.decode (same VM)', 'µs', cjson ? (timeIt(() => loop('cjson.decode(text)'), 5, 1) / 20).toFixed(0) : 'n/a'],
    ['JSON.parse (Node)', 'µs', timeIt(() => JSON.parse(text)).toFixed(0)],
  ];
  vm.close();
  return rows;
}

export function printJsonTable(rows) {
  const lines = ['| vulcan.json | figure |', '| --- | ---: |'];
  for (const [label, unit, value] of rows) lines.push(`| ${label} (${unit}) | ${value} |`);
  process.stdout.write(`\n${lines.join('\n')}\n`);
}
